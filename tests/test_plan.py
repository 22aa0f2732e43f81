"""Clause-aligned batch planning."""

import pytest

from schemas.outline import OutlineEntry
from schemas.plan import PlanParameters
from specmill.errors import PlanError
from specmill.plan import plan_batches, plan_problems


def entry(clause_id: str, page: int) -> OutlineEntry:
    level = 1 if clause_id.startswith("Annex") else clause_id.count(".") + 1
    return OutlineEntry(clause_id=clause_id, title="t", level=level, page=page)


def assert_tiles(plan, entries):
    assert plan_problems(plan, entries) == {"gaps": [], "overlaps": [], "cuts_not_at_clause_start": []}


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
        "gaps": [[10, 11]], "overlaps": [], "cuts_not_at_clause_start": [{"batch": "b01", "page": 12}]
    }


def test_an_entry_past_the_last_page_is_a_clear_error():
    with pytest.raises(PlanError, match="past the last page"):
        plan_batches([entry("1", 0), entry("2", 30)], 20, PlanParameters(), "sha")


def test_target_larger_than_max_is_rejected():
    with pytest.raises(ValueError, match="exceeds max_pages"):
        PlanParameters(target_pages=300, max_pages=200)
