"""S3ArtifactStore against a real S3-compatible server (SeaweedFS): the LocalArtifactStore
interface, the same bytes for the same model, complete objects only, trees replaced whole."""

from __future__ import annotations

import pytest

from resources.s3_storage import S3ArtifactStore
from resources.storage import LocalArtifactStore
from schemas.plan import Batch, BatchPlan, PlanParameters
from specmill.errors import ArtifactError
from tests.runpod.conftest import BUCKET

pytestmark = pytest.mark.slow

PLAN = BatchPlan(
    source_sha256="ab" * 32, page_count=7, parameters=PlanParameters(),
    batches=[Batch(batch_id="b00", first_page=0, last_page=3, clause_ids=["1"]), Batch(batch_id="b01", first_page=4, last_page=6, clause_ids=["2"])],
)


@pytest.fixture
def store(seaweed, request) -> S3ArtifactStore:
    return S3ArtifactStore(
        bucket=BUCKET, prefix=f"store-tests/{request.node.name}", endpoint_url=seaweed.endpoint_url,
        region_name=seaweed.region, aws_access_key_id=seaweed.access_key, aws_secret_access_key=seaweed.secret_key,
        use_ssl=False,
    )


def test_models_round_trip_with_the_same_bytes_and_keys_as_local_disk(store, seaweed, tmp_path):
    local = LocalArtifactStore(root=str(tmp_path))
    assert store.write_model("plan.json", PLAN) == f"s3://{BUCKET}/{store.prefix}/plan.json"
    local.write_model("plan.json", PLAN)
    stored = seaweed.client().get_object(Bucket=BUCKET, Key=f"{store.prefix}/plan.json")["Body"].read()
    assert stored == (tmp_path / "plan.json").read_bytes()
    assert store.read_model("plan.json", BatchPlan) == PLAN
    assert store.exists("plan.json") and not store.exists("batches/b00.json")
    assert store.read_model_if_exists("batches/b00.json", BatchPlan) is None
    store.write_text("findings.md", "# Findings\n")
    assert store.read_bytes("findings.md") == b"# Findings\n"


def test_missing_or_mismatched_artifacts_are_named_errors(store):
    with pytest.raises(ArtifactError, match="plan.json not found.*materialize"):
        store.read_model("plan.json", BatchPlan)
    store.write_text("plan.json", '{"not": "a plan"}')
    with pytest.raises(ArtifactError, match="does not match BatchPlan"):
        store.read_model("plan.json", BatchPlan)
    with pytest.raises(ArtifactError, match="plain relative path"):
        store.write_text("../outside.json", "{}")


def test_writes_leave_no_temporary_objects(store, seaweed):
    store.write_model("plan.json", PLAN)
    store.write_tree("tree", {"index.md": b"# Root\n", "17/index.md": b"# 17\n"})
    listed = seaweed.client().list_objects_v2(Bucket=BUCKET, Prefix=store.prefix + "/")
    keys = sorted(item["Key"][len(store.prefix) + 1 :] for item in listed["Contents"])
    assert keys == ["plan.json", "tree.manifest.json", "tree/17/index.md", "tree/index.md"]


def test_a_tree_is_replaced_whole_and_read_back_as_one_version(store, tmp_path):
    store.write_tree("tree", {"index.md": b"v1", "1/index.md": b"one", "2/index.md": b"two"})
    store.write_tree("tree", {"index.md": b"v2", "1/index.md": b"one"})
    assert store.read_tree("tree") == {"index.md": b"v2", "1/index.md": b"one"}
    assert not store.exists("tree/2/index.md")  # the stale file is gone
    local_copy = store.tree_path("tree")
    assert sorted(p.relative_to(local_copy).as_posix() for p in local_copy.rglob("*") if p.is_file()) == ["1/index.md", "index.md"]
    assert (local_copy / "index.md").read_bytes() == b"v2"


def test_a_packed_tree_is_one_object_with_the_same_bytes_as_on_local_disk(store, seaweed, tmp_path):
    files = {"index.md": b"# Root\n", "17/index.md": b"# 17\n"}
    store.write_tree("tree.zip", files)
    LocalArtifactStore(root=str(tmp_path)).write_tree("tree.zip", files)
    listed = seaweed.client().list_objects_v2(Bucket=BUCKET, Prefix=store.prefix + "/")
    assert [item["Key"][len(store.prefix) + 1 :] for item in listed["Contents"]] == ["tree.zip"]
    assert store.read_bytes("tree.zip") == (tmp_path / "tree.zip").read_bytes()
    assert store.tree_exists("tree.zip") and store.read_tree("tree.zip") == files


def test_a_reader_racing_a_writer_gets_an_error_not_a_mix(store):
    store.write_tree("tree", {"index.md": b"v1"})
    store.write_bytes("tree/index.md", b"half of v2")  # a writer between its files and its manifest
    with pytest.raises(ArtifactError, match="changed while it was read"):
        store.read_tree("tree")
    assert not store.tree_exists("linked")


def test_the_whole_graph_runs_on_s3_with_the_same_layout_and_bytes_as_local_disk(store, tmp_path):
    """Every asset and check against the S3 store: the corpus equals a local-disk run's, key for key."""
    import dagster as dg

    import definitions
    from resources.parsers import MineruLocalParser
    from resources.settings import SpecmillSettings
    from specmill.sample import generate_sample

    document = generate_sample(tmp_path / "doc", pages=10)
    settings = SpecmillSettings(pdf_path=document.pdf_path, schema_paths=[document.xsd_path])
    parser = MineruLocalParser(mineru_home=str(tmp_path / "mineru-home"))
    local = LocalArtifactStore(root=str(tmp_path / "local"))
    corpus_stages = [asset for stage in definitions.CORPUS_STAGES.values() for asset in stage]
    for target in (store, local):
        resources = {"settings": settings, "store": target, "parser": parser}
        everything = [*definitions.ALL_ASSETS, *definitions.ALL_CHECKS]
        with dg.DagsterInstance.ephemeral() as instance:
            plan_run = dg.materialize(everything, selection=["source_pdf", "batch_plan"], resources=resources, instance=instance)
            assert plan_run.success
            for key in instance.get_dynamic_partitions("batches"):
                assert dg.materialize(everything, selection=["parsed_batch"], partition_key=key, resources=resources, instance=instance).success
            corpus_run = dg.materialize(everything, selection=corpus_stages, resources=resources, instance=instance)
            assert corpus_run.success
            assert all(e.passed for e in corpus_run.get_asset_check_evaluations() if e.severity == dg.AssetCheckSeverity.ERROR)
    assert store.read_tree("corpus") == local.read_tree("corpus")
    assert store.read_bytes("plan.json") == local.read_bytes("plan.json")
    assert store.uri("corpus").startswith("s3://")
