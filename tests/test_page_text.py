"""pages.json: the PDF's text layer, extracted once by source_pdf and read by name verification
instead of the PDF."""

from pathlib import Path

import dagster as dg
import pymupdf
import pytest
from pydantic import ValidationError

from assets.corrected import source_page_text
from assets.source import source_pdf
from resources.settings import SpecmillSettings
from resources.storage import LocalArtifactStore
from schemas import artifacts
from schemas.outline import SourcePdf
from schemas.page_text import PageText
from schemas.profile import DocumentProfile
from specmill.errors import ArtifactError
from specmill.source.describe import describe_source, read_source
from specmill.verify import PageTextWords, page_words
from tests.pdf_factory import numbered_document


@pytest.fixture
def pdf_with_an_empty_page(tmp_path: Path) -> Path:
    path = numbered_document(tmp_path / "doc.pdf", [("1 Scope", 0), ("2 Model", 2)], 3)
    with pymupdf.open(path) as document:
        document.delete_page(1)
        document.insert_page(1)  # no text at all
        document.saveIncr()
    return path


def test_read_source_returns_every_pages_text_tied_to_the_pdf(pdf_with_an_empty_page: Path):
    source, page_text = read_source(pdf_with_an_empty_page, DocumentProfile())
    assert page_text.sha256 == source.sha256 and page_text.page_count == source.page_count == 3
    assert len(page_text.pages) == 3 and page_text.pages[1] == ""
    assert "1 Scope" in page_text.pages[0] and "2 Model" in page_text.pages[2]
    with pymupdf.open(pdf_with_an_empty_page) as document:
        assert page_text.pages == [document[index].get_text("text") for index in range(3)]
    # The textless pages are read off the same extraction.
    assert source.textless_pages == [1]
    assert describe_source(pdf_with_an_empty_page, DocumentProfile()) == source


def test_page_text_needs_one_text_per_page():
    with pytest.raises(ValidationError, match="2 page texts for a 3-page document"):
        PageText(sha256="0" * 64, page_count=3, pages=["a", "b"])


def test_the_source_pdf_asset_writes_pages_json_beside_source_json(pdf_with_an_empty_page: Path, tmp_path: Path):
    store = tmp_path / "store"
    result = dg.materialize(
        [source_pdf],
        resources={"settings": SpecmillSettings(pdf_path=str(pdf_with_an_empty_page)), "store": LocalArtifactStore(root=str(store))},
    )
    assert result.success
    source = SourcePdf.model_validate_json((store / artifacts.SOURCE).read_bytes())
    page_text = PageText.model_validate_json((store / artifacts.PAGE_TEXT).read_bytes())
    assert (page_text.sha256, page_text.page_count) == (source.sha256, source.page_count)
    assert page_text == read_source(pdf_with_an_empty_page, DocumentProfile())[1]
    metadata = result.asset_materializations_for_node("source_pdf")[0].metadata
    assert metadata["page_text_path"].value == str(store / artifacts.PAGE_TEXT)


def _store_with(tmp_path: Path, pdf: Path) -> tuple[LocalArtifactStore, SourcePdf, PageText]:
    store = LocalArtifactStore(root=str(tmp_path / "store"))
    source, page_text = read_source(pdf, DocumentProfile())
    store.write_model(artifacts.SOURCE, source)
    return store, source, page_text


def test_a_missing_pages_json_says_to_rerun_source_pdf(pdf_with_an_empty_page: Path, tmp_path: Path):
    store, source, _ = _store_with(tmp_path, pdf_with_an_empty_page)
    with pytest.raises(ArtifactError, match=r"pages\.json .*is missing: re-materialize source_pdf"):
        source_page_text(store, source)


def test_an_invalid_pages_json_is_named(pdf_with_an_empty_page: Path, tmp_path: Path):
    store, source, _ = _store_with(tmp_path, pdf_with_an_empty_page)
    store.write_text(artifacts.PAGE_TEXT, '{"sha256": "x", "pages": []}')
    with pytest.raises(ArtifactError, match=r"pages\.json does not match PageText"):
        source_page_text(store, source)


def test_pages_json_of_another_pdf_is_refused(pdf_with_an_empty_page: Path, tmp_path: Path):
    store, source, page_text = _store_with(tmp_path, pdf_with_an_empty_page)
    store.write_model(artifacts.PAGE_TEXT, page_text.model_copy(update={"sha256": "f" * 64}))
    with pytest.raises(ArtifactError, match=r"pages\.json holds the text of another PDF"):
        source_page_text(store, source)
    store.write_model(artifacts.PAGE_TEXT, page_text)
    assert source_page_text(store, source).pages == page_text.pages


def test_page_words_are_computed_lazily_once_per_page_from_the_texts():
    texts = ["the tblLook element", "s:fontAlgn and w:rPr", ""]
    pages = PageTextWords(texts)
    assert pages.page_count == 3 and pages.pages_extracted == 0
    assert pages.words(1) == page_words(texts[1]) and {"fontAlgn", "rPr"} <= pages.words(1)
    assert pages.words(1) is pages.words(1)
    assert pages.pages_extracted == 1
    assert pages.words(7) == frozenset() and pages.words(-1) == frozenset()  # outside the document
    assert pages.words(2) == frozenset()
