"""`make wheel-check`: build the wheel, show what it holds, and run `weekly demo` from it
installed, away from the checkout. The product ships without the test rig: no fake server,
fault knob or JQL evaluator is in the wheel.

    python -m testing.wheel_check
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path

CHECKOUT = Path(__file__).resolve().parent.parent
# What only the test rig has: none of it may be in the wheel.
RIG = ("testing/", "fake_http", "fake_jira", "fake_github", "jira_jql", "jira_site", "github_site")


def main() -> int:
    with tempfile.TemporaryDirectory(prefix="weekly-wheel-") as tmp:
        work = Path(tmp)
        subprocess.run(
            [
                sys.executable,
                "-m",
                "pip",
                "wheel",
                "-q",
                "--no-deps",
                "-w",
                str(work),
                str(CHECKOUT),
            ],
            check=True,
        )
        (wheel,) = work.glob("weekly-*.whl")
        names = zipfile.ZipFile(wheel).namelist()
        print(f"{wheel.name}: {wheel.stat().st_size / 1024:.0f} KB, {len(names)} files")
        for name in sorted(n for n in names if n.startswith("weekly/demo/")):
            print(f"  {name}")
        rig = [n for n in names if any(part in n for part in RIG)]
        if rig:
            print(f"the wheel holds the test rig: {', '.join(rig)}", file=sys.stderr)
            return 1
        site = work / "site"
        subprocess.run(
            [
                sys.executable,
                "-m",
                "pip",
                "install",
                "-q",
                "--no-deps",
                "--target",
                str(site),
                str(wheel),
            ],
            check=True,
        )
        # The installed copy first, and no checkout on the path: the demo runs from the wheel.
        env = {**os.environ, "PYTHONPATH": str(site)}
        where = subprocess.run(
            [sys.executable, "-c", "import weekly; print(weekly.__file__)"],
            cwd=work,
            env=env,
            check=True,
            capture_output=True,
            text=True,
        ).stdout.strip()
        if not where.startswith(str(site)):
            print(f"weekly was imported from {where}, not the wheel", file=sys.stderr)
            return 1
        out = work / "demo"
        subprocess.run(
            [sys.executable, "-m", "weekly", "demo", "--out", str(out)],
            cwd=work,
            env=env,
            check=True,
        )
        pdfs = list(out.glob("*.pdf"))
        if not pdfs:
            print("weekly demo from the wheel wrote no PDF", file=sys.stderr)
            return 1
        print(
            f"weekly demo from the installed wheel wrote {', '.join(p.name for p in out.iterdir())}"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
