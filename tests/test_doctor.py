"""`weekly doctor` against the local fakes: the real jira and PyGithub clients, a real SMTP
server with a login on loopback, the real fc-list and WeasyPrint."""

from __future__ import annotations

import datetime as dt

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword

from testing import workspace as toml
from testing.clock import at
from testing.fake_github import FakeGitHub
from testing.fake_jira import CLOUD_FIELDS, FakeJira
from testing.loopback import Inbox, free_port
from weekly.config import load_config
from weekly.doctor import FONTS, Check, missing_fonts, render_checklist, run_checks

JIRA_TOKEN = "jira-s3cret-token-value"
GITHUB_TOKEN = "ghp-s3cret-token-value"
SMTP_PASSWORD = "smtp-s3cret-Pa55word"
ENV = {"JIRA_TOKEN": JIRA_TOKEN, "GITHUB_TOKEN": GITHUB_TOKEN, "SMTP_PASSWORD": SMTP_PASSWORD}
# Thursday noon in Berlin: the next draft and send are the next day.
THURSDAY_NOON = at(12, days=-1)
TIMEOUT = "timeout_seconds = 5\n"
SMTP_LOGIN = 'user = "weekly"\npassword_env = "SMTP_PASSWORD"\n'


def only_weekly_with_password(server, session, envelope, mechanism, auth_data) -> AuthResult:
    ok = isinstance(auth_data, LoginPassword) and (auth_data.login, auth_data.password) == (
        b"weekly",
        SMTP_PASSWORD.encode(),
    )
    return AuthResult(success=ok, handled=False)  # handled=False: aiosmtpd answers 535 itself


@pytest.fixture(scope="module")
def sites():
    jira = FakeJira([], CLOUD_FIELDS, email="pm@example.com", token=JIRA_TOKEN).start()
    github = FakeGitHub({}, token=GITHUB_TOKEN).start()
    smtp = Controller(
        Inbox(),
        hostname="127.0.0.1",
        port=free_port(),
        authenticator=only_weekly_with_password,
        auth_require_tls=False,
    )
    smtp.start()
    yield jira, github, smtp.port
    smtp.stop()
    github.stop()
    jira.stop()


@pytest.fixture
def workspace(tmp_path, sites):
    jira, github, smtp_port = sites
    jira.requests.clear()
    github.requests.clear()

    def write(smtp_port: int = smtp_port):
        toml.metrics_csv(tmp_path, "2026-11-17,payers,100\n2026-11-24,payers,110\n")
        path = toml.team_config(
            tmp_path,
            toml.jira(jira.url, extra=TIMEOUT),
            toml.github(github.url, ["acme/web"], extra=TIMEOUT),
            toml.delivery(smtp_port, recipients=["cto@example.com"], smtp=SMTP_LOGIN + TIMEOUT),
        )
        config, warnings = load_config(path)
        assert warnings == []
        return config

    return write


def by_name(checks: list[Check]) -> dict[str, Check]:
    return {c.name: c for c in checks}


def test_all_good_with_one_request_to_each_site(workspace, sites):
    jira, github, smtp_port = sites
    checks = run_checks(workspace(), ENV, THURSDAY_NOON)

    names = [c.name for c in checks]
    assert names == ["config", "metrics", "jira", "github", "smtp", "fonts", "pdf", "schedule"]
    assert all(c.ok for c in checks), render_checklist(checks)
    got = by_name(checks)
    assert (
        got["metrics"].detail == "metrics.csv: 1 metric read, latest date 2026-11-24 (2 days ago)"
    )
    assert got["jira"].detail == f"logged in as pm at {jira.url}"
    assert got["github"].detail.startswith("as @octocat, ")
    assert got["github"].detail.endswith(" requests left this hour")
    assert got["smtp"].detail == f"127.0.0.1:{smtp_port} accepted the login for weekly"
    assert got["pdf"].detail.startswith("WeasyPrint ")
    assert got["schedule"].detail == (
        "Europe/Berlin: next draft Fri 27 Nov 14:00, next send Fri 27 Nov 16:00 (CET)"
    )
    assert render_checklist(checks).splitlines()[-1] == "All checks passed."

    assert [(r.method, r.path) for r in jira.requests] == [("GET", "/rest/api/2/myself")]
    assert {r.path for r in github.requests} <= {"/user", "/rate_limit"}
    assert github.count("/user") == 1


def test_a_refused_github_token_fails_only_its_check(workspace):
    checks = run_checks(workspace(), {**ENV, "GITHUB_TOKEN": "ghp-wrong"}, THURSDAY_NOON)

    got = by_name(checks)
    assert not got["github"].ok
    assert got["github"].detail == "GitHub answered 401 (bad credentials): check GITHUB_TOKEN"
    assert all(c.ok for c in checks if c.name != "github")
    assert render_checklist(checks).splitlines()[-1] == "1 check failed: github."


def test_smtp_down_names_host_and_port_and_the_rest_still_run(workspace):
    port = free_port()  # nothing listens there
    checks = run_checks(workspace(smtp_port=port), ENV, THURSDAY_NOON)

    got = by_name(checks)
    assert not got["smtp"].ok
    assert f"127.0.0.1:{port}" in got["smtp"].detail
    assert "refused the connection" in got["smtp"].detail
    assert [c.name for c in checks][-3:] == ["fonts", "pdf", "schedule"]
    assert all(c.ok for c in checks if c.name != "smtp")


def test_no_secret_ever_appears_even_when_every_login_fails(workspace):
    wrong = {
        "JIRA_TOKEN": "jira-wrong-s3cret",
        "GITHUB_TOKEN": "ghp-wrong-s3cret",
        "SMTP_PASSWORD": "smtp-wrong-s3cret",
    }
    config = workspace()
    checks = run_checks(config, wrong, THURSDAY_NOON)
    text = render_checklist(checks)

    got = by_name(checks)
    assert (
        got["jira"].detail
        == "Jira answered 401 (not authenticated): check JIRA_TOKEN and sources.jira.email"
    )
    assert got["smtp"].detail.startswith(
        f"SMTP server 127.0.0.1:{config.delivery.smtp.port} refused the login for user weekly: "
        "check SMTP_PASSWORD"
    )
    assert text.splitlines()[-1] == "3 checks failed: jira, github, smtp."
    for secret in [*wrong.values(), *ENV.values()]:
        assert secret not in text


def test_a_site_that_echoes_the_token_shows_it_nowhere_in_the_checklist(workspace, sites):
    # The sites did echo the tokens (the *** below); the secrets scrubbed are the ones each
    # source declares (weekly.pipeline.secrets).
    jira, github, _ = sites
    jira.fail_next("/myself", 400, body=f'{{"errorMessages": ["token {JIRA_TOKEN} refused"]}}')
    github.fail_next("/user", 422, body=f'{{"message": "token {GITHUB_TOKEN} refused"}}')
    checks = by_name(run_checks(workspace(), ENV, THURSDAY_NOON))

    assert (
        checks["jira"].detail
        == "Jira rejected a query: token *** refused; check sources.jira's JQL and fields"
    )
    assert checks["github"].detail == "GitHub answered 422: token *** refused"


def test_unset_variables_are_named_without_any_request(workspace, sites):
    jira, github, _ = sites
    checks = by_name(run_checks(workspace(), {}, THURSDAY_NOON))

    assert checks["jira"].detail.startswith("JIRA_TOKEN is not set")
    assert "GITHUB_TOKEN is not set" in checks["github"].detail
    assert checks["smtp"].detail.startswith("SMTP_PASSWORD is not set")
    assert jira.requests == [] and github.requests == []


def test_a_missing_csv_fails_its_check_only(tmp_path):
    schedule = '[schedule]\ndraft = "Fri 17:00"\nsend = "Mon 09:00"\n'
    path = toml.team_config(tmp_path, schedule, timezone=None, csv="nowhere.csv", nsm="a")
    checks = run_checks(load_config(path)[0], {}, THURSDAY_NOON)

    assert [c.name for c in checks if not c.ok] == ["metrics"]
    assert "nowhere.csv: metrics CSV not found" in checks[1].detail
    # Past Friday's draft slot in UTC, so the next send comes first.
    after = at(18).replace(tzinfo=dt.UTC)
    [schedule] = [c for c in run_checks(load_config(path)[0], {}, after) if c.name == "schedule"]
    assert schedule.detail == "UTC: next draft Fri 4 Dec 17:00, next send Mon 30 Nov 09:00 (UTC)"


def test_missing_fonts_name_their_debian_package():
    listing = "Inter,Inter Semi Bold\nDejaVu Sans\nInter Display\n"
    assert missing_fonts(listing) == [FONTS[1], FONTS[2]]
    assert (FONTS[1].package, FONTS[2].package) == ("fonts-wqy-microhei", "fonts-noto-cjk")
    chinese = "WenQuanYi Micro Hei,文泉驛微米黑\nNoto Sans CJK SC,Noto Sans CJK SC Bold\n"
    assert missing_fonts(chinese + "inter\n") == []


def test_without_fc_list_the_fonts_check_says_so(tmp_path, monkeypatch):
    monkeypatch.setenv("PATH", str(tmp_path))  # no fc-list on it
    (tmp_path / "metrics.csv").write_text("date,a\n2026-11-24,1\n", encoding="utf-8")
    path = toml.team_config(tmp_path, team="T", timezone=None, nsm="a")
    checks = by_name(run_checks(load_config(path)[0], {}, THURSDAY_NOON))
    assert not checks["fonts"].ok
    assert "fc-list is not installed" in checks["fonts"].detail
    assert "fonts-wqy-microhei" in checks["fonts"].detail


def test_checklist_lines_and_summary():
    text = render_checklist(
        [
            Check("config", True, "weekly.toml is valid"),
            Check("jira", False, "down"),
            Check("smtp", False, "refused"),
        ]
    )
    assert text.splitlines() == [
        "✓ config  weekly.toml is valid",
        "✗ jira    down",
        "✗ smtp    refused",
        "2 checks failed: jira, smtp.",
    ]
