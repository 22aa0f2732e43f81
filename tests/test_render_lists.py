"""List rendering: no doubled bullets, ordered items keep their numbers, 4.x nesting."""

import pytest

from schemas.blocks import Block
from specmill.tree.render import render_block
from tests.render_corpus import first_block

HANDMADE_4X = "generated_mineru-4.0.12-flash__handmade_code_html"
DOCX_4X = "generated_mineru-4.0.12-flash__mineru_demo_docx_01"
KNN_3X = "ZhangCurosr_mineru-naacl2024-001__naacl2024_long_19_knn_icl"


def items(*entries: str) -> Block:
    return Block(type="list", list_items=list(entries), page=0)


@pytest.mark.corpus
def test_flattened_4x_list_nests_bullets_under_numbered_items(corpus_dir):
    block = first_block(corpus_dir, HANDMADE_4X, lambda b: b.type == "list")
    assert render_block(block) == "1. Create a venv\n2. Install the package\n    - with pip\n    - with uv\n3. Run it"


@pytest.mark.corpus
def test_reference_list_items_are_bullets(corpus_dir):
    block = first_block(corpus_dir, KNN_3X, lambda b: b.type == "list" and b.sub_type == "ref_text")
    lines = render_block(block).split("\n")
    assert len(lines) == len(block.list_items)
    assert all(line.startswith("- ") for line in lines)


@pytest.mark.corpus
def test_index_links_to_anchors_are_unwrapped(corpus_dir):
    block = first_block(corpus_dir, DOCX_4X, lambda b: b.type == "index")
    rendered = render_block(block)
    assert "](#_Toc" not in rendered
    assert "1.1 Some images" in rendered


def test_any_number_of_leading_glyphs_gives_one_bullet():
    assert render_block(items("• • first", "- • second", "▪second-level-free")) == "- first\n- second\n- second-level-free"


def test_ordered_items_keep_their_numbers():
    assert render_block(items("3. third", "4) fourth")) == "3. third\n4) fourth"


def test_other_markers_are_kept_after_a_dash():
    assert render_block(items("(a) alpha", "iv. four")) == "- (a) alpha\n- iv. four"


def test_indentation_becomes_nesting():
    assert render_block(items("1. top", "    1. inner")) == "1. top\n    1. inner"
