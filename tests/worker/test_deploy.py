"""`python -m worker.deploy` creates, converges and removes the template and endpoint (REST v1),
checked against the control-plane emulator's /v1 routes."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.support.runpod_emulator import RunPodEmulator
from worker.deploy import DeployError, DeploySpec, RunPodRest, deploy_down, deploy_status, deploy_up, main

REPO_ROOT = Path(__file__).resolve().parents[2]
IMAGE = "ghcr.io/example/specmill-worker:1"


@pytest.fixture
def emulator(monkeypatch: pytest.MonkeyPatch) -> Iterator[RunPodEmulator]:
    with RunPodEmulator() as running:
        monkeypatch.setenv("RUNPOD_API_KEY", running.api_key)
        monkeypatch.setenv("RUNPOD_REST_URL", running.rest_base_url)
        monkeypatch.setenv("RUNPOD_ENDPOINT_BASE_URL", running.client_base_url)
        yield running


def _up(*extra: str) -> int:
    return main(["up", "--name", "specmill-worker", "--image", IMAGE, *extra])


def test_up_creates_the_template_and_the_endpoint_as_asked(
    emulator: RunPodEmulator, capsys: pytest.CaptureFixture[str]
) -> None:
    code = _up(
        "--gpu", "NVIDIA L4", "--gpu", "NVIDIA A40", "--workers-min", "1", "--workers-max", "4",
        "--idle-timeout", "30", "--execution-timeout-ms", "900000", "--no-flashboot",
        "--env", "BUCKET_NAME=parses", "--env", "BUCKET_SECRET_ACCESS_KEY=very-secret-value",
    )  # fmt: skip
    assert code == 0
    out = capsys.readouterr().out
    assert "template 'specmill-worker' created" in out
    assert "endpoint 'specmill-worker' created" in out
    assert "very-secret-value" not in out  # env values are never printed

    [endpoint] = emulator.control.list_endpoints(include_template=True)
    assert endpoint["gpuTypeIds"] == ["NVIDIA L4", "NVIDIA A40"]
    assert (endpoint["workersMin"], endpoint["workersMax"], endpoint["idleTimeout"]) == (1, 4, 30)
    assert (endpoint["executionTimeoutMs"], endpoint["flashboot"]) == (900_000, False)
    template = endpoint["template"]
    assert template["imageName"] == IMAGE and template["isServerless"] is True
    assert template["env"]["BUCKET_NAME"] == "parses"
    # The worker's own parse timeout lands below the endpoint's, so a stuck parse says why.
    assert int(template["env"]["WORKER_PARSE_TIMEOUT_S"]) < 900
    assert f"{emulator.client_base_url}/{endpoint['id']}/run" in out


def test_up_again_changes_nothing(emulator: RunPodEmulator, capsys: pytest.CaptureFixture[str]) -> None:
    assert _up() == 0
    before = emulator.control.list_endpoints()
    capsys.readouterr()
    assert _up() == 0
    out = capsys.readouterr().out
    assert "template 'specmill-worker' unchanged" in out and "endpoint 'specmill-worker' unchanged" in out
    assert emulator.control.list_endpoints() == before  # same id, same version: not even patched


def test_up_with_new_settings_patches_only_what_differs(
    emulator: RunPodEmulator, capsys: pytest.CaptureFixture[str]
) -> None:
    assert _up("--env", "BUCKET_NAME=a") == 0
    [first] = emulator.control.list_endpoints()
    capsys.readouterr()
    assert main(["up", "--name", "specmill-worker", "--image", f"{IMAGE}-next", "--workers-max", "6",
                 "--env", "BUCKET_NAME=b"]) == 0  # fmt: skip
    out = capsys.readouterr().out
    assert "template 'specmill-worker' updated" in out and "imageName" in out and "env changed ['BUCKET_NAME']" in out
    assert "endpoint 'specmill-worker' updated" in out and "workersMax 3 -> 6" in out
    [second] = emulator.control.list_endpoints(include_template=True)
    assert second["id"] == first["id"]
    assert (second["workersMax"], second["template"]["imageName"]) == (6, f"{IMAGE}-next")


def test_status_shows_the_deployed_configuration(emulator: RunPodEmulator, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["status", "--name", "specmill-worker"]) == 1  # absent before up
    _up("--env", "BUCKET_NAME=a")
    capsys.readouterr()
    assert main(["status", "--name", "specmill-worker"]) == 0
    out = capsys.readouterr().out
    assert IMAGE in out and "executionTimeoutMs: 1200000" in out and "BUCKET_NAME" in out


def test_down_removes_both_and_is_idempotent(emulator: RunPodEmulator, capsys: pytest.CaptureFixture[str]) -> None:
    _up("--workers-min", "1")
    capsys.readouterr()
    assert main(["down", "--name", "specmill-worker"]) == 0
    out = capsys.readouterr().out
    assert "endpoint 'specmill-worker' scaled-down" in out
    assert "endpoint 'specmill-worker' deleted" in out and "template 'specmill-worker' deleted" in out
    assert emulator.control.list_endpoints() == [] and emulator.control.list_templates() == []
    assert main(["down", "--name", "specmill-worker"]) == 0
    assert "endpoint 'specmill-worker' absent" in capsys.readouterr().out


def test_the_deployed_endpoint_serves_jobs_with_its_execution_timeout(emulator: RunPodEmulator) -> None:
    with RunPodRest(emulator.api_key, emulator.rest_base_url) as rest:
        spec = DeploySpec(name="specmill-worker", image=IMAGE, execution_timeout_ms=300_000)
        endpoint_id = deploy_up(rest, spec)[-1].id
        assert deploy_status(rest, "specmill-worker")["template"]["imageName"] == IMAGE
    job = emulator.sdk_endpoint(endpoint_id).run({"tier": "flash"})
    assert emulator.job(job.job_id, endpoint_id).execution_timeout_ms == 300_000
    with RunPodRest(emulator.api_key, emulator.rest_base_url) as rest:
        deploy_down(rest, "specmill-worker")


def test_without_an_api_key_the_command_says_what_to_set(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.delenv("RUNPOD_API_KEY", raising=False)
    assert _up() == 2
    assert "RUNPOD_API_KEY" in capsys.readouterr().err


def test_a_wrong_api_key_is_reported_as_unauthorized(
    emulator: RunPodEmulator, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("RUNPOD_API_KEY", "not-the-key")
    assert _up() == 2
    assert "401" in capsys.readouterr().err


def test_a_gpu_the_api_does_not_know_is_refused_with_its_message(
    emulator: RunPodEmulator, capsys: pytest.CaptureFixture[str]
) -> None:
    assert _up("--gpu", "RTX 4090") == 2
    assert "unknown gpuTypeIds: RTX 4090" in capsys.readouterr().err


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"workers_min": 3, "workers_max": 1}, "--workers-min"),
        ({"env": {"BAD-NAME": "x"}}, "BAD-NAME"),
        ({"image": "has space:1"}, "--image"),
        ({"gpu_type_ids": ()}, "--gpu"),
    ],
)
def test_an_impossible_spec_is_refused_before_any_call(changes: dict, message: str) -> None:
    with pytest.raises(DeployError, match=message):
        DeploySpec(**{"name": "n", "image": IMAGE, **changes})


def test_the_module_runs_as_a_command(emulator: RunPodEmulator) -> None:
    completed = subprocess.run(
        [sys.executable, "-m", "worker.deploy", "up", "--name", "cli", "--image", IMAGE],
        env={**os.environ, "PYTHONPATH": str(REPO_ROOT)},
        cwd=REPO_ROOT, capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    assert completed.returncode == 0, completed.stderr
    assert "endpoint 'cli' created" in completed.stdout
