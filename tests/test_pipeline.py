"""Pulling all sources of a report: at once, and each failing on its own."""

from __future__ import annotations

import time
from pathlib import Path

from testing import github_site, jira_site
from testing import workspace as toml
from testing.clock import NOW, WEEK
from testing.fake_github import FakeGitHub
from testing.fake_jira import FakeJira
from testing.loopback import free_port
from weekly.config import Config, load_config
from weekly.model import SourceResult, SourceState, SourceStatus
from weekly.pipeline import build_report, pull_source, secrets
from weekly.sources import SOURCES, Part, PullContext, Source, SourceFailure

ENV = {"JIRA_TOKEN": jira_site.TOKEN, "GITHUB_TOKEN": github_site.TOKEN}


def config_for(tmp_path: Path, jira_url: str, github_url: str, more: str = "") -> Config:
    toml.metrics_csv(tmp_path, "2026-11-24,a,1\n", name="m.csv")
    extra = 'timeout_seconds = 5\n[sources.jira.fields]\nhealth = "Health"\n'
    path = toml.team_config(
        tmp_path,
        more,
        toml.jira(jira_url, email=jira_site.EMAIL, extra=extra),
        toml.github(github_url, [github_site.REPOSITORY]),
        csv="m.csv",
        nsm="a",
    )
    return load_config(path)[0]


def test_sources_are_pulled_at_the_same_time(tmp_path):
    # Every answer takes 50 ms: pulled one after the other, all of Jira's requests would
    # come before GitHub's first.
    jira = FakeJira(
        jira_site.issues(),
        jira_site.FIELDS,
        email=jira_site.EMAIL,
        token=jira_site.TOKEN,
        latency=0.05,
    )
    github = FakeGitHub(github_site.repositories(), token=github_site.TOKEN, latency=0.05)
    with jira, github:
        report = build_report(config_for(tmp_path, jira.url, github.url), NOW, ENV, WEEK)
    assert all(s.state is SourceState.OK for s in report.sources)
    jira_times = [r.at for r in jira.requests]
    github_times = [r.at for r in github.requests]
    assert len(jira_times) >= 4 and len(github_times) >= 4
    assert min(github_times) < max(jira_times) and min(jira_times) < max(github_times)


def test_one_source_failing_does_not_stop_the_others(tmp_path):
    github = FakeGitHub(github_site.repositories(), token=github_site.TOKEN)
    with github:
        down = f"http://127.0.0.1:{free_port()}"
        report = build_report(config_for(tmp_path, down, github.url), NOW, ENV, WEEK)
    states = {s.name.split(" ")[0]: s.state for s in report.sources}
    assert states["Jira"] is SourceState.FAILED
    assert states["GitHub"] is SourceState.OK
    assert any(b.title == "Android wallet SDK upgrade" for b in report.bets)


def every_source(tmp_path: Path, jira_url: str, github_url: str) -> Config:
    """A config that sets up every registered source (a new one must be added here)."""
    (tmp_path / "bets.toml").write_text('[[bets]]\nkey = "B-1"\ntitle = "A bet"\n')
    smtp = (
        '[delivery]\nsender = "weekly@example.com"\nrecipients = ["cto@example.com"]\n'
        'pm = "pm@example.com"\n[delivery.smtp]\nhost = "127.0.0.1"\nuser = "weekly"\n'
        'password_env = "SMTP_PASSWORD"\n'
    )
    config = config_for(
        tmp_path, jira_url, github_url, f'{smtp}[sources.bets_file]\npath = "bets.toml"\n'
    )
    assert [k for k, s in SOURCES.items() if s.section(config) is None] == []
    return config


# Whether a source asks a server (and so must stop at the run's deadline), for every one
# the registry holds: a new source must say here which it is.
ASKS_A_SERVER = {"metrics_csv": False, "bets_file": False, "jira": True, "github": True}


def test_the_pipeline_gives_every_source_the_runs_deadline(tmp_path):
    assert ASKS_A_SERVER.keys() == SOURCES.keys()
    jira = FakeJira(jira_site.issues(), jira_site.FIELDS, email=jira_site.EMAIL, token="t")
    github = FakeGitHub(github_site.repositories(), token="t")
    with jira, github:
        config = every_source(tmp_path, jira.url, github.url)
        past = time.monotonic() - 1  # report.pull_budget_seconds spent before the first request
        ctx = PullContext(
            config, WEEK, NOW, {"JIRA_TOKEN": "t", "GITHUB_TOKEN": "t"}, deadline=past
        )
        for key, source in SOURCES.items():
            results = pull_source(source, ctx)
            assert results, key
            for result in results:
                if ASKS_A_SERVER[key]:
                    assert result.status.state is SourceState.FAILED, key
                    assert "time limit (report.pull_budget_seconds)" in (result.status.reason or "")
                else:  # a file is read at once, whatever the time
                    assert result.status.state is SourceState.OK, key
        assert jira.requests == [] and github.requests == []


def test_every_secret_a_source_section_names_is_scrubbed(tmp_path):
    """Each `*_env` setting of a source's section names a secret: the source declares it, and
    the pipeline and `weekly doctor` scrub its value (so does the SMTP password)."""
    config = every_source(tmp_path, "http://127.0.0.1:9", "http://127.0.0.1:9")
    env: dict[str, str] = {}
    for key, source in SOURCES.items():
        section = source.section(config)
        named = [getattr(section, f) for f in type(section).model_fields if f.endswith("_env")]
        assert sorted(source.secrets(section)) == sorted(named), key
        env.update({name: f"secret-of-{key}-in-{name}" for name in named})
    env["SMTP_PASSWORD"] = "secret-of-smtp"
    assert sorted(secrets(config, env)) == sorted(env.values())


def test_the_pipeline_alone_shows_a_failure_by_the_name_of_what_failed(tmp_path):
    def refuse() -> SourceResult:
        raise SourceFailure("refused")

    def answer() -> SourceResult:
        return SourceResult(SourceStatus("Tracker (two)", SourceState.OK, NOW))

    def two_parts(ctx, section, waits) -> list[Part]:
        return [Part("Tracker (one)", refuse), Part("Tracker (two)", answer)]

    def down(ctx, section, waits) -> list[Part]:
        raise SourceFailure("down before it had parts")

    def tracker(pull) -> Source:
        return Source("Tracker", lambda c: c.metrics, lambda s: (), pull, "tracker", str)

    ctx = PullContext(
        config_for(tmp_path, "http://127.0.0.1:9", "http://127.0.0.1:9"), WEEK, NOW, {}
    )
    one, two = pull_source(tracker(two_parts), ctx)
    assert (one.status.name, one.status.state, one.status.reason) == (
        "Tracker (one)",
        SourceState.FAILED,
        "refused",
    )
    assert two.status.state is SourceState.OK
    [whole] = pull_source(tracker(down), ctx)
    assert (whole.status.name, whole.status.state, whole.status.reason) == (
        "Tracker",
        SourceState.FAILED,
        "down before it had parts",
    )
