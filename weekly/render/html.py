"""The page as HTML, through an autoescaped Jinja2 template (the default, or the user's own)."""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import Any

import jinja2
from jinja2.sandbox import SandboxedEnvironment
from markupsafe import Markup

from weekly import i18n
from weekly.errors import InputError
from weekly.hill import side
from weekly.render import format as fmt
from weekly.render import priority
from weekly.render.fit import PageView
from weekly.render.hill_chart import hill_chart, hill_text
from weekly.render.sparkline import sparkline

DEFAULT_TEMPLATE = "report.html.j2"
_SAFE_SCHEMES = ("http://", "https://", "mailto:")


def templates_dir() -> Path:
    """The bundled templates: inside the installed wheel, or at the top of a source checkout."""
    inside = Path(__file__).resolve().parent.parent / "templates"
    return inside if inside.is_dir() else Path(__file__).resolve().parents[2] / "templates"


def render_html(view: PageView, template: Path | None = None) -> str:
    """Render the page; `template` is a user's own template file, which may extend ours."""
    env = _environment(template.parent.resolve() if template else None)
    name = template.name if template else DEFAULT_TEMPLATE
    return _render(env, name, view, template)


def render_bundled(view: PageView, name: str) -> str:
    """Render one of our own templates (the e-mail's HTML and text parts) for the same view."""
    return _render(_environment(None), name, view, None)


def render_bundled_text(name: str, **context: Any) -> str:
    """One of our own templates that is not the page (the live preview's frame)."""
    return _environment(None).get_template(name).render(**context)


def _render(env: jinja2.Environment, name: str, view: PageView, template: Path | None) -> str:
    try:
        with i18n.speaking(view.report.language):
            return env.get_template(name).render(page=view, report=view.report)
    except jinja2.TemplateSyntaxError as exc:
        raise InputError(
            f"{exc.filename or name}:{exc.lineno}: template error: {exc.message}"
        ) from None
    except jinja2.TemplateError as exc:
        where = template or name
        raise InputError(f"{where}: template error: {exc.message or exc}") from None


@cache
def _environment(user_dir: Path | None) -> jinja2.Environment:
    ours = jinja2.FileSystemLoader(str(templates_dir()))
    # The user's folder first; ours also under "weekly/", so a user's own report.html.j2
    # can extend "weekly/report.html.j2" without extending itself.
    loaders: list[jinja2.BaseLoader] = [jinja2.PrefixLoader({"weekly": ours}), ours]
    if user_dir is not None:
        loaders.insert(0, jinja2.FileSystemLoader(str(user_dir)))
    # Sandboxed: a user's template can format the report but not reach Python internals
    # (`''.__class__.__mro__`), files or the environment.
    env = SandboxedEnvironment(
        loader=jinja2.ChoiceLoader(loaders),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        bytecode_cache=_compiled_templates(),
        extensions=["jinja2.ext.i18n"],
    )
    # The readers' language, as `weekly.i18n.speaking` set it for this render.
    env.install_gettext_callables(  # type: ignore[attr-defined]
        gettext=lambda message: i18n.current().translations.gettext(message),
        ngettext=lambda one, many, n: i18n.current().translations.ngettext(one, many, n),
        newstyle=True,
    )
    env.filters.update(
        number=fmt.number,
        change=fmt.change,
        change_class=fmt.change_class,
        against_last_report=fmt.against_last_report,
        last_report=fmt.last_report,
        target_status=fmt.target_status,
        target_line=fmt.target_line,
        missing_from=fmt.missing_from,
        week_range=fmt.week_range,
        since=fmt.since,
        day=fmt.day,
        word=i18n.word,
        week_name=i18n.week_name,
        delivered_counts=fmt.delivered_counts,
        forecast_line=fmt.forecast_line,
        record_line=fmt.record_line,
        forecast_short=fmt.forecast_short,
        forecast_ask=fmt.forecast_ask,
        plural=fmt.plural,
        safe_url=safe_url,
        hill_side=side,
        hill_text=hill_text,
        slug=lambda text: str(text).replace(" ", "-"),
        item_label=priority.item_label,
        bet_signal=priority.bet_signal,
    )
    folders = [d for d in (user_dir, templates_dir()) if d is not None]
    env.globals.update(
        sparkline=sparkline,
        hill_chart=hill_chart,
        ranked_bets=priority.ranked_bets,
        ranked_decisions=priority.ranked_decisions,
        decision_signal=priority.decision_signal,
        css=lambda name="report.css": _css(folders, name),
    )
    return env


def _compiled_templates() -> jinja2.BytecodeCache | None:
    """Jinja's cache of compiled templates (a private folder under the system's temporary
    one, checked to be the user's own): compiling the page's and the mail's templates takes
    about 0.3 s, loading them compiled about 5 ms. A template whose text changed is compiled
    again; without a usable folder, every run compiles."""
    try:
        return jinja2.FileSystemBytecodeCache()
    except (OSError, RuntimeError):
        return None


def safe_url(url: str | None) -> str | None:
    """Keep only http, https and mailto links; anything else (javascript:, data:) is dropped."""
    if url and url.strip().lower().startswith(_SAFE_SCHEMES):
        return url.strip()
    return None


def _css(folders: list[Path], name: str) -> Markup:
    # Inlined so the HTML file stands alone (and can become an email body later).
    for folder in folders:
        if (folder / name).is_file():
            return Markup((folder / name).read_text(encoding="utf-8"))
    raise InputError(f"{name}: stylesheet not found in {', '.join(map(str, folders))}")
