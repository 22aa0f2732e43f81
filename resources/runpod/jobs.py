"""What a RunPod job's final state means for its batch, one state at a time (the SDK returns None
for a FAILED job instead of raising, so nothing here is left implicit):

- COMPLETED: the result is fetched at once (a presigned result URL expires).
- COMPLETED without output (the gateway dropped an oversized response): re-run.
- FAILED: re-run when the failure can be transient (worker died, fetch failed because the source
  URL expired in the queue, internal error); raise at once when the worker says a re-run would
  fail the same way (failures.RERUN_HELPS).
- TIMED_OUT: raise, not retried: the same pages would run out of time again; the message says to
  raise the execution timeout or plan smaller batches.
- CANCELLED: raise; somebody cancelled it on purpose.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from resources.runpod.failures import (
    RetryableJobOutcome, RunPodJobCancelled, RunPodJobFailed, RunPodJobTimedOut, is_permanent_failure,
)
from schemas.worker_api import JobOutput, S3Artifacts
from specmill.parse.runpod_client import JobState, ResultMissing
from specmill.parse.runpod_result import RunPodResultError, result_files
from specmill.parse.safe_extract import ExtractLimits


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


def final_outcome(
    state: JobState, run: BatchRun, *, endpoint_id: str, fetch_archive: Callable[[S3Artifacts], bytes], max_result_bytes: int
) -> tuple[JobOutput, dict[str, bytes]]:
    """The output and files of a final job (fetched now: presigned URLs expire); raises
    RetryableJobOutcome when another job may succeed, another RunPodError when none will."""
    job = f"job {state.job_id} on endpoint {endpoint_id}"
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
    limits = ExtractLimits(max_total_bytes=max_result_bytes, max_member_bytes=max_result_bytes)
    try:
        return output, result_files(output, fetch_archive, limits)
    except ResultMissing as missing:
        raise RetryableJobOutcome(str(missing)) from None
