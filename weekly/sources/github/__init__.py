"""GitHub: bets (milestones, or issues with a label), blockers, decisions and merged PRs.

Per repository, whatever its size: one paginated listing (100 a page) each of the
milestones (or bet issues), the blocked issues, the decision issues, and the pull
requests updated since Monday (newest first, so the listing stops at the week's
start). A repository that fails is reported on its own; the others go on.
"""

from __future__ import annotations

import datetime as dt
import time
from collections import defaultdict
from collections.abc import Callable
from functools import partial

import requests
from github import Github, GithubException

from weekly.config import GitHubSection
from weekly.model import Bet, Blocker, Decision, SourceResult, SourceState, SourceStatus
from weekly.sources.budget import WaitBudget
from weekly.sources.context import PullContext, SourceFailure
from weekly.sources.github import mapping
from weekly.sources.github.session import Json, Listing, client, described, reset_at
from weekly.sources.source import Part, Retries, Source

NAME = mapping.NAME


def pull(ctx: PullContext, section: GitHubSection, waits: WaitBudget) -> list[Part]:
    """One part a repository, each failing on its own; all share the run's waiting budget."""
    github = client(section, ctx.env)
    names = {repo: f"{NAME} ({repo})" for repo in section.repositories}
    return [
        Part(name, partial(_pull, github, repo, section, waits, ctx, name))
        for repo, name in names.items()
    ]


def _pull(
    github: Github,
    repo: str,
    section: GitHubSection,
    waits: WaitBudget,
    ctx: PullContext,
    name: str,
) -> SourceResult:
    listing = Listing(repo, section, waits, time.time)
    listing.on_items = partial(_progress, ctx, f"{NAME} {repo}")
    bets, decisions = pull_repository(github, repo, section, listing, ctx)
    status = SourceStatus(name, SourceState.OK, pulled_at=ctx.now)
    return SourceResult(status, bets=tuple(bets), decisions=tuple(decisions))


def check(ctx: PullContext, section: GitHubSection) -> str:
    """Whether GitHub takes the token, and how many requests it has left: GET /user."""
    github = client(section, ctx.env)  # InputError when the token is unset
    with described(section):
        login = github.get_user().login
    try:
        # From /user's X-RateLimit-* headers; only without them is /rate_limit asked.
        remaining, _ = github.rate_limiting
        reset = github.rate_limiting_resettime
    except (GithubException, requests.exceptions.RequestException):
        # Enterprise Server with rate limiting off answers /rate_limit with 404.
        return f"as @{login}, no rate limit reported"
    if remaining <= 0:
        raise SourceFailure(f"as @{login}, but the rate limit is used up until {reset_at(reset)}")
    return f"as @{login}, {remaining:,} requests left this hour"


def pull_repository(
    github: Github, repo_name: str, section: GitHubSection, listing: Listing, ctx: PullContext
) -> tuple[list[Bet], list[Decision]]:
    zone = ctx.config.report.zone
    today = ctx.now.date()
    start = dt.datetime.combine(ctx.week.monday, dt.time(), zone)
    end = start + dt.timedelta(weeks=1)
    repo = github.get_repo(repo_name)  # lazy client: no request, the listings are enough

    blocked = [
        i
        for i in listing.all(repo.get_issues(state="open", labels=[section.blocked_label]))
        if not mapping.is_pull_request(i)
    ]
    if section.bets == "milestones":
        milestones = [
            m
            for m in listing.all(repo.get_milestones(state="all"))
            if m.get("state") == "open" or _closed_in(m, start, end)
        ]
        owner_of = _by_milestone(milestones, blocked)
        make_key: Callable[[str, Json], str] = mapping.milestone_key
        bet_json = milestones
    else:
        bet_issues = [
            i
            for i in listing.all(repo.get_issues(state="all", labels=[section.bet_label]))
            if not mapping.is_pull_request(i)
            and (i.get("state") == "open" or _closed_in(i, start, end))
        ]
        owner_of = _by_parent_issue(bet_issues, blocked)
        make_key = mapping.issue_key
        bet_json = bet_issues

    blockers_of: dict[str, list[Blocker]] = defaultdict(list)
    for issue in blocked:
        owner = owner_of.get(int(issue["number"]))
        key = make_key(repo_name, owner) if owner else None
        if key:
            blockers_of[key].append(mapping.blocker(repo_name, issue, key, zone))

    merged = [
        p
        for p in listing.all(
            repo.get_pulls(state="closed", sort="updated", direction="desc"),
            stop=lambda p: _updated_before(p, start),
        )
        if mapping.merged_in(p, start, end)
    ]

    bets = []
    for item in bet_json:
        key = make_key(repo_name, item)
        milestone = item if section.bets == "milestones" else (item.get("milestone") or {})
        delivered = tuple(
            mapping.delivery(repo_name, p)
            for p in merged
            if milestone and (p.get("milestone") or {}).get("number") == milestone.get("number")
        )
        make_bet = mapping.milestone_bet if section.bets == "milestones" else mapping.issue_bet
        bets.append(make_bet(repo_name, item, blockers_of[key], delivered, today))

    decisions = [
        mapping.decision(repo_name, i)
        for i in listing.all(repo.get_issues(state="open", labels=[section.decision_label]))
        if not mapping.is_pull_request(i)
    ]
    return bets, decisions


def _progress(ctx: PullContext, source: str, items: int, pages: int) -> None:
    ctx.pulled(source, items, pages)


def _by_milestone(milestones: list[Json], blocked: list[Json]) -> dict[int, Json]:
    """Blocked issue number → the milestone (bet) it belongs to."""
    by_number = {m.get("number"): m for m in milestones}
    return {
        int(i["number"]): by_number[(i.get("milestone") or {}).get("number")]
        for i in blocked
        if (i.get("milestone") or {}).get("number") in by_number
    }


def _by_parent_issue(bet_issues: list[Json], blocked: list[Json]) -> dict[int, Json]:
    """Blocked issue number → the bet issue it is a sub-issue of (else shares a milestone with)."""
    by_number = {int(b["number"]): b for b in bet_issues}
    by_milestone = {
        (b.get("milestone") or {}).get("number"): b for b in bet_issues if b.get("milestone")
    }
    owners = {}
    for issue in blocked:
        parent = mapping.parent_number(issue)
        if parent in by_number:
            owners[int(issue["number"])] = by_number[parent]
        elif (issue.get("milestone") or {}).get("number") in by_milestone:
            owners[int(issue["number"])] = by_milestone[
                (issue.get("milestone") or {}).get("number")
            ]
    return owners


def _closed_in(item: Json, start: dt.datetime, end: dt.datetime) -> bool:
    closed = mapping.timestamp(item.get("closed_at"))
    return closed is not None and start <= closed < end


def _updated_before(pull: Json, start: dt.datetime) -> bool:
    updated = mapping.timestamp(pull.get("updated_at"))
    return updated is not None and updated < start


SOURCE: Source[GitHubSection] = Source(
    name=NAME,
    section=lambda config: config.sources.github,
    secrets=lambda section: (section.token_env,),
    pull=pull,
    check_name="github",
    check=check,
    retries=lambda section: Retries(
        section.retry_budget_seconds, "sources.github.retry_budget_seconds"
    ),
)
