"""Run the asset graph in-process for one PDF against a persistent Dagster instance, so that
`dagster dev` shows the same materializations and check results afterwards."""

import json
import logging
import os
import re
import time
import traceback
from dataclasses import dataclass, replace
from functools import cached_property, lru_cache
from pathlib import Path
from typing import Any

import dagster as dg

from resources.parser_choice import ParserChoice
from schemas import artifacts
from schemas.outline import SourcePdf
from schemas.plan import BatchPlan
from specmill.atomic import write_json_atomic, write_text_atomic
from specmill.profiles.shipped import load_profile, resolve_profile
from specmill.source.pdf import file_sha256
from specmill_cli.interrupts import BuildInterrupted, busy, raise_if_stopped, stop_signal_received, watch_stop_signals
from specmill_cli.summary import RunSummary, StepFailure, check_records, metadata_to_json

# Dagster's console logger prints every step failure with its stack trace; the CLI prints one line
# per failure and relays what assets log at WARNING itself (execute_job), so the console stays
# silent and the stacks go to DIR/build.log.
QUIET = {"loggers": {"console": {"config": {"log_level": "CRITICAL"}}}}
BUILD_LOG = "build.log"
SUMMARY = "summary.json"
REPORT = "report.md"
WARNINGS_SHOWN = 5  # per run on the terminal; build.log has them all


def validate_inputs(pdf: Path, out: Path, profile: str | None, mineru_output: Path | None = None) -> None:
    """Fail before anything is written: unusable PDF (a scan without a text layer included),
    bad profile, unusable MinerU output, or an --out folder a build must not write to
    (specmill_cli.output_folder)."""
    from specmill.source.describe import require_text_layer
    from specmill_cli.output_folder import check_output_folder

    require_text_layer(pdf)
    if mineru_output is not None:
        from resources.parsers import load_existing_output

        load_existing_output(str(mineru_output.resolve()))
    if profile is not None:
        load_profile(resolve_profile(profile))  # ProfileError naming an unknown name or what is invalid
    check_output_folder(out, lambda: file_sha256(pdf))


# Telemetry off: this machine class may only talk to loopback, and a document pipeline has no
# business phoning home. The parse pool bounds concurrent parse steps (launched runs, backfills).
# Dagster resolves every other storage path against the home folder when it loads the instance;
# only this event log names its folder, and an absolute one at that (a relative base_dir would be
# resolved against the working directory of whichever process opens the instance). So the line is
# specmill's: dagster_home rewrites it whenever the folder is opened from another place.
INSTANCE_MARKER = "# specmill: the history base_dir below is rewritten when this folder moves; edit the rest freely."
_FIRST_INSTANCE_CONFIG = """\
telemetry:
  enabled: false
# One event-log database for all runs: the default creates and migrates a new SQLite file per
# run, which cost about a quarter of a second for every parsed batch.
event_log_storage:
  module: dagster._core.storage.event_log
  class: ConsolidatedSqliteEventLogStorage
  config:
    base_dir: {history}
concurrency:
  pools:
    default_limit: 2
"""
# Steps log through Dagster's structured events; capturing their raw stdout/stderr starts a
# `tail` and a watcher process per step, and on Ctrl-C those print tracebacks over the one line
# that says how to resume.
INSTANCE_CONFIG = INSTANCE_MARKER + "\n" + _FIRST_INSTANCE_CONFIG + """\
compute_logs:
  module: dagster._core.storage.noop_compute_log_manager
  class: NoOpComputeLogManager
"""
# What `specmill build` wrote before the marker: recognised whole, so older output folders move too.
_UNMARKED_INSTANCE_CONFIG = re.compile(re.escape(_FIRST_INSTANCE_CONFIG).replace(re.escape("{history}"), r"[^\n]+/history"))
_HISTORY_BASE_DIR = re.compile(r"^(?P<indent>[ \t]+base_dir:[ \t]*)(?P<path>.*/history\"?)[ \t]*$", re.MULTILINE)


def instance_config_for(home: Path, current: str | None) -> str | None:
    """The dagster.yaml text for `home` when `current` (the file's text, None when there is none)
    must be written or rewritten: the history folder named is this home's, so a copied or moved
    output folder records its events in itself, not in the folder it came from. None when the
    file is right, or is not specmill's (no marker: someone else's instance, left alone)."""
    history = json.dumps(str(home / "history"))  # a JSON string is a YAML scalar, whatever the path holds
    if current is None or _UNMARKED_INSTANCE_CONFIG.fullmatch(current):
        return INSTANCE_CONFIG.format(history=history)
    if not current.startswith(INSTANCE_MARKER):
        return None
    rewritten = _HISTORY_BASE_DIR.sub(lambda match: match["indent"] + history, current)
    return rewritten if rewritten != current else None


def dagster_home(out: Path) -> Path:
    """$DAGSTER_HOME when set (so `dagster dev` with the same home shows these runs), else DIR/.dagster.
    A dagster.yaml is written there when the folder has none, and its history folder moved to
    this folder when it names another (instance_config_for)."""
    home = Path(os.environ.get("DAGSTER_HOME") or (out / ".dagster")).resolve()
    home.mkdir(parents=True, exist_ok=True)
    config = home / "dagster.yaml"
    text = instance_config_for(home, config.read_text(encoding="utf-8") if config.exists() else None)
    if text is not None:
        write_text_atomic(config, text)
    return home


@dataclass(frozen=True)
class BuildOptions:
    """Everything a build needs, picklable so that parse worker processes can rebuild the graph."""

    pdf: Path
    out: Path
    profile: str | None = None  # a shipped profile's name or a YAML file; None: chosen from the PDF
    schemas: tuple[Path, ...] = ()
    parser: ParserChoice = ParserChoice()  # who parses (resources/parser_choice.py)


@dataclass
class JobOutcome:
    """What one in-process run did, as plain data (it crosses process boundaries)."""

    success: bool
    seconds: float
    figures: dict[str, Any]
    checks: list[dict[str, Any]]
    failures: list[StepFailure]  # never empty when success is False
    warnings: list[str]  # what the run's assets and checks logged at WARNING or above


def build_graph(options: BuildOptions) -> tuple[dg.Definitions, dg.DagsterInstance]:
    """The code location for this build, and its instance. Artifacts go to the store
    SPECMILL_STORE names (definitions.store_from_environment: the --out folder, or a bucket);
    the instance, the lock, summary.json, report.md and build.log stay in --out."""
    from definitions import build_definitions, build_resources, store_from_environment
    from resources.parser_choice import parser_resource

    options.out.mkdir(parents=True, exist_ok=True)
    home = dagster_home(options.out)
    resources = build_resources(
        pdf_path=str(options.pdf.resolve()),
        out_dir=str(options.out.resolve()),
        profile_path=str(resolve_profile(options.profile)) if options.profile else None,
        schema_paths=[str(path.resolve()) for path in options.schemas],
        # MinerU's config goes into the instance's home unless the choice names another place.
        parser=parser_resource(replace(options.parser, mineru_home=options.parser.mineru_home or str(home / "mineru-home"))),
        store=store_from_environment(str(options.out.resolve())),
    )
    return build_definitions(resources), dg.DagsterInstance.from_config(str(home))


def execute_job(defs: dg.Definitions, instance: dg.DagsterInstance, job_name: str, partition_key: str | None = None) -> JobOutcome:
    started = time.perf_counter()
    result = defs.resolve_job_def(job_name).execute_in_process(
        instance=instance, partition_key=partition_key, raise_on_error=False, run_config=QUIET
    )
    # Ctrl-C or SIGTERM during the run: Dagster failed the run, or let the signal pass between two
    # steps (specmill_cli.interrupts); either way the build stops here.
    stopped_by = stop_signal_received()
    if stopped_by is not None:
        mark_run_canceled(instance, result.run_id, stopped_by)
        raise BuildInterrupted(stopped_by)
    return JobOutcome(
        success=result.success, seconds=time.perf_counter() - started, figures=materialized_figures(result, partition_key),
        checks=check_records(result), failures=step_failures(result), warnings=logged_warnings(instance, result.run_id),
    )


def mark_run_canceled(instance: dg.DagsterInstance, run_id: str, signum: int) -> None:
    """The run a stop signal ended shows as canceled, not failed (nor left started). A run that
    succeeded before the signal could stop it stays a success."""
    import signal

    run = instance.get_run_by_id(run_id)
    if run is not None and run.status not in (dg.DagsterRunStatus.SUCCESS, dg.DagsterRunStatus.CANCELED):
        instance.report_run_canceled(run, message=f"specmill build stopped by {signal.Signals(signum).name}")


def materialized_figures(result: dg.ExecuteInProcessResult, partition_key: str | None) -> dict[str, Any]:
    """The scalar metadata of every materialization, keyed `[partition.]asset.key`."""
    figures: dict[str, Any] = {}
    prefix = "" if partition_key is None else f"{partition_key}."
    for event in result.get_asset_materialization_events():
        materialization = event.event_specific_data.materialization
        for key, value in metadata_to_json(dict(materialization.metadata)).items():
            if isinstance(value, (int, float, str, bool)) and not str(value).startswith("/"):
                figures[f"{prefix}{materialization.asset_key.to_user_string()}.{key}"] = value
    return figures


def step_failures(result: dg.ExecuteInProcessResult) -> list[StepFailure]:
    """Every failed step; a run that failed without one (it could not start) as one failure of its own."""
    failures = [_failure(event.step_key, event.event_specific_data.error) for event in result.get_step_failure_events()]
    if not result.success and not failures:
        run_failure = result.filter_events(lambda event: event.event_type == dg.DagsterEventType.RUN_FAILURE)
        error = run_failure[0].event_specific_data.error if run_failure and run_failure[0].event_specific_data else None
        failures.append(_failure("run", error))
    return failures


def _failure(step: str, error) -> StepFailure:
    """A step's error as plain data: the user's own exception (Dagster wraps it) for the
    message, the whole chain with stacks for build.log."""
    if error is None:
        return StepFailure(step=step, message="unknown error", details="", blocking_check=False)
    reported = error.cause if error.cause else error
    return StepFailure(
        step=step, message=reported.message.strip(), details=error.to_string(),
        blocking_check=error.cls_name == "DagsterAssetCheckFailedError",
        profile_error=reported.cls_name in _PROFILE_ERRORS,
    )


# specmill.errors.ProfileError and its kinds, by the class name Dagster records for a step's error.
_PROFILE_ERRORS = frozenset({"ProfileError", "PatternTimeoutError"})


def logged_warnings(instance: dg.DagsterInstance, run_id: str) -> list[str]:
    """What the run's assets and checks logged at WARNING or above (the console logger is
    silenced, see QUIET), read back from the run's event log."""
    return [
        f"{entry.step_key or 'run'}: {entry.user_message}"
        for entry in instance.all_logs(run_id)
        if entry.dagster_event is None and _level(entry.level) >= logging.WARNING
    ]


def _level(level: int | str) -> int:
    return level if isinstance(level, int) else logging.getLevelName(level.upper())


@lru_cache(maxsize=1)
def _worker_graph(options: BuildOptions) -> tuple[dg.Definitions, dg.DagsterInstance]:
    return build_graph(options)


def parse_partition_in_worker(options: BuildOptions, batch_id: str) -> JobOutcome:
    """Runs in a parse worker process: one partition of parsed_batch, against the shared instance."""
    from definitions import PARSE_JOB

    with busy():
        raise_if_stopped()  # a worker told to stop starts no other batch
        defs, instance = _worker_graph(options)
        raise_if_stopped()
        return execute_job(defs, instance, PARSE_JOB, partition_key=batch_id)


def worker_outcome(future, batch_id: str) -> JobOutcome:
    """A parse worker's outcome; a worker that raised outside Dagster (it could not import the
    graph, it was killed) is a failed step like any other: one line, its stack in build.log."""
    try:
        return future.result()
    except Exception as exc:
        failure = StepFailure(
            step=f"parsed_batch[{batch_id}] (worker process)", message=f"{type(exc).__name__}: {exc}",
            details="".join(traceback.format_exception(exc)), blocking_check=False,
        )
        return JobOutcome(success=False, seconds=0.0, figures={}, checks=[], failures=[failure], warnings=[])


WORKER_GRACE_S = 15.0  # for a worker to end its interrupted run (Dagster records it) before it is killed


def stop_workers(pool, grace_s: float = WORKER_GRACE_S) -> None:
    """Stop a pool's parse workers now: no new batch starts, each running one is interrupted as
    Ctrl-C would (SIGINT: Dagster ends its run, the complete batches stay), and a worker still
    there after `grace_s` is killed (its run is released by the next build, recovery.py)."""
    import signal

    # ProcessPoolExecutor has no public way to its processes; CPython keeps them by pid here.
    processes = list((getattr(pool, "_processes", None) or {}).values())
    pool.shutdown(wait=False, cancel_futures=True)
    for process in processes:
        if process.is_alive():
            try:
                os.kill(process.pid, signal.SIGINT)
            except ProcessLookupError:
                pass
    deadline = time.monotonic() + grace_s
    for process in processes:
        process.join(max(0.0, deadline - time.monotonic()))
    for process in processes:
        if process.is_alive():
            process.kill()
            process.join(5.0)


def warm_up_checks() -> None:
    """Import Great Expectations (6 s) and build its context, in the calling thread, which is
    always the main one: an import in a background thread raced other threads' imports
    ("partially initialized module 'sqlalchemy.orm.exc'") and hung on Ctrl-C. The overlap with
    the parse comes from the parse worker processes instead (parse_all). A no-op once done."""
    from definitions import warm_up_checks as warm_up

    warm_up()


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

    @cached_property
    def store(self):
        """The build's ArtifactStore: every artifact the CLI reads, it reads through this. Its
        settings resolved as a run resolves them (a bucket's credentials are EnvVars, read from
        the environment only now, never written into the instance)."""
        return self.defs.resources["store"].process_config_and_initialize()

    def _run_job(self, stage: str, job_name: str) -> JobOutcome:
        return self._record(stage, execute_job(self.defs, self.instance, job_name))

    def _record(self, stage: str, outcome: JobOutcome) -> JobOutcome:
        """Add a run to the summary and relay what its steps logged (Dagster's console is silent)."""
        self.summary.add_stage(stage, outcome.seconds, outcome.figures)
        self.summary.checks.extend(outcome.checks)
        self.summary.failures.extend(replace(failure, stage=stage) for failure in outcome.failures)
        self.summary.logged_warnings.extend(f"[{stage}] {warning}" for warning in outcome.warnings)
        for warning in outcome.warnings[:WARNINGS_SHOWN]:
            print(f"  warning: {warning}", flush=True)
        if len(outcome.warnings) > WARNINGS_SHOWN:
            print(f"  ... {len(outcome.warnings) - WARNINGS_SHOWN} more warning(s) in {self.out / BUILD_LOG}", flush=True)
        return outcome

    def _report_batch(self, batch, outcome: JobOutcome) -> None:
        checks_only = all(failure.blocking_check for failure in outcome.failures)
        state = "ok" if outcome.success else "parsed, blocking check FAILED" if checks_only else "FAILED"
        seconds = outcome.figures.get(f"{batch.batch_id}.parsed_batch.seconds", "?")
        rate = outcome.figures.get(f"{batch.batch_id}.parsed_batch.pages_per_second", "?")
        print(f"  {batch.batch_id} PDF pages {batch.first_page + 1}-{batch.last_page + 1} ({batch.page_count} pages): {state}, {seconds} s, {rate} pages/s", flush=True)

    def _may_continue(self, stage: str, outcomes: list[JobOutcome], keep_going: bool) -> bool:
        """Whether the stages after `stage` may run: yes when its runs succeeded; with
        --keep-going also when only blocking checks failed (the stage's artifacts exist, so the
        later stages have their inputs); never after a step that crashed (they would not)."""
        failures = [failure for outcome in outcomes for failure in outcome.failures]
        if not failures or (keep_going and all(failure.blocking_check for failure in failures)):
            return True
        self.summary.stopped_after = stage
        return False

    def parse_all(self, plan: BatchPlan, jobs: int, keep_going: bool = False, warm_up: bool = False) -> list[JobOutcome]:
        """Parse every batch that has no complete artifact yet: in this process, or `jobs` at a
        time in worker processes. A batch whose artifact was completely written by an earlier
        (perhaps killed) run for the same source, pages and parser is not parsed again. In this
        process the first failed batch ends the stage unless `keep_going`. `warm_up`: import the
        checks' Great Expectations while the worker processes parse."""
        from definitions import PARSE_JOB
        from specmill_cli.recovery import release_dead_cli_runs

        started = time.perf_counter()
        # A killed earlier build leaves its runs STARTED and their "parse" pool slots claimed.
        for run_id in release_dead_cli_runs(self.instance, PARSE_JOB):
            print(f"  released run {run_id[:8]} of a killed earlier build (its pool slot was still claimed)", flush=True)
        todo = self._batches_to_parse(plan)
        self.summary.add_stage("parse", 0.0, {"batches_reused": len(plan.batches) - len(todo), "batches_parsed": len(todo)})
        outcomes = []
        if jobs <= 1:
            for batch in todo:
                outcome = self._record("parse", execute_job(self.defs, self.instance, PARSE_JOB, partition_key=batch.batch_id))
                self._report_batch(batch, outcome)
                outcomes.append(outcome)
                if not outcome.success and not keep_going:
                    break
        elif todo:
            outcomes = self._parse_in_workers(todo, jobs, warm_up)
        wall = time.perf_counter() - started
        # With worker processes the per-batch seconds overlap; the stage costs its wall time.
        self.summary.stages["parse"]["seconds"] = round(wall, 3)
        self.summary.stages["parse"]["figures"].update(
            {"wall_seconds": round(wall, 2), "pages_per_second": round(plan.page_count / wall, 2), "jobs": jobs}
        )
        return outcomes

    def _batches_to_parse(self, plan: BatchPlan) -> list:
        """The batches the parsed_batch asset would parse rather than reuse: the same rule
        (specmill.parse.resume) with the same parser resource's identity, decided here so that a reused
        batch costs no run. The reused ones are recorded in the instance if a killed run wrote them
        without recording them."""
        from specmill.parse.resume import reusable_artifact

        source = self.store.read_model(artifacts.SOURCE, SourcePdf)
        identity = self.defs.resources["parser"].identity()
        todo = []
        for batch in plan.batches:
            key = artifacts.batch(batch.batch_id)
            stored = self.store.read_bytes(key) if self.store.exists(key) else None
            existing, problem = reusable_artifact(stored, batch, plan, source.sha256, identity)
            if existing is not None:
                print(f"  {batch.batch_id} PDF pages {batch.first_page + 1}-{batch.last_page + 1}: reused (complete artifact from an earlier run)", flush=True)
                self._record_reused_batch(batch, existing)
            else:
                if stored is not None:
                    print(f"  {batch.batch_id} PDF pages {batch.first_page + 1}-{batch.last_page + 1}: parsing again ({problem})", flush=True)
                todo.append(batch)
        return todo

    def _record_reused_batch(self, batch, existing) -> None:
        """A materialization for a reused batch that has none (a killed run wrote the artifact and
        died before recording it), saying what the asset says when it reuses a batch."""
        from specmill.parse.parsed import batch_figures

        asset_key = dg.AssetKey("parsed_batch")
        recorded = self.instance.fetch_materializations(
            dg.AssetRecordsFilter(asset_key=asset_key, asset_partitions=[batch.batch_id]), limit=1
        ).records
        if not recorded:
            self.instance.report_runless_asset_event(
                dg.AssetMaterialization(
                    asset_key=asset_key, partition=batch.batch_id, metadata=batch_figures(batch, existing, reused=True),
                    tags={"dagster/data_version": existing.record.content_sha256},
                )
            )

    def _parse_in_workers(self, todo: list, jobs: int, warm_up: bool) -> list[JobOutcome]:
        """Every batch in `jobs` worker processes; meanwhile this process, which would only wait,
        imports Great Expectations in its main thread (the overlap the background thread gave,
        without importing in a thread)."""
        import multiprocessing
        from concurrent.futures import ProcessPoolExecutor, as_completed

        outcomes = []
        # spawn: MinerU itself starts spawn workers, and forking a process holding an
        # instance's SQLite handles is unsafe. Worker processes are not daemonic, so they may.
        # Each worker watches for SIGINT/SIGTERM as a worker: it ends its batch's run, then stops.
        pool = ProcessPoolExecutor(
            jobs, mp_context=multiprocessing.get_context("spawn"), initializer=watch_stop_signals, initargs=(True,)
        )
        try:
            futures = {pool.submit(parse_partition_in_worker, self.options, b.batch_id): b for b in todo}
            if warm_up:
                warm_up_checks()
            for future in as_completed(futures):
                outcome = self._record("parse", worker_outcome(future, futures[future].batch_id))
                self._report_batch(futures[future], outcome)
                outcomes.append(outcome)
        except BaseException:  # Ctrl-C, SIGTERM, or a failure of this process: the workers stop too
            stop_workers(pool)
            raise
        pool.shutdown()
        return outcomes

    def run(self, stop_after: str | None = None, jobs: int = 1, keep_going: bool = False) -> bool:
        """Plan, parse, then the corpus stages, one Dagster run each (one per batch to parse).
        A stage whose blocking check failed stops the build, unless `keep_going`: then the later
        stages run on its artifacts and the failure stays recorded. True when the build passed:
        no step failed and no blocking check failed (RunSummary.passed)."""
        from definitions import PLAN_JOB

        planned = self._run_job("plan", PLAN_JOB)
        if stop_after == "plan" or not self._may_continue("plan", [planned], keep_going):
            return self.summary.passed
        plan = self.store.read_model(artifacts.PLAN, BatchPlan)
        print(f"plan: {len(plan.batches)} batches over {plan.page_count} pages", flush=True)
        checks_ahead = stop_after != "parse"
        parsed = self.parse_all(plan, jobs, keep_going=keep_going, warm_up=checks_ahead)
        if stop_after == "parse" or not self._may_continue("parse", parsed, keep_going):
            return self.summary.passed
        warm_up_checks()  # done already when worker processes parsed; otherwise now, before the first check needs it
        return self.run_corpus_stages(stop_after, keep_going)

    def run_corpus_stages(self, stop_after: str | None, keep_going: bool = False) -> bool:
        """The stages after parsing, one run each, stopping after `stop_after` or at the first
        failure (past failed blocking checks with `keep_going`)."""
        from definitions import CORPUS_STAGES, stage_job_name

        stages = list(CORPUS_STAGES)
        for stage in stages:
            outcome = self._run_job(stage, stage_job_name(stage))
            if stage in (stop_after, stages[-1]) or not self._may_continue(stage, [outcome], keep_going):
                break
        return self.summary.passed

    def write_summary(self) -> None:
        from specmill_cli.report import render_report

        write_json_atomic(self.out / SUMMARY, self.summary.to_json())
        write_text_atomic(self.out / REPORT, render_report(self.summary, self.store, self.options.pdf.name))
        write_text_atomic(self.out / BUILD_LOG, self.summary.build_log())
