"""`weekly init`: a starter weekly.toml and metrics.csv for a new team, never over a file.

The starter is config.example.toml cut down to what one team needs and filled with the
answers given, so that it loads without warnings and `weekly doctor` can check it at once.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from weekly.errors import CannotWrite, WeeklyError

CONFIG_NAME = "weekly.toml"
METRICS_NAME = "metrics.csv"
METRICS_HEADER = "date,metric,value\n"
# The patterns the config schema enforces (weekly/config.py), checked here first so the
# user hears which flag to fix rather than which key of a file they have not seen yet.
_REPOSITORY = re.compile(r"[\w.-]+/[\w.-]+")
_URL = re.compile(r"https?://\S+")
_EMAIL = re.compile(r"[^@\s<>]+@[^@\s<>]+\.[^@\s<>]+")
_PROJECT_KEY = re.compile(r"[A-Za-z][A-Za-z0-9_]*")
# A metric's name is a TOML table key ([metric.<name>]) and a CSV cell: keep it bare.
_METRIC_NAME = re.compile(r"[A-Za-z0-9_-]+")


@dataclass(frozen=True)
class InitAnswers:
    team: str
    timezone: str = "UTC"
    jira_url: str | None = None
    jira_email: str | None = None
    jira_projects: tuple[str, ...] = ()
    github_repositories: tuple[str, ...] = ()
    # The North Star Metric's name in the CSV; the starter defines it as a [metric.<nsm>] table.
    nsm: str = "active_users"


def write_starter(folder: Path, answers: InitAnswers) -> list[Path]:
    """Write folder/weekly.toml and folder/metrics.csv; return their paths. Never overwrites."""
    _validate(answers)
    config, metrics = folder / CONFIG_NAME, folder / METRICS_NAME
    # Both are checked before either is written, so a refusal leaves the folder as it was.
    existing = [path for path in (config, metrics) if path.exists()]
    if existing:
        raise WeeklyError(_exists_message(existing))
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise CannotWrite(f"{folder}: cannot create the folder: {exc.strerror}") from None
    written: list[Path] = []
    for path, text in ((config, starter_config(answers)), (metrics, METRICS_HEADER)):
        try:
            # "x": a file that appeared since the check above is still never overwritten.
            with path.open("x", encoding="utf-8") as file:
                file.write(text)
        except FileExistsError:
            _remove(written)
            raise WeeklyError(_exists_message([path])) from None
        except OSError as exc:
            _remove(written)
            raise CannotWrite(f"{path}: cannot write: {exc.strerror}") from None
        written.append(path)
    return written


def starter_config(answers: InitAnswers) -> str:
    """The text of the starter weekly.toml for these answers."""
    parts = [_HEADER.format(team=_string(answers.team), timezone=_string(answers.timezone))]
    parts.append(_METRICS.format(nsm=answers.nsm, csv=_string(METRICS_NAME)))
    parts.append(_BETS_FILE)
    if answers.jira_url:
        parts.append(_jira(answers))
    if answers.github_repositories:
        parts.append(_GITHUB.format(repositories=_list(answers.github_repositories)))
    parts.append(_DELIVERY)
    return "\n".join(parts)


def _validate(answers: InitAnswers) -> None:
    if not answers.team.strip():
        raise WeeklyError("--team: give the team's name, as the page's title shows it")
    if any(ord(c) < 32 or ord(c) == 127 for c in answers.team):
        raise WeeklyError("--team: the team's name must be one line of text")
    try:
        ZoneInfo(answers.timezone)
    except (ZoneInfoNotFoundError, ValueError):
        raise WeeklyError(
            f"--timezone: {answers.timezone!r} is not an IANA time zone; use a name like "
            "'Europe/Berlin'"
        ) from None
    if not _METRIC_NAME.fullmatch(answers.nsm):
        raise WeeklyError(
            f"the NSM's name {answers.nsm!r} must be letters, digits, _ or - (as in active_users)"
        )
    _validate_jira(answers)
    for repository in answers.github_repositories:
        if not _REPOSITORY.fullmatch(repository):
            raise WeeklyError(
                f"--github: {repository!r} is not owner/name; write it like acme/checkout-web"
            )


def _validate_jira(answers: InitAnswers) -> None:
    if answers.jira_url is None:
        if answers.jira_email or answers.jira_projects:
            flag = "--jira-email" if answers.jira_email else "--jira-project"
            raise WeeklyError(f"{flag} needs --jira-url: the address of the Jira site")
        return
    if not _URL.fullmatch(answers.jira_url):
        raise WeeklyError(
            f"--jira-url: {answers.jira_url!r} is not a web address; write it like "
            "https://acme.atlassian.net"
        )
    if answers.jira_email is not None and not _EMAIL.fullmatch(answers.jira_email):
        raise WeeklyError(f"--jira-email: {answers.jira_email!r} is not an e-mail address")
    if not answers.jira_projects:
        raise WeeklyError(
            "--jira-project: name at least one Jira project whose epics are the bets, like PAY"
        )
    for project in answers.jira_projects:
        if not _PROJECT_KEY.fullmatch(project):
            raise WeeklyError(f"--jira-project: {project!r} is not a Jira project key, like PAY")


def _exists_message(paths: list[Path]) -> str:
    names = " and ".join(str(p) for p in paths)
    verb = "exist" if len(paths) > 1 else "exists"
    return (
        f"{names} already {verb}; weekly init never overwrites a file: move it away or pick "
        "another folder with --folder"
    )


def _remove(paths: list[Path]) -> None:
    for path in paths:
        path.unlink(missing_ok=True)


def _string(value: str) -> str:
    # A JSON string is a TOML basic string, except that TOML also wants DEL escaped.
    return json.dumps(value, ensure_ascii=False).replace("\x7f", "\\u007f")


def _list(values: tuple[str, ...]) -> str:
    return "[" + ", ".join(_string(v) for v in values) + "]"


def _jira(answers: InitAnswers) -> str:
    assert answers.jira_url is not None
    if answers.jira_email:
        email = (
            "# Jira Cloud: the e-mail of the account whose API token is in token_env.\n"
            f"email = {_string(answers.jira_email)}"
        )
    else:
        email = (
            "# Jira Cloud: add the e-mail of the account whose API token is in token_env.\n"
            "# Server/Data Center: leave email out; token_env then holds a personal access token.\n"
            '# email = "pm@acme.example"'
        )
    return _JIRA.format(
        url=_string(answers.jira_url), email=email, projects=_list(answers.jira_projects)
    )


_HEADER = """\
# weekly.toml: the configuration of one team's Friday report, written by `weekly init`.
# Every key is documented in config.example.toml. Relative paths are relative to this file.
# Secrets never go in this file: where a source needs one, its key ends in _env and names
# the environment variable that holds it (for example token_env = "JIRA_TOKEN").
# Run `weekly doctor` to check this file, the credentials, the fonts and the schedule.

[report]
# The team's name: the page's title, the PDF's file name, the e-mail's subject.
team = {team}
# IANA time zone of the team. Weeks (ISO, Monday to Sunday) are cut in this zone.
timezone = {timezone}
# Paper size of the PDF: "A4" or "Letter". The page is always fitted to one sheet.
paper = "A4"
# The language of the page, the mail and the draft: "en" or "zh-CN" (Chinese, Simplified).
language = "en"
# Folder for the weeks' drafts, pages and mails, and the send ledger.
output_dir = "reports"

# When `weekly run` (which cron calls every hour) drafts and sends, in the team's time
# zone. `weekly cron` prints the crontab lines.
[schedule]
draft = "Fri 14:00"
send = "Fri 16:00"
"""

_METRICS = """\
[metrics]
# The metrics CSV, one row per date and metric (date,metric,value), or one column per
# metric (date,active_users,revenue). Dates are ISO dates (2026-11-27) or datetimes.
csv = {csv}
# The North Star Metric: shown first and largest. Its name as in the CSV.
nsm = "{nsm}"
# Up to five headline metrics shown under the NSM, each with its own [metric.<name>] table.
headline = []
# How many weeks the trend lines show (2 to 52), ending with the report's week.
trend_weeks = 12

# One table per metric named above, keyed by its name in the CSV.
[metric.{nsm}]
# The label on the page; defaults to the CSV name.
# label = "Weekly active users"
# Which way is good: "higher" or "lower".
direction = "higher"
# Shown after the number: "%", "ms", "€", "$" or any word. Empty for counts.
unit = ""
# How a week's values become its value: "last", "sum" (daily counts) or "mean" (rates).
aggregate = "last"
# Optional target; the page shows how far this week is toward it.
# target = 10000
"""

_BETS_FILE = """\
# Bets and decisions kept in a TOML file, for bets that are in no tracker (see
# weekly/demo/bets.toml for every field). Uncomment to use one.
# [sources.bets_file]
# path = "bets.toml"
"""

_JIRA = """\
# Jira (Cloud or Server/Data Center). The token comes from the environment variable
# named by token_env, never from this file.
[sources.jira]
url = {url}
{email}
token_env = "JIRA_TOKEN"
# The projects whose epics are the bets, and where decisions are looked for.
projects = {projects}
# Issues with this label are decisions.
decision_label = "decision-needed"

# Custom fields by their display name, as Jira shows them; see config.example.toml.
[sources.jira.fields]
# confidence = "Confidence"
# target_date = "Target end"
# approver = "Approver"
"""

_GITHUB = """\
# GitHub (github.com or Enterprise Server). The token comes from the environment
# variable named by token_env, never from this file.
[sources.github]
repositories = {repositories}
token_env = "GITHUB_TOKEN"
# The API address; for GitHub Enterprise Server, https://<host>/api/v3.
# base_url = "https://api.github.com"
# What a bet is: "milestones", or "issues" labelled with bet_label.
bets = "milestones"
"""

_DELIVERY = """\
# Who gets the report, and how. Uncomment and fill in to let `weekly send` mail it; the
# SMTP password comes from the environment variable named by password_env.
# [delivery]
# sender = "weekly@acme.example"
# recipients = ["leadership@acme.example"]
# pm = "pm@acme.example"
#
# [delivery.smtp]
# host = "smtp.acme.example"
# port = 587
# security = "starttls"
# user = "weekly@acme.example"
# password_env = "SMTP_PASSWORD"
"""
