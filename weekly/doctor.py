"""`weekly doctor`: a checklist of everything a Friday run needs, before Friday.

Each check is independent and cheap: one request per site (Jira `/myself`, GitHub `/user`),
an SMTP login without a mail, `fc-list`, a tiny PDF. A failing check says what to fix;
no check ever shows a secret.
"""

from __future__ import annotations

import datetime as dt
import subprocess
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from functools import partial
from typing import Any

from weekly.config import Config, SmtpSection
from weekly.deliver.smtp import log_in as smtp_log_in
from weekly.errors import WeeklyError
from weekly.pipeline import secrets as run_secrets
from weekly.schedule import Slot, due_at
from weekly.scrub import scrub_text
from weekly.sources import SOURCES, PullContext, Source, SourceFailure
from weekly.weeks import IsoWeek

FC_LIST_TIMEOUT_SECONDS = 10


@dataclass(frozen=True)
class Check:
    """One line of the checklist; detail says what was found or what to fix."""

    name: str
    ok: bool
    detail: str


@dataclass(frozen=True)
class Font:
    family: str  # as the CSS names it (templates/report.css)
    role: str
    package: str  # the Debian package that installs it


FONTS = (
    Font("Inter", "Latin text", "fonts-inter"),
    Font("WenQuanYi Micro Hei", "Chinese text", "fonts-wqy-microhei"),
    Font("Noto Sans CJK SC", "bold Chinese text", "fonts-noto-cjk"),
)


def run_checks(config: Config, env: Mapping[str, str], now: dt.datetime) -> list[Check]:
    """Every check, in the checklist's order; one failing never stops the next."""
    checks: list[tuple[str, Callable[[], Check]]] = [
        ("config", lambda: Check("config", True, f"{config.path} is valid")),
    ]
    ctx = PullContext(config, IsoWeek.of(now.astimezone(config.report.zone).date()), now, env)
    for source in SOURCES.values():
        if (section := source.section(config)) is not None:
            checks.append((source.check_name, partial(_source, source, ctx, section)))
    if (delivery := config.delivery) is not None:
        checks.append(("smtp", lambda: _smtp(delivery.smtp, env)))
    checks += [("fonts", _fonts), ("pdf", _pdf), ("schedule", lambda: _schedule(config, now))]
    secrets = run_secrets(config, env)
    return [_scrubbed(_run(name, check), secrets) for name, check in checks]


def render_checklist(checks: list[Check]) -> str:
    """The checklist as text: one "✓ name  detail" or "✗ name  detail" line per check."""
    width = max((len(c.name) for c in checks), default=0)
    lines = [f"{'✓' if c.ok else '✗'} {c.name:<{width}}  {c.detail}" for c in checks]
    failed = [c.name for c in checks if not c.ok]
    if not failed:
        lines.append("All checks passed.")
    else:
        noun = "check" if len(failed) == 1 else "checks"
        lines.append(f"{len(failed)} {noun} failed: {', '.join(failed)}.")
    return "\n".join(lines)


def missing_fonts(families: str) -> list[Font]:
    """The FONTS absent from `fc-list : family` output (one font a line, its names by commas)."""
    installed = {
        name.strip().casefold() for line in families.splitlines() for name in line.split(",")
    }
    return [font for font in FONTS if font.family.casefold() not in installed]


def _run(name: str, check: Callable[[], Check]) -> Check:
    try:
        return check()
    except WeeklyError as exc:
        return Check(name, False, exc.message)
    except SourceFailure as exc:
        return Check(name, False, str(exc))
    except Exception as exc:
        # The checklist's promise is that every check runs: an unforeseen failure of one is
        # shown on its line (and is worth a bug report) rather than hiding the checks after it.
        return Check(
            name, False, f"unexpected error ({type(exc).__name__}: {exc}); please report it"
        )


def _scrubbed(check: Check, secrets: tuple[str, ...]) -> Check:
    # No message below is built from a secret; this is the net under that rule. One line each.
    return Check(check.name, check.ok, scrub_text(" ".join(check.detail.split()), secrets))


def _source(source: Source[Any], ctx: PullContext, section: object) -> Check:
    # The source's own check, through its own client and its own words for what failed.
    return Check(source.check_name, True, source.check(ctx, section))


def _smtp(smtp: SmtpSection, env: Mapping[str, str]) -> Check:
    smtp_log_in(smtp, env)  # a DeliveryError, worded as a send's, says what failed
    where = f"{smtp.host}:{smtp.port}"
    if smtp.user:
        return Check("smtp", True, f"{where} accepted the login for {smtp.user}")
    return Check("smtp", True, f"{where} answered; no login is configured (delivery.smtp.user)")


def _fonts() -> Check:
    try:
        listed = subprocess.run(
            ["fc-list", ":", "family"],
            capture_output=True,
            text=True,
            timeout=FC_LIST_TIMEOUT_SECONDS,
            check=False,
        )
    except FileNotFoundError:
        packages = " ".join(f.package for f in FONTS)
        return Check(
            "fonts",
            False,
            f"fc-list is not installed, so the fonts cannot be checked: sudo apt-get install "
            f"fontconfig {packages}",
        )
    except subprocess.TimeoutExpired:
        return Check("fonts", False, f"fc-list did not answer within {FC_LIST_TIMEOUT_SECONDS} s")
    if listed.returncode != 0:
        said = listed.stderr.strip().splitlines()[:1]
        return Check("fonts", False, f"fc-list failed (exit {listed.returncode}) {''.join(said)}")
    missing = missing_fonts(listed.stdout)
    if missing:
        names = ", ".join(f"{f.family} ({f.role})" for f in missing)
        packages = " ".join(f.package for f in missing)
        return Check("fonts", False, f"missing {names}: sudo apt-get install {packages}")
    return Check("fonts", True, " and ".join(f.family for f in FONTS) + " are installed")


def _pdf() -> Check:
    try:
        import weasyprint  # heavy import: only here
    except (ImportError, OSError) as exc:
        # OSError: WeasyPrint is installed but cannot load Pango.
        return Check(
            "pdf",
            False,
            f"WeasyPrint cannot be loaded ({exc}): sudo apt-get install libpango-1.0-0 "
            "libpangoft2-1.0-0 libharfbuzz-subset0, then pip install weasyprint",
        )
    pdf = weasyprint.HTML(string="<p>weekly doctor</p>").write_pdf()
    if not isinstance(pdf, bytes) or not pdf.startswith(b"%PDF"):
        return Check("pdf", False, "WeasyPrint rendered something that is not a PDF")
    return Check("pdf", True, f"WeasyPrint {weasyprint.__version__}")


def _schedule(config: Config, now: dt.datetime) -> Check:
    zone = config.report.zone
    draft = _next(Slot.parse(config.schedule.draft), now, config)
    send = _next(Slot.parse(config.schedule.send), now, config)
    if draft.tzname() == send.tzname():
        times = f"next draft {_when(draft)}, next send {_when(send)} ({send.tzname()})"
    else:  # a daylight-saving change falls between them
        times = (
            f"next draft {_when(draft)} {draft.tzname()}, next send {_when(send)} {send.tzname()}"
        )
    return Check("schedule", True, f"{zone.key}: {times}")


def _next(slot: Slot, now: dt.datetime, config: Config) -> dt.datetime:
    """The slot's next moment at or after `now`, in the team's zone."""
    zone = config.report.zone
    week = IsoWeek.of(now.astimezone(zone).date())
    due = due_at(slot, week, zone)
    if due.astimezone(dt.UTC) < now.astimezone(dt.UTC):
        due = due_at(slot, week.shift(1), zone)
    return due


def _when(moment: dt.datetime) -> str:
    return f"{moment:%a} {moment.day} {moment:%b %H:%M}"
