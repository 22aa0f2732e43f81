"""How a document writes its cross-references (document profile: `links`).

Every word list below is data, so a profile can teach the extractor another language or house
style (`§ 823 Abs. 1` in a German statute: profiles/german-statute.yaml) without code knowing
about any one document. The defaults are the English of technical standards; they name no
document."""

from typing import Literal

from pydantic import Field

from schemas.base import Contract
from schemas.patterns import IdRegex, IdTemplate, ProfileRegex

ExtraReferenceForm = Literal["section_sign", "clause_word", "annex", "dotted", "custom"]


class ReferencePattern(Contract):
    """An extra reference form: `regex` must capture the clause id in a group named `id`;
    `template` builds the canonical id from it ('Annex {id}', '{id}'). The whole match is linked
    unless the regex has a group named `link`, which then marks the linked text."""

    regex: IdRegex
    template: IdTemplate = "{id}"
    form: ExtraReferenceForm = "custom"


class LinkRules(Contract):
    section_signs: list[str] = Field(
        default_factory=lambda: ["§", "\ufffd", "Â§"],
        description="Glyphs printed for the section sign, including the replacement glyph of a damaged font and mojibake.",
    )
    clause_words: list[str] = Field(
        default_factory=lambda: ["clause", "clauses", "subclause", "subclauses", "section", "sections", "chapter", "chapters", "paragraph"],
        description="Words that make the number after them a clause reference ('clause 7', 'Section 3.2'); case-insensitive.",
    )
    annex_words: list[str] = Field(
        default_factory=lambda: ["Annex", "Appendix"], description="Words that introduce an annex letter ('Annex B', 'Appendix C.2')."
    )
    dotted_cues: list[str] = Field(
        default_factory=lambda: ["see", "in", "under", "per", "also", "cf."],
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
    value_words: list[str] = Field(
        default_factory=lambda: [
            "is", "are", "was", "be", "equals", "number", "numbers", "integer", "integers", "value", "values", "version",
            "versions", "decimal", "float", "e.g.", "example",
        ],
        description="Words after which a number is a value, not a reference: a named cue's 'name' ('the attribute is 1.3') "
        "and the word before a parenthesis ('floating-point numbers (3.14)').",
    )
    clause_word_labels: list[str] = Field(
        default_factory=lambda: ["Conformance"],
        description="Words that make '<word> Clause N' a name of its own ('Conformance Clause 1' of an OASIS standard), not a reference to clause N.",
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
        default_factory=lambda: ["–", "—", "-", "to", "through"],
        description="Words joining the ends of a range ('§§ 3–5', 'sections 3 through 5').",
    )
    list_connectors: list[str] = Field(
        default_factory=lambda: [",", "and", "or"],
        description="Words joining the members of a list after a double section sign or a plural clause word ('§§ 3, 5 and 7').",
    )
    external_after: list[ProfileRegex] = Field(
        default_factory=lambda: [
            # '§5.2 of [RFC3986]', 'section 5.1 of the standard [RFC3987]', 'Section 3.7 of the Bindings specification [SAMLBind]'
            r"(?:of|in)\s+(?:the\s+)?(?:IETF\s+)?\\?\[(?P<doc>[^\]\n]+?)\\?\](?!\()",
            r"of\s+the\s+(?:[\w-]+\s+){1,4}?\\?\[(?P<doc>[^\]\n]+?)\\?\](?!\()",
            # the cited clause's title between ('section 7.3 "The SignatureTimeStamp element" [XAdES]',
            # 'section 2.1 Well-Formed XML Documents [XML]')
            r"[“\"][^”\"\n]{1,100}[”\"]\s*,?\s*\\?\[(?P<doc>[^\]\n]+?)\\?\](?!\()",
            r"(?:[A-Z][\w'’-]*\s+){1,6}\\?\[(?P<doc>[^\]\n]+?)\\?\](?!\()",
            # 'Section 2.2 of IETF RFC 3513', 'clause 5 of ISO/IEC 29500-1:2016', '§9 of ECMA-376 Part 2', 'of ITU-T X.509'
            r"(?:of|in)\s+(?:IETF\s+)?(?P<doc>(?:RFC|ISO(?:/IEC)?|IEC|ECMA|ITU(?:-T)?)[\s-]*\d[\w.:/-]*(?:,?\s+Part\s+\d+)?)",
            r"(?:of|in)\s+(?P<doc>ITU(?:-T)?\s+[A-Z]\.\d+)",
            # 'section 3.13 of XSD 1.1 standard': a named standard with its version is never this one's "this"
            r"of\s+(?:the\s+)?(?P<doc>[A-Z][\w/-]*(?:\s+[A-Z][\w/-]*){0,3}\s+v?\d+(?:\.\d+)+)\s+(?i:standard|specification|recommendation)\b",
            # '§4.3 of the W3C XML Signature Recommendation'
            r"of\s+the\s+(?P<doc>(?:W3C|IETF|ISO|IEC|ITU|ECMA)(?:\s+[A-Z][\w.-]*){0,5})\s+(?i:recommendation|specification|standard)\b",
            r"(?:of|in)\s+(?P<doc>ISO|IEC|ECMA|RFC|ITU|W3C|IETF)\b",
            r"(?:of|in)\s+(?P<doc>Part\s+\d+)",
            # 'section 2.7 of version 1.0 of this document': an earlier edition is another document
            r"of\s+(?P<doc>(?:version|edition)\s+\d[\w.]*?)(?=[\s,;:)]|\.(?:\s|$)|$)",
            # '§3.2[xmlenc-core]', 'section 9.1 [RFC 3852]' (never a Markdown link)
            r"\\?\[(?P<doc>[^\]\s\\][^\]\n]*?)\\?\](?!\()",
        ],
        description="Regexes matched right after a reference (spaces skipped, Markdown emphasis ignored) that make it point "
        "outside this document ('§5.2 of [xmlenc-core]', '§4.3 of the W3C XML Signature Recommendation'); the first that matches wins. A group named `doc` names "
        "the cited document. "
        "A bracketed name that is a clause title of this document ('Section 3.6 [Redirections]') is no citation.",
    )
    not_cited_documents: list[str] = Field(
        default_factory=lambda: [
            "Example", "Note", "Guidance", "Rationale", "Optional", "Required", "Normative", "Non-normative", "Informative", "Deprecated",
        ],
        description="Words that open a bracket which is an annotation, never a cited document ('§3.2 [Note: …]', "
        "'10.1.1 Parsing [non-normative]'); case-insensitive.",
    )
    subdivision_words: list[str] = Field(
        default_factory=lambda: ["item", "para."],
        description="Subdivisions printed after a reference ('§ 20 item 2 of …'; a statute's profile adds its own, 'Absatz', 'Satz'): skipped before external_after is tested.",
    )
    external_before: list[ProfileRegex] = Field(
        default_factory=lambda: [
            r"(?P<doc>(?:ISO(?:/IEC)?|IEC)\s*\d[\d-]*(?::\d{4})?(?:,?\s+Part\s+\d+)?)[\s,]*$",
            r"(?P<doc>ECMA-\d+(?:,?\s+Part\s+\d+)?)[\s,]*$",
            r"(?P<doc>RFC\s*\d+)[\s,]*$",
            r"(?P<doc>Part\s+\d+)[\s,]*$",
            # 'see [XMLDSIG] §4.3', '[XAdES] section 7.6.1', '[RFC8259], section 12'
            r"\\?\[(?P<doc>[^\]\s\\][^\]\n]*?)\\?\][\s,]*$",
            # a remark in parentheses after a standard is about that standard: 'based on RFC 3986 (cf. the
            # ABNF definition of 'URI' in Appendix A)'
            r"(?P<doc>(?:RFC|ISO(?:/IEC)?|IEC|ECMA-?)\s*\d[\d-]*(?::\d{4})?)\s+\((?:cf\.|see|as\s+in|per)[^()\n]{0,50}$",
            # 'similar to ibid. section 4.2.2.4', 'as given there in section 4.3.2': the document cited just before
            r"(?:\bibid\.?|\bthere\s+in)[\s,]*$",
        ],
        description="Regexes matched against the text just before a reference (Markdown emphasis ignored) that make it point "
        "outside this document ('ECMA-376 Part 2, §9', 'RFC 3986 section 5'); a group named `doc` names the cited document.",
    )
    bibliography_titles: list[str] = Field(
        default_factory=lambda: [
            "Normative References", "Non-normative References", "Informative References", "Bibliography",
        ],
        description="Titles of the clauses that list other documents (compared without case): every reference printed in one "
        "('Jones, Functional Programming, Section 8, Prentice-Hall') names a clause of the document its entry describes. "
        "A bare 'References' is left out: it also titles clauses about reference elements.",
    )
    extra_patterns: list[ReferencePattern] = Field(default_factory=list, description="Further reference forms of this document.")
    title_references: bool = Field(
        default=True, description="Link references by clause title ('see Physical Package'); the title must be printed with its own capitals."
    )
    title_cues: list[str] = Field(
        default_factory=lambda: ["see", "see also", "described in", "specified in", "defined in", "refer to", "titled"],
        description="Words after which a clause title, as printed or in quotes, is a reference to that clause.",
    )
    title_min_chars: int = Field(default=4, ge=1, description="Shorter titles are never matched as title references.")
    resolution_threshold: float = Field(
        default=0.98, ge=0, le=1,
        description="Minimum share of the references into this document that must resolve (the crosslink check); references into other documents are left out.",
    )
