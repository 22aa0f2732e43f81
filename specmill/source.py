"""The `source_pdf` stage: identity, page labels, offset and outline of one PDF, and the text of
its pages."""

from pathlib import Path

from schemas.outline import SourcePdf
from schemas.page_text import PageText
from schemas.profile import DocumentProfile
from specmill.errors import SourcePdfError
from specmill.outline import extract_outline
from specmill.pages import calibrate_offset, page_labels, page_texts, textless_pages
from specmill.pdf import file_sha256, open_pdf


def read_source(path: Path, profile: DocumentProfile) -> tuple[SourcePdf, PageText]:
    """The PDF's description and the text layer of each of its pages, read in one pass."""
    path = Path(path).resolve()
    document = open_pdf(path)
    try:
        texts = page_texts(document)
        textless = textless_pages(texts)
        if len(textless) == document.page_count:
            raise SourcePdfError(
                f"{path} has no text layer on any of its {document.page_count} pages (a scan?): "
                "the flash tier reads only the text layer; run OCR first or use an OCR-capable tier"
            )
        labels = page_labels(document)
        sha256 = file_sha256(path)
        source = SourcePdf(
            path=str(path),
            sha256=sha256,
            page_count=document.page_count,
            page_labels=labels,
            outline=extract_outline(document, profile.outline, labels, texts),
            page_offset=calibrate_offset(document, labels),
            textless_pages=textless,
        )
        return source, PageText(sha256=sha256, page_count=document.page_count, pages=texts)
    finally:
        document.close()


def describe_source(path: Path, profile: DocumentProfile) -> SourcePdf:
    """The PDF's description alone (for callers that do not need the page texts)."""
    return read_source(path, profile)[0]
