"""Page flow for the sample PDF: measuring, wrapping and placing blocks as raw PDF drawing operators.

Pages are built as content-stream text (Base-14 fonts, WinAnsi encoding) rather than through
PyMuPDF's `insert_text`, which costs a page reload per call: a 5,000-page document would take
minutes instead of seconds. A `Flow` fills a fixed budget of pages; a block that does not fit
in what is left of the budget is refused, and the caller decides what to do instead.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from functools import cache

from specmill.sample.content import AttributeTable, Mark, Sentence, Token

PAGE_WIDTH = 595.28  # A4
PAGE_HEIGHT = 841.89
MARGIN_X = 72.0
TEXT_WIDTH = PAGE_WIDTH - 2 * MARGIN_X
BODY_TOP = PAGE_HEIGHT - 78.0  # top of the first line box
BODY_BOTTOM = 72.0
HEADER_BASELINE = PAGE_HEIGHT - 46.0
FOOTER_BASELINE = 40.0

BODY_FONT, BOLD_FONT, CODE_FONT = "F1", "F2", "F3"
BASE_FONTS = {BODY_FONT: "Helvetica", BOLD_FONT: "Helvetica-Bold", CODE_FONT: "Courier"}
_FITZ_FONT_NAMES = {BODY_FONT: "helv", BOLD_FONT: "hebo", CODE_FONT: "cour"}

BODY_SIZE, BODY_LEADING = 10.0, 13.5
CODE_SIZE, CODE_LEADING = 9.0, 11.0
LISTING_SIZE, LISTING_LEADING = 8.0, 9.6
TABLE_SIZE, TABLE_LEADING, CELL_PAD = 9.0, 11.0, 4.0
TABLE_COLUMNS = (100.0, 92.0, 58.0, TEXT_WIDTH - 250.0)
HEADING_SIZES = {1: 15.0, 2: 13.0, 3: 12.0, 4: 11.0, 5: 11.0}
PARAGRAPH_GAP = 6.0
HEADING_KEEP_LINES = 4  # a heading never ends a page: this many body lines must fit below it


@cache
def _char_widths(font: str) -> dict[str, float]:
    import pymupdf

    metrics = pymupdf.Font(_FITZ_FONT_NAMES[font])
    chars = [chr(code) for code in range(32, 127)] + ["§", "–", "—"]
    return {char: metrics.glyph_advance(ord(char)) for char in chars}


_WIDTH_CACHES: dict[tuple[str, float], dict[str, float]] = {}


def text_width(text: str, font: str, size: float) -> float:
    """Width in points; memoized per (font, size) because words repeat constantly in generated prose."""
    cache = _WIDTH_CACHES.get((font, size))
    if cache is None:
        cache = _WIDTH_CACHES[(font, size)] = {}
    width = cache.get(text)
    if width is None:
        widths = _char_widths(font)
        width = cache[text] = sum(widths[char] for char in text) * size
    return width


def _pdf_string(text: str) -> str:
    return text.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)")


def text_op(text: str, font: str, size: float, x: float, baseline: float) -> str:
    return f"BT /{font} {size:g} Tf {x:.2f} {baseline:.2f} Td ({_pdf_string(text)}) Tj ET\n"


@dataclass
class PlacedMark:
    mark: Mark
    page: int  # index within the flow
    rect: tuple[float, float, float, float]  # PDF user space (origin bottom-left)


@dataclass
class PendingLink:
    rect: tuple[float, float, float, float]
    target: str  # clause id


@dataclass
class Page:
    header: str | None
    ops: list[str] = field(default_factory=list)
    links: list[PendingLink] = field(default_factory=list)


@dataclass
class Line:
    text: str
    marks: list[tuple[Mark, float, float]]  # (mark, x offset from line start, width)


def wrap(sentences: list[Sentence], font: str, size: float, width: float) -> list[Line]:
    """Greedy line breaking over tokens; marked tokens are never split."""
    space = text_width(" ", font, size)
    widths = _WIDTH_CACHES[(font, size)]  # created by the call above
    lines: list[Line] = []
    words: list[Token] = []
    line_width = 0.0
    for sentence in sentences:
        for token in sentence:
            token_width = widths.get(token.text)
            if token_width is None:
                token_width = text_width(token.text, font, size)
            if words and line_width + space + token_width > width:
                lines.append(_make_line(words, font, size))
                words, line_width = [token], token_width
            else:
                line_width += (space if words else 0.0) + token_width
                words.append(token)
    if words:
        lines.append(_make_line(words, font, size))
    return lines


def _make_line(tokens: list[Token], font: str, size: float) -> Line:
    text = " ".join([token.text for token in tokens])
    if all(token.mark is None for token in tokens):
        return Line(text, [])
    marks = []
    offset = 0
    for token in tokens:
        if token.mark is not None:
            start = offset + token.mark_offset
            x = text_width(text[:start], font, size)
            marks.append((token.mark, x, text_width(token.mark.text, font, size)))
        offset += len(token.text) + 1
    return Line(text, marks)


@dataclass
class TextBlock:
    """Lines of one font that may break across pages (paragraphs, code, listings)."""

    lines: list[Line]
    font: str = BODY_FONT
    size: float = BODY_SIZE
    leading: float = BODY_LEADING
    indent: float = 0.0
    gap_before: float = 0.0
    gap_after: float = PARAGRAPH_GAP
    label: str | None = None  # hanging label of a list item ("2.")
    label_mark: Mark | None = None
    shaded: bool = False  # code blocks sit on a light background, as many specifications print them


@dataclass
class HeadingBlock:
    text: str
    level: int

    @property
    def size(self) -> float:
        return HEADING_SIZES[min(self.level, 5)]

    @property
    def height(self) -> float:
        return self.size * 1.45 + 4.0


@dataclass
class TableBlock:
    table: AttributeTable
    rows: list[list[list[str]]]  # row -> column -> wrapped lines; row 0 is the header
    heights: list[float]

    @property
    def height(self) -> float:
        return TABLE_LEADING + 6.0 + sum(self.heights) + PARAGRAPH_GAP + 4.0


def table_block(table: AttributeTable) -> TableBlock:
    header = ("Name", "Type", "Default", "Description")
    rows = []
    for index, cells in enumerate([header, *[(row.name, row.type_name, row.default, row.description) for row in table.rows]]):
        font = BOLD_FONT if index == 0 else BODY_FONT
        rows.append([
            [line.text for line in wrap([[Token(word) for word in cell.split()]], font, TABLE_SIZE, width - 2 * CELL_PAD)]
            for cell, width in zip(cells, TABLE_COLUMNS, strict=True)
        ])
    heights = [max(len(column) for column in row) * TABLE_LEADING + 2 * CELL_PAD for row in rows]
    return TableBlock(table, rows, heights)


@dataclass
class Placement:
    first_page: int
    last_page: int
    marks: list[PlacedMark]
    top: float  # y of the block's top on its first page


class Flow:
    """Pages filled top to bottom, optionally limited to `page_limit` pages."""

    def __init__(self, page_limit: int | None = None) -> None:
        self.pages: list[Page] = []
        self.page_limit = page_limit
        self.header: str | None = None
        self._y = 0.0

    # ----- capacity -----------------------------------------------------------------------
    @property
    def room(self) -> float:
        return self._y - BODY_BOTTOM if self.pages else 0.0

    @property
    def pages_left(self) -> int:
        if self.page_limit is None:
            return 1_000_000
        return self.page_limit - len(self.pages)

    @property
    def at_page_top(self) -> bool:
        return not self.pages or self._y >= BODY_TOP

    def new_page(self) -> None:
        if self.pages_left <= 0:
            raise RuntimeError("page budget exhausted")
        self.pages.append(Page(self.header))
        self._y = BODY_TOP

    def _gap(self, gap: float) -> float:
        return 0.0 if self.at_page_top else gap

    def fits_text(self, block: TextBlock) -> bool:
        lines = len(block.lines)
        room = self.room - self._gap(block.gap_before)
        first = max(0, int(room // block.leading)) if self.pages else 0
        if lines <= first:
            return True
        per_page = int((BODY_TOP - BODY_BOTTOM) // block.leading)
        return math.ceil((lines - first) / per_page) <= self.pages_left

    def fits_atomic(self, height: float) -> bool:
        if height > BODY_TOP - BODY_BOTTOM:
            raise ValueError(f"block of {height:.0f} pt cannot fit on any page")
        return height <= self.room or self.pages_left > 0

    def fits_table(self, block: TableBlock) -> bool:
        return self.fits_atomic(self._gap(6.0) + block.height)

    def fits_heading(self, block: HeadingBlock) -> bool:
        return self.fits_atomic(self._gap(10.0) + block.height + HEADING_KEEP_LINES * BODY_LEADING)

    # ----- placing ------------------------------------------------------------------------
    def place_heading(self, block: HeadingBlock) -> Placement:
        needed = self._gap(10.0) + block.height + HEADING_KEEP_LINES * BODY_LEADING
        if needed > self.room:
            self.new_page()
        self._y -= self._gap(10.0)
        top = self._y
        baseline = self._y - block.size
        self._emit(text_op(block.text, BOLD_FONT, block.size, MARGIN_X, baseline))
        self._y -= block.height
        return Placement(len(self.pages) - 1, len(self.pages) - 1, [], top)

    def place_text(self, block: TextBlock) -> Placement:
        if not self.pages:
            self.new_page()
        self._y -= self._gap(block.gap_before)
        first_page = None
        top = self._y
        placed: list[PlacedMark] = []
        x = MARGIN_X + block.indent
        segment: tuple[int, float] | None = None  # (ops index, top y) of the block's part on this page
        for number, line in enumerate(block.lines):
            if self._y - block.leading < BODY_BOTTOM:
                if segment is not None and block.shaded:
                    self._shade(block, *segment)
                self.new_page()
                segment = None
            if first_page is None:
                first_page, top = len(self.pages) - 1, self._y
            if segment is None:
                segment = (len(self.pages[-1].ops), self._y)
            baseline = self._y - block.size
            if number == 0 and block.label is not None:
                self._emit(text_op(block.label, block.font, block.size, MARGIN_X + block.indent - 18.0, baseline))
                if block.label_mark is not None:
                    label_x = MARGIN_X + block.indent - 18.0
                    placed.append(PlacedMark(block.label_mark, len(self.pages) - 1, (label_x, baseline - 2, label_x + 10, baseline + block.size)))
            self._emit(text_op(line.text, block.font, block.size, x, baseline))
            for mark, offset, width in line.marks:
                rect = (x + offset, baseline - 2.0, x + offset + width, baseline + block.size * 0.85)
                placed.append(PlacedMark(mark, len(self.pages) - 1, rect))
            self._y -= block.leading
        if segment is not None and block.shaded:
            self._shade(block, *segment)
        self._y -= block.gap_after
        assert first_page is not None
        return Placement(first_page, len(self.pages) - 1, placed, top)

    def _shade(self, block: TextBlock, ops_index: int, top: float) -> None:
        """A light background behind this page's part of a code block, drawn before its text."""
        x0 = MARGIN_X + block.indent - 6.0
        bottom = self._y - 3.0
        rect = f"0.94 g {x0:.2f} {bottom:.2f} {MARGIN_X + TEXT_WIDTH - x0:.2f} {top + 3.0 - bottom:.2f} re f 0 g\n"
        self.pages[-1].ops.insert(ops_index, rect)

    def place_table(self, block: TableBlock) -> Placement:
        if self._gap(6.0) + block.height > self.room:
            self.new_page()
        self._y -= self._gap(6.0)
        page = len(self.pages) - 1
        top = self._y
        caption_baseline = self._y - TABLE_SIZE
        caption_width = text_width(block.table.caption, BOLD_FONT, TABLE_SIZE)
        self._emit(text_op(block.table.caption, BOLD_FONT, TABLE_SIZE, MARGIN_X + (TEXT_WIDTH - caption_width) / 2, caption_baseline))
        self._y -= TABLE_LEADING + 6.0
        table_top = self._y
        ops = ["0.6 w\n"]
        # header shading first, so the grid is drawn over it
        ops.append(f"0.88 g {MARGIN_X:.2f} {table_top - block.heights[0]:.2f} {TEXT_WIDTH:.2f} {block.heights[0]:.2f} re f 0 g\n")
        y = table_top
        for index, (row, height) in enumerate(zip(block.rows, block.heights, strict=True)):
            font = BOLD_FONT if index == 0 else BODY_FONT
            x = MARGIN_X
            for column_lines, width in zip(row, TABLE_COLUMNS, strict=True):
                for line_number, text in enumerate(column_lines):
                    baseline = y - CELL_PAD - TABLE_SIZE - line_number * TABLE_LEADING + 1.5
                    ops.append(text_op(text, font, TABLE_SIZE, x + CELL_PAD, baseline))
                x += width
            y -= height
        bottom = y
        y = table_top
        for height in [0.0, *block.heights]:
            y -= height
            ops.append(f"{MARGIN_X:.2f} {y:.2f} m {MARGIN_X + TEXT_WIDTH:.2f} {y:.2f} l S\n")
        x = MARGIN_X
        for width in (0.0, *TABLE_COLUMNS):
            x += width
            ops.append(f"{x:.2f} {table_top:.2f} m {x:.2f} {bottom:.2f} l S\n")
        self._emit("".join(ops))
        self._y = bottom - PARAGRAPH_GAP - 4.0
        return Placement(page, page, [], top)

    def _emit(self, op: str) -> None:
        self.pages[-1].ops.append(op)


def code_block(lines: list[str], size: float = CODE_SIZE, leading: float = CODE_LEADING, indent: float = 18.0) -> TextBlock:
    return TextBlock([Line(text, []) for text in lines], CODE_FONT, size, leading, indent, gap_before=4.0, gap_after=6.0, shaded=True)


def paragraph(sentences: list[Sentence], indent: float = 0.0, gap_after: float = PARAGRAPH_GAP) -> TextBlock:
    return TextBlock(wrap(sentences, BODY_FONT, BODY_SIZE, TEXT_WIDTH - indent), indent=indent, gap_after=gap_after)


def centered_text(text: str, font: str, size: float, baseline: float) -> str:
    return text_op(text, font, size, (PAGE_WIDTH - text_width(text, font, size)) / 2, baseline)
