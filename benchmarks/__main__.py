"""Benchmarks: `make bench`. Each figure is a ratio against a floor measured in the same run.

- demo: `weekly demo` (pull, fit to one page, write HTML and PDF) against WeasyPrint alone
  writing the same HTML to PDF, each in a fresh process.
- help: `weekly --help` against `python -c pass`, each in a fresh process.
"""

from __future__ import annotations

import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

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
        help_time = wall([python, "-m", "weekly", "--help"])
        bare = wall([python, "-c", "pass"])
    rows = [
        ("weekly demo vs WeasyPrint alone, same HTML", demo, floor),
        ("weekly --help vs python -c pass", help_time, bare),
    ]
    print(f"{'benchmark':<46} {'ours s':>8} {'floor s':>8} {'ratio':>6}")
    for name, ours, base in rows:
        print(f"{name:<46} {ours:>8.2f} {base:>8.2f} {ours / base:>6.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
