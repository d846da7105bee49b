"""The command line. Each command: load the config, call one function, report the result."""

from __future__ import annotations

import datetime as dt
import os
import sys
import traceback
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING

import click

from weekly import __version__

if TYPE_CHECKING:  # the real imports are inside the commands, so `--help` stays instant
    from weekly.config import Config
    from weekly.weeks import IsoWeek


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.option("-v", "--verbose", is_flag=True, help="Show tracebacks of unexpected errors.")
@click.version_option(__version__, prog_name="weekly")
def cli(verbose: bool) -> None:
    """Write the team's Friday one-page status report.

    \b
    Example:
      weekly demo --out ./weekly-demo
    """


@cli.command()
@click.option(
    "--out",
    type=click.Path(path_type=Path),
    default=Path("weekly-demo"),
    show_default=True,
    help="Folder for the HTML and PDF.",
)
def demo(out: Path) -> None:
    """Run the whole pipeline on the bundled demo workspace; no credentials, no network.

    \b
    Example:
      weekly demo --out /tmp/demo
    """
    from weekly.demo.workspace import demo_workspace
    from weekly.weeks import IsoWeek

    with demo_workspace() as run:
        _build_and_write(run.config, run.now, IsoWeek.of(run.now.date()), out, run.env)


@cli.command()
@click.option(
    "--config",
    "config_path",
    type=click.Path(path_type=Path),
    default=Path("weekly.toml"),
    show_default=True,
    help="The config file.",
)
@click.option(
    "--out",
    type=click.Path(path_type=Path),
    default=None,
    help="Folder for the HTML and PDF [default: report.output_dir/<week>].",
)
@click.option(
    "--week", default=None, help="ISO week to report on, e.g. 2026-W48 [default: this week]."
)
def render(config_path: Path, out: Path | None, week: str | None) -> None:
    """Pull every source and write this week's page as HTML and a one-page PDF.

    \b
    Example:
      weekly render --config weekly.toml --week 2026-W48
    """
    from weekly.config import load_config
    from weekly.weeks import IsoWeek

    config, warnings = load_config(config_path)
    for warning in warnings:
        click.echo(warning, err=True)
    now = dt.datetime.now(config.report.zone)
    try:
        report_week = IsoWeek.parse(week) if week else IsoWeek.of(now.date())
    except ValueError as exc:
        raise click.BadParameter(str(exc), param_hint="--week") from None
    folder = out or config.resolve(config.report.output_dir) / str(report_week)
    _build_and_write(config, now, report_week, folder, os.environ)


def _build_and_write(
    config: Config, now: dt.datetime, week: IsoWeek, out: Path, env: Mapping[str, str]
) -> None:
    from weekly.errors import SourcesFailed
    from weekly.model import SourceState
    from weekly.pipeline import build_report
    from weekly.render.output import write_report

    report = build_report(config, now, env, week)
    template = config.resolve(config.report.template) if config.report.template else None
    written = write_report(report, out, config.report.paper, template)
    for source in report.failed_sources:
        click.echo(f"weekly: warning: {source.name} {source.state}: {source.reason}", err=True)
    for line in written.left_out:
        click.echo(f"weekly: page fitted to one page: {line}", err=True)
    click.echo(str(written.html))
    click.echo(str(written.pdf))
    failed = [s.name for s in report.failed_sources if s.state is SourceState.FAILED]
    if failed:
        raise SourcesFailed(
            f"{', '.join(failed)} failed; the page was written with a banner saying so"
        )


def main(argv: list[str] | None = None) -> int:
    """Entry point: run the CLI and turn every failure into one line and an exit code."""
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
