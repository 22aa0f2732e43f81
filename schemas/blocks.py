"""Normalized MinerU blocks and the record of one parsed batch.

MinerU's content_list.json differs by version (2.x / 3.x / 4.x). It is normalized once, at
the edge (specmill.parse.normalize), into `Block`; the raw item is kept for anything we did not map.
"""

from typing import Any

from pydantic import Field

from schemas.base import Contract

# Block types MinerU emits across 2.x-4.x content lists; anything else is kept as-is.
KNOWN_BLOCK_TYPES = frozenset(
    {
        "text", "list", "table", "image", "equation", "code", "chart", "header", "footer",
        "page_number", "page_footnote", "aside_text", "ref_text", "index",
    }
)
# Page furniture: never content of a clause.
FURNITURE_BLOCK_TYPES = frozenset({"header", "footer", "page_number", "aside_text"})


class Block(Contract):
    type: str
    page: int = Field(ge=0, description="Absolute 0-based PDF page index.")
    bbox: list[float] | None = Field(default=None, description="x0, y0, x1, y1 in MinerU's 0-1000 page space.")
    text: str = Field(default="", description="Text with MinerU's Markdown escapes removed; raw LaTeX for equations.")
    text_level: int | None = None
    sub_type: str | None = None
    list_items: list[str] = Field(default_factory=list)
    code_body: str | None = Field(default=None, description="Code without Markdown fences.")
    code_language: str | None = Field(default=None, description="Fence language or MinerU's guess_lang.")
    table_body: str | None = Field(default=None, description="Table as MinerU's HTML.")
    captions: list[str] = Field(default_factory=list)
    footnotes: list[str] = Field(default_factory=list)
    img_path: str | None = None
    description: str | None = Field(default=None, description="VLM description of an image or chart.")
    raw: dict[str, Any] = Field(
        default_factory=dict, description="The original content_list item (in a batch's artifact; empty in the joined document)."
    )


class ParsedBatch(Contract):
    batch_id: str
    backend: str = Field(description="Parser backend: 'mineru-local', 'runpod', or 'mineru-output' (pre-parsed).")
    mineru_version: str
    normalizer_version: str | None = Field(
        default=None,
        description="specmill.parse.normalize.NORMALIZER_VERSION that made the blocks; None in records written before "
        "batches recorded it (such a batch is parsed again rather than reused).",
    )
    tier: str
    ocr_mode: str
    first_page: int
    last_page: int
    pages_seen: list[int] = Field(description="Pages that produced at least one block.")
    block_counts: dict[str, int]
    seconds: float
    content_sha256: str = Field(description="sha256 of the canonical JSON of the blocks: the batch's data version.")
    warnings: list[str] = Field(
        default_factory=list,
        description="What the parser's output held that was left out of the blocks (an image path leading outside the "
        "result, items on pages past the PDF's end): the batch is usable, but these are not in it.",
    )


class ParsedBatchArtifact(Contract):
    """What is stored per batch: the record and the blocks."""

    record: ParsedBatch
    blocks: list[Block]
