"""Fixtures for the worker's own tests: small real PDFs, a loopback HTTP server, SeaweedFS."""

from __future__ import annotations

import asyncio
import dataclasses
import io
import json
import threading
import time
from collections.abc import Callable, Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

from tests.support.seaweedfs import SeaweedFS
from worker.handler import JobRunner
from worker.logs import EventLog
from worker.settings import S3Settings, WorkerSettings

RESULTS_BUCKET = "worker-results"


# ----------------------------------------------------------------------------- documents


def make_figure_pdf(path: Path, pages: int = 3) -> Path:
    """Pages with a numbered heading, a paragraph and one embedded raster image each."""
    import pymupdf

    document = pymupdf.open()
    for number in range(1, pages + 1):
        page = document.new_page(width=595, height=842)
        # Positions vary per page: text repeated at one spot on every page is page furniture
        # (a running header) to MinerU, and would not reach the Markdown.
        top = 90 + 17 * number
        page.insert_text((72, top), f"{number} Clause number {number}", fontsize=16)
        for line in range(4):
            page.insert_text(
                (72, top + 36 + 16 * line),
                f"Paragraph {line + 1} of clause {number} states requirement {number}.{line + 1} in plain words.",
                fontsize=11,
            )
        pixmap = pymupdf.Pixmap(pymupdf.csRGB, pymupdf.IRect(0, 0, 48, 48), False)
        pixmap.set_rect(pixmap.irect, (40 * number % 255, 90, 160))
        page.insert_image(pymupdf.Rect(72, top + 140, 272, top + 340), pixmap=pixmap)
    document.save(path)
    document.close()
    return path


@pytest.fixture(scope="session")
def volume_root(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Stands in for the RunPod network volume: the only place volume_path may point."""
    return tmp_path_factory.mktemp("volume")


@pytest.fixture(scope="session")
def figure_pdf(volume_root: Path) -> Path:
    return make_figure_pdf(volume_root / "figures.pdf", pages=3)


@pytest.fixture(scope="session")
def sample_pdf(tmp_path_factory: pytest.TempPathFactory, volume_root: Path) -> Path:
    """The project's 10-page generated sample, or a 10-page stand-in while it does not exist."""
    out_dir = volume_root / "sample"
    out_dir.mkdir(exist_ok=True)
    try:
        from specmill.sample import generate_sample
    except ImportError:
        return make_figure_pdf(out_dir / "sample.pdf", pages=10)
    return Path(generate_sample(out_dir, pages=10, seed=0).pdf_path)


# ----------------------------------------------------------------------------- runner


@pytest.fixture
def worker_settings(volume_root: Path, tmp_path: Path) -> WorkerSettings:
    return WorkerSettings(
        volume_roots=(volume_root,),
        allow_loopback_fetch=True,
        work_dir=tmp_path / "work",
        parse_timeout_s=300.0,
        fetch_inactivity_s=5.0,
        fetch_total_s=30.0,
    )


@dataclasses.dataclass
class JobRun:
    answer: dict[str, Any]
    log_lines: list[dict[str, Any]]
    seconds: float


def run_job(settings: WorkerSettings, job_input: Any, *, job_id: str = "job-1", runner: JobRunner | None = None) -> JobRun:
    """Run one job through the real handler code and capture its JSON log lines
    (a caller-supplied runner keeps its own log, and log_lines stays empty)."""
    stream = io.StringIO()
    runner = runner or JobRunner(settings, log=EventLog(stream=stream))

    async def timed() -> tuple[dict[str, Any], float]:
        started = time.perf_counter()
        answer = await runner.run({"id": job_id, "input": job_input})
        return answer, time.perf_counter() - started

    answer, seconds = asyncio.run(timed())
    lines = [json.loads(line) for line in stream.getvalue().splitlines() if line.strip()]
    return JobRun(answer=answer, log_lines=lines, seconds=seconds)


@pytest.fixture
def run() -> Callable[..., JobRun]:
    return run_job


# ----------------------------------------------------------------------------- S3


@pytest.fixture(scope="session")
def seaweed(seaweed_server: SeaweedFS) -> SeaweedFS:
    """The session's SeaweedFS server (tests/conftest.py) with this package's bucket."""
    seaweed_server.create_bucket(RESULTS_BUCKET)
    return seaweed_server


@pytest.fixture
def s3_settings(seaweed: SeaweedFS) -> S3Settings:
    return S3Settings(
        endpoint_url=seaweed.endpoint_url,
        bucket=RESULTS_BUCKET,
        access_key_id=seaweed.access_key,
        secret_access_key=seaweed.secret_key,
        region=seaweed.region,
        prefix="tests",
        presign_ttl_s=600,
    )


# ----------------------------------------------------------------------------- HTTP


@dataclasses.dataclass
class Route:
    status: int = 200
    body: bytes = b""
    headers: dict[str, str] = dataclasses.field(default_factory=dict)
    # Streamed bodies: (chunk, pause before it) pairs, sent without Content-Length.
    chunks: list[tuple[bytes, float]] | None = None
    delay_before_headers_s: float = 0.0


class LoopbackServer:
    """A tiny HTTP server on 127.0.0.1 whose routes a test declares; it records every request."""

    def __init__(self) -> None:
        self.routes: dict[str, Route] = {}
        self.requests: list[dict[str, Any]] = []
        server = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_GET(self) -> None:  # noqa: N802 - http.server's naming
                server.requests.append({"path": self.path, "headers": dict(self.headers)})
                route = server.routes.get(self.path.split("?", 1)[0], Route(status=404, body=b"not found"))
                if route.delay_before_headers_s:
                    time.sleep(route.delay_before_headers_s)
                try:
                    self.send_response(route.status)
                    for name, value in route.headers.items():
                        self.send_header(name, value)
                    if route.chunks is None:
                        if "Content-Length" not in route.headers:
                            self.send_header("Content-Length", str(len(route.body)))
                        self.end_headers()
                        self.wfile.write(route.body)
                        return
                    self.send_header("Connection", "close")
                    self.end_headers()
                    for chunk, pause in route.chunks:
                        time.sleep(pause)
                        self.wfile.write(chunk)
                        self.wfile.flush()
                    self.close_connection = True
                except (BrokenPipeError, ConnectionResetError):
                    pass  # the client gave up on purpose (size cap, timeout)

            def log_message(self, format: str, *args: Any) -> None:  # noqa: A002
                pass

        self._httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._httpd.daemon_threads = True
        self.port = self._httpd.server_address[1]
        self._thread = threading.Thread(target=self._httpd.serve_forever, kwargs={"poll_interval": 0.1}, daemon=True)

    def url(self, path: str, host: str = "127.0.0.1") -> str:
        return f"http://{host}:{self.port}{path}"

    def __enter__(self) -> LoopbackServer:
        self._thread.start()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self._httpd.shutdown()
        self._httpd.server_close()
        self._thread.join(timeout=5)


@pytest.fixture
def http_server() -> Iterator[LoopbackServer]:
    with LoopbackServer() as server:
        yield server
