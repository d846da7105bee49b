"""The command line as a user meets it: the demo, render, help, and exit codes."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from testing.pdf import pdf_pages
from weekly.cli import cli, main
from weekly.demo.workspace import DEMO_DIR


@pytest.fixture(scope="module")
def demo_run(tmp_path_factory):
    out = tmp_path_factory.mktemp("demo")
    result = CliRunner().invoke(cli, ["demo", "--out", str(out)])
    return result, out


def test_demo_writes_a_one_page_pdf_and_html_and_prints_their_paths(demo_run):
    result, out = demo_run
    assert result.exit_code == 0, result.output
    html, pdf = out / "payments-weekly-2026-W48.html", out / "payments-weekly-2026-W48.pdf"
    eml = out / "payments-weekly-2026-W48.eml"
    assert result.stdout.split() == [str(html), str(pdf), str(eml)]
    assert html.read_text(encoding="utf-8").startswith("<!DOCTYPE html>")
    assert len(pdf_pages(pdf)) == 1


def test_demo_writes_the_email_it_would_send(demo_run):
    import email
    from email import policy

    _, out = demo_run
    message = email.message_from_bytes(
        (out / "payments-weekly-2026-W48.eml").read_bytes(), policy=policy.default
    )
    assert message["Subject"].startswith("Payments weekly · 2026-W48 · Weekly active payers 12,557")
    assert message["Message-ID"] == "<2026-W48.payments.weekly@payments.example>"
    (attachment,) = list(message.iter_attachments())
    assert attachment.get_filename() == "payments-weekly-2026-W48.pdf"
    assert attachment.get_content().startswith(b"%PDF")


def test_demo_page_reads_nsm_then_bets_then_decisions(demo_run):
    _, out = demo_run
    text = pdf_pages(out / "payments-weekly-2026-W48.pdf")[0]
    order = [
        text.index("NORTH STAR METRIC"),
        text.index("Weekly active payers"),
        text.index("BETS IN FLIGHT"),
        text.index("SEPA Instant payouts for marketplace sellers"),
        text.index("DECISIONS NEEDED THIS WEEK"),
        text.index("Fallback PSP for SEPA Instant"),
    ]
    assert order == sorted(order)
    # The demo's figures: the NSM with its change, a slip with its cause, a flagged decision.
    assert "12,557" in text and "+1.3%" in text
    # The slip from Jira's changelog, with the cause the demo PM wrote in the draft.
    assert "Fri 4 Dec → Fri 18 Dec" in text
    assert "Partner bank moved certification to 9 Dec" in text
    # What the demo's two weeks of history add: a stalled bet and a carried decision; the
    # commitments the page had no room for are in the mail (and named in the fit note).
    assert "stalled" in text and "open since 2026-W46" in text
    assert "last week's commitments left out" in text.replace("\n", " ")
    assert "no approver" in text
    assert "支付宝跨境收款试点" in text
    # Bets from both trackers, each through its real client: Jira epics and GitHub milestones.
    assert (
        "PAY-101" in text and "Android wallet SDK upgrade" in text and "wallet-app#231" in text
    )  # a blocker


def copy_demo_without_jira(folder: Path) -> Path:
    """The demo workspace's files, minus its Jira (which only `weekly demo` serves)."""
    for name in ("metrics.csv", "bets.toml"):
        shutil.copy(DEMO_DIR / name, folder / name)
    text = (DEMO_DIR / "weekly.toml").read_text(encoding="utf-8")
    config = folder / "weekly.toml"
    config.write_text(text.split("[sources.jira]")[0], encoding="utf-8")
    return config


def test_render_uses_the_config_and_the_week(tmp_path):
    config = copy_demo_without_jira(tmp_path)
    config.write_text(
        config.read_text().replace('team = "Payments"', 'team = "Growth"'), encoding="utf-8"
    )
    result = CliRunner().invoke(cli, ["render", "--config", str(config), "--week", "2026-W47"])
    assert result.exit_code == 0, result.output
    pdf = tmp_path / "reports" / "2026-W47" / "growth-weekly-2026-W47.pdf"
    text = pdf_pages(pdf)[0]
    assert "Growth" in text and "2026-W47" in text
    # W47's NSM is the last value of that week, not this week's.
    assert "12,557" not in text


def test_bad_week_option_is_a_usage_error(tmp_path):
    shutil.copy(DEMO_DIR / "weekly.toml", tmp_path / "weekly.toml")
    result = CliRunner().invoke(
        cli, ["render", "--config", str(tmp_path / "weekly.toml"), "--week", "next friday"]
    )
    assert result.exit_code == 2
    assert "--week" in result.output and "2026-W48" in result.output


def test_main_turns_a_user_error_into_one_line_and_exit_2(tmp_path, capsys):
    code = main(["render", "--config", str(tmp_path / "missing.toml")])
    err = capsys.readouterr().err
    assert code == 2
    assert "missing.toml: file not found" in err
    assert "Traceback" not in err and len(err.strip().splitlines()) == 1


def test_help_does_not_import_pandas_or_weasyprint():
    probe = (
        "import sys; from weekly.cli import main; "
        "code = main(['--help']); "
        "print(sorted(m for m in ('pandas', 'weasyprint', 'pydantic') if m in sys.modules))"
    )
    out = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, check=True
    ).stdout
    assert "Usage: weekly" in out
    assert out.strip().splitlines()[-1] == "[]"


@pytest.mark.parametrize("name", sorted(cli.commands))
def test_every_command_has_help_with_an_example(name):
    result = CliRunner().invoke(cli, [name, "--help"])
    assert result.exit_code == 0
    assert "Example:" in result.output and f"weekly {name}" in result.output


def test_python_dash_m_runs_the_cli():
    result = subprocess.run(
        [sys.executable, "-m", "weekly", "--version"], capture_output=True, text=True
    )
    assert result.returncode == 0 and "weekly" in result.stdout


def test_package_ships_its_templates_and_demo():
    assert (DEMO_DIR / "weekly.toml").is_file()
    from weekly.render.html import templates_dir

    assert (templates_dir() / "report.html.j2").is_file()
    assert isinstance(templates_dir(), Path)


def test_an_unwritable_report_folder_is_exit_3_with_the_folder_named(tmp_path, capsys):
    blocked = tmp_path / "a-file"
    blocked.write_text("not a folder")
    code = main(["demo", "--out", str(blocked / "out")])
    err = capsys.readouterr().err
    assert code == 3
    assert f"{blocked / 'out'}: cannot create the report folder" in err
    assert "Traceback" not in err


def test_a_stale_metrics_source_is_shown_on_the_page_and_warned_about(tmp_path):
    copy_demo_without_jira(tmp_path)
    # Reporting on W49, where the demo CSV has no rows yet.
    result = CliRunner().invoke(
        cli, ["render", "--config", str(tmp_path / "weekly.toml"), "--week", "2026-W49"]
    )
    assert result.exit_code == 0, result.output
    assert "metrics CSV (metrics.csv) stale: no value in 2026-W49" in result.stderr
    html = (tmp_path / "reports" / "2026-W49" / "payments-weekly-2026-W49.html").read_text()
    assert 'class="banner"' in html and "latest data from Fri 27 Nov" in html
