"""Pick real blocks out of ../shared/corpus/mineru samples for rendering tests."""

from pathlib import Path

from schemas.blocks import Block
from specmill.parse.normalize import load_content_list, normalize_content_list


def corpus_blocks(corpus_dir: Path, sample: str) -> list[Block]:
    return normalize_content_list(load_content_list(corpus_dir / "mineru" / sample / "content_list.json"))


def first_block(corpus_dir: Path, sample: str, predicate) -> Block:
    for block in corpus_blocks(corpus_dir, sample):
        if predicate(block):
            return block
    raise AssertionError(f"no such block in {sample}")
