"""A PDF without bookmarks whose contents list is links with no page numbers (an HTML-made
specification such as xacml40-core): the links become the outline, each entry at its link's
destination; an anchor left at the foot of the page before its heading is moved to the heading."""

import pymupdf

from schemas.profile import OutlineRules
from specmill.source.linked_contents import outline_from_linked_contents
from specmill.source.outline import extract_outline

PATTERNS = OutlineRules().clause_id_patterns
CONTENTS = ["1 Scope", "2 Definitions", "2.1 Terms", "2.2 Abbreviations", "3 Conformance", "Annex A References"]
# Where each heading is printed: (page, y from the top).
HEADINGS = {"1 Scope": (1, 100), "2 Definitions": (1, 400), "2.1 Terms": (2, 80), "2.2 Abbreviations": (2, 500),
            "3 Conformance": (3, 72), "Annex A References": (3, 600)}


def linked_contents_pdf(anchor_before_page_break: str | None = None, linked: bool = True, title_only: bool = False) -> pymupdf.Document:
    document = pymupdf.open()
    document.new_page().insert_text((72, 60), "Table of Contents", fontsize=14)
    for page_number in range(1, 4):
        page = document.new_page()
        for heading, (on_page, y) in HEADINGS.items():
            if on_page == page_number:
                page.insert_text((72, y), heading, fontsize=13)
                page.insert_text((72, y + 20), "Body text of the clause follows here.", fontsize=10)
    contents = document[0]
    for row, heading in enumerate(CONTENTS):
        y = 100 + 20 * row
        if title_only:  # LaTeX: "5.8  Using latexmk . . . 55", only the title linked
            number, title = heading.rsplit(" ", 1) if heading.startswith("Annex") else heading.split(" ", 1)
            contents.insert_text((72, y), number, fontsize=10)
            contents.insert_text((150, y), f"{title} . . . . . 7", fontsize=10)
        else:
            contents.insert_text((72, y), f"\u2022 {heading}", fontsize=10)
        target, top = HEADINGS[heading]
        if heading == anchor_before_page_break:
            target, top = target - 1, 830  # the anchor at the foot of the page before
        if linked:
            left = 148 if title_only else 70
            contents.insert_link({"kind": pymupdf.LINK_GOTO, "from": pymupdf.Rect(left, y - 10, 300, y + 3), "page": target,
                                  "to": pymupdf.Point(72, top - 14)})
    # A reference linked in the text after the contents is no entry of them.
    body = document[2]
    body.insert_text((72, 700), "as in 7.1.1.2 Other things of another part", fontsize=10)
    body.insert_link({"kind": pymupdf.LINK_GOTO, "from": pymupdf.Rect(70, 690, 300, 703), "page": 1, "to": pymupdf.Point(72, 80)})
    return pymupdf.open("pdf", document.tobytes())  # read back as a saved file is


def test_the_contents_links_become_the_outline_at_their_destinations():
    document = linked_contents_pdf()
    texts = [page.get_text() for page in document]
    outline = outline_from_linked_contents(document, texts, PATTERNS, labels=[""] * document.page_count)
    assert [(entry.clause_id, entry.title, entry.level, entry.page) for entry in outline] == [
        ("1", "Scope", 1, 1), ("2", "Definitions", 1, 1), ("2.1", "Terms", 2, 2), ("2.2", "Abbreviations", 2, 2),
        ("3", "Conformance", 1, 3), ("Annex A", "References", 1, 3),
    ]
    assert all(entry.y is not None for entry in outline)
    chosen = extract_outline(document, OutlineRules(), [""] * document.page_count)
    assert chosen.source == "linked_contents" and len(chosen.entries) == 6


def test_a_number_printed_left_of_a_title_only_link_is_the_entrys():
    document = linked_contents_pdf(title_only=True)
    texts = [page.get_text() for page in document]
    outline = outline_from_linked_contents(document, texts, PATTERNS, labels=[""] * document.page_count)
    assert [(entry.clause_id, entry.title, entry.page) for entry in outline] == [
        ("1", "Scope", 1), ("2", "Definitions", 1), ("2.1", "Terms", 2), ("2.2", "Abbreviations", 2),
        ("3", "Conformance", 3), ("Annex A", "References", 3),
    ]


def test_an_anchor_at_the_foot_of_the_page_before_its_heading_is_moved_to_the_heading():
    document = linked_contents_pdf(anchor_before_page_break="2.1 Terms")
    texts = [page.get_text() for page in document]
    outline = outline_from_linked_contents(document, texts, PATTERNS, labels=[""] * document.page_count)
    terms = next(entry for entry in outline if entry.clause_id == "2.1")
    assert (terms.page, terms.y) == (2, None)


def test_without_links_or_with_too_few_the_next_fallback_is_taken():
    document = linked_contents_pdf(linked=False)
    texts = [page.get_text() for page in document]
    assert outline_from_linked_contents(document, texts, PATTERNS, labels=[""] * document.page_count) is None
    assert extract_outline(document, OutlineRules(), [""] * document.page_count).source == "text_layer"


def test_links_whose_destinations_run_backwards_are_no_contents_list():
    document = pymupdf.open()
    for _ in range(7):
        document.new_page().insert_text((72, 100), "Some clause text.", fontsize=10)
    front = document[0]
    for row in range(6):
        y = 100 + 20 * row
        front.insert_text((72, y), f"see {row + 1}.1 Something", fontsize=10)
        front.insert_link({"kind": pymupdf.LINK_GOTO, "from": pymupdf.Rect(90, y - 10, 300, y + 3), "page": 6 - row,
                           "to": pymupdf.Point(72, 80)})
    document = pymupdf.open("pdf", document.tobytes())
    texts = [page.get_text() for page in document]
    assert outline_from_linked_contents(document, texts, PATTERNS, labels=[""] * document.page_count) is None
