"""batch_plan: clause-aligned page batches, registered as dynamic partitions."""

import dagster as dg

from assets.partitions import batch_partitions
from assets.source import source_pdf
from resources.settings import SpecmillSettings
from resources.store_base import ArtifactStore
from schemas import artifacts
from schemas.outline import SourcePdf
from schemas.plan import BatchPlan
from specmill.plan.batches import plan_batches
from specmill.plan.table import plan_table


def register_partitions(instance: dg.DagsterInstance, plan: BatchPlan) -> tuple[list[str], list[str]]:
    """Make the instance's batch partitions equal the plan's batch ids; returns (added, removed)."""
    wanted = [batch.batch_id for batch in plan.batches]
    existing = set(instance.get_dynamic_partitions(batch_partitions.name))
    added = [key for key in wanted if key not in existing]
    removed = sorted(existing - set(wanted))
    if added:
        instance.add_dynamic_partitions(batch_partitions.name, added)
    for key in removed:
        instance.delete_dynamic_partition(batch_partitions.name, key)
    return added, removed


@dg.asset(group_name="specmill", tags={"stage": "plan"}, deps=[source_pdf], code_version="1")
def batch_plan(context: dg.AssetExecutionContext, settings: SpecmillSettings, store: ArtifactStore) -> dg.MaterializeResult:
    """Clause-aligned batches (target ~100 pages, hard max ~200): cuts only where a clause starts;
    top-level clauses and annexes always open a batch. One dynamic partition per batch."""
    source = store.read_model(artifacts.SOURCE, SourcePdf)
    plan = plan_batches(source.outline.entries, source.page_count, settings.stage_profile(store).plan, source.sha256)
    store.write_model(artifacts.PLAN, plan)
    added, removed = register_partitions(context.instance, plan)
    sizes = [batch.page_count for batch in plan.batches]
    return dg.MaterializeResult(
        metadata={
            "batches": len(plan.batches),
            "pages": plan.page_count,
            "largest_batch_pages": max(sizes),
            "smallest_batch_pages": min(sizes),
            "forced_cuts": sum(batch.forced_cut for batch in plan.batches),
            "partitions_added": len(added),
            "partitions_removed": len(removed),
            "plan": dg.MetadataValue.md(plan_table(plan)),
            "plan_path": dg.MetadataValue.path(store.uri(artifacts.PLAN)),
        },
        data_version=dg.DataVersion(plan.model_dump_json()),
    )
