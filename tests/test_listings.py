"""A listing MinerU set one block per printed line comes back as one code block, with the
indentation the PDF prints (issue 14: 860 of 882 fences of a specification were single lines).

The blocks are written by hand the way MinerU 4 flash emits them (every line its own `code` block
with the listing's full width as bbox, a `},` as `text` or as a page `header`); the PDF under them
is drawn here with PyMuPDF, in Courier where it is a listing."""

from pathlib import Path

import pymupdf
import pytest

from schemas.blocks import Block
from specmill.tree.listings import join_listings
from specmill.tree.render import render_blocks
from specmill.source.textlayer import PdfTextLayer

PAGE_W, PAGE_H = 595, 842
LEFT = 72.0
LINE_H = 12.0


def space(x: float, y: float) -> float:
    return x * 1000 / PAGE_W, y * 1000 / PAGE_H


def line_block(kind: str, body: str, page: int, row: int, *, x: float = LEFT, width: float = 450, **extra) -> Block:
    """A block over printed row `row` (0 = the top line at y 100)."""
    top = 100 + row * LINE_H
    x0, y0 = space(x, top - 9)
    x1, y1 = space(x + width, top + 2)
    fields = {"code_body": body} if kind == "code" else {"text": body}
    return Block(type=kind, page=page, bbox=[x0, y0, x1, y1], **fields, **extra)


def code(body: str, page: int = 0, row: int = 0, **extra) -> Block:
    return line_block("code", body, page, row, **extra)


def text(body: str, page: int = 0, row: int = 0, **extra) -> Block:
    return line_block("text", body, page, row, **extra)


def write_pdf(path: Path, draw, pages: int = 1) -> Path:
    """A PDF of `pages` blank pages on which `draw(document)` prints."""
    document = pymupdf.open()
    for _ in range(pages):
        document.new_page(width=PAGE_W, height=PAGE_H)
    draw(document)
    document.save(path)
    document.close()
    return path


JSON_LINES = ['{', '  "version": "2.1.0",', '  "runs": [', '    {', '      "tool": "x"', '    }', '  ]', '}']


@pytest.fixture
def listing_pdf(tmp_path: Path) -> Path:
    """Page 0: the JSON listing in Courier, indented with spaces inside the line (as many PDFs
    print it); page 1: the same lines indented by position; page 2: a listing in Helvetica."""
    document = pymupdf.open()
    for page_number in range(3):
        page = document.new_page(width=PAGE_W, height=PAGE_H)
        for row, line in enumerate(JSON_LINES):
            y = 100 + row * LINE_H
            if page_number == 0:
                page.insert_text((LEFT, y), line, fontname="cour", fontsize=10)
            elif page_number == 1:
                indent = len(line) - len(line.lstrip())
                page.insert_text((LEFT + indent * 6.0, y), line.strip(), fontname="cour", fontsize=10)
            else:
                page.insert_text((LEFT, y), line.strip(), fontname="helv", fontsize=10)
    path = tmp_path / "listing.pdf"
    document.save(path)
    document.close()
    return path


def minerus_blocks(page: int) -> list[Block]:
    """How MinerU flash files the listing: code lines, the bare punctuation as text."""
    blocks = []
    for row, line in enumerate(JSON_LINES):
        stripped = line.strip()
        blocks.append(text(stripped, page, row) if stripped in "{}[]" or stripped in ("},", "],") else code(stripped, page, row))
    return blocks


def test_a_listing_set_line_by_line_becomes_one_code_block_in_printed_order():
    blocks = [text("An example follows.", row=-2)] + minerus_blocks(0) + [text("After the example, prose.", row=9)]
    joined = join_listings(blocks)
    assert [block.type for block in joined] == ["text", "code", "text"]
    assert joined[1].code_body.split("\n") == [line.strip() for line in JSON_LINES]
    rendered = render_blocks(joined)
    assert rendered.count("```") == 2, rendered


@pytest.mark.parametrize("page", [0, 1], ids=["spaces-inside-the-line", "indented-by-position"])
def test_the_indentation_comes_from_the_pdf_text_layer(listing_pdf: Path, page: int):
    with PdfTextLayer(listing_pdf) as layer:
        (joined,) = join_listings(minerus_blocks(page), layer.lines_under)
    assert joined.code_body.split("\n") == JSON_LINES


def test_a_listing_in_a_proportional_font_keeps_minerus_text(listing_pdf: Path):
    with PdfTextLayer(listing_pdf) as layer:
        (joined,) = join_listings(minerus_blocks(2), layer.lines_under)
    assert joined.code_body.split("\n") == [line.strip() for line in JSON_LINES]


def test_a_listing_runs_across_a_page_break_and_its_furniture_follows_it():
    first_half = [code("<a>", 0, 60), code("<b/>", 0, 61)]
    furniture = [Block(type="footer", page=0, text="Copyright 2019"), Block(type="page_number", page=0, text="12"),
                 Block(type="header", page=1, text="Specification title")]
    second_half = [code("<c/>", 1, 0), text("</a>", 1, 1)]
    joined = join_listings(first_half + furniture + second_half)
    assert joined[0].code_body == "<a>\n<b/>\n<c/>\n</a>"
    assert [block.type for block in joined[1:]] == ["footer", "page_number", "header"]


def test_a_bare_brace_minerU_typed_as_a_page_header_goes_back_into_the_listing():
    blocks = [code('"a": {', 0, 70), code('"b": 1', 0, 71), Block(type="page_number", page=0, text="7"),
              line_block("header", "},", 1, 1), code('"c": 2', 1, 0), code('"d": 3', 1, 2)]
    (joined, page_number) = join_listings(blocks)
    assert joined.code_body.split("\n") == ['"a": {', '"b": 1', '"c": 2', "},", '"d": 3']
    assert page_number.type == "page_number"


@pytest.mark.parametrize(
    "stop",
    [
        text("The element above is optional.", row=2),
        code("<next/>", row=2, captions=["Listing 2: another example"]),
        code("[Example: <x/>", row=2),
        Block(type="header", page=0, text="4.2 Next clause"),
        code("<p/>", page=3, row=2),
    ],
    ids=["prose", "a-caption-opens-a-new-listing", "an-example-marker", "a-numbered-header-may-be-a-heading", "pages-apart"],
)
def test_a_listing_ends_where_something_else_begins(stop: Block):
    joined = join_listings([code("<a>", row=0), code("</a>", row=1), stop])
    assert joined[0].code_body == "<a>\n</a>"
    assert joined[1] == stop


def test_a_sentence_filed_as_code_is_never_joined_into_a_listing():
    sentence = code("The <m:file-entry> element has the following attributes: full-path, media-type and size.", row=2)
    joined = join_listings([code("<a>", row=0), code("</a>", row=1), sentence])
    assert len(joined) == 2 and joined[1] == sentence


def test_gutter_line_numbers_between_listing_lines_are_stepped_over():
    blocks = [code("<a>", row=0), text("2957 2958", row=0, x=30, width=20), code("</a>", row=1)]
    joined = join_listings(blocks)
    assert joined[0].code_body == "<a>\n</a>" and joined[1].text == "2957 2958"


@pytest.fixture
def mixed_pdf(tmp_path: Path) -> Path:
    """A listing whose third printed line MinerU took for prose (two lines joined by a space), and
    a numbered heading set in Courier right after it."""
    def draw(document):
        for row, line in enumerate(["<Cert>", "  MIIC yjCC", "  AjOg AwIB", "</Cert>"]):
            document[0].insert_text((LEFT, 100 + row * LINE_H), line, fontname="cour", fontsize=10)
        document[0].insert_text((LEFT, 100 + 5 * LINE_H), "5.4.7 <ds:KeyInfo>", fontname="cour", fontsize=10)

    return write_pdf(tmp_path / "mixed.pdf", draw)


def test_a_monospaced_text_block_joins_the_listing_with_the_pdfs_line_breaks_but_a_numbered_heading_does_not(mixed_pdf: Path):
    top = 100 + 1 * LINE_H
    x0, y0 = space(LEFT, top - 9)
    x1, y1 = space(LEFT + 450, top + LINE_H + 2)  # two printed lines
    prose_typed = Block(type="text", page=0, bbox=[x0, y0, x1, y1], text="MIIC yjCC AjOg AwIB")
    heading = text("5.4.7 <ds:KeyInfo>", row=5)
    blocks = [code("<Cert>", row=0), prose_typed, code("</Cert>", row=3), heading]
    with PdfTextLayer(mixed_pdf) as layer:
        joined = join_listings(blocks, layer.lines_under)
    assert joined[0].code_body.split("\n") == ["<Cert>", "  MIIC yjCC", "  AjOg AwIB", "</Cert>"]
    assert joined[1] == heading


def test_an_xml_example_set_wholly_as_text_lines_becomes_one_listing():
    """ecma376-part3 A.2.6: MinerU set an output document as text blocks, tags broken over lines."""
    lines = ['<Circles xmlns="http://www.example.com/Circles/v1"',
             'xmlns:v3="http://www.example.com/Circles/v3" mc:Ignorable="v2 v3">',
             '<v3:Circle Center="0,0" Radius="20" Color="Blue" Opacity="0.5"', 'Luminance="13"/>', "</Circles>"]
    blocks = [text("Output document:", row=0)] + [text(line, row=row + 1) for row, line in enumerate(lines)]
    blocks.append(text("Second, suppose that the application configuration differs.", row=7))
    joined = join_listings(blocks)
    assert [block.type for block in joined] == ["text", "code", "text"]
    assert joined[1].code_body.split("\n") == lines
    assert render_blocks(joined).count("```") == 2


def test_a_lone_line_of_markup_or_a_sentence_starting_with_a_tag_is_left_as_it_is():
    sentence = text("<manifest:file-entry> elements name the files of the package.", row=0)
    lone = text('<v3:Circle Center="0,0"/>', row=2)
    assert join_listings([sentence, text("More prose follows here.", row=1), lone]) == [sentence, text("More prose follows here.", row=1), lone]


def test_minerus_bold_marks_on_the_names_of_a_listing_set_as_text_do_not_enter_the_fence():
    """xacml40-core Annex D: `<**xs:element** name="RequestDefaults" …/>` as text lines."""
    blocks = [text('<**xs:complexType** name="DefaultsType">', row=0), text('<**xs:attribute** name="Version"/>', row=1),
              text("</**xs:complexType**>", row=2)]
    (joined,) = join_listings(blocks)
    assert joined.code_body.split("\n") == ['<xs:complexType name="DefaultsType">', '<xs:attribute name="Version"/>', "</xs:complexType>"]


NUMBERED = [(11, "\\newcommand{\\foo}{%"), (12, "  % used by the print version only, as the manual says"), (13, "  \\bar}")]


@pytest.fixture
def numbered_pdf(tmp_path: Path) -> Path:
    """lwarp-manual's package source: a small line number in the text font left of each line of
    code in a monospaced font. Below it, prose in the text font that starts with numbers."""
    def draw(document):
        page = document[0]
        for row, (number, line) in enumerate(NUMBERED):
            y = 100 + row * LINE_H
            page.insert_text((LEFT - 22, y), str(number), fontname="helv", fontsize=7)
            indent = len(line) - len(line.lstrip())
            page.insert_text((LEFT + indent * 5.4, y), line.strip(), fontname="cour", fontsize=9)
        page.insert_text((LEFT, 100 + 4 * LINE_H), "LWR@nextequation (Ctr) Used to add one.", fontname="helv", fontsize=10)
        page.insert_text((LEFT - 22, 100 + 5 * LINE_H), "12100", fontname="helv", fontsize=7)
        page.insert_text((LEFT, 100 + 5 * LINE_H), "\\newcounter{LWR@nextequation}", fontname="cour", fontsize=9)
        page.insert_text((LEFT, 100 + 7 * LINE_H), "12 apples and 13 pears were counted.", fontname="helv", fontsize=10)
        # A clause heading whose title is a macro name, set in the listing's font at the number's size.
        page.insert_text((LEFT - 22, 100 + 9 * LINE_H), "97", fontname="helv", fontsize=11)
        page.insert_text((LEFT, 100 + 9 * LINE_H), "\\phantomsection", fontname="cour", fontsize=11)

    return write_pdf(tmp_path / "numbered.pdf", draw)


def test_a_numbered_listing_minerU_ran_into_a_paragraph_is_a_code_block_without_its_numbers(numbered_pdf: Path):
    # As MinerU 4 flash returned lwarp-manual's listings: one text block, the numbers run in.
    run_in = " ".join(f"{number} {line.strip()}" for number, line in NUMBERED)
    listing = line_block("text", run_in, 0, 0, x=LEFT - 22, width=470)
    listing = listing.model_copy(update={"bbox": [listing.bbox[0], listing.bbox[1], listing.bbox[2], space(0, 100 + 2 * LINE_H + 2)[1]]})
    between = text("LWR@nextequation (Ctr) Used to add one.", row=4)
    one_line = text("12100 \\newcounter{LWR@nextequation}", row=5, x=LEFT - 22)
    prose = text("12 apples and 13 pears were counted.", row=7)
    with PdfTextLayer(numbered_pdf) as layer:
        joined = join_listings([listing, between, one_line, prose], layer.lines_under)
    assert [block.type for block in joined] == ["code", "text", "code", "text"]
    assert joined[0].code_body.split("\n") == [line for _, line in NUMBERED]
    assert joined[2].code_body == "\\newcounter{LWR@nextequation}"
    assert joined[3] == prose


def test_a_clause_heading_set_in_the_listings_font_is_neither_a_listing_nor_crossed(numbered_pdf: Path):
    from schemas.outline import OutlineEntry
    from specmill.tree.listings import heading_texts

    heading = text("97 \\phantomsection", row=9, x=LEFT - 22)
    with PdfTextLayer(numbered_pdf) as layer:
        assert join_listings([heading], layer.lines_under) == [heading]  # the number is as large as the title
    outline = [OutlineEntry(clause_id="40.3.2", title="lwarpmk.conf", level=3, page=0)]
    def draw(document):
        for row, line in enumerate(["\\newcommand{\\a}{%", "lwarpmk.conf", "\\b}"]):
            document[0].insert_text((LEFT, 100 + row * LINE_H), line, fontname="cour", fontsize=10)

    path = write_pdf(numbered_pdf.with_name("heading.pdf"), draw)
    blocks = [code("\\newcommand{\\a}{%"), text("lwarpmk.conf", row=1), code("\\b}", row=2)]
    with PdfTextLayer(path) as layer:
        assert [block.type for block in join_listings(blocks, layer.lines_under)] == ["code"]  # no outline: one listing
        joined = join_listings(blocks, layer.lines_under, heading_texts(outline))
    assert [block.type for block in joined] == ["code", "text", "code"]


BASH_EXAMPLE = ["$ string=01234567890abcdefgh", "$ echo ${string:7:2}", "78", "$ echo ${string:7:-2}", "$ echo ${string: -7}"]


def test_an_example_set_in_monospace_that_minerU_typed_as_headings_is_one_listing_without_its_escapes(tmp_path: Path):
    """bash-reference 3.5.3: MinerU typed the example's lines as headings, two printed lines to a
    block, escaped `$` as Markdown, and filed the line at the top of the next page as a header."""
    def draw(document):
        document[0].insert_text((LEFT, 100 - 2 * LINE_H), "Here are some examples of substring expansion:", fontname="helv", fontsize=10)
        for row, line in enumerate(BASH_EXAMPLE[:4]):
            document[0].insert_text((LEFT, 100 + row * LINE_H), line, fontname="cour", fontsize=10)
        document[1].insert_text((LEFT, 100), BASH_EXAMPLE[4], fontname="cour", fontsize=10)

    path = write_pdf(tmp_path / "example.pdf", draw, pages=2)
    escaped = [line.replace("$", "\\$") for line in BASH_EXAMPLE]
    two_lines = line_block("text", f"{escaped[1]} {escaped[2]}", 0, 1, text_level=2)
    two_lines = two_lines.model_copy(update={"bbox": [*two_lines.bbox[:3], space(0, 100 + 2 * LINE_H + 2)[1]]})
    blocks = [
        text("Here are some examples of substring expansion:", row=-2),
        text(escaped[0], row=0, text_level=2), two_lines, text(escaped[3], row=3, text_level=2),
        Block(type="page_number", page=0, text="37"),
        line_block("header", escaped[4], 1, 0),
    ]
    with PdfTextLayer(path) as layer:
        joined = join_listings(blocks, layer.lines_under)
    assert [block.type for block in joined] == ["text", "code", "page_number"]
    assert joined[1].code_body.split("\n") == BASH_EXAMPLE
