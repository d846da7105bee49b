"""Write the week's page as HTML and a one-page PDF into a folder."""

from __future__ import annotations

import os
import re
import tempfile
from dataclasses import dataclass
from pathlib import Path

from weekly.errors import RenderError
from weekly.model import Report
from weekly.render.html import render_html
from weekly.render.pdf import fit_one_page, write_pdf


@dataclass(frozen=True)
class WrittenReport:
    html: Path
    pdf: Path
    left_out: tuple[str, ...]  # what the fit summarised, to tell the PM


def write_report(
    report: Report, out_dir: Path, paper: str, template: Path | None = None
) -> WrittenReport:
    """Fit the report on one page, then write `<team>-weekly-<week>.html` and `.pdf`."""
    try:
        out_dir.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise RenderError(f"{out_dir}: cannot create the report folder: {exc.strerror}") from None
    page = fit_one_page(report, paper, lambda view: render_html(view, template), out_dir)
    stem = f"{file_slug(report.team)}-weekly-{report.week}"
    html_path, pdf_path = out_dir / f"{stem}.html", out_dir / f"{stem}.pdf"
    _write_atomically(html_path, page.html.encode("utf-8"))
    with _temporary_beside(pdf_path) as tmp:
        write_pdf(page, tmp)
    return WrittenReport(html_path, pdf_path, page.view.left_out)


def file_slug(name: str) -> str:
    """A file-name-safe form of a team name; keeps letters of any script."""
    slug = re.sub(r"[^\w]+", "-", name.strip().lower()).strip("-")
    return slug or "team"


def _write_atomically(path: Path, data: bytes) -> None:
    with _temporary_beside(path) as tmp:
        tmp.write_bytes(data)


class _temporary_beside:  # lower case: used as a context manager, reads like one
    """A temporary file in the target's folder, renamed onto the target on success."""

    def __init__(self, target: Path) -> None:
        self.target = target

    def __enter__(self) -> Path:
        try:
            fd, name = tempfile.mkstemp(dir=self.target.parent, prefix=f".{self.target.name}.")
        except OSError as exc:
            raise RenderError(f"{self.target.parent}: cannot write: {exc.strerror}") from None
        os.close(fd)
        self.tmp = Path(name)
        return self.tmp

    def __exit__(self, kind: object, *_: object) -> None:
        if kind is None:
            os.replace(self.tmp, self.target)
        else:
            self.tmp.unlink(missing_ok=True)
