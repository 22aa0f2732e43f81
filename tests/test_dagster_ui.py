"""`dagster dev` on loopback shows the asset graph and the latest check results of a build.

Starts the real webserver (and daemon) in its own process group, asks its GraphQL API, and
stops it by PID."""

import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from specmill.sample import generate_sample
from specmill_cli.main import main
from tests.conftest import REPO_ROOT

pytestmark = pytest.mark.slow

GRAPH_QUERY = """
{
  assetNodes {
    assetKey { path }
    groupName
    dependencyKeys { path }
    assetChecksOrError {
      ... on AssetChecks { checks { name executionForLatestMaterialization { status } } }
    }
  }
}
"""


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def stop(process: subprocess.Popen) -> None:
    """TERM to the whole group (webserver, daemon, code server), then KILL if it lingers."""
    if process.poll() is not None:
        return
    os.killpg(process.pid, signal.SIGTERM)
    try:
        process.wait(timeout=30)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=10)


@pytest.fixture
def dagster_dev(tmp_path: Path):
    document = generate_sample(tmp_path / "doc", pages=10)
    out = tmp_path / "out"
    assert main(["build", document.pdf_path, "--out", str(out), "--stop-after", "parse"]) == 0
    port = free_port()
    env = {
        **os.environ,
        "DAGSTER_HOME": str(out / ".dagster"),
        "SPECMILL_OUT": str(out),
        "SPECMILL_PDF": document.pdf_path,
        "DAGSTER_DISABLE_TELEMETRY": "yes",
    }
    log = open(tmp_path / "dagster-dev.log", "wb")
    process = subprocess.Popen(
        [str(Path(sys.executable).parent / "dagster"), "dev", "-h", "127.0.0.1", "-p", str(port), "-w", "workspace.yaml"],
        cwd=REPO_ROOT, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
    )
    url = f"http://127.0.0.1:{port}/graphql"
    try:
        deadline = time.monotonic() + 180
        while True:
            assert process.poll() is None, (tmp_path / "dagster-dev.log").read_text()[-3000:]
            try:
                if httpx.post(url, json={"query": "{ version }"}, timeout=5).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            assert time.monotonic() < deadline, "dagster dev did not answer within 180 s"
            time.sleep(1)
        yield url, out
    finally:
        stop(process)
        log.close()


def test_dagster_dev_shows_the_graph_and_the_latest_check_results(dagster_dev):
    url, _ = dagster_dev
    deadline = time.monotonic() + 120
    while True:  # the code location loads in the background after the server answers
        response = httpx.post(url, json={"query": GRAPH_QUERY}, timeout=30).json()
        nodes = (response.get("data") or {}).get("assetNodes") or []
        if nodes or time.monotonic() > deadline:
            break
        time.sleep(2)
    graph = {"/".join(n["assetKey"]["path"]): n for n in nodes}
    assert {"source_pdf", "batch_plan", "parsed_batch", "document_blocks", "clause_tree", "crosslink_graph",
            "xsd_vocabulary", "corrected_corpus"} <= set(graph)
    assert [d["path"] for d in graph["batch_plan"]["dependencyKeys"]] == [["source_pdf"]]
    # One group: the UI then draws no group boxes, which it would open collapsed.
    assert {node["groupName"] for node in nodes} == {"specmill"}
    checks = {c["name"]: c for c in graph["batch_plan"]["assetChecksOrError"]["checks"]}
    latest = checks["plan_tiles_document"]["executionForLatestMaterialization"]
    assert latest is not None and latest["status"] == "SUCCEEDED"
    tree_checks = {c["name"] for c in graph["clause_tree"]["assetChecksOrError"]["checks"]}
    assert "clause_tree_has_every_clause" in tree_checks
