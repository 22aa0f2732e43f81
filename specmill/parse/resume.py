"""When may a batch's stored artifact stand in for parsing the batch again?

The one rule, used by the `parsed_batch` asset (so a UI backfill, a sensor's run or `dagster job
execute` skips a batch that is done) and by `specmill build` before it starts any run.

A re-run after a crash (or a killed backfill) must parse only the batches that have no complete
artifact. An artifact counts when it was fully written (stores write atomically, and it must
validate), covers exactly the planned pages of the batch, comes from the same source document,
and was made by the same parser: backend, tier, OCR mode, MinerU version and normalizer version
(specmill.parse.normalize.NORMALIZER_VERSION). Switching backend or tier re-parses, as the user asked
for different output; a new MinerU or a changed normalizer re-parses, as the same request now
gives other blocks. A record written before records named their normalizer version cannot say
which normalizer made its blocks, so it is parsed again rather than trusted.
"""

from __future__ import annotations

from dataclasses import dataclass, fields

from pydantic import ValidationError

from schemas.blocks import ParsedBatch, ParsedBatchArtifact
from schemas.plan import Batch, BatchPlan


@dataclass(frozen=True)
class ParserIdentity:
    """What a parsed batch's record must say to be reused."""

    backend: str
    tier: str
    ocr_mode: str
    mineru_version: str
    normalizer_version: str

    @classmethod
    def of(cls, record: ParsedBatch) -> ParserIdentity | None:
        """Who made `record`; None when the record does not say which normalizer did."""
        if record.normalizer_version is None:
            return None
        return cls(record.backend, record.tier, record.ocr_mode, record.mineru_version, record.normalizer_version)

    def differences(self, other: ParserIdentity) -> list[str]:
        return [
            f"{field.name} {getattr(self, field.name)!r} (this build: {getattr(other, field.name)!r})"
            for field in fields(self)
            if getattr(self, field.name) != getattr(other, field.name)
        ]


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
    made_by = ParserIdentity.of(record)
    if made_by is None:
        return "artifact written before batches recorded their normalizer version"
    if differences := made_by.differences(parser):
        return "artifact made by " + ", ".join(differences)
    return None


def reusable_artifact(
    stored: bytes | None, batch: Batch, plan: BatchPlan, source_sha256: str, parser: ParserIdentity
) -> tuple[ParsedBatchArtifact | None, str | None]:
    """(the artifact, None) when the stored bytes of `batch`'s artifact may stand in for parsing
    it; (None, why not) otherwise. Bytes that do not validate (another contract, damage) are
    parsed again, like a missing artifact."""
    if stored is None:
        return None, "no artifact"
    try:
        artifact = ParsedBatchArtifact.model_validate_json(stored)
    except ValidationError as exc:
        return None, f"stored artifact does not validate ({exc.error_count()} error(s))"
    problem = reuse_problem(artifact, batch, plan, source_sha256, parser)
    return (artifact, None) if problem is None else (None, problem)
