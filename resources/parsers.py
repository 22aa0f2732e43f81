"""Parser backends. Each turns one planned batch of a PDF into a `ParsedBatchArtifact`, so the
rest of the graph never knows which one ran (a choice of resource, not an `if` in an asset)."""

import os
import time
from functools import lru_cache
from pathlib import Path

import dagster as dg

from schemas.blocks import ParsedBatchArtifact
from schemas.plan import Batch
from specmill.parse import normalize
from specmill.parse.mineru_local import ensure_mineru_home, mineru_version, parse_pages
from specmill.parse.normalize import normalize_content_list
from specmill.parse.mineru_output import MineruOutput, pages_past_the_end, read_mineru_output
from specmill.parse.parsed import build_artifact
from specmill.parse.resume import ParserIdentity


class ParserBackend(dg.ConfigurableResource):
    """The contract every backend fulfils."""

    def parse_batch(self, pdf_path: str, batch: Batch) -> ParsedBatchArtifact:
        raise NotImplementedError

    def identity(self) -> ParserIdentity:
        """What the records of this backend's artifacts say made them; a stored artifact is reused
        only when its record says the same (specmill.parse.resume)."""
        raise NotImplementedError


class MineruLocalParser(ParserBackend):
    """MinerU 4 in-process (the embedded default): tier `flash` needs no models and no network."""

    tier: str = "flash"
    ocr_mode: str = "txt"
    mineru_home: str | None = None

    def identity(self) -> ParserIdentity:
        return ParserIdentity("mineru-local", self.tier, self.ocr_mode, mineru_version(), normalize.NORMALIZER_VERSION)

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
def load_existing_output(path: str) -> MineruOutput:
    """The blocks of existing MinerU output, and the warnings about what it held but left out."""
    return read_mineru_output(path)


@lru_cache(maxsize=2)
def _pdf_page_count(pdf_path: str) -> int:
    from specmill.source.pdf import open_pdf

    with open_pdf(Path(pdf_path)) as document:
        return document.page_count


class MineruOutputParser(ParserBackend):
    """Existing MinerU output (one content list, or per-batch folders): nothing is parsed, each
    batch takes the blocks of its pages, and the checks judge the output like any other. What
    the output held but no batch can take (refused images, items past the PDF's last page, which
    belong to no batch) is recorded in the batch's warnings and logged."""

    path: str

    def identity(self) -> ParserIdentity:
        return ParserIdentity("mineru-output", "existing-output", "n/a", "unknown", normalize.NORMALIZER_VERSION)

    def parse_batch(self, pdf_path: str, batch: Batch) -> ParsedBatchArtifact:
        started = time.perf_counter()
        output = load_existing_output(self.path)
        blocks = [block for block in output.blocks if batch.first_page <= block.page <= batch.last_page]
        warnings = [warning for warning in output.warnings if batch.first_page <= warning.page <= batch.last_page]
        page_count = _pdf_page_count(pdf_path)
        if batch.last_page == page_count - 1 and (past := pages_past_the_end(output.blocks, page_count)):
            warnings.append(past)
        log = dg.get_dagster_logger()
        for warning in warnings:
            log.warning(f"batch {batch.batch_id}: {warning.message}")
        return build_artifact(
            batch, blocks, backend="mineru-output", mineru_version="unknown",
            tier="existing-output", ocr_mode="n/a", seconds=time.perf_counter() - started,
            warnings=[warning.message for warning in warnings],
        )
