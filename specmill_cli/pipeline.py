"""Run the asset graph in-process for one PDF against a persistent Dagster instance, so that
`dagster dev` shows the same materializations and check results afterwards."""

import os
import time
from dataclasses import dataclass
from pathlib import Path

import dagster as dg

from assets import artifacts
from schemas.outline import SourcePdf
from schemas.plan import BatchPlan
from schemas.profile import DocumentProfile
from specmill.atomic import write_json_atomic, write_text_atomic
from specmill.errors import ArtifactError, ProfileError
from specmill.pdf import file_sha256, open_pdf
from specmill_cli.summary import RunSummary, metadata_to_json

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
        write_text_atomic(home / "dagster.yaml", INSTANCE_CONFIG)
    return home


@dataclass
class Pipeline:
    defs: dg.Definitions
    instance: dg.DagsterInstance
    out: Path
    summary: RunSummary

    @classmethod
    def for_document(
        cls, *, pdf: Path, out: Path, profile: Path | None, schemas: list[Path], tier: str, ocr_mode: str,
        mineru_output: Path | None = None,
    ) -> "Pipeline":
        from definitions import build_definitions, build_resources
        from resources.parsers import MineruLocalParser, MineruOutputParser

        out.mkdir(parents=True, exist_ok=True)
        home = dagster_home(out)
        resources = build_resources(
            pdf_path=str(pdf.resolve()),
            out_dir=str(out.resolve()),
            profile_path=str(profile.resolve()) if profile else None,
            schema_paths=[str(path.resolve()) for path in schemas],
            parser=(
                MineruOutputParser(path=str(mineru_output.resolve()))
                if mineru_output
                else MineruLocalParser(tier=tier, ocr_mode=ocr_mode, mineru_home=str(home / "mineru-home"))
            ),
        )
        instance = dg.DagsterInstance.from_config(str(home))
        return cls(defs=build_definitions(resources), instance=instance, out=out, summary=RunSummary())

    def _execute(self, job_name: str, stage: str, partition_key: str | None = None) -> dg.ExecuteInProcessResult:
        started = time.perf_counter()
        result = self.defs.resolve_job_def(job_name).execute_in_process(
            instance=self.instance, partition_key=partition_key, raise_on_error=False, run_config=QUIET
        )
        figures = {}
        for event in result.get_asset_materialization_events():
            materialization = event.event_specific_data.materialization
            prefix = "" if partition_key is None else f"{partition_key}."
            for key, value in metadata_to_json(dict(materialization.metadata)).items():
                if isinstance(value, (int, float, str, bool)) and not str(value).startswith("/"):
                    figures[f"{prefix}{materialization.asset_key.to_user_string()}.{key}"] = value
        self.summary.add_stage(stage, time.perf_counter() - started, figures)
        self.summary.add_result(result)
        for failure in result.get_step_failure_events():
            error = failure.event_specific_data.error
            message = error.cause.message if error and error.cause else (error.message if error else "unknown error")
            print(f"FAILED step {failure.step_key}: {message.strip()}")
        return result

    def run(self, stop_after: str | None = None) -> bool:
        from definitions import PARSE_JOB, PLAN_JOB

        result = self._execute(PLAN_JOB, "plan")
        if not result.success or stop_after == "plan":
            return result.success and not self.summary.failed_blocking
        plan = BatchPlan.model_validate_json((self.out / artifacts.PLAN).read_bytes())
        print(f"plan: {len(plan.batches)} batches over {plan.page_count} pages")
        for batch in plan.batches:
            result = self._execute(PARSE_JOB, "parse", partition_key=batch.batch_id)
            state = "ok" if result.success else "FAILED"
            seconds = self.summary.stages["parse"]["figures"].get(f"{batch.batch_id}.parsed_batch.seconds", "?")
            print(f"  {batch.batch_id} pages {batch.first_page}-{batch.last_page} ({batch.page_count} pages): {state}, {seconds} s")
            if not result.success:
                return False
        return not self.summary.failed_blocking

    def write_summary(self) -> None:
        write_json_atomic(self.out / "summary.json", self.summary.to_json())
