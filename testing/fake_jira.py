"""A local fake of the Jira REST API, for tests, benchmarks and the demo's recordings.

It answers the few endpoints `weekly` uses the way Jira Cloud or Jira Server/Data Center does,
including their differences (search/jql with nextPageToken on Cloud, search with startAt on
Server, 410 Gone for the old Cloud search), so the real `jira` client can talk to it. Faults
(429, 503, HTML bodies) can be injected per path to exercise retry and error handling.
"""

from __future__ import annotations

import base64
import copy
import hashlib
import json
import re
import time
import zlib
from http.server import BaseHTTPRequestHandler
from typing import Any

from testing.fake_http import HttpError, LoopbackFake, send
from testing.fake_http import RecordedRequest as RecordedRequest  # part of this API
from testing.jira_jql import JqlError, compile_jql

DEFAULT_BASE_URL = "https://jira.example.com"
PAGE_SIZE_DEFAULT = 50
PAGE_SIZE_MAX = 100  # Jira caps a search page at 100 issues whatever maxResults asks for

NOT_AUTHENTICATED = "You are not authenticated. Authentication required to perform this operation."
# Verbatim from Jira Cloud since CHANGE-2046 (see testing/tests/data/jira/SOURCES.md).
SEARCH_GONE = (
    "The requested API has been removed. Please migrate to the /rest/api/3/search/jql API. "
    "A full migration guideline is available at https://developer.atlassian.com/changelog/#CHANGE-2046"
)

# statusCategory key -> (id, colorName, name), as /rest/api/2/statuscategory lists them.
_CATEGORIES = {
    "new": (2, "blue-gray", "To Do"),
    "indeterminate": (4, "yellow", "In Progress"),
    "done": (3, "green", "Done"),
}
_STATUS_IDS = {"To Do": "10000", "In Progress": "3", "Done": "10001"}
_ISSUETYPE_IDS = {
    "Epic": "10000",
    "Story": "10001",
    "Task": "10002",
    "Sub-task": "10003",
    "Bug": "10004",
}


# --- Builders of realistic REST v2 JSON -------------------------------------------------------


def user(name: str, *, base_url: str = DEFAULT_BASE_URL) -> dict[str, Any]:
    """A Cloud user as Jira embeds it in issues; the accountId is stable for a name."""
    account_id = hashlib.sha1(name.encode()).hexdigest()[:24]
    return {
        "self": f"{base_url}/rest/api/2/user?accountId={account_id}",
        "accountId": account_id,
        "emailAddress": f"{'.'.join(name.lower().split())}@example.com",
        "avatarUrls": {},
        "displayName": name,
        "active": True,
        "timeZone": "Europe/Berlin",
        "accountType": "atlassian",
    }


def field(
    id: str,
    name: str,
    *,
    custom: bool = True,
    schema: dict[str, Any] | None = None,
    clause_names: list[str] | None = None,
) -> dict[str, Any]:
    """An entry of GET /rest/api/2/field; a custom id must look like customfield_<n>."""
    if custom:
        number = int(id.removeprefix("customfield_"))
        default_schema: dict[str, Any] = {
            "type": "string",
            "custom": "com.atlassian.jira.plugin.system.customfieldtypes:textfield",
            "customId": number,
        }
        default_clauses = [f"cf[{number}]", name]
    else:
        default_schema = {"type": "string", "system": id}
        default_clauses = [id]
    return {
        "id": id,
        "key": id,
        "name": name,
        "custom": custom,
        "orderable": True,
        "navigable": True,
        "searchable": True,
        "clauseNames": clause_names if clause_names is not None else default_clauses,
        "schema": schema if schema is not None else default_schema,
    }


def _system(
    id: str, name: str, type_: str, *clauses: str, items: str | None = None, searchable: bool = True
) -> dict[str, Any]:
    schema: dict[str, Any] = {"type": type_, "system": id}
    if items:
        schema["items"] = items
    entry = field(id, name, custom=False, schema=schema, clause_names=list(clauses) or [id])
    entry["searchable"] = searchable
    return entry


def _custom(
    number: int, name: str, type_: str, plugin: str, *, items: str | None = None
) -> dict[str, Any]:
    schema: dict[str, Any] = {"type": type_, "custom": plugin, "customId": number}
    if items:
        schema["items"] = items
    return field(f"customfield_{number}", name, schema=schema)


_GH = "com.pyxis.greenhopper.jira:"
_CF = "com.atlassian.jira.plugin.system.customfieldtypes:"
# IDs as on a typical Cloud site created since ~2019; real sites differ, hence lookup by name.
CLOUD_FIELDS: list[dict[str, Any]] = [
    _system("issuekey", "Key", "string", "id", "issue", "issuekey", "key"),
    _system("summary", "Summary", "string"),
    _system("status", "Status", "status"),
    _system("assignee", "Assignee", "user"),
    _system("reporter", "Reporter", "user"),
    _system("duedate", "Due date", "date", "due", "duedate"),
    _system("resolution", "Resolution", "resolution"),
    _system("resolutiondate", "Resolved", "datetime", "resolutiondate", "resolved"),
    _system("updated", "Updated", "datetime", "updated", "updatedDate"),
    _system("created", "Created", "datetime", "created", "createdDate"),
    _system("labels", "Labels", "array", items="string"),
    _system("issuetype", "Issue Type", "issuetype", "issuetype", "type"),
    # Observed on Cloud: parent is navigable but "searchable": false (JQL `parent` still works).
    _system("parent", "Parent", "issuelink", searchable=False),
    _system("issuelinks", "Linked Issues", "array", "issueLinkType", items="issuelinks"),
    _system("subtasks", "Sub-tasks", "array", "subtasks", items="issuelinks"),
    _system("description", "Description", "string"),
    _system("project", "Project", "project"),
    _system("priority", "Priority", "priority"),
    {
        **_custom(10021, "Flagged", "array", f"{_CF}multicheckboxes", items="option"),
        "clauseNames": ["cf[10021]", "Flagged", "Flagged[Checkboxes]"],
    },
    _custom(10011, "Epic Name", "string", f"{_GH}gh-epic-label"),
    _custom(10014, "Epic Link", "any", f"{_GH}gh-epic-link"),
    _custom(10016, "Story point estimate", "number", f"{_GH}jsw-story-points"),
    _custom(10019, "Rank", "any", f"{_GH}gh-lexo-rank"),
    _custom(10020, "Sprint", "array", f"{_GH}gh-sprint", items="json"),
    _custom(10026, "Story Points", "number", f"{_CF}float"),
]


def _split_key(key: str) -> tuple[str, int]:
    match = re.fullmatch(r"([A-Z][A-Z0-9_]*)-(\d+)", key)
    if match is None:
        raise ValueError(f"not a Jira issue key: {key!r} (expected like PAY-12)")
    return match.group(1), int(match.group(2))


def _issue_id(key: str) -> str:
    # Stable and unique per key, so repeated builds of a dataset agree.
    project, number = _split_key(key)
    return str(int(project, 36) * 100_000 + 10_000 + number)


def _status(name: str, category: str, base_url: str) -> dict[str, Any]:
    if category not in _CATEGORIES:
        raise ValueError(f"unknown status category {category!r}; use one of {sorted(_CATEGORIES)}")
    category_id, color, category_name = _CATEGORIES[category]
    status_id = _STATUS_IDS.get(name, str(10_100 + zlib.crc32(name.encode()) % 900))
    return {
        "self": f"{base_url}/rest/api/2/status/{status_id}",
        "description": "",
        "iconUrl": f"{base_url}/images/icons/status_generic.gif",
        "name": name,
        "id": status_id,
        "statusCategory": {
            "self": f"{base_url}/rest/api/2/statuscategory/{category_id}",
            "id": category_id,
            "key": category,
            "colorName": color,
            "name": category_name,
        },
    }


def _issuetype(name: str, base_url: str) -> dict[str, Any]:
    type_id = _ISSUETYPE_IDS.get(name, str(10_100 + zlib.crc32(name.encode()) % 900))
    subtask = name.lower() in ("sub-task", "subtask")
    return {
        "self": f"{base_url}/rest/api/2/issuetype/{type_id}",
        "id": type_id,
        "description": "",
        "iconUrl": f"{base_url}/images/icons/issuetypes/{name.lower()}.svg",
        "name": name,
        "subtask": subtask,
        # Real Jira: epics 1, standard types 0, sub-tasks -1.
        "hierarchyLevel": 1 if name == "Epic" else -1 if subtask else 0,
    }


def _priority(base_url: str) -> dict[str, Any]:
    icon = f"{base_url}/images/icons/priorities/medium.svg"
    return {
        "self": f"{base_url}/rest/api/2/priority/3",
        "iconUrl": icon,
        "name": "Medium",
        "id": "3",
    }


def issue(
    key: str,
    summary: str,
    *,
    issuetype: str = "Story",
    status: str = "To Do",
    category: str = "new",
    assignee: str | None = None,
    reporter: str | None = None,
    duedate: str | None = None,
    resolved: str | None = None,
    updated: str = "2026-11-20T09:00:00.000+0000",
    created: str = "2026-10-01T09:00:00.000+0000",
    labels: list[str] | None = None,
    parent: str | None = None,
    links: list[dict[str, Any]] | None = None,
    description: str | None = None,
    changelog: list[dict[str, Any]] | None = None,
    custom: dict[str, object] | None = None,
    base_url: str = DEFAULT_BASE_URL,
) -> dict[str, Any]:
    """An issue as GET /rest/api/2/search returns it with fields=*all.

    Custom fields of CLOUD_FIELDS are present and null unless given in custom, as on Cloud.
    fields.parent says only the key until FakeJira fills in the parent's summary, status and type
    from its dataset, as Jira would.
    """
    project, _ = _split_key(key)
    fields: dict[str, Any] = {
        "summary": summary,
        "status": _status(status, category, base_url),
        "assignee": user(assignee, base_url=base_url) if assignee else None,
        "reporter": user(reporter, base_url=base_url) if reporter else None,
        "duedate": duedate,
        "resolution": {"id": "10000", "name": "Done", "description": ""} if resolved else None,
        "resolutiondate": resolved,
        "updated": updated,
        "created": created,
        "labels": list(labels or []),
        "issuetype": _issuetype(issuetype, base_url),
        "issuelinks": list(links or []),
        "subtasks": [],
        "description": description,
        "project": {
            "self": f"{base_url}/rest/api/2/project/{project}",
            "id": str(int(project, 36) % 100_000),
            "key": project,
            "name": project,
            "projectTypeKey": "software",
            "simplified": False,
        },
        "priority": _priority(base_url),
    }
    fields.update({f["id"]: None for f in CLOUD_FIELDS if f["custom"]})
    fields.update(custom or {})
    if parent:
        fields["parent"] = {
            "id": _issue_id(parent),
            "key": parent,
            "self": f"{base_url}/rest/api/2/issue/{_issue_id(parent)}",
            "fields": {  # a placeholder until FakeJira copies the real parent's values
                "summary": parent,
                "status": _status("To Do", "new", base_url),
                "priority": _priority(base_url),
                "issuetype": _issuetype("Epic", base_url),
            },
        }
    result: dict[str, Any] = {
        "expand": "operations,versionedRepresentations,editmeta,changelog,renderedFields",
        "id": _issue_id(key),
        "self": f"{base_url}/rest/api/2/issue/{_issue_id(key)}",
        "key": key,
        "fields": fields,
    }
    if changelog is not None:
        histories = [{"id": str(10_000 + i), **h} for i, h in enumerate(changelog)]
        result["changelog"] = _changelog(histories)
    return result


def _changelog(histories: list[dict[str, Any]]) -> dict[str, Any]:
    count = len(histories)
    return {"startAt": 0, "maxResults": count, "total": count, "histories": histories}


def blocked_by(
    key: str, *, category: str = "new", summary: str | None = None, base_url: str = DEFAULT_BASE_URL
) -> dict[str, Any]:
    """An issuelinks entry saying the issue is blocked by key (whose status has category)."""
    status_name = _CATEGORIES[category][2] if category in _CATEGORIES else category
    return {
        "id": str(20_000 + int(_issue_id(key)) % 100_000),
        "self": f"{base_url}/rest/api/2/issueLink/{_issue_id(key)}",
        "type": {
            "id": "10000",
            "name": "Blocks",
            "inward": "is blocked by",
            "outward": "blocks",
            "self": f"{base_url}/rest/api/2/issueLinkType/10000",
        },
        "inwardIssue": {
            "id": _issue_id(key),
            "key": key,
            "self": f"{base_url}/rest/api/2/issue/{_issue_id(key)}",
            "fields": {
                "summary": summary if summary is not None else key,
                "status": _status(status_name, category, base_url),
                "priority": _priority(base_url),
                "issuetype": _issuetype("Task", base_url),
            },
        },
    }


# --- The server -------------------------------------------------------------------------------


class FakeJira(LoopbackFake):
    """A Jira Cloud or Server REST API on 127.0.0.1, serving the given issues and fields.

    With a token, requests must authenticate as the deployment expects (Cloud: Basic email:token,
    any email if none was given; Server: Bearer token). Every request is recorded in `requests`,
    in order. `issues` (sorted by key) and `fields` are the fake's own copies, which a test may
    change between requests, unless `cache_searches` keeps each JQL's matches from its first
    search: for big fixed datasets, where filtering every issue for every page is the cost.
    `now` is the epoch serverInfo gives as the server's time (default: the real clock).
    """

    def __init__(
        self,
        issues: list[dict[str, Any]],
        fields: list[dict[str, Any]],
        *,
        deployment: str = "Cloud",
        email: str | None = None,
        token: str | None = None,
        latency: float = 0.0,
        port: int = 0,
        cache_searches: bool = False,
        now: float | None = None,
    ) -> None:
        if deployment not in ("Cloud", "Server"):
            raise ValueError(f"deployment must be 'Cloud' or 'Server', not {deployment!r}")
        super().__init__(latency=latency, port=port)
        self.deployment = deployment
        self.email = email
        self.token = token
        self.now = now
        self.fields = copy.deepcopy(fields)
        self.issues = sorted(copy.deepcopy(issues), key=lambda i: _split_key(i["key"]))
        _fill_parents(self.issues)
        self._matches: dict[str, list[dict[str, Any]]] | None = {} if cache_searches else None

    def replace_issues(self, issues: list[dict[str, Any]]) -> None:
        """Serve another state of the site from now on: a test's next week."""
        fresh = sorted(copy.deepcopy(issues), key=lambda i: _split_key(i["key"]))
        _fill_parents(fresh)
        self.issues = fresh
        if self._matches is not None:
            self._matches.clear()

    # --- request handling ---

    def _handle(self, handler: BaseHTTPRequestHandler) -> None:
        url, query, fault = self._receive(handler)
        if self.latency:
            time.sleep(self.latency)
        if fault is not None:
            send(handler, fault.status, fault.body, fault.content_type, fault.headers)
            return
        try:
            status, payload = self._answer(handler, url.path, query)
        except HttpError as error:
            status, payload = error.status, _error_body(error.message)
        except Exception as error:  # surface fake bugs to the client, not as a hung request
            status, payload = 500, _error_body(f"fake Jira failed: {error!r}")
        send(handler, status, json.dumps(payload).encode(), "application/json;charset=UTF-8", {})

    def _answer(
        self, handler: BaseHTTPRequestHandler, path: str, query: dict[str, list[str]]
    ) -> tuple[int, Any]:
        if not self._authenticated(handler.headers.get("Authorization")):
            return 401, _error_body(NOT_AUTHENTICATED)
        match = re.fullmatch(r"/rest/api/[23]/(.+?)/?", path)
        endpoint = match.group(1) if match else ""
        if endpoint not in ("serverInfo", "field", "myself", "search/jql", "search"):
            raise HttpError(404, f"null for uri: {self.url}{path}")
        if handler.command != "GET":
            raise HttpError(405, f"The fake Jira answers only GET on {path}")
        if endpoint == "serverInfo":
            return 200, self._server_info()
        if endpoint == "field":
            return 200, self.fields
        if endpoint == "myself":
            return 200, self._myself()
        if endpoint == "search/jql":
            if self.deployment != "Cloud":
                raise HttpError(404, f"null for uri: {self.url}{path}")
            return 200, self._search_jql(query)
        if self.deployment == "Cloud":
            return 410, _error_body(SEARCH_GONE)
        return 200, self._search(query)

    def _authenticated(self, header: str | None) -> bool:
        if self.token is None:
            return True
        scheme, _, credentials = (header or "").partition(" ")
        if self.deployment == "Server":
            return scheme.lower() == "bearer" and credentials == self.token
        if scheme.lower() != "basic":
            return False
        try:
            decoded = base64.b64decode(credentials, validate=True).decode()
        except ValueError:
            return False
        email, _, token = decoded.partition(":")
        email_ok = self.email is None or email.casefold() == self.email.casefold()
        return email_ok and token == self.token

    def _server_info(self) -> dict[str, Any]:
        stamp = time.localtime() if self.now is None else time.gmtime(self.now)
        now = time.strftime("%Y-%m-%dT%H:%M:%S.000%z", stamp)
        if self.deployment == "Cloud":
            version, numbers, build = "1001.0.0-SNAPSHOT", [1001, 0, 0], 100204
        else:
            version, numbers, build = "9.12.2", [9, 12, 2], 9120002
        return {
            "baseUrl": self.url,
            "version": version,
            "versionNumbers": numbers,
            "deploymentType": self.deployment,
            "buildNumber": build,
            "buildDate": "2026-01-12T12:59:12.000+0000",
            "serverTime": now,
            "scmInfo": "948b370c557f4bbf768b92203f3aca5d86ee9758",
            "serverTitle": "Jira",
            "defaultLocale": {"locale": "en_US"},
        }

    def _myself(self) -> dict[str, Any]:
        email = self.email or "jira.user@example.com"
        me = user(email.split("@")[0], base_url=self.url)
        me["emailAddress"] = email
        if self.deployment == "Server":  # Server identifies users by name/key, not accountId
            me["name"] = me["key"] = email.split("@")[0]
        return me

    def _matching(self, query: dict[str, list[str]]) -> list[dict[str, Any]]:
        jql = _first(query, "jql") or ""
        if self._matches is not None:
            with self._lock:
                cached = self._matches.get(jql)
            if cached is not None:
                return cached
        try:
            predicate = compile_jql(jql, self.fields)
        except JqlError as error:
            raise HttpError(400, str(error)) from None
        found = [i for i in self.issues if predicate(i)]
        if self._matches is not None:
            with self._lock:  # two pages racing on a new JQL both filter; either list is right
                self._matches[jql] = found
        return found

    def _search_jql(self, query: dict[str, list[str]]) -> dict[str, Any]:
        issues = self._matching(query)
        size = max(1, _page_size(query))  # 0 would hand out the same token forever
        token = _first(query, "nextPageToken")
        offset = _decode_token(token) if token else 0
        page = issues[offset : offset + size]
        end = offset + len(page)
        result: dict[str, Any] = {"issues": _shape(page, query), "isLast": end >= len(issues)}
        if not result["isLast"]:
            result["nextPageToken"] = _encode_token(end)
        return result

    def _search(self, query: dict[str, list[str]]) -> dict[str, Any]:
        issues = self._matching(query)
        size = _page_size(query)
        start = max(0, _integer(query, "startAt", 0))
        return {
            "expand": "schema,names",
            "startAt": start,
            "maxResults": size,
            "total": len(issues),
            "issues": _shape(issues[start : start + size], query),
        }


def _fill_parents(issues: list[dict[str, Any]]) -> None:
    # Jira embeds the parent's current summary, status and type; take them from the dataset.
    by_key = {i["key"]: i for i in issues}
    for child in issues:
        parent = child["fields"].get("parent")
        source = by_key.get(parent["key"]) if isinstance(parent, dict) else None
        if parent is not None and source is not None:
            wanted = ("summary", "status", "priority", "issuetype")
            parent["fields"] = {k: copy.deepcopy(source["fields"].get(k)) for k in wanted}


def _shape(issues: list[dict[str, Any]], query: dict[str, list[str]]) -> list[dict[str, Any]]:
    """Issues cut down to the requested fields, with the changelog only when expanded."""
    requested = [f.strip() for value in query.get("fields", ["*all"]) for f in value.split(",")]
    requested = [f for f in requested if f]
    everything = any(f in ("*all", "*navigable") for f in requested)
    excluded = {f[1:] for f in requested if f.startswith("-")}
    expand = {e.strip() for value in query.get("expand", []) for e in value.split(",")}
    shaped = []
    for full in issues:
        one: dict[str, Any] = {k: full[k] for k in ("expand", "id", "self", "key") if k in full}
        one["fields"] = {
            name: value
            for name, value in full["fields"].items()
            if (everything or name in requested) and name not in excluded
        }
        if "changelog" in expand:
            one["changelog"] = full.get("changelog", _changelog([]))
        shaped.append(one)
    return shaped


def _first(query: dict[str, list[str]], name: str) -> str | None:
    values = query.get(name)
    return values[0] if values else None


def _integer(query: dict[str, list[str]], name: str, default: int) -> int:
    text = _first(query, name)
    if text is None or text == "":
        return default
    try:
        return int(text)
    except ValueError:
        raise HttpError(400, f"The value '{text}' is not valid for {name}.") from None


def _page_size(query: dict[str, list[str]]) -> int:
    return min(max(0, _integer(query, "maxResults", PAGE_SIZE_DEFAULT)), PAGE_SIZE_MAX)


def _encode_token(offset: int) -> str:
    return base64.urlsafe_b64encode(f"fake-jira:{offset}".encode()).decode()


def _decode_token(token: str) -> int:
    try:
        prefix, _, offset = base64.urlsafe_b64decode(token.encode()).decode().partition(":")
        if prefix == "fake-jira":
            return int(offset)
    except ValueError:
        pass
    raise HttpError(400, f"The nextPageToken '{token}' is invalid or expired.")


def _error_body(message: str) -> dict[str, Any]:
    return {"errorMessages": [message], "errors": {}}
