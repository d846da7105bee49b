"""The page as HTML, through an autoescaped Jinja2 template (the default, or the user's own)."""

from __future__ import annotations

from functools import cache
from pathlib import Path

import jinja2
from markupsafe import Markup

from weekly.render import format as fmt
from weekly.render.fit import PageView
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
    return env.get_template(template.name if template else DEFAULT_TEMPLATE).render(
        page=view, report=view.report
    )


@cache
def _environment(user_dir: Path | None) -> jinja2.Environment:
    search = [str(templates_dir())]
    if user_dir is not None:
        search.insert(0, str(user_dir))
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(search),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters.update(
        number=fmt.number,
        change=fmt.change,
        change_class=fmt.change_class,
        day=fmt.day,
        plural=fmt.plural,
        safe_url=safe_url,
        slug=lambda text: str(text).replace(" ", "-"),
    )
    env.globals.update(sparkline=sparkline, css=_css)
    return env


def safe_url(url: str | None) -> str | None:
    """Keep only http, https and mailto links; anything else (javascript:, data:) is dropped."""
    if url and url.strip().lower().startswith(_SAFE_SCHEMES):
        return url.strip()
    return None


def _css(name: str = "report.css") -> Markup:
    # Inlined so the HTML file stands alone (and can become an email body later).
    return Markup((templates_dir() / name).read_text(encoding="utf-8"))
