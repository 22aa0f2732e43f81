"""Run MinerU 4 on the requested pages and account for the pages that actually came back.

This is the only module that knows MinerU. It asks `mineru.parser.parse_async` for a 1-based
page range, externalizes images (MinerU keeps them as data URIs in memory), and reports which
requested pages are present in the result: a client must be able to tell "parsed, empty" from
"never parsed".
"""

from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from schemas.worker_api import InputKind, OcrMode, Tier
from worker.errors import NotADocument, PageRangeInvalid, ParseFailed, ParseTimedOut


@dataclass(frozen=True)
class PageSelection:
    """The requested pages, 0-based and inclusive, with -1 resolved against the document."""

    first_page: int
    last_page: int
    document_pages: int

    @property
    def count(self) -> int:
        return self.last_page - self.first_page + 1

    @property
    def pages(self) -> range:
        return range(self.first_page, self.last_page + 1)

    def mineru_range(self) -> str:
        # MinerU's page_range is 1-based and inclusive: pages 0..9 are "1-10".
        return f"{self.first_page + 1}-{self.last_page + 1}"


@dataclass
class ParsedDocument:
    middle_json: Any = field(repr=False)  # mineru.types.MiddleJson with images as relative paths
    assets: dict[str, bytes] = field(repr=False)  # relative path (images/...) -> bytes
    selection: PageSelection
    parsed_pages: list[int]
    empty_pages: list[int]
    mineru_version: str
    seconds: float

    @property
    def missing_pages(self) -> list[int]:
        present = set(self.parsed_pages)
        return [page for page in self.selection.pages if page not in present]


def mineru_version() -> str:
    from importlib.metadata import version

    return version("mineru")


def count_pages(path: Path, kind: InputKind) -> int:
    if kind != "pdf":
        return 1
    import pymupdf

    try:
        with pymupdf.open(path) as document:
            if document.needs_pass:
                raise NotADocument("the PDF is password-protected; send a decrypted copy")
            return document.page_count
    except NotADocument:
        raise
    except Exception as error:  # pymupdf raises its own FileDataError and plain RuntimeErrors
        raise NotADocument(f"the PDF cannot be opened: {error}") from None


def select_pages(start_page: int, end_page: int, document_pages: int, kind: InputKind) -> PageSelection:
    if document_pages < 1:
        raise NotADocument("the document has no pages")
    last = document_pages - 1 if end_page == -1 else end_page
    if kind != "pdf" and (start_page, last) != (0, 0):
        raise PageRangeInvalid(f"start_page/end_page select pages of a PDF; a {kind} image is one page (page 0)")
    if start_page > document_pages - 1:
        raise PageRangeInvalid(
            f"start_page {start_page} is past the last page; the document has {document_pages} pages (0-{document_pages - 1})"
        )
    if last > document_pages - 1:
        raise PageRangeInvalid(
            f"end_page {end_page} is past the last page; the document has {document_pages} pages (0-{document_pages - 1})"
        )
    return PageSelection(first_page=start_page, last_page=last, document_pages=document_pages)


async def parse_document(
    path: Path,
    selection: PageSelection,
    *,
    kind: InputKind,
    tier: Tier,
    ocr_mode: OcrMode,
    image_analysis: bool,
    timeout_s: float,
) -> ParsedDocument:
    """Parse the selected pages; fail with ParseTimedOut after `timeout_s` without waiting for MinerU."""
    started = time.perf_counter()
    page_range = selection.mineru_range() if kind == "pdf" else ""
    work = asyncio.ensure_future(_parse(path, tier, ocr_mode, image_analysis, page_range))
    try:
        done, _ = await asyncio.wait({work}, timeout=timeout_s)
    except asyncio.CancelledError:
        work.cancel()
        raise
    if not done:
        # MinerU runs its stages in threads and, once cancelled, waits for the running stage to
        # finish; awaiting that would turn a timeout into an unbounded wait. The job answers
        # now and the worker is recycled (ParseTimedOut.recycle_worker) to shed the leftover work.
        work.cancel()
        work.add_done_callback(_swallow_outcome)
        raise ParseTimedOut(
            f"MinerU ({tier}) did not finish pages {selection.first_page}-{selection.last_page} "
            f"within {timeout_s:g} s (WORKER_PARSE_TIMEOUT_S); send fewer pages per job"
        )
    middle_json, assets = work.result()
    seconds = time.perf_counter() - started
    by_index = {page.page_idx: page for page in middle_json.pages}
    parsed = [index for index in selection.pages if index in by_index]
    empty = [index for index in parsed if not by_index[index].blocks]
    return ParsedDocument(
        middle_json=middle_json,
        assets=assets,
        selection=selection,
        parsed_pages=parsed,
        empty_pages=empty,
        mineru_version=mineru_version(),
        seconds=seconds,
    )


async def _parse(path: Path, tier: Tier, ocr_mode: OcrMode, image_analysis: bool, page_range: str) -> tuple[Any, dict[str, bytes]]:
    from mineru.errors import InvalidRequestError
    from mineru.parser import parse_async

    try:
        result = await parse_async(
            path, tier=tier, ocr_mode=ocr_mode, image_analysis=image_analysis, page_range=page_range
        )
    except InvalidRequestError as error:
        raise PageRangeInvalid(f"MinerU refused the request: {error}") from None
    except Exception as error:
        raise ParseFailed(f"MinerU ({tier}) failed: {type(error).__name__}: {error}") from error
    return await asyncio.to_thread(_externalize_images, result.middle_json)


def _externalize_images(middle_json: Any) -> tuple[Any, dict[str, bytes]]:
    # MinerU keeps images as data URIs inside the middle JSON; its own ParseResult.save()
    # uses docvortex's materializer to turn them into images/<name> files, and so do we, so
    # that content_list and Markdown reference files instead of carrying base64.
    from docvortex.export import materialize_middle

    materialized, store = materialize_middle(middle_json)
    assets = {name: bytes(store[name]) for name in store}
    return materialized, assets


def _swallow_outcome(task: asyncio.Future) -> None:
    if not task.cancelled():
        task.exception()  # retrieved, so asyncio does not log "exception was never retrieved"
