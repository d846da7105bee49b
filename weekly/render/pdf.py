"""The page as a one-page PDF: try the fit steps until WeasyPrint lays it out on one page.

Counting pages needs only `render()` (about 0.05 s); the PDF is written once,
after the fit is settled, because writing (font subsetting) is the slow part.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

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
    """Lay out the report with the fit steps; return the first step that makes one page.

    Most weeks fit in full, so that is tried first. Otherwise the steps are searched by
    halves: each step shrinks the page at least as much as the one before, so the first
    that fits is found in about four layouts rather than up to ten.
    """
    from weasyprint import HTML  # heavy import: only when a PDF is wanted

    fetcher = local_fetcher([base_url])
    views = _distinct_views(report, paper)
    laid_out: dict[int, tuple[str, Any]] = {}

    def pages(index: int) -> int:
        if index not in laid_out:
            html = to_html(views[index])
            document = HTML(string=html, base_url=str(base_url), url_fetcher=fetcher)
            laid_out[index] = (html, document.render())
        return len(laid_out[index][1].pages)

    if pages(0) == 1:
        first = 0
    else:
        low, high = 1, len(views) - 1  # the answer, if any, is in low..high
        if pages(high) > 1:
            overflow = ", ".join(_sections_past_first_page(laid_out[high][1])) or "unknown"
            raise RenderError(
                f"the report needs {pages(high)} pages even after every fit step (last: "
                f"{FIT_STEPS[-1].step}); what ran onto page 2: {overflow}. Shorten the "
                "headline, titles or options there"
            )
        while low < high:
            middle = (low + high) // 2
            if pages(middle) == 1:
                high = middle
            else:
                low = middle + 1
        first = low
    html, document = laid_out[first]
    return FittedPage(views[first], html, document, tries=len(laid_out))


def local_fetcher(folders: list[Path]) -> Any:
    """WeasyPrint's fetcher, allowed only `data:` URIs and files in our templates and the
    report's folder: a page built from untrusted text must never make the renderer call a
    server (SSRF) or read other local files into the PDF."""
    from weasyprint.urls import URLFetcher

    from weekly.render.html import templates_dir

    roots = [templates_dir().resolve(), *(f.resolve() for f in folders)]

    class LocalOnly(URLFetcher):  # type: ignore[misc]
        def fetch(self, url: str, headers: Any = None) -> Any:
            scheme = url.split(":", 1)[0].lower()
            if scheme == "data":
                return super().fetch(url, headers)
            if scheme == "file":
                path = Path(unquote(urlsplit(url).path)).resolve()
                if any(path.is_relative_to(root) for root in roots):
                    return super().fetch(url, headers)
            raise ValueError(f"weekly fetches nothing from {url.split('?')[0][:80]}")

    return LocalOnly(allowed_protocols=("data", "file"), allow_redirects=False)


def _distinct_views(report: Report, paper: str) -> list[PageView]:
    """One view per fit step that changes something for this report."""
    views: list[PageView] = []
    for caps in FIT_STEPS:
        view = page_view(report, caps, paper)
        if not views or not _same_content(view, views[-1]):
            views.append(view)
    return views


def write_pdf(page: FittedPage, path: Path) -> None:
    try:
        page.document.write_pdf(path)
    except OSError as exc:
        raise RenderError(f"{path}: cannot write the PDF: {exc.strerror}") from None


def _same_content(a: PageView, b: PageView) -> bool:
    return (a.bets, a.done_bets, a.more_bets, a.decisions, a.caps.scale, _lists_delivered(a)) == (
        b.bets,
        b.done_bets,
        b.more_bets,
        b.decisions,
        b.caps.scale,
        _lists_delivered(b),
    )


def _lists_delivered(view: PageView) -> bool:
    return not view.caps.hide_delivered and any(v.bet.delivered for v in view.bets)


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
