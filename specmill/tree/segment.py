"""Segmentation: one forward walk over the document's blocks against the cleaned outline.

A block opens a section only when it matches the *next expected* outline clause, or a near
successor: its leading clause id must be that clause's id and the rest must resemble the
clause's title, on a page no earlier than the bookmark's (and at most `page_slack` later).
Everything that merely looks like a heading cannot open a section this way: a running header
repeating a heading, a table-of-contents line, a numbered list item, a line-number gutter
("12 13 14"), an informative sentence that MinerU gave a text_level.

A heading that arrived as two blocks (the id, then the title; or a title cut in two) is joined.
Page furniture is dropped: typed header/footer/page_number/aside_text blocks, plain text
blocks that are line-number gutters or bare numbers, short texts repeated at the page edge on
many pages, and repeats of a heading already opened. Blocks before the first clause form the
front-matter section.
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter, defaultdict
from collections.abc import Callable
from dataclasses import dataclass

from rapidfuzz import fuzz

from schemas.blocks import FURNITURE_BLOCK_TYPES, Block
from schemas.outline import OutlineEntry
from schemas.profile import ClauseIdPattern, OutlineRules
from schemas.tree import (
    FRONT_MATTER_KEY,
    ClauseTree,
    MatchedClause,
    MisplacedBlock,
    MissedClause,
    OutOfOrderClause,
    Section,
    SegmentationReport,
    SegmentationRules,
)
from specmill.clause_ids import parse_heading
from specmill.tree.inline_headings import split_buried_headings, split_code_headings, split_inline_headings
from specmill.titles import LOST_WORDS, compact, holds_title_words

FRONT_MATTER_TITLE = "Front matter"
_HEADING_MAX_CHARS = 400  # a block longer than this is prose, even if it starts with a number
_IMAGE_ONLY_TYPES = frozenset({"equation", "image"})
_NUMBERS_ONLY = re.compile(r"^\d+(?:\s+\d+)*$")
# What may stand before a clause number without being part of it: a margin line number the parser
# ran into the heading ("222 1 Introduction", documents that number every printed line), or the
# section sign of a manual that prints "§ 193.1" for its section 193.1.
_LEADING_NOISE = re.compile(r"^(?:\d{1,5}\s+(?=\S)|§+\s*(?=\d))")
_DIGITS = re.compile(r"\d+")
_SPACES = re.compile(r"\s+")
_INLINE_MARKUP = re.compile(r"</?(?:b|strong|em|i|u|s|span|sup|sub)\b[^>]*>|\*{1,3}|_{2,3}", re.IGNORECASE)


def plain_heading_text(text: str) -> str:
    """A heading candidate without inline emphasis: MinerU 4 writes '**2 What is a Code List?**'.
    Runs on every text block, so the markup pattern only runs where markup can be."""
    if "<" in text or "*" in text or "_" in text:
        text = _INLINE_MARKUP.sub("", text)
    return " ".join(text.split())


def title_similarity(a: str, b: str) -> float:
    return fuzz.ratio(compact(a), compact(b))


def slugify_key(title: str) -> str:
    words = re.findall(r"\w+", unicodedata.normalize("NFKC", title).lower())
    return "-".join(words)[:60] or "untitled"


def is_gutter(text: str) -> bool:
    """'1 2 3 4', '12 13 14', or a lone number: line numbers or a page number typed as text."""
    stripped = text.strip()
    if not _NUMBERS_ONLY.match(stripped):
        return False
    numbers = [int(token) for token in stripped.split()]
    if len(numbers) == 1:
        return True
    increasing = sum(1 for a, b in zip(numbers, numbers[1:]) if b > a)
    return increasing >= (len(numbers) - 1) * 0.8


def _running_key(text: str) -> str:
    return _SPACES.sub(" ", _DIGITS.sub("#", text.casefold())).strip()


def find_running_texts(blocks: list[Block], rules: SegmentationRules) -> set[str]:
    """Keys (see _running_key) of short plain texts that sit at a page edge on many pages."""
    first_on_page: dict[int, int] = {}
    last_on_page: dict[int, int] = {}
    for index, block in enumerate(blocks):
        if block.type in FURNITURE_BLOCK_TYPES:
            continue
        first_on_page.setdefault(block.page, index)
        last_on_page[block.page] = index
    top = rules.page_edge * 1000
    bottom = (1 - rules.page_edge) * 1000
    pages_by_key: dict[str, set[int]] = defaultdict(set)
    for index, block in enumerate(blocks):
        if block.type != "text" or not block.text.strip() or len(block.text) > rules.running_text_max_chars:
            continue
        if block.bbox is not None:
            at_edge = block.bbox[3] <= top or block.bbox[1] >= bottom
        else:
            at_edge = index in (first_on_page.get(block.page), last_on_page.get(block.page))
        if at_edge:
            pages_by_key[_running_key(block.text)].add(block.page)
    return {key for key, pages in pages_by_key.items() if len(pages) >= rules.running_text_min_pages}


# Page furniture that may still be a clause heading: MinerU flash types a heading at the very top
# or foot of a page as a header or footer ("§ 1106 Belastung eines Bruchteils" as the last line).
_HEADING_FURNITURE = frozenset({"header", "footer"})
_PROSE_MIN_WORDS = 8  # a header or footer this long, mostly lowercase words, is a sentence


def _repeated_furniture(blocks: list[Block], rules: SegmentationRules) -> set[str]:
    """Keys of header/footer texts printed on many pages: running titles, never a heading."""
    pages_by_key: dict[str, set[int]] = defaultdict(set)
    for block in blocks:
        if block.type in _HEADING_FURNITURE and block.text.strip():
            pages_by_key[_running_key(block.text)].add(block.page)
    return {key for key, pages in pages_by_key.items() if len(pages) >= rules.running_text_min_pages}


@dataclass
class _HeadingMatch:
    entry_index: int
    consumed: int  # blocks that made up the heading (2 when repaired)
    repaired: bool
    keep: Block | None  # what MinerU glued to the heading (a first sentence, the rest of a block): content


@dataclass
class _HeadingCandidate:
    text: str
    rest: Block | None  # the block without its first line, when the heading was that line


class _Walk:
    """State of the forward walk. One instance per segment_blocks call."""

    def __init__(
        self,
        blocks: list[Block],
        entries: list[OutlineEntry],
        rules: SegmentationRules,
        patterns: list[ClauseIdPattern],
        recover_text: Callable[[Block], str | None] | None,
    ):
        self.blocks = blocks
        self.recover_text = recover_text
        self.entries = entries
        self.rules = rules
        self.patterns = patterns
        self.compact_titles = [compact(entry.title) for entry in entries]
        self.index_by_id = {entry.clause_id: i for i, entry in enumerate(entries) if entry.clause_id}
        self.running = find_running_texts(blocks, rules)
        self.repeated_furniture = _repeated_furniture(blocks, rules)
        self.dropped: Counter[str] = Counter()
        self.running_seen: dict[str, None] = {}
        self.opened_headings: dict[str, int] = {}
        self.matched: dict[int, MatchedClause] = {}
        self.missed: dict[int, None] = {}
        self.out_of_order: list[tuple[int, int, str]] = []  # (entry index, page found, section it is in)

    # -- matching ---------------------------------------------------------------------------

    def _next_content_text(self, index: int) -> str | None:
        for block in self.blocks[index + 1 : index + 4]:
            if block.type in FURNITURE_BLOCK_TYPES:
                continue
            if block.type == "text" and block.text.strip() and len(block.text) <= _HEADING_MAX_CHARS:
                return block.text
            return None
        return None

    def _title_match(self, rest: str, entry_index: int, index: int) -> tuple[int, bool, str] | None:
        """Compare the text after the id with the outline title: (blocks consumed, repaired, extra text)."""
        threshold = self.rules.title_similarity
        title = self.compact_titles[entry_index]
        rest_compact = compact(rest)
        if not title:
            return (1, False, "") if not rest_compact else None
        if rest_compact and fuzz.ratio(rest_compact, title) >= threshold:
            return 1, False, ""
        if title.startswith(rest_compact) or fuzz.ratio(rest_compact, title[: len(rest_compact)]) >= 95 and len(rest_compact) < len(title):
            # "17.4.37" + "tbl (Table)", or "17.4.37 tbl" + "(Table)": the heading was split.
            following = self._next_content_text(index)
            if following is not None and (
                fuzz.ratio(rest_compact + compact(following), title) >= threshold
                or holds_title_words(f"{rest} {following}", self.entries[entry_index].title)
            ):
                return 2, True, ""
        if len(rest_compact) > len(title) and fuzz.ratio(rest_compact[: len(title)], title) >= max(threshold, 90):
            # Heading and the first sentence in one block: keep the sentence as content.
            return 1, False, _after_compact_prefix(rest, len(title))
        if holds_title_words(rest, self.entries[entry_index].title):
            return 1, False, ""
        # A word or two the bookmark lost before its title, then the first sentence in the same block:
        # "§ 700 Package common-mathjax-overlaysymbols Common code used by..." for bookmark "common-…".
        words = rest.split() if len(title) >= _MIN_TITLE_AFTER_LOST_WORDS else []
        for lost in range(1, LOST_WORDS + 1):
            after_lost = " ".join(words[lost:])
            after_compact = compact(after_lost)
            if len(after_compact) >= len(title) and fuzz.ratio(after_compact[: len(title)], title) >= max(threshold, 90):
                return 1, False, _after_compact_prefix(after_lost, len(title))
        return None

    def heading_candidate(self, block: Block) -> _HeadingCandidate | None:
        """What in this block could be a heading.

        A text block: its text. An image-only block (MinerU flash turns some headings into
        equation images): the PDF's text under its bbox, when a recoverer was given. A block
        whose text MinerU misfiled (a "table" whose body is prose, a code block): its first
        line, the rest staying content."""
        if block.type == "text" or block.type in _HEADING_FURNITURE:
            text = plain_heading_text(block.text)
            return _HeadingCandidate(text, None) if text and len(text) <= _HEADING_MAX_CHARS else None
        if block.type in _IMAGE_ONLY_TYPES and not block.text.strip():
            if self.recover_text is None or not block.bbox:
                return None
            recovered = (self.recover_text(block) or "").strip()
            return _HeadingCandidate(recovered, None) if recovered and len(recovered) <= _HEADING_MAX_CHARS else None
        body = block.code_body if block.type == "code" else block.table_body if block.type == "table" else None
        if not body or body.lstrip().startswith("<"):
            return None  # an HTML table or empty: not a misfiled heading
        first, _, rest = body.strip().partition("\n")
        if len(first) > _HEADING_MAX_CHARS:
            return None
        if block.type == "table":
            remainder = block.model_copy(update={"type": "text", "text": rest, "table_body": None}) if rest.strip() else None
        else:
            remainder = block.model_copy(update={"code_body": rest}) if rest.strip() else None
        return _HeadingCandidate(first.strip(), remainder)

    def candidates(self, start: int, page: int):
        """Outline entries that may open a section on `page`: the next expected one, then its
        successors, as long as they could already have started (bookmark page <= page); entries
        without a page count against `successor_window`."""
        window = self.rules.successor_window
        not_yet = 0
        for entry_index in range(start, len(self.entries)):
            entry = self.entries[entry_index]
            if entry.page is None:
                if entry_index - start > window:
                    return
                yield entry_index
                continue
            if entry.page > page:
                not_yet += 1
                if not_yet > window:
                    return
                continue
            if page <= entry.page + self.rules.page_slack:
                yield entry_index

    def match_heading(self, index: int, start: int) -> _HeadingMatch | None:
        block = self.blocks[index]
        if start >= len(self.entries):
            return None
        candidate = None
        parsed = parsed_without = None
        for entry_index in self.candidates(start, block.page):
            if candidate is None:
                candidate = self.heading_candidate(block)
                if candidate is None:
                    return None
                text = candidate.text
                parsed = parse_heading(text, self.patterns)
                without_noise = _LEADING_NOISE.sub("", text, count=1)
                parsed_without = parse_heading(without_noise, self.patterns) if without_noise != text else None
            entry = self.entries[entry_index]
            if entry.clause_id is not None and parsed_without is not None and parsed_without.clause_id == entry.clause_id:
                found = self._title_match(parsed_without.title, entry_index, index)
            elif entry.clause_id is not None and parsed is not None:
                if parsed.clause_id != entry.clause_id:
                    continue
                found = self._title_match(parsed.title, entry_index, index)
            elif entry.clause_id is None or (block.text_level is not None and entry.page == block.page and entry_index == start):
                # Unnumbered entry ("Foreword"), or the next expected clause's heading whose number
                # MinerU lost: the whole block must be the title. Never a later clause by its title
                # alone: a statute's "(weggefallen)" would skip every clause up to the repealed one.
                score = fuzz.ratio(compact(text), self.compact_titles[entry_index])
                found = (1, False, "") if score >= max(self.rules.title_similarity, 90) else None
            else:
                found = None
            if found is None and entry_index == start and self._lone_label(block, entry, parsed_without or parsed, text):
                found = (1, False, "")
            if found is not None:
                consumed, repaired, extra = found
                keep = candidate.rest
                if extra:
                    keep = block.model_copy(update={"type": "text", "text": _original_tail(block.text, extra), "text_level": None})
                return _HeadingMatch(entry_index, consumed, repaired, keep)
        return None

    @staticmethod
    def _lone_label(block: Block, entry: OutlineEntry, parsed, text: str) -> bool:
        """A block that is the next expected clause's label and nothing else, on its bookmark's
        page: "§ 197", with the title set apart ("File 88 lwarp-cite.sty Package cite" beside it,
        which stays content). A bare number never counts: it may be a list item or a cell."""
        if parsed is None or parsed.clause_id != entry.clause_id or parsed.title or entry.page != block.page:
            return False
        return any(char.isalpha() or char == "§" for char in text)

    def repeats_label(self, block: Block, entry: OutlineEntry) -> bool:
        """The open clause's label once more, alone: "§ 170" printed beside a title that already
        opened the clause from a listing's margin. It is part of the heading the file starts with."""
        if block.type != "text" or entry.clause_id is None:
            return False
        text = plain_heading_text(block.text)
        parsed = parse_heading(text, self.patterns) or parse_heading(_LEADING_NOISE.sub("", text, count=1), self.patterns)
        return self._lone_label(block, entry, parsed, text)

    # -- furniture --------------------------------------------------------------------------

    def may_be_heading(self, block: Block) -> bool:
        """A header or footer that is not a running title may be a clause heading at a page edge:
        it is offered to the next expected clauses before it is dropped."""
        return block.type in _HEADING_FURNITURE and bool(block.text.strip()) and _running_key(block.text) not in self.repeated_furniture

    @staticmethod
    def reads_as_sentence(block: Block) -> bool:
        """A header or footer that is not repeated on other pages (may_be_heading said so) and
        reads as a sentence: content MinerU typed as furniture for where it sits ("The
        <manifest:encryption-data> element has the following child elements: …" at the top of
        odf13-packages page 18). Short page-unique lines (a chapter's running title) stay furniture."""
        words = block.text.split()
        lowercase = sum(1 for word in words if word[:1].islower())
        return len(words) >= _PROSE_MIN_WORDS and lowercase >= len(words) // 3

    def furniture_reason(self, block: Block) -> str | None:
        if block.type in FURNITURE_BLOCK_TYPES:
            return block.type
        if block.type != "text":
            return None
        text = block.text.strip()
        if is_gutter(text):
            return "line_number_gutter"
        if len(text) <= self.rules.running_text_max_chars:
            key = _running_key(text)
            if key in self.running:
                self.running_seen.setdefault(text, None)
                return "running_text"
            if compact(text) in self.opened_headings:
                return "repeated_heading"
        return None

    def note_out_of_order(self, block: Block, current_key: str, next_index: int) -> None:
        """A heading of a clause the walk already gave up on (or far ahead): report where it is."""
        if block.type != "text" or len(block.text) > _HEADING_MAX_CHARS:
            return
        parsed = parse_heading(block.text.strip(), self.patterns)
        if parsed is None:
            return
        entry_index = self.index_by_id.get(parsed.clause_id)
        if entry_index is None or entry_index in self.matched:
            return
        if entry_index >= next_index and entry_index <= next_index + self.rules.successor_window:
            return  # still reachable in order; not a finding yet
        if fuzz.ratio(compact(parsed.title), self.compact_titles[entry_index]) < self.rules.title_similarity:
            return
        self.out_of_order.append((entry_index, block.page, current_key))


# A title followed by its first sentence is found after lost words only when it is this long
# (letters and digits): "Scope" would be found in "3 General scope rules for...".
_MIN_TITLE_AFTER_LOST_WORDS = 12


def _original_tail(original: str, tail: str) -> str:
    """The end of `original` that `tail` (a cleaned-up copy of it: markup and trailing punctuation
    gone) stands for, with its markup and punctuation back."""
    wanted = len(compact(tail))
    seen = 0
    for position in range(len(original) - 1, -1, -1):
        seen += len(compact(original[position]))
        if seen >= wanted:
            start = position
            while start > 0 and not compact(original[start - 1]) and original[start - 1] in "*_`<":
                start -= 1  # the markup that opened the first word
            return original[start:].strip()
    return tail


def _after_compact_prefix(text: str, compact_length: int) -> str:
    """The part of `text` after its first `compact_length` letters/digits."""
    seen = 0
    for position, char in enumerate(text):
        if compact(char):
            seen += len(compact(char))
            if seen >= compact_length:
                return text[position + 1 :].lstrip(" \t:.,;\u2013\u2014-")
    return ""


def _y_direction(entries: list[OutlineEntry]) -> int:
    """1 when bookmark positions grow down the page, -1 when they grow up. PDF destinations count
    from the page's foot, yet PyMuPDF reports some from its top; the filing order of most
    bookmarks (next entry, same page, further down) tells which this document uses."""
    down = up = 0
    for first, second in zip(entries, entries[1:]):
        if first.page is not None and first.page == second.page and first.y is not None and second.y is not None:
            down += second.y > first.y
            up += second.y < first.y
    return -1 if up > down else 1


def page_ordered(entries: list[OutlineEntry]) -> tuple[list[OutlineEntry], list[int]]:
    """The outline in page order, and within a page in the order of the headings' positions where
    every entry of the page carries one (stable otherwise); and the new positions of entries
    that moved.

    The walk follows the text, so a bookmark filed out of page order (bgb-2024 files § 549 ff.,
    page 129, among the clauses of page 0, and § 548a, the top of page 129, after them) must not
    hold it back. An entry without a page stays behind its predecessor."""
    pages: list[int] = []
    last_page = -1
    for entry in entries:
        if entry.page is not None:
            last_page = entry.page
        pages.append(last_page)
    positioned: dict[int, bool] = {}
    for page, entry in zip(pages, entries):
        positioned[page] = positioned.get(page, True) and entry.y is not None and entry.page is not None
    direction = _y_direction(entries)
    keys = [
        (page, direction * entry.y if positioned[page] and entry.y is not None else 0.0, position)
        for position, (page, entry) in enumerate(zip(pages, entries))
    ]
    order = sorted(range(len(entries)), key=lambda position: keys[position])
    if order == list(range(len(entries))):
        return entries, []
    # Moved: entries that now come after an entry that was filed after them.
    displaced = []
    latest_filed = -1
    for new, old in enumerate(order):
        if old < latest_filed:
            displaced.append(new)
        latest_filed = max(latest_filed, old)
    return [entries[position] for position in order], displaced


def _section_keys(entries: list[OutlineEntry]) -> list[str]:
    keys: list[str] = []
    used = {FRONT_MATTER_KEY}
    for entry in entries:
        base = entry.clause_id or slugify_key(entry.title)
        key, suffix = base, 2
        while key in used:
            key, suffix = f"{base}-{suffix}", suffix + 1
        used.add(key)
        keys.append(key)
    return keys


def segment_blocks(
    blocks: list[Block],
    outline: list[OutlineEntry],
    *,
    rules: SegmentationRules | None = None,
    clause_id_patterns: list[ClauseIdPattern] | None = None,
    recover_text: Callable[[Block], str | None] | None = None,
) -> ClauseTree:
    """Assign every content block to an outline clause (or the front matter) in one forward walk.

    `blocks` is the document's block stream in reading order (pages non-decreasing);
    `outline` the cleaned outline in document order. Returns the section tree (nested by
    outline level) and a report of matched, missed and out-of-order clauses.

    `recover_text(block)` may return the PDF's text under an image-only block's bbox (see
    specmill.source.textlayer); it is asked only when an outline clause could open on that page."""
    rules = rules or SegmentationRules()
    patterns = clause_id_patterns if clause_id_patterns is not None else OutlineRules().clause_id_patterns
    blocks = split_buried_headings(split_inline_headings(blocks, outline, patterns), outline, patterns)
    blocks = split_code_headings(blocks, outline)
    outline, reordered = page_ordered(outline)
    walk = _Walk(blocks, outline, rules, patterns, recover_text)
    keys = _section_keys(outline)
    sections = [
        Section(
            key=keys[i], clause_id=e.clause_id, title=e.title, label=e.label, level=e.level, outline_index=i,
            outline_page=e.page,
        )
        for i, e in enumerate(outline)
    ]
    front = Section(key=FRONT_MATTER_KEY, clause_id=None, title=FRONT_MATTER_TITLE, level=1, outline_index=None, outline_page=None)
    current = front
    next_index = 0
    assigned = 0
    index = 0
    while index < len(blocks):
        block = blocks[index]
        # The page bound: a clause whose bookmark page (plus slack) lies behind us can no longer open.
        while next_index < len(outline) and outline[next_index].page is not None and outline[next_index].page + rules.page_slack < block.page:
            walk.missed[next_index] = None
            next_index += 1
        if block.type in FURNITURE_BLOCK_TYPES and not walk.may_be_heading(block):
            walk.dropped[block.type] += 1
            index += 1
            continue
        found = walk.match_heading(index, next_index)
        if found is None and block.type in FURNITURE_BLOCK_TYPES:
            if walk.reads_as_sentence(block):  # a sentence at a page's top that MinerU typed a header: content
                current.blocks.append(block.model_copy(update={"type": "text"}))
                assigned += 1
            else:
                walk.dropped[block.type] += 1
            index += 1
            continue
        if found is not None:
            for skipped in range(next_index, found.entry_index):
                walk.missed[skipped] = None
            entry = outline[found.entry_index]
            current = sections[found.entry_index]
            current.matched = True
            current.heading_page = block.page
            current.heading_repaired = found.repaired
            walk.matched[found.entry_index] = MatchedClause(
                key=current.key, clause_id=entry.clause_id, title=entry.title, outline_page=entry.page,
                heading_page=block.page, repaired_split=found.repaired,
            )
            heading_text = f"{entry.clause_id} {entry.title}" if entry.clause_id else entry.title
            walk.opened_headings[compact(heading_text)] = found.entry_index
            if found.keep is not None:
                current.blocks.append(found.keep)
                assigned += 1
            next_index = found.entry_index + 1
            index += found.consumed
            continue
        reason = walk.furniture_reason(block)
        if reason is None and current.outline_index is not None and walk.repeats_label(block, outline[current.outline_index]):
            reason = "label_of_open_clause"
        if reason is not None:
            walk.dropped[reason] += 1
            index += 1
            continue
        walk.note_out_of_order(block, current.key, next_index)
        current.blocks.append(block)
        assigned += 1
        index += 1
    for remaining in range(next_index, len(outline)):
        walk.missed[remaining] = None

    ordered = ([front] if front.blocks else []) + sections
    _set_spans(ordered, blocks)
    top_level = _nest(front if front.blocks else None, sections)
    out_of_order = [
        OutOfOrderClause(
            key=keys[i], clause_id=outline[i].clause_id, title=outline[i].title, outline_page=outline[i].page,
            found_page=page, found_in=found_in,
        )
        for i, page, found_in in walk.out_of_order
        if i in walk.missed
    ]
    report = SegmentationReport(
        clauses_total=len(outline),
        matched=[walk.matched[i] for i in sorted(walk.matched)],
        missed=[
            MissedClause(key=keys[i], clause_id=outline[i].clause_id, title=outline[i].title, page=outline[i].page)
            for i in sorted(walk.missed)
        ],
        out_of_order=out_of_order,
        blocks_in=len(blocks),
        blocks_assigned=assigned,
        front_matter_blocks=len(front.blocks),
        furniture_dropped=dict(sorted(walk.dropped.items())),
        running_texts=list(walk.running_seen)[:20],
        reordered=[keys[i] for i in reordered],
    )
    return ClauseTree(sections=top_level, report=report)


def _set_spans(ordered: list[Section], blocks: list[Block]) -> None:
    """first_page: the heading page, else the bookmark page; last_page: the next clause's start
    page (a clause may end on the page where the next one starts)."""
    starts: list[int | None] = []
    for section in ordered:
        if section.key == FRONT_MATTER_KEY:
            starts.append(min((b.page for b in section.blocks), default=0))
        else:
            starts.append(section.heading_page if section.heading_page is not None else section.outline_page)
    last_document_page = max((b.page for b in blocks), default=0)
    next_start: int | None = None
    for position in range(len(ordered) - 1, -1, -1):
        section = ordered[position]
        start = starts[position]
        section.first_page = start
        own_last = max((b.page for b in section.blocks), default=start)
        if next_start is None:
            section.last_page = max(last_document_page, own_last) if start is not None else own_last
        else:
            section.last_page = next_start
        if start is not None:
            next_start = start


def _nest(front: Section | None, sections: list[Section]) -> list[Section]:
    top: list[Section] = [front] if front is not None else []
    stack: list[Section] = []
    for section in sections:
        while stack and stack[-1].level >= section.level:
            stack.pop()
        (stack[-1].children if stack else top).append(section)
        stack.append(section)
    return top


def find_misplaced_blocks(tree: ClauseTree, *, preview_chars: int = 80) -> list[MisplacedBlock]:
    """Blocks whose page lies outside their section's span (start page .. next clause's start page)."""
    misplaced: list[MisplacedBlock] = []
    for section in tree.walk():
        if section.first_page is None or section.last_page is None:
            continue
        low, high = section.first_page, max(section.first_page, section.last_page)
        for block in section.blocks:
            if not low <= block.page <= high:
                misplaced.append(
                    MisplacedBlock(
                        section=section.key, page=block.page, block_type=block.type, span=(low, high),
                        preview=(block.text or block.code_body or block.table_body or "")[:preview_chars],
                    )
                )
    return misplaced
