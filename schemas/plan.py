"""Clause-aligned page batches: the unit of parsing and of partitioning."""

from pydantic import Field, model_validator

from schemas.base import Contract


class Batch(Contract):
    batch_id: str = Field(pattern=r"^b\d{2,}$", description="Partition key: b00, b01, ...")
    first_page: int = Field(ge=0, description="0-based, inclusive.")
    last_page: int = Field(ge=0, description="0-based, inclusive.")
    clause_ids: list[str] = Field(description="Clauses whose heading lies inside this batch, in order.")
    forced_cut: bool = Field(
        default=False,
        description="True when the batch ends at a page boundary inside a clause (no sub-clause start was available).",
    )

    @model_validator(mode="after")
    def _ordered(self) -> "Batch":
        if self.last_page < self.first_page:
            raise ValueError(f"batch {self.batch_id}: last_page {self.last_page} < first_page {self.first_page}")
        return self

    @property
    def page_count(self) -> int:
        return self.last_page - self.first_page + 1

    @property
    def pages(self) -> range:
        return range(self.first_page, self.last_page + 1)


class PlanParameters(Contract):
    target_pages: int = Field(default=100, ge=1)
    max_pages: int = Field(default=200, ge=1)
    min_chapter_pages: float = Field(
        default=3.0,
        description="Top-level clauses force a new batch only when they average at least this many pages.",
    )
    min_batch_pages: int = Field(
        default=20, ge=1,
        description="A batch shorter than this joins its neighbour (up to target_pages together): every batch is a "
        "parser run or a RunPod job with its own fixed cost, and real standards open many short top-level clauses.",
    )

    @model_validator(mode="after")
    def _target_within_max(self) -> "PlanParameters":
        if self.target_pages > self.max_pages:
            raise ValueError(f"target_pages {self.target_pages} exceeds max_pages {self.max_pages}")
        return self


class BatchPlan(Contract):
    source_sha256: str
    page_count: int
    parameters: PlanParameters
    batches: list[Batch]

    def batch(self, batch_id: str) -> Batch:
        for batch in self.batches:
            if batch.batch_id == batch_id:
                return batch
        raise KeyError(f"no batch {batch_id!r} in the plan (have {[b.batch_id for b in self.batches]})")
