"""--mineru-output: one content list, a MinerU output folder, or per-batch folders with offsets."""

import json
import shutil
from pathlib import Path

import pytest

from schemas.blocks import Block
from schemas.plan import Batch
from schemas.tree import ClauseTree, SegmentationReport, Section
from specmill.parse.mineru_output import MineruOutputError, discover_parts, load_mineru_output, read_mineru_output
from specmill.tree.write import render_clause_tree
from tests.pdf_factory import PageSpec, body, make_pdf

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
    # images/ is not in the corpus copy: a missing image keeps its path, and the tree reports it missing.
    assert image.img_path == image.raw["img_path"]


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


PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 16  # enough of a PNG for a file that is only copied


def _tree_of(blocks: list[Block]) -> tuple[dict[str, bytes], list[str]]:
    """The tree files and the missing images when `blocks` are one clause's content."""
    report = SegmentationReport(
        clauses_total=1, matched=[], missed=[], out_of_order=[], blocks_in=len(blocks), blocks_assigned=len(blocks),
        front_matter_blocks=0, furniture_dropped={},
    )
    section = Section(key="1", clause_id="1", title="Scope", level=1, outline_index=0, outline_page=0, blocks=blocks)
    files, tree_report = render_clause_tree(ClauseTree(sections=[section], report=report), document_title="doc")
    return files, tree_report.images_missing


def test_image_paths_leading_out_of_the_output_folder_are_refused_reported_and_never_copied(tmp_path: Path):
    secret = tmp_path / "secret.png"  # outside the output folder, named like an image
    secret.write_bytes(b"SECRET-BYTES")
    output = tmp_path / "out"
    (output / "images").mkdir(parents=True)
    (output / "images" / "figure.png").write_bytes(PNG)
    (output / "images" / "link.png").symlink_to(secret)
    (output / "images" / "notes.txt").write_text("not an image")
    hostile = ["/etc/passwd", "../../../../etc/hostname", "../secret.png", "images/link.png", "images/notes.txt", str(secret)]
    items = [{"type": "image", "img_path": "images/figure.png", "page_idx": 0}]
    items += [{"type": "image", "img_path": path, "page_idx": 0} for path in hostile]
    (output / "content_list.json").write_text(json.dumps(items))

    result = read_mineru_output(output)

    assert result.blocks[0].img_path.startswith("data:image/png;base64,")
    assert [block.img_path for block in result.blocks[1:]] == hostile  # kept as text, never read
    assert len(result.warnings) == len(hostile)
    assert all("refused" in w.message and repr(path) in w.message for w, path in zip(result.warnings, hostile))
    files, missing = _tree_of(result.blocks)
    copied = [data for path, data in files.items() if path.startswith("_images/")]
    assert copied == [PNG]
    assert missing == hostile


def test_a_parsed_batch_records_images_refused_and_items_past_the_last_pdf_page(tmp_path: Path):
    from resources.parsers import MineruOutputParser

    pdf = make_pdf(tmp_path / "doc.pdf", [PageSpec(lines=[body()]), PageSpec(lines=[body()])])
    output = tmp_path / "out"
    output.mkdir()
    items = [
        {"type": "text", "text": "Inside.", "page_idx": 1},
        {"type": "image", "img_path": "/etc/hostname", "page_idx": 1},
        {"type": "text", "text": "Beyond the end.", "page_idx": 7},
        {"type": "text", "text": "Also beyond.", "page_idx": 9},
    ]
    (output / "content_list.json").write_text(json.dumps(items))
    parser = MineruOutputParser(path=str(output))

    first = parser.parse_batch(str(pdf), Batch(batch_id="b00", first_page=0, last_page=0, clause_ids=[]))
    last = parser.parse_batch(str(pdf), Batch(batch_id="b01", first_page=1, last_page=1, clause_ids=[]))

    assert first.record.warnings == []
    assert [block.text for block in last.blocks if block.type == "text"] == ["Inside."]
    refused, past = last.record.warnings
    assert "'/etc/hostname' refused" in refused
    assert past.startswith("2 content-list item(s) on page(s) 7, 9, past the PDF's last page 1: dropped")
