"""Schedule slots: when a draft or send is due, across daylight saving, and the crontab lines."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from testing.clock import BERLIN, FRIDAY
from weekly.config import ScheduleSection
from weekly.schedule import Slot, cron_lines, due_at, is_due
from weekly.weeks import IsoWeek

UTC = dt.UTC
LOS_ANGELES = ZoneInfo("America/Los_Angeles")
SEND = Slot.parse("Fri 16:00")
TODAY = FRIDAY.date()


def berlin(*args: int) -> dt.datetime:
    return dt.datetime(*args, tzinfo=BERLIN)


# Slot.parse ---------------------------------------------------------------------------------


def test_parse_reads_weekday_and_time() -> None:
    assert Slot.parse("Fri 16:00") == Slot(4, dt.time(16, 0))
    assert Slot.parse(" Mon 09:30 ") == Slot(0, dt.time(9, 30))
    assert Slot.parse("Sun 23:59") == Slot(6, dt.time(23, 59))
    assert str(Slot.parse("Thu 07:05")) == "Thu 07:05"


@pytest.mark.parametrize(
    "text", ["Friday 16:00", "Fri 4pm", "Fri 24:00", "Fri 16:60", "fri 16:00", "Fri 9:00", ""]
)
def test_parse_refuses_other_forms_and_shows_the_expected_one(text: str) -> None:
    with pytest.raises(ValueError, match="expected the form 'Fri 16:00'"):
        Slot.parse(text)


# is_due -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("friday", "utc_offset_hours"),
    [
        (dt.date(2026, 11, 27), 1),  # an ordinary winter Friday
        (dt.date(2026, 4, 3), 2),  # the first Friday of summer time (from Sun 29 Mar)
        (dt.date(2026, 10, 30), 1),  # the first Friday after it ends (Sun 25 Oct)
    ],
)
def test_due_from_16_00_berlin_wall_clock(friday: dt.date, utc_offset_hours: int) -> None:
    def at(hour: int, minute: int, second: int = 0) -> dt.datetime:
        return dt.datetime.combine(friday, dt.time(hour, minute, second), tzinfo=BERLIN)

    assert not is_due(SEND, at(15, 59, 59), BERLIN)
    assert is_due(SEND, at(16, 0), BERLIN)
    assert is_due(SEND, at(16, 59), BERLIN)
    due = due_at(SEND, IsoWeek.of(friday), BERLIN)
    assert (due.date(), due.time()) == (friday, dt.time(16, 0))
    assert due.utcoffset() == dt.timedelta(hours=utc_offset_hours)


def test_due_until_the_end_of_the_week_and_not_before_friday() -> None:
    assert not is_due(SEND, berlin(2026, 11, 26, 23, 59), BERLIN)  # Thursday
    assert is_due(SEND, berlin(2026, 11, 28, 10, 0), BERLIN)  # Saturday
    assert is_due(SEND, berlin(2026, 11, 29, 23, 59, 59), BERLIN)  # Sunday night
    assert not is_due(SEND, berlin(2026, 11, 30, 0, 0), BERLIN)  # Monday: a new week


def test_now_in_utc_is_converted_to_the_team_zone() -> None:
    assert is_due(SEND, dt.datetime(2026, 11, 27, 15, 0, tzinfo=UTC), BERLIN)  # 16:00 CET
    assert not is_due(SEND, dt.datetime(2026, 11, 27, 14, 59, tzinfo=UTC), BERLIN)
    assert is_due(SEND, dt.datetime(2026, 7, 3, 14, 0, tzinfo=UTC), BERLIN)  # 16:00 CEST
    assert not is_due(SEND, dt.datetime(2026, 7, 3, 13, 59, tzinfo=UTC), BERLIN)
    # Saturday 00:30 UTC is still Friday evening in Los Angeles: that week's slot, due.
    assert is_due(SEND, dt.datetime(2026, 11, 28, 0, 30, tzinfo=UTC), LOS_ANGELES)
    assert not is_due(SEND, dt.datetime(2026, 11, 27, 23, 59, tzinfo=UTC), LOS_ANGELES)


def test_a_slot_the_clock_skips_is_due_when_the_clock_jumps_past_it() -> None:
    # Sun 29 Mar 2026: Berlin clocks go from 02:00 CET straight to 03:00 CEST (01:00 UTC).
    slot = Slot.parse("Sun 02:30")
    assert due_at(slot, IsoWeek(2026, 13), BERLIN) == dt.datetime(2026, 3, 29, 1, 0, tzinfo=UTC)
    assert not is_due(slot, dt.datetime(2026, 3, 29, 0, 59, 59, tzinfo=UTC), BERLIN)
    assert is_due(slot, dt.datetime(2026, 3, 29, 1, 0, tzinfo=UTC), BERLIN)


def test_a_slot_the_clock_shows_twice_is_due_the_first_time() -> None:
    # Sun 25 Oct 2026: Berlin shows 02:00–02:59 twice, first CEST (00:xx UTC), then CET.
    slot = Slot.parse("Sun 02:30")
    due = due_at(slot, IsoWeek(2026, 43), BERLIN)
    # astimezone: Python never calls an ambiguous time equal to one in another zone (PEP 495).
    assert due.astimezone(UTC) == dt.datetime(2026, 10, 25, 0, 30, tzinfo=UTC)
    assert not is_due(slot, dt.datetime(2026, 10, 25, 0, 29, tzinfo=UTC), BERLIN)
    assert is_due(slot, dt.datetime(2026, 10, 25, 0, 30, tzinfo=UTC), BERLIN)
    # 02:10 the second time round (CET) reads earlier than 02:30 but comes after it: still due.
    assert is_due(slot, berlin(2026, 10, 25, 2, 10).replace(fold=1), BERLIN)


def test_naive_now_is_refused() -> None:
    with pytest.raises(ValueError, match="time zone"):
        is_due(SEND, dt.datetime(2026, 11, 27, 16, 0), BERLIN)


ZONES = [
    "UTC",
    "Europe/Berlin",
    "America/Los_Angeles",
    "Asia/Kolkata",
    "Australia/Lord_Howe",  # a half-hour daylight-saving change
]
zones = st.sampled_from(ZONES).map(ZoneInfo)
slots = st.builds(
    Slot,
    weekday=st.integers(0, 6),
    at=st.times().map(lambda t: t.replace(second=0, microsecond=0)),
)
instants = st.datetimes(
    min_value=dt.datetime(2026, 1, 1), max_value=dt.datetime(2027, 12, 31, 23, 59, 59)
).map(lambda naive: naive.replace(tzinfo=UTC))


@given(instant=instants, shown_in=zones, zone=zones, slot=slots)
def test_due_means_at_or_after_the_slot_of_the_local_week(
    instant: dt.datetime, shown_in: ZoneInfo, zone: ZoneInfo, slot: Slot
) -> None:
    now = instant.astimezone(shown_in)
    now_local = now.astimezone(zone)
    due = due_at(slot, IsoWeek.of(now_local.date()), zone)
    # Compared as instants (in UTC): two datetimes in one zone compare by wall clock.
    assert is_due(slot, now, zone) == (now.astimezone(UTC) >= due.astimezone(UTC))
    assert due.tzinfo is zone
    assert due.weekday() == slot.weekday
    assert due.time() >= slot.at  # later only when the clock skips the slot's time


@given(
    instant=instants,
    later_by=st.timedeltas(dt.timedelta(0), dt.timedelta(days=7)),
    zone=zones,
    slot=slots,
)
def test_once_due_stays_due_within_the_week(
    instant: dt.datetime, later_by: dt.timedelta, zone: ZoneInfo, slot: Slot
) -> None:
    later = instant + later_by  # in UTC, so real elapsed time
    same_week = IsoWeek.of(instant.astimezone(zone).date()) == IsoWeek.of(
        later.astimezone(zone).date()
    )
    if same_week and is_due(slot, instant, zone):
        assert is_due(slot, later, zone)


# cron_lines ---------------------------------------------------------------------------------


def cron(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, **kw: object) -> str:
    monkeypatch.chdir(tmp_path)
    options: dict[str, object] = {
        "command": "/opt/weekly/bin/weekly",
        "config_path": Path("weekly.toml"),
        "schedule": ScheduleSection(),
        "today": TODAY,
        **kw,
    }
    return cron_lines(**options)  # type: ignore[arg-type]


def job(snippet: str) -> str:
    """The one line that is not a comment."""
    (line,) = [line for line in snippet.splitlines() if line and not line.startswith("#")]
    return line


def test_cron_for_a_berlin_team_on_a_berlin_host(tmp_path: Path, monkeypatch) -> None:
    snippet = cron(tmp_path, monkeypatch, team_zone=BERLIN, host_zone=BERLIN)
    config = tmp_path.resolve() / "weekly.toml"
    # Friday, and on to Sunday: a held or failed send is tried again until the week ends.
    assert job(snippet) == f"0 * * * 0,5,6 /opt/weekly/bin/weekly run --config {config}"
    assert "# weekly: draft at Fri 14:00, send at Fri 16:00 (Europe/Berlin)." in snippet
    assert "no time zones" in snippet
    assert snippet.endswith("\n")


def test_cron_for_a_los_angeles_team_on_a_utc_host(tmp_path: Path, monkeypatch) -> None:
    # Draft Fri 14:00 is Fri 21:00/22:00 UTC; send Fri 16:00 PST is Sat 00:00 UTC (PDT: Fri 23:00).
    snippet = cron(tmp_path, monkeypatch, team_zone=LOS_ANGELES, host_zone=ZoneInfo("UTC"))
    # The team's Sunday 23:59 is Monday morning in UTC: Friday through Monday.
    assert job(snippet).startswith("0 * * * 0,1,5,6 /opt/weekly/bin/weekly run --config /")
    assert "Sun, Mon, Fri, Sat" in snippet


def test_cron_minutes_follow_the_slots_and_the_host_offset(tmp_path: Path, monkeypatch) -> None:
    half_past = ScheduleSection(draft="Fri 14:30", send="Fri 16:00")
    snippet = cron(tmp_path, monkeypatch, schedule=half_past, team_zone=BERLIN, host_zone=BERLIN)
    assert job(snippet).startswith("0,30 * * * 0,5,6 ")
    kolkata = ZoneInfo("Asia/Kolkata")  # UTC+5:30: Berlin's 16:00 is 20:30 or 19:30 there
    assert job(cron(tmp_path, monkeypatch, team_zone=BERLIN, host_zone=kolkata)).startswith(
        "30 * * * 0,1,5,6 "
    )


def test_cron_quotes_the_config_path(tmp_path: Path, monkeypatch) -> None:
    odd = tmp_path / "my reports" / "100%.toml"
    line = job(cron(tmp_path, monkeypatch, config_path=odd, team_zone=BERLIN, host_zone=BERLIN))
    # cron would read a bare % as a newline.
    assert line.endswith(f"--config '{tmp_path.resolve()}/my reports/100\\%.toml'")


def test_cron_for_a_tokyo_team_on_a_utc_host_keeps_thursday(tmp_path: Path, monkeypatch) -> None:
    # Tokyo is UTC+9 with no daylight saving: a draft at Fri 08:00 there is Thu 23:00 UTC.
    early = ScheduleSection(draft="Fri 08:00", send="Fri 16:00")
    snippet = cron(
        tmp_path,
        monkeypatch,
        schedule=early,
        team_zone=ZoneInfo("Asia/Tokyo"),
        host_zone=ZoneInfo("UTC"),
    )
    # Thursday night (the draft), Friday (the send at 07:00 UTC) to Sunday 14:59 UTC.
    assert job(snippet).startswith("0 * * * 0,4,5,6 ")
    assert "Sun, Thu, Fri, Sat" in snippet
