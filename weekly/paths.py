"""Where a team's files live, under `report.output_dir`: one folder a week, the history, the
send ledger and the log. Every path to them is built here."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from weekly.config import Config
from weekly.errors import CannotWrite
from weekly.weeks import IsoWeek


@dataclass(frozen=True)
class ReportFiles:
    root: Path  # report.output_dir, resolved against the config's folder

    @classmethod
    def of(cls, config: Config) -> ReportFiles:
        return cls(config.resolve(config.report.output_dir))

    @property
    def history(self) -> Path:
        return self.root / "history.sqlite"

    @property
    def ledger(self) -> Path:
        return self.root / "ledger.sqlite"

    @property
    def log(self) -> Path:
        return self.root / "weekly.log"

    def week(self, week: IsoWeek) -> Path:
        """The week's folder: facts.json, draft.yaml, the page, the mail."""
        return self.root / str(week)


def make_folder(folder: Path) -> Path:
    """Create a report folder (the owner's only) unless it exists; say so when it cannot be."""
    try:
        folder.mkdir(mode=0o700, parents=True, exist_ok=True)
    except OSError as exc:
        raise CannotWrite(f"{folder}: cannot create the report folder: {exc.strerror}") from None
    return folder
