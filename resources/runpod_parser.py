"""The `runpod` parser backend: each batch is one job on the project's GPU worker (worker/) on a
RunPod serverless endpoint.

The flow of one batch:
1. The source PDF is uploaded to the bucket once, under `<prefix>/sources/<sha256>.pdf` (a HEAD
   first: a re-run or another batch finds it there). Batches are never pre-split: every job gets
   a presigned GET `file_url` of the whole PDF plus its `start_page`/`end_page`.
2. The job is submitted and polled with bounded exponential backoff under one total deadline per
   batch (past it the job is cancelled). Final states are handled one by one, because the SDK
   returns None for a FAILED job instead of raising:
   - COMPLETED: the result is fetched at once (a presigned result URL expires); see 3.
   - COMPLETED without output (the gateway dropped an oversized response): re-run.
   - FAILED: re-run when the failure can be transient (worker died, fetch failed because the
     source URL expired in the queue, internal error); raise at once when the worker says the
     request itself is wrong (input_invalid, page_range_invalid, ...), since a re-run would fail
     the same way.
   - TIMED_OUT: raise, not retried: the same pages would run out of time again; the message says
     to raise the execution timeout or plan smaller batches.
   - CANCELLED: raise; somebody cancelled it on purpose.
   At most `max_attempts` jobs per batch.
3. Results: inline, tarball_b64 or s3 (the worker reroutes an inline result over its response cap
   to s3). An s3 archive is downloaded with a size cap, checked against the declared sha256 and
   unpacked in memory with no links, no paths outside the archive and size caps.
   Expired result URL: the client holds the same bucket's credentials, so it *re-presigns* the
   result key and downloads again; only if the object itself is gone (404, lifecycle rule) or in
   another bucket is the job re-run (counted against `max_attempts`). Nothing is lost either way.
4. The content list is normalized with specmill.parse.normalize (page_idx is absolute: the worker uses
   MinerU 4's page_range) and packaged with specmill.parse.parsed.build_artifact, backend "runpod".

Parallelism is the endpoint's workersMax (REST v1), which sizes the Dagster pool "parse"
(`parse_pool_limit`, `set_parse_pool_limit`) and the CLI's default `--jobs`.
"""

from __future__ import annotations

import hashlib
import os
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any, Literal

import dagster as dg
from pydantic import Field

from resources.parsers import ParserBackend
from schemas.blocks import ParsedBatchArtifact
from schemas.plan import Batch
from schemas.worker_api import TIER_ALIASES, JobOutput, S3Artifacts, WorkerErrorKind, failure_kind
from specmill.errors import ParseError, SpecmillError
from specmill.parse.parsed import build_artifact
from specmill.parse.resume import ParserIdentity
from specmill.parse.runpod_client import (
    DEFAULT_CLIENT_URL,
    DEFAULT_REST_URL,
    Backoff,
    EndpointClient,
    JobState,
    ResultMissing,
    ResultUrlExpired,
    RunPodError,
    download,
    read_endpoint_settings,
    redact_url,
)
from specmill.parse.runpod_result import RunPodResultError, check_pages, refused_images, result_blocks, result_files
from specmill.parse.safe_extract import ExtractLimits

PARSE_POOL = "parse"
MiB = 1024 * 1024

# Whether another job can succeed where one FAILED with this kind (schemas.worker_api lists the
# kinds; a test holds that every one is decided here). No: the request itself is wrong, or the
# same pages would fail the same way. Yes: the worker died, the source URL expired while the job
# queued, an upload or an internal error that another worker may not hit.
RERUN_HELPS: dict[WorkerErrorKind, bool] = {
    "input_invalid": False, "input_too_large": False, "address_not_allowed": False, "not_a_document": False,
    "volume_path_not_allowed": False, "page_range_invalid": False, "response_too_large": False,
    "transport_not_configured": False, "worker_misconfigured": False, "parse_timeout": False,
    "input_fetch_failed": True, "parse_failed": True, "upload_failed": True, "worker_error": True, "internal_error": True,
}  # fmt: skip


class RunPodConfigError(SpecmillError):
    """The runpod backend is not configured: a variable or option is missing (the message names it)."""


class RunPodJobFailed(RunPodError):
    """A batch's job FAILED (permanently, or on every attempt)."""


class RunPodJobTimedOut(RunPodError):
    """A batch's job ran past the endpoint's (or the job's) execution timeout."""


class RunPodJobCancelled(RunPodError):
    """A batch's job was cancelled by someone else (console, API)."""


def is_permanent_failure(error: str | None) -> bool:
    """A FAILED job's error says no re-run can help. Text the worker did not write (the platform's
    'worker exited unexpectedly') is worth another attempt."""
    kind = failure_kind(error)
    return kind is not None and not RERUN_HELPS[kind]


@lru_cache(maxsize=8)
def _file_sha256(path: str, size: int, mtime_ns: int) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for chunk in iter(lambda: handle.read(MiB), b""):
            digest.update(chunk)
    return digest.hexdigest()


def file_sha256(path: Path) -> str:
    """Hashed once per process per file version (every batch of a document asks)."""
    stat = path.stat()
    return _file_sha256(str(path.resolve()), stat.st_size, stat.st_mtime_ns)


@dataclass
class Attempt:
    job_id: str
    status: str
    error: str | None = None
    execution_ms: int | None = None


@dataclass
class BatchRun:
    """What parsing one batch took: every job submitted, how the result came back."""

    batch_id: str
    attempts: list[Attempt] = field(default_factory=list)
    transport: str | None = None
    result_url_refreshed: bool = False
    source_uploaded: bool = False
    seconds: float = 0.0


class RetryableJobOutcome(RunPodError):
    """A job ended in a way another job may fix (worker died, result lost, URL object gone);
    `run_batch` re-runs the batch while attempts remain."""


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
        bucket = self.bucket_client()
        source_key, run.source_uploaded = self.ensure_source(bucket, Path(pdf_path))
        with self._client() as client:
            for attempt_number in range(1, self.max_attempts + 1):
                source_url = bucket.generate_presigned_url(
                    "get_object", Params={"Bucket": self.bucket_name, "Key": source_key}, ExpiresIn=self.source_url_ttl_s
                )
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

    # -- final states --------------------------------------------------------------------------

    def collect(self, state: JobState, run: BatchRun, bucket: Any = None) -> tuple[JobOutput, dict[str, bytes]]:
        """The output and files of a final job (fetched now: presigned URLs expire); raises
        RetryableJobOutcome when another job may succeed, another RunPodError when none will."""
        bucket = bucket if bucket is not None else self.bucket_client()
        job = f"job {state.job_id} on endpoint {self.endpoint_id}"
        if state.status == "TIMED_OUT":
            raise RunPodJobTimedOut(
                f"{job} TIMED_OUT after {state.execution_ms or '?'} ms: raise the endpoint's executionTimeoutMs "
                "(python -m worker.deploy up --execution-timeout-ms ...) or plan smaller batches"
            )
        if state.status == "CANCELLED":
            raise RunPodJobCancelled(f"{job} was CANCELLED outside specmill; re-run the batch to parse it")
        if state.status == "FAILED":
            if is_permanent_failure(state.error):
                raise RunPodJobFailed(f"{job} FAILED: {state.error}")
            raise RetryableJobOutcome(f"FAILED: {state.error or 'no error text'}")
        if state.output is None:
            raise RetryableJobOutcome("COMPLETED without output (the gateway dropped the result)")
        if isinstance(state.output, dict) and "error" in state.output and "artifacts" not in state.output:
            raise RunPodJobFailed(f"{job} answered an error: {state.output['error']}")
        try:
            output = JobOutput.model_validate(state.output)
        except ValueError as exc:
            raise RunPodResultError(f"{job}: the output is not a worker JobOutput: {str(exc)[:500]}") from None
        run.transport = output.artifacts.transport
        limits = ExtractLimits(max_total_bytes=self.max_result_bytes, max_member_bytes=self.max_result_bytes)
        try:
            return output, result_files(output, lambda artifacts: self._fetch_archive(bucket, artifacts, run), limits)
        except ResultMissing as missing:
            raise RetryableJobOutcome(str(missing)) from None

    def _fetch_archive(self, bucket: Any, artifacts: S3Artifacts, run: BatchRun) -> bytes:
        try:
            return download(artifacts.url, max_bytes=self.max_result_bytes)
        except ResultUrlExpired:
            if artifacts.bucket != self.bucket_name:
                raise ResultMissing(
                    f"result URL {redact_url(artifacts.url)} expired and bucket {artifacts.bucket} is not ours to re-sign"
                ) from None
        # The URL expired before we got to it (a slow poll, a paused run): sign a fresh one.
        run.result_url_refreshed = True
        dg.get_dagster_logger().warning(f"result URL of {artifacts.key} expired; re-presigned it")
        fresh = bucket.generate_presigned_url("get_object", Params={"Bucket": artifacts.bucket, "Key": artifacts.key}, ExpiresIn=600)
        return download(fresh, max_bytes=self.max_result_bytes)

    # -- the bucket ----------------------------------------------------------------------------

    def bucket_client(self) -> Any:
        import boto3
        from botocore.config import Config

        return boto3.client(
            "s3",
            endpoint_url=self.bucket_endpoint_url,
            region_name=self.bucket_region,
            aws_access_key_id=self.bucket_access_key_id,
            aws_secret_access_key=self.bucket_secret_access_key,
            # SigV4 (R2 requires it) and path-style addressing work on every S3-compatible store.
            config=Config(signature_version="s3v4", s3={"addressing_style": "path"}, retries={"max_attempts": 5, "mode": "standard"}),
        )

    def source_key(self, sha256: str) -> str:
        return "/".join(part for part in (self.bucket_prefix.strip("/"), "sources", f"{sha256}.pdf") if part)

    def ensure_source(self, bucket: Any, pdf: Path) -> tuple[str, bool]:
        """The source's key in the bucket, uploading it only when it is not there yet."""
        from botocore.exceptions import ClientError

        if not pdf.is_file():
            raise ParseError(f"source PDF {pdf} not found")
        key = self.source_key(file_sha256(pdf))
        size = pdf.stat().st_size
        try:
            head = bucket.head_object(Bucket=self.bucket_name, Key=key)
            if head.get("ContentLength") == size:
                return key, False
        except ClientError as exc:
            if exc.response.get("Error", {}).get("Code") not in ("404", "NoSuchKey", "NotFound"):
                raise ParseError(f"bucket {self.bucket_name} at {self.bucket_endpoint_url}: cannot check {key}: {exc}") from None
        # upload_file goes multipart above 8 MiB; S3 shows the object only once it is complete.
        bucket.upload_file(str(pdf), self.bucket_name, key, ExtraArgs={"ContentType": "application/pdf"})
        return key, True

    # -- the endpoint --------------------------------------------------------------------------

    def _client(self) -> EndpointClient:
        return EndpointClient(
            base_url=self.base_url, endpoint_id=self.endpoint_id, api_key=self.api_key, request_retries=self.request_retries
        )

    def parse_pool_limit(self) -> int:
        """The endpoint's workersMax (REST v1), or `workers_max_fallback` when it cannot be read."""
        try:
            workers = read_endpoint_settings(self.rest_url, self.endpoint_id, self.api_key).workers_max
        except RunPodError as exc:
            dg.get_dagster_logger().warning(f"cannot read workersMax of {self.endpoint_id} ({exc}); using {self.workers_max_fallback}")
            return self.workers_max_fallback
        return max(1, workers)


def set_parse_pool_limit(instance: dg.DagsterInstance, limit: int) -> None:
    """Size the Dagster pool "parse" (what `dagster instance concurrency set parse N` does).

    dagster.yaml can only give a default for every pool (`concurrency: pools: default_limit`);
    a per-pool limit lives in the instance's storage, so it is set here (or in the UI,
    Deployment -> Concurrency)."""
    instance.event_log_storage.set_concurrency_slots(PARSE_POOL, limit)


# -- configuration from the environment ---------------------------------------------------------

_REQUIRED_ENV = ("RUNPOD_API_KEY", "BUCKET_ENDPOINT_URL", "BUCKET_NAME", "BUCKET_ACCESS_KEY_ID", "BUCKET_SECRET_ACCESS_KEY")


@dataclass(frozen=True)
class RunPodOptions:
    """The non-secret settings of the runpod backend (picklable: `specmill build --jobs N` sends
    them to worker processes). Secrets stay in the environment and reach the resource as EnvVar."""

    endpoint_id: str
    base_url: str = DEFAULT_CLIENT_URL
    rest_url: str = DEFAULT_REST_URL
    bucket_region: str = "us-east-1"
    bucket_prefix: str = "specmill"
    transport: Literal["inline", "tarball_b64", "s3"] = "inline"
    execution_timeout_ms: int = 0
    deadline_s: float = 3 * 3600.0
    max_attempts: int = 3
    poll_initial_s: float = 1.0
    poll_max_s: float = 15.0

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None, **overrides: Any) -> RunPodOptions:
        """RUNPOD_ENDPOINT_ID, RUNPOD_ENDPOINT_BASE_URL, RUNPOD_REST_URL, BUCKET_REGION, BUCKET_PREFIX,
        with `overrides` (command-line flags, None = not given) on top. Missing secrets are named."""
        env = os.environ if env is None else env
        missing = [name for name in _REQUIRED_ENV if not env.get(name)]
        endpoint_id = overrides.pop("endpoint_id", None) or env.get("RUNPOD_ENDPOINT_ID")
        if not endpoint_id:
            missing.insert(0, "RUNPOD_ENDPOINT_ID (or --runpod-endpoint)")
        if missing:
            raise RunPodConfigError(
                f"the runpod backend needs {', '.join(missing)}; see docs/runpod.md (the bucket is the one the worker's BUCKET_* name)"
            )
        values: dict[str, Any] = {
            "endpoint_id": endpoint_id,
            "base_url": env.get("RUNPOD_ENDPOINT_BASE_URL") or DEFAULT_CLIENT_URL,
            "rest_url": env.get("RUNPOD_REST_URL") or DEFAULT_REST_URL,
            "bucket_region": env.get("BUCKET_REGION") or "us-east-1",
            "bucket_prefix": env.get("BUCKET_PREFIX") or "specmill",
        }
        values.update({key: value for key, value in overrides.items() if value is not None})
        return cls(**values)

    def parser(self, *, tier: str, ocr_mode: str) -> RunPodParser:
        return RunPodParser(
            endpoint_id=self.endpoint_id,
            api_key=dg.EnvVar("RUNPOD_API_KEY"),
            base_url=self.base_url,
            rest_url=self.rest_url,
            bucket_endpoint_url=dg.EnvVar("BUCKET_ENDPOINT_URL"),
            bucket_name=dg.EnvVar("BUCKET_NAME"),
            bucket_access_key_id=dg.EnvVar("BUCKET_ACCESS_KEY_ID"),
            bucket_secret_access_key=dg.EnvVar("BUCKET_SECRET_ACCESS_KEY"),
            bucket_region=self.bucket_region,
            bucket_prefix=self.bucket_prefix,
            tier=tier,
            ocr_mode=ocr_mode,
            transport=self.transport,
            execution_timeout_ms=self.execution_timeout_ms,
            deadline_s=self.deadline_s,
            max_attempts=self.max_attempts,
            poll_initial_s=self.poll_initial_s,
            poll_max_s=self.poll_max_s,
        )

    def workers_max(self, env: Mapping[str, str] | None = None) -> int | None:
        """The endpoint's workersMax, or None when REST v1 cannot tell (the caller picks a default)."""
        env = os.environ if env is None else env
        try:
            return read_endpoint_settings(self.rest_url, self.endpoint_id, env.get("RUNPOD_API_KEY", "")).workers_max
        except RunPodError:
            return None


def main(argv: list[str] | None = None) -> int:
    """`python -m resources.runpod_parser [--fallback N]`: size the pool "parse" of the instance
    in $DAGSTER_HOME to the endpoint's workersMax (RUNPOD_ENDPOINT_ID, RUNPOD_API_KEY, RUNPOD_REST_URL)."""
    import argparse
    import sys

    parser = argparse.ArgumentParser(
        prog="python -m resources.runpod_parser",
        description="Size the Dagster pool 'parse' of the instance in $DAGSTER_HOME to the RunPod endpoint's workersMax.",
    )
    parser.add_argument("--fallback", type=int, default=1, help="pool size when workersMax cannot be read (default 1)")
    args = parser.parse_args(argv)
    endpoint_id = os.environ.get("RUNPOD_ENDPOINT_ID")
    if not endpoint_id or not os.environ.get("RUNPOD_API_KEY"):
        print("error: set RUNPOD_ENDPOINT_ID and RUNPOD_API_KEY", file=sys.stderr)
        return 2
    options = RunPodOptions(endpoint_id=endpoint_id, rest_url=os.environ.get("RUNPOD_REST_URL") or DEFAULT_REST_URL)
    workers = options.workers_max()
    limit = workers if workers else args.fallback
    with dg.DagsterInstance.get() as instance:
        set_parse_pool_limit(instance, limit)
    source = f"workersMax of endpoint {endpoint_id}" if workers else f"fallback (workersMax of {endpoint_id} unreadable)"
    print(f"pool {PARSE_POOL!r}: limit {limit} ({source})")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
