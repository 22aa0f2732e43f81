"""Great Expectations 1.x suites over the block table and the section table, as asset checks.

GE is imported inside functions (its import costs seconds) and its context is built once per
process, with analytics and progress bars off: checks run offline and quietly."""

import os
from functools import lru_cache

import dagster as dg

from assets.blocks import document_blocks
from assets.clause_tree import clause_tree
from resources.settings import SpecmillSettings
from resources.store_base import ArtifactStore
from schemas import artifacts
from schemas.artifacts import BLOCKS, TREE_REPORT
from schemas.blocks import KNOWN_BLOCK_TYPES
from schemas.document import DocumentBlocks
from schemas.outline import SourcePdf
from schemas.plan import BatchPlan
from schemas.tree import ClauseTreeReport
from specmill.quality_tables import block_rows, section_rows

EXAMPLE_ROWS = 5


@lru_cache(maxsize=1)
def _context():
    os.environ.setdefault("GX_ANALYTICS_ENABLED", "False")
    import great_expectations as gx
    from great_expectations.data_context.types.base import DataContextConfig, InMemoryStoreBackendDefaults, ProgressBarsConfig

    config = DataContextConfig(
        analytics_enabled=False,
        progress_bars=ProgressBarsConfig(globally=False),
        store_backend_defaults=InMemoryStoreBackendDefaults(),
    )
    return gx.get_context(mode="ephemeral", project_config=config)


def warm_up() -> None:
    """Import Great Expectations and build its context now. The import alone takes 6 s here;
    `specmill build` calls this in its main thread while its parse worker processes run, so the
    first data-quality check does not wait for it. Never call it from a background thread: an
    import there races the imports of other threads (a partially initialized sqlalchemy module
    was seen) and cannot be interrupted cleanly."""
    _context()


def _block_suite():
    import great_expectations as gx
    from great_expectations.expectations.row_conditions import Column

    e = gx.expectations
    text_like = Column("type").is_in(["text", "list", "ref_text", "page_footnote"])
    return [
        e.ExpectColumnValuesToBeInSet(column="type", value_set=sorted(KNOWN_BLOCK_TYPES)),
        e.ExpectColumnPairValuesAToBeGreaterThanB(column_A="page", column_B="batch_first_page", or_equal=True),
        e.ExpectColumnPairValuesAToBeGreaterThanB(column_A="batch_last_page", column_B="page", or_equal=True),
        e.ExpectColumnValuesToBeBetween(column="text_chars", min_value=1, row_condition=text_like),
        e.ExpectColumnValuesToBeBetween(column="code_chars", min_value=1, row_condition=Column("type") == "code"),
        e.ExpectColumnValuesToBeInSet(column="table_ok", value_set=[True]),
        e.ExpectColumnValuesToBeInSet(column="bbox_ok", value_set=[True]),
    ]


def _section_suite(missing_clauses_blocking: float = 0.0):
    import great_expectations as gx

    e = gx.expectations
    return [
        e.ExpectColumnValuesToBeUnique(column="section"),
        e.ExpectColumnValuesToMatchRegex(column="section", regex=r"^(front-matter|[\w§ .\-]+)$"),
        e.ExpectColumnPairValuesAToBeGreaterThanB(column_A="last_page", column_B="first_page", or_equal=True),
        e.ExpectColumnValuesToBeBetween(column="first_page", min_value=0),
        e.ExpectColumnPairValuesAToBeGreaterThanB(column_A="page_count", column_B="last_page"),
        # A clause without content is mostly one whose heading was lost: clause_tree_has_every_clause
        # reports each, and stops the build only past the profile's share; so does this.
        e.ExpectColumnValuesToBeInSet(column="has_content", value_set=[True], mostly=1.0 - missing_clauses_blocking),
    ]


def validate_rows(name: str, rows: list[dict], expectations: list) -> dg.AssetCheckResult:
    """Validate a row table against a suite; the failed expectations, with example rows, go to metadata."""
    import great_expectations as gx
    import pandas as pd

    frame = pd.DataFrame(rows)
    context = _context()
    source = context.data_sources.add_or_update_pandas(name)
    asset = source.add_dataframe_asset(f"{name}-{id(frame)}")
    batch = asset.add_batch_definition_whole_dataframe("all").get_batch(batch_parameters={"dataframe": frame})
    suite = gx.ExpectationSuite(name=f"{name}-suite", expectations=expectations)
    result = batch.validate(suite, result_format={"result_format": "COMPLETE"})
    failed = []
    for outcome in result.results:
        if outcome.success:
            continue
        config = outcome.expectation_config
        indexes = (outcome.result.get("unexpected_index_list") or [])[:EXAMPLE_ROWS]
        failed.append(
            {
                "expectation": config.type,
                "kwargs": {k: v for k, v in config.kwargs.items() if k not in ("batch_id", "value_set")},
                "unexpected_count": outcome.result.get("unexpected_count"),
                "example_rows": [rows[i] for i in indexes if isinstance(i, int) and i < len(rows)],
            }
        )
    return dg.AssetCheckResult(
        passed=not failed,
        metadata={
            "rows": dg.MetadataValue.int(len(rows)),
            "expectations": len(expectations),
            "failed_expectations": dg.MetadataValue.int(len(failed)),
            "failures": dg.MetadataValue.json(failed),
        },
    )


@dg.asset_check(asset=document_blocks, blocking=True)
def block_table_expectations(store: ArtifactStore) -> dg.AssetCheckResult:
    """GE suite over the block table: known types; each block's page inside the batch that produced
    it; text blocks with text; code blocks with a body; tables with content (HTML rows, a text
    body, or an image); bboxes inside the page."""
    document = store.read_model(BLOCKS, DocumentBlocks)
    plan = store.read_model_if_exists(artifacts.PLAN, BatchPlan)
    return validate_rows("blocks", block_rows(document.blocks, plan, document), _block_suite())


@dg.asset_check(asset=clause_tree, blocking=True)
def section_table_expectations(settings: SpecmillSettings, store: ArtifactStore) -> dg.AssetCheckResult:
    """GE suite over the section table: ids unique and well formed; page ranges ordered and inside
    the document; every clause has its heading found and content (blocks, sub-clauses, or the
    next heading right after its own)."""
    report = store.read_model(TREE_REPORT, ClauseTreeReport)
    source = store.read_model(artifacts.SOURCE, SourcePdf)
    allowed = settings.stage_profile(store).segmentation.missing_clauses_blocking
    return validate_rows("sections", section_rows(report, source.page_count), _section_suite(allowed))


EXPECTATION_CHECKS = [block_table_expectations, section_table_expectations]
