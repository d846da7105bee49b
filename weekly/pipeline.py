"""Pull every configured source and assemble the week's Report."""

from __future__ import annotations

import dataclasses
import datetime as dt
import time
from collections.abc import Mapping
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from weekly.config import Config
from weekly.hill import place
from weekly.model import Report, SourceResult, SourceState, SourceStatus
from weekly.progress import PullProgress
from weekly.scrub import scrub, secret_values
from weekly.sources import SOURCES, Part, PullContext, Source, SourceFailure
from weekly.sources.budget import WaitBudget
from weekly.weeks import IsoWeek


def build_report(
    config: Config,
    now: dt.datetime,
    env: Mapping[str, str],
    week: IsoWeek,
    progress: PullProgress | None = None,
) -> Report:
    """Pull every enabled source for `week`, as of `now` (shown in the team's zone)."""
    local_now = now.astimezone(config.report.zone)
    deadline = time.monotonic() + config.report.pull_budget_seconds
    ctx = PullContext(config, week, local_now, env, deadline=deadline, progress=progress)
    enabled = [s for s in SOURCES.values() if s.section(config) is not None]
    # Sources wait on the network, so they are pulled at once: the pull takes about as long
    # as the slowest source. Results keep the registry's order; one failing stops no other.
    with ThreadPoolExecutor(max_workers=len(enabled) or 1, thread_name_prefix="pull") as pool:
        results = [r for pulled in pool.map(lambda s: pull_source(s, ctx), enabled) for r in pulled]
    # The boundary: nothing a source or its server handed back keeps a configured secret.
    results = scrub(results, secrets(config, env))
    metrics = {m.key: m for r in results for m in r.metrics}
    nsm_key = config.metrics.nsm
    report = Report(
        team=config.report.team,
        week=ctx.week,
        generated_at=local_now,
        nsm=metrics[nsm_key],
        metrics=tuple(metrics[k] for k in config.metric_keys if k != nsm_key),
        bets=tuple(b for r in results for b in r.bets),
        decisions=tuple(d for r in results for d in r.decisions),
        sources=tuple(r.status for r in results),
        headline=next((r.headline for r in results if r.headline), None),
        language=config.report.language,
    )
    return place(report, config.hill)


def pull_source(source: Source[Any], ctx: PullContext) -> list[SourceResult]:
    """One source's results, a part at a time; a part that fails is reported as failed,
    and the run goes on. Its waiting budget ends at the run's deadline."""
    section = source.section(ctx.config)
    if section is None:
        return []
    retries = source.retries(section)
    waits = WaitBudget(retries.seconds, ctx.sleep, retries.key, ctx.deadline)
    try:
        parts = source.pull(ctx, section, waits)
    except SourceFailure as exc:  # before it had parts: the source fails as a whole
        return [failed(source.name, exc)]
    return [_pulled(part) for part in parts]


def failed(name: str, failure: SourceFailure) -> SourceResult:
    """What the page shows of a source, or a part of one, that could not be pulled."""
    return SourceResult(SourceStatus(name, SourceState.FAILED, None, reason=str(failure)))


def secrets(config: Config, env: Mapping[str, str]) -> tuple[str, ...]:
    """Every secret a run holds, to scrub: those each configured source declares, and the
    SMTP password."""
    names = [
        name
        for source in SOURCES.values()
        if (section := source.section(config)) is not None
        for name in source.secrets(section)
    ]
    if config.delivery is not None and config.delivery.smtp.password_env:
        names.append(config.delivery.smtp.password_env)
    return secret_values(env, names)


def _pulled(part: Part) -> SourceResult:
    try:
        return _stamped(part.pull())
    except SourceFailure as exc:
        return failed(part.name, exc)


def _stamped(result: SourceResult) -> SourceResult:
    """Each bet and decision names the source it came from, as its status is named: the
    draft keeps a failed source's items from its last good pull by that name."""
    name = result.status.name
    return dataclasses.replace(
        result,
        bets=tuple(dataclasses.replace(b, source=name) for b in result.bets),
        decisions=tuple(dataclasses.replace(d, source=name) for d in result.decisions),
    )
