"""The PDF's own text under a block's bbox: a second opinion for blocks MinerU left without text.

MinerU 4 flash turns some headings set in a special font into image-only "equation" blocks
(seen on specs/odf13-packages: "4.3 <manifest:file-entry>" arrived as a data: URI image). The
text layer still has the words; the segmenter asks for them only where a clause may open.

`lines_under(block)` gives the printed lines under a block with their x positions and, for a
monospaced font, the width of a character: how a listing's indentation is measured
(specmill.tree.listings). A page's lines are read once and kept while the next blocks ask for it."""

from __future__ import annotations

import re
from collections import OrderedDict
from pathlib import Path

from schemas.blocks import Block
from specmill.tree.listings import PrintedLine

_MONOSPACED_FLAG = 8  # PyMuPDF span flag bit 3
_PAGES_KEPT = 4
_ANSWERS_KEPT = 256
_GUTTER_MAX_PT = 9.0  # a bare line number taller than this is no listing's (a page number, a heading)
_SAME_LINE_PT = 2.0  # the middles of the pieces of one printed line differ by less than this


class PdfTextLayer:
    """Reads text inside MinerU bboxes (0-1000 page space) from one PDF; open it once, close it after.

    Usable as a context manager; `text_under(block)` fits `segment_blocks(recover_text=...)`."""

    def __init__(self, pdf_path: str | Path):
        from specmill.source.pdf import load_pymupdf

        pymupdf = load_pymupdf()

        self._document = pymupdf.open(str(pdf_path))
        self._rects = pymupdf.Rect
        # A listing run asks about its blocks several times and may look back one page: the last
        # few pages' lines, and the answers per block, are kept.
        self._page_pieces: OrderedDict[int, list[_Piece]] = OrderedDict()
        self._answers: OrderedDict[tuple[int, tuple[float, ...]], list[PrintedLine]] = OrderedDict()
        self._page_rules: OrderedDict[int, list[tuple[float, float, float]]] = OrderedDict()

    def text_under(self, block: Block) -> str | None:
        if block.bbox is None or not 0 <= block.page < self._document.page_count:
            return None
        page = self._document[block.page]
        width, height = page.rect.width, page.rect.height
        x0, y0, x1, y1 = block.bbox
        clip = self._rects(x0 * width / 1000, y0 * height / 1000, x1 * width / 1000, y1 * height / 1000)
        text = " ".join(page.get_text("text", clip=clip).split())
        return text or None

    def lines_under(self, block: Block) -> list[PrintedLine] | None:
        """Printed lines whose middle lies inside the block's bbox, top to bottom."""
        if block.bbox is None or not 0 <= block.page < self._document.page_count:
            return None
        key = (block.page, tuple(block.bbox))
        if key in self._answers:
            return self._answers[key]
        page = self._document[block.page]
        width, height = page.rect.width, page.rect.height
        x0, y0, x1, y1 = block.bbox
        left, top, right, bottom = x0 * width / 1000, y0 * height / 1000, x1 * width / 1000, y1 * height / 1000
        inside = []
        for line in self._lines_of(block.page):
            middle_y = line[1] + line[4] / 2
            if top <= middle_y <= bottom and line[0] < right and line[2] > left:
                inside.append(line)
        answer = _printed_lines(inside)
        _remember(self._answers, key, answer, _ANSWERS_KEPT)
        return answer

    def ruled_columns(self, block: Block) -> int | None:
        """Columns the PDF's ruling lines draw under a table block (specmill.tree.table_columns)."""
        from specmill.tree.table_columns import ruled_columns, vertical_rules

        if block.bbox is None or not 0 <= block.page < self._document.page_count:
            return None
        page = self._document[block.page]
        if block.page not in self._page_rules:
            _remember(self._page_rules, block.page, vertical_rules(page.get_drawings()), _PAGES_KEPT)
        width, height = page.rect.width, page.rect.height
        x0, y0, x1, y1 = block.bbox
        return ruled_columns(self._page_rules[block.page], x0 * width / 1000, y0 * height / 1000, x1 * width / 1000, y1 * height / 1000)

    def _lines_of(self, page_number: int) -> list[_Piece]:
        """Every piece of text line on a page; a listing's line number printed in another font at
        the line's start is a piece of its own, so that the code after it still reads as monospaced."""
        if page_number not in self._page_pieces:
            page_dict = self._document[page_number].get_text("dict")
            pieces: list[_Piece] = []
            for text_block in page_dict.get("blocks", []):
                for line in text_block.get("lines", []):
                    spans = [span for span in line.get("spans", []) if span.get("text", "").strip()]
                    if not spans:
                        continue
                    lx1 = line["bbox"][2]
                    all_spans = line["spans"]
                    if len(spans) > 1 and _is_gutter_number(spans[0], spans[1:]):
                        number, spans = spans[0], spans[1:]
                        all_spans = all_spans[all_spans.index(number) + 1 :]
                        nx0, ny0, nx1, ny1 = number["bbox"]
                        pieces.append((nx0, ny0, nx1, number["text"].strip(), ny1 - ny0, None))
                    text = "".join(span["text"] for span in all_spans).strip()  # spaces may be spans of their own
                    char_width = _char_width(spans)
                    x0 = spans[0]["bbox"][0]
                    if char_width:  # a listing may indent with spaces inside the span rather than by position
                        x0 += (len(spans[0]["text"]) - len(spans[0]["text"].lstrip(" "))) * char_width
                    top = min(span["bbox"][1] for span in spans)
                    bottom = max(span["bbox"][3] for span in spans)
                    pieces.append((x0, top, lx1, text, bottom - top, char_width))
            _remember(self._page_pieces, page_number, pieces, _PAGES_KEPT)
        return self._page_pieces[page_number]

    def close(self) -> None:
        self._document.close()

    def __enter__(self) -> "PdfTextLayer":
        return self

    def __exit__(self, *exc_info) -> None:
        self.close()


_Piece = tuple[float, float, float, str, float, "float | None"]  # x0, top, x1, text, height, char width
_MONOSPACED_NAME = re.compile(r"mono|courier|consol|menlo|monaco|sourcecode|firacode|typewriter|(?:cm|ec|sf|tx|lm)(?:sl|it|b|bx)?tt\d")


def _is_monospaced(span: dict) -> bool:
    """Set in a monospaced font: PyMuPDF's flag, or a name that says so (TeX's CMTT10 and
    Inconsolata, Word's Courier New, carry no flag)."""
    return bool(span.get("flags", 0) & _MONOSPACED_FLAG) or _MONOSPACED_NAME.search(span.get("font", "").lower()) is not None


def _remember(cache: OrderedDict, key, value, size: int) -> None:
    cache[key] = value
    if len(cache) > size:
        cache.popitem(last=False)


def _is_gutter_number(first: dict, rest: list[dict]) -> bool:
    """A listing's line number: digits in a smaller, proportional font before monospaced code. A
    clause number before a title set in the listing's font ("97 \\phantomsection") is as large as
    its title."""
    return (
        first["text"].strip().isdigit() and not _is_monospaced(first) and all(_is_monospaced(span) for span in rest)
        and first.get("size", 0) < min(span.get("size", 0) for span in rest)
    )


def _char_width(spans: list[dict]) -> float | None:
    """Points per character when every span is set in a monospaced font, measured on the longest."""
    if not all(_is_monospaced(span) for span in spans):
        return None
    longest = max(spans, key=lambda span: len(span["text"]))
    x0, _, x1, _ = longest["bbox"]
    return (x1 - x0) / len(longest["text"]) if longest["text"] else None


def _printed_lines(pieces: list[_Piece]) -> list[PrintedLine]:
    """Pieces of one printed line (PyMuPDF splits a line at wide gaps; a line number in a smaller
    font sits a little lower) joined, top to bottom. Pieces belong to one line when their middles
    are within `_SAME_LINE_PT` of each other."""
    rows: list[list[_Piece]] = []
    for piece in sorted(pieces, key=lambda piece: piece[1] + piece[4] / 2):
        middle = piece[1] + piece[4] / 2
        if rows and abs(rows[-1][0][1] + rows[-1][0][4] / 2 - middle) < _SAME_LINE_PT:
            rows[-1].append(piece)
        else:
            rows.append([piece])
    lines = []
    for row in rows:
        row.sort(key=lambda piece: piece[0])
        top = min(piece[1] for piece in row)
        first, rest = row[0], row[1:]
        if not rest and first[3].isdigit() and first[5] is None and first[4] < _GUTTER_MAX_PT:
            # A bare number: a blank numbered line of a listing, or a page number (not code either way).
            lines.append(PrintedLine(first[0], top, "", None, number=int(first[3])))
            continue
        if rest and first[3].isdigit() and first[5] is None and all(piece[5] for piece in rest) and first[4] < min(piece[4] for piece in rest):
            # A listing's line number in its gutter: kept apart from the code it numbers.
            lines.append(PrintedLine(rest[0][0], top, " ".join(piece[3] for piece in rest), rest[0][5], number=int(first[3])))
            continue
        # Monospaced only when every piece is: a clause number before a title in the listing's font is not.
        char_width = row[0][5] if all(piece[5] for piece in row) else None
        lines.append(PrintedLine(first[0], top, " ".join(piece[3] for piece in row), char_width))
    return lines
