"""Reading one value of the draft, checked: each problem is kept with the file's line and
the field's place (`bets[2].status`), so the PM sees every problem at once."""

from __future__ import annotations

import datetime as dt
import difflib
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ruamel.yaml.comments import CommentedMap

_YES = ("yes", "y", "true", "done")
_NO = ("no", "n", "false", "not done")


@dataclass
class Checker:
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

    def unknown(self, node: CommentedMap, known: Sequence[str], where: str) -> list[str]:
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

    def text(self, node: CommentedMap, key: str, where: str) -> str | None:
        value = node.get(key)
        if value is None or value == "":
            return None
        if isinstance(value, str | int | float) and not isinstance(value, bool):
            return str(value).strip() or None
        self.fail(node, key, where, "expected text")
        return None

    def mapping(self, node: CommentedMap, key: str, where: str) -> dict[str, Any]:
        """The pulled facts as the file has them; weekly draft writes them."""
        value = node.get(key)
        if value is None:
            return {}
        if isinstance(value, dict):
            return dict(value)
        self.fail(node, key, where, "expected the pulled facts; weekly draft rewrites them")
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

    def hill(self, node: CommentedMap, key: str, where: str) -> int | None:
        value = node.get(key)
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
            key,
            where,
            f"{value!r} is not a hill position; write a number from 0 (still figuring it out) "
            "through 50 (the top) to 100 (done)",
        )
        return None

    def tick(self, node: CommentedMap, key: str, where: str) -> bool | None:
        value = node.get(key)
        if isinstance(value, bool):
            return value
        if value is None or value == "":
            return None
        word = str(value).strip().lower()
        if word in _YES or word in _NO:
            return word in _YES
        self.fail(node, key, where, f"{value!r} is not true or false")
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
