"""When may a batch's stored artifact stand in for parsing the batch again?

A re-run after a crash (or a killed backfill) must parse only the batches that have no complete
artifact. An artifact counts when it was fully written (stores write atomically, and it must
validate), covers exactly the planned pages of the batch, comes from the same source document,
and was made by the same parser configuration (backend, tier, OCR mode): switching backend or
tier re-parses, as the user asked for different output.
"""

from __future__ import annotations

from dataclasses import dataclass

from schemas.blocks import ParsedBatchArtifact
from schemas.plan import Batch, BatchPlan


@dataclass(frozen=True)
class ParserIdentity:
    """What a parsed batch's record must say to be reused."""

    backend: str
    tier: str
    ocr_mode: str


def reuse_problem(
    artifact: ParsedBatchArtifact | None, batch: Batch, plan: BatchPlan, source_sha256: str, parser: ParserIdentity
) -> str | None:
    """None when `artifact` can be reused for `batch`; otherwise why not (for the log)."""
    if artifact is None:
        return "no artifact"
    if plan.source_sha256 != source_sha256:
        # The artifact folder is bound to one document (source.json); a plan of another is stale.
        return f"the plan is for source {plan.source_sha256[:12]}…, not {source_sha256[:12]}…"
    record = artifact.record
    if record.batch_id != batch.batch_id or (record.first_page, record.last_page) != (batch.first_page, batch.last_page):
        return f"artifact covers {record.batch_id} pages {record.first_page}-{record.last_page}, the plan says {batch.first_page}-{batch.last_page}"
    made_by = ParserIdentity(record.backend, record.tier, record.ocr_mode)
    if made_by != parser:
        return f"artifact made by {made_by}, this build uses {parser}"
    return None
