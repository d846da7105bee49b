"""The report folder's log, `weekly.log`: what each run did, for the PM to read back.

Cron mails only what a job prints, and weekly prints nothing on success; this file is
where a quiet Friday leaves its trace. It rotates at 512 KB, keeping three old files,
so it never grows without bound.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Iterable
from logging.handlers import RotatingFileHandler
from pathlib import Path

from weekly.config import Config
from weekly.paths import ReportFiles

MAX_BYTES = 512 * 1024
KEEP = 3
_lock = threading.Lock()


def log(config: Config, lines: Iterable[str], level: int = logging.INFO) -> None:
    """Append lines to the config's weekly.log (best effort: a log never fails a run)."""
    try:
        logger = _logger(ReportFiles.of(config).log)
    except OSError:
        return
    for line in lines:
        logger.log(level, "%s: %s", config.report.team, line)


def _logger(path: Path) -> logging.Logger:
    name = f"weekly.log.{path.resolve()}"
    logger = logging.getLogger(name)
    with _lock:
        if not logger.handlers:
            path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
            handler = RotatingFileHandler(
                path, maxBytes=MAX_BYTES, backupCount=KEEP, encoding="utf-8"
            )
            handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(message)s"))
            logger.addHandler(handler)
            logger.setLevel(logging.INFO)
            logger.propagate = False  # to the file only; the terminal gets what the CLI prints
    return logger
