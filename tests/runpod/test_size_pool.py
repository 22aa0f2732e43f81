"""`python -m resources.runpod.size_pool` sizes the pool "parse" of the instance in $DAGSTER_HOME to
the endpoint's workersMax, read from the emulated REST API; without it, to the fallback."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.runpod.conftest import Bench

pytestmark = pytest.mark.slow

REPO_ROOT = Path(__file__).resolve().parents[2]


def size_pool(home: Path, env: dict[str, str], *args: str) -> subprocess.CompletedProcess:
    home.mkdir(parents=True, exist_ok=True)
    (home / "dagster.yaml").write_text("telemetry:\n  enabled: false\n")
    return subprocess.run(
        [sys.executable, "-m", "resources.runpod.size_pool", *args], cwd=REPO_ROOT, capture_output=True, text=True, timeout=120,
        env={**os.environ, **env, "DAGSTER_HOME": str(home), "PYTHONPATH": str(REPO_ROOT)},
    )  # fmt: skip


def pool_limit(home: Path) -> int:
    import dagster as dg

    with dg.DagsterInstance.from_config(str(home)) as instance:
        return instance.event_log_storage.get_concurrency_info("parse").slot_count


def test_the_pool_gets_the_endpoints_workers_max_or_the_fallback(bench: Bench, tmp_path):
    done = size_pool(tmp_path / "home", bench.env())
    assert done.returncode == 0, done.stderr
    assert "limit 2 (workersMax of endpoint" in done.stdout and pool_limit(tmp_path / "home") == 2

    unknown = size_pool(tmp_path / "other", bench.env("no-such-endpoint"), "--fallback", "3")
    assert unknown.returncode == 0, unknown.stderr
    assert "fallback" in unknown.stdout and pool_limit(tmp_path / "other") == 3
