"""parsed_batch itself reuses a batch whose complete artifact matches the source, pages and
parser, wherever its run comes from (a UI backfill, a sensor, `dagster job execute`), as
`specmill build` does; a batch made by another MinerU or another normalizer is parsed again.

Runs go through the `parse_batches` job of the code location's own Definitions, one per
partition, on a persistent instance: what a backfill launches. The parser replays a content list
(no MinerU run) and notes every batch it is asked to parse."""

import json
import shutil
from pathlib import Path

import dagster as dg
import pytest

import definitions
from assets.plan import register_partitions
from resources.parsers import ParserBackend
from resources.storage import LocalArtifactStore
from schemas import artifacts
from schemas.blocks import ParsedBatchArtifact
from schemas.plan import Batch, BatchPlan, PlanParameters
from schemas.profile import DocumentProfile
from specmill.parse import normalize
from specmill.parse.normalize import normalize_content_list
from specmill.parse.parsed import build_artifact
from specmill.parse.resume import ParserIdentity, reusable_artifact, reuse_problem
from specmill.plan.batches import plan_batches
from specmill.sample import generate_sample
from specmill.source.describe import read_source
from specmill_cli.main import main


class ReplayParser(ParserBackend):
    """One content list replayed: each batch takes the items of its pages. `calls` is a file that
    gets a line per batch parsed (the resource is rebuilt per run, so it cannot count itself)."""

    content_list: str
    calls: str
    mineru_version: str = "4.0.12"

    def identity(self) -> ParserIdentity:
        return ParserIdentity("replay", "flash", "txt", self.mineru_version, normalize.NORMALIZER_VERSION)

    def parse_batch(self, pdf_path: str, batch: Batch) -> ParsedBatchArtifact:
        with open(self.calls, "a", encoding="utf-8") as calls:
            calls.write(batch.batch_id + "\n")
        items = json.loads(Path(self.content_list).read_text(encoding="utf-8"))
        blocks = [block for block in normalize_content_list(items) if batch.first_page <= block.page <= batch.last_page]
        return build_artifact(
            batch, blocks, backend="replay", mineru_version=self.mineru_version, tier="flash", ocr_mode="txt", seconds=0.5
        )


@pytest.fixture(scope="module")
def sample_source(tmp_path_factory: pytest.TempPathFactory):
    work = tmp_path_factory.mktemp("parse-reuse")
    document = generate_sample(work / "doc", pages=12)
    source, _ = read_source(Path(document.pdf_path), DocumentProfile())
    plan = plan_batches(source.outline.entries, source.page_count, PlanParameters(target_pages=6, max_pages=12), source.sha256)
    assert len(plan.batches) == 2  # a backfill of more than one partition, at the least cost
    content_list = work / "content_list.json"
    content_list.write_text(
        json.dumps([{"type": "text", "text": f"Text of page {page}.", "page_idx": page} for page in range(source.page_count)])
    )
    return document.pdf_path, source, plan, content_list


@pytest.fixture
def location(sample_source, tmp_path):
    """An output folder holding source.json and plan.json, an instance with the plan's partitions,
    and a way to backfill every partition with a given parser."""
    pdf_path, source, plan, content_list = sample_source
    store = LocalArtifactStore(root=str(tmp_path / "out"))
    store.write_model(artifacts.SOURCE, source)
    store.write_model(artifacts.PLAN, plan)
    (tmp_path / "dagster").mkdir()
    with dg.DagsterInstance.local_temp(str(tmp_path / "dagster")) as instance:
        register_partitions(instance, plan)

        def parser(name: str, **fields) -> ReplayParser:
            return ReplayParser(content_list=str(content_list), calls=str(tmp_path / f"{name}.calls"), **fields)

        def backfill(parser: ReplayParser, run_config: dict | None = None) -> dict[str, dict]:
            """Every partition through parse_batches; the latest materialization's metadata of each."""
            defs = definitions.build_definitions(
                definitions.build_resources(pdf_path=pdf_path, out_dir=store.root, parser=parser)
            )
            job = defs.resolve_job_def(definitions.PARSE_JOB)
            for batch in plan.batches:
                assert job.execute_in_process(instance=instance, partition_key=batch.batch_id, run_config=run_config).success
            return {batch.batch_id: latest_metadata(instance, batch.batch_id) for batch in plan.batches}

        yield store, plan, parser, backfill


def latest_metadata(instance: dg.DagsterInstance, batch_id: str) -> dict:
    (record,) = instance.fetch_materializations(
        dg.AssetRecordsFilter(asset_key=dg.AssetKey("parsed_batch"), asset_partitions=[batch_id]), limit=1
    ).records
    return {key: value.value for key, value in record.asset_materialization.metadata.items()}


def calls(parser: ReplayParser) -> list[str]:
    path = Path(parser.calls)
    return path.read_text().split() if path.exists() else []


def stored(store: LocalArtifactStore, plan: BatchPlan) -> dict[str, tuple[bytes, int]]:
    return {
        batch.batch_id: (path.read_bytes(), path.stat().st_mtime_ns)
        for batch in plan.batches
        for path in [store.path(artifacts.batch(batch.batch_id))]
    }


def test_a_backfill_over_complete_batches_parses_nothing_and_records_them_as_reused(location):
    store, plan, parser, backfill = location
    first = parser("first")
    parsed = backfill(first)
    assert calls(first) == [batch.batch_id for batch in plan.batches]
    assert {key: figures["reused"] for key, figures in parsed.items()} == dict.fromkeys(parsed, False)
    before = stored(store, plan)

    again = parser("again")
    reused = backfill(again)

    assert calls(again) == []
    assert stored(store, plan) == before  # same bytes, never rewritten
    for batch in plan.batches:
        record = ParsedBatchArtifact.model_validate_json(before[batch.batch_id][0]).record
        figures = reused[batch.batch_id]
        assert figures["reused"] is True
        # The figures of the run that parsed it, not of this one.
        assert (figures["seconds"], figures["blocks"], figures["backend"]) == (record.seconds, sum(record.block_counts.values()), "replay")
        assert (figures["first_pdf_page"], figures["last_pdf_page"]) == (batch.first_page + 1, batch.last_page + 1)


@pytest.mark.parametrize("change", ["mineru", "normalizer"])
def test_a_batch_made_by_another_mineru_or_normalizer_is_parsed_again(location, monkeypatch, change):
    store, plan, parser, backfill = location
    backfill(parser("first"))
    if change == "mineru":
        later = parser("later", mineru_version="4.0.13")
    else:
        monkeypatch.setattr(normalize, "NORMALIZER_VERSION", "bumped")
        later = parser("later")

    figures = backfill(later)

    assert calls(later) == [batch.batch_id for batch in plan.batches]
    assert {key: value["reused"] for key, value in figures.items()} == dict.fromkeys(figures, False)
    for batch in plan.batches:
        record = store.read_model(artifacts.batch(batch.batch_id), ParsedBatchArtifact).record
        assert (record.mineru_version, record.normalizer_version) == (
            later.identity().mineru_version, later.identity().normalizer_version,
        )


def test_force_parses_a_reusable_batch_again(location):
    _, plan, parser, backfill = location
    backfill(parser("first"))
    forced = parser("forced")
    figures = backfill(forced, run_config={"ops": {"parsed_batch": {"config": {"force": True}}}})
    assert calls(forced) == [batch.batch_id for batch in plan.batches]
    assert not any(value["reused"] for value in figures.values())


BATCH = Batch(batch_id="b00", first_page=0, last_page=2, clause_ids=["1"])
PLAN = BatchPlan(source_sha256="aa" * 32, page_count=3, parameters=PlanParameters(), batches=[BATCH])
IDENTITY = ParserIdentity("mineru-local", "flash", "txt", "4.0.12", normalize.NORMALIZER_VERSION)


def made_by_this_build() -> ParsedBatchArtifact:
    return build_artifact(BATCH, [], backend="mineru-local", mineru_version="4.0.12", tier="flash", ocr_mode="txt", seconds=1.0)


def test_a_record_written_before_normalizer_versions_is_not_reused():
    old = made_by_this_build()
    old = old.model_copy(update={"record": old.record.model_copy(update={"normalizer_version": None})})
    # As such a record was written: the field absent from the JSON.
    stored_bytes = json.dumps(
        {**old.model_dump(mode="json"), "record": old.record.model_dump(mode="json", exclude={"normalizer_version"})}
    ).encode()
    artifact, problem = reusable_artifact(stored_bytes, BATCH, PLAN, "aa" * 32, IDENTITY)
    assert artifact is None and "before batches recorded their normalizer version" in problem


def test_the_reason_for_parsing_again_names_what_differs():
    assert reuse_problem(made_by_this_build(), BATCH, PLAN, "aa" * 32, IDENTITY) is None
    newer = ParserIdentity("mineru-local", "flash", "txt", "4.1.0", normalize.NORMALIZER_VERSION)
    assert reuse_problem(made_by_this_build(), BATCH, PLAN, "aa" * 32, newer) == (
        "artifact made by mineru_version '4.0.12' (this build: '4.1.0')"
    )
    assert reusable_artifact(b"{half an artif", BATCH, PLAN, "aa" * 32, IDENTITY)[1].startswith("stored artifact does not validate")


def test_specmill_build_reuses_by_the_same_rule_and_parses_again_after_a_normalizer_change(tmp_path, monkeypatch, capsys):
    """The CLI decides before starting any run, with the asset's rule and the parser resource's
    identity: a rebuild parses nothing; a changed normalizer re-parses every batch."""
    monkeypatch.delenv("DAGSTER_HOME", raising=False)
    document = generate_sample(tmp_path / "doc", pages=10)
    source, _ = read_source(Path(document.pdf_path), DocumentProfile())
    content_list = tmp_path / "content_list.json"
    content_list.write_text(
        json.dumps([{"type": "text", "text": f"Text of page {page}.", "page_idx": page} for page in range(source.page_count)])
    )
    out = tmp_path / "out"
    build = ["build", document.pdf_path, "--out", str(out), "--stop-after", "parse", "--jobs", "1", "--mineru-output", str(content_list)]

    def parse_figures() -> dict:
        return json.loads((out / "summary.json").read_text())["stages"]["parse"]["figures"]

    assert main(build) == 0
    batches = len(BatchPlan.model_validate_json((out / "plan.json").read_bytes()).batches)
    assert (parse_figures()["batches_parsed"], parse_figures()["batches_reused"]) == (batches, 0)
    capsys.readouterr()

    # An instance that never recorded them (a run killed between writing and recording, here a
    # lost instance): the reused batches are recorded as the asset records them.
    shutil.rmtree(out / ".dagster")
    assert main(build) == 0
    assert (parse_figures()["batches_parsed"], parse_figures()["batches_reused"]) == (0, batches)
    assert capsys.readouterr().out.count(": reused (complete artifact from an earlier run)") == batches
    with dg.DagsterInstance.from_config(str(out / ".dagster")) as instance:
        for batch_id in instance.get_dynamic_partitions("batches"):
            figures = latest_metadata(instance, batch_id)
            stored = store_record(out, batch_id)
            assert figures["reused"] is True and (figures["seconds"], figures["backend"]) == (stored.seconds, "mineru-output")

    made_by = normalize.NORMALIZER_VERSION
    monkeypatch.setattr(normalize, "NORMALIZER_VERSION", "bumped")
    assert main(build) == 0
    assert (parse_figures()["batches_parsed"], parse_figures()["batches_reused"]) == (batches, 0)
    assert f"parsing again (artifact made by normalizer_version '{made_by}' (this build: 'bumped'))" in capsys.readouterr().out


def store_record(out: Path, batch_id: str):
    return ParsedBatchArtifact.model_validate_json((out / artifacts.batch(batch_id)).read_bytes()).record
