"""`weekly run` as cron runs it: silent on success, a log that says what happened, and
several teams in one run, each on its own."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from testing import github_site, jira_site
from testing import workspace as toml
from testing.fake_github import FakeGitHub, Repo
from testing.fake_jira import FakeJira
from testing.loopback import free_port
from weekly.cli import main

# Always due: any moment of a week is after its Monday 00:00.
ALWAYS = '[schedule]\ndraft = "Mon 00:00"\nsend = "Mon 00:00"\n'


pytestmark = pytest.mark.usefixtures("keep_umask")  # conftest.py


def team(folder: Path, name: str, port: int, extra: str = "", delivery: str = "") -> Path:
    """The team `name`'s config, folder/name.toml; `extra` adds sections, `delivery` lines to
    its [delivery]."""
    folder.mkdir(parents=True, exist_ok=True)
    # `run` reports on this very week in Berlin: values of yesterday and today, so one falls
    # in it whatever this machine's zone and hour, and none after the report's moment.
    days = [dt.datetime.now(dt.UTC).date() + dt.timedelta(days=d) for d in (-1, 0)]
    rows = "".join(f"{day.isoformat()},a,{n}\n" for n, day in enumerate(days, start=1))
    toml.metrics_csv(folder, rows, name=f"{name}.csv")
    return toml.team_config(
        folder,
        ALWAYS,
        extra,
        toml.delivery(
            port, recipients=[f"{name}@example.com"], pm=f"pm-{name}@example.com", extra=delivery
        ),
        team=name,
        report=f'output_dir = "reports-{name}"\n',
        csv=f"{name}.csv",
        nsm="a",
        filename=f"{name}.toml",
    )


def test_a_successful_run_prints_nothing_and_logs_what_it_did(tmp_path, inbox, capsys):
    box, port = inbox
    config = team(tmp_path, "payments", port)
    assert main(["run", "--config", str(config)]) == 0
    out, err = capsys.readouterr()
    assert (out, err) == ("", "")
    assert len(box.envelopes) == 1  # drafted and sent, silently
    log = (tmp_path / "reports-payments" / "weekly.log").read_text(encoding="utf-8")
    assert "payments: sent 'payments weekly" in log and "draft.yaml" in log
    assert main(["run", "--config", str(config)]) == 0  # already sent: still silent
    assert capsys.readouterr() == ("", "")
    assert len(box.envelopes) == 1


def test_verbose_run_says_what_it_did(tmp_path, inbox, capsys):
    config = team(tmp_path, "payments", inbox[1])
    assert main(["--verbose", "run", "--config", str(config)]) == 0
    out, _ = capsys.readouterr()
    assert "sent 'payments weekly" in out


def test_several_teams_run_on_their_own(tmp_path, inbox, capsys, monkeypatch):
    monkeypatch.setenv("JIRA_TOKEN", "t")
    box, port = inbox
    down = f"http://127.0.0.1:{free_port()}"
    jira = toml.jira(down, email=None, extra="timeout_seconds = 2\n")
    team(tmp_path / "teams", "growth", port)
    held = team(
        tmp_path / "teams", "payments", port, extra=jira, delivery='failed_source = "hold"\n'
    )
    broken = tmp_path / "teams" / "search.toml"
    broken.write_text('[report]\nteam = "search"\n', encoding="utf-8")

    code = main(["run", "--config", str(tmp_path / "teams")])

    out, err = capsys.readouterr()
    # The worst of the teams': payments' failed Jira (3) over the broken config (2), and
    # each team's failure one line; the others still ran.
    assert code == 3
    assert f"[{broken}]" in err and "metrics: required key is missing" in err
    (jira_line,) = [line for line in err.splitlines() if "Jira" in line]
    assert jira_line.startswith(f"[{held}] Jira (127.0.0.1:") and "cannot reach Jira" in jira_line
    recipients = sorted(rcpt for e in box.envelopes for rcpt in e.rcpt_tos)
    # growth: its report; payments: Jira is down and it holds, so its PM is told.
    assert recipients == ["growth@example.com", "pm-payments@example.com"]
    assert out == ""


def test_a_folder_of_teams_skips_files_that_are_not_team_configs(tmp_path, inbox, capsys):
    box, port = inbox
    team(tmp_path / "teams", "growth", port)
    (tmp_path / "teams" / "bets.toml").write_text('[[bets]]\nkey = "X-1"\ntitle = "A bet"\n')
    assert main(["run", "--config", str(tmp_path / "teams")]) == 0
    assert capsys.readouterr() == ("", "")
    assert len(box.envelopes) == 1


def test_several_teams_exit_with_the_worst_and_a_good_team_still_sends(
    tmp_path, inbox, capsys, monkeypatch
):
    monkeypatch.setenv("JIRA_TOKEN", "t")
    box, port = inbox
    team(tmp_path / "teams", "growth", port)
    down = team(tmp_path / "teams", "payments", port, extra=jira_at(f"http://{dead()}"))
    assert main(["run", "--config", str(tmp_path / "teams")]) == 3
    out, err = capsys.readouterr()
    assert out == ""
    (line,) = err.splitlines()
    assert line.startswith(f"[{down}] Jira (") and "cannot reach Jira" in line
    assert sorted(r for e in box.envelopes for r in e.rcpt_tos) == [
        "growth@example.com",
        "payments@example.com",  # failed_source = "send": it goes out, with the banner
    ]


# --- A failed source: every command exits 3, with the page written and one line each ----------


def dead() -> str:
    return f"127.0.0.1:{free_port()}"


def jira_at(url: str, budget: float = 0) -> str:
    extra = f"timeout_seconds = 2\nretry_budget_seconds = {budget}\n"
    return toml.jira(url, email=jira_site.EMAIL, extra=extra)


def github_at(url: str, repositories: list[str], budget: float = 0) -> str:
    return toml.github(url, repositories, f"timeout_seconds = 5\nretry_budget_seconds = {budget}\n")


def jira_down(stack, monkeypatch):
    monkeypatch.setenv("JIRA_TOKEN", jira_site.TOKEN)
    return jira_at(f"http://{dead()}"), "cannot reach Jira"


def jira(stack, monkeypatch) -> FakeJira:
    fake = FakeJira(jira_site.issues(), jira_site.FIELDS, email=jira_site.EMAIL, token="right")
    return stack.enter_context(fake)


def jira_refusing_the_token(stack, monkeypatch):
    monkeypatch.setenv("JIRA_TOKEN", "wrong")
    return jira_at(jira(stack, monkeypatch).url), "Jira answered 401"


def jira_503_on_every_request(stack, monkeypatch):
    monkeypatch.setenv("JIRA_TOKEN", "right")
    fake = jira(stack, monkeypatch)
    fake.fail_next("", 503, times=10_000)
    return jira_at(fake.url), "503"


def github(stack, monkeypatch) -> FakeGitHub:
    monkeypatch.setenv("GITHUB_TOKEN", github_site.TOKEN)
    # A repository without milestones: no bets for `weekly check` to hold the report over.
    fake = FakeGitHub({github_site.REPOSITORY: Repo()}, token=github_site.TOKEN)
    return stack.enter_context(fake)


def github_rate_limit_past_the_budget(stack, monkeypatch):
    fake = github(stack, monkeypatch)
    fake.rate_limit_next("", kind="primary", reset_in=3600, times=10_000)
    return github_at(fake.url, [github_site.REPOSITORY], budget=60), "rate limit is used up"


def one_repository_of_two_failing(stack, monkeypatch):
    fake = github(stack, monkeypatch)
    # The fake serves wallet-app only: the second repository's every request fails.
    repositories = [github_site.REPOSITORY, "payments/ledger-svc"]
    return github_at(fake.url, repositories), "GitHub (payments/ledger-svc) failed"


FAULTS = [
    jira_down,
    jira_refusing_the_token,
    jira_503_on_every_request,
    github_rate_limit_past_the_budget,
    one_repository_of_two_failing,
]


@pytest.fixture(params=FAULTS, ids=lambda fault: fault.__name__.replace("_", "-"))
def failing(request, tmp_path, inbox, monkeypatch):
    """A team whose config points at a source that fails: (its config, the message, inbox)."""
    from contextlib import ExitStack

    with ExitStack() as stack:
        extra, message = request.param(stack, monkeypatch)
        yield team(tmp_path, "payments", inbox[1], extra=extra), message, inbox[0]


def one_error_line(capsys, message: str, written: str) -> str:
    err = capsys.readouterr().err
    (line,) = err.splitlines()
    assert message in line and "failed: " in line, line
    assert line.endswith(f"({written} with a banner saying so)"), line
    assert "Traceback" not in err
    return line


def test_a_failed_source_makes_every_command_exit_3_with_the_page_written(failing, capsys):
    config, message, box = failing
    folder = config.parent / "reports-payments"
    args = ["--config", str(config)]

    assert main(["draft", *args]) == 3
    one_error_line(capsys, message, "the draft was written")
    (draft,) = folder.glob("*/draft.yaml")
    assert "FAILED" in draft.read_text(encoding="utf-8")

    assert main(["preview", *args]) == 3
    one_error_line(capsys, message, "the page was written")
    (html,) = folder.glob("*/payments-weekly-*.html")
    assert 'class="banner"' in html.read_text(encoding="utf-8")

    assert main(["render", *args]) == 3
    one_error_line(capsys, message, "the page was written")

    # Cron's hourly run: it sends (failed_source = "send", the default), and says so once.
    assert main(["run", *args]) == 3
    one_error_line(capsys, message, "the report was sent")
    (mail,) = box.messages()
    assert message.split(" failed")[0] in mail.get_body(("plain",)).get_content()
    # The next hour has nothing to draft or send: silent, exit 0.
    assert main(["run", *args]) == 0
    assert capsys.readouterr() == ("", "")
    assert len(box.envelopes) == 1


def test_run_that_drafts_and_sends_in_one_hour_says_so_in_one_line(
    tmp_path, inbox, capsys, monkeypatch
):
    monkeypatch.setenv("JIRA_TOKEN", "t")
    box, port = inbox
    config = team(tmp_path, "payments", port, extra=jira_at(f"http://{dead()}"))
    assert main(["run", "--config", str(config)]) == 3
    line = one_error_line(
        capsys, "cannot reach Jira", "the draft was written and the report was sent"
    )
    assert line.count("Jira (") == 1  # the draft's and the send's failure are the same one
    assert len(box.envelopes) == 1


@pytest.mark.parametrize(
    ("policy", "code", "recipients"),
    [("send", 3, ["payments@example.com"]), ("hold", 0, ["pm-payments@example.com"])],
)
def test_send_with_a_failed_source_follows_the_policy(
    tmp_path, inbox, capsys, monkeypatch, policy, code, recipients
):
    """failed_source = "send": the report goes out with the banner and send exits 3, so a
    script knows; "hold": nothing goes out, the PM is told, exit 0 (the hold is the news)."""
    monkeypatch.setenv("JIRA_TOKEN", "t")
    box, port = inbox
    extra = jira_at(f"http://{dead()}")
    config = team(tmp_path, "payments", port, extra=extra, delivery=f'failed_source = "{policy}"\n')
    assert main(["draft", "--config", str(config)]) == 3
    capsys.readouterr()
    assert main(["send", "--config", str(config)]) == code
    out, err = capsys.readouterr()
    assert sorted(r for e in box.envelopes for r in e.rcpt_tos) == recipients
    if policy == "send":
        assert "sent 'payments weekly" in out
        (line,) = err.splitlines()
        assert "cannot reach Jira" in line
        assert line.endswith("(the report was sent with a banner saying so)")
        assert main(["send", "--config", str(config)]) == 0  # sent: not sent again
        assert "use --force to send it again" in capsys.readouterr().out
    else:
        assert "held payments" in out and "cannot reach Jira" in out and err == ""


def test_a_send_another_run_is_making_is_news_not_an_error(tmp_path, inbox, capsys):
    """While another weekly holds this week's send lock, `send` says so and exits 0, and
    `run` stays silent for cron; neither sends."""
    from weekly.config import load_config
    from weekly.deliver.ledger import Ledger
    from weekly.paths import ReportFiles
    from weekly.weeks import IsoWeek

    box, port = inbox
    config = team(tmp_path, "payments", port)
    loaded, _ = load_config(config)
    week = IsoWeek.of(dt.datetime.now(loaded.report.zone).date())
    assert main(["draft", "--config", str(config)]) == 0
    capsys.readouterr()
    with Ledger(ReportFiles.of(loaded).ledger).lock("payments", week):
        assert main(["send", "--config", str(config)]) == 0
        out, err = capsys.readouterr()
        assert out == f"another weekly is sending payments {week} right now; nothing to do\n"
        assert err == ""
        assert main(["run", "--config", str(config)]) == 0
        assert capsys.readouterr() == ("", "")
    assert box.envelopes == []
