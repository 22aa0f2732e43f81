"""The Dagster code location: assets, checks, resources and jobs of specmill.

`dagster dev` (workspace.yaml) loads `defs` below, configured from the environment:
SPECMILL_PDF (the document), SPECMILL_OUT (artifact folder), SPECMILL_PROFILE (a shipped
profile's name or a YAML file; unset: chosen from the PDF), SPECMILL_SCHEMAS (os.pathsep-separated),
SPECMILL_PARSER with SPECMILL_TIER and SPECMILL_OCR_MODE (who parses: resources/parser_choice.py,
where `specmill build` makes the same choice), SPECMILL_STORE. `specmill build` builds its own
Definitions for one PDF with `build_definitions`."""

import os
from pathlib import Path

import dagster as dg

from assets.blocks import document_blocks
from assets.clause_tree import clause_tree
from assets.corrected import corrected_corpus
from assets.crosslinks import crosslink_graph
from assets.parse import parsed_batch
from assets.plan import batch_plan
from assets.source import source_pdf
from assets.vocabulary import xsd_vocabulary
from checks.batches import batch_covers_planned_pages, batches_contiguous
from checks.clause_tree import CLAUSE_TREE_CHECKS
from checks.crosslinks import (
    crosslinks_do_not_dangle, crosslinks_point_at_their_clause, crosslinks_resolution_rate, crosslinks_survive_a_copy,
)
from checks.corrected import (
    corrected_corpus_has_no_actionable_garbles,
    corrected_corpus_has_no_stale_overlay,
    corrected_corpus_replaces_schema_dumps,
)
from checks.expectations import EXPECTATION_CHECKS
from checks.plan import plan_tiles_document
from resources.parser_choice import ParserChoice, parser_choice_from_environment, parser_resource
from resources.settings import SpecmillSettings
from resources.storage import LocalArtifactStore
from resources.store_choice import store_kind

PLAN_JOB = "plan_document"
PARSE_JOB = "parse_batches"
CORPUS_JOB = "build_corpus"
# The corpus-level stages after parsing, in order; `specmill build` runs one job per stage so a
# failed blocking check stops the stages after it, and each stage gets its own timing.
CORPUS_STAGES: dict[str, list[dg.AssetsDefinition]] = {
    "blocks": [document_blocks],
    "tree": [clause_tree],
    "links": [crosslink_graph],
    "corpus": [xsd_vocabulary, corrected_corpus],
}

ALL_ASSETS = [
    source_pdf, batch_plan, parsed_batch, document_blocks, clause_tree, crosslink_graph, xsd_vocabulary, corrected_corpus,
]
ALL_CHECKS = [
    plan_tiles_document,
    batch_covers_planned_pages,
    batches_contiguous,
    *CLAUSE_TREE_CHECKS,
    *EXPECTATION_CHECKS,
    crosslinks_do_not_dangle,
    crosslinks_resolution_rate,
    crosslinks_survive_a_copy,
    crosslinks_point_at_their_clause,
    corrected_corpus_has_no_actionable_garbles,
    corrected_corpus_has_no_stale_overlay,
    corrected_corpus_replaces_schema_dumps,
]


def stage_job_name(stage: str) -> str:
    return f"stage_{stage}"


def warm_up_checks() -> None:
    """Import Great Expectations and build its context now (the CLI does it while parse workers run)."""
    from checks.expectations import warm_up

    warm_up()


def build_resources(
    *, pdf_path: str, out_dir: str, profile_path: str | None = None, schema_paths: list[str] | None = None,
    parser: dg.ConfigurableResource | None = None, store: dg.ConfigurableResource | None = None,
) -> dict[str, dg.ConfigurableResource]:
    return {
        "settings": SpecmillSettings(pdf_path=pdf_path, profile_path=profile_path, schema_paths=schema_paths or []),
        "store": store or LocalArtifactStore(root=out_dir),
        "parser": parser or parser_resource(ParserChoice()),
    }


def build_definitions(resources: dict[str, dg.ConfigurableResource]) -> dg.Definitions:
    return dg.Definitions(
        assets=ALL_ASSETS,
        asset_checks=ALL_CHECKS,
        resources=resources,
        jobs=[
            dg.define_asset_job(PLAN_JOB, selection=dg.AssetSelection.assets(source_pdf, batch_plan), executor_def=dg.in_process_executor),
            dg.define_asset_job(PARSE_JOB, selection=dg.AssetSelection.assets(parsed_batch), executor_def=dg.in_process_executor),
            *(
                dg.define_asset_job(stage_job_name(stage), selection=dg.AssetSelection.assets(*stage_assets))
                for stage, stage_assets in CORPUS_STAGES.items()
            ),
            # Everything after parsing in one run, in-process: what CI executes with `dagster job execute`.
            dg.define_asset_job(
                CORPUS_JOB,
                selection=dg.AssetSelection.assets(*(a for stage in CORPUS_STAGES.values() for a in stage)),
                executor_def=dg.in_process_executor,
            ),
        ],
    )


def store_from_environment(out_dir: str) -> dg.ConfigurableResource:
    """SPECMILL_STORE: local (default: the folder SPECMILL_OUT) or s3 (SPECMILL_S3_PREFIX in the
    BUCKET_* bucket; credentials stay environment variables, never stored in the instance)."""
    if store_kind() == "s3":
        from resources.s3_storage import S3ArtifactStore

        return S3ArtifactStore(
            bucket=dg.EnvVar("BUCKET_NAME"),
            prefix=os.environ.get("SPECMILL_S3_PREFIX", ""),
            endpoint_url=os.environ.get("BUCKET_ENDPOINT_URL"),
            region_name=os.environ.get("BUCKET_REGION"),
            aws_access_key_id=dg.EnvVar("BUCKET_ACCESS_KEY_ID"),
            aws_secret_access_key=dg.EnvVar("BUCKET_SECRET_ACCESS_KEY"),
        )
    return LocalArtifactStore(root=out_dir)


def _resources_from_environment() -> dict[str, dg.ConfigurableResource]:
    out_dir = os.environ.get("SPECMILL_OUT", str(Path("out") / "sample"))
    schemas = os.environ.get("SPECMILL_SCHEMAS", "")
    resources = build_resources(
        pdf_path=os.environ.get("SPECMILL_PDF", str(Path(out_dir) / "sample-spec.pdf")),
        out_dir=out_dir,
        profile_path=os.environ.get("SPECMILL_PROFILE") or None,
        schema_paths=[path for path in schemas.split(os.pathsep) if path],
        parser=parser_resource(parser_choice_from_environment()),
        store=store_from_environment(out_dir),
    )
    return resources


defs = build_definitions(_resources_from_environment())
