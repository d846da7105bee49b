"""A re-pull rewrites only what weekly owns in the PM's draft: each entry's `pulled:` block,
the `gone:` marks, the `sources:` list, last week's commitments when they arrive, and the
entries new to the sources. Every line the PM typed stays byte for byte: quotes, long lines
and comment columns as written (a YAML dump would re-quote, re-fold and re-align them).

The fresh blocks are cut out of the new draft `document.new_document` would write for the
same facts, so a re-pulled block reads exactly as in a new draft. When the PM's file has a
shape these line edits cannot follow (a list written in flow style `[...]`), the caller
falls back to merging the parsed document, which keeps every value and comment but not the
layout.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from ruamel.yaml.comments import CommentedMap, CommentedSeq

from weekly.draft.document import render
from weekly.draft.fields import BETS, DECISIONS, GONE, KEY, LAST_WEEK, PULLED, SOURCES, Part
from weekly.draft.pulled import PulledBet, PulledDecision, read_pulled
from weekly.i18n import _
from weekly.render.format import day


class CannotSplice(Exception):
    """The PM's file is laid out in a way line edits cannot follow; merge the document."""


@dataclass(frozen=True)
class _Block:
    start: int  # the key's line (0-based)
    end: int  # one past its last line
    column: int  # the key's column


def repulled(
    old_text: str, old: CommentedMap, fresh_text: str, fresh: CommentedMap, now: dt.datetime
) -> str:
    """The PM's draft with weekly's own blocks taken from `fresh` (a new draft of this pull)."""
    lines = old_text.splitlines(keepends=True)
    if lines and not lines[-1].endswith("\n"):
        lines[-1] += "\n"
    new = fresh_text.splitlines(keepends=True)
    edits: list[tuple[int, int, list[str]]] = []  # (start, end, replacement) on old lines
    _sources(lines, old, new, fresh, edits)
    for part, kind in ((BETS, PulledBet), (DECISIONS, PulledDecision)):
        _part(lines, old, new, fresh, part, kind, now, edits)
    for start, end, replacement in sorted(edits, key=lambda e: (e[0], e[1]), reverse=True):
        lines[start:end] = replacement
    return "".join(lines)


def _sources(
    lines: list[str], old: CommentedMap, new: list[str], fresh: CommentedMap, edits: list[Any]
) -> None:
    fresh_block = block_span(new, fresh, SOURCES.key)
    replacement = new[fresh_block.start : fresh_block.end]
    if SOURCES.key in old:
        block = block_span(lines, old, SOURCES.key)
        edits.append((block.start, block.end, indent_block(replacement, block.column)))
        return
    # A draft written before weekly listed its sources: where a new draft has them.
    keys = list(old)
    at = block_span(lines, old, keys[3]).start if len(keys) > 3 else len(lines)
    edits.append((at, at, replacement))


def _part(
    lines: list[str],
    old: CommentedMap,
    new: list[str],
    fresh: CommentedMap,
    part: Part,
    kind: type[PulledBet] | type[PulledDecision],
    now: dt.datetime,
    edits: list[Any],
) -> None:
    fresh_entries = _entries(fresh, part.name)
    entries = old.get(part.name)
    if part.name not in old or entries is None:
        if not fresh_entries:
            return
        if part.name in old:  # `bets:` with nothing after it: the fresh list in its place
            block = block_span(lines, old, part.name)
            edits.append((block.start, block.end, _whole(new, fresh, part.name)))
        else:
            edits.append((len(lines), len(lines), _whole(new, fresh, part.name)))
        return
    if not isinstance(entries, CommentedSeq) or (entries and _is_flow(lines, entries)):
        raise CannotSplice(part.name)
    by_key = {str(e[KEY.key]): e for e in entries if isinstance(e, CommentedMap) and e.get(KEY.key)}
    for key, entry in fresh_entries.items():
        existing = by_key.get(key)
        if existing is None:
            continue
        _refresh(lines, existing, new, entry, edits)
    for key, existing in by_key.items():
        if key in fresh_entries or not isinstance(existing.get(PULLED), dict):
            continue
        if existing.get(GONE.key):
            continue
        source = read_pulled(kind, existing[PULLED]).source or _("the source")
        mark = _("no longer in %(source)s since %(day)s %(time)s") % {
            "source": source,
            "day": day(now.date()),
            "time": f"{now:%H:%M}",
        }
        pulled = block_span(lines, existing, PULLED)
        edits.append((pulled.start, pulled.start, [_scalar_line(GONE.key, mark, pulled.column)]))
    added = [entry for key, entry in fresh_entries.items() if key not in by_key]
    if added:
        at = _end_of_list(lines, old, part.name)
        for entry in added:
            start, end = entry_span(new, fresh[part.name], entry)
            edits.append((at, at, new[start:end]))


def _refresh(
    lines: list[str],
    existing: CommentedMap,
    new: list[str],
    entry: CommentedMap,
    edits: list[Any],
) -> None:
    """One entry both drafts have: its pulled block fresh, its gone mark gone, and last
    week's commitments added when they arrived after it was drafted."""
    fresh_pulled = block_span(new, entry, PULLED)
    replacement = new[fresh_pulled.start : fresh_pulled.end]
    if PULLED in existing:
        block = block_span(lines, existing, PULLED)
        edits.append((block.start, block.end, indent_block(replacement, block.column)))
        after, column = block.end, block.column
    else:
        line, column = existing.lc.key(KEY.key)
        after = line + 1
        edits.append((after, after, indent_block(replacement, column)))
    if GONE.key in existing:
        gone = block_span(lines, existing, GONE.key)
        edits.append((gone.start, gone.end, []))
    if LAST_WEEK.key in entry and LAST_WEEK.key not in existing:
        ticks = block_span(new, entry, LAST_WEEK.key)
        edits.append((after, after, indent_block(new[ticks.start : ticks.end], column)))


def _entries(doc: CommentedMap, name: str) -> dict[str, CommentedMap]:
    entries = doc.get(name)
    if not isinstance(entries, CommentedSeq):
        return {}
    return {str(e[KEY.key]): e for e in entries if isinstance(e, CommentedMap) and e.get(KEY.key)}


def block_span(lines: list[str], node: CommentedMap, key: str) -> _Block:
    """Where `key` and its value sit in the text `node` was parsed from: its line, and every
    line after it that is indented deeper (blank lines inside it too, not after it)."""
    start, column = node.lc.key(key)
    end = start + 1
    last = start + 1
    while end < len(lines):
        text = lines[end]
        if text.strip():
            if _indent_of(text) <= column:
                break
            last = end + 1
        end += 1
    return _Block(start, last, column)


def _whole(new: list[str], fresh: CommentedMap, name: str) -> list[str]:
    block = block_span(new, fresh, name)
    return new[block.start : block.end]


def entry_span(new: list[str], entries: CommentedSeq, entry: CommentedMap) -> tuple[int, int]:
    """Where one entry of a list sits in the text the list was parsed from: from its dash to
    the next entry."""
    index = next(i for i, e in enumerate(entries) if e is entry)
    start = entries.lc.item(index)[0]
    if index + 1 < len(entries):
        end = entries.lc.item(index + 1)[0]
    else:
        dash_column = entries.lc.item(index)[1] - 2
        end = start + 1
        while end < len(new) and (not new[end].strip() or _indent_of(new[end]) > dash_column):
            end += 1
    while end > start + 1 and not new[end - 1].strip():
        end -= 1
    return start, end


def _end_of_list(lines: list[str], doc: CommentedMap, name: str) -> int:
    """Where an entry appended to the list goes: after its last indented line."""
    return block_span(lines, doc, name).end


def _is_flow(lines: list[str], entries: CommentedSeq) -> bool:
    line, column = entries.lc.item(0)
    return not lines[line][:column].rstrip().endswith("-")


def indent_block(block: list[str], column: int) -> list[str]:
    """Lines cut from one text (the fresh draft), moved to another's column for that key."""
    have = _indent_of(block[0]) if block else column
    if have == column:
        return block
    if have < column:
        return [(" " * (column - have) + line) if line.strip() else line for line in block]
    cut = have - column
    return [line[cut:] if line[:cut].strip() == "" else line for line in block]


def _indent_of(line: str) -> int:
    return len(line) - len(line.lstrip(" "))


def _scalar_line(key: str, value: str, column: int) -> str:
    text = render(CommentedMap({key: value}))
    return " " * column + text.replace("\n", "\n" + " " * column).rstrip(" ")
