"""The real worker process on its production path, driven through RunPod's protocol.

`python -m worker` runs as a subprocess with the environment RunPod gives a container
(RUNPOD_WEBHOOK_GET_JOB and friends) pointing at the loopback control-plane emulator; jobs are
submitted with the runpod SDK, exactly as a client would. Parsing is real MinerU, tier flash with
OCR off (no model weights, no network), on the generated sample specification.

Covered: COMPLETED, FAILED (the error names the field), CANCELLED while running, TIMED_OUT
(execution timeout shorter than the parse), SIGTERM during a job (the job finishes and reports),
and the boot-time warmup.
"""

from __future__ import annotations

import base64
import json
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from schemas.sample import SampleGroundTruth
from schemas.worker_api import JobOutput
from tests.support.runpod_emulator import JobStatus, RunPodEmulator
from tests.support.worker_process import WorkerProcess

pytestmark = pytest.mark.slow

# Flash reads the text layer; with OCR off it needs no model weights, so it runs anywhere.
FLASH = {"tier": "flash", "ocr_mode": "txt"}
JOB_WAIT_S = 300.0  # two shared cores: a parse can be slow, but never this slow
SHORT_PAGES = 10
LONG_PAGES = 30  # long enough that a cancel or a 1.5 s timeout lands mid-parse


@dataclass(frozen=True)
class Documents:
    volume: Path  # what WORKER_VOLUME_ROOTS allows
    short_pdf: Path
    short_truth: SampleGroundTruth
    long_pdf: Path

    def short_b64(self) -> str:
        return base64.b64encode(self.short_pdf.read_bytes()).decode("ascii")


@pytest.fixture(scope="module")
def documents(tmp_path_factory: pytest.TempPathFactory) -> Documents:
    from specmill.sample import generate_sample

    volume = tmp_path_factory.mktemp("volume")
    short = generate_sample(volume / "short", pages=SHORT_PAGES, seed=0)
    long = generate_sample(volume / "long", pages=LONG_PAGES, seed=1)
    truth = SampleGroundTruth.model_validate_json(Path(short.ground_truth_path).read_text(encoding="utf-8"))
    return Documents(volume, Path(short.pdf_path), truth, Path(long.pdf_path))


@pytest.fixture(scope="module")
def emulator() -> Iterator[RunPodEmulator]:
    with RunPodEmulator(long_poll_s=0.5, min_execution_timeout_ms=500) as running:
        yield running


@pytest.fixture(scope="module")
def worker(
    emulator: RunPodEmulator, documents: Documents, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[WorkerProcess]:
    """One worker serves the module's job tests in turn, as a warm RunPod worker would."""
    process = WorkerProcess(
        emulator, tmp_path_factory.mktemp("worker"), env={"WORKER_VOLUME_ROOTS": str(documents.volume)}
    )
    process.start()
    try:
        yield process
    finally:
        # Parses abandoned by the cancel and timeout tests may still be running in MinerU's
        # threads and hold the exit; nothing is asserted here, so do not wait long for them.
        process.stop(timeout_s=10)


def _markdown(output: JobOutput) -> str:
    assert output.artifacts.transport == "inline"
    [markdown] = [item for item in output.artifacts.files if item.format == "markdown"]
    return markdown.content


# -- worker lifecycle: each test owns its process (first, before the shared worker exists) -------


def test_the_warmup_parse_runs_before_the_worker_takes_jobs(tmp_path: Path) -> None:
    with RunPodEmulator(long_poll_s=0.5) as emulator:
        with WorkerProcess(emulator, tmp_path, skip_warmup=False) as process:
            names = [event["event"] for event in process.log_events()]
            [warmup] = process.log_events("warmup_done")
        assert warmup["pages_parsed"] == 1 and warmup["tier"] == "flash"
        assert "warmup_skipped" not in names
        assert names.index("warmup_done") < names.index("worker_serving")


def test_sigterm_during_a_job_lets_it_finish_and_report(tmp_path: Path, documents: Documents) -> None:
    with RunPodEmulator(long_poll_s=0.5) as emulator:
        process = WorkerProcess(emulator, tmp_path).start()
        try:
            # A fresh process's first parse also loads MinerU: seconds, enough to land SIGTERM in.
            job = emulator.sdk_endpoint().run({"file_b64": documents.short_b64(), **FLASH, "end_page": 3})
            process.wait_for_log_event("job_started", job.job_id, timeout_s=JOB_WAIT_S)
            process.send_sigterm()

            final = emulator.wait_for(job.job_id, timeout_s=JOB_WAIT_S)
            exit_status = process.wait(timeout_s=120)
        finally:
            process.stop()
        assert final.status is JobStatus.COMPLETED, final.status_body()
        assert JobOutput.model_validate(final.output).pages_parsed == 4
        assert exit_status == 0, process.log_tail()
        names = [event["event"] for event in process.log_events()]
        # SIGTERM really arrived mid-job: the shutdown request precedes the job's completion.
        assert names.index("shutdown_requested") < names.index("job_completed") < names.index("worker_stopped")


# -- one warm worker, several jobs -----------------------------------------------------------------


def test_a_parse_job_completes_with_every_requested_page(
    emulator: RunPodEmulator, worker: WorkerProcess, documents: Documents
) -> None:
    job = emulator.sdk_endpoint().run({"file_b64": documents.short_b64(), **FLASH, "basename": "sample"})
    answer = job.output(timeout=int(JOB_WAIT_S))
    assert job.status() == "COMPLETED", emulator.job(job.job_id).status_body()

    output = JobOutput.model_validate(answer)
    assert (output.tier, output.pages_requested, output.pages_parsed) == ("flash", SHORT_PAGES, SHORT_PAGES)
    assert output.missing_pages == [] and output.degraded == []
    assert output.input.source == "file_b64" and output.input.document_pages == SHORT_PAGES
    markdown = _markdown(output)
    chapters = [clause for clause in documents.short_truth.clauses if clause.level == 1]
    assert chapters
    for clause in chapters:
        assert clause.title in markdown, f"chapter heading {clause.heading!r} is missing from the Markdown"
    [content_list] = [item for item in output.artifacts.files if item.format == "content_list"]
    pages_with_content = {block["page_idx"] for block in json.loads(content_list.content)}
    assert pages_with_content <= set(range(SHORT_PAGES)) and len(pages_with_content) >= SHORT_PAGES - 1


@pytest.mark.parametrize(
    ("bad_input", "field"),
    [
        ({"pages": 3}, "pages: unknown field"),
        ({"tier": "fast"}, "tier:"),
        ({"start_page": 50}, "start_page 50 is past the last page"),
    ],
)
def test_bad_input_fails_with_an_error_naming_the_field(
    emulator: RunPodEmulator, worker: WorkerProcess, documents: Documents, bad_input: dict, field: str
) -> None:
    job = emulator.sdk_endpoint().run({"file_b64": documents.short_b64(), **FLASH, **bad_input})
    final = emulator.wait_for(job.job_id, timeout_s=JOB_WAIT_S)
    assert final.status is JobStatus.FAILED, final.status_body()
    assert field in final.error
    # The SDK does not raise on FAILED: a client must look at the status and the error.
    assert job.output() is None


def test_cancelling_a_running_job_stops_it_and_the_worker_goes_on(
    emulator: RunPodEmulator, worker: WorkerProcess, documents: Documents
) -> None:
    endpoint = emulator.sdk_endpoint()
    job = endpoint.run({"volume_path": str(documents.long_pdf), **FLASH})
    worker.wait_for_log_event("job_started", job.job_id, timeout_s=JOB_WAIT_S)
    assert emulator.job(job.job_id).status is JobStatus.IN_PROGRESS

    assert job.cancel()["status"] == "CANCELLED"
    worker.wait_for_log_event("job_cancelled", job.job_id, timeout_s=60)
    assert emulator.job(job.job_id).status is JobStatus.CANCELLED
    assert worker.log_events("job_completed", job.job_id) == []
    assert any(event.job_id == job.job_id for event in emulator.events("job-stop"))


def test_a_job_over_its_execution_timeout_is_timed_out_and_stopped(
    emulator: RunPodEmulator, worker: WorkerProcess, documents: Documents
) -> None:
    endpoint = emulator.sdk_endpoint()
    job = endpoint.run(
        {"input": {"volume_path": str(documents.long_pdf), **FLASH}, "policy": {"executionTimeout": 1_500}}
    )
    final = emulator.wait_for(job.job_id, timeout_s=JOB_WAIT_S)
    assert final.status is JobStatus.TIMED_OUT, final.status_body()
    assert 1_500 <= final.status_body()["executionTime"] < 3_000
    worker.wait_for_log_event("job_cancelled", job.job_id, timeout_s=60)

    # The worker is still healthy: the next job is parsed normally.
    after = endpoint.run({"file_b64": documents.short_b64(), **FLASH, "end_page": 1})
    assert JobOutput.model_validate(after.output(timeout=int(JOB_WAIT_S))).pages_parsed == 2
