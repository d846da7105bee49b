"""`weekly check`: what in the week's page breaks the brief's rules, before it goes out.

Errors stop `weekly send` (unless forced), and ask only for what is new this week: a new
decision without an approver or a deadline, a decision whose approver names more than one
person (DACI: exactly one approves), a new slip without a cause, a bet without a status,
marketing words or an emoji storm in what the PM wrote, a page that cannot fit on one page.
Warnings are told, not enforced: an open bet with no confidence from a source or the PM, a
slip or a decision the last report carried that still lacks its cause or approver, a
commitment nobody ticked, a decision past its deadline, a page that fits only by
summarising.

Each finding names the draft's line, so the PM can go straight to it.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from weekly.config import CheckSection
from weekly.draft.edits import Edits
from weekly.draft.fields import (
    APPROVER,
    BETS,
    CONFIDENCE,
    DEADLINE,
    DECISIONS,
    FORECAST,
    LAST_WEEK,
    NEXT_WEEK,
    NOTE,
    OPTIONS,
    SLIP_CAUSE,
    STATUS,
    TITLE,
)
from weekly.draft.place import PAGE, Place
from weekly.i18n import _, ngettext, speaking
from weekly.model import DecisionStatus, Report, Status
from weekly.render.format import day


@dataclass(frozen=True)
class Finding:
    error: bool
    where: str  # `reports/2026-W48/draft.yaml:31 (PAY-1)`
    what: str
    about: str = ""  # `PAY-1`, `headline`: what the finding is about, without its line
    severity: str = ""  # "error" or "warning" in the team's words; empty: English
    line: int | None = None  # the draft's line it points at; None: the whole page

    def __str__(self) -> str:
        severity = self.severity or ("error" if self.error else "warning")
        return f"{self.where}: {severity}: {self.what}"

    @property
    def reason(self) -> str:
        """The finding without the draft's line, which moves as the PM edits around it."""
        return f"{self.about}: {self.what}" if self.about else self.what


@dataclass(frozen=True)
class DraftLines:
    """Where each part sits in the draft file, to point the PM at it."""

    path: Path
    lines: Mapping[Place, int]  # as the draft was read (edits.part_lines)

    def finding(
        self, error: bool, place: Place | Literal["page"], label: str, what: str
    ) -> Finding:
        """A finding at the field's line where the draft has it, else at its entry's;
        "page" (the whole page) has no line."""
        severity = _("error") if error else _("warning")
        at = PAGE if place == "page" else place
        return Finding(error, self.at(at, label), what, label, severity, self.line(at))

    def line(self, place: Place) -> int | None:
        return self.lines.get(place) or self.lines.get(place.entry)

    def at(self, place: Place, label: str = "") -> str:
        line = self.line(place)
        where = f"{self.path}:{line}" if line else str(self.path)
        return f"{where} ({label})" if label else where


def lint(report: Report, edits: Edits, rules: CheckSection, draft: DraftLines) -> list[Finding]:
    """Every finding for the page as the PM left it, errors first, in the team's words."""
    with speaking(report.language):
        findings = [
            *_bets(report, edits, draft),
            *_decisions(report, draft),
            *_tone(report, edits, rules, draft),
        ]
    return sorted(findings, key=lambda f: not f.error)


def _bets(report: Report, edits: Edits, draft: DraftLines) -> Iterator[Finding]:
    for bet in report.bets:
        if bet.status is None:
            yield draft.finding(
                True, BETS.at(bet.key, STATUS), bet.key, _("no status; write `status:`")
            )
        # A done bet needs no confidence; one that no source gives and the PM never set is
        # worth a word, not a held report (GitHub has no such field).
        if bet.confidence is None and bet.status is not Status.DONE:
            yield draft.finding(
                False,
                BETS.at(bet.key, CONFIDENCE),
                bet.key,
                _("no confidence; write `confidence:`"),
            )
        slip = bet.slip
        if slip and slip.new_date > slip.previous_date and not slip.cause:
            # Only a new slip stops the send; one the last report disclosed is old news.
            yield draft.finding(
                not slip.reported,
                BETS.at(bet.key, SLIP_CAUSE),
                bet.key,
                _(
                    "the date moved from %(was)s to %(now)s without a cause; "
                    "write `slip_cause:` (why, and the options)"
                )
                % {"was": day(slip.previous_date), "now": day(slip.new_date)},
            )
        for commitment in bet.committed:
            if commitment.done is None:
                yield draft.finding(
                    False,
                    BETS.at(bet.key, LAST_WEEK),
                    bet.key,
                    _(
                        "last week's %(text)r is not ticked; write `done: true` or "
                        "`done: false` under `last_week:`"
                    )
                    % {"text": commitment.text},
                )
        if bet.at_risk_by_forecast and not bet.forecast_answer and bet.forecast:
            yield draft.finding(
                False,
                BETS.at(bet.key, FORECAST),
                bet.key,
                _(
                    "at risk by forecast: 85%% likely by %(safe)s, after the target %(target)s; "
                    "write under `forecast:` why the target holds or the options, or move "
                    "`new_eta:` (with `slip_cause:`)"
                )
                % {"safe": day(bet.forecast.safe), "target": day(bet.target_date)},
            )
        edit = edits.bets.get(bet.key)
        committed = {c.text for c in bet.committed}
        for text in edit.last_week if edit else ():
            if text not in committed:
                yield draft.finding(
                    False,
                    BETS.at(bet.key, LAST_WEEK),
                    bet.key,
                    _(
                        "`last_week:` has %(text)r, which last week's report did not commit "
                        "to, so its tick is ignored; keep each `we_will:` line as weekly wrote it"
                    )
                    % {"text": text},
                )


def _decisions(report: Report, draft: DraftLines) -> Iterator[Finding]:
    for decision in report.decisions:
        if decision.status is not DecisionStatus.OPEN:
            continue
        for gap in decision.missing:
            if gap == APPROVER.key:
                what = _("no approver; write `approver:` (a decision needs both)")
                at = DECISIONS.at(decision.key, APPROVER)
            else:
                what = _("no deadline; write `deadline:` (a decision needs both)")
                at = DECISIONS.at(decision.key, DEADLINE)
            # Only a new decision stops the send; one the last report carried is old news.
            new = decision.open_since is None or decision.open_since >= report.week
            yield draft.finding(new, at, decision.key, what)
        named = approvers(decision.approver or "")
        if len(named) > 1:
            yield draft.finding(
                True,
                DECISIONS.at(decision.key, APPROVER),
                decision.key,
                _(
                    "the approver names %(num)d people (%(names)s); a decision has one "
                    "approver: write the one person who approves in `approver:` and list the "
                    "others as contributors"
                )
                % {"num": len(named), "names": ", ".join(named)},
            )
        if decision.deadline and decision.deadline < report.generated_at.date():
            yield draft.finding(
                False,
                DECISIONS.at(decision.key, DEADLINE),
                decision.key,
                _("past its deadline (%(day)s); decide it or move `deadline:`")
                % {"day": day(decision.deadline)},
            )


# Between people: a comma, a semicolon, a slash or a plus anywhere; `&` and `and` as words
# (not in R&D, Alexander Sand or Anders). What is in brackets is one person's role.
_BETWEEN_PEOPLE = re.compile(r"\s*[,;/+]\s*|\s+&\s+|\s+and\s+", re.IGNORECASE)
_ROLE = re.compile(r"\([^)]*\)")
_HANDLE = re.compile(r"(?<!\S)@[\w.-]+")


def approvers(approver: str) -> tuple[str, ...]:
    """The people an approver field names: `Dana & Priya` -> (`Dana`, `Priya`), `@dana @priya`
    -> two, `Finance (CFO)` -> one."""
    people: list[str] = []
    for name in _BETWEEN_PEOPLE.split(_ROLE.sub(" ", approver)):
        handles = _HANDLE.findall(name)
        if len(handles) > 1:  # `@dana @priya`: handles need no separator
            people += handles
        elif name.strip():
            people.append(name.strip())
    return tuple(people)


def _tone(
    report: Report, edits: Edits, rules: CheckSection, draft: DraftLines
) -> Iterator[Finding]:
    """Marketing words and emoji storms, in each text the PM wrote."""
    import emoji

    words = (
        re.compile(
            r"(?<!\w)(" + "|".join(re.escape(w) for w in rules.marketing_words) + r")(?!\w)",
            re.IGNORECASE,
        )
        if rules.marketing_words
        else None
    )
    for place, label, text in _written(report, edits):
        found = sorted({m.group(0).lower() for m in words.finditer(text)}) if words else []
        if found:
            yield draft.finding(
                True,
                place,
                label,
                _("marketing words: %(words)s; say what happened, with the number")
                % {"words": ", ".join(found)},
            )
        count = emoji.emoji_count(text)
        if count > rules.max_emoji:
            yield draft.finding(
                True,
                place,
                label,
                _("%(count)s in one text (at most %(most)d); let the facts speak")
                % {
                    "count": ngettext("%(num)d emoji", "%(num)d emojis", count),
                    "most": rules.max_emoji,
                },
            )


def _written(report: Report, edits: Edits) -> Iterator[tuple[Place, str, str]]:
    """(where in the draft, label, text) for each text the PM writes: the headline, a bet's
    note, slip cause, answer to its forecast and plans, and the decisions' titles and
    options they wrote or changed."""
    if report.headline:
        yield Place("headline"), "headline", report.headline
    for bet in report.bets:
        cause = bet.slip.cause if bet.slip else None
        texts = [(NOTE, bet.note), (SLIP_CAUSE, cause), (FORECAST, bet.forecast_answer)]
        texts += [(NEXT_WEEK, line) for line in bet.next_week]
        for field, text in texts:
            if text:
                yield BETS.at(bet.key, field), bet.key, text
    for number, edit in enumerate(edits.decisions, start=1):
        key = edit.key or f"draft {number}"
        decision_texts = [(TITLE, edit.title)] + [(OPTIONS, o) for o in edit.options or ()]
        for field, text in decision_texts:
            if text:
                yield DECISIONS.at(key, field), key, text
