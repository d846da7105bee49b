"""The command line. Each command: load the config, call one function, report the result."""

from __future__ import annotations

import datetime as dt
import os
import webbrowser
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from weekly import __version__
from weekly.terminal import (
    ask,
    config_option,
    configs_option,
    dry_run_option,
    each_team,
    finish,
    flag,
    force_option,
    history_options,
    language_option,
    load,
    out_option,
    preview_options,
    progress,
    run_command,
    starter_options,
    week_of,
    week_option,
)

if TYPE_CHECKING:  # the real imports are inside the commands, so `--help` stays instant
    from weekly.config import Config
    from weekly.outcome import Outcome


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.option(
    "-v", "--verbose", is_flag=True, help="Say what `run` did; tracebacks of unexpected errors."
)
@click.option("-q", "--quiet", is_flag=True, help="Print errors only (cron mails any output).")
@click.version_option(__version__, prog_name="weekly")
@click.pass_context
def cli(ctx: click.Context, verbose: bool, quiet: bool) -> None:
    """Write the team's Friday one-page status report.

    \b
    The Friday workflow:
      weekly draft     pull the sources, write this week's draft for the PM to edit
      weekly preview   render the draft to HTML and PDF
      weekly send      mail it to the recipients, once
      weekly run       what cron calls hourly: draft and send when they are due
    \b
    Example:
      weekly demo --out ./weekly-demo
    """
    ctx.obj = {"verbose": verbose, "quiet": quiet}


@cli.command()
@out_option(Path("weekly-demo"), "Folder for the HTML, the PDF and the e-mail.")
@language_option
def demo(out: Path, language: str) -> None:
    """Run the whole pipeline on the bundled demo workspace; no credentials, no network.

    Writes the page as HTML and PDF and the e-mail it would send (.eml).

    \b
    Example:
      weekly demo --out /tmp/demo
      weekly demo --language zh-CN --out /tmp/demo-zh
    """
    from weekly.demo.workspace import run_demo

    with progress() as shown:
        outcome = run_demo(out, language, shown)
    finish(outcome)


@cli.command()
@config_option
@out_option(None, "Folder for the HTML and PDF [default: report.output_dir/<week>].")
@week_option
def render(config_path: Path, out: Path | None, week: str | None) -> None:
    """Pull every source and write the page now, without a draft.

    \b
    Example:
      weekly render --config weekly.toml --week 2026-W48
    """
    from weekly import workflow

    config = load(config_path)
    now = dt.datetime.now(config.report.zone)
    with progress() as shown:
        _, outcome = workflow.render(
            config, now, os.environ, week_of(week, now), out, progress=shown
        )
    finish(outcome)


@cli.command()
@configs_option
@week_option
def draft(config_paths: tuple[Path, ...], week: str | None) -> None:
    """Pull every source and write this week's draft, or merge fresh facts into it.

    Every edit in the draft is kept; the file before is kept as draft.yaml.bak.

    \b
    Example:
      weekly draft --config weekly.toml
    """
    from weekly import workflow

    def one(config: Config) -> Outcome:
        now = dt.datetime.now(config.report.zone)
        with progress(config_paths) as shown:
            return workflow.draft(config, now, os.environ, week_of(week, now), shown)

    each_team(config_paths, one)


@cli.command()
@config_option
@week_option
@preview_options
def preview(
    config_path: Path, week: str | None, open_browser: bool, serve: bool, port: int
) -> None:
    """Render the current draft to HTML and PDF and print their paths; or, with --serve,
    keep the page open in the browser beside weekly check, and edit it there.

    \b
    Example:
      weekly preview --config weekly.toml --open
      weekly preview --config weekly.toml --serve
    """
    from weekly import workflow

    config = load(config_path)
    this_week = week_of(week, dt.datetime.now(config.report.zone))
    if serve:
        from weekly.live import serve as serve_live

        return serve_live(config, this_week, port, True, lambda line: click.echo(line, err=True))
    written, outcome = workflow.preview(config, this_week)
    if open_browser:
        webbrowser.open(written.html.resolve().as_uri())
    finish(outcome)


@cli.command()
@config_option
@week_option
def check(config_path: Path, week: str | None) -> None:
    """Name what in the draft breaks the brief's rules; `weekly send` refuses on its errors.

    Errors: a decision without approver or deadline, a slip without a cause, a bet without
    status or confidence, marketing words or more than a couple of emoji in what you
    wrote, a page that cannot fit on one page. Warnings: commitments not ticked,
    decisions past their deadline, a page that fits only by summarising. Exits 2 on errors.

    \b
    Example:
      weekly check --config weekly.toml
    """
    from weekly import workflow
    from weekly.errors import EXIT_USER_INPUT

    config = load(config_path)
    result = workflow.check(config, week_of(week, dt.datetime.now(config.report.zone)))
    for line in result.lines():
        click.echo(line)
    click.echo(result.verdict(), err=bool(result.errors))
    if result.errors:
        raise click.exceptions.Exit(EXIT_USER_INPUT)


@cli.command()
@configs_option
@week_option
@force_option
@dry_run_option
def send(config_paths: tuple[Path, ...], week: str | None, force: bool, dry_run: bool) -> None:
    """Render the draft and mail it to the recipients, once per week.

    \b
    Example:
      weekly send --config weekly.toml --dry-run
    """
    from weekly import workflow

    def one(config: Config) -> Outcome:
        now = dt.datetime.now(config.report.zone)
        return workflow.send(
            config, now, os.environ, week_of(week, now), force=force, dry_run=dry_run
        )

    each_team(config_paths, one)


@cli.command()
@configs_option
@dry_run_option
def run(config_paths: tuple[Path, ...], dry_run: bool) -> None:
    """Draft and send when they are due; silent otherwise. Cron calls this every hour.

    \b
    Example:
      weekly run --config /srv/weekly/weekly.toml
    """
    from weekly import workflow

    def one(config: Config) -> Outcome:
        return workflow.run(config, dt.datetime.now(dt.UTC), os.environ, dry_run=dry_run)

    # Cron mails whatever a job prints: on success `run` only logs, unless --verbose.
    each_team(config_paths, one, print_lines=flag("verbose"))


@cli.command()
@starter_options
def init(folder: Path, team: str | None, **answers: Any) -> None:
    """Write a commented weekly.toml and a metrics CSV header to start from; never overwrites.

    \b
    Example:
      weekly init --team Payments --timezone Europe/Berlin --github acme/checkout-web
    """
    from weekly.starter import InitAnswers, write_starter

    if team is None:
        team = ask("Team name", "--team: give the team's name (weekly init --team Payments)")
    for path in write_starter(folder, InitAnswers(team=team, **answers)):
        click.echo(str(path))


@cli.command()
@config_option
def doctor(config_path: Path) -> None:
    """Check the config, each source's credentials and reach, SMTP, fonts, PDF and schedule.

    One cheap request a source, and no mail is sent. Exits 3 when a check fails.

    \b
    Example:
      weekly doctor --config /srv/weekly/weekly.toml
    """
    from weekly.doctor import render_checklist, run_checks
    from weekly.errors import EXIT_SOURCE_OR_DELIVERY

    checks = run_checks(load(config_path), os.environ, dt.datetime.now(dt.UTC))
    click.echo(render_checklist(checks))
    if any(not c.ok for c in checks):
        # The checklist's last line already names them; the exit code tells scripts.
        raise click.exceptions.Exit(EXIT_SOURCE_OR_DELIVERY)


@cli.command()
@config_option
@history_options
def history(config_path: Path, diff: tuple[str, str] | None, record: bool) -> None:
    """List the sent reports (week, sent at, recipients, NSM), compare two weeks, or show
    the team's record (commitments kept, slips, finishes against first targets).

    \b
    Example:
      weekly history --config weekly.toml --diff 2026-W47 2026-W48
      weekly history --config weekly.toml --record
    """
    from weekly import history_view

    config = load(config_path)
    now = dt.datetime.now(config.report.zone)
    weeks = (week_of(diff[0], now), week_of(diff[1], now)) if diff else None
    click.echo("\n".join(history_view.lines(config, weeks, record)))


@cli.command()
@config_option
def cron(config_path: Path) -> None:
    """Print the crontab lines for the configured schedule and time zone.

    \b
    Example:
      weekly cron --config /srv/weekly/weekly.toml >> my.crontab
    """
    from weekly.schedule import crontab

    click.echo(crontab(load(config_path)), nl=False)


def main(argv: list[str] | None = None) -> int:
    """Entry point: run the CLI and turn every failure into one line and an exit code."""
    return run_command(cli, argv)
