"""A table of contents whose entries are links, read as an outline.

Specifications made from HTML or Markdown (OASIS's newer ones, Pandoc, Prince) often carry no
bookmarks and print their contents as a bulleted list with no page numbers ("• 2.1 Definitions"),
each line a link to its heading. With no dot leaders there is nothing for the printed-contents
reader to calibrate, but the links themselves say where every clause starts: its page and its
position on the page, as exactly as a bookmark would.

One correction: LaTeX sets a heading's anchor before the heading, so a heading pushed to the
next page leaves its anchor at the foot of the page before (xacml40-core's 5.1.2 links to page 5,
y 45 from the bottom; its bookmark and heading are on page 6). An entry whose heading does not
start a line of its linked page but does of the next one is moved there."""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

from schemas.outline import OutlineEntry
from schemas.profile import ClauseIdPattern
from specmill.clause_ids import parse_heading, sort_key
from specmill.source.printed_toc import heading_starts_line

_SEARCH_PAGES = 40  # contents pages are at the front: at most this many, or a fifth of the document
_MIN_ENTRIES = 5
_IN_ORDER = 0.9  # share of consecutive entries whose ids and destinations ascend: a contents list, not an index
_BULLET = re.compile(r"^[\u2022\u00b7\u25aa\u25e6\u2023\u2013*-]\s*")
# A dot leader and the page number after it, when the linked contents prints them too.
_LEADER_AND_PAGE = re.compile(r"\s*(?:(?:\.\s*){3,}|(?:\s\.){2,}\s*|…+\s*)\s*\d{0,5}\s*$")


def _entry_text(text: str) -> str:
    return _LEADER_AND_PAGE.sub("", _BULLET.sub("", " ".join(text.split())))


def _internal_links(page) -> list[dict[str, Any]]:
    """The page's links that jump to a page of this document (GoTo and named destinations)."""
    return [link for link in page.get_links() if isinstance(link.get("page"), int) and link["page"] >= 0 and link.get("from") is not None]


def _ascending(values: list) -> bool:
    pairs = list(zip(values, values[1:]))
    return not pairs or sum(1 for a, b in pairs if b >= a) >= _IN_ORDER * len(pairs)


def outline_from_linked_contents(
    document, page_texts: Sequence[str], patterns: list[ClauseIdPattern], labels: list[str]
) -> list[OutlineEntry] | None:
    """The numbered entries of the front pages' contents links, each at its link's destination;
    None when there are fewer than five, or their ids or destinations do not ascend (a list of
    cross-references, an index)."""
    limit = min(document.page_count, max(_SEARCH_PAGES, document.page_count // 5))
    entries: list[OutlineEntry] = []
    seen: set[str] = set()
    for index in range(limit):
        page = document[index]
        for link in _internal_links(page):
            target = link["page"]
            heading = parse_heading(_entry_text(page.get_textbox(link["from"])), patterns)
            if heading is None or not heading.title or heading.clause_id in seen or target >= document.page_count:
                continue
            seen.add(heading.clause_id)
            point = link.get("to")
            if not heading_starts_line(page_texts[target], heading) and target + 1 < document.page_count and heading_starts_line(
                page_texts[target + 1], heading
            ):
                target, point = target + 1, None  # the anchor at the foot of the page before its heading
            entries.append(
                OutlineEntry(
                    clause_id=heading.clause_id, title=heading.title, level=heading.level, page=target,
                    page_label=labels[target] if target < len(labels) and labels[target] else None,
                    label=heading.label, y=round(float(point.y), 1) if point is not None else None,
                )
            )
    if len(entries) < _MIN_ENTRIES:
        return None
    if not _ascending([sort_key(entry.clause_id) for entry in entries]) or not _ascending([entry.page for entry in entries]):
        return None
    return entries
