"""The GitHub source: the real PyGithub client against a local fake (testing.fake_github)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from testing import workspace as toml
from testing.clock import NOW, WEEK
from testing.fake_github import FakeGitHub, Repo, issue, milestone, pull, pull_issue
from weekly.config import Config, load_config
from weekly.errors import InputError
from weekly.model import DecisionStatus, SourceState, Status
from weekly.pipeline import pull_source
from weekly.sources import SOURCES
from weekly.sources.context import PullContext

TOKEN = "ghp-test-token-value"
ENV = {"GITHUB_TOKEN": TOKEN}
WEB, API = "acme/web", "acme/api"


class Sleeps(list):
    """Records the waits the source asks for, instead of waiting."""

    def __call__(self, seconds: float) -> None:
        self.append(seconds)


def write_config(tmp_path: Path, url: str, repos: list[str], bets: str = "milestones") -> Config:
    toml.metrics_csv(tmp_path, "2026-11-24,a,1\n", name="m.csv")
    extra = f'bets = "{bets}"\nretry_budget_seconds = 90\n'
    path = toml.team_config(
        tmp_path, toml.github(url, repos, extra), team="Web", csv="m.csv", nsm="a"
    )
    return load_config(path)[0]


def pull_all(config: Config, env=ENV, sleep=None):
    ctx = PullContext(config, WEEK, NOW, env, sleep=Sleeps() if sleep is None else sleep)
    return {r.status.name: r for r in pull_source(SOURCES["github"], ctx)}


@pytest.fixture
def site(tmp_path):
    started: list[FakeGitHub] = []

    def start(repos: dict[str, Repo], bets: str = "milestones", prefix: str = ""):
        fake = FakeGitHub(repos, token=TOKEN, prefix=prefix).start()
        started.append(fake)
        return fake, write_config(tmp_path, fake.url, list(repos), bets)

    yield start
    for fake in started:
        fake.stop()


ROLLOUT_BODY = "Approver: @dana\nDeadline: 2026-12-02\n\n- 100% on Monday\n- 50% first"


def progress_of(bet) -> tuple[int, int] | None:
    return (bet.progress.done, bet.progress.total) if bet.progress else None


def checkout_repo() -> Repo:
    m1 = milestone(
        WEB,
        1,
        "One-click checkout",
        due_on="2026-12-11T08:00:00Z",
        open_issues=6,
        closed_issues=18,
        creator="jonas",
    )
    m2 = milestone(
        WEB,
        2,
        "Retire legacy invoices",
        due_on="2026-11-20T08:00:00Z",
        open_issues=1,
        closed_issues=9,
        creator="tom",
    )
    old = milestone(WEB, 3, "Old launch", state="closed", closed_at="2026-10-02T10:00:00Z")
    done = milestone(
        WEB, 4, "Fraud rules", state="closed", closed_at="2026-11-24T10:00:00Z", closed_issues=16
    )
    blocked = issue(
        WEB,
        40,
        "Waiting for PSP sandbox",
        labels=["blocked"],
        assignees=["ana"],
        milestone=m1,
        created_at="2026-11-18T09:00:00Z",
    )
    decision_with = issue(
        WEB,
        50,
        "Roll out to all traffic",
        labels=["decision-needed"],
        assignees=["jonas"],
        milestone=m1,
        body="Approver: @dana\nDeadline: 2026-12-02\n\n- 100% on Monday\n- 50% first",
    )
    decision_without = issue(WEB, 51, "Pick a font", labels=["decision-needed"], assignees=["mei"])
    merged_mon = pull(
        WEB,
        60,
        "Add wallet button",
        merged_at="2026-11-23T08:00:00Z",
        updated_at="2026-11-23T09:00:00Z",
        milestone=m1,
    )
    # Sunday 22 Nov 23:30 UTC is Monday 00:30 in Berlin: this week for a Berlin team.
    merged_edge = pull(
        WEB,
        61,
        "Edge of the week",
        merged_at="2026-11-22T23:30:00Z",
        updated_at="2026-11-22T23:40:00Z",
        milestone=m1,
    )
    merged_before = pull(
        WEB,
        62,
        "Last week",
        merged_at="2026-11-22T22:30:00Z",
        updated_at="2026-11-22T22:40:00Z",
        milestone=m1,
    )
    closed_unmerged = pull(
        WEB, 63, "Abandoned", merged_at=None, updated_at="2026-11-24T09:00:00Z", milestone=m1
    )
    pulls = [closed_unmerged, merged_mon, merged_edge, merged_before]
    return Repo(
        milestones=[m1, m2, old, done],
        issues=[blocked, decision_with, decision_without, *[pull_issue(p) for p in pulls]],
        pulls=pulls,
    )


def test_milestones_are_bets_with_progress_status_blockers_and_delivery(site):
    _, config = site({WEB: checkout_repo()})
    (result,) = pull_all(config).values()
    assert result.status.state is SourceState.OK
    bets = {b.title: b for b in result.bets}
    assert set(bets) == {"One-click checkout", "Retire legacy invoices", "Fraud rules"}
    checkout = bets["One-click checkout"]
    assert checkout.progress and (checkout.progress.done, checkout.progress.total) == (18, 24)
    assert checkout.owner == "@jonas" and checkout.target_date == dt.date(2026, 12, 11)
    assert checkout.status is Status.AT_RISK  # an open blocker
    assert [b.title for b in checkout.blockers] == ["Waiting for PSP sandbox"]
    assert checkout.blockers[0].days_blocked(NOW.date()) == 9
    assert checkout.blockers[0].owner == "@ana"
    assert [d.key for d in checkout.delivered] == ["web#60", "web#61"]
    assert bets["Retire legacy invoices"].status is Status.OFF_TRACK  # past due, open work
    assert bets["Fraud rules"].status is Status.DONE


def test_decisions_read_approver_and_deadline_lines_else_assignee_and_flag(site):
    _, config = site({WEB: checkout_repo()})
    (result,) = pull_all(config).values()
    decisions = {d.title: d for d in result.decisions}
    rollout = decisions["Roll out to all traffic"]
    assert (rollout.approver, rollout.approver_is_assignee) == ("@dana", False)
    assert rollout.deadline == dt.date(2026, 12, 2)
    assert rollout.options == ("100% on Monday", "50% first")
    font = decisions["Pick a font"]
    assert (font.approver, font.approver_is_assignee) == ("@mei", True)
    assert font.missing == ("deadline",)
    assert font.status is DecisionStatus.OPEN


def test_one_listing_per_kind_and_no_request_per_object(site):
    fake, config = site({WEB: checkout_repo()})
    pull_all(config)
    # milestones, blocked issues, decision issues, pulls: one page each; no /repos/acme/web,
    # no /issues/40, no /milestones/1 (lazy completion would add those).
    assert len(fake.requests) == 4
    assert fake.count("/milestones") == 1 and fake.count("/pulls") == 1
    assert fake.count("/issues") == 2
    assert all(r.query.get("per_page") == ["100"] for r in fake.requests)


def test_multi_page_listings_follow_link_headers(site):
    m1 = milestone(WEB, 1, "Big", open_issues=300)
    blocked = [
        issue(WEB, 1000 + n, f"Blocked {n}", labels=["blocked"], milestone=m1) for n in range(230)
    ]
    fake, config = site({WEB: Repo(milestones=[m1], issues=blocked)})
    (result,) = pull_all(config).values()
    (bet,) = result.bets
    assert len(bet.blockers) == 230
    assert fake.count("/issues") == 3 + 1  # blocked: 3 pages; decisions: 1
    assert len(fake.requests) == 1 + 3 + 1 + 1


def test_pull_request_listing_stops_at_the_start_of_the_week(site):
    m1 = milestone(WEB, 1, "Busy")
    recent = [
        pull(
            WEB,
            n,
            f"PR {n}",
            merged_at="2026-11-24T10:00:00Z",
            updated_at="2026-11-24T10:00:00Z",
            milestone=m1,
        )
        for n in range(1, 151)
    ]
    old = [
        pull(
            WEB,
            n,
            f"Old {n}",
            merged_at="2026-10-01T10:00:00Z",
            updated_at="2026-10-01T10:00:00Z",
            milestone=m1,
        )
        for n in range(200, 700)
    ]
    fake, config = site({WEB: Repo(milestones=[m1], pulls=recent + old)})
    (result,) = pull_all(config).values()
    assert len(result.bets[0].delivered) == 150
    assert fake.count("/pulls") == 2  # pages 1-2 reach last week's PRs; pages 3-7 never asked


def test_label_bets_take_progress_from_sub_issues_or_the_task_list(site):
    sub = issue(API, 10, "Rate limiter", labels=["bet"], assignees=["mei"], sub_issues=(5, 2))
    tasks = issue(
        API,
        11,
        "Docs site",
        labels=["bet"],
        body="- [x] outline\n- [x] draft\n- [ ] review\n- [ ] publish",
    )
    blocker = issue(API, 12, "Waiting on infra", labels=["blocked"])
    blocker["parent_issue_url"] = "https://api.github.com/repos/acme/api/issues/10"
    _, config = site({API: Repo(issues=[sub, tasks, blocker])}, bets="issues")
    (result,) = pull_all(config).values()
    bets = {b.key: b for b in result.bets}
    assert bets["api#10"].progress and (
        bets["api#10"].progress.done,
        bets["api#10"].progress.total,
    ) == (2, 5)
    assert bets["api#11"].progress and (
        bets["api#11"].progress.done,
        bets["api#11"].progress.total,
    ) == (2, 4)
    assert [b.key for b in bets["api#10"].blockers] == ["api#12"]
    assert bets["api#10"].owner == "@mei"


def test_primary_rate_limit_waits_until_reset_within_the_budget(site):
    fake, config = site({WEB: checkout_repo()})
    fake.rate_limit_next("/pulls", kind="primary", reset_in=30)
    sleeps = Sleeps()
    (result,) = pull_all(config, sleep=sleeps).values()
    assert result.status.state is SourceState.OK
    assert len(sleeps) == 1 and 25 <= sleeps[0] <= 31


def test_primary_rate_limit_past_the_budget_fails_with_the_reset_time(site):
    fake, config = site({WEB: checkout_repo()})
    fake.rate_limit_next("/milestones", kind="primary", reset_in=3600)
    sleeps = Sleeps()
    (result,) = pull_all(config, sleep=sleeps).values()
    assert sleeps == []
    assert result.status.state is SourceState.FAILED
    assert "rate limit is used up until" in (result.status.reason or "")
    assert "UTC" in (result.status.reason or "")


def test_secondary_rate_limit_honours_retry_after(site):
    fake, config = site({WEB: checkout_repo()})
    fake.rate_limit_next("/issues", kind="secondary", retry_after=12)
    sleeps = Sleeps()
    (result,) = pull_all(config, sleep=sleeps).values()
    assert sleeps == [12.0]
    assert result.status.state is SourceState.OK and len(result.decisions) == 2


def test_401_names_the_variable_and_never_the_token(site):
    _, config = site({WEB: checkout_repo()})
    (result,) = pull_all(config, env={"GITHUB_TOKEN": "wrong"}).values()
    assert result.status.reason == "GitHub answered 401 (bad credentials): check GITHUB_TOKEN"
    assert TOKEN not in str(result.status) and "wrong" not in str(result.status)


def test_one_repository_failing_does_not_sink_the_other(site):
    fake, config = site({WEB: checkout_repo(), API: Repo()})
    fake.fail_next("/repos/acme/api/milestones", 500, body='{"message":"Server Error"}')
    results = pull_all(config)
    assert results[f"GitHub ({WEB})"].status.state is SourceState.OK
    assert len(results[f"GitHub ({WEB})"].bets) == 3
    failed = results[f"GitHub ({API})"].status
    assert failed.state is SourceState.FAILED and "500" in (failed.reason or "")
    assert "not in your config; the next hourly run tries again" in (failed.reason or "")


def test_a_missing_repository_is_named(site, tmp_path):
    fake, _ = site({WEB: checkout_repo()})
    config = write_config(tmp_path, fake.url, [WEB, "acme/nope"])
    results = pull_all(config)
    reason = results["GitHub (acme/nope)"].status.reason or ""
    assert "404" in reason and "acme/nope" in reason


def test_github_enterprise_base_url(site):
    fake, config = site({WEB: checkout_repo()}, prefix="/api/v3")
    (result,) = pull_all(config).values()
    assert result.status.state is SourceState.OK
    assert all(r.path.startswith("/api/v3/") for r in fake.requests)


def test_an_unset_token_variable_is_a_config_error(site):
    fake, config = site({WEB: checkout_repo()})
    with pytest.raises(InputError, match="GITHUB_TOKEN is not set"):
        pull_all(config, env={})
    assert fake.requests == []


def test_a_pull_past_its_time_limit_gives_up(site):
    """report.pull_budget_seconds bounds GitHub as it bounds Jira: past the run's deadline,
    each repository fails at once, saying why, and no request goes out."""
    import time

    fake, config = site({WEB: checkout_repo(), API: checkout_repo()})
    ctx = PullContext(config, WEEK, NOW, ENV, sleep=Sleeps(), deadline=time.monotonic() - 1)
    results = pull_source(SOURCES["github"], ctx)
    assert [r.status.state for r in results] == [SourceState.FAILED, SourceState.FAILED]
    assert all(
        "time limit (report.pull_budget_seconds)" in (r.status.reason or "") for r in results
    )
    assert fake.requests == []
