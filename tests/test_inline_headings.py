"""Headings MinerU merged into a paragraph (the BGB's one-block-per-column pages) are split out."""

from schemas.blocks import Block
from schemas.outline import OutlineEntry
from schemas.profile import DocumentProfile
from specmill.profiles.shipped import shipped_profile
from specmill.tree.inline_headings import split_inline_headings
from specmill.tree.segment import find_misplaced_blocks, segment_blocks

# The BGB's pages are read with its profile's clause ids, lwarp's manual with the generic default's.
PATTERNS = shipped_profile("german-statute").outline.clause_id_patterns
GENERIC = DocumentProfile().outline.clause_id_patterns
OUTLINE = [
    OutlineEntry(clause_id="§ 1", title="Beginn der Rechtsfähigkeit", level=1, page=0),
    OutlineEntry(clause_id="§ 2", title="Eintritt der Volljährigkeit", level=1, page=0),
    OutlineEntry(clause_id="§ 3", title="(weggefallen)", level=1, page=0),
    OutlineEntry(clause_id="§ 7", title="Wohnsitz; Begründung und Aufhebung", level=1, page=0),
    OutlineEntry(clause_id="§ 164", title="Wirkung der Erklärung des Vertreters", level=1, page=1),
]
# As MinerU 4 flash returned page 1 of bgb-2024 (shortened).
MERGED = Block(
    type="text", page=0,
    text="**§ 1 Beginn der Rechtsfähigkeit** Die Rechtsfähigkeit des Menschen beginnt mit der Vollendung der Geburt. "
         "**§ 2 Eintritt der Volljährigkeit** Die Volljährigkeit tritt mit der Vollendung des 18. Lebensjahres ein. "
         "**§§ 3 bis 6 (weggefallen) § 7 Wohnsitz; Begründung und Aufhebung** (1) Wer sich an einem Orte ständig "
         "niederlässt, begründet an diesem Ort seinen Wohnsitz.",
)
STRUCTURAL = Block(
    type="text", page=1,
    text="**Titel 5 Vertretung und Vollmacht § 164 Wirkung der Erklärung des Vertreters** (1) Eine Willenserklärung, "
         "die jemand innerhalb der ihm zustehenden Vertretungsmacht abgibt, wirkt unmittelbar für den Vertretenen.",
)


def test_bold_outline_headings_become_their_own_blocks():
    pieces = split_inline_headings([MERGED, STRUCTURAL], OUTLINE, PATTERNS)
    expected = [
        ("§ 1 Beginn der Rechtsfähigkeit", 2),
        ("Die Rechtsfähigkeit des Mensch", None),
        ("§ 2 Eintritt der Volljährigkeit", 2),
        ("Die Volljährigkeit tritt mit de", None),
        ("§§ 3 bis 6 (weggefallen)", 2),
        ("§ 7 Wohnsitz; Begründung und Au", 2),
        ("(1) Wer sich an einem Orte stän", None),
        ("**Titel 5 Vertretung und Vollma", None),
        ("§ 164 Wirkung der Erklärung des", 2),
        ("(1) Eine Willenserklärung, die ", None),
    ]
    assert len(pieces) == len(expected)
    for piece, (start, level) in zip(pieces, expected):
        assert piece.text.startswith(start) and piece.text_level == level, piece.text
    assert all(p.page == block.page for p, block in zip(pieces[:7], [MERGED] * 7))


def test_bold_text_that_is_not_an_outline_heading_is_left_alone():
    block = Block(type="text", page=0, text="Note **§ 99 is not in this outline** and **bold words** stay.")
    assert split_inline_headings([block], OUTLINE, PATTERNS) == [block]


def test_a_bold_clause_number_inside_a_sentence_stays_a_reference():
    # genericode p. 21: MinerU bolds the linked number; split out, it cut the sentence in three.
    outline = [OutlineEntry(clause_id="3.3", title="Column Sets", level=2, page=10)]
    block = Block(type="text", page=20, text="Many of these have appeared already in section **3.3**, so the explanations will not be repeated.")
    assert split_inline_headings([block], outline, GENERIC) == [block]
    heading_first = Block(type="text", page=10, text="Text before. **3.3** Column sets are described here.")
    assert [piece.text_level for piece in split_inline_headings([heading_first], outline, GENERIC)] == [None, 2, None]


def test_a_sentence_typed_as_a_heading_keeps_the_clause_numbers_it_cites():
    # lwarp-manual p. 367: MinerU typed the clause's first sentence as a heading.
    outline = [
        OutlineEntry(clause_id="60.5", title="Gathering footnotes", level=2, page=368),
        OutlineEntry(clause_id="94.4", title="Placing footnotes", level=2, page=585),
    ]
    block = Block(type="text", page=366, text_level=1,
                  text="See section 60.5 for how minipage footnotes are gathered. See section 94.4 for how they are placed.")
    assert split_inline_headings([block], outline, GENERIC) == [block]


def test_the_segmenter_now_opens_every_merged_clause():
    tree = segment_blocks([MERGED, STRUCTURAL], OUTLINE, clause_id_patterns=PATTERNS)
    assert [m.clause_id for m in tree.report.matched] == ["§ 1", "§ 2", "§ 3", "§ 7", "§ 164"]
    assert not tree.report.missed
    assert not find_misplaced_blocks(tree)


def test_a_heading_block_led_by_an_unnumbered_structural_heading_is_split():
    # bgb-2024 page 162: MinerU set the sub-title and the clause heading as one heading block.
    outline = [OutlineEntry(clause_id="§ 607", title="Vertragstypische Pflichten beim Sachdarlehensvertrag", level=1, page=162)]
    block = Block(type="text", page=162, text_level=2, text="Sachdarlehensvertrag § 607 Vertragstypische Pflichten beim Sachdarlehensvertrag")
    split = split_inline_headings([block], outline, PATTERNS)
    assert [(b.text, b.text_level) for b in split] == [
        ("Sachdarlehensvertrag", None), ("§ 607 Vertragstypische Pflichten beim Sachdarlehensvertrag", 2),
    ]


def test_a_heading_block_without_an_outline_heading_inside_is_left_alone():
    outline = [OutlineEntry(clause_id="§ 607", title="Vertragstypische Pflichten", level=1, page=162)]
    block = Block(type="text", page=162, text_level=2, text="Untertitel 1 Darlehensvertrag")
    assert split_inline_headings([block], outline, PATTERNS) == [block]


# As MinerU 4 flash returned lwarp-manual pages 730 and 167 (shortened): a package's heading
# merged with the file heading above it, and a page set as one block holding two headings.
LATEX_OUTLINE = [
    OutlineEntry(clause_id="195", title="chkfloat", level=1, page=0),
    OutlineEntry(clause_id="8.11", title="Floats", level=2, page=1),
    OutlineEntry(clause_id="8.11.1", title="Float contents alignment", level=3, page=1),
    OutlineEntry(clause_id="196", title="chngpage", level=1, page=2),
]


def test_a_heading_buried_in_a_paragraph_without_bold_is_cut_out_with_its_title():
    from specmill.tree.inline_headings import split_buried_headings

    blocks = [
        Block(type="text", page=0, text="File 86 **lwarp-chkfloat.sty** § 195 Package **chkfloat**"),
        Block(type="text", page=1, text="the delimiter in the first row. 8.11 Floats 8.11.1 Float contents alignment! "
                                        "figure & table \\centering are honored."),
    ]
    pieces = split_buried_headings(blocks, LATEX_OUTLINE, GENERIC)
    assert [(piece.text, piece.text_level) for piece in pieces] == [
        ("File 86 **lwarp-chkfloat.sty**", None),
        ("§ 195 Package **chkfloat**", 2),
        ("the delimiter in the first row.", None),
        ("8.11 Floats", 2),
        ("8.11.1 Float contents alignment!", 2),
        ("figure & table \\centering are honored.", None),
    ]


def test_a_clause_number_that_is_a_reference_or_on_another_page_is_left_in_its_paragraph():
    from specmill.tree.inline_headings import split_buried_headings

    blocks = [
        Block(type="text", page=0, text="This works as described in § 195 Package chkfloat, which see."),  # after "in"
        Block(type="text", page=2, text="Unlike before. § 195 Package chkfloat is ignored."),  # 195's bookmark is on page 0
        Block(type="text", page=1, text="Ends here. 8.11 Tables of contents follow."),  # not the title of 8.11
        Block(type="text", page=0, text="**The bold run § 195 Package chkfloat** is the bold splitter's."),
    ]
    assert split_buried_headings(blocks, LATEX_OUTLINE, GENERIC) == blocks


def test_buried_headings_open_their_clauses():
    blocks = [
        Block(type="text", page=0, text="File 86 **lwarp-chkfloat.sty** § 195 Package **chkfloat**"),
        Block(type="text", page=0, text="chkfloat is ignored."),
        Block(type="text", page=1, text="More about chkfloat. 8.11 Floats 8.11.1 Float contents alignment! Honored."),
    ]
    tree = segment_blocks(blocks, LATEX_OUTLINE[:3], clause_id_patterns=GENERIC)
    assert [match.clause_id for match in tree.report.matched] == ["195", "8.11", "8.11.1"]


def test_a_buried_heading_is_cut_whole_when_the_paragraph_ends_in_dots():
    """lwarp-manual page 167 as MinerU returned it: the paragraph ends "… \\caption{A Table}. . .",
    dots the heading parser trims from the title. Counting the heading's words from the end then
    took "8.11 Floats 8.11.1 Float" as the heading of 8.11, and 8.11.1 was never found."""
    from specmill.tree.inline_headings import split_buried_headings

    block = Block(type="text", page=1, text="in the first row. 8.11 Floats 8.11.1 Float contents alignment! figure & table "
                                            "\\centering are honored: \\begin{table*} \\centering \\caption{A Table}. . .")
    pieces = split_buried_headings([block], LATEX_OUTLINE, GENERIC)
    assert [(piece.text, piece.text_level) for piece in pieces] == [
        ("in the first row.", None),
        ("8.11 Floats", 2),
        ("8.11.1 Float contents alignment!", 2),
        ("figure & table \\centering are honored: \\begin{table*} \\centering \\caption{A Table}. . .", None),
    ]


def test_a_heading_read_as_a_line_of_a_listing_opens_its_clause():
    """lwarp-manual page 1270: the title of § 695.20 is set beside the listing, and MinerU read it
    as one more line of the code block, which a listing joined across the page break before
    carries from page 1269. Code that holds the title's letters ("[-attachfile-]%") is no heading."""
    from specmill.tree.inline_headings import split_code_headings

    outline = [
        OutlineEntry(clause_id="695.19", title="ccaption emulation", level=2, page=0),
        OutlineEntry(clause_id="695.20", title="Final patchwork", level=2, page=1),
        OutlineEntry(clause_id="141", title="attachfile", level=1, page=1),
    ]
    listing = Block(type="code", page=0, code_body="6 \\egroup\n7 }\nFinal patchwork\n8 \\newlistof{toc}\n9 [-attachfile-]%")
    # The furniture and the gutter line numbers the joined listing crossed follow it.
    crossed = [Block(type="header", page=0, text="lwarp"), Block(type="text", page=0, text="1226")]
    after = Block(type="text", page=1, text="File 587 lwarp-common-multimedia.sty")
    pieces = split_code_headings([listing, *crossed, after], outline)
    assert [(piece.type, piece.code_body or piece.text, piece.text_level) for piece in pieces] == [
        ("code", "6 \\egroup\n7 }", None),
        ("text", "695.20 Final patchwork", 2),
        ("code", "8 \\newlistof{toc}\n9 [-attachfile-]%", None),
        ("header", "lwarp", None),
        ("text", "1226", None),
        ("text", "File 587 lwarp-common-multimedia.sty", None),
    ]
    heading = Block(type="text", page=0, text="695.19 ccaption emulation", text_level=2)
    tree = segment_blocks([heading, listing, after], outline[:2], clause_id_patterns=GENERIC)
    assert [match.clause_id for match in tree.report.matched] == ["695.19", "695.20"]
    # A line that is another page's clause title, or too short a title alone, stays code.
    elsewhere = [OutlineEntry(clause_id="695.20", title="Final patchwork", level=2, page=5)]
    assert split_code_headings([listing, after], elsewhere) == [listing, after]
    # A clause whose heading a text block printed before: its title in a listing after it is code.
    on_its_page = listing.model_copy(update={"page": 1})
    headed = [Block(type="text", page=1, text="695.20 Final patchwork"), on_its_page, after]
    assert split_code_headings(headed, outline) == headed
    assert len(split_code_headings(headed[1:], outline)) == 4  # without the heading before, it is cut
    short = [OutlineEntry(clause_id="9", title="Floats", level=1, page=0)]
    floats = Block(type="code", page=0, code_body="\\begin{x}\nFloats\n\\end{x}")
    assert split_code_headings([floats], short) == [floats]


def test_the_open_clauses_label_alone_after_its_heading_is_not_content():
    """lwarp-manual page 685: "breakurl" opens § 170 from the listing's margin, and the "§ 170"
    printed beside it follows as a block of its own; it belongs to the heading."""
    outline = [OutlineEntry(clause_id="169", title="braket", level=1, page=0), OutlineEntry(clause_id="170", title="breakurl", level=1, page=0)]
    blocks = [
        Block(type="text", page=0, text="§ 169 Package braket"),
        Block(type="code", page=0, code_body="1 \\LWR@ProvidesPackagePass{braket}\nbreakurl\n1 \\LWR@ProvidesPackageDrop{breakurl}"),
        Block(type="text", page=0, text="§ 170"),
        Block(type="text", page=0, text="breakurl (Pkg)"),
        Block(type="text", page=0, text="§ 169"),  # another clause's label stays content
    ]
    tree = segment_blocks(blocks, outline, clause_id_patterns=GENERIC)
    assert [match.clause_id for match in tree.report.matched] == ["169", "170"]
    breakurl = tree.sections[1]
    assert [block.code_body or block.text for block in breakurl.blocks] == ["1 \\LWR@ProvidesPackageDrop{breakurl}", "breakurl (Pkg)", "§ 169"]
    assert tree.report.furniture_dropped.get("label_of_open_clause") == 1
