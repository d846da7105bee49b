"""Writing files so that nobody ever sees one half-written: a temporary file, then a rename."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from weekly.errors import RenderError


def write_atomically(path: Path, data: bytes) -> None:
    with temporary_beside(path) as tmp:
        tmp.write_bytes(data)


@contextmanager
def temporary_beside(target: Path) -> Iterator[Path]:
    """A temporary file in the target's folder, renamed onto the target only on success."""
    try:
        target.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        fd, name = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.")
    except OSError as exc:
        raise RenderError(f"{target.parent}: cannot write: {exc.strerror}") from None
    os.close(fd)
    tmp = Path(name)
    try:
        yield tmp
        os.replace(tmp, target)
    finally:
        tmp.unlink(missing_ok=True)
