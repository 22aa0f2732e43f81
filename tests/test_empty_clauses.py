"""An empty clause is empty only when the PDF's text layer prints its heading followed directly by
the next heading; a clause whose text the parser lost is not."""

from schemas.blocks import Block
from schemas.outline import OutlineEntry
from specmill.tree.empty_clauses import confirm_empty_clauses
from specmill.tree.segment import segment_blocks
from specmill.tree.write import render_clause_tree
from specmill.tree.audit import missing_clauses

OUTLINE = [
    OutlineEntry(clause_id="1", title="General", level=1, page=0),
    OutlineEntry(clause_id="1.1", title="Terms and definitions", level=2, page=0),
    OutlineEntry(clause_id="1.2", title="Scope", level=2, page=0),
]
# What the parser delivered: 1.1's heading, then 1.2's heading at once.
BLOCKS = [
    Block(type="text", text="1 General", page=0, text_level=1),
    Block(type="text", text="1.1 Terms and definitions", page=0, text_level=2),
    Block(type="text", text="1.2 Scope", page=0, text_level=2),
    Block(type="text", text="This document specifies the packages.", page=0),
]


def empty_reasons(page_text: str) -> tuple[dict[str, str], list[str]]:
    tree = segment_blocks(BLOCKS, OUTLINE)
    files, report = render_clause_tree(tree, document_title="T")
    report = confirm_empty_clauses(tree, report, [page_text])
    return {e.section: e.reason for e in report.empty_clauses}, missing_clauses(report, files)


def test_heading_followed_by_the_next_heading_in_the_pdf_is_legitimately_empty():
    reasons, missing = empty_reasons("Running Title\n1 General\n1.1 Terms and definitions\n1.2 Scope\nThis document specifies the packages.\n3")
    assert reasons == {"1.1": "heading_then_next_heading"} and missing == []


def test_prose_the_parser_lost_between_the_headings_makes_the_clause_missing():
    page = (
        "1 General\n1.1 Terms and definitions\nFor the purposes of this document the terms of ISO 1087\n"
        "and the following apply.\n1.2 Scope\nThis document specifies the packages."
    )
    tree = segment_blocks(BLOCKS, OUTLINE)
    files, report = render_clause_tree(tree, document_title="T")
    report = confirm_empty_clauses(tree, report, [page])
    (empty,) = report.empty_clauses
    assert empty.reason == "content_in_text_layer" and empty.evidence.startswith("For the purposes")
    assert missing_clauses(report, files) == ["1.1"]


def test_a_heading_the_text_layer_does_not_show_leaves_the_verdict_to_the_block_stream():
    reasons, _missing = empty_reasons("scanned page without these headings")
    assert reasons == {"1.1": "heading_then_next_heading"}
