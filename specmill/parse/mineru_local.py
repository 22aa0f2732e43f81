"""MinerU 4 in-process: parse a page range of a PDF into a content list.

Tier `flash` reads the PDF's text layer with no model weights and no network; other tiers
need models installed. `ocr_mode="txt"` never tries to download OCR models."""

import os
import time
from pathlib import Path

from specmill.errors import ParseError


def ensure_mineru_home(default: Path) -> Path:
    """MinerU writes config (and, on a failed model download, ~/.mineru/config.yaml) under
    MINERU_HOME; keep it out of the user's home directory unless they chose a place."""
    configured = os.environ.get("MINERU_HOME")
    if configured:
        return Path(configured)
    default.mkdir(parents=True, exist_ok=True)
    os.environ["MINERU_HOME"] = str(default)
    return default


def mineru_version() -> str:
    from mineru.version import __version__

    return __version__


def parse_pages(pdf_path: Path, first_page: int, last_page: int, *, tier: str, ocr_mode: str) -> tuple[list[dict], float]:
    """Content list (absolute 0-based page_idx) of pages first_page..last_page, and the seconds taken."""
    from mineru.parser import parse
    from mineru.render import render_content_list
    from mineru.utils.logger import configure_global_log_level

    # MinerU logs every page at INFO; the pipeline reports its own figures.
    configure_global_log_level(os.environ.get("SPECMILL_MINERU_LOG_LEVEL", "WARNING"))
    started = time.perf_counter()
    try:
        # MinerU takes a 1-based inclusive range and reports absolute page_idx.
        result = parse(str(pdf_path), tier=tier, ocr_mode=ocr_mode, page_range=f"{first_page + 1}-{last_page + 1}")
        content_list = render_content_list(result.middle_json)
    except Exception as exc:
        raise ParseError(f"MinerU ({tier}, ocr_mode={ocr_mode}) failed on pages {first_page}-{last_page} of {pdf_path}: {exc}") from exc
    return content_list, time.perf_counter() - started
