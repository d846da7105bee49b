"""The week's editable draft: where it lives, writing it (or merging into it), reading it.

A week's folder holds `draft.yaml` (the PM's file), `facts.json` (what was pulled, which
the page is rendered from) and, after a rewrite, `draft.yaml.bak` (the file before).
"""

from __future__ import annotations

import datetime as dt
import shutil
from dataclasses import dataclass
from pathlib import Path

from ruamel.yaml.comments import CommentedMap
from ruamel.yaml.error import YAMLError

from weekly.config import Config
from weekly.draft.apply import apply
from weekly.draft.document import merge, new_document, render, same_data
from weekly.draft.edits import DraftError, Edits, load_document, parse_draft, read_edits
from weekly.draft.repull import CannotSplice, repulled
from weekly.files import write_atomically
from weekly.i18n import speaking
from weekly.model import Report
from weekly.paths import ReportFiles
from weekly.weeks import IsoWeek

DRAFT = "draft.yaml"
FACTS = "facts.json"

__all__ = ["DraftError", "Edits", "WeekFolder", "apply", "read_draft", "write_draft"]


@dataclass(frozen=True)
class WeekFolder:
    """Where one week's draft, facts and rendered files live."""

    path: Path

    @classmethod
    def of(cls, config: Config, week: IsoWeek) -> WeekFolder:
        return cls(ReportFiles.of(config).week(week))

    @property
    def draft(self) -> Path:
        return self.path / DRAFT

    @property
    def facts(self) -> Path:
        return self.path / FACTS

    @property
    def backup(self) -> Path:
        return self.path / f"{DRAFT}.bak"


def write_draft(report: Report, folder: WeekFolder, now: dt.datetime) -> bool:
    """Write the week's draft, or merge fresh facts into the PM's; True when it was new.

    A draft that does not read is left exactly as it is (DraftError); otherwise the file
    before is copied to draft.yaml.bak first.
    """
    if not folder.draft.exists():
        with speaking(report.language):  # the draft's comments are the team's words
            text = render(new_document(report))
        write_atomically(folder.draft, text.encode("utf-8"))
        return True
    document = load_document(folder.draft)
    read_edits(document, folder.draft, report.week)  # refuse to touch a broken draft
    with speaking(report.language):
        text = _repulled(folder.draft.read_text(encoding="utf-8"), document, report, now)
    shutil.copy2(folder.draft, folder.backup)
    write_atomically(folder.draft, text.encode("utf-8"))
    return False


def _repulled(old_text: str, document: CommentedMap, report: Report, now: dt.datetime) -> str:
    """The PM's draft with fresh facts: their lines byte for byte (repull.py). The line
    edits must give the very data the parsed merge gives; where they cannot (a layout they
    do not follow), the merged document is written instead, every value and comment kept."""
    fresh_text = render(new_document(report))
    try:
        text = repulled(old_text, document, fresh_text, parse_draft(fresh_text), now)
        spliced = parse_draft(text)
    except (CannotSplice, YAMLError, KeyError, IndexError, StopIteration):
        spliced = text = None
    merge(document, report, now)
    if text is not None and same_data(spliced, document):
        return text
    return render(document)


def read_draft(folder: WeekFolder, week: IsoWeek) -> Edits:
    if not folder.draft.exists():
        raise DraftError(f"{folder.draft}: no draft for {week}; run `weekly draft` first")
    return read_edits(load_document(folder.draft), folder.draft, week)
