"""The PDF's own text, as a set of words per page: the evidence a garble is judged by.

Pages are read lazily and each at most once, so verifying a few sections of a 5,000-page
document reads only those sections' pages."""

from __future__ import annotations

import re
import unicodedata
from pathlib import Path

_WORD = re.compile(r"[A-Za-z_][\w.\-]*")
_HYPHENATED_BREAK = re.compile(r"([A-Za-z_][\w.\-]*)-\s*\n\s*([A-Za-z_][\w.\-]*)")


def page_words(text: str) -> frozenset[str]:
    """Words of a page's text, with every way a name can sit in it: whole (`full-path`), split at a
    prefix colon (`s:fontAlgn` -> `s`, `fontAlgn`), trailing punctuation dropped, and names broken
    across lines at a hyphen joined with the hyphen kept (`file-` / `entry` -> `file-entry`). The
    hyphen is never dropped: a parser that joins `file-`/`entry` into `fileentry` made a garble,
    and the source check has to see it as one (seen on ODF 1.3 Part 2, `<manifest:fileentry>`)."""
    text = unicodedata.normalize("NFKC", text).replace("\u00ad", "")
    words: set[str] = set()
    for piece in re.split(r"[:\s]", text):
        for match in _WORD.finditer(piece):
            word = match.group(0).rstrip(".-")
            if word:
                words.add(word)
    for match in _HYPHENATED_BREAK.finditer(text):
        first, second = match.group(1), match.group(2).rstrip(".-")
        words.add(f"{first}-{second}")
    return frozenset(words)


class PdfPageWords:
    """Words of single pages of one PDF, extracted on first use and cached."""

    def __init__(self, pdf_path: str | Path):
        import pymupdf

        self._document = pymupdf.open(str(pdf_path))
        self._pages: dict[int, frozenset[str]] = {}

    @property
    def page_count(self) -> int:
        return self._document.page_count

    @property
    def pages_extracted(self) -> int:
        return len(self._pages)

    def words(self, page: int) -> frozenset[str]:
        if page not in self._pages:
            if not 0 <= page < self._document.page_count:
                self._pages[page] = frozenset()
            else:
                self._pages[page] = page_words(self._document[page].get_text("text"))
        return self._pages[page]

    def close(self) -> None:
        self._document.close()

    def __enter__(self) -> "PdfPageWords":
        return self

    def __exit__(self, *exc_info) -> None:
        self.close()
