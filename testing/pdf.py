"""Reading a written PDF back, as a reader would see it."""

from __future__ import annotations

from pathlib import Path

from pypdf import PdfReader


def pdf_pages(path: Path) -> list[str]:
    """The text of each page of a PDF."""
    return [page.extract_text() for page in PdfReader(path).pages]


def pdf_size_pt(path: Path) -> tuple[float, float]:
    """The first page's width and height in points."""
    box = PdfReader(path).pages[0].mediabox
    return round(float(box.width)), round(float(box.height))
