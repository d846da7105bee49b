"""`weekly preview --serve`: from saving draft.yaml to the page showing the save, against a
cold `weekly preview` (a fresh process rendering the same draft), for a demo-sized draft
(9 bets, 4 decisions) and one of 100 bets. The fitted page and its PDF follow; their time is
reported too. The target is 0.5 s from save to page.
"""

from __future__ import annotations

import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from testing import workspace as toml
from testing.clock import WEEK, at
from weekly import workflow
from weekly.config import load_config
from weekly.live.session import LiveDraft

SAVES = 5
# The headline: on the page whatever the fit compacts.
HEADLINE = "headline: # two or three sentences: the first thing executives read"


@dataclass(frozen=True)
class Latency:
    name: str
    save_to_page: float  # median seconds from the save to the page showing it
    save_to_fit: float  # … to the fitted page and its PDF
    cold_preview: float  # a fresh `weekly preview` of the same draft


def _team(folder: Path, bets: int, decisions: int) -> Path:
    toml.metrics_csv(folder, "2026-11-17,payers,100\n2026-11-24,payers,110\n")
    lines = []
    for n in range(bets):
        status = ("on track", "at risk", "off track")[n % 3]
        lines.append(
            f'[[bets]]\nkey = "PAY-{n}"\ntitle = "Bet {n}: checkout step {n}"\n'
            f'owner = "Ana Ruiz"\nstatus = "{status}"\nconfidence = "medium"\n'
            "target_date = 2026-12-18\n"
        )
    for n in range(decisions):
        lines.append(
            f'[[decisions]]\nkey = "PAY-{900 + n}"\ntitle = "Decision {n}"\n'
            'approver = "Dana Schulz"\ndeadline = 2026-12-02\n'
        )
    (folder / "bets.toml").write_text("\n".join(lines), encoding="utf-8")
    return toml.team_config(folder, toml.bets_file())


def _measure(name: str, bets: int, decisions: int) -> Latency:
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        config = load_config(_team(folder, bets, decisions))[0]
        workflow.draft(config, at(14), {}, WEEK)
        live = LiveDraft(config, WEEK)
        live.start()
        draft = live.folder.draft
        original = draft.read_text(encoding="utf-8")
        generation = live.wait(0, 60)
        while not live.shown.fitted:
            generation = live.wait(generation, 60)
        to_page, to_fit = [], []
        for n in range(SAVES):
            note = f"Saved headline number {n}"
            start = time.perf_counter()
            draft.write_text(original.replace(HEADLINE, f"headline: {note}", 1), encoding="utf-8")
            while note not in live.shown.html:
                generation = live.wait(generation, 60)
            to_page.append(time.perf_counter() - start)
            while not (live.shown.fitted and note in live.shown.html):
                generation = live.wait(generation, 60)
            to_fit.append(time.perf_counter() - start)
        live.stop()
        cold = []
        for _ in range(3):
            start = time.perf_counter()
            subprocess.run(
                [
                    sys.executable,
                    "-m",
                    "weekly",
                    "preview",
                    "--config",
                    str(config.path),
                    "--week",
                    str(WEEK),
                ],
                check=True,
                capture_output=True,
            )
            cold.append(time.perf_counter() - start)
    return Latency(
        name, statistics.median(to_page), statistics.median(to_fit), statistics.median(cold)
    )


def run() -> list[Latency]:
    return [
        _measure("a demo-sized draft (9 bets, 4 decisions)", 9, 4),
        _measure("a draft of 100 bets and 30 decisions", 100, 30),
    ]
