"""Images, equations and charts: linked to their file, with caption and description."""

import pytest

from schemas.blocks import Block
from specmill.tree.render import render_block
from tests.render_corpus import first_block

EMNLP_3X = "ZhangCurosr_mineru-emnlp2024-001__emnlp2024_main_123_code"
EMNLP_4X = "generated_mineru-4.0.12-flash__emnlp2024_main_123_pdf"
DOCX_4X = "generated_mineru-4.0.12-flash__mineru_demo_docx_01"


@pytest.mark.corpus
def test_image_is_linked_with_its_caption(corpus_dir):
    block = first_block(corpus_dir, EMNLP_3X, lambda b: b.type == "image" and b.captions)
    rendered = render_block(block, link_image=lambda path: "../_images/x.jpg")
    assert rendered.startswith(f"![{block.captions[0]}](../_images/x.jpg)")
    assert block.captions[0] in rendered.split("\n\n")[1]


@pytest.mark.corpus
def test_unavailable_image_gives_a_note_not_a_dangling_link(corpus_dir):
    block = first_block(corpus_dir, EMNLP_3X, lambda b: b.type == "image")
    rendered = render_block(block, link_image=lambda path: None)
    assert "](" not in rendered
    assert "*[image not available]*" in rendered


@pytest.mark.corpus
def test_equation_renders_display_math(corpus_dir):
    block = first_block(corpus_dir, EMNLP_3X, lambda b: b.type == "equation")
    assert render_block(block) == "$$\ns = L L M ( c ) , q = L L M ( s , c ) .\\tag{1}\n$$"


@pytest.mark.corpus
def test_image_only_equation_links_its_image(corpus_dir):
    block = first_block(corpus_dir, EMNLP_4X, lambda b: b.type == "equation")
    assert render_block(block, link_image=lambda p: p) == f"![equation]({block.img_path})"


@pytest.mark.corpus
def test_chart_with_a_data_table_renders_the_table(corpus_dir):
    block = first_block(corpus_dir, DOCX_4X, lambda b: b.type == "chart")
    rendered = render_block(block)
    assert rendered.startswith("Chart 1: This is an easy line chart")
    assert "| Series 7 |" in rendered.split("\n")[2]


def test_image_description_is_a_quote():
    block = Block(type="image", img_path="images/a.jpg", description="A bar chart\nof timings", page=0)
    assert render_block(block, link_image=lambda p: p) == "![image](images/a.jpg)\n\n> A bar chart\n> of timings"


def test_a_diagrams_labels_are_quoted_without_their_layout_spaces():
    # genericode page 19: MinerU flash gives a UML figure the text under it as its description.
    block = Block(type="image", page=19, img_path="", description="Row\nKey\n0..*        «use»        1..*\nIllustration 10: Simple code lists")
    rendered = render_block(block)
    assert "> 0..* «use» 1..*" in rendered and "        " not in rendered
