"""Shared test helpers: reports built from model objects, and PDF text extraction."""

from __future__ import annotations

import datetime as dt
import email
import email.policy
import socket
from email.message import EmailMessage
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from pypdf import PdfReader

from weekly.model import (
    Aggregation,
    Bet,
    Blocker,
    Confidence,
    Decision,
    Direction,
    Metric,
    Progress,
    Report,
    SourceState,
    SourceStatus,
    Status,
    WeekValue,
)
from weekly.weeks import IsoWeek

BERLIN = ZoneInfo("Europe/Berlin")
NOW = dt.datetime(2026, 11, 27, 16, 0, tzinfo=BERLIN)
WEEK = IsoWeek(2026, 48)


def metric(key: str = "active_payers", label: str = "Active payers", values=None, **kw) -> Metric:
    values = values or [100.0 + i for i in range(12)]
    series = tuple(WeekValue(WEEK.shift(i - len(values) + 1), v) for i, v in enumerate(values))
    return Metric(
        key=key,
        label=label,
        unit=kw.pop("unit", ""),
        direction=kw.pop("direction", Direction.HIGHER),
        aggregation=kw.pop("aggregation", Aggregation.LAST),
        series=series,
        **kw,
    )


def bet(key: str, title: str = "A bet", **kw) -> Bet:
    defaults = dict(
        url=f"https://jira.example.com/browse/{key}",
        owner="Ana Ruiz",
        status=Status.ON_TRACK,
        confidence=Confidence.HIGH,
        progress=Progress(3, 10),
        target_date=dt.date(2026, 12, 18),
    )
    return Bet(key=key, title=title, **{**defaults, **kw})


def blocker(key: str, title: str = "Waiting on a partner", days: int = 5) -> Blocker:
    return Blocker(key, title, None, "Tom Becker", NOW.date() - dt.timedelta(days=days))


def decision(key: str, title: str = "Pick a vendor", **kw) -> Decision:
    defaults = dict(
        url=None,
        driver="Ana Ruiz",
        approver="Dana Schulz",
        deadline=dt.date(2026, 12, 2),
        options=("Option one", "Option two"),
    )
    return Decision(key=key, title=title, **{**defaults, **kw})


def report(bets=(), decisions=(), team="Payments", headline=None, metrics=None) -> Report:
    return Report(
        team=team,
        week=WEEK,
        generated_at=NOW,
        nsm=metric(),
        metrics=tuple(metrics if metrics is not None else [metric("conv", "Conversion", unit="%")]),
        bets=tuple(bets),
        decisions=tuple(decisions),
        sources=(SourceStatus("test", SourceState.OK, NOW),),
        headline=headline,
    )


def pdf_pages(path: Path) -> list[str]:
    """The text of each page of a PDF."""
    return [page.extract_text() for page in PdfReader(path).pages]


def pdf_size_pt(path: Path) -> tuple[float, float]:
    box = PdfReader(path).pages[0].mediabox
    return round(float(box.width)), round(float(box.height))


@pytest.fixture
def out_dir(tmp_path: Path) -> Path:
    return tmp_path / "out"


def free_port() -> int:
    """A loopback port nothing listens on, for a test server (or for a refused connection)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


QUEUED = "250 2.0.0 Ok: queued as 1234"


class Inbox:
    """An aiosmtpd handler on a real SMTP server: keeps every envelope, answers DATA as told."""

    def __init__(self, data_reply: str = QUEUED) -> None:
        self.data_reply = data_reply
        self.envelopes: list = []

    async def handle_DATA(self, server, session, envelope) -> str:
        if self.data_reply.startswith("250"):
            self.envelopes.append(envelope)
        return self.data_reply

    def messages(self) -> list[EmailMessage]:
        return [
            email.message_from_bytes(e.original_content, policy=email.policy.default)
            for e in self.envelopes
        ]


@pytest.fixture
def inbox():
    """A real SMTP server on loopback: (its Inbox, its port)."""
    from aiosmtpd.controller import Controller

    box = Inbox()
    controller = Controller(box, hostname="127.0.0.1", port=free_port())
    controller.start()
    yield box, controller.port
    controller.stop()


@pytest.fixture
def keep_umask():
    """main() sets the process's umask to 077; give the test's back after it."""
    import os

    old = os.umask(0o022)
    os.umask(old)
    yield
    os.umask(old)
