"""Real-document tier for the automatic profile choice: the BGB gets the german-statute profile
from its own bookmarks and text, every other document of the corpus the generic default. Cheap:
the choice reads the PDF's bookmarks and a dozen pages, nothing is parsed.

Reads ../shared/corpus (or $SPECMILL_CORPUS); skipped cleanly when it is absent."""

from pathlib import Path

import pytest

from specmill.profiles.select import select_profile
from specmill.source.describe import describe_source

pytestmark = [pytest.mark.corpus]


def test_the_statute_book_gets_the_german_statute_profile_by_itself(corpus_dir: Path):
    pdf = corpus_dir / "specs" / "bgb-2024" / "spec.pdf"
    selection = select_profile(None, pdf)
    assert (selection.name, selection.automatic) == ("german-statute", True)
    outline = describe_source(pdf, selection.profile).outline
    assert len(outline.entries) > 2000
    assert outline.entries[0].clause_id == "§ 1"


def test_every_other_document_gets_the_generic_default(corpus_dir: Path):
    others = sorted(path.parent.name for path in (corpus_dir / "specs").glob("*/spec.pdf") if path.parent.name != "bgb-2024")
    assert others
    chosen = {name: select_profile(None, corpus_dir / "specs" / name / "spec.pdf").name for name in others}
    assert chosen == dict.fromkeys(others, "default")
