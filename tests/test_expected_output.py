"""The demo page's HTML against the file that holds it (STYLE rule 8).

A change to the template or the CSS shows up here as a diff to review. After a
deliberate change, regenerate the file with `make expected` and commit it.
"""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path

from weekly.cli import DEMO_DIR, DEMO_NOW
from weekly.config import load_config
from weekly.pipeline import build_report
from weekly.render.fit import FIT_STEPS, page_view
from weekly.render.html import render_html
from weekly.weeks import IsoWeek

EXPECTED = Path(__file__).parent / "expected" / "demo.html"


def test_demo_html_is_as_expected():
    config, _ = load_config(DEMO_DIR / "weekly.toml")
    now = dt.datetime.fromisoformat(DEMO_NOW).replace(tzinfo=config.report.zone)
    report = build_report(config, now, {}, IsoWeek.of(now.date()))
    html = render_html(page_view(report, FIT_STEPS[0], config.report.paper))
    if os.environ.get("WEEKLY_UPDATE_EXPECTED") == "1":
        EXPECTED.write_text(html, encoding="utf-8")
    assert html == EXPECTED.read_text(encoding="utf-8"), "run `make expected` and review the diff"
