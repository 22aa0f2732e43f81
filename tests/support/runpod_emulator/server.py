"""HTTP front of the emulator: RunPod's client API, the worker protocol and REST v1 on one port.

Routes (all on 127.0.0.1):

client API (`Authorization: Bearer <api_key>`), what `runpod.Endpoint` calls:
    POST /v2/{endpoint}/run | /runsync[?wait=ms] | /cancel/{job} | /retry/{job} | /purge-queue
    GET  /v2/{endpoint}/status/{job} | /stream/{job} | /health
worker protocol (`Authorization: <worker key>`, no Bearer, as runpod-python 1.10 sends it):
    GET  /v2/{endpoint}/job-take/{worker}?…&job_in_progress=0|1        200 {"id","input"} | 204
    GET  /v2/{endpoint}/job-take-batch/{worker}?…&batch_size=N          200 [jobs] | 204
    GET  /v2/{endpoint}/job-stop/{worker}?…                            200 {"jobsToStop"} | 204
    POST /v2/{endpoint}/job-done/{worker}/{job}?…&isStream=…  body: the JSON result, sent with
         Content-Type application/x-www-form-urlencoded (rp_http._transmit posts the JSON text)
    POST /v2/{endpoint}/job-stream/{worker}/{job}?…
    GET  /v2/{endpoint}/ping/{worker}?job_id=…&runpod_version=…
REST API v1 (`Authorization: Bearer <api_key>`):
    GET|POST /v1/templates, GET|PATCH|DELETE /v1/templates/{id}
    GET|POST /v1/endpoints, GET|PATCH|DELETE /v1/endpoints/{id}[?includeTemplate=true]
emulator control (Bearer): POST /_emulator/faults, GET /_emulator/events
"""

from __future__ import annotations

import json
import re
import threading
from dataclasses import asdict
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Callable
from urllib.parse import parse_qs, urlsplit

from .control import ControlPlane, NotFound
from .jobs import (
    DEFAULT_EXECUTION_TIMEOUT_MS,
    FINAL_STATUSES,
    EmulatedJob,
    FaultPlan,
    JobBoard,
    JobStatus,
    RejectedRequest,
    UnknownEndpoint,
    UnknownJob,
)

_SEGMENT = r"([^/?]+)"


class _Reply(Exception):
    """Ends request handling with this status and JSON body (None: no body)."""

    def __init__(self, status: int, body: Any = None) -> None:
        super().__init__(status)
        self.status = status
        self.body = body


class RunPodEmulator:
    """A loopback stand-in for RunPod's serverless control plane.

    Start it in-process (`with RunPodEmulator() as emulator:`) or as
    `python -m tests.support.runpod_emulator --port P`. Point the runpod SDK at
    `emulator.client_base_url` and a worker process at `emulator.worker_env()`."""

    def __init__(
        self,
        *,
        api_key: str = "emulator-api-key",
        worker_key: str | None = None,
        endpoint_id: str = "specmill-emulated",
        execution_timeout_ms: int = DEFAULT_EXECUTION_TIMEOUT_MS,
        min_execution_timeout_ms: int = 5_000,
        long_poll_s: float = 1.0,
        runsync_wait_s: float = 90.0,
        host: str = "127.0.0.1",
        port: int = 0,
    ) -> None:
        if host not in ("127.0.0.1", "localhost", "::1"):
            raise ValueError(f"the emulator binds loopback only, not {host!r}")
        self.api_key = api_key
        self.worker_key = worker_key or f"{api_key}-worker"
        self.endpoint_id = endpoint_id
        self.long_poll_s = long_poll_s
        self.runsync_wait_s = runsync_wait_s
        self.board = JobBoard(min_execution_timeout_ms=min_execution_timeout_ms)
        self.board.register_endpoint(endpoint_id, execution_timeout_ms)
        self.control = ControlPlane(
            on_endpoint_saved=lambda endpoint: self.board.register_endpoint(
                endpoint["id"], endpoint["executionTimeoutMs"]
            ),
            on_endpoint_deleted=self.board.forget_endpoint,
        )
        self._httpd = ThreadingHTTPServer((host, port), _handler_for(self))
        self._httpd.daemon_threads = True
        self._serve_thread: threading.Thread | None = None
        self._reaper_thread: threading.Thread | None = None
        self._stopping = threading.Event()

    # -- lifecycle ------------------------------------------------------------------------------

    def start(self) -> "RunPodEmulator":
        self._serve_thread = threading.Thread(
            target=self._httpd.serve_forever, kwargs={"poll_interval": 0.1}, name="runpod-emulator", daemon=True
        )
        self._reaper_thread = threading.Thread(target=self._reap, name="runpod-emulator-reaper", daemon=True)
        self._serve_thread.start()
        self._reaper_thread.start()
        return self

    def stop(self, timeout_s: float = 5.0) -> None:
        self._stopping.set()
        self.board.close()
        if self._serve_thread is not None:
            self._httpd.shutdown()
            self._serve_thread.join(timeout_s)
        if self._reaper_thread is not None:
            self._reaper_thread.join(timeout_s)
        self._httpd.server_close()

    def request_stop(self) -> None:
        """Ask `serve_until_interrupted` to return (safe from a signal handler)."""
        self._stopping.set()

    def serve_until_interrupted(self) -> None:
        self.start()
        try:
            self._stopping.wait()
        except KeyboardInterrupt:
            pass
        finally:
            self.stop()

    def __enter__(self) -> "RunPodEmulator":
        return self.start()

    def __exit__(self, *exc_info: object) -> None:
        self.stop()

    def _reap(self) -> None:
        # Execution timeouts must fire (and reach the worker's stop channel) even when nobody polls.
        while not self._stopping.wait(0.05):
            self.board.expire_overdue()

    # -- addresses ------------------------------------------------------------------------------

    @property
    def port(self) -> int:
        return self._httpd.server_address[1]

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def client_base_url(self) -> str:
        """What to assign to `runpod.endpoint_url_base`."""
        return f"{self.url}/v2"

    @property
    def rest_base_url(self) -> str:
        """The REST API v1 base (RunPod's is https://rest.runpod.io/v1)."""
        return f"{self.url}/v1"

    def worker_env(
        self,
        worker_id: str = "emulated-worker",
        endpoint_id: str | None = None,
        ping_interval_ms: int = 2_000,
    ) -> dict[str, str]:
        """Environment that puts a runpod-python worker on its production path against us.

        The job-take URL already carries a query string because the SDK appends
        `&job_in_progress=…`; `$ID` there is the worker id, in the job-done and stream URLs it is
        the job id (and `$RUNPOD_POD_ID` the worker id)."""
        base = f"{self.url}/v2/{endpoint_id or self.endpoint_id}"
        return {
            "RUNPOD_WEBHOOK_GET_JOB": f"{base}/job-take/$ID?gpu=emulated",
            "RUNPOD_WEBHOOK_POST_OUTPUT": f"{base}/job-done/$RUNPOD_POD_ID/$ID?gpu=emulated",
            "RUNPOD_WEBHOOK_POST_STREAM": f"{base}/job-stream/$RUNPOD_POD_ID/$ID?gpu=emulated",
            "RUNPOD_WEBHOOK_PING": f"{base}/ping/$RUNPOD_POD_ID?gpu=emulated",
            "RUNPOD_AI_API_KEY": self.worker_key,
            "RUNPOD_POD_ID": worker_id,
            "RUNPOD_ENDPOINT_ID": endpoint_id or self.endpoint_id,
            "RUNPOD_PING_INTERVAL": str(ping_interval_ms),
            "RUNPOD_SKIP_AUTO_SYSTEM_CHECKS": "true",
            "RUNPOD_SKIP_GPU_CHECK": "true",
        }

    # -- conveniences for tests -------------------------------------------------------------------

    def sdk_endpoint(self, endpoint_id: str | None = None, api_key: str | None = None):
        """A `runpod.Endpoint` wired to this emulator, leaving the SDK's globals as they were.

        The SDK's client copies `runpod.endpoint_url_base` when it is constructed, so setting it
        only around the constructor is enough."""
        import runpod

        saved = runpod.endpoint_url_base
        runpod.endpoint_url_base = self.client_base_url
        try:
            return runpod.Endpoint(endpoint_id or self.endpoint_id, api_key=api_key or self.api_key)
        finally:
            runpod.endpoint_url_base = saved

    @property
    def faults(self) -> FaultPlan:
        return self.board.faults

    def job(self, job_id: str, endpoint_id: str | None = None) -> EmulatedJob:
        return self.board.job(endpoint_id or self.endpoint_id, job_id)

    def wait_for(
        self,
        job_id: str,
        statuses: set[JobStatus] | frozenset[JobStatus] = FINAL_STATUSES,
        timeout_s: float = 30.0,
    ) -> EmulatedJob:
        return self.board.wait_for(job_id, statuses, timeout_s)

    def events(self, kind: str | None = None):
        return self.board.events(kind)


# -- request handling ----------------------------------------------------------------------------

_Route = tuple[str, "re.Pattern[str]", str, str]  # method, path pattern, handler name, auth kind


def _route(method: str, pattern: str, handler: str, auth: str) -> _Route:
    return method, re.compile("^" + pattern.replace("{}", _SEGMENT) + "$"), handler, auth


_ROUTES: list[_Route] = [
    _route("POST", "/v2/{}/run", "client_run", "client"),
    _route("POST", "/v2/{}/runsync", "client_runsync", "client"),
    _route("GET", "/v2/{}/status/{}", "client_status", "client"),
    _route("POST", "/v2/{}/status/{}", "client_status", "client"),
    _route("GET", "/v2/{}/stream/{}", "client_stream", "client"),
    _route("POST", "/v2/{}/cancel/{}", "client_cancel", "client"),
    _route("POST", "/v2/{}/retry/{}", "client_retry", "client"),
    _route("GET", "/v2/{}/health", "client_health", "client"),
    _route("POST", "/v2/{}/purge-queue", "client_purge", "client"),
    _route("GET", "/v2/{}/job-take/{}", "worker_take", "worker"),
    _route("GET", "/v2/{}/job-take-batch/{}", "worker_take_batch", "worker"),
    _route("GET", "/v2/{}/job-stop/{}", "worker_stop_signals", "worker"),
    _route("POST", "/v2/{}/job-done/{}/{}", "worker_done", "worker"),
    _route("POST", "/v2/{}/job-stream/{}/{}", "worker_stream", "worker"),
    _route("GET", "/v2/{}/ping/{}", "worker_ping", "worker"),
    _route("GET", "/v1/templates", "rest_list_templates", "client"),
    _route("POST", "/v1/templates", "rest_create_template", "client"),
    _route("GET", "/v1/templates/{}", "rest_get_template", "client"),
    _route("PATCH", "/v1/templates/{}", "rest_update_template", "client"),
    _route("DELETE", "/v1/templates/{}", "rest_delete_template", "client"),
    _route("GET", "/v1/endpoints", "rest_list_endpoints", "client"),
    _route("POST", "/v1/endpoints", "rest_create_endpoint", "client"),
    _route("GET", "/v1/endpoints/{}", "rest_get_endpoint", "client"),
    _route("PATCH", "/v1/endpoints/{}", "rest_update_endpoint", "client"),
    _route("DELETE", "/v1/endpoints/{}", "rest_delete_endpoint", "client"),
    _route("POST", "/_emulator/faults", "admin_faults", "client"),
    _route("GET", "/_emulator/events", "admin_events", "client"),
]

_CLIENT_ROUTE_NAMES = {
    "client_run": "run",
    "client_runsync": "runsync",
    "client_status": "status",
    "client_stream": "stream",
    "client_cancel": "cancel",
    "client_retry": "retry",
    "client_health": "health",
    "client_purge": "purge-queue",
}


def _handler_for(emulator: RunPodEmulator) -> type[BaseHTTPRequestHandler]:
    class Handler(_Handler):
        pass

    Handler.emulator = emulator
    return Handler


class _Handler(BaseHTTPRequestHandler):
    emulator: RunPodEmulator
    protocol_version = "HTTP/1.1"  # keep-alive, as aiohttp and requests expect
    timeout = 60  # an idle keep-alive connection is dropped after this many seconds
    server_version = "runpod-emulator"

    def do_GET(self) -> None:
        self._dispatch("GET")

    def do_POST(self) -> None:
        self._dispatch("POST")

    def do_PATCH(self) -> None:
        self._dispatch("PATCH")

    def do_DELETE(self) -> None:
        self._dispatch("DELETE")

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - stdlib signature
        pass  # the event log on the board is the record; stderr noise helps nobody

    # -- plumbing -----------------------------------------------------------------------------------

    def _dispatch(self, method: str) -> None:
        split = urlsplit(self.path)
        self.query = {key: values[-1] for key, values in parse_qs(split.query).items()}
        raw_body = self._read_body()
        try:
            for route_method, pattern, handler_name, auth in _ROUTES:
                match = pattern.match(split.path)
                if match and route_method == method:
                    self._authorize(auth)
                    handler: Callable[..., Any] = getattr(self, handler_name)
                    self.raw_body = raw_body
                    raise _Reply(*handler(*match.groups()))
            if any(pattern.match(split.path) for _, pattern, _, _ in _ROUTES):
                raise _Reply(HTTPStatus.METHOD_NOT_ALLOWED, {"error": f"{method} not allowed on {split.path}"})
            raise _Reply(HTTPStatus.NOT_FOUND, {"error": f"no route for {split.path}"})
        except _Reply as reply:
            self._send(reply.status, reply.body)
        except (UnknownJob, UnknownEndpoint, NotFound) as missing:
            self._send(HTTPStatus.NOT_FOUND, {"error": f"not found: {missing}"})
        except RejectedRequest as rejected:
            self._send(HTTPStatus.BAD_REQUEST, {"error": str(rejected)})

    def _read_body(self) -> bytes:
        length = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(length) if length > 0 else b""

    def _json_body(self) -> Any:
        if not self.raw_body:
            return None
        try:
            return json.loads(self.raw_body)
        except (UnicodeDecodeError, json.JSONDecodeError) as error:
            raise RejectedRequest(f"the request body is not valid JSON: {error}") from None

    def _authorize(self, kind: str) -> None:
        supplied = (self.headers.get("Authorization") or "").strip()
        if supplied.lower().startswith("bearer "):
            supplied = supplied[7:].strip()
        expected = self.emulator.worker_key if kind == "worker" else self.emulator.api_key
        if supplied != expected:
            self.emulator.board.log("unauthorized", detail=f"{self.command} {urlsplit(self.path).path}")
            raise _Reply(HTTPStatus.UNAUTHORIZED, {"error": "Unauthorized"})

    def _send(self, status: int, body: Any) -> None:
        payload = b"" if body is None else json.dumps(body).encode()
        self.send_response(status)
        if body is not None:
            self.send_header("Content-Type", "application/json")
        if status != HTTPStatus.NO_CONTENT:  # a 204 carries no body and no length
            self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        if payload:
            self.wfile.write(payload)

    def _client_fault(self, handler_name: str) -> None:
        route = _CLIENT_ROUTE_NAMES[handler_name]
        with self.emulator.board.condition:
            status = self.emulator.faults.next_client_failure(route)
        if status is not None:
            self.emulator.board.log(f"fault:client-{route}", detail=str(status))
            raise _Reply(status, {"error": f"injected fault: HTTP {status}"})

    # -- client API ---------------------------------------------------------------------------------

    def client_run(self, endpoint_id: str) -> tuple[int, Any]:
        self._client_fault("client_run")
        job = self.emulator.board.submit(endpoint_id, self._json_body())
        return HTTPStatus.OK, {"id": job.id, "status": job.status.value}

    def client_runsync(self, endpoint_id: str) -> tuple[int, Any]:
        self._client_fault("client_runsync")
        job = self.emulator.board.submit(endpoint_id, self._json_body())
        wait_s = self.emulator.runsync_wait_s
        if "wait" in self.query:
            wait_s = min(wait_s, int(self.query["wait"]) / 1000)
        job = self.emulator.board.wait_for(job.id, FINAL_STATUSES, wait_s)
        return HTTPStatus.OK, job.status_body()

    def client_status(self, endpoint_id: str, job_id: str) -> tuple[int, Any]:
        self._client_fault("client_status")
        return HTTPStatus.OK, self.emulator.board.job(endpoint_id, job_id).status_body()

    def client_stream(self, endpoint_id: str, job_id: str) -> tuple[int, Any]:
        self._client_fault("client_stream")
        job, chunks = self.emulator.board.drain_stream(endpoint_id, job_id)
        return HTTPStatus.OK, {"status": job.status.value, "stream": chunks}

    def client_cancel(self, endpoint_id: str, job_id: str) -> tuple[int, Any]:
        self._client_fault("client_cancel")
        job = self.emulator.board.cancel(endpoint_id, job_id)
        return HTTPStatus.OK, {"id": job.id, "status": job.status.value}

    def client_retry(self, endpoint_id: str, job_id: str) -> tuple[int, Any]:
        self._client_fault("client_retry")
        job = self.emulator.board.retry(endpoint_id, job_id)
        return HTTPStatus.OK, {"id": job.id, "status": job.status.value}

    def client_health(self, endpoint_id: str) -> tuple[int, Any]:
        self._client_fault("client_health")
        self.emulator.board.require_endpoint(endpoint_id)
        return HTTPStatus.OK, self.emulator.board.health(endpoint_id)

    def client_purge(self, endpoint_id: str) -> tuple[int, Any]:
        self._client_fault("client_purge")
        self.emulator.board.require_endpoint(endpoint_id)
        return HTTPStatus.OK, {"removed": self.emulator.board.purge(endpoint_id), "status": "completed"}

    # -- worker protocol ----------------------------------------------------------------------------

    def _job_take_fault(self, endpoint_id: str, worker_id: str) -> None:
        with self.emulator.board.condition:
            status = self.emulator.faults.next_job_take_failure()
        if status is not None:
            self.emulator.board.log("fault:job-take", endpoint_id, detail=f"{worker_id} {status}")
            raise _Reply(status, {"error": f"injected fault: HTTP {status}"})

    def worker_take(self, endpoint_id: str, worker_id: str) -> tuple[int, Any]:
        self._job_take_fault(endpoint_id, worker_id)
        jobs = self.emulator.board.take(endpoint_id, worker_id, 1, self.emulator.long_poll_s)
        return (HTTPStatus.OK, jobs[0]) if jobs else (HTTPStatus.NO_CONTENT, None)

    def worker_take_batch(self, endpoint_id: str, worker_id: str) -> tuple[int, Any]:
        self._job_take_fault(endpoint_id, worker_id)
        try:
            batch_size = max(1, int(self.query.get("batch_size", "1")))
        except ValueError:
            raise RejectedRequest("batch_size must be an integer") from None
        jobs = self.emulator.board.take(endpoint_id, worker_id, batch_size, self.emulator.long_poll_s)
        return (HTTPStatus.OK, jobs) if jobs else (HTTPStatus.NO_CONTENT, None)

    def worker_stop_signals(self, endpoint_id: str, worker_id: str) -> tuple[int, Any]:
        job_ids = self.emulator.board.stop_signals(endpoint_id, worker_id, self.emulator.long_poll_s)
        return (HTTPStatus.OK, {"jobsToStop": job_ids}) if job_ids else (HTTPStatus.NO_CONTENT, None)

    def worker_done(self, endpoint_id: str, worker_id: str, job_id: str) -> tuple[int, Any]:
        outcome = self.emulator.board.finish(endpoint_id, worker_id, job_id, self._json_body())
        return HTTPStatus.OK, {"status": outcome}

    def worker_stream(self, endpoint_id: str, worker_id: str, job_id: str) -> tuple[int, Any]:
        self.emulator.board.append_stream(endpoint_id, worker_id, job_id, self._json_body())
        return HTTPStatus.OK, {"status": "recorded"}

    def worker_ping(self, endpoint_id: str, worker_id: str) -> tuple[int, Any]:
        self.emulator.board.ping(endpoint_id, worker_id, self.query.get("job_id"))
        return HTTPStatus.OK, {"status": "ok"}

    # -- REST API v1 --------------------------------------------------------------------------------

    def rest_list_templates(self) -> tuple[int, Any]:
        return HTTPStatus.OK, self.emulator.control.list_templates()

    def rest_create_template(self) -> tuple[int, Any]:
        return HTTPStatus.OK, self.emulator.control.create_template(self._json_body())

    def rest_get_template(self, template_id: str) -> tuple[int, Any]:
        return HTTPStatus.OK, self.emulator.control.get_template(template_id)

    def rest_update_template(self, template_id: str) -> tuple[int, Any]:
        return HTTPStatus.OK, self.emulator.control.update_template(template_id, self._json_body())

    def rest_delete_template(self, template_id: str) -> tuple[int, Any]:
        self.emulator.control.delete_template(template_id)
        return HTTPStatus.NO_CONTENT, None

    def rest_list_endpoints(self) -> tuple[int, Any]:
        return HTTPStatus.OK, self.emulator.control.list_endpoints(self._include_template())

    def rest_create_endpoint(self) -> tuple[int, Any]:
        return HTTPStatus.OK, self.emulator.control.create_endpoint(self._json_body())

    def rest_get_endpoint(self, endpoint_id: str) -> tuple[int, Any]:
        return HTTPStatus.OK, self.emulator.control.get_endpoint(endpoint_id, self._include_template())

    def rest_update_endpoint(self, endpoint_id: str) -> tuple[int, Any]:
        return HTTPStatus.OK, self.emulator.control.update_endpoint(endpoint_id, self._json_body())

    def rest_delete_endpoint(self, endpoint_id: str) -> tuple[int, Any]:
        self.emulator.control.delete_endpoint(endpoint_id)
        return HTTPStatus.NO_CONTENT, None

    def _include_template(self) -> bool:
        return self.query.get("includeTemplate", "false").lower() == "true"

    # -- emulator control ---------------------------------------------------------------------------

    def admin_faults(self) -> tuple[int, Any]:
        """Arm a fault over HTTP: {"fault": "fail_job_takes", "count": 2, "status": 500}."""
        body = self._json_body()
        if not isinstance(body, dict) or not isinstance(body.get("fault"), str):
            raise RejectedRequest('the body must be {"fault": NAME, ...arguments}')
        arguments = {key: value for key, value in body.items() if key != "fault"}
        allowed = {"fail_job_takes", "fail_jobs", "drop_results", "fail_client_requests", "clear"}
        if body["fault"] not in allowed:
            raise RejectedRequest(f"unknown fault {body['fault']!r}; one of {sorted(allowed)}")
        try:
            getattr(self.emulator.faults, body["fault"])(**arguments)
        except (TypeError, ValueError) as error:
            raise RejectedRequest(f"bad arguments for {body['fault']}: {error}") from None
        return HTTPStatus.OK, {"armed": body["fault"]}

    def admin_events(self) -> tuple[int, Any]:
        return HTTPStatus.OK, [asdict(event) for event in self.emulator.events(self.query.get("kind"))]
