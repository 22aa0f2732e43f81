"""Real documents with their bookmarks taken away, at test time: the outline a document without
bookmarks gets (its printed contents, its contents links, or its headings) must find the clauses
the bookmarks name, on the same pages. Each kind of fallback is exercised: sarif210 and
odf13-packages print contents with dot leaders, xacml40-core links its contents without page
numbers, and with those links removed too its headings are all that is left.

Reads ../shared/corpus (or $SPECMILL_CORPUS); skipped cleanly when it is absent."""

from pathlib import Path

import pymupdf
import pytest

from schemas.profile import OutlineRules
from specmill.source.outline import extract_outline, outline_from_bookmarks
from specmill.source.pages import page_labels

pytestmark = [pytest.mark.corpus]

RULES = OutlineRules()


def _without(pdf: Path, *, links: bool) -> pymupdf.Document:
    document = pymupdf.open(pdf)
    document.set_toc([])
    if links:
        for page in document:
            for link in page.get_links():
                page.delete_link(link)
    return pymupdf.open("pdf", document.tobytes())


@pytest.mark.parametrize(
    ("name", "strip_links", "source"),
    [
        ("sarif210", False, "printed_toc"),
        ("odf13-packages", False, "printed_toc"),
        ("xacml40-core", False, "linked_contents"),
        ("xacml40-core", True, "text_layer"),
    ],
)
def test_without_bookmarks_the_outline_finds_the_bookmarked_clauses_on_their_pages(corpus_dir: Path, name, strip_links, source):
    pdf = corpus_dir / "specs" / name / "spec.pdf"
    with pymupdf.open(pdf) as original:
        truth = {e.clause_id: e.page for e in outline_from_bookmarks(original, RULES, page_labels(original)).entries if e.clause_id}
    with _without(pdf, links=strip_links) as document:
        outline = extract_outline(document, RULES, page_labels(document))
    found = {e.clause_id: e.page for e in outline.entries if e.clause_id}
    assert outline.source == source
    both = set(truth) & set(found)
    assert len(both) >= 0.98 * len(truth), sorted(set(truth) - set(found))[:10]
    assert sum(found[clause] == truth[clause] for clause in both) >= 0.98 * len(both)
    # Every entry the bookmarks lack is a heading the PDF prints on that page (xacml40-core's
    # bookmarks stop at depth 3; its contents go on to 5.2.6.1).
    for clause in set(found) - set(truth):
        entry = next(e for e in outline.entries if e.clause_id == clause)
        with pymupdf.open(pdf) as original:
            assert f"{clause} {entry.title}"[:20] in " ".join(original[entry.page].get_text().split()), clause
