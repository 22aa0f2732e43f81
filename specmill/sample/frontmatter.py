"""Cover and printed table of contents (roman-numbered front matter)."""

from __future__ import annotations

import math
from dataclasses import dataclass

from specmill.sample.layout import (
    BODY_BOTTOM,
    BODY_FONT,
    BODY_TOP,
    BOLD_FONT,
    MARGIN_X,
    PAGE_HEIGHT,
    TEXT_WIDTH,
    Page,
    PendingLink,
    centered_text,
    text_op,
    text_width,
)

TOC_SIZE, TOC_LEADING = 9.5, 12.5
TOC_TITLE_SPACE = 34.0
TOC_LINES_PER_PAGE = int((BODY_TOP - BODY_BOTTOM - TOC_TITLE_SPACE) // TOC_LEADING)
DOCUMENT_TITLE = "Specmill Sample Specification"


@dataclass(frozen=True)
class TocEntry:
    clause_id: str
    heading: str
    level: int
    printed_page: int


def toc_pages_for(entries: int) -> int:
    return max(1, math.ceil(entries / TOC_LINES_PER_PAGE))


def cover_page(pages: int, seed: int) -> Page:
    page = Page(header=None)
    page.ops.append(centered_text(DOCUMENT_TITLE, BOLD_FONT, 24, PAGE_HEIGHT - 260))
    page.ops.append(centered_text("Markup Vocabulary and Processing Rules", BODY_FONT, 15, PAGE_HEIGHT - 292))
    page.ops.append(centered_text("First Edition", BODY_FONT, 12, PAGE_HEIGHT - 340))
    page.ops.append(centered_text(f"Generated document: {pages} pages, seed {seed}", BODY_FONT, 10, 160))
    page.ops.append(centered_text("All text in this document is machine-generated test material.", BODY_FONT, 10, 144))
    return page


def toc_pages(entries: list[TocEntry], page_count: int) -> list[Page]:
    """Exactly `page_count` pages; the deepest levels are left out when everything does not fit."""
    shown = entries
    depth = max(entry.level for entry in entries)
    while len(shown) > page_count * TOC_LINES_PER_PAGE:
        depth -= 1
        if depth < 1:
            raise ValueError(f"the top-level entries do not fit on {page_count} contents pages")
        shown = [entry for entry in entries if entry.level <= depth]
    per_page = math.ceil(len(shown) / page_count)
    pages = []
    for index in range(page_count):
        page = Page(header=None)
        y = BODY_TOP
        if index == 0:
            page.ops.append(text_op("Contents", BOLD_FONT, 15, MARGIN_X, y - 15))
        y -= TOC_TITLE_SPACE
        for entry in shown[index * per_page : (index + 1) * per_page]:
            baseline = y - TOC_SIZE
            page.ops.append(_toc_line(entry, baseline))
            page.links.append(PendingLink((MARGIN_X, baseline - 3, MARGIN_X + TEXT_WIDTH, baseline + TOC_SIZE), entry.clause_id))
            y -= TOC_LEADING
        pages.append(page)
    return pages


def _toc_line(entry: TocEntry, baseline: float) -> str:
    font = BOLD_FONT if entry.level == 1 else BODY_FONT
    x = MARGIN_X + (entry.level - 1) * 12.0
    number = str(entry.printed_page)
    right = MARGIN_X + TEXT_WIDTH
    number_x = right - text_width(number, BODY_FONT, TOC_SIZE)
    text_end = x + text_width(entry.heading, font, TOC_SIZE)
    dot = text_width(".", BODY_FONT, TOC_SIZE)
    dots = max(0, int((number_x - text_end - 8.0) // dot))
    return (
        text_op(entry.heading, font, TOC_SIZE, x, baseline)
        + text_op("." * dots, BODY_FONT, TOC_SIZE, number_x - 4.0 - dots * dot, baseline)
        + text_op(number, BODY_FONT, TOC_SIZE, number_x, baseline)
    )
