"""The whole graph through `specmill build` on the generated sample: every stage runs, every
check passes, and report.md tells the story."""

import json
from pathlib import Path

import pytest

from specmill.sample import generate_sample
from specmill_cli.main import STAGES, main

pytestmark = pytest.mark.slow


def test_full_build_of_the_sample(tmp_path: Path, capsys):
    document = generate_sample(tmp_path / "doc", pages=10)
    out = tmp_path / "out"
    assert main(["build", document.pdf_path, "--out", str(out), "--schemas", document.xsd_path]) == 0
    screen = capsys.readouterr().out
    assert "checks:" in screen and "FAILED" not in screen

    summary = json.loads((out / "summary.json").read_text())
    assert set(summary["stages"]) == set(STAGES)
    assert summary["passed"] and all(check["passed"] for check in summary["checks"])
    checked_assets = {check["asset"] for check in summary["checks"]}
    assert {"batch_plan", "parsed_batch", "document_blocks", "clause_tree", "crosslink_graph", "corrected_corpus"} <= checked_assets

    for artifact in ("outline.json", "plan.json", "blocks.json", "tree.json", "links.json", "findings.json", "report.md"):
        assert (out / artifact).is_file(), artifact
    assert (out / "corpus" / "index.md").is_file()

    report = (out / "report.md").read_text()
    for heading in ("## Stages", "## Checks", "## Batch plan", "## Cross-references", "## Verification findings"):
        assert heading in report
    assert "all blocking checks passed" in report
    links = json.loads((out / "links.json").read_text())
    assert links["resolution_rate"] == 1.0 and links["references_found"] > 0
