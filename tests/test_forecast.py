"""The forecast against the arithmetic: constant throughput gives the exact date, none gives
no date, and the simulation's percentiles agree with the exact distribution of a small case
(computed by convolution) within one week, the tolerance of 2,000 simulated futures at a
percentile that falls between two whole weeks."""

from __future__ import annotations

import dataclasses
import datetime as dt
import math

import pytest

from testing.clock import BERLIN, FRIDAY, WEEK
from testing.reports import bet, report
from weekly.forecast import LIKELY, SAFE, forecast, from_history, simulate, weeks_of
from weekly.model import Progress, Status


def exact_weeks(remaining: int, samples: list[int], share: float) -> int:
    """The smallest t with P(done within t weeks) >= share, each week drawn uniformly from
    `samples`: the distribution of the items done so far, convolved week by week."""
    below = {0: 1.0}  # items done so far (still under `remaining`) -> probability
    done_by = 0.0
    for t in range(1, 1000):
        after: dict[int, float] = {}
        for done, p in below.items():
            for s in samples:
                after[done + s] = after.get(done + s, 0.0) + p / len(samples)
        done_by += sum(p for d, p in after.items() if d >= remaining)
        below = {d: p for d, p in after.items() if d < remaining}
        if done_by >= share - 1e-12:
            return t
    raise AssertionError("never done")


def test_constant_throughput_gives_the_exact_week():
    assert simulate(10, [3, 3, 3, 3], seed=1) == (4, 4)  # 3, 6, 9, 12: done in week 4
    assert simulate(12, [3] * 12, seed=7) == (4, 4)


def test_no_throughput_gives_no_date():
    assert simulate(5, [0] * 12, seed=1) is None
    assert simulate(5, [], seed=1) is None


@pytest.mark.parametrize(("remaining", "samples"), [(8, [0, 1, 2, 3]), (20, [0, 0, 1, 5, 2, 4])])
def test_the_simulation_agrees_with_the_exact_distribution(remaining, samples):
    likely, safe = simulate(remaining, samples, seed=2026)
    assert abs(likely - exact_weeks(remaining, samples, LIKELY)) <= 1
    assert abs(safe - exact_weeks(remaining, samples, SAFE)) <= 1
    assert likely <= safe


def test_the_same_team_week_and_bet_give_the_same_forecast():
    assert simulate(30, [0, 2, 5, 1, 3], seed=99) == simulate(30, [0, 2, 5, 1, 3], seed=99)


def test_finished_items_are_counted_in_their_week():
    days = [
        WEEK.monday,
        WEEK.sunday,
        WEEK.shift(-1).sunday,
        WEEK.shift(-3).monday,
        WEEK.shift(-4).monday,
    ]
    assert weeks_of(days, WEEK, 4) == (1, 0, 1, 2)  # four weeks back is outside the window


def test_without_dates_the_sent_reports_done_counts_stand_in():
    past = [report([bet("PAY-1", progress=Progress(done, 20))], team="T") for done in (2, 5, 5)]
    past = [dataclasses.replace(r, week=WEEK.shift(n - 3)) for n, r in enumerate(past)]
    now = bet("PAY-1", progress=Progress(9, 20))
    assert from_history(now, past, 12) == (3, 0, 4)


def bets_forecast(*bets, weeks=12):
    return {b.key: b for b in forecast(report(list(bets)), weeks=weeks).bets}


def test_a_bet_whose_85_percent_date_is_after_its_target_is_at_risk_by_forecast():
    steady = dict(progress=Progress(10, 22), throughput=(1,) * 12)  # 12 left at 1 a week
    late = bets_forecast(
        bet("PAY-1", target_date=FRIDAY.date() + dt.timedelta(weeks=6), **steady),
        bet("PAY-2", target_date=FRIDAY.date() + dt.timedelta(weeks=14), **steady),
    )
    assert late["PAY-1"].forecast.safe == FRIDAY.date() + dt.timedelta(weeks=12)
    assert late["PAY-1"].at_risk_by_forecast
    assert not late["PAY-2"].at_risk_by_forecast
    assert late["PAY-1"].forecast.per_week == 1.0 and not late["PAY-1"].forecast.from_team


def test_a_bet_with_too_little_history_draws_on_the_team():
    busy = bet("PAY-1", progress=Progress(0, 40), throughput=(4,) * 12)
    new = bet("PAY-2", progress=Progress(0, 4), throughput=(0,) * 11 + (1,))
    shared = bets_forecast(busy, new)["PAY-2"].forecast
    # The team finished 4 a week, and 5 in the last: shared between its 2 open bets.
    assert shared.from_team and math.isclose(shared.per_week, (4 * 12 + 1) / 12 / 2)


def test_nothing_finished_in_n_weeks_gives_no_date_and_done_bets_no_forecast():
    idle = bet("PAY-1", progress=Progress(0, 5), throughput=(0,) * 12)
    finished = bet("PAY-2", status=Status.DONE, progress=Progress(5, 5), throughput=(1,) * 12)
    off = bet("PAY-3", progress=Progress(1, 5), throughput=(1,) * 12, forecasted=False)
    got = bets_forecast(idle, finished, off)
    assert got["PAY-1"].forecast.likely is None and got["PAY-1"].forecast.weeks == 12
    assert not got["PAY-1"].at_risk_by_forecast
    assert got["PAY-2"].forecast is None and got["PAY-3"].forecast is None


def test_the_pm_switches_a_bets_forecast_off_or_answers_it():
    from weekly.draft import apply
    from weekly.draft.edits import BetEdits, Edits

    late = bet("PAY-1", progress=Progress(0, 30), throughput=(1,) * 12)
    answered = bet("PAY-2", progress=Progress(0, 30), throughput=(1,) * 12)
    pulled = forecast(report([late, answered]))
    edits = Edits(
        WEEK,
        True,
        None,
        {
            "PAY-1": BetEdits("PAY-1", forecast="off"),
            "PAY-2": BetEdits("PAY-2", forecast="Hiring two; the date holds"),
        },
        (),
    )
    page = {b.key: b for b in apply(pulled, edits, BERLIN).bets}
    assert page["PAY-1"].forecast is None and not page["PAY-1"].at_risk_by_forecast
    assert page["PAY-2"].at_risk_by_forecast
    assert page["PAY-2"].forecast_answer == "Hiring two; the date holds"
