"""MinerU content lists of every version normalize into the same Block shape."""

import re
from pathlib import Path

import pytest

from specmill.parse.normalize import (
    ContentListError,
    load_content_list,
    normalize_content_list,
    normalize_item,
    remove_markdown_escapes,
)

# Real items, copied verbatim from ../shared/corpus/mineru/ (folder named in each comment).

# ZhangCurosr_mineru-naacl2024-001__naacl2024_long_125_pal (3.4.4 pipeline): fenced code.
FENCED_CODE = {
    "type": "code", "sub_type": "code", "code_caption": [], "code_footnote": [],
    "code_body": "```python\ndef solution () :\n\"\"\"Olivia has $23. She bought five bagels for $3 each.\"\"\"\nmoney_initial = 23\nreturn result\n```",
    "bbox": [114, 456, 468, 682], "page_idx": 5,
}
# generated_mineru-4.0.12-flash__handmade_code_html (4.0.12 flash): raw code.
RAW_CODE = {
    "type": "code", "sub_type": "code",
    "code_body": "def hello(name):\n    return f\"hi {name}\"\n\nprint(hello(\"world\"))",
    "code_caption": [], "code_footnote": [], "page_idx": 0,
}
# ZhangCurosr_mineru-naacl2024-001__naacl2024_long_19_knn_icl (3.4.4): an algorithm body is Markdown text.
ALGORITHM_CODE = {
    "type": "code", "sub_type": "algorithm", "code_caption": [], "code_footnote": [],
    "code_body": "kNN-ICL: GET\\_ESTIMATED\\_DURATION ( METHOD\\_TRAVEL   \n= \" drive \" )",
    "bbox": [114, 85, 487, 131], "page_idx": 11,
}
# ZhangCurosr_mineru-emnlp2024-001__emnlp2024_main_123_code (3.4.4): $$-wrapped equation.
WRAPPED_EQUATION = {
    "type": "equation", "img_path": "images/11954e763683410ae13643fbb01407a3d6e00cafd8bd1b261cf6392c8635c159.jpg",
    "text": "$$\ns = L L M ( c ) , q = L L M ( s , c ) .\\tag{1}\n$$", "text_format": "latex",
    "bbox": [181, 479, 418, 497], "page_idx": 4,
}
# generated_mineru-4.0.12-flash__emnlp2024_main_123_pdf: flash gives an image-only equation.
IMAGE_ONLY_EQUATION = {"type": "equation", "img_path": "images/page_4_equation_3.jpg", "bbox": [187, 481, 488, 497], "page_idx": 4}
# generated_mineru-4.0.12-flash__mineru_demo_docx_01: chart whose content is an HTML table.
OFFICE_CHART = {
    "type": "chart", "img_path": "",
    "content": "<table><thead><tr><th></th><th>Series 7</th></tr></thead><tbody><tr><td>Category 5</td><td>4.3</td></tr></tbody></table>",
    "chart_caption": ["Chart 1: This is an easy line chart"], "chart_footnote": [], "page_idx": 2,
}
# ZhangCurosr_mineru-emnlp2024-001__emnlp2024_main_123_code: a cross-page paragraph merge stub.
EMPTY_TEXT_STUB = {"type": "text", "text": "", "bbox": [509, 506, 884, 538], "page_idx": 0}

ESCAPE_OUTSIDE_MATH = re.compile(r"\\[_*\-`#\[\]]")


def _math_free(text: str) -> str:
    return re.sub(r"\$[^$]*\$", "", text)


def test_fenced_3x_code_is_unfenced_and_keeps_its_fence_language():
    block = normalize_item(FENCED_CODE)
    assert block.code_body.startswith("def solution () :")
    assert block.code_body.endswith("return result")
    assert "```" not in block.code_body
    assert block.code_language == "python"


def test_raw_4x_code_is_kept_byte_for_byte():
    block = normalize_item(RAW_CODE)
    assert block.code_body == RAW_CODE["code_body"]
    assert block.code_language is None


def test_guess_lang_is_used_when_there_is_no_fence():
    block = normalize_item({**RAW_CODE, "guess_lang": "python"})
    assert block.code_language == "python"


def test_3x_algorithm_body_loses_markdown_escapes_and_hard_break_spaces():
    block = normalize_item(ALGORITHM_CODE)
    assert block.code_body == 'kNN-ICL: GET_ESTIMATED_DURATION ( METHOD_TRAVEL\n= " drive " )'


def test_display_math_is_unwrapped_and_keeps_its_tag():
    block = normalize_item(WRAPPED_EQUATION)
    assert block.text == "s = L L M ( c ) , q = L L M ( s , c ) .\\tag{1}"
    assert block.img_path == WRAPPED_EQUATION["img_path"]


def test_image_only_4x_equation_is_kept_with_its_image():
    block = normalize_item(IMAGE_ONLY_EQUATION)
    assert block is not None
    assert block.text == ""
    assert block.img_path == "images/page_4_equation_3.jpg"


def test_chart_content_becomes_description_and_caption_is_collected():
    block = normalize_item(OFFICE_CHART)
    assert block.description.startswith("<table>")
    assert block.captions == ["Chart 1: This is an easy line chart"]
    assert block.img_path is None  # "" means no image


@pytest.mark.parametrize(
    "caption_key, footnote_key",
    [
        ("img_caption", "img_footnote"),  # magic-pdf 1.0 / MinerU 2.0
        ("image_caption", "image_footnote"),  # 2.1+
        ("table_caption", "table_footnote"),
        ("code_caption", "code_footnote"),
        ("chart_caption", "chart_footnote"),
    ],
)
def test_every_caption_key_variant_lands_in_captions(caption_key, footnote_key):
    item = {"type": "image", "img_path": "images/a.jpg", "page_idx": 0, caption_key: ["Figure 1: Overview"], footnote_key: ["\\* note"]}
    block = normalize_item(item)
    assert block.captions == ["Figure 1: Overview"]
    assert block.footnotes == ["* note"]


def test_page_offset_makes_pages_absolute():
    block = normalize_item(FENCED_CODE, page_offset=100)
    assert block.page == 105


def test_empty_text_merge_stub_is_dropped_but_empty_table_stub_is_kept():
    table_stub = {"type": "table", "img_path": "", "table_caption": [], "table_footnote": [], "page_idx": 3}
    blocks = normalize_content_list([EMPTY_TEXT_STUB, table_stub])
    assert [b.type for b in blocks] == ["table"]
    assert blocks[0].table_body == ""


def test_raw_item_is_kept():
    block = normalize_item(OFFICE_CHART)
    assert block.raw == OFFICE_CHART


@pytest.mark.parametrize(
    "escaped, plain",
    [
        # emnlp2024_main_123 (3.4.4 and 4.0.12): escaped underscores and asterisks.
        ("Function export\\_nb calls function savefile", "Function export_nb calls function savefile"),
        ("\\*Corresponding Author.", "*Corresponding Author."),
        # mineru_demo_docx_01 (3.4.5 office): an escaped dash run in a list item.
        ("    1. \\-------------------", "    1. -------------------"),
        # worldbank_pad (2.1): a literal dollar stays escaped, math stays untouched.
        ("IN THE AMOUNT OF US\\$ 17,473,211 ", "IN THE AMOUNT OF US\\$ 17,473,211 "),
        ("1 Mexican Peso $=$ $\\mathrm { U S } \\$ 0.095$", "1 Mexican Peso $=$ $\\mathrm { U S } \\$ 0.095$"),
        ("set $\\{ x \\_ i \\}$ of train\\_batch", "set $\\{ x \\_ i \\}$ of train_batch"),
        # 4.0.12 flash on specs/odf13-packages: tags arrive as HTML entities.
        ("4.10 &lt;manifest:keyinfo&gt;", "4.10 <manifest:keyinfo>"),
        # 2.1 worldbank_pad table text.
        ("Fixed Operation &amp; Maintenance (O&amp;M)", "Fixed Operation & Maintenance (O&M)"),
    ],
)
def test_markdown_escapes_are_removed_outside_math_only(escaped, plain):
    assert remove_markdown_escapes(escaped) == plain


def test_missing_page_idx_is_a_clear_error():
    with pytest.raises(ContentListError, match=r"item 1 \(text\): 'page_idx'"):
        normalize_content_list([EMPTY_TEXT_STUB, {"type": "text", "text": "x"}])


def test_negative_absolute_page_is_rejected():
    with pytest.raises(ContentListError, match="negative"):
        normalize_item(FENCED_CODE, page_offset=-6)


def test_item_without_type_is_rejected():
    with pytest.raises(ContentListError, match="missing 'type'"):
        normalize_item({"text": "x", "page_idx": 0})


def test_load_rejects_non_json(tmp_path: Path):
    path = tmp_path / "content_list.json"
    path.write_text("# not json\n", encoding="utf-8")
    with pytest.raises(ContentListError, match="not JSON"):
        load_content_list(path)


def test_load_rejects_a_missing_file(tmp_path: Path):
    with pytest.raises(ContentListError, match="no such content list"):
        load_content_list(tmp_path / "absent.json")


def test_load_rejects_list_of_non_objects(tmp_path: Path):
    path = tmp_path / "content_list.json"
    path.write_text("[1, 2]", encoding="utf-8")
    with pytest.raises(ContentListError, match="item 0 is int"):
        load_content_list(path)


@pytest.mark.corpus
def test_load_rejects_middle_json_with_a_hint(corpus_dir: Path):
    middle = corpus_dir / "mineru" / "generated_mineru-4.0.12-flash__handmade_code_html" / "middle.json"
    with pytest.raises(ContentListError, match="looks like middle.json"):
        load_content_list(middle)


def _corpus_samples(corpus_dir: Path) -> list[Path]:
    samples = sorted((corpus_dir / "mineru").glob("*/content_list.json"))
    assert samples, f"no MinerU samples under {corpus_dir / 'mineru'}"
    return samples


@pytest.mark.corpus
def test_every_corpus_sample_normalizes_to_clean_blocks(corpus_dir: Path):
    for sample in _corpus_samples(corpus_dir):
        items = load_content_list(sample)
        blocks = normalize_content_list(items, page_offset=7)
        name = sample.parent.name
        stubs = [i for i in items if i["type"] != "table" and not any(
            i.get(k) for k in ("text", "list_items", "code_body", "table_body", "img_path", "content",
                               "image_caption", "table_caption", "code_caption", "chart_caption",
                               "image_footnote", "table_footnote", "code_footnote", "chart_footnote"))]
        assert len(blocks) == len(items) - len(stubs), name
        originals = iter(i for i in items if i not in stubs)
        for block in blocks:
            item = next(originals)
            assert block.raw == item, name
            assert block.type == item["type"], name
            assert block.page == item["page_idx"] + 7, name
            if block.code_body is not None:
                assert not block.code_body.lstrip().startswith("```"), (name, block.code_body[:40])
                assert not block.code_body.rstrip().endswith("```"), (name, block.code_body[-40:])
            if block.type == "equation":
                assert not block.text.startswith("$$"), (name, block.text[:40])
            for text in [block.text if block.type != "equation" else "", *block.list_items, *block.captions]:
                assert not ESCAPE_OUTSIDE_MATH.search(_math_free(text)), (name, text[:80])
            expected_captions = sum(
                len([c for c in item.get(k) or [] if c.strip()])
                for k in ("img_caption", "image_caption", "table_caption", "code_caption", "chart_caption")
            )
            assert len(block.captions) == expected_captions, name


@pytest.mark.corpus
def test_fenced_3x_and_raw_4x_code_of_the_same_paper_agree(corpus_dir: Path):
    """The same EMNLP paper parsed by 3.4.4 pipeline and 4.0.12 flash: no fences either way."""
    mineru = corpus_dir / "mineru"
    old = normalize_content_list(load_content_list(mineru / "ZhangCurosr_mineru-emnlp2024-001__emnlp2024_main_123_code" / "content_list.json"))
    new = normalize_content_list(load_content_list(mineru / "generated_mineru-4.0.12-flash__emnlp2024_main_123_pdf" / "content_list.json"))
    old_fenced = [b for b in old if b.type == "code" and b.code_language]
    assert {b.code_language for b in old_fenced} == {"yaml", "verilog"}
    for block in old + new:
        if block.type == "code":
            assert "```" not in block.code_body
    old_algorithm = next(b for b in old if b.type == "code" and b.code_body.startswith("Algorithm 1"))
    assert "19: return L" in old_algorithm.code_body
    new_algorithm = next(b for b in new if b.type == "code")
    assert new_algorithm.captions == ["Algorithm 1 Annotation Algorithm"]
    assert new_algorithm.code_body.endswith("19: return L")
