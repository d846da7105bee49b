"""The PM's parts of a draft, read and checked, every problem with its file and line.

What each field is and how it reads is declared in weekly/draft/fields.py; this module
loads the file and goes through the declarations.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ruamel.yaml.comments import CommentedMap
from ruamel.yaml.constructor import RoundTripConstructor
from ruamel.yaml.error import MarkedYAMLError, YAMLError
from ruamel.yaml.nodes import ScalarNode
from ruamel.yaml.reader import ReaderError

from weekly.draft.checker import Checker
from weekly.draft.document import yaml
from weekly.draft.fields import (
    APPROVED,
    BETS,
    DECISIONS,
    HEADLINE,
    KEY,
    TITLE,
    TOP,
    WEEK,
    BetEdits,
    DecisionEdits,
    Part,
    read_fields,
)
from weekly.draft.place import Place
from weekly.errors import DraftError
from weekly.weeks import IsoWeek

__all__ = [
    "BetEdits",
    "DecisionEdits",
    "DraftError",
    "Edits",
    "load_document",
    "part_lines",
    "read_edits",
]


@dataclass(frozen=True)
class Edits:
    week: IsoWeek
    approved: bool
    headline: str | None
    bets: dict[str, BetEdits]
    decisions: tuple[DecisionEdits, ...]
    # Fields weekly does not know (a typo like `staus:`), with line and closest field.
    warnings: tuple[str, ...] = ()
    # Where each part and field sits in the file (see part_lines), to point the PM at it.
    lines: dict[Place, int] = field(default_factory=dict)


class _DraftConstructor(RoundTripConstructor):
    """Round-trip loading, except that a date which cannot exist (2026-13-45, 2026-02-30)
    stays the text the PM wrote, so read_edits names its line and field like any bad date."""

    def construct_yaml_timestamp(self, node: ScalarNode, values: Any = None) -> Any:
        try:
            return super().construct_yaml_timestamp(node, values)
        except ValueError:  # month, day or hour out of range
            return str(node.value)


_DraftConstructor.add_constructor(
    "tag:yaml.org,2002:timestamp", _DraftConstructor.construct_yaml_timestamp
)


def parse_draft(text: str) -> Any:
    """The draft's text parsed as `load_document` parses it (YAML errors raised as they are)."""
    parser = yaml()
    parser.Constructor = _DraftConstructor
    return parser.load(text)


def load_document(path: Path) -> CommentedMap:
    """Parse the draft; broken YAML or a file that is not text is a DraftError with its line."""
    try:
        text = path.read_bytes().decode("utf-8")
    except UnicodeDecodeError:
        raise DraftError(f"{path}: not UTF-8 text; was it overwritten by another file?") from None
    except OSError as exc:
        raise DraftError(f"{path}: cannot read the draft: {exc.strerror}") from None
    if "\x00" in text:
        raise DraftError(f"{path}: not a text file; restore it from draft.yaml.bak") from None
    try:
        document = parse_draft(text)
    except ReaderError as exc:
        raise DraftError(_unprintable(path, text, exc)) from None
    except MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = f":{mark.line + 1}" if mark is not None else ""
        raise DraftError(
            f"{path}{line}: not valid YAML ({exc.problem or exc.context}); check the indentation "
            "and that text with a colon is in quotes"
        ) from None
    except YAMLError as exc:
        raise DraftError(f"{path}: not valid YAML: {exc}") from None
    except RecursionError:
        raise DraftError(
            f"{path}: nested too deeply to read; restore it from draft.yaml.bak"
        ) from None
    except (ValueError, KeyError, TypeError) as exc:
        # Raised while building a value an explicit tag asks for: `!!int abc`.
        raise DraftError(f"{path}: a value cannot be read ({exc}); leave out `!!` tags") from None
    if not isinstance(document, CommentedMap):
        raise DraftError(f"{path}:1: expected the draft's fields (week:, approved:, bets:, …)")
    return document


def _unprintable(path: Path, text: str, exc: ReaderError) -> str:
    """Where the character YAML refuses sits, by line and column: the reader gives only
    its position in the text, and the PM cannot see it."""
    at = text.find(chr(exc.character)) if isinstance(exc.character, int) else -1
    if at < 0:
        return f"{path}: not valid YAML ({exc.reason}); restore it from draft.yaml.bak"
    line = text.count("\n", 0, at) + 1
    column = at - (text.rfind("\n", 0, at) + 1) + 1
    kind = "control character" if unicodedata.category(text[at]) == "Cc" else "non-character"
    return (
        f"{path}:{line}: a {kind} (U+{exc.character:04X}) in the text at column {column}; "
        "delete it, it is invisible in most editors"
    )


def read_edits(document: CommentedMap, path: Path, week: IsoWeek) -> Edits:
    """The PM's edits, checked; every problem is listed, each with its line."""
    problems: list[str] = []
    check = Checker(path, problems)
    written_week = str(document.get(WEEK.key, ""))
    if written_week != str(week):
        problems.append(
            f"{path}:{check.line(document, WEEK.key)}: this draft is for "
            f"{written_week or 'no week'}, not {week}; draft {week} with `weekly draft`"
        )
    approved = APPROVED.read_in(check, document, "")
    headline = HEADLINE.read_in(check, document, "")
    others = tuple(f for f in BETS.fields if f is not KEY)
    bets: dict[str, BetEdits] = {}
    for where, entry in _entries(check, document, BETS):
        key = KEY.read_in(check, entry, f"{where}.")
        if not key:
            problems.append(f"{path}:{check.line(entry)}: {where}: every bet needs its key")
            continue
        bets[key] = BetEdits(key=key, **read_fields(check, others, entry, f"{where}."))
    decisions = []
    for where, entry in _entries(check, document, DECISIONS):
        values = read_fields(check, DECISIONS.fields, entry, f"{where}.")
        if not values[KEY.key] and not values[TITLE.key]:
            problems.append(
                f"{path}:{check.line(entry)}: {where}: a decision you add needs a title"
            )
        decisions.append(DecisionEdits(**values))
    if problems:
        raise DraftError("; ".join(problems) if len(problems) < 2 else "\n".join(problems))
    warnings = check.unknown(document, [f.key for f in TOP], "")
    for part in (BETS, DECISIONS):
        for where, entry in _entries(check, document, part):
            warnings += check.unknown(entry, part.keys, f"{where}.")
    return Edits(
        week, approved, headline, bets, tuple(decisions), tuple(warnings), part_lines(document)
    )


def _entries(check: Checker, document: CommentedMap, part: Part) -> list[tuple[str, CommentedMap]]:
    """The part's entries, each with how a problem names it: `bets[2]`."""
    return [
        (f"{part.name}[{index}]", entry)
        for index, entry in enumerate(check.entries(document, part.name), start=1)
    ]


def part_lines(document: CommentedMap) -> dict[Place, int]:
    """The line of each part the PM edits, the headline, each bet and decision, and of each
    field in them."""
    check = Checker(Path(), [])
    lines = {}
    if HEADLINE.key in document:
        lines[Place("headline")] = check.line(document, HEADLINE.key)
    for part in (BETS, DECISIONS):
        entries = document.get(part.name)
        for index, entry in enumerate(entries if isinstance(entries, list) else [], start=1):
            if isinstance(entry, CommentedMap):
                key = str(entry.get(KEY.key) or f"draft {index}")
                lines[part.at(key)] = check.line(entry)
                for name in entry:
                    lines[Place(part.kind, key, str(name))] = check.line(entry, str(name))
    return lines
