"""A small client for one RunPod serverless endpoint: submit a job, poll it to a final state,
cancel it, read the endpoint's settings, and download a result URL with a size cap.

Why not `runpod.Endpoint`: the SDK's `run_sync()` and `Job.output()` return the output field
(usually None) for a FAILED job instead of raising, its base URL is a module global, and its
polling has no total deadline. Here every final state is explicit (`JobState.status`), each
HTTP call retries transient failures (connection errors, 408/429/5xx) a bounded number of times
with exponential backoff, and every wait is bounded by a deadline.

Pure HTTP (httpx); no Dagster. Presigned URLs carry signatures, so messages show them reduced to
scheme://host/path.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit, urlunsplit

from specmill.errors import ParseError

DEFAULT_CLIENT_URL = "https://api.runpod.ai/v2"
DEFAULT_REST_URL = "https://rest.runpod.io/v1"

FINAL_STATUSES = frozenset({"COMPLETED", "FAILED", "CANCELLED", "TIMED_OUT"})
# Answers that say "try again later" rather than "this request is wrong".
TRANSIENT_HTTP_STATUSES = frozenset({408, 425, 429, 500, 502, 503, 504})


class RunPodError(ParseError):
    """Base class of every failure talking to a RunPod endpoint."""


class RunPodRequestRefused(RunPodError):
    """The API refused a request (bad key, unknown endpoint, malformed body): retrying cannot help."""


class RunPodUnavailable(RunPodError):
    """The API kept failing transiently (connection errors, 429, 5xx) past the retry budget."""


class RunPodDeadlineExceeded(RunPodError):
    """A job did not reach a final state before the client's deadline; it was cancelled."""


class ResultUrlExpired(RunPodError):
    """A presigned result URL was refused (expired or revoked signature): ask for a fresh one."""


class ResultMissing(RunPodError):
    """A result URL answered 404: the object is gone (bucket lifecycle), the job must be re-run."""


class ResultTooLarge(RunPodError):
    """A result download is larger than the client's cap."""


def redact_url(url: str) -> str:
    """scheme://host/path: no query string (presigned signatures), no credentials."""
    parts = urlsplit(url)
    host = parts.hostname or ""
    if parts.port:
        host = f"{host}:{parts.port}"
    return urlunsplit((parts.scheme, host, parts.path, "", ""))


@dataclass(frozen=True)
class Backoff:
    """Exponential delays: initial, initial*factor, ... capped at max_s."""

    initial_s: float = 1.0
    factor: float = 2.0
    max_s: float = 15.0

    def delays(self) -> Iterator[float]:
        delay = self.initial_s
        while True:
            yield delay
            delay = min(self.max_s, delay * self.factor)


@dataclass(frozen=True)
class JobState:
    """One `/status` answer. `output` is whatever the worker returned (None on FAILED, and on a
    COMPLETED job whose result the gateway dropped); `error` is the failure text."""

    job_id: str
    status: str
    output: Any = None
    error: str | None = None
    execution_ms: int | None = None

    @property
    def is_final(self) -> bool:
        return self.status in FINAL_STATUSES


@dataclass(frozen=True)
class EndpointSettings:
    """What REST v1 `GET /endpoints/{id}` says about capacity."""

    endpoint_id: str
    workers_max: int
    workers_min: int
    execution_timeout_ms: int | None


@dataclass
class EndpointClient:
    """The client API of one endpoint (`{base_url}/{endpoint_id}/run|status|cancel`)."""

    base_url: str
    endpoint_id: str
    api_key: str = field(repr=False)
    request_timeout_s: float = 30.0
    request_retries: int = 4
    retry_backoff: Backoff = field(default_factory=lambda: Backoff(0.5, 2.0, 8.0))
    sleep: Callable[[float], None] = time.sleep
    clock: Callable[[], float] = time.monotonic

    def __post_init__(self) -> None:
        import httpx

        if not self.api_key:
            raise RunPodRequestRefused("no RunPod API key given (set RUNPOD_API_KEY)")
        self._http = httpx.Client(
            base_url=f"{self.base_url.rstrip('/')}/{self.endpoint_id}",
            headers={"Authorization": f"Bearer {self.api_key}"},
            timeout=self.request_timeout_s,
        )

    def close(self) -> None:
        self._http.close()

    def __enter__(self) -> EndpointClient:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    # -- calls ------------------------------------------------------------------------------

    def submit(self, job_input: dict[str, Any], *, execution_timeout_ms: int | None = None) -> str:
        """Queue a job (`/run`); returns its id.

        A transient failure of `/run` is retried: at worst that queues a duplicate job whose
        answer nobody reads, which costs GPU time but never corrupts a result."""
        body: dict[str, Any] = {"input": job_input}
        if execution_timeout_ms:
            body["policy"] = {"executionTimeout": execution_timeout_ms}
        answer = self._call("POST", "/run", body)
        job_id = answer.get("id") if isinstance(answer, dict) else None
        if not isinstance(job_id, str) or not job_id:
            raise RunPodRequestRefused(f"endpoint {self.endpoint_id}: /run answered without a job id: {str(answer)[:200]}")
        return job_id

    def status(self, job_id: str) -> JobState:
        answer = self._call("GET", f"/status/{job_id}")
        if not isinstance(answer, dict) or not isinstance(answer.get("status"), str):
            raise RunPodRequestRefused(f"job {job_id}: /status answered {str(answer)[:200]}")
        error = answer.get("error")
        return JobState(
            job_id=job_id,
            status=answer["status"],
            output=answer.get("output"),
            error=None if error in (None, "") else str(error),
            execution_ms=answer.get("executionTime"),
        )

    def cancel(self, job_id: str) -> None:
        """Best effort: a job we no longer wait for should not keep a GPU busy."""
        try:
            self._call("POST", f"/cancel/{job_id}")
        except RunPodError:
            pass

    def wait(self, job_id: str, *, deadline: float, poll: Backoff) -> JobState:
        """Poll until the job is final; past `deadline` (a `clock()` value) cancel it and raise."""
        delays = poll.delays()
        while True:
            state = self.status(job_id)
            if state.is_final:
                return state
            remaining = deadline - self.clock()
            if remaining <= 0:
                self.cancel(job_id)
                raise RunPodDeadlineExceeded(
                    f"job {job_id} on endpoint {self.endpoint_id} was still {state.status} at the client deadline; "
                    "it was cancelled (raise the deadline, or check that the endpoint has workers)"
                )
            self.sleep(min(next(delays), remaining))

    # -- plumbing ---------------------------------------------------------------------------

    def _call(self, method: str, path: str, body: dict[str, Any] | None = None) -> Any:
        import httpx

        delays = self.retry_backoff.delays()
        problem = ""
        for attempt in range(self.request_retries + 1):
            if attempt:
                self.sleep(next(delays))
            try:
                response = self._http.request(method, path, json=body)
            except httpx.TransportError as exc:  # connection refused/reset, timeouts
                problem = f"{type(exc).__name__}: {exc}"
                continue
            if response.status_code in TRANSIENT_HTTP_STATUSES:
                problem = f"HTTP {response.status_code}"
                continue
            if response.status_code == 401:
                raise RunPodRequestRefused(f"{method} {path}: 401 Unauthorized; check RUNPOD_API_KEY")
            if response.status_code >= 400:
                text = response.text.replace(self.api_key, "***")[:300]
                raise RunPodRequestRefused(
                    f"endpoint {self.endpoint_id}: {method} {path} answered HTTP {response.status_code}: {text}"
                )
            try:
                return response.json() if response.content else None
            except ValueError:
                raise RunPodRequestRefused(f"{method} {path}: the answer is not JSON") from None
        raise RunPodUnavailable(
            f"endpoint {self.endpoint_id}: {method} {path} failed {self.request_retries + 1} times ({problem})"
        )


def read_endpoint_settings(
    rest_url: str, endpoint_id: str, api_key: str, *, timeout_s: float = 15.0
) -> EndpointSettings:
    """The endpoint's workersMax and execution timeout from REST v1 `GET /endpoints/{id}`."""
    import httpx

    url = f"{rest_url.rstrip('/')}/endpoints/{endpoint_id}"
    try:
        response = httpx.get(url, headers={"Authorization": f"Bearer {api_key}"}, timeout=timeout_s)
    except httpx.HTTPError as exc:
        raise RunPodUnavailable(f"GET {url}: {type(exc).__name__}: {exc}") from None
    if response.status_code >= 400:
        raise RunPodRequestRefused(f"GET {url}: HTTP {response.status_code}: {response.text.replace(api_key, '***')[:200]}")
    body = response.json()
    workers_max = body.get("workersMax")
    if not isinstance(workers_max, int) or isinstance(workers_max, bool):
        raise RunPodRequestRefused(f"GET {url}: the answer has no integer workersMax")
    timeout_ms = body.get("executionTimeoutMs")
    return EndpointSettings(
        endpoint_id=endpoint_id,
        workers_max=workers_max,
        workers_min=int(body.get("workersMin") or 0),
        execution_timeout_ms=timeout_ms if isinstance(timeout_ms, int) else None,
    )


def download(url: str, *, max_bytes: int, timeout_s: float = 60.0) -> bytes:
    """GET a (presigned) URL with a size cap.

    403 (and a 400 that says the request expired) raise ResultUrlExpired: object stores answer
    an expired or invalid signature that way. 404 raises ResultMissing."""
    import httpx

    shown = redact_url(url)
    try:
        with httpx.stream("GET", url, timeout=timeout_s, follow_redirects=False) as response:
            if response.status_code == 403 or (response.status_code == 400 and b"xpired" in response.read()[:2000]):
                raise ResultUrlExpired(f"result URL {shown} was refused (HTTP {response.status_code}): expired or invalid signature")
            if response.status_code == 404:
                raise ResultMissing(f"result URL {shown} answered 404: the object is gone")
            if response.status_code != 200:
                raise RunPodUnavailable(f"result URL {shown} answered HTTP {response.status_code}")
            declared = response.headers.get("content-length")
            if declared and declared.isdigit() and int(declared) > max_bytes:
                raise ResultTooLarge(f"result {shown} is {declared} bytes; the cap is {max_bytes}")
            chunks: list[bytes] = []
            size = 0
            for chunk in response.iter_bytes():
                size += len(chunk)
                if size > max_bytes:
                    raise ResultTooLarge(f"result {shown} is larger than the cap of {max_bytes} bytes")
                chunks.append(chunk)
            return b"".join(chunks)
    except httpx.HTTPError as exc:
        raise RunPodUnavailable(f"downloading {shown} failed: {type(exc).__name__}: {exc}") from None
