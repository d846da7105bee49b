"""A Chinese page's PDF against the English page's: the demo fitted in each language, then
its PDF written (fonts subset and embedded), the median of RUNS writes each, in this process.
The Chinese page embeds two Chinese faces (WenQuanYi Micro Hei, and Noto Sans CJK SC for
bold); the English one embeds Inter, and Noto Sans CJK SC only for its one Chinese title.
"""

from __future__ import annotations

import statistics
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from weekly.demo.workspace import demo_workspace, with_history
from weekly.pipeline import build_report
from weekly.render.html import render_html
from weekly.render.pdf import fit_one_page, write_pdf
from weekly.weeks import IsoWeek

RUNS = 3


@dataclass(frozen=True)
class PdfFigures:
    chinese_seconds: float
    english_seconds: float
    chinese_bytes: int
    english_bytes: int


def _write_time(language: str, folder: Path) -> tuple[float, int]:
    with demo_workspace(language) as run:
        pulled = build_report(run.config, run.now, run.env, IsoWeek.of(run.now.date()))
        report = with_history(run, pulled)
    page = fit_one_page(report, "A4", render_html, folder)
    times = []
    path = folder / f"{language}.pdf"
    for _ in range(RUNS):
        start = time.perf_counter()
        write_pdf(page, path)
        times.append(time.perf_counter() - start)
    return statistics.median(times), path.stat().st_size


def run() -> PdfFigures:
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        _write_time("en", folder)  # warm: fonts, the templates
        english, english_bytes = _write_time("en", folder)
        chinese, chinese_bytes = _write_time("zh-CN", folder)
    return PdfFigures(chinese, english, chinese_bytes, english_bytes)
