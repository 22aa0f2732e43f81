"""RunPod's local test mode: `python -m worker.handler --test_input '<json>'` runs one real job
(MinerU tier flash) on this machine and exits 0, or 1 when the job fails."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parents[2]

pytestmark = pytest.mark.slow


def local_env(volume_root: Path, tmp_path: Path) -> dict[str, str]:
    env = {key: value for key, value in os.environ.items() if not key.startswith(("RUNPOD_WEBHOOK", "OTEL_"))}
    env.update(
        RUNPOD_SKIP_AUTO_SYSTEM_CHECKS="true",
        RUNPOD_SKIP_GPU_CHECK="true",
        MINERU_HOME=str(tmp_path / "mineru-home"),
        WORKER_VOLUME_ROOTS=str(volume_root),
        WORKER_WORK_DIR=str(tmp_path / "work"),
    )
    return env


def run_local(job: dict, env: dict[str, str], cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "worker.handler", "--test_input", json.dumps(job)],
        cwd=cwd, env=env, capture_output=True, text=True, timeout=300,
    )  # fmt: skip


def json_events(stderr: str) -> dict[str, dict]:
    events = {}
    for line in stderr.splitlines():
        if line.startswith("{"):
            record = json.loads(line)
            events[record["event"]] = record
    return events


def test_local_test_mode_parses_the_sample_with_tier_flash(sample_pdf: Path, volume_root: Path, tmp_path: Path) -> None:
    job = {"input": {"volume_path": str(sample_pdf), "tier": "flash", "ocr_mode": "txt", "transport": "tarball_b64"}}
    # Run from a scratch directory: RunPod's SDK keeps job state files in the working directory.
    env = local_env(volume_root, tmp_path)
    env["PYTHONPATH"] = str(REPO_ROOT)
    completed = run_local(job, env, tmp_path)
    assert completed.returncode == 0, completed.stderr[-3000:]
    assert "Job local_test completed successfully." in completed.stdout
    events = json_events(completed.stderr)
    done = events["job_completed"]
    assert done["job_id"] == "local_test"
    assert done["pages_requested"] == 10 and done["pages_parsed"] == 10
    assert done["transport"] == "tarball_b64" and done["degraded"] == []
    print(f"\nlocal test mode, flash, 10-page sample: job {done['seconds']} s, parse {events['parse_done']['seconds']} s, "
          f"{done['pages_per_s']} pages/s")  # fmt: skip


def test_local_test_mode_exits_1_for_a_failed_job(volume_root: Path, tmp_path: Path) -> None:
    env = local_env(volume_root, tmp_path)
    env["PYTHONPATH"] = str(REPO_ROOT)
    completed = run_local({"input": {"volume_path": "/etc/passwd", "tier": "flash"}}, env, tmp_path)
    assert completed.returncode == 1
    assert "volume_path_not_allowed: volume_path /etc/passwd is outside the worker's volume roots" in completed.stdout + completed.stderr
