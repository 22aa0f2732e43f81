"""Parser backends. Each turns one planned batch of a PDF into a `ParsedBatchArtifact`, so the
rest of the graph never knows which one ran (a choice of resource, not an `if` in an asset)."""

import os
import time
from functools import lru_cache
from pathlib import Path

import dagster as dg

from schemas.blocks import Block, ParsedBatchArtifact
from schemas.plan import Batch
from specmill.mineru_local import ensure_mineru_home, mineru_version, parse_pages
from specmill.normalize import normalize_content_list
from specmill.parsed import build_artifact


class ParserBackend(dg.ConfigurableResource):
    """The contract every backend fulfils."""

    def parse_batch(self, pdf_path: str, batch: Batch) -> ParsedBatchArtifact:
        raise NotImplementedError


class MineruLocalParser(ParserBackend):
    """MinerU 4 in-process (the embedded default): tier `flash` needs no models and no network."""

    tier: str = "flash"
    ocr_mode: str = "txt"
    mineru_home: str | None = None

    def parse_batch(self, pdf_path: str, batch: Batch) -> ParsedBatchArtifact:
        home = Path(self.mineru_home) if self.mineru_home else Path(os.environ.get("DAGSTER_HOME", ".")) / "mineru-home"
        ensure_mineru_home(home)
        content_list, seconds = parse_pages(
            Path(pdf_path), batch.first_page, batch.last_page, tier=self.tier, ocr_mode=self.ocr_mode
        )
        blocks = normalize_content_list(content_list)
        return build_artifact(
            batch, blocks, backend="mineru-local", mineru_version=mineru_version(),
            tier=self.tier, ocr_mode=self.ocr_mode, seconds=seconds,
        )


@lru_cache(maxsize=2)  # read once per process, however many batches ask
def load_existing_output(path: str) -> tuple[Block, ...]:
    from specmill.mineru_output import load_mineru_output

    return tuple(load_mineru_output(path))


class MineruOutputParser(ParserBackend):
    """Existing MinerU output (one content list, or per-batch folders): nothing is parsed, each
    batch takes the blocks of its pages, and the checks judge the output like any other."""

    path: str

    def parse_batch(self, pdf_path: str, batch: Batch) -> ParsedBatchArtifact:
        started = time.perf_counter()
        blocks = [block for block in load_existing_output(self.path) if batch.first_page <= block.page <= batch.last_page]
        return build_artifact(
            batch, blocks, backend="mineru-output", mineru_version="unknown",
            tier="existing-output", ocr_mode="n/a", seconds=time.perf_counter() - started,
        )
