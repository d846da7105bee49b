"""A local fake of the GitHub REST API, for tests, benchmarks and the demo's recordings.

It answers the few read endpoints `weekly` uses (a repository, its milestones, issues and pull
requests, /rate_limit, /user) in the shapes github.com or GitHub Enterprise (under /api/v3) does,
with Link-header paging and X-RateLimit-* headers, so the real PyGithub client can talk to it.
Faults (5xx, 429, primary and secondary rate limits) can be injected per path.

Builders make the JSON before any server runs, so their API URLs name https://api.github.com,
as GitHub's do; the server rewrites that origin to its own when serving, because PyGithub
refuses to follow a URL to another host or port.
"""

from __future__ import annotations

import copy
import hashlib
import json
import re
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from http.server import BaseHTTPRequestHandler
from typing import Any
from urllib.parse import quote, urlencode

from testing.fake_http import Fault, HttpError, LoopbackFake, send
from testing.fake_http import RecordedRequest as RecordedRequest  # part of this API

GITHUB_API = "https://api.github.com"
GITHUB_WEB = "https://github.com"
AUTHENTICATED_LOGIN = "octocat"  # who /user says the token belongs to
RATE_LIMIT = 5000  # core requests an hour for a personal access token
PAGE_SIZE_DEFAULT = 30
PAGE_SIZE_MAX = 100  # GitHub caps per_page at 100 whatever is asked
CONTENT_TYPE = "application/json; charset=utf-8"
DOCS_URL = "https://docs.github.com/rest"

# Rate-limit bodies as GitHub words them (see testing/tests/data/github/SOURCES.md); PyGithub
# tells them apart by these messages alone.
PRIMARY_MESSAGE = "API rate limit exceeded for user ID 1."
PRIMARY_DOCS_URL = "https://docs.github.com/rest/overview/rate-limits-for-the-rest-api"
SECONDARY_MESSAGE = (
    "You have exceeded a secondary rate limit. Please wait a few minutes before you try again."
)
SECONDARY_DOCS_URL = (
    "https://docs.github.com/free-pro-team@latest/rest/overview/"
    "rate-limits-for-the-rest-api#about-secondary-rate-limits"
)


# --- Builders of realistic REST JSON ----------------------------------------------------------


def _number(kind: str, key: str) -> int:
    # Stable per object, so repeated builds of a dataset agree.
    return int(hashlib.sha1(f"{kind}:{key}".encode()).hexdigest()[:8], 16)


def _node_id(prefix: str, kind: str, key: str) -> str:
    return f"{prefix}_kwDO{hashlib.sha1(f'{kind}:{key}'.encode()).hexdigest()[:12]}"


def user(login: str) -> dict[str, Any]:
    """A user as GitHub embeds it in issues, milestones and pull requests."""
    api = f"{GITHUB_API}/users/{login}"
    return {
        "login": login,
        "id": _number("user", login),
        "node_id": _node_id("U", "user", login),
        "avatar_url": f"https://avatars.githubusercontent.com/u/{_number('user', login)}?v=4",
        "gravatar_id": "",
        "url": api,
        "html_url": f"{GITHUB_WEB}/{login}",
        "followers_url": f"{api}/followers",
        "following_url": f"{api}/following{{/other_user}}",
        "gists_url": f"{api}/gists{{/gist_id}}",
        "starred_url": f"{api}/starred{{/owner}}{{/repo}}",
        "subscriptions_url": f"{api}/subscriptions",
        "organizations_url": f"{api}/orgs",
        "repos_url": f"{api}/repos",
        "events_url": f"{api}/events{{/privacy}}",
        "received_events_url": f"{api}/received_events",
        "type": "User",
        "user_view_type": "public",
        "site_admin": False,
    }


def label(name: str, color: str = "ededed", *, repo: str = "octocat/Hello-World") -> dict[str, Any]:
    """A label as issues carry it; `repo` ("owner/name") only goes into its url."""
    return {
        "id": _number("label", f"{repo}:{name}"),
        "node_id": _node_id("LA", "label", f"{repo}:{name}"),
        "url": f"{GITHUB_API}/repos/{repo}/labels/{quote(name)}",
        "name": name,
        "color": color,
        "default": False,
        "description": None,
    }


def milestone(
    repo: str,
    number: int,
    title: str,
    *,
    state: str = "open",
    due_on: str | None = None,
    open_issues: int = 0,
    closed_issues: int = 0,
    creator: str = "octocat",
    description: str | None = None,
    created_at: str = "2026-10-01T09:00:00Z",
    updated_at: str = "2026-11-20T09:00:00Z",
    closed_at: str | None = None,
) -> dict[str, Any]:
    """A milestone as GET /repos/{o}/{n}/milestones lists it and issues embed it.

    A closed milestone without closed_at is taken to have closed at updated_at.
    """
    _check_state(state)
    api = f"{GITHUB_API}/repos/{repo}/milestones/{number}"
    return {
        "url": api,
        "html_url": f"{GITHUB_WEB}/{repo}/milestone/{number}",
        "labels_url": f"{api}/labels",
        "id": _number("milestone", f"{repo}#{number}"),
        "node_id": _node_id("MI", "milestone", f"{repo}#{number}"),
        "number": number,
        "title": title,
        "description": description,
        "creator": user(creator),
        "open_issues": open_issues,
        "closed_issues": closed_issues,
        "state": state,
        "created_at": created_at,
        "updated_at": updated_at,
        "due_on": due_on,
        "closed_at": _closed_at(state, closed_at, updated_at),
    }


def issue(
    repo: str,
    number: int,
    title: str,
    *,
    state: str = "open",
    labels: Sequence[str] = (),
    assignees: Sequence[str] = (),
    author: str = "octocat",
    milestone: dict[str, Any] | None = None,
    body: str | None = None,
    created_at: str = "2026-11-01T09:00:00Z",
    updated_at: str = "2026-11-20T09:00:00Z",
    closed_at: str | None = None,
    sub_issues: tuple[int, int] = (0, 0),
    pull_request: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """An item of GET /repos/{o}/{n}/issues in today's shape (type, sub-issue summaries).

    sub_issues is (total, completed). With pull_request the item stands for a pull request,
    as /issues lists those too (see pull_issue). A closed issue without closed_at is taken to
    have closed at updated_at, by its author.
    """
    _check_state(state)
    api = f"{GITHUB_API}/repos/{repo}/issues/{number}"
    total, completed = sub_issues
    people = [user(login) for login in assignees]
    item: dict[str, Any] = {
        "url": api,
        "repository_url": f"{GITHUB_API}/repos/{repo}",
        "labels_url": f"{api}/labels{{/name}}",
        "comments_url": f"{api}/comments",
        "events_url": f"{api}/events",
        "html_url": f"{GITHUB_WEB}/{repo}/issues/{number}",
        "id": _number("issue", f"{repo}#{number}"),
        "node_id": _node_id("I", "issue", f"{repo}#{number}"),
        "number": number,
        "title": title,
        "user": user(author),
        "labels": [label(name, repo=repo) for name in labels],
        "state": state,
        "locked": False,
        "assignee": people[0] if people else None,
        "assignees": people,
        "milestone": copy.deepcopy(milestone),
        "comments": 0,
        "created_at": created_at,
        "updated_at": updated_at,
        "closed_at": _closed_at(state, closed_at, updated_at),
        "author_association": "MEMBER",
        "type": None,  # the repository's owner defines no issue types
        "active_lock_reason": None,
        "sub_issues_summary": {
            "total": total,
            "completed": completed,
            "percent_completed": completed * 100 // total if total else 0,
        },
        "issue_dependencies_summary": {
            "blocked_by": 0,
            "total_blocked_by": 0,
            "blocking": 0,
            "total_blocking": 0,
        },
        "body": body,
        "closed_by": user(author) if state == "closed" else None,
        "reactions": _reactions(f"{api}/reactions"),
        "timeline_url": f"{api}/timeline",
        "performed_via_github_app": None,
        "state_reason": "completed" if state == "closed" else None,
    }
    if pull_request is not None:
        item["html_url"] = pull_request.get("html_url", item["html_url"])
        item["draft"] = False
        item["pull_request"] = copy.deepcopy(pull_request)
    return item


def pull(
    repo: str,
    number: int,
    title: str,
    *,
    state: str = "closed",
    merged_at: str | None = None,
    milestone: dict[str, Any] | None = None,
    author: str = "octocat",
    created_at: str = "2026-11-01T09:00:00Z",
    updated_at: str = "2026-11-20T09:00:00Z",
    closed_at: str | None = None,
) -> dict[str, Any]:
    """An item of GET /repos/{o}/{n}/pulls; head and base carry only what PyGithub reads.

    A closed pull request without closed_at closed when it merged, else at updated_at.
    """
    _check_state(state)
    if merged_at is not None and state != "closed":
        raise ValueError(f"pull request {repo}#{number} has merged_at but state {state!r}")
    api = f"{GITHUB_API}/repos/{repo}/pulls/{number}"
    issue_api = f"{GITHUB_API}/repos/{repo}/issues/{number}"
    html = f"{GITHUB_WEB}/{repo}/pull/{number}"
    head_sha = hashlib.sha1(f"{repo}#{number}:head".encode()).hexdigest()
    return {
        "url": api,
        "id": _number("pull", f"{repo}#{number}"),
        "node_id": _node_id("PR", "pull", f"{repo}#{number}"),
        "html_url": html,
        "diff_url": f"{html}.diff",
        "patch_url": f"{html}.patch",
        "issue_url": issue_api,
        "number": number,
        "state": state,
        "locked": False,
        "title": title,
        "user": user(author),
        "body": None,
        "created_at": created_at,
        "updated_at": updated_at,
        "closed_at": _closed_at(state, closed_at or merged_at, updated_at),
        "merged_at": merged_at,
        "merge_commit_sha": hashlib.sha1(f"{repo}#{number}:merge".encode()).hexdigest(),
        "assignee": None,
        "assignees": [],
        "requested_reviewers": [],
        "requested_teams": [],
        "labels": [],
        "milestone": copy.deepcopy(milestone),
        "draft": False,
        "commits_url": f"{api}/commits",
        "review_comments_url": f"{api}/comments",
        "review_comment_url": f"{GITHUB_API}/repos/{repo}/pulls/comments{{/number}}",
        "comments_url": f"{issue_api}/comments",
        "statuses_url": f"{GITHUB_API}/repos/{repo}/statuses/{head_sha}",
        "head": _branch(repo, f"topic-{number}", head_sha),
        "base": _branch(repo, "main", hashlib.sha1(f"{repo}:main".encode()).hexdigest()),
        "_links": {
            "self": {"href": api},
            "html": {"href": html},
            "issue": {"href": issue_api},
            "comments": {"href": f"{issue_api}/comments"},
            "review_comments": {"href": f"{api}/comments"},
            "review_comment": {"href": f"{GITHUB_API}/repos/{repo}/pulls/comments{{/number}}"},
            "commits": {"href": f"{api}/commits"},
            "statuses": {"href": f"{GITHUB_API}/repos/{repo}/statuses/{head_sha}"},
        },
        "author_association": "MEMBER",
        "auto_merge": None,
        "active_lock_reason": None,
    }


def pull_issue(p: dict[str, Any]) -> dict[str, Any]:
    """The item GET /repos/{o}/{n}/issues lists for pull request p (built by pull())."""
    return issue(
        p["base"]["repo"]["full_name"],
        p["number"],
        p["title"],
        state=p["state"],
        labels=[each["name"] for each in p["labels"]],
        assignees=[each["login"] for each in p["assignees"]],
        author=p["user"]["login"],
        milestone=p["milestone"],
        body=p["body"],
        created_at=p["created_at"],
        updated_at=p["updated_at"],
        closed_at=p["closed_at"],
        pull_request={
            "url": p["url"],
            "html_url": p["html_url"],
            "diff_url": p["diff_url"],
            "patch_url": p["patch_url"],
            "merged_at": p["merged_at"],
        },
    )


def _check_state(state: str) -> None:
    if state not in ("open", "closed"):
        raise ValueError(f"state must be 'open' or 'closed', not {state!r}")


def _closed_at(state: str, closed_at: str | None, updated_at: str) -> str | None:
    if state != "closed":
        return None
    return closed_at or updated_at


def _reactions(url: str) -> dict[str, Any]:
    counts = ("+1", "-1", "laugh", "hooray", "confused", "heart", "rocket", "eyes")
    return {"url": url, "total_count": 0, **dict.fromkeys(counts, 0)}


def _branch(repo: str, ref: str, sha: str) -> dict[str, Any]:
    owner, name = repo.split("/", 1)
    return {
        "label": f"{owner}:{ref}",
        "ref": ref,
        "sha": sha,
        "user": user(owner),
        "repo": {
            "id": _number("repo", repo),
            "node_id": _node_id("R", "repo", repo),
            "name": name,
            "full_name": repo,
            "private": True,
            "owner": user(owner),
            "html_url": f"{GITHUB_WEB}/{repo}",
            "url": f"{GITHUB_API}/repos/{repo}",
        },
    }


# Suffixes of the URL templates GET /repos/{o}/{n} lists, in GitHub's order.
_REPO_URLS = {
    "forks_url": "/forks",
    "keys_url": "/keys{/key_id}",
    "collaborators_url": "/collaborators{/collaborator}",
    "teams_url": "/teams",
    "hooks_url": "/hooks",
    "issue_events_url": "/issues/events{/number}",
    "events_url": "/events",
    "assignees_url": "/assignees{/user}",
    "branches_url": "/branches{/branch}",
    "tags_url": "/tags",
    "blobs_url": "/git/blobs{/sha}",
    "git_tags_url": "/git/tags{/sha}",
    "git_refs_url": "/git/refs{/sha}",
    "trees_url": "/git/trees{/sha}",
    "statuses_url": "/statuses/{sha}",
    "languages_url": "/languages",
    "stargazers_url": "/stargazers",
    "contributors_url": "/contributors",
    "subscribers_url": "/subscribers",
    "subscription_url": "/subscription",
    "commits_url": "/commits{/sha}",
    "git_commits_url": "/git/commits{/sha}",
    "comments_url": "/comments{/number}",
    "issue_comment_url": "/issues/comments{/number}",
    "contents_url": "/contents/{+path}",
    "compare_url": "/compare/{base}...{head}",
    "merges_url": "/merges",
    "archive_url": "/{archive_format}{/ref}",
    "downloads_url": "/downloads",
    "issues_url": "/issues{/number}",
    "pulls_url": "/pulls{/number}",
    "milestones_url": "/milestones{/number}",
    "notifications_url": "/notifications{?since,all,participating}",
    "labels_url": "/labels{/name}",
    "releases_url": "/releases{/id}",
    "deployments_url": "/deployments",
}


def _repository(full_name: str, open_issues: int) -> dict[str, Any]:
    """GET /repos/{o}/{n} for a private repository of an organisation, as its admin sees it."""
    owner, name = full_name.split("/", 1)
    org = {**user(owner), "type": "Organization", "node_id": _node_id("O", "org", owner)}
    api = f"{GITHUB_API}/repos/{full_name}"
    html = f"{GITHUB_WEB}/{full_name}"
    disabled = {"status": "disabled"}
    return {
        "id": _number("repo", full_name),
        "node_id": _node_id("R", "repo", full_name),
        "name": name,
        "full_name": full_name,
        "private": True,
        "owner": org,
        "html_url": html,
        "description": None,
        "fork": False,
        "url": api,
        **{key: api + suffix for key, suffix in _REPO_URLS.items()},
        "created_at": "2024-02-01T09:00:00Z",
        "updated_at": "2026-11-20T09:00:00Z",
        "pushed_at": "2026-11-20T09:00:00Z",
        "git_url": f"git://github.com/{full_name}.git",
        "ssh_url": f"git@github.com:{full_name}.git",
        "clone_url": f"{html}.git",
        "svn_url": html,
        "homepage": None,
        "size": 1024,
        "stargazers_count": 0,
        "watchers_count": 0,
        "language": "Python",
        "has_issues": True,
        "has_projects": True,
        "has_downloads": True,
        "has_wiki": False,
        "has_pages": False,
        "has_discussions": False,
        "forks_count": 0,
        "mirror_url": None,
        "archived": False,
        "disabled": False,
        "open_issues_count": open_issues,
        "license": None,
        "allow_forking": False,
        "is_template": False,
        "web_commit_signoff_required": False,
        "topics": [],
        "visibility": "private",
        "forks": 0,
        "open_issues": open_issues,
        "watchers": 0,
        "default_branch": "main",
        "permissions": {
            "admin": True,
            "maintain": True,
            "push": True,
            "triage": True,
            "pull": True,
        },
        "temp_clone_token": "",
        "allow_squash_merge": True,
        "allow_merge_commit": True,
        "allow_rebase_merge": True,
        "allow_auto_merge": False,
        "delete_branch_on_merge": True,
        "allow_update_branch": False,
        "use_squash_pr_title_as_default": False,
        "squash_merge_commit_message": "COMMIT_MESSAGES",
        "squash_merge_commit_title": "COMMIT_OR_PR_TITLE",
        "merge_commit_message": "PR_TITLE",
        "merge_commit_title": "MERGE_MESSAGE",
        "custom_properties": {},
        "organization": org,
        "security_and_analysis": {
            "secret_scanning": disabled,
            "secret_scanning_push_protection": disabled,
            "dependabot_security_updates": disabled,
            "secret_scanning_non_provider_patterns": disabled,
            "secret_scanning_validity_checks": disabled,
        },
        "network_count": 0,
        "subscribers_count": 1,
    }


def _authenticated_user() -> dict[str, Any]:
    """GET /user: the simple user plus the profile fields GitHub adds for oneself."""
    return {
        **user(AUTHENTICATED_LOGIN),
        "name": "The Octocat",
        "company": None,
        "blog": "",
        "location": None,
        "email": None,
        "hireable": None,
        "bio": None,
        "twitter_username": None,
        "notification_email": None,
        "public_repos": 0,
        "public_gists": 0,
        "followers": 0,
        "following": 0,
        "created_at": "2011-01-25T18:44:36Z",
        "updated_at": "2026-11-20T09:00:00Z",
    }


# Resource -> hourly limit, as /rate_limit lists them for a personal access token.
_RESOURCES = {
    "core": RATE_LIMIT,
    "search": 30,
    "graphql": 5000,
    "integration_manifest": 5000,
    "source_import": 100,
    "code_scanning_upload": 1000,
    "code_scanning_autofix": 10,
    "actions_runner_registration": 10000,
    "scim": 15000,
    "dependency_snapshots": 100,
    "audit_log": 1750,
    "audit_log_streaming": 15,
    "code_search": 10,
}


# --- The server -------------------------------------------------------------------------------


@dataclass
class Repo:
    """One repository's data: its milestones, its issues (pull requests' issues included, as
    /issues lists them; see pull_issue) and its pull requests."""

    milestones: list[dict[str, Any]] = field(default_factory=list)
    issues: list[dict[str, Any]] = field(default_factory=list)
    pulls: list[dict[str, Any]] = field(default_factory=list)


class FakeGitHub(LoopbackFake):
    """The GitHub REST API on 127.0.0.1 for the given repositories, keyed "owner/name".

    prefix is "" for github.com, "/api/v3" for GitHub Enterprise Server. With a token, requests
    must send `Authorization: token <t>` (or Bearer). `now` is the epoch the fake takes as the
    current time for X-RateLimit-Reset (default: the real clock). Every request is recorded in
    `requests`, in order. `repos` holds the fake's own copies, which a test may change between
    requests. A fault from `fail_next` still carries the X-RateLimit-* headers, unless its
    `headers` name them otherwise.
    """

    def __init__(
        self,
        repos: dict[str, Repo],
        *,
        token: str | None = None,
        latency: float = 0.0,
        prefix: str = "",
        now: float | None = None,
        port: int = 0,
    ) -> None:
        if prefix and (not prefix.startswith("/") or prefix.endswith("/")):
            raise ValueError(f"prefix must be '' or like '/api/v3', not {prefix!r}")
        for name in repos:
            if name.count("/") != 1:
                raise ValueError(f"repository keys look like 'owner/name', not {name!r}")
        super().__init__(latency=latency, port=port)
        self.repos = copy.deepcopy(repos)
        self.token = token
        self.prefix = prefix
        self.now = now
        self._used = 0
        # GitHub's hourly window; a fixed reset, as within one real window.
        self._window_reset = int(self._clock()) + 3600

    def rate_limit_next(
        self,
        path_suffix: str,
        *,
        kind: str,
        reset_in: float = 60,
        retry_after: float | None = None,
        status: int = 403,
        times: int = 1,
    ) -> None:
        """Refuse the next `times` matching requests as GitHub does past a rate limit.

        kind "primary": the hourly quota is spent (X-RateLimit-Remaining 0, the reset
        `reset_in` seconds after now); kind "secondary": too many requests too fast, with
        Retry-After when given and quota left.
        """
        if kind == "primary":
            message, docs, exhausts_for = PRIMARY_MESSAGE, PRIMARY_DOCS_URL, float(reset_in)
        elif kind == "secondary":
            message, docs, exhausts_for = SECONDARY_MESSAGE, SECONDARY_DOCS_URL, None
        else:
            raise ValueError(f"kind must be 'primary' or 'secondary', not {kind!r}")
        headers = {} if retry_after is None else {"Retry-After": f"{retry_after:g}"}
        body = json.dumps({"message": message, "documentation_url": docs, "status": str(status)})
        self._add_fault(
            Fault(path_suffix, status, body.encode(), headers, CONTENT_TYPE, times, exhausts_for)
        )

    # --- request handling ---

    def _clock(self) -> float:
        return self.now if self.now is not None else time.time()

    def _handle(self, handler: BaseHTTPRequestHandler) -> None:
        url, query, fault = self._receive(handler)
        authenticated = self._authenticated(handler.headers.get("Authorization"))
        with self._lock:
            # GitHub does not charge for asking about the quota, nor for refusals.
            if fault is None and authenticated and not url.path.endswith("/rate_limit"):
                self._used += 1
            used = self._used
        if self.latency:
            time.sleep(self.latency)
        if fault is not None:
            headers = self._fault_headers(fault, used)
            send(handler, fault.status, fault.body, fault.content_type, headers)
            return
        headers = self._rate_headers(used)
        try:
            if not authenticated:
                raise HttpError(401, "Bad credentials")
            status, payload, link = self._answer(handler.command, url.path, query)
        except HttpError as error:
            status, payload, link = error.status, _error_body(error.status, error.message), None
        except Exception as error:  # surface fake bugs to the client, not as a hung request
            status, link = 500, None
            payload = _error_body(500, f"fake GitHub failed: {error!r}")
        if link:
            headers["Link"] = link
        # Builders name api.github.com; PyGithub follows URLs only to its own base URL's origin.
        body = json.dumps(payload).replace(GITHUB_API, self.url).encode()
        send(handler, status, body, CONTENT_TYPE, headers)

    def _rate_headers(self, used: int) -> dict[str, str]:
        return {
            "X-RateLimit-Limit": str(RATE_LIMIT),
            "X-RateLimit-Remaining": str(max(0, RATE_LIMIT - used)),
            "X-RateLimit-Reset": str(self._window_reset),
            "X-RateLimit-Used": str(used),
            "X-RateLimit-Resource": "core",
        }

    def _fault_headers(self, fault: Fault, used: int) -> dict[str, str]:
        headers = self._rate_headers(used)
        if fault.exhausts_for is not None:
            headers["X-RateLimit-Remaining"] = "0"
            headers["X-RateLimit-Used"] = str(RATE_LIMIT)
            headers["X-RateLimit-Reset"] = str(int(self._clock() + fault.exhausts_for))
        overridden = {name.lower() for name in fault.headers}
        headers = {k: v for k, v in headers.items() if k.lower() not in overridden}
        return {**headers, **fault.headers}

    def _authenticated(self, header: str | None) -> bool:
        if self.token is None:
            return True
        scheme, _, credentials = (header or "").partition(" ")
        return scheme.lower() in ("token", "bearer") and credentials.strip() == self.token

    def _answer(
        self, method: str, path: str, query: dict[str, list[str]]
    ) -> tuple[int, Any, str | None]:
        if not path.startswith(self.prefix + "/"):
            raise HttpError(404, "Not Found")
        route = path[len(self.prefix) :].rstrip("/")
        if method != "GET":
            raise HttpError(405, f"The fake GitHub answers only GET, not {method} {route}")
        if route == "/rate_limit":
            return 200, self._rate_limit(), None
        if route == "/user":
            return 200, _authenticated_user(), None
        match = re.fullmatch(r"/repos/([^/]+/[^/]+)(?:/(milestones|issues|pulls))?", route)
        full_name = self._full_name(match.group(1)) if match else None
        if match is None or full_name is None:
            raise HttpError(404, "Not Found")
        data = self.repos[full_name]
        if match.group(2) is None:
            open_issues = sum(1 for i in data.issues if i["state"] == "open")
            return 200, _repository(full_name, open_issues), None
        lister: Callable[[Repo, dict[str, list[str]]], list[dict[str, Any]]] = {
            "milestones": self._milestones,
            "issues": self._issues,
            "pulls": self._pulls,
        }[match.group(2)]
        items, link = self._page(lister(data, query), path, query)
        return 200, items, link

    def _full_name(self, name: str) -> str | None:
        # GitHub matches owner and repository names case-insensitively.
        for full_name in self.repos:
            if full_name.casefold() == name.casefold():
                return full_name
        return None

    def _rate_limit(self) -> dict[str, Any]:
        with self._lock:
            used = self._used
        resources = {
            name: {"limit": limit, "used": 0, "remaining": limit, "reset": self._window_reset}
            for name, limit in _RESOURCES.items()
        }
        resources["core"].update(used=used, remaining=max(0, RATE_LIMIT - used))
        return {"resources": resources, "rate": dict(resources["core"])}

    def _milestones(self, repo: Repo, query: dict[str, list[str]]) -> list[dict[str, Any]]:
        state = _choice(query, "state", ("open", "closed", "all"), "open")
        # due_date is the name the API took before due_on; it still answers to it.
        sort = _choice(query, "sort", ("due_on", "due_date", "completeness"), "due_on")
        direction = _choice(query, "direction", ("asc", "desc"), "asc")
        chosen = [m for m in repo.milestones if state in ("all", m["state"])]

        def key(m: dict[str, Any]) -> tuple[Any, ...]:
            if sort == "completeness":
                total = m["open_issues"] + m["closed_issues"]
                return (m["closed_issues"] / total if total else 0.0, m["number"])
            # Milestones without a due date come after the dated ones.
            due = m["due_on"]
            return (due is None, _time(due) if due else 0.0, m["number"])

        return sorted(chosen, key=key, reverse=direction == "desc")

    def _issues(self, repo: Repo, query: dict[str, list[str]]) -> list[dict[str, Any]]:
        state = _choice(query, "state", ("open", "closed", "all"), "open")
        sort = _choice(query, "sort", ("created", "updated", "comments"), "created")
        direction = _choice(query, "direction", ("asc", "desc"), "desc")
        chosen = [i for i in repo.issues if state in ("all", i["state"])]
        labels = _first(query, "labels")
        if labels:
            wanted = {name.strip().casefold() for name in labels.split(",") if name.strip()}
            chosen = [i for i in chosen if wanted <= {x["name"].casefold() for x in i["labels"]}]
        chosen = [i for i in chosen if _milestone_matches(i, _first(query, "milestone"))]
        chosen = [i for i in chosen if _assignee_matches(i, _first(query, "assignee"))]
        creator = _first(query, "creator")
        if creator:
            chosen = [i for i in chosen if i["user"]["login"].casefold() == creator.casefold()]
        since = _first(query, "since")
        if since:
            since_time = _time(since, parameter="since")
            chosen = [i for i in chosen if _time(i["updated_at"]) >= since_time]

        def key(i: dict[str, Any]) -> tuple[Any, ...]:
            if sort == "comments":
                return (i.get("comments", 0), i["number"])
            return (_time(i[f"{sort}_at"]), i["number"])

        return sorted(chosen, key=key, reverse=direction == "desc")

    def _pulls(self, repo: Repo, query: dict[str, list[str]]) -> list[dict[str, Any]]:
        state = _choice(query, "state", ("open", "closed", "all"), "open")
        sorts = ("created", "updated", "popularity", "long-running")
        sort = _choice(query, "sort", sorts, "created")
        # As documented: desc when sort is created or not given, otherwise asc.
        direction = _choice(
            query, "direction", ("asc", "desc"), "desc" if sort == "created" else "asc"
        )
        chosen = [p for p in repo.pulls if state in ("all", p["state"])]
        base, head = _first(query, "base"), _first(query, "head")
        if base:
            chosen = [p for p in chosen if p["base"]["ref"] == base]
        if head:  # user:ref-name
            chosen = [p for p in chosen if p["head"]["label"] == head]
        now = self._clock()
        if sort == "long-running":  # "age, filtering by pulls updated in the last month"
            chosen = [p for p in chosen if now - _time(p["updated_at"]) <= 30 * 86400]

        def key(p: dict[str, Any]) -> tuple[Any, ...]:
            if sort == "popularity":  # comment count
                return (p.get("comments", 0), p["number"])
            if sort == "long-running":
                return (now - _time(p["created_at"]), p["number"])
            return (_time(p[f"{sort}_at"]), p["number"])

        return sorted(chosen, key=key, reverse=direction == "desc")

    def _page(
        self, items: list[dict[str, Any]], path: str, query: dict[str, list[str]]
    ) -> tuple[list[dict[str, Any]], str | None]:
        """One page of items and its Link header (None when everything fits one page)."""
        per_page = _integer(query, "per_page", PAGE_SIZE_DEFAULT)
        per_page = min(per_page if per_page > 0 else PAGE_SIZE_DEFAULT, PAGE_SIZE_MAX)
        page = max(1, _integer(query, "page", 1))
        last = max(1, -(-len(items) // per_page))
        # GitHub's order, as in its docs: prev, next, last, first.
        rels: list[tuple[str, int]] = []
        if page > 1:
            rels.append(("prev", min(page - 1, last)))
        if page < last:
            rels += [("next", page + 1), ("last", last)]
        if page > 1:
            rels.append(("first", 1))
        link = ", ".join(f'<{self._page_url(path, query, n)}>; rel="{r}"' for r, n in rels)
        start = (page - 1) * per_page
        return items[start : start + per_page], link or None

    def _page_url(self, path: str, query: dict[str, list[str]], page: int) -> str:
        # The other parameters stay as asked, in order; page takes its own place or goes last.
        pairs = [(k, str(page) if k == "page" else v) for k, vs in query.items() for v in vs]
        if "page" not in query:
            pairs.append(("page", str(page)))
        return f"{self.origin}{path}?{urlencode(pairs)}"


def _milestone_matches(item: dict[str, Any], wanted: str | None) -> bool:
    if wanted is None or wanted == "":
        return True
    if wanted == "*":
        return item["milestone"] is not None
    if wanted == "none":
        return item["milestone"] is None
    if not wanted.isdigit():
        raise HttpError(422, "Validation Failed")
    return item["milestone"] is not None and item["milestone"]["number"] == int(wanted)


def _assignee_matches(item: dict[str, Any], wanted: str | None) -> bool:
    if wanted is None or wanted == "":
        return True
    logins = {person["login"].casefold() for person in item["assignees"]}
    if wanted == "*":
        return bool(logins)
    if wanted == "none":
        return not logins
    return wanted.casefold() in logins


def _first(query: dict[str, list[str]], name: str) -> str | None:
    values = query.get(name)
    return values[0] if values else None


def _choice(query: dict[str, list[str]], name: str, allowed: tuple[str, ...], default: str) -> str:
    value = _first(query, name) or default
    if value not in allowed:
        raise HttpError(422, "Validation Failed")
    return value


def _integer(query: dict[str, list[str]], name: str, default: int) -> int:
    # GitHub ignores a page or per_page it cannot read rather than failing the request.
    text = _first(query, name)
    try:
        return int(text) if text else default
    except ValueError:
        return default


def _time(text: str, *, parameter: str | None = None) -> float:
    """Seconds since the epoch of an ISO 8601 time like 2026-11-20T09:00:00Z."""
    try:
        return datetime.fromisoformat(text.replace("Z", "+00:00")).timestamp()
    except ValueError:
        if parameter is None:
            raise
        raise HttpError(422, "Validation Failed") from None


def _error_body(status: int, message: str) -> dict[str, Any]:
    return {"message": message, "documentation_url": DOCS_URL, "status": str(status)}
