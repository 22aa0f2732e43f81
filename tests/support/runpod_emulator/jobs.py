"""The job board of an emulated RunPod serverless endpoint.

One lock guards every queue, job and signal; long polls (job-take, job-stop, runsync) wait on the
same condition, so a state change anywhere wakes exactly the waiters that care. Every wait is
bounded by the caller's timeout and is cut short when the board closes.
"""

from __future__ import annotations

import copy
import json
import threading
import time
import uuid
from collections import deque
from dataclasses import dataclass, field
from enum import Enum
from typing import Any, Callable


class JobStatus(str, Enum):
    IN_QUEUE = "IN_QUEUE"
    IN_PROGRESS = "IN_PROGRESS"
    COMPLETED = "COMPLETED"
    FAILED = "FAILED"
    CANCELLED = "CANCELLED"
    TIMED_OUT = "TIMED_OUT"

    @property
    def is_final(self) -> bool:
        return self in FINAL_STATUSES


FINAL_STATUSES = frozenset(
    {JobStatus.COMPLETED, JobStatus.FAILED, JobStatus.CANCELLED, JobStatus.TIMED_OUT}
)

# RunPod's documented default for an endpoint's execution timeout (10 minutes).
DEFAULT_EXECUTION_TIMEOUT_MS = 600_000


class UnknownJob(LookupError):
    """The job id does not exist on that endpoint (the API answers 404)."""


class UnknownEndpoint(LookupError):
    """No endpoint with that id is registered (the API answers 404)."""


class RejectedRequest(ValueError):
    """The request is well-formed HTTP but not acceptable (the API answers 400)."""


@dataclass
class EmulatedJob:
    """One request as the control plane sees it. Times are `time.monotonic()` seconds."""

    id: str
    endpoint_id: str
    input: Any
    execution_timeout_ms: int
    created_at: float
    status: JobStatus = JobStatus.IN_QUEUE
    started_at: float | None = None
    finished_at: float | None = None
    worker_id: str | None = None
    has_output: bool = False
    output: Any = None
    error: str | None = None
    stream: list[Any] = field(default_factory=list)
    retries: int = 0
    late_results: int = 0

    def status_body(self) -> dict[str, Any]:
        """The `/status/{id}` response, with the fields RunPod documents for each state."""
        body: dict[str, Any] = {"id": self.id, "status": self.status.value}
        if self.started_at is not None:
            body["delayTime"] = _ms(self.started_at - self.created_at)
            if self.finished_at is not None:
                body["executionTime"] = _ms(self.finished_at - self.started_at)
        if self.worker_id is not None:
            body["workerId"] = self.worker_id
        if self.retries:
            body["retries"] = self.retries
        if self.has_output:
            body["output"] = self.output
        if self.error is not None:
            body["error"] = self.error
        return body


@dataclass(frozen=True)
class BoardEvent:
    """One thing that happened, for tests to assert on (`kind` is e.g. 'job-take', 'job-done')."""

    at: float
    kind: str
    endpoint_id: str | None = None
    job_id: str | None = None
    worker_id: str | None = None
    detail: str = ""


@dataclass
class _ResultDrop:
    job_id: str | None
    mode: str  # "lose": COMPLETED without output; "ignore": the result never arrives


class FaultPlan:
    """Faults armed by tests; each fires a bounded number of times and is then spent.

    Every method is safe to call from any thread while the emulator serves requests."""

    RESULT_DROP_MODES = ("lose", "ignore")

    def __init__(self, lock: threading.Condition) -> None:
        self._lock = lock
        self._job_take_failures: deque[int] = deque()
        self._job_failures: deque[str] = deque()
        self._result_drops: list[_ResultDrop] = []
        self._client_failures: deque[tuple[int, str | None]] = deque()

    def fail_job_takes(self, count: int = 1, status: int = 500) -> None:
        """The next `count` job-take polls answer `status` (500: the SDK logs and polls again;
        429: the SDK backs off for 5 s)."""
        with self._lock:
            self._job_take_failures.extend([status] * count)

    def fail_jobs(self, count: int = 1, error: str = "worker exited unexpectedly") -> None:
        """The next `count` jobs taken by a worker are marked FAILED with `error` instead of being
        handed over, as when a worker dies right after taking a job."""
        with self._lock:
            self._job_failures.extend([error] * count)

    def drop_results(self, count: int = 1, *, job_id: str | None = None, mode: str = "lose") -> None:
        """Drop the next `count` job results (of `job_id` only, when given).

        mode "lose": the job ends COMPLETED with no output, as when the gateway drops a response
        over its size cap after the GPU work was done. mode "ignore": the result is acknowledged
        but never recorded, so the job stays IN_PROGRESS until its execution timeout."""
        if mode not in self.RESULT_DROP_MODES:
            raise ValueError(f"mode must be one of {self.RESULT_DROP_MODES}, not {mode!r}")
        with self._lock:
            self._result_drops.extend(_ResultDrop(job_id, mode) for _ in range(count))

    def fail_client_requests(self, count: int = 1, status: int = 500, route: str | None = None) -> None:
        """The next `count` client API calls (to `route` only, e.g. 'run' or 'status', when given)
        answer `status` without touching any job."""
        with self._lock:
            self._client_failures.extend([(status, route)] * count)

    def clear(self) -> None:
        with self._lock:
            self._job_take_failures.clear()
            self._job_failures.clear()
            self._result_drops.clear()
            self._client_failures.clear()

    # -- consumed by the board and the server, with the lock held ---------------------------------

    def next_job_take_failure(self) -> int | None:
        return self._job_take_failures.popleft() if self._job_take_failures else None

    def next_job_failure(self) -> str | None:
        return self._job_failures.popleft() if self._job_failures else None

    def take_result_drop(self, job_id: str) -> str | None:
        for index, drop in enumerate(self._result_drops):
            if drop.job_id in (None, job_id):
                del self._result_drops[index]
                return drop.mode
        return None

    def next_client_failure(self, route: str) -> int | None:
        for index, (status, wanted) in enumerate(self._client_failures):
            if wanted in (None, route):
                del self._client_failures[index]
                return status
        return None


@dataclass
class _WorkerSeen:
    endpoint_id: str
    last_seen: float


class JobBoard:
    """Queues, job states, execution timeouts and per-worker stop signals of every endpoint."""

    MAX_EVENTS = 10_000

    def __init__(
        self,
        *,
        min_execution_timeout_ms: int = 5_000,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.condition = threading.Condition()
        self.faults = FaultPlan(self.condition)
        self.min_execution_timeout_ms = min_execution_timeout_ms
        self._clock = clock
        self._endpoint_timeouts: dict[str, int] = {}
        self._jobs: dict[str, EmulatedJob] = {}
        self._queues: dict[str, deque[str]] = {}
        self._stop_signals: dict[str, list[str]] = {}
        self._workers: dict[str, _WorkerSeen] = {}
        self._events: list[BoardEvent] = []
        self._closed = False

    # -- endpoints ----------------------------------------------------------------------------

    def register_endpoint(self, endpoint_id: str, execution_timeout_ms: int = DEFAULT_EXECUTION_TIMEOUT_MS) -> None:
        with self.condition:
            self._endpoint_timeouts[endpoint_id] = execution_timeout_ms
            self._queues.setdefault(endpoint_id, deque())

    def forget_endpoint(self, endpoint_id: str) -> None:
        with self.condition:
            self._endpoint_timeouts.pop(endpoint_id, None)

    def require_endpoint(self, endpoint_id: str) -> None:
        with self.condition:
            if endpoint_id not in self._endpoint_timeouts:
                raise UnknownEndpoint(endpoint_id)

    # -- client side --------------------------------------------------------------------------

    def submit(self, endpoint_id: str, request: Any) -> EmulatedJob:
        """Queue a `/run` or `/runsync` request body; returns a snapshot of the new job."""
        if not isinstance(request, dict) or "input" not in request:
            raise RejectedRequest("the request body must be a JSON object with an 'input' key")
        policy = request.get("policy") or {}
        if not isinstance(policy, dict):
            raise RejectedRequest("'policy' must be a JSON object")
        with self.condition:
            self._expire_overdue_locked()
            if endpoint_id not in self._endpoint_timeouts:
                raise UnknownEndpoint(endpoint_id)
            timeout_ms = policy.get("executionTimeout", self._endpoint_timeouts[endpoint_id])
            if not isinstance(timeout_ms, int) or isinstance(timeout_ms, bool):
                raise RejectedRequest("policy.executionTimeout must be an integer number of milliseconds")
            if 0 < timeout_ms < self.min_execution_timeout_ms:
                raise RejectedRequest(
                    f"policy.executionTimeout must be at least {self.min_execution_timeout_ms} ms, got {timeout_ms}"
                )
            job = EmulatedJob(
                id=f"{uuid.uuid4()}-e1",
                endpoint_id=endpoint_id,
                input=copy.deepcopy(request["input"]),
                execution_timeout_ms=timeout_ms,
                created_at=self._clock(),
            )
            self._jobs[job.id] = job
            self._queues[endpoint_id].append(job.id)
            self._log("submit", endpoint_id, job.id)
            self.condition.notify_all()
            return copy.deepcopy(job)

    def job(self, endpoint_id: str, job_id: str) -> EmulatedJob:
        with self.condition:
            self._expire_overdue_locked()
            return copy.deepcopy(self._job_locked(endpoint_id, job_id))

    def cancel(self, endpoint_id: str, job_id: str) -> EmulatedJob:
        """Cancel a queued or running job; a final job keeps its state."""
        with self.condition:
            self._expire_overdue_locked()
            job = self._job_locked(endpoint_id, job_id)
            if job.status is JobStatus.IN_QUEUE:
                self._queues[endpoint_id].remove(job.id)
                self._finish_locked(job, JobStatus.CANCELLED)
            elif job.status is JobStatus.IN_PROGRESS:
                self._finish_locked(job, JobStatus.CANCELLED)
                self._signal_stop_locked(job)
            self._log("cancel", endpoint_id, job.id, job.worker_id, job.status.value)
            return copy.deepcopy(job)

    def retry(self, endpoint_id: str, job_id: str) -> EmulatedJob:
        """Requeue a FAILED or TIMED_OUT job under the same id (RunPod's `/retry`)."""
        with self.condition:
            self._expire_overdue_locked()
            job = self._job_locked(endpoint_id, job_id)
            if job.status not in (JobStatus.FAILED, JobStatus.TIMED_OUT):
                raise RejectedRequest(f"only FAILED or TIMED_OUT jobs can be retried; {job_id} is {job.status.value}")
            job.status = JobStatus.IN_QUEUE
            job.retries += 1
            job.started_at = job.finished_at = None
            job.worker_id = job.error = None
            job.has_output, job.output = False, None
            job.stream.clear()
            self._queues[endpoint_id].append(job.id)
            self._log("retry", endpoint_id, job.id)
            self.condition.notify_all()
            return copy.deepcopy(job)

    def purge(self, endpoint_id: str) -> int:
        """Remove every queued job (they end CANCELLED); running jobs are not touched."""
        with self.condition:
            queue = self._queues[endpoint_id]
            removed = len(queue)
            while queue:
                self._finish_locked(self._jobs[queue.popleft()], JobStatus.CANCELLED)
            self._log("purge-queue", endpoint_id, detail=str(removed))
            return removed

    def drain_stream(self, endpoint_id: str, job_id: str) -> tuple[EmulatedJob, list[Any]]:
        with self.condition:
            self._expire_overdue_locked()
            job = self._job_locked(endpoint_id, job_id)
            chunks, job.stream = job.stream, []
            return copy.deepcopy(job), chunks

    def wait_for(
        self,
        job_id: str,
        statuses: set[JobStatus] | frozenset[JobStatus] = FINAL_STATUSES,
        timeout_s: float = 30.0,
    ) -> EmulatedJob:
        """Block until the job reaches one of `statuses` (or the timeout); returns a snapshot."""
        deadline = self._clock() + timeout_s
        with self.condition:
            while True:
                self._expire_overdue_locked()
                job = self._jobs.get(job_id)
                if job is None:
                    raise UnknownJob(job_id)
                remaining = deadline - self._clock()
                if job.status in statuses or remaining <= 0 or self._closed:
                    return copy.deepcopy(job)
                self.condition.wait(min(remaining, 0.05))

    def health(self, endpoint_id: str) -> dict[str, Any]:
        with self.condition:
            self._expire_overdue_locked()
            jobs = [job for job in self._jobs.values() if job.endpoint_id == endpoint_id]
            count = lambda *states: sum(job.status in states for job in jobs)  # noqa: E731
            busy = {job.worker_id for job in jobs if job.status is JobStatus.IN_PROGRESS}
            recent = {
                worker_id
                for worker_id, seen in self._workers.items()
                if seen.endpoint_id == endpoint_id and self._clock() - seen.last_seen < 30
            }
            return {
                "jobs": {
                    "completed": count(JobStatus.COMPLETED),
                    "failed": count(JobStatus.FAILED, JobStatus.TIMED_OUT),
                    "inProgress": count(JobStatus.IN_PROGRESS),
                    "inQueue": count(JobStatus.IN_QUEUE),
                    "retried": sum(job.retries for job in jobs),
                },
                "workers": {
                    "idle": len(recent - busy),
                    "initializing": 0,
                    "ready": len(recent - busy),
                    "running": len(busy),
                    "throttled": 0,
                    "unhealthy": 0,
                },
            }

    # -- worker side --------------------------------------------------------------------------

    def take(self, endpoint_id: str, worker_id: str, max_jobs: int, wait_s: float) -> list[dict[str, Any]]:
        """Long-poll for up to `max_jobs` queued jobs; [] when none arrived within `wait_s`."""
        deadline = self._clock() + wait_s
        with self.condition:
            self._seen_locked(endpoint_id, worker_id)
            while True:
                self._expire_overdue_locked()
                queue = self._queues.setdefault(endpoint_id, deque())
                if queue or self._closed or self._clock() >= deadline:
                    break
                self.condition.wait(min(deadline - self._clock(), 0.05))
            handed: list[dict[str, Any]] = []
            while queue and len(handed) < max_jobs and not self._closed:
                job = self._jobs[queue.popleft()]
                job.status = JobStatus.IN_PROGRESS
                job.started_at = self._clock()
                job.worker_id = worker_id
                injected_error = self.faults.next_job_failure()
                if injected_error is not None:
                    job.error = injected_error
                    self._finish_locked(job, JobStatus.FAILED)
                    self._log("fault:job-failed", endpoint_id, job.id, worker_id, injected_error)
                    continue
                handed.append({"id": job.id, "input": copy.deepcopy(job.input)})
                self._log("job-take", endpoint_id, job.id, worker_id)
            self.condition.notify_all()
            return handed

    def finish(self, endpoint_id: str, worker_id: str, job_id: str, result: Any) -> str:
        """Record a worker's job-done body; returns what happened ('recorded', 'late', 'dropped:…')."""
        with self.condition:
            self._expire_overdue_locked()
            self._seen_locked(endpoint_id, worker_id)
            job = self._job_locked(endpoint_id, job_id)
            if not isinstance(result, dict):
                raise RejectedRequest("the job result must be a JSON object")
            if result.get("stopPod"):
                self._log("stop-pod", endpoint_id, job_id, worker_id)
            if job.status is not JobStatus.IN_PROGRESS:
                # A result for a job that was cancelled or timed out meanwhile: RunPod keeps the
                # final state the client already saw.
                job.late_results += 1
                self._log("late-result", endpoint_id, job_id, worker_id, job.status.value)
                return "late"
            drop_mode = self.faults.take_result_drop(job_id)
            if drop_mode == "ignore":
                self._log("fault:result-ignored", endpoint_id, job_id, worker_id)
                return "dropped:ignore"
            if drop_mode == "lose":
                self._finish_locked(job, JobStatus.COMPLETED)
                self._log("fault:result-lost", endpoint_id, job_id, worker_id)
                return "dropped:lose"
            if "output" in result:
                job.has_output, job.output = True, result["output"]
            error = result.get("error")
            if error:
                job.error = error if isinstance(error, str) else json.dumps(error)
                self._finish_locked(job, JobStatus.FAILED)
            else:
                self._finish_locked(job, JobStatus.COMPLETED)
            self._log("job-done", endpoint_id, job_id, worker_id, job.status.value)
            return "recorded"

    def append_stream(self, endpoint_id: str, worker_id: str, job_id: str, chunk: Any) -> None:
        with self.condition:
            job = self._job_locked(endpoint_id, job_id)
            if isinstance(chunk, dict) and "output" in chunk:
                job.stream.append({"output": chunk["output"]})
            self._log("job-stream", endpoint_id, job_id, worker_id)
            self.condition.notify_all()

    def stop_signals(self, endpoint_id: str, worker_id: str, wait_s: float) -> list[str]:
        """Long-poll the stop channel of one worker; [] when nothing arrived within `wait_s`."""
        deadline = self._clock() + wait_s
        with self.condition:
            self._seen_locked(endpoint_id, worker_id)
            while True:
                self._expire_overdue_locked()
                pending = self._stop_signals.get(worker_id)
                if pending or self._closed or self._clock() >= deadline:
                    break
                self.condition.wait(min(deadline - self._clock(), 0.05))
            signals = self._stop_signals.pop(worker_id, [])
            for job_id in signals:
                self._log("job-stop", endpoint_id, job_id, worker_id)
            return signals

    def ping(self, endpoint_id: str, worker_id: str, job_ids: str | None) -> None:
        with self.condition:
            self._seen_locked(endpoint_id, worker_id)
            self._log("ping", endpoint_id, worker_id=worker_id, detail=job_ids or "")

    # -- housekeeping -------------------------------------------------------------------------

    def expire_overdue(self) -> None:
        with self.condition:
            self._expire_overdue_locked()

    def close(self) -> None:
        with self.condition:
            self._closed = True
            self.condition.notify_all()

    def events(self, kind: str | None = None) -> list[BoardEvent]:
        with self.condition:
            return [event for event in self._events if kind is None or event.kind == kind]

    def log(self, kind: str, endpoint_id: str | None = None, detail: str = "") -> None:
        with self.condition:
            self._log(kind, endpoint_id, detail=detail)

    # -- internals (lock held) ----------------------------------------------------------------

    def _job_locked(self, endpoint_id: str, job_id: str) -> EmulatedJob:
        job = self._jobs.get(job_id)
        if job is None or job.endpoint_id != endpoint_id:
            raise UnknownJob(job_id)
        return job

    def _finish_locked(self, job: EmulatedJob, status: JobStatus) -> None:
        job.status = status
        job.finished_at = self._clock()
        self.condition.notify_all()

    def _signal_stop_locked(self, job: EmulatedJob) -> None:
        if job.worker_id is not None:
            self._stop_signals.setdefault(job.worker_id, []).append(job.id)

    def _expire_overdue_locked(self) -> None:
        now = self._clock()
        for job in self._jobs.values():
            if (
                job.status is JobStatus.IN_PROGRESS
                and job.execution_timeout_ms > 0
                and job.started_at is not None
                and (now - job.started_at) * 1000 >= job.execution_timeout_ms
            ):
                self._finish_locked(job, JobStatus.TIMED_OUT)
                self._signal_stop_locked(job)
                self._log("timed-out", job.endpoint_id, job.id, job.worker_id)

    def _seen_locked(self, endpoint_id: str, worker_id: str) -> None:
        if worker_id not in self._workers:
            # The first contact of a worker: tests wait for it to know a worker is serving.
            self._log("worker-seen", endpoint_id, worker_id=worker_id)
        self._workers[worker_id] = _WorkerSeen(endpoint_id, self._clock())

    def _log(
        self,
        kind: str,
        endpoint_id: str | None = None,
        job_id: str | None = None,
        worker_id: str | None = None,
        detail: str = "",
    ) -> None:
        if len(self._events) < self.MAX_EVENTS:
            self._events.append(BoardEvent(self._clock(), kind, endpoint_id, job_id, worker_id, detail))


def _ms(seconds: float) -> int:
    return int(round(seconds * 1000))
