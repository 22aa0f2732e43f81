"""Clause-aligned batch planning."""

import pytest

from schemas.outline import OutlineEntry
from schemas.plan import PlanParameters
from specmill.errors import PlanError
from specmill.plan.batches import plan_batches, plan_problems


def entry(clause_id: str, page: int) -> OutlineEntry:
    level = 1 if clause_id.startswith("Annex") else clause_id.count(".") + 1
    return OutlineEntry(clause_id=clause_id, title="t", level=level, page=page)


def assert_tiles(plan, entries):
    assert plan_problems(plan, entries) == {"gaps": [], "overlaps": [], "cuts_not_at_clause_start": [], "batches_over_max_pages": []}


def test_top_level_clauses_and_annexes_open_batches():
    entries = [entry("1", 2), entry("1.1", 3), entry("2", 10), entry("2.1", 30), entry("Annex A", 50), entry("A.1", 51)]
    plan = plan_batches(entries, 60, PlanParameters(target_pages=100, max_pages=200, min_batch_pages=1), "sha")
    assert [(b.first_page, b.last_page) for b in plan.batches] == [(0, 9), (10, 49), (50, 59)]
    assert plan.batches[0].clause_ids == ["1", "1.1"]
    assert [b.batch_id for b in plan.batches] == ["b00", "b01", "b02"]
    assert_tiles(plan, entries)


def test_short_neighbouring_batches_share_one_up_to_the_target_cutting_only_at_clause_starts():
    # A real standard's shape: many short top-level clauses, then a long one, then short annexes.
    entries = [entry(str(n), 2 * n) for n in range(1, 9)] + [entry("9", 18), entry("10", 140), entry("Annex A", 150), entry("Annex B", 153)]
    plan = plan_batches(entries, 156, PlanParameters(target_pages=100, max_pages=200, min_batch_pages=20), "sha")
    # 1-8 share one batch; 9 (122 pages) stays alone, as the two together would pass the target.
    assert [(b.first_page, b.last_page) for b in plan.batches] == [(0, 17), (18, 139), (140, 155)]
    assert_tiles(plan, entries)
    assert len(plan_batches(entries, 156, PlanParameters(min_batch_pages=1), "sha").batches) == 12


def test_a_long_chapter_is_cut_at_its_shallowest_sub_clause_near_the_target():
    entries = [entry("1", 0)] + [entry(f"1.{n}", 20 * n) for n in range(1, 15)] + [entry("1.7.1", 150)]
    plan = plan_batches(entries, 300, PlanParameters(target_pages=100, max_pages=200), "sha")
    assert all(b.page_count <= 200 for b in plan.batches)
    assert [b.first_page for b in plan.batches] == [0, 100, 200]
    assert not any(b.forced_cut for b in plan.batches)
    assert_tiles(plan, entries)


def test_a_clause_longer_than_the_max_without_sub_clauses_is_cut_at_pages_and_flagged():
    entries = [entry("1", 0), entry("2", 10), entry("3", 400)]
    plan = plan_batches(entries, 420, PlanParameters(target_pages=100, max_pages=200), "sha")
    assert [(b.first_page, b.last_page, b.forced_cut) for b in plan.batches] == [
        (0, 9, False), (10, 209, True), (210, 399, False), (400, 419, False)
    ]
    assert_tiles(plan, entries)


def test_dense_top_level_numbering_is_not_one_batch_per_clause():
    # A statute book: '§ 1' ... on every page, all level 1.
    entries = [OutlineEntry(clause_id=f"§ {n}", title="t", level=1, page=n // 3) for n in range(900)]
    plan = plan_batches(entries, 300, PlanParameters(target_pages=100, max_pages=200), "sha")
    assert len(plan.batches) == 3
    assert_tiles(plan, entries)


def test_replanning_is_deterministic_and_keys_are_zero_padded():
    entries = [entry(str(n), n * 2) for n in range(1, 120)]
    first = plan_batches(entries, 240, PlanParameters(target_pages=2, max_pages=4), "sha")
    second = plan_batches(entries, 240, PlanParameters(target_pages=2, max_pages=4), "sha")
    assert first == second
    assert first.batches[0].batch_id == "b000" and len(first.batches) > 100
    assert_tiles(first, entries)


def test_plan_problems_names_gaps_overlaps_and_bad_cuts():
    entries = [entry("1", 0), entry("2", 10)]
    plan = plan_batches(entries, 20, PlanParameters(min_batch_pages=1), "sha")
    broken = plan.model_copy(deep=True)
    broken.batches[1].first_page = 12
    assert plan_problems(broken, entries) == {
        "gaps": [[10, 11]], "overlaps": [], "cuts_not_at_clause_start": [{"batch": "b01", "page": 12}],
        "batches_over_max_pages": [],
    }


def test_an_entry_past_the_last_page_is_a_clear_error():
    with pytest.raises(PlanError, match="past the last page"):
        plan_batches([entry("1", 0), entry("2", 30)], 20, PlanParameters(), "sha")


def test_target_larger_than_max_is_rejected():
    with pytest.raises(ValueError, match="exceeds max_pages"):
        PlanParameters(target_pages=300, max_pages=200)


@pytest.mark.parametrize(
    "entries",
    [
        [entry("1", 0)],  # one clause, no sub-clause to cut at: a forced cut at the maximum
        [entry("1", 0), entry("1.1", 6), entry("1.2", 12)],  # cut at a sub-clause within the maximum
    ],
)
def test_max_pages_is_a_hard_maximum_even_below_one_and_a_half_times_the_target(entries):
    parameters = PlanParameters(target_pages=10, max_pages=14, min_batch_pages=1)
    plan = plan_batches(entries, 15, parameters, "sha")
    assert max(batch.page_count for batch in plan.batches) <= 14
    assert len(plan.batches) == 2
    assert_tiles(plan, entries)


def test_default_parameters_still_leave_a_segment_of_up_to_one_and_a_half_targets_whole():
    entries = [entry("1", 0), entry("1.1", 70)]
    plan = plan_batches(entries, 150, PlanParameters(target_pages=100, max_pages=200), "sha")
    assert [(b.first_page, b.last_page) for b in plan.batches] == [(0, 149)]


def test_plan_check_fails_a_batch_longer_than_max_pages(tmp_path):
    """A seeded defect: a stored plan whose one batch is 15 pages under max_pages 14."""
    from checks.plan import plan_tiles_document
    from resources.storage import LocalArtifactStore
    from schemas import artifacts
    from schemas.plan import Batch, BatchPlan
    from schemas.profile import DocumentProfile
    from specmill.source.describe import describe_source
    from tests.pdf_factory import numbered_document

    source = describe_source(numbered_document(tmp_path / "doc.pdf", [("1 Scope", 0)], 15), DocumentProfile())
    store = LocalArtifactStore(root=str(tmp_path / "out"))
    store.write_model(artifacts.SOURCE, source)
    too_long = Batch(batch_id="b00", first_page=0, last_page=14, clause_ids=["1"])
    parameters = PlanParameters(target_pages=10, max_pages=14)
    store.write_model(artifacts.PLAN, BatchPlan(source_sha256=source.sha256, page_count=15, parameters=parameters, batches=[too_long]))

    result = plan_tiles_document(store=store)

    assert not result.passed
    assert result.metadata["batches_over_max_pages"].value == 1
    assert result.metadata["problems"].value["batches_over_max_pages"] == [{"batch": "b00", "pages": 15, "max_pages": 14}]


def test_plan_check_evidence_names_pdf_pages_from_one(tmp_path):
    """A plan leaving index pages 10-14 uncovered: the check's evidence says PDF pages 11-15."""
    from checks.plan import plan_tiles_document
    from resources.storage import LocalArtifactStore
    from schemas import artifacts
    from schemas.plan import Batch, BatchPlan
    from schemas.profile import DocumentProfile
    from specmill.source.describe import describe_source
    from tests.pdf_factory import numbered_document

    source = describe_source(numbered_document(tmp_path / "doc.pdf", [("1 Scope", 0)], 15), DocumentProfile())
    store = LocalArtifactStore(root=str(tmp_path / "out"))
    store.write_model(artifacts.SOURCE, source)
    short = Batch(batch_id="b00", first_page=0, last_page=9, clause_ids=["1"])
    store.write_model(artifacts.PLAN, BatchPlan(source_sha256=source.sha256, page_count=15, parameters=PlanParameters(), batches=[short]))

    result = plan_tiles_document(store=store)

    assert not result.passed
    assert result.metadata["problems"].value["gaps_pdf_pages"] == [[11, 15]]
