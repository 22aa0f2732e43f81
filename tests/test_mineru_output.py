"""--mineru-output: one content list, a MinerU output folder, or per-batch folders with offsets."""

import json
import shutil
from pathlib import Path

import pytest

from specmill.mineru_output import MineruOutputError, discover_parts, load_mineru_output, read_image_file

SAMPLE = "generated_mineru-4.0.12-flash__emnlp2024_main_123_pdf"


@pytest.fixture()
def content_list(corpus_dir: Path) -> Path:
    return corpus_dir / "mineru" / SAMPLE / "content_list.json"


@pytest.mark.corpus
def test_one_content_list_file_is_the_whole_document(content_list: Path):
    blocks = load_mineru_output(content_list)
    items = json.loads(content_list.read_text())
    assert {b.page for b in blocks} == {i["page_idx"] for i in items}
    image = next(b for b in blocks if b.img_path)
    # Relative image paths are resolved against the content list's folder (images/ is not in the corpus copy).
    assert image.img_path == str((content_list.parent / image.raw["img_path"]).resolve())
    assert read_image_file(image.img_path) is None and read_image_file(str(content_list)) is not None


@pytest.mark.corpus
def test_output_folder_with_one_nested_content_list(content_list: Path, tmp_path: Path):
    nested = tmp_path / "doc" / "auto"
    nested.mkdir(parents=True)
    shutil.copy(content_list, nested / "doc_content_list.json")
    shutil.copy(content_list.parent / "content_list_v2.json", nested / "doc_content_list_v2.json")  # ignored
    assert [p.content_list.name for p in discover_parts(tmp_path / "doc")] == ["doc_content_list.json"]


@pytest.mark.corpus
def test_batch_folders_with_offsets_make_pages_absolute(content_list: Path, tmp_path: Path):
    items = json.loads(content_list.read_text())
    first = [i for i in items if i["page_idx"] < 5]
    second = [{**i, "page_idx": i["page_idx"] - 5} for i in items if i["page_idx"] >= 5]
    for name, part in (("b00", first), ("b01", second)):
        (tmp_path / name).mkdir()
        (tmp_path / name / "content_list.json").write_text(json.dumps(part))
    (tmp_path / "offsets.json").write_text(json.dumps({"b00": 0, "b01": 5}))
    blocks = load_mineru_output(tmp_path)
    assert sorted({b.page for b in blocks}) == sorted({i["page_idx"] for i in items})


def test_batch_folders_without_offsets_claiming_the_same_page_are_rejected(tmp_path: Path):
    for name in ("b00", "b01"):
        (tmp_path / name).mkdir()
        (tmp_path / name / "content_list.json").write_text(json.dumps([{"type": "text", "text": "x", "page_idx": 0}]))
    with pytest.raises(MineruOutputError, match="page 0 comes from both"):
        load_mineru_output(tmp_path)


def test_offsets_file_must_list_every_batch(tmp_path: Path):
    (tmp_path / "b00").mkdir()
    (tmp_path / "b00" / "content_list.json").write_text("[]")
    (tmp_path / "offsets.json").write_text("{}")
    with pytest.raises(MineruOutputError, match="no offset for subfolder 'b00'"):
        discover_parts(tmp_path)


def test_missing_path_is_a_clear_error(tmp_path: Path):
    with pytest.raises(MineruOutputError, match="no such file or folder"):
        discover_parts(tmp_path / "nope")
