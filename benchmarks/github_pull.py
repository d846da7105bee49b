"""GitHub pull at scale: 5 repositories x (2,000 issues + 500 pull requests), local fake.

Per repository the data has 20 milestones, 2,000 issues (100 blocked, 40 decisions, the
rest plain work) and 500 pull requests, 120 of them merged this week. Requests are
counted against the minimum pages: milestones, blocked issues, decision issues, and the
pull requests updated since Monday (sorted newest first, so the listing can stop there).
Wall time is compared with replaying the same requests with plain `requests`.
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

from testing.fake_github import FakeGitHub, Repo, issue, milestone, pull, pull_issue
from weekly.config import load_config
from weekly.pipeline import pull_source
from weekly.sources import SOURCES
from weekly.sources.context import PullContext
from weekly.weeks import IsoWeek

REPOS, MILESTONES, ISSUES, BLOCKED, DECISIONS, PULLS, MERGED_THIS_WEEK = (
    5,
    20,
    2000,
    100,
    40,
    500,
    120,
)
NOW = dt.datetime(2026, 11, 27, 16, tzinfo=dt.UTC)


@dataclass(frozen=True)
class GitHubFigures:
    requests: int
    minimum: int
    seconds: float
    replay_seconds: float


def repository(name: str) -> Repo:
    milestones = [
        milestone(name, n, f"Milestone {n}", open_issues=50, closed_issues=50)
        for n in range(1, MILESTONES + 1)
    ]
    issues = []
    for n in range(1, ISSUES + 1):
        labels = (
            ["blocked"] if n <= BLOCKED else ["decision-needed"] if n <= BLOCKED + DECISIONS else []
        )
        issues.append(
            issue(name, n, f"Issue {n}", labels=labels, milestone=milestones[n % MILESTONES])
        )
    pulls = []
    for n in range(PULLS):
        this_week = n < MERGED_THIS_WEEK
        stamp = "2026-11-25T10:00:00Z" if this_week else "2026-10-01T10:00:00Z"
        pulls.append(
            pull(
                name,
                ISSUES + 1 + n,
                f"PR {n}",
                merged_at=stamp,
                updated_at=stamp,
                milestone=milestones[n % MILESTONES],
            )
        )
    return Repo(milestones=milestones, issues=issues + [pull_issue(p) for p in pulls], pulls=pulls)


def minimum_requests() -> int:
    # The pull request listing needs the pages up to and including the first of last week's.
    pages = [MILESTONES, BLOCKED, DECISIONS, MERGED_THIS_WEEK + 1]
    return REPOS * sum(math.ceil(n / 100) for n in pages)


def run() -> GitHubFigures:
    names = [f"acme/repo{n}" for n in range(REPOS)]
    with (
        FakeGitHub({n: repository(n) for n in names}, token="t") as fake,
        TemporaryDirectory() as tmp,
    ):
        folder = Path(tmp)
        (folder / "m.csv").write_text("date,metric,value\n2026-11-24,a,1\n")
        repos = ", ".join(f'"{n}"' for n in names)
        (folder / "weekly.toml").write_text(
            '[report]\nteam = "Bench"\n[metrics]\ncsv = "m.csv"\nnsm = "a"\n'
            '[metric.a]\ndirection = "higher"\n'
            f'[sources.github]\nbase_url = "{fake.url}"\nrepositories = [{repos}]\n'
        )
        config, _ = load_config(folder / "weekly.toml")
        ctx = PullContext(config, IsoWeek.of(NOW.date()), NOW, {"GITHUB_TOKEN": "t"})
        start = time.perf_counter()
        results = pull_source(SOURCES["github"], ctx)
        seconds = time.perf_counter() - start
        delivered = sum(len(b.delivered) for r in results for b in r.bets)
        assert delivered == REPOS * MERGED_THIS_WEEK, delivered
        recorded = list(fake.requests)
        origin = fake.url.split("/api/")[0]
        with requests.Session() as plain:
            start = time.perf_counter()
            for r in recorded:
                url = f"{origin}{r.path}?{urlencode(r.query, doseq=True)}"
                plain.get(url, headers={"Authorization": "token t"}).json()
            replay = time.perf_counter() - start
    return GitHubFigures(len(recorded), minimum_requests(), seconds, replay)
