"""How a RunPod batch can fail, and which failures another job may fix.

A FAILED job's error text starts with a kind the worker declares in schemas.worker_api
(`WorkerErrorKind`); `RERUN_HELPS` decides for every one of them, and a test holds that none is
left undecided."""

from __future__ import annotations

from schemas.worker_api import WorkerErrorKind, failure_kind
from specmill.parse.runpod_client import RunPodError

# Whether another job can succeed where one FAILED with this kind. No: the request itself is
# wrong, or the same pages would fail the same way. Yes: the source URL expired while the job
# queued, an upload or an internal error that another worker may not hit.
RERUN_HELPS: dict[WorkerErrorKind, bool] = {
    "input_invalid": False, "input_too_large": False, "address_not_allowed": False, "not_a_document": False,
    "volume_path_not_allowed": False, "page_range_invalid": False, "response_too_large": False,
    "transport_not_configured": False, "worker_misconfigured": False, "parse_timeout": False,
    "input_fetch_failed": True, "parse_failed": True, "upload_failed": True, "worker_error": True, "internal_error": True,
}  # fmt: skip


def is_permanent_failure(error: str | None) -> bool:
    """A FAILED job's error says no re-run can help. Text the worker did not write (the platform's
    'worker exited unexpectedly') is worth another attempt."""
    kind = failure_kind(error)
    return kind is not None and not RERUN_HELPS[kind]


class RunPodJobFailed(RunPodError):
    """A batch's job FAILED (permanently, or on every attempt)."""


class RunPodJobTimedOut(RunPodError):
    """A batch's job ran past the endpoint's (or the job's) execution timeout."""


class RunPodJobCancelled(RunPodError):
    """A batch's job was cancelled by someone else (console, API)."""


class RetryableJobOutcome(RunPodError):
    """A job ended in a way another job may fix (worker died, result lost, URL object gone);
    the parser re-runs the batch while attempts remain."""
