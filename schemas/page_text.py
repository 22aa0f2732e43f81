"""The text layer of every page of the source PDF, extracted once for the whole pipeline."""

from pydantic import Field, model_validator

from schemas.base import Contract


class PageText(Contract):
    """What PyMuPDF's `get_text("text")` reads on each page, in page order. `source_pdf` extracts
    it while looking for pages without text; name verification reads its evidence here instead
    of opening the PDF again (and so needs no local copy of the PDF)."""

    sha256: str = Field(description="sha256 of the PDF the text was read from (the same as source.json's).")
    page_count: int = Field(ge=0)
    pages: list[str] = Field(description="Text of each page, indexed by 0-based page ('' for a page without text).")

    @model_validator(mode="after")
    def _one_text_per_page(self) -> "PageText":
        if len(self.pages) != self.page_count:
            raise ValueError(f"{len(self.pages)} page texts for a {self.page_count}-page document")
        return self
