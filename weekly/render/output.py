"""Write the week's page as HTML and a one-page PDF into a folder."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from weekly.files import temporary_beside, write_atomically
from weekly.model import Report
from weekly.paths import make_folder
from weekly.render.fit import PageView
from weekly.render.html import render_html
from weekly.render.pdf import fit_one_page, write_pdf

_SLUG_CHARS = 60  # file systems allow 255 bytes a name; keep room for the week and suffix


@dataclass(frozen=True)
class WrittenReport:
    html: Path
    pdf: Path
    view: PageView  # the fitted page: the e-mail shows the same

    @property
    def left_out(self) -> tuple[str, ...]:
        """What the fit summarised, to tell the PM."""
        return self.view.left_out


def write_report(
    report: Report, out_dir: Path, paper: str, template: Path | None = None
) -> WrittenReport:
    """Fit the report on one page, then write `<team>-weekly-<week>.html` and `.pdf`."""
    make_folder(out_dir)
    page = fit_one_page(report, paper, lambda view: render_html(view, template), out_dir)
    stem = f"{file_slug(report.team)}-weekly-{report.week}"
    html_path, pdf_path = out_dir / f"{stem}.html", out_dir / f"{stem}.pdf"
    write_atomically(html_path, page.html.encode("utf-8"))
    with temporary_beside(pdf_path) as tmp:
        write_pdf(page, tmp)
    return WrittenReport(html_path, pdf_path, page.view)


def file_slug(name: str) -> str:
    """A file-name-safe form of a team name; keeps letters of any script."""
    slug = re.sub(r"[^\w]+", "-", name.strip().lower()).strip("-")[:_SLUG_CHARS].strip("-")
    return slug or "team"
