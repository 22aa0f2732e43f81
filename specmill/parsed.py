"""Turn a batch's normalized blocks into the stored artifact, and check it against its plan."""

import hashlib
import json
from collections import Counter
from collections.abc import Mapping

from schemas.blocks import Block, ParsedBatch, ParsedBatchArtifact
from schemas.document import JoinedBatch
from schemas.plan import Batch, BatchPlan


def content_sha256(blocks: list[Block]) -> str:
    payload = json.dumps([b.model_dump(mode="json", exclude={"raw"}) for b in blocks], sort_keys=True, ensure_ascii=False)
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()


def build_artifact(
    batch: Batch, blocks: list[Block], *, backend: str, mineru_version: str, tier: str, ocr_mode: str, seconds: float
) -> ParsedBatchArtifact:
    blocks = sorted(blocks, key=lambda block: block.page)  # stable: keeps reading order within a page
    record = ParsedBatch(
        batch_id=batch.batch_id,
        backend=backend,
        mineru_version=mineru_version,
        tier=tier,
        ocr_mode=ocr_mode,
        first_page=batch.first_page,
        last_page=batch.last_page,
        pages_seen=sorted({block.page for block in blocks}),
        block_counts=dict(sorted(Counter(block.type for block in blocks).items())),
        seconds=round(seconds, 3),
        content_sha256=content_sha256(blocks),
    )
    return ParsedBatchArtifact(record=record, blocks=blocks)


def coverage_problems(artifact: ParsedBatchArtifact, batch: Batch, textless_pages: list[int]) -> dict[str, list[int]]:
    """Blocks outside the planned pages, and pages with text in the PDF that produced no block."""
    planned = set(batch.pages)
    outside = sorted({block.page for block in artifact.blocks if block.page not in planned})
    seen = {block.page for block in artifact.blocks}
    textless = set(textless_pages)
    silent = [page for page in batch.pages if page not in seen and page not in textless]
    return {"blocks_outside_batch": outside, "text_pages_without_blocks": silent}


def contiguity_problems(plan: BatchPlan, records: Mapping[str, ParsedBatch | JoinedBatch]) -> dict[str, list]:
    """Missing partitions, and parsed batches whose pages no longer match the plan."""
    missing = [batch.batch_id for batch in plan.batches if batch.batch_id not in records]
    mismatched = [
        {"batch": batch.batch_id, "planned": [batch.first_page, batch.last_page], "parsed": [r.first_page, r.last_page]}
        for batch in plan.batches
        if (r := records.get(batch.batch_id)) and (r.first_page, r.last_page) != (batch.first_page, batch.last_page)
    ]
    return {"missing_partitions": missing, "mismatched_batches": mismatched}
