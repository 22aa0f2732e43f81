"""Reference extraction: every printed form found and normalized, decoys and protected text left alone."""

import pytest

from schemas.link_profile import LinkRules, ReferencePattern
from specmill.links.extract import document_name, extract_references
from specmill.profiles.shipped import shipped_profile

# A German statute's words ('bis', 'und', 'Abs.', '§ 12 ZPO') are its profile's; the generic default knows none.
STATUTE = shipped_profile("german-statute").links


def found(text, **kwargs):
    return [(r.raw_text, r.form, r.target_ids) for r in extract_references(text, **kwargs)]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("is specified in §17.9.11.", [("§17.9.11", "section_sign", ("17.9.11",))]),
        ("is specified in § 17.9.11 here", [("§ 17.9.11", "section_sign", ("17.9.11",))]),
        ("see §A.3 for the schema", [("§A.3", "section_sign", ("A.3",))]),
        ("The type ST_Jc (§17.18.44) applies.", [("§17.18.44", "section_sign", ("17.18.44",))]),
        ("The clauses §§ 3–5 describe it.", [("§§ 3–5", "range", ("3", "5"))]),
        ("as stated in clause 7, the", [("clause 7", "clause_word", ("7",))]),
        ("Section 3.2 defines", [("Section 3.2", "clause_word", ("3.2",))]),
        ("is given in Annex B.", [("Annex B", "annex", ("Annex B",))]),
        ("see Appendix C.2 for", [("Appendix C.2", "annex", ("C.2",))]),
        ("For the run, see 9.1.2.", [("see 9.1.2", "dotted", ("9.1.2",))]),
        ("is described in 9.1.2.", [("in 9.1.2", "dotted", ("9.1.2",))]),
        ("is ignored here (9.1.2).", [("9.1.2", "dotted", ("9.1.2",))]),
        ("child elements `<manifest:file-entry>` 4.3, each", [("4.3", "dotted", ("4.3",))]),
        ("attribute manifest:size 4.16.13 and", [("4.16.13", "dotted", ("4.16.13",))]),
        ("shall be a `<manifest:manifest>` element 4.2.", [("4.2", "dotted", ("4.2",))]),
        ("(see Chapter 2 [Definitions], page 3)", [("Chapter 2", "clause_word", ("2",))]),
        ("except item E) of 2.2.1.", [("2.2.1", "dotted", ("2.2.1",))]),
        ("a value of type anyURI 7.2.", [("7.2", "dotted", ("7.2",))]),
        ("has the data type string 7.2.", [("7.2", "dotted", ("7.2",))]),
        ("see 4.16.4, 4.16.5 and 4.16.6", [("see 4.16.4", "dotted", ("4.16.4",)), ("4.16.5", "dotted", ("4.16.5",)), ("4.16.6", "dotted", ("4.16.6",))]),
    ],
)
def test_every_printed_form_is_found_and_normalized(text, expected):
    assert found(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "Producers conforming to version 1.2 of this format",  # version
        "The default gap is 3.5 mm between cells.",  # measurement
        "scaled by a factor of 1.5 when enlarged",  # decimal
        "increased by 2.25 when",  # decimal without cue
        "2. The package shall contain a manifest.",  # list number
        "See Table 1.2 and Figure 3.1.",  # captions are numbered too
        "costs 4.5% more in 2.5 s",  # percent, unit after a cue
        "in 1.5 mm steps",  # unit wins over the cue
        "version 1.2.3 of the tool",  # a deep number after version
        "IP 10.0.0.1 is not a clause",  # four parts, but only a bare number: still tentative
    ],
)
def test_decoys_are_not_references(text):
    references = extract_references(text)
    assert all(r.tentative for r in references), references
    # 10.0.0.1 may be proposed (three or more parts) but only as tentative: it names no clause.
    assert not [r for r in references if r.form != "dotted"]
    if "10.0.0.1" not in text:
        assert references == []


def test_section_sign_set_as_math_or_with_a_damaged_glyph_is_normalized():
    references = extract_references("Math $§17.4.62$ and $\\S 17.4$; damaged \ufffd17.4.62 and \ufffd 2.1.")
    assert [(r.raw_text, r.target_ids) for r in references] == [
        ("$§17.4.62$", ("17.4.62",)), ("$\\S 17.4$", ("17.4",)), ("\ufffd17.4.62", ("17.4.62",)), ("\ufffd 2.1", ("2.1",)),
    ]
    assert [r.links[0].label for r in references] == ["§17.4.62", "§17.4", "§17.4.62", "§ 2.1"]


def test_other_math_is_protected():
    assert extract_references("the value $x = 1.5 § 3$ and $$see 9.1.2$$") == []


@pytest.mark.parametrize(
    "text",
    [
        "`§17.9.11` in inline code",
        "``see `§ 2.1` inside`` a longer code span",
        "```\nThe clause §17.9.11 in a fence\n```",
        "~~~xml\n<a>see 9.1.2</a>\n~~~",
        "[§17.9.11](other.md) is already a link",
        "![figure §3](image.png)",
        "<https://example.org/§3>",
        "<!-- 17.4: PDF pages 3-4 §5 -->",
        "# 17.4 Heading with § 823",
        "## Section 3.2",
        "- § 5 Foo *(no content)*",
        "1.1.1 Field Lifecycle ............................ 3",
    ],
)
def test_protected_text_is_left_alone(text):
    assert extract_references(text) == []


def test_text_after_a_fence_is_searched_again():
    assert found("```\n§ 17.9.11\n```\nafter § 2.1") == [("§ 2.1", "section_sign", ("2.1",))]


def test_an_unclosed_fence_protects_to_the_end():
    assert extract_references("```\n§ 17.9.11 and the rest §2") == []


def test_running_lines_never_contribute():
    text = "ECMA-376 Part 1 §17.4\n\nThe body cites §17.5."
    references = extract_references(text, running_lines=frozenset({"ECMA-376 Part 1 §17.4"}))
    assert [r.raw_text for r in references] == ["§17.5"]


@pytest.mark.parametrize(
    ("text", "with_profile", "generic"),
    [
        ("nach den §§ 249 bis 253 zu ersetzen", [("§§ 249 bis 253", "range", ("249", "253"))], [("§§ 249", "section_sign", ("249",))]),
        (
            "die §§ 823, 826 und 831 Abs. 2",
            [("§§ 823, 826 und 831", "list", ("823", "826", "831"))],
            [("§§ 823, 826", "list", ("823", "826"))],  # 'und' joins nothing without the profile
        ),
    ],
)
def test_a_statutes_ranges_and_lists_are_read_with_its_profile(text, with_profile, generic):
    assert found(text, rules=STATUTE) == with_profile
    assert found(text) == generic


def test_the_generic_default_knows_no_statute():
    references = extract_references("nach § 12 ZPO und § 5 des Handelsgesetzbuchs; § 20 Absatz 2 des Kapitalanlagegesetzbuchs")
    assert [(r.raw_text, r.external) for r in references] == [("§ 12", False), ("§ 5", False), ("§ 20", False)]


def test_references_to_other_documents_are_marked_external():
    references = extract_references(
        "defined in §5.1 of [RFC3986]; §3.2[xmlenc-core]; nach § 12 ZPO und § 5 des Handelsgesetzbuchs; § 823 BGB; ECMA-376 Part 2, §9",
        rules=STATUTE,
    )
    assert [(r.raw_text, r.external) for r in references] == [
        ("§5.1", True), ("§3.2", True), ("§ 12", True), ("§ 5", True), ("§ 823", False), ("§9", True),
    ]


def test_a_section_of_an_article_is_another_acts_in_either_case():
    # bgb-2024: "nach Maßgabe des Artikels 247 § 13 Absatz 2 …": the EGBGB's § 13, not the BGB's.
    references = extract_references("nach Artikel 229 § 5 und nach Maßgabe des Artikels 247 § 13 Absatz 2; nach § 13", rules=STATUTE)
    assert [(r.raw_text, r.external) for r in references] == [("§ 5", True), ("§ 13", True), ("§ 13", False)]


def test_subdivisions_are_skipped_before_deciding_the_reference_is_external():
    references = extract_references(
        "nach § 20 Absatz 2 und 3 des Kapitalanlagegesetzbuchs; nach § 21 Abs. 1 Satz 2 ist; nach § 241 Abs. 2, kann der Gläubiger",
        rules=STATUTE,
    )
    assert [(r.raw_text, r.external) for r in references] == [("§ 20", True), ("§ 21", False), ("§ 241", False)]


def test_a_bracketed_link_after_a_number_is_not_a_citation():
    references = extract_references("OpenDocument Package 2.2.1 [Office-3858](https://issues.example/3858)")
    assert [(r.raw_text, r.external) for r in references] == [("2.2.1", False)]


def test_a_number_after_its_own_clause_title_is_a_reference():
    references = extract_references("Normative References 1.3 [Office-3866](https://x/1)", id_titles={"1.3": "Normative References"})
    assert [r.raw_text for r in references] == ["1.3"]
    assert extract_references("Normative References 1.3", id_titles={"1.3": "Something Else"}) == []


def test_a_number_after_a_word_of_its_own_clause_title_is_a_reference():
    titles = {"3.7": "Usage of IRIs Within Packages", "1.2": "Normative References", "2.1": "Version Numbers"}
    text = "in accordance with the procedure for resolving IRIs 3.7, except that"
    assert [r.target_ids for r in extract_references(text, id_titles=titles)] == [("3.7",)]
    assert extract_references("conforms to ODF 1.2, as", id_titles=titles) == []  # not a word of 1.2's title
    assert extract_references("the version 2.1 schema", id_titles=titles) == []  # never after 'version'
    assert extract_references("Packages 3.7 mm wide", id_titles=titles) == []  # a measure


def test_a_clause_title_printed_beside_its_number_is_linked_too():
    # lwarp-manual: LaTeX prints \ref and \nameref side by side, and the PDF links both.
    ids = {"29": "Package options", "13": "Troubleshooting", "8": "Special cases and limitations"}
    titles = tuple(ids.values())
    assert found("See section 29, Package options.", id_titles=ids, titles=titles) == [
        ("section 29", "clause_word", ("29",)), ("Package options", "title", ("29",)),
    ]
    assert found("Also see section 13: Troubleshooting.", id_titles=ids, titles=titles)[1] == ("Troubleshooting", "title", ("13",))
    assert found("as per Special cases and limitations, section 8.", id_titles=ids, titles=titles)[0] == (
        "Special cases and limitations", "title", ("8",),
    )
    # lwarp-manual p. 152 as MinerU returned it: the package name in bold inside the title.
    siunitx = {"8.7.15": "siunitx package"}
    assert found("For **siunitx**, see **siunitx** package, section 8.7.15.", id_titles=siunitx, titles=("siunitx package",))[0] == (
        "**siunitx** package", "title", ("8.7.15",),
    )
    assert [r[1] for r in found("see **siunitx package, section 8.7.15**", id_titles=siunitx, titles=())] == ["clause_word"]
    # Another clause's title, or the title run into a longer word, is left alone.
    assert [r[1] for r in found("See section 29, Troubleshooting.", id_titles=ids, titles=titles)] == ["clause_word"]
    assert [r[1] for r in found("See section 13: Troubleshootings.", id_titles=ids, titles=titles)] == ["clause_word"]


def test_a_number_mineru_set_in_bold_after_a_clause_word_is_a_reference():
    # genericode p. 21: "appeared already in section **3.3**, so the explanations …"
    assert found("appeared already in section **3.3**, so the", titles=()) == [("section **3.3**", "clause_word", ("3.3",))]
    assert found("see section **3.3 and more**") == []


def test_a_capitalised_title_before_a_clause_word_is_a_reference():
    titles = ("Troubleshooting", "What next?", "following")
    assert found("A Troubleshooting section is also available.", titles=titles) == [("Troubleshooting", "title", ("title:troubleshooting",))]
    assert found("the tutorial section What next?. See", titles=titles) == [("section What next?", "title", ("title:what next?",))]
    assert found("the Troubleshooting section of [RFC3986] says", titles=titles) == []  # another document's section
    assert found("the following section shows", titles=titles) == []  # no capital: the word, not the title


# Over-linking found by judging a sample of the links no PDF link backs (issue 15).
@pytest.mark.parametrize("text", [
    "The only value of the manifest:version attribute is 1.3.",  # odf13-packages: a version value
    "including simple integers (42) and floating-point numbers (3.14).",  # sarif210: a literal
    "« Conformance Clause 1: “Valid JSON DSS Document”",  # dss-core-v2: the name of a conformance clause
    "to print paragraph notes at the end of each paragraph",  # lwarp-manual: a package named 'notes'
    "Without this numbered index section option, the heading",  # lwarp-manual: a clause titled 'option'
])
def test_values_labels_and_lowercase_title_words_are_not_linked(text):
    ids = {"1.3": "Normative References", "3.14": "run object", "11": "Conformance", "1": "Introduction", "454": "notes", "8.7.5": "option"}
    assert extract_references(text, id_titles=ids, titles=tuple(ids.values())) == []


def test_a_paragraph_of_a_cited_clause_is_no_reference_of_its_own():
    assert found("See §3.27.8, paragraph 2, for more information.") == [("§3.27.8", "section_sign", ("3.27.8",))]


def test_another_documents_sections_cited_with_their_titles_are_external():
    http = extract_references("in the form defined by §5.3 (“Request Target”) of the HTTP standard [RFC7230].")
    assert [(r.external, r.cited_document) for r in http] == [(True, "RFC 7230")]
    xades = extract_references('see section 6.2.5 "The UnsignedSignatureProperties element" and section 7.3 "The SignatureTimeStamp element" [XAdES]')
    assert [(r.external, r.cited_document) for r in xades] == [(True, "XAdES"), (True, "XAdES")]


def test_a_text_with_numbered_parts_of_its_own_means_them_by_section_n():
    # bash-reference prints the GNU Free Documentation License as an appendix.
    licence = "\n\n".join([
        "2. VERBATIM COPYING You may copy the Document.", "3. COPYING IN QUANTITY If you publish printed copies.",
        "4. MODIFICATIONS You may copy under the conditions of sections 2 and 3 above.",
        "5. COMBINING DOCUMENTS under the terms defined in section 4 above, or see section 7.2.",
    ])
    assert [r.target_ids for r in extract_references(licence)] == [("7.2",)]  # not a part of its own
    assert found("See section 4 for the builtins.") == [("section 4", "clause_word", ("4",))]  # elsewhere: this document's


def test_a_clause_number_left_alone_from_its_heading_is_no_reference():
    # ecma376-part3: "Annex B" over "(informative)" inside Annex B; lwarp-manual: "8.11.1" whose title MinerU set apart.
    assert found("Annex B\n\n(informative)\n\nValidation Using NVDL") == []
    assert found("8.11.1\n\nFloat contents alignment") == []
    assert found("See section\n\n7.6\n\nfor the details.") == [("7.6", "dotted", ("7.6",))]  # a split sentence still is one


def test_title_references_only_with_a_cue_and_only_when_enabled():
    titles = ("Package Model", "Scope", "Foo")
    assert found("For the details, see Package Model.", titles=titles) == [("see Package Model", "title", ("title:package model",))]
    assert found("See Scope.", titles=titles) == [("See Scope", "title", ("title:scope",))]
    assert found("The Package Model is large.", titles=titles) == []  # no cue
    assert found("see package model rules", titles=titles) == []  # not printed as the title
    assert found("see Foo", titles=titles) == []  # shorter than title_min_chars
    assert found("see Package Model", titles=titles, rules=LinkRules(title_references=False)) == []




@pytest.mark.parametrize(
    "text",
    ['see "Package Model" for details.', "see \u201cPackage Model\u201d.", "see 'Package Model'.", "as specified in Package Model,",
     "the attributes defined in Package Model apply", "Refer to Package Model.", 'the clause titled "Package Model"'],
)
def test_a_title_quoted_or_after_more_cues_is_a_reference_and_the_link_is_the_title_alone(text):
    references = extract_references(text, titles=("Package Model",))
    assert [r.target_ids for r in references] == [("title:package model",)]
    assert [text[span.start : span.end] for span in references[0].links] == ["Package Model"]


def test_a_quote_that_holds_more_than_the_title_is_no_title_reference():
    assert found('see "Package Model, version 2" and', titles=("Package Model",)) == []
    assert found('see "Package Model', titles=("Package Model",)) == []
    # The same through the one-pattern path (a title printed with two spaces).
    assert [r[2] for r in found('see "Package  Model" x', titles=("Package  Model",))] == [("title:package model",)]
    assert found('see "Package  Model x', titles=("Package  Model",)) == []


def test_clause_numbers_alone_in_a_table_cell_and_deep_numbers_in_parentheses_are_references():
    # An annex's guideline table lists the clauses each guideline comes from: "| 9.1, A.2 |".
    assert [r.target_ids for r in extract_references("| G-3 | 9.1, A.2 | the guideline |")] == [("9.1",), ("A.2",)]
    assert [r.target_ids for r in extract_references("| A.3 | x |")] == [("A.3",)]
    # A lone two-part number in a cell may be a version (a revision history): no reference.
    assert extract_references("| 1.1 | 2019-05-01 | first draft |") == []
    assert extract_references("| 3.14 and 2.5 are values | x |") == []
    # A four-part number in parentheses is a clause even after a value word; "(3.14)" is a value.
    assert [r.target_ids for r in extract_references("the same as the value (10.5.8.2) described")] == [("10.5.8.2",)]
    assert extract_references("floating-point numbers (3.14)") == []

def test_a_clause_title_that_is_a_clause_word_is_read_as_the_word():
    # lwarp-manual documents a LaTeX package named "section"; "See section 60.5" cites clause 60.5.
    assert found("See section 60.5 for how footnotes are gathered.", titles=("section", "Footnotes")) == [
        ("section 60.5", "clause_word", ("60.5",))
    ]
    assert found("See section", titles=("section",)) == []
    text = "The clauses §§ 3–5 and see 9.1.2."
    references = extract_references(text)
    pieces = [[text[s.start : s.end] for s in r.links] for r in references]
    assert pieces == [["§§ 3", "5"], ["9.1.2"]]


def test_profile_patterns_add_forms_and_words():
    rules = LinkRules(
        extra_patterns=[ReferencePattern(regex=r"Rule (?P<link>R-(?P<id>\d+))", template="R.{id}")],
        clause_words=["Kapitel"],
    )
    references = extract_references("gemäß Kapitel 4.2 und Rule R-7", rules=rules)
    assert [(r.raw_text, r.target_ids, r.links[0].label) for r in references] == [
        ("Kapitel 4.2", ("4.2",), "Kapitel 4.2"), ("Rule R-7", ("R.7",), "R-7"),
    ]


def test_line_numbers_are_recorded():
    references = extract_references("first line\n\nsecond §2.1\nthird see 3.1.4")
    assert [r.line for r in references] == [3, 4]


@pytest.mark.parametrize(
    ("text", "raw", "document"),
    [
        ("see [XMLDSIG] §4.3 for the digest", "§4.3", "XMLDSIG"),
        ("as described in section 4.3 of [XMLDSIG].", "section 4.3", "XMLDSIG"),
        ("resolved as in RFC 3986 section 5, then", "section 5", "RFC 3986"),
        ("resolved as in Section 5.2 of RFC 3986.", "Section 5.2", "RFC 3986"),
        ("as defined by Section 2.2 of IETF RFC 3513 [RFC 3513] (e.g.", "Section 2.2", "RFC 3513"),
        ("to be found in IETF RFC 2396 [RFC 2396] Section 6:", "Section 6", "RFC 2396"),
        ("See Section 3.7 of the Bindings specification [SAMLBind] for", "Section 3.7", "SAMLBind"),
        ("specified in §3.1 of the standard [RFC3987], and", "§3.1", "RFC 3987"),
        ("§4.3 of the W3C XML Signature Recommendation applies", "§4.3", "W3C XML Signature"),
        ("as specified in [xmldsig-core], section 4.4 shall", "section 4.4", "xmldsig-core"),
        ("child elements of the §3.2[xmlenc-core] element", "§3.2", "xmlenc-core"),
        ("(see \"unauthAttrs\" in section 9.1 [RFC 3852])", "section 9.1", "RFC 3852"),
        ("(see Appendix A of [RFC 3161]):", "Appendix A", "RFC 3161"),
        ("the ECMA-376 Part 2, §9 rules", "§9", "ECMA-376 Part 2"),
        ("see clause 5 of ISO/IEC 29500-1:2016 for", "clause 5", "ISO/IEC 29500-1:2016"),
        # Markdown emphasis around the citation key is no part of it
        ("XML timestamps (see **[DSS1Core],** section 5.1), binary", "section 5.1", "DSS1Core"),
        ("see section 9.1 [**RFC 5652**]) or", "section 9.1", "RFC 5652"),
        # the cited clause's title between the reference and the key
        ("(see section 7.3 \"The SignatureTimeStamp element\" [XAdES]) of", "section 7.3", "XAdES"),
        ("(see section 2.1 Well-Formed XML Documents [XML]). Regarding", "section 2.1", "XML"),
        ("use assertions as defined in section 3.13 of XSD 1.1 standard to", "section 3.13", "XSD 1.1"),
        # a remark in parentheses after a standard is about that standard
        ("based on RFC 3986 (cf. the ABNF definition of 'URI' in Appendix A), which", "Appendix A", "RFC 3986"),
        # an earlier version of this document is another document
        ("(see section 2.7 of version 1.0 of this document) the", "section 2.7", "version 1.0"),
    ],
)
def test_references_into_other_documents_name_the_document(text, raw, document):
    [reference] = [r for r in extract_references(text) if r.raw_text == raw]
    assert (reference.external, reference.cited_document) == (True, document)


def test_a_reference_into_a_document_cited_just_before_names_none():
    references = extract_references("8601 basic format (as given there in section 4.3.2), similar to ibid. section 4.2.2.4 here")
    assert [(r.raw_text, r.external, r.cited_document) for r in references] == [
        ("section 4.3.2", True, None), ("section 4.2.2.4", True, None),
    ]


@pytest.mark.parametrize(
    "text",
    [
        "one defined in section 9.2 of this specification, or one",
        "are encoded in UTF-8 ([RFC3629]; see §3.1), this means",  # the citation belongs to the words before
        "containing the absolute URI (§3.5.1) [RFC3986] from which",  # a bracket after the closing parenthesis
        "the time value is encoded in UTC, as described in Section 1.3.3. Recipient [Optional] A URI",
        "see Section 3.2 [Optional] and Section 4 [Note: informal]",
        "see 10.1.1 Parsing Vulnerabilities [non-normative] below",
        # Texinfo cross-references: the node's own title, or a page of this document, in brackets
        "(see Section 3.6 [Redirections], page 38) and",
        "(see Section 3.6 [Redirec-tions]) and",
        "(see Section 4.2 [Bash Builtins], page 55) and",
    ],
)
def test_references_into_this_document_are_never_taken_for_citations(text):
    references = extract_references(text, titles=("Redirections", "Parsing Vulnerabilities"))
    assert references and not [r for r in references if r.external], references


def test_a_list_after_a_citation_cites_the_same_document():
    references = extract_references("sequence (see EBNF [ISO14977:1996], §4.19 and §5.11) refers; See [RFC2898] sections 5.2 and B.1.1.")
    assert [(r.raw_text, r.external, r.cited_document) for r in references] == [
        ("§4.19", True, "ISO 14977:1996"), ("§5.11", True, "ISO 14977:1996"),
        ("sections 5.2", True, "RFC 2898"), ("B.1.1", True, "RFC 2898"),
    ]


def test_a_list_before_a_citation_keeps_its_own_document():
    # § 1600d is this code's own paragraph; § 182 belongs to the other statute: a list mixes them.
    references = extract_references(
        "dessen Vaterschaft nach § 1600d oder § 182 Abs. 1 des Gesetzes über das Verfahren festgestellt ist", rules=STATUTE
    )
    assert [(r.raw_text, r.external, r.cited_document) for r in references] == [("§ 1600d", False, None), ("§ 182", True, "Gesetzes")]


@pytest.mark.parametrize(
    ("printed", "name"),
    [("[RFC3986]", "RFC 3986"), ("RFC 3986.", "RFC 3986"), ("ISO14977:1996", "ISO 14977:1996"), ("\\[XAdES\\]", "XAdES"),
     ("**RFC 5652**", "RFC 5652"), ("JSCHEMA01", "JSCHEMA01"), ("DSS1Core", "DSS1Core"), ("W3C  XML\nSchema", "W3C XML Schema")],
)
def test_cited_document_names_are_tidied_so_one_document_counts_once(printed, name):
    assert document_name(printed) == name


def test_a_number_split_from_its_cue_into_the_next_paragraph_is_a_reference_but_not_after_a_finished_one():
    """lwarp-manual: MinerU set "See section" and "7.6." (the PDF's linked number) as two blocks."""
    assert found("See section\n\n7.6.\n") == [("7.6", "dotted", ("7.6",))]
    assert found("See section\n\n60.4 for the implementation.\n") == [("60.4", "dotted", ("60.4",))]
    assert found("This ends the section.\n\n7.6 kilograms were measured.\n") == []
