"""What a command prints and how it ends: the options several commands share, an outcome on
the terminal, several teams' results, and every error mapped to one line and an exit code."""

from __future__ import annotations

import datetime as dt
import os
import sys
import traceback
from collections.abc import Callable
from contextlib import AbstractContextManager
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

import click

if TYPE_CHECKING:  # the real imports are inside the functions, so `--help` stays instant
    from weekly.config import Config
    from weekly.outcome import Outcome
    from weekly.progress import PullProgress
    from weekly.weeks import IsoWeek

F = TypeVar("F", bound=Callable[..., Any])


def configs_option(command: F) -> F:
    return click.option(
        "--config",
        "config_paths",
        type=click.Path(path_type=Path),
        multiple=True,
        default=[Path("weekly.toml")],
        show_default=True,
        help="The config file; repeat it, or give a folder of them, to run several teams.",
    )(command)


def config_option(command: F) -> F:
    return click.option(
        "--config",
        "config_path",
        type=click.Path(path_type=Path),
        default=Path("weekly.toml"),
        show_default=True,
        help="The config file.",
    )(command)


def week_option(command: F) -> F:
    return click.option(
        "--week", default=None, help="ISO week, e.g. 2026-W48 [default: this week]."
    )(command)


def out_option(default: Path | None, help: str) -> Callable[[F], F]:
    return click.option(
        "--out", type=click.Path(path_type=Path), default=default, show_default=True, help=help
    )


def language_option(command: F) -> F:
    return click.option(
        "--language",
        type=click.Choice(["en", "zh-CN"]),
        default="en",
        show_default=True,
        help="The readers' language (report.language): the page's words, dates and headline.",
    )(command)


def force_option(command: F) -> F:
    return click.option(
        "--force",
        is_flag=True,
        help="Send again although this week went out already, or despite weekly check's errors.",
    )(command)


def dry_run_option(command: F) -> F:
    return click.option(
        "--dry-run", is_flag=True, help="Write the .eml and say what would happen; no mail."
    )(command)


def history_options(command: F) -> F:
    command = click.option(
        "--record",
        is_flag=True,
        help="Commitments kept, slips and finishes over the last 4 and 12 sent reports.",
    )(command)
    return click.option(
        "--diff", nargs=2, default=None, metavar="WEEK WEEK", help="What changed between two weeks."
    )(command)


def preview_options(command: F) -> F:
    options = [
        click.option("--open", "open_browser", is_flag=True, help="Open the HTML in the browser."),
        click.option(
            "--serve",
            is_flag=True,
            help="Serve it on 127.0.0.1, open it, and show every save of draft.yaml at once.",
        ),
        click.option(
            "--port", default=0, show_default=True, help="--serve's port; 0 picks a free one."
        ),
    ]
    for option in reversed(options):
        command = option(command)
    return command


def ask(prompt: str, unattended: str) -> str:
    """The answer typed at a terminal; without one, the error `unattended` says what to give."""
    from weekly.errors import InputError

    if not sys.stdin.isatty():
        raise InputError(unattended)
    return str(click.prompt(prompt))


def starter_options(command: F) -> F:
    """`weekly init`'s answers, named as weekly.starter.InitAnswers names them."""
    options = [
        click.option("--team", default=None, help="The team's name [asked on a terminal]."),
        click.option(
            "--timezone", default="UTC", show_default=True, help="The team's IANA time zone."
        ),
        click.option(
            "--jira-url", default=None, help="The Jira site, e.g. https://acme.atlassian.net."
        ),
        click.option("--jira-email", default=None, help="Jira Cloud: the account's e-mail."),
        click.option(
            "--jira-project",
            "jira_projects",
            multiple=True,
            help="A Jira project key; repeat for more.",
        ),
        click.option(
            "--github",
            "github_repositories",
            multiple=True,
            help="A GitHub repository, owner/name; repeat for more.",
        ),
        click.option(
            "--folder",
            type=click.Path(path_type=Path),
            default=Path("."),
            show_default=True,
            help="Where to write weekly.toml and metrics.csv.",
        ),
    ]
    for option in reversed(options):
        command = option(command)
    return command


def load(path: Path) -> Config:
    """The config, its warnings (unknown keys) on stderr."""
    from weekly.config import load_config

    config, warnings = load_config(path)
    for warning in warnings:
        click.echo(warning, err=True)
    return config


def week_of(text: str | None, now: dt.datetime) -> IsoWeek:
    """The --week given, or this week."""
    from weekly.errors import InputError
    from weekly.weeks import IsoWeek

    try:
        return IsoWeek.parse(text) if text else IsoWeek.of(now.date())
    except ValueError as exc:
        raise InputError(f"--week: {exc}") from None


def progress(config_paths: tuple[Path, ...] = ()) -> AbstractContextManager[PullProgress | None]:
    """A progress line only for a person at a terminal pulling one team's sources."""
    from weekly.progress import on_terminal
    from weekly.teams import one_team

    return on_terminal(one_team(config_paths) and sys.stderr.isatty() and not flag("quiet"))


def flag(name: str) -> bool:
    """A global option (--verbose, --quiet) of the running command."""
    ctx = click.get_current_context(silent=True)
    return bool(ctx and ctx.find_root().obj and ctx.find_root().obj.get(name))


def show(outcome: Outcome, print_lines: bool = True, prefix: str = "") -> None:
    """The outcome's warnings on stderr and its lines on stdout; nothing under --quiet."""
    if flag("quiet"):
        return
    for line in outcome.warnings:
        click.echo(f"{prefix}{line}", err=True)
    for line in outcome.lines if print_lines else ():
        click.echo(f"{prefix}{line}")


def finish(outcome: Outcome) -> None:
    """Show what one command did; its failed sources make it exit 3."""
    show(outcome)
    failure = outcome.failure()
    if failure is not None:
        raise failure


def each_team(
    paths: tuple[Path, ...], action: Callable[[Config], Outcome], *, print_lines: bool = True
) -> None:
    """Run `action` for each team (weekly.teams); several teams' lines carry their config's
    path, and the command exits with the worst team's code."""
    from weekly.teams import each_team as run_each

    runs = run_each(paths, action, load)
    if len(runs) == 1:  # one team: its error is the command's, with its own exit code
        (only,) = runs
        if only.outcome is not None:
            show(only.outcome, print_lines)
        if only.error is not None:
            raise only.error
        return
    for team in runs:
        if team.outcome is not None:
            show(team.outcome, print_lines, prefix=f"[{team.path}] ")
        if team.error is not None:
            click.echo(f"[{team.path}] {team.error.format_message()}", err=True)
    worst = max((team.error.exit_code for team in runs if team.error), default=0)
    if worst:
        raise click.exceptions.Exit(worst)


def run_command(cli: click.Group, argv: list[str] | None) -> int:
    """Run the command line and turn every failure into one line and an exit code."""
    # Reports, drafts, mails and the ledger are for the owner's eyes only.
    os.umask(0o077)
    verbose = False
    try:
        with cli.make_context("weekly", list(sys.argv[1:] if argv is None else argv)) as ctx:
            verbose = bool(ctx.params.get("verbose"))
            cli.invoke(ctx)
    except click.exceptions.Exit as exc:
        return exc.exit_code
    except click.ClickException as exc:
        exc.show()
        return exc.exit_code
    except click.Abort:
        click.echo("weekly: aborted", err=True)
        return 130
    except Exception as exc:  # anything we did not foresee: one line, traceback on request
        if verbose:
            traceback.print_exc()
        else:
            click.echo(
                f"weekly: unexpected error: {type(exc).__name__}: {exc} (run weekly --verbose "
                "… for the traceback, and please report it)",
                err=True,
            )
        return 1
    return 0
