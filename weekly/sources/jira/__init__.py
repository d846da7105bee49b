"""Jira: bets (epics or a JQL), their progress and blockers, and the decisions needed.

Requests a run makes, whatever the number of bets: `serverInfo`, `/field`, then one
paginated search each for the bets, their children (all bets in one `parent in (…)`
query per 100 bets), the blockers' changelogs and the decisions. Never a request per
issue.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from functools import partial

from weekly.config import JiraSection
from weekly.errors import InputError
from weekly.model import SourceResult, SourceState, SourceStatus
from weekly.scrub import secret_from
from weekly.sources.budget import WaitBudget
from weekly.sources.context import PullContext, SourceFailure
from weekly.sources.jira import mapping
from weekly.sources.jira.fields import FieldIds, clause_names, resolve
from weekly.sources.jira.session import RetryBudget, client, connect, described
from weekly.sources.source import Part, Retries, Source
from weekly.weeks import IsoWeek

NAME = mapping.NAME
_KEYS_A_QUERY = 100  # keeps each `in (…)` list, and so the URL, short


def pull(ctx: PullContext, section: JiraSection, waits: WaitBudget) -> list[Part]:
    name = f"{NAME} ({_host(section.url)})"
    return [Part(name, partial(_pull, ctx, section, waits, name))]


def _pull(ctx: PullContext, section: JiraSection, waits: WaitBudget, name: str) -> SourceResult:
    budget = RetryBudget(waits, section)
    session = connect(section, ctx.env, budget)
    session.on_page = lambda items, pages: ctx.pulled(NAME, items, pages)
    site_fields = budget.call(session.client.fields)
    ids = resolve(site_fields, section.fields)
    # The client would fetch /field again to translate names; it gets ours.
    session.client._fields_cache_value = clause_names(site_fields)

    epics = list(session.search(bets_jql(section, ctx.week), bet_fields(ids), expand="changelog"))
    bet_keys = [str(e["key"]) for e in epics]
    site = section.url
    weeks = ctx.config.forecast.weeks
    children: dict[str, mapping.Children] = defaultdict(lambda: mapping.Children(weeks=weeks))
    for chunk in _chunks(bet_keys):
        for child in session.search(children_jql(chunk, ids), child_fields(ids)):
            owner = mapping.parent_key(child, ids, set(chunk))
            if owner:
                children[owner].add(child, ids, section.blocked_statuses, site, ctx.week)

    since = {}
    blocked_keys = [str(c["key"]) for tally in children.values() for c in tally.blocked]
    for chunk in _chunks(blocked_keys):
        for issue in session.search(f"key in ({', '.join(chunk)})", ["updated"], "changelog"):
            since[str(issue["key"])] = mapping.blocked_since(issue, ids, section.blocked_statuses)

    bets = []
    for epic in epics:
        key = str(epic["key"])
        tally = children[key]
        blockers = [
            mapping.blocker(issue, key, since.get(str(issue["key"])), site)
            for issue in tally.blocked
        ]
        bets.append(mapping.bet(epic, tally, blockers, ids, site, ctx.week, ctx.now.date()))

    decisions = [
        mapping.decision(issue, ids, site)
        for issue in session.search(decisions_jql(section, ctx.week), decision_fields(ids))
    ]
    status = SourceStatus(name=name, state=SourceState.OK, pulled_at=ctx.now)
    return SourceResult(status=status, bets=tuple(bets), decisions=tuple(decisions))


def check(ctx: PullContext, section: JiraSection) -> str:
    """Whether the site takes the token: one request, `/myself`; no serverInfo, no retries."""
    token = secret_from(ctx.env, section.token_env)
    if not token:
        raise InputError(
            f"{section.token_env} is not set: export a Jira API token in it (Cloud, with "
            "sources.jira.email) or a personal access token (Server/Data Center)"
        )
    with described(section):
        me = client(section, token, server_info=False).myself()
    who = me.get("displayName") if isinstance(me, dict) else None
    if not who:
        raise SourceFailure(f"{section.url}/rest/api/2/myself did not name a user; is it Jira?")
    return f"logged in as {who} at {section.url}"


def bets_jql(section: JiraSection, week: IsoWeek) -> str:
    """The configured JQL, else the epics of the projects not done or done this week."""
    if section.bets_jql:
        return section.bets_jql
    return (
        f"project in ({_list(section.projects)}) AND issuetype = {_quote(section.bet_issue_type)} "
        f'AND (statusCategory != Done OR resolved >= "{week.monday}") ORDER BY key'
    )


def children_jql(bet_keys: list[str], ids: FieldIds) -> str:
    keys = ", ".join(bet_keys)
    clause = f"parent in ({keys})"
    if ids.epic_link:  # company-managed projects on older sites link children this way
        clause += f' OR "Epic Link" in ({keys})'
    return f"{clause} ORDER BY key"


def decisions_jql(section: JiraSection, week: IsoWeek) -> str:
    if section.decisions_jql:
        return section.decisions_jql
    which = (
        f"issuetype = {_quote(section.decision_issue_type)}"
        if section.decision_issue_type
        else f"labels = {_quote(section.decision_label)}"
    )
    projects = f"project in ({_list(section.projects)}) AND " if section.projects else ""
    return (
        f'{projects}{which} AND (statusCategory != Done OR resolved >= "{week.monday}") '
        "ORDER BY key"
    )


def bet_fields(ids: FieldIds) -> list[str]:
    return _present(
        ["summary", "status", "assignee", "duedate", "resolutiondate", "issuetype"],
        [ids.target_date, ids.confidence, ids.health],
    )


def child_fields(ids: FieldIds) -> list[str]:
    return _present(
        ["summary", "status", "assignee", "resolutiondate", "updated", "parent", "issuelinks"],
        [ids.epic_link, ids.flagged, ids.story_points],
    )


def decision_fields(ids: FieldIds) -> list[str]:
    return _present(
        ["summary", "status", "assignee", "reporter", "duedate", "description", "resolutiondate"],
        [ids.approver, ids.driver, ids.contributors, ids.informed],
    )


def _present(system: list[str], custom: Iterable[str | None]) -> list[str]:
    return system + [c for c in custom if c]


def _chunks(keys: list[str]) -> Iterable[list[str]]:
    for start in range(0, len(keys), _KEYS_A_QUERY):
        yield keys[start : start + _KEYS_A_QUERY]


def _quote(value: str) -> str:
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _list(values: Iterable[str]) -> str:
    return ", ".join(_quote(v) for v in values)


def _host(url: str) -> str:
    return url.split("://", 1)[-1].split("/", 1)[0]


SOURCE: Source[JiraSection] = Source(
    name=NAME,
    section=lambda config: config.sources.jira,
    secrets=lambda section: (section.token_env,),
    pull=pull,
    check_name="jira",
    check=check,
    retries=lambda section: Retries(
        section.retry_budget_seconds, "sources.jira.retry_budget_seconds"
    ),
)
