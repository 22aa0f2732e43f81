"""document_blocks and clause_tree as Dagster assets, with their checks, on the generated sample.

The batches are built from the sample's ground truth (a heading block on each clause's page and
one sentence under it), so these tests need no MinerU run; the real parse is covered by
tests/test_pipeline_sample.py and the odf13-packages test in tests/test_tree.py."""

from pathlib import Path

import dagster as dg
import pytest

from assets.blocks import document_blocks
from assets.clause_tree import clause_tree
from checks.clause_tree import CLAUSE_TREE_CHECKS
from resources.settings import SpecmillSettings
from resources.storage import LocalArtifactStore
from schemas import artifacts
from schemas.artifacts import BLOCKS, TREE_DIR, TREE_REPORT
from schemas.blocks import Block
from schemas.document import DocumentBlocks
from schemas.profile import DocumentProfile
from schemas.sample import SampleGroundTruth
from schemas.tree import ClauseTreeReport
from specmill.parse.document import MissingBatchesError
from specmill.parse.parsed import build_artifact
from specmill.plan.batches import plan_batches
from specmill.sample import generate_sample
from specmill.source.describe import read_source


@pytest.fixture(scope="module")
def prepared(tmp_path_factory: pytest.TempPathFactory):
    work = tmp_path_factory.mktemp("tree-assets")
    document = generate_sample(work / "doc", pages=12)
    truth = SampleGroundTruth.model_validate_json(Path(document.ground_truth_path).read_bytes())
    profile = DocumentProfile()
    source, page_text = read_source(Path(document.pdf_path), profile)
    # The blocks below are stand-ins for the parse, not the PDF's text: an empty text layer keeps
    # the empty-clause verdict to the block stream.
    page_text = page_text.model_copy(update={"pages": [""] * page_text.page_count})
    from schemas.plan import PlanParameters

    plan = plan_batches(source.outline.entries, source.page_count, PlanParameters(target_pages=4, max_pages=8), source.sha256)
    store = LocalArtifactStore(root=str(work / "out"))
    store.write_model(artifacts.SOURCE, source)
    store.write_model(artifacts.PLAN, plan)
    store.write_model(artifacts.PAGE_TEXT, page_text)
    blocks = [Block(type="text", text="Sample specification", page=0, text_level=1)]
    for clause in truth.clauses:
        blocks.append(Block(type="text", text=clause.heading, page=clause.page, text_level=2))
        blocks.append(Block(type="text", text=f"Body of {clause.clause_id}.", page=clause.page))
    for batch in plan.batches:
        mine = [b for b in blocks if batch.first_page <= b.page <= batch.last_page]
        artifact = build_artifact(batch, mine, backend="test", mineru_version="-", tier="-", ocr_mode="-", seconds=0.0)
        store.write_model(artifacts.batch(batch.batch_id), artifact)
    resources = {"store": store, "settings": SpecmillSettings(pdf_path=document.pdf_path)}
    return store, resources, plan, truth


def test_document_blocks_joins_every_batch_in_page_order(prepared):
    store, resources, plan, _ = prepared
    result = dg.materialize([document_blocks], resources=resources, selection=[document_blocks])
    assert result.success
    document = store.read_model(BLOCKS, DocumentBlocks)
    pages = [b.page for b in document.blocks]
    assert pages == sorted(pages)
    assert document.batch_ids == [b.batch_id for b in plan.batches]


def test_clause_tree_writes_the_tree_and_every_check_passes(prepared):
    store, resources, _, truth = prepared
    result = dg.materialize([document_blocks, clause_tree, *CLAUSE_TREE_CHECKS], resources=resources)
    assert result.success
    evaluations = result.get_asset_check_evaluations()
    assert len(evaluations) == 6 and all(e.passed for e in evaluations), [(e.check_name, e.metadata) for e in evaluations]
    report = store.read_model(TREE_REPORT, ClauseTreeReport)
    assert len(report.segmentation.matched) == len(truth.clauses)
    assert "index.md" in store.read_tree(TREE_DIR)
    metadata = result.asset_materializations_for_node("clause_tree")[0].metadata
    assert metadata["files"].value == len(report.files) and metadata["clauses_missed"].value == 0


def test_presence_and_placement_checks_fail_with_evidence_when_a_heading_is_lost(prepared, tmp_path):
    store, resources, plan, truth = prepared
    clauses = truth.clauses
    # a clause after the first whose successor starts on a later page: its content can spill over
    position = next(i for i in range(1, len(clauses) - 1) if clauses[i + 1].page > clauses[i].page)
    lost = clauses[position]
    spill_page = lost.page + 1
    artifact_path = artifacts.batch(plan.batches[0].batch_id)
    from schemas.blocks import ParsedBatchArtifact

    copy = LocalArtifactStore(root=str(tmp_path / "out"))
    for relative in [artifacts.SOURCE, artifacts.PAGE_TEXT, artifacts.PLAN] + [artifacts.batch(b.batch_id) for b in plan.batches]:
        copy.write_bytes(relative, store.path(relative).read_bytes())
    for batch in plan.batches:
        artifact = copy.read_model(artifacts.batch(batch.batch_id), ParsedBatchArtifact)
        kept = [b for b in artifact.blocks if b.text != lost.heading]
        if batch.first_page <= spill_page <= batch.last_page:
            # the lost clause's content runs onto the next page, above anything else there
            at = next((i for i, b in enumerate(kept) if b.page >= spill_page), len(kept))
            kept.insert(at, Block(type="text", text="Spill.", page=spill_page))
        copy.write_model(artifacts.batch(batch.batch_id), artifact.model_copy(update={"blocks": kept}))
    del artifact_path
    result = dg.materialize(
        [document_blocks, clause_tree, *CLAUSE_TREE_CHECKS], resources={**resources, "store": copy}, raise_on_error=False
    )
    evaluations = {e.check_name: e for e in result.get_asset_check_evaluations()}
    # A lost heading is a lost clause, even though its parent's index lists it as empty.
    presence = evaluations["clause_tree_has_every_clause"]
    assert not presence.passed and presence.metadata["missing_clauses"].value == [lost.clause_id]
    # One of the sample's few clauses is far past the profile's share: the build stops.
    assert presence.severity == dg.AssetCheckSeverity.ERROR
    placement = evaluations["clause_tree_blocks_within_clause_pages"]
    assert not placement.passed
    assert placement.metadata["misplaced"].value >= 1
    spilled = placement.metadata["misplaced_blocks"].value
    # The evidence numbers PDF pages from 1, as a viewer does (tree.json keeps 0-based indexes).
    assert any(m["pdf_page"] == spill_page + 1 and m["block_type"] == "text" and m["preview"] == "Spill." for m in spilled)
    report = copy.read_model(TREE_REPORT, ClauseTreeReport)
    assert [m.key for m in report.segmentation.missed] == [lost.clause_id]


def test_document_blocks_names_the_missing_partitions(prepared, tmp_path):
    store, resources, plan, _ = prepared
    copy = LocalArtifactStore(root=str(tmp_path / "out"))
    for relative in [artifacts.SOURCE, artifacts.PLAN, artifacts.batch(plan.batches[0].batch_id)]:
        copy.write_bytes(relative, store.path(relative).read_bytes())
    assert len(plan.batches) >= 2
    with pytest.raises(MissingBatchesError, match=r"missing partitions: \['b01'"):
        dg.materialize([document_blocks], resources={**resources, "store": copy})


def test_a_missing_share_within_the_profiles_allowance_fails_the_check_as_a_warning(prepared, tmp_path):
    """The check still fails and names the clause; only its severity says the build goes on."""
    store, resources, plan, truth = prepared
    lost = truth.clauses[len(truth.clauses) // 2]
    copy = LocalArtifactStore(root=str(tmp_path / "out"))
    for relative in [artifacts.SOURCE, artifacts.PAGE_TEXT, artifacts.PLAN]:
        copy.write_bytes(relative, store.path(relative).read_bytes())
    from schemas.blocks import ParsedBatchArtifact

    for batch in plan.batches:
        artifact = store.read_model(artifacts.batch(batch.batch_id), ParsedBatchArtifact)
        kept = [b for b in artifact.blocks if b.text != lost.heading]
        copy.write_model(artifacts.batch(batch.batch_id), artifact.model_copy(update={"blocks": kept}))
    profile = tmp_path / "lenient.yaml"
    profile.write_text("segmentation:\n  missing_clauses_blocking: 0.5\n")
    settings = SpecmillSettings(pdf_path=resources["settings"].pdf_path, profile_path=str(profile))
    from checks.expectations import section_table_expectations

    result = dg.materialize(
        [document_blocks, clause_tree, *CLAUSE_TREE_CHECKS, section_table_expectations],
        resources={"store": copy, "settings": settings}, raise_on_error=False,
    )
    evaluations = {e.check_name: e for e in result.get_asset_check_evaluations()}
    presence = evaluations["clause_tree_has_every_clause"]
    assert not presence.passed and presence.metadata["missing_clauses"].value == [lost.clause_id]
    assert presence.severity == dg.AssetCheckSeverity.WARN
    assert evaluations["section_table_expectations"].passed  # the lost clause is within its `mostly`


def _sample_ruled_table(prepared) -> tuple[int, list[float], int]:
    """(page, bbox in MinerU's 0-1000 space, columns) of the sample's first ruled table, as
    PyMuPDF's own table finder sees it: the test's truth, not specmill's."""
    import pymupdf

    _, resources, _, _ = prepared
    pdf = pymupdf.open(resources["settings"].pdf_path)
    number, found = next((n, tables.tables[0]) for n in range(pdf.page_count) if (tables := pdf[n].find_tables()).tables)
    width, height = pdf[number].rect.width, pdf[number].rect.height
    x0, y0, x1, y1 = found.bbox
    return number, [x0 * 1000 / width, y0 * 1000 / height, x1 * 1000 / width, y1 * 1000 / height], found.col_count


def _columns_check_with_table(prepared, tmp_path: Path, columns_written: int) -> dg.AssetCheckEvaluation:
    """The columns check on a copy of the prepared build whose blocks hold that table, written by
    "MinerU" with `columns_written` columns."""
    from schemas.blocks import ParsedBatchArtifact

    store, resources, plan, _ = prepared
    page, bbox, _ = _sample_ruled_table(prepared)
    row = "".join(f"<td>c{n}</td>" for n in range(columns_written))
    table = Block(type="table", page=page, bbox=bbox, table_body=f"<table><tr>{row}</tr><tr>{row}</tr></table>")
    copy = LocalArtifactStore(root=str(tmp_path / "out"))
    for relative in [artifacts.SOURCE, artifacts.PAGE_TEXT, artifacts.PLAN] + [artifacts.batch(b.batch_id) for b in plan.batches]:
        copy.write_bytes(relative, store.path(relative).read_bytes())
    batch = next(b for b in plan.batches if b.first_page <= page <= b.last_page)
    artifact = copy.read_model(artifacts.batch(batch.batch_id), ParsedBatchArtifact)
    at = next((i for i, b in enumerate(artifact.blocks) if b.page > page), len(artifact.blocks))
    copy.write_model(artifacts.batch(batch.batch_id), artifact.model_copy(update={"blocks": [*artifact.blocks[:at], table, *artifact.blocks[at:]]}))
    result = dg.materialize([document_blocks, clause_tree, *CLAUSE_TREE_CHECKS], resources={**resources, "store": copy}, raise_on_error=False)
    return next(e for e in result.get_asset_check_evaluations() if e.check_name == "clause_tree_tables_keep_their_columns")


def test_a_table_written_without_a_column_the_pdfs_rules_draw_fails_the_columns_check(prepared, tmp_path):
    *_, ruled = _sample_ruled_table(prepared)
    kept = _columns_check_with_table(prepared, tmp_path / "kept", columns_written=ruled)
    assert kept.passed and kept.metadata["with_ruling_lines"].value == 1 and kept.metadata["columns_as_ruled"].value == 1
    lost = _columns_check_with_table(prepared, tmp_path / "lost", columns_written=ruled - 1)
    assert not lost.passed and lost.severity == dg.AssetCheckSeverity.WARN
    (differing,) = lost.metadata["differing_tables"].value
    assert (differing["rendered"], differing["ruled"]) == (ruled - 1, ruled) and "pdf_page" in differing
