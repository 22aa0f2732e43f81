"""Small PDFs built on the fly for tests of outline cleaning, planning and bad input."""

from dataclasses import dataclass, field
from pathlib import Path

import pymupdf


@dataclass
class Line:
    text: str
    size: float = 10.0
    bold: bool = False


@dataclass
class PageSpec:
    lines: list[Line] = field(default_factory=list)
    header: str | None = None
    footer: str | None = None


def make_pdf(path: Path, pages: list[PageSpec], toc: list[list] | None = None, labels: list[dict] | None = None) -> Path:
    document = pymupdf.open()
    for spec in pages:
        page = document.new_page(width=595, height=842)
        if spec.header:
            page.insert_text((72, 30), spec.header, fontsize=9, fontname="helv")
        y = 90.0
        for line in spec.lines:
            page.insert_text((72, y), line.text, fontsize=line.size, fontname="hebo" if line.bold else "helv")
            y += line.size * 1.8
        if spec.footer:
            page.insert_text((290, 820), spec.footer, fontsize=9, fontname="helv")
    if toc:
        document.set_toc(toc)
    if labels:
        document.set_page_labels(labels)
    document.save(path)
    document.close()
    return path


def body(words: int = 30) -> Line:
    return Line(" ".join(["lorem"] * words))


def numbered_document(path: Path, headings: list[tuple[str, int]], page_count: int, *, junk: list[str] = (), with_toc: bool = True,
                      front_pages: int = 0) -> Path:
    """A document whose clause headings ('2.1 Foo', page) are printed bold and larger, with
    printed page numbers in the footer starting at 1 after `front_pages` pages."""
    pages = [PageSpec() for _ in range(page_count)]
    for index, page in enumerate(pages):
        printed = index - front_pages + 1
        page.footer = str(printed) if printed >= 1 else None
    for heading, page_index in headings:
        pages[page_index].lines.append(Line(heading, size=14, bold=True))
        pages[page_index].lines.append(body())
    for page in pages:
        if not page.lines:
            page.lines.append(body())
    toc = None
    if with_toc:
        toc = [[1, title, 1] for title in junk]
        toc += [[1, heading, page_index + 1] for heading, page_index in headings]
    return make_pdf(path, pages, toc=toc)
