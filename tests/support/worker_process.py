"""The real worker (`python -m worker`) as a subprocess on its production path, for tests.

It talks to a `RunPodEmulator` through the same environment variables RunPod sets in a
container, runs in its own scratch directory (runpod keeps a job-state pickle in the working
directory; MinerU and Hugging Face caches go under it too, never into $HOME), and is stopped by
PID: SIGTERM, a bounded wait, then SIGKILL.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from tests.support.runpod_emulator import RunPodEmulator

REPO_ROOT = Path(__file__).resolve().parents[2]


class WorkerProcessError(RuntimeError):
    """The worker process did not start serving, or exited when it should not have."""


class WorkerProcess:
    def __init__(
        self,
        emulator: RunPodEmulator,
        scratch: Path,
        *,
        worker_id: str = "worker-under-test",
        skip_warmup: bool = True,
        env: dict[str, str] | None = None,
    ) -> None:
        self.emulator = emulator
        self.scratch = Path(scratch)
        self.worker_id = worker_id
        self.log_path = self.scratch / "worker.log"
        home = self.scratch / "home"
        self.env = {
            **os.environ,
            **emulator.worker_env(worker_id=worker_id),
            "PYTHONPATH": os.pathsep.join(filter(None, [str(REPO_ROOT), os.environ.get("PYTHONPATH")])),
            "PYTHONUNBUFFERED": "1",
            "HOME": str(home),
            "MINERU_HOME": str(home / ".mineru"),
            "MINERU_TOOLS_CONFIG_JSON": str(home / ".mineru" / "mineru.json"),
            # Models never come from the network in tests; MinerU's source probe stays off.
            "MINERU_MODEL_SOURCE": "local",
            "HF_HOME": str(home / "hf"),
            "HF_HUB_OFFLINE": "1",
            "RUNPOD_DEBUG_LEVEL": "INFO",
            "WORKER_SKIP_WARMUP": "1" if skip_warmup else "0",
            "WORKER_WORK_DIR": str(self.scratch / "work"),
            **(env or {}),
        }
        self.process: subprocess.Popen[bytes] | None = None

    def start(self, serving_timeout_s: float = 180.0) -> WorkerProcess:
        """Start the process and wait until it polls the emulator for jobs."""
        self.scratch.mkdir(parents=True, exist_ok=True)
        # A container's directories exist before the worker starts (the warmup assumes it).
        Path(self.env["WORKER_WORK_DIR"]).mkdir(parents=True, exist_ok=True)
        with self.log_path.open("wb") as log:
            self.process = subprocess.Popen(
                [sys.executable, "-m", "worker"],
                env=self.env,
                cwd=self.scratch,
                stdout=log,
                stderr=subprocess.STDOUT,
                # Its own process group: runpod's heartbeat runs in a forked child that outlives
                # a SIGKILLed parent, and stop() must be able to end it by group id.
                start_new_session=True,
            )
        deadline = time.monotonic() + serving_timeout_s
        while time.monotonic() < deadline:
            if any(event.worker_id == self.worker_id for event in self.emulator.events("worker-seen")):
                return self
            if self.process.poll() is not None:
                raise WorkerProcessError(f"the worker exited with {self.process.returncode}:\n{self.log_tail()}")
            time.sleep(0.1)
        self.stop()
        raise WorkerProcessError(f"the worker did not poll for jobs within {serving_timeout_s} s:\n{self.log_tail()}")

    @property
    def pid(self) -> int:
        assert self.process is not None, "not started"
        return self.process.pid

    def send_sigterm(self) -> None:
        os.kill(self.pid, signal.SIGTERM)

    def wait(self, timeout_s: float) -> int | None:
        """The exit status, or None if still running after `timeout_s`."""
        assert self.process is not None
        try:
            return self.process.wait(timeout=timeout_s)
        except subprocess.TimeoutExpired:
            return None

    def stop(self, timeout_s: float = 60.0) -> int:
        """SIGTERM, wait up to `timeout_s`, then SIGKILL; returns the exit status."""
        if self.process is None:
            return 0
        if self.process.poll() is None:
            self.process.terminate()
            if self.wait(timeout_s) is None:
                self.process.kill()
                self.process.wait(timeout=30)
        try:
            # Whatever the worker left behind in its group (the heartbeat child after a SIGKILL).
            os.killpg(self.process.pid, signal.SIGKILL)
        except (ProcessLookupError, PermissionError):
            pass
        return self.process.returncode

    def __enter__(self) -> WorkerProcess:
        return self.start()

    def __exit__(self, *exc_info: object) -> None:
        self.stop()

    # -- the worker's own JSON log --------------------------------------------------------------

    def log_events(self, name: str | None = None, job_id: str | None = None) -> list[dict[str, Any]]:
        """The worker's JSON event lines (`{"event": ...}`), optionally one kind or one job."""
        events = []
        for line in self.log_path.read_text(encoding="utf-8", errors="replace").splitlines():
            if not line.startswith("{"):
                continue  # MinerU's and other libraries' plain-text lines
            try:
                record = json.loads(line)
            except json.JSONDecodeError:
                continue
            if "event" not in record:
                continue  # runpod's own log lines
            if (name is None or record["event"] == name) and (job_id is None or record.get("job_id") == job_id):
                events.append(record)
        return events

    def wait_for_log_event(self, name: str, job_id: str | None = None, timeout_s: float = 60.0) -> dict[str, Any]:
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            found = self.log_events(name, job_id)
            if found:
                return found[0]
            time.sleep(0.1)
        raise WorkerProcessError(f"no {name!r} event for job {job_id} within {timeout_s} s:\n{self.log_tail()}")

    def log_tail(self, characters: int = 4000) -> str:
        try:
            return self.log_path.read_text(encoding="utf-8", errors="replace")[-characters:]
        except FileNotFoundError:
            return "(no log)"
