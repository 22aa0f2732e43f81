"""Serialize laid-out pages into a PDF with PyMuPDF: content streams, links, outline, labels.

Reproducibility: fixed metadata dates, no new document id, objects written in creation order,
so the same pages give the same bytes.
"""

from __future__ import annotations

from dataclasses import dataclass

from specmill.sample.layout import BASE_FONTS, MARGIN_X, PAGE_HEIGHT, PAGE_WIDTH, Page

FIXED_DATE = "D:20240101000000Z"


@dataclass(frozen=True)
class Link:
    page: int
    rect: tuple[float, float, float, float]
    target_page: int
    target_top: float


@dataclass(frozen=True)
class Bookmark:
    level: int
    title: str
    page: int  # 0-based


@dataclass
class PdfPlan:
    """Everything the PDF file is made of, with final page indices."""

    pages: list[Page]
    links: list[Link]
    outline: list[Bookmark]
    front_matter_pages: int
    metadata: dict[str, str]


def write_pdf(plan: PdfPlan, path: str) -> None:
    """Save the document to `path` (the caller passes a temporary name and renames it)."""
    import pymupdf

    pages, links, outline, metadata = plan.pages, plan.links, plan.outline, plan.metadata

    doc = pymupdf.open()
    fonts = []
    for tag, base in BASE_FONTS.items():
        xref = doc.get_new_xref()
        doc.update_object(xref, f"<</Type/Font/Subtype/Type1/BaseFont/{base}/Encoding/WinAnsiEncoding>>")
        fonts.append(f"/{tag} {xref} 0 R")
    resources = doc.get_new_xref()
    doc.update_object(resources, f"<</Font<<{''.join(fonts)}>>>>")

    for _ in pages:
        doc.new_page(width=PAGE_WIDTH, height=PAGE_HEIGHT)
    page_xrefs = [doc.page_xref(index) for index in range(len(pages))]
    for page, page_xref in zip(pages, page_xrefs, strict=True):
        stream = doc.get_new_xref()
        doc.update_object(stream, "<<>>")
        doc.update_stream(stream, "".join(page.ops).encode("cp1252"), compress=True)
        doc.xref_set_key(page_xref, "Contents", f"{stream} 0 R")
        doc.xref_set_key(page_xref, "Resources", f"{resources} 0 R")

    # Link annotations are written as raw objects: Page.insert_link reloads the page per call
    # (about 2 ms each, 20 s for a 5,000-page document).
    by_page: dict[int, list[str]] = {}
    for link in links:
        x0, y0, x1, y1 = link.rect
        xref = doc.get_new_xref()
        doc.update_object(
            xref,
            f"<</Type/Annot/Subtype/Link/Rect[{x0:.2f} {y0:.2f} {x1:.2f} {y1:.2f}]/Border[0 0 0]"
            f"/Dest[{page_xrefs[link.target_page]} 0 R/XYZ {MARGIN_X:.2f} {link.target_top + 12:.2f} 0]>>",
        )
        by_page.setdefault(link.page, []).append(f"{xref} 0 R")
    for page_index, annots in by_page.items():
        doc.xref_set_key(page_xrefs[page_index], "Annots", f"[{' '.join(annots)}]")

    doc.set_toc([[item.level, item.title, item.page + 1] for item in outline])
    doc.set_page_labels([
        {"startpage": 0, "prefix": "", "style": "r", "firstpagenum": 1},
        {"startpage": plan.front_matter_pages, "prefix": "", "style": "D", "firstpagenum": 1},
    ])
    doc.set_metadata({
        "title": metadata.get("title", ""),
        "author": metadata.get("author", ""),
        "subject": metadata.get("subject", ""),
        "keywords": metadata.get("keywords", ""),
        "creator": "specmill.sample",
        "producer": "specmill.sample",
        "creationDate": FIXED_DATE,
        "modDate": FIXED_DATE,
    })
    doc.save(path, garbage=1, deflate=1, no_new_id=1)
    doc.close()
