"""The config file: a typed schema, validated all at once.

`load_config(path)` returns a `Config` or raises `ConfigError` listing every
problem with its key. Unknown keys are warnings (with the closest known key),
so a typo never silently falls back to a default without the user hearing of it.
"""

from __future__ import annotations

import difflib
import re
import tomllib
from pathlib import Path
from typing import Any, Literal, get_args, get_origin
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    ValidationError,
    ValidationInfo,
    field_validator,
    model_validator,
)

from weekly.errors import ConfigError
from weekly.model import Aggregation, Direction

# Keys that would hold a secret. The file may only name the environment variable.
_SECRET_WORDS = ("token", "password", "secret", "api_key", "apikey")
MAX_HEADLINE_METRICS = 5


class _Section(BaseModel):
    # extra="allow" so unknown keys can be reported as warnings rather than errors.
    model_config = ConfigDict(extra="allow", frozen=True)


class ReportSection(_Section):
    team: str = Field(min_length=1)
    timezone: str = "UTC"
    paper: Literal["A4", "Letter"] = "A4"
    # The language of everything weekly writes for readers: the page, the mail, the draft.
    language: Literal["en", "zh-CN"] = "en"
    template: Path | None = None
    output_dir: Path = Path("reports")
    # The most one pull of all sources may take, retries included; past it the sources
    # still running are marked failed, so an unattended run always ends.
    pull_budget_seconds: float = Field(default=300, gt=0, le=3600)

    @field_validator("timezone")
    @classmethod
    def _known_zone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError(
                f"{value!r} is not an IANA time zone; use a name like 'Europe/Berlin'"
            ) from None
        return value

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)


class MetricsSection(_Section):
    csv: Path
    nsm: str = Field(min_length=1)
    headline: tuple[str, ...] = ()
    trend_weeks: int = Field(default=12, ge=2, le=52)
    date_column: str = "date"
    # How the CSV writes numbers. Unset, the file's separator decides the decimal mark
    # (a comma-separated file ".", a semicolon-separated one ","), and no thousands
    # separator is read: a value that could be read two ways is refused, never guessed.
    decimal: Literal[".", ","] | None = None
    thousands: Literal["", ",", ".", " "] = ""
    # Rows dated after the report's moment (forecasts, placeholders): "ignore" them with a
    # warning, or "refuse" the file.
    future_rows: Literal["ignore", "refuse"] = "ignore"

    @field_validator("thousands")
    @classmethod
    def _thousands_with_decimal(cls, value: str, info: ValidationInfo) -> str:
        decimal = info.data.get("decimal")
        if value and decimal is None and "decimal" not in info.data:
            return value  # decimal itself was invalid; that error is reported on its own
        if value and decimal is None:
            raise ValueError(
                'set metrics.decimal too ("." or ","), so the form of the numbers is '
                "stated, not guessed"
            )
        if value and value == decimal:
            raise ValueError(f'must differ from metrics.decimal ("{decimal}")')
        return value


class MetricDefinition(_Section):
    label: str | None = None
    unit: str = ""
    direction: Direction
    target: float | None = None
    aggregate: Aggregation = Aggregation.LAST
    decimals: int | None = Field(default=None, ge=0, le=4)


class BetsFileSection(_Section):
    path: Path


class JiraFields(_Section):
    """Custom fields by their display name, as the site shows them ("Target end")."""

    confidence: str | None = None
    target_date: str | None = None
    health: str | None = None
    approver: str | None = None
    driver: str | None = None
    contributors: str | None = None
    informed: str | None = None
    story_points: str | None = None


class JiraSection(_Section):
    url: str = Field(pattern=r"^https?://\S+$")
    # Cloud: the account's e-mail, with an API token; Server/Data Center: leave out, PAT.
    email: str | None = None
    token_env: str = Field(default="JIRA_TOKEN", pattern=r"^[A-Za-z_][A-Za-z0-9_]*$")
    projects: tuple[str, ...] = ()
    bet_issue_type: str = "Epic"
    bets_jql: str | None = None
    decision_label: str = "decision-needed"
    decision_issue_type: str | None = None
    decisions_jql: str | None = None
    blocked_statuses: tuple[str, ...] = ("Blocked",)
    fields: JiraFields = Field(default_factory=JiraFields)
    timeout_seconds: float = Field(default=20, gt=0, le=300)
    retry_budget_seconds: float = Field(default=120, ge=0, le=900)

    @model_validator(mode="after")
    def _something_selects_bets(self) -> JiraSection:
        if not self.projects and not self.bets_jql:
            raise ValueError('set projects (e.g. ["PAY"]) or bets_jql, so weekly knows the bets')
        if not self.projects and not (self.decisions_jql or self.decision_issue_type is None):
            raise ValueError("with no projects, set decisions_jql to find the decisions")
        return self


class GitHubSection(_Section):
    repositories: tuple[str, ...] = Field(min_length=1)
    token_env: str = Field(default="GITHUB_TOKEN", pattern=r"^[A-Za-z_][A-Za-z0-9_]*$")
    # GitHub Enterprise Server: https://<host>/api/v3
    base_url: str = Field(default="https://api.github.com", pattern=r"^https?://\S+$")
    bets: Literal["milestones", "issues"] = "milestones"
    bet_label: str = "bet"
    blocked_label: str = "blocked"
    decision_label: str = "decision-needed"
    timeout_seconds: float = Field(default=20, gt=0, le=300)
    retry_budget_seconds: float = Field(default=120, ge=0, le=900)

    @field_validator("repositories")
    @classmethod
    def _owner_slash_name(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        bad = [r for r in value if not re.fullmatch(r"[\w.-]+/[\w.-]+", r)]
        if bad:
            raise ValueError(f'{bad[0]!r} is not owner/name, like "acme/checkout"')
        return value


class SourcesSection(_Section):
    bets_file: BetsFileSection | None = None
    jira: JiraSection | None = None
    github: GitHubSection | None = None


_EMAIL = r"^[^@\s<>]+@[^@\s<>]+\.[^@\s<>]+$"
_WHEN = r"^(Mon|Tue|Wed|Thu|Fri|Sat|Sun) ([01]\d|2[0-3]):[0-5]\d$"


class SmtpSection(_Section):
    host: str = "localhost"
    port: int = Field(default=587, ge=1, le=65535)
    # "starttls" (port 587), "ssl" (port 465), or "none" (a relay on localhost only).
    security: Literal["starttls", "ssl", "none"] = "starttls"
    user: str | None = None
    password_env: str | None = Field(default=None, pattern=r"^[A-Za-z_][A-Za-z0-9_]*$")
    timeout_seconds: float = Field(default=30, gt=0, le=300)

    @model_validator(mode="after")
    def _plain_only_on_this_machine(self) -> SmtpSection:
        # Unencrypted SMTP would carry the report (and a password) in clear over the network.
        if self.security == "none" and self.host not in ("localhost", "127.0.0.1", "::1"):
            raise ValueError(
                f'security = "none" sends the report unencrypted to {self.host}; use '
                '"starttls" or "ssl", or a relay on localhost'
            )
        return self


class DeliverySection(_Section):
    sender: str = Field(pattern=_EMAIL)
    recipients: tuple[str, ...] = Field(min_length=1)
    # Who hears when a send is held: the PM.
    pm: str = Field(pattern=_EMAIL)
    smtp: SmtpSection = Field(default_factory=SmtpSection)
    # At send time, a draft the PM has not marked `approved: true`: "send" it anyway
    # (logged, never shown to readers) or "hold" it and tell the PM.
    unapproved: Literal["send", "hold"] = "send"
    # At send time, when a source failed: "send" with the banner, or "hold" and tell the PM.
    failed_source: Literal["send", "hold"] = "send"

    @field_validator("recipients")
    @classmethod
    def _addresses(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        bad = [r for r in value if not re.fullmatch(_EMAIL, r)]
        if bad:
            raise ValueError(f"{bad[0]!r} is not an e-mail address")
        return value


class ScheduleSection(_Section):
    """When `weekly run` drafts and sends, in the team's time zone (report.timezone)."""

    draft: str = "Fri 14:00"
    send: str = "Fri 16:00"

    @field_validator("draft", "send")
    @classmethod
    def _day_and_time(cls, value: str) -> str:
        if not re.fullmatch(_WHEN, value):
            raise ValueError(f'{value!r} is not a day and time; write it like "Fri 16:00"')
        return value


class HillSection(_Section):
    """Where a bet stands on the hill when the draft does not say: uphill while the team is
    still figuring it out, downhill once it is executing."""

    # "progress": the share of child items done, with `top_at` of them done at the top;
    # "off": only positions the PM writes in the draft.
    rule: Literal["progress", "off"] = "progress"
    top_at: float = Field(default=0.5, gt=0, lt=1)


class ForecastSection(_Section):
    """The throughput forecast of each bet (weekly.forecast): how many past weeks it draws
    on; `enabled = false` switches it off for the team (the PM can for one bet)."""

    enabled: bool = True
    weeks: int = Field(default=12, ge=4, le=52)


class CheckSection(_Section):
    """What `weekly check` (and so `weekly send`) calls marketing words and emoji storms."""

    marketing_words: tuple[str, ...] = (
        "game-changer",
        "revolutionary",
        "world-class",
        "best-in-class",
        "cutting-edge",
        "synergy",
        "disruptive",
        "seamless",
        "amazing",
        "incredible",
        "awesome",
        "groundbreaking",
        "next-level",
        "supercharge",
        "unleash",
        "skyrocket",
        "crushing it",
    )
    max_emoji: int = Field(default=2, ge=0, le=50)


class Config(_Section):
    report: ReportSection
    metrics: MetricsSection
    metric: dict[str, MetricDefinition] = Field(default_factory=dict)
    sources: SourcesSection = Field(default_factory=SourcesSection)
    delivery: DeliverySection | None = None
    schedule: ScheduleSection = Field(default_factory=ScheduleSection)
    hill: HillSection = Field(default_factory=HillSection)
    check: CheckSection = Field(default_factory=CheckSection)
    forecast: ForecastSection = Field(default_factory=ForecastSection)
    # Where the file was read from; relative paths in it are relative to its folder.
    path: Path = Path("weekly.toml")

    def resolve(self, relative: Path) -> Path:
        """A path from the config, resolved against the config file's folder."""
        return relative if relative.is_absolute() else self.path.parent / relative

    @property
    def template_file(self) -> Path | None:
        """The team's own page template, resolved; None for the bundled one."""
        return self.resolve(self.report.template) if self.report.template else None

    @property
    def metric_keys(self) -> tuple[str, ...]:
        """The NSM first, then the headline metrics, without repeats."""
        keys = [self.metrics.nsm, *self.metrics.headline]
        return tuple(dict.fromkeys(keys))


def load_config(path: Path) -> tuple[Config, list[str]]:
    """Read and validate the config; return it with the warnings for unknown keys."""
    try:
        # utf-8-sig: an editor on Windows may start the file with a byte-order mark.
        raw = tomllib.loads(path.read_text(encoding="utf-8-sig"))
    except FileNotFoundError:
        raise ConfigError(
            path, ["file not found; copy config.example.toml or pass --config"]
        ) from None
    except UnicodeDecodeError:
        raise ConfigError(path, ["not UTF-8 text; save the file as UTF-8"]) from None
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(path, [f"not valid TOML: {exc}"]) from None
    except OSError as exc:
        raise ConfigError(path, [f"cannot read: {exc.strerror}"]) from None

    # Secrets and cross-references are checked on the raw file, so that they are reported
    # together with the schema's problems rather than on the next run.
    if not raw:
        raise ConfigError(path, ["the file is empty; start from config.example.toml"])
    problems = _secret_problems(raw, ()) + _cross_checks(raw, path.parent)
    unknown = _unknown_keys(raw, Config, ())
    try:
        config = Config.model_validate({**raw, "path": path})
    except ValidationError as exc:
        problems += [_describe(err) for err in exc.errors()]
    if problems:
        # A typo is often the cause of a "missing" key: show its hint with the errors.
        raise ConfigError(path, problems + [u for u in unknown if "did you mean" in u])
    return config, [f"{path}: warning: {w}" for w in unknown]


# Pydantic's phrasing for a few checks, in the user's words (no regular expressions).
_PLAIN = {
    "too_short": "needs at least one entry; see config.example.toml",
    "string_too_short": "must not be empty",
}
_PATTERNS = {
    _EMAIL: "is not an e-mail address; write it as name@example.com",
    r"^https?://\S+$": "is not a web address; write it as https://acme.atlassian.net",
    r"^[A-Za-z_][A-Za-z0-9_]*$": (
        "is not an environment variable's name; use letters, digits and _, such as JIRA_TOKEN"
    ),
}


def _describe(err: Any) -> str:
    key = ".".join(str(part) for part in err["loc"]) or "(top level)"
    if err["type"] == "missing":
        return f"{key}: required key is missing; see config.example.toml"
    message = _PLAIN.get(err["type"], str(err["msg"])).removeprefix("Value error, ")
    if err["type"] == "string_pattern_mismatch":
        message = _PATTERNS.get(
            str(err.get("ctx", {}).get("pattern")), "is not in the expected form"
        )
    if err["type"] == "extra_forbidden":
        return f"{key}: unknown key"
    shown = err.get("input")
    if isinstance(shown, dict | list) or repr(shown) in message:
        return f"{key}: {message}"
    return f"{key}: {message} (got {shown!r})"


def _secret_problems(raw: dict[str, Any], where: tuple[str, ...]) -> list[str]:
    problems = []
    for key, value in raw.items():
        tables = value if isinstance(value, list) else [value]
        for i, table in enumerate(tables):
            if isinstance(table, dict):
                name = f"{key}[{i}]" if isinstance(value, list) else key
                problems += _secret_problems(table, (*where, name))
        if any(word in key.lower() for word in _SECRET_WORDS) and not key.endswith("_env"):
            if isinstance(value, dict | list):
                continue
            name = ".".join((*where, key))
            problems.append(
                f"{name}: secrets never go in the config file; set {key}_env to the name "
                "of an environment variable that holds it"
            )
    return problems


def _cross_checks(raw: dict[str, Any], folder: Path) -> list[str]:
    """Problems between keys: metrics named but not defined, too many, a missing template."""
    problems: list[str] = []
    metrics, defined = raw.get("metrics"), raw.get("metric", {})
    if not isinstance(metrics, dict) or not isinstance(defined, dict):
        return problems  # the schema check reports these
    named = [("metrics.nsm", metrics.get("nsm"))]
    headline = metrics.get("headline", [])
    if isinstance(headline, list):
        named += [(f"metrics.headline[{i}]", key) for i, key in enumerate(headline)]
        if len(headline) > MAX_HEADLINE_METRICS:
            problems.append(
                f"metrics.headline: {len(headline)} metrics; at most {MAX_HEADLINE_METRICS} fit "
                "the top of the page, pick the outcomes that matter"
            )
    for where, key in named:
        if isinstance(key, str) and key and key not in defined:
            problems.append(
                f"{where}: {key!r} has no [metric.{key}] table; add one saying its direction "
                "(higher or lower is better), unit and how a week is aggregated"
            )
    report = raw.get("report")
    template = report.get("template") if isinstance(report, dict) else None
    if isinstance(template, str) and not (folder / template).is_file():
        problems.append(f"report.template: {folder / template} does not exist")
    return problems


def _unknown_keys(raw: dict[str, Any], model: type[BaseModel], where: tuple[str, ...]) -> list[str]:
    """Keys the schema does not know, each with the closest known key when there is one."""
    found = []
    # Config.path is where the file was read from, set by load_config, not a key of the file.
    known = [name for name in model.model_fields if not (model is Config and name == "path")]
    for key, value in raw.items():
        name = ".".join((*where, key))
        if key not in known:
            close = difflib.get_close_matches(key, known, n=1)
            hint = f" (did you mean {'.'.join((*where, close[0]))!r}?)" if close else ""
            found.append(f"unknown key {name!r} ignored{hint}")
            continue
        section, keyed = _section_of(model.model_fields[key].annotation)
        if section is None or not isinstance(value, dict):
            continue
        tables = value.items() if keyed else [(None, value)]
        for child, table in tables:
            if isinstance(table, dict):
                path = (*where, key) if child is None else (*where, key, child)
                found += _unknown_keys(table, section, path)
    return found


def _section_of(annotation: Any) -> tuple[type[BaseModel] | None, bool]:
    """The section model behind a field's type, and whether it is keyed (dict[str, Model])."""
    if get_origin(annotation) is dict:
        return get_args(annotation)[1], True
    for candidate in get_args(annotation) or (annotation,):
        if isinstance(candidate, type) and issubclass(candidate, BaseModel):
            return candidate, False
    return None, False
