"""clause_tree: sections from the block stream and the outline, written as Markdown to tree/."""

import hashlib
import time
from pathlib import Path

import dagster as dg

from assets.blocks import document_blocks
from resources.settings import SpecmillSettings
from resources.store_base import ArtifactStore
from schemas import artifacts
from schemas.artifacts import BLOCKS, TREE_DIR, TREE_REPORT
from schemas.document import DocumentBlocks
from schemas.outline import SourcePdf
from schemas.page_text import PageText
from specmill.source.textlayer import PdfTextLayer
from specmill.tree.empty_clauses import confirm_empty_clauses
from specmill.tree.listings import heading_texts, join_listings
from specmill.tree.segment import segment_blocks
from specmill.tree.table_columns import table_columns
from specmill.tree.write import render_clause_tree


@dg.asset(group_name="specmill", tags={"stage": "tree"}, deps=[document_blocks], code_version="6")
def clause_tree(context: dg.AssetExecutionContext, settings: SpecmillSettings, store: ArtifactStore) -> dg.MaterializeResult:
    """One file per clause (barrels for clauses with sub-clauses), a root index, and tree.json
    (files, empty clauses, the segmentation report, block spans for the placement check)."""
    started = time.perf_counter()
    source = store.read_model(artifacts.SOURCE, SourcePdf)
    document = store.read_model(BLOCKS, DocumentBlocks)
    profile = settings.stage_profile(store)
    with PdfTextLayer(source.path) as text_layer:
        tree = segment_blocks(
            join_listings(document.blocks, text_layer.lines_under, heading_texts(source.outline.entries)),
            source.outline.entries,
            rules=profile.segmentation,
            clause_id_patterns=profile.outline.clause_id_patterns,
            recover_text=text_layer.text_under,
        )
        tables = table_columns(tree, text_layer.ruled_columns)
    # No image source: every backend carries its images inside the blocks (data URIs), so no
    # path a content list names is ever read here (issue 16: `/etc/passwd` as an img_path).
    files, report = render_clause_tree(tree, document_title=Path(source.path).stem, rules=profile.tree)
    if report.empty_clauses:
        report = confirm_empty_clauses(tree, report, store.read_model(artifacts.PAGE_TEXT, PageText).pages)
    report = report.model_copy(update={"tables": tables})
    store.write_tree(TREE_DIR, files)
    store.write_model(TREE_REPORT, report)
    digest = hashlib.sha256()
    for path in sorted(files):
        digest.update(path.encode() + b"\0" + hashlib.sha256(files[path]).digest())
    seg = report.segmentation
    for missed in seg.missed:
        where = f" (its bookmark points at PDF page {missed.page + 1})" if missed.page is not None else ""
        context.log.warning(f"clause not found in the text: {missed.clause_id or missed.title}{where}")
    return dg.MaterializeResult(
        metadata={
            "files": len(report.files),
            "barrels": report.barrels,
            "leaves": report.leaves,
            "empty_clauses": len(report.empty_clauses),
            "bytes": report.bytes,
            "clauses": seg.clauses_total,
            "clauses_matched": len(seg.matched),
            "clauses_missed": len(seg.missed),
            "clauses_out_of_order": len(seg.out_of_order),
            "misplaced_blocks": len(report.misplaced),
            "front_matter_blocks": seg.front_matter_blocks,
            "furniture_dropped": dg.MetadataValue.json(seg.furniture_dropped),
            "images_copied": report.images_copied,
            "seconds": round(time.perf_counter() - started, 3),
            "tree_path": dg.MetadataValue.path(store.uri(TREE_DIR)),
            "report_path": dg.MetadataValue.path(store.uri(TREE_REPORT)),
        },
        data_version=dg.DataVersion(digest.hexdigest()),
    )
