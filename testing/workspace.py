"""The one workspace builder: a team's weekly.toml from its parts, and the Friday team the
workflow tests run (a metrics CSV, a bets file, delivery to a real SMTP server on loopback).

Each part is the TOML a user would write; tests add what they test with `extra`.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from weekly.config import Config, load_config


def team_config(
    folder: Path,
    *sections: str,
    team: str = "Payments",
    timezone: str | None = "Europe/Berlin",
    csv: str = "metrics.csv",
    nsm: str = "payers",
    nsm_table: str = 'direction = "higher"\n',
    report: str = "",
    metrics: str = "",
    filename: str = "weekly.toml",
) -> Path:
    """Write folder/weekly.toml (or `filename`): [report], [metrics] with its NSM's table, then
    `sections` (e.g. bets_file(), jira(url), delivery(port)); return its path."""
    zone = f'timezone = "{timezone}"\n' if timezone else ""
    text = (
        f'[report]\nteam = "{team}"\n{zone}{report}'
        f'[metrics]\ncsv = "{csv}"\nnsm = "{nsm}"\n{metrics}'
        f"[metric.{nsm}]\n{nsm_table}" + "".join(sections)
    )
    path = folder / filename
    path.write_text(text, encoding="utf-8")
    return path


def metrics_csv(folder: Path, rows: str, name: str = "metrics.csv") -> Path:
    """A long-format metrics CSV (date,metric,value) with these rows."""
    path = folder / name
    path.write_text(f"date,metric,value\n{rows}", encoding="utf-8")
    return path


def bets_file(path: str = "bets.toml") -> str:
    return f'[sources.bets_file]\npath = "{path}"\n'


def jira(
    url: str,
    *,
    email: str | None = "pm@example.com",
    projects: Sequence[str] = ("PAY",),
    extra: str = "",
) -> str:
    email_line = f'email = "{email}"\n' if email else ""
    keys = ", ".join(f'"{p}"' for p in projects)
    return f'[sources.jira]\nurl = "{url}"\n{email_line}projects = [{keys}]\n{extra}'


def github(url: str, repositories: Sequence[str], extra: str = "") -> str:
    names = ", ".join(f'"{r}"' for r in repositories)
    return f'[sources.github]\nbase_url = "{url}"\nrepositories = [{names}]\n{extra}'


def delivery(
    port: int,
    *,
    recipients: Sequence[str] = ("cto@example.com", "vp@example.com"),
    pm: str = "pm@example.com",
    extra: str = "",
    smtp: str = "",
) -> str:
    """Delivery to an SMTP server on loopback (no TLS); `extra` goes in [delivery], `smtp`
    (a login, a timeout) in [delivery.smtp]."""
    to = ", ".join(f'"{r}"' for r in recipients)
    return (
        f'[delivery]\nsender = "weekly@example.com"\nrecipients = [{to}]\npm = "{pm}"\n{extra}'
        f'[delivery.smtp]\nhost = "127.0.0.1"\nport = {port}\nsecurity = "none"\n{smtp}'
    )


SLIP_LINE = 'slip = { previous_date = 2026-12-04, cause = "Partner bank certification rebooked" }\n'
APPLE_PAY = (
    '\n[[bets]]\nkey = "PAY-3"\ntitle = "Apple Pay"\nstatus = "on track"\nconfidence = "high"\n'
)
BETS = """
headline = "From the bets file: replaced by the PM's own."

[[bets]]
key = "PAY-1"
title = "SEPA Instant payouts"
owner = "Ana Ruiz"
status = "at risk"
confidence = "medium"
target_date = 2026-12-18
slip = { previous_date = 2026-12-04, cause = "Partner bank certification rebooked" }

[[bets]]
key = "PAY-2"
title = "One-click checkout"
status = "on track"
confidence = "high"

[[decisions]]
key = "PAY-20"
title = "Fallback PSP"
approver = "Dana Schulz"
deadline = 2026-12-02
"""


def friday_team(folder: Path, port: int, extra: str = "") -> Config:
    """The Payments team the workflow tests run: two weeks of payers, two bets and a decision
    in a bets file, delivery to the SMTP server at `port`; `extra` goes in [delivery]."""
    metrics_csv(folder, "2026-11-17,payers,100\n2026-11-24,payers,110\n")
    (folder / "bets.toml").write_text(BETS, encoding="utf-8")
    path = team_config(
        folder,
        bets_file(),
        delivery(port, extra=extra),
        nsm_table='label = "Active payers"\ndirection = "higher"\n',
    )
    return load_config(path)[0]


def edit(path: Path, old: str, new: str, count: int = 1) -> None:
    """Replace the first `count` of `old` in a file (the PM editing the draft); they must be
    there."""
    text = path.read_text(encoding="utf-8")
    assert text.count(old) >= count, old
    path.write_text(text.replace(old, new, count), encoding="utf-8")
