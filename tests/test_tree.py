"""The clause tree on disk: folders, barrels, leaves, root index, empty clauses, atomic swap."""

from pathlib import Path

import pytest

from schemas.blocks import Block
from schemas.outline import OutlineEntry
from schemas.tree import TreeRules
from specmill.tree.segment import segment_blocks
from specmill.tree.write import build_clause_tree, render_clause_tree, short_slug, wait_for_discarded_trees, write_tree
from specmill.tree.audit import (
    dangling_links,
    empty_code_fences,
    misplaced_blocks,
    missing_clauses,
    ragged_tables,
    unreachable_files,
)


def text(body: str, page: int, level: int | None = None) -> Block:
    return Block(type="text", text=body, page=page, text_level=level)


OUTLINE = [
    OutlineEntry(clause_id="17", title="WordprocessingML Reference", level=1, page=1),
    OutlineEntry(clause_id="17.4", title="Tables", level=2, page=1),
    OutlineEntry(clause_id="17.4.37", title="tbl (Table)", level=3, page=2),
    OutlineEntry(clause_id="17.4.38", title="tblPr (Table Properties)", level=3, page=3),
    OutlineEntry(clause_id="17.4.39", title="tblW (Preferred Table Width)", level=3, page=3),
]
BLOCKS = [
    text("ECMA-376 Part 1", 0, 1),
    text("17 WordprocessingML Reference", 1, 2),
    text("This clause describes WordprocessingML.", 1),
    text("17.4 Tables", 1, 2),
    text("17.4.37 tbl (Table)", 2, 2),
    text("This element specifies the contents of a table.", 2),
    Block(type="code", code_body="<w:tbl>\n  <w:tr/>\n</w:tbl>", page=2),
    text("17.4.38 tblPr (Table Properties)", 3, 2),
    Block(type="table", table_body="<table><tr><td>Name</td><td>Type</td></tr><tr><td>val</td><td>ST_OnOff</td></tr></table>", page=3),
    text("17.4.39 tblW (Preferred Table Width)", 3, 2),
]


@pytest.fixture()
def written(tmp_path: Path):
    tree = segment_blocks(BLOCKS, OUTLINE)
    report = build_clause_tree(tree, tmp_path / "tree", document_title="ECMA-376 Part 1")
    return tmp_path / "tree", report


def test_layout_has_folders_barrels_leaves_and_a_root_index(written):
    root, report = written
    paths = sorted(f.path for f in report.files)
    assert paths == [
        "0-front-matter.md",
        "17-WordprocessingML-reference/17-0-index.md",
        "17-WordprocessingML-reference/17-4-tables/17-4-0-index.md",
        "17-WordprocessingML-reference/17-4-tables/17-4-37-tbl-table.md",
        "17-WordprocessingML-reference/17-4-tables/17-4-38-tblPr-table-properties.md",
        "index.md",
    ]
    assert (report.barrels, report.leaves) == (2, 3)
    assert all((root / p).is_file() for p in paths)


def test_barrel_holds_its_prose_then_a_child_index_and_empty_clause_has_no_link(written):
    root, report = written
    barrel = (root / "17-WordprocessingML-reference/17-4-tables/17-4-0-index.md").read_text()
    assert "- [17.4.37 tbl (Table)](17-4-37-tbl-table.md)" in barrel
    assert "- 17.4.39 tblW (Preferred Table Width) *(no content)*" in barrel
    assert [(e.section, e.listed_in) for e in report.empty_clauses] == [
        ("17.4.39", "17-WordprocessingML-reference/17-4-tables/17-4-0-index.md")
    ]
    top = (root / "17-WordprocessingML-reference/17-0-index.md").read_text()
    assert top.index("This clause describes WordprocessingML.") < top.index("## Contents")


def test_leaf_file_has_heading_pages_up_link_and_content(written):
    root, _ = written
    leaf = (root / "17-WordprocessingML-reference/17-4-tables/17-4-37-tbl-table.md").read_text()
    assert leaf.startswith("# 17.4.37 tbl (Table)\n\n<!-- 17.4.37: PDF page 3 -->\n\nUp: [17.4 Tables](17-4-0-index.md)\n\n")
    assert "```xml\n<w:tbl>" in leaf


def test_audits_pass_on_a_good_tree(written):
    root, report = written
    assert missing_clauses(report, root) == []
    assert unreachable_files(root) == []
    assert dangling_links(root) == []
    assert empty_code_fences(root) == []
    assert ragged_tables(root) == []
    assert misplaced_blocks(report) == []


def test_audits_find_unreachable_files_empty_fences_and_ragged_tables(written):
    root, report = written
    (root / "orphan.md").write_text("# orphan\n\n```\n```\n\n| a | b |\n| --- |\n")
    assert unreachable_files(root) == ["orphan.md"]
    assert empty_code_fences(root) == ["orphan.md:3"]
    assert ragged_tables(root) == ["orphan.md:6 ([1, 2])"]
    (root / "17-WordprocessingML-reference/17-4-tables/17-4-37-tbl-table.md").unlink()
    assert missing_clauses(report, root) == ["17.4.37"]


def test_empty_clauses_say_why_and_a_lost_heading_is_a_missing_clause(tmp_path: Path):
    # 17.4.39's heading is found with nothing after it: legitimately empty. 17.4.38's heading
    # never arrives, so its table lands in 17.4.37: a lost clause, even though it is listed.
    blocks = [b for b in BLOCKS if not b.text.startswith("17.4.38")]
    tree = segment_blocks(blocks, OUTLINE)
    report = build_clause_tree(tree, tmp_path / "tree", document_title="T")
    reasons = {e.section: e.reason for e in report.empty_clauses}
    assert reasons == {"17.4.38": "heading_not_found", "17.4.39": "heading_then_next_heading"}
    assert missing_clauses(report, tmp_path / "tree") == ["17.4.38"]


def test_misplaced_blocks_carry_their_type_page_and_a_preview(tmp_path: Path):
    # The heading of 17.4.38 (page 3) is lost, so its table (page 3) stays in 17.4.37, whose
    # span ends where the next found clause starts... make the table sit two pages further on.
    blocks = [b for b in BLOCKS if not b.text.startswith(("17.4.38", "17.4.39"))]
    blocks.append(Block(type="table", table_body="<table><tr><td>late</td></tr></table>", page=5))
    report = build_clause_tree(segment_blocks(blocks, OUTLINE), tmp_path / "tree", document_title="T")
    found = [m for m in misplaced_blocks(report) if m.page == 5]
    assert found and found[0].block_type == "table" and "late" in found[0].preview


def test_same_input_gives_the_same_bytes():
    first, _ = render_clause_tree(segment_blocks(BLOCKS, OUTLINE), document_title="T")
    second, _ = render_clause_tree(segment_blocks(BLOCKS, OUTLINE), document_title="T")
    assert first == second


def test_write_swaps_the_whole_tree_and_removes_leftovers(tmp_path: Path):
    target = tmp_path / "tree"
    write_tree({"index.md": b"old\n", "gone.md": b"x\n"}, target)
    (tmp_path / ".tree.new-999").mkdir()  # a crashed earlier run
    write_tree({"index.md": b"new\n"}, target)
    assert sorted(p.name for p in target.iterdir()) == ["index.md"]
    assert (target / "index.md").read_bytes() == b"new\n"
    wait_for_discarded_trees()  # the old tree is deleted in the background
    assert sorted(p.name for p in tmp_path.iterdir()) == ["tree"]


def test_data_uri_images_are_stored_once_and_linked_relatively(tmp_path: Path):
    png = "data:image/png;base64,iVBORw0KGgo="
    blocks = BLOCKS[:6] + [Block(type="image", img_path=png, page=2), Block(type="equation", img_path=png, page=2)]
    files, report = render_clause_tree(segment_blocks(blocks, OUTLINE), document_title="T")
    images = [p for p in files if p.startswith("_images/")]
    assert len(images) == 1 and report.images_copied == 1
    leaf = files["17-WordprocessingML-reference/17-4-tables/17-4-37-tbl-table.md"].decode()
    assert f"](../../{images[0]})" in leaf


@pytest.mark.parametrize(
    "title, slug",
    [("tbl (Table)", "tbl-table"), ("tblPr (Table Properties)", "tblPr-table-properties"),
     ("XML Schema", "xml-schema"), ("WordprocessingML Reference", "WordprocessingML-reference"), ("Beginn der Rechtsfähigkeit", "beginn-der-rechtsfahigkeit")],
)
def test_short_slug_keeps_camel_case_tags(title, slug):
    assert short_slug(title, TreeRules()) == slug


@pytest.mark.corpus
@pytest.mark.slow
def test_odf13_packages_tree_has_every_clause_and_passes_the_audits(corpus_dir: Path, tmp_path: Path):
    """Real MinerU 4 flash parse of specs/odf13-packages (36 pages) through segment, render, write."""
    from schemas.profile import DocumentProfile
    from specmill.parse.mineru_local import parse_pages
    from specmill.parse.normalize import normalize_content_list
    from specmill.source.describe import describe_source
    from specmill.source.textlayer import PdfTextLayer

    pdf = corpus_dir / "specs" / "odf13-packages" / "spec.pdf"
    source = describe_source(pdf, DocumentProfile())
    content_list, _seconds = parse_pages(pdf, 0, source.page_count - 1, tier="flash", ocr_mode="txt")
    blocks = normalize_content_list(content_list)
    with PdfTextLayer(pdf) as layer:
        tree = segment_blocks(blocks, source.outline.entries, recover_text=layer.text_under)
    report = build_clause_tree(tree, tmp_path / "tree", document_title="odf13")
    root = tmp_path / "tree"
    assert report.segmentation.clauses_total == len(source.outline.entries) == 86
    assert not report.segmentation.missed, [m.key for m in report.segmentation.missed]
    assert missing_clauses(report, root) == []
    assert misplaced_blocks(report) == []
    assert unreachable_files(root) == [] and dangling_links(root) == []
    assert empty_code_fences(root) == [] and ragged_tables(root) == []
    leaf = next(root.rglob("4-3-*.md")).read_text()
    assert leaf.startswith("# 4.3 `<manifest:file-entry>`")


def test_a_clause_heading_keeps_the_id_as_the_document_prints_it(tmp_path: Path):
    outline = [OutlineEntry(clause_id="1", title="Scope", level=1, page=0),
               OutlineEntry(clause_id="Annex A", label="Appendix A", title="Acknowledgments", level=1, page=1)]
    blocks = [text("1 Scope", 0, 1), text("This document...", 0), text("Appendix A. Acknowledgments", 1, 1), text("Thanks to...", 1)]
    files, report = render_clause_tree(segment_blocks(blocks, outline), document_title="T")
    annex = next(f for f in report.files if f.section == "Annex A")
    assert files[annex.path].decode().startswith("# Appendix A Acknowledgments\n")
