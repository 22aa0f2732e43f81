"""The PDF's own text, as a set of words per page: the evidence a garble is judged by.

The text comes from the page texts `source_pdf` extracted once for the whole pipeline
(`pages.json`), so verification never opens the PDF; pages' words are computed lazily and
each at most once, so verifying a few sections of a 5,000-page document reads only those
sections' pages."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from pathlib import Path

_WORD = re.compile(r"[A-Za-z_][\w.\-]*")
_HYPHENATED_BREAK = re.compile(r"([A-Za-z_][\w.\-]*)-\s*\n\s*([A-Za-z_][\w.\-]*)")
# What every match of _HYPHENATED_BREAK contains: most pages have none, and looking for this
# first spares a match attempt at every letter of the page.
_HYPHEN_AT_LINE_END = re.compile(r"-\s*\n")


def page_words(text: str) -> frozenset[str]:
    """Words of a page's text, with every way a name can sit in it: whole (`full-path`), split at a
    prefix colon (`s:fontAlgn` -> `s`, `fontAlgn`), trailing punctuation dropped, and names broken
    across lines at a hyphen joined with the hyphen kept (`file-` / `entry` -> `file-entry`). The
    hyphen is never dropped: a parser that joins `file-`/`entry` into `fileentry` made a garble,
    and the source check has to see it as one (seen on ODF 1.3 Part 2, `<manifest:fileentry>`)."""
    text = unicodedata.normalize("NFKC", text).replace("\u00ad", "")
    # One pass over the whole page: a word never spans a colon or white space (neither is a word
    # character), so this finds the words a split at them would. Trailing dots and hyphens are
    # dropped once per distinct word.
    words = set(_WORD.findall(text))
    ragged = [word for word in words if word[-1] in ".-"]
    if ragged:
        words.difference_update(ragged)
        words.update(word.rstrip(".-") for word in ragged)
    if _HYPHEN_AT_LINE_END.search(text):
        for match in _HYPHENATED_BREAK.finditer(text):
            first, second = match.group(1), match.group(2).rstrip(".-")
            words.add(f"{first}-{second}")
    return frozenset(words)


_SEQUENCES_KEPT = 64


class PageTextWords:
    """Words of single pages, computed from the pages' texts (index = 0-based page) on first use
    and cached. A page outside the document has no words."""

    def __init__(self, texts: Sequence[str]):
        self._texts = texts
        self._pages: dict[int, frozenset[str]] = {}
        self._sequences: dict[int, tuple[str, ...]] = {}

    @property
    def page_count(self) -> int:
        return len(self._texts)

    @property
    def pages_extracted(self) -> int:
        """Pages whose words were computed (each once)."""
        return len(self._pages)

    def words(self, page: int) -> frozenset[str]:
        words = self._pages.get(page)
        if words is None:
            words = self._pages[page] = page_words(self._texts[page]) if 0 <= page < self.page_count else frozenset()
        return words

    def sequence(self, page: int) -> tuple[str, ...]:
        """The page's words in reading order (for the place-by-place check). Only the latest
        pages are kept: files come in document order, so neighbours share pages, and keeping
        every page's sequence cost 140 MB of peak memory at 5,000 pages."""
        sequence = self._sequences.pop(page, None)
        if sequence is None:
            from specmill.verify.alignment import page_sequence

            sequence = page_sequence(self._texts[page]) if 0 <= page < self.page_count else ()
            if len(self._sequences) >= _SEQUENCES_KEPT:
                del self._sequences[next(iter(self._sequences))]  # the least recently used
        self._sequences[page] = sequence
        return sequence

    def close(self) -> None:
        """Nothing to release (a subclass may hold an open document)."""

    def __enter__(self) -> "PageTextWords":
        return self

    def __exit__(self, *exc_info) -> None:
        self.close()


class _PdfPages(Sequence[str]):
    """The text layer of an open PDF as a lazy sequence of page texts."""

    def __init__(self, document):
        self._document = document

    def __len__(self) -> int:
        return self._document.page_count

    def __getitem__(self, page):  # type: ignore[override]
        return self._document[page].get_text("text")


class PdfPageWords(PageTextWords):
    """Words of single pages read straight from a PDF file, for tools that have the PDF but no
    `pages.json` (benchmarks). The pipeline uses `PageTextWords` over `pages.json`."""

    def __init__(self, pdf_path: str | Path):
        from specmill.source.pdf import load_pymupdf

        pymupdf = load_pymupdf()

        self._document = pymupdf.open(str(pdf_path))
        super().__init__(_PdfPages(self._document))

    def close(self) -> None:
        self._document.close()
