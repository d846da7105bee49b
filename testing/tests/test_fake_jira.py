"""The fake Jira, exercised through the real `jira` client, and its JQL evaluator.

Shapes are checked against recordings of real Jira responses in testing/tests/data/jira
(see SOURCES.md).
"""

from __future__ import annotations

import json
import time
from pathlib import Path

import pytest
import requests
from jira import JIRA
from jira.exceptions import JIRAError

from testing.fake_jira import (
    CLOUD_FIELDS,
    FakeJira,
    RecordedRequest,
    blocked_by,
    field,
    issue,
    user,
)
from testing.jira_jql import JqlError, matches

DATA = Path(__file__).parent / "data" / "jira"
EMAIL, TOKEN = "pm@example.com", "tok"
CLOUD_429_PAGE = (DATA / "cloud_429.html").read_text()


def reference(name: str) -> dict:
    return json.loads((DATA / name).read_text())


def cloud_client(fake: FakeJira, token: str = TOKEN, email: str = EMAIL) -> JIRA:
    return JIRA(server=fake.url, basic_auth=(email, token), max_retries=0)


def search_jql(client: JIRA, jql: str, **kw) -> dict:
    kw.setdefault("maxResults", 100)
    kw.setdefault("fields", ["summary"])
    return client.enhanced_search_issues(jql, json_result=True, **kw)


def keys(page: dict) -> list[str]:
    return [i["key"] for i in page["issues"]]


# 250 issues in two projects, given in reverse so the fake's ordering is what the test sees.
MANY = [issue(f"PAY-{n}", f"Payment work {n}") for n in range(130, 0, -1)] + [
    issue(f"OPS-{n}", f"Ops work {n}") for n in range(120, 0, -1)
]
MANY_IN_ORDER = [f"OPS-{n}" for n in range(1, 121)] + [f"PAY-{n}" for n in range(1, 131)]

EPIC_LINK, FLAGGED, POINTS = "customfield_10014", "customfield_10021", "customfield_10016"
IMPEDIMENT = [
    {"self": "x/rest/api/2/customFieldOption/10019", "value": "Impediment", "id": "10019"}
]
SMALL = [
    issue(
        "OPS-4", "Rotate PSP keys", issuetype="Task", status="In Progress", category="indeterminate"
    ),
    issue(
        "PAY-11",
        "Retry failed payouts",
        status="Done",
        category="done",
        resolved="2026-11-22T23:59:00.000+0000",
        custom={EPIC_LINK: "PAY-1"},
    ),
    issue(
        "PAY-10",
        "Apple Pay button",
        parent="PAY-1",
        links=[blocked_by("OPS-4", category="indeterminate")],
        custom={FLAGGED: IMPEDIMENT, POINTS: 5.0},
    ),
    issue(
        "PAY-3",
        "One-page checkout",
        status="Done",
        category="done",
        resolved="2026-11-25T10:00:00.000+0000",
        parent="PAY-1",
        custom={EPIC_LINK: "PAY-1", POINTS: 2.0},
        changelog=[
            {
                "created": "2026-11-25T10:00:00.000+0000",
                "author": user("Ana Ruiz"),
                "items": [
                    {
                        "field": "status",
                        "fieldtype": "jira",
                        "from": "3",
                        "fromString": "In Progress",
                        "to": "10001",
                        "toString": "Done",
                    }
                ],
            }
        ],
    ),
    issue(
        "PAY-2",
        "Choose a second PSP",
        issuetype="Decision",
        status="Blocked",
        category="indeterminate",
        labels=["decision-needed"],
        duedate="2026-12-02",
    ),
    issue(
        "PAY-1",
        "Checkout revamp",
        issuetype="Epic",
        status="In Progress",
        category="indeterminate",
        assignee="Ana Ruiz",
        labels=["bet"],
    ),
]


@pytest.fixture(scope="module")
def small_fake():
    with FakeJira(SMALL, CLOUD_FIELDS, email=EMAIL, token=TOKEN) as fake:
        yield fake


@pytest.fixture(scope="module")
def client(small_fake):
    return cloud_client(small_fake)


# --- paging and shapes ------------------------------------------------------------------------


def test_cloud_search_jql_pages_with_next_page_token():
    with FakeJira(MANY, CLOUD_FIELDS, email=EMAIL, token=TOKEN) as fake:
        client = cloud_client(fake)
        pages, token = [], None
        while True:
            page = search_jql(
                client,
                "project in (PAY, OPS) ORDER BY created DESC",
                nextPageToken=token,
                fields=["summary", "status"],
            )
            pages.append(page)
            if page["isLast"]:
                break
            token = page["nextPageToken"]

        assert [len(p["issues"]) for p in pages] == [100, 100, 50]
        assert [k for p in pages for k in keys(p)] == MANY_IN_ORDER  # ORDER BY is ignored
        assert all("nextPageToken" in p for p in pages[:2]) and "nextPageToken" not in pages[2]
        shape = reference("jira-cli_search_jql_shape.json")
        for p in pages:
            assert "total" not in p and "startAt" not in p
            assert set(p) <= set(shape) | {"nextPageToken"}
        first = pages[0]["issues"][0]
        assert set(first) == {"expand", "id", "self", "key", "fields"}
        assert set(first["fields"]) == {"summary", "status"}
        assert fake.count("search/jql") == 3
        assert fake.requests[-1].query["nextPageToken"] == [token]


def test_cloud_caps_max_results_at_100_and_rejects_unknown_tokens():
    with FakeJira(MANY, CLOUD_FIELDS) as fake:
        client = cloud_client(fake)
        page = search_jql(client, "project = PAY", maxResults=500)
        assert len(page["issues"]) == 100 and page["isLast"] is False
        with pytest.raises(JIRAError) as caught:
            search_jql(client, "project = PAY", nextPageToken="not-a-token")
        assert caught.value.status_code == 400


def test_server_search_pages_with_start_at():
    with FakeJira(MANY, CLOUD_FIELDS, deployment="Server", token="pat") as fake:
        client = JIRA(server=fake.url, token_auth="pat", max_retries=0)
        pages = [
            client.search_issues(
                "project in (OPS, PAY)",
                startAt=start,
                maxResults=100,
                fields=["summary"],
                json_result=True,
            )
            for start in (0, 100, 200)
        ]
        assert [p["startAt"] for p in pages] == [0, 100, 200]
        assert [p["total"] for p in pages] == [250, 250, 250]
        assert [len(p["issues"]) for p in pages] == [100, 100, 50]
        assert [k for p in pages for k in keys(p)] == MANY_IN_ORDER
        assert set(pages[0]) == set(reference("jira-cli_search_v2_epics_shape.json"))
        assert fake.count("/search") == 3

        with pytest.raises(JIRAError) as caught:
            client._get_json("search/jql", params={"jql": "project = PAY"})
        assert caught.value.status_code == 404
        assert caught.value.response.json()["errorMessages"]


def test_old_search_is_gone_on_cloud(client):
    # jira < 3.10 called /search like this; Cloud has answered 410 since CHANGE-2046.
    with pytest.raises(JIRAError) as caught:
        client._get_json("search", params={"jql": "project = PAY"})
    assert caught.value.status_code == 410
    assert caught.value.response.json() == reference("cloud_search_410.json")


def test_all_fields_by_default_and_changelog_only_when_expanded(client):
    plain = search_jql(client, "key = PAY-3", fields=None)["issues"][0]
    assert set(plain["fields"]) == set(SMALL[3]["fields"])
    assert plain["fields"][EPIC_LINK] == "PAY-1" and plain["fields"][FLAGGED] is None
    assert "changelog" not in plain

    expanded = search_jql(client, "key in (PAY-3, PAY-1)", expand="changelog,names")["issues"]
    assert [i["key"] for i in expanded] == ["PAY-1", "PAY-3"]
    assert expanded[0]["changelog"]["histories"] == []
    history = expanded[1]["changelog"]["histories"][0]
    assert history["items"][0]["toString"] == "Done"
    assert expanded[1]["changelog"]["total"] == 1


def test_v3_paths_comma_separated_fields_and_default_page_size():
    with FakeJira(MANY, CLOUD_FIELDS, email=EMAIL, token=TOKEN) as fake:
        url = f"{fake.url}/rest/api/3/search/jql"
        params = {"jql": "project = OPS", "fields": "*all,-description,-customfield_10020"}
        answer = requests.get(url, params=params, auth=(EMAIL, TOKEN), timeout=5)
        assert answer.status_code == 200
        body = answer.json()
        assert len(body["issues"]) == 50 and body["isLast"] is False
        fields = body["issues"][0]["fields"]
        assert (
            "summary" in fields
            and "description" not in fields
            and "customfield_10020" not in fields
        )
        gone = requests.get(f"{fake.url}/rest/api/3/search", auth=(EMAIL, TOKEN), timeout=5)
        assert gone.status_code == 410


def test_server_info_fields_and_myself():
    with FakeJira([], CLOUD_FIELDS, email=EMAIL, token=TOKEN) as fake:
        client = cloud_client(fake)
        info = client.server_info()
        assert set(info) == set(reference("jira-cli_serverinfo_cloud.json"))
        assert (info["deploymentType"], info["versionNumbers"]) == ("Cloud", [1001, 0, 0])
        assert info["baseUrl"] == fake.url
        assert client.fields() == CLOUD_FIELDS
        assert client.myself()["emailAddress"] == EMAIL
    with FakeJira([], CLOUD_FIELDS, deployment="Server") as fake:
        info = JIRA(server=fake.url, max_retries=0).server_info()
        assert (info["deploymentType"], info["version"], info["versionNumbers"]) == (
            "Server",
            "9.12.2",
            [9, 12, 2],
        )


# --- auth, faults, request log ----------------------------------------------------------------

UNAUTHENTICATED = {
    "errorMessages": [
        "You are not authenticated. Authentication required to perform this operation."
    ],
    "errors": {},
}


@pytest.mark.parametrize(
    ("deployment", "auth"),
    [
        ("Cloud", {"basic_auth": (EMAIL, "wrong")}),
        ("Cloud", {"basic_auth": ("someone@example.com", TOKEN)}),
        ("Cloud", {"token_auth": TOKEN}),
        ("Server", {"token_auth": "wrong"}),
        ("Server", {"basic_auth": (EMAIL, TOKEN)}),
    ],
)
def test_wrong_credentials_get_401(deployment, auth):
    with FakeJira([], CLOUD_FIELDS, deployment=deployment, email=EMAIL, token=TOKEN) as fake:
        with pytest.raises(JIRAError) as caught:
            JIRA(server=fake.url, max_retries=0, **auth)  # the constructor asks for serverInfo
        assert caught.value.status_code == 401
        assert caught.value.response.json() == UNAUTHENTICATED


def test_rate_limit_fault_then_normal_answer(small_fake, client):
    fake = small_fake
    fake.fail_next(
        "search/jql",
        429,
        headers={"Retry-After": "7"},
        body=CLOUD_429_PAGE,
        content_type="text/html",
    )
    with pytest.raises(JIRAError) as caught:
        search_jql(client, "project = PAY")
    assert caught.value.status_code == 429
    assert caught.value.response.headers["Retry-After"] == "7"
    assert caught.value.response.headers["Content-Type"] == "text/html"
    assert caught.value.response.text == CLOUD_429_PAGE
    assert keys(search_jql(client, "project = OPS")) == ["OPS-4"]


def test_faults_come_before_auth_and_are_recorded():
    with FakeJira([], CLOUD_FIELDS, email=EMAIL, token=TOKEN) as fake:
        fake.fail_next("serverInfo", 503, body='{"errorMessages":["busy"]}', times=2)
        statuses = []
        for _ in range(3):
            with pytest.raises(JIRAError) as caught:
                cloud_client(fake, token="wrong")
            statuses.append(caught.value.status_code)
        assert statuses == [503, 503, 401]
        assert fake.requests == [RecordedRequest("GET", "/rest/api/2/serverInfo", {})] * 3
        assert fake.count("serverInfo") == 3 and fake.count("search/jql") == 0


def test_request_log_keeps_paths_and_repeated_query_values(small_fake, client):
    fake = small_fake
    search_jql(client, 'labels = "decision-needed"', fields=["summary", "status"])
    last = fake.requests[-1]
    assert (last.method, last.path) == ("GET", "/rest/api/2/search/jql")
    assert last.query["jql"] == ['labels = "decision-needed"']
    assert last.query["fields"] == ["summary", "status"]
    assert last.query["maxResults"] == ["100"]


def test_latency_delays_each_answer_and_stop_closes_the_port():
    with FakeJira([], CLOUD_FIELDS, latency=0.05) as fake:
        started = time.perf_counter()
        requests.get(f"{fake.url}/rest/api/2/field", timeout=5)
        assert time.perf_counter() - started >= 0.05
    with pytest.raises(requests.ConnectionError):
        requests.get(f"{fake.url}/rest/api/2/field", timeout=5)


# --- JQL ----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("jql", "expected"),
    [
        ("", ["OPS-4", "PAY-1", "PAY-2", "PAY-3", "PAY-10", "PAY-11"]),
        ("project = PAY", ["PAY-1", "PAY-2", "PAY-3", "PAY-10", "PAY-11"]),
        (
            "project in (PAY, OPS) ORDER BY updated DESC, key",
            ["OPS-4", "PAY-1", "PAY-2", "PAY-3", "PAY-10", "PAY-11"],
        ),
        ("issuetype = Epic", ["PAY-1"]),
        ('issuetype in (Epic, "Decision")', ["PAY-1", "PAY-2"]),
        ('status = "Blocked"', ["PAY-2"]),
        ("status in (Done, 'In Progress')", ["OPS-4", "PAY-1", "PAY-3", "PAY-11"]),
        ("statusCategory != Done", ["OPS-4", "PAY-1", "PAY-2", "PAY-10"]),
        ("statusCategory = Done", ["PAY-3", "PAY-11"]),
        ('statusCategory = "In Progress"', ["OPS-4", "PAY-1", "PAY-2"]),
        ('resolved >= "2026-11-23"', ["PAY-3"]),
        ("resolved < 2026-11-23", ["PAY-11"]),
        ("duedate <= 2026-12-02", ["PAY-2"]),
        ("parent in (PAY-1, PAY-2)", ["PAY-3", "PAY-10"]),
        ('"Epic Link" in (PAY-1)', ["PAY-3", "PAY-11"]),
        ("cf[10014] in (PAY-1)", ["PAY-3", "PAY-11"]),
        ("key in (PAY-10, OPS-4)", ["OPS-4", "PAY-10"]),
        ("key = pay-2", ["PAY-2"]),
        ('labels = "decision-needed"', ["PAY-2"]),
        ("labels != bet", ["PAY-2"]),  # as in Jira, != never matches an empty field
        ("Flagged is not EMPTY", ["PAY-10"]),
        ('"Story point estimate" >= 3', ["PAY-10"]),
        ("assignee = 'Ana Ruiz'", ["PAY-1"]),
        ("project = OPS OR project = PAY AND issuetype = Epic", ["OPS-4", "PAY-1"]),  # AND first
        (
            "PROJECT = pay and (ISSUETYPE = epic OR labels IN (decision-needed)) "
            "AND status NOT IN (Done)",
            ["PAY-1", "PAY-2"],
        ),
        ("NOT project = PAY", ["OPS-4"]),
    ],
)
def test_jql_through_the_client(client, jql, expected):
    assert keys(search_jql(client, jql)) == expected


@pytest.mark.parametrize(
    ("jql", "message"),
    [
        (
            '"Team Size" = 3',
            "Field 'Team Size' does not exist or you do not have permission to view it.",
        ),
        ("project = PAY AND", "Error in the JQL Query: Expecting a field name"),
        ("project = PAY ORDER BY", "Error in the JQL Query: Expecting a field name"),
        ("project PAY", "Error in the JQL Query: Expecting an operator"),
        ("project in (PAY", "Error in the JQL Query: Expecting ')'"),
        ("resolved >= startOfWeek()", "does not support the function 'startOfWeek()'"),
        ("resolved >= -7d", "does not support relative dates"),
        ("summary ~ checkout", "does not support the operator '~'"),
        ("status > Done", "The operator '>' is not supported by the 'status' field."),
    ],
)
def test_jql_errors_are_400_with_jira_messages(client, jql, message):
    with pytest.raises(JIRAError) as caught:
        search_jql(client, jql)
    assert caught.value.status_code == 400
    (error,) = caught.value.response.json()["errorMessages"]
    assert error.startswith(message) or message in error


def test_matches_is_a_plain_function():
    epic = issue("PAY-1", "Checkout revamp", issuetype="Epic")
    assert matches("issuetype = epic ORDER BY rank", epic, CLOUD_FIELDS)
    assert not matches("resolved >= 2026-01-01", epic, CLOUD_FIELDS)  # unresolved never matches
    assert matches("resolved is EMPTY", epic, CLOUD_FIELDS)
    with pytest.raises(JqlError, match="does not exist"):
        matches('"Epic Link" = PAY-1', epic, [])


# --- the JSON builders ------------------------------------------------------------------------


def test_issue_has_the_shape_of_a_real_v2_issue():
    real = reference("atlassian-python-api_issue_v2_FOO-123_epic_fields_all.json")
    built = issue("PAY-1", "Checkout revamp", issuetype="Epic", status="Backlog")
    assert set(built) == set(real)
    custom_ids = {f["id"] for f in CLOUD_FIELDS if f["custom"]}
    assert set(built["fields"]) - custom_ids <= set(real["fields"])
    for name in ("status", "project", "priority"):
        assert set(built["fields"][name]) <= set(real["fields"][name])
    assert set(built["fields"]["status"]["statusCategory"]) == set(
        real["fields"]["status"]["statusCategory"]
    )
    assert set(built["fields"]["issuetype"]) <= set(real["fields"]["issuetype"])
    assert built["fields"]["issuetype"]["hierarchyLevel"] == 1
    assert set(user("Ana Ruiz")) <= set(real["fields"]["reporter"])


def test_issue_fields_links_and_parent():
    done = issue(
        "PAY-3",
        "One-page checkout",
        status="Done",
        category="done",
        resolved="2026-11-25T10:00:00.000+0000",
    )
    fields = done["fields"]
    assert fields["status"]["statusCategory"]["name"] == "Done"
    assert fields["resolution"]["name"] == "Done"
    assert fields["project"]["key"] == "PAY" and fields["issuetype"]["hierarchyLevel"] == 0
    link = blocked_by("OPS-4", category="indeterminate")
    assert link["type"]["inward"] == "is blocked by"
    assert link["inwardIssue"]["fields"]["status"]["statusCategory"]["key"] == "indeterminate"
    assert (
        user("Ana Ruiz")["accountId"] == user("Ana Ruiz")["accountId"] != user("Tom")["accountId"]
    )
    with pytest.raises(ValueError):
        issue("PAY-4", "x", category="blocked")


def test_fake_fills_a_parent_from_the_dataset(client):
    (child,) = search_jql(client, "key = PAY-10", fields=["parent"])["issues"]
    parent = child["fields"]["parent"]
    assert parent["key"] == "PAY-1"
    assert parent["fields"]["summary"] == "Checkout revamp"
    assert parent["fields"]["status"]["name"] == "In Progress"


def test_fields_match_real_field_entries_and_known_cloud_facts():
    real_custom = reference("jira-cli_fields_trimmed.json")[1]
    assert set(real_custom) <= set(field("customfield_10111", "Original story points"))
    assert (
        field("customfield_10111", "Original story points")["clauseNames"]
        == real_custom["clauseNames"]
    )
    by_name = {f["name"]: f for f in CLOUD_FIELDS}
    flagged = by_name["Flagged"]
    assert flagged["id"] == "customfield_10021"
    assert flagged["clauseNames"] == ["cf[10021]", "Flagged", "Flagged[Checkboxes]"]
    assert flagged["schema"] == {
        "type": "array",
        "items": "option",
        "custom": "com.atlassian.jira.plugin.system.customfieldtypes:multicheckboxes",
        "customId": 10021,
    }
    assert by_name["Epic Link"]["id"] == "customfield_10014"
    assert by_name["Story point estimate"]["id"] == "customfield_10016"
    assert by_name["Story Points"]["id"] == "customfield_10026"
    parent = by_name["Parent"]
    assert (parent["custom"], parent["searchable"], parent["clauseNames"]) == (
        False,
        False,
        ["parent"],
    )
