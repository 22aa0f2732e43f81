"""`specmill build --backend runpod` end to end: plan, parse every batch on the (emulated) RunPod
endpoint's real worker, join the blocks, write the clause tree.

The fault-injection test kills a build by PID in the middle of parsing (after the first batch
artifact appears) and shows that the re-run submits parse jobs only for the batches without a
complete artifact, and that the tree it writes is byte-identical to an uninterrupted build's.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import dagster as dg
import pytest

from schemas.artifacts import TREE_DIR
from schemas.blocks import ParsedBatchArtifact
from schemas.plan import BatchPlan
from specmill.tree.pack import unpack_tree
from specmill_cli.main import main
from tests.runpod.conftest import BUCKET, Bench, Sample
from tests.support.runpod_emulator import JobStatus

pytestmark = pytest.mark.slow

REPO_ROOT = Path(__file__).resolve().parents[2]
FLASH = ["--tier", "flash", "--ocr-mode", "txt", "--runpod-poll-s", "0.2"]


def build_args(sample: Sample, out: Path, *extra: str) -> list[str]:
    return ["build", str(sample.pdf), "--out", str(out), "--profile", str(sample.profile), "--backend", "runpod", *FLASH, *extra]


def tree_files(out: Path) -> dict[str, bytes]:
    return unpack_tree((out / TREE_DIR).read_bytes())


def batch_of(bench: Bench, job_id: str) -> str:
    return bench.emulator.job(job_id, bench.endpoint_id).input["basename"]


def max_in_flight(bench: Bench, job_ids: list[str]) -> int:
    """The most jobs that were submitted and not yet final at one time."""
    jobs = [bench.emulator.job(job_id, bench.endpoint_id) for job_id in job_ids]
    moments = sorted([(job.created_at, 1) for job in jobs] + [(job.finished_at, -1) for job in jobs])
    level = peak = 0
    for _, step in moments:
        level += step
        peak = max(peak, level)
    return peak


@dataclass(frozen=True)
class Built:
    out: Path
    plan: BatchPlan
    jobs: list[str]


@pytest.fixture(scope="module")
def uninterrupted(bench, worker, sample, tmp_path_factory) -> Built:
    """One build through the tree stage, with the first parse job failing (worker died)."""
    out = tmp_path_factory.mktemp("runpod-build") / "out"
    saved = dict(os.environ)
    os.environ.update(bench.env())
    try:
        before = len(bench.parse_jobs())
        bench.emulator.faults.fail_jobs(1, error="worker exited unexpectedly")
        assert main(build_args(sample, out, "--stop-after", "tree")) == 0
        jobs = bench.parse_jobs()[before:]
    finally:
        os.environ.clear()
        os.environ.update(saved)
    return Built(out=out, plan=BatchPlan.model_validate_json((out / "plan.json").read_bytes()), jobs=jobs)


def test_the_runpod_backend_builds_the_tree_retrying_the_job_that_failed(uninterrupted, bench, sample):
    plan, jobs = uninterrupted.plan, uninterrupted.jobs
    assert len(plan.batches) >= 3
    states = [bench.emulator.job(job_id, bench.endpoint_id) for job_id in jobs]
    failed = [job for job in states if job.status is JobStatus.FAILED]
    assert len(failed) == 1 and "worker exited unexpectedly" in failed[0].error
    # Every batch was parsed once, plus one re-run of the batch whose job failed.
    assert len(jobs) == len(plan.batches) + 1
    assert sorted(batch_of(bench, job_id) for job_id in jobs if bench.emulator.job(job_id, bench.endpoint_id).status is JobStatus.COMPLETED) == [
        batch.batch_id for batch in plan.batches
    ]
    for batch in plan.batches:
        artifact = ParsedBatchArtifact.model_validate_json((uninterrupted.out / "batches" / f"{batch.batch_id}.json").read_bytes())
        assert artifact.record.backend == "runpod"
        assert set(artifact.record.pages_seen) <= set(batch.pages)
    assert "index.md" in tree_files(uninterrupted.out) and len(tree_files(uninterrupted.out)) > 3
    # Each job got the whole PDF by presigned URL (never pre-split) and its own page range.
    inputs = [bench.emulator.job(job_id, bench.endpoint_id).input for job_id in jobs]
    assert {tuple(sorted(i)) for i in inputs} == {tuple(sorted(inputs[0]))}
    assert all(f"/{BUCKET}/specmill-tests/sources/" in i["file_url"] for i in inputs)
    assert sorted({(i["start_page"], i["end_page"]) for i in inputs}) == [(b.first_page, b.last_page) for b in plan.batches]


def test_parse_steps_stay_within_the_endpoints_workers_max(uninterrupted, bench):
    # --jobs defaults to workersMax (2): two batches in flight, never more.
    assert max_in_flight(bench, uninterrupted.jobs) == bench.workers_max
    with dg.DagsterInstance.from_config(str(uninterrupted.out / ".dagster")) as instance:
        assert instance.event_log_storage.get_concurrency_info("parse").slot_count == bench.workers_max


def test_a_killed_build_resumes_with_only_the_missing_batches_and_the_same_tree(uninterrupted, bench, sample, tmp_path):
    out = tmp_path / "out"
    env = {**os.environ, **bench.env(), "PYTHONPATH": str(REPO_ROOT)}
    before = len(bench.parse_jobs())
    process = subprocess.Popen(
        [sys.executable, "-m", "specmill_cli.main", *build_args(sample, out, "--jobs", "1", "--stop-after", "parse")],
        cwd=REPO_ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 300
        while time.monotonic() < deadline and process.poll() is None:
            if list((out / "batches").glob("b*.json")):
                break
            time.sleep(0.05)
        assert process.poll() is None, "the build ended before it could be killed"
        os.kill(process.pid, signal.SIGKILL)
        process.wait(timeout=30)
    finally:
        if process.poll() is None:
            process.kill()
            process.wait(timeout=30)
    plan = BatchPlan.model_validate_json((out / "plan.json").read_bytes())
    done = sorted(path.stem for path in (out / "batches").glob("b*.json"))
    missing = [batch.batch_id for batch in plan.batches if batch.batch_id not in done]
    assert done and missing, f"killed too late to test anything: done {done}"
    # No half-written artifact: every file there is complete and valid.
    for batch_id in done:
        ParsedBatchArtifact.model_validate_json((out / "batches" / f"{batch_id}.json").read_bytes())

    killed_jobs = len(bench.parse_jobs()) - before
    saved = dict(os.environ)
    os.environ.update(bench.env())
    try:
        assert main(build_args(sample, out, "--jobs", "1", "--stop-after", "tree")) == 0
    finally:
        os.environ.clear()
        os.environ.update(saved)
    rerun_jobs = bench.parse_jobs()[before + killed_jobs :]
    assert sorted(batch_of(bench, job_id) for job_id in rerun_jobs) == missing
    assert tree_files(out) == tree_files(uninterrupted.out)
    assert (out / "blocks.json").read_bytes() == (uninterrupted.out / "blocks.json").read_bytes()
