"""Page numbers for people.

The artifacts (JSON) hold 0-based PDF page indexes, as PyMuPDF and MinerU count. Whatever a person
reads (the UI's metadata and check evidence, report.md, findings.md, log lines) shows the 1-based
number a PDF viewer shows, under a name that says so (`pdf_page`), so that nobody has to know
which of the two a bare "page 6" meant.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

# The 0-based page fields of the contracts, and their names once 1-based.
PDF_PAGE_NAMES = {
    "page": "pdf_page",
    "first_page": "first_pdf_page",
    "last_page": "last_pdf_page",
    "outline_page": "outline_pdf_page",
    "heading_page": "heading_pdf_page",
    "found_page": "found_pdf_page",
    "span": "span_pdf_pages",  # MisplacedBlock: the clause's (first, last) pages
    "evidence_pages": "evidence_pdf_pages",
    "block_pages": "block_pdf_pages",
}


def pdf_page(index: int | None) -> int | None:
    """The page a viewer shows for a 0-based page index."""
    return None if index is None else index + 1


def pdf_pages(indexes: list[int] | tuple[int, ...]) -> list[int]:
    return [index + 1 for index in indexes]


def for_people(record: Mapping[str, Any]) -> dict[str, Any]:
    """`record` (a contract's model_dump) with its 0-based page fields as 1-based PDF page
    numbers, renamed to say so; every other field as it is, in the same order."""
    shown: dict[str, Any] = {}
    for key, value in record.items():
        if key in PDF_PAGE_NAMES and (value is None or isinstance(value, int)):
            shown[PDF_PAGE_NAMES[key]] = pdf_page(value)
        elif key in PDF_PAGE_NAMES and isinstance(value, (list, tuple)) and all(isinstance(item, int) for item in value):
            shown[PDF_PAGE_NAMES[key]] = pdf_pages(value)
        else:
            shown[key] = value
    return shown
