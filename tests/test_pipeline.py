"""Pulling all sources of a report: at once, and each failing on its own."""

from __future__ import annotations

from pathlib import Path

from conftest import NOW, WEEK, free_port

from testing import github_site, jira_site
from testing.fake_github import FakeGitHub
from testing.fake_jira import FakeJira
from weekly.config import Config, load_config
from weekly.model import SourceState
from weekly.pipeline import build_report

ENV = {"JIRA_TOKEN": jira_site.TOKEN, "GITHUB_TOKEN": github_site.TOKEN}


def config_for(tmp_path: Path, jira_url: str, github_url: str) -> Config:
    (tmp_path / "m.csv").write_text("date,metric,value\n2026-11-24,a,1\n", encoding="utf-8")
    (tmp_path / "weekly.toml").write_text(
        '[report]\nteam = "Payments"\ntimezone = "Europe/Berlin"\n'
        '[metrics]\ncsv = "m.csv"\nnsm = "a"\n[metric.a]\ndirection = "higher"\n'
        f'[sources.jira]\nurl = "{jira_url}"\nemail = "{jira_site.EMAIL}"\nprojects = ["PAY"]\n'
        'timeout_seconds = 5\n[sources.jira.fields]\nhealth = "Health"\n'
        f'[sources.github]\nbase_url = "{github_url}"\n'
        f'repositories = ["{github_site.REPOSITORY}"]\n',
        encoding="utf-8",
    )
    return load_config(tmp_path / "weekly.toml")[0]


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
