"""parsed_batch: one partition per planned batch, parsed by the configured parser backend."""

import dagster as dg

from assets import artifacts
from assets.partitions import batch_partitions
from assets.plan import batch_plan
from resources.parsers import ParserBackend
from resources.settings import SpecmillSettings
from resources.store_base import ArtifactStore
from schemas.outline import SourcePdf
from schemas.plan import BatchPlan


@dg.asset(
    group_name="parse",
    deps=[batch_plan],
    partitions_def=batch_partitions,
    pool="parse",
    code_version="1",
    kinds={"mineru"},
)
def parsed_batch(
    context: dg.AssetExecutionContext, settings: SpecmillSettings, store: ArtifactStore, parser: ParserBackend
) -> dg.MaterializeResult:
    """Exactly the batch's pages, parsed by MinerU and normalized to schemas.Block."""
    plan = store.read_model(artifacts.PLAN, BatchPlan)
    source = store.read_model(artifacts.SOURCE, SourcePdf)
    batch = plan.batch(context.partition_key)
    artifact = parser.parse_batch(source.path, batch)
    store.write_model(artifacts.batch(batch.batch_id), artifact)
    record = artifact.record
    pages_per_second = batch.page_count / record.seconds if record.seconds else 0.0
    context.log.info(
        f"parsed {batch.batch_id}: pages {batch.first_page}-{batch.last_page} ({batch.page_count} pages) "
        f"in {record.seconds:.1f} s, {pages_per_second:.1f} pages/s, {len(artifact.blocks)} blocks"
    )
    return dg.MaterializeResult(
        metadata={
            "pages": batch.page_count,
            "first_page": batch.first_page,
            "last_page": batch.last_page,
            "blocks": len(artifact.blocks),
            "blocks_by_type": dg.MetadataValue.json(record.block_counts),
            "seconds": record.seconds,
            "pages_per_second": round(pages_per_second, 2),
            "backend": record.backend,
            "tier": record.tier,
            "mineru_version": record.mineru_version,
        },
        data_version=dg.DataVersion(record.content_sha256),
    )
