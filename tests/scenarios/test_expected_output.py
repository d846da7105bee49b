"""The demo page's HTML against the file that holds it (STYLE rule 8).

A change to the template shows up here as a diff to review (the stylesheet is left out:
it is a file of its own, templates/report.css). After a
deliberate change, regenerate the file with `make expected` and commit it.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

from weekly.demo.workspace import demo_workspace, with_history
from weekly.pipeline import build_report
from weekly.render.fit import full_view
from weekly.render.html import render_html
from weekly.weeks import IsoWeek

EXPECTED = Path(__file__).resolve().parents[1] / "expected" / "demo.html"


def test_demo_html_is_as_expected():
    with demo_workspace() as run:
        pulled = build_report(run.config, run.now, run.env, IsoWeek.of(run.now.date()))
        report = with_history(run, pulled)  # the demo PM's draft and two sent weeks
    html = render_html(full_view(report, run.config.report.paper))
    # The demo's Jira listens on a free port, different each run.
    html = re.sub(r"127\.0\.0\.1:\d+", "127.0.0.1:PORT", html)
    # The page's body: the stylesheet is its own file, reviewed as such, not repeated here.
    html = re.sub(r"<style>.*?</style>", "<style>…</style>", html, flags=re.S)
    if os.environ.get("WEEKLY_UPDATE_EXPECTED") == "1":
        EXPECTED.write_text(html, encoding="utf-8")
    assert html == EXPECTED.read_text(encoding="utf-8"), "run `make expected` and review the diff"
