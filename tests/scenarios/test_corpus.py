"""Hostile input and faults: one table of bad input, each case run through `weekly.cli.main`.

Every case edits a valid workspace (a metrics CSV, a bets file and a config, and where it
needs them a draft, a real SMTP server or a fake GitHub on loopback), runs one command and
checks its exit code and message. What every case checks besides: one line on stderr (a
config error may list its problems below it) naming the file and line or the key, no
traceback, the PM's files unchanged, and no temporary file left behind.
"""

from __future__ import annotations

import email
import email.policy
import hashlib
import random
from collections.abc import Callable
from contextlib import ExitStack
from dataclasses import dataclass
from pathlib import Path

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword

from testing import github_site
from testing.clock import WEEK as CLOCK_WEEK
from testing.fake_github import FakeGitHub
from testing.loopback import QUEUED, Inbox, free_port
from weekly.cli import main
from weekly.deliver.ledger import Ledger

WEEK = str(CLOCK_WEEK)
SECRETS = ("JIRA_TOKEN", "GITHUB_TOKEN", "SMTP_PASSWORD")
SMTP_PASSWORD = "correct-horse-battery"  # what the SMTP server accepts
WRONG_PASSWORD = "wrong-horse-battery"  # what the PM exported
WRONG_GITHUB_TOKEN = "ghp_wrongwrongwrongwrong"
GARBAGE = random.Random(48).randbytes(2048)  # fixed seed: the same bytes every run

METRICS = "date,metric,value\n2026-11-17,payers,100\n2026-11-24,payers,110\n"
BETS = """
headline = "Payers up 10%."

[[bets]]
key = "PAY-1"
title = "SEPA Instant payouts"
owner = "Ana Ruiz"
status = "at risk"
confidence = "medium"
target_date = 2026-12-18

[[decisions]]
key = "PAY-20"
title = "Fallback PSP"
approver = "Dana Schulz"
deadline = 2026-12-02
"""
CONFIG = """[report]
team = "Payments"
timezone = "Europe/Berlin"

[metrics]
csv = "metrics.csv"
nsm = "payers"

[metric.payers]
label = "Active payers"
direction = "higher"

[sources.bets_file]
path = "bets.toml"

[delivery]
sender = "weekly@example.com"
recipients = ["cto@example.com", "vp@example.com"]
pm = "pm@example.com"

[delivery.smtp]
host = "127.0.0.1"
port = {port}
security = "none"
timeout_seconds = 5
"""


@dataclass
class Workspace:
    """A valid workspace in a temporary folder, and the servers a case started in it."""

    root: Path
    monkeypatch: pytest.MonkeyPatch
    stack: ExitStack
    smtp_port: int
    inbox: Inbox | None = None
    service: str = ""  # host:port of a fake or dead service a case points the config at

    @classmethod
    def create(cls, root: Path, monkeypatch: pytest.MonkeyPatch, stack: ExitStack) -> Workspace:
        port = free_port()  # nothing listens here until a case starts an SMTP server
        (root / "metrics.csv").write_text(METRICS, encoding="utf-8")
        (root / "bets.toml").write_text(BETS, encoding="utf-8")
        (root / "weekly.toml").write_text(CONFIG.format(port=port), encoding="utf-8")
        return cls(root, monkeypatch, stack, port)

    @property
    def config(self) -> Path:
        return self.root / "weekly.toml"

    @property
    def csv(self) -> Path:
        return self.root / "metrics.csv"

    @property
    def bets(self) -> Path:
        return self.root / "bets.toml"

    @property
    def reports(self) -> Path:
        return self.root / "reports"

    @property
    def folder(self) -> Path:
        return self.reports / WEEK

    @property
    def draft(self) -> Path:
        return self.folder / "draft.yaml"

    @property
    def html(self) -> Path:
        return self.folder / f"payments-weekly-{WEEK}.html"

    @property
    def eml(self) -> Path:
        return self.folder / f"payments-weekly-{WEEK}.eml"

    @property
    def ledger(self) -> Path:
        return self.reports / "ledger.sqlite"

    def pm_files(self) -> dict[str, str | None]:
        """What the PM wrote, by name: the SHA-256 of each file, None when it does not exist."""
        return {
            path.name: hashlib.sha256(path.read_bytes()).hexdigest() if path.is_file() else None
            for path in (self.draft, self.bets, self.csv, self.config)
        }

    def edit(self, path: Path, old: str, new: str) -> None:
        text = path.read_text(encoding="utf-8")
        assert old in text, old
        path.write_text(text.replace(old, new, 1), encoding="utf-8")

    def append(self, path: Path, text: str) -> None:
        path.write_text(path.read_text(encoding="utf-8") + text, encoding="utf-8")

    def line_of(self, path: Path, text: str) -> int:
        lines = path.read_text(encoding="utf-8").splitlines()
        return next(n for n, line in enumerate(lines, start=1) if text in line)

    def weekly(self, *args: str) -> int:
        """Run a command of the CLI on this workspace's config."""
        return main([args[0], "--config", str(self.config), *args[1:]])

    def drafted(self) -> None:
        assert self.weekly("draft", "--week", WEEK) == 0

    def smtp(self, reply: str = QUEUED, **server: object) -> Inbox:
        """A real SMTP server on loopback, answering DATA with `reply`; the config points at it."""
        self.inbox = Inbox(reply)
        controller = Controller(self.inbox, hostname="127.0.0.1", port=free_port(), **server)
        controller.start()
        self.stack.callback(controller.stop)
        self.edit(self.config, f"port = {self.smtp_port}", f"port = {controller.port}")
        self.smtp_port = controller.port
        return self.inbox

    def ledger_states(self) -> list[str]:
        """The state of every row in the send ledger, oldest first."""
        if not self.ledger.exists():
            return []
        return [entry.state for entry in reversed(Ledger(self.ledger).history())]


Build = Callable[[Workspace], object]
Where = Callable[[Workspace], tuple[str, ...]]
Check = Callable[[Workspace, str], object]


@dataclass(frozen=True)
class Case:
    id: str
    build: Build  # edits the valid workspace into the bad input
    command: tuple[str, ...]  # run as `weekly <command[0]> --config … <command[1:]>`
    code: int
    message: str  # a fragment of the message
    where: Where  # what the message must name: the file and line, or the key
    config: str = "weekly.toml"  # the --config given, relative to the workspace
    stream: str = "err"  # where the message goes: "out" for news with exit code 0
    check: Check | None = None  # what else must hold afterwards


# --- building bad input ------------------------------------------------------------------------


def nothing(ws: Workspace) -> None:
    pass


def config_edit(old: str, new: str) -> Build:
    return lambda ws: ws.edit(ws.config, old, new)


def config_plus(text: str) -> Build:
    return lambda ws: ws.append(ws.config, text)


def config_text(text: str) -> Build:
    return lambda ws: ws.config.write_text(text, encoding="utf-8")


def csv_text(text: str) -> Build:
    return lambda ws: ws.csv.write_text(text, encoding="utf-8")


def csv_bytes(data: bytes) -> Build:
    return lambda ws: ws.csv.write_bytes(data)


def draft_edit(old: str, new: str) -> Build:
    def build(ws: Workspace) -> None:
        ws.drafted()
        ws.edit(ws.draft, old, new)

    return build


def draft_plus(text: str) -> Build:
    return lambda ws: ws.append(ws.draft, text)


def draft_bytes(data: bytes) -> Build:
    def build(ws: Workspace) -> None:
        ws.drafted()
        ws.draft.write_bytes(data)

    return build


def drafted(ws: Workspace) -> None:
    ws.drafted()


def all_of(*builds: Build) -> Build:
    def build(ws: Workspace) -> None:
        for step in builds:
            step(ws)

    return build


def env(name: str, value: str) -> Build:
    return lambda ws: ws.monkeypatch.setenv(name, value)


def jira_down(ws: Workspace) -> None:
    ws.service = f"127.0.0.1:{free_port()}"
    ws.monkeypatch.setenv("JIRA_TOKEN", "a-jira-token")
    ws.append(
        ws.config,
        f'\n[sources.jira]\nurl = "http://{ws.service}"\nprojects = ["PAY"]\ntimeout_seconds = 2\n',
    )


def github_refusing_the_token(ws: Workspace) -> None:
    fake = ws.stack.enter_context(FakeGitHub(github_site.repositories(), token=github_site.TOKEN))
    ws.service = fake.url.removeprefix("http://")
    ws.monkeypatch.setenv("GITHUB_TOKEN", WRONG_GITHUB_TOKEN)
    ws.append(
        ws.config,
        f'\n[sources.github]\nbase_url = "{fake.url}"\n'
        f'repositories = ["{github_site.REPOSITORY}"]\ntimeout_seconds = 5\n',
    )


def smtp_login(ws: Workspace) -> None:
    ws.edit(
        ws.config,
        'security = "none"\n',
        'security = "none"\nuser = "weekly"\npassword_env = "SMTP_PASSWORD"\n',
    )


def only_the_right_password(server, session, envelope, mechanism, auth_data) -> AuthResult:
    ok = isinstance(auth_data, LoginPassword) and (auth_data.login, auth_data.password) == (
        b"weekly",
        SMTP_PASSWORD.encode(),
    )
    return AuthResult(success=ok, handled=False)  # handled=False: aiosmtpd answers 535


def smtp_server(reply: str = QUEUED, **server: object) -> Build:
    return lambda ws: ws.smtp(reply, **server)


def sent_once(ws: Workspace) -> None:
    ws.smtp()
    ws.drafted()
    assert ws.weekly("send", "--week", WEEK) == 0


def reports_is_a_file(ws: Workspace) -> None:
    ws.reports.write_text("not a folder\n", encoding="utf-8")


def ledger_garbage(ws: Workspace) -> None:
    ws.drafted()
    ws.ledger.write_bytes(GARBAGE)


# --- what the message must name ----------------------------------------------------------------


def names(*fragments: str) -> Where:
    return lambda ws: fragments


def config_key(key: str) -> Where:
    return lambda ws: (str(ws.config), key)


def csv_line(line: int, *more: str) -> Where:
    return lambda ws: (f"{ws.csv}:{line}:", *more)


def csv_file(*more: str) -> Where:
    return lambda ws: (str(ws.csv), *more)


def draft_line(text: str, *more: str) -> Where:
    return lambda ws: (f"{ws.draft}:{ws.line_of(ws.draft, text)}:", *more)


def draft_file(*more: str) -> Where:
    return lambda ws: (str(ws.draft), *more)


def service(*more: str) -> Where:
    return lambda ws: (ws.service, *more)


def smtp_where(*more: str) -> Where:
    return lambda ws: (f"127.0.0.1:{ws.smtp_port}", *more)


# --- what else must hold -----------------------------------------------------------------------


def draft_written(ws: Workspace, output: str) -> None:
    assert ws.draft.is_file()


def nsm_on_page(value: str) -> Check:
    def check(ws: Workspace, output: str) -> None:
        html = ws.html.read_text(encoding="utf-8")
        assert f'<div class="nsm-value">{value}</div>' in html

    return check


def missing_metric_shown_as_dash(ws: Workspace, output: str) -> None:
    html = ws.html.read_text(encoding="utf-8")
    refunds = html[html.index('<div class="metric-label">Refunds') :]
    figure = refunds[: refunds.index("</tr>")]
    assert '<td class="metric-value">–</td>' in figure, refunds[:200]
    assert 'class="banner"' in html and "stale" in html


def no_deadline_flagged(ws: Workspace, output: str) -> None:
    html = ws.html.read_text(encoding="utf-8")
    assert "Hire a second payments SRE" in html
    assert '<span class="pill flag">no deadline</span>' in html


def page_with_banner(reason: str) -> Check:
    def check(ws: Workspace, output: str) -> None:
        html = ws.html.read_text(encoding="utf-8")
        assert 'class="banner"' in html and reason in html
        assert WRONG_GITHUB_TOKEN not in html

    return check


def ledger_says(*states: str) -> Check:
    def check(ws: Workspace, output: str) -> None:
        assert ws.ledger_states() == list(states)

    return check


def never_shown(secret: str) -> Check:
    def check(ws: Workspace, output: str) -> None:
        assert secret not in output

    return check


def both(*checks: Check) -> Check:
    def check(ws: Workspace, output: str) -> None:
        for step in checks:
            step(ws, output)

    return check


def no_mail(ws: Workspace, output: str) -> None:
    assert ws.inbox is None or ws.inbox.envelopes == []


def nothing_left_sending(ws: Workspace, output: str) -> None:
    # The send never started: no row may say 'sending', or every later send would stop with
    # "started … and never finished".
    assert "sending" not in ws.ledger_states()


def a_second_send_tries_again(ws: Workspace, output: str) -> None:
    assert ws.inbox is not None and ws.inbox.envelopes == []
    ws.inbox.data_reply = QUEUED  # the server is fine again
    assert ws.weekly("send", "--week", WEEK) == 0
    assert len(ws.inbox.envelopes) == 1
    assert ws.ledger_states() == ["failed", "sent"]


def dry_run_sent_nothing(ws: Workspace, output: str) -> None:
    message = email.message_from_bytes(ws.eml.read_bytes(), policy=email.policy.default)
    assert message["Subject"].startswith("Payments weekly · 2026-W48")
    assert message["To"] == "cto@example.com, vp@example.com"
    assert ws.inbox is not None and ws.inbox.envelopes == []
    assert ws.ledger_states() == []
    log = ws.folder / "weekly.log"
    assert not log.exists() or "sent" not in log.read_text(encoding="utf-8")


def still_one_mail(ws: Workspace, output: str) -> None:
    assert ws.inbox is not None and len(ws.inbox.envelopes) == 1


def ledger_untouched(ws: Workspace, output: str) -> None:
    assert ws.ledger.read_bytes() == GARBAGE


DRAFT = ("draft", "--week", WEEK)
PREVIEW = ("preview", "--week", WEEK)
RENDER = ("render", "--week", WEEK)
SEND = ("send", "--week", WEEK)
SIX_METRICS = "".join(f'[metric.m{i}]\ndirection = "higher"\n' for i in range(1, 7))
STATUS_LINE = "    status: # yours: overrides the pulled status"

CASES = [
    # --- the config ----------------------------------------------------------------------------
    Case(
        "config-not-toml",
        config_text("[report\nteam = Payments\n"),
        DRAFT,
        2,
        "not valid TOML",
        config_key("line 1"),
    ),
    Case(
        "config-unknown-key-warns-with-closest",
        config_edit("[report]\n", '[report]\npaperr = "A4"\n'),
        DRAFT,
        0,
        "unknown key 'report.paperr' ignored (did you mean 'report.paper'?)",
        config_key("report.paperr"),
        check=draft_written,
    ),
    Case(
        "config-wrong-type",
        config_edit('nsm = "payers"\n', 'nsm = "payers"\ntrend_weeks = "twelve"\n'),
        DRAFT,
        2,
        "'twelve'",
        config_key("metrics.trend_weeks"),
    ),
    Case(
        "config-sender-not-an-email-address-in-words",
        config_edit('sender = "weekly@example.com"', 'sender = "weekly at example"'),
        DRAFT,
        2,
        "is not an e-mail address; write it as name@example.com",
        config_key("delivery.sender"),
    ),
    Case(
        "config-with-a-byte-order-mark-works",
        lambda ws: ws.config.write_bytes(b"\xef\xbb\xbf" + ws.config.read_bytes()),
        DRAFT,
        0,
        "draft.yaml",
        lambda ws: (),
        stream="out",
        check=draft_written,
    ),
    Case(
        "config-unknown-time-zone",
        config_edit('"Europe/Berlin"', '"Europe/Bonn"'),
        DRAFT,
        2,
        "'Europe/Bonn' is not an IANA time zone",
        config_key("report.timezone"),
    ),
    Case(
        "config-csv-missing",
        config_edit('csv = "metrics.csv"', 'csv = "metrics-2026.csv"'),
        DRAFT,
        2,
        "metrics CSV not found; check metrics.csv in the config",
        lambda ws: (str(ws.root / "metrics-2026.csv"),),
    ),
    Case(
        "config-jira-token-unset",
        config_plus('\n[sources.jira]\nurl = "http://127.0.0.1:9"\nprojects = ["PAY"]\n'),
        DRAFT,
        2,
        "the environment variable JIRA_TOKEN is not set",
        names("sources.jira"),
    ),
    Case(
        "config-github-token-unset",
        config_plus(
            '\n[sources.github]\nbase_url = "http://127.0.0.1:9"\nrepositories = ["acme/web"]\n'
        ),
        DRAFT,
        2,
        "the environment variable GITHUB_TOKEN is not set",
        names("sources.github"),
    ),
    Case(
        "config-smtp-password-unset",
        all_of(smtp_login, drafted),
        SEND,
        2,
        "SMTP_PASSWORD is not set",
        names("delivery.smtp.password_env"),
        check=both(nothing_left_sending, no_mail),
    ),
    Case(
        "config-recipients-not-addresses",
        config_edit('"vp@example.com"', '"VP Payments"'),
        DRAFT,
        2,
        "'VP Payments' is not an e-mail address",
        config_key("delivery.recipients"),
    ),
    Case(
        "config-template-missing",
        config_edit("[report]\n", '[report]\ntemplate = "ours.html.j2"\n'),
        DRAFT,
        2,
        "ours.html.j2 does not exist",
        config_key("report.template"),
    ),
    Case(
        "config-secret-in-file",
        config_plus(
            '\n[sources.github]\nrepositories = ["acme/web"]\ntoken = "ghp_s3cr3tinthefile"\n'
        ),
        DRAFT,
        2,
        "secrets never go in the config file",
        config_key("sources.github.token"),
        check=never_shown("ghp_s3cr3tinthefile"),
    ),
    Case(
        "config-paper-a5",
        config_edit("[report]\n", '[report]\npaper = "A5"\n'),
        DRAFT,
        2,
        "'A4' or 'Letter'",
        config_key("report.paper"),
    ),
    Case(
        "config-six-headline-metrics",
        all_of(
            config_edit(
                'nsm = "payers"\n',
                'nsm = "payers"\nheadline = ["m1", "m2", "m3", "m4", "m5", "m6"]\n',
            ),
            config_plus(SIX_METRICS),
        ),
        DRAFT,
        2,
        "6 metrics; at most 5",
        config_key("metrics.headline"),
    ),
    Case(
        "config-file-missing",
        nothing,
        DRAFT,
        2,
        "file not found",
        lambda ws: (str(ws.root / "weekly-missing.toml"),),
        config="weekly-missing.toml",
    ),
    Case(
        "config-is-a-folder-without-team-configs",
        lambda ws: (ws.root / "weekly.d").mkdir(),
        DRAFT,
        2,
        "no team configs here",
        lambda ws: (str(ws.root / "weekly.d"),),
        config="weekly.d",
    ),
    Case(
        "config-empty",
        config_text(""),
        DRAFT,
        2,
        "the file is empty; start from config.example.toml",
        lambda ws: (f"{ws.config}:",),
    ),
    Case(
        "config-nsm-without-metric-table",
        config_edit('nsm = "payers"', 'nsm = "revenue"'),
        DRAFT,
        2,
        "'revenue' has no [metric.revenue] table",
        config_key("metrics.nsm"),
    ),
    Case(
        "config-schedule-not-a-slot",
        config_plus('\n[schedule]\nsend = "Friday 4pm"\n'),
        DRAFT,
        2,
        "'Friday 4pm'",
        config_key("schedule.send"),
    ),
    Case(
        "config-not-utf8",
        lambda ws: ws.config.write_bytes(
            ws.config.read_text(encoding="utf-8")
            .replace('"Payments"', '"Zahlungsverkehr Köln"')
            .encode("latin-1")
        ),
        DRAFT,
        2,
        "not UTF-8 text",
        lambda ws: (str(ws.config),),
    ),
    # --- the metrics CSV -----------------------------------------------------------------------
    Case("csv-empty", csv_text(""), DRAFT, 2, "file is empty", csv_file()),
    Case(
        "csv-header-only",
        csv_text("date,metric,value\n"),
        DRAFT,
        2,
        "has no values in the file",
        csv_file("'payers'"),
    ),
    Case(
        "csv-utf8-bom-works",
        csv_bytes(b"\xef\xbb\xbf" + METRICS.encode()),
        DRAFT,
        0,
        "draft.yaml",
        draft_file(),
        stream="out",
    ),
    Case(
        "csv-semicolons-and-decimal-commas-work",
        csv_text("date;metric;value\n2026-11-17;payers;3,0\n2026-11-24;payers;3,5\n"),
        RENDER,
        0,
        ".html",
        lambda ws: (str(ws.html),),
        stream="out",
        check=nsm_on_page("3.50"),  # read as three and a half, shown with two decimals
    ),
    Case(
        "csv-not-a-number",
        csv_text("date,metric,value\n2026-11-17,payers,100\n2026-11-24,payers,n/a\n"),
        DRAFT,
        2,
        "metric 'payers': 'n/a' is not a number",
        csv_line(3),
    ),
    Case(
        "csv-comma-with-three-decimals-is-refused-never-guessed",
        csv_text('date,metric,value\n2026-11-17,payers,100\n2026-11-24,payers,"3,550"\n'),
        DRAFT,
        2,
        "'3,550' has a comma, which could be a decimal mark or a thousands separator",
        csv_line(3, "metrics.decimal"),
    ),
    Case(
        "csv-infinite-value",
        csv_text("date,metric,value\n2026-11-17,payers,100\n2026-11-24,payers,inf\n"),
        DRAFT,
        2,
        "'inf' is not a finite number",
        csv_line(3),
    ),
    Case(
        "csv-absurd-value",
        csv_text("date,metric,value\n2026-11-17,payers,100\n2026-11-24,payers,1e300\n"),
        DRAFT,
        2,
        "'1e300' is beyond",
        csv_line(3),
    ),
    Case(
        "csv-excel-trailing-empty-columns-work",
        csv_text("date,metric,value,,\n2026-11-17,payers,100,,\n2026-11-24,payers,110,,\n"),
        RENDER,
        0,
        ".html",
        lambda ws: (str(ws.html),),
        stream="out",
        check=nsm_on_page("110"),
    ),
    Case(
        "csv-duplicate-date",
        csv_text(METRICS + "2026-11-24,payers,111\n"),
        DRAFT,
        2,
        "duplicate row: date 2026-11-24 for metric 'payers' is already on line 3",
        csv_line(4),
    ),
    Case(
        "csv-future-rows-ignored",
        csv_text(METRICS + "2026-12-01,payers,999\n2026-12-08,payers,1999\n"),
        RENDER,
        0,
        "dated after this report",
        lambda ws: ("metrics.csv",),
        check=nsm_on_page("110"),
    ),
    Case(
        "csv-metric-without-value-this-week-is-stale",
        all_of(
            config_edit('nsm = "payers"\n', 'nsm = "payers"\nheadline = ["refunds"]\n'),
            config_plus('\n[metric.refunds]\nlabel = "Refunds"\ndirection = "lower"\n'),
            csv_text(METRICS + "2026-11-17,refunds,7\n"),
        ),
        RENDER,
        0,
        "stale",
        names("metrics.csv", "Refunds", "2026-W48"),
        check=missing_metric_shown_as_dash,
    ),
    Case(
        "csv-more-fields-than-header",
        csv_text("date,metric,value\n2026-11-17,payers,100\n2026-11-24,payers,110,12\n"),
        DRAFT,
        2,
        "4 fields but the header has 3",
        csv_line(3),
    ),
    Case(
        "csv-no-date-column",
        csv_text("day,metric,value\n2026-11-17,payers,100\n2026-11-24,payers,110\n"),
        DRAFT,
        2,
        "no 'date' column",
        csv_line(1),
    ),
    Case(
        "csv-configured-metric-absent",
        csv_text("date,metric,value\n2026-11-17,users,100\n2026-11-24,users,110\n"),
        DRAFT,
        2,
        "metric 'payers' is named in the config but has no values",
        csv_file("users"),
    ),
    Case(
        "csv-binary-garbage",
        csv_bytes(GARBAGE),
        DRAFT,
        2,
        "not UTF-8 text",
        csv_file(),
    ),
    Case(
        "csv-latin-1",
        csv_bytes(
            "date,metric,value,note\n2026-11-17,payers,100,\n2026-11-24,payers,110,Büro\n".encode(
                "latin-1"
            )
        ),
        DRAFT,
        2,
        "not UTF-8",
        csv_line(3),
    ),
    Case(
        "csv-not-a-date",
        csv_text("date,metric,value\n2026-11-17,payers,100\n2026-11-31,payers,110\n"),
        DRAFT,
        2,
        "'2026-11-31' is not a date",
        csv_line(3, "'payers'"),
    ),
    Case(
        "csv-repeated-column",
        csv_text("date,payers,payers\n2026-11-17,100,100\n2026-11-24,110,110\n"),
        DRAFT,
        2,
        "column 'payers' appears more than once",
        csv_line(1),
    ),
    # --- the PM's draft ------------------------------------------------------------------------
    Case(
        "draft-bad-indentation",
        draft_edit("approved: false", "approved: false\n bets: ["),
        DRAFT,
        2,
        "not valid YAML",
        draft_line(" bets: ["),
    ),
    Case(
        "draft-unknown-status",
        draft_edit(STATUS_LINE, "    status: green"),
        DRAFT,
        2,
        "'green' is not allowed; use one of: on track, at risk, off track, done",
        draft_line("status: green", "bets[1].status"),
    ),
    Case(
        "draft-unknown-status-preview",
        draft_edit(STATUS_LINE, "    status: greenish"),
        PREVIEW,
        2,
        "'greenish' is not allowed",
        draft_line("status: greenish", "bets[1].status"),
    ),
    Case(
        "draft-vague-date",
        draft_edit("    new_eta: # yours", "    new_eta: next friday # yours"),
        DRAFT,
        2,
        "'next friday' is not a date; write it as 2026-12-18",
        draft_line("new_eta: next friday", "bets[1].new_eta"),
    ),
    Case(
        "draft-impossible-date",
        draft_edit("    new_eta: # yours", "    new_eta: 2026-13-45 # yours"),
        DRAFT,
        2,
        "bets[1].new_eta: '2026-13-45' is not a date; write it as 2026-12-18",
        draft_line("new_eta: 2026-13-45"),
    ),
    Case(
        "draft-impossible-deadline-preview",
        draft_edit("    deadline: # yours", "    deadline: 2026-02-30 # yours"),
        PREVIEW,
        2,
        "decisions[1].deadline: '2026-02-30' is not a date; write it as 2026-12-18",
        draft_line("deadline: 2026-02-30"),
    ),
    Case(
        "draft-control-character",
        draft_edit("    note: # yours", "    note: Partner bank\x07 cert moved # yours"),
        DRAFT,
        2,
        "a control character (U+0007) in the text at column 23; delete it, it is invisible",
        draft_line("bank\x07"),
    ),
    Case(
        "draft-escape-character-send",
        all_of(smtp_server(), draft_edit("approved: false", "approved: true\x1b[0m")),
        SEND,
        2,
        "a control character (U+001B) in the text at column 15; delete it",
        draft_line("approved: true\x1b"),
        check=both(no_mail, ledger_says()),
    ),
    Case(
        "draft-decision-without-deadline-is-flagged",
        all_of(drafted, draft_plus("  - title: Hire a second payments SRE\n    approver: Dana\n")),
        PREVIEW,
        0,
        ".html",
        lambda ws: (str(ws.html),),
        stream="out",
        check=no_deadline_flagged,
    ),
    Case(
        "draft-binary-garbage",
        draft_bytes(GARBAGE),
        DRAFT,
        2,
        "not UTF-8 text",
        draft_file(),
    ),
    Case(
        "draft-nul-bytes",
        draft_bytes(b"week: 2026-W48\x00\x00\x00approved: true\n"),
        PREVIEW,
        2,
        "not a text file",
        draft_file(),
    ),
    Case(
        "draft-from-another-week",
        draft_edit("week: 2026-W48", "week: 2026-W47"),
        DRAFT,
        2,
        "this draft is for 2026-W47, not 2026-W48",
        draft_line("week: 2026-W47"),
    ),
    Case(
        "draft-empty",
        draft_bytes(b""),
        DRAFT,
        2,
        "expected the draft's fields",
        draft_file(),
    ),
    Case(
        "draft-bet-without-key",
        draft_edit("  - key: PAY-1\n    pulled:", "  - pulled:"),
        DRAFT,
        2,
        "bets[1]: every bet needs its key",
        draft_line("  - pulled:"),
    ),
    Case(
        "draft-approved-maybe",
        draft_edit("approved: false", "approved: maybe"),
        DRAFT,
        2,
        "'maybe' is not true or false",
        draft_line("approved: maybe", "approved"),
    ),
    Case(
        "draft-approved-maybe-send",
        all_of(smtp_server(), draft_edit("approved: false", "approved: maybe")),
        SEND,
        2,
        "'maybe' is not true or false",
        draft_line("approved: maybe", "approved"),
        check=both(no_mail, ledger_says()),
    ),
    Case(
        "draft-options-not-a-list",
        draft_edit("    options: # yours", "    options: {cheaper: one} # yours"),
        DRAFT,
        2,
        "expected a list of lines",
        draft_line("options: {cheaper: one}", "decisions[1].options"),
    ),
    # --- services ------------------------------------------------------------------------------
    Case(
        "jira-down-page-written-with-banner",
        jira_down,
        RENDER,
        3,
        "cannot reach Jira",
        service("Jira"),
        check=page_with_banner("cannot reach Jira"),
    ),
    Case(
        "github-token-refused",
        github_refusing_the_token,
        RENDER,
        3,
        "GitHub answered 401 (bad credentials): check GITHUB_TOKEN",
        names(github_site.REPOSITORY),
        check=both(page_with_banner("check GITHUB_TOKEN"), never_shown(WRONG_GITHUB_TOKEN)),
    ),
    Case(
        "smtp-refuses-the-connection",
        drafted,
        SEND,
        3,
        "refused the connection: check delivery.smtp.host and port",
        smtp_where(),
        check=ledger_says("failed"),
    ),
    Case(
        "smtp-refuses-the-login",
        all_of(
            smtp_server(authenticator=only_the_right_password, auth_require_tls=False),
            smtp_login,
            env("SMTP_PASSWORD", WRONG_PASSWORD),
            drafted,
        ),
        SEND,
        3,
        "refused the login for user weekly: check SMTP_PASSWORD",
        smtp_where(),
        check=both(never_shown(WRONG_PASSWORD), no_mail, ledger_says("failed")),
    ),
    Case(
        "smtp-451-to-data-then-send-again",
        all_of(smtp_server("451 4.3.0 Try again later"), drafted),
        SEND,
        3,
        "answered 451 4.3.0 Try again later",
        smtp_where(),
        check=both(ledger_says("failed"), a_second_send_tries_again),
    ),
    Case(
        "smtp-550-to-data",
        all_of(smtp_server("550 5.7.1 Relaying denied"), drafted),
        SEND,
        3,
        "answered 550 5.7.1 Relaying denied",
        smtp_where(),
        check=ledger_says("failed"),
    ),
    # --- the disk ------------------------------------------------------------------------------
    Case(
        "reports-folder-is-a-file-draft",
        reports_is_a_file,
        DRAFT,
        3,
        "cannot write",
        lambda ws: (str(ws.reports),),
    ),
    Case(
        "reports-folder-is-a-file-render",
        reports_is_a_file,
        RENDER,
        3,
        "cannot create the report folder",
        lambda ws: (str(ws.reports),),
    ),
    Case(
        "ledger-is-garbage",
        all_of(smtp_server(), ledger_garbage),
        SEND,
        3,
        "is not a send ledger",
        lambda ws: (str(ws.ledger),),
        check=both(no_mail, ledger_untouched),
    ),
    Case(
        "week-not-a-week",
        nothing,
        ("draft", "--week", "next friday"),
        2,
        "'next friday' is not an ISO week; expected the form 2026-W48",
        names("--week"),
    ),
    Case(
        "week-that-does-not-exist",
        nothing,
        ("draft", "--week", "2027-W53"),
        2,
        "2027 has no week 53",
        names("--week"),
    ),
    # --- sending -------------------------------------------------------------------------------
    Case(
        "send-twice-says-when",
        sent_once,
        SEND,
        0,
        "was sent on",
        names("Payments 2026-W48", "--force"),
        stream="out",
        check=still_one_mail,
    ),
    Case(
        "send-dry-run-writes-eml-only",
        all_of(smtp_server(), drafted),
        ("send", "--week", WEEK, "--dry-run"),
        0,
        "would send",
        lambda ws: (str(ws.eml),),
        stream="out",
        check=dry_run_sent_nothing,
    ),
]


def temporary_files(root: Path) -> list[Path]:
    """Hidden or .tmp files anywhere in the workspace: what an interrupted write leaves."""
    return [p for p in root.rglob("*") if p.name.startswith(".") or p.name.endswith(".tmp")]


@pytest.mark.parametrize("case", CASES, ids=[case.id for case in CASES])
def test_bad_input_gets_one_line_naming_where_and_leaves_the_pm_files_alone(
    case: Case, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture
) -> None:
    for name in SECRETS:
        monkeypatch.delenv(name, raising=False)
    with ExitStack() as stack:
        ws = Workspace.create(tmp_path, monkeypatch, stack)
        case.build(ws)
        capsys.readouterr()  # what setting up printed is not the case's output
        where = case.where(ws)
        before = ws.pm_files()

        code = main([case.command[0], "--config", str(tmp_path / case.config), *case.command[1:]])
        out, err = capsys.readouterr()

        assert "Traceback" not in out + err
        assert code == case.code, (out, err)
        lines = err.splitlines()
        if case.stream == "err":
            assert lines, out
            message = lines[0]
            rest = lines[1:]
            if case.id.startswith("config-") and message.endswith(" problems:"):
                # A config error may list its problems, one a line, below the first.
                message = err
                rest = [line for line in rest if not line.startswith("  - ")]
            assert rest == [], err
        else:
            assert err == ""
            message = out
        assert case.message in message, message
        for fragment in where:
            assert fragment in message, (fragment, message)

        after = ws.pm_files()
        if code == 0:  # a command that worked may create a draft, never change a PM's file
            after = {name: after[name] for name, digest in before.items() if digest is not None}
            before = {name: digest for name, digest in before.items() if digest is not None}
        assert after == before
        assert temporary_files(tmp_path) == []
        if case.check is not None:
            case.check(ws, out + err)
