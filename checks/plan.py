"""Checks of the batch plan."""

import dagster as dg

from assets import artifacts
from assets.plan import batch_plan
from resources.store_base import ArtifactStore
from schemas.outline import SourcePdf
from schemas.plan import BatchPlan
from specmill.plan import plan_problems


@dg.asset_check(asset=batch_plan, blocking=True)
def plan_tiles_document(store: ArtifactStore) -> dg.AssetCheckResult:
    """The batches tile [0, page_count) with no gap and no overlap, and cut only at clause starts."""
    plan = store.read_model(artifacts.PLAN, BatchPlan)
    source = store.read_model(artifacts.SOURCE, SourcePdf)
    problems = plan_problems(plan, source.outline.entries)
    return dg.AssetCheckResult(
        passed=not any(problems.values()),
        metadata={
            "gaps": len(problems["gaps"]),
            "overlaps": len(problems["overlaps"]),
            "cuts_not_at_clause_start": len(problems["cuts_not_at_clause_start"]),
            "problems": dg.MetadataValue.json(problems),
        },
    )
