"""The page as a one-page PDF: try the fit steps until WeasyPrint lays it out on one page.

Counting pages needs only `render()` (about 0.05 s); the PDF is written once,
after the fit is settled, because writing (font subsetting) is the slow part.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from weekly.errors import RenderError
from weekly.model import Report
from weekly.render.fit import FIT_STEPS, PageView, page_view


@dataclass(frozen=True)
class FittedPage:
    view: PageView
    html: str
    document: Any  # weasyprint.Document, laid out and known to be one page
    tries: int


def fit_one_page(
    report: Report, paper: str, to_html: Callable[[PageView], str], base_url: Path
) -> FittedPage:
    """Lay out the report with each fit step in turn; return the first that makes one page."""
    from weasyprint import HTML  # heavy import: only when a PDF is wanted

    previous: PageView | None = None
    tries = 0
    pages = 0
    for caps in FIT_STEPS:
        view = page_view(report, caps, paper)
        if previous is not None and _same_content(view, previous):
            continue  # this step changes nothing for this report
        previous = view
        html = to_html(view)
        document = HTML(string=html, base_url=str(base_url)).render()
        tries += 1
        pages = len(document.pages)
        if pages == 1:
            return FittedPage(view, html, document, tries)
    overflow = ", ".join(_sections_past_first_page(document)) or "unknown"
    raise RenderError(
        f"the report needs {pages} pages even after every fit step (last: {FIT_STEPS[-1].step}); "
        f"what ran onto page 2: {overflow}. Shorten the headline, titles or options there"
    )


def write_pdf(page: FittedPage, path: Path) -> None:
    try:
        page.document.write_pdf(path)
    except OSError as exc:
        raise RenderError(f"{path}: cannot write the PDF: {exc.strerror}") from None


def _same_content(a: PageView, b: PageView) -> bool:
    return (a.bets, a.done_bets, a.more_bets, a.decisions, a.caps.scale) == (
        b.bets,
        b.done_bets,
        b.more_bets,
        b.decisions,
        b.caps.scale,
    )


def _sections_past_first_page(document: Any) -> list[str]:
    """The page sections (data-section) with any part laid out after page 1."""
    names: list[str] = []
    for page in document.pages[1:]:
        # WeasyPrint keeps the laid-out boxes of a page here; each box knows its element.
        for box in page._page_box.descendants():
            element = getattr(box, "element", None)
            name = element.get("data-section") if element is not None else None
            if name and name not in names:
                names.append(name)
    return names
