"""`weekly check`: what in the week's page breaks the brief's rules, before it goes out.

Errors stop `weekly send` (unless forced): a decision without an approver or a deadline,
a slip without a cause, a bet without a status or a confidence, marketing words or an
emoji storm in what the PM wrote, a page that cannot fit on one page. Warnings are told,
not enforced: a commitment nobody ticked, a decision past its deadline, a page that fits
only by summarising.

Each finding names the draft's line, so the PM can go straight to it.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path

from weekly.config import CheckSection
from weekly.model import Bet, DecisionStatus, Report
from weekly.render.format import day, plural


@dataclass(frozen=True)
class Finding:
    error: bool
    where: str  # `reports/2026-W48/draft.yaml:31 (PAY-1)`
    what: str

    def __str__(self) -> str:
        return f"{self.where}: {'error' if self.error else 'warning'}: {self.what}"


@dataclass(frozen=True)
class DraftLines:
    """Where each part sits in the draft file, to point the PM at it."""

    path: Path
    lines: Mapping[str, int]  # "headline", "bet PAY-1", "decision PAY-7" -> line

    def at(self, part: str, label: str = "") -> str:
        line = self.lines.get(part)
        where = f"{self.path}:{line}" if line else str(self.path)
        return f"{where} ({label})" if label else where


def lint(report: Report, rules: CheckSection, draft: DraftLines) -> list[Finding]:
    """Every finding for the page as the PM left it, errors first."""
    findings = [*_bets(report, draft), *_decisions(report, draft), *_tone(report, rules, draft)]
    return sorted(findings, key=lambda f: not f.error)


def _bets(report: Report, draft: DraftLines) -> Iterator[Finding]:
    for bet in report.bets:
        where = draft.at(f"bet {bet.key}", bet.key)
        missing = [name for name in ("status", "confidence") if getattr(bet, name) is None]
        if missing:
            yield Finding(True, where, f"no {' or '.join(missing)}; write `{missing[0]}:`")
        slip = bet.slip
        if slip and slip.new_date > slip.previous_date and not slip.cause:
            yield Finding(
                True,
                where,
                f"the date moved from {day(slip.previous_date)} to {day(slip.new_date)} "
                "without a cause; write `slip_cause:` (why, and the options)",
            )
        for commitment in bet.committed:
            if commitment.done is None:
                yield Finding(
                    False,
                    where,
                    f"last week's {commitment.text!r} is not ticked; write `done: true` or "
                    "`done: false` under `last_week:`",
                )


def _decisions(report: Report, draft: DraftLines) -> Iterator[Finding]:
    for decision in report.decisions:
        if decision.status is not DecisionStatus.OPEN:
            continue
        where = draft.at(f"decision {decision.key}", decision.key)
        for gap in decision.missing:
            yield Finding(True, where, f"no {gap}; write `{gap}:` (a decision needs both)")
        if decision.deadline and decision.deadline < report.generated_at.date():
            yield Finding(
                False,
                where,
                f"past its deadline ({day(decision.deadline)}); decide it or move `deadline:`",
            )


def _tone(report: Report, rules: CheckSection, draft: DraftLines) -> Iterator[Finding]:
    """Marketing words and emoji storms, in the text the PM wrote."""
    import emoji

    words = (
        re.compile(
            r"(?<!\w)(" + "|".join(re.escape(w) for w in rules.marketing_words) + r")(?!\w)",
            re.IGNORECASE,
        )
        if rules.marketing_words
        else None
    )
    for part, label, text in _written(report):
        where = draft.at(part, label)
        found = sorted({m.group(0).lower() for m in words.finditer(text)}) if words else []
        if found:
            yield Finding(
                True,
                where,
                f"marketing words: {', '.join(found)}; say what happened, with the number",
            )
        count = emoji.emoji_count(text)
        if count > rules.max_emoji:
            yield Finding(
                True,
                where,
                f"{plural(count, 'emoji')} (at most {rules.max_emoji}); let the facts speak",
            )


def _written(report: Report) -> Iterator[tuple[str, str, str]]:
    """(draft part, label, text) for what the PM writes: headline, notes, causes, plans."""
    if report.headline:
        yield "headline", "headline", report.headline
    for bet in report.bets:
        text = " ".join(t for t in (bet.note, _cause(bet), *bet.next_week) if t)
        if text:
            yield f"bet {bet.key}", bet.key, text
    for decision in report.decisions:
        yield (
            f"decision {decision.key}",
            decision.key,
            " ".join((decision.title, *decision.options)),
        )


def _cause(bet: Bet) -> str | None:
    return bet.slip.cause if bet.slip else None
