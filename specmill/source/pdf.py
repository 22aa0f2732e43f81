"""Opening a source PDF safely, with one clear error per way it can be unusable."""

import hashlib
import sys
from pathlib import Path

from specmill.errors import SourcePdfError

_PDF_MAGIC = b"%PDF-"


def file_sha256(path: Path, chunk_size: int = 1 << 20) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        while chunk := handle.read(chunk_size):
            digest.update(chunk)
    return digest.hexdigest()


def load_pymupdf():
    """The pymupdf module, without the ONNX page-layout analyzer it imports and activates at
    import time when `pymupdf_layout` is installed (PyMuPDF 2.0 installs it): 0.4 s of every
    process, for `Page.get_layout` and `find_tables(use_layout=True)`, which specmill never
    calls. The import is blocked only where pymupdf was not imported yet."""
    if "pymupdf" not in sys.modules:
        sys.modules.setdefault("pymupdf.layout", None)  # None: `import pymupdf.layout` raises ImportError
    import pymupdf

    return pymupdf


def open_pdf(path: Path):
    """Open a PDF with PyMuPDF, or raise SourcePdfError naming what is wrong with it."""
    pymupdf = load_pymupdf()

    path = Path(path)
    if not path.exists():
        raise SourcePdfError(f"source PDF not found: {path}")
    if not path.is_file():
        raise SourcePdfError(f"source PDF is not a file: {path}")
    with open(path, "rb") as handle:
        head = handle.read(1024)
    # Some producers put a few junk bytes before the header; PDF readers accept it within 1 KiB.
    if _PDF_MAGIC not in head:
        kind = "an HTML page" if head.lstrip().lower().startswith((b"<!doctype html", b"<html")) else "not a PDF"
        raise SourcePdfError(f"{path} is {kind} (no %PDF- header in its first 1 KiB)")
    try:
        document = pymupdf.open(path)
    except Exception as exc:  # PyMuPDF raises its own FileDataError and friends
        raise SourcePdfError(f"{path} cannot be read as a PDF: {exc}") from exc
    if document.needs_pass:
        document.close()
        raise SourcePdfError(f"{path} is encrypted with a password; decrypt it first (e.g. qpdf --decrypt)")
    try:
        page_count = document.page_count
    except Exception as exc:  # MuPDF: "Invalid number of pages"
        document.close()
        raise SourcePdfError(
            f"{path} has a damaged page tree ({_claimed_pages(path)}PyMuPDF: {exc}): repair or re-export the PDF"
        ) from exc
    if page_count == 0:
        document.close()
        raise SourcePdfError(f"{path} has no pages")
    return document


def _claimed_pages(path: Path) -> str:
    """'it claims N pages; ' from the page tree's /Count, read without counting the pages (a
    /Count of 2,147,483,647 in a few-kilobyte file made counting them fail), or ''."""
    pymupdf = load_pymupdf()

    try:
        with pymupdf.open(path) as document:
            pages = document.xref_get_key(document.pdf_catalog(), "Pages")[1].split()[0]
            kind, count = document.xref_get_key(int(pages), "Count")
        return f"it claims {int(count):,} pages; " if kind == "int" else ""
    except Exception:  # only a better message was at stake
        return ""
