"""Turn a batch's normalized blocks into the stored artifact, and check it against its plan."""

import hashlib
import json
from collections import Counter
from collections.abc import Mapping
from typing import Any

from schemas.blocks import Block, ParsedBatch, ParsedBatchArtifact
from schemas.document import JoinedBatch
from schemas.plan import Batch, BatchPlan
from specmill.parse import normalize


def content_sha256(blocks: list[Block]) -> str:
    payload = json.dumps([b.model_dump(mode="json", exclude={"raw"}) for b in blocks], sort_keys=True, ensure_ascii=False)
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()


def build_artifact(
    batch: Batch,
    blocks: list[Block],
    *,
    backend: str,
    mineru_version: str,
    tier: str,
    ocr_mode: str,
    seconds: float,
    warnings: list[str] | None = None,
) -> ParsedBatchArtifact:
    blocks = sorted(blocks, key=lambda block: block.page)  # stable: keeps reading order within a page
    record = ParsedBatch(
        batch_id=batch.batch_id,
        backend=backend,
        mineru_version=mineru_version,
        # Every backend normalizes with specmill.parse.normalize; read at call time, so it is the
        # version that made these blocks.
        normalizer_version=normalize.NORMALIZER_VERSION,
        tier=tier,
        ocr_mode=ocr_mode,
        first_page=batch.first_page,
        last_page=batch.last_page,
        pages_seen=sorted({block.page for block in blocks}),
        block_counts=dict(sorted(Counter(block.type for block in blocks).items())),
        seconds=round(seconds, 3),
        content_sha256=content_sha256(blocks),
        warnings=list(warnings or []),
    )
    return ParsedBatchArtifact(record=record, blocks=blocks)


def batch_figures(batch: Batch, artifact: ParsedBatchArtifact, *, reused: bool) -> dict[str, Any]:
    """What a parsed batch's materialization reports, as plain values: the asset says the same
    whether it parsed the batch or reused its artifact (then with the figures of the run that
    parsed it), and so does the CLI when it records a reused batch. Pages are 1-based, as a PDF
    viewer numbers them; the artifacts keep 0-based page indexes."""
    record = artifact.record
    return {
        "reused": reused,
        "pages": batch.page_count,
        "first_pdf_page": batch.first_page + 1,
        "last_pdf_page": batch.last_page + 1,
        "blocks": len(artifact.blocks),
        "blocks_by_type": dict(record.block_counts),
        "seconds": record.seconds,
        "pages_per_second": round(batch.page_count / record.seconds, 2) if record.seconds else 0.0,
        "backend": record.backend,
        "tier": record.tier,
        "ocr_mode": record.ocr_mode,
        "mineru_version": record.mineru_version,
        "normalizer_version": record.normalizer_version or "not recorded",
        "warnings": len(record.warnings),
    }


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
