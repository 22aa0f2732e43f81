"""Outline extraction: junk bookmarks dropped, ids parsed, hierarchy from ids, text-layer fallback."""

from pathlib import Path

import pymupdf
import pytest

from schemas.profile import DocumentProfile
from specmill.profiles.shipped import shipped_profile
from specmill.clause_ids import parent_id, parse_heading, sort_key
from specmill.source.outline import extract_outline
from specmill.source.pages import calibrate_offset, page_labels
from tests.pdf_factory import Line, PageSpec, body, make_pdf, numbered_document

RULES = DocumentProfile().outline
STATUTE = shipped_profile("german-statute").outline


@pytest.mark.parametrize(
    ("heading", "clause_id", "level", "title"),
    [
        ("17.4.37 tbl (Table)", "17.4.37", 3, "tbl (Table)"),
        ("2 Conformance", "2", 1, "Conformance"),
        ("3. Terms and Definitions", "3", 1, "Terms and Definitions"),
        ("Annex A (normative) Schemas", "Annex A", 1, "(normative) Schemas"),
        ("Appendix B OpenDocument Metadata", "Annex B", 1, "OpenDocument Metadata"),
        ("Appendix A.1 OpenDocument Manifest Schema", "A.1", 2, "OpenDocument Manifest Schema"),
        ("A.3.2 Something", "A.3.2", 3, "Something"),
    ],
)
def test_clause_ids_are_parsed_from_headings(heading, clause_id, level, title):
    for rules in (RULES, STATUTE):  # a statute's profile keeps the generic ids
        parsed = parse_heading(heading, rules.clause_id_patterns)
        assert parsed is not None
        assert (parsed.clause_id, parsed.level, parsed.title) == (clause_id, level, title)


@pytest.mark.parametrize(
    ("heading", "clause_id", "level", "title"),
    [
        ("§ 823\u00a0Schadensersatzpflicht", "§ 823", 1, "Schadensersatzpflicht"),
        ("§§ 3 bis 6\u00a0(weggefallen)", "§ 3", 1, "(weggefallen)"),
    ],
)
def test_a_statutes_section_ids_are_its_profiles_not_the_generic_defaults(heading, clause_id, level, title):
    parsed = parse_heading(heading, STATUTE.clause_id_patterns)
    assert parsed is not None
    assert (parsed.clause_id, parsed.level, parsed.title) == (clause_id, level, title)
    assert parse_heading(heading, RULES.clause_id_patterns) is None


@pytest.mark.parametrize("text", ["Introduction", "OLE_LINK6", "Version1.2", "A Foreword"])
def test_text_without_a_clause_id_is_not_a_heading(text):
    assert parse_heading(text, RULES.clause_id_patterns) is None


def test_clause_id_order_and_parents():
    ids = ["Annex B", "2.10", "A.1", "2.9", "10", "Annex A", "1", "2"]
    assert sorted(ids, key=sort_key) == ["1", "2", "2.9", "2.10", "10", "Annex A", "A.1", "Annex B"]
    assert parent_id("17.4.37") == "17.4"
    assert parent_id("A.3") == "Annex A"
    assert parent_id("Annex A") is None


def test_junk_bookmarks_are_dropped_and_counted(tmp_path: Path):
    headings = [("1 Scope", 0), ("2 Model", 1), ("2.1 Parts", 1), ("2.1.1 Names", 2), ("Annex A Schema", 3)]
    junk = ["OLE_LINK6", "_Toc123456", "_Ref99", "DDHeadingPage1", "LibEnteteISO", "LIBTypeTitreISO", "logo.png", "Foreword",
            "18 February 2026"]  # a cover's date (xacml40-core), not clause 18
    pdf = numbered_document(tmp_path / "junk.pdf", headings, 4, junk=junk)
    with pymupdf.open(pdf) as document:
        outline = extract_outline(document, RULES, page_labels(document))
    assert outline.source == "bookmarks"
    assert [e.clause_id for e in outline.entries] == ["1", "2", "2.1", "2.1.1", "Annex A"]
    assert [e.level for e in outline.entries] == [1, 1, 2, 3, 1]
    assert [e.page for e in outline.entries] == [0, 1, 1, 2, 3]
    assert outline.bookmarks_total == len(headings) + len(junk)
    assert sorted(d.title for d in outline.dropped) == sorted(junk)
    reasons = {d.title: d.reason for d in outline.dropped}
    assert reasons["Foreword"] == "unnumbered entry in a numbered outline"
    assert reasons["OLE_LINK6"].startswith("authoring-tool bookmark")


def test_entries_without_destination_and_past_the_end_are_reported(tmp_path: Path):
    pdf = numbered_document(tmp_path / "dest.pdf", [("1 Scope", 0), ("2 Model", 1)], 2)
    with pymupdf.open(pdf) as document:
        toc = document.get_toc()
        toc.append([1, "3 Nowhere", -1])
        document.set_toc(toc)
        document.saveIncr()
    with pymupdf.open(pdf) as document:
        outline = extract_outline(document, RULES, page_labels(document))
    assert outline.without_destination == ["3 Nowhere"]
    assert [e.clause_id for e in outline.entries] == ["1", "2", "3"]


def test_an_outline_of_only_junk_falls_back_to_text_layer_headings(tmp_path: Path):
    headings = [("1 Scope", 0), ("2 Conformance", 0), ("3 Terms", 1), ("3.1 Value", 1), ("4 Grammar", 2)]
    pdf = numbered_document(tmp_path / "fallback.pdf", headings, 3, junk=["OLE_LINK1", "DDTITLE1"], with_toc=False)
    with pymupdf.open(pdf) as document:
        document.set_toc([[1, "OLE_LINK1", 1], [1, "DDTITLE1", 1]])
        document.saveIncr()
    with pymupdf.open(pdf) as document:
        outline = extract_outline(document, RULES, page_labels(document))
    assert outline.source == "text_layer"
    assert [(e.clause_id, e.title, e.page) for e in outline.entries] == [
        ("1", "Scope", 0), ("2", "Conformance", 0), ("3", "Terms", 1), ("3.1", "Value", 1), ("4", "Grammar", 2)
    ]
    assert len(outline.dropped) == 2


def test_fallback_ignores_running_headers_toc_echoes_and_body_numbers(tmp_path: Path):
    pages = [
        # A table of contents in body type: not headings.
        PageSpec(lines=[Line("Contents"), Line("1 Scope 1"), Line("2 Terms 2")]),
        PageSpec(lines=[Line("1 Scope", 14, True), Line("3.5 mm is a decimal, not a clause.")], footer="1"),
        PageSpec(header="1 Scope", lines=[Line("2 Terms", 14, True), Line("text")], footer="2"),
    ]
    pdf = make_pdf(tmp_path / "noise.pdf", pages)
    with pymupdf.open(pdf) as document:
        outline = extract_outline(document, RULES, page_labels(document))
    assert [(e.clause_id, e.page) for e in outline.entries] == [("1", 1), ("2", 2)]


def test_fallback_keeps_the_most_headings_in_order_not_the_first_numbered_line(tmp_path: Path):
    # xacml40-core without its bookmarks: the cover's "18 February 2026" is set large and bold.
    # Read first, it used to make every heading numbered below 18 "out of order" (11 of 49 kept).
    pages = [
        PageSpec(lines=[Line("eXtensible Access Control Markup Language", 16, True), Line("18 February 2026", 14, True)]),
        PageSpec(lines=[Line("1 Scope", 14, True), Line("text"), Line("2 Definitions", 14, True), Line("text")], footer="2"),
        PageSpec(lines=[Line("2.1 Terms", 12, True), Line("text"), Line("3 Conformance", 14, True), Line("text")], footer="3"),
        PageSpec(lines=[Line("Annex A References", 14, True), Line("text")], footer="4"),
    ]
    pdf = make_pdf(tmp_path / "cover.pdf", pages)
    with pymupdf.open(pdf) as document:
        outline = extract_outline(document, RULES, page_labels(document))
    assert outline.source == "text_layer"
    assert [(e.clause_id, e.page) for e in outline.entries] == [("1", 1), ("2", 1), ("2.1", 2), ("3", 2), ("Annex A", 3)]


def test_fallback_drops_terms_set_in_bold_body_type_where_the_level_has_larger_headings(tmp_path: Path):
    # ecma376-part3 without its contents: terms "3.1 markup configuration" in bold 11 pt, the
    # level's headings ("7.1 Introduction") in 14 pt. Where a level's headings are body-size bold
    # themselves (4.3.1 here, xacml40-core's 2.1.1), they are kept.
    pages = [
        PageSpec(lines=[Line("3 Terms", 16, True), body(), Line("3.1 markup configuration", 10, True), body(),
                        Line("3.2 processor", 10, True), body()]),
        PageSpec(lines=[Line("4 Model", 16, True), body(), Line("4.1 Parts", 13, True), body(), Line("4.2 Names", 13, True), body(),
                        Line("4.3 Rules", 13, True), body(), Line("4.3.1 Order", 10, True), body()]),
    ]
    pdf = make_pdf(tmp_path / "terms.pdf", pages)
    with pymupdf.open(pdf) as document:
        outline = extract_outline(document, RULES, page_labels(document))
    assert [e.clause_id for e in outline.entries] == ["3", "4", "4.1", "4.2", "4.3", "4.3.1"]


def test_a_part_only_the_printed_contents_list_is_added_to_the_bookmarks(tmp_path: Path):
    # genericode: Word bookmarked clauses 1-4 but not "Appendix A" and "Appendix B" with B.1-B.7,
    # whose content was folded into 4.4. Deeper entries missing under a bookmarked clause stay out.
    contents = PageSpec(lines=[Line(text) for text in (
        "Table of Contents", "1 Scope ........ 1", "2 Model ........ 2", "2.1 Parts ........ 2",
        "Appendix A. Notes ........ 3", "A.1 More notes ........ 3",
    )])
    pages = [contents] + [
        PageSpec(lines=[Line(heading, 14, True), body()], footer=str(printed))
        for printed, heading in enumerate(["1 Scope", "2 Model", "Appendix A. Notes"], start=1)
    ]
    pages[2].lines.insert(1, Line("2.1 Parts", 12, True))
    pages[3].lines.append(Line("A.1 More notes", 12, True))
    pdf = make_pdf(tmp_path / "appendix.pdf", pages, toc=[[1, "1 Scope", 2], [1, "2 Model", 3]])
    with pymupdf.open(pdf) as document:
        outline = extract_outline(document, RULES, page_labels(document))
    assert outline.source == "bookmarks"
    assert [(e.clause_id, e.page, e.origin) for e in outline.entries] == [
        ("1", 1, None), ("2", 2, None), ("Annex A", 3, "printed_toc"), ("A.1", 3, "printed_toc"),
    ]
    # In an outline of mostly unnumbered bookmarks (kept as they are), a part whose bookmark
    # carries its title without the number is bookmarked already.
    with pymupdf.open(pdf) as document:
        document.set_toc([[1, "Scope", 2], [1, "Model", 3], [2, "2.1 Parts", 3], [1, "Notes", 4]])
        outline = extract_outline(document, RULES, page_labels(document))
    assert [(e.clause_id, e.title, e.origin) for e in outline.entries] == [
        (None, "Scope", None), (None, "Model", None), ("2.1", "Parts", None), (None, "Notes", None),
    ]


def test_bookmarks_without_numbers_take_them_from_the_headings_they_point_at(tmp_path: Path):
    # GNU Texinfo (bash-reference): the bookmark says "Quoting", the heading "3.1.2 Quoting".
    pages = [
        PageSpec(lines=[Line("1 Introduction", 14, True), body(), Line("1.1 What is Bash?", 12, True), body()]),
        PageSpec(lines=[Line("2", 14, True), Line("Definitions", 14, True), body()]),  # the number alone on its line
        PageSpec(lines=[Line("Index", 14, True), body()]),
    ]
    toc = [[1, "Introduction", 1], [2, "What is Bash?", 1], [1, "Definitions", 2], [1, "Index", 3]]
    pdf = make_pdf(tmp_path / "texinfo.pdf", pages, toc=toc)
    with pymupdf.open(pdf) as document:
        outline = extract_outline(document, RULES, page_labels(document))
    assert outline.source == "bookmarks"
    assert [(e.clause_id, e.title, e.level, e.page) for e in outline.entries] == [
        ("1", "Introduction", 1, 0), ("1.1", "What is Bash?", 2, 0), ("2", "Definitions", 1, 1), (None, "Index", 1, 2),
    ]
    # Where most bookmarks find no numbered heading, the document is unnumbered: left as it is.
    with pymupdf.open(pdf) as document:
        document.set_toc([[1, "Introduction", 1], [1, "Preface", 2], [1, "Notes", 2], [1, "Index", 3]])
        outline = extract_outline(document, RULES, page_labels(document))
    assert outline.source == "text_layer"


def test_page_offset_is_calibrated_from_page_labels(tmp_path: Path):
    pdf = make_pdf(
        tmp_path / "labels.pdf",
        [PageSpec(lines=[Line("x")]) for _ in range(6)],
        labels=[{"startpage": 0, "prefix": "", "style": "r", "firstpagenum": 1},
                {"startpage": 2, "prefix": "", "style": "D", "firstpagenum": 1}],
    )
    with pymupdf.open(pdf) as document:
        labels = page_labels(document)
        offset = calibrate_offset(document, labels)
    assert labels == ["i", "ii", "1", "2", "3", "4"]
    assert (offset.offset, offset.method) == (1, "page_labels")  # index 2 prints "1"


def test_page_offset_is_calibrated_from_running_footers(tmp_path: Path):
    pdf = numbered_document(tmp_path / "footers.pdf", [("1 Scope", 3)], 12, front_pages=3)
    with pymupdf.open(pdf) as document:
        offset = calibrate_offset(document, page_labels(document))
    assert (offset.offset, offset.method) == (2, "running_footers")
    assert offset.evidence_pages >= 9
