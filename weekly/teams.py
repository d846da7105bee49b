"""Several teams in one command: which config files a `--config` names, and running a step
for each team on its own, so one team's failure stops no other's send."""

from __future__ import annotations

import logging
import tomllib
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import click

from weekly.config import Config
from weekly.errors import InputError, UnexpectedError
from weekly.logbook import log
from weekly.outcome import Outcome

# Two teams at a time: their pulls wait on the network, their layouts on the CPU.
TEAMS_AT_ONCE = 2


@dataclass(frozen=True)
class TeamRun:
    """One team's result: its outcome, or the error that stopped it (or its failed sources)."""

    path: Path
    outcome: Outcome | None
    error: click.ClickException | None


def team_configs(paths: Sequence[Path]) -> list[Path]:
    """Config files as given; a folder stands for the team configs in it: its .toml files
    with a [report] table (a bets.toml beside them is not a team)."""
    configs: list[Path] = []
    for path in paths:
        if not path.is_dir():
            configs.append(path)
            continue
        found = [p for p in sorted(path.glob("*.toml")) if _is_team_config(p)]
        if not found:
            raise InputError(f"{path}: no team configs here (.toml files with a [report] table)")
        configs += found
    return configs


def one_team(paths: Sequence[Path]) -> bool:
    """Whether the paths name one team's config (progress is shown only then)."""
    return len(paths) <= 1 and not any(p.is_dir() for p in paths)


def each_team(
    paths: Sequence[Path],
    action: Callable[[Config], Outcome],
    load: Callable[[Path], Config],
) -> list[TeamRun]:
    """Run `action` for each team's config, each logged in the team's weekly.log: one team's
    error is raised as it is, with its own exit code; several run two at a time, and each
    one's error is kept in its TeamRun."""
    configs = team_configs(paths)
    if len(configs) == 1:
        outcome, failure = _logged(load(configs[0]), action)
        return [TeamRun(configs[0], outcome, failure)]

    def one(path: Path) -> TeamRun:
        try:
            return TeamRun(path, *_logged(load(path), action))
        except click.ClickException as exc:
            return TeamRun(path, None, exc)
        except Exception as exc:  # one team's surprise must not lose the others' results
            why = f"unexpected error: {type(exc).__name__}: {exc} (please report it)"
            return TeamRun(path, None, UnexpectedError(why))

    with ThreadPoolExecutor(max_workers=TEAMS_AT_ONCE, thread_name_prefix="team") as pool:
        return list(pool.map(one, configs))


def _logged(
    config: Config, action: Callable[[Config], Outcome]
) -> tuple[Outcome, click.ClickException | None]:
    """The action's outcome and its failed sources' error, both in the team's weekly.log;
    or the action's error, logged and raised."""
    try:
        outcome = action(config)
    except click.ClickException as exc:
        log(config, [exc.format_message()], logging.ERROR)
        raise
    log(config, [*outcome.lines, *outcome.warnings])
    failure = outcome.failure()
    if failure is not None:
        log(config, [failure.format_message()], logging.ERROR)
    return outcome, failure


def _is_team_config(path: Path) -> bool:
    try:
        return "report" in tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError):
        return True  # let loading it say what is wrong
