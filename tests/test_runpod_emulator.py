"""The RunPod control-plane emulator speaks both sides of RunPod's protocol faithfully.

The client side is checked with the real runpod SDK and with raw HTTP; the worker side with raw
HTTP shaped exactly as runpod-python 1.10 sends it, and (slow) with a real SDK worker process on
its production path (JobScaler), so a drift between the emulator and the SDK shows up here
before it confuses the worker integration tests.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import textwrap
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.support.runpod_emulator import JobStatus, RunPodEmulator

REPO_ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture
def emulator() -> Iterator[RunPodEmulator]:
    with RunPodEmulator(long_poll_s=0.2, min_execution_timeout_ms=100) as running:
        yield running


@pytest.fixture
def client(emulator: RunPodEmulator) -> Iterator[httpx.Client]:
    with httpx.Client(
        base_url=f"{emulator.client_base_url}/{emulator.endpoint_id}",
        headers={"Authorization": f"Bearer {emulator.api_key}"},
        timeout=10,
    ) as http:
        yield http


@pytest.fixture
def worker(emulator: RunPodEmulator) -> Iterator[httpx.Client]:
    """Raw worker-side HTTP, with the raw key in Authorization as the SDK sends it."""
    with httpx.Client(
        base_url=f"{emulator.client_base_url}/{emulator.endpoint_id}",
        headers={"Authorization": emulator.worker_key},
        timeout=10,
    ) as http:
        yield http


def _take(worker: httpx.Client, worker_id: str = "w1") -> httpx.Response:
    return worker.get(f"/job-take/{worker_id}?gpu=emulated&job_in_progress=0")


def _done(worker: httpx.Client, job_id: str, result: dict, worker_id: str = "w1") -> httpx.Response:
    # rp_http._transmit posts the JSON text as the body, labelled form-urlencoded.
    return worker.post(
        f"/job-done/{worker_id}/{job_id}?gpu=emulated&isStream=false",
        content=json.dumps(result),
        headers={"Content-Type": "application/x-www-form-urlencoded", "charset": "utf-8"},
    )


# -- client API ----------------------------------------------------------------------------------


def test_client_calls_with_a_wrong_key_get_401(emulator: RunPodEmulator) -> None:
    response = httpx.post(
        f"{emulator.client_base_url}/{emulator.endpoint_id}/run",
        json={"input": {}},
        headers={"Authorization": "Bearer not-the-key"},
    )
    assert response.status_code == 401
    assert emulator.events("submit") == []


def test_the_worker_key_is_not_a_client_key_and_vice_versa(
    emulator: RunPodEmulator, client: httpx.Client, worker: httpx.Client
) -> None:
    assert worker.post("/run", json={"input": {}}).status_code == 401
    assert client.get("/job-take/w1?gpu=emulated&job_in_progress=0").status_code == 401


def test_run_queues_a_job_and_status_reports_it(client: httpx.Client) -> None:
    submitted = client.post("/run", json={"input": {"pages": 3}})
    assert submitted.status_code == 200
    body = submitted.json()
    assert body["status"] == "IN_QUEUE"
    assert client.get(f"/status/{body['id']}").json() == {"id": body["id"], "status": "IN_QUEUE"}


def test_a_request_without_input_is_rejected(client: httpx.Client) -> None:
    response = client.post("/run", json={"inputs": {}})
    assert response.status_code == 400
    assert "input" in response.json()["error"]


def test_an_execution_timeout_below_the_minimum_is_rejected() -> None:
    with RunPodEmulator(min_execution_timeout_ms=5_000) as emulator:
        response = httpx.post(
            f"{emulator.client_base_url}/{emulator.endpoint_id}/run",
            json={"input": {}, "policy": {"executionTimeout": 1_000}},
            headers={"Authorization": f"Bearer {emulator.api_key}"},
        )
    assert response.status_code == 400
    assert "executionTimeout" in response.json()["error"]


def test_unknown_jobs_and_endpoints_are_404(emulator: RunPodEmulator, client: httpx.Client) -> None:
    assert client.get("/status/no-such-job").status_code == 404
    response = httpx.post(
        f"{emulator.client_base_url}/no-such-endpoint/run",
        json={"input": {}},
        headers={"Authorization": f"Bearer {emulator.api_key}"},
    )
    assert response.status_code == 404


def test_cancelling_a_queued_job_removes_it_from_the_queue(client: httpx.Client, worker: httpx.Client) -> None:
    job_id = client.post("/run", json={"input": {}}).json()["id"]
    assert client.post(f"/cancel/{job_id}").json() == {"id": job_id, "status": "CANCELLED"}
    assert _take(worker).status_code == 204


def test_purge_queue_removes_queued_jobs_and_health_counts_them(client: httpx.Client, worker: httpx.Client) -> None:
    running = client.post("/run", json={"input": {"n": 1}}).json()["id"]
    assert _take(worker).json()["id"] == running
    for n in range(2):
        client.post("/run", json={"input": {"n": n}})
    assert client.get("/health").json()["jobs"]["inQueue"] == 2
    assert client.post("/purge-queue").json() == {"removed": 2, "status": "completed"}
    health = client.get("/health").json()
    assert health["jobs"]["inQueue"] == 0
    assert health["jobs"]["inProgress"] == 1
    assert health["workers"]["running"] == 1


# -- worker protocol -----------------------------------------------------------------------------


def test_job_take_answers_204_when_the_queue_stays_empty(worker: httpx.Client) -> None:
    started = time.monotonic()
    response = _take(worker)
    assert response.status_code == 204
    assert 0.15 <= time.monotonic() - started < 5  # held for the long-poll window, not forever


def test_a_taken_job_completes_with_the_output_the_worker_posts(
    client: httpx.Client, worker: httpx.Client
) -> None:
    job_id = client.post("/run", json={"input": {"pages": 3}}).json()["id"]
    taken = _take(worker)
    assert taken.status_code == 200
    assert taken.json() == {"id": job_id, "input": {"pages": 3}}
    assert client.get(f"/status/{job_id}").json()["status"] == "IN_PROGRESS"

    assert _done(worker, job_id, {"output": {"pages_parsed": 3}}).status_code == 200
    status = client.get(f"/status/{job_id}").json()
    assert status["status"] == "COMPLETED"
    assert status["output"] == {"pages_parsed": 3}
    assert status["workerId"] == "w1"
    assert isinstance(status["delayTime"], int) and isinstance(status["executionTime"], int)


def test_a_result_with_an_error_marks_the_job_failed(client: httpx.Client, worker: httpx.Client) -> None:
    job_id = client.post("/run", json={"input": {}}).json()["id"]
    _take(worker)
    _done(worker, job_id, {"error": "input_invalid: tier: bad"})
    status = client.get(f"/status/{job_id}").json()
    assert status["status"] == "FAILED"
    assert status["error"] == "input_invalid: tier: bad"
    assert "output" not in status


def test_batch_job_take_hands_out_up_to_batch_size_jobs(client: httpx.Client, worker: httpx.Client) -> None:
    ids = [client.post("/run", json={"input": {"n": n}}).json()["id"] for n in range(3)]
    batch = worker.get("/job-take-batch/w1?gpu=emulated&batch_size=2&job_in_progress=0")
    assert [job["id"] for job in batch.json()] == ids[:2]


def test_an_overdue_job_times_out_and_its_worker_is_told_to_stop(
    emulator: RunPodEmulator, client: httpx.Client, worker: httpx.Client
) -> None:
    job_id = client.post("/run", json={"input": {}, "policy": {"executionTimeout": 300}}).json()["id"]
    _take(worker)
    finished = emulator.wait_for(job_id, timeout_s=5)
    assert finished.status is JobStatus.TIMED_OUT
    assert worker.get("/job-stop/w1?gpu=emulated").json() == {"jobsToStop": [job_id]}
    # The result that arrives after the timeout does not change what the client saw.
    _done(worker, job_id, {"output": {"late": True}})
    assert client.get(f"/status/{job_id}").json()["status"] == "TIMED_OUT"
    assert emulator.job(job_id).late_results == 1


def test_cancelling_a_running_job_signals_its_worker(client: httpx.Client, worker: httpx.Client) -> None:
    job_id = client.post("/run", json={"input": {}}).json()["id"]
    _take(worker, "w7")
    assert client.post(f"/cancel/{job_id}").json()["status"] == "CANCELLED"
    assert worker.get("/job-stop/w7?gpu=emulated").json() == {"jobsToStop": [job_id]}
    assert worker.get("/job-stop/w7?gpu=emulated").status_code == 204


def test_a_failed_job_can_be_retried_under_the_same_id(client: httpx.Client, worker: httpx.Client) -> None:
    job_id = client.post("/run", json={"input": {"x": 1}}).json()["id"]
    _take(worker)
    _done(worker, job_id, {"error": "boom"})
    assert client.post(f"/retry/{job_id}").json() == {"id": job_id, "status": "IN_QUEUE"}
    assert _take(worker).json() == {"id": job_id, "input": {"x": 1}}
    _done(worker, job_id, {"output": "ok"})
    status = client.get(f"/status/{job_id}").json()
    assert (status["status"], status["output"], status["retries"]) == ("COMPLETED", "ok", 1)


def test_stream_chunks_are_delivered_once(client: httpx.Client, worker: httpx.Client) -> None:
    job_id = client.post("/run", json={"input": {}}).json()["id"]
    _take(worker)
    for n in range(2):
        worker.post(f"/job-stream/w1/{job_id}?gpu=emulated&isStream=false", content=json.dumps({"output": n}))
    assert client.get(f"/stream/{job_id}").json() == {"status": "IN_PROGRESS", "stream": [{"output": 0}, {"output": 1}]}
    assert client.get(f"/stream/{job_id}").json()["stream"] == []


# -- fault injection -------------------------------------------------------------------------------


def test_injected_job_take_failures_are_spent_after_count(
    emulator: RunPodEmulator, client: httpx.Client, worker: httpx.Client
) -> None:
    emulator.faults.fail_job_takes(2, status=503)
    client.post("/run", json={"input": {}})
    assert [_take(worker).status_code for _ in range(3)] == [503, 503, 200]


def test_an_injected_job_failure_never_reaches_a_worker(
    emulator: RunPodEmulator, client: httpx.Client, worker: httpx.Client
) -> None:
    emulator.faults.fail_jobs(1, error="worker exited unexpectedly")
    first = client.post("/run", json={"input": {"n": 1}}).json()["id"]
    second = client.post("/run", json={"input": {"n": 2}}).json()["id"]
    assert _take(worker).json()["id"] == second
    assert client.get(f"/status/{first}").json()["error"] == "worker exited unexpectedly"


def test_a_lost_result_leaves_a_completed_job_without_output(
    emulator: RunPodEmulator, client: httpx.Client, worker: httpx.Client
) -> None:
    job_id = client.post("/run", json={"input": {}}).json()["id"]
    emulator.faults.drop_results(job_id=job_id, mode="lose")
    _take(worker)
    _done(worker, job_id, {"output": {"big": "x" * 100}})
    status = client.get(f"/status/{job_id}").json()
    assert status["status"] == "COMPLETED"
    assert "output" not in status


def test_an_ignored_result_leaves_the_job_to_time_out(
    emulator: RunPodEmulator, client: httpx.Client, worker: httpx.Client
) -> None:
    emulator.faults.drop_results(mode="ignore")
    job_id = client.post("/run", json={"input": {}, "policy": {"executionTimeout": 400}}).json()["id"]
    _take(worker)
    _done(worker, job_id, {"output": 1})
    assert client.get(f"/status/{job_id}").json()["status"] == "IN_PROGRESS"
    assert emulator.wait_for(job_id, timeout_s=5).status is JobStatus.TIMED_OUT


def test_faults_can_be_armed_over_http(emulator: RunPodEmulator, client: httpx.Client) -> None:
    armed = httpx.post(
        f"{emulator.url}/_emulator/faults",
        json={"fault": "fail_client_requests", "count": 1, "status": 429, "route": "status"},
        headers={"Authorization": f"Bearer {emulator.api_key}"},
    )
    assert armed.status_code == 200
    job_id = client.post("/run", json={"input": {}}).json()["id"]
    assert client.get(f"/status/{job_id}").status_code == 429
    assert client.get(f"/status/{job_id}").status_code == 200


# -- REST API v1 -----------------------------------------------------------------------------------


def test_rest_endpoints_are_created_updated_and_deleted(emulator: RunPodEmulator) -> None:
    with httpx.Client(base_url=emulator.rest_base_url, headers={"Authorization": f"Bearer {emulator.api_key}"}) as rest:
        template = rest.post("/templates", json={"name": "t", "imageName": "img:1", "isServerless": True}).json()
        assert rest.post("/templates", json={"name": "t", "imageName": "img:2"}).status_code == 400
        endpoint = rest.post(
            "/endpoints",
            json={"name": "e", "templateId": template["id"], "gpuTypeIds": ["NVIDIA L4"], "executionTimeoutMs": 900},
        ).json()
        assert endpoint["workersMax"] == 3 and endpoint["flashboot"] is False
        assert rest.patch(f"/endpoints/{endpoint['id']}", json={"workersMax": 5}).json()["workersMax"] == 5
        assert rest.patch(f"/endpoints/{endpoint['id']}", json={"workersMin": 9}).status_code == 400
        assert rest.post("/endpoints", json={"templateId": template["id"], "gpuTypeIds": ["RTX 9999"]}).status_code == 400
        assert rest.post("/endpoints", json={"templateId": template["id"], "colour": "red"}).status_code == 400
        assert rest.delete(f"/templates/{template['id']}").status_code == 400  # still in use

        # The new endpoint serves jobs, with its executionTimeoutMs as the default timeout.
        job = httpx.post(
            f"{emulator.client_base_url}/{endpoint['id']}/run",
            json={"input": {}},
            headers={"Authorization": f"Bearer {emulator.api_key}"},
        ).json()
        assert emulator.job(job["id"], endpoint["id"]).execution_timeout_ms == 900

        assert rest.delete(f"/endpoints/{endpoint['id']}").status_code == 204
        assert rest.get(f"/endpoints/{endpoint['id']}").status_code == 404
        assert rest.delete(f"/templates/{template['id']}").status_code == 204
        assert rest.get("/templates").json() == []


def test_rest_calls_need_the_api_key(emulator: RunPodEmulator) -> None:
    assert httpx.get(f"{emulator.rest_base_url}/endpoints").status_code == 401


# -- the real runpod SDK ---------------------------------------------------------------------------


def test_the_runpod_sdk_client_submits_cancels_and_reads_health(emulator: RunPodEmulator, worker: httpx.Client) -> None:
    endpoint = emulator.sdk_endpoint()
    job = endpoint.run({"pages": 1})
    assert job.status() == "IN_QUEUE"
    assert job.cancel()["status"] == "CANCELLED"

    failing = endpoint.run({"pages": 2})
    _done(worker, _take(worker).json()["id"], {"error": "parse_failed: boom"})
    # The SDK does not raise on FAILED: output() returns the (absent) output; status says FAILED.
    assert failing.output(timeout=5) is None
    assert failing.status() == "FAILED"
    assert endpoint.health()["jobs"]["failed"] == 1


def test_the_runpod_sdk_client_raises_on_a_wrong_key(emulator: RunPodEmulator) -> None:
    with pytest.raises(RuntimeError, match="401"):
        emulator.sdk_endpoint(api_key="wrong").run({"x": 1})


_ECHO_WORKER = textwrap.dedent(
    """
    import asyncio
    import runpod

    async def handler(job):
        data = job["input"]
        if data.get("sleep"):
            await asyncio.sleep(data["sleep"])
        if data.get("fail"):
            return {"error": "asked to fail: " + data["fail"]}
        return {"echo": data}

    runpod.serverless.start({"handler": handler})
    """
)


@pytest.mark.slow
def test_a_real_sdk_worker_runs_jobs_through_the_emulator(tmp_path: Path) -> None:
    """runpod-python's own JobScaler against the emulator: take, done, error, stop, SIGTERM."""
    script = tmp_path / "echo_worker.py"
    script.write_text(_ECHO_WORKER)
    with RunPodEmulator(long_poll_s=0.5, min_execution_timeout_ms=100) as emulator:
        env = {**os.environ, **emulator.worker_env(worker_id="sdk-worker")}
        # JobsProgress keeps a pickle in the working directory: keep it out of the repository.
        process = subprocess.Popen(
            [sys.executable, str(script)], env=env, cwd=tmp_path,
            stdout=(tmp_path / "worker.log").open("w"), stderr=subprocess.STDOUT,
            start_new_session=True,  # so its heartbeat child can be ended by group id below
        )  # fmt: skip
        try:
            endpoint = emulator.sdk_endpoint()

            assert endpoint.run({"x": 1}).output(timeout=60) == {"echo": {"x": 1}}

            failing = endpoint.run({"fail": "boom"})
            assert emulator.wait_for(failing.job_id, timeout_s=30).error == "asked to fail: boom"

            slow = endpoint.run({"input": {"sleep": 30}, "policy": {"executionTimeout": 500}})
            assert emulator.wait_for(slow.job_id, timeout_s=30).status is JobStatus.TIMED_OUT
            # The worker heard the stop signal (its task was cancelled) and is free again.
            assert endpoint.run({"y": 2}).output(timeout=30) == {"echo": {"y": 2}}
            assert any(event.job_id == slow.job_id for event in emulator.events("job-stop"))
            assert emulator.events("ping"), "the heartbeat process never pinged"
        finally:
            process.terminate()
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(timeout=10)
            try:
                os.killpg(process.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
        assert process.returncode == 0, (tmp_path / "worker.log").read_text()[-3000:]
        assert emulator.events("unauthorized") == []


def test_the_emulator_runs_as_a_command_and_stops_on_sigterm() -> None:
    process = subprocess.Popen(
        [sys.executable, "-m", "tests.support.runpod_emulator", "--port", "0", "--api-key", "k1"],
        cwd=REPO_ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )  # fmt: skip
    try:
        banner = json.loads(process.stdout.readline())
        assert banner["client_base_url"].startswith("http://127.0.0.1:")
        assert banner["worker_env"]["RUNPOD_WEBHOOK_GET_JOB"].endswith("/job-take/$ID?gpu=emulated")
        health = httpx.get(f"{banner['client_base_url']}/{banner['endpoint_id']}/health", headers={"Authorization": "Bearer k1"})
        assert health.json()["jobs"]["inQueue"] == 0
        process.send_signal(signal.SIGTERM)
        assert process.wait(timeout=20) == 0
    finally:
        if process.poll() is None:
            process.kill()
            process.wait(timeout=10)
