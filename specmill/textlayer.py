"""The PDF's own text under a block's bbox: a second opinion for blocks MinerU left without text.

MinerU 4 flash turns some headings set in a special font into image-only "equation" blocks
(seen on specs/odf13-packages: "4.3 <manifest:file-entry>" arrived as a data: URI image). The
text layer still has the words; the segmenter asks for them only where a clause may open.

`lines_under(block)` gives the printed lines under a block with their x positions and, for a
monospaced font, the width of a character: how a listing's indentation is measured
(specmill.listings). A page's lines are read once and kept while the next blocks ask for it."""

from __future__ import annotations

from pathlib import Path

from schemas.blocks import Block
from specmill.listings import PrintedLine

_MONOSPACED_FLAG = 8  # PyMuPDF span flag bit 3
_SAME_LINE_PT = 2.0  # pieces of one printed line differ in their top by less than this


class PdfTextLayer:
    """Reads text inside MinerU bboxes (0-1000 page space) from one PDF; open it once, close it after.

    Usable as a context manager; `text_under(block)` fits `segment_blocks(recover_text=...)`."""

    def __init__(self, pdf_path: str | Path):
        import pymupdf

        self._document = pymupdf.open(str(pdf_path))
        self._rects = pymupdf.Rect
        self._page_lines: tuple[int, list[PrintedLine]] | None = None

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
        page = self._document[block.page]
        width, height = page.rect.width, page.rect.height
        x0, y0, x1, y1 = block.bbox
        left, top, right, bottom = x0 * width / 1000, y0 * height / 1000, x1 * width / 1000, y1 * height / 1000
        inside = []
        for line in self._lines_of(block.page):
            middle_y = line[1] + line[4] / 2
            if top <= middle_y <= bottom and line[0] < right and line[2] > left:
                inside.append(line)
        return _printed_lines(inside)

    def _lines_of(self, page_number: int) -> list[tuple[float, float, float, str, float, float | None]]:
        """(x0, top, x1, text, height, char width or None) for every text line of a page."""
        if self._page_lines is None or self._page_lines[0] != page_number:
            page_dict = self._document[page_number].get_text("dict")
            lines = []
            for text_block in page_dict.get("blocks", []):
                for line in text_block.get("lines", []):
                    spans = [span for span in line.get("spans", []) if span.get("text", "").strip()]
                    if not spans:
                        continue
                    lx0, ly0, lx1, ly1 = line["bbox"]
                    text = "".join(span["text"] for span in line["spans"]).strip()
                    char_width = _char_width(spans)
                    x0 = spans[0]["bbox"][0]
                    if char_width:  # a listing may indent with spaces inside the span rather than by position
                        x0 += (len(spans[0]["text"]) - len(spans[0]["text"].lstrip(" "))) * char_width
                    lines.append((x0, ly0, lx1, text, ly1 - ly0, char_width))
            self._page_lines = (page_number, lines)
        return self._page_lines[1]

    def close(self) -> None:
        self._document.close()

    def __enter__(self) -> "PdfTextLayer":
        return self

    def __exit__(self, *exc_info) -> None:
        self.close()


def _char_width(spans: list[dict]) -> float | None:
    """Points per character when every span is set in a monospaced font, measured on the longest."""
    if not all(span.get("flags", 0) & _MONOSPACED_FLAG or "mono" in span.get("font", "").lower()
               or "courier" in span.get("font", "").lower() for span in spans):
        return None
    longest = max(spans, key=lambda span: len(span["text"]))
    x0, _, x1, _ = longest["bbox"]
    return (x1 - x0) / len(longest["text"]) if longest["text"] else None


def _printed_lines(pieces: list[tuple[float, float, float, str, float, float | None]]) -> list[PrintedLine]:
    """Pieces of one printed line (PyMuPDF splits a line at wide gaps) joined, top to bottom."""
    lines: list[PrintedLine] = []
    for x0, top, _x1, text, _height, char_width in sorted(pieces, key=lambda piece: (round(piece[1]), piece[0])):
        if lines and abs(lines[-1].top - top) < _SAME_LINE_PT:
            previous = lines[-1]
            lines[-1] = PrintedLine(min(previous.x0, x0), previous.top, f"{previous.text} {text}", previous.char_width or char_width)
        else:
            lines.append(PrintedLine(x0, top, text, char_width))
    return lines
