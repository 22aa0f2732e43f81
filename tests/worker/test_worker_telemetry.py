"""Telemetry is dormant by default (the SDK is not even imported) and exports spans, metrics
and logs over OTLP/HTTP when OTEL_EXPORTER_OTLP_ENDPOINT is set."""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
import textwrap
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from tests.worker.conftest import run_job
from worker.handler import JobRunner
from worker.logs import EventLog
from worker.settings import WorkerSettings
from worker.telemetry import DormantTelemetry, start_telemetry

REPO_ROOT = Path(__file__).resolve().parents[2]


def test_without_an_endpoint_telemetry_is_dormant() -> None:
    telemetry = start_telemetry({})
    assert type(telemetry) is DormantTelemetry and telemetry.enabled is False


@pytest.mark.slow
def test_a_job_without_an_endpoint_never_imports_opentelemetry(figure_pdf: Path, volume_root: Path, tmp_path: Path) -> None:
    script = textwrap.dedent(
        f"""
        import asyncio, json, sys
        from worker.handler import handler
        if __name__ == "__main__":
            answer = asyncio.run(handler({{"id": "dormant", "input": {{
                "volume_path": {str(figure_pdf)!r}, "end_page": 0, "tier": "flash", "ocr_mode": "txt"}}}}))
            loaded = sorted(name for name in sys.modules if name.startswith("opentelemetry"))
            print(json.dumps({{"error": answer.get("error"), "pages": answer.get("pages_parsed"), "otel": loaded}}))
        """
    )
    env = {key: value for key, value in os.environ.items() if not key.startswith("OTEL_")}
    env.update(WORKER_VOLUME_ROOTS=str(volume_root), WORKER_WORK_DIR=str(tmp_path / "work"))
    completed = subprocess.run(
        [sys.executable, "-c", script], cwd=REPO_ROOT, env=env, capture_output=True, text=True, timeout=300
    )
    assert completed.returncode == 0, completed.stderr[-2000:]
    report = json.loads(completed.stdout.strip().splitlines()[-1])
    assert report == {"error": None, "pages": 1, "otel": []}


class OtlpCollector:
    """Records the OTLP/HTTP export requests (protobuf bodies) a worker sends."""

    def __init__(self) -> None:
        self.posts: list[tuple[str, bytes]] = []
        collector = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802
                body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
                collector.posts.append((self.path, body))
                self.send_response(200)
                self.send_header("Content-Type", "application/x-protobuf")
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, format: str, *args: object) -> None:  # noqa: A002
                pass

        self._httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._httpd.daemon_threads = True
        self.endpoint = f"http://127.0.0.1:{self._httpd.server_address[1]}"
        self._thread = threading.Thread(target=self._httpd.serve_forever, kwargs={"poll_interval": 0.1}, daemon=True)
        self._thread.start()

    def bodies(self, path: str) -> bytes:
        return b"".join(body for posted, body in self.posts if posted == path)

    def close(self) -> None:
        self._httpd.shutdown()
        self._httpd.server_close()
        self._thread.join(timeout=5)


@pytest.fixture
def collector() -> Iterator[OtlpCollector]:
    running = OtlpCollector()
    yield running
    running.close()


@pytest.mark.slow
def test_with_an_endpoint_a_job_exports_spans_metrics_and_logs(
    collector: OtlpCollector, worker_settings: WorkerSettings, figure_pdf: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("OTEL_EXPORTER_OTLP_ENDPOINT", collector.endpoint)
    telemetry = start_telemetry()
    assert telemetry.enabled
    try:
        runner = JobRunner(worker_settings, telemetry=telemetry, log=EventLog(stream=io.StringIO(), sink=telemetry.log))
        run = run_job(
            worker_settings, {"volume_path": str(figure_pdf), "end_page": 0, "tier": "flash", "ocr_mode": "txt"},
            job_id="traced-job", runner=runner,
        )  # fmt: skip
        assert "error" not in run.answer
    finally:
        telemetry.shutdown()
    traces = collector.bodies("/v1/traces")
    for span_name in (b"job", b"fetch_input", b"parse", b"package"):
        assert span_name in traces
    assert b"traced-job" in traces
    metrics = collector.bodies("/v1/metrics")
    for metric in (b"worker.jobs", b"worker.pages", b"worker.job.duration", b"worker.pages_per_s", b"worker.input.bytes"):
        assert metric in metrics
    logs = collector.bodies("/v1/logs")
    assert b"job_completed" in logs and b"traced-job" in logs
