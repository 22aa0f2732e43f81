"""`RunPodParser`, the `parser` resource of the runpod backend: one batch from the source upload
to the artifact, re-running the job while attempts remain (the package docstring has the flow)."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any, Literal

import dagster as dg
from pydantic import Field

from resources.parsers import ParserBackend
from resources.runpod.bucket import JobBucket
from resources.runpod.failures import RetryableJobOutcome, RunPodJobFailed
from resources.runpod.jobs import Attempt, BatchRun, final_outcome
from resources.runpod.pool import endpoint_workers_max
from resources.s3_client import BucketSettings
from schemas.blocks import ParsedBatchArtifact
from schemas.plan import Batch
from schemas.worker_api import TIER_ALIASES, JobOutput, S3Artifacts
from specmill.parse.parsed import build_artifact
from specmill.parse.resume import ParserIdentity
from specmill.parse.runpod_client import DEFAULT_CLIENT_URL, DEFAULT_REST_URL, Backoff, EndpointClient, JobState
from specmill.parse.runpod_result import check_pages, refused_images, result_blocks

MiB = 1024 * 1024


class RunPodParser(ParserBackend):
    """MinerU on the project's RunPod worker. Give secrets as `dg.EnvVar(...)` so their values
    never land in the Dagster instance (see `RunPodOptions.parser`)."""

    endpoint_id: str = Field(description="RunPod serverless endpoint id (RUNPOD_ENDPOINT_ID).")
    api_key: str = Field(description="RunPod API key (RUNPOD_API_KEY).")
    base_url: str = Field(default=DEFAULT_CLIENT_URL, description="Client API base (RUNPOD_ENDPOINT_BASE_URL).")
    rest_url: str = Field(default=DEFAULT_REST_URL, description="REST API v1 base (RUNPOD_REST_URL).")
    bucket_endpoint_url: str = Field(description="S3 endpoint of the bucket shared with the worker (BUCKET_ENDPOINT_URL).")
    bucket_name: str = Field(description="BUCKET_NAME")
    bucket_access_key_id: str = Field(description="BUCKET_ACCESS_KEY_ID")
    bucket_secret_access_key: str = Field(description="BUCKET_SECRET_ACCESS_KEY")
    bucket_region: str = "us-east-1"
    bucket_prefix: str = Field(default="specmill", description="Key prefix of uploaded sources (BUCKET_PREFIX).")
    source_url_ttl_s: int = Field(default=6 * 3600, description="Lifetime of a job's source URL: it must outlive the queue wait.")
    tier: str = "standard"
    ocr_mode: str = "auto"
    transport: Literal["inline", "tarball_b64", "s3"] = "inline"
    include_images: bool = True
    execution_timeout_ms: int = Field(default=0, description="Per-job execution timeout; 0 keeps the endpoint's.")
    poll_initial_s: float = 1.0
    poll_max_s: float = 15.0
    deadline_s: float = Field(default=3 * 3600.0, description="Total time for one batch, queueing and retries included.")
    max_attempts: int = Field(default=3, ge=1, description="Jobs per batch at most (first try + re-runs).")
    request_retries: int = Field(default=4, ge=0, description="Retries of one HTTP call on transient errors.")
    max_result_bytes: int = 1024 * MiB
    workers_max_fallback: int = Field(default=1, ge=1, description="Parse pool size when workersMax cannot be read.")
    worker_mineru_version: str | None = Field(
        default=None,
        description="The MinerU version the endpoint's worker runs, which decides whether a stored batch is reused; "
        "None: this machine's MinerU (pyproject.toml and worker/requirements-gpu.txt pin the same version).",
    )

    # -- ParserBackend --------------------------------------------------------------------------

    def identity(self) -> ParserIdentity:
        """What this backend's artifacts record (specmill.parse.resume decides reuse by it). The worker
        reports its MinerU version only with a result, so the version expected is configured."""
        from specmill.parse import normalize
        from specmill.parse.mineru_local import mineru_version

        return ParserIdentity(
            "runpod", TIER_ALIASES.get(self.tier, self.tier), self.ocr_mode,
            self.worker_mineru_version or mineru_version(), normalize.NORMALIZER_VERSION,
        )

    def parse_batch(self, pdf_path: str, batch: Batch) -> ParsedBatchArtifact:
        return self.run_batch(pdf_path, batch)[0]

    def run_batch(self, pdf_path: str, batch: Batch) -> tuple[ParsedBatchArtifact, BatchRun]:
        """Parse one batch; returns the artifact and the record of the jobs it took."""
        log = dg.get_dagster_logger()
        started = time.monotonic()
        deadline = started + self.deadline_s
        run = BatchRun(batch_id=batch.batch_id)
        bucket = self.bucket()
        source_key, run.source_uploaded = bucket.ensure_source(Path(pdf_path))
        with self._client() as client:
            for attempt_number in range(1, self.max_attempts + 1):
                source_url = bucket.presigned_get(source_key, expires_in_s=self.source_url_ttl_s)
                job_id = client.submit(self.job_input(source_url, batch), execution_timeout_ms=self.execution_timeout_ms or None)
                state = client.wait(job_id, deadline=deadline, poll=Backoff(self.poll_initial_s, 2.0, self.poll_max_s))
                run.attempts.append(Attempt(job_id, state.status, state.error, state.execution_ms))
                try:
                    output, files = self.collect(state, run, bucket)
                except RetryableJobOutcome as retry:
                    log.warning(f"batch {batch.batch_id}: attempt {attempt_number}/{self.max_attempts} (job {job_id}): {retry}")
                    continue
                check_pages(output, batch)
                blocks = result_blocks(files, batch.batch_id)
                warnings = refused_images(blocks)
                for warning in warnings:
                    log.warning(f"batch {batch.batch_id}: {warning}")
                run.seconds = time.monotonic() - started
                log.info(
                    f"batch {batch.batch_id}: job {job_id} COMPLETED after {attempt_number} attempt(s), "
                    f"{output.pages_parsed}/{output.pages_requested} pages, result via {run.transport}"
                )
                expected = self.identity().mineru_version
                if output.mineru_version != expected:
                    log.warning(
                        f"batch {batch.batch_id}: the worker runs MinerU {output.mineru_version}, this build expects "
                        f"{expected}: a re-run will parse the batch again (set worker_mineru_version to keep it)"
                    )
                artifact = build_artifact(
                    batch, blocks, backend="runpod", mineru_version=output.mineru_version,
                    tier=output.tier, ocr_mode=output.ocr_mode, seconds=run.seconds, warnings=warnings,
                )
                return artifact, run
        history = "; ".join(f"{a.job_id}: {a.status} {a.error or ''}".strip() for a in run.attempts)
        raise RunPodJobFailed(
            f"batch {batch.batch_id} (pages {batch.first_page}-{batch.last_page}) failed {len(run.attempts)} "
            f"job(s) on endpoint {self.endpoint_id}: {history}"
        )

    def job_input(self, source_url: str, batch: Batch) -> dict[str, Any]:
        return {
            "file_url": source_url,
            "start_page": batch.first_page,
            "end_page": batch.last_page,
            "tier": self.tier,
            "ocr_mode": self.ocr_mode,
            "transport": self.transport,
            "formats": ["content_list", "images"] if self.include_images else ["content_list"],
            "basename": batch.batch_id,
        }

    def collect(self, state: JobState, run: BatchRun, bucket: JobBucket | None = None) -> tuple[JobOutput, dict[str, bytes]]:
        """The output and files of a final job (resources.runpod.jobs says what each state means)."""
        bucket = bucket if bucket is not None else self.bucket()

        def fetch_archive(artifacts: S3Artifacts) -> bytes:
            archive, refreshed = bucket.download_result(artifacts, max_bytes=self.max_result_bytes)
            if refreshed:
                # The URL expired before we got to it (a slow poll, a paused run).
                run.result_url_refreshed = True
                dg.get_dagster_logger().warning(f"result URL of {artifacts.key} expired; re-presigned it")
            return archive

        return final_outcome(
            state, run, endpoint_id=self.endpoint_id, fetch_archive=fetch_archive, max_result_bytes=self.max_result_bytes
        )

    # -- the bucket and the endpoint -----------------------------------------------------------

    def bucket(self) -> JobBucket:
        return JobBucket(
            name=self.bucket_name,
            prefix=self.bucket_prefix,
            settings=BucketSettings(
                endpoint_url=self.bucket_endpoint_url,
                region_name=self.bucket_region,
                access_key_id=self.bucket_access_key_id,
                secret_access_key=self.bucket_secret_access_key,
            ),
        )

    def _client(self) -> EndpointClient:
        return EndpointClient(
            base_url=self.base_url, endpoint_id=self.endpoint_id, api_key=self.api_key, request_retries=self.request_retries
        )

    def parse_pool_limit(self) -> int:
        """The endpoint's workersMax (REST v1), or `workers_max_fallback` when it cannot be read."""
        log = dg.get_dagster_logger()
        workers = endpoint_workers_max(
            self.rest_url, self.endpoint_id, self.api_key,
            warn=lambda problem: log.warning(f"{problem}; using {self.workers_max_fallback}"),
        )  # fmt: skip
        return self.workers_max_fallback if workers is None else max(1, workers)
