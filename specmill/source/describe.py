"""The `source_pdf` stage: identity, page labels, offset and outline of one PDF, and the text of
its pages."""

from pathlib import Path

from schemas.outline import SourcePdf
from schemas.page_text import PageText
from schemas.profile import DocumentProfile
from specmill.errors import SourcePdfError
from specmill.source.outline import extract_outline
from specmill.source.pages import calibrate_offset, page_labels, page_texts, textless_pages
from specmill.source.pdf import file_sha256, open_pdf


def _no_text_layer(path: Path, page_count: int) -> str:
    # The hint once said "use an OCR-capable tier", but every tier is refused here alike: the
    # outline, page labels and verification evidence all come from the text layer.
    return (
        f"{path} has no text layer on any of its {page_count} pages (a scan?): specmill reads the outline, page "
        "labels and the evidence for names from the text layer, whatever the MinerU tier; add one with OCR first "
        "(e.g. `ocrmypdf scan.pdf searchable.pdf`) and build that PDF"
    )


def require_text_layer(path: Path) -> None:
    """Refuse a PDF (SourcePdfError) that cannot be opened or has no text on any page, before a
    build writes anything. Pages are read only until one has text: one page for most documents."""
    path = Path(path).resolve()
    document = open_pdf(path)
    try:
        for index in range(document.page_count):
            if document[index].get_text("text").strip():
                return
        raise SourcePdfError(_no_text_layer(path, document.page_count))
    finally:
        document.close()


def read_source(path: Path, profile: DocumentProfile) -> tuple[SourcePdf, PageText]:
    """The PDF's description and the text layer of each of its pages, read in one pass."""
    path = Path(path).resolve()
    document = open_pdf(path)
    try:
        texts = page_texts(document)
        textless = textless_pages(texts)
        if len(textless) == document.page_count:
            raise SourcePdfError(_no_text_layer(path, document.page_count))
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
