"""The readers' language: gettext catalogs for every word weekly writes for them, and Babel
for dates and numbers in the locale's form.

The language is the report's (`report.language`). Rendering sets it for its thread with
`speaking(language)`; `_`, `ngettext` and the date functions read it. Outside, the words
are English: messages to the person at the terminal stay English.

Catalogs are `weekly/locale/<locale>/LC_MESSAGES/weekly.po`, compiled to `.mo` when the
package is built or installed (`hatch_build.py`); a checkout without the compiled file
reads the `.po` itself. The README says how to extract, update and compile them.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import gettext
import io
from collections.abc import Iterator
from contextvars import ContextVar
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from babel import Locale
from babel.dates import format_date

DOMAIN = "weekly"
LOCALE_DIR = Path(__file__).resolve().parent / "locale"
# report.language -> Babel's locale name (the catalog's folder).
LANGUAGES = {"en": "en", "zh-CN": "zh_CN"}


@dataclass(frozen=True)
class Language:
    code: str  # as the config and HTML's lang say it: "en", "zh-CN"
    locale: Locale
    translations: gettext.NullTranslations

    @property
    def is_cjk(self) -> bool:
        return self.locale.language in {"zh", "ja", "ko"}


@cache
def language(code: str) -> Language:
    name = LANGUAGES[code]
    return Language(code, Locale.parse(name), _translations(name))


def _translations(name: str) -> gettext.NullTranslations:
    folder = LOCALE_DIR / name / "LC_MESSAGES"
    mo, po = folder / f"{DOMAIN}.mo", folder / f"{DOMAIN}.po"
    if mo.is_file() and (not po.is_file() or mo.stat().st_mtime >= po.stat().st_mtime):
        with mo.open("rb") as file:
            return gettext.GNUTranslations(file)
    if po.is_file():  # a checkout not yet built: compile in memory
        from babel.messages.mofile import write_mo
        from babel.messages.pofile import read_po

        with po.open("rb") as file:
            catalog = read_po(file, locale=name)
        buffer = io.BytesIO()
        write_mo(buffer, catalog)
        buffer.seek(0)
        return gettext.GNUTranslations(buffer)
    return gettext.NullTranslations()  # English: the source text is the text


_current: ContextVar[Language | None] = ContextVar("weekly_language", default=None)


@contextlib.contextmanager
def speaking(code: str) -> Iterator[Language]:
    """Write for readers in `code` within the block (this thread or task only)."""
    token = _current.set(language(code))
    try:
        yield language(code)
    finally:
        _current.reset(token)


def current() -> Language:
    return _current.get() or language("en")


def _(message: str) -> str:
    return current().translations.gettext(message)


def ngettext(singular: str, plural: str, count: int) -> str:
    """The form of `singular`/`plural` for `count`, by the language's plural rules;
    `%(num)d` in it becomes the count."""
    return current().translations.ngettext(singular, plural, count) % {"num": count}


def day_text(value: dt.date, with_year: bool) -> str:
    """A date as people say it: `Fri 4 Dec`, `12月4日 周五`; with the year where asked."""
    # Translators: a date, in Unicode date-pattern letters (EEE weekday, d day, MMM month).
    pattern = _("EEE d MMM yyyy") if with_year else _("EEE d MMM")
    return format_date(value, pattern, locale=current().locale)


def N_(message: str) -> str:
    """Marks `message` for the catalog; translated where it is shown."""
    return message


# The model's values as readers see them (statuses, confidence, a source's state, how a
# metric's week is counted), each marked for the catalog.
_WORDS = {
    "on track": N_("on track"),
    "at risk": N_("at risk"),
    "off track": N_("off track"),
    "done": N_("done"),
    "high": N_("high"),
    "medium": N_("medium"),
    "low": N_("low"),
    "open": N_("open"),
    "decided": N_("decided"),
    "ok": N_("ok"),
    "failed": N_("failed"),
    "stale": N_("stale"),
    "last": N_("last of week"),
    "sum": N_("sum of week"),
    "mean": N_("mean of week"),
}


def word(value: object) -> str:
    """A model value (a status, a confidence, a source's state…) in the readers' words."""
    text = str(value)
    return _(_WORDS.get(text, text))


def week_name(week: object) -> str:
    """An ISO week as the readers name it: `2026-W48`, `2026年第48周`."""
    year, number = getattr(week, "year", None), getattr(week, "week", None)
    if year is None or number is None:
        return str(week)
    return _("%(year)d-W%(week)02d") % {"year": year, "week": number}
