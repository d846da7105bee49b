"""Talking to Jira through the `jira` client: connect, search page by page, retry in a budget.

Jira Cloud removed `/search` (410 Gone since 2025) for `/search/jql`, which pages with
`nextPageToken` and gives no total; Server and Data Center still page `/search` with
`startAt`. `serverInfo` says which one we talk to. The client's own retries are off
(`max_retries=0`): they wait twice the Retry-After with no overall limit, and we must
never wait past the configured budget.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from functools import partial
from typing import Any, TypeVar

import requests
from jira import JIRA, JIRAError

from weekly.config import JiraSection
from weekly.errors import InputError
from weekly.scrub import secret_from
from weekly.sources.budget import WaitBudget
from weekly.sources.context import SourceFailure

PAGE_SIZE = 100  # the most Jira returns a page when fields are asked for
T = TypeVar("T")


@dataclass
class RetryBudget:
    """Retries 429 and 503 after their Retry-After, within the run's waiting budget."""

    budget: WaitBudget
    section: JiraSection

    def call(self, request: Callable[[], T]) -> T:
        attempt = 0
        while True:
            self.budget.check()
            with described(self.section):
                try:
                    return request()
                except JIRAError as exc:
                    if exc.status_code not in (429, 503):
                        raise
                    delay = _retry_after(exc.response) or min(2.0**attempt, 30.0)
                    self.budget.wait(
                        delay,
                        f"Jira answered {exc.status_code} ({_busy(exc.status_code)}) and asks "
                        f"to retry in {delay:.0f} s",
                    )
            attempt += 1


@contextmanager
def described(section: JiraSection) -> Iterator[None]:
    """Turns a request that failed into a SourceFailure saying what to fix, in one line:
    for a run's pull and for `weekly doctor` alike."""
    try:
        yield
    except JIRAError as exc:
        raise SourceFailure(describe_error(exc, section)) from None
    except requests.exceptions.Timeout:
        raise SourceFailure(
            f"Jira at {section.url} did not answer within {section.timeout_seconds:g} s "
            "(sources.jira.timeout_seconds)"
        ) from None
    except requests.exceptions.ConnectionError:
        raise SourceFailure(f"cannot reach Jira at {section.url}; check sources.jira.url") from None
    except (json.JSONDecodeError, requests.exceptions.JSONDecodeError):
        raise SourceFailure(
            "Jira answered with something that is not JSON (an error page from a proxy?)"
        ) from None


@dataclass
class JiraSession:
    client: JIRA
    cloud: bool
    budget: RetryBudget
    # Called after each page with (items, pages) so far, across all searches.
    on_page: Callable[[int, int], None] | None = None
    items: int = 0
    pages: int = 0

    def search(
        self, jql: str, fields: list[str], expand: str | None = None
    ) -> Iterator[dict[str, Any]]:
        """Every issue the JQL finds, a page of 100 at a time, with only `fields`."""
        if self.cloud:
            token: str | None = None
            while True:
                search = self.client.enhanced_search_issues
                answer = self._page(search, jql, fields, expand, nextPageToken=token)
                yield from answer["issues"]
                token = answer.get("nextPageToken")
                if answer.get("isLast", token is None) or not token:
                    return
        else:
            start = 0
            while True:
                answer = self._page(self.client.search_issues, jql, fields, expand, startAt=start)
                issues = answer["issues"]
                yield from issues
                start += len(issues)
                if not issues or start >= int(answer.get("total", 0)):
                    return

    def _page(
        self,
        search: Callable[..., object],
        jql: str,
        fields: list[str],
        expand: str | None,
        **paging: object,
    ) -> dict[str, Any]:
        """One page of a search, through the retry budget, counted for the progress line."""
        page = _checked(
            self.budget.call(
                partial(
                    search,
                    jql,
                    maxResults=PAGE_SIZE,
                    fields=list(fields),  # the client rewrites the list it is given
                    expand=expand,
                    json_result=True,
                    **paging,
                )
            )
        )
        self.items += len(page["issues"])
        self.pages += 1
        if self.on_page is not None:
            self.on_page(self.items, self.pages)
        return page


def connect(section: JiraSection, env: Mapping[str, str], budget: RetryBudget) -> JiraSession:
    """Log in with the token from the environment and learn whether the site is Cloud."""
    token = secret_from(env, section.token_env)
    if not token:
        raise InputError(
            f"sources.jira: the environment variable {section.token_env} is not set; export it "
            "with a Jira API token (Cloud, together with sources.jira.email) or a personal "
            "access token (Server/Data Center)"
        )
    jira = budget.call(partial(client, section, token, server_info=True))
    return JiraSession(client=jira, cloud=jira.deploymentType == "Cloud", budget=budget)


def client(section: JiraSection, token: str, *, server_info: bool) -> JIRA:
    """The `jira` client for the site, logged in with `token`; it asks serverInfo at once
    when `server_info` is set, else it makes no request."""
    auth: dict[str, Any] = (
        {"basic_auth": (section.email, token)} if section.email else {"token_auth": token}
    )
    return JIRA(
        server=section.url,
        options={"check_update": False},
        timeout=section.timeout_seconds,
        max_retries=0,
        get_server_info=server_info,
        **auth,
    )


def describe_error(exc: JIRAError, section: JiraSection) -> str:
    """One line for a Jira error answer. Never str(exc): it can carry the request's headers."""
    status = exc.status_code
    said = _error_messages(exc.response)
    if status == 401:
        who = f"{section.token_env} and sources.jira.email" if section.email else section.token_env
        return f"Jira answered 401 (not authenticated): check {who}"
    if status == 403:
        return (
            f"Jira answered 403 (forbidden): the account behind {section.token_env} may not "
            "browse these projects, or its token has expired"
        )
    if status == 404:
        return f"Jira answered 404 at {section.url}: check sources.jira.url"
    if status == 400:
        return (
            f"Jira rejected a query: {said or 'bad request'}; check sources.jira's JQL and fields"
        )
    if status is not None and status >= 500:
        return (
            f"Jira answered {status} (server error){': ' + said if said else ''}; a fault on "
            "the Jira site, not in your config: the next hourly run tries again (or run weekly "
            "draft later), and the site's admins can tell more"
        )
    return f"Jira answered {status}{': ' + said if said else ''}"


def _checked(page: object) -> dict[str, Any]:
    """A search answer, checked to hold a list of issues."""
    if not isinstance(page, dict) or not isinstance(page.get("issues"), list):
        raise SourceFailure(
            "Jira answered a search with no list of issues; is the URL a Jira site?"
        )
    return page


def _busy(status: int | None) -> str:
    return "rate limited" if status == 429 else "unavailable"


def _retry_after(response: requests.Response | None) -> float | None:
    value = response.headers.get("Retry-After") if response is not None else None
    try:
        return max(float(value), 0.0) if value else None
    except ValueError:
        return None  # an HTTP date instead of seconds: fall back to backing off


def _error_messages(response: requests.Response | None) -> str:
    if response is None:
        return ""
    try:
        body = response.json()
    except ValueError:
        return ""
    if not isinstance(body, dict):
        return ""
    messages = [str(m) for m in body.get("errorMessages", [])]
    messages += [f"{k}: {v}" for k, v in (body.get("errors") or {}).items()]
    return "; ".join(messages)[:300]
