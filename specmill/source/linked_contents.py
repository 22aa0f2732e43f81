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
from specmill.clause_ids import longest_ascending, parse_heading
from specmill.source.printed_toc import LEADER, heading_starts_line

_SEARCH_PAGES = 40  # contents pages are at the front: at most this many, or a fifth of the document
_MIN_ENTRIES = 5
_PAGES_PAST_CONTENTS = 2  # pages in a row without an entry after the contents began: they have ended
_IN_ORDER = 0.9  # share of consecutive entries whose ids and destinations ascend: a contents list, not an index
_BULLET = re.compile(r"^[\u2022\u00b7\u25aa\u25e6\u2023\u2013*-]\s*")
# A dot leader and the page number after it, when the linked contents prints them too.
_LEADER_AND_PAGE = re.compile(rf"\s*{LEADER}\s*\d{{0,5}}\s*$")


def _entry_text(text: str) -> str:
    return _LEADER_AND_PAGE.sub("", _BULLET.sub("", " ".join(text.split())))


def _internal_links(page) -> list[dict[str, Any]]:
    """The page's links that jump to a page of this document (GoTo and named destinations), in
    reading order (a PDF may list its link annotations in any order)."""
    links = [link for link in page.get_links() if isinstance(link.get("page"), int) and link["page"] >= 0 and link.get("from") is not None]
    return sorted(links, key=lambda link: (round(link["from"].y0), link["from"].x0))


def _ascending(values: list) -> bool:
    pairs = list(zip(values, values[1:]))
    return not pairs or sum(1 for a, b in pairs if b >= a) >= _IN_ORDER * len(pairs)


def _link_texts(page, links: list[dict[str, Any]]) -> list[tuple[str, list[str]]]:
    """(the words under the link, the one or two words printed just before it on its line) for
    each link, from one word list of the page (`get_textbox` per link reads the whole page each
    time: a minute for lwarp-manual's front pages). The words before matter where only the title
    is linked and its number is printed left of it ("5.8 [Using latexmk] . . . 55")."""
    words = page.get_text("words")
    texts = []
    for link in links:
        rect = link["from"]
        inside = [w for w in words if rect.x0 <= (w[0] + w[2]) / 2 <= rect.x1 and rect.y0 <= (w[1] + w[3]) / 2 <= rect.y1]
        first = min(inside, key=lambda w: (w[1], w[0]), default=None)
        before = sorted(
            (w for w in words if first is not None and w[2] <= first[0] and abs((w[1] + w[3]) / 2 - (first[1] + first[3]) / 2) < 2),
            key=lambda w: w[0],
        )[-2:]
        texts.append((" ".join(w[4] for w in inside), [w[4] for w in before]))
    return texts


def outline_from_linked_contents(
    document, page_texts: Sequence[str], patterns: list[ClauseIdPattern], labels: list[str]
) -> list[OutlineEntry] | None:
    """The numbered entries of the front pages' contents links, each at its link's destination,
    in ascending order; None when there are fewer than five, or a tenth of them or more are out of
    order, or their destinations do not ascend (a list of cross-references, an index). The
    contents end where two pages in a row add no entry."""
    limit = min(document.page_count, max(_SEARCH_PAGES, document.page_count // 5))
    entries: list[OutlineEntry] = []
    seen: set[str] = set()
    pages_without = 0
    for index in range(limit):
        page = document[index]
        links = _internal_links(page)
        before = len(entries)
        for link, (text, before) in zip(links, _link_texts(page, links) if links else []):
            target = link["page"]
            heading = parse_heading(_entry_text(text), patterns) or next(
                (found for count in (1, 2) if len(before) >= count
                 and (found := parse_heading(_entry_text(" ".join([*before[-count:], text])), patterns)) is not None),
                None,
            )
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
        pages_without = pages_without + 1 if len(entries) == before else 0
        if entries and pages_without >= _PAGES_PAST_CONTENTS:
            break
    in_order = longest_ascending(entries)  # without references linked in the text after the contents
    if len(in_order) < _MIN_ENTRIES or len(in_order) < _IN_ORDER * len(entries) or not _ascending([entry.page for entry in in_order]):
        return None
    return in_order
