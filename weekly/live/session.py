"""The warm state behind `weekly preview --serve`: the week's page as the draft stands, the
check's findings beside it, and the PM's edits from the browser written into the draft.

A save shows at once: the page is composed and rendered with the last fit's plan (Jinja
only, no layout); the one-page fit and the PDF follow in the background, and the page is
replaced by the fitted one when they are done. Every render is numbered (`generation`), so
the browser asks again only when something changed.
"""

from __future__ import annotations

import dataclasses
import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from weekly import workflow
from weekly.check import Finding
from weekly.config import Config
from weekly.draft import WeekFolder
from weekly.draft.browser_edit import Edit, StaleEdit, version, write_edit
from weekly.draft.edits import Edits
from weekly.errors import WeeklyError
from weekly.model import Report
from weekly.render.fit import Plan, full_plan, page_view
from weekly.render.html import render_html
from weekly.render.output import write_report
from weekly.weeks import IsoWeek

WATCH_SECONDS = 0.05  # how often the draft file is looked at for a save


@dataclass
class Rendered:
    """What the browser is shown, of one version of the draft."""

    generation: int = 0
    version: str = ""
    html: str = ""
    fitted: bool = False  # the fit and the PDF are done for this version
    state: dict[str, Any] = field(default_factory=dict)
    report: Report | None = None  # the page's report, composed once: the fit lays it out
    pdf: Path | None = None  # the fitted page's PDF


class LiveDraft:
    """One team's week, kept warm: rendered again whenever draft.yaml changes."""

    def __init__(self, config: Config, week: IsoWeek) -> None:
        self.config = config
        self.week = week
        self.folder = WeekFolder.of(config, week)
        self.shown = Rendered()
        self._plan: Plan | None = None
        self._changed = threading.Condition()
        self._fit_wanted = threading.Event()
        self._stop = threading.Event()
        self._seen: str | None = None
        self._threads: list[threading.Thread] = []

    @property
    def pdf(self) -> Path | None:
        return self.shown.pdf

    def start(self) -> None:
        """Render now, then watch the draft and fit in the background until stop()."""
        self.refresh()
        for target in (self._watch, self._fitter):
            thread = threading.Thread(target=target, daemon=True, name=f"live-{target.__name__}")
            thread.start()
            self._threads.append(thread)

    def stop(self) -> None:
        self._stop.set()
        self._fit_wanted.set()
        with self._changed:
            self._changed.notify_all()
        for thread in self._threads:
            thread.join(timeout=5)

    def wait(self, after: int, timeout: float) -> int:
        """The generation once it is past `after`, or the same one after `timeout`."""
        with self._changed:
            self._changed.wait_for(
                lambda: self.shown.generation > after or self._stop.is_set(), timeout
            )
            return self.shown.generation

    def refresh(self) -> None:
        """Compose the page of the draft as it stands and show it at once; ask for a fit."""
        seen = self._stat()
        try:
            report, edits = workflow.composed(self.config, self.week)
        except WeeklyError as exc:  # a draft the PM broke: say so beside the last page
            self._show(
                dataclasses.replace(
                    self.shown, state={**self.shown.state, "draft_error": exc.message}
                ),
                seen,
            )
            return
        plan = self._plan or full_plan(report)
        html = render_html(page_view(report, plan, self.config.report.paper), self._template)
        draft_version = seen or ""
        state = _state(report, edits, self._findings(report, edits), draft_version)
        state["draft"] = str(self.folder.draft)
        state["fit"] = {**self.shown.state.get("fit", {}), "pending": True}
        self._show(Rendered(0, draft_version, html, False, state, report), seen)
        self._fit_wanted.set()

    def edit(self, edit: Edit, read_version: str) -> str:
        """Write one browser edit into draft.yaml and show the page of it; its new version."""
        new_version = write_edit(self.folder.draft, self.week, edit, read_version)
        self.refresh()
        return new_version

    @property
    def _template(self) -> Path | None:
        return self.config.template_file

    def _findings(self, report: Report, edits: Edits) -> list[Finding]:
        return workflow.draft_findings(self.config, self.week, report, edits)

    def _show(self, rendered: Rendered, seen: str | None) -> None:
        with self._changed:
            rendered.generation = self.shown.generation + 1
            self.shown = rendered
            self._seen = seen
            self._changed.notify_all()

    def _stat(self) -> str | None:
        """The draft's version (what it holds): two saves within one tick of the clock, or of
        the same size, are told apart too."""
        try:
            return version(self.folder.draft)
        except OSError:
            return None

    def _watch(self) -> None:
        while not self._stop.wait(WATCH_SECONDS):
            if self._stat() != self._seen:
                self.refresh()

    def _fitter(self) -> None:
        """Fit the latest version on one page and write its PDF; show the fitted page if the
        draft did not change meanwhile."""
        while True:
            self._fit_wanted.wait()
            self._fit_wanted.clear()
            if self._stop.is_set():
                return
            shown = self.shown
            if shown.report is None:
                continue  # the draft does not read: nothing new to fit
            pdf = None
            try:
                written = write_report(
                    shown.report, self.folder.path, self.config.report.paper, self._template
                )
                fit = {"pending": False, "fits": True, "left_out": list(written.left_out)}
                html, plan, pdf = (
                    written.html.read_text(encoding="utf-8"),
                    written.view.plan,
                    written.pdf,
                )
            except WeeklyError as exc:
                fit, html, plan = {"pending": False, "fits": False, "error": exc.message}, "", None
            with self._changed:
                if self.shown.version != shown.version or self._fit_wanted.is_set():
                    continue  # saved again meanwhile: fit that one instead
            self._plan = plan
            state = {**shown.state, "fit": fit}
            self._show(
                dataclasses.replace(
                    shown, html=html or shown.html, fitted=True, state=state, pdf=pdf
                ),
                self._seen,
            )


def _state(
    report: Report, edits: Edits, findings: list[Finding], draft_version: str
) -> dict[str, Any]:
    """What the panel beside the page shows and edits, as JSON."""

    def day(value: Any) -> str:
        return value.isoformat() if value else ""

    bets = []
    for bet in report.bets:
        mine = edits.bets.get(bet.key)
        bets.append(
            {
                "key": bet.key,
                "title": bet.title,
                "gone": bet.gone or "",
                "pulled": {
                    "status": str(bet.status or ""),
                    "confidence": str(bet.confidence or ""),
                    "target": day(bet.target_date),
                },
                "status": str(mine.status or "") if mine else "",
                "confidence": str(mine.confidence or "") if mine else "",
                "note": (mine.note or "") if mine else "",
                "slip_cause": (mine.slip_cause or "") if mine else "",
                "new_eta": day(mine.new_eta) if mine else "",
                "hill": "" if not mine or mine.hill is None else str(mine.hill),
                "next_week": "\n".join(mine.next_week) if mine else "",
                "hide": bool(mine and mine.hide),
                "slipped": bool(bet.slip and not bet.slip.cause),
                "ticks": [{"we_will": c.text, "done": c.done} for c in bet.committed],
            }
        )
    hidden = [
        {"key": key, "title": edit.pulled.title or key, "hide": True}
        for key, edit in edits.bets.items()
        if edit.hide
    ]
    decisions = [
        {
            "key": d.key,
            "title": d.title,
            "approver": d.approver or "",
            "deadline": day(d.deadline),
            "added": d.added_in_draft,
        }
        for d in report.decisions
    ]
    return {
        "version": draft_version,
        "headline": edits.headline or "",
        "approved": edits.approved,
        "bets": bets,
        "hidden": hidden,
        "decisions": decisions,
        "findings": [
            {"error": f.error, "line": f.line, "about": f.about, "what": f.what} for f in findings
        ],
        "warnings": list(edits.warnings),
        "draft_error": "",
    }


__all__ = ["Edit", "LiveDraft", "StaleEdit"]
