"""Parser backends. Each turns one planned batch of a PDF into a `ParsedBatchArtifact`."""

import os
from pathlib import Path

import dagster as dg

from schemas.blocks import ParsedBatchArtifact
from schemas.plan import Batch
from specmill.mineru_local import ensure_mineru_home, mineru_version, parse_pages
from specmill.normalize import normalize_content_list
from specmill.parsed import build_artifact


class MineruLocalParser(dg.ConfigurableResource):
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
