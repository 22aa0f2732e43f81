"""document_blocks: every parsed batch of the plan joined in page order, one block stream."""

import dagster as dg

from assets.parse import parsed_batch
from resources.store_base import ArtifactStore
from schemas import artifacts
from schemas.artifacts import BLOCKS
from schemas.blocks import ParsedBatchArtifact
from schemas.plan import BatchPlan
from specmill.parse.document import join_batches, without_raw


def read_batch_artifacts(store: ArtifactStore, plan: BatchPlan) -> dict[str, ParsedBatchArtifact]:
    """Every parsed batch of the plan that has an artifact, without MinerU's raw items: they are
    dropped as each batch is read (and the store does not keep the batch), so the join never
    holds all 56 batches' raw items at once (half of 192 MB of JSON at 5,000 pages)."""
    found = {}
    for batch in plan.batches:
        artifact = store.read_model_if_exists(artifacts.batch(batch.batch_id), ParsedBatchArtifact, keep=False)
        if artifact is not None:
            found[batch.batch_id] = artifact.model_copy(update={"blocks": without_raw(artifact.blocks)})
    return found


@dg.asset(group_name="specmill", tags={"stage": "blocks"}, deps=[parsed_batch], code_version="3")
def document_blocks(context: dg.AssetExecutionContext, store: ArtifactStore) -> dg.MaterializeResult:
    """The whole document's normalized blocks in page order. Fails naming the missing partitions
    when not every planned batch is parsed (an unpartitioned asset sees all partitions)."""
    plan = store.read_model(artifacts.PLAN, BatchPlan)
    document = join_batches(plan, read_batch_artifacts(store, plan))
    store.write_model(BLOCKS, document)
    counts: dict[str, int] = {}
    for block in document.blocks:
        counts[block.type] = counts.get(block.type, 0) + 1
    context.log.info(f"joined {len(document.batch_ids)} batches: {len(document.blocks)} blocks")
    return dg.MaterializeResult(
        metadata={
            "batches": len(document.batch_ids),
            "blocks": len(document.blocks),
            "pages_with_blocks": len({block.page for block in document.blocks}),
            "blocks_by_type": dg.MetadataValue.json(dict(sorted(counts.items()))),
            "blocks_path": dg.MetadataValue.path(store.uri(BLOCKS)),
        },
        data_version=dg.DataVersion(document.content_sha256),
    )
