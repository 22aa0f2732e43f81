"""Join parsed batches into one contiguous block stream (the document_blocks stage)."""

from __future__ import annotations

import hashlib

from schemas.blocks import Block, ParsedBatchArtifact
from schemas.document import DocumentBlocks, JoinedBatch
from schemas.plan import BatchPlan
from specmill.errors import ArtifactError


class MissingBatchesError(ArtifactError):
    """Some planned batches have no parsed artifact yet; the message names the partitions."""

    def __init__(self, missing: list[str]):
        self.missing = missing
        super().__init__(f"missing partitions: {missing} — materialize parsed_batch for them first")


def without_raw(blocks: list[Block]) -> list[Block]:
    """The blocks without MinerU's original items: those stay in each batch's artifact, where the
    parse is recorded; nothing downstream reads them, and they doubled the joined stream (192 MB
    for 5,000 pages)."""
    return [block.model_copy(update={"raw": {}}) if block.raw else block for block in blocks]


def join_batches(plan: BatchPlan, artifacts: dict[str, ParsedBatchArtifact]) -> DocumentBlocks:
    """Every batch of the plan, in page order, as one stream; fails naming missing partitions or
    batches parsed for other pages than planned."""
    missing = [batch.batch_id for batch in plan.batches if batch.batch_id not in artifacts]
    if missing:
        raise MissingBatchesError(missing)
    blocks: list[Block] = []
    records = []
    digest = hashlib.sha256()
    for batch in sorted(plan.batches, key=lambda b: b.first_page):
        artifact = artifacts[batch.batch_id]
        record = artifact.record
        if (record.first_page, record.last_page) != (batch.first_page, batch.last_page):
            raise ArtifactError(
                f"batch {batch.batch_id} was parsed for pages {record.first_page}-{record.last_page} but the plan says "
                f"{batch.first_page}-{batch.last_page}: re-materialize parsed_batch[{batch.batch_id}]"
            )
        outside = sorted({b.page for b in artifact.blocks if not batch.first_page <= b.page <= batch.last_page})
        if outside:
            raise ArtifactError(f"batch {batch.batch_id} holds blocks on pages {outside[:10]} outside its pages {batch.first_page}-{batch.last_page}")
        blocks.extend(without_raw(artifact.blocks))
        records.append(JoinedBatch(batch_id=record.batch_id, first_page=record.first_page, last_page=record.last_page,
                                   content_sha256=record.content_sha256, blocks=len(artifact.blocks)))
        digest.update(f"{batch.batch_id}:{record.content_sha256}\n".encode())
    return DocumentBlocks(
        source_sha256=plan.source_sha256,
        page_count=plan.page_count,
        batch_ids=[batch.batch_id for batch in sorted(plan.batches, key=lambda b: b.first_page)],
        batches=records,
        content_sha256=digest.hexdigest(),
        blocks=blocks,
    )


