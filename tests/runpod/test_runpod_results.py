"""How results come back from the worker: a result over the inline cap goes through S3, and a
presigned result URL that expired before the client got to it is re-signed, not lost.

A second worker serves its own endpoint with a tiny response cap (every result is rerouted to
S3) and one-second result URLs.
"""

from __future__ import annotations

import time
from collections.abc import Iterator

import httpx
import pytest

from resources.runpod.jobs import BatchRun
from schemas.plan import Batch
from schemas.worker_api import JobOutput
from specmill.parse.runpod_client import EndpointClient
from tests.runpod.conftest import Bench
from tests.runpod.test_runpod_jobs import parser_for
from tests.support.worker_process import WorkerProcess

pytestmark = pytest.mark.slow

BATCH = Batch(batch_id="b02", first_page=4, last_page=6, clause_ids=[])
RESPONSE_CAP = 2_000  # bytes; a 3-page content list is tens of kB
RESULT_URL_TTL_S = 1


@pytest.fixture(scope="module")
def capped(bench: Bench, tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, WorkerProcess]]:
    endpoint_id = bench.deploy("specmill-capped", workers_max=1)
    process = WorkerProcess(
        bench.emulator, tmp_path_factory.mktemp("capped-worker"), worker_id=f"worker-{endpoint_id}",
        env=bench.worker_env(
            endpoint_id, WORKER_MAX_RESPONSE_BYTES=str(RESPONSE_CAP), BUCKET_PRESIGN_TTL_S=str(RESULT_URL_TTL_S)
        ),
    )
    process.start()
    try:
        yield endpoint_id, process
    finally:
        process.stop(timeout_s=10)


def test_a_result_over_the_inline_cap_arrives_through_s3_with_the_same_blocks(bench, worker, capped, sample):
    endpoint_id, capped_worker = capped
    through_s3, run = parser_for(bench, endpoint_id=endpoint_id, transport="inline").run_batch(str(sample.pdf), BATCH)
    assert run.transport == "s3"
    [job_id] = [attempt.job_id for attempt in run.attempts]
    rerouted = capped_worker.wait_for_log_event("result_rerouted_to_s3", job_id, timeout_s=5)
    assert rerouted["response_bytes"] > RESPONSE_CAP

    inline, inline_run = parser_for(bench).run_batch(str(sample.pdf), BATCH)
    assert inline_run.transport == "inline"
    assert through_s3.record.content_sha256 == inline.record.content_sha256
    assert through_s3.blocks == inline.blocks


def test_an_expired_result_url_is_re_signed_and_the_result_is_not_lost(bench, capped, sample):
    endpoint_id, _ = capped
    parser = parser_for(bench, endpoint_id=endpoint_id)
    bucket = parser.bucket()
    source_key, _ = bucket.ensure_source(sample.pdf)
    source_url = bucket.presigned_get(source_key, expires_in_s=600)
    with EndpointClient(parser.base_url, endpoint_id, parser.api_key) as client:
        job_id = client.submit(parser.job_input(source_url, BATCH))
        bench.emulator.wait_for(job_id, timeout_s=300)
        time.sleep(RESULT_URL_TTL_S + 1.5)  # the client was slow: the URL in the result is dead now
        state = client.status(job_id)
    assert state.status == "COMPLETED"
    stale_url = JobOutput.model_validate(state.output).artifacts.url
    assert httpx.get(stale_url).status_code == 403  # SeaweedFS enforces the signature's expiry

    run = BatchRun(batch_id=BATCH.batch_id)
    output, files = parser.collect(state, run)
    assert run.result_url_refreshed is True and run.transport == "s3"
    assert f"{BATCH.batch_id}_content_list.json" in files
    assert (output.first_page, output.last_page) == (4, 6)
