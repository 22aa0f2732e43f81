"""Segmentation: only the next expected outline clause (or a near successor) opens a section.

Block texts below are taken from real MinerU 4.0.12 flash output of documents in
../shared/corpus/specs (odf13-packages, ecma376-part3, genericode, bgb-2024), shortened."""

import pytest

from schemas.blocks import Block
from schemas.outline import OutlineEntry
from schemas.tree import FRONT_MATTER_KEY
from specmill.profiles.shipped import shipped_profile
from specmill.tree.segment import find_misplaced_blocks, page_ordered, segment_blocks

# The BGB's clause ids ('§ 823', '§§ 3 bis 6') are the german-statute profile's, not the generic default's.
STATUTE_IDS = shipped_profile("german-statute").outline.clause_id_patterns


def text(body: str, page: int, level: int | None = None, bbox: list[float] | None = None) -> Block:
    return Block(type="text", text=body, page=page, text_level=level, bbox=bbox)


def entry(clause_id: str | None, title: str, page: int | None, level: int = 1) -> OutlineEntry:
    return OutlineEntry(clause_id=clause_id, title=title, level=level, page=page)


OUTLINE = [
    entry("1", "Introduction", 2),
    entry("1.1", "Terminology", 2, 2),
    entry("2", "Packages", 3),
    entry("3", "Conformance", 5),
]


def keys(tree) -> list[str]:
    return [section.key for section in tree.walk()]


def blocks_of(tree, key: str) -> list[str]:
    return [b.text for s in tree.walk() if s.key == key for b in s.blocks]


def test_headings_of_expected_clauses_open_sections_and_nest_by_level():
    blocks = [
        text("Open Document Format for Office Applications", 0, 1),
        text("1 Introduction", 2, 2),
        text("This document defines packages.", 2),
        text("1.1 Terminology", 2, 2),
        text("The keywords MUST and SHALL are to be interpreted as in RFC 2119.", 2),
        text("2 Packages", 3, 2),
        text("A package is a zip file.", 3),
        text("3 Conformance", 5, 2),
        text("Conforming producers shall write packages.", 5),
    ]
    tree = segment_blocks(blocks, OUTLINE)
    assert keys(tree) == [FRONT_MATTER_KEY, "1", "1.1", "2", "3"]
    assert [s.key for s in tree.sections[1].children] == ["1.1"]
    assert blocks_of(tree, FRONT_MATTER_KEY) == ["Open Document Format for Office Applications"]
    assert blocks_of(tree, "1.1") == ["The keywords MUST and SHALL are to be interpreted as in RFC 2119."]
    assert len(tree.report.matched) == 4 and not tree.report.missed
    assert find_misplaced_blocks(tree) == []


def test_running_header_repeating_an_opened_heading_is_dropped_not_reopened():
    # ecma376-part3 page 10: "3. Terms and Definitions" repeated as plain text mid-clause.
    blocks = [
        text("1 Introduction", 2, 2), text("Intro.", 2),
        text("2 Packages", 3, 2), text("Body of two.", 3),
        text("2. Packages", 4), text("More of two.", 4),
        text("3 Conformance", 5, 2),
    ]
    tree = segment_blocks(blocks, OUTLINE)
    assert blocks_of(tree, "2") == ["Body of two.", "More of two."]
    assert tree.report.furniture_dropped["repeated_heading"] == 1


def test_numbered_list_item_toc_echo_and_informative_sentence_do_not_open_sections():
    blocks = [
        text("2 Packages .......... 3", 1),  # table of contents, before the bookmark page
        text("1 Introduction", 2, 2),
        text("This clause is informative.", 2, 2),  # a sentence MinerU gave a text_level
        text("3. The package shall contain a manifest.", 2),  # a numbered list item
        text("2 Packages", 3, 2),
    ]
    tree = segment_blocks(blocks, OUTLINE[:1] + OUTLINE[2:])
    assert blocks_of(tree, "1") == ["This clause is informative.", "3. The package shall contain a manifest."]
    assert blocks_of(tree, FRONT_MATTER_KEY) == ["2 Packages .......... 3"]
    assert [m.key for m in tree.report.matched] == ["1", "2"]


def test_line_number_gutters_and_typed_furniture_are_dropped():
    blocks = [
        text("1 Introduction", 2, 2),
        text("1 2 3 4", 2),  # a gutter: would match clause id 1
        text("12 13 14", 2),
        Block(type="header", text="1. Introduction", page=2),
        Block(type="page_number", text="Page 3 of 36", page=2),
        Block(type="aside_text", text="001 002 003", page=2),
        text("Body.", 2),
    ]
    tree = segment_blocks(blocks, OUTLINE[:1])
    assert blocks_of(tree, "1") == ["Body."]
    dropped = tree.report.furniture_dropped
    assert dropped["line_number_gutter"] == 2 and dropped["header"] == 1 and dropped["page_number"] == 1


def test_short_text_repeated_at_the_page_edge_is_a_running_header():
    blocks = [text("1 Introduction", 2, 2, [100, 300, 500, 320])]
    for page in (2, 3, 4):
        blocks.append(text("OpenDocument-v1.3-os-part2-packages", page, None, [100, 960, 500, 975]))
        blocks.append(text(f"Body on page {page}.", page, None, [100, 400, 900, 500]))
    tree = segment_blocks(blocks, OUTLINE[:1])
    assert blocks_of(tree, "1") == ["Body on page 2.", "Body on page 3.", "Body on page 4."]
    assert tree.report.running_texts == ["OpenDocument-v1.3-os-part2-packages"]


def test_heading_split_into_id_and_title_is_repaired():
    blocks = [text("1", 2, 2), text("Introduction", 2, 2), text("Body.", 2)]
    tree = segment_blocks(blocks, OUTLINE[:1])
    assert blocks_of(tree, "1") == ["Body."]
    assert tree.report.matched[0].repaired_split is True


def test_heading_glued_to_its_first_sentence_keeps_the_sentence():
    # ecma376-part3: "**3.1 application configuration** set of names of understood namespaces"
    outline = [entry("3", "Terms and Definitions", 10), entry("3.1", "application configuration", 10, 2)]
    blocks = [
        text("3 Terms and Definitions", 10, 2),
        text("**3.1 application configuration** set of names of understood namespaces", 10),
    ]
    tree = segment_blocks(blocks, outline)
    assert blocks_of(tree, "3.1") == ["set of names of understood namespaces"]


def test_missed_clause_is_reported_with_its_page_and_found_heading_out_of_order():
    outline = [entry("1", "Introduction", 2), entry("2", "Packages", 3), entry("3", "Conformance", 3), entry("4", "Manifest", 3)]
    blocks = [
        text("1 Introduction", 2, 2),
        text("3 Conformance", 3, 2),  # a successor: 2 is skipped
        text("2 Packages", 3, 2),  # now behind the walk
        text("4 Manifest", 3, 2),
    ]
    tree = segment_blocks(blocks, outline)
    assert [(m.key, m.page) for m in tree.report.missed] == [("2", 3)]
    assert [(o.key, o.found_page, o.found_in) for o in tree.report.out_of_order] == [("2", 3, "3")]


def test_clause_cannot_open_before_its_bookmark_page_nor_long_after():
    blocks = [text("2 Packages", 1, 2), text("1 Introduction", 2, 2), text("2 Packages", 9, 2)]
    tree = segment_blocks(blocks, OUTLINE[:1] + [OUTLINE[2]])
    assert [m.key for m in tree.report.matched] == ["1"]
    assert [m.key for m in tree.report.missed] == ["2"]


def test_image_only_heading_is_recovered_from_the_text_layer():
    # odf13-packages page 16: flash turned "4.3 <manifest:file-entry>" into an equation image.
    outline = [entry("4.2", "<manifest:manifest>", 16, 2), entry("4.3", "<manifest:file-entry>", 16, 2)]
    heading_image = Block(type="equation", img_path="data:image/jpeg;base64,AAAA", page=16, bbox=[147, 442, 419, 462])
    blocks = [
        text("4.2 <manifest:manifest>", 16, 2),
        text("The <manifest:manifest> element is the root element.", 16),
        heading_image,
        text("The <manifest:file-entry> element specifies the media type.", 16),
    ]
    without = segment_blocks(blocks, outline)
    assert [m.key for m in without.report.missed] == ["4.3"]
    recovered = segment_blocks(blocks, outline, recover_text=lambda b: "4.3 <manifest:file-entry>" if b.bbox == heading_image.bbox else None)
    assert not recovered.report.missed
    assert blocks_of(recovered, "4.3") == ["The <manifest:file-entry> element specifies the media type."]


def test_heading_misfiled_as_the_first_line_of_a_table_opens_the_clause():
    # odf13-packages page 23: flash filed clause 4.16.11 and its prose as a "table" without HTML.
    outline = [entry("4.16.10", "manifest:media-type", 23, 3), entry("4.16.11", "manifest:preferred-view-mode", 23, 3)]
    misfiled = Block(
        type="table", page=23,
        table_body="4.16.11 manifest:preferred-view-mode\nThe manifest:preferred-view-mode attribute specifies a preference.",
    )
    tree = segment_blocks([text("4.16.10 manifest:media-type", 23, 2), misfiled], outline)
    assert not tree.report.missed
    assert blocks_of(tree, "4.16.11") == ["The manifest:preferred-view-mode attribute specifies a preference."]


def test_bold_heading_and_statute_ids_match():
    # bgb-2024 page 1 (4.0.12 flash): "**§ 14 Unternehmer**".
    outline = [entry("§ 13", "Verbraucher", 1), entry("§ 14", "Unternehmer", 1)]
    tree = segment_blocks([text("§ 13 Verbraucher", 1, 2), text("**§ 14 Unternehmer**", 1), text("(1) Unternehmer ist …", 1)], outline, clause_id_patterns=STATUTE_IDS)
    assert blocks_of(tree, "§ 14") == ["(1) Unternehmer ist …"]


def test_bookmark_filed_out_of_page_order_does_not_block_the_walk():
    # bgb-2024 lists § 549 (page 129) among the clauses of pages 0-1.
    outline = [entry("§ 1", "Beginn", 0), entry("§ 549", "Wohnraum", 129), entry("§ 2", "Volljährigkeit", 0),
               entry("§ 3", "Namensrecht", 1), entry("§ 4", "Verbraucher", 1), entry("§ 5", "Unternehmer", 1)]
    blocks = [text(f"§ {n} {t}", p, 2) for n, t, p in [(1, "Beginn", 0), (2, "Volljährigkeit", 0), (3, "Namensrecht", 1),
                                                        (4, "Verbraucher", 1), (5, "Unternehmer", 1), (549, "Wohnraum", 129)]]
    tree = segment_blocks(blocks, outline, clause_id_patterns=STATUTE_IDS)
    assert not tree.report.missed
    assert tree.report.reordered == ["§ 549"]
    assert keys(tree) == ["§ 1", "§ 2", "§ 3", "§ 4", "§ 5", "§ 549"]


def test_page_ordered_keeps_entries_without_page_behind_their_predecessor():
    outline = [entry("1", "A", 0), entry(None, "Unpaged", None), entry("2", "B", 5), entry("9", "Late", 50), entry("3", "C", 7)]
    ordered, moved = page_ordered(outline)
    assert [e.title for e in ordered] == ["A", "Unpaged", "B", "C", "Late"]
    assert moved == [4]


def test_unnumbered_outline_entry_matches_on_title():
    outline = [entry(None, "Foreword", 1), entry("1", "Scope", 2)]
    tree = segment_blocks([text("Cover", 0), text("Foreword", 1, 1), text("Ecma is…", 1), text("1 Scope", 2, 1)], outline)
    assert keys(tree) == [FRONT_MATTER_KEY, "foreword", "1"]


def test_misplaced_blocks_are_found_when_a_clause_is_missed():
    outline = [entry("1", "Introduction", 2), entry("2", "Packages", 3)]
    tree = segment_blocks([text("1 Introduction", 2, 2), text("a", 2), text("no heading for 2 here", 3), text("b", 4)], outline)
    misplaced = find_misplaced_blocks(tree)
    assert [(m.section, m.page, m.span) for m in misplaced] == [("1", 4, (2, 3))]


@pytest.mark.parametrize("threshold, matched", [(80.0, True), (99.0, False)])
def test_title_similarity_threshold_comes_from_the_rules(threshold, matched):
    from schemas.tree import SegmentationRules

    tree = segment_blocks([text("1 Introductoin", 2, 2)], OUTLINE[:1], rules=SegmentationRules(title_similarity=threshold))
    assert bool(tree.report.matched) is matched


def test_a_margin_line_number_run_into_a_heading_does_not_hide_it():
    # saml20-core (OASIS, 2005) numbers every printed line; MinerU flash joins the number to the heading.
    outline = [entry("1", "Introduction", 6), entry("1.1", "Notation", 6, 2), entry("1.2", "Schema Organization and Namespaces", 7, 2)]
    blocks = [
        text("222 1 Introduction", 6, 2),
        text("The Security Assertion Markup Language (SAML) defines the syntax.", 6),
        text("223", 6),
        text("239 1.1 Notation", 6, 2),
        text("The keywords MUST and MUST NOT are to be interpreted as described.", 6),
        text("12 1.2 Schema Organization and Namespaces", 7, 2),
        text("The SAML assertion structures are defined in a schema.", 7),
    ]
    tree = segment_blocks(blocks, outline)
    assert not tree.report.missed
    assert blocks_of(tree, "1.1") == ["The keywords MUST and MUST NOT are to be interpreted as described."]
    # The three numbers split off the headings and the lone "223" are dropped as gutter lines.
    assert tree.report.furniture_dropped == {"line_number_gutter": 4}


def test_entries_of_one_page_follow_their_headings_positions_when_the_bookmarks_give_them():
    # bgb-2024 files § 549 (page 129, below § 548a) among the clauses of page 0, § 548a later on.
    def at(clause_id, title, page, y):
        return OutlineEntry(clause_id=clause_id, title=title, level=1, page=page, y=y)

    outline = [at("§ 1", "Beginn der Rechtsfähigkeit", 0, 90.0), at("§ 549", "Wohnraum", 129, 210.6),
               at("§ 548", "Verjährung", 128, 700.0), at("§ 548a", "Miete digitaler Produkte", 129, 94.9)]
    ordered, moved = page_ordered(outline)
    assert [e.clause_id for e in ordered] == ["§ 1", "§ 548", "§ 548a", "§ 549"]
    assert moved == [3]
    blocks = [text("§ 1 Beginn der Rechtsfähigkeit", 0, 2), text("§ 548 Verjährung", 128, 2), text("Die Ersatzansprüche.", 128),
              text("§ 548a Miete digitaler Produkte", 129, 2), text("Entsprechend anzuwenden.", 129),
              text("§ 549 Wohnraum", 129, 2), text("Für Mietverhältnisse über Wohnraum gelten...", 129)]
    assert not segment_blocks(blocks, outline, clause_id_patterns=STATUTE_IDS).report.missed


def test_a_heading_typed_as_a_footer_opens_its_clause_but_a_running_footer_never_does():
    # bgb-2024 page 273: "§ 1106 Belastung eines Bruchteils", the page's last line, arrives as a footer.
    outline = [entry("§ 1105", "Gesetzlicher Inhalt der Reallast", 273), entry("§ 1106", "Belastung eines Bruchteils", 273),
               entry("§ 1107", "Einzelleistungen", 274)]
    footer = lambda body, page: Block(type="footer", text=body, page=page)  # noqa: E731
    blocks = [
        text("§ 1105 Gesetzlicher Inhalt der Reallast", 273, 2), text("(1) Ein Grundstück kann belastet werden.", 273),
        footer("§ 1106 Belastung eines Bruchteils", 273), footer("Bürgerliches Gesetzbuch", 273),
        text("Ein Bruchteil eines Grundstücks kann mit einer Reallast nur belastet werden, wenn...", 274),
        footer("Bürgerliches Gesetzbuch", 274), text("§ 1107 Einzelleistungen", 275, 2), footer("Bürgerliches Gesetzbuch", 275),
    ]
    tree = segment_blocks(blocks, outline, clause_id_patterns=STATUTE_IDS)
    assert not tree.report.missed
    assert blocks_of(tree, "§ 1106") == ["Ein Bruchteil eines Grundstücks kann mit einer Reallast nur belastet werden, wenn..."]
    assert tree.report.furniture_dropped == {"footer": 3}


def test_a_title_alone_never_opens_a_later_clause_than_the_next_expected_one():
    # bgb-2024 page 352: "**§ 1647**" then "(weggefallen)" as a heading; § 1650's title is also "(weggefallen)".
    outline = [entry("§ 1647", "", 352), entry("§ 1648", "Ersatz von Aufwendungen", 352),
               entry("§ 1649", "Verwendung der Einkünfte", 352), entry("§ 1650", "(weggefallen)", 352)]
    blocks = [text("**§ 1647**", 352), text("(weggefallen)", 352, 2), text("§ 1648 Ersatz von Aufwendungen", 352, 2),
              text("Machen die Eltern Aufwendungen...", 352), text("§ 1649 Verwendung der Einkünfte", 352, 2),
              text("(1) Die Einkünfte des Kindesvermögens...", 352), text("§§ 1650 bis 1663 (weggefallen)", 352, 2)]
    tree = segment_blocks(blocks, outline, clause_id_patterns=STATUTE_IDS)
    assert not tree.report.missed  # "§§ 1650 bis 1663 (weggefallen)" opens § 1650
    assert blocks_of(tree, "§ 1647") == ["(weggefallen)"]


def test_bookmark_positions_counted_from_the_page_foot_order_a_page_the_same_way():
    # xacml40-core (LaTeX): destinations in PDF space, y growing upwards; filed in reading order.
    def at(clause_id, title, y):
        return OutlineEntry(clause_id=clause_id, title=title, level=clause_id.count(".") + 1, page=2, y=y)

    outline = [at("1", "Scope", 407.5), at("2", "Definitions", 310.9), at("2.1", "Terms", 283.1), at("2.2", "Abbreviations", 94.0)]
    ordered, moved = page_ordered(outline)
    assert ordered == outline and moved == []
    flipped = [outline[0], outline[2], outline[1], outline[3]]  # one entry filed out of place
    assert [e.clause_id for e in page_ordered(flipped)[0]] == ["1", "2", "2.1", "2.2"]


def test_a_bookmark_title_that_lost_a_macro_word_still_matches_its_numbered_heading():
    # lwarp-manual (LaTeX): the bookmark drops words set with a macro; sections print "§ 111".
    outline = [entry("5.5", "Using for math", 89, 2), entry("5.6", "Printing", 90, 2), entry("5.6.1", "Options", 90, 3),
               entry("110", "common-mathjax-overlaysymbols", 623),
               entry("111", "2in1", 624), entry("112", "2up", 624)]
    blocks = [text("5.5 Using MATHJAX for math", 89, 2), text("Math may also be represented using MathJax.", 89),
              text("5.6 Printing", 90, 2), text("Print the document.", 90),
              text("§ 5.6.1 Options", 90, 2), text("Print options.", 90),
              text("§ 110 Package **common-mathjax-overlaysymbols** Common code used by packages.", 623),
              text("§ 111 Package 2in1", 624, 2), text("2in1 is ignored.", 624),
              text("§ 112 Package 2up", 624, 2), text("2up is ignored.", 624)]
    tree = segment_blocks(blocks, outline)
    assert not tree.report.missed
    assert blocks_of(tree, "111") == ["2in1 is ignored."]
    assert blocks_of(tree, "110") == ["Common code used by packages."]


def test_a_heading_with_more_than_a_couple_of_extra_words_is_not_taken_for_a_clause():
    outline = [entry("3", "Scope", 2)]
    tree = segment_blocks([text("3 General scope rules for packages", 2, 2)], outline)
    assert [m.key for m in tree.report.missed] == ["3"]


def test_the_next_clauses_label_alone_opens_it_on_its_bookmarks_page_but_a_bare_number_does_not():
    """lwarp-manual: "§ 197" set apart from its title ("File 88 lwarp-cite.sty Package cite")."""
    outline = [entry("196", "chngpage", 0), entry("197", "cite", 0), entry("198", "cleveref", 1)]
    blocks = [
        text("§ 196 Package chngpage", 0), text("chngpage is ignored.", 0),
        text("§ 197", 0), text("File 88 **lwarp-cite.sty** Package **cite**", 0), text("cite is emulated.", 0),
        text("198", 1), text("a list item or a table cell, not the heading", 1),
    ]
    tree = segment_blocks(blocks, outline)
    assert [match.clause_id for match in tree.report.matched] == ["196", "197"]
    (cite,) = [section.key for section in tree.walk() if section.clause_id == "197"]
    assert blocks_of(tree, cite)[:2] == ["File 88 **lwarp-cite.sty** Package **cite**", "cite is emulated."]


def test_a_sentence_at_a_page_top_typed_as_a_header_stays_content_but_running_headers_do_not():
    """odf13-packages page 18: the last sentence of 4.4 arrived as a `header` and was dropped."""
    outline = [entry("4.4", "Encryption data", 0), entry("4.5", "Algorithm", 1)]
    sentence = "The <manifest:encryption-data> element has the following child elements: <manifest:algorithm> 4.5."
    running = "OpenDocument packages, part 2: the running header of every page"
    blocks = [
        Block(type="header", page=0, text=running), text("4.4 Encryption data", 0), text("It holds what decrypts a file.", 0),
        Block(type="header", page=1, text=running), Block(type="header", page=1, text=sentence),
        text("4.5 Algorithm", 1), text("The algorithm.", 1),
        Block(type="header", page=2, text=running), Block(type="header", page=2, text="Chapter 4"), text("More.", 2),
    ]
    tree = segment_blocks(blocks, outline)
    (encryption,) = [section.key for section in tree.walk() if section.clause_id == "4.4"]
    assert blocks_of(tree, encryption) == ["It holds what decrypts a file.", sentence]
    every = [b for section in tree.walk() for b in blocks_of(tree, section.key)]
    assert not any("running header" in b or b == "Chapter 4" for b in every)
