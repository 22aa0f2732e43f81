"""Checks of the batch plan."""

import dagster as dg

from assets.plan import batch_plan
from resources.store_base import ArtifactStore
from schemas import artifacts
from schemas.outline import SourcePdf
from schemas.plan import BatchPlan
from specmill.plan.batches import plan_problems
from specmill.source.page_numbers import for_people, pdf_pages


def _for_people(problems: dict[str, list]) -> dict[str, list]:
    """The evidence with 1-based PDF page numbers, named so: gaps and overlaps as page ranges."""
    return {
        "gaps_pdf_pages": [pdf_pages(pages) for pages in problems["gaps"]],
        "overlaps_pdf_pages": [pdf_pages(pages) for pages in problems["overlaps"]],
        "cuts_not_at_clause_start": [for_people(cut) for cut in problems["cuts_not_at_clause_start"]],
        "batches_over_max_pages": problems["batches_over_max_pages"],
    }


@dg.asset_check(asset=batch_plan, blocking=True)
def plan_tiles_document(store: ArtifactStore) -> dg.AssetCheckResult:
    """The batches tile [0, page_count) with no gap and no overlap, cut only at clause starts (or
    inside a clause longer than max_pages), and none is longer than max_pages."""
    plan = store.read_model(artifacts.PLAN, BatchPlan)
    source = store.read_model(artifacts.SOURCE, SourcePdf)
    problems = plan_problems(plan, source.outline.entries)
    return dg.AssetCheckResult(
        passed=not any(problems.values()),
        metadata={
            "gaps": len(problems["gaps"]),
            "overlaps": len(problems["overlaps"]),
            "cuts_not_at_clause_start": len(problems["cuts_not_at_clause_start"]),
            "batches_over_max_pages": len(problems["batches_over_max_pages"]),
            "problems": dg.MetadataValue.json(_for_people(problems)),
        },
    )
