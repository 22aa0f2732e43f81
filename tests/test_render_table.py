"""Table rendering: HTML -> pipe table with spans expanded, page-split halves merged."""

import pytest

from schemas.blocks import Block
from specmill.tree.render import render_block, render_blocks
from specmill.tree.render.table import render_table_run
from specmill.tree.render.table import parse_table_html
from tests.render_corpus import first_block

EMNLP_3X = "ZhangCurosr_mineru-emnlp2024-001__emnlp2024_main_123_code"
HANDMADE_4X = "generated_mineru-4.0.12-flash__handmade_code_html"


def table(html: str, page: int = 0, captions=()) -> Block:
    return Block(type="table", table_body=html, page=page, captions=list(captions))


def rows(markdown: str) -> list[str]:
    return [line for line in markdown.split("\n") if line.startswith("|")]


def cell_counts(markdown: str) -> set[int]:
    import re

    return {len(re.split(r"(?<!\\)\|", line.strip()[1:-1])) for line in rows(markdown)}


@pytest.mark.corpus
def test_colspan_and_rowspan_are_expanded_into_a_rectangle(corpus_dir):
    block = first_block(corpus_dir, EMNLP_3X, lambda b: b.type == "table" and "rowspan" in (b.table_body or ""))
    rendered = render_block(block)
    assert len(cell_counts(rendered)) == 1
    assert rows(rendered)[0].startswith("| Model | CoNaLa |")


@pytest.mark.corpus
def test_caption_precedes_the_table(corpus_dir):
    block = first_block(corpus_dir, HANDMADE_4X, lambda b: b.type == "table")
    assert render_block(block) == "Table 1: timings\n\n| Backend | Seconds |\n| --- | --- |\n| flash | 4.1 |\n| total |  |"


def test_rowspan_repeats_its_text_down():
    grid = parse_table_html("<table><tr><td rowspan=2>GPT</td><td>a</td></tr><tr><td>b</td></tr></table>")
    assert grid == [["GPT", "a"], ["GPT", "b"]]


def test_fully_empty_columns_are_dropped():
    grid = parse_table_html("<table><tr><td>a</td><td></td><td>b</td></tr><tr><td>c</td><td> </td><td>d</td></tr></table>")
    assert grid == [["a", "b"], ["c", "d"]]


def test_pipe_is_escaped_and_inline_xml_protected():
    grid = parse_table_html("<table><tr><td>a|b</td><td>$<w:tbl>$</td><td>&lt;w:p&gt;</td></tr></table>")
    assert grid == [["a\\|b", "`<w:tbl>`", "`<w:p>`"]]


def test_table_continued_on_the_next_page_is_one_table_without_a_repeated_header():
    header = "<tr><th>Name</th><th>Type</th></tr>"
    first = table(f"<table>{header}<tr><td>val</td><td>ST_OnOff</td></tr></table>", page=7, captions=["Table 2: attributes"])
    second = table(f"<table>{header}<tr><td>w</td><td>ST_Twips</td></tr></table>", page=8)
    rendered = render_blocks([first, second])
    assert rows(rendered) == ["| Name | Type |", "| --- | --- |", "| val | ST_OnOff |", "| w | ST_Twips |"]


def test_table_followed_by_mineru_merge_stub_keeps_the_stub_footnote():
    first = table("<table><tr><td>a</td></tr><tr><td>b</td></tr></table>", page=7)
    stub = Block(type="table", table_body="", page=8, footnotes=["* merged across pages"])
    rendered = render_blocks([first, stub])
    assert rows(rendered) == ["| a |", "| --- |", "| b |"]
    assert rendered.endswith("* merged across pages")


def test_captioned_table_on_the_next_page_is_a_new_table():
    first = table("<table><tr><td>a</td><td>b</td></tr></table>", page=1)
    second = table("<table><tr><td>c</td><td>d</td></tr></table>", page=2, captions=["Table 3"])
    assert render_blocks([first, second]).count("| --- | --- |") == 2


def test_table_without_html_renders_its_text():
    # odf13-packages (4.0.12 flash) filed a clause's prose as a table body.
    block = table("The manifest:preferred-view-mode attribute specifies a preference.")
    assert render_block(block) == "The manifest:preferred-view-mode attribute specifies a preference."


def test_a_table_flash_returned_as_fixed_width_text_becomes_a_table_with_its_columns():
    # MinerU 4 flash on a ruled XSD attribute table: no HTML, columns aligned by spaces.
    body = "Name        Type          Use        Default\nId          xsd:ID        required\nVersion     xsd:string    optional   1.0"
    rendered = render_table_run([Block(type="table", page=3, table_body=body)])
    assert rendered.split("\n") == [
        "| Name | Type | Use | Default |", "| --- | --- | --- | --- |",
        "| Id | xsd:ID | required |  |", "| Version | xsd:string | optional | 1.0 |",
    ]


def test_prose_filed_as_a_table_renders_as_prose():
    body = "4.16.11 manifest:preferred-view-mode\nThe attribute specifies a preference on how the author of\nthe document would like it presented.\n•   edit: open as an editable document."
    rendered = render_table_run([Block(type="table", page=23, table_body=body)])
    assert "```" not in rendered and "preferred-view-mode" in rendered


# xacml40-core's revision history as MinerU 4 flash returned it: fixed-width text, no HTML.
REVISIONS = """Revision              Date        Editor             Changes Made
specname-v1.0-wd01    2024-08-09  Steven Legg        Initial working draft
                      2024-09-09  Steven Legg        Changed targets to a single child expression.
                                                     Removed the <AnyOf>, <AllOf> and <Match> elements.
                      2024-09-28  Cyril Dangerville  Embedded diagrams | and lists."""


def test_a_fixed_width_table_becomes_a_markdown_table_with_its_columns_and_continued_cells():
    from specmill.tree.render.table import render_table_run

    rendered = render_table_run([Block(type="table", page=31, table_body=REVISIONS)])
    rows = rendered.split("\n")
    assert rows[0] == "| Revision | Date | Editor | Changes Made |"
    assert rows[2] == "| specname-v1.0-wd01 | 2024-08-09 | Steven Legg | Initial working draft |"
    assert rows[3].startswith("|  | 2024-09-09 | Steven Legg | Changed targets to a single child expression.<br>Removed the ")
    assert "<AnyOf>" not in rendered.replace("`<AnyOf>`", "")  # markup stays visible, not swallowed
    assert rows[4] == "|  | 2024-09-28 | Cyril Dangerville | Embedded diagrams \\| and lists. |"
    assert len(rows) == 5


def test_fixed_width_text_that_does_not_keep_to_its_header_columns_stays_preformatted():
    from specmill.tree.render.table import render_table_run

    ragged = "Name      Type\nfoo   bar   baz   qux\nx  y  z  w  v\nlong line   here  and  there"
    assert render_table_run([Block(type="table", page=0, table_body=ragged)]).startswith("```text\n")


def test_labels_with_values_wrapped_in_their_own_column_become_a_two_column_table():
    # lwarp-manual's feature lists: MinerU returns them as fixed-width text, the values justified.
    from specmill.tree.render.table import label_value_grid

    body = "\n".join([
        "Tabular:            tabular environment,    arrayMJ ,  arydshlnMJ ,",
        "                    bigdelimMJ , booktabsMJ .",
        "Ligatures:          Modern browsers re-create these lig-",
        "                    atures on-the-fly.",
        "HTML reserved       \\&, \\textless, and \\textgreater are converted",
        "characters:         to HTML entities.",
    ])
    assert label_value_grid(body) == [
        ["Tabular:", "tabular environment, arrayMJ , arydshlnMJ , bigdelimMJ , booktabsMJ ."],
        ["Ligatures:", "Modern browsers re-create these ligatures on-the-fly."],
        ["HTML reserved characters:", "\\&, \\textless, and \\textgreater are converted to HTML entities."],
    ]
    prose = "A sentence that happens to hold  two spaces.\nAnd another line of prose  with a gap."
    assert label_value_grid(prose) is None
