"""`weekly doctor`: a checklist of everything a Friday run needs, before Friday.

Each check is independent and cheap: one request per site (Jira `/myself`, GitHub `/user`),
an SMTP login without a mail, `fc-list`, a tiny PDF. A failing check says what to fix;
no check ever shows a secret.
"""

from __future__ import annotations

import datetime as dt
import json
import smtplib
import ssl
import subprocess
from collections.abc import Callable, Mapping
from contextlib import suppress
from dataclasses import dataclass
from typing import Any

import requests
from github import GithubException
from jira import JIRA, JIRAError

from weekly.config import Config, GitHubSection, JiraSection, SmtpSection
from weekly.deliver.smtp import _describe as describe_smtp_error
from weekly.deliver.smtp import password as smtp_password
from weekly.errors import WeeklyError
from weekly.render.format import plural
from weekly.schedule import Slot, due_at
from weekly.scrub import scrub_text, secret_from, secret_values
from weekly.sources import bets_file, metrics_csv
from weekly.sources.context import PullContext
from weekly.sources.github import session as github_session
from weekly.sources.jira.session import describe_error as describe_jira_error
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
        ("metrics", lambda: _metrics(config, now)),
    ]
    if config.sources.bets_file is not None:
        checks.append(("bets file", lambda: _bets_file(config, env, now)))
    if (jira := config.sources.jira) is not None:
        checks.append(("jira", lambda: _jira(jira, env)))
    if (github := config.sources.github) is not None:
        checks.append(("github", lambda: _github(github, env)))
    if (delivery := config.delivery) is not None:
        checks.append(("smtp", lambda: _smtp(delivery.smtp, env)))
    checks += [("fonts", _fonts), ("pdf", _pdf), ("schedule", lambda: _schedule(config, now))]
    secrets = secret_values(config, env)
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
    except Exception as exc:
        # The checklist's promise is that every check runs: an unforeseen failure of one is
        # shown on its line (and is worth a bug report) rather than hiding the checks after it.
        return Check(
            name, False, f"unexpected error ({type(exc).__name__}: {exc}); please report it"
        )


def _scrubbed(check: Check, secrets: tuple[str, ...]) -> Check:
    # No message below is built from a secret; this is the net under that rule. One line each.
    return Check(check.name, check.ok, scrub_text(" ".join(check.detail.split()), secrets))


def _metrics(config: Config, now: dt.datetime) -> Check:
    path = config.resolve(config.metrics.csv)
    zone = config.report.zone
    rows = metrics_csv.read(config, now)
    latest: dt.date = rows.frame["local_time"].max().date()
    days = (now.astimezone(zone).date() - latest).days
    ago = "today" if days == 0 else f"{days} days ago" if days > 1 else "1 day ago"
    count = len(config.metric_keys)
    return Check(
        "metrics",
        True,
        f"{path.name}: {count} metric{'s' if count > 1 else ''} read, latest date "
        f"{latest.isoformat()} ({ago})",
    )


def _bets_file(config: Config, env: Mapping[str, str], now: dt.datetime) -> Check:
    context = PullContext(config, IsoWeek.of(now.astimezone(config.report.zone).date()), now, env)
    result = bets_file.pull(context)
    assert config.sources.bets_file is not None
    return Check(
        "bets file",
        True,
        f"{config.sources.bets_file.path.name}: {plural(len(result.bets), 'bet')}, "
        f"{plural(len(result.decisions), 'decision')}",
    )


def _jira(section: JiraSection, env: Mapping[str, str]) -> Check:
    token = secret_from(env, section.token_env)
    if not token:
        return Check(
            "jira",
            False,
            f"{section.token_env} is not set: export a Jira API token in it (Cloud, with "
            "sources.jira.email) or a personal access token (Server/Data Center)",
        )
    auth: dict[str, Any] = (
        {"basic_auth": (section.email, token)} if section.email else {"token_auth": token}
    )
    try:
        # No serverInfo, no retries: /myself alone says whether the site takes the token.
        client = JIRA(
            server=section.url,
            options={"check_update": False},
            timeout=section.timeout_seconds,
            max_retries=0,
            get_server_info=False,
            **auth,
        )
        me = client.myself()
    except JIRAError as exc:
        return Check("jira", False, describe_jira_error(exc, section))
    except requests.exceptions.Timeout:
        return Check(
            "jira",
            False,
            f"Jira at {section.url} did not answer within {section.timeout_seconds:g} s "
            "(sources.jira.timeout_seconds)",
        )
    except requests.exceptions.ConnectionError:
        return Check("jira", False, f"cannot reach Jira at {section.url}; check sources.jira.url")
    except (json.JSONDecodeError, requests.exceptions.JSONDecodeError):
        return Check(
            "jira",
            False,
            f"{section.url} answered with something that is not JSON (an error page from a "
            "proxy?); check sources.jira.url",
        )
    who = me.get("displayName") if isinstance(me, dict) else None
    if not who:
        return Check(
            "jira", False, f"{section.url}/rest/api/2/myself did not name a user; is it Jira?"
        )
    return Check("jira", True, f"logged in as {who} at {section.url}")


def _github(section: GitHubSection, env: Mapping[str, str]) -> Check:
    client = github_session.client(section, env)  # InputError when the token is unset
    try:
        login = client.get_user().login  # GET /user
    except GithubException as exc:
        return Check("github", False, _github_error(exc, section))
    except requests.exceptions.Timeout:
        return Check(
            "github",
            False,
            f"GitHub did not answer within {section.timeout_seconds:g} s "
            "(sources.github.timeout_seconds)",
        )
    except requests.exceptions.ConnectionError:
        return Check(
            "github",
            False,
            f"cannot reach GitHub at {section.base_url}; check sources.github.base_url",
        )
    try:
        # From /user's X-RateLimit-* headers; only without them is /rate_limit asked.
        remaining, _ = client.rate_limiting
        reset = client.rate_limiting_resettime
    except (GithubException, requests.exceptions.RequestException):
        # Enterprise Server with rate limiting off answers /rate_limit with 404.
        return Check("github", True, f"as @{login}, no rate limit reported")
    if remaining <= 0:
        at = dt.datetime.fromtimestamp(reset, dt.UTC).strftime("%H:%M UTC")
        return Check("github", False, f"as @{login}, but the rate limit is used up until {at}")
    return Check("github", True, f"as @{login}, {remaining:,} requests left this hour")


def _github_error(exc: GithubException, section: GitHubSection) -> str:
    data = exc.data if isinstance(exc.data, dict) else {}
    message = str(data.get("message", ""))
    headers = {k.lower(): str(v) for k, v in (exc.headers or {}).items()}
    if exc.status in (403, 429) and headers.get("x-ratelimit-remaining") == "0":
        reset = float(headers.get("x-ratelimit-reset", "0") or 0)
        at = dt.datetime.fromtimestamp(reset, dt.UTC).strftime("%H:%M UTC")
        return f"GitHub's rate limit for {section.token_env} is used up until {at}"
    if exc.status == 401:
        return github_session.describe_error(401, message, "", section)
    if exc.status == 404:
        return f"GitHub answered 404 at {section.base_url}/user; check sources.github.base_url"
    if exc.status >= 500:
        return f"GitHub answered {exc.status} (server error)"
    return f"GitHub answered {exc.status}{': ' + message if message else ''}"


def _smtp(smtp: SmtpSection, env: Mapping[str, str]) -> Check:
    secret = smtp_password(smtp, env)  # WeeklyError when the variable is unset
    where = f"{smtp.host}:{smtp.port}"
    try:
        _login(smtp, secret)
    except (smtplib.SMTPException, OSError) as exc:
        _, what = describe_smtp_error(exc, smtp)
        return Check("smtp", False, f"SMTP server {where} {what}")
    if smtp.user:
        return Check("smtp", True, f"{where} accepted the login for {smtp.user}")
    return Check("smtp", True, f"{where} answered; no login is configured (delivery.smtp.user)")


def _login(smtp: SmtpSection, password: str | None) -> None:
    """Connect, EHLO, STARTTLS and log in as a send would, then QUIT: no mail is sent."""
    client: smtplib.SMTP
    if smtp.security == "ssl":
        context = ssl.create_default_context()
        client = smtplib.SMTP_SSL(
            smtp.host, smtp.port, timeout=smtp.timeout_seconds, context=context
        )
    else:
        client = smtplib.SMTP(smtp.host, smtp.port, timeout=smtp.timeout_seconds)
    try:
        client.ehlo()
        if smtp.security == "starttls":
            client.starttls(context=ssl.create_default_context())
            client.ehlo()
        if smtp.user and password is not None:
            client.login(smtp.user, password)
    except BaseException:
        client.close()
        raise
    with suppress(smtplib.SMTPException, OSError):
        client.quit()
    client.close()


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
