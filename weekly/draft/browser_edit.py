"""One edit the PM makes in the browser preview, written into draft.yaml as if typed there.

The field's value is set in the parsed draft and the file written back through the same
round-trip writer as `weekly draft`; only the lines of the edited field change (cut from
the written document, as a re-pull does), every other line stays byte for byte. The new
text is read like any draft before it is written: a value the reader refuses is refused
with the message `weekly check` and `weekly preview` would give, and nothing is written.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ruamel.yaml.comments import CommentedMap, CommentedSeq
from ruamel.yaml.scalarstring import LiteralScalarString

from weekly.draft.document import render, same_data
from weekly.draft.edits import parse_draft, read_edits
from weekly.draft.fields import BETS, DECISIONS, KEY, LAST_WEEK, WE_WILL
from weekly.draft.repull import block_span, entry_span, indent_block
from weekly.errors import DraftError
from weekly.files import write_atomically
from weekly.weeks import IsoWeek

# What the browser may set, by where it sits: the PM's own fields, nothing weekly writes.
TOP_FIELDS = ("headline", "approved")
BET_FIELDS = (
    "status",
    "confidence",
    "note",
    "slip_cause",
    "new_eta",
    "hill",
    "next_week",
    "hide",
    "forecast",
)
DECISION_FIELDS = ("title", "approver", "deadline", "options", "hide")
_LISTS = ("next_week", "options")
_DATES = ("new_eta", "deadline")
_FLAGS = ("hide", "approved")


class StaleEdit(Exception):
    """draft.yaml changed since the page read it: the edit would overwrite the editor's."""


@dataclass(frozen=True)
class Edit:
    """`where`: "top", "bet", "decision", "tick" (one of last week's commitments, by its
    `we_will` text in `field`) or "new decision" (title, approver, deadline in `value`)."""

    where: str
    key: str = ""
    field: str = ""
    value: Any = None


def version(path: Path) -> str:
    """What the browser must send back with an edit: the file as it read it."""
    return _digest(path.read_bytes())


def write_edit(path: Path, week: IsoWeek, edit: Edit, read_version: str) -> str:
    """Write one edit into the draft; its new version. StaleEdit when the file changed since
    `read_version`; DraftError, naming the field and what is allowed, for a refused value."""
    old = path.read_bytes()
    if _digest(old) != read_version:
        raise StaleEdit(str(path))
    text, document = edited(old.decode("utf-8"), edit)
    read_edits(document, path, week)  # refused as the file would be: nothing written
    data = text.encode("utf-8")
    write_atomically(path, data)
    return _digest(data)


def edited(old_text: str, edit: Edit) -> tuple[str, CommentedMap]:
    """The draft's text with the edit made, other lines as they were, and that text parsed."""
    before = parse_draft(old_text)
    document = parse_draft(old_text)
    field = _set(document, edit)
    written = render(document)
    after = parse_draft(written)
    text = _spliced(old_text, before, written, after, edit, field)
    if text is not None:
        spliced = parse_draft(text)
        if same_data(spliced, after):
            return text, spliced
    return written, after


def _digest(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()[:16]


def _set(document: CommentedMap, edit: Edit) -> str:
    """Set the value in the parsed draft; the key whose lines changed."""
    if edit.where == "top" and edit.field in TOP_FIELDS:
        document[edit.field] = _value(edit.field, edit.value)
        return str(edit.field)
    if edit.where == "new decision":
        decisions = document.get(DECISIONS.name)
        if not isinstance(decisions, CommentedSeq):
            decisions = document[DECISIONS.name] = CommentedSeq()
        added = CommentedMap()
        for name in ("title", "approver", "deadline"):
            added[name] = _value(name, (edit.value or {}).get(name))
        decisions.append(added)
        return DECISIONS.name
    part, allowed = {
        "bet": (BETS, BET_FIELDS),
        "tick": (BETS, ()),
        "decision": (DECISIONS, DECISION_FIELDS),
    }.get(edit.where, (None, ()))
    if part is None or (edit.where != "tick" and edit.field not in allowed):
        raise DraftError(
            f"{edit.where} {edit.key}: {edit.field or 'a field'} is not yours to set here"
        )
    entry = _entry(document, part.name, edit.key)
    if edit.where == "tick":
        ticks = entry.get(LAST_WEEK.key)
        tick = next(
            (
                t
                for t in ticks or ()
                if isinstance(t, CommentedMap) and t.get(WE_WILL.key) == edit.field
            ),
            None,
        )
        if tick is None:
            raise DraftError(f"bet {edit.key}: last week's {edit.field!r} is not in the draft")
        tick["done"] = _flag(edit.value)
        return LAST_WEEK.key
    entry[edit.field] = _value(edit.field, edit.value)
    return edit.field


def _entry(document: CommentedMap, name: str, key: str) -> CommentedMap:
    for entry in document.get(name) or ():
        if isinstance(entry, CommentedMap) and str(entry.get(KEY.key)) == key:
            return entry
    raise DraftError(f"{name}: no entry {key} in the draft; pull again with `weekly draft`")


def _value(field: str, value: Any) -> Any:
    """The browser's text as the PM would type it in the file."""
    if field in _FLAGS:
        return _flag(value)
    text = "" if value is None else str(value).strip()
    if not text:
        return None
    if field == "headline":
        return LiteralScalarString(text + "\n")
    if field in _LISTS:
        return CommentedSeq(line.strip() for line in text.splitlines() if line.strip())
    if field in _DATES:
        try:
            return dt.date.fromisoformat(text)
        except ValueError:
            return text  # the reader names it: "'next friday' is not a date; write it as …"
    if field == "hill" and text.isdigit():
        return int(text)
    return text


def _flag(value: Any) -> Any:
    if isinstance(value, bool) or value is None:
        return value
    word = str(value).strip().lower()
    return {"true": True, "false": False, "": None}.get(word, word)


def _spliced(
    old_text: str,
    before: CommentedMap,
    written: str,
    after: CommentedMap,
    edit: Edit,
    field: str,
) -> str | None:
    """The old text with only the edited field's lines replaced by the written ones (a new
    decision: its lines added at the end of the decisions)."""
    lines = old_text.splitlines(keepends=True)
    if lines and not lines[-1].endswith("\n"):
        lines[-1] += "\n"
    new = written.splitlines(keepends=True)
    if edit.where == "new decision":
        entries = after[DECISIONS.name]
        start, end = entry_span(new, entries, entries[-1])
        listed = before.get(DECISIONS.name)
        if not isinstance(listed, CommentedSeq) or not listed:
            return None  # an empty or missing list: the written document's layout is used
        at = block_span(lines, before, DECISIONS.name).end
        lines[at:at] = new[start:end]
        return "".join(lines)
    if edit.where == "top":
        old_node, new_node = before, after
    else:
        part = BETS.name if edit.where in ("bet", "tick") else DECISIONS.name
        old_node, new_node = _entry(before, part, edit.key), _entry(after, part, edit.key)
    span = block_span(new, new_node, field)
    replacement = new[span.start : span.end]
    if field in old_node:
        old = block_span(lines, old_node, field)
        lines[old.start : old.end] = indent_block(replacement, old.column)
    elif edit.where == "top":
        lines.extend(replacement)
    else:
        line, column = old_node.lc.key(KEY.key)
        lines[line + 1 : line + 1] = indent_block(replacement, column)
    return "".join(lines)
