"""Row tables of blocks and sections for data-quality suites (plain dicts: no pandas here).

Each row carries the facts an expectation needs, computed once, so a suite stays declarative:
'table_ok' rather than re-parsing HTML inside an expectation."""

import bisect

from lxml import etree, html

from schemas.blocks import Block
from schemas.plan import BatchPlan
from schemas.tree import ClauseTreeReport


def _table_parses(body: str | None) -> bool:
    if not body:
        return True  # an empty merge stub; the renderer joins it to its other half
    try:
        fragment = html.fragment_fromstring(body, create_parent="div")
    except (etree.ParserError, ValueError):
        return False
    return bool(fragment.xpath(".//tr"))


def _bbox_ok(bbox: list[float] | None) -> bool:
    if bbox is None:
        return True  # 2.x and office outputs carry no bbox
    if len(bbox) != 4:
        return False
    x0, y0, x1, y1 = bbox
    return 0 <= x0 <= x1 <= 1000 and 0 <= y0 <= y1 <= 1000


def block_rows(blocks: list[Block], plan: BatchPlan | None) -> list[dict]:
    """One row per block: type, page, the planned batch's first/last page, content facts."""
    starts = [batch.first_page for batch in plan.batches] if plan else []
    rows = []
    for position, block in enumerate(blocks):
        if plan:
            batch = plan.batches[max(0, bisect.bisect_right(starts, block.page) - 1)]
            first, last, batch_id = batch.first_page, batch.last_page, batch.batch_id
        else:
            first, last, batch_id = 0, block.page, ""
        rows.append(
            {
                "position": position,
                "type": block.type,
                "page": block.page,
                "batch": batch_id,
                "batch_first_page": first,
                "batch_last_page": last,
                "text_chars": len(block.text.strip()) + sum(len(item.strip()) for item in block.list_items),
                "code_chars": len((block.code_body or "").strip()),
                "table_ok": _table_parses(block.table_body) if block.type == "table" else True,
                "bbox_ok": _bbox_ok(block.bbox),
            }
        )
    return rows


def section_rows(report: ClauseTreeReport, page_count: int) -> list[dict]:
    """One row per section of the tree: key, clause id, page span, blocks, listed as empty."""
    empty = {clause.section for clause in report.empty_clauses}
    file_bytes = {file.section: file.bytes for file in report.files if file.section}
    rows = []
    for span in report.spans:
        rows.append(
            {
                "section": span.section,
                "first_page": span.first_page if span.first_page is not None else -1,
                "last_page": span.last_page if span.last_page is not None else -1,
                "page_count": page_count,
                "blocks": len(span.block_pages),
                "listed_empty": span.section in empty,
                "has_content": len(span.block_pages) > 0 or span.section in empty,
                "file_bytes": file_bytes.get(span.section, 0),
            }
        )
    return rows
