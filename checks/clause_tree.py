"""Checks of the clause tree: every clause present, blocks placed within their clause's pages,
every file reachable from the root index, no empty code fence, no ragged Markdown table."""

import dagster as dg

from assets.clause_tree import clause_tree
from resources.settings import SpecmillSettings
from resources.store_base import ArtifactStore
from schemas.artifacts import TREE_DIR, TREE_REPORT
from schemas.tree import ClauseTreeReport
from specmill.source.page_numbers import for_people
from specmill.tree.audit import empty_code_fences, misplaced_blocks, missing_clauses, ragged_tables, unreachable_files

_EVIDENCE = 50  # items listed in metadata; the count is always the true count


def _figures(report: ClauseTreeReport) -> dict:
    return {
        "files": len(report.files),
        "barrels": report.barrels,
        "leaves": report.leaves,
        "empty_clauses": len(report.empty_clauses),
        "bytes": report.bytes,
    }


@dg.asset_check(asset=clause_tree, blocking=True)
def clause_tree_has_every_clause(settings: SpecmillSettings, store: ArtifactStore) -> dg.AssetCheckResult:
    """Every outline clause's heading was found, and the clause has a file or barrel in the tree or
    is listed as legitimately empty (its heading followed directly by the next one) in its
    parent's index. A clause whose heading was never found is lost, even when listed.

    Any missing clause fails the check. It stops the build (severity ERROR) only when more than
    the profile's `segmentation.missing_clauses_blocking` share is missing (default 0.5%): two
    lost of 1,147 (lwarp-manual) is a defect to report, not a reason to withhold the corpus."""
    report = store.read_model(TREE_REPORT, ClauseTreeReport)
    missing = missing_clauses(report, store.read_tree(TREE_DIR))
    seg = report.segmentation
    allowed = settings.stage_profile(store).segmentation.missing_clauses_blocking
    share = len(missing) / seg.clauses_total if seg.clauses_total else 0.0
    return dg.AssetCheckResult(
        passed=not missing,
        severity=dg.AssetCheckSeverity.ERROR if share > allowed else dg.AssetCheckSeverity.WARN,
        metadata={
            **_figures(report),
            "clauses": seg.clauses_total,
            "missing": len(missing),
            "missing_share": dg.MetadataValue.float(round(share, 5)),
            "blocking_above_share": dg.MetadataValue.float(allowed),
            "missing_clauses": dg.MetadataValue.json(missing[:_EVIDENCE]),
            "empty_with_reason": dg.MetadataValue.json(
                [{"section": e.section, "reason": e.reason, "listed_in": e.listed_in} for e in report.empty_clauses[:_EVIDENCE]]
            ),
            "not_found_in_text": dg.MetadataValue.json([for_people(m.model_dump()) for m in seg.missed[:_EVIDENCE]]),
            "out_of_order": dg.MetadataValue.json([for_people(m.model_dump()) for m in seg.out_of_order[:_EVIDENCE]]),
        },
    )


@dg.asset_check(asset=clause_tree, blocking=True)
def clause_tree_blocks_within_clause_pages(store: ArtifactStore) -> dg.AssetCheckResult:
    """Every block assigned to a clause comes from a page between the clause's start page and the
    next clause's start page. Running headers, gutters or list items opening sections fail this."""
    report = store.read_model(TREE_REPORT, ClauseTreeReport)
    misplaced = misplaced_blocks(report)
    blocks = sum(len(span.block_pages) for span in report.spans)
    return dg.AssetCheckResult(
        passed=not misplaced,
        metadata={
            "blocks_checked": blocks,
            "misplaced": len(misplaced),
            # Section, PDF page, block type, the section's PDF pages and a text preview, as the segmenter saw them.
            "misplaced_blocks": dg.MetadataValue.json([for_people(m.model_dump()) for m in misplaced[:_EVIDENCE]]),
        },
    )


@dg.asset_check(asset=clause_tree, blocking=True)
def clause_tree_files_reachable(store: ArtifactStore) -> dg.AssetCheckResult:
    """Every Markdown file can be reached from the root index by following links."""
    report = store.read_model(TREE_REPORT, ClauseTreeReport)
    unreachable = unreachable_files(store.read_tree(TREE_DIR), report.root_index)
    return dg.AssetCheckResult(
        passed=not unreachable,
        metadata={**_figures(report), "unreachable": len(unreachable), "unreachable_files": dg.MetadataValue.json(unreachable[:_EVIDENCE])},
    )


@dg.asset_check(asset=clause_tree, blocking=True)
def clause_tree_no_empty_code_fence(store: ArtifactStore) -> dg.AssetCheckResult:
    empty = empty_code_fences(store.read_tree(TREE_DIR))
    return dg.AssetCheckResult(
        passed=not empty, metadata={"empty_fences": len(empty), "where": dg.MetadataValue.json(empty[:_EVIDENCE])}
    )


@dg.asset_check(asset=clause_tree, blocking=True)
def clause_tree_tables_rectangular(store: ArtifactStore) -> dg.AssetCheckResult:
    """No Markdown table whose rows disagree in column count."""
    ragged = ragged_tables(store.read_tree(TREE_DIR))
    return dg.AssetCheckResult(
        passed=not ragged, metadata={"ragged_tables": len(ragged), "where": dg.MetadataValue.json(ragged[:_EVIDENCE])}
    )


@dg.asset_check(asset=clause_tree)
def clause_tree_tables_keep_their_columns(store: ArtifactStore) -> dg.AssetCheckResult:
    """Every ruled table is written with the columns the PDF's ruling lines draw (evidence
    independent of MinerU's table finder: specmill.tree.table_columns). A table without inner rules
    gives no such evidence and is counted, not judged. Severity WARN: a lost or merged column is
    a defect to report, and decorative rules can mislead the count."""
    tables = store.read_model(TREE_REPORT, ClauseTreeReport).tables
    judged = [table for table in tables if table.ruled is not None]
    wrong = [table for table in judged if table.rendered != table.ruled]
    return dg.AssetCheckResult(
        passed=not wrong,
        severity=dg.AssetCheckSeverity.WARN,
        metadata={
            "tables": len(tables),
            "with_ruling_lines": len(judged),
            "columns_as_ruled": len(judged) - len(wrong),
            "columns_differ": len(wrong),
            "without_evidence": len(tables) - len(judged),
            "differing_tables": dg.MetadataValue.json([for_people(table.model_dump()) for table in wrong[:_EVIDENCE]]),
        },
    )


CLAUSE_TREE_CHECKS = [
    clause_tree_has_every_clause,
    clause_tree_blocks_within_clause_pages,
    clause_tree_files_reachable,
    clause_tree_no_empty_code_fence,
    clause_tree_tables_rectangular,
    clause_tree_tables_keep_their_columns,
]
