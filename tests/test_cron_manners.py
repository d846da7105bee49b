"""`weekly run` as cron runs it: silent on success, a log that says what happened, and
several teams in one run, each on its own."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from conftest import free_port

from weekly.cli import main

# Always due: any moment of a week is after its Monday 00:00.
ALWAYS = '[schedule]\ndraft = "Mon 00:00"\nsend = "Mon 00:00"\n'


pytestmark = pytest.mark.usefixtures("keep_umask")  # conftest.py


def team(folder: Path, name: str, port: int, extra: str = "") -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    # `run` reports on this very week in Berlin: values around today, so one falls in it
    # whatever this machine's zone and hour.
    days = [dt.date.today() + dt.timedelta(days=d) for d in (-1, 0, 1)]
    rows = "".join(f"{day.isoformat()},a,{n}\n" for n, day in enumerate(days, start=1))
    (folder / f"{name}.csv").write_text(f"date,metric,value\n{rows}", encoding="utf-8")
    config = folder / f"{name}.toml"
    config.write_text(
        f'[report]\nteam = "{name}"\ntimezone = "Europe/Berlin"\noutput_dir = "reports-{name}"\n'
        f'[metrics]\ncsv = "{name}.csv"\nnsm = "a"\n[metric.a]\ndirection = "higher"\n'
        f"{ALWAYS}{extra}"
        f'[delivery]\nsender = "weekly@example.com"\nrecipients = ["{name}@example.com"]\n'
        f'pm = "pm-{name}@example.com"\n'
        f'[delivery.smtp]\nhost = "127.0.0.1"\nport = {port}\nsecurity = "none"\n',
        encoding="utf-8",
    )
    return config


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
    jira = f'[sources.jira]\nurl = "{down}"\nprojects = ["PAY"]\ntimeout_seconds = 2\n'
    team(tmp_path / "teams", "growth", port)
    held = team(tmp_path / "teams", "payments", port, extra=jira)
    held.write_text(
        held.read_text().replace(
            'pm = "pm-payments@example.com"\n',
            'pm = "pm-payments@example.com"\nfailed_source = "hold"\n',
        ),
        encoding="utf-8",
    )
    broken = tmp_path / "teams" / "search.toml"
    broken.write_text('[report]\nteam = "search"\n', encoding="utf-8")

    code = main(["run", "--config", str(tmp_path / "teams")])

    out, err = capsys.readouterr()
    assert code == 2  # the broken config's exit code; the others still ran
    assert f"[{broken}]" in err and "metrics: required key is missing" in err
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
