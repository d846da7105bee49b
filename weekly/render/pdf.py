"""The page as a one-page PDF, composed by priority from what WeasyPrint measures.

The first layout holds the page with everything in full and, on the pages after it, every
item's compact row: most weeks fit in full, and then that layout is the page. Otherwise the
height of every row and detail line is read off it, `weekly.render.pack` chooses what the
page grants, and a second layout checks it (a third corrects the estimate if needed).
Counting pages needs only `render()`; the PDF is written once, after the fit is settled.
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

from weekly.errors import RenderError
from weekly.i18n import speaking
from weekly.model import Bet, Decision, Report, Status
from weekly.render.fit import Form, PageView, Plan, all_details, fit_ids, full_plan, page_view
from weekly.render.pack import Pieces, grants, height, pack
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
    predicted: float  # the share the measured heights gave for it, before its layout


def fit_one_page(
    report: Report, paper: str, to_html: Callable[[PageView], str], base_url: Path
) -> FittedPage:
    """Lay the report out on one page, granting detail by priority; fail, naming the
    sections, when even every item by key does not fit."""
    with speaking(report.language):  # the fit measures the words the readers will see
        return _fit(report, paper, to_html, base_url)


def _fit(
    report: Report, paper: str, to_html: Callable[[PageView], str], base_url: Path
) -> FittedPage:
    from weasyprint import CSS, HTML  # heavy import: only when a PDF is wanted
    from weasyprint.text.fonts import FontConfiguration

    fetcher = local_fetcher([base_url])
    fonts = FontConfiguration()  # the fonts found once, for every layout of this fit
    tries = 0

    def lay_out(view: PageView, *stylesheets: Any) -> tuple[str, Any]:
        nonlocal tries
        tries += 1
        html = to_html(view)
        document = HTML(string=html, base_url=str(base_url), url_fetcher=fetcher)
        return html, document.render(font_config=fonts, stylesheets=list(stylesheets))

    everything = full_plan(report)
    probe = page_view(report, everything, paper, probe=True)
    _, first = lay_out(probe, CSS(string=_probe_css(paper), font_config=fonts))
    heights, probe_page = measure(first)
    budget = first.pages[0]._page_box.height
    if probe_page == 1 or (probe_page < 0 and len(first.pages) == 1):
        view = page_view(report, everything, paper)
        page = first.copy(first.pages[:1])
        used = used_share(page)
        return FittedPage(view, to_html(view), page, tries, used, used)
    pieces = _pieces(report, heights)
    unmeasured = [i for i in pieces.items if i not in heights]
    if unmeasured:
        raise RenderError(
            f"the page needs {len(first.pages) - 1} pages in full, and the template does not "
            "mark its rows for the fit (no data-fit on the rows of "
            f"{', '.join(unmeasured[:3])}…); keep the data-fit attributes of the default "
            "template's bets and decisions blocks in your own"
        )
    note = _FitNote(_NoteLines.of(first, heights), report, paper)
    pieces = dataclasses.replace(pieces, heights={**heights, "fitnote": note.lines.height("")})
    best: tuple[float, FittedPage] | None = None  # (predicted height, page): most granted
    target = budget - _FIRST_SLACK
    overflowed = float("inf")  # the lowest target whose plan needed a second page
    tried: set[object] = set()
    keys_only = Plan(dict.fromkeys(pieces.items, Form.KEY), frozenset(), False)
    while tries < MAX_LAYOUTS:
        plan, pieces = _packed(pieces, note, target, keys_only)
        signature = _signature(plan)
        if signature in tried:
            if best is not None or plan == keys_only:
                break
            # The plan that overflowed comes back: nothing fits yet, so ask for less.
            target -= _LINE_SLACK
            continue
        tried.add(signature)
        view = page_view(report, plan, paper)
        html, document = lay_out(view)
        predicted = _content_height(plan, pieces, note)
        if len(document.pages) == 1:
            used = used_share(document)
            page = FittedPage(view, html, document, tries, used, predicted / budget)
            if best is None or predicted > best[0]:
                best = (predicted, page)
            room = budget - page.used * budget
            more = _least_grant(plan, pieces, note)
            if plan == everything or more is None or room < more[0] - _SURE:
                break  # nothing left out would fit in the room the page leaves
            if tries >= _LAYOUTS_WANTED:
                break
            if more[0] <= room:  # that one thing fits: try the page with it
                view = page_view(report, more[1], paper)
                html, document = lay_out(view)
                if len(document.pages) == 1:
                    used = used_share(document)
                    best = (
                        predicted + more[0],
                        FittedPage(view, html, document, tries, used, used),
                    )
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


# For the first layout only, which measures. The pages after the first are tall, so nothing
# past the page is split by a page break; a row group may break between its rows but a row
# never inside itself, so the group at the foot of the first page is measured row by row.
def _probe_css(paper: str) -> str:
    return (
        f"@page :nth(n+2) {{ size: {_WIDTH[paper]} 5000mm !important; }}"
        "tbody { break-inside: auto !important; } tr { break-inside: avoid !important; }"
    )


_WIDTH = {"A4": "210mm", "Letter": "8.5in"}
# A fit that fits settles by this many layouts; more are only taken to recover from an
# estimate that ran onto a second page.
_LAYOUTS_WANTED = 3
# A row group's bottom border, in CSS pixels (1px, report.css); collapsed, half of it lies
# inside the group's last row.
_BORDER = 1.0
# Room left under the first estimate, in CSS pixels: the measured heights are close, but a
# line may wrap differently once the rows around it change.
_FIRST_SLACK = 4.0
# What a wrong estimate costs at least: a line of body text, in CSS pixels.
_LINE_SLACK = 14.0
# Grants the note's shrinking pays for, at most, after the packer's plan.
_NOTE_GRANTS = 4
# How much less room than the smallest thing left out the page must leave, in CSS pixels,
# to settle without another layout.
_SURE = 1.0


@dataclass(frozen=True)
class _NoteLines:
    """The fit note's height by its length: a line's height and characters, read off the
    probe's note."""

    line: float
    padding: float
    characters: float

    @classmethod
    def of(cls, document: Any, heights: dict[str, float]) -> _NoteLines:
        for page in document.pages:
            for box in page._page_box.descendants():
                element = getattr(box, "element", None)
                if element is None or element.get("data-fit") != "fitnote":
                    continue
                lines = [c for c in box.children if type(c).__name__ == "LineBox"] or [box]
                line = sum(c.margin_height() for c in lines) / len(lines)
                padding = box.margin_height() - line * len(lines)
                # The first of two lines or more is full; words wrap whole, so a line of
                # another note may hold a word less.
                full = _text(lines[0]) if len(lines) > 1 else "".join(element.itertext())
                return cls(line, padding, max(len(full) - 8, 1))
        return cls(heights.get("fitnote", 0.0), 0.0, float("inf"))

    def height(self, text: str) -> float:
        return self.padding + self.line * max(1, math.ceil(len(text) / self.characters))


@dataclass
class _FitNote:
    """The fit note of each plan, by its own words: its height, worked out once a plan."""

    lines: _NoteLines
    report: Report
    paper: str
    known: dict[object, float] = dataclasses.field(default_factory=dict)

    def height(self, plan: Plan) -> float:
        signature = _signature(plan)
        if signature not in self.known:
            text = page_view(self.report, plan, self.paper).fit_note
            self.known[signature] = self.lines.height(text) if text else 0.0
        return self.known[signature]


def _content_height(plan: Plan, pieces: Pieces, note: _FitNote) -> float:
    """The page's content height for `plan`, its fit note as long as its own."""
    return height(plan, pieces) - pieces.get("fitnote") + note.height(plan)


def _signature(plan: Plan) -> object:
    return (tuple(sorted(plan.forms.items())), plan.details, plan.done_titles)


def _least_grant(plan: Plan, pieces: Pieces, note: _FitNote) -> tuple[float, Plan] | None:
    """The one thing more the page could grant that adds the least height, with that
    height: its own, and the fit note's change (granting the last line of a kind takes
    that kind off the note, which may end a line shorter)."""

    base = _content_height(plan, pieces, note)
    added = [(_content_height(g, pieces, note) - base, g) for g in grants(plan, pieces)]
    # A grant that adds nothing is the key line's estimate rounding, not room.
    added = [(h, g) for h, g in added if h > 0]
    return min(added, key=lambda pair: pair[0]) if added else None


def _text(box: Any) -> str:
    return "".join(getattr(b, "text", "") for b in box.descendants())


def _packed(pieces: Pieces, note: _FitNote, target: float, keys_only: Plan) -> tuple[Plan, Pieces]:
    """The plan for `target`, the fit note counted as long as that plan's own note: packed
    again while its note needs more lines than the pieces allowed for."""
    plan = keys_only
    for _ in range(3):
        plan = pack(pieces, target) or keys_only
        wanted = note.height(plan)
        if wanted <= pieces.get("fitnote"):
            break
        pieces = dataclasses.replace(pieces, heights={**pieces.heights, "fitnote": wanted})
    # The packer counts the note as one height; a grant that takes a kind off the note
    # may cost less than its line. Take such grants while they fit.
    for _ in range(_NOTE_GRANTS):
        more = _least_grant(plan, pieces, note)
        if more is None or _content_height(plan, pieces, note) + more[0] > target:
            break
        plan = more[1]
    return plan, pieces


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
        # The half of the border inside the last detail line goes with the item: its last
        # line on the page may be another.
        heights[item] = whole - inside + (_BORDER / 2 if inside else 0.0)
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
