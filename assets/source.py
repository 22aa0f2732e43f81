"""source_pdf: the document's identity, page labels, calibrated offset and cleaned outline."""

from collections import Counter
from pathlib import Path

import dagster as dg

from resources.settings import SpecmillSettings
from resources.store_base import ArtifactStore
from schemas import artifacts
from schemas.outline import SourcePdf
from specmill.errors import ArtifactError
from specmill.source.describe import read_source
from specmill.source.page_numbers import pdf_pages


@dg.asset(group_name="specmill", tags={"stage": "plan"}, code_version="2", kinds={"pdf"})
def source_pdf(context: dg.AssetExecutionContext, settings: SpecmillSettings, store: ArtifactStore) -> dg.MaterializeResult:
    """The source PDF: sha256, pages, page labels, printed-page offset and the cleaned outline
    (bookmarks, or headings from the text layer when there is no usable outline), and the text
    of every page (pages.json: the one extraction of the text layer that later stages read)."""
    selection = settings.profile_selection()
    how = "chosen from the document" if selection.automatic else "asked for"
    context.log.info(f"document profile {selection.name} ({how}): {selection.reason}")
    source, page_text = read_source(Path(settings.pdf_path), selection.profile)
    store.write_model(artifacts.PROFILE, selection.record())
    previous = store.read_model_if_exists(artifacts.SOURCE, SourcePdf)
    if previous is not None and previous.sha256 != source.sha256:
        raise ArtifactError(
            f"{store.uri('')} holds the artifacts of another document ({previous.path}, sha256 {previous.sha256[:12]}…); "
            "choose another output folder or remove this one"
        )
    store.write_model(artifacts.PAGE_TEXT, page_text)
    store.write_model(artifacts.SOURCE, source)
    store.write_model(artifacts.OUTLINE, source.outline)
    outline = source.outline
    reasons = Counter(drop.reason.split(" (")[0] for drop in outline.dropped)
    for title in outline.without_destination:
        context.log.warning(f"outline entry without destination: {title}")
    if source.textless_pages:
        # flash/txt reads only the text layer: these pages will parse to nothing.
        context.log.warning(f"PDF pages without a text layer: {pdf_pages(source.textless_pages[:50])}")
    return dg.MaterializeResult(
        metadata={
            "pages": source.page_count,
            "sha256": source.sha256,
            "outline_source": outline.source,
            "fallback_used": outline.source != "bookmarks",
            "bookmarks_total": outline.bookmarks_total,
            "entries_kept": len(outline.entries),
            "entries_dropped": len(outline.dropped),
            "dropped_by_reason": dg.MetadataValue.json(dict(reasons)),
            "depth": outline.depth,
            "without_destination": len(outline.without_destination),
            "past_last_page": len(outline.past_last_page),
            "page_offset": source.page_offset.offset if source.page_offset.offset is not None else "unknown",
            "page_offset_method": source.page_offset.method,
            "textless_pages": len(source.textless_pages),
            "textless_pdf_pages": dg.MetadataValue.json(pdf_pages(source.textless_pages[:200])),
            "outline_path": dg.MetadataValue.path(store.uri(artifacts.OUTLINE)),
            "page_text_chars": sum(len(text) for text in page_text.pages),
            "page_text_path": dg.MetadataValue.path(store.uri(artifacts.PAGE_TEXT)),
            "profile": selection.name,
            "profile_automatic": selection.automatic,
            "profile_reason": selection.reason,
        },
        data_version=dg.DataVersion(source.sha256),
    )
