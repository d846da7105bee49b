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

from benchmarks import jira_pull
from testing.fake_jira import CLOUD_FIELDS, FakeJira

BETS, CHILDREN = 500, 49_500

# Runs the command in its argv, then prints the command's peak RSS (KiB on Linux).
LAUNCHER = (
    "import resource, subprocess, sys; "
    "code = subprocess.run(sys.argv[1:]).returncode; "
    "print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss); "
    "sys.exit(code)"
)
FLOOR = "import weekly.pipeline, weekly.sources.jira"
# argv: the config, then the bets, children and blockers the pull must find.
PULL = """
import datetime as dt, sys
from pathlib import Path
import weekly.pipeline
from weekly.config import load_config
from weekly.pipeline import pull_source
from weekly.sources import SOURCES
from weekly.sources.context import PullContext
from weekly.weeks import IsoWeek

now = dt.datetime(2026, 11, 27, 16, tzinfo=dt.UTC)
config, _ = load_config(Path(sys.argv[1]))
ctx = PullContext(config, IsoWeek.of(now.date()), now, {"JIRA_TOKEN": "t"})
[result] = pull_source(SOURCES["jira"], ctx)
children = sum(b.progress.total for b in result.bets if b.progress)
blockers = sum(len(b.blockers) for b in result.bets)
found = [len(result.bets), children, blockers]
assert found == [int(n) for n in sys.argv[2:]], (result.status, found)
"""


@dataclass(frozen=True)
class MemoryFigures:
    peak_mb: float
    floor_mb: float
    requests: int


def peak_mb(code: str, *args: str) -> float:
    """Peak RSS in MB of `python -c code args`, as read by a launcher process."""
    python = sys.executable
    command = [python, "-c", LAUNCHER, python, "-c", code, *args]
    done = subprocess.run(command, capture_output=True, text=True)
    if done.returncode:
        raise RuntimeError(f"the measured child failed:\n{done.stderr}")
    return int(done.stdout.split()[-1]) / 1024


def run() -> MemoryFigures:
    floor = peak_mb(FLOOR)
    with (
        FakeJira(
            jira_pull.dataset(BETS, CHILDREN, decisions=0),
            CLOUD_FIELDS,
            email="pm@example.com",
            token="t",
            cache_searches=True,
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
        expected = (BETS, CHILDREN, jira_pull.open_blockers(CHILDREN))
        peak = peak_mb(PULL, str(folder / "weekly.toml"), *map(str, expected))
        requests = len(fake.requests)
    return MemoryFigures(peak, floor, requests)
