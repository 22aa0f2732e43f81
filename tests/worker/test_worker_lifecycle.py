"""The worker process: warmup, the pinned RunPod internals it is assembled from, SIGTERM
letting the running job finish, and recycling after its job budget.

The process tests run `python -m worker` on its production path against the loopback RunPod
control-plane emulator (tests/support/runpod_emulator)."""

from __future__ import annotations

import asyncio
import inspect
import io
import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from worker.lifecycle import warmup, warmup_pdf
from worker.logs import EventLog
from worker.settings import WorkerSettings
from worker.telemetry import DormantTelemetry

REPO_ROOT = Path(__file__).resolve().parents[2]


def test_runpod_internals_the_production_path_relies_on_are_present() -> None:
    # These are private modules of runpod-python; the version is pinned and this test fails
    # first if an upgrade moves them.
    import runpod
    from runpod.serverless.modules import rp_fitness, rp_ping, rp_scale

    assert runpod.__version__ == "1.10.0"
    assert inspect.iscoroutinefunction(rp_fitness.run_fitness_checks)
    assert callable(rp_ping.Heartbeat().start_ping)
    for name in ("run", "kill_worker", "current_occupancy", "is_alive"):
        assert hasattr(rp_scale.JobScaler, name), name
    assert inspect.iscoroutinefunction(rp_scale.JobScaler.run)


def test_warmup_document_is_a_one_page_pdf_with_text() -> None:
    import pymupdf

    with pymupdf.open(stream=warmup_pdf(), filetype="pdf") as document:
        assert document.page_count == 1
        assert "Warmup" in document[0].get_text()


@pytest.mark.slow
def test_warmup_parses_one_page_with_the_configured_tier(tmp_path: Path) -> None:
    stream = io.StringIO()
    settings = WorkerSettings(work_dir=tmp_path, warmup_tier="flash")
    seconds = asyncio.run(warmup(settings, EventLog(stream=stream), DormantTelemetry()))
    record = json.loads(stream.getvalue().splitlines()[-1])
    assert record["event"] == "warmup_done" and record["pages_parsed"] == 1 and record["tier"] == "flash"
    assert seconds > 0
    print(f"\nwarmup (flash, in-process; cold only when first in the session): {seconds:.2f} s")


def test_production_entry_point_refuses_to_start_without_runpod_urls(tmp_path: Path) -> None:
    env = {key: value for key, value in os.environ.items() if not key.startswith("RUNPOD_WEBHOOK")}
    completed = subprocess.run(
        [sys.executable, "-m", "worker"], cwd=REPO_ROOT, env=env, capture_output=True, text=True, timeout=60
    )
    assert completed.returncode == 2
    assert "RUNPOD_WEBHOOK_GET_JOB is not set" in completed.stderr and "--test_input" in completed.stderr


def test_a_malformed_setting_stops_the_worker_naming_the_variable(tmp_path: Path) -> None:
    env = dict(os.environ, RUNPOD_WEBHOOK_GET_JOB="http://127.0.0.1:9/x?y=1", WORKER_CONCURRENCY="many")
    completed = subprocess.run(
        [sys.executable, "-m", "worker"], cwd=REPO_ROOT, env=env, capture_output=True, text=True, timeout=60
    )
    assert completed.returncode == 2
    assert "worker_misconfigured: WORKER_CONCURRENCY='many' is not an integer" in completed.stderr


def test_settings_read_every_documented_variable() -> None:
    settings = WorkerSettings.from_env(
        {
            "WORKER_MAX_INPUT_BYTES": "1000", "WORKER_FETCH_INACTIVITY_S": "2.5", "WORKER_FETCH_TOTAL_S": "9",
            "WORKER_ALLOW_LOOPBACK_FETCH": "true", "WORKER_VOLUME_ROOTS": "/a:/b", "WORKER_PARSE_TIMEOUT_S": "60",
            "WORKER_MAX_RESPONSE_BYTES": "5000", "WORKER_CONCURRENCY": "3", "WORKER_RECYCLE_AFTER_JOBS": "10",
            "WORKER_RECYCLE_AFTER_PAGES": "5000", "WORKER_SKIP_WARMUP": "1", "WORKER_WARMUP_TIER": "advanced",
            "BUCKET_ENDPOINT_URL": "https://acct.r2.cloudflarestorage.com", "BUCKET_NAME": "results",
            "BUCKET_ACCESS_KEY_ID": "id", "BUCKET_SECRET_ACCESS_KEY": "secret", "BUCKET_REGION": "auto",
            "BUCKET_PREFIX": "/parses/", "BUCKET_PRESIGN_TTL_S": "900",
        }
    )  # fmt: skip
    assert settings.max_input_bytes == 1000 and settings.fetch_inactivity_s == 2.5 and settings.fetch_total_s == 9
    assert settings.allow_loopback_fetch and settings.volume_roots == (Path("/a"), Path("/b"))
    assert (settings.parse_timeout_s, settings.max_response_bytes, settings.concurrency) == (60, 5000, 3)
    assert (settings.recycle_after_jobs, settings.recycle_after_pages) == (10, 5000)
    assert settings.skip_warmup and settings.warmup_tier == "advanced"
    assert settings.s3 is not None and settings.s3.region == "auto" and settings.s3.prefix == "parses"
    assert settings.s3.presign_ttl_s == 900
    assert "secret" not in repr(settings)


def test_half_configured_bucket_is_refused() -> None:
    from worker.errors import WorkerConfigError

    with pytest.raises(WorkerConfigError, match="set BUCKET_ACCESS_KEY_ID, BUCKET_SECRET_ACCESS_KEY as well"):
        WorkerSettings.from_env({"BUCKET_ENDPOINT_URL": "http://127.0.0.1:1", "BUCKET_NAME": "b"})


# ----------------------------------------------------------------------------- process tests


@pytest.fixture
def emulator() -> Iterator:
    try:
        from tests.support.runpod_emulator import RunPodEmulator
    except ImportError as error:  # pragma: no cover - the emulator is another part of the suite
        pytest.skip(f"RunPod emulator not available: {error}")
    with RunPodEmulator(long_poll_s=0.2, min_execution_timeout_ms=100) as running:
        yield running


def start_worker(emulator, volume_root: Path, tmp_path: Path, **extra: str) -> subprocess.Popen:  # noqa: ANN001
    env = {key: value for key, value in os.environ.items() if not key.startswith("OTEL_")}
    env.update(emulator.worker_env())
    env.update(
        PYTHONPATH=str(REPO_ROOT),
        MINERU_HOME=str(tmp_path / "mineru-home"),
        WORKER_VOLUME_ROOTS=str(volume_root),
        WORKER_WORK_DIR=str(tmp_path / "work"),
        **extra,
    )
    # Output goes to files: the SDK logs a lot, and an unread pipe would stall the worker.
    with (tmp_path / "worker.out").open("w") as stdout, (tmp_path / "worker.err").open("w") as stderr:
        return subprocess.Popen(
            [sys.executable, "-m", "worker"], cwd=tmp_path, env=env, stdout=stdout, stderr=stderr, text=True
        )


def submit(emulator, job_input: dict) -> str:  # noqa: ANN001
    response = httpx.post(
        f"{emulator.client_base_url}/{emulator.endpoint_id}/run",
        headers={"Authorization": f"Bearer {emulator.api_key}"},
        json={"input": job_input},
        timeout=10,
    )
    response.raise_for_status()
    return response.json()["id"]


def finish(process: subprocess.Popen, timeout_s: float, tmp_path: Path) -> tuple[int, str]:
    try:
        process.wait(timeout=timeout_s)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait(timeout=10)
        pytest.fail(f"worker did not exit within {timeout_s} s: {(tmp_path / 'worker.err').read_text()[-3000:]}")
    return process.returncode, (tmp_path / "worker.err").read_text()


def wait_job(emulator, job_id: str, process: subprocess.Popen, statuses, timeout_s: float, tmp_path: Path):  # noqa: ANN001, ANN201
    """The job once it reaches one of `statuses`; fails early if the worker process dies."""
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        job = emulator.wait_for(job_id, statuses, timeout_s=0.5)
        if job.status in statuses:
            return job
        if process.poll() is not None:
            pytest.fail(f"worker exited with {process.returncode}: {(tmp_path / 'worker.err').read_text()[-3000:]}")
    pytest.fail(f"job {job_id} did not reach {statuses} within {timeout_s} s")


def stop(process: subprocess.Popen) -> None:
    if process.poll() is None:
        process.kill()
        process.wait(timeout=10)


def worker_events(stderr: str) -> list[dict]:
    return [json.loads(line) for line in stderr.splitlines() if line.startswith('{"ts"')]


@pytest.mark.slow
def test_sigterm_lets_the_running_job_finish_and_report(emulator, sample_pdf: Path, volume_root: Path, tmp_path: Path) -> None:  # noqa: ANN001
    from tests.support.runpod_emulator import JobStatus

    process = start_worker(emulator, volume_root, tmp_path, WORKER_SKIP_WARMUP="1")
    try:
        job_id = submit(emulator, {"volume_path": str(sample_pdf), "tier": "flash", "ocr_mode": "txt"})
        wait_job(emulator, job_id, process, {JobStatus.IN_PROGRESS}, 60, tmp_path)
        process.send_signal(signal.SIGTERM)
        code, stderr = finish(process, 180, tmp_path)
    finally:
        stop(process)
    assert code == 0, stderr[-3000:]
    job = emulator.wait_for(job_id, timeout_s=5)
    assert job.status == JobStatus.COMPLETED, (job.error, stderr[-4000:])
    assert job.output["pages_parsed"] == 10
    order = [event["event"] for event in worker_events(stderr)]
    assert order.index("shutdown_requested") < order.index("job_completed") < order.index("worker_stopped")


@pytest.mark.slow
def test_worker_warms_up_then_recycles_itself_after_its_job_budget(
    emulator, figure_pdf: Path, volume_root: Path, tmp_path: Path  # noqa: ANN001
) -> None:
    from tests.support.runpod_emulator import FINAL_STATUSES, JobStatus

    process = start_worker(emulator, volume_root, tmp_path, WORKER_RECYCLE_AFTER_JOBS="1", WORKER_WARMUP_TIER="flash")
    try:
        job_id = submit(emulator, {"volume_path": str(figure_pdf), "end_page": 0, "tier": "flash", "ocr_mode": "txt"})
        job = wait_job(emulator, job_id, process, FINAL_STATUSES, 120, tmp_path)
        code, stderr = finish(process, 60, tmp_path)
    finally:
        stop(process)
    assert job.status == JobStatus.COMPLETED, job.error
    assert code == 0, stderr[-3000:]
    events = worker_events(stderr)
    order = [event["event"] for event in events]
    assert order.index("warmup_done") < order.index("worker_serving") < order.index("job_completed")
    assert order.index("job_completed") < order.index("worker_recycling") < order.index("worker_stopped")
    warmup_seconds = next(event["seconds"] for event in events if event["event"] == "warmup_done")
    print(f"\nwarmup at boot (flash, python -m worker): {warmup_seconds} s")
