"""Memory of a big Jira pull: 500 bets with 49,500 children (50,000 issues) from the local fake.

The fake serves from this process; the pull runs in a child process, whose peak resident
set is compared with a child that only imports the pull's modules. Each child is started
by a small launcher that reads its peak with getrusage(RUSAGE_CHILDREN): a child started
straight from this process would report at least this process's own peak, which holds the
fake's 50,000 issues, because Linux carries the peak of the memory a process had over
into the program it execs, and subprocess starts children with vfork.
"""

from __future__ import annotations

import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from tempfile import TemporaryDirectory

from weekly.demo.fake_jira import CLOUD_FIELDS, FakeJira, issue

BETS, CHILDREN, BLOCKED_EVERY = 500, 49_500, 100

# Runs the command in its argv, then prints the command's peak RSS (KiB on Linux).
LAUNCHER = (
    "import resource, subprocess, sys; "
    "code = subprocess.run(sys.argv[1:]).returncode; "
    "print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss); "
    "sys.exit(code)"
)
FLOOR = "import weekly.pipeline, weekly.sources.jira"
PULL = f"""
import datetime as dt, sys
from pathlib import Path
import weekly.pipeline
from weekly.config import load_config
from weekly.sources import jira
from weekly.sources.context import PullContext
from weekly.weeks import IsoWeek

now = dt.datetime(2026, 11, 27, 16, tzinfo=dt.UTC)
config, _ = load_config(Path(sys.argv[1]))
result = jira.pull(PullContext(config, IsoWeek.of(now.date()), now, {{"JIRA_TOKEN": "t"}}))
children = sum(b.progress.total for b in result.bets if b.progress)
blockers = sum(len(b.blockers) for b in result.bets)
assert (len(result.bets), children, blockers) == ({BETS}, {CHILDREN}, {CHILDREN // BLOCKED_EVERY}), (
    result.status, len(result.bets), children, blockers
)
"""


@dataclass(frozen=True)
class MemoryFigures:
    peak_mb: float
    floor_mb: float
    requests: int


def dataset() -> list[dict[str, object]]:
    issues: list[dict[str, object]] = [
        issue(
            f"PAY-{n}", f"Bet {n}", issuetype="Epic", status="In Progress", category="indeterminate"
        )
        for n in range(1, BETS + 1)
    ]
    for n in range(CHILDREN):
        flagged = {"customfield_10021": [{"value": "Impediment"}]} if n % BLOCKED_EVERY == 0 else {}
        issues.append(
            issue(f"PAY-{1000 + n}", f"Story {n}", parent=f"PAY-{1 + n % BETS}", custom=flagged)
        )
    return issues


def peak_mb(code: str, *args: str) -> float:
    """Peak RSS in MB of `python -c code args`, as read by a launcher process."""
    python = sys.executable
    done = subprocess.run(
        [python, "-c", LAUNCHER, python, "-c", code, *args],
        check=True,
        capture_output=True,
        text=True,
    )
    return int(done.stdout.split()[-1]) / 1024


def run() -> MemoryFigures:
    floor = peak_mb(FLOOR)
    with (
        FakeJira(
            dataset(), CLOUD_FIELDS, email="pm@example.com", token="t", cache_searches=True
        ) as fake,
        TemporaryDirectory() as tmp,
    ):
        folder = Path(tmp)
        (folder / "m.csv").write_text("date,metric,value\n2026-11-24,a,1\n")
        (folder / "weekly.toml").write_text(
            '[report]\nteam = "Bench"\n[metrics]\ncsv = "m.csv"\nnsm = "a"\n'
            '[metric.a]\ndirection = "higher"\n'
            f'[sources.jira]\nurl = "{fake.url}"\nemail = "pm@example.com"\nprojects = ["PAY"]\n'
        )
        peak = peak_mb(PULL, str(folder / "weekly.toml"))
        requests = len(fake.requests)
    return MemoryFigures(peak, floor, requests)
