"""Annex A (normative, prints the XSD) and Annex B (informative, examples).

The annexes do not depend on the body, so they are laid out first: their page count is part of
the arithmetic that gives the body its exact page budget.
"""

from __future__ import annotations

from specmill.sample.content import ClauseTarget, Prose, Token
from specmill.sample.layout import LISTING_LEADING, LISTING_SIZE, Flow, code_block, paragraph
from specmill.sample.records import Chapter, PlacedExample
from specmill.sample.vocabulary import NAMESPACE, PREFIX, Vocabulary

SCHEMA_ANNEX = ClauseTarget("Annex A", "Schema", 1)
SCHEMA_LISTING = ClauseTarget("A.2", "Schema Listing", 2)
ANNEX_TARGETS = [
    SCHEMA_ANNEX,
    ClauseTarget("A.1", "Namespace", 2),
    SCHEMA_LISTING,
    ClauseTarget("Annex B", "Examples", 1),
    ClauseTarget("B.1", "Minimal Document", 2),
    ClauseTarget("B.2", "Properties in Context", 2),
]
_ANNEX_HEADINGS = {"Annex A": "Annex A (normative) Schema", "Annex B": "Annex B (informative) Examples"}


def _text(text: str) -> list[Token]:
    return [Token(word) for word in text.split()]


def _heading(chapter: Chapter, target: ClauseTarget) -> None:
    heading = _ANNEX_HEADINGS.get(target.clause_id, f"{target.clause_id} {target.title}")
    if target.level == 1:
        chapter.flow.header = heading
    chapter.add_heading(target.clause_id, target.title, heading, target.level)


def schema_annex(xsd_text: str) -> Chapter:
    chapter = Chapter(Flow())
    by_id = {target.clause_id: target for target in ANNEX_TARGETS}
    _heading(chapter, by_id["Annex A"])
    chapter.flow.place_text(paragraph([_text(
        "This annex is normative. It lists the W3C XML Schema that declares every element, "
        "attribute and type of the markup defined in this specification."
    )]))
    _heading(chapter, by_id["A.1"])
    chapter.flow.place_text(paragraph([_text(
        f"All elements and attributes defined by this specification are in the namespace {NAMESPACE}. "
        f"The examples use the prefix {PREFIX}; producers may choose any prefix."
    )]))
    _heading(chapter, by_id["A.2"])
    chapter.flow.place_text(paragraph([_text("The schema is listed below. It is also supplied as a separate file.")]))
    listing = code_block(xsd_text.rstrip("\n").split("\n"), LISTING_SIZE, LISTING_LEADING, indent=0.0)
    placement = chapter.flow.place_text(listing)
    chapter.listing_pages = list(range(placement.first_page, placement.last_page + 1))
    return chapter


def examples_annex(prose: Prose, vocabulary: Vocabulary) -> Chapter:
    chapter = Chapter(Flow())
    by_id = {target.clause_id: target for target in ANNEX_TARGETS}
    _heading(chapter, by_id["Annex B"])
    chapter.flow.place_text(paragraph([_text("This annex is informative.")]))
    for clause_id, focus in (("B.1", vocabulary.element("para")), ("B.2", vocabulary.elements[-1])):
        _heading(chapter, by_id[clause_id])
        chapter.flow.place_text(paragraph([prose.opening(by_id[clause_id].title), prose.plain()]))
        example = prose.xml_example(focus)
        chapter.flow.place_text(paragraph([_text("[Example:") + prose.plain()], gap_after=2.0))
        placement = chapter.flow.place_text(code_block(list(example.lines)))
        chapter.flow.place_text(paragraph([_text("end example]")], gap_after=12.0))
        chapter.examples.append(PlacedExample(clause_id, placement.first_page, example.names))
    return chapter
