"""Great Expectations suites over the block and section tables: they pass on good tables and
name the failed expectation with example rows on bad ones."""

import pytest

from checks.expectations import _block_suite, _section_suite, validate_rows
from schemas.blocks import Block
from schemas.document import DocumentBlocks, JoinedBatch
from schemas.plan import Batch, BatchPlan, PlanParameters
from schemas.tree import ClauseTreeReport, EmptyClause, SectionSpan, SegmentationReport
from specmill.quality_tables import block_rows, section_rows

pytestmark = pytest.mark.slow  # importing great_expectations takes seconds

PLAN = BatchPlan(
    source_sha256="x", page_count=4, parameters=PlanParameters(),
    batches=[Batch(batch_id="b00", first_page=0, last_page=1, clause_ids=["1"]),
             Batch(batch_id="b01", first_page=2, last_page=3, clause_ids=["2"])],
)


def good_blocks() -> list[Block]:
    return [
        Block(type="text", page=0, text="1 Scope", bbox=[100, 100, 400, 120]),
        Block(type="code", page=1, code_body="<w:p/>", bbox=[100, 200, 900, 300]),
        Block(type="table", page=2, table_body="<table><tr><td>a</td></tr></table>"),
        Block(type="table", page=3, table_body=""),  # MinerU's empty merge stub
        # MinerU 4 flash: a ruled table as fixed-width text; the renderer keeps its layout.
        Block(type="table", page=3, table_body="Name      Type        Use\nId        xsd:ID      required"),
        Block(type="list", page=3, list_items=["one", "two"]),
    ]


def failures(result) -> dict[str, list]:
    """Example rows by expectation type (several expectations of one type pool their rows)."""
    found: dict[str, list] = {}
    for failure in result.metadata["failures"].value:
        found.setdefault(failure["expectation"], []).extend(failure["example_rows"])
    return found


def test_block_suite_passes_on_good_blocks():
    result = validate_rows("blocks", block_rows(good_blocks(), PLAN), _block_suite())
    assert result.passed, result.metadata["failures"]
    assert result.metadata["rows"].value == 6


def test_block_suite_names_each_broken_rule_with_example_rows():
    blocks = good_blocks() + [
        Block(type="mystery", page=1, text="?"),
        Block(type="text", page=1, text="   "),
        Block(type="code", page=2, code_body=""),
        Block(type="table", page=2, table_body="<p>no rows here</p>"),
        Block(type="text", page=0, text="x", bbox=[10, 10, 1200, 20]),
    ]
    result = validate_rows("blocks", block_rows(blocks, PLAN), _block_suite())
    assert not result.passed
    found = failures(result)
    assert {row["position"] for row in found["expect_column_values_to_be_between"]} == {7, 8}
    assert {row["position"] for row in found["expect_column_values_to_be_in_set"]} == {6, 9, 10}
    assert result.metadata["failed_expectations"].value == 5


def joined(blocks: list[Block], counts: tuple[int, int]) -> DocumentBlocks:
    return DocumentBlocks(
        source_sha256="x", page_count=4, batch_ids=["b00", "b01"], content_sha256="y", blocks=blocks,
        batches=[JoinedBatch(batch_id="b00", first_page=0, last_page=1, content_sha256="a", blocks=counts[0]),
                 JoinedBatch(batch_id="b01", first_page=2, last_page=3, content_sha256="b", blocks=counts[1])],
    )


def test_each_block_is_judged_against_the_batch_that_produced_it():
    blocks = good_blocks()
    assert validate_rows("blocks", block_rows(blocks, PLAN, joined(blocks, (2, 4))), _block_suite()).passed
    # The same stream, but b00 claims three blocks: its third sits on page 2, outside b00's pages.
    result = validate_rows("blocks", block_rows(blocks, PLAN, joined(blocks, (3, 3))), _block_suite())
    assert not result.passed
    rows = failures(result)["expect_column_pair_values_a_to_be_greater_than_b"]
    assert [(row["position"], row["batch"], row["page"]) for row in rows] == [(2, "b00", 2)]


def report(spans: list[SectionSpan], empty: dict[str, str] | None = None) -> ClauseTreeReport:
    segmentation = SegmentationReport(
        clauses_total=len(spans), matched=[], missed=[], out_of_order=[], blocks_in=0, blocks_assigned=0,
        front_matter_blocks=0, furniture_dropped={},
    )
    return ClauseTreeReport(
        files=[],
        empty_clauses=[
            EmptyClause(section=s, clause_id=s, title="t", listed_in="index.md", reason=reason) for s, reason in (empty or {}).items()
        ],
        barrels=0, leaves=0, bytes=0, segmentation=segmentation, spans=spans,
    )


def test_section_suite_passes_and_fails_for_the_right_reasons():
    good = report([
        SectionSpan(section="1", first_page=0, last_page=1, block_pages=[], has_children=True),  # only introduces 1.1
        SectionSpan(section="1.1", first_page=0, last_page=1, block_pages=[0, 1]),
        SectionSpan(section="2", first_page=1, last_page=3, block_pages=[]),
    ], empty={"2": "heading_then_next_heading"})
    assert validate_rows("sections", section_rows(good, 4), _section_suite()).passed

    bad = report([
        SectionSpan(section="1", first_page=0, last_page=1, block_pages=[0]),
        SectionSpan(section="1", first_page=3, last_page=2, block_pages=[3]),
        SectionSpan(section="3", first_page=2, last_page=9, block_pages=[]),
    ])
    found = failures(validate_rows("sections", section_rows(bad, 4), _section_suite()))
    assert "expect_column_values_to_be_unique" in found
    assert "expect_column_pair_values_a_to_be_greater_than_b" in found
    assert any(row["section"] == "3" for row in found["expect_column_values_to_be_in_set"])


def test_a_clause_whose_heading_was_never_found_has_no_content_even_when_listed_empty():
    lost = report([
        SectionSpan(section="1", first_page=0, last_page=1, block_pages=[0, 1]),
        SectionSpan(section="2", first_page=1, last_page=3, block_pages=[], matched=False),
    ], empty={"2": "heading_not_found"})
    found = failures(validate_rows("sections", section_rows(lost, 4), _section_suite()))
    rows = found["expect_column_values_to_be_in_set"]
    assert [(row["section"], row["empty_reason"], row["heading_found"]) for row in rows] == [("2", "heading_not_found", False)]
