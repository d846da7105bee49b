"""The config file: every problem at once with its key, secrets refused, typos warned about."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from weekly.cli import cli
from weekly.config import load_config
from weekly.errors import ConfigError

VALID = """\
[report]
team = "Payments"
timezone = "Europe/Berlin"
paper = "A4"

[metrics]
csv = "metrics.csv"
nsm = "active_payers"
headline = ["checkout_conversion"]

[metric.active_payers]
direction = "higher"
target = 13000

[metric.checkout_conversion]
unit = "%"
direction = "higher"
aggregate = "mean"
"""


def edited(*changes: tuple[str, str], base: str = VALID) -> str:
    """The valid config with each (old, new) text replaced; fails loudly if `old` is absent."""
    text = base
    for old, new in changes:
        assert old in text, f"test setup: {old!r} is not in the config"
        text = text.replace(old, new, 1)
    return text


def write_config(tmp_path: Path, text: str, name: str = "weekly.toml") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def config_error(path: Path) -> ConfigError:
    with pytest.raises(ConfigError) as caught:
        load_config(path)
    return caught.value


def run_render(path: Path):
    return CliRunner().invoke(cli, ["render", "--config", str(path)])


def test_valid_config_loads_without_warnings_and_resolves_paths_next_to_itself(tmp_path):
    path = write_config(tmp_path, VALID)

    config, warnings = load_config(path)

    assert warnings == []
    assert config.report.team == "Payments"
    assert str(config.report.zone) == "Europe/Berlin"
    assert config.metric_keys == ("active_payers", "checkout_conversion")
    assert config.resolve(config.metrics.csv) == tmp_path / "metrics.csv"


def test_every_problem_is_reported_at_once_each_with_its_key(tmp_path):
    path = write_config(
        tmp_path,
        edited(
            ('team = "Payments"', "team = 5"),
            ('"Europe/Berlin"', '"Europe/Berlinn"'),
            ('paper = "A4"', 'paper = "A5"'),
            ('nsm = "active_payers"', 'nsm = "active_payers"\ntrend_weeks = "twelve"'),
            ('direction = "higher"\ntarget', 'direction = "up"\ntarget'),
        ),
    )

    error = config_error(path)

    assert len(error.problems) == 5
    assert error.message.startswith(f"{path}: 5 problems:")
    for key in (
        "report.team",
        "report.timezone",
        "report.paper",
        "metrics.trend_weeks",
        "metric.active_payers.direction",
    ):
        assert any(p.startswith(f"{key}:") for p in error.problems), key
        assert f"- {key}:" in error.message


# Cross-checks (a metric without its table, a missing template) are reported together with
# the schema's problems, not on the next run after the user fixed the first batch.
def test_schema_errors_and_cross_check_errors_are_reported_together(tmp_path):
    path = write_config(
        tmp_path,
        edited(
            ('paper = "A4"', 'paper = "A5"\ntemplate = "missing.html"'),
            ('nsm = "active_payers"', 'nsm = "revenue"'),
        ),
    )

    error = config_error(path)

    assert any(p.startswith("report.paper:") for p in error.problems)
    assert any(p.startswith("metrics.nsm:") and "[metric.revenue]" in p for p in error.problems)
    assert any(p.startswith("report.template:") for p in error.problems)


@pytest.mark.parametrize(
    ("change", "key", "expected"),
    [
        (('team = "Payments"', "team = 5"), "report.team", ["valid string", "(got 5)"]),
        (
            ('nsm = "active_payers"', 'nsm = "active_payers"\ntrend_weeks = "twelve"'),
            "metrics.trend_weeks",
            ["valid integer", "'twelve'"],
        ),
        (
            ('headline = ["checkout_conversion"]', 'headline = "checkout_conversion"'),
            "metrics.headline",
            ["valid tuple"],
        ),
        (
            ("target = 13000", 'target = "lots"'),
            "metric.active_payers.target",
            ["valid number", "'lots'"],
        ),
        (
            ('aggregate = "mean"', 'aggregate = "median"'),
            "metric.checkout_conversion.aggregate",
            ["'last', 'sum' or 'mean'", "'median'"],
        ),
    ],
    ids=["team", "trend_weeks", "headline", "target", "aggregate"],
)
def test_wrong_type_names_the_key_what_was_expected_and_what_was_given(
    tmp_path, change, key, expected
):
    path = write_config(tmp_path, edited(change))

    error = config_error(path)

    assert len(error.problems) == 1
    assert error.problems[0].startswith(f"{key}:")
    for fragment in expected:
        assert fragment in error.problems[0]


def test_paper_must_be_a4_or_letter(tmp_path):
    bad = write_config(tmp_path, edited(('paper = "A4"', 'paper = "A5"')), "bad.toml")
    letter = write_config(tmp_path, edited(('paper = "A4"', 'paper = "Letter"')), "letter.toml")

    error = config_error(bad)
    config, _ = load_config(letter)

    assert error.message == f"{bad}: report.paper: Input should be 'A4' or 'Letter' (got 'A5')"
    assert config.report.paper == "Letter"


def test_unknown_time_zone_is_rejected_with_an_example_of_a_real_one(tmp_path):
    path = write_config(tmp_path, edited(('"Europe/Berlin"', '"Mars/Olympus_Mons"')))

    error = config_error(path)

    assert len(error.problems) == 1
    assert error.problems[0].startswith("report.timezone:")
    assert "'Mars/Olympus_Mons' is not an IANA time zone" in error.problems[0]
    assert "Europe/Berlin" in error.problems[0]


@pytest.mark.parametrize(
    ("line", "key"),
    [
        ('team = "Payments"\n', "report.team"),
        ('csv = "metrics.csv"\n', "metrics.csv"),
        ('nsm = "active_payers"\n', "metrics.nsm"),
        ('direction = "higher"\ntarget = 13000\n', "metric.active_payers.direction"),
    ],
    ids=["team", "csv", "nsm", "direction"],
)
def test_missing_required_key_is_named(tmp_path, line, key):
    path = write_config(tmp_path, edited((line, "")))

    error = config_error(path)

    assert error.problems == [f"{key}: required key is missing; see config.example.toml"]
    assert error.message.startswith(f"{path}: {key}:")


def test_missing_section_is_named(tmp_path):
    report_section = VALID[: VALID.index("[metrics]")]
    path = write_config(tmp_path, report_section)

    error = config_error(path)

    assert error.problems == ["metrics: required key is missing; see config.example.toml"]


def test_missing_file_names_the_file_and_how_to_fix_it(tmp_path):
    path = tmp_path / "nope.toml"

    error = config_error(path)

    assert str(path) in error.message
    assert "file not found" in error.message
    assert "--config" in error.message


def test_not_toml_names_the_file_and_where_the_syntax_breaks(tmp_path):
    path = write_config(tmp_path, '[report]\nteam = "Payments"\npaper = A4\n')

    error = config_error(path)

    assert error.message.startswith(f"{path}: not valid TOML")
    assert "line 3" in error.message


JIRA = '\n[sources.jira]\nurl = "https://jira"\nprojects = ["PAY"]\n'


@pytest.mark.parametrize(
    ("text", "key", "env_key"),
    [
        ('token = "s3cr3t-value"\n' + VALID, "token", "token_env"),
        (
            edited(('paper = "A4"', 'paper = "A4"\nsmtp_password = "s3cr3t-value"')),
            "report.smtp_password",
            "smtp_password_env",
        ),
        (
            VALID + JIRA + 'api_token = "s3cr3t-value"\n',
            "sources.jira.api_token",
            "api_token_env",
        ),
    ],
    ids=["top-level", "in-report", "nested-table"],
)
def test_secret_in_the_file_is_rejected_pointing_at_an_env_variable_key(
    tmp_path, text, key, env_key
):
    path = write_config(tmp_path, text)

    error = config_error(path)

    assert len(error.problems) == 1
    assert error.problems[0].startswith(f"{key}: secrets never go in the config file")
    assert f"set {env_key} to the name of an environment variable" in error.problems[0]
    # The secret itself must not be echoed into terminals and CI logs.
    assert "s3cr3t-value" not in error.message


def test_naming_the_environment_variable_is_allowed(tmp_path):
    path = write_config(
        tmp_path,
        VALID
        + '\n[sources.jira]\nurl = "https://jira"\nprojects = ["PAY"]\ntoken_env = "JIRA_TOKEN"\n',
    )

    config, _ = load_config(path)

    assert config.report.team == "Payments"


# A secret is rejected wherever it sits, arrays of tables included.
def test_secret_inside_an_array_of_tables_is_rejected(tmp_path):
    path = write_config(
        tmp_path,
        VALID + '\n[[sources.webhooks]]\nurl = "https://hooks.example"\ntoken = "s3cr3t-value"\n',
    )

    error = config_error(path)

    assert any("token" in p and "token_env" in p for p in error.problems)
    assert "s3cr3t-value" not in error.message


def test_nsm_without_a_metric_table_is_rejected(tmp_path):
    path = write_config(tmp_path, edited(('nsm = "active_payers"', 'nsm = "revenue"')))

    error = config_error(path)

    assert len(error.problems) == 1
    assert error.problems[0].startswith("metrics.nsm: 'revenue' has no [metric.revenue] table")


def test_headline_metric_without_a_metric_table_is_rejected_with_its_position(tmp_path):
    path = write_config(
        tmp_path,
        edited(('["checkout_conversion"]', '["checkout_conversion", "refund_rate"]')),
    )

    error = config_error(path)

    assert len(error.problems) == 1
    assert error.problems[0].startswith(
        "metrics.headline[1]: 'refund_rate' has no [metric.refund_rate] table"
    )


def _with_headline(names: list[str]) -> str:
    tables = "".join(f'\n[metric.{name}]\ndirection = "lower"\n' for name in names)
    listed = ", ".join(f'"{name}"' for name in names)
    return edited(('["checkout_conversion"]', f"[{listed}]")) + tables


def test_more_than_five_headline_metrics_is_rejected(tmp_path):
    path = write_config(tmp_path, _with_headline([f"m{i}" for i in range(6)]))

    error = config_error(path)

    assert len(error.problems) == 1
    assert error.problems[0].startswith("metrics.headline: 6 metrics; at most 5")


def test_five_headline_metrics_fit(tmp_path):
    path = write_config(tmp_path, _with_headline([f"m{i}" for i in range(5)]))

    config, _ = load_config(path)

    assert len(config.metrics.headline) == 5


def test_template_that_does_not_exist_is_rejected_with_the_resolved_path(tmp_path):
    path = write_config(tmp_path, edited(('paper = "A4"', 'template = "my-page.html"')))

    error = config_error(path)

    assert error.problems == [f"report.template: {tmp_path / 'my-page.html'} does not exist"]


def test_template_next_to_the_config_is_accepted(tmp_path):
    (tmp_path / "my-page.html").write_text("<html></html>", encoding="utf-8")
    path = write_config(tmp_path, edited(('paper = "A4"', 'template = "my-page.html"')))

    config, _ = load_config(path)

    assert config.resolve(config.report.template) == tmp_path / "my-page.html"


@pytest.mark.parametrize(
    ("change", "typo", "closest"),
    [
        (
            ('timezone = "Europe/Berlin"', 'timezon = "Asia/Tokyo"'),
            "report.timezon",
            "report.timezone",
        ),
        (("headline = [", "headlines = ["), "metrics.headlines", "metrics.headline"),
        (
            ('aggregate = "mean"', 'agregate = "mean"'),
            "metric.checkout_conversion.agregate",
            "metric.checkout_conversion.aggregate",
        ),
    ],
    ids=["report", "metrics", "metric-table"],
)
def test_unknown_key_warns_naming_the_closest_known_key_but_still_loads(
    tmp_path, change, typo, closest
):
    path = write_config(tmp_path, edited(change))

    config, warnings = load_config(path)

    assert warnings == [
        f"{path}: warning: unknown key {typo!r} ignored (did you mean {closest!r}?)"
    ]
    assert config.report.team == "Payments"


def test_misspelt_timezone_falls_back_to_utc_only_with_a_warning(tmp_path):
    path = write_config(tmp_path, edited(('timezone = "Europe/Berlin"', 'timezon = "Asia/Tokyo"')))

    config, warnings = load_config(path)

    assert config.report.timezone == "UTC"
    assert any("report.timezone" in w for w in warnings)


# Through the command line: exit code 2, the file and key named, no traceback.


def test_cli_lists_every_problem_with_file_and_key_and_exits_2(tmp_path):
    path = write_config(
        tmp_path,
        edited(
            ('"Europe/Berlin"', '"Europe/Berlinn"'),
            ('paper = "A4"', 'paper = "A5"'),
            ('direction = "higher"\ntarget', 'direction = "up"\ntarget'),
        ),
    )

    result = run_render(path)

    assert result.exit_code == 2
    assert f"{path}: 3 problems:" in result.output
    for key in ("report.timezone", "report.paper", "metric.active_payers.direction"):
        assert f"- {key}:" in result.output
    assert "Traceback" not in result.output


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (None, "file not found"),
        ("[report\n", "not valid TOML"),
        ('token = "s3cr3t-value"\n' + VALID, "token: secrets never go in the config file"),
        (edited(('paper = "A4"', 'paper = "A5"')), "report.paper:"),
        (edited(('nsm = "active_payers"', 'nsm = "revenue"')), "metrics.nsm:"),
        (edited(('team = "Payments"\n', "")), "report.team: required key is missing"),
    ],
    ids=["missing-file", "not-toml", "secret", "paper", "nsm-table", "missing-key"],
)
def test_cli_config_error_exits_2_with_file_and_key_and_no_traceback(tmp_path, text, expected):
    path = tmp_path / "weekly.toml"
    if text is not None:
        write_config(tmp_path, text)

    result = run_render(path)

    assert result.exit_code == 2
    assert f"{path}: {expected}" in result.output
    assert "Traceback" not in result.output
    assert "s3cr3t-value" not in result.output


def test_a_typo_that_leaves_a_required_key_missing_is_explained_in_the_error(tmp_path):
    path = tmp_path / "weekly.toml"
    path.write_text(
        '[report]\nteam = "Growth"\n[metrics]\ncsv = "m.csv"\nnsm = "signups"\n'
        '[metric.signups]\ndirecton = "higher"\n',
        encoding="utf-8",
    )
    with pytest.raises(ConfigError) as caught:
        load_config(path)
    assert "metric.signups.direction: required key is missing" in str(caught.value)
    assert "did you mean 'metric.signups.direction'?" in str(caught.value)


def test_plain_smtp_is_refused_for_a_server_that_is_not_on_this_machine(tmp_path):
    delivery = (
        '\n[delivery]\nsender = "w@example.com"\nrecipients = ["cto@example.com"]\n'
        'pm = "pm@example.com"\n[delivery.smtp]\nhost = "smtp.example.com"\nsecurity = "none"\n'
    )
    error = config_error(write_config(tmp_path, VALID + delivery))
    assert any(
        p.startswith('delivery.smtp: security = "none" sends the report unencrypted')
        for p in error.problems
    )
    relay = delivery.replace("smtp.example.com", "localhost")
    assert load_config(write_config(tmp_path, VALID + relay))[0].delivery is not None


def test_a_byte_order_mark_at_the_start_is_read_as_the_editor_meant(tmp_path):
    path = write_config(tmp_path, VALID)
    path.write_bytes(b"\xef\xbb\xbf" + path.read_bytes())
    config, warnings = load_config(path)
    assert config.report.team == "Payments" and warnings == []


@pytest.mark.parametrize(
    ("extra", "expected"),
    [
        (
            '[delivery]\nsender = "weekly at acme"\nrecipients = ["cto@acme.example"]\n'
            'pm = "pm@acme.example"\n[delivery.smtp]\nhost = "smtp.acme.example"\n',
            "delivery.sender: is not an e-mail address; write it as name@example.com",
        ),
        (
            '[delivery]\nsender = "weekly@acme.example"\nrecipients = []\n'
            'pm = "pm@acme.example"\n[delivery.smtp]\nhost = "smtp.acme.example"\n',
            "delivery.recipients: needs at least one entry",
        ),
        (
            '[sources.jira]\nurl = "acme.atlassian.net"\nprojects = ["PAY"]\n',
            "sources.jira.url: is not a web address; write it as https://",
        ),
        (
            '[sources.jira]\nurl = "https://acme.atlassian.net"\nprojects = ["PAY"]\n'
            'token_env = "JIRA TOKEN"\n',
            "sources.jira.token_env: is not an environment variable's name",
        ),
    ],
)
def test_messages_say_what_is_wrong_in_words_not_patterns(tmp_path, extra, expected):
    (tmp_path / "metrics.csv").write_text("date,metric,value\n", encoding="utf-8")
    message = str(config_error(write_config(tmp_path, VALID + extra)))
    assert expected in message
    assert "pattern" not in message and "Tuple should" not in message and "^" not in message


def test_the_language_is_en_or_zh_cn(tmp_path):
    bad = write_config(
        tmp_path, edited(('paper = "A4"', 'paper = "A4"\nlanguage = "fr"')), "b.toml"
    )
    chinese = write_config(
        tmp_path, edited(('paper = "A4"', 'paper = "A4"\nlanguage = "zh-CN"')), "zh.toml"
    )

    error = config_error(bad)
    config, _ = load_config(chinese)

    assert error.message == f"{bad}: report.language: Input should be 'en' or 'zh-CN' (got 'fr')"
    assert config.report.language == "zh-CN"
