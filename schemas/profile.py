"""The document profile: everything document-specific, as data (a small YAML file).

Nothing in code knows about any one standard; a profile tells the pipeline how this
document numbers its clauses, which bookmarks are junk, and how big a batch may be.
"""

from pathlib import Path

from pydantic import Field

from schemas.base import Contract
from schemas.link_profile import LinkRules
from schemas.patterns import IdRegex, IdTemplate, ProfileRegex
from schemas.plan import PlanParameters
from schemas.tree import SegmentationRules, TreeRules
from schemas.verification_profile import VerificationRules


class ClauseIdPattern(Contract):
    """How a heading's leading clause id is recognised.

    `regex` is matched at the start of the heading and must capture the id in a group named
    `id`; `template` builds the canonical id from it; the level is the number of dot-separated
    parts of the captured id plus `level_offset`."""

    regex: IdRegex
    template: IdTemplate = "{id}"
    level_offset: int = 0


def _default_clause_id_patterns() -> list[ClauseIdPattern]:
    separator = r"(?=[\s\u00a0:.\u2013\u2014-]|$)"
    return [
        # "Annex A (normative) Schema", "Appendix B Ontology": a top-level annex.
        ClauseIdPattern(
            regex=r"(?:Annex|Appendix)[\s\u00a0]+(?P<id>[A-Z])(?=[\s\u00a0:\u2013\u2014-]|\.(?!\d)|$)",
            template="Annex {id}",
        ),
        # "A.3 Foo" or "Appendix A.1 Foo": a clause inside an annex.
        ClauseIdPattern(regex=r"(?:(?:Annex|Appendix)[\s\u00a0]+)?(?P<id>[A-Z](?:\.\d+)+)\.?" + separator),
        # "17.4.37 tbl (Table)", "2 Conformance", "3. Terms".
        ClauseIdPattern(regex=r"(?P<id>\d+(?:\.\d+)*)\.?" + separator),
        # A statute numbered by section sign ('§ 823') brings its pattern in its profile
        # (profiles/german-statute.yaml): the generic default knows no document.
    ]


class OutlineRules(Contract):
    junk_bookmark_patterns: list[ProfileRegex] = Field(
        default_factory=lambda: [
            r"^OLE_LINK\d*$",
            r"^_Toc\d*",
            r"^_Ref\d*",
            r"^_Hlk\d*",
            r"^DD[A-Z]\w*$",
            r"^(?:Lib|LIB)[A-Z]\w*$",
            r"^[\w\- ]+\.(?:png|jpe?g|gif|bmp|emf|wmf|pdf|docx?|xml)$",
            # A cover's date as a bookmark ("18 February 2026", xacml40-core) would read as clause 18.
            r"^\d{1,2}\.?\s+(?:January|February|March|April|May|June|July|August|September|October|November|December)\s+\d{4}$",
        ],
        description="Regexes (full title) of Word/authoring-tool bookmarks, and cover dates, that are never clauses.",
    )
    clause_id_patterns: list[ClauseIdPattern] = Field(default_factory=_default_clause_id_patterns)
    numbered_majority: float = Field(
        default=0.5,
        description="When more than this share of entries carry a clause id, unnumbered entries are dropped.",
    )
    heading_band: float = Field(
        default=0.07,
        description="Share of the page height at top and bottom treated as running header/footer by the text-layer fallback.",
    )


class DocumentProfile(Contract):
    name: str = "default"
    outline: OutlineRules = Field(default_factory=OutlineRules)
    plan: PlanParameters = Field(default_factory=PlanParameters)
    segmentation: SegmentationRules = Field(default_factory=SegmentationRules)
    tree: TreeRules = Field(default_factory=TreeRules)
    links: LinkRules = Field(default_factory=LinkRules)
    verification: VerificationRules = Field(default_factory=VerificationRules)

    @classmethod
    def load(cls, path: Path | None) -> "DocumentProfile":
        """Read a profile YAML file; None gives the defaults."""
        if path is None:
            return cls()
        import yaml

        data = yaml.safe_load(Path(path).read_text(encoding="utf-8")) or {}
        return cls.model_validate(data)


class AutomaticChoice(Contract):
    """The shipped profile a document's own evidence calls for (specmill.profiles.choose)."""

    profile: str | None = Field(description="A shipped profile's name; None: the generic default.")
    reason: str = Field(description="The evidence, in words ('2849 of 3220 bookmarks are '§ N' and the text is German …').")


class ProfileRecord(Contract):
    """Which profile a build uses and why, as source_pdf records it (profile.json): the later
    stages take an automatically chosen profile from here, so none of them opens the PDF."""

    name: str
    automatic: bool = Field(description="Chosen from the document because no profile was asked for.")
    reason: str
    shipped: bool = Field(description="A profile of profiles/ (found again by its name); False: the generic default or a file asked for.")


class ProfileSelection(Contract):
    """The profile one build uses, and how it came to be chosen (logged by source_pdf)."""

    profile: DocumentProfile
    name: str
    path: str | None = Field(description="The YAML file read; None: the generic default.")
    automatic: bool = Field(description="Chosen from the document because no profile was asked for.")
    reason: str

    def record(self) -> ProfileRecord:
        return ProfileRecord(name=self.name, automatic=self.automatic, reason=self.reason, shipped=self.automatic and self.path is not None)
