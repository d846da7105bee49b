"""When `weekly run` drafts and sends, and the crontab lines that wake it up.

A slot ("Fri 16:00") is a wall-clock time in the team's zone. It falls due at that moment
and stays due until the end of the ISO week, so an hourly cron job that missed the moment
(host asleep, mail server down) still catches up; the send ledger keeps it to one send.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import os
import re
import shlex
import sys
from dataclasses import dataclass
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from weekly.config import Config, ScheduleSection
from weekly.weeks import IsoWeek

WEEKDAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
_SLOT_RE = re.compile(r"^(Mon|Tue|Wed|Thu|Fri|Sat|Sun) ([01]\d|2[0-3]):([0-5]\d)$")
# A year and a week from today sees both daylight-saving changes of both zones.
_CRON_WEEKS = 53


@dataclass(frozen=True)
class Slot:
    weekday: int  # 0 = Monday … 6 = Sunday, as date.weekday()
    at: dt.time

    @classmethod
    def parse(cls, text: str) -> Slot:
        """Parse `Fri 16:00`; raises ValueError with the expected form."""
        match = _SLOT_RE.match(text.strip())
        if not match:
            raise ValueError(f"{text!r} is not a weekday and time; expected the form 'Fri 16:00'")
        return cls(WEEKDAYS.index(match[1]), dt.time(int(match[2]), int(match[3])))

    def __str__(self) -> str:
        return f"{WEEKDAYS[self.weekday]} {self.at:%H:%M}"


def due_at(slot: Slot, week: IsoWeek, zone: ZoneInfo) -> dt.datetime:
    """The moment the slot falls due in that week, as an aware datetime in `zone`."""
    wall = dt.datetime.combine(week.monday + dt.timedelta(days=slot.weekday), slot.at)
    # fold=0: a time the clock shows twice (autumn) is due the first time it shows.
    first = wall.replace(tzinfo=zone)
    if first.astimezone(dt.UTC).astimezone(zone).replace(tzinfo=None) == wall:
        return first
    # A time the clock skips (spring) is due when the clock jumps past it. zoneinfo does not
    # expose the transition, so step from just before the jump (fold=1 uses the later offset,
    # which lands before it) to the first minute the clock reads at least the slot's time.
    instant = wall.replace(tzinfo=zone, fold=1).astimezone(dt.UTC)
    while instant.astimezone(zone).replace(tzinfo=None) < wall:
        instant += dt.timedelta(minutes=1)
    return instant.astimezone(zone)


def is_due(slot: Slot, now: dt.datetime, zone: ZoneInfo) -> bool:
    """True from the slot's moment until the end of that ISO week (Sunday) in `zone`."""
    if now.tzinfo is None or now.utcoffset() is None:
        raise ValueError(f"{now!r} has no time zone; pass an aware datetime")
    local = now.astimezone(zone)
    due = due_at(slot, IsoWeek.of(local.date()), zone)
    # Compare in UTC: datetimes sharing a tzinfo compare by wall clock, which is wrong in
    # the hour the clock shows twice.
    return now.astimezone(dt.UTC) >= due.astimezone(dt.UTC)


def cron_lines(
    *,
    command: str,
    config_path: Path,
    schedule: ScheduleSection,
    team_zone: ZoneInfo,
    host_zone: ZoneInfo,
    today: dt.date | None = None,
) -> str:
    """A crontab snippet running `weekly run` hourly on the host's days that hold the slots."""
    slots = (Slot.parse(schedule.draft), Slot.parse(schedule.send))
    first_week = IsoWeek.of(today or dt.date.today())
    days: set[int] = set()
    minutes: set[int] = set()
    for offset in range(_CRON_WEEKS):
        week = first_week.shift(offset)
        end = dt.datetime.combine(week.sunday, dt.time(23, 59), team_zone).astimezone(host_zone)
        for slot in slots:
            moment = due_at(slot, week, team_zone).astimezone(host_zone)
            minutes.add(moment.minute)
            # From the slot to the end of the team's week: a held or failed send is tried
            # again every hour until then, not only on the day it was due.
            while moment <= end:
                days.add(moment.isoweekday() % 7)  # cron counts 0 = Sunday … 6 = Saturday
                moment += dt.timedelta(days=1)
            days.add(end.isoweekday() % 7)
    cron_days = ",".join(str(d) for d in sorted(days))
    cron_minutes = ",".join(str(m) for m in sorted(minutes))
    day_names = ", ".join(WEEKDAYS[(d - 1) % 7] for d in sorted(days))
    run = f"{command} run --config {shlex.quote(str(config_path.resolve()))}"
    # cron turns an unescaped % into a newline.
    run = run.replace("%", r"\%")
    return "\n".join(
        [
            f"# weekly: draft at {schedule.draft}, send at {schedule.send} ({team_zone}).",
            f"# Plain cron has no time zones; on this host ({host_zone}) those times fall on",
            f"# {day_names} (checked for the next {_CRON_WEEKS} weeks, daylight saving included).",
            "# (and the days after, to the end of the team's week, so a held or failed send is",
            "# tried again). `weekly run` wakes every hour on those days and does only what is",
            "# due; the send ledger keeps it to one send a week. It prints nothing on success,",
            "# so cron mails you only when something failed.",
            f"{cron_minutes} * * * {cron_days} {run}",
            "",
        ]
    )


def crontab(config: Config) -> str:
    """`weekly cron`: the crontab lines for this config, run by this very weekly, in the
    host's zone."""
    return cron_lines(
        command=weekly_command(),
        config_path=config.path.resolve(),
        schedule=config.schedule,
        team_zone=config.report.zone,
        host_zone=host_zone(),
    )


def weekly_command() -> str:
    """How cron should call weekly: this very executable."""
    found = Path(sys.argv[0]).resolve() if sys.argv and sys.argv[0] else None
    if found is not None and found.name == "weekly" and found.exists():
        return str(found)
    return f"{sys.executable} -m weekly"


def host_zone() -> ZoneInfo:
    """This machine's IANA zone, the one its cron uses: TZ, /etc/timezone or /etc/localtime."""
    candidates = [os.environ.get("TZ", "").lstrip(":")]
    with contextlib.suppress(OSError):
        candidates.append(Path("/etc/timezone").read_text().strip())
    link = Path("/etc/localtime")
    if link.is_symlink():
        candidates.append(str(link.resolve()).split("zoneinfo/", 1)[-1])
    for name in candidates:
        try:
            if name:
                return ZoneInfo(name)
        except (ZoneInfoNotFoundError, ValueError):
            continue
    return ZoneInfo("UTC")
