"""`weekly init`: the starter files load as a config, and nothing is ever overwritten."""

from __future__ import annotations

import pytest

from weekly.config import load_config
from weekly.errors import WeeklyError
from weekly.starter import InitAnswers, write_starter


def test_writes_both_files_and_the_config_loads_without_warnings(tmp_path):
    written = write_starter(tmp_path, InitAnswers(team="Payments", timezone="Europe/Berlin"))

    assert written == [tmp_path / "weekly.toml", tmp_path / "metrics.csv"]
    assert (tmp_path / "metrics.csv").read_text(encoding="utf-8") == "date,metric,value\n"
    config, warnings = load_config(tmp_path / "weekly.toml")
    assert warnings == []
    assert config.report.team == "Payments" and config.report.timezone == "Europe/Berlin"
    assert config.metrics.nsm == "active_users" and "active_users" in config.metric
    assert config.resolve(config.metrics.csv) == tmp_path / "metrics.csv"
    assert (config.schedule.draft, config.schedule.send) == ("Fri 14:00", "Fri 16:00")
    assert config.sources.jira is None and config.sources.github is None
    assert config.delivery is None  # the [delivery] example is there, commented out
    assert "# [delivery]" in (tmp_path / "weekly.toml").read_text(encoding="utf-8")


def test_jira_and_github_answers_become_their_tables(tmp_path):
    answers = InitAnswers(
        team='Zahlungen "Süd" 支付',
        timezone="Asia/Shanghai",
        jira_url="https://acme.atlassian.net",
        jira_email="pm@acme.example",
        jira_projects=("PAY", "CHK"),
        github_repositories=("acme/checkout-web", "acme/api.v2"),
    )
    write_starter(tmp_path / "new" / "team", answers)

    config, warnings = load_config(tmp_path / "new" / "team" / "weekly.toml")
    assert warnings == []
    assert config.report.team == 'Zahlungen "Süd" 支付'
    jira, github = config.sources.jira, config.sources.github
    assert jira is not None and github is not None
    assert (jira.url, jira.email, jira.projects) == (
        "https://acme.atlassian.net",
        "pm@acme.example",
        ("PAY", "CHK"),
    )
    assert jira.token_env == "JIRA_TOKEN"
    assert github.repositories == ("acme/checkout-web", "acme/api.v2")
    assert github.token_env == "GITHUB_TOKEN"


def test_jira_server_without_email_loads_too(tmp_path):
    answers = InitAnswers(team="Ops", jira_url="https://jira.acme.example", jira_projects=("OPS",))
    write_starter(tmp_path, answers)
    config, warnings = load_config(tmp_path / "weekly.toml")
    assert warnings == [] and config.sources.jira is not None
    assert config.sources.jira.email is None


@pytest.mark.parametrize("existing", ["weekly.toml", "metrics.csv"])
def test_never_overwrites_and_writes_nothing_when_either_file_exists(tmp_path, existing):
    (tmp_path / existing).write_bytes(b"mine\x00, not yours\n")

    with pytest.raises(WeeklyError) as caught:
        write_starter(tmp_path, InitAnswers(team="Payments"))

    assert caught.value.exit_code == 2
    assert str(tmp_path / existing) in caught.value.message
    assert "move it" in caught.value.message and "another folder" in caught.value.message
    assert (tmp_path / existing).read_bytes() == b"mine\x00, not yours\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == [existing]


@pytest.mark.parametrize(
    ("answers", "flag", "value"),
    [
        (InitAnswers(team="Payments", timezone="Europe/Bonn"), "--timezone", "Europe/Bonn"),
        (
            InitAnswers(team="Payments", github_repositories=("acme/web", "checkout")),
            "--github",
            "checkout",
        ),
        (
            InitAnswers(team="Payments", github_repositories=("https://github.com/acme/web",)),
            "--github",
            "https://github.com/acme/web",
        ),
        (InitAnswers(team="Payments", jira_url="https://acme.atlassian.net"), "--jira-project", ""),
        (InitAnswers(team="  "), "--team", ""),
    ],
)
def test_bad_answers_name_the_flag_and_write_nothing(tmp_path, answers, flag, value):
    with pytest.raises(WeeklyError) as caught:
        write_starter(tmp_path, answers)
    assert caught.value.exit_code == 2
    assert caught.value.message.startswith(flag)
    assert repr(value) in caught.value.message or not value
    assert list(tmp_path.iterdir()) == []
