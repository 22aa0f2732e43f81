"""The printed table of contents of a PDF without bookmarks, read as an outline.

A contents page lists every clause with its printed page number after a dot leader
("6.1 Processing for XML Signature Verification ........ 127"), often over several pages, with a
top-level clause's number alone on the line before its title. That list is the author's own
statement of the clause structure: far more complete than headings guessed from font sizes, and it
never takes a numbered list item for a heading.

Printed page numbers become PDF pages through one offset, calibrated on the document itself: the
offset at which most listed headings are found at the start of a line of their page. An entry
whose heading sits a page off (a heading at the foot of the page before) is moved to where it is."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Sequence
from functools import lru_cache

from schemas.outline import OutlineEntry
from schemas.profile import ClauseIdPattern
from specmill.clause_ids import ParsedHeading, parse_heading, sort_key
from specmill.titles import compact

# "Title ........ 127", "Title . . . . 127", "Title . . 174" (a long title leaves room for two), "Title …… 127"
# A dot leader: "........", ". . . .", "……" (also read by the contents-links reader).
LEADER = r"(?:(?:\.\s*){3,}|(?:\s\.){2,}\s*|…+\s*)"
_LEADER_LINE = re.compile(rf"^(?P<head>.*?\S)\s*{LEADER}\s*(?P<page>\d{{1,5}})\s*$")
# A clause number at the start of a line: "7", "7.1", "A.2", "Annex B", "Appendix C" (not "GNU", "MCE").
_STARTS_WITH_ID = re.compile(r"^(?:(?:Annex|Appendix|Chapter)\s+[A-Z0-9]+|\d+(?:\.\d+)*|[A-Z](?:\.\d+)+)\.?(?:\s|$)")
_WRAPPED_LINES = 3  # a title wraps over at most this many lines before its leader
_MIN_ENTRIES = 5
_SEARCH_PAGES = 40  # contents pages are at the front: at most this many, or a fifth of the document
_MAX_OFFSET = 60  # front matter before printed page 1
_PREFIX_CHARS = 24


def toc_lines(page_text: str) -> list[str]:
    """The page's lines, with an entry that wraps joined into one line: a clause number alone on
    its line, or a long title, continued by the lines up to the one with the leader."""
    joined: list[str] = []
    pending: list[str] = []  # the start of an entry whose leader line has not come yet
    for line in (line.strip() for line in page_text.split("\n")):
        if not line:
            continue
        if _LEADER_LINE.match(line):
            if pending and not _STARTS_WITH_ID.match(line):
                line = " ".join([*pending, line])
            else:
                joined.extend(pending)
            joined.append(line)
            pending = []
        elif _STARTS_WITH_ID.match(line):
            joined.extend(pending)
            pending = [line]
        elif pending and len(pending) < _WRAPPED_LINES:
            pending.append(line)
        else:
            joined.extend(pending)
            joined.append(line)
            pending = []
    return joined + pending


def _search_limit(page_texts: Sequence[str], before: int | None) -> int:
    """How many front pages may hold the contents: at most 40 or a fifth of the document, and
    none from `before` on (where a bookmarked document's first clause starts)."""
    limit = min(len(page_texts), max(_SEARCH_PAGES, len(page_texts) // 5))
    return limit if before is None else min(limit, before + 1)


def read_toc_entries(page_texts: Sequence[str], patterns: list[ClauseIdPattern], before: int | None = None) -> list[tuple[int, OutlineEntry]]:
    """(printed page, entry) for every numbered contents line of the front pages, in order."""
    limit = _search_limit(page_texts, before)
    found: list[tuple[int, OutlineEntry]] = []
    seen: set[str] = set()
    for page in range(limit):
        for line in toc_lines(page_texts[page]):
            match = _LEADER_LINE.match(line)
            if match is None:
                continue
            heading = parse_heading(" ".join(match.group("head").split()), patterns)
            if heading is None or not heading.title or heading.clause_id in seen:
                continue
            seen.add(heading.clause_id)
            found.append(
                (int(match.group("page")), OutlineEntry(
                    clause_id=heading.clause_id, title=heading.title, level=heading.level, page=None, label=heading.label,
                ))
            )
    return found


def heading_starts_line(page_text: str, entry: OutlineEntry | ParsedHeading) -> bool:
    """The page holds a line that starts with the entry's number and title (its heading)."""
    wanted = compact(f"{entry.clause_id} {entry.title}")[: _PREFIX_CHARS]
    return any(line.startswith(wanted) for line in _compact_lines(page_text))


@lru_cache(maxsize=128)
def _compact_lines(page_text: str) -> tuple[str, ...]:
    """The page's non-blank lines, compacted; calibration asks about each page for many entries."""
    return tuple(compact(line) for line in page_text.split("\n") if line.strip())


def _calibrated_offset(entries: list[tuple[int, OutlineEntry]], page_texts: Sequence[str], first_body_page: int) -> int | None:
    votes: Counter[int] = Counter()
    sample = entries[:: max(1, len(entries) // 40)]  # 40 entries decide; a 5,000-page contents is long
    for printed, entry in sample:
        for offset in range(-5, _MAX_OFFSET):
            page = printed + offset
            if first_body_page <= page < len(page_texts) and heading_starts_line(page_texts[page], entry):
                votes[offset] += 1
    if not votes:
        return None
    offset, count = votes.most_common(1)[0]
    return offset if count * 3 >= len(sample) else None


def outline_from_printed_toc(
    page_texts: Sequence[str], patterns: list[ClauseIdPattern], labels: list[str], before: int | None = None
) -> list[OutlineEntry] | None:
    """The clauses of the printed contents with their PDF pages; None when the document prints
    no usable contents (too few entries, or no offset at which the headings are found). With
    `before`, the contents are looked for only on the pages up to that one."""
    entries = read_toc_entries(page_texts, patterns, before)
    if len(entries) < _MIN_ENTRIES:
        return None
    ascending = sum(1 for (_, a), (_, b) in zip(entries, entries[1:]) if sort_key(b.clause_id) > sort_key(a.clause_id))
    if ascending < 0.9 * (len(entries) - 1):
        return None  # not a contents list: numbers out of order (a list of figures, an index)
    last_toc_page = 0
    for page in range(_search_limit(page_texts, before)):
        if sum(1 for line in toc_lines(page_texts[page]) if _LEADER_LINE.match(line)) >= 3:
            last_toc_page = page
    offset = _calibrated_offset(entries, page_texts, last_toc_page + 1)
    if offset is None:
        return None
    outline = []
    for printed, entry in entries:
        page = min(max(printed + offset, last_toc_page + 1), len(page_texts) - 1)
        for nearby in (page, page + 1, page - 1):
            if last_toc_page < nearby < len(page_texts) and heading_starts_line(page_texts[nearby], entry):
                page = nearby
                break
        label = labels[page] if 0 <= page < len(labels) and labels[page] else None
        outline.append(entry.model_copy(update={"page": page, "page_label": label}))
    return outline
