"""The crosslink_graph asset and its checks, on a small written tree and on the generated sample
(whose ground truth names the target of every printed reference)."""

import json
from pathlib import Path

import dagster as dg
import pytest

from assets.blocks import document_blocks
from assets.clause_tree import clause_tree
from assets.crosslinks import crosslink_graph
from checks.crosslinks import (
    crosslinks_do_not_dangle,
    crosslinks_point_at_their_clause,
    crosslinks_resolution_rate,
    crosslinks_survive_a_copy,
)
from resources.settings import SpecmillSettings
from resources.storage import LocalArtifactStore
from schemas.artifacts import LINKED_DIR, LINKS_REPORT, TREE_DIR, TREE_REPORT
from schemas.links import LinkReport
from schemas.sample import SampleGroundTruth
from schemas.tree import ClauseTreeReport
from specmill.atomic import write_json_atomic
from specmill.links.verify import dangling_links
from specmill.sample import generate_sample
from tests.pdf_factory import numbered_document
from tests.test_links_resolve import TREE, tree_report

CHECKS = [crosslinks_do_not_dangle, crosslinks_resolution_rate, crosslinks_survive_a_copy, crosslinks_point_at_their_clause]


def resources(out: Path, pdf: Path) -> dict:
    if not pdf.exists():  # the profile is chosen from the PDF: a small generic one stands in
        numbered_document(pdf, [("1 Scope", 0)], 1)
    return {"settings": SpecmillSettings(pdf_path=str(pdf)), "store": LocalArtifactStore(root=str(out))}


def write_small_tree(out: Path, files: dict[str, str]) -> None:
    # Through the store: the clause tree may be a folder or a packed archive (TREE_DIR decides).
    LocalArtifactStore(root=str(out)).write_tree(TREE_DIR, {path: text.encode() for path, text in files.items()})
    write_json_atomic(out / TREE_REPORT, tree_report())


def check_results(result: dg.ExecuteInProcessResult) -> dict[str, dg.AssetCheckEvaluation]:
    return {evaluation.check_name: evaluation for evaluation in result.get_asset_check_evaluations()}


def test_crosslink_graph_writes_the_linked_tree_and_links_json(tmp_path: Path):
    write_small_tree(tmp_path, TREE)
    result = dg.materialize([crosslink_graph, *CHECKS], resources=resources(tmp_path, tmp_path / "doc.pdf"), raise_on_error=False)
    assert result.success
    metadata = result.get_asset_materialization_events()[0].event_specific_data.materialization.metadata
    report = LinkReport.model_validate_json((tmp_path / LINKS_REPORT).read_bytes())
    assert metadata["references_found"].value == report.references_found > 0
    assert metadata["resolved"].value == report.resolved
    assert metadata["unresolved_by_reason"].value == {"ambiguous": 1, "outside_document": 1, "unknown_id": 1}
    assert metadata["references_external"].value == 1 and metadata["cited_documents"].value == [{"document": "RFC 3986", "count": 1}]
    assert metadata["most_cited"].value[0]["count"] >= 2
    linked = LocalArtifactStore(root=str(tmp_path)).read_tree(LINKED_DIR)
    assert "[§2](../2-runs.md)" in linked["1-general/1-1-overview.md"].decode()
    # The clause tree itself is left as it was; only linked/ carries the links.
    clause_tree_files = LocalArtifactStore(root=str(tmp_path)).read_tree(TREE_DIR)
    assert clause_tree_files["1-general/1-1-overview.md"].decode() == TREE["1-general/1-1-overview.md"]
    checks = check_results(result)
    assert checks["crosslinks_do_not_dangle"].passed and checks["crosslinks_survive_a_copy"].passed
    assert checks["crosslinks_point_at_their_clause"].passed
    assert checks["crosslinks_point_at_their_clause"].metadata["links_checked"].value == report.links_emitted


def test_the_rate_check_lists_the_misses_to_act_on_and_the_external_references_apart(tmp_path: Path):
    write_small_tree(tmp_path, TREE)
    result = dg.materialize([crosslink_graph, *CHECKS], resources=resources(tmp_path, tmp_path / "doc.pdf"), raise_on_error=False)
    rate = check_results(result)["crosslinks_resolution_rate"]
    # Two of the references into this document cannot resolve: the rate check fails and lists them.
    assert not rate.passed
    metadata = {key: value.value for key, value in rate.metadata.items()}
    assert metadata["references_internal"] + metadata["references_external"] == metadata["references_found"]
    assert metadata["references_external"] == 1 and metadata["unresolved_internal"] == 2
    unresolved = metadata["unresolved"]
    assert "| 1-general/1-2-scope.md | 3 | §7.7 | unknown_id |" in unresolved
    assert "see Overview | ambiguous" in unresolved
    assert "§5.2" not in unresolved  # a reference into RFC 3986 is no miss of this document
    assert "| 1-general/1-2-scope.md | 3 | §5.2 | RFC 3986 |" in metadata["external"]
    assert "| RFC 3986 | 1 |" in metadata["cited_documents"]


def test_a_dangling_link_blocks_and_is_no_matter_for_the_copy_check(tmp_path: Path):
    broken = {**TREE, "2-runs.md": TREE["2-runs.md"] + "\nA stale [link](gone.md).\n"}
    write_small_tree(tmp_path, broken)
    result = dg.materialize([crosslink_graph, *CHECKS], resources=resources(tmp_path, tmp_path / "doc.pdf"), raise_on_error=False)
    checks = check_results(result)
    dangling = checks["crosslinks_do_not_dangle"]
    assert not dangling.passed
    assert dangling.metadata["dangling"].value == 1
    assert dangling.metadata["dangling_links"].value[0]["target"] == "gone.md"
    # A missing file is missing wherever the tree is copied: the copy check has nothing to say.
    assert checks["crosslinks_survive_a_copy"].passed and checks["crosslinks_point_at_their_clause"].passed


def test_a_link_that_only_works_where_the_tree_is_fails_the_copy_check_not_the_dangling_one(tmp_path: Path):
    beside = tmp_path / "beside.md"  # exists on disk: only a copy elsewhere would break these links
    beside.write_text("outside the tree")
    broken = {**TREE, "2-runs.md": TREE["2-runs.md"] + f"\nSee [there]({beside}) and [as URL]({beside.as_uri()}).\n"}
    write_small_tree(tmp_path, broken)
    result = dg.materialize([crosslink_graph, *CHECKS], resources=resources(tmp_path, tmp_path / "doc.pdf"), raise_on_error=False)
    checks = check_results(result)
    copy = checks["crosslinks_survive_a_copy"]
    assert not copy.passed
    assert copy.metadata["location_dependent"].value == 2
    assert {(d["target"], d["reason"]) for d in copy.metadata["location_dependent_links"].value} == {
        (str(beside), "absolute path"),
        (beside.as_uri(), "file: URL"),
    }
    # Neither is a relative link, and both name a file that exists here: nothing dangles here.
    assert checks["crosslinks_do_not_dangle"].passed


def test_a_link_into_the_output_folder_beside_the_tree_is_named_as_such(tmp_path: Path):
    # tree.json lies beside the linked tree in the output folder: the link works only there.
    broken = {**TREE, "2-runs.md": TREE["2-runs.md"] + "\nThe [tree report](../tree.json) and [far](../../elsewhere.md).\n"}
    write_small_tree(tmp_path, broken)
    result = dg.materialize([crosslink_graph, *CHECKS], resources=resources(tmp_path, tmp_path / "doc.pdf"), raise_on_error=False)
    checks = check_results(result)
    reasons = {d["target"]: d["reason"] for d in checks["crosslinks_survive_a_copy"].metadata["location_dependent_links"].value}
    assert reasons == {
        "../tree.json": "climbs out of the tree into the output folder (tree.json)",
        "../../elsewhere.md": "climbs out of the tree",
    }
    # Out of the tree is no file of the tree as stored either: both checks fail, each for its reason.
    assert {d["target"] for d in checks["crosslinks_do_not_dangle"].metadata["dangling_links"].value} == {"../tree.json", "../../elsewhere.md"}


def test_a_link_to_the_wrong_clause_fails_the_clause_check_only(tmp_path: Path):
    write_small_tree(tmp_path, TREE)
    dg.materialize([crosslink_graph], resources=resources(tmp_path, tmp_path / "doc.pdf"))
    store = LocalArtifactStore(root=str(tmp_path))
    linked = store.read_tree(LINKED_DIR)
    overview = linked["1-general/1-1-overview.md"].decode()
    assert "Runs ([§2](../2-runs.md))" in overview
    # The seeded defect: '§2' now leads to clause 1.2, a file that exists (nothing dangles).
    linked["1-general/1-1-overview.md"] = overview.replace("Runs ([§2](../2-runs.md))", "Runs ([§2](1-2-scope.md))").encode()
    store.write_tree(LINKED_DIR, linked)
    result = dg.materialize(
        [crosslink_graph, *CHECKS], resources=resources(tmp_path, tmp_path / "doc.pdf"), raise_on_error=False,
        selection=dg.AssetSelection.checks(*CHECKS),
    )
    checks = check_results(result)
    clause = checks["crosslinks_point_at_their_clause"]
    assert not clause.passed and clause.metadata["misdirected"].value == 1
    [wrong] = clause.metadata["misdirected_links"].value
    assert (wrong["file"], wrong["label"], wrong["target"], wrong["names"], wrong["lands_on"]) == (
        "1-general/1-1-overview.md", "§2", "1-2-scope.md", "2", "1.2",
    )
    assert checks["crosslinks_do_not_dangle"].passed and checks["crosslinks_survive_a_copy"].passed


def test_relinking_replaces_the_old_linked_tree_whole(tmp_path: Path):
    write_small_tree(tmp_path, TREE)
    dg.materialize([crosslink_graph], resources=resources(tmp_path, tmp_path / "doc.pdf"))
    store = LocalArtifactStore(root=str(tmp_path))
    store.write_tree(LINKED_DIR, {**store.read_tree(LINKED_DIR), "stale.md": b"left over"})
    dg.materialize([crosslink_graph], resources=resources(tmp_path, tmp_path / "doc.pdf"))
    assert "stale.md" not in store.read_tree(LINKED_DIR) and "index.md" in store.read_tree(LINKED_DIR)
    assert not list(tmp_path.glob(f".{LINKED_DIR}.*"))  # no temporary file left beside it


@pytest.mark.slow
def test_the_generated_sample_resolves_every_reference_to_its_ground_truth_clause(tmp_path: Path):
    from specmill_cli.main import main

    document = generate_sample(tmp_path / "doc", pages=10)
    out = tmp_path / "out"
    assert main(["build", document.pdf_path, "--out", str(out), "--stop-after", "parse"]) == 0
    result = dg.materialize(
        [document_blocks, clause_tree, crosslink_graph, *CHECKS], resources=resources(out, Path(document.pdf_path)), raise_on_error=False
    )
    assert result.success
    assert all(evaluation.passed for evaluation in result.get_asset_check_evaluations())
    truth = SampleGroundTruth.model_validate_json(Path(document.ground_truth_path).read_bytes())
    report = LinkReport.model_validate_json((out / LINKS_REPORT).read_bytes())
    tree = ClauseTreeReport.model_validate_json((out / TREE_REPORT).read_bytes())
    file_of = {f.clause_id: f.path for f in tree.files if f.clause_id}
    file_of.update({e.clause_id: e.listed_in for e in tree.empty_clauses if e.clause_id})

    assert report.resolution_rate == 1.0 and report.unresolved == 0
    emitted = [(r.source_section, r.raw_text, r.target_ids, r.target_file) for r in report.references]
    expected = [(t.source_clause, t.text, t.target_clauses, file_of[t.target_clause]) for t in truth.references]
    missing = [e for e in expected if e not in emitted]
    extra = [e for e in emitted if e not in expected]
    assert (missing, extra) == ([], []) and len(emitted) == len(expected)
    # No decoy became a link, and nothing dangles on disk.
    linked_store = LocalArtifactStore(root=str(out))
    linked_text = "\n".join(data.decode() for name, data in linked_store.read_tree(LINKED_DIR).items() if name.endswith(".md"))
    for decoy in truth.decoys:
        assert f"[{decoy.text}]" not in linked_text and f"[{decoy.text.split()[-1]}](" not in linked_text
    assert dangling_links(linked_store.tree_path(LINKED_DIR)) == []  # unpacked into a folder: checked on disk
    json.loads((out / LINKS_REPORT).read_text())  # plain JSON for other tools
