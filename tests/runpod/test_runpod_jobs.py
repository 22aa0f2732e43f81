"""One batch through `RunPodParser` against the emulator, SeaweedFS and the real worker process:
every final state a RunPod job can reach, and the client's own limits (retries, deadline).

Faults are armed on the emulator (tests/support/runpod_emulator FaultPlan); the worker parses
for real (MinerU flash, OCR off) every job that reaches it.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from resources.runpod.failures import RunPodJobFailed, RunPodJobTimedOut
from resources.runpod.parser import RunPodParser
from schemas.plan import Batch
from specmill.parse.runpod_client import RunPodDeadlineExceeded
from tests.runpod.conftest import BUCKET, Bench
from tests.support.runpod_emulator import JobStatus

pytestmark = pytest.mark.slow

BATCH = Batch(batch_id="b01", first_page=3, last_page=5, clause_ids=[])


def parser_for(bench: Bench, endpoint_id: str | None = None, **overrides) -> RunPodParser:
    env = bench.env(endpoint_id)
    settings = dict(
        endpoint_id=env["RUNPOD_ENDPOINT_ID"], api_key=env["RUNPOD_API_KEY"], base_url=env["RUNPOD_ENDPOINT_BASE_URL"],
        rest_url=env["RUNPOD_REST_URL"], bucket_endpoint_url=env["BUCKET_ENDPOINT_URL"], bucket_name=BUCKET,
        bucket_access_key_id=env["BUCKET_ACCESS_KEY_ID"], bucket_secret_access_key=env["BUCKET_SECRET_ACCESS_KEY"],
        bucket_region=env["BUCKET_REGION"], bucket_prefix=env["BUCKET_PREFIX"],
        tier="flash", ocr_mode="txt", poll_initial_s=0.2, poll_max_s=1.0, deadline_s=300.0,
    )
    settings.update(overrides)
    return RunPodParser(**settings)


def statuses(bench: Bench, job_ids: list[str]) -> list[JobStatus]:
    return [bench.emulator.job(job_id, bench.endpoint_id).status for job_id in job_ids]


def test_a_batch_parses_exactly_its_pages_and_uploads_the_source_once(bench, worker, sample):
    parser = parser_for(bench)
    artifact, run = parser.run_batch(str(sample.pdf), BATCH)
    assert artifact.record.backend == "runpod" and artifact.record.tier == "flash"
    assert (artifact.record.first_page, artifact.record.last_page) == (3, 5)
    assert {block.page for block in artifact.blocks} == {3, 4, 5}
    assert [a.status for a in run.attempts] == ["COMPLETED"] and run.transport == "inline"

    again, second = parser.run_batch(str(sample.pdf), Batch(batch_id="b02", first_page=6, last_page=6, clause_ids=[]))
    assert {block.page for block in again.blocks} == {6}
    assert second.source_uploaded is False
    sources = bench.s3.client().list_objects_v2(Bucket=BUCKET, Prefix="specmill-tests/sources/")["Contents"]
    assert len(sources) == 1 and sources[0]["Size"] == sample.pdf.stat().st_size


def test_the_endpoints_workers_max_sizes_the_parse_pool(bench):
    assert parser_for(bench).parse_pool_limit() == bench.workers_max == 2
    # An endpoint the REST API does not know: the configured fallback, not a crash.
    assert parser_for(bench, endpoint_id="no-such-endpoint", workers_max_fallback=3).parse_pool_limit() == 3


def test_a_job_that_fails_once_is_re_run_and_succeeds(bench, worker, sample):
    before = len(bench.parse_jobs())
    bench.emulator.faults.fail_jobs(1, error="worker exited unexpectedly")
    artifact, run = parser_for(bench).run_batch(str(sample.pdf), BATCH)
    jobs = bench.parse_jobs()[before:]
    assert statuses(bench, jobs) == [JobStatus.FAILED, JobStatus.COMPLETED]
    assert [a.status for a in run.attempts] == ["FAILED", "COMPLETED"]
    assert "worker exited unexpectedly" in run.attempts[0].error
    assert {block.page for block in artifact.blocks} == {3, 4, 5}


def test_a_completed_job_whose_result_the_gateway_dropped_is_re_run(bench, worker, sample):
    before = len(bench.parse_jobs())
    bench.emulator.faults.drop_results(1, mode="lose")
    artifact, run = parser_for(bench).run_batch(str(sample.pdf), BATCH)
    assert len(bench.parse_jobs()) - before == 2
    assert [a.status for a in run.attempts] == ["COMPLETED", "COMPLETED"]
    assert artifact.blocks


def test_transient_api_errors_are_retried_without_new_jobs(bench, worker, sample):
    before = len(bench.parse_jobs())
    bench.emulator.faults.fail_client_requests(2, status=503, route="run")
    bench.emulator.faults.fail_client_requests(2, status=500, route="status")
    artifact, run = parser_for(bench).run_batch(str(sample.pdf), BATCH)
    # The two refused /run calls never created a job: exactly one job ran.
    assert len(bench.parse_jobs()) - before == 1 and len(run.attempts) == 1
    assert len(bench.emulator.events("fault:client-run")) >= 2 and artifact.blocks


@pytest.fixture(scope="module")
def long_document(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """60 pages: several seconds of MinerU even on a fast day. The 10-page sample took 0.9 s on
    one, and finished before the stop signal of its 0.5 s timeout reached the worker."""
    from specmill.sample import generate_sample

    return Path(generate_sample(tmp_path_factory.mktemp("long-document"), pages=LONG_PAGES, seed=1).pdf_path)


LONG_PAGES = 60


def test_a_job_past_its_execution_timeout_fails_the_batch_without_a_re_run(bench, worker, long_document):
    before = len(bench.parse_jobs())
    # The whole 60-page document in 0.5 s: MinerU cannot, the control plane times the job out.
    batch = Batch(batch_id="b00", first_page=0, last_page=LONG_PAGES - 1, clause_ids=[])
    with pytest.raises(RunPodJobTimedOut, match="TIMED_OUT.*executionTimeoutMs"):
        parser_for(bench, execution_timeout_ms=500).run_batch(str(long_document), batch)
    jobs = bench.parse_jobs()[before:]
    assert statuses(bench, jobs) == [JobStatus.TIMED_OUT]  # the same pages would time out again
    worker.wait_for_log_event("job_cancelled", jobs[0], timeout_s=60)  # the worker was told to stop


def test_a_job_still_running_at_the_client_deadline_is_cancelled(bench, worker, sample):
    before = len(bench.parse_jobs())
    # The worker's answer is swallowed: the job stays IN_PROGRESS until someone gives up on it.
    bench.emulator.faults.drop_results(1, mode="ignore")
    with pytest.raises(RunPodDeadlineExceeded, match="cancelled"):
        parser_for(bench, deadline_s=6.0).run_batch(str(sample.pdf), BATCH)
    jobs = bench.parse_jobs()[before:]
    assert statuses(bench, jobs) == [JobStatus.CANCELLED]


def test_a_request_the_worker_rejects_fails_at_once_with_its_reason(bench, worker, sample):
    before = len(bench.parse_jobs())
    past_the_end = Batch(batch_id="b09", first_page=40, last_page=42, clause_ids=[])
    with pytest.raises(RunPodJobFailed, match="page_range_invalid.*past the last page"):
        parser_for(bench).run_batch(str(sample.pdf), past_the_end)
    assert len(bench.parse_jobs()) - before == 1  # a re-run would fail the same way
