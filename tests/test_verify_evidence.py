"""The pages a clause file's names are judged against: its own clause's pages for its text; for
the lines the tree writes from the outline (the "Up:" line with the parent's title, an index's
contents list with its sub-clauses' titles), also the heading pages of the clauses they title.

The fixture is shaped after SAML 2.0 core, 2.5.1 (PDF pages 21-23): the clause `<Conditions>`
has sub-clauses, one of them `<Condition>`; each name is printed on its own clause's pages and
the other, its near twin, is not. Judged against the clause's own pages only, the index's
contents line `2.5.1.3 Element <Condition>` and the sub-clause's line `Up: 2.5.1 Element
<Conditions>` looked like garbles of each other (and a confirmed-garble correction would have
rewritten them)."""

from schemas.blocks import Block
from schemas.tree import ClauseTree, SegmentationReport, Section
from schemas.verification_profile import VerificationRules
from schemas.vocabulary import Vocabulary, VocabularyName
from specmill.verify.correct import correct_corpus
from specmill.tree.write import render_clause_tree
from specmill.verify import ClauseFile, PageTextWords, clause_files_in, verify_files
from specmill.verify.corpus import section_pages, title_pages

PAGES = [""] * 20 + [
    # 20: the parent 2.5 and the clause 2.5.1 start here.
    "2.5 Conditions\nThis section defines the SAML constructs that place constraints on the acceptable use of SAML\n"
    "assertions.\n2.5.1 Element <Conditions>\nThe <Conditions> element MAY contain the following elements and attributes:\n"
    "NotBefore [Optional]\nSpecifies the earliest time instant at which the assertion is valid.\n",
    # 21: the rest of 2.5.1's own text.
    "The following schema fragment defines the <Conditions> element and its ConditionsType complex type:\n"
    '<element name="Conditions" type="saml:ConditionsType"/>\n'
    "2.5.1.1 General Processing Rules\nIf an assertion contains a <Conditions> element, then the validity of the assertion\n",
    # 22: two sub-clauses.
    "2.5.1.3 Element <Condition>\nThe <Condition> element serves as an extension point for new conditions.\n"
    '<element name="Condition" type="saml:ConditionAbstractType"/>\n'
    "2.5.1.4 Elements <AudienceRestriction> and <Audience>\nThe <AudienceRestriction> element specifies that the\n"
    "assertion is addressed to one or more specific audiences identified by <Audience> elements.\n",
]
VOCABULARY = Vocabulary(roots=[], files=[], names=[
    VocabularyName(name=name, kind=kind, source="saml-schema-assertion-2.0.xsd")  # type: ignore[arg-type]
    for name, kind in [
        ("Conditions", "element"), ("Condition", "element"), ("AudienceRestriction", "element"), ("Audience", "element"),
        ("NotBefore", "attribute"), ("NotOnOrAfter", "attribute"),
    ]
])
RULES = VerificationRules()


def _section(key: str, title: str, level: int, first: int, last: int, blocks: list[Block], children=()) -> Section:
    return Section(
        key=key, clause_id=key, title=title, level=level, outline_index=None, outline_page=first, heading_page=first if blocks else None,
        first_page=first, last_page=last, matched=bool(blocks), blocks=blocks, children=list(children),
    )


def _text(page: int, text: str) -> Block:
    return Block(type="text", page=page, text=text)


def _code(page: int, code: str) -> Block:
    return Block(type="code", page=page, code_body=code, code_language="xml")


def _tree(conditions_text: str = "The `<Conditions>` element MAY contain the following elements and attributes: NotBefore [Optional]",
          condition_code: str = '<element name="Condition" type="saml:ConditionAbstractType"/>'):
    conditions = _section("2.5.1", "Element <Conditions>", 3, 20, 21, [
        _text(20, conditions_text),
        _text(21, "The following schema fragment defines the `<Conditions>` element and its **ConditionsType** complex type:"),
        _code(21, '<element name="Conditions" type="saml:ConditionsType"/>'),
    ], children=[
        _section("2.5.1.1", "General Processing Rules", 4, 21, 21, [_text(21, "If an assertion contains a `<Conditions>` element, then")]),
        _section("2.5.1.2", "Attributes NotBefore and NotOnOrAfter", 4, 21, 22, []),  # empty: listed without a file
        _section("2.5.1.3", "Element <Condition>", 4, 22, 22, [
            _text(22, "The `<Condition>` element serves as an extension point for new conditions."),
            _code(22, condition_code),
        ]),
        _section("2.5.1.4", "Elements <AudienceRestriction> and <Audience>", 4, 22, 22, [
            _text(22, "The `<AudienceRestriction>` element specifies that the assertion is addressed to one or more specific audiences."),
        ]),
    ])
    parent = _section("2.5", "Conditions", 2, 20, 20, [_text(20, "This section defines the SAML constructs.")], children=[conditions])
    report = SegmentationReport(clauses_total=6, matched=[], missed=[], out_of_order=[], blocks_in=0, blocks_assigned=0,
                                front_matter_blocks=0, furniture_dropped={})
    files, tree_report = render_clause_tree(ClauseTree(sections=[parent], report=report), document_title="saml-2.0-os")
    return files, tree_report


def _path(report, section: str) -> str:
    return next(entry.path for entry in report.files if entry.section == section)


def _file(files: list[ClauseFile], section: str) -> ClauseFile:
    return next(f for f in files if f.section == section)


def test_an_index_also_has_its_sub_clauses_heading_pages_and_every_file_its_parents():
    files, report = _tree()
    index, leaf = _path(report, "2.5.1"), _path(report, "2.5.1.3")
    assert index.endswith("-0-index.md") and "`<Condition>`" in files[index].decode()  # the contents list
    assert "Up: [2.5.1 Element `<Conditions>`]" in files[leaf].decode()
    own, titles = section_pages(report), title_pages(report)
    assert own["2.5.1"] == (20, 21) and own["2.5.1.3"] == (22,)
    # The index titles its parent (heading on page 20) and its sub-clauses (pages 21 and 22, the
    # empty 2.5.1.2 included: it is listed too); the sub-clause titles its parent only.
    assert titles[index] == (20, 21, 22)
    assert titles[leaf] == (20,)


def test_names_in_an_index_and_in_an_up_line_are_not_garbles_of_their_twins_on_the_clauses_own_page():
    files, report = _tree()
    clause_files = clause_files_in(files, report, where="t")
    words = PageTextWords(PAGES)
    findings, _ = verify_files(clause_files, VOCABULARY, RULES, words.words)
    assert findings == []
    # What the old evidence (a file's own clause pages only) made of them: a real name "garbled"
    # into its twin, in the index's contents list and in the sub-clauses' Up lines.
    own_pages_only = [ClauseFile(f.path, f.section, f.markdown, f.pages) for f in clause_files]
    old, _ = verify_files(own_pages_only, VOCABULARY, RULES, words.words)
    assert {(f.section, f.token, f.suggestion, f.status) for f in old} == {
        ("2.5.1", "Condition", "Conditions", "actionable"),
        ("2.5.1.3", "Conditions", "Condition", "actionable"), ("2.5.1.4", "Conditions", "Condition", "actionable"),
    }


def test_the_corpus_keeps_those_names_as_printed():
    files, report = _tree()
    result = correct_corpus(clause_files_in(files, report, where="t"), VOCABULARY, RULES, page_words=PageTextWords(PAGES).words)
    assert result.report.counts == {"actionable": 0, "corrected": 0, "suspect": 0, "benign": 0}
    assert result.files == {}


def test_a_garble_in_the_text_an_index_holds_itself_is_still_found_and_corrected():
    files, report = _tree("The `<Conditions>` element MAY contain the following elements and attributes: `NotBef0re` [Optional]")
    clause_files = clause_files_in(files, report, where="t")
    result = correct_corpus(clause_files, VOCABULARY, RULES, page_words=PageTextWords(PAGES).words)
    assert [(f.section, f.token, f.suggestion, f.status) for f in result.report.findings] == [("2.5.1", "NotBef0re", "NotBefore", "corrected")]
    (path, text), = result.files.items()
    assert path.endswith("2-5-1-0-index.md") and "`NotBefore` [Optional]" in text


def test_a_garble_in_a_sub_clauses_text_that_spells_its_parents_name_is_judged_against_its_own_page():
    # MinerU read the declaration of <Condition> as <Conditions>: the parent's name, which the
    # parent's heading page prints, but not the sub-clause's page. Its "Up:" line keeps the title.
    files, report = _tree(condition_code='<element name="Conditions" type="saml:ConditionAbstractType"/>')
    result = correct_corpus(clause_files_in(files, report, where="t"), VOCABULARY, RULES, page_words=PageTextWords(PAGES).words)
    assert [(f.section, f.token, f.suggestion, f.status, f.evidence_pages) for f in result.report.findings] == [
        ("2.5.1.3", "Conditions", "Condition", "corrected", [22]),
    ]
    text = result.files[_path(report, "2.5.1.3")]
    assert '<element name="Condition" type="saml:ConditionAbstractType"/>' in text
    assert "Up: [2.5.1 Element `<Conditions>`]" in text


def test_the_lines_written_from_the_outline_are_the_heading_the_up_line_and_the_contents_list_only():
    from specmill.verify.navigation import navigation_spans

    files, report = _tree()
    text = files[_path(report, "2.5.1")].decode()
    spans = [text[start:end] for start, end in navigation_spans(text)]
    assert spans[0] == "# 2.5.1 Element `<Conditions>`"
    assert spans[1] == "Up: [2.5 Conditions](../2-5-0-index.md)"
    assert spans[2].startswith("## Contents\n") and "- 2.5.1.2 Attributes NotBefore and NotOnOrAfter *(no content)*" in spans[2]
    assert not any("MAY contain" in span or "schema fragment" in span for span in spans)
    # A body heading of that name, followed by prose, is not a contents list.
    body = "# 9 X\n\n## Contents\n\nThe `<Conditions>` element.\n"
    assert [body[s:e] for s, e in navigation_spans(body)] == ["# 9 X"]
