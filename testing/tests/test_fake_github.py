"""The fake GitHub, exercised through the real PyGithub client.

Shapes are checked against PyGithub's recordings of real GitHub responses in
testing/tests/data/github (see SOURCES.md there).
"""

from __future__ import annotations

import json
import re
import time
from datetime import UTC, datetime
from pathlib import Path

import github
import pytest
import requests
from github import Auth, Github

from testing.fake_github import (
    FakeGitHub,
    RecordedRequest,
    Repo,
    issue,
    label,
    milestone,
    pull,
    pull_issue,
    user,
)

DATA = Path(__file__).parent / "data" / "github"
TOKEN = "tok"
NOW = 1_795_791_600  # 2026-11-27T09:00:00Z, the fake's "now" for rate-limit resets
R = "acme/payments"


def recorded(name: str) -> object:
    return json.loads((DATA / name).read_text())


def client(fake: FakeGitHub, token: str = TOKEN) -> Github:
    return Github(
        auth=Auth.Token(token),
        base_url=fake.url,
        per_page=100,
        retry=None,
        seconds_between_requests=None,
        seconds_between_writes=None,
    )


def when(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


Q4 = milestone(
    R,
    1,
    "Q4 checkout",
    due_on="2026-12-18T08:00:00Z",
    open_issues=3,
    closed_issues=1,
    description="Ship the new checkout",
)
Q3 = milestone(R, 2, "Q3 cleanup", state="closed", due_on="2026-09-30T08:00:00Z", closed_issues=4)
SOMEDAY = milestone(R, 3, "Someday")  # no due date
BETA = milestone(R, 4, "Beta", due_on="2026-11-30T08:00:00Z", open_issues=1, closed_issues=1)

MERGED = pull(
    R,
    40,
    "Apple Pay button",
    merged_at="2026-11-19T16:00:00Z",
    milestone=Q4,
    author="ana",
    created_at="2026-11-12T09:00:00Z",
    updated_at="2026-11-19T16:00:00Z",
)
OPEN_PR = pull(
    R,
    41,
    "Retry payouts",
    state="open",
    author="tom",
    created_at="2026-11-14T09:00:00Z",
    updated_at="2026-11-25T10:00:00Z",
)
ABANDONED = pull(
    R, 42, "Spike", created_at="2026-11-16T09:00:00Z", updated_at="2026-11-17T10:00:00Z"
)
ISSUES = [
    issue(
        R,
        10,
        "Checkout redesign",
        labels=["bet", "ui"],
        assignees=["ana", "tom"],
        milestone=Q4,
        body="Replace the old checkout.",
        sub_issues=(5, 2),
        created_at="2026-11-02T09:00:00Z",
        updated_at="2026-11-24T09:00:00Z",
    ),
    issue(
        R,
        11,
        "PSP outage",
        labels=["blocker"],
        assignees=["tom"],
        created_at="2026-11-03T09:00:00Z",
        updated_at="2026-11-26T09:00:00Z",
    ),
    issue(
        R,
        12,
        "Old UI bug",
        state="closed",
        labels=["UI", "bug"],
        milestone=Q3,
        created_at="2026-09-01T09:00:00Z",
        updated_at="2026-09-20T09:00:00Z",
    ),
    issue(
        R,
        13,
        "Pick a vendor",
        labels=["decision"],
        created_at="2026-11-04T09:00:00Z",
        updated_at="2026-11-10T09:00:00Z",
    ),
    pull_issue(MERGED),
    pull_issue(OPEN_PR),
    pull_issue(ABANDONED),
]
SMALL = {
    R: Repo(milestones=[Q4, Q3, SOMEDAY, BETA], issues=ISSUES, pulls=[MERGED, OPEN_PR, ABANDONED])
}
# 250 issues, created one hour apart, so /issues (created desc) lists them 250..1.
BIG = {
    "acme/big": Repo(
        issues=[
            issue(
                "acme/big",
                n,
                f"Work item {n}",
                created_at=f"2026-11-{1 + n // 24:02d}T{n % 24:02d}:00:00Z",
            )
            for n in range(1, 251)
        ]
    )
}


@pytest.fixture(scope="module")
def fake():
    with FakeGitHub(SMALL, token=TOKEN, now=NOW) as fake:
        yield fake


@pytest.fixture(scope="module")
def repo(fake):
    return client(fake).get_repo(R)


def numbers(items) -> list[int]:
    return [each.number for each in items]


# --- shapes -------------------------------------------------------------------------------------


def test_builders_have_the_recorded_shapes():
    real = recorded("issue_PyGithub_28.json")
    built = ISSUES[0]
    assert set(built) == set(real)
    for key in ("sub_issues_summary", "issue_dependencies_summary", "reactions", "milestone"):
        assert set(built[key]) == set(real[key]), key
    assert set(built["user"]) == set(real["user"]) == set(user("x"))
    assert set(built["labels"][0]) == set(real["labels"][0]) == set(label("x"))
    assert set(built["milestone"]["creator"]) == set(real["milestone"]["creator"])
    assert built["sub_issues_summary"] == {"total": 5, "completed": 2, "percent_completed": 40}

    real_milestone = recorded("milestone_PyGithub_1.json")
    assert list(Q4) == list(real_milestone)  # same keys, same order
    assert Q3["closed_at"] == Q3["updated_at"] and Q4["closed_at"] is None

    (real_pull,) = recorded("pulls_rsn491_PyGithub.json")
    # The 2020 recording predates draft, auto_merge and active_lock_reason on list items.
    assert set(MERGED) - set(real_pull) == {"draft", "auto_merge", "active_lock_reason"}
    assert set(real_pull) <= set(MERGED)
    assert set(MERGED["head"]) == set(real_pull["head"])
    assert set(MERGED["_links"]) == set(real_pull["_links"])
    assert MERGED["closed_at"] == MERGED["merged_at"]


def test_pull_issue_is_the_issue_github_lists_for_a_pull_request():
    item = pull_issue(MERGED)
    assert set(item) == set(ISSUES[0]) | {"draft", "pull_request"}
    assert item["pull_request"] == {
        "url": "https://api.github.com/repos/acme/payments/pulls/40",
        "html_url": "https://github.com/acme/payments/pull/40",
        "diff_url": "https://github.com/acme/payments/pull/40.diff",
        "patch_url": "https://github.com/acme/payments/pull/40.patch",
        "merged_at": "2026-11-19T16:00:00Z",
    }
    assert item["html_url"] == "https://github.com/acme/payments/pull/40"
    assert (item["number"], item["state"], item["milestone"]) == (40, "closed", Q4)
    with pytest.raises(ValueError, match="merged_at"):
        pull(R, 1, "x", state="open", merged_at="2026-11-19T16:00:00Z")


def test_repository_and_rate_limit_are_served_in_the_recorded_shapes(fake, repo):
    raw = requests.get(f"{fake.url}/repos/{R}", headers={"Authorization": f"token {TOKEN}"})
    real = recorded("repository_PyGithub.json")
    assert list(raw.json()) == list(real)
    assert set(raw.json()["owner"]) == set(real["owner"])
    # API URLs name the fake; pages on github.com stay as they are.
    assert repo.url == f"{fake.url}/repos/{R}"
    assert repo.issues_url == f"{fake.url}/repos/{R}/issues{{/number}}"
    assert repo.html_url == f"https://github.com/{R}"
    assert repo.full_name == R and repo.open_issues_count == 4  # open pull requests count too

    limits = requests.get(f"{fake.url}/rate_limit", headers={"Authorization": f"Bearer {TOKEN}"})
    real_limits = recorded("rate_limit.json")
    assert set(limits.json()) == set(real_limits)
    assert set(limits.json()["resources"]) == set(real_limits["resources"])
    core = client(fake).get_rate_limit().resources.core
    assert core.limit == 5000 and 0 < core.remaining < 5000
    assert core.reset == datetime.fromtimestamp(NOW + 3600, UTC)


def test_every_answer_carries_rate_limit_headers_and_json_content_type(fake):
    for path, status in (("/user", 200), ("/repos/acme/nope", 404), ("/nope", 404)):
        answer = requests.get(fake.url + path, headers={"Authorization": f"token {TOKEN}"})
        assert answer.status_code == status
        assert answer.headers["Content-Type"] == "application/json; charset=utf-8"
        assert answer.headers["X-RateLimit-Limit"] == "5000"
        assert answer.headers["X-RateLimit-Resource"] == "core"
        assert answer.headers["X-RateLimit-Reset"] == str(NOW + 3600)
        used = int(answer.headers["X-RateLimit-Used"])
        assert int(answer.headers["X-RateLimit-Remaining"]) == 5000 - used
    assert client(fake).get_user().login == "octocat"


# --- paging -------------------------------------------------------------------------------------


def test_250_issues_come_in_three_pages_by_following_link_headers():
    with FakeGitHub(BIG, token=TOKEN) as fake:
        issues = list(client(fake).get_repo("acme/big").get_issues(state="all"))
        assert numbers(issues) == list(range(250, 0, -1))
        assert fake.count("/issues") == 3
        pages = [r.query for r in fake.requests if r.path.endswith("/issues")]
        assert [q.get("page", ["1"]) for q in pages] == [["1"], ["2"], ["3"]]
        assert all(q["per_page"] == ["100"] and q["state"] == ["all"] for q in pages)


def test_link_headers_look_like_githubs_and_stay_on_the_fakes_origin():
    part = re.compile(r'<(?P<url>[^>]+)>; rel="(?P<rel>\w+)"')

    def parts(link: str) -> list[tuple[str, str]]:
        pieces = [part.fullmatch(each) for each in link.split(", ")]  # PyGithub splits so
        assert all(pieces), link
        return [(m["rel"], m["url"]) for m in pieces if m]

    for real in recorded("link_headers_custom_per_page.json"):
        parts(real)  # the recorded headers parse with the same rule
    with FakeGitHub(BIG, prefix="/api/v3") as fake:
        base = f"{fake.url}/repos/acme/big/issues"
        middle = requests.get(f"{base}?state=all&per_page=100&page=2").headers["Link"]
        assert parts(middle) == [
            ("prev", f"{base}?state=all&per_page=100&page=1"),
            ("next", f"{base}?state=all&per_page=100&page=3"),
            ("last", f"{base}?state=all&per_page=100&page=3"),
            ("first", f"{base}?state=all&per_page=100&page=1"),
        ]
        since = "since=2026-11-01T00%3A00%3A00Z"
        first = requests.get(f"{base}?{since}&per_page=1").headers["Link"]
        assert parts(first) == [
            ("next", f"{base}?{since}&per_page=1&page=2"),
            ("last", f"{base}?{since}&per_page=1&page=250"),
        ]
        last = requests.get(f"{base}?page=9")  # 30 a page by default: 9 is the last
        assert len(last.json()) == 250 - 8 * 30
        assert [rel for rel, _ in parts(last.headers["Link"])] == ["prev", "first"]
        assert len(requests.get(f"{base}?per_page=1000").json()) == 100  # capped
        assert "Link" not in requests.get(f"{fake.url}/repos/acme/big/milestones").headers


def test_enterprise_prefix():
    with FakeGitHub(BIG, token=TOKEN, prefix="/api/v3") as fake:
        assert fake.url.endswith("/api/v3")
        issues = list(client(fake).get_repo("acme/big").get_issues())
        assert len(issues) == 250
        assert all(r.path.startswith("/api/v3/repos/acme/big") for r in fake.requests)
        assert fake.count("/api/v3/repos/acme/big/issues") == 3
        outside = requests.get(
            fake.url.removesuffix("/api/v3") + "/repos/acme/big",
            headers={"Authorization": f"token {TOKEN}"},
        )
        assert outside.status_code == 404


# --- filters and order --------------------------------------------------------------------------


def test_issues_list_includes_pull_requests_newest_first(repo):
    issues = list(repo.get_issues())  # open by default
    assert numbers(issues) == [41, 13, 11, 10]
    assert issues[0].pull_request.html_url == "https://github.com/acme/payments/pull/41"
    everything = list(repo.get_issues(state="all"))
    assert numbers(everything) == [42, 41, 40, 13, 11, 10, 12]
    merged = next(i for i in everything if i.number == 40)
    assert merged.pull_request.merged_at == when("2026-11-19T16:00:00")
    assert [i.number for i in everything if "pull_request" in i._rawData] == [42, 41, 40]


@pytest.mark.parametrize(
    ("arguments", "expected"),
    [
        ({"labels": ["ui"], "state": "all"}, [10, 12]),  # label names match case-insensitively
        ({"labels": ["ui", "bug"], "state": "all"}, [12]),  # every label must be there
        ({"labels": ["bet", "nope"]}, []),
        ({"milestone": "*", "state": "all"}, [40, 10, 12]),
        ({"milestone": "none"}, [41, 13, 11]),
        ({"assignee": "tom"}, [11, 10]),
        ({"assignee": "none"}, [41, 13]),
        ({"creator": "ana", "state": "all"}, [40]),
        ({"since": when("2026-11-24T09:00:00")}, [41, 11, 10]),
        ({"sort": "updated", "direction": "asc"}, [13, 10, 41, 11]),
        ({"direction": "asc", "state": "closed"}, [12, 40, 42]),
    ],
)
def test_issue_filters_and_sorting(repo, arguments, expected):
    assert numbers(repo.get_issues(**arguments)) == expected


def test_issues_of_one_milestone(repo):
    q4 = next(m for m in repo.get_milestones() if m.number == 1)
    assert numbers(repo.get_issues(milestone=q4, state="all")) == [40, 10]


def test_milestones_by_state_sort_and_direction(repo):
    assert numbers(repo.get_milestones()) == [4, 1, 3]  # open, due soonest first, undated last
    assert numbers(repo.get_milestones(state="all")) == [2, 4, 1, 3]
    assert numbers(repo.get_milestones(state="closed")) == [2]
    assert numbers(repo.get_milestones(state="all", direction="desc")) == [3, 1, 4, 2]
    by_completeness = repo.get_milestones(state="all", sort="completeness", direction="desc")
    assert numbers(by_completeness) == [2, 4, 1, 3]


def test_pulls_by_state_sort_and_direction(repo):
    assert numbers(repo.get_pulls()) == [41]
    assert numbers(repo.get_pulls(state="all")) == [42, 41, 40]  # created, newest first
    assert numbers(repo.get_pulls(state="all", sort="updated", direction="desc")) == [41, 40, 42]
    # GitHub's default direction is asc for any sort but created.
    assert numbers(repo.get_pulls(state="all", sort="updated")) == [42, 40, 41]
    assert numbers(repo.get_pulls(state="closed", base="main")) == [42, 40]
    assert numbers(repo.get_pulls(state="all", base="release")) == []


def test_unknown_values_are_refused_like_github(fake, repo):
    with pytest.raises(github.GithubException) as caught:
        list(repo.get_issues(state="bogus"))
    assert caught.value.status == 422
    answer = requests.get(
        f"{fake.url}/repos/{R}/issues?since=yesterday", headers={"Authorization": f"token {TOKEN}"}
    )
    assert answer.status_code == 422 and answer.json()["message"] == "Validation Failed"


# --- reading listed objects ---------------------------------------------------------------------


def test_reading_listed_objects_makes_no_further_request(fake, repo):
    milestones = list(repo.get_milestones(state="all"))
    issues = list(repo.get_issues(state="all"))
    pulls = list(repo.get_pulls(state="all"))
    before = len(fake.requests)
    for m in milestones:
        _ = (m.number, m.title, m.state, m.due_on, m.open_issues, m.closed_issues)
        _ = (m.creator.login, m.html_url, m.closed_at, m.updated_at)
    for i in issues:
        _ = (i.number, i.title, i.state, [x.name for x in i.labels], i.user.login)
        with pytest.deprecated_call():  # PyGithub 2.x: "Use assignees instead"
            _ = i.assignee
        _ = ([a.login for a in i.assignees], i.body, i.created_at, i.updated_at, i.closed_at)
        _ = (i.html_url, i.milestone and (i.milestone.number, i.milestone.title))
        _ = i.milestone and i.milestone.due_on
        if "pull_request" in i._rawData:  # see the next test for plain issues
            _ = i.pull_request
    for p in pulls:
        _ = (p.number, p.title, p.merged_at, p.milestone and p.milestone.number, p.user.login)
        _ = (p.html_url, p.updated_at)
    assert fake.requests[before:] == []
    q4 = next(m for m in milestones if m.number == 1)
    assert (q4.due_on, q4.creator.login, q4.closed_at) == (
        when("2026-12-18T08:00:00"),
        "octocat",
        None,
    )
    redesign = next(i for i in issues if i.number == 10)
    assert [a.login for a in redesign.assignees] == ["ana", "tom"]
    assert redesign.milestone.title == "Q4 checkout"
    assert next(p for p in pulls if p.number == 40).merged_at == when("2026-11-19T16:00:00")


def test_pull_request_of_a_plain_issue_costs_a_request(fake, repo):
    """Plain issues have no "pull_request" key, so PyGithub fetches the issue to look for one
    (the fake does not serve single issues: 404). Read `issue._rawData` instead."""
    plain = next(i for i in repo.get_issues() if i.number == 13)
    assert plain._rawData.get("pull_request") is None
    before = fake.count("/issues/13")
    with pytest.raises(github.UnknownObjectException):
        _ = plain.pull_request
    assert fake.count("/issues/13") == before + 1
    with pytest.raises(github.UnknownObjectException):
        _ = plain.raw_data  # completes the object too


# --- errors and faults --------------------------------------------------------------------------


def test_wrong_token_gets_bad_credentials(fake):
    with pytest.raises(github.BadCredentialsException) as caught:
        client(fake, token="wrong").get_repo(R)
    assert caught.value.status == 401
    assert caught.value.data == {
        "message": "Bad credentials",
        "documentation_url": "https://docs.github.com/rest",
        "status": "401",
    }
    assert requests.get(f"{fake.url}/user").status_code == 401  # no token at all


def test_unknown_repository_is_not_found(fake):
    with pytest.raises(github.UnknownObjectException) as caught:
        client(fake).get_repo("acme/nope")
    assert caught.value.data["message"] == "Not Found"


def test_primary_rate_limit(fake, repo):
    fake.rate_limit_next("/issues", kind="primary", reset_in=120)
    with pytest.raises(github.RateLimitExceededException) as caught:
        list(repo.get_issues())
    error = caught.value
    assert error.status == 403
    assert error.data["message"] == "API rate limit exceeded for user ID 1."
    assert error.headers["x-ratelimit-remaining"] == "0"  # PyGithub lower-cases header names
    assert error.headers["x-ratelimit-reset"] == str(NOW + 120)
    assert numbers(repo.get_issues()) == [41, 13, 11, 10]  # one refusal only


def test_secondary_rate_limit_with_retry_after(fake, repo):
    fake.rate_limit_next("/pulls", kind="secondary", retry_after=30)
    with pytest.raises(github.RateLimitExceededException) as caught:
        list(repo.get_pulls())
    error = caught.value
    assert error.data["message"].startswith("You have exceeded a secondary rate limit")
    assert error.headers["retry-after"] == "30"
    assert int(error.headers["x-ratelimit-remaining"]) > 0


def test_429_is_a_plain_github_exception(fake, repo):
    fake.rate_limit_next("/milestones", kind="secondary", status=429)
    fake.fail_next("/milestones", 429, body='{"message": "Too many requests"}')
    for _ in range(2):
        with pytest.raises(github.GithubException) as caught:
            list(repo.get_milestones())
        assert caught.value.status == 429
        assert not isinstance(caught.value, github.RateLimitExceededException)
    assert numbers(repo.get_milestones()) == [4, 1, 3]


def test_faults_come_first_in_order_and_are_recorded():
    with FakeGitHub(SMALL, token=TOKEN) as fake:
        fake.fail_next(
            "/repos/acme/payments",
            503,
            body="<html><body><h1>503 Service Unavailable</h1></body></html>",
            content_type="text/html",
            headers={"X-RateLimit-Remaining": "17"},
            times=2,
        )
        fake.fail_next("/repos/acme/payments", 502, body='{"message": "Server Error"}')
        statuses = []
        for _ in range(4):
            answer = requests.get(f"{fake.url}/repos/acme/payments")  # no token
            statuses.append(answer.status_code)
            if answer.status_code == 503:
                assert answer.headers["Content-Type"] == "text/html"
                assert answer.headers["X-RateLimit-Remaining"] == "17"
        assert statuses == [503, 503, 502, 401]
        assert fake.requests == [RecordedRequest("GET", "/repos/acme/payments", {})] * 4
        assert fake.count("/repos/acme/payments") == 4 and fake.count("/issues") == 0


def test_request_log_keeps_paths_and_queries(fake, repo):
    list(repo.get_issues(labels=["bet", "ui"], state="all"))
    last = fake.requests[-1]
    assert (last.method, last.path) == ("GET", "/repos/acme/payments/issues")
    assert last.query == {"labels": ["bet,ui"], "state": ["all"], "per_page": ["100"]}


def test_latency_delays_each_answer_and_stop_closes_the_port():
    with FakeGitHub({}, latency=0.05) as fake:
        started = time.perf_counter()
        requests.get(f"{fake.url}/user", timeout=5)
        assert time.perf_counter() - started >= 0.05
    with pytest.raises(requests.ConnectionError):
        requests.get(f"{fake.url}/user", timeout=5)
