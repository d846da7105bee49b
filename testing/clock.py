"""The tests' one clock: the demo's Friday, 2026-W48, in the team's zone (Europe/Berlin)."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from weekly.weeks import IsoWeek

BERLIN = ZoneInfo("Europe/Berlin")
WEEK = IsoWeek(2026, 48)
FRIDAY = dt.datetime(2026, 11, 27, tzinfo=BERLIN)  # the week's Friday, midnight
NOW = FRIDAY.replace(hour=16)  # the send time: Fri 16:00


def at(hour: int, minute: int = 0, days: int = 0) -> dt.datetime:
    """That time on the week's Friday, or `days` from it."""
    return FRIDAY.replace(hour=hour, minute=minute) + dt.timedelta(days=days)


def friday_of(week: IsoWeek, hour: int = 0) -> dt.datetime:
    """That hour on `week`'s Friday in Berlin, for tests that run several weeks."""
    day = week.monday + dt.timedelta(days=4)
    return dt.datetime(day.year, day.month, day.day, hour, tzinfo=BERLIN)
