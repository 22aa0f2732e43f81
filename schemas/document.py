"""The whole document's block stream: every parsed batch joined in page order."""

from pydantic import Field

from schemas.base import Contract
from schemas.blocks import Block


class JoinedBatch(Contract):
    """A batch as it was joined: what the contiguity check compares with the plan. (Not the whole
    ParsedBatch record: its parse seconds would make two joins of the same batches differ.)"""

    batch_id: str
    first_page: int
    last_page: int
    content_sha256: str
    blocks: int = Field(default=0, ge=0, description="How many blocks of the stream this batch produced (they follow the previous batch's).")


class DocumentBlocks(Contract):
    source_sha256: str
    page_count: int
    batch_ids: list[str] = Field(description="The batches joined, in page order (empty for pre-parsed MinerU output).")
    batches: list[JoinedBatch] = Field(default_factory=list, description="The batches joined, in page order.")
    content_sha256: str = Field(description="sha256 over the batches' content hashes (or the blocks): the data version.")
    blocks: list[Block]
