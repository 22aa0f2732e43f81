"""The RunPod handler: validate the job, fetch the document, parse it, package and deliver.

`handler(job)` is what RunPod calls. It never raises for a failed job: it answers
`{"error": "<kind>: <message>"}`, which RunPod records as FAILED without retrying, and the
same compacted text goes to the log line and the trace.

Local test mode (RunPod's own): `python -m worker.handler --test_input '{"input": {...}}'`.
"""

from __future__ import annotations

import asyncio
import functools
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from schemas.worker_api import (
    ArchiveArtifacts,
    Degradation,
    InlineArtifacts,
    InputSummary,
    JobInput,
    JobOutput,
    S3Artifacts,
    Timings,
    describe_validation_error,
)
from worker.errors import InputInvalid, ResponseTooLarge, TransportNotConfigured, WorkerError, describe_failure
from worker.fetch import FetchedInput, FetchPolicy, fetch_input
from worker.logs import EventLog
from worker.package import ArtifactBlob, render_artifacts
from worker.parse import ParsedDocument, count_pages, parse_document, select_pages
from worker.recycle import RecyclePolicy
from worker.settings import S3Settings, WorkerSettings
from worker.telemetry import DormantTelemetry, Telemetry, start_telemetry
from worker.transports import deliver_archive, deliver_inline, deliver_s3, response_bytes

# MinerU 4.0.12's parse API has no switch for these MinerU 3.x options; a job that changes
# them is told so in `unapplied_options` rather than silently getting the defaults.
_UNSUPPORTED_DEFAULTS: dict[str, Any] = {"formula": True, "table": True, "lang": "auto"}


class JobRunner:
    """Runs jobs with one configuration; holds the per-process state (recycling counters)."""

    def __init__(
        self,
        settings: WorkerSettings,
        *,
        log: EventLog | None = None,
        telemetry: Telemetry | None = None,
        recycle: RecyclePolicy | None = None,
        on_recycle: Callable[[], None] | None = None,
    ) -> None:
        self.settings = settings
        self.telemetry = telemetry or DormantTelemetry()
        self.log = log or EventLog(sink=self.telemetry.log if self.telemetry.enabled else None)
        self.recycle = recycle or RecyclePolicy(max_jobs=settings.recycle_after_jobs, max_pages=settings.recycle_after_pages)
        self.on_recycle = on_recycle
        self._fetch_policy = FetchPolicy.from_settings(settings)

    async def run(self, job: dict[str, Any]) -> dict[str, Any]:
        job_id = str(job.get("id") or "local")
        started = time.perf_counter()
        tier = "unknown"
        pages = 0
        input_bytes = 0
        answer: dict[str, Any]
        self.log.event("job_started", job_id=job_id)
        with self.telemetry.span("job", job_id=job_id) as span:
            try:
                spec = self._validate(job)
                tier = spec.mineru_tier
                span.set(tier=tier, transport=spec.transport, source=spec.source)
                output = await self._run_validated(job_id, spec, started)
                pages, input_bytes = output.pages_parsed, output.input.bytes
                answer = output.model_dump(mode="json")
                status = "completed"
                self.log.event(
                    "job_completed",
                    job_id=job_id,
                    tier=tier,
                    pages_requested=output.pages_requested,
                    pages_parsed=output.pages_parsed,
                    transport=output.artifacts.transport,
                    degraded=[item.model_dump() for item in output.degraded],
                    seconds=round(output.timings.total_s, 3),
                    pages_per_s=output.timings.pages_per_s,
                )
            except asyncio.CancelledError:
                self.log.event("job_cancelled", job_id=job_id, level="warning")
                span.fail("cancelled")
                raise
            except Exception as error:  # every failure becomes an answer, never a crash of the worker
                message = describe_failure(error)
                status = "failed"
                span.fail(message)
                self.log.event("job_failed", job_id=job_id, level="error", error=message)
                answer = {"error": message}
                if isinstance(error, WorkerError) and error.recycle_worker:
                    answer["refresh_worker"] = True
        seconds = time.perf_counter() - started
        self.telemetry.job_finished(
            status=status,
            tier=tier,
            pages=pages,
            input_bytes=input_bytes,
            output_bytes=response_bytes(answer),
            seconds=seconds,
            pages_per_s=pages / seconds if seconds > 0 else 0.0,
        )
        if self.recycle.record(pages) or answer.get("refresh_worker"):
            answer["refresh_worker"] = True
            self.log.event("worker_recycling", job_id=job_id, jobs=self.recycle.jobs, pages=self.recycle.pages)
            if self.on_recycle is not None:
                self.on_recycle()
        if self.telemetry.enabled:
            await asyncio.to_thread(self.telemetry.flush)
        return answer

    def _validate(self, job: dict[str, Any]) -> JobInput:
        payload = job.get("input") if isinstance(job, dict) else None
        if not isinstance(payload, dict):
            raise InputInvalid("the job has no 'input' object")
        try:
            return JobInput.model_validate(payload)
        except ValidationError as error:
            raise InputInvalid(describe_validation_error(error)) from None

    async def _run_validated(self, job_id: str, spec: JobInput, started: float) -> JobOutput:
        settings = self.settings
        if spec.transport == "s3" and settings.s3 is None:
            # Checked before any download or parse: the job cannot succeed, so fail it cheaply.
            raise TransportNotConfigured(
                "transport s3 needs BUCKET_ENDPOINT_URL, BUCKET_NAME, BUCKET_ACCESS_KEY_ID and "
                "BUCKET_SECRET_ACCESS_KEY on the worker; use inline or tarball_b64, or configure the bucket"
            )
        if settings.work_dir is not None:
            settings.work_dir.mkdir(parents=True, exist_ok=True)
        with tempfile.TemporaryDirectory(dir=settings.work_dir, prefix="job-") as scratch:
            work_dir = Path(scratch)
            stage = time.perf_counter()
            with self.telemetry.span("fetch_input", source=spec.source) as span:
                fetched = await fetch_input(spec, self._fetch_policy, work_dir)
                span.set(bytes=fetched.bytes, kind=fetched.kind)
            fetch_s = self._stage_done("fetch_input", stage, job_id, bytes=fetched.bytes, kind=fetched.kind)

            stage = time.perf_counter()
            with self.telemetry.span("parse", tier=spec.mineru_tier) as span:
                document_pages = await asyncio.to_thread(count_pages, fetched.path, fetched.kind)
                selection = select_pages(spec.start_page, spec.end_page, document_pages, fetched.kind)
                parsed = await parse_document(
                    fetched.path,
                    selection,
                    kind=fetched.kind,
                    tier=spec.mineru_tier,
                    ocr_mode=spec.ocr_mode,
                    image_analysis=spec.image_analysis,
                    timeout_s=settings.parse_timeout_s,
                )
                span.set(pages_requested=selection.count, pages_parsed=len(parsed.parsed_pages))
            parse_s = self._stage_done(
                "parse", stage, job_id, pages_requested=selection.count, pages_parsed=len(parsed.parsed_pages)
            )

            stage = time.perf_counter()
            with self.telemetry.span("package", transport=spec.transport) as span:
                blobs, degraded = await asyncio.to_thread(render_artifacts, parsed, spec.formats, spec.basename)
                record = _JobRecord(job_id, spec, fetched, parsed, degraded, started, fetch_s, parse_s, stage)
                output = await self._deliver(record, blobs)
                span.set(transport_used=output.artifacts.transport)
            self._stage_done("package", stage, job_id, transport=output.artifacts.transport, files=len(blobs))
            return output

    async def _deliver(self, record: _JobRecord, blobs: list[ArtifactBlob]) -> JobOutput:
        spec, s3 = record.spec, self.settings.s3
        if spec.transport == "s3":
            assert s3 is not None
            return record.output(await self._upload(record, blobs, s3))
        if spec.transport == "inline":
            candidate = record.output(await asyncio.to_thread(deliver_inline, blobs))
        else:
            candidate = record.output(await asyncio.to_thread(deliver_archive, blobs, spec.archive_format))
        size = response_bytes(candidate.model_dump(mode="json"))
        cap = self.settings.max_response_bytes
        if size <= cap:
            return candidate
        if s3 is None:
            raise ResponseTooLarge(
                f"the {spec.transport} result is {size} bytes, over the {cap}-byte response cap "
                "(WORKER_MAX_RESPONSE_BYTES; RunPod drops larger responses); configure BUCKET_* on the "
                "endpoint so large results go to S3, or request fewer pages or formats"
            )
        self.log.event("result_rerouted_to_s3", job_id=record.job_id, level="warning", response_bytes=size, cap=cap)
        return record.output(await self._upload(record, blobs, s3))

    async def _upload(self, record: _JobRecord, blobs: list[ArtifactBlob], s3: S3Settings) -> S3Artifacts:
        return await asyncio.to_thread(
            deliver_s3, blobs, record.spec.archive_format, s3, job_id=record.job_id, basename=record.spec.basename
        )

    def _stage_done(self, stage: str, started: float, job_id: str, **fields: Any) -> float:
        seconds = time.perf_counter() - started
        self.telemetry.stage_finished(stage, seconds)
        self.log.event(f"{stage}_done", job_id=job_id, seconds=round(seconds, 3), **fields)
        return seconds


@dataclass(frozen=True)
class _JobRecord:
    """What a job has established by the time it packages: enough to write its JobOutput."""

    job_id: str
    spec: JobInput
    fetched: FetchedInput
    parsed: ParsedDocument
    degraded: list[Degradation]
    started: float
    fetch_s: float
    parse_s: float
    package_started: float

    def output(self, artifacts: InlineArtifacts | ArchiveArtifacts | S3Artifacts) -> JobOutput:
        selection, parsed = self.parsed.selection, self.parsed
        now = time.perf_counter()
        pages_parsed = len(parsed.parsed_pages)
        return JobOutput(
            job_id=self.job_id,
            mineru_version=parsed.mineru_version,
            tier=self.spec.mineru_tier,
            ocr_mode=self.spec.ocr_mode,
            first_page=selection.first_page,
            last_page=selection.last_page,
            pages_requested=selection.count,
            pages_parsed=pages_parsed,
            missing_pages=parsed.missing_pages,
            empty_pages=parsed.empty_pages,
            input=InputSummary(
                source=self.fetched.source,
                kind=self.fetched.kind,
                bytes=self.fetched.bytes,
                sha256=self.fetched.sha256,
                document_pages=selection.document_pages,
            ),
            formats=self.spec.formats,
            transport_requested=self.spec.transport,
            artifacts=artifacts,
            degraded=self.degraded,
            unapplied_options=unapplied_options(self.spec),
            timings=Timings(
                fetch_s=round(self.fetch_s, 4),
                parse_s=round(self.parse_s, 4),
                package_s=round(now - self.package_started, 4),
                total_s=round(now - self.started, 4),
                pages_per_s=round(pages_parsed / self.parse_s, 3) if self.parse_s > 0 else 0.0,
            ),
        )


def unapplied_options(spec: JobInput) -> list[str]:
    return [name for name, default in _UNSUPPORTED_DEFAULTS.items() if getattr(spec, name) != default]


@functools.cache
def default_runner() -> JobRunner:
    """The runner RunPod's module-level `handler` uses, configured from the environment once."""
    return JobRunner(WorkerSettings.from_env(), telemetry=start_telemetry())


async def handler(job: dict[str, Any]) -> dict[str, Any]:
    """RunPod entry point: one job in, one answer out (`{"error": ...}` on failure)."""
    try:
        runner = default_runner()
    except WorkerError as error:  # a bad WORKER_*/BUCKET_* value: every job would fail the same way
        return {"error": describe_failure(error)}
    return await runner.run(job)


if __name__ == "__main__":
    import runpod

    runpod.serverless.start({"handler": handler})
