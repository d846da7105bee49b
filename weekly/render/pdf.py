"""The page as a one-page PDF, composed by priority from what WeasyPrint measures.

The first layout holds the page with everything in full and, on the pages after it, every
item's compact row: most weeks fit in full, and then that layout is the page. Otherwise the
height of every row and detail line is read off it, `weekly.render.pack` chooses what the
page grants, and a second layout checks it (a third corrects the estimate if needed).
Counting pages needs only `render()`; the PDF is written once, after the fit is settled.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

from weekly.errors import RenderError
from weekly.model import Bet, Decision, Report, Status
from weekly.render.fit import Form, PageView, Plan, all_details, fit_ids, full_plan, page_view
from weekly.render.pack import Pieces, height, pack
from weekly.render.priority import Tier, bet_tier, decision_signal

# Layouts a fit may take before it settles for the last plan that fitted; each corrects the
# estimate from the one before (the demo and a crowded page need two or three).
MAX_LAYOUTS = 6


@dataclass(frozen=True)
class FittedPage:
    view: PageView
    html: str
    document: Any  # weasyprint.Document, laid out and known to be one page
    tries: int  # layouts it took
    used: float  # the share of the page's printable height the content reaches


def fit_one_page(
    report: Report, paper: str, to_html: Callable[[PageView], str], base_url: Path
) -> FittedPage:
    """Lay the report out on one page, granting detail by priority; fail, naming the
    sections, when even every item by key does not fit."""
    from weasyprint import HTML  # heavy import: only when a PDF is wanted

    fetcher = local_fetcher([base_url])
    tries = 0

    def lay_out(view: PageView) -> tuple[str, Any]:
        nonlocal tries
        tries += 1
        html = to_html(view)
        return html, HTML(string=html, base_url=str(base_url), url_fetcher=fetcher).render()

    everything = full_plan(report)
    _, first = lay_out(page_view(report, everything, paper, probe=True))
    heights, probe_page = measure(first)
    budget = first.pages[0]._page_box.height
    if probe_page == 1 or (probe_page < 0 and len(first.pages) == 1):
        view = page_view(report, everything, paper)
        page = first.copy(first.pages[:1])
        return FittedPage(view, to_html(view), page, tries, used_share(page))
    pieces = _pieces(report, heights)
    unmeasured = [i for i in pieces.items if i not in heights]
    if unmeasured:
        raise RenderError(
            f"the page needs {len(first.pages) - 1} pages in full, and the template does not "
            "mark its rows for the fit (no data-fit on the rows of "
            f"{', '.join(unmeasured[:3])}…); keep the data-fit attributes of the default "
            "template's bets and decisions blocks in your own"
        )
    best: tuple[float, FittedPage] | None = None  # (predicted height, page): most granted
    # The estimate runs a little short (collapsed borders, rows pushed whole to the next page):
    # start below the page, then calibrate by what the layout used.
    target = budget - _FIRST_SLACK
    overflowed = float("inf")  # the lowest target whose plan needed a second page
    tried: set[object] = set()
    keys_only = Plan(dict.fromkeys(pieces.items, Form.KEY), frozenset(), False)
    while tries < MAX_LAYOUTS:
        plan = pack(pieces, target) or keys_only
        signature = (tuple(sorted(plan.forms.items())), plan.details, plan.done_titles)
        if signature in tried:
            if best is not None or plan == keys_only:
                break
            # The plan that overflowed comes back: nothing fits yet, so ask for less.
            target -= _LINE_SLACK
            continue
        tried.add(signature)
        view = page_view(report, plan, paper)
        html, document = lay_out(view)
        predicted = height(plan, pieces)
        if len(document.pages) == 1:
            page = FittedPage(view, html, document, tries, used_share(document))
            if best is None or predicted > best[0]:
                best = (predicted, page)
            if plan == everything or tries >= _LAYOUTS_WANTED:
                break
            # Calibrate by what the layout really used: room left means more may fit.
            error = page.used * budget - predicted
            target = min(budget - error - 0.5, overflowed - 0.5)
        else:
            if all(f is Form.KEY for f in plan.forms.values()) and not plan.details:
                raise RenderError(_cannot_fit(document, report))
            if best is not None:
                break  # more than the best fitting plan does not fit: keep that one
            overflowed = min(overflowed, target)
            actual = sum(used_share(document, i) * budget for i in range(len(document.pages)))
            target -= max(actual - predicted, 0) + _LINE_SLACK
    if best is None:
        raise RenderError(_cannot_fit(document, report))
    return dataclasses.replace(best[1], tries=tries)


# A fit that fits settles by this many layouts; more are only taken to recover from an
# estimate that ran onto a second page.
_LAYOUTS_WANTED = 3
# A row group's bottom border, in CSS pixels (1px, report.css).
_BORDER = 1.0
# Room left under the first estimate, in CSS pixels (two lines of body text).
_FIRST_SLACK = 28.0
# What a wrong estimate costs at least: a line of body text, in CSS pixels.
_LINE_SLACK = 14.0


def _pieces(report: Report, heights: dict[str, float]) -> Pieces:
    ids = fit_ids(report)
    place = {fid: n for n, fid in enumerate(ids)}
    details: dict[str, list[str]] = {fid: [] for fid in ids}
    for name in all_details(ids):
        details[name.split(".", 1)[0]].append(name)
    done = any(b.status is Status.DONE for b in report.bets)
    calm = frozenset(
        fid for fid, item in ids.items() if isinstance(item, Bet) and bet_tier(item) > Tier.DECISION
    )
    today = report.generated_at.date()

    def keep(fid: str) -> tuple[float, int]:
        # Kept as a row the longest: bets off track, at risk or without status, then
        # decisions with a gap (no approver, overdue), then the other moved bets.
        item = ids[fid]
        if isinstance(item, Decision):
            return (2.5 if decision_signal(item, today) else Tier.DECISION, place[fid])
        return (bet_tier(item), place[fid])

    key_order = tuple(sorted(ids, key=keep, reverse=True))
    return Pieces(
        heights, tuple(ids), {k: tuple(v) for k, v in details.items()}, done, calm, key_order
    )


def measure(document: Any) -> tuple[dict[str, float], int]:
    """Each `data-fit` part's height, summed over the pages it spans (a table's repeated
    header counted once), the parts named `fixed:…` summed as `fixed`; and the page the
    probe of compact rows starts on."""
    heights: dict[str, float] = {}
    pages_of: dict[str, int] = {}
    probe_page = -1
    for number, page in enumerate(document.pages):
        seen: set[int] = set()
        for box in page._page_box.descendants():
            element = getattr(box, "element", None)
            name = element.get("data-fit") if element is not None else None
            if not name or id(element) in seen:
                continue
            seen.add(id(element))
            if name == "probe":
                probe_page = number if probe_page < 0 else probe_page
                continue
            size = box.margin_height()
            if name.startswith("thead:"):
                heights[name] = max(heights.get(name, 0.0), size)
                continue
            key = "fixed" if name.startswith("fixed:") else name
            heights[key] = heights.get(key, 0.0) + size
            pages_of[key] = pages_of.get(key, 0) + 1
    # A full item's own height is its row group less the detail lines measured in it, so
    # the group's border counts with the item; a group split over two pages counts its
    # own rows and a border instead (each fragment would add its own padding).
    for name in [n for n in heights if n.endswith(".all")]:
        item = name.removesuffix(".all")
        whole, rows = heights.pop(name), heights.pop(f"{item}.row", 0.0)
        if pages_of[name] > 1:
            heights[item] = rows + _BORDER
            continue
        inside = sum(v for n, v in heights.items() if n.startswith(f"{item}.") and n != f"{item}.c")
        heights[item] = whole - inside
    return heights, probe_page


def used_share(document: Any, index: int = 0) -> float:
    """How far down its printable height page `index`'s content reaches, from 0 to 1."""
    page_box = document.pages[index]._page_box
    top = page_box.content_box_y()
    bottom = top
    body = _body(page_box)
    if body is not None:
        for child in body.children:
            bottom = max(bottom, child.position_y + child.margin_height())
    return float((bottom - top) / page_box.height)


def _body(page_box: Any) -> Any:
    for html in page_box.children:
        for child in getattr(html, "children", []):
            if getattr(child, "element_tag", None) == "body":
                return child
    return None


def _cannot_fit(document: Any, report: Report) -> str:
    overflow = ", ".join(_sections_past_first_page(document)) or "unknown"
    return (
        f"the report needs {len(document.pages)} pages even with every bet and decision "
        f"reduced to its key; what ran onto page 2: {overflow}. Shorten the headline, "
        "the banner's sources or the metrics' labels"
    )


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


def write_pdf(page: FittedPage, path: Path) -> None:
    try:
        page.document.write_pdf(path)
    except OSError as exc:
        raise RenderError(f"{path}: cannot write the PDF: {exc.strerror}") from None


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
