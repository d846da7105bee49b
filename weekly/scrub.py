"""One scrubber at the boundary: every text a source or server hands back loses every
configured secret before anything logs, stores, renders or mails it.

Some proxies and misconfigured sites echo the request's token in an error body; a source's
failure reason, a title or a note could then carry it to the draft, the facts, the history,
the page and the executives' mail. The pipeline scrubs each source's result as it arrives
(the secrets listed by weekly.pipeline.secrets), and `weekly doctor` and the SMTP errors
use the same function.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Mapping
from typing import Any, TypeVar

# Shorter values are not scrubbed: "x" would mangle every word with an x, and no token or
# password a server accepts is that short.
MIN_SCRUBBED_SECRET = 8
MASK = "***"
T = TypeVar("T")


def secret_values(env: Mapping[str, str], names: Iterable[str]) -> tuple[str, ...]:
    """The values of the environment variables `names`, as set and without their
    surrounding whitespace, longest first (so no part of one is left)."""
    values = {v for name in names for v in (env.get(name, ""), env.get(name, "").strip())}
    kept = [v for v in values if len(v) >= MIN_SCRUBBED_SECRET]
    return tuple(sorted(kept, key=len, reverse=True))


_TOLD: set[str] = set()  # the variables already warned about in this process


def secret_from(env: Mapping[str, str], name: str) -> str | None:
    """The secret in environment variable `name`, without the spaces or line break a shell
    or a secrets file may have left around it (told once, on stderr); None when unset."""
    raw = env.get(name)
    if raw is None:
        return None
    value = raw.strip()
    if value != raw and name not in _TOLD:
        _TOLD.add(name)
        import click  # the CLI's own output channel, as every warning

        click.echo(
            f"weekly: warning: {name} has spaces or a line break around its value; weekly "
            "ignores them, but remove them where the variable is set",
            err=True,
        )
    return value or None


def scrub_text(text: str, secrets: tuple[str, ...]) -> str:
    for secret in secrets:
        text = text.replace(secret, MASK)
    return text


def scrub(value: T, secrets: tuple[str, ...]) -> T:
    """`value` with every string inside it scrubbed: frozen dataclasses, tuples, strings."""
    if not secrets:
        return value
    return _scrubbed(value, secrets)  # type: ignore[no-any-return]


def _scrubbed(value: Any, secrets: tuple[str, ...]) -> Any:
    if type(value) is str:  # not a StrEnum: a status word stays what it is
        return scrub_text(value, secrets)
    if isinstance(value, tuple | list):
        return type(value)(_scrubbed(v, secrets) for v in value)
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        changes = {
            f.name: _scrubbed(getattr(value, f.name), secrets) for f in dataclasses.fields(value)
        }
        return dataclasses.replace(value, **changes)
    return value
