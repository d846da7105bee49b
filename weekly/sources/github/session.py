"""Talking to GitHub through PyGithub: listings page by page, rate limits within a budget.

PyGithub's own retry (urllib3 Retry) and its pause between requests are off: the retry
waits with no overall limit, and the 0.25 s pause would make a small report slow for no
reason. We obey GitHub's limits ourselves: on a primary limit (403/429 with
`X-RateLimit-Remaining: 0`) we wait until `X-RateLimit-Reset`, on a secondary limit
until `Retry-After` (else a minute), always within the run's waiting budget.

Objects are read through their raw JSON (`_rawData`), never through attributes or
`raw_data`: both make PyGithub fetch an object again when a field was not in the
listing, which is the classic N+1 here.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any, TypeVar

import requests
from github import Auth, Github, GithubException
from github.GithubObject import GithubObject

from weekly.config import GitHubSection
from weekly.errors import InputError
from weekly.scrub import secret_from
from weekly.sources.budget import WaitBudget
from weekly.sources.context import SourceFailure

PER_PAGE = 100  # the most GitHub returns a page
SECONDARY_DEFAULT_WAIT = 60.0  # GitHub: without Retry-After, wait at least a minute
T = TypeVar("T", bound=GithubObject)
Json = dict[str, Any]


def client(section: GitHubSection, env: Mapping[str, str]) -> Github:
    token = secret_from(env, section.token_env)
    if not token:
        raise InputError(
            f"sources.github: the environment variable {section.token_env} is not set; export "
            "it with a GitHub token that can read the repositories"
        )
    return Github(
        auth=Auth.Token(token),
        base_url=section.base_url,
        per_page=PER_PAGE,
        timeout=max(1, round(section.timeout_seconds)),
        retry=None,
        seconds_between_requests=None,
        seconds_between_writes=None,
        lazy=True,  # get_repo() makes no request: the listings are all we need
    )


@dataclass
class Listing:
    """Reads paginated listings of one repository, retrying within the budget."""

    repo: str
    section: GitHubSection
    budget: WaitBudget
    clock: Callable[[], float]
    # Called as items arrive with (items, pages) so far, across this repository's listings.
    on_items: Callable[[int, int], None] | None = None
    items: int = 0

    def all(self, pages: Iterable[T], stop: Callable[[Json], bool] | None = None) -> list[Json]:
        """The raw JSON of every item, until `stop` says an item is past what we need."""
        items: list[Json] = []
        self.budget.check()  # past the pull's time limit: not even the first page
        while True:
            with described(self.section, self.repo):
                try:
                    self._read(pages, items, stop)
                    return items
                except GithubException as exc:
                    if not self._waited(exc):
                        raise

    def _read(
        self, pages: Iterable[T], items: list[Json], stop: Callable[[Json], bool] | None
    ) -> None:
        for index, item in enumerate(pages):
            self.budget.check()
            if index < len(items):
                continue  # already read before a retry; PyGithub keeps read pages
            raw = raw_json(item)
            if stop is not None and stop(raw):
                return
            items.append(raw)
            self._counted()

    def _counted(self) -> None:
        self.items += 1
        if self.on_items is not None and self.items % PER_PAGE in (0, 1):
            self.on_items(self.items, -(-self.items // PER_PAGE))

    def _waited(self, exc: GithubException) -> bool:
        """Waits out a rate limit within the budget; False when `exc` is no rate limit."""
        headers = _headers(exc)
        if _used_up(exc):
            reset = float(headers.get("x-ratelimit-reset", "0") or 0)
            delay = max(reset - self.clock(), 1.0)
            self.budget.wait(delay, f"GitHub's rate limit is used up until {reset_at(reset)}")
            return True
        retry_after = headers.get("retry-after")
        if exc.status == 429 or (exc.status == 403 and (retry_after or _secondary(_said(exc)))):
            delay = float(retry_after) if retry_after else SECONDARY_DEFAULT_WAIT
            self.budget.wait(delay, f"GitHub's secondary rate limit asks to wait {delay:.0f} s")
            return True
        return False


@contextmanager
def described(section: GitHubSection, repo: str | None = None) -> Iterator[None]:
    """Turns a request that failed into a SourceFailure saying what to fix, in one line:
    for a repository's listing, or (no `repo`) for `weekly doctor`'s GET /user."""
    try:
        yield
    except GithubException as exc:
        raise SourceFailure(describe_error(exc, section, repo)) from None
    except requests.exceptions.Timeout:
        raise SourceFailure(
            f"GitHub did not answer within {section.timeout_seconds:g} s "
            "(sources.github.timeout_seconds)"
        ) from None
    except requests.exceptions.ConnectionError:
        raise SourceFailure(
            f"cannot reach GitHub at {section.base_url}; check sources.github.base_url"
        ) from None


def describe_error(exc: GithubException, section: GitHubSection, repo: str | None) -> str:
    """One line for an error answer; never the token or the request's headers."""
    status, message = exc.status, _said(exc)
    if _used_up(exc):  # a listing waits for the reset first; only the budget ends that
        reset = float(_headers(exc).get("x-ratelimit-reset", "0") or 0)
        return f"GitHub's rate limit for {section.token_env} is used up until {reset_at(reset)}"
    if status == 401:
        return f"GitHub answered 401 (bad credentials): check {section.token_env}"
    if repo is None:  # GET /user
        if status == 404:
            return f"GitHub answered 404 at {section.base_url}/user; check sources.github.base_url"
        if status >= 500:
            return f"GitHub answered {status} (server error)"
        return f"GitHub answered {status}{': ' + message if message else ''}"
    if status == 403:
        return (
            f"GitHub answered 403 for {repo}: the token in {section.token_env} may not read "
            f"it{': ' + message if message else ''}"
        )
    if status == 404:
        return (
            f"GitHub answered 404: no repository {repo}, or the token in {section.token_env} "
            "cannot see it"
        )
    if status >= 500:
        return (
            f"GitHub answered {status} (server error) for {repo}: a fault on GitHub's side, "
            "not in your config; the next hourly run tries again (or run weekly draft later)"
        )
    return f"GitHub answered {status} for {repo}{': ' + message if message else ''}"


def raw_json(item: GithubObject) -> Json:
    # `_rawData` is the listing's JSON as received: reading it never triggers a request.
    data = item._rawData
    return data if isinstance(data, dict) else {}


def _secondary(message: str) -> bool:
    text = message.lower()
    return text.startswith("you have exceeded a secondary rate limit") or text.endswith(
        (
            "please retry your request again later.",
            "please wait a few minutes before you try again.",
        )
    )


def _headers(exc: GithubException) -> dict[str, str]:
    return {k.lower(): str(v) for k, v in (exc.headers or {}).items()}


def _said(exc: GithubException) -> str:
    return str((exc.data or {}).get("message", "")) if isinstance(exc.data, dict) else ""


def _used_up(exc: GithubException) -> bool:
    """The primary rate limit: GitHub answers 403 or 429 with no requests remaining."""
    return exc.status in (403, 429) and _headers(exc).get("x-ratelimit-remaining") == "0"


def reset_at(reset: float) -> str:
    """A rate limit's reset (epoch seconds) as the messages say it: 14:05 UTC."""
    return dt.datetime.fromtimestamp(reset, dt.UTC).strftime("%H:%M UTC")
