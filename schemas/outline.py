"""The cleaned bookmark outline of a source PDF and the PDF's identity."""

from typing import Literal

from pydantic import Field

from schemas.base import Contract


class OutlineEntry(Contract):
    """One clause heading: from a bookmark, or detected in the text layer."""

    clause_id: str | None = Field(
        description="Canonical clause id ('17.4.37', 'Annex A', 'A.3'); None for an unnumbered entry."
    )
    title: str = Field(description="Heading text without the clause id.")
    level: int = Field(ge=1, description="Depth derived from the clause id (1 = top-level clause or annex).")
    page: int | None = Field(description="0-based PDF page index of the heading; None when the bookmark has no destination.")
    page_label: str | None = Field(default=None, description="Printed page label of that page, when known.")
    label: str | None = Field(
        default=None, description="The id as the document prints it ('Appendix A', '§§ 3 bis 6') when it differs from clause_id."
    )
    y: float | None = Field(
        default=None, description="Where the heading sits on its page (points from the top), from the bookmark's destination."
    )
    origin: Literal["printed_toc"] | None = Field(
        default=None,
        description="Where the entry came from when that is not the outline's own source: 'printed_toc' for a part the "
        "bookmarks lack and the printed contents list (an appendix Word did not bookmark).",
    )


class DroppedBookmark(Contract):
    """A bookmark removed while cleaning the outline, with the reason."""

    title: str
    page: int | None
    reason: str


class Outline(Contract):
    entries: list[OutlineEntry]
    source: Literal["bookmarks", "printed_toc", "linked_contents", "text_layer"]
    bookmarks_total: int = Field(description="Raw bookmark count before cleaning (0 for the text-layer fallback).")
    dropped: list[DroppedBookmark] = Field(default_factory=list)
    without_destination: list[str] = Field(default_factory=list, description="Titles of kept entries that point nowhere.")
    past_last_page: list[str] = Field(default_factory=list, description="Titles of entries that pointed past the last page (dropped).")

    @property
    def depth(self) -> int:
        return max((entry.level for entry in self.entries), default=0)


class PageOffset(Contract):
    """How printed page numbers map to 0-based PDF page indices: index = printed + offset."""

    offset: int | None
    method: Literal["page_labels", "running_footers", "none"]
    evidence_pages: int = Field(default=0, description="Pages whose printed number agreed with the offset.")


class SourcePdf(Contract):
    path: str
    sha256: str
    page_count: int
    page_labels: list[str] = Field(description="Printed label of each page ('' where the PDF defines none).")
    outline: Outline
    page_offset: PageOffset
    textless_pages: list[int] = Field(description="0-based pages whose text layer holds no text at all.")
