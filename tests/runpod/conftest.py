"""The runpod backend's test bench: the loopback control-plane emulator, SeaweedFS as the bucket
both sides share, the endpoint deployed with `worker.deploy` (REST v1 against the emulator), and
the real worker process (`python -m worker`, MinerU flash, OCR off) serving it.

The sample is the project's generated 10-page specification, planned into small batches by a
profile (3 pages each) so that one document makes several parse jobs.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.support.runpod_emulator import RunPodEmulator
from tests.support.seaweedfs import SeaweedFS
from tests.support.worker_process import WorkerProcess

BUCKET = "specmill-runpod"
SAMPLE_PAGES = 10
JOB_WAIT_S = 300.0


@dataclass(frozen=True)
class Sample:
    pdf: Path
    profile: Path


@dataclass(frozen=True)
class Bench:
    emulator: RunPodEmulator
    s3: SeaweedFS
    endpoint_id: str
    workers_max: int

    def env(self, endpoint_id: str | None = None) -> dict[str, str]:
        """What a user exports for `specmill build --backend runpod` (docs/runpod.md)."""
        return {
            "RUNPOD_API_KEY": self.emulator.api_key,
            "RUNPOD_ENDPOINT_ID": endpoint_id or self.endpoint_id,
            "RUNPOD_ENDPOINT_BASE_URL": self.emulator.client_base_url,
            "RUNPOD_REST_URL": self.emulator.rest_base_url,
            "BUCKET_ENDPOINT_URL": self.s3.endpoint_url,
            "BUCKET_NAME": BUCKET,
            "BUCKET_ACCESS_KEY_ID": self.s3.access_key,
            "BUCKET_SECRET_ACCESS_KEY": self.s3.secret_key,
            "BUCKET_REGION": self.s3.region,
            "BUCKET_PREFIX": "specmill-tests",
        }

    def worker_env(self, endpoint_id: str, **extra: str) -> dict[str, str]:
        """The worker's container environment: the emulator's webhooks and the same bucket."""
        return {
            **self.emulator.worker_env(worker_id=f"worker-{endpoint_id}", endpoint_id=endpoint_id),
            "BUCKET_ENDPOINT_URL": self.s3.endpoint_url,
            "BUCKET_NAME": BUCKET,
            "BUCKET_ACCESS_KEY_ID": self.s3.access_key,
            "BUCKET_SECRET_ACCESS_KEY": self.s3.secret_key,
            "BUCKET_REGION": self.s3.region,
            "BUCKET_PREFIX": "worker-results",
            # The source URL points at SeaweedFS on 127.0.0.1; production never allows loopback.
            "WORKER_ALLOW_LOOPBACK_FETCH": "1",
            **extra,
        }

    def deploy(self, name: str, workers_max: int) -> str:
        """`python -m worker.deploy up` against the emulator's REST v1; returns the endpoint id."""
        from worker.deploy import DeploySpec, RunPodRest, deploy_up

        with RunPodRest(self.emulator.api_key, self.emulator.rest_base_url) as rest:
            actions = deploy_up(rest, DeploySpec(name=name, image="specmill-worker:test", workers_max=workers_max, execution_timeout_ms=600_000))
        return actions[-1].id

    def parse_jobs(self, endpoint_id: str | None = None) -> list[str]:
        """Ids of the jobs submitted to the endpoint so far (each /run is one parse job)."""
        wanted = endpoint_id or self.endpoint_id
        return [event.job_id for event in self.emulator.events("submit") if event.endpoint_id == wanted]


@pytest.fixture(scope="session")
def sample(tmp_path_factory: pytest.TempPathFactory) -> Sample:
    from specmill.sample import generate_sample

    folder = tmp_path_factory.mktemp("runpod-sample")
    document = generate_sample(folder, pages=SAMPLE_PAGES, seed=0)
    profile = folder / "small-batches.yaml"
    profile.write_text("name: small-batches\nplan:\n  target_pages: 3\n  max_pages: 4\n  min_chapter_pages: 100\n")
    return Sample(pdf=Path(document.pdf_path), profile=profile)


@pytest.fixture(scope="session")
def seaweed(seaweed_server: SeaweedFS) -> SeaweedFS:
    """The session's SeaweedFS server (tests/conftest.py) with this package's bucket."""
    seaweed_server.create_bucket(BUCKET)
    return seaweed_server


@pytest.fixture(scope="session")
def bench(seaweed: SeaweedFS) -> Iterator[Bench]:
    with RunPodEmulator(long_poll_s=0.5, min_execution_timeout_ms=500) as emulator:
        probe = Bench(emulator, seaweed, endpoint_id="", workers_max=2)
        endpoint_id = probe.deploy("specmill-main", workers_max=2)
        yield Bench(emulator, seaweed, endpoint_id=endpoint_id, workers_max=2)


@pytest.fixture(scope="session")
def worker(bench: Bench, tmp_path_factory: pytest.TempPathFactory) -> Iterator[WorkerProcess]:
    """One warm worker serves the main endpoint for every test of the session."""
    process = WorkerProcess(
        bench.emulator, tmp_path_factory.mktemp("runpod-worker"), worker_id=f"worker-{bench.endpoint_id}",
        env=bench.worker_env(bench.endpoint_id),
    )
    process.start()
    try:
        yield process
    finally:
        process.stop(timeout_s=10)


@pytest.fixture
def runpod_env(bench: Bench, monkeypatch: pytest.MonkeyPatch) -> dict[str, str]:
    env = bench.env()
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    return env


def subprocess_env(extra: dict[str, str]) -> dict[str, str]:
    return {**os.environ, **extra}
