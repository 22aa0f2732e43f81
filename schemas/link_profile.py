"""How a document writes its cross-references (document profile: `links`).

Every word list below is data, so a profile can teach the extractor another language or house
style (`§ 823 Abs. 1` in a German statute, `4.3` after an element name in an OASIS spec)
without code knowing about either document."""

from typing import Literal

from pydantic import Field

from schemas.base import Contract

ExtraReferenceForm = Literal["section_sign", "clause_word", "annex", "dotted", "custom"]


class ReferencePattern(Contract):
    """An extra reference form: `regex` must capture the clause id in a group named `id`;
    `template` builds the canonical id from it ('Annex {id}', '{id}'). The whole match is linked
    unless the regex has a group named `link`, which then marks the linked text."""

    regex: str
    template: str = "{id}"
    form: ExtraReferenceForm = "custom"


class LinkRules(Contract):
    section_signs: list[str] = Field(
        default_factory=lambda: ["§", "\ufffd", "Â§"],
        description="Glyphs printed for the section sign, including the replacement glyph of a damaged font and mojibake.",
    )
    clause_words: list[str] = Field(
        default_factory=lambda: ["clause", "clauses", "subclause", "subclauses", "section", "sections", "paragraph"],
        description="Words that make the number after them a clause reference ('clause 7', 'Section 3.2'); case-insensitive.",
    )
    annex_words: list[str] = Field(
        default_factory=lambda: ["Annex", "Appendix"], description="Words that introduce an annex letter ('Annex B', 'Appendix C.2')."
    )
    dotted_cues: list[str] = Field(
        default_factory=lambda: ["see", "in", "under", "per", "also", "cf.", "siehe"],
        description="Words after which a bare dotted number ('see 9.1.2') is a reference; case-insensitive.",
    )
    qualified_name_cue: bool = Field(
        default=True,
        description="A bare dotted number right after an element or attribute name ('<manifest:file-entry> 4.3', 'manifest:size 4.16.13') is a reference.",
    )
    named_cues: list[str] = Field(
        default_factory=lambda: ["type", "datatype", "element", "attribute"],
        description="A bare dotted number right after '<cue> <Name>' is a reference ('of type anyURI 7.2', 'the element foo 4.3').",
    )
    deep_numbers_are_references: bool = Field(
        default=True,
        description="A bare number of three or more parts ('of 2.2.1') is a reference without a cue (never a decimal); it still has to name a clause of the document.",
    )
    not_reference_before: list[str] = Field(
        default_factory=lambda: ["version", "versions", "v", "release", "edition", "revision", "rev", "ver", "level", "step", "factor", "about"],
        description="Words after which a bare number is never a reference ('version 1.2').",
    )
    units: list[str] = Field(
        default_factory=lambda: [
            "mm", "cm", "m", "km", "in", "inch", "inches", "pt", "pts", "px", "em", "ex", "pc", "%", "percent", "°", "degrees",
            "s", "ms", "sec", "seconds", "min", "minutes", "h", "hours", "kb", "mb", "gb", "bytes", "bits", "kHz", "MHz", "Hz", "dpi",
        ],
        description="A number followed by one of these is a measurement, never a bare-number reference ('3.5 mm').",
    )
    range_connectors: list[str] = Field(
        default_factory=lambda: ["–", "—", "-", "to", "through", "bis"],
        description="Words joining the ends of a range ('§§ 3–5', '§§ 249 bis 253').",
    )
    list_connectors: list[str] = Field(
        default_factory=lambda: [",", "and", "or", "und", "oder", "sowie"],
        description="Words joining the members of a list after a double section sign or a plural clause word ('§§ 3, 5 und 7').",
    )
    external_after: list[str] = Field(
        default_factory=lambda: [
            r"(?:of|in)\s+(?:\[[^\]]+\]|ISO|IEC|ECMA|RFC|ITU|W3C|IETF|Part\s+\d)",
            r"\[(?!Example|Note|Guidance|Rationale)[^\]\s][^\]]*\](?!\()",
            r"(?:des|der|dieses|dieser)\s+(?!Gesetzbuch|Buch|Bürgerlichen\s+Gesetzbuch)[A-ZÄÖÜ]",
            r"(?!BGB\b)[A-ZÄÖÜ][A-Za-zÄÖÜäöü]*[GOVB]\b",
        ],
        description="Regexes matched right after a reference (spaces skipped) that make it point outside this document ('§5.2 of [xmlenc-core]', '§ 12 ZPO').",
    )
    subdivision_words: list[str] = Field(
        default_factory=lambda: ["Absatz", "Abs.", "Satz", "Nummer", "Nr.", "Buchstabe", "Halbsatz", "Alt.", "Unterabsatz", "item", "para."],
        description="Subdivisions printed after a reference ('§ 20 Absatz 2 und 3 des …'): skipped before external_after is tested.",
    )
    external_before: list[str] = Field(
        default_factory=lambda: [r"(?:ISO(?:/IEC)?\s*\d[\d-]*|ECMA-\d+|RFC\s*\d+|Part\s+\d+|\[[^\]\s][^\]]*\]|Artikel\s+\d+\w*)[\s,]*$"],
        description="Regexes matched against the text just before a reference that make it point outside this document ('ECMA-376 Part 2, §9').",
    )
    extra_patterns: list[ReferencePattern] = Field(default_factory=list, description="Further reference forms of this document.")
    title_references: bool = Field(
        default=True, description="Link references by clause title ('see Physical Package'); the title must be printed with its own capitals."
    )
    title_cues: list[str] = Field(default_factory=lambda: ["see", "see also", "described in", "siehe"])
    title_min_chars: int = Field(default=4, ge=1, description="Shorter titles are never matched as title references.")
    resolution_threshold: float = Field(
        default=0.98, ge=0, le=1, description="Minimum share of found references that must resolve (the crosslink check)."
    )
