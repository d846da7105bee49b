"""Sources pulled at once: Jira and GitHub behind 100 ms a response, through build_report.

Jira has 10 bets with 1,000 children and 20 decisions; GitHub 3 repositories shaped as in
benchmarks/github_pull.py. Each source then needs 15 requests. The wall time of a report
with both is compared with the slower of the two pulled alone (same fakes, same config
apart from the other source), so the ratio is what pulling them together costs over the
best parallel pulling can do. Each figure is the median of RUNS, after one warm-up report.
"""

from __future__ import annotations

import datetime as dt
import statistics
import time
from dataclasses import dataclass
from pathlib import Path
from tempfile import TemporaryDirectory

from benchmarks import github_pull, jira_pull
from testing.fake_github import FakeGitHub
from testing.fake_jira import CLOUD_FIELDS, FakeJira
from weekly.config import load_config
from weekly.model import SourceState
from weekly.pipeline import build_report
from weekly.weeks import IsoWeek

LATENCY = 0.1
BETS, CHILDREN, DECISIONS, REPOS = 10, 1_000, 20, 3
RUNS = 3
NOW = dt.datetime(2026, 11, 27, 16, tzinfo=dt.UTC)
ENV = {"JIRA_TOKEN": "t", "GITHUB_TOKEN": "t"}


@dataclass(frozen=True)
class ParallelFigures:
    jira_requests: int
    github_requests: int
    jira_seconds: float
    github_seconds: float
    both_seconds: float

    @property
    def slowest_alone(self) -> float:
        return max(self.jira_seconds, self.github_seconds)


def run() -> ParallelFigures:
    names = [f"acme/repo{n}" for n in range(REPOS)]
    jira_fake = FakeJira(
        jira_pull.dataset(BETS, CHILDREN, DECISIONS),
        CLOUD_FIELDS,
        email="pm@example.com",
        token="t",
        latency=LATENCY,
    )
    github_fake = FakeGitHub(
        {n: github_pull.repository(n) for n in names}, token="t", latency=LATENCY
    )
    with jira_fake, github_fake, TemporaryDirectory() as tmp:
        folder = Path(tmp)
        (folder / "m.csv").write_text("date,metric,value\n2026-11-24,a,1\n")
        common = (
            '[report]\nteam = "Bench"\n[metrics]\ncsv = "m.csv"\nnsm = "a"\n'
            '[metric.a]\ndirection = "higher"\n'
        )
        jira = f'[sources.jira]\nurl = "{jira_fake.url}"\nemail = "pm@example.com"\n'
        jira += 'projects = ["PAY"]\n'
        repos = ", ".join(f'"{n}"' for n in names)
        github = f'[sources.github]\nbase_url = "{github_fake.url}"\nrepositories = [{repos}]\n'
        configs = {}
        for name, sections in (("jira", jira), ("github", github), ("both", jira + github)):
            (folder / f"{name}.toml").write_text(common + sections)
            configs[name] = load_config(folder / f"{name}.toml")[0]

        def pull(name: str) -> tuple[float, int, int]:
            """Seconds to build the report, and the requests Jira and GitHub answered."""
            jira_before, github_before = len(jira_fake.requests), len(github_fake.requests)
            start = time.perf_counter()
            report = build_report(configs[name], NOW, ENV, IsoWeek.of(NOW.date()))
            seconds = time.perf_counter() - start
            failed = [s for s in report.sources if s.state is not SourceState.OK]
            assert not failed, failed
            return (
                seconds,
                len(jira_fake.requests) - jira_before,
                len(github_fake.requests) - github_before,
            )

        pull("both")  # imports and first-use caches, outside the timings
        times: dict[str, list[float]] = {"jira": [], "github": [], "both": []}
        requests: dict[str, tuple[int, int]] = {}
        for _ in range(RUNS):  # interleaved, so drift on a shared machine hits all three
            for name in times:
                seconds, jira_requests, github_requests = pull(name)
                times[name].append(seconds)
                requests[name] = (jira_requests, github_requests)
    assert requests["both"] == (requests["jira"][0], requests["github"][1]), requests
    return ParallelFigures(
        *requests["both"],
        statistics.median(times["jira"]),
        statistics.median(times["github"]),
        statistics.median(times["both"]),
    )
