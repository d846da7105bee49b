"""The PM's parts of a draft, read and checked, every problem with its file and line."""

from __future__ import annotations

import datetime as dt
import difflib
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ruamel.yaml.comments import CommentedMap
from ruamel.yaml.constructor import RoundTripConstructor
from ruamel.yaml.error import MarkedYAMLError, YAMLError
from ruamel.yaml.nodes import ScalarNode
from ruamel.yaml.reader import ReaderError

from weekly.draft.document import yaml
from weekly.errors import InputError
from weekly.model import Confidence, Status
from weekly.weeks import IsoWeek

_STATUSES = ", ".join(s.value for s in Status)
_YES = ("yes", "y", "true", "done")
_NO = ("no", "n", "false", "not done")
_CONFIDENCES = ", ".join(c.value for c in Confidence)


class DraftError(InputError):
    """A draft the PM broke: the message names the file, the line and what is allowed."""


@dataclass(frozen=True)
class BetEdits:
    key: str
    status: Status | None = None
    confidence: Confidence | None = None
    note: str | None = None
    slip_cause: str | None = None
    new_eta: dt.date | None = None
    hide: bool = False
    gone: str | None = None
    pulled: dict[str, Any] = field(default_factory=dict)
    hill: int | None = None
    next_week: tuple[str, ...] = ()
    # Last week's commitments as the PM ticked them: text -> done (None: not ticked).
    last_week: dict[str, bool | None] = field(default_factory=dict)
    # `off`: no forecast for this bet; other text: the PM's answer to a forecast later
    # than the target (why the target holds, or the options).
    forecast: str | None = None


@dataclass(frozen=True)
class DecisionEdits:
    key: str | None  # None: added by hand in the draft
    title: str | None = None
    approver: str | None = None
    driver: str | None = None
    deadline: dt.date | None = None
    options: tuple[str, ...] | None = None
    hide: bool = False
    gone: str | None = None
    pulled: dict[str, Any] = field(default_factory=dict)


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
    lines: dict[str, int] = field(default_factory=dict)


_TOP = ("week", "approved", "headline", "sources", "bets", "decisions")
_BET = (
    "key",
    "pulled",
    "status",
    "confidence",
    "note",
    "slip_cause",
    "new_eta",
    "hill",
    "last_week",
    "next_week",
    "forecast",
    "hide",
    "gone",
)
_DECISION = ("key", "pulled", "title", "approver", "driver", "deadline", "options", "hide", "gone")


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
    parser = yaml()
    parser.Constructor = _DraftConstructor
    try:
        document = parser.load(text)
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
    check = _Checker(path, problems)
    written_week = str(document.get("week", ""))
    if written_week != str(week):
        problems.append(
            f"{path}:{check.line(document, 'week')}: this draft is for "
            f"{written_week or 'no week'}, not {week}; draft {week} with `weekly draft`"
        )
    approved = check.boolean(document, "approved", "approved")
    headline = check.text(document, "headline", "headline")
    bets: dict[str, BetEdits] = {}
    for index, entry in enumerate(check.entries(document, "bets"), start=1):
        where = f"bets[{index}]"
        key = check.text(entry, "key", f"{where}.key")
        if not key:
            problems.append(f"{path}:{check.line(entry)}: {where}: every bet needs its key")
            continue
        bets[key] = BetEdits(
            key=key,
            status=check.choice(entry, "status", f"{where}.status", Status, _STATUSES),
            confidence=check.choice(
                entry, "confidence", f"{where}.confidence", Confidence, _CONFIDENCES
            ),
            note=check.text(entry, "note", f"{where}.note"),
            slip_cause=check.text(entry, "slip_cause", f"{where}.slip_cause"),
            new_eta=check.date(entry, "new_eta", f"{where}.new_eta"),
            hide=check.boolean(entry, "hide", f"{where}.hide"),
            gone=check.text(entry, "gone", f"{where}.gone"),
            pulled=check.pulled(entry, f"{where}.pulled"),
            hill=check.hill(entry, f"{where}.hill"),
            next_week=check.texts(entry, "next_week", f"{where}.next_week") or (),
            last_week=check.ticks(entry, f"{where}.last_week"),
            forecast=check.text(entry, "forecast", f"{where}.forecast"),
        )
    decisions = []
    for index, entry in enumerate(check.entries(document, "decisions"), start=1):
        where = f"decisions[{index}]"
        key = check.text(entry, "key", f"{where}.key")
        title = check.text(entry, "title", f"{where}.title")
        if not key and not title:
            problems.append(
                f"{path}:{check.line(entry)}: {where}: a decision you add needs a title"
            )
        decisions.append(
            DecisionEdits(
                key=key,
                title=title,
                approver=check.text(entry, "approver", f"{where}.approver"),
                driver=check.text(entry, "driver", f"{where}.driver"),
                deadline=check.date(entry, "deadline", f"{where}.deadline"),
                options=check.texts(entry, "options", f"{where}.options"),
                hide=check.boolean(entry, "hide", f"{where}.hide"),
                gone=check.text(entry, "gone", f"{where}.gone"),
                pulled=check.pulled(entry, f"{where}.pulled"),
            )
        )
    if problems:
        raise DraftError("; ".join(problems) if len(problems) < 2 else "\n".join(problems))
    warnings = check.unknown(document, _TOP, "")
    for name, known in (("bets", _BET), ("decisions", _DECISION)):
        for index, entry in enumerate(check.entries(document, name), start=1):
            warnings += check.unknown(entry, known, f"{name}[{index}].")
    return Edits(
        week, approved, headline, bets, tuple(decisions), tuple(warnings), part_lines(document)
    )


@dataclass
class _Checker:
    path: Path
    problems: list[str]

    def line(self, node: CommentedMap, key: str | None = None) -> int:
        try:
            if key is not None and key in node:
                return int(node.lc.key(key)[0]) + 1
            return int(node.lc.line) + 1
        except (AttributeError, KeyError, TypeError):
            return 1

    def fail(self, node: CommentedMap, key: str, where: str, what: str) -> None:
        self.problems.append(f"{self.path}:{self.line(node, key)}: {where}: {what}")

    def entries(self, document: CommentedMap, name: str) -> list[CommentedMap]:
        value = document.get(name)
        if value is None:
            return []
        if not isinstance(value, list):
            self.fail(document, name, name, "expected a list of entries, each starting with `- `")
            return []
        good = []
        for index, entry in enumerate(value, start=1):
            if isinstance(entry, CommentedMap):
                good.append(entry)
            else:
                self.problems.append(
                    f"{self.path}:{self.line(document, name)}: {name}[{index}]: expected "
                    "fields like `key:` under the `- `; check the indentation"
                )
        return good

    def text(self, node: CommentedMap, key: str, where: str) -> str | None:
        value = node.get(key)
        if value is None or value == "":
            return None
        if isinstance(value, str | int | float) and not isinstance(value, bool):
            return str(value).strip() or None
        self.fail(node, key, where, "expected text")
        return None

    def unknown(self, node: CommentedMap, known: tuple[str, ...], where: str) -> list[str]:
        """Warnings for fields weekly ignores, so a typo is not silently lost."""
        found = []
        for key in node:
            if str(key) not in known:
                close = difflib.get_close_matches(str(key), known, n=1)
                hint = f"; did you mean {close[0]!r}?" if close else ""
                found.append(
                    f"weekly: warning: {self.path}:{self.line(node, str(key))}: "
                    f"{where}{key} is not a field weekly reads, so it is ignored{hint}"
                )
        return found

    def pulled(self, node: CommentedMap, where: str) -> dict[str, Any]:
        value = node.get("pulled")
        if value is None:
            return {}
        if isinstance(value, dict):
            return dict(value)
        self.fail(node, "pulled", where, "expected the pulled facts; weekly draft rewrites them")
        return {}

    def texts(self, node: CommentedMap, key: str, where: str) -> tuple[str, ...] | None:
        """A list of lines; one line on its own counts as a list of one, empty ones are
        dropped, and a number is its text."""
        value = node.get(key)
        if value is None:
            return None
        items = value if isinstance(value, list) else [value]
        lines = []
        for item in items:
            if item is None:
                continue
            if isinstance(item, bool | dict | list):
                self.fail(node, key, where, "expected a list of lines, each starting with `- `")
                return None
            if str(item).strip():
                lines.append(str(item).strip())
        return tuple(lines)

    def hill(self, node: CommentedMap, where: str) -> int | None:
        value = node.get("hill")
        if value is None or value == "":
            return None
        number: float | None = None
        if isinstance(value, int | float) and not isinstance(value, bool):
            number = float(value)
        elif isinstance(value, str):
            try:
                number = float(value.strip())
            except ValueError:
                number = None
        if number is not None and 0 <= number <= 100:
            return round(number)
        self.fail(
            node,
            "hill",
            where,
            f"{value!r} is not a hill position; write a number from 0 (still figuring it out) "
            "through 50 (the top) to 100 (done)",
        )
        return None

    def ticks(self, node: CommentedMap, where: str) -> dict[str, bool | None]:
        """`last_week:` entries, `- we_will: …` with `done: true | false | (empty)`."""
        value = node.get("last_week")
        if value is None:
            return {}
        if not isinstance(value, list):
            self.fail(node, "last_week", where, "expected a list of `- we_will:` entries")
            return {}
        ticks: dict[str, bool | None] = {}
        for index, entry in enumerate(value, start=1):
            if entry is None:
                continue
            here = f"{where}[{index}]"
            text = None
            if isinstance(entry, CommentedMap):
                text = self.text(entry, "we_will", f"{here}.we_will")
            if text is None:
                self.fail(
                    node,
                    "last_week",
                    here,
                    "expected `we_will:` and `done:` under the `- `; weekly draft writes them",
                )
                continue
            ticks[text] = self.tick(entry, f"{here}.done")
        return ticks

    def tick(self, node: CommentedMap, where: str) -> bool | None:
        value = node.get("done")
        if isinstance(value, bool):
            return value
        if value is None or value == "":
            return None
        word = str(value).strip().lower()
        if word in _YES or word in _NO:
            return word in _YES
        self.fail(node, "done", where, f"{value!r} is not true or false")
        return None

    def boolean(self, node: CommentedMap, key: str, where: str) -> bool:
        value = node.get(key)
        if value is None:
            return False
        if isinstance(value, bool):
            return value
        self.fail(node, key, where, f"{value!r} is not true or false")
        return False

    def date(self, node: CommentedMap, key: str, where: str) -> dt.date | None:
        value = node.get(key)
        if value is None or value == "":
            return None
        if isinstance(value, dt.date) and not isinstance(value, dt.datetime):
            return value
        if isinstance(value, str):
            try:
                return dt.date.fromisoformat(value.strip())
            except ValueError:
                pass
        self.fail(node, key, where, f"{value!r} is not a date; write it as 2026-12-18")
        return None

    def choice(self, node: CommentedMap, key: str, where: str, kind: Any, allowed: str) -> Any:
        value = node.get(key)
        if value is None or value == "":
            return None
        try:
            return kind(str(value).strip().lower())
        except ValueError:
            self.fail(node, key, where, f"{value!r} is not allowed; use one of: {allowed}")
            return None


def part_lines(document: CommentedMap) -> dict[str, int]:
    """The line of each part the PM edits: `headline`, `bet PAY-1`, `decision PAY-7`, and
    of each field in them: `bet PAY-1.slip_cause`."""
    check = _Checker(Path(), [])
    lines = {"headline": check.line(document, "headline")} if "headline" in document else {}
    for name, part in (("bets", "bet"), ("decisions", "decision")):
        entries = document.get(name)
        for index, entry in enumerate(entries if isinstance(entries, list) else [], start=1):
            if isinstance(entry, CommentedMap):
                key = entry.get("key") or f"draft {index}"
                lines[f"{part} {key}"] = check.line(entry)
                for field in entry:
                    lines[f"{part} {key}.{field}"] = check.line(entry, str(field))
    return lines
