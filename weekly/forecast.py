"""When a bet will likely finish, from the team's own throughput: a Monte Carlo forecast.

Each week of the last N (`forecast.weeks`, default 12) the bet finished some of its items.
A simulated future draws each week's finished count from those weeks, at random, until
the items left are done; many such futures give the dates by which the bet finishes in
50% and in 85% of them. The draws are seeded by the team, the week and the bet, so the
preview and the send agree. The weeks before the bet's first finished item are left
out (its work had not started). Where that leaves fewer than `_MIN_WEEKS` weeks or
`_MIN_ITEMS` items (but some), the team's throughput shared among its open bets stands
in. A bet whose 85% date is after its target is at risk by forecast; one with nothing
finished in N weeks gets no date, and says so.

Sources give each bet its weeks (`Bet.throughput`) where they can: Jira from the
children's resolution dates in the same pull. Where they cannot (a GitHub milestone, a
bets file), the bet's done count in the sent reports stands in, week by week.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import math
from collections.abc import Iterable, Sequence

import numpy as np

from weekly.model import Bet, Forecast, Report, Status
from weekly.weeks import IsoWeek

WEEKS = 12  # forecast.weeks unset: the weeks of throughput a forecast draws from
RUNS = 2000  # simulated futures a forecast
LIKELY, SAFE = 0.50, 0.85
# A bet's own history is enough with this many weeks since its first finished item, and
# this many items finished in them; with less (but some), the team's stands in.
_MIN_WEEKS, _MIN_ITEMS = 2, 3
_HORIZON = 260  # weeks simulated at most (five years): past it, "not within five years"


def weeks_of(finished: Sequence[dt.date], week: IsoWeek, weeks: int) -> tuple[int, ...]:
    """How many of `finished` (dates items were finished on) fell in each of the `weeks`
    weeks up to and including `week`, oldest first."""
    counts = [0] * weeks
    first = week.shift(-(weeks - 1)).monday
    for day in finished:
        if first <= day <= week.sunday:
            counts[(day - first).days // 7] += 1
    return tuple(counts)


def from_history(bet: Bet, past: Sequence[Report], weeks: int) -> tuple[int, ...]:
    """The bet's finished items a week from the sent reports (its done count, week on week),
    for a source that gives no dates; empty when fewer than two reports showed it."""
    done = {
        r.week: b.progress.done for r in past for b in r.bets if b.key == bet.key and b.progress
    }
    if bet.progress is None or not done:
        return ()
    latest = max(done)
    done[latest.shift(1)] = bet.progress.done  # this week's, as pulled now
    counts = []
    for back in range(weeks - 1, -1, -1):
        this, before = latest.shift(1 - back), latest.shift(-back)
        if this in done and before in done:
            counts.append(max(done[this] - done[before], 0))
    return tuple(counts)


def simulate(remaining: float, samples: Sequence[float], seed: int) -> tuple[int, int] | None:
    """Weeks until `remaining` items are done in 50% and in 85% of RUNS futures, each week
    drawn from `samples`; None when nothing was ever finished. Past _HORIZON weeks a
    future counts as _HORIZON + 1."""
    draws = np.asarray(samples, dtype=float)
    if remaining <= 0:
        return (0, 0)
    if not len(draws) or draws.max() <= 0:
        return None
    rng = np.random.default_rng(seed)
    mean = float(draws.mean())
    horizon = min(_HORIZON, max(8, math.ceil(3 * remaining / mean) + 4))
    weeks = rng.choice(draws, size=(RUNS, horizon)).cumsum(axis=1)
    finished = weeks >= remaining - 1e-9
    taken = np.where(finished.any(axis=1), finished.argmax(axis=1) + 1, _HORIZON + 1)
    taken.sort()
    return int(taken[math.ceil(LIKELY * RUNS) - 1]), int(taken[math.ceil(SAFE * RUNS) - 1])


def forecast(report: Report, past: Sequence[Report] = (), weeks: int = WEEKS) -> Report:
    """The report with a forecast on each open bet that has items left."""
    open_bets = [b for b in report.bets if b.status is not Status.DONE and _left(b) > 0]
    histories = {b.key: b.throughput or from_history(b, past, weeks) for b in open_bets}
    team = _team(histories.values(), len(open_bets))
    bets = []
    for bet in report.bets:
        if bet.key not in histories or not bet.forecasted:
            bets.append(bet)
            continue
        own = _since_first(histories[bet.key])
        # Nothing finished in the weeks: no date, whatever the team did. A little: the team's.
        little = len(own) < _MIN_WEEKS or sum(own) < _MIN_ITEMS
        shared = bool(own) and little and bool(team)
        samples = team if shared else own
        seed = _seed(report.team, report.week, bet.key)
        result = simulate(_left(bet), samples, seed)
        friday = report.week.monday + dt.timedelta(days=4)
        bets.append(
            dataclasses.replace(
                bet,
                forecast=Forecast(
                    likely=friday + dt.timedelta(weeks=result[0]) if result else None,
                    safe=friday + dt.timedelta(weeks=result[1]) if result else None,
                    weeks=len(samples) or weeks,
                    per_week=float(np.mean(samples)) if len(samples) else 0.0,
                    from_team=shared,
                    beyond=bool(result and result[1] > _HORIZON),
                ),
            )
        )
    return dataclasses.replace(report, bets=tuple(bets))


def _since_first(weeks: tuple[int, ...]) -> tuple[int, ...]:
    """The weeks from the first in which the bet finished anything: before it, the work had
    not started, and those weeks would say the team is slower than it is."""
    started = next((n for n, count in enumerate(weeks) if count), len(weeks))
    return weeks[started:]


def _left(bet: Bet) -> int:
    return bet.progress.total - bet.progress.done if bet.progress else 0


def _team(histories: Iterable[tuple[int, ...]], bets: int) -> tuple[float, ...]:
    """The team's finished items a week, shared among its open bets."""
    lists = [h for h in histories if h]
    if not lists or not bets:
        return ()
    length = max(len(h) for h in lists)
    totals = [
        sum(h[i - (length - len(h))] for h in lists if i >= length - len(h)) for i in range(length)
    ]
    shared = _since_first(tuple(totals))
    return tuple(t / bets for t in shared) if len(shared) >= _MIN_WEEKS else ()


def _seed(team: str, week: IsoWeek, key: str) -> int:
    digest = hashlib.sha256(f"{team}\n{week}\n{key}".encode()).digest()
    return int.from_bytes(digest[:8], "big")
