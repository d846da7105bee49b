"""The Jira source: the real `jira` client against a local fake Jira (testing.fake_jira)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from testing import workspace as toml
from testing.clock import NOW, WEEK
from testing.fake_jira import CLOUD_FIELDS, FakeJira, blocked_by, field, issue, user
from weekly.config import Config, load_config
from weekly.errors import InputError
from weekly.model import Confidence, DecisionStatus, SourceState, Status
from weekly.pipeline import build_report, pull_source
from weekly.sources import SOURCES
from weekly.sources.context import PullContext

TOKEN = "s3cret-token-value"
ENV = {"JIRA_TOKEN": TOKEN}

SITE_FIELDS = [
    *CLOUD_FIELDS,
    field("customfield_10050", "Confidence", schema={"type": "option"}),
    field("customfield_10051", "Target end", schema={"type": "date"}),
    field("customfield_10052", "Health", schema={"type": "option"}),
    field("customfield_10060", "Approver", schema={"type": "user"}),
    field("customfield_10061", "Driver", schema={"type": "user"}),
]
FLAGGED = {"customfield_10021": [{"value": "Impediment", "id": "10019"}]}
MONDAY = "2026-11-23"


def epic(key: str, summary: str = "A bet", **kw) -> dict:
    custom = {"customfield_10050": {"value": "High"}, "customfield_10051": "2026-12-18"}
    custom.update(kw.pop("custom", {}))
    defaults = {"status": "In Progress", "category": "indeterminate", "assignee": "Ana Ruiz"}
    return issue(key, summary, issuetype="Epic", custom=custom, **{**defaults, **kw})


def child(key: str, parent: str, **kw) -> dict:
    return issue(key, f"Story {key}", parent=parent, **kw)


def write_config(
    tmp_path: Path, url: str, *, email: str | None = "pm@example.com", fields: str | None = None
) -> Config:
    toml.metrics_csv(tmp_path, "2026-11-24,a,1\n", name="m.csv")
    fields = fields or (
        'confidence = "Confidence"\ntarget_date = "Target end"\nhealth = "Health"\n'
        'approver = "Approver"\ndriver = "Driver"\n'
    )
    extra = f"retry_budget_seconds = 30\ntimeout_seconds = 5\n[sources.jira.fields]\n{fields}"
    path = toml.team_config(
        tmp_path, toml.jira(url, email=email, extra=extra), csv="m.csv", nsm="a"
    )
    return load_config(path)[0]


class Sleeps(list):
    """Records the waits the source asks for, instead of waiting."""

    def __call__(self, seconds: float) -> None:
        self.append(seconds)


def pull(config: Config, env=ENV, sleep=None):
    ctx = PullContext(config, WEEK, NOW, env, sleep=Sleeps() if sleep is None else sleep)
    return pull_jira(ctx)


def pull_jira(ctx: PullContext):
    """The Jira source's one result, pulled as the pipeline pulls it."""
    [result] = pull_source(SOURCES["jira"], ctx)
    return result


def failure(config: Config, env=ENV, sleep=None) -> str:
    """The reason the Jira source failed with; the page's banner shows it."""
    result = pull(config, env=env, sleep=sleep)
    assert result.status.state is SourceState.FAILED
    assert result.bets == () and result.decisions == ()
    return result.status.reason or ""


@pytest.fixture
def cloud(tmp_path):
    def start(issues, deployment="Cloud", **config_kw):
        email = "pm@example.com" if deployment == "Cloud" else None
        fake = FakeJira(issues, SITE_FIELDS, deployment=deployment, email=email, token=TOKEN)
        fake.start()
        started.append(fake)
        return fake, write_config(tmp_path, fake.url, email=email, **config_kw)

    started: list[FakeJira] = []
    yield start
    for fake in started:
        fake.stop()


def searches(fake: FakeJira) -> int:
    return fake.count("/search/jql") + fake.count("/search")


@pytest.mark.parametrize("deployment", ["Cloud", "Server"])
def test_paging_across_pages_with_one_request_per_page_and_none_per_issue(cloud, deployment):
    issues = [epic("PAY-1", "Payouts"), epic("PAY-2", "Checkout")]
    issues += [child(f"PAY-{n}", "PAY-1" if n % 2 else "PAY-2") for n in range(10, 260)]
    fake, config = cloud(issues, deployment)

    result = pull(config)

    bets = {b.key: b for b in result.bets}
    assert bets["PAY-1"].progress and bets["PAY-1"].progress.total == 125
    assert bets["PAY-2"].progress and bets["PAY-2"].progress.total == 125
    # serverInfo + field + bets (1 page) + children (250 -> 3 pages) + decisions (1 page).
    assert fake.count("/serverInfo") == 1 and fake.count("/field") == 1
    assert searches(fake) == 1 + 3 + 1
    assert len(fake.requests) == 2 + 5
    endpoint = "/search/jql" if deployment == "Cloud" else "/search"
    assert all(r.path.endswith(("/serverInfo", "/field", endpoint)) for r in fake.requests)
    host = fake.url.split("://")[1]
    assert result.status.name == f"Jira ({host})" and result.status.state is SourceState.OK


def test_request_count_does_not_grow_with_the_number_of_bets(cloud):
    issues = [epic(f"PAY-{n}") for n in range(1, 41)]
    issues += [child(f"PAY-{100 + n}", f"PAY-{1 + n % 40}") for n in range(80)]
    fake, config = cloud(issues)
    pull(config)
    assert searches(fake) == 1 + 1 + 1  # bets, children, decisions: no request per bet


def test_children_of_every_bet_are_counted_when_the_keys_take_two_queries(cloud):
    # 201 bets: the children query goes out in chunks of 100 keys; the 100th, 101st and
    # 201st bets sit at the chunks' edges.
    issues = [epic(f"PAY-{n}") for n in range(1, 202)]
    issues += [child(f"PAY-{1000 + n}", f"PAY-{n}") for n in (1, 100, 101, 200, 201)]
    _fake, config = cloud(issues)
    bets = {b.key: b for b in pull(config).bets}
    for key in ("PAY-1", "PAY-100", "PAY-101", "PAY-200", "PAY-201"):
        progress = bets[key].progress
        assert progress is not None and progress.total == 1, key
    assert bets["PAY-2"].progress is None or bets["PAY-2"].progress.total == 0


def test_only_the_fields_used_are_asked_for(cloud):
    fake, config = cloud([epic("PAY-1"), child("PAY-10", "PAY-1")])
    pull(config)
    asked = [r.query.get("fields", []) for r in fake.requests if r.path.endswith("/search/jql")]
    flat = {f for fields in asked for part in fields for f in part.split(",")}
    assert "*all" not in flat and "description" in flat  # decisions read their options
    assert {"summary", "status", "customfield_10050", "customfield_10051"} <= flat


def test_fields_are_resolved_by_display_name_and_an_unknown_name_lists_close_matches(cloud):
    _, config = cloud([epic("PAY-1")], fields='confidence = "Confidense"\n')
    with pytest.raises(InputError) as caught:
        pull(config)
    message = str(caught.value)
    assert "sources.jira.fields.confidence: no field named 'Confidense'" in message
    assert "'Confidence'" in message
    assert caught.value.exit_code == 2


def test_flagged_blocked_status_and_blocked_by_links_are_blockers(cloud):
    issues = [
        epic("PAY-1"),
        child(
            "PAY-10",
            "PAY-1",
            custom=FLAGGED,
            assignee="Tom Becker",
            changelog=[
                {
                    "created": "2026-11-18T09:00:00.000+0000",
                    "items": [{"field": "Flagged", "toString": "Impediment"}],
                }
            ],
        ),
        child(
            "PAY-11",
            "PAY-1",
            status="Blocked",
            category="indeterminate",
            updated="2026-11-20T09:00:00.000+0000",
        ),
        child("PAY-12", "PAY-1", links=[blocked_by("OPS-5")]),
        child("PAY-13", "PAY-1", links=[blocked_by("OPS-6", category="done")]),
        child("PAY-14", "PAY-1", custom=FLAGGED, status="Done", category="done"),
        child("PAY-15", "PAY-1"),
    ]
    fake, config = cloud(issues)
    (bet,) = pull(config).bets
    blockers = {b.key: b for b in bet.blockers}
    assert set(blockers) == {"PAY-10", "PAY-11", "PAY-12"}
    assert blockers["PAY-10"].days_blocked(NOW.date()) == 9  # from the flag's changelog date
    assert blockers["PAY-10"].owner == "Tom Becker"
    assert blockers["PAY-11"].blocked_since == dt.date(2026, 11, 20)  # last update, no changelog
    assert blockers["PAY-10"].url == f"{fake.url}/browse/PAY-10"
    assert bet.status is Status.ON_TRACK or bet.status is Status.AT_RISK


def test_team_managed_parent_and_company_managed_epic_link_children(cloud):
    issues = [
        epic("PAY-1"),
        child("PAY-10", "PAY-1", status="Done", category="done"),
        issue("PAY-11", "Old-style child", custom={"customfield_10014": "PAY-1"}),
        issue("PAY-12", "Another", custom={"customfield_10014": "PAY-1"}),
    ]
    fake, config = cloud(issues)
    (bet,) = pull(config).bets
    assert bet.progress and (bet.progress.done, bet.progress.total) == (1, 3)
    children_query = [
        r.query["jql"][0] for r in fake.requests if "parent in" in r.query.get("jql", [""])[0]
    ]
    assert children_query and '"Epic Link" in (PAY-1)' in children_query[0]


def test_health_field_wins_else_status_is_derived(cloud):
    issues = [
        epic("PAY-1", custom={"customfield_10052": {"value": "At risk"}}),
        epic("PAY-2", custom={"customfield_10051": "2026-11-20"}),  # target passed
        epic("PAY-3"),
        child("PAY-30", "PAY-3", status="Blocked", category="indeterminate"),
        epic("PAY-4"),
        epic("PAY-5", status="Done", category="done", resolved="2026-11-24T10:00:00.000+0000"),
    ]
    _, config = cloud(issues)
    statuses = {b.key: b.status for b in pull(config).bets}
    assert statuses == {
        "PAY-1": Status.AT_RISK,
        "PAY-2": Status.OFF_TRACK,
        "PAY-3": Status.AT_RISK,
        "PAY-4": Status.ON_TRACK,
        "PAY-5": Status.DONE,
    }


def test_target_date_moved_this_week_is_a_slip_and_resolved_children_are_delivered(cloud):
    moved = [
        {
            "created": "2026-11-25T10:00:00.000+0000",
            "items": [
                {
                    "field": "Target end",
                    "from": "2026-12-04",
                    "fromString": "4/Dec/26",
                    "to": "2026-12-18",
                    "toString": "18/Dec/26",
                }
            ],
        }
    ]
    issues = [
        epic("PAY-1", changelog=moved),
        child(
            "PAY-10",
            "PAY-1",
            status="Done",
            category="done",
            resolved="2026-11-24T15:00:00.000+0000",
        ),
        child(
            "PAY-11",
            "PAY-1",
            status="Done",
            category="done",
            resolved="2026-11-10T15:00:00.000+0000",
        ),
    ]
    _, config = cloud(issues)
    (bet,) = pull(config).bets
    assert bet.slip is not None
    assert (bet.slip.previous_date, bet.slip.new_date) == (
        dt.date(2026, 12, 4),
        dt.date(2026, 12, 18),
    )
    assert bet.confidence is Confidence.HIGH and bet.target_date == dt.date(2026, 12, 18)
    assert [d.key for d in bet.delivered] == ["PAY-10"]


def test_decisions_with_approver_field_or_assignee_and_missing_deadline(cloud):
    issues = [
        epic("PAY-1"),
        issue(
            "PAY-20",
            "Pick the fallback PSP",
            labels=["decision-needed"],
            duedate="2026-12-02",
            reporter="Ana Ruiz",
            description="Options:\n* Wait for the bank\n* Switch now",
            custom={"customfield_10060": user("Dana Schulz")},
        ),
        issue(
            "PAY-21", "Roll out to all traffic", labels=["decision-needed"], assignee="Jonas Weber"
        ),
        issue(
            "PAY-22",
            "Already decided",
            labels=["decision-needed"],
            status="Done",
            category="done",
            resolved="2026-11-24T09:00:00.000+0000",
        ),
        issue("PAY-23", "Not a decision"),
    ]
    _, config = cloud(issues)
    decisions = {d.key: d for d in pull(config).decisions}
    assert set(decisions) == {"PAY-20", "PAY-21", "PAY-22"}
    first = decisions["PAY-20"]
    assert (first.approver, first.approver_is_assignee, first.driver) == (
        "Dana Schulz",
        False,
        "Ana Ruiz",
    )
    assert first.options == ("Wait for the bank", "Switch now") and first.missing == ()
    second = decisions["PAY-21"]
    assert (second.approver, second.approver_is_assignee) == ("Jonas Weber", True)
    assert second.missing == ("deadline",)
    assert decisions["PAY-22"].status is DecisionStatus.DECIDED
    assert decisions["PAY-22"].decided_on == dt.date(2026, 11, 24)  # its resolution date


def test_429_is_retried_after_its_retry_after(cloud):
    fake, config = cloud([epic("PAY-1")])
    fake.fail_next(
        "/search/jql",
        429,
        headers={"Retry-After": "7"},
        body="<html>Oops</html>",
        content_type="text/html",
    )
    sleeps = Sleeps()
    result = pull(config, sleep=sleeps)
    assert sleeps == [7.0]
    assert [b.key for b in result.bets] == ["PAY-1"]


def test_waiting_past_the_retry_budget_fails_the_source_without_waiting(cloud):
    fake, config = cloud([epic("PAY-1")])  # budget: 30 s
    fake.fail_next("/search/jql", 503, headers={"Retry-After": "20"}, times=2)
    sleeps = Sleeps()
    reason = failure(config, sleep=sleeps)
    assert sleeps == [20.0]
    assert "past the retry budget" in reason


def test_401_names_the_variable_to_check_and_never_the_token(cloud):
    _, config = cloud([epic("PAY-1")])
    message = failure(config, env={"JIRA_TOKEN": "wrong"})
    assert (
        message == "Jira answered 401 (not authenticated): check JIRA_TOKEN and sources.jira.email"
    )
    assert TOKEN not in message and "wrong" not in message


def test_a_token_with_a_line_break_around_it_works_and_the_user_is_told(cloud, capsys):
    from weekly import scrub

    scrub._TOLD.discard("JIRA_TOKEN")
    _fake, config = cloud([epic("PAY-1")])
    result = pull(config, env={"JIRA_TOKEN": f"  {TOKEN}\n"})
    assert result.status.state is SourceState.OK
    err = capsys.readouterr().err
    assert "JIRA_TOKEN has spaces or a line break around its value" in err
    assert TOKEN not in err


def test_server_with_a_personal_access_token(cloud):
    _, config = cloud([epic("PAY-1")], deployment="Server")
    assert [b.key for b in pull(config).bets] == ["PAY-1"]
    assert failure(config, env={"JIRA_TOKEN": "wrong"}).endswith("check JIRA_TOKEN")


def test_an_unset_token_variable_is_a_config_error(cloud):
    fake, config = cloud([epic("PAY-1")])
    with pytest.raises(InputError, match="JIRA_TOKEN is not set"):
        pull(config, env={})
    assert fake.requests == []


def test_500_marks_the_source_failed(cloud):
    fake, config = cloud([epic("PAY-1")])
    fake.fail_next("/search/jql", 500, body='{"errorMessages":["Internal server error"]}')
    reason = failure(config)
    assert reason.startswith("Jira answered 500 (server error)")
    assert "the next hourly run tries again" in reason


def test_a_site_that_is_down_fails_the_source_and_the_page_shows_a_banner(cloud, tmp_path):
    fake, config = cloud([epic("PAY-1")])
    fake.stop()  # nothing listens there any more
    report = build_report(config, NOW, ENV, WEEK)
    (jira_status,) = [s for s in report.sources if s.name.startswith("Jira")]
    assert jira_status.state is SourceState.FAILED
    assert f"cannot reach Jira at {fake.url}" in (jira_status.reason or "")
    assert report.bets == () and report.failed_sources == (jira_status,)

    from weekly.render.fit import full_view
    from weekly.render.html import render_html

    html = render_html(full_view(report, "A4"))
    assert 'class="banner"' in html and "cannot reach Jira" in html


@pytest.mark.parametrize(
    ("body", "content_type", "expected"),
    [
        ("<html><body>Proxy error</body></html>", "text/html", "not JSON"),
        ('{"issues": [{"key": "PAY-1", "fie', "application/json", "not JSON"),
        ("", "application/json", "no list of issues"),
    ],
    ids=["html-page", "truncated-json", "empty-body"],
)
def test_a_search_answer_that_is_not_jira_json_fails_the_source(
    cloud, body, content_type, expected
):
    fake, config = cloud([epic("PAY-1")])
    fake.fail_next("/search/jql", 200, body=body, content_type=content_type)
    assert expected in failure(config)


def test_a_server_that_accepts_and_never_answers_fails_the_source_in_bounded_time(tmp_path):
    import socket
    import threading

    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen()
    held: list[socket.socket] = []
    stop = threading.Event()

    def accept_and_stay_silent() -> None:
        listener.settimeout(0.05)
        while not stop.is_set():
            try:
                held.append(listener.accept()[0])
            except TimeoutError:
                continue

    thread = threading.Thread(target=accept_and_stay_silent, daemon=True)
    thread.start()
    try:
        url = f"http://127.0.0.1:{listener.getsockname()[1]}"
        config = write_config(tmp_path, url)
        section = config.sources.jira.model_copy(update={"timeout_seconds": 0.5})
        config = config.model_copy(
            update={"sources": config.sources.model_copy(update={"jira": section})}
        )
        reason = failure(config)
        assert "did not answer within" in reason
    finally:
        stop.set()
        thread.join()
        for connection in held:
            connection.close()
        listener.close()


def test_a_pull_past_its_time_limit_gives_up(cloud):
    import time

    fake, config = cloud([epic("PAY-1")])
    ctx = PullContext(config, WEEK, NOW, ENV, sleep=Sleeps(), deadline=time.monotonic() - 1)
    result = pull_jira(ctx)
    assert result.status.state is SourceState.FAILED
    assert "time limit (report.pull_budget_seconds)" in (result.status.reason or "")
    assert fake.requests == []


def test_each_page_is_reported_for_the_progress_display(cloud):
    issues = [epic("PAY-1")] + [child(f"PAY-{n}", "PAY-1") for n in range(10, 260)]
    _, config = cloud(issues)
    seen: list[tuple[str, int, int]] = []
    ctx = PullContext(
        config, WEEK, NOW, ENV, sleep=Sleeps(), progress=lambda *call: seen.append(call)
    )
    pull_jira(ctx)
    assert [pages for _, _, pages in seen] == [1, 2, 3, 4, 5]  # bets, children x3, decisions
    assert seen[-1] == ("Jira", 251, 5)
