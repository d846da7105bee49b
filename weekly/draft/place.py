"""Where something sits in the draft: a part (the headline, a bet, a decision) and a field
in it, recorded as the draft is read and looked up to point a finding at its line."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

# "page": a finding about the whole page (it does not fit), which has no line of its own.
PlaceKind = Literal["headline", "bet", "decision", "page"]


@dataclass(frozen=True)
class Place:
    kind: PlaceKind
    key: str = ""  # the bet's or decision's key; `draft 2` for one the PM added without
    field: str | None = None  # the field's key in the entry; None: the entry itself

    @property
    def entry(self) -> Place:
        """The bet or decision this field is in: where a finding goes when the PM has
        deleted the field's line."""
        return Place(self.kind, self.key)

    def __str__(self) -> str:
        """`bet PAY-1.slip_cause`, `decision PAY-7`, `headline`."""
        part = f"{self.kind} {self.key}" if self.key else self.kind
        return f"{part}.{self.field}" if self.field else part


PAGE = Place("page")
