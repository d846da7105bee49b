"""The one-page fit: how many WeasyPrint layouts it takes, and its time against one layout.

For the demo on A4 and on Letter, and a crowded week made from the demo's items (40 bets,
30 decisions), the fit is run in this process (WeasyPrint imported and warmed first); its
wall time is compared with a single `render()` of the page it settled on, the least any
fit can cost. Each figure is the median of RUNS.
"""

from __future__ import annotations

import dataclasses
import statistics
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from weekly.demo.workspace import demo_workspace, with_history
from weekly.model import Report
from weekly.pipeline import build_report
from weekly.render.html import render_html
from weekly.render.pdf import fit_one_page
from weekly.weeks import IsoWeek

RUNS = 3


@dataclass(frozen=True)
class FitFigures:
    name: str
    layouts: int
    seconds: float
    one_layout_seconds: float


def crowded(report: Report) -> Report:
    """The demo's bets and decisions repeated, with new keys, to 40 bets and 30 decisions."""
    bets = [
        dataclasses.replace(report.bets[i % len(report.bets)], key=f"CROWD-{i}") for i in range(40)
    ]
    decisions = [
        dataclasses.replace(report.decisions[i % len(report.decisions)], key=f"DEC-{i}")
        for i in range(30)
    ]
    return dataclasses.replace(report, bets=tuple(bets), decisions=tuple(decisions))


def run() -> list[FitFigures]:
    from weasyprint import HTML

    with demo_workspace() as demo:
        pulled = build_report(demo.config, demo.now, demo.env, IsoWeek.of(demo.now.date()))
        report = with_history(demo, pulled)
    cases = [("demo, A4", report, "A4"), ("demo, Letter", report, "Letter")]
    cases.append(("40 bets and 30 decisions, A4", crowded(report), "A4"))
    figures = []
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        fit_one_page(report, "A4", render_html, folder)  # warm: fonts, the template
        for name, rep, paper in cases:
            fits, singles, layouts = [], [], 0
            for _ in range(RUNS):
                start = time.perf_counter()
                page = fit_one_page(rep, paper, render_html, folder)
                fits.append(time.perf_counter() - start)
                layouts = page.tries
                start = time.perf_counter()
                HTML(string=page.html, base_url=str(folder)).render()
                singles.append(time.perf_counter() - start)
            figures.append(
                FitFigures(name, layouts, statistics.median(fits), statistics.median(singles))
            )
    return figures
