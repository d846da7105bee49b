"""Reading structure out of the free text people write in trackers."""

from __future__ import annotations

import re

# A list item in Jira wiki markup (`*`, `#`), Markdown (`-`, `*`, `1.`), with an optional
# task-list box (`- [ ] `) that is not part of the option.
_LIST_ITEM = re.compile(r"^\s*(?:[*#-]+|\d+[.)])\s+(?:\[[ xX]\]\s+)?(.+?)\s*$")


def list_items(text: object) -> tuple[str, ...]:
    """The list items of a description, in order: a decision's options."""
    if not isinstance(text, str):
        return ()
    return tuple(m[1] for line in text.splitlines() if (m := _LIST_ITEM.match(line)))
