"""A PDF without bookmarks: its printed table of contents becomes the outline, its printed page
numbers calibrated to PDF pages on the document itself. Page texts shaped after OASIS DSS 2.0
(Word: a top-level number alone on its line, dot leaders, front matter before printed page 1)."""

from schemas.profile import OutlineRules
from specmill.source.printed_toc import outline_from_printed_toc, toc_lines

PATTERNS = OutlineRules().clause_id_patterns
CONTENTS = (
    "Table of Contents\n"
    "1 \nIntroduction ........................................ 1\n"
    "1.1 Terminology ..................................... 1\n"
    "1.2 Normative References ............................ 2\n"
    "2 \nData Structure Models ............................... 3\n"
    "2.1 Type Binding .................................... 3\n"
    "2.2 Component Base64Data ............................ 4\n"
    "Appendix A. Acknowledgments ......................... 5\n"
)
BODY = {
    1: "1 Introduction\nThis specification defines...\n1.1 Terminology\nThe key words...",
    2: "1.2 Normative References\n[RFC2119] Bradner...",
    3: "2 Data Structure Models\nThe following...\n2.1 Type Binding\n2. The binding is defined as follows.",
    4: "Some text at the top.\n2.2 Component Base64Data\nThe Base64Data component...",
    5: "Appendix A. Acknowledgments\nThe following individuals...",
}


def pages(front: int) -> list[str]:
    """Cover and contents, `front` pages before printed page 1, then the body."""
    texts = ["Digital Signature Service Core\nVersion 2.0", CONTENTS] + ["Notices\nCopyright"] * (front - 2)
    return texts + [BODY[printed] + f"\nPage {printed}" for printed in range(1, 6)]


def test_the_printed_contents_become_the_outline_with_calibrated_pages():
    outline = outline_from_printed_toc(pages(front=4), PATTERNS, labels=[])
    assert [(e.clause_id, e.title, e.level, e.page) for e in outline] == [
        ("1", "Introduction", 1, 4),
        ("1.1", "Terminology", 2, 4),
        ("1.2", "Normative References", 2, 5),
        ("2", "Data Structure Models", 1, 6),
        ("2.1", "Type Binding", 2, 6),
        ("2.2", "Component Base64Data", 2, 7),
        ("Annex A", "Acknowledgments", 1, 8),
    ]


def test_a_document_without_contents_or_with_unordered_numbers_gives_none():
    assert outline_from_printed_toc([BODY[i] for i in range(1, 6)], PATTERNS, labels=[]) is None
    figures = "List of Figures\n" + "".join(f"Figure {n}. Something ........ {n}\n" for n in range(1, 8))
    assert outline_from_printed_toc(["cover", figures] + [BODY[i] for i in range(1, 6)], PATTERNS, labels=[]) is None


def test_wrapped_titles_and_two_dot_leaders_are_read_whole():
    # GNU Texinfo contents (bash-reference): spaced dots; a long title leaves room for two.
    page = (
        "Appendix A\nReporting Bugs . . . . . . . . . 172\nAppendix B\nMajor Differences From\n"
        "The Bourne Shell . . . . 173\nAppendix C\nGNU Free Documentation License . . 174\n"
    )
    assert toc_lines(page) == [
        "Appendix A Reporting Bugs . . . . . . . . . 172",
        "Appendix B Major Differences From The Bourne Shell . . . . 173",
        "Appendix C GNU Free Documentation License . . 174",
    ]
