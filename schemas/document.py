"""The whole document's block stream: every parsed batch joined in page order."""

from pydantic import Field

from schemas.base import Contract
from schemas.blocks import Block, ParsedBatch


class DocumentBlocks(Contract):
    source_sha256: str
    page_count: int
    batch_ids: list[str] = Field(description="The batches joined, in page order (empty for pre-parsed MinerU output).")
    batches: list[ParsedBatch] = Field(default_factory=list, description="The records of the batches joined, in page order.")
    content_sha256: str = Field(description="sha256 over the batches' content hashes (or the blocks): the data version.")
    blocks: list[Block]
