"""Packing the one page by priority, from measured heights. Pure: no layout engine here.

Every open item starts as a compact row (title, owner, status, target, one signal). Then, in
priority order, every bet in trouble and every decision is granted its full row (with its
slip, its note and whether it is gone); a full row is never granted past one that did not
fit, so the riskiest items are the ones in full. Then their first detail lines (what changed
since the last report and the first blocker; a decision's options), then the full rows of
the bets on track with their first detail lines, then last week's commitments, then
next week's and two more blockers, then the rest (more blockers, delivered work, a
decision's contributors), each round in priority order; then the done bets' titles. Only
when even compact rows do not fit do the least urgent items shrink to their keys. Heights
are in CSS pixels, as WeasyPrint measures them.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from weekly.render.fit import Form, Plan

# Detail lines granted with an item's full row, then in a second round over every item; the
# rest come last. One blocker a bet first: the second blocker of one bet matters less than
# the full row of the next.
ROUNDS: tuple[tuple[tuple[str, ...], int], ...] = (
    (("forecast", "since", "options"), 1),  # (detail lines, blockers up to this many)
    (("committed",), 1),
    (("next_week",), 3),
)
# The share of the page the content must reach whenever anything is compacted: below it, a
# smaller item further down the order may take its full row.
USED_AT_LEAST = 0.92
# On a page too crowded for one compact row an item, the share of the page the most urgent
# items' full rows may take from the others' compact rows.
CROWDED_FULL_SHARE = 0.15


@dataclass(frozen=True)
class Pieces:
    """The page's measurable parts: `heights` by fit id (see `weekly.render.pdf.measure`), and
    for each open item, in priority order, its detail lines in the order they are granted."""

    heights: Mapping[str, float]
    items: Sequence[str]  # fit ids: "b0", "d0", "b1"…, most urgent first
    details: Mapping[str, Sequence[str]]  # "b0" -> ("b0.since", "b0.blk0", …)
    done: bool  # the report has done bets (their one line)
    calm: frozenset[str] = frozenset()  # items on track: in full only after the others
    # The order in which items go by key when compact rows do not fit: the bottom of the
    # priority order first, but a decision with a gap (no approver, overdue) stays a row.
    key_order: Sequence[str] = ()

    def get(self, name: str) -> float:
        return self.heights.get(name, 0.0)


def height(plan: Plan, pieces: Pieces) -> float:
    """The content height of the page this plan gives, from the measured pieces."""
    total = pieces.get("fixed")
    for kind in ("b", "d"):
        mine = [i for i in pieces.items if i.startswith(kind)]
        full = [i for i in mine if plan.forms[i] is Form.FULL]
        compact = [i for i in mine if plan.forms[i] is Form.COMPACT]
        keys = [i for i in mine if plan.forms[i] is Form.KEY]
        if full:
            total += pieces.get(f"thead:{kind}")
        for item in full:
            total += pieces.get(item)
            listed = pieces.details[item]
            total += sum(pieces.get(d) for d in listed if d in plan.details)
            blockers = [d for d in listed if ".blk" in d]
            if any(d not in plan.details for d in blockers):
                total += pieces.get("more-blockers")
        if compact:
            total += pieces.get(f"thead:{kind}c")
            total += sum(pieces.get(f"{i}.c") for i in compact)
        if keys:
            total += _share_of_lines(pieces, f"keys:{kind}", len(keys) / len(mine))
    if pieces.done:
        total += pieces.get("done:titles" if plan.done_titles else "done:keys")
    if _compacted(plan, pieces):
        total += pieces.get("fitnote")
    return total


def grants(plan: Plan, pieces: Pieces) -> list[Plan]:
    """Each plan that grants one thing more than `plan`: the full row of the first item
    without one (rows are granted in order), a detail line of an item in full, a compact
    row for an item by key, or the done bets' titles."""
    grants: list[Plan] = []
    first = next((i for i in pieces.items if plan.forms[i] is not Form.FULL), None)
    if first is not None:
        grants.append(Plan({**plan.forms, first: Form.FULL}, plan.details, plan.done_titles))
    for item in pieces.items:
        if plan.forms[item] is Form.FULL:
            grants.extend(
                Plan(plan.forms, plan.details | {d}, plan.done_titles)
                for d in pieces.details[item]
                if d not in plan.details
            )
        elif plan.forms[item] is Form.KEY:
            grants.append(Plan({**plan.forms, item: Form.COMPACT}, plan.details, plan.done_titles))
    if pieces.done and not plan.done_titles:
        grants.append(Plan(plan.forms, plan.details, True))
    return grants


def pack(pieces: Pieces, budget: float) -> Plan | None:
    """The plan that grants the most, in priority order, within `budget`; None when even every
    item as a bare key does not fit."""
    start = Plan(dict.fromkeys(pieces.items, Form.COMPACT), frozenset(), False)
    if height(start, pieces) > budget:
        return _crowded(start, pieces, budget)
    page = _Packing(pieces, budget, start)
    urgent = [i for i in pieces.items if i not in pieces.calm]
    calm = [i for i in pieces.items if i in pieces.calm]
    # Full rows for everything in trouble and every decision first: they are what A4 and
    # Letter must agree on. Then their first detail lines, then the calm items' rows.
    stopped = not page.full_rows(urgent)
    page.details(ROUNDS[0])
    if not stopped:
        stopped = not page.full_rows(calm)
        page.details(ROUNDS[0])
    for names_and_blockers in ROUNDS[1:]:
        page.details(names_and_blockers)
    page.details(None)
    if stopped and height(page.plan, pieces) < USED_AT_LEAST * budget:
        # A big item did not fit: smaller ones after it may, so the page is used.
        page.full_rows(pieces.items, strict=False)
        for names_and_blockers in ROUNDS:
            page.details(names_and_blockers)
        page.details(None)
    return page.with_done_titles()


@dataclass
class _Packing:
    """A plan being granted piece by piece, each grant kept only if the page still fits."""

    pieces: Pieces
    budget: float
    plan: Plan

    def _try(self, candidate: Plan) -> bool:
        if height(candidate, self.pieces) <= self.budget:
            self.plan = candidate
            return True
        return False

    def full_rows(self, items: Sequence[str], strict: bool = True) -> bool:
        """Grant each item its full row in order; strictly, stop at the first that does not
        fit (False) so no later item is in full while an earlier one is not."""
        for item in items:
            if self.plan.forms[item] is Form.FULL:
                continue
            granted = self._try(Plan({**self.plan.forms, item: Form.FULL}, self.plan.details))
            if not granted and strict:
                return False
        return True

    def details(self, names_and_blockers: tuple[tuple[str, ...], int] | None) -> None:
        """Grant one round of detail lines (all that are left, for None) to the full items,
        in priority order; a line that does not fit is skipped, a shorter one may."""
        for item in self.pieces.items:
            if self.plan.forms[item] is Form.FULL:
                self.item_details(item, names_and_blockers)

    def item_details(
        self, item: str, names_and_blockers: tuple[tuple[str, ...], int] | None
    ) -> None:
        """Grant one item's detail lines of a round, each that still fits."""
        listed = self.pieces.details[item]
        wanted = listed if names_and_blockers is None else _round(listed, *names_and_blockers)
        for detail in wanted:
            if detail not in self.plan.details:
                self._try(Plan(self.plan.forms, self.plan.details | {detail}))

    def with_done_titles(self) -> Plan:
        self._try(Plan(self.plan.forms, self.plan.details, True))
        return self.plan


def _round(details: Sequence[str], names: tuple[str, ...], blockers: int) -> list[str]:
    """The detail lines of one round: those named, and blockers up to the round's count."""
    listed = [d for d in details if ".blk" in d][:blockers]
    return [d for d in details if d.split(".", 1)[1] in names or d in listed]


def _crowded(start: Plan, pieces: Pieces, budget: float) -> Plan | None:
    """Even one compact row an item is too much: the most urgent items still get their full
    row and first detail lines, within `CROWDED_FULL_SHARE` of the page, and the least
    urgent ones, from the bottom of the order, go by key until the page fits."""
    urgent = [i for i in pieces.items if i not in pieces.calm]
    leading: list[Plan] = [start]
    for item in urgent:
        page = _Packing(pieces, float("inf"), leading[-1])
        page.full_rows([item])
        page.item_details(item, ROUNDS[0])
        if height(page.plan, pieces) - height(start, pieces) > CROWDED_FULL_SHARE * budget:
            break
        leading.append(page.plan)
    for plan in reversed(leading):
        keyed = _keys_until_it_fits(plan, pieces, budget)
        if keyed is not None:
            page = _Packing(pieces, budget, keyed)
            page.details(None)
            # The key line's height is estimated high: give rows back while they fit.
            for item in reversed(pieces.key_order or pieces.items):
                if page.plan.forms[item] is Form.KEY:
                    page._try(Plan({**page.plan.forms, item: Form.COMPACT}, page.plan.details))
            if any(f is Form.KEY for f in page.plan.forms.values()):
                return page.plan  # done bets' titles come after every item's row
            return page.with_done_titles()
    return None


def _keys_until_it_fits(plan: Plan, pieces: Pieces, budget: float) -> Plan | None:
    """The last resort: the least urgent items in compact rows, from the bottom of the
    order, by key only."""
    forms = dict(plan.forms)
    for item in pieces.key_order or tuple(reversed(pieces.items)):
        if forms[item] is Form.FULL:
            continue
        forms[item] = Form.KEY
        candidate = Plan(dict(forms), plan.details, False)
        if height(candidate, pieces) <= budget:
            return candidate
    return None


def _share_of_lines(pieces: Pieces, name: str, share: float) -> float:
    """The height of a summary line holding `share` of the keys its measured form holds,
    in whole lines."""
    whole, line = pieces.get(name), pieces.get("line") or 1.0
    lines = max(1, round(whole / line))
    return math.ceil(lines * share) * line + (whole - lines * line)


def _compacted(plan: Plan, pieces: Pieces) -> bool:
    every = {d for item in pieces.items for d in pieces.details[item]}
    return (
        any(f is not Form.FULL for f in plan.forms.values())
        or plan.details != every
        or (pieces.done and not plan.done_titles)
    )
