"""Jira pull at scale: 100 bets, 10,000 children, against the local fake (Cloud and Server).

Requests are counted against the minimum: serverInfo, /field, and one request per page
of 100 for the bets, the children, the blockers' changelogs and the decisions. Wall
time is compared with replaying the very same HTTP requests with plain `requests`, so
the ratio is what the `jira` client and our mapping add over the network floor.
"""

from __future__ import annotations

import datetime as dt
import math
import time
from dataclasses import dataclass
from pathlib import Path
from tempfile import TemporaryDirectory
from urllib.parse import urlencode

import requests

from testing.fake_jira import CLOUD_FIELDS, FakeJira, issue
from weekly.config import load_config
from weekly.forecast import forecast
from weekly.model import Aggregation, Direction, Metric, Report
from weekly.pipeline import pull_source
from weekly.sources import SOURCES
from weekly.sources.context import PullContext
from weekly.weeks import IsoWeek

BETS, CHILDREN, BLOCKED_EVERY, DECISIONS = 100, 10_000, 50, 20
NOW = dt.datetime(2026, 11, 27, 16, tzinfo=dt.UTC)


@dataclass(frozen=True)
class JiraFigures:
    deployment: str
    requests: int
    minimum: int
    seconds: float
    replay_seconds: float
    forecast_seconds: float  # forecasting the pulled bets, after the pull: no requests
    forecast_requests: int


def open_blockers(children: int = CHILDREN) -> int:
    """How many of `dataset`'s children are blockers: flagged, and not finished (one in three
    is open)."""
    return sum(1 for n in range(children) if n % BLOCKED_EVERY == 0 and n % 3 == 0)


def dataset(
    bets: int = BETS, children: int = CHILDREN, decisions: int = DECISIONS
) -> list[dict[str, object]]:
    """`bets` epics, `children` stories spread over them (every 50th flagged), `decisions`."""
    issues: list[dict[str, object]] = [
        issue(
            f"PAY-{n}", f"Bet {n}", issuetype="Epic", status="In Progress", category="indeterminate"
        )
        for n in range(1, bets + 1)
    ]
    for n in range(children):
        flagged = {"customfield_10021": [{"value": "Impediment"}]} if n % BLOCKED_EVERY == 0 else {}
        # Two stories in three finished, over the last twelve weeks: the forecast's throughput.
        done = (
            dict(
                status="Done",
                category="done",
                resolved=f"{NOW.date() - dt.timedelta(days=n % 84)}T10:00:00.000+0000",
            )
            if n % 3
            else {}
        )
        issues.append(
            issue(
                f"PAY-{1000 + n}",
                f"Story {n}",
                parent=f"PAY-{1 + n % bets}",
                custom=flagged,
                **done,
            )
        )
    issues += [
        issue(f"PAY-{20000 + n}", f"Decision {n}", labels=["decision-needed"])
        for n in range(decisions)
    ]
    return issues


def minimum_requests() -> int:
    pages = [BETS, CHILDREN, open_blockers(), DECISIONS]
    return 2 + sum(math.ceil(n / 100) for n in pages)


def measure(deployment: str, issues: list[dict[str, object]]) -> JiraFigures:
    email = "pm@example.com" if deployment == "Cloud" else None
    with (
        FakeJira(issues, CLOUD_FIELDS, deployment=deployment, email=email, token="t") as fake,
        TemporaryDirectory() as tmp,
    ):
        folder = Path(tmp)
        (folder / "m.csv").write_text("date,metric,value\n2026-11-24,a,1\n")
        email_line = f'email = "{email}"\n' if email else ""
        (folder / "weekly.toml").write_text(
            '[report]\nteam = "Bench"\n[metrics]\ncsv = "m.csv"\nnsm = "a"\n'
            '[metric.a]\ndirection = "higher"\n'
            f'[sources.jira]\nurl = "{fake.url}"\n{email_line}projects = ["PAY"]\n'
        )
        config, _ = load_config(folder / "weekly.toml")
        ctx = PullContext(config, IsoWeek.of(NOW.date()), NOW, {"JIRA_TOKEN": "t"})
        start = time.perf_counter()
        [result] = pull_source(SOURCES["jira"], ctx)
        seconds = time.perf_counter() - start
        assert sum(b.progress.total for b in result.bets if b.progress) == CHILDREN
        recorded = list(fake.requests)
        pulled = Report("Bench", ctx.week, NOW, metric("a"), (), result.bets, result.decisions, ())
        start = time.perf_counter()
        forecasted = forecast(pulled)
        forecast_seconds = time.perf_counter() - start
        assert all(b.forecast and b.forecast.safe for b in forecasted.bets), forecasted.bets[0]
        forecast_requests = len(fake.requests) - len(recorded)
        headers = (
            {"Authorization": requests.auth._basic_auth_str(email, "t")}  # type: ignore[attr-defined]
            if email
            else {"Authorization": "Bearer t"}
        )
        with requests.Session() as plain:
            start = time.perf_counter()
            for r in recorded:
                plain.get(
                    f"{fake.url}{r.path}?{urlencode(r.query, doseq=True)}", headers=headers
                ).json()
            replay = time.perf_counter() - start
    return JiraFigures(
        deployment,
        len(recorded),
        minimum_requests(),
        seconds,
        replay,
        forecast_seconds,
        forecast_requests,
    )


def metric(key: str) -> Metric:
    return Metric(key, key, "", Direction.HIGHER, Aggregation.LAST, ())


def run() -> list[JiraFigures]:
    issues = dataset()
    return [measure("Cloud", issues), measure("Server", issues)]
