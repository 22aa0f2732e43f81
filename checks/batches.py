"""Checks of parsed batches: each on its own, and all of them together."""

import warnings

import dagster as dg

from assets.blocks import document_blocks
from assets.parse import parsed_batch
from assets.partitions import batch_partitions
from resources.store_base import ArtifactStore
from schemas import artifacts
from schemas.artifacts import BLOCKS
from schemas.blocks import ParsedBatchArtifact
from schemas.document import DocumentBlocks
from schemas.outline import SourcePdf
from schemas.plan import BatchPlan
from specmill.parse.parsed import contiguity_problems, coverage_problems
from specmill.source.page_numbers import pdf_pages

# Partitioned asset checks are a preview feature in dagster 1.13; they are what lets a backfill
# check each batch in its own run, so we use them and keep the warning out of every CLI run.
warnings.filterwarnings("ignore", message="Specifying a partitions_def on an AssetCheckSpec")


@dg.asset_check(asset=parsed_batch, blocking=True, partitions_def=batch_partitions)
def batch_covers_planned_pages(context: dg.AssetCheckExecutionContext, store: ArtifactStore) -> dg.AssetCheckResult:
    """Every block lies inside the batch's planned pages, and every page with text in the PDF
    produced at least one block. The evidence names PDF pages from 1, as a viewer does."""
    batch_id = context.partition_key
    plan = store.read_model(artifacts.PLAN, BatchPlan)
    source = store.read_model(artifacts.SOURCE, SourcePdf)
    artifact = store.read_model(artifacts.batch(batch_id), ParsedBatchArtifact)
    problems = coverage_problems(artifact, plan.batch(batch_id), source.textless_pages)
    return dg.AssetCheckResult(
        passed=not any(problems.values()),
        metadata={
            "blocks_outside_batch": len(problems["blocks_outside_batch"]),
            "text_pages_without_blocks": len(problems["text_pages_without_blocks"]),
            "pdf_pages": dg.MetadataValue.json({problem: pdf_pages(pages) for problem, pages in problems.items()}),
        },
    )


@dg.asset_check(asset=document_blocks, blocking=True)
def batches_contiguous(store: ArtifactStore) -> dg.AssetCheckResult:
    """The joined block stream holds every planned batch, each parsed for exactly its planned
    pages; names the missing partitions otherwise. Judged on the batch records the stream was
    joined from (re-reading 56 batch artifacts at 5,000 pages cost 3 s)."""
    plan = store.read_model(artifacts.PLAN, BatchPlan)
    document = store.read_model(BLOCKS, DocumentBlocks)
    records = {record.batch_id: record for record in document.batches}
    problems = contiguity_problems(plan, records)
    return dg.AssetCheckResult(
        passed=not any(problems.values()),
        description=(f"missing partitions: {problems['missing_partitions']}" if problems["missing_partitions"] else None),
        metadata={
            "batches_planned": len(plan.batches),
            "batches_parsed": len(records),
            "missing_partitions": dg.MetadataValue.json(problems["missing_partitions"]),
            "mismatched_batches": dg.MetadataValue.json(
                [
                    {"batch": m["batch"], "planned_pdf_pages": pdf_pages(m["planned"]), "parsed_pdf_pages": pdf_pages(m["parsed"])}
                    for m in problems["mismatched_batches"]
                ]
            ),
        },
    )
