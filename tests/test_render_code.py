"""Code rendering: fences from code_body, language, example markers, page-split halves."""

import pytest

from schemas.blocks import Block
from specmill.tree.render import render_block, render_blocks
from specmill.tree.render.code import fence_language
from tests.render_corpus import first_block

PAL_3X = "ZhangCurosr_mineru-naacl2024-001__naacl2024_long_125_pal"
HANDMADE_4X = "generated_mineru-4.0.12-flash__handmade_code_html"
EMNLP_4X = "generated_mineru-4.0.12-flash__emnlp2024_main_123_pdf"


def code(body: str, page: int = 0, captions=(), language=None) -> Block:
    return Block(type="code", code_body=body, page=page, captions=list(captions), code_language=language)


@pytest.mark.corpus
def test_fenced_3x_code_renders_one_fence_with_its_language(corpus_dir):
    block = first_block(corpus_dir, PAL_3X, lambda b: b.type == "code" and b.code_language == "python")
    rendered = render_block(block)
    assert rendered.startswith("```python\n")
    assert rendered.endswith("\n```")
    assert rendered.count("```") == 2


@pytest.mark.corpus
def test_raw_4x_code_is_fenced(corpus_dir):
    block = first_block(corpus_dir, HANDMADE_4X, lambda b: b.type == "code")
    assert render_block(block) == '```\ndef hello(name):\n    return f"hi {name}"\n\nprint(hello("world"))\n```'


@pytest.mark.corpus
def test_code_caption_is_kept_before_the_fence(corpus_dir):
    block = first_block(corpus_dir, EMNLP_4X, lambda b: b.type == "code")
    assert render_block(block).startswith("Algorithm 1 Annotation Algorithm\n\n```")


def test_language_is_xml_only_when_the_body_has_namespaced_tags():
    assert fence_language('<w:p w:rsidR="00"><w:r/></w:p>', "ini") == "xml"
    assert fence_language("<html><body/></html>", "html") == "html"
    assert fence_language("x = 1", "python") == "python"


def test_example_markers_bracket_the_fence():
    block = code("[Example: Consider this paragraph:\n<w:p>\n  <w:r/>\n</w:p> end example]")
    assert render_block(block) == "[Example: Consider this paragraph:\n\n```xml\n<w:p>\n  <w:r/>\n</w:p>\n```\n\nend example]"


def test_page_split_halves_merge_and_keep_both_captions():
    first = code("<w:tbl>\n  <w:tr/>", page=4, captions=["Listing 3: table"])
    second = code("  <w:tr/>\n</w:tbl>", page=5, captions=["(continued)"])
    rendered = render_blocks([first, second])
    assert rendered.count("```") == 2
    assert "<w:tbl>\n  <w:tr/>\n  <w:tr/>\n</w:tbl>" in rendered
    assert "Listing 3: table" in rendered and "(continued)" in rendered


def test_closed_example_is_not_merged_with_the_next_page():
    rendered = render_blocks([code("<a:b/> end example]", page=1), code("[Example: Consider:\n<a:c/>", page=2)])
    assert rendered.count("```xml") == 2


def test_empty_code_body_never_gives_an_empty_fence():
    assert render_block(code("   ", captions=["Listing 9"])) == "Listing 9"


def test_fence_is_longer_than_backticks_inside():
    assert render_block(code("a ``` b")).startswith("````\n")


def test_xml_lines_set_as_text_blocks_become_one_fence():
    # The generated sample through 4.0.12 flash: each XML line is its own text block.
    lines = ['<s:body xmlns:s="urn:specmill:sample:main">', "<s:anchorChange/>", "</s:body>"]
    blocks = [Block(type="text", text=line, page=3) for line in lines]
    assert render_blocks(blocks) == "```xml\n" + "\n".join(lines) + "\n```"


def test_a_sentence_mislabelled_as_code_renders_as_prose():
    # From MinerU 4 flash on ODF 1.3 Part 2, page 17: a paragraph with a monospace tag filed as code.
    from specmill.tree.render.code import reads_as_prose, render_code

    body = (
        "The <manifest:file-entry> element has the following attributes: manifest:full-path\n"
        "4.16.4, manifest:media-type 4.16.10, manifest:preferred-view-mode 4.16.11,\n"
        "manifest:size 4.16.13 and manifest:version 4.16.14."
    )
    rendered = render_code(Block(type="code", page=16, code_body=body))
    assert "```" not in rendered
    assert "manifest:full-path 4.16.4, manifest:media-type" in rendered
    assert rendered.startswith("The ")
    # Real code and XML stay fenced.
    assert not reads_as_prose('<s:para s:styleId="x"/>')
    assert not reads_as_prose("def f(x):\n    return x + 1")
    assert not reads_as_prose("Set the value of x = f(y) for each (a, b) in [c, d].")


def test_an_underlined_sentence_mislabelled_as_code_renders_as_prose_without_the_underline():
    # MinerU 4 flash on ODF 1.3 Part 2, page 20: the sentence is a hyperlink, underlined, filed as code.
    from specmill.tree.render.code import render_code

    body = "<u>The <manifest:CipherValue> element has content of data type base64Binary 7.2.</u>"
    rendered = render_code(Block(type="code", page=19, code_body=body))
    assert rendered == "The `<manifest:CipherValue>` element has content of data type base64Binary 7.2."
    # An HTML example that underlines stays a fenced example, its tags as printed.
    example = "<p>Press <u>Enter</u> to go on</p>"
    fenced = render_code(Block(type="code", page=0, code_body=example))
    assert fenced.startswith("```") and "<u>Enter</u>" in fenced


def test_an_underlined_sentence_set_as_text_is_no_line_of_xml():
    # The same sentence as a text block (MinerU 4 flash, ODF 1.3 Part 2 page 20) was fenced as XML.
    from specmill.tree.render.code import is_markup_line

    sentence = "<u>The <manifest:CipherValue> element has content of data type base64Binary 7.2.</u>"
    assert not is_markup_line(Block(type="text", page=19, text=sentence))
    assert is_markup_line(Block(type="text", page=19, text='<manifest:file-entry manifest:full-path="/"/>'))
