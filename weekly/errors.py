"""Errors a user can fix. Each message says what is wrong and how to fix it."""

from __future__ import annotations

import click

# Exit codes, documented in the README.
EXIT_USER_INPUT = 2
EXIT_SOURCE_OR_DELIVERY = 3


class WeeklyError(click.ClickException):
    """A problem the user can fix; printed as one line, no traceback."""

    exit_code = EXIT_USER_INPUT


class ConfigError(WeeklyError):
    """The config file is missing, unreadable or invalid."""

    def __init__(self, path: object, problems: list[str]) -> None:
        self.problems = problems
        if len(problems) == 1:
            message = f"{path}: {problems[0]}"
        else:
            lines = "\n".join(f"  - {p}" for p in problems)
            message = f"{path}: {len(problems)} problems:\n{lines}"
        super().__init__(message)


class InputError(WeeklyError):
    """A data file (metrics CSV, bets file) holds something we cannot use."""


class DraftError(InputError):
    """A draft the PM broke: the message names the file, the line and what is allowed."""


class RenderError(WeeklyError):
    """The page could not be rendered or written."""

    exit_code = EXIT_SOURCE_OR_DELIVERY


class SourcesFailed(WeeklyError):
    """The page was written, but one or more sources failed; the page says which."""

    exit_code = EXIT_SOURCE_OR_DELIVERY


class CheckFailed(WeeklyError):
    """The draft breaks the brief's rules; `weekly send --force` sends it anyway."""

    def __init__(self, message: str, reasons: list[str]) -> None:
        super().__init__(message)
        self.reasons = reasons  # one line a finding, without the draft's line numbers


class StoreError(WeeklyError):
    """The history or the send ledger cannot be used: locked too long, not a database, not
    writable, or written by a newer weekly."""

    exit_code = EXIT_SOURCE_OR_DELIVERY


class Interrupted(WeeklyError):
    """A send started and never finished: only a human can tell whether the mail arrived."""

    exit_code = EXIT_SOURCE_OR_DELIVERY

    def __init__(self, message: str, entry: object) -> None:
        super().__init__(message)
        self.entry = entry  # the ledger's row of the unfinished send


class CannotWrite(WeeklyError):
    """A file could not be written (exit 3, like any file that cannot be written)."""

    exit_code = EXIT_SOURCE_OR_DELIVERY


class DeliveryError(WeeklyError):
    """The mail was not sent. `transient` says whether trying again later may work
    (a 4xx reply, a connection problem) or something must be fixed first (a 5xx reply)."""

    exit_code = EXIT_SOURCE_OR_DELIVERY

    def __init__(self, message: str, *, transient: bool, maybe_delivered: bool = False) -> None:
        super().__init__(message)
        self.transient = transient
        # The connection broke after the message was handed over: it may have gone out.
        # Only a person can tell, so the send must not be retried by itself.
        self.maybe_delivered = maybe_delivered


class UnexpectedError(WeeklyError):
    """Something we did not foresee stopped one team of several; the others went on."""

    exit_code = 1
