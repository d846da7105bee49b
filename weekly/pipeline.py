"""Pull every configured source and assemble the week's Report."""

from __future__ import annotations

import dataclasses
import datetime as dt
import time
from collections.abc import Mapping
from concurrent.futures import ThreadPoolExecutor

from weekly.config import Config
from weekly.hill import place
from weekly.model import Report, SourceResult, SourceState, SourceStatus
from weekly.progress import PullProgress
from weekly.scrub import scrub, secret_values
from weekly.sources import SOURCES, PullContext, Source, SourceFailure
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
    enabled = [s for s in SOURCES.values() if s.enabled(config)]
    # Sources wait on the network, so they are pulled at once: the pull takes about as long
    # as the slowest source. Results keep the registry's order; one failing stops no other.
    with ThreadPoolExecutor(max_workers=len(enabled) or 1, thread_name_prefix="pull") as pool:
        results = [r for pulled in pool.map(lambda s: _pull(s, ctx), enabled) for r in pulled]
    # The boundary: nothing a source or its server handed back keeps a configured secret.
    results = scrub(results, secret_values(config, env))
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


def _pull(source: Source, ctx: PullContext) -> list[SourceResult]:
    """One source's facts; a source that fails is reported as failed, and the run goes on."""
    try:
        pulled = source.pull(ctx)
    except SourceFailure as exc:
        return [SourceResult(SourceStatus(source.name, SourceState.FAILED, None, reason=str(exc)))]
    return [_stamped(r) for r in (pulled if isinstance(pulled, list) else [pulled])]


def _stamped(result: SourceResult) -> SourceResult:
    """Each bet and decision names the source it came from, as its status is named: the
    draft keeps a failed source's items from its last good pull by that name."""
    name = result.status.name
    return dataclasses.replace(
        result,
        bets=tuple(dataclasses.replace(b, source=name) for b in result.bets),
        decisions=tuple(dataclasses.replace(d, source=name) for d in result.decisions),
    )
