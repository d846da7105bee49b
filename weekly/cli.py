"""The command line. Each command: load the config, call one function, report the result."""

from __future__ import annotations

import contextlib
import datetime as dt
import logging
import os
import sys
import traceback
import webbrowser
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

import click

from weekly import __version__

if TYPE_CHECKING:  # the real imports are inside the commands, so `--help` stays instant
    from weekly.config import Config
    from weekly.weeks import IsoWeek
    from weekly.workflow import Outcome

F = TypeVar("F", bound=Callable[..., Any])


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


@cli.command()
@click.option(
    "--out",
    type=click.Path(path_type=Path),
    default=Path("weekly-demo"),
    show_default=True,
    help="Folder for the HTML, the PDF and the e-mail.",
)
@click.option(
    "--language",
    type=click.Choice(["en", "zh-CN"]),
    default="en",
    show_default=True,
    help="The readers' language (report.language): the page's words, dates and headline.",
)
def demo(out: Path, language: str) -> None:
    """Run the whole pipeline on the bundled demo workspace; no credentials, no network.

    Writes the page as HTML and PDF and the e-mail it would send (.eml).

    \b
    Example:
      weekly demo --out /tmp/demo
      weekly demo --language zh-CN --out /tmp/demo-zh
    """
    from weekly.demo.workspace import demo_email, demo_workspace, with_history
    from weekly.weeks import IsoWeek

    with demo_workspace(language) as run:
        week = IsoWeek.of(run.now.date())
        written = _build_and_write(
            run.config, run.now, week, out, run.env, lambda report: with_history(run, report)
        )
        click.echo(str(demo_email(run, written)))


@cli.command()
@config_option
@click.option(
    "--out",
    type=click.Path(path_type=Path),
    default=None,
    help="Folder for the HTML and PDF [default: report.output_dir/<week>].",
)
@week_option
def render(config_path: Path, out: Path | None, week: str | None) -> None:
    """Pull every source and write the page now, without a draft.

    \b
    Example:
      weekly render --config weekly.toml --week 2026-W48
    """
    from weekly.draft import WeekFolder

    config = _config(config_path)
    now = dt.datetime.now(config.report.zone)
    report_week = _week(week, now)
    folder = out or WeekFolder.of(config, report_week).path
    _build_and_write(config, now, report_week, folder, os.environ)


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
    from weekly.progress import on_terminal

    show = _progress_wanted(config_paths)

    def one(config: Config) -> Outcome:
        now = dt.datetime.now(config.report.zone)
        with on_terminal(show) as progress:
            return workflow.draft(config, now, os.environ, _week(week, now), progress)

    _each_team(config_paths, one)


@cli.command()
@config_option
@week_option
@click.option("--open", "open_browser", is_flag=True, help="Open the HTML in the browser.")
def preview(config_path: Path, week: str | None, open_browser: bool) -> None:
    """Render the current draft to HTML and PDF and print their paths.

    \b
    Example:
      weekly preview --config weekly.toml --open
    """
    from weekly import workflow

    config = _config(config_path)
    written, warnings = workflow.preview(config, _week(week, dt.datetime.now(config.report.zone)))
    for warning in warnings:
        if not _flag("quiet"):
            click.echo(warning, err=True)
    _written(written.html, written.pdf, written.left_out)
    if open_browser:
        webbrowser.open(written.html.resolve().as_uri())
    failure = workflow.source_failure(
        workflow.failed_sources(written.view.report), ["the page was written"]
    )
    if failure is not None:
        raise failure


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
    from weekly.render.format import plural

    config = _config(config_path)
    findings, warnings = workflow.check(config, _week(week, dt.datetime.now(config.report.zone)))
    for line in [*map(str, findings), *warnings]:
        click.echo(line)
    errors = sum(f.error for f in findings)
    others = len(findings) - errors + len(warnings)
    if errors:
        click.echo(
            f"{plural(errors, 'error')}, {plural(others, 'warning')}: weekly send refuses "
            "until the errors are fixed (or --force)",
            err=True,
        )
        raise click.exceptions.Exit(EXIT_USER_INPUT)
    tail = f", {plural(others, 'warning')}" if others else ""
    click.echo(f"No errors{tail}: ready to send.")


@cli.command()
@configs_option
@week_option
@click.option(
    "--force",
    is_flag=True,
    help="Send again although this week went out already, or despite weekly check's errors.",
)
@click.option("--dry-run", is_flag=True, help="Write the .eml and say what would happen; no mail.")
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
            config, now, os.environ, _week(week, now), force=force, dry_run=dry_run
        )

    _each_team(config_paths, one)


@cli.command()
@configs_option
@click.option("--dry-run", is_flag=True, help="Write the .eml and say what would happen; no mail.")
def run(config_paths: tuple[Path, ...], dry_run: bool) -> None:
    """Draft and send when they are due; silent otherwise. Cron calls this every hour.

    \b
    Example:
      weekly run --config /srv/weekly/weekly.toml
    """
    from weekly import workflow
    from weekly.deliver.ledger import Busy
    from weekly.workflow import Outcome

    def one(config: Config) -> Outcome:
        # Another run sending this week's report right now is no news for cron to mail.
        with contextlib.suppress(Busy):
            return workflow.run(config, dt.datetime.now(dt.UTC), os.environ, dry_run=dry_run)
        return Outcome()

    # Cron mails whatever a job prints: on success `run` only logs, unless --verbose.
    _each_team(config_paths, one, print_lines=_flag("verbose"))


@cli.command()
@click.option("--team", default=None, help="The team's name [asked on a terminal].")
@click.option("--timezone", default="UTC", show_default=True, help="The team's IANA time zone.")
@click.option("--jira-url", default=None, help="The Jira site, e.g. https://acme.atlassian.net.")
@click.option("--jira-email", default=None, help="Jira Cloud: the account's e-mail.")
@click.option("--jira-project", multiple=True, help="A Jira project key; repeat for more.")
@click.option("--github", multiple=True, help="A GitHub repository, owner/name; repeat for more.")
@click.option(
    "--folder",
    type=click.Path(path_type=Path),
    default=Path("."),
    show_default=True,
    help="Where to write weekly.toml and metrics.csv.",
)
def init(
    team: str | None,
    timezone: str,
    jira_url: str | None,
    jira_email: str | None,
    jira_project: tuple[str, ...],
    github: tuple[str, ...],
    folder: Path,
) -> None:
    """Write a commented weekly.toml and a metrics CSV header to start from; never overwrites.

    \b
    Example:
      weekly init --team Payments --timezone Europe/Berlin --github acme/checkout-web
    """
    from weekly.errors import InputError
    from weekly.starter import InitAnswers, write_starter

    if team is None:
        if not sys.stdin.isatty():
            raise InputError("--team: give the team's name (weekly init --team Payments)")
        team = click.prompt("Team name")
    answers = InitAnswers(
        team=team,
        timezone=timezone,
        jira_url=jira_url,
        jira_email=jira_email,
        jira_projects=jira_project,
        github_repositories=github,
    )
    for path in write_starter(folder, answers):
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
    from weekly.errors import SourcesFailed

    config = _config(config_path)
    checks = run_checks(config, os.environ, dt.datetime.now(dt.UTC))
    click.echo(render_checklist(checks))
    if any(not c.ok for c in checks):
        # The checklist's last line already names them; the exit code tells scripts.
        raise click.exceptions.Exit(SourcesFailed.exit_code)


@cli.command()
@config_option
@click.option(
    "--diff", nargs=2, default=None, metavar="WEEK WEEK", help="What changed between two weeks."
)
@click.option(
    "--record",
    is_flag=True,
    help="Commitments kept, slips and finishes over the last 4 and 12 sent reports.",
)
def history(config_path: Path, diff: tuple[str, str] | None, record: bool) -> None:
    """List the sent reports (week, sent at, recipients, NSM), compare two weeks, or show
    the team's record (commitments kept, slips, finishes against first targets).

    \b
    Example:
      weekly history --config weekly.toml --diff 2026-W47 2026-W48
      weekly history --config weekly.toml --record
    """
    from weekly import history as records
    from weekly import record as track
    from weekly.errors import InputError
    from weekly.render.format import plural, record_line

    config = _config(config_path)
    sent = records.History(config.resolve(config.report.output_dir) / "history.sqlite").sent(
        config.report.team
    )
    if record:
        if not sent:
            click.echo(f"No report of {config.report.team} has been sent yet.")
            return
        click.echo(f"The record of {config.report.team}, from its sent reports:")
        for line in track.table([item.report for item in sent]):
            click.echo(line)
        return
    if diff is None:
        if not sent:
            click.echo(f"No report of {config.report.team} has been sent yet.")
        for item in sent:
            click.echo(
                f"{item.week}  sent {item.sent_at:%a %d %b %Y %H:%M}  to "
                f"{plural(len(item.recipients), 'recipient')}  ·  {item.nsm}"
            )
        return
    by_week = {str(item.week): item.report for item in sent}
    weeks = [str(_week(text, dt.datetime.now(config.report.zone))) for text in diff]
    missing = [w for w in weeks if w not in by_week]
    if missing:
        raise InputError(f"--diff: no sent report for {', '.join(missing)}; see weekly history")
    for line in records.diff(by_week[weeks[0]], by_week[weeks[1]]):
        click.echo(line)
    was, now = (
        track.track_record(records.before(by_week[w], sent), track.RECORD_REPORTS) for w in weeks
    )
    click.echo(f"record: {record_line(was) or 'none yet'} → {record_line(now) or 'none yet'}")


@cli.command()
@config_option
def cron(config_path: Path) -> None:
    """Print the crontab lines for the configured schedule and time zone.

    \b
    Example:
      weekly cron --config /srv/weekly/weekly.toml >> my.crontab
    """
    from weekly.schedule import cron_lines

    config = _config(config_path)
    click.echo(
        cron_lines(
            command=_command(),
            config_path=config.path.resolve(),
            schedule=config.schedule,
            team_zone=config.report.zone,
            host_zone=_host_zone(),
        ),
        nl=False,
    )


def _build_and_write(
    config: Config,
    now: dt.datetime,
    week: IsoWeek,
    out: Path,
    env: Any,
    edited: Callable[[Any], Any] | None = None,
) -> Any:
    from weekly.pipeline import build_report
    from weekly.progress import on_terminal
    from weekly.render.output import write_report
    from weekly.workflow import failed_sources, source_failure, stale_warnings

    with on_terminal(_progress_wanted(())) as progress:
        report = build_report(config, now, env, week, progress)
    if edited is not None:
        report = edited(report)
    written = write_report(report, out, config.report.paper, config.template_file)
    for warning in stale_warnings(report):
        click.echo(warning, err=True)
    _written(written.html, written.pdf, written.left_out)
    failure = source_failure(failed_sources(report), ["the page was written"])
    if failure is not None:
        raise failure
    return written


def _written(html: Path, pdf: Path, left_out: tuple[str, ...]) -> None:
    for line in left_out:
        click.echo(f"weekly: page fitted to one page: {line}", err=True)
    click.echo(str(html))
    click.echo(str(pdf))


def _progress_wanted(config_paths: tuple[Path, ...]) -> bool:
    """Progress only for a person at a terminal pulling one team's sources."""
    one_team = len(config_paths) <= 1 and not any(p.is_dir() for p in config_paths)
    return one_team and sys.stderr.isatty() and not _flag("quiet")


def _flag(name: str) -> bool:
    ctx = click.get_current_context(silent=True)
    return bool(ctx and ctx.find_root().obj and ctx.find_root().obj.get(name))


def _report(outcome: Outcome, print_lines: bool = True, prefix: str = "") -> None:
    quiet = _flag("quiet")
    for line in outcome.warnings:
        if not quiet:
            click.echo(f"{prefix}{line}", err=True)
    for line in outcome.lines:
        if print_lines and not quiet:
            click.echo(f"{prefix}{line}")


def _each_team(
    paths: tuple[Path, ...], action: Callable[[Config], Outcome], *, print_lines: bool = True
) -> None:
    """Run `action` for each team's config: one at a time for one team; for several, two
    at a time, each on its own, so one team's failure stops no other's send. A failed source
    behind what a team's action wrote or sent is that team's exit 3 (see source_failure)."""
    from concurrent.futures import ThreadPoolExecutor

    from weekly.logbook import log
    from weekly.workflow import source_failure

    def logged(config: Config) -> tuple[Outcome, click.ClickException | None]:
        """The action's outcome and its failed sources' error, both in the team's weekly.log;
        or the action's error, logged and raised."""
        try:
            outcome = action(config)
        except click.ClickException as exc:
            log(config, [exc.format_message()], logging.ERROR)
            raise
        log(config, [*outcome.lines, *outcome.warnings])
        failure = source_failure(outcome.failed, outcome.written)
        if failure is not None:
            log(config, [failure.format_message()], logging.ERROR)
        return outcome, failure

    configs = _expand(paths)
    if len(configs) == 1:  # one team: its error is the command's, with its own exit code
        outcome, failure = logged(_config(configs[0]))
        _report(outcome, print_lines)
        if failure is not None:
            raise failure
        return

    def one(path: Path) -> tuple[Path, Outcome | None, click.ClickException | None]:
        try:
            return path, *logged(_config(path))
        except click.ClickException as exc:
            return path, None, exc
        except Exception as exc:  # one team's surprise must not lose the others' results
            return (
                path,
                None,
                _Unexpected(f"unexpected error: {type(exc).__name__}: {exc} (please report it)"),
            )

    worst = 0
    with ThreadPoolExecutor(max_workers=2, thread_name_prefix="team") as pool:
        for path, result, error in pool.map(one, configs):
            if result is not None:
                _report(result, print_lines, prefix=f"[{path}] ")
            if error is not None:
                stream_is_err = error.exit_code != 0
                if stream_is_err or not _flag("quiet"):
                    click.echo(f"[{path}] {error.format_message()}", err=stream_is_err)
                worst = max(worst, error.exit_code)
    if worst:
        raise click.exceptions.Exit(worst)


class _Unexpected(click.ClickException):
    exit_code = 1


def _expand(paths: tuple[Path, ...]) -> list[Path]:
    """Config files as given; a folder stands for the team configs in it: its .toml files
    with a [report] table (a bets.toml beside them is not a team)."""
    from weekly.errors import InputError

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


def _is_team_config(path: Path) -> bool:
    import tomllib

    try:
        return "report" in tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError):
        return True  # let loading it say what is wrong


def _config(path: Path) -> Config:
    from weekly.config import load_config

    config, warnings = load_config(path)
    for warning in warnings:
        click.echo(warning, err=True)
    return config


def _week(text: str | None, now: dt.datetime) -> IsoWeek:
    from weekly.errors import InputError
    from weekly.weeks import IsoWeek

    try:
        return IsoWeek.parse(text) if text else IsoWeek.of(now.date())
    except ValueError as exc:
        raise InputError(f"--week: {exc}") from None


def _command() -> str:
    """How cron should call weekly: this very executable."""
    found = Path(sys.argv[0]).resolve() if sys.argv and sys.argv[0] else None
    if found is not None and found.name == "weekly" and found.exists():
        return str(found)
    return f"{sys.executable} -m weekly"


def _host_zone() -> Any:
    """This machine's IANA zone, the one its cron uses: TZ, /etc/timezone or /etc/localtime."""
    from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

    candidates = [os.environ.get("TZ", "").lstrip(":")]
    with contextlib.suppress(OSError):
        candidates.append(Path("/etc/timezone").read_text().strip())
    link = Path("/etc/localtime")
    if link.is_symlink():
        candidates.append(str(link.resolve()).split("zoneinfo/", 1)[-1])
    for name in candidates:
        try:
            if name:
                return ZoneInfo(name)
        except (ZoneInfoNotFoundError, ValueError):
            continue
    return ZoneInfo("UTC")


def main(argv: list[str] | None = None) -> int:
    """Entry point: run the CLI and turn every failure into one line and an exit code."""
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
        if exc.exit_code == 0:  # "already sent", "another run is sending": news, not errors
            click.echo(exc.format_message())
            return 0
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
