"""The PDF's own text under a block's bbox: a second opinion for blocks MinerU left without text.

MinerU 4 flash turns some headings set in a special font into image-only "equation" blocks
(seen on specs/odf13-packages: "4.3 <manifest:file-entry>" arrived as a data: URI image). The
text layer still has the words; the segmenter asks for them only where a clause may open."""

from __future__ import annotations

from pathlib import Path

from schemas.blocks import Block


class PdfTextLayer:
    """Reads text inside MinerU bboxes (0-1000 page space) from one PDF; open it once, close it after.

    Usable as a context manager; `text_under(block)` fits `segment_blocks(recover_text=...)`."""

    def __init__(self, pdf_path: str | Path):
        import pymupdf

        self._document = pymupdf.open(str(pdf_path))
        self._rects = pymupdf.Rect

    def text_under(self, block: Block) -> str | None:
        if block.bbox is None or not 0 <= block.page < self._document.page_count:
            return None
        page = self._document[block.page]
        width, height = page.rect.width, page.rect.height
        x0, y0, x1, y1 = block.bbox
        clip = self._rects(x0 * width / 1000, y0 * height / 1000, x1 * width / 1000, y1 * height / 1000)
        text = " ".join(page.get_text("text", clip=clip).split())
        return text or None

    def close(self) -> None:
        self._document.close()

    def __enter__(self) -> "PdfTextLayer":
        return self

    def __exit__(self, *exc_info) -> None:
        self.close()
