"""What a person reads numbers PDF pages from 1, as a viewer does, under names that say so; the
JSON artifacts keep their 0-based page indexes."""

from schemas.plan import Batch, BatchPlan, PlanParameters
from schemas.tree import MisplacedBlock, MissedClause
from specmill.plan.table import plan_table
from specmill.source.page_numbers import for_people

PLAN = BatchPlan(
    source_sha256="aa" * 32, page_count=9, parameters=PlanParameters(),
    batches=[Batch(batch_id="b00", first_page=0, last_page=3, clause_ids=["1"]), Batch(batch_id="b01", first_page=4, last_page=8, clause_ids=["2"])],
)


def test_check_evidence_numbers_pdf_pages_from_one_and_names_them_so():
    misplaced = MisplacedBlock(section="2", page=5, block_type="text", span=(3, 4), preview="Spill.")
    assert for_people(misplaced.model_dump()) == {
        "section": "2", "pdf_page": 6, "block_type": "text", "span_pdf_pages": [4, 5], "preview": "Spill.",
    }
    assert misplaced.model_dump()["page"] == 5  # the contract itself stays 0-based
    lost = MissedClause(key="3", clause_id="3", title="Lost", page=None)
    assert for_people(lost.model_dump()) == {"key": "3", "clause_id": "3", "title": "Lost", "pdf_page": None}


def test_the_plan_table_shows_pdf_pages_from_one():
    rows = plan_table(PLAN).splitlines()
    assert rows[0].startswith("| batch | PDF pages |")
    assert rows[2].startswith("| b00 | 1–4 |") and rows[3].startswith("| b01 | 5–9 |")
