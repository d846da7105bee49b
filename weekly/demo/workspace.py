"""The bundled demo workspace: its config, its clock, and its Jira and GitHub on loopback."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from weekly import facts
from weekly.config import Config, load_config
from weekly.deliver.email import write_mail
from weekly.demo import replay
from weekly.demo.replay import ReplayServer
from weekly.draft import Edits
from weekly.draft.edits import load_document, read_edits
from weekly.history import Sent
from weekly.model import Report
from weekly.outcome import Outcome
from weekly.progress import PullProgress
from weekly.render.output import WrittenReport
from weekly.weeks import IsoWeek
from weekly.workflow import compose, render

DEMO_DIR = Path(__file__).resolve().parent
# The team's two earlier sent reports (2026-W46 and W47), as the history keeps them.
HISTORY_DIR = DEMO_DIR / "history"
# The demo's data ends on this Friday; the demo reports as of its cron time.
DEMO_NOW = "2026-11-27T16:00:00"
# What the demo's Jira and GitHub answered when `make recordings` pulled from the fakes.
RECORDINGS = DEMO_DIR / "recordings"
# Not secrets: the demo's clients send them, and the fakes the recordings came from accept
# only these.
JIRA_TOKEN = "demo-token"
GITHUB_TOKEN = "demo-github-token"


@dataclass(frozen=True)
class DemoRun:
    config: Config
    now: dt.datetime
    env: Mapping[str, str]


@contextmanager
def demo_workspace(language: str = "en") -> Iterator[DemoRun]:
    """The demo's config pointed at its recorded Jira and GitHub, served until the block
    ends, for readers of `language`."""
    jira = ReplayServer(replay.load(RECORDINGS / "jira.json"))
    github = ReplayServer(replay.load(RECORDINGS / "github.json"))
    with jira, github:
        yield demo_run(language, jira.url, github.url)


def demo_run(language: str, jira_url: str, github_url: str) -> DemoRun:
    """The demo's config for readers of `language`, its Jira and GitHub at these addresses,
    and its clock and tokens."""
    config, _ = load_config(DEMO_DIR / "weekly.toml")
    report_section = config.report.model_copy(update={"language": language})
    config = config.model_copy(update={"report": report_section})
    assert config.sources.jira is not None and config.sources.github is not None
    sources = config.sources.model_copy(
        update={
            "jira": config.sources.jira.model_copy(update={"url": jira_url}),
            "github": config.sources.github.model_copy(update={"base_url": github_url}),
        }
    )
    now = dt.datetime.fromisoformat(DEMO_NOW).replace(tzinfo=config.report.zone)
    env = {config.sources.jira.token_env: JIRA_TOKEN, config.sources.github.token_env: GITHUB_TOKEN}
    return DemoRun(config.model_copy(update={"sources": sources}), now, env)


def with_history(run: DemoRun, report: Report) -> Report:
    """The pulled report with the demo PM's draft laid over it and the two earlier sent
    reports as its history, as `weekly preview` would show it."""
    return compose(report, demo_sent(run), demo_edits(run, report.week), run.config)


def demo_edits(run: DemoRun, week: IsoWeek) -> Edits:
    """The demo PM's edits; in another language, her headline in it (draft.zh-CN.yaml)."""
    translated = DEMO_DIR / f"draft.{run.config.report.language}.yaml"
    draft = translated if translated.is_file() else DEMO_DIR / "draft.yaml"
    return read_edits(load_document(draft), draft, week)


def demo_sent(run: DemoRun) -> list[Sent]:
    """The team's two earlier sent reports, as the history keeps them."""
    recipients = run.config.delivery.recipients if run.config.delivery else ()
    return [
        Sent(old.week, old.generated_at.replace(hour=16), recipients, old)
        for old in (facts.loads(p.read_bytes()) for p in sorted(HISTORY_DIR.glob("*.json")))
    ]


def demo_email(run: DemoRun, written: WrittenReport) -> Path:
    """Write the e-mail `weekly send` would send for the demo page, beside the PDF."""
    delivery = run.config.delivery
    assert delivery is not None
    report = written.view.report
    _, eml = write_mail(written, delivery, report.team, report.week, run.now)
    return eml


def run_demo(out: Path, language: str, progress: PullProgress | None = None) -> Outcome:
    """`weekly demo`: pull the demo's sources, write its page (with its PM's draft and its
    history) and the e-mail `weekly send` would send, into `out`."""
    with demo_workspace(language) as run:
        week = IsoWeek.of(run.now.date())
        written, outcome = render(
            run.config,
            run.now,
            run.env,
            week,
            out,
            progress=progress,
            edits=demo_edits(run, week),
            sent=demo_sent(run),
        )
        outcome.lines.append(str(demo_email(run, written)))
    return outcome
