"""Sections (the clause tree in memory), the segmentation report, and the written tree's report.

A `Section` is one outline clause with the blocks that belong to it; the segmenter builds them
from the document's block stream and the cleaned outline. `ClauseTreeReport` describes the
Markdown files written for them and is what the clause_tree checks and the cross-linker read.
"""

from typing import Literal

from pydantic import Field

from schemas.base import Contract
from schemas.blocks import Block

FRONT_MATTER_KEY = "front-matter"


class SegmentationRules(Contract):
    """How strictly blocks are matched to outline clauses (document profile: `segmentation`)."""

    title_similarity: float = Field(
        default=80.0, ge=0, le=100, description="Minimum rapidfuzz ratio between a heading's title and the outline title."
    )
    successor_window: int = Field(
        default=3, ge=0, description="How many outline entries past the next expected one may open a section (skipping the rest)."
    )
    page_slack: int = Field(
        default=1, ge=0, description="A heading may sit at most this many pages after the page its bookmark points to."
    )
    running_text_min_pages: int = Field(
        default=3, ge=2, description="A short plain text repeated at a page edge on this many pages is a running header/footer."
    )
    running_text_max_chars: int = Field(default=120, ge=1)
    page_edge: float = Field(
        default=0.1, gt=0, lt=0.5, description="Share of the page height (bbox space 0-1000) at top and bottom that counts as the page edge."
    )
    missing_clauses_blocking: float = Field(
        default=0.005, ge=0, le=1,
        description="Share of the outline's clauses that may be missing from the tree before the build stops: more, and "
        "clause_tree_has_every_clause fails with severity ERROR (blocking); at most this many, and it fails with severity "
        "WARN, naming them, while the corpus is still built. 0 blocks on the first missing clause.",
    )


class TreeRules(Contract):
    """How files are named (document profile: `tree`)."""

    slug_words: int = Field(default=4, ge=1, description="Words of the title kept in a file name.")
    slug_chars: int = Field(default=40, ge=8, description="Maximum length of the title part of a file name.")


class Section(Contract):
    key: str = Field(description="Unique in the document: the clause id, else a slug of the title ('front-matter' for front matter).")
    clause_id: str | None
    title: str
    label: str | None = Field(default=None, description="The id as printed, when it differs from clause_id ('Appendix A').")
    level: int = Field(ge=1)
    outline_index: int | None = Field(description="Position in the outline; None for the front matter.")
    outline_page: int | None = Field(description="0-based page the bookmark points to.")
    heading_page: int | None = Field(default=None, description="Page of the block that opened the section; None when missed.")
    first_page: int | None = Field(default=None, description="Start of the clause's span: the heading page, else the outline page.")
    last_page: int | None = Field(default=None, description="End of the span: the next clause's start page (inclusive).")
    matched: bool = False
    heading_repaired: bool = Field(default=False, description="The heading arrived split in two blocks (id, then title) and was joined.")
    blocks: list[Block] = Field(default_factory=list)
    children: list["Section"] = Field(default_factory=list)

    @property
    def display_id(self) -> str:
        printed = self.label or self.clause_id
        return f"{printed} {self.title}".strip() if printed else self.title

    def walk(self):
        """This section and every descendant, in document order."""
        yield self
        for child in self.children:
            yield from child.walk()


class MatchedClause(Contract):
    key: str
    clause_id: str | None
    title: str
    outline_page: int | None
    heading_page: int
    repaired_split: bool = False


class MissedClause(Contract):
    key: str
    clause_id: str | None
    title: str
    page: int | None = Field(description="Page the bookmark points to.")


class OutOfOrderClause(Contract):
    """A heading that was found, but where the outline order did not allow it to open its clause."""

    key: str
    clause_id: str | None
    title: str
    outline_page: int | None
    found_page: int
    found_in: str = Field(description="Key of the section whose content the heading ended up in.")


class SegmentationReport(Contract):
    clauses_total: int
    matched: list[MatchedClause]
    missed: list[MissedClause]
    out_of_order: list[OutOfOrderClause]
    blocks_in: int
    blocks_assigned: int
    front_matter_blocks: int
    furniture_dropped: dict[str, int] = Field(description="Blocks dropped as page furniture, by reason.")
    running_texts: list[str] = Field(default_factory=list, description="The repeated texts recognised as running headers/footers (first 20).")
    reordered: list[str] = Field(default_factory=list, description="Outline entries filed out of page order, walked at their page's position.")


class ClauseTree(Contract):
    sections: list[Section] = Field(description="Top-level sections in document order; the front matter first when present.")
    report: SegmentationReport

    def walk(self):
        for section in self.sections:
            yield from section.walk()


class TableColumns(Contract):
    """One table: its columns as the corpus writes it, and as the PDF's ruling lines draw it."""

    section: str
    page: int
    rendered: int = Field(description="Columns of the widest row written (0: not written as a table).")
    ruled: int | None = Field(description="Columns the vertical rules and cell edges draw; None: no such evidence (no inner rules).")


class MisplacedBlock(Contract):
    section: str
    page: int
    block_type: str
    span: tuple[int, int]
    preview: str


class TreeFile(Contract):
    path: str = Field(description="POSIX path relative to the tree root.")
    kind: Literal["root", "barrel", "leaf"]
    section: str | None = Field(description="Section key; None for the root index.")
    clause_id: str | None = None
    bytes: int


EmptyReason = Literal["heading_then_next_heading", "heading_not_found", "rendered_nothing", "content_in_text_layer"]


class EmptyClause(Contract):
    section: str
    clause_id: str | None
    title: str
    listed_in: str = Field(description="The index file (relative path) that lists the clause without a link.")
    reason: EmptyReason = Field(
        default="heading_then_next_heading",
        description="heading_then_next_heading: the heading was found and the next clause's heading follows it directly "
        "(legitimately empty); heading_not_found: the heading never appeared in the text, so the clause is lost; "
        "rendered_nothing: its blocks rendered to no text; content_in_text_layer: the PDF prints text between its heading "
        "and the next one that the parser did not deliver (lost content).",
    )
    evidence: str = Field(default="", description="For content_in_text_layer: the start of the text the PDF prints there.")

    @property
    def legitimately_empty(self) -> bool:
        return self.reason == "heading_then_next_heading"


class SectionSpan(Contract):
    """Where a section's blocks came from, for the placement check (blocks themselves are not repeated)."""

    section: str
    first_page: int | None
    last_page: int | None
    block_pages: list[int]
    matched: bool = Field(default=True, description="The clause's heading was found in the block stream.")
    has_children: bool = Field(default=False, description="The clause has sub-clauses (it is a barrel).")


class ClauseTreeReport(Contract):
    root_index: str = "index.md"
    files: list[TreeFile]
    empty_clauses: list[EmptyClause]
    barrels: int
    leaves: int
    bytes: int
    images_copied: int = 0
    images_missing: list[str] = Field(default_factory=list)
    segmentation: SegmentationReport
    spans: list[SectionSpan] = Field(default_factory=list)
    misplaced: list[MisplacedBlock] = Field(default_factory=list)
    tables: list[TableColumns] = Field(default_factory=list, description="Every table's columns, written and ruled (specmill.tree.table_columns).")
