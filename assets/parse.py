"""parsed_batch: one partition per planned batch, parsed by the configured parser backend.

A partition whose stored artifact already matches the source, the pages and the parser
(specmill.parse.resume) is not parsed again: the materialization says `reused` and carries the figures
of the run that parsed it. So a UI backfill, a sensor's run and `dagster job execute` skip what a
killed run finished, exactly as `specmill build` does."""

import dagster as dg
from pydantic import Field

from assets.partitions import batch_partitions
from assets.plan import batch_plan
from resources.parsers import ParserBackend
from resources.settings import SpecmillSettings
from resources.store_base import ArtifactStore
from schemas import artifacts
from schemas.outline import SourcePdf
from schemas.plan import BatchPlan
from specmill.parse.normalize import NORMALIZER_VERSION
from specmill.parse.parsed import batch_figures
from specmill.parse.resume import reusable_artifact


class ParseConfig(dg.Config):
    force: bool = Field(default=False, description="Parse the batch even when its stored artifact would be reused.")


@dg.asset(
    group_name="specmill",
    tags={"stage": "parse"},
    deps=[batch_plan],
    partitions_def=batch_partitions,
    pool="parse",
    # The blocks change with the normalizer: Dagster then marks the batches it made before as stale.
    code_version=f"2+normalizer.{NORMALIZER_VERSION}",
    kinds={"mineru"},
)
def parsed_batch(
    context: dg.AssetExecutionContext, config: ParseConfig, settings: SpecmillSettings, store: ArtifactStore,
    parser: ParserBackend,
) -> dg.MaterializeResult:
    """Exactly the batch's pages, parsed by MinerU and normalized to schemas.Block; reused when a
    complete artifact of the same source, pages and parser is stored (`force` parses anyway)."""
    plan = store.read_model(artifacts.PLAN, BatchPlan)
    source = store.read_model(artifacts.SOURCE, SourcePdf)
    batch = plan.batch(context.partition_key)
    where = f"{batch.batch_id} (PDF pages {batch.first_page + 1}-{batch.last_page + 1}, {batch.page_count} pages)"
    relative = artifacts.batch(batch.batch_id)
    stored = store.read_bytes(relative) if store.exists(relative) else None
    artifact, problem = reusable_artifact(stored, batch, plan, source.sha256, parser.identity())
    reused = artifact is not None and not config.force
    if reused:
        context.log.info(f"reused {where}: its complete artifact matches the source, pages and parser")
    else:
        if stored is not None:
            context.log.info(f"parsing {where} again: {problem or 'forced'}")
        artifact = parser.parse_batch(source.path, batch)
        store.write_model(relative, artifact)
        record = artifact.record
        context.log.info(
            f"parsed {where} in {record.seconds:.1f} s, "
            f"{batch.page_count / record.seconds if record.seconds else 0.0:.1f} pages/s, {len(artifact.blocks)} blocks"
        )
    return dg.MaterializeResult(
        metadata=batch_figures(batch, artifact, reused=reused),
        data_version=dg.DataVersion(artifact.record.content_sha256),
    )
