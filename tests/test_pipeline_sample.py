"""End to end on the generated sample: `specmill build` plans, registers partitions, parses every
batch with real MinerU (flash) and passes every check; the Dagster instance records it all."""

import json
from pathlib import Path

import dagster as dg
import pytest

from schemas.blocks import ParsedBatchArtifact
from schemas.outline import Outline, SourcePdf
from schemas.plan import BatchPlan
from schemas.sample import SampleGroundTruth
from specmill.sample import generate_sample
from specmill_cli.main import main

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def built_sample(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, SampleGroundTruth]:
    work = tmp_path_factory.mktemp("sample")
    document = generate_sample(work / "doc", pages=10)
    out = work / "out"
    assert main(["build", document.pdf_path, "--out", str(out), "--stop-after", "parse"]) == 0
    truth = SampleGroundTruth.model_validate_json(Path(document.ground_truth_path).read_bytes())
    return out, truth


def test_outline_matches_the_ground_truth(built_sample):
    out, truth = built_sample
    outline = Outline.model_validate_json((out / "outline.json").read_bytes())
    assert [(e.clause_id, e.level, e.page) for e in outline.entries] == [(c.clause_id, c.level, c.page) for c in truth.clauses]
    assert outline.depth >= 4
    source = SourcePdf.model_validate_json((out / "source.json").read_bytes())
    assert source.page_offset.offset == truth.page_offset
    assert source.page_labels == truth.page_labels


def test_every_batch_is_parsed_inside_its_pages(built_sample):
    out, truth = built_sample
    plan = BatchPlan.model_validate_json((out / "plan.json").read_bytes())
    assert plan.batches[0].first_page == 0 and plan.batches[-1].last_page == truth.page_count - 1
    seen_pages = set()
    for batch in plan.batches:
        artifact = ParsedBatchArtifact.model_validate_json((out / "batches" / f"{batch.batch_id}.json").read_bytes())
        pages = {block.page for block in artifact.blocks}
        assert pages <= set(batch.pages)
        assert artifact.record.backend == "mineru-local" and artifact.record.tier == "flash"
        seen_pages |= pages
    assert seen_pages == set(range(truth.page_count))
    # Headings come through as text: every clause heading of the truth is somewhere in the blocks.
    texts = " ".join(
        block.text
        for batch in plan.batches
        for block in ParsedBatchArtifact.model_validate_json((out / "batches" / f"{batch.batch_id}.json").read_bytes()).blocks
    )
    missing = [c.heading for c in truth.clauses if c.heading not in texts]
    assert not missing


def test_summary_lists_every_check_and_all_pass(built_sample):
    out, _ = built_sample
    summary = json.loads((out / "summary.json").read_text())
    plan = BatchPlan.model_validate_json((out / "plan.json").read_bytes())
    names = [(c["name"], c["partition"]) for c in summary["checks"]]
    assert ("plan_tiles_document", None) in names
    assert sorted(p for n, p in names if n == "batch_covers_planned_pages") == [b.batch_id for b in plan.batches]
    assert summary["passed"] is True
    assert set(summary["stages"]) == {"plan", "parse"}


def test_dagster_instance_holds_partitions_and_materializations(built_sample):
    out, _ = built_sample
    plan = BatchPlan.model_validate_json((out / "plan.json").read_bytes())
    with dg.DagsterInstance.from_config(str(out / ".dagster")) as instance:
        assert instance.telemetry_enabled is False
        assert instance.get_dynamic_partitions("batches") == [b.batch_id for b in plan.batches]
        for batch in plan.batches:
            records = instance.fetch_materializations(
                dg.AssetRecordsFilter(asset_key=dg.AssetKey("parsed_batch"), asset_partitions=[batch.batch_id]), limit=1
            ).records
            assert records, f"no materialization recorded for {batch.batch_id}"


def test_rebuilding_an_unchanged_pdf_keeps_the_same_partition_keys(built_sample, tmp_path):
    out, _ = built_sample
    before = (out / "plan.json").read_bytes()
    source = SourcePdf.model_validate_json((out / "source.json").read_bytes())
    assert main(["build", source.path, "--out", str(out), "--stop-after", "plan"]) == 0
    assert (out / "plan.json").read_bytes() == before
    with dg.DagsterInstance.from_config(str(out / ".dagster")) as instance:
        assert instance.get_dynamic_partitions("batches") == [b.batch_id for b in BatchPlan.model_validate_json(before).batches]


def test_existing_mineru_output_replaces_parsing_with_the_same_blocks(built_sample, tmp_path):
    out, _ = built_sample
    plan = BatchPlan.model_validate_json((out / "plan.json").read_bytes())
    parsed = [ParsedBatchArtifact.model_validate_json((out / "batches" / f"{b.batch_id}.json").read_bytes()) for b in plan.batches]
    # What a user who ran MinerU themselves would hold: one content list with absolute page_idx.
    content_list = [block.raw for artifact in parsed for block in artifact.blocks]
    (tmp_path / "content_list.json").write_text(json.dumps(content_list))
    source = SourcePdf.model_validate_json((out / "source.json").read_bytes())
    reused = tmp_path / "reused"
    assert main(["build", source.path, "--out", str(reused), "--stop-after", "parse",
                 "--mineru-output", str(tmp_path / "content_list.json")]) == 0
    for artifact in parsed:
        again = ParsedBatchArtifact.model_validate_json((reused / "batches" / f"{artifact.record.batch_id}.json").read_bytes())
        assert again.record.backend == "mineru-output"
        assert again.record.content_sha256 == artifact.record.content_sha256


def test_unusable_mineru_output_is_bad_input(built_sample, tmp_path, capsys):
    out, _ = built_sample
    source = SourcePdf.model_validate_json((out / "source.json").read_bytes())
    (tmp_path / "content_list.json").write_text("{not json")
    assert main(["build", source.path, "--out", str(tmp_path / "o"), "--mineru-output", str(tmp_path / "content_list.json")]) == 2
    assert "content_list.json" in capsys.readouterr().err
    assert not (tmp_path / "o").exists()
