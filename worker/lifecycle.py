"""The worker process from boot to exit: warmup, serving jobs, graceful shutdown, recycling.

Warmup and RunPod's JobScaler share one event loop on purpose: vLLM's async engine (the
advanced tier on the GPU image) binds to the loop that created it, so a warmup run under a
separate `asyncio.run` would leave an engine the serving loop cannot use. RunPod's
`serverless.start` offers no hook for that, so the production path is assembled here from
the SDK's own parts (pinned: runpod 1.10.0), in the order `serverless.start` uses them.
"""

from __future__ import annotations

import asyncio
import os
import signal
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from worker.errors import WorkerError, describe_failure
from worker.handler import JobRunner
from worker.logs import EventLog
from worker.parse import PageSelection, parse_document
from worker.settings import WorkerSettings
from worker.telemetry import Telemetry, start_telemetry

# Once drained, JobScaler's loops may still sit in a stop-signal long-poll; wait this long for
# them to notice the shutdown, then cancel them.
_IDLE_STOP_GRACE_S = 2.0
_DRAIN_POLL_S = 0.2


def warmup_pdf() -> bytes:
    """A one-page PDF with a heading, a paragraph and a small table, made in memory."""
    import pymupdf

    document = pymupdf.open()
    page = document.new_page()
    page.insert_text((72, 80), "1 Warmup", fontsize=18)
    page.insert_text(
        (72, 120), "This page exists to load the parser and its models before the first job.", fontsize=11
    )
    for row in range(3):
        for column in range(3):
            x, y = 72 + column * 120, 160 + row * 24
            page.draw_rect(pymupdf.Rect(x, y, x + 120, y + 24), color=(0, 0, 0), width=0.8)
            page.insert_text((x + 6, y + 16), f"cell {row}.{column}", fontsize=10)
    data = document.tobytes()
    document.close()
    return data


async def warmup(settings: WorkerSettings, log: EventLog, telemetry: Telemetry) -> float:
    """Parse the warmup page with the configured tier; returns the seconds it took."""
    started = time.perf_counter()
    if settings.work_dir is not None:
        settings.work_dir.mkdir(parents=True, exist_ok=True)
    with telemetry.span("warmup", tier=settings.warmup_tier), tempfile.TemporaryDirectory(
        dir=settings.work_dir, prefix="warmup-"
    ) as scratch:
        path = Path(scratch) / "warmup.pdf"
        path.write_bytes(await asyncio.to_thread(warmup_pdf))
        parsed = await parse_document(
            path,
            PageSelection(first_page=0, last_page=0, document_pages=1),
            kind="pdf",
            tier=settings.warmup_tier,
            # Flash never uses OCR; the model tiers warm up their OCR path too.
            ocr_mode="txt" if settings.warmup_tier == "flash" else "auto",
            image_analysis=True,
            timeout_s=settings.parse_timeout_s,
        )
    seconds = time.perf_counter() - started
    log.event(
        "warmup_done", job_id=None, tier=settings.warmup_tier, seconds=round(seconds, 3),
        pages_parsed=len(parsed.parsed_pages), mineru_version=parsed.mineru_version,
    )  # fmt: skip
    return seconds


class Worker:
    """One worker process: a job runner plus RunPod's job loop, stoppable between jobs."""

    def __init__(self, settings: WorkerSettings) -> None:
        self.settings = settings
        self.telemetry = start_telemetry()
        self.log = EventLog(sink=self.telemetry.log if self.telemetry.enabled else None)
        self.runner = JobRunner(settings, log=self.log, telemetry=self.telemetry, on_recycle=self.request_shutdown)
        self._scaler: Any = None
        self._serving: asyncio.Task | None = None
        self._stopper: asyncio.Task | None = None
        self._draining = False
        self._takes_in_flight = 0

    def runpod_config(self) -> dict[str, Any]:
        concurrency = self.settings.concurrency
        return {
            "handler": self.runner.run,
            "concurrency_modifier": lambda current: concurrency,
            "rp_args": {},
            "reference_counter_start": time.perf_counter(),
        }

    async def serve(self) -> None:
        if self.settings.skip_warmup:
            self.log.event("warmup_skipped", job_id=None)
        else:
            try:
                await warmup(self.settings, self.log, self.telemetry)
            except Exception as error:
                # A worker that cannot parse one page would fail every job; exiting makes the
                # platform replace it instead of sending it work.
                self.log.event("warmup_failed", job_id=None, level="error", error=describe_failure(error))
                raise SystemExit(1) from None

        from runpod.serverless.modules import rp_fitness, rp_ping, rp_scale

        await rp_fitness.run_fitness_checks()
        rp_ping.Heartbeat().start_ping()
        self._scaler = rp_scale.JobScaler(self.runpod_config())
        self._scaler.jobs_fetcher = self._guard_job_take(self._scaler.jobs_fetcher)
        loop = asyncio.get_running_loop()
        for signum in (signal.SIGTERM, signal.SIGINT):
            loop.add_signal_handler(signum, self.request_shutdown)
        self.log.event("worker_serving", job_id=None, concurrency=self.settings.concurrency)
        self._serving = asyncio.create_task(self._scaler.run())
        try:
            await self._serving
        except asyncio.CancelledError:
            if self._stopper is None:  # not our own stop: propagate
                raise
        finally:
            self.log.event("worker_stopped", job_id=None, jobs=self.runner.recycle.jobs, pages=self.runner.recycle.pages)
            await asyncio.to_thread(self.telemetry.shutdown)

    def _guard_job_take(self, take: Any) -> Any:
        """Wrap JobScaler's job-take so a drain can stop new takes and see the one in flight.

        JobScaler's own shutdown (kill_worker) stops its loops at once: a job whose take
        request was already answered could then be queued after the run loop had exited and
        never run, while the control plane shows it IN_PROGRESS. Draining first closes that gap."""

        async def guarded(session: Any, jobs_needed: int) -> Any:
            if self._draining:
                await asyncio.sleep(_DRAIN_POLL_S)  # JobScaler loops straight back; don't spin
                return None
            self._takes_in_flight += 1
            try:
                return await take(session, jobs_needed)
            finally:
                self._takes_in_flight -= 1

        return guarded

    def request_shutdown(self) -> None:
        """Stop taking jobs; let running (and just-taken) jobs finish and report, then stop."""
        if self._scaler is None or self._stopper is not None:
            return
        self.log.event("shutdown_requested", job_id=None)
        self._draining = True
        self._stopper = asyncio.get_running_loop().create_task(self._stop_when_drained())

    async def _stop_when_drained(self) -> None:
        scaler = self._scaler
        # No bound on the wait for running jobs: the platform's own kill timeout is the bound,
        # and a job cut short here would be lost work on a GPU.
        quiet_checks = 0
        # A take that just returned hands its jobs to JobScaler a few loop iterations later
        # (asyncio.wait_for wake-ups), so "idle" must hold on two checks a poll apart.
        while quiet_checks < 2:
            await asyncio.sleep(_DRAIN_POLL_S)
            idle = self._takes_in_flight == 0 and scaler.current_occupancy() == 0
            quiet_checks = quiet_checks + 1 if idle else 0
        scaler.kill_worker()
        assert self._serving is not None
        done, _ = await asyncio.wait({self._serving}, timeout=_IDLE_STOP_GRACE_S)
        if not done:
            self._serving.cancel()


def main() -> int:
    if not os.environ.get("RUNPOD_WEBHOOK_GET_JOB"):
        print(
            "RUNPOD_WEBHOOK_GET_JOB is not set: `python -m worker` is the production entry point and "
            "takes jobs from RunPod. To run one job locally: "
            "python -m worker.handler --test_input '{\"input\": {...}}'",
            file=sys.stderr,
        )
        return 2
    try:
        settings = WorkerSettings.from_env()
    except WorkerError as error:
        print(describe_failure(error), file=sys.stderr)
        return 2
    asyncio.run(Worker(settings).serve())
    return 0
