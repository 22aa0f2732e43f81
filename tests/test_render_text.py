"""Prose rendering: paragraphs, minor headings, sentence-like text_level blocks, inline clean-up."""

import pytest

from schemas.blocks import Block
from specmill.tree.render import render_block, render_blocks
from specmill.tree.render.inline import clean_inline
from specmill.tree.audit import dangling_links
from tests.render_corpus import first_block

EMNLP_3X = "ZhangCurosr_mineru-emnlp2024-001__emnlp2024_main_123_code"


def text(body: str, level: int | None = None) -> Block:
    return Block(type="text", text=body, page=0, text_level=level)


@pytest.mark.corpus
def test_short_text_level_block_is_a_bold_line(corpus_dir):
    block = first_block(corpus_dir, EMNLP_3X, lambda b: b.text == "Abstract")
    assert block.text_level is not None
    assert render_block(block) == "**Abstract**"


@pytest.mark.corpus
def test_paragraph_keeps_its_text_without_markdown_escapes(corpus_dir):
    block = first_block(corpus_dir, EMNLP_3X, lambda b: "export_nb calls" in b.text)
    rendered = render_block(block)
    assert "Function export_nb calls function savefile" in rendered
    assert "\\_" not in rendered


def test_sentence_with_a_text_level_is_prose():
    # ecma376-style "This clause is informative." arrives with a text_level.
    assert render_block(text("This clause is informative.", 2)) == "This clause is informative."


def test_long_text_level_block_is_prose():
    long = "Consumers shall merge the glossary rule set lazily and shall not reject the paragraph alignment unless asked"
    assert render_block(text(long, 2)) == long


def test_section_sign_wrapped_in_math_is_unwrapped():
    assert clean_inline("see $§17.4.62$ and $\\S 2.1$") == "see §17.4.62 and §2.1"


def test_escaped_dash_is_a_dash():
    assert clean_inline("1. \\-------") == "1. -------"


def test_inline_xml_in_math_becomes_code():
    assert clean_inline("the $<w:tbl>$ element") == "the `<w:tbl>` element"


def test_namespaced_tag_in_prose_is_protected_but_inline_html_is_not():
    # odf13-packages (4.0.12 flash): "The &lt;manifest:manifest&gt; element ..." with <u> underlines.
    rendered = clean_inline("The <manifest:manifest> element has <u>children</u> x<sup>2</sup>")
    # The underline of a PDF hyperlink is dropped (Markdown has none); other inline HTML stays.
    assert rendered == "The `<manifest:manifest>` element has children x<sup>2</sup>"


def test_text_that_would_become_a_heading_or_fence_is_escaped():
    assert render_block(text("# not a heading")) == "\\# not a heading"
    assert render_block(text("```not a fence")).startswith("\\```")


def test_bulleted_text_blocks_become_one_list_without_doubled_bullets():
    # odf13-packages: flash emits each bullet as its own text block.
    blocks = [text("• A list of all of the files in the package."), text("• • The MIME media type of each file.")]
    assert render_blocks(blocks) == "- A list of all of the files in the package.\n- The MIME media type of each file."


def test_page_footnote_stays_a_paragraph():
    block = Block(type="page_footnote", text="*Corresponding Author.", page=0)
    assert render_block(block) == "*Corresponding Author."


def test_furniture_renders_nothing():
    assert render_block(Block(type="header", text="ECMA-376 Part 1", page=0)) == ""


def test_unknown_block_type_keeps_its_content():
    assert render_block(Block(type="sidebar", text="A note in the margin", page=0)) == "A note in the margin"
    assert render_block(Block(type="future", list_items=["one", "two"], page=0)) == "- one\n- two"


def test_link_syntax_the_document_prints_is_escaped_not_turned_into_a_link():
    # SARIF 2.1.0 3.11.6 prints Markdown link syntax as an example inside prose.
    block = Block(type="text", page=56, text="the tool removed the […](…) link syntax and separated the link text")
    rendered = render_block(block)
    assert "\\[…\\](…)" in rendered and dangling_links({"a.md": rendered.encode()}) == []


def test_a_web_address_mineru_linked_to_itself_stays_a_working_address():
    # xacml40-core's cover: the PDF prints the address and links it; MinerU writes [url](url).
    url = "https://docs.oasis-open.org/xacml/acal/xacml/core/v4.0/csd01/acal-core-xml-v4.0-csd01.html"
    rendered = render_block(Block(type="text", page=0, text=f"• [{url}]({url})(Authoritative)"))
    assert f"<{url}>(Authoritative)" in rendered and "\\[" not in rendered
    # A web or mail link MinerU wrote for the PDF's link stays one; printed link syntax whose
    # target is no address is still text.
    cover = "Jon Bosak, [Sun Microsystems](http://www.sun.com/); Dave ([dmk@dmk.com](mailto:dmk@dmk.com))"
    assert render_block(Block(type="text", page=0, text=cover)) == cover
    assert render_block(Block(type="text", page=0, text="data came from [here](3).")) == "data came from \\[here\\](3)."
    assert "\\[x\\]" in render_block(Block(type="text", page=0, text="[x](javascript:alert(1))"))


def test_a_text_block_holding_fixed_width_columns_renders_as_a_table_or_preformatted():
    """lwarp-manual sets its package lists as text with columns aligned by spaces."""
    from specmill.tree.render import render_block

    columns = "Rules:           \\rule with width.\nHTML reserved    \\&, \\textless are converted\ncharacters:      to HTML entities."
    assert render_block(Block(type="text", page=0, text=columns)).split("\n")[0] == "| Rules: | \\rule with width. |"
    ragged = "Fonts:      Used as-is.   Appear in SVG\n  nfssext-cfr,   slantsc, tabfigures.\nTested   to work"
    assert render_block(Block(type="text", page=0, text=ragged)).startswith("```text\n")
