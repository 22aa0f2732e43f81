"""Cross-references found in the clause tree, where each one points, and the citation graph.

`LinkReport` is what the crosslink_graph asset writes as DIR/links.json and what its checks read.
"""

from typing import Literal

from pydantic import Field

from schemas.base import Contract

ReferenceForm = Literal["section_sign", "range", "list", "clause_word", "annex", "dotted", "title", "custom"]
UnresolvedReason = Literal["unknown_id", "outside_document", "ambiguous"]


class LinkPiece(Contract):
    """One link written for a reference: a range links both of its ends, a list each member."""

    label: str = Field(description="The link text as written (before Markdown escaping): '§2', 'Section 3.2', '5' (a range's far end).")
    names: str = Field(description="The clause the printed text names, normalized as printed ('17.9.11', 'Annex B', 'title:package model'), before resolution.")
    path: str = Field(description="The destination written, relative to the source file.")


class Reference(Contract):
    """One reference as printed in a clause file, and what became of it."""

    source_section: str | None = Field(description="Key of the section whose file holds the reference; None for the root index.")
    source_file: str = Field(description="POSIX path of that file, relative to the tree root.")
    line: int = Field(ge=1, description="1-based line in the source file (before linking); for a linked reference printed in a code example, "
        "the line of links appended at the end of the file.")
    raw_text: str = Field(description="The reference exactly as it stood in the Markdown ('§ 17.9.11', 'see 9.1.2', '§§ 3–5').")
    form: ReferenceForm
    target_id: str = Field(description="Canonical id of the (first) target: the document's clause id when resolved, else the normalized id.")
    target_ids: list[str] = Field(description="Every clause the reference names (a range expanded, a list in order).")
    target_file: str | None = Field(default=None, description="The target's file (or the index listing an empty clause), relative to the tree root.")
    resolved_path: str | None = Field(default=None, description="The link written: target_file relative to source_file.")
    target_is_empty: bool = Field(default=False, description="The target clause has no content; the link goes to the index that lists it.")
    unresolved_reason: UnresolvedReason | None = None
    detail: str | None = Field(default=None, description="Why not resolved, in words (the candidates when ambiguous).")
    cited_document: str | None = Field(
        default=None,
        description="For a reference into another document: that document as the text names it ('RFC 3986', 'XMLDSIG', "
        "'ISO/IEC 29500-1'); None when the text does not name it, or the reference is to this document.",
    )
    links: list[LinkPiece] = Field(default_factory=list, description="The links written for it (none when unresolved).")

    @property
    def resolved(self) -> bool:
        return self.resolved_path is not None

    @property
    def external(self) -> bool:
        """It names a clause of another document: it can never resolve here, and is no miss."""
        return self.unresolved_reason == "outside_document"


class CitationNode(Contract):
    clause_id: str
    section: str | None
    file: str | None = Field(description="The clause's file relative to the tree root; None for an empty clause.")
    cited_by: int = Field(description="References pointing at this clause.")
    cites: int = Field(description="Resolved references written in this clause's file.")


class CitationEdge(Contract):
    source: str = Field(description="Clause id (or section key) of the referring clause.")
    target: str = Field(description="Clause id of the cited clause.")
    weight: int = Field(ge=1, description="How many references from source name target.")


class CitationGraph(Contract):
    nodes: list[CitationNode]
    edges: list[CitationEdge]


class CitedClause(Contract):
    clause_id: str
    count: int


class CitedDocument(Contract):
    document: str | None = Field(description="The other document as the text names it; None: the text does not name it.")
    count: int = Field(description="References into it.")


class LinkReport(Contract):
    references_found: int = Field(description="Every reference found: into this document and into others.")
    resolved: int
    unresolved: int = Field(description="found - resolved: references into this document that did not resolve, and every external one.")
    references_internal: int = Field(default=0, description="References into this document: what the resolution rate is computed over.")
    references_external: int = Field(default=0, description="References into other documents ('§5.2 of [RFC3986]'): never linked, never a miss.")
    resolution_rate: float = Field(description="resolved / references into this document; 1.0 when there is none.")
    unresolved_by_reason: dict[str, int]
    found_by_form: dict[str, int]
    links_emitted: int = Field(description="Markdown links written (a range links both of its ends).")
    files_changed: int
    most_cited: list[CitedClause] = Field(description="The most-cited clauses, most first (up to 20).")
    cited_documents: list[CitedDocument] = Field(
        default_factory=list, description="The other documents that references name, most cited first (every one)."
    )
    threshold: float = Field(description="The resolution-rate threshold of the profile at the time of linking.")
    references: list[Reference]
    graph: CitationGraph

    @property
    def unresolved_references(self) -> list[Reference]:
        """Every reference without a link, external ones included."""
        return [reference for reference in self.references if not reference.resolved]

    @property
    def unresolved_internal(self) -> list[Reference]:
        """References into this document that did not resolve: the misses a person can act on."""
        return [reference for reference in self.references if not reference.resolved and not reference.external]

    @property
    def external_references(self) -> list[Reference]:
        return [reference for reference in self.references if reference.external]


class DanglingLink(Contract):
    file: str
    line: int
    target: str = Field(description="The link destination as written.")
    reason: str


class MisdirectedLink(Contract):
    """A reference's link whose destination is not the file of the clause the reference names."""

    file: str = Field(description="The file holding the link, relative to the tree root.")
    line: int
    label: str = Field(description="The link text.")
    target: str = Field(description="The link destination as stored in the tree ('' when the link is missing).")
    names: str = Field(description="The clause the reference names.")
    lands_on: str | None = Field(description="The clause of the destination file; None when it is no clause's file.")
    reason: str
