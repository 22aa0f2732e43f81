"""The schema vocabulary, name-verification findings, and the corrected corpus's reports.

`Vocabulary` is what the xsd_vocabulary asset writes: every declared name of the document's
schemas (XSD, RELAX NG compact, RELAX NG XML) with its kind and source file. `FindingsReport`
is what corrected_corpus writes next to the final tree (DIR/findings.json)."""

from typing import Literal

from pydantic import Field

from schemas.base import Contract

NameKind = Literal["element", "attribute", "complexType", "simpleType", "group", "attributeGroup", "define", "enumeration"]
SchemaFormat = Literal["xsd", "rnc", "rng"]
# What the text around a token says it is: an element or attribute name, or just "a name".
TokenKind = Literal["element", "attribute", "type", "name"]
FindingStatus = Literal["actionable", "corrected", "benign", "suspect"]


class VocabularyName(Contract):
    name: str = Field(description="Local name, without a namespace prefix ('pPr', 'full-path', 'CT_Run').")
    kind: NameKind
    prefix: str | None = Field(default=None, description="Prefix as written in the schema ('manifest' in 'manifest:full-path'); None when unprefixed.")
    source: str = Field(description="Schema file the name is declared in (path relative to the schema root, 'archive.zip!member' inside a zip).")


class SkippedSchema(Contract):
    path: str
    reason: str


class SchemaFileSummary(Contract):
    path: str
    format: SchemaFormat
    names: int


class Vocabulary(Contract):
    roots: list[str] = Field(description="Directories, zips or files the vocabulary was loaded from.")
    files: list[SchemaFileSummary]
    skipped: list[SkippedSchema] = Field(default_factory=list, description="Malformed or unreadable schema files, each with the reason.")
    names: list[VocabularyName] = Field(description="One entry per (name, kind, prefix) and file.")
    declaration_counts: dict[str, int] = Field(
        default_factory=dict, description="Named declarations per kind as written, repeats included (local elements re-declared per type)."
    )

    def counts(self) -> dict[str, int]:
        """Distinct local names per kind."""
        by_kind: dict[str, set[str]] = {}
        for entry in self.names:
            by_kind.setdefault(entry.kind, set()).add(entry.name)
        return {kind: len(names) for kind, names in sorted(by_kind.items())}

    def local_names(self, kinds: set[str] | None = None) -> set[str]:
        return {entry.name for entry in self.names if kinds is None or entry.kind in kinds}

    def prefixes(self) -> set[str]:
        return {entry.prefix for entry in self.names if entry.prefix}


class Finding(Contract):
    token: str = Field(description="The name as the parsed text spells it (local part).")
    suggestion: str | None = Field(description="The vocabulary name it most likely garbles; None when there is none.")
    kind: TokenKind = Field(description="What the context says the token is.")
    section: str = Field(description="Section key of the clause the token occurs in.")
    file: str = Field(description="Tree file (relative POSIX path).")
    occurrences: int = Field(default=1, ge=1, description="Occurrences of the token in this file.")
    evidence_pages: list[int] = Field(default_factory=list, description="0-based PDF pages searched (the section's own pages).")
    status: FindingStatus
    reason: str = Field(description="Why this status: what the vocabulary and the PDF text showed.")
    score: float = Field(default=0.0, description="rapidfuzz similarity of token and suggestion (0-100).")
    in_vocabulary: bool = Field(default=False, description="The token is itself a vocabulary name (a garble that spells another real name).")
    alternatives: list[str] = Field(
        default_factory=list,
        description="Other vocabulary names the evidence pages print that are as close to the token as the suggestion: "
        "the PDF disproves the token but cannot say which name it garbles, so no correction is made without the profile. "
        "Found place by place (the PDF prints the suggestion where the token stands), the token itself when it is not "
        "disproved at every place the file uses it: a correction of them all could garble the others.",
    )


class StaleOverlay(Contract):
    section: str
    find: str
    regex: bool = False
    reason: str = "find text no longer occurs in the section"


class AppliedCorrection(Contract):
    section: str
    file: str
    token: str
    replacement: str
    kind: TokenKind
    count: int
    origin: Literal["profile", "confirmed", "overlay"]


class DeclarationMatch(Contract):
    kind: str
    name: str
    matched_name: str | None = None
    match: Literal["exact", "case_insensitive", "fuzzy", "unmatched"]
    schema_file: str | None = None
    path: str | None = Field(default=None, description="Declaration file written for it (relative POSIX path).")


class SectionReplacement(Contract):
    section: str
    file: str
    home_schema: str | None
    declarations: list[DeclarationMatch]

    @property
    def replaced(self) -> int:
        return sum(1 for d in self.declarations if d.match != "unmatched")


class SchemaReplacementReport(Contract):
    sections: list[SectionReplacement] = Field(default_factory=list)
    declarations_total: int = 0
    declarations_replaced: int = 0
    unmatched: list[DeclarationMatch] = Field(default_factory=list)
    printed_in_pdf: int | None = Field(
        default=None,
        description="Top-level declarations of the schema files (by kind and name) that the PDF's text layer prints at "
        "the top level of a listing: the replacement's denominator, independent of the listing reader. None without schemas.",
    )
    printed_in_pdf_replaced: int = Field(default=0, description="Of those, how many some section replaced.")
    printed_in_pdf_missed: list[str] = Field(default_factory=list, description="'kind name' of those not replaced (a sample).")

    @property
    def rate(self) -> float | None:
        """Share of the declarations the PDF prints that were replaced (or, without that evidence,
        of those the listing reader found); None when nothing prints a schema."""
        if self.printed_in_pdf:
            return self.printed_in_pdf_replaced / self.printed_in_pdf
        return self.declarations_replaced / self.declarations_total if self.declarations_total else None


class VerificationFigures(Contract):
    files_checked: int
    tokens_checked: int = Field(description="Name-context token occurrences examined.")
    distinct_tokens: int
    pages_extracted: int = Field(description="PDF pages whose text layer was read (each at most once).")
    seconds: float = 0.0


class FindingsReport(Contract):
    findings: list[Finding]
    counts: dict[str, int] = Field(description="Findings per status.")
    corrections: list[AppliedCorrection] = Field(default_factory=list)
    stale_overlays: list[StaleOverlay] = Field(default_factory=list)
    schema_replacement: SchemaReplacementReport = Field(default_factory=SchemaReplacementReport)
    replacement_rate: float | None = None
    figures: VerificationFigures
    vocabulary_counts: dict[str, int] = Field(default_factory=dict)

    def with_status(self, status: str) -> list[Finding]:
        return [finding for finding in self.findings if finding.status == status]
