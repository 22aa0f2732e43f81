"""What a flow of pages records about itself while it is laid out, in flow-local page indices.

The final page index of anything is only known once the front matter is sized and the flows are
concatenated; `Chapter.start` is set then, and every record converts with it.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from specmill.sample.content import Mark
from specmill.sample.layout import Flow, HeadingBlock, Placement


@dataclass
class PlacedClause:
    clause_id: str
    title: str
    heading: str
    level: int
    page: int  # flow-local
    top: float  # y of the heading's top (PDF user space), the link destination


@dataclass
class PlacedMarkRecord:
    source_clause: str
    mark: Mark
    page: int  # flow-local
    rect: tuple[float, float, float, float]


@dataclass
class PlacedExample:
    source_clause: str
    page: int
    names: tuple[str, ...]


@dataclass
class PlacedTable:
    source_clause: str
    page: int
    caption: str
    element: str
    attributes: tuple[str, ...]


@dataclass
class Chapter:
    """One flow (a top-level clause or an annex) and everything placed in it."""

    flow: Flow
    clauses: list[PlacedClause] = field(default_factory=list)
    marks: list[PlacedMarkRecord] = field(default_factory=list)
    examples: list[PlacedExample] = field(default_factory=list)
    tables: list[PlacedTable] = field(default_factory=list)
    listing_pages: list[int] = field(default_factory=list)
    start: int = 0  # absolute index of the flow's first page, set at assembly

    @property
    def current_clause(self) -> str:
        return self.clauses[-1].clause_id

    def add_heading(self, clause_id: str, title: str, heading: str, level: int) -> PlacedClause:
        placement = self.flow.place_heading(HeadingBlock(heading, level))
        clause = PlacedClause(clause_id, title, heading, level, placement.first_page, placement.top)
        self.clauses.append(clause)
        return clause

    def record_marks(self, placement: Placement) -> None:
        for placed in placement.marks:
            self.marks.append(PlacedMarkRecord(self.current_clause, placed.mark, placed.page, placed.rect))
