"""Benchmarks: `make bench`. Each figure is a ratio against a floor measured in the same run.

- demo: `weekly demo` (pull, fit to one page, write HTML and PDF) against WeasyPrint alone
  writing the same HTML to PDF, each in a fresh process.
- fit: the one-page fit of the demo (A4, Letter) and of 40 bets and 30 decisions: the
  WeasyPrint layouts it takes, and its time against one layout of the page it settled on
  (see benchmarks/page_fit.py).
- language: the demo's PDF written in Chinese against the same page in English (see
  benchmarks/language_pdf.py).
- live: `weekly preview --serve`, from saving draft.yaml to the page showing it, and to the
  fitted page and PDF, against a cold `weekly preview` of the same draft, for a demo-sized
  draft and one of 100 bets (see benchmarks/live_preview.py; target: 0.5 s to the page).
- help: `weekly --help` against `python -c pass`, each in a fresh process.
- jira: 100 bets with 10,000 children from the local fake Jira, Cloud and Server: the
  requests made against the minimum pages, and the wall time against replaying the same
  requests with plain `requests`; and the forecast of every bet (from the children's
  resolution dates in the same pull) against the pull's wall time, and its requests
  (none) (see benchmarks/jira_pull.py).
- github: 5 repositories x (2,000 issues + 500 pull requests) from the local fake GitHub,
  measured the same way (see benchmarks/github_pull.py).
- parallel: a report with Jira and GitHub, 100 ms a response, against the slower of the
  two pulled alone (see benchmarks/parallel_pull.py).
- memory: peak RSS of a process pulling 50,000 Jira issues against one that only imports
  the pull (see benchmarks/memory_pull.py).
"""

from __future__ import annotations

import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from benchmarks import (
    github_pull,
    jira_pull,
    language_pdf,
    live_preview,
    memory_pull,
    page_fit,
    parallel_pull,
)

RUNS = 3


def wall(command: list[str]) -> float:
    """Median wall time of `command` over RUNS fresh processes."""
    times = []
    for _ in range(RUNS):
        start = time.perf_counter()
        subprocess.run(command, check=True, capture_output=True)
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def main() -> int:
    python = sys.executable
    rows: list[tuple[str, str, str, float]] = []
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp)
        demo = wall([python, "-m", "weekly", "demo", "--out", str(out)])
        html = next(out.glob("*.html"))
        floor_pdf = [
            python,
            "-c",
            "import sys; from weasyprint import HTML; "
            "HTML(filename=sys.argv[1]).write_pdf(sys.argv[2])",
            str(html),
            str(out / "floor.pdf"),
        ]
        floor = wall(floor_pdf)
    rows.append(
        (
            "weekly demo vs WeasyPrint alone, same HTML",
            f"{demo:.2f} s",
            f"{floor:.2f} s",
            demo / floor,
        )
    )
    for fit in page_fit.run():
        rows.append(
            (f"fit on one page, {fit.name}: layouts vs one", str(fit.layouts), "1", fit.layouts)
        )
        rows.append(
            (
                f"fit on one page, {fit.name}: wall time vs one layout of its page",
                f"{fit.seconds:.2f} s",
                f"{fit.one_layout_seconds:.2f} s",
                fit.seconds / fit.one_layout_seconds,
            )
        )
    pdf = language_pdf.run()
    rows.append(
        (
            "the demo's PDF written, Chinese page vs English page",
            f"{pdf.chinese_seconds:.2f} s",
            f"{pdf.english_seconds:.2f} s",
            pdf.chinese_seconds / pdf.english_seconds,
        )
    )
    rows.append(
        (
            "the demo's PDF size, Chinese page vs English page",
            f"{pdf.chinese_bytes // 1024} KB",
            f"{pdf.english_bytes // 1024} KB",
            pdf.chinese_bytes / pdf.english_bytes,
        )
    )
    for live in live_preview.run():
        rows.append(
            (
                f"live preview, {live.name}: save to page vs cold weekly preview",
                f"{live.save_to_page:.2f} s",
                f"{live.cold_preview:.2f} s",
                live.save_to_page / live.cold_preview,
            )
        )
        rows.append(
            (
                f"live preview, {live.name}: save to fitted page and PDF vs cold",
                f"{live.save_to_fit:.2f} s",
                f"{live.cold_preview:.2f} s",
                live.save_to_fit / live.cold_preview,
            )
        )
    help_time = wall([python, "-m", "weekly", "--help"])
    bare = wall([python, "-c", "pass"])
    rows.append(
        ("weekly --help vs python -c pass", f"{help_time:.2f} s", f"{bare:.2f} s", help_time / bare)
    )
    for jira in jira_pull.run():
        name = f"Jira {jira.deployment}: 10,000 children under 100 bets"
        rows.append(
            (
                f"{name}, requests vs minimum pages",
                str(jira.requests),
                str(jira.minimum),
                jira.requests / jira.minimum,
            )
        )
        rows.append(
            (
                f"{name}, wall time vs replaying its requests",
                f"{jira.seconds:.2f} s",
                f"{jira.replay_seconds:.2f} s",
                jira.seconds / jira.replay_seconds,
            )
        )
        rows.append(
            (
                f"{name}, forecast of every bet vs the pull's wall time",
                f"{jira.forecast_seconds:.3f} s",
                f"{jira.seconds:.2f} s",
                jira.forecast_seconds / jira.seconds,
            )
        )
        rows.append(
            (
                f"{name}, forecast's requests",
                str(jira.forecast_requests),
                "0",
                float(jira.forecast_requests),
            )
        )
    gh = github_pull.run()
    name = "GitHub: 5 repositories x (2,000 issues + 500 PRs)"
    rows.append(
        (
            f"{name}, requests vs minimum pages",
            str(gh.requests),
            str(gh.minimum),
            gh.requests / gh.minimum,
        )
    )
    rows.append(
        (
            f"{name}, wall time vs replaying its requests",
            f"{gh.seconds:.2f} s",
            f"{gh.replay_seconds:.2f} s",
            gh.seconds / gh.replay_seconds,
        )
    )
    par = parallel_pull.run()
    rows.append(
        (
            f"Jira ({par.jira_requests} requests) + GitHub ({par.github_requests}) at "
            f"{parallel_pull.LATENCY * 1000:.0f} ms a response: wall time vs slower source alone",
            f"{par.both_seconds:.2f} s",
            f"{par.slowest_alone:.2f} s",
            par.both_seconds / par.slowest_alone,
        )
    )
    mem = memory_pull.run()
    rows.append(
        (
            f"Jira: 50,000 issues ({mem.requests} requests), peak RSS vs importing the pull",
            f"{mem.peak_mb:.0f} MB",
            f"{mem.floor_mb:.0f} MB",
            mem.peak_mb / mem.floor_mb,
        )
    )
    width = max(len(r[0]) for r in rows)
    print(f"{'benchmark':<{width}} {'ours':>9} {'floor':>9} {'ratio':>6}")
    for name, ours, base, ratio in rows:
        print(f"{name:<{width}} {ours:>9} {base:>9} {ratio:>6.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
