"""Run the asset graph in-process for one PDF against a persistent Dagster instance, so that
`dagster dev` shows the same materializations and check results afterwards."""

import os
import threading
import time
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

import dagster as dg

from assets import artifacts
from schemas.outline import SourcePdf
from schemas.plan import BatchPlan
from schemas.profile import DocumentProfile
from specmill.atomic import write_json_atomic, write_text_atomic
from specmill.errors import ArtifactError, ProfileError
from specmill.pdf import file_sha256, open_pdf
from specmill_cli.summary import RunSummary, check_records, metadata_to_json

QUIET = {"loggers": {"console": {"config": {"log_level": "WARNING"}}}}


def validate_inputs(pdf: Path, out: Path, profile: Path | None, mineru_output: Path | None = None) -> None:
    """Fail before anything is written: unusable PDF, bad profile, unusable MinerU output, or a
    folder of another document."""
    open_pdf(pdf).close()
    if mineru_output is not None:
        from resources.parsers import load_existing_output

        load_existing_output(str(mineru_output.resolve()))
    if profile is not None:
        if not profile.is_file():
            raise ProfileError(f"document profile not found: {profile}")
        try:
            DocumentProfile.load(profile)
        except Exception as exc:
            raise ProfileError(f"document profile {profile} is invalid: {exc}") from exc
    previous = out / artifacts.SOURCE
    if previous.exists():
        recorded = SourcePdf.model_validate_json(previous.read_bytes())
        if recorded.sha256 != file_sha256(pdf):
            raise ArtifactError(
                f"{out} holds the artifacts of another document ({recorded.path}); choose another --out folder or remove it"
            )


# Telemetry off: this machine class may only talk to loopback, and a document pipeline has no
# business phoning home. The parse pool bounds concurrent parse steps (launched runs, backfills).
INSTANCE_CONFIG = """\
telemetry:
  enabled: false
# One event-log database for all runs: the default creates and migrates a new SQLite file per
# run, which cost about a quarter of a second for every parsed batch.
event_log_storage:
  module: dagster._core.storage.event_log
  class: ConsolidatedSqliteEventLogStorage
  config:
    base_dir: {home}/history
concurrency:
  pools:
    default_limit: 2
"""


def dagster_home(out: Path) -> Path:
    """$DAGSTER_HOME when set (so `dagster dev` with the same home shows these runs), else DIR/.dagster.
    A dagster.yaml is written there when the folder has none."""
    home = Path(os.environ.get("DAGSTER_HOME") or (out / ".dagster")).resolve()
    home.mkdir(parents=True, exist_ok=True)
    if not (home / "dagster.yaml").exists():
        write_text_atomic(home / "dagster.yaml", INSTANCE_CONFIG.format(home=home))
    return home


@dataclass(frozen=True)
class BuildOptions:
    """Everything a build needs, picklable so that parse worker processes can rebuild the graph."""

    pdf: Path
    out: Path
    profile: Path | None = None
    schemas: tuple[Path, ...] = ()
    tier: str = "flash"
    ocr_mode: str = "txt"
    mineru_output: Path | None = None
    backend: str = "mineru-local"  # or "runpod" (then `runpod` holds its settings)
    runpod: Any = None  # resources.runpod_parser.RunPodOptions; secrets stay in the environment

    def parser_identity(self):
        """Backend, tier and OCR mode a parsed batch of this build records (specmill.resume)."""
        from specmill.resume import ParserIdentity

        if self.mineru_output is not None:
            return ParserIdentity("mineru-output", "existing-output", "n/a")
        if self.backend == "runpod":
            from schemas.worker_api import TIER_ALIASES

            return ParserIdentity("runpod", TIER_ALIASES.get(self.tier, self.tier), self.ocr_mode)
        return ParserIdentity("mineru-local", self.tier, self.ocr_mode)


@dataclass
class JobOutcome:
    """What one in-process run did, as plain data (it crosses process boundaries)."""

    success: bool
    seconds: float
    figures: dict[str, Any]
    checks: list[dict[str, Any]]
    failures: list[str]


def build_graph(options: BuildOptions) -> tuple[dg.Definitions, dg.DagsterInstance]:
    from definitions import build_definitions, build_resources
    from resources.parsers import MineruLocalParser, MineruOutputParser

    options.out.mkdir(parents=True, exist_ok=True)
    home = dagster_home(options.out)
    resources = build_resources(
        pdf_path=str(options.pdf.resolve()),
        out_dir=str(options.out.resolve()),
        profile_path=str(options.profile.resolve()) if options.profile else None,
        schema_paths=[str(path.resolve()) for path in options.schemas],
        parser=(
            MineruOutputParser(path=str(options.mineru_output.resolve()))
            if options.mineru_output
            else options.runpod.parser(tier=options.tier, ocr_mode=options.ocr_mode)
            if options.backend == "runpod"
            else MineruLocalParser(tier=options.tier, ocr_mode=options.ocr_mode, mineru_home=str(home / "mineru-home"))
        ),
    )
    return build_definitions(resources), dg.DagsterInstance.from_config(str(home))


def execute_job(defs: dg.Definitions, instance: dg.DagsterInstance, job_name: str, partition_key: str | None = None) -> JobOutcome:
    started = time.perf_counter()
    result = defs.resolve_job_def(job_name).execute_in_process(
        instance=instance, partition_key=partition_key, raise_on_error=False, run_config=QUIET
    )
    figures: dict[str, Any] = {}
    prefix = "" if partition_key is None else f"{partition_key}."
    for event in result.get_asset_materialization_events():
        materialization = event.event_specific_data.materialization
        for key, value in metadata_to_json(dict(materialization.metadata)).items():
            if isinstance(value, (int, float, str, bool)) and not str(value).startswith("/"):
                figures[f"{prefix}{materialization.asset_key.to_user_string()}.{key}"] = value
    failures = []
    for failure in result.get_step_failure_events():
        error = failure.event_specific_data.error
        message = error.cause.message if error and error.cause else (error.message if error else "unknown error")
        failures.append(f"{failure.step_key}: {message.strip()}")
    return JobOutcome(
        success=result.success, seconds=time.perf_counter() - started, figures=figures,
        checks=check_records(result), failures=failures,
    )


@lru_cache(maxsize=1)
def _worker_graph(options: BuildOptions) -> tuple[dg.Definitions, dg.DagsterInstance]:
    return build_graph(options)


def parse_partition_in_worker(options: BuildOptions, batch_id: str) -> JobOutcome:
    """Runs in a parse worker process: one partition of parsed_batch, against the shared instance."""
    from definitions import PARSE_JOB

    defs, instance = _worker_graph(options)
    return execute_job(defs, instance, PARSE_JOB, partition_key=batch_id)


def warm_up_checks_in_background() -> threading.Thread:
    """Great Expectations' import (6 s) overlaps the parse stage instead of delaying the first
    post-parse check: with parse workers the main process only waits on them. A check that needs
    GE before the thread is done waits on the import lock. Not a daemon: a thread killed in the
    middle of an import at interpreter exit can crash the exit."""
    from checks.expectations import warm_up

    thread = threading.Thread(target=warm_up, name="warm-up-great-expectations")
    thread.start()
    return thread


@dataclass
class Pipeline:
    options: BuildOptions
    defs: dg.Definitions
    instance: dg.DagsterInstance
    summary: RunSummary

    @classmethod
    def for_document(cls, options: BuildOptions) -> "Pipeline":
        defs, instance = build_graph(options)
        return cls(options=options, defs=defs, instance=instance, summary=RunSummary())

    @property
    def out(self) -> Path:
        return self.options.out

    def _record(self, stage: str, outcome: JobOutcome) -> JobOutcome:
        self.summary.add_stage(stage, outcome.seconds, outcome.figures)
        self.summary.checks.extend(outcome.checks)
        for failure in outcome.failures:
            print(f"FAILED step {failure}")
        return outcome

    def _report_batch(self, batch, outcome: JobOutcome) -> None:
        state = "ok" if outcome.success else "FAILED"
        seconds = outcome.figures.get(f"{batch.batch_id}.parsed_batch.seconds", "?")
        rate = outcome.figures.get(f"{batch.batch_id}.parsed_batch.pages_per_second", "?")
        print(f"  {batch.batch_id} pages {batch.first_page}-{batch.last_page} ({batch.page_count} pages): {state}, {seconds} s, {rate} pages/s", flush=True)

    def parse_all(self, plan: BatchPlan, jobs: int) -> bool:
        """Parse every batch that has no complete artifact yet: in this process, or `jobs` at a
        time in worker processes. A batch whose artifact was completely written by an earlier
        (perhaps killed) run for the same source, pages and parser is not parsed again."""
        from definitions import PARSE_JOB
        from schemas.blocks import ParsedBatchArtifact
        from specmill.resume import reuse_problem
        from specmill_cli.recovery import release_dead_cli_runs

        started = time.perf_counter()
        ok = True
        # A killed earlier build leaves its runs STARTED and their "parse" pool slots claimed.
        for run_id in release_dead_cli_runs(self.instance, PARSE_JOB):
            print(f"  released run {run_id[:8]} of a killed earlier build (its pool slot was still claimed)", flush=True)
        source = SourcePdf.model_validate_json((self.out / artifacts.SOURCE).read_bytes())
        identity = self.options.parser_identity()
        todo = []
        for batch in plan.batches:
            path = self.out / artifacts.batch(batch.batch_id)
            try:
                existing = ParsedBatchArtifact.model_validate_json(path.read_bytes()) if path.exists() else None
            except ValueError:
                existing = None  # unreadable: parse it again (writes are atomic, so this is rare)
            if existing is not None and reuse_problem(existing, batch, plan, source.sha256, identity) is None:
                print(f"  {batch.batch_id} pages {batch.first_page}-{batch.last_page}: reused (complete artifact from an earlier run)", flush=True)
                asset_key = dg.AssetKey("parsed_batch")
                recorded = self.instance.fetch_materializations(
                    dg.AssetRecordsFilter(asset_key=asset_key, asset_partitions=[batch.batch_id]), limit=1
                ).records
                if not recorded:  # killed between writing the artifact and recording it: record it now
                    self.instance.report_runless_asset_event(
                        dg.AssetMaterialization(
                            asset_key=asset_key, partition=batch.batch_id,
                            metadata={"reused": True, "backend": existing.record.backend, "blocks": len(existing.blocks)},
                            tags={"dagster/data_version": existing.record.content_sha256},
                        )
                    )
            else:
                todo.append(batch)
        self.summary.add_stage("parse", 0.0, {"batches_reused": len(plan.batches) - len(todo), "batches_parsed": len(todo)})
        if jobs <= 1:
            for batch in todo:
                outcome = self._record("parse", execute_job(self.defs, self.instance, PARSE_JOB, partition_key=batch.batch_id))
                self._report_batch(batch, outcome)
                if not outcome.success:
                    return False
        else:
            import multiprocessing
            from concurrent.futures import ProcessPoolExecutor, as_completed

            # spawn: MinerU itself starts spawn workers, and forking a process holding an
            # instance's SQLite handles is unsafe. Worker processes are not daemonic, so they may.
            with ProcessPoolExecutor(jobs, mp_context=multiprocessing.get_context("spawn")) as pool:
                futures = {pool.submit(parse_partition_in_worker, self.options, b.batch_id): b for b in todo}
                for future in as_completed(futures):
                    outcome = self._record("parse", future.result())
                    self._report_batch(futures[future], outcome)
                    ok = ok and outcome.success
        wall = time.perf_counter() - started
        # With worker processes the per-batch seconds overlap; the stage costs its wall time.
        self.summary.stages["parse"]["seconds"] = round(wall, 3)
        self.summary.stages["parse"]["figures"].update(
            {"wall_seconds": round(wall, 2), "pages_per_second": round(plan.page_count / wall, 2), "jobs": jobs}
        )
        return ok

    def run(self, stop_after: str | None = None, jobs: int = 1) -> bool:
        from definitions import PLAN_JOB

        outcome = self._record("plan", execute_job(self.defs, self.instance, PLAN_JOB))
        if not outcome.success or stop_after == "plan":
            return outcome.success and not self.summary.failed_blocking
        plan = BatchPlan.model_validate_json((self.out / artifacts.PLAN).read_bytes())
        print(f"plan: {len(plan.batches)} batches over {plan.page_count} pages", flush=True)
        if stop_after != "parse":
            warm_up_checks_in_background()
        if not self.parse_all(plan, jobs) or self.summary.failed_blocking or stop_after == "parse":
            return not self.summary.failed_blocking and all(c["passed"] or c["severity"] != "ERROR" for c in self.summary.checks)
        return self.run_corpus_stages(stop_after)

    def run_corpus_stages(self, stop_after: str | None) -> bool:
        """The stages after parsing, one run each, stopping at the first failure."""
        from definitions import CORPUS_STAGES, stage_job_name

        for stage in CORPUS_STAGES:
            outcome = self._record(stage, execute_job(self.defs, self.instance, stage_job_name(stage)))
            if not outcome.success or self.summary.failed_blocking:
                return False
            if stage == stop_after:
                break
        return True

    def write_summary(self) -> None:
        from specmill_cli.report import render_report

        write_json_atomic(self.out / "summary.json", self.summary.to_json())
        write_text_atomic(self.out / "report.md", render_report(self.summary, self.out, self.options.pdf.name))
