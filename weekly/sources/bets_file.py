"""Bets and decisions kept by hand in a TOML file, shaped as the connectors make them.

Teams without a tracker keep their bets here (`[sources.bets_file]`); the demo reads only
the week's headline from weekly/demo/bets.toml.
"""

from __future__ import annotations

import datetime as dt
import tomllib
from functools import partial
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from weekly.config import BetsFileSection
from weekly.errors import InputError
from weekly.model import (
    Bet,
    Blocker,
    Confidence,
    Decision,
    DecisionStatus,
    Progress,
    Slip,
    SourceResult,
    SourceState,
    SourceStatus,
    Status,
)
from weekly.render.format import plural
from weekly.sources.budget import WaitBudget
from weekly.sources.context import PullContext
from weekly.sources.source import Part, Source

NAME = "bets file"


class _Entry(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class _Progress(_Entry):
    done: int = Field(ge=0)
    total: int = Field(ge=0)
    points_done: float | None = None
    points_total: float | None = None

    @model_validator(mode="after")
    def _done_within_total(self) -> _Progress:
        if self.done > self.total:
            raise ValueError(f"done ({self.done}) is more than total ({self.total})")
        return self


class _Blocker(_Entry):
    key: str
    title: str
    url: str | None = None
    owner: str | None = None
    blocked_since: dt.date | None = None


class _Slip(_Entry):
    previous_date: dt.date
    cause: str | None = None


class _Bet(_Entry):
    key: str
    title: str
    url: str | None = None
    owner: str | None = None
    status: Status | None = None
    confidence: Confidence | None = None
    progress: _Progress | None = None
    target_date: dt.date | None = None
    note: str | None = None
    slip: _Slip | None = None
    blockers: list[_Blocker] = []

    @model_validator(mode="after")
    def _slip_needs_new_date(self) -> _Bet:
        if self.slip and not self.target_date:
            raise ValueError("a slip needs target_date, the new ETA")
        return self


class _Decision(_Entry):
    key: str
    title: str
    url: str | None = None
    driver: str | None = None
    approver: str | None = None
    contributors: list[str] = []
    informed: list[str] = []
    deadline: dt.date | None = None
    options: list[str] = []
    status: DecisionStatus = DecisionStatus.OPEN
    decided_on: dt.date | None = None


class _BetsFile(_Entry):
    headline: str | None = None
    bets: list[_Bet] = []
    decisions: list[_Decision] = []


def pull(ctx: PullContext, section: BetsFileSection, waits: WaitBudget) -> list[Part]:
    path = ctx.config.resolve(section.path)
    name = f"{NAME} ({path.name})"
    return [Part(name, partial(_pull, ctx, path, name))]


def _pull(ctx: PullContext, path: Path, name: str) -> SourceResult:
    """Read the bets file named in [sources.bets_file]."""
    parsed = _load(path)
    return SourceResult(
        status=SourceStatus(name=name, state=SourceState.OK, pulled_at=ctx.now),
        bets=tuple(_bet(b) for b in parsed.bets),
        decisions=tuple(_decision(d) for d in parsed.decisions),
        headline=parsed.headline,
    )


def check(ctx: PullContext, section: BetsFileSection) -> str:
    """Whether the file reads, and what it holds."""
    parsed = _load(ctx.config.resolve(section.path))
    return (
        f"{section.path.name}: {plural(len(parsed.bets), 'bet')}, "
        f"{plural(len(parsed.decisions), 'decision')}"
    )


def _load(path: Path) -> _BetsFile:
    try:
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise InputError(f"{path}: bets file not found; check sources.bets_file.path") from None
    except (UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise InputError(f"{path}: not valid UTF-8 TOML: {exc}") from None
    except OSError as exc:
        raise InputError(f"{path}: cannot read the bets file: {exc.strerror}") from None
    try:
        return _BetsFile.model_validate(raw)
    except ValidationError as exc:
        problems = [_describe(err) for err in exc.errors()]
        raise InputError(f"{path}: {'; '.join(problems)}") from None


def _describe(err: Any) -> str:
    # bets[2].status reads better than bets.1.status: entries are numbered from 1.
    key = "".join(f"[{p + 1}]" if isinstance(p, int) else f".{p}" for p in err["loc"])
    message = str(err["msg"]).removeprefix("Value error, ")
    return f"{key.lstrip('.')}: {message}"


def _bet(entry: _Bet) -> Bet:
    slip = None
    if entry.slip and entry.target_date:  # the validator ensures a slip has a target date
        slip = Slip(entry.slip.previous_date, entry.target_date, entry.slip.cause)
    return Bet(
        key=entry.key,
        title=entry.title,
        url=entry.url,
        owner=entry.owner,
        status=entry.status,
        confidence=entry.confidence,
        progress=Progress(**entry.progress.model_dump()) if entry.progress else None,
        target_date=entry.target_date,
        blockers=tuple(
            Blocker(bet_key=entry.key, **blocker.model_dump()) for blocker in entry.blockers
        ),
        note=entry.note,
        slip=slip,
    )


def _decision(entry: _Decision) -> Decision:
    fields = entry.model_dump()
    for name in ("contributors", "informed", "options"):
        fields[name] = tuple(fields[name])
    return Decision(**fields)


SOURCE: Source[BetsFileSection] = Source(
    name=NAME,
    section=lambda config: config.sources.bets_file,
    secrets=lambda section: (),
    pull=pull,
    check_name="bets file",
    check=check,
)
