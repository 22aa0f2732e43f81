"""The `source_pdf` stage: identity, page labels, offset and outline of one PDF."""

from pathlib import Path

from schemas.outline import SourcePdf
from schemas.profile import DocumentProfile
from specmill.errors import SourcePdfError
from specmill.outline import extract_outline
from specmill.pages import calibrate_offset, page_labels, textless_pages
from specmill.pdf import file_sha256, open_pdf


def describe_source(path: Path, profile: DocumentProfile) -> SourcePdf:
    path = Path(path).resolve()
    document = open_pdf(path)
    try:
        textless = textless_pages(document)
        if len(textless) == document.page_count:
            raise SourcePdfError(
                f"{path} has no text layer on any of its {document.page_count} pages (a scan?): "
                "the flash tier reads only the text layer; run OCR first or use an OCR-capable tier"
            )
        labels = page_labels(document)
        return SourcePdf(
            path=str(path),
            sha256=file_sha256(path),
            page_count=document.page_count,
            page_labels=labels,
            outline=extract_outline(document, profile.outline, labels),
            page_offset=calibrate_offset(document, labels),
            textless_pages=textless,
        )
    finally:
        document.close()
