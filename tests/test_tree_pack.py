"""Packed trees: deterministic archives, the store's packed-tree keys, and the store's
read-after-write cache (a re-written artifact is never served stale)."""

import os

import pytest

from resources.storage import LocalArtifactStore
from schemas.plan import BatchPlan, PlanParameters
from specmill.errors import ArtifactError
from specmill.tree.pack import pack_tree, unpack_tree

TREE = {"index.md": b"# Root\n", "17/index.md": b"# 17\n", "17/17-1-para.md": "§ 17.1 ü\n".encode(), "images/a.png": b"\x89PNG\0"}


def test_a_packed_tree_round_trips_and_has_the_same_bytes_every_time():
    data = pack_tree(TREE)
    assert unpack_tree(data) == TREE
    assert pack_tree(dict(reversed(list(TREE.items())))) == data  # order of the dict does not matter


def test_the_store_keeps_a_zip_keyed_tree_as_one_archive(tmp_path):
    store = LocalArtifactStore(root=str(tmp_path))
    store.write_tree("tree.zip", TREE)
    assert (tmp_path / "tree.zip").is_file() and not (tmp_path / "tree.zip").is_dir()
    assert store.tree_exists("tree.zip") and store.read_tree("tree.zip") == TREE
    # A caller adding to what it read does not change what the next reader gets.
    store.read_tree("tree.zip")["extra.md"] = b"x"
    assert store.read_tree("tree.zip") == TREE
    # tree_path unpacks a copy for code that walks folders.
    folder = store.tree_path("tree.zip")
    assert (folder / "17" / "17-1-para.md").read_text(encoding="utf-8") == "§ 17.1 ü\n"


def test_a_folder_tree_is_still_a_folder(tmp_path):
    store = LocalArtifactStore(root=str(tmp_path))
    store.write_tree("corpus", TREE)
    assert (tmp_path / "corpus" / "17" / "index.md").read_bytes() == b"# 17\n"
    assert store.read_tree("corpus") == TREE


def test_a_damaged_packed_tree_is_refused_by_name(tmp_path):
    store = LocalArtifactStore(root=str(tmp_path))
    (tmp_path / "linked.zip").write_bytes(b"PK\x03\x04 not really a zip")
    with pytest.raises(ArtifactError, match="linked.zip is damaged"):
        store.read_tree("linked.zip")


def test_a_packed_tree_refuses_member_names_that_climb_out(tmp_path):
    import io
    import zipfile

    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("../escape.md", b"x")
    (tmp_path / "tree.zip").write_bytes(buffer.getvalue())
    with pytest.raises(ArtifactError, match="damaged"):
        LocalArtifactStore(root=str(tmp_path)).read_tree("tree.zip")


def test_a_rewritten_artifact_is_read_in_its_new_version(tmp_path):
    store = LocalArtifactStore(root=str(tmp_path))
    first = BatchPlan(source_sha256="a" * 64, page_count=10, parameters=PlanParameters(), batches=[])
    store.write_model("plan.json", first)
    assert store.read_model("plan.json", BatchPlan) is first  # just written: not parsed back
    # Another process replaces the files (atomically, as every writer here does).
    replace(tmp_path / "plan.json", first.model_copy(update={"page_count": 11}).model_dump_json().encode())
    assert store.read_model("plan.json", BatchPlan).page_count == 11
    store.write_tree("tree.zip", {"index.md": b"v1"})
    replace(tmp_path / "tree.zip", pack_tree({"index.md": b"v2, written by another process"}))
    assert store.read_tree("tree.zip") == {"index.md": b"v2, written by another process"}


def replace(path, data: bytes) -> None:
    temp = path.with_name(path.name + ".new")
    temp.write_bytes(data)
    os.replace(temp, path)
