"""The per-batch coverage rule and the contiguity rule fail on the defects they exist for."""

from schemas.blocks import Block
from schemas.document import JoinedBatch
from schemas.plan import Batch, BatchPlan, PlanParameters
from specmill.parse.parsed import build_artifact, contiguity_problems, coverage_problems

BATCH = Batch(batch_id="b01", first_page=4, last_page=7, clause_ids=["2"])
PLAN = BatchPlan(
    source_sha256="x", page_count=8, parameters=PlanParameters(),
    batches=[Batch(batch_id="b00", first_page=0, last_page=3, clause_ids=["1"]), BATCH],
)


def artifact(pages: list[int]):
    blocks = [Block(type="text", text=f"on page {page}", page=page) for page in pages]
    return build_artifact(BATCH, blocks, backend="mineru-local", mineru_version="4", tier="flash", ocr_mode="txt", seconds=1.0)


def test_a_batch_covering_its_pages_passes():
    assert coverage_problems(artifact([4, 5, 6, 7]), BATCH, textless_pages=[]) == {
        "blocks_outside_batch": [], "text_pages_without_blocks": [],
    }


def test_a_block_outside_the_batch_and_a_silent_text_page_are_named():
    problems = coverage_problems(artifact([4, 5, 7, 9]), BATCH, textless_pages=[])
    assert problems == {"blocks_outside_batch": [9], "text_pages_without_blocks": [6]}
    # A page without a text layer (a full-page figure) may legitimately yield nothing.
    assert coverage_problems(artifact([4, 5, 7]), BATCH, textless_pages=[6])["text_pages_without_blocks"] == []


def test_contiguity_names_missing_partitions_and_batches_parsed_for_other_pages():
    records = {"b01": JoinedBatch(batch_id="b01", first_page=4, last_page=6, content_sha256="c")}
    assert contiguity_problems(PLAN, records) == {
        "missing_partitions": ["b00"],
        "mismatched_batches": [{"batch": "b01", "planned": [4, 7], "parsed": [4, 6]}],
    }
