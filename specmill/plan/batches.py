"""Cut a document into clause-aligned page batches.

A batch boundary falls only where a clause starts, so no clause is split between two parser
calls unless it is longer than the hard maximum and has no sub-clause to cut at."""

from dataclasses import dataclass

from schemas.outline import OutlineEntry
from schemas.plan import Batch, BatchPlan, PlanParameters
from specmill.errors import PlanError


@dataclass(frozen=True)
class _ClauseStart:
    page: int
    level: int


def _clause_starts(entries: list[OutlineEntry]) -> dict[int, int]:
    """Shallowest clause level starting on each page."""
    starts: dict[int, int] = {}
    for entry in entries:
        if entry.clause_id is None or entry.page is None:
            continue
        starts[entry.page] = min(entry.level, starts.get(entry.page, entry.level))
    return starts


def _chapter_pages(entries: list[OutlineEntry], page_count: int, parameters: PlanParameters) -> set[int]:
    """Pages where a top-level clause or annex starts, which always open a batch.

    A statute book numbered '§ 1' … '§ 2385' has thousands of top-level clauses; forcing a batch
    at each would give one-page batches, so dense top levels are treated as ordinary clauses."""
    pages = {e.page for e in entries if e.clause_id and e.page is not None and e.level == 1}
    if pages and page_count / len(pages) < parameters.min_chapter_pages:
        return set()
    # The first batch starts at page 0 anyway and carries the front matter with the first chapter.
    return pages - {min(pages)} if pages else pages


def _choose_cut(start: int, end: int, starts: dict[int, int], parameters: PlanParameters) -> tuple[int, bool] | None:
    """First page of the next batch for the segment [start, end], and True when that cut is
    forced inside a clause; None when the segment is best left whole."""
    target, maximum = parameters.target_pages, parameters.max_pages
    length = end - start + 1
    latest = min(start + maximum, end)  # the next batch may start at most here
    candidates = [page for page in range(start + 1, latest + 1) if page in starts]
    if not candidates:
        # Only a clause longer than the hard maximum is cut between pages.
        return (start + maximum, True) if length > maximum else None
    # Prefer the shallowest clause boundary in the comfortable window around the target,
    # then the one nearest the target: a chapter boundary at 80 pages beats a term at 100.
    window = [page for page in candidates if page >= start + max(1, target // 2)] or candidates
    return min(window, key=lambda page: (starts[page], abs(page - (start + target)))), False


def _join_short_batches(ranges: list[tuple[int, int, bool]], parameters: PlanParameters) -> list[tuple[int, int, bool]]:
    """Neighbouring batches joined while one of them is shorter than the minimum and together
    they stay within the target. Joining only removes cuts, so every remaining cut is still at a
    clause start (or a forced cut inside an over-long clause)."""
    joined: list[tuple[int, int, bool]] = []
    for first, last, forced in ranges:
        if joined:
            previous_first, previous_last, _ = joined[-1]
            short = min(previous_last - previous_first + 1, last - first + 1) < parameters.min_batch_pages
            if short and last - previous_first + 1 <= parameters.target_pages:
                joined[-1] = (previous_first, last, forced)
                continue
        joined.append((first, last, forced))
    return joined


def plan_batches(
    entries: list[OutlineEntry], page_count: int, parameters: PlanParameters, source_sha256: str
) -> BatchPlan:
    if page_count <= 0:
        raise PlanError("cannot plan a document with no pages")
    for entry in entries:
        if entry.page is not None and entry.page >= page_count:
            raise PlanError(f"outline entry {entry.clause_id or entry.title!r} points to page {entry.page}, past the last page {page_count - 1}")
    starts = _clause_starts(entries)
    chapters = sorted(_chapter_pages(entries, page_count, parameters) | {0})
    chapters.append(page_count)

    ranges: list[tuple[int, int, bool]] = []  # (first, last, forced)
    for segment_start, segment_end in zip(chapters, chapters[1:]):
        if segment_end <= segment_start:
            continue
        first = segment_start
        last_page = segment_end - 1
        # Cut a segment well past the target, and always one past the hard maximum (a max_pages
        # under 1.5 x target_pages once let a 15-page batch through with max_pages 14).
        while last_page - first + 1 > min(parameters.target_pages * 1.5, parameters.max_pages):
            choice = _choose_cut(first, last_page, starts, parameters)
            if choice is None:
                break
            cut, forced = choice
            ranges.append((first, cut - 1, forced))
            first = cut
        ranges.append((first, last_page, False))

    ranges = _join_short_batches(ranges, parameters)
    width = max(2, len(str(len(ranges) - 1)))
    batches = []
    for number, (first, last, forced) in enumerate(ranges):
        clause_ids = [e.clause_id for e in entries if e.clause_id and e.page is not None and first <= e.page <= last]
        batches.append(
            Batch(batch_id=f"b{number:0{width}d}", first_page=first, last_page=last, clause_ids=clause_ids, forced_cut=forced)
        )
    return BatchPlan(source_sha256=source_sha256, page_count=page_count, parameters=parameters, batches=batches)


def plan_problems(plan: BatchPlan, entries: list[OutlineEntry]) -> dict[str, list]:
    """Everything wrong with a plan: gaps, overlaps, cuts that are not at a clause start, and
    batches longer than max_pages."""
    starts = _clause_starts(entries)
    gaps, overlaps, bad_cuts = [], [], []
    maximum = plan.parameters.max_pages
    too_long = [
        {"batch": batch.batch_id, "pages": batch.page_count, "max_pages": maximum}
        for batch in plan.batches if batch.page_count > maximum
    ]
    expected = 0
    previous: Batch | None = None
    for batch in plan.batches:
        if batch.first_page > expected:
            gaps.append([expected, batch.first_page - 1])
        elif batch.first_page < expected:
            overlaps.append([batch.first_page, expected - 1])
        if batch.first_page > 0 and batch.first_page not in starts and not (previous and previous.forced_cut):
            bad_cuts.append({"batch": batch.batch_id, "page": batch.first_page})
        expected = max(expected, batch.last_page + 1)
        previous = batch
    if expected < plan.page_count:
        gaps.append([expected, plan.page_count - 1])
    elif expected > plan.page_count:
        overlaps.append([plan.page_count, expected - 1])
    return {"gaps": gaps, "overlaps": overlaps, "cuts_not_at_clause_start": bad_cuts, "batches_over_max_pages": too_long}
