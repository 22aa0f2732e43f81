"""Row tables of blocks and sections for data-quality suites (plain dicts: no pandas here).

Each row carries the facts an expectation needs, computed once, so a suite stays declarative:
'table_ok' rather than re-parsing HTML inside an expectation."""

from lxml import etree, html

from schemas.blocks import Block
from schemas.document import DocumentBlocks
from schemas.plan import BatchPlan
from schemas.tree import ClauseTreeReport


def _table_has_content(block: Block) -> bool:
    """A table block the renderer can turn into something: HTML with rows, a text body (MinerU 4
    flash emits some ruled tables as fixed-width text, and files some prose as a table), or an
    image. An empty body is MinerU's merge stub, joined to its other half. What fails is HTML
    without a single row: a table that lost its content."""
    body = (block.table_body or "").strip()
    if not body:
        return True
    if not body.startswith("<"):
        return True
    try:
        fragment = html.fragment_fromstring(body, create_parent="div")
    except (etree.ParserError, ValueError):
        return False
    return bool(fragment.xpath(".//tr")) or bool(block.img_path)


def _bbox_ok(bbox: list[float] | None) -> bool:
    if bbox is None:
        return True  # 2.x and office outputs carry no bbox
    if len(bbox) != 4:
        return False
    x0, y0, x1, y1 = bbox
    return 0 <= x0 <= x1 <= 1000 and 0 <= y0 <= y1 <= 1000


def _batch_of_each_block(blocks: list[Block], document: DocumentBlocks | None, plan: BatchPlan | None) -> list[tuple[str, int, int]]:
    """(batch id, first page, last page) of the batch that produced each block, from the joined
    batches' block counts: the batch a block came from, not the batch its page would suggest.
    Without batch records (pre-parsed MinerU output) every block belongs to the whole document."""
    planned = {batch.batch_id: batch for batch in plan.batches} if plan else {}
    owners: list[tuple[str, int, int]] = []
    for joined in document.batches if document else []:
        batch = planned.get(joined.batch_id)
        first, last = (batch.first_page, batch.last_page) if batch else (joined.first_page, joined.last_page)
        owners.extend([(joined.batch_id, first, last)] * joined.blocks)
    if len(owners) != len(blocks):
        last_page = document.page_count - 1 if document else max((b.page for b in blocks), default=0)
        return [("", 0, last_page)] * len(blocks)
    return owners


def block_rows(blocks: list[Block], plan: BatchPlan | None, document: DocumentBlocks | None = None) -> list[dict]:
    """One row per block: type, page, the first/last page of the batch that produced it, content facts."""
    owners = _batch_of_each_block(blocks, document, plan)
    rows = []
    for position, (block, (batch_id, first, last)) in enumerate(zip(blocks, owners)):
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
                "table_ok": _table_has_content(block) if block.type == "table" else True,
                "bbox_ok": _bbox_ok(block.bbox),
            }
        )
    return rows


def section_rows(report: ClauseTreeReport, page_count: int) -> list[dict]:
    """One row per section of the tree: key, page span, blocks, and whether it has content. A
    section without blocks has content only as the index of its sub-clauses, or when it is
    listed as legitimately empty (its heading found, the next heading right after it)."""
    empty = {clause.section: clause for clause in report.empty_clauses}
    file_bytes = {file.section: file.bytes for file in report.files if file.section}
    rows = []
    for span in report.spans:
        listing = empty.get(span.section)
        legitimately_empty = listing is not None and listing.legitimately_empty
        rows.append(
            {
                "section": span.section,
                "first_page": span.first_page if span.first_page is not None else -1,
                "last_page": span.last_page if span.last_page is not None else -1,
                "page_count": page_count,
                "blocks": len(span.block_pages),
                "heading_found": span.matched,
                "empty_reason": listing.reason if listing else "",
                "has_content": span.matched and (len(span.block_pages) > 0 or span.has_children or legitimately_empty),
                "file_bytes": file_bytes.get(span.section, 0),
            }
        )
    return rows
