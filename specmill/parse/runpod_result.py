"""A worker's `JobOutput` -> the batch's files -> normalized blocks.

Every file is checked against the sha256 and size the worker declared for it, an archive is
unpacked in memory by `specmill.parse.safe_extract`, and images referenced by the content list
(`images/...`) are carried inside the blocks as data URIs, so a parsed batch is one
self-contained artifact wherever the artifact store lives (local disk or S3).
"""

from __future__ import annotations

import base64
import hashlib
import json
from collections.abc import Callable

from schemas.blocks import Block
from schemas.plan import Batch
from schemas.worker_api import ArchiveArtifacts, ArtifactFile, InlineArtifacts, JobOutput, S3Artifacts
from specmill.errors import ParseError
from specmill.parse.normalize import normalize_content_list
from specmill.parse.result_images import data_uri, is_embedded_or_remote, refused_image_message
from specmill.parse.safe_extract import ExtractLimits, UnsafeArchiveError, checked_member_name, read_archive


class RunPodResultError(ParseError):
    """A job's result does not match what was asked or what the worker declared (pages,
    checksums, missing content list): a worker bug or a corrupted transfer."""


def content_list_name(basename: str) -> str:
    # The worker's manifest names it `<basename>_content_list.json` (MinerU 3.x layout).
    return f"{basename}_content_list.json"


def check_pages(output: JobOutput, batch: Batch) -> None:
    """The job parsed exactly the batch's pages (what the worker resolved from start/end_page)."""
    if (output.first_page, output.last_page) != (batch.first_page, batch.last_page):
        raise RunPodResultError(
            f"batch {batch.batch_id}: asked for pages {batch.first_page}-{batch.last_page}, "
            f"the worker parsed {output.first_page}-{output.last_page}"
        )


def _verify(name: str, data: bytes, declared: ArtifactFile) -> None:
    if len(data) != declared.bytes or hashlib.sha256(data).hexdigest() != declared.sha256:
        raise RunPodResultError(
            f"result file {name}: {len(data)} bytes, sha256 {hashlib.sha256(data).hexdigest()[:12]}…; "
            f"the worker declared {declared.bytes} bytes, sha256 {declared.sha256[:12]}…"
        )


def inline_files(artifacts: InlineArtifacts) -> dict[str, bytes]:
    files: dict[str, bytes] = {}
    for item in artifacts.files:
        name = checked_member_name(item.name)
        data = item.content.encode("utf-8") if item.encoding == "utf-8" else base64.b64decode(item.content, validate=True)
        _verify(name, data, item)
        files[name] = data
    return files


def archive_files(
    archive: bytes, artifacts: ArchiveArtifacts | S3Artifacts, limits: ExtractLimits = ExtractLimits()
) -> dict[str, bytes]:
    """Unpack a tarball_b64 or s3 archive after checking it is the archive the worker made."""
    digest = hashlib.sha256(archive).hexdigest()
    if len(archive) != artifacts.bytes or digest != artifacts.sha256:
        raise RunPodResultError(
            f"result archive: {len(archive)} bytes, sha256 {digest[:12]}…; the worker declared "
            f"{artifacts.bytes} bytes, sha256 {artifacts.sha256[:12]}… (truncated or replaced in transit)"
        )
    files = read_archive(archive, artifacts.archive_format, limits)
    declared = {member.name: member for member in artifacts.members}
    if set(files) != set(declared):
        raise RunPodResultError(
            f"result archive members {sorted(files)[:10]} differ from the declared {sorted(declared)[:10]}"
        )
    for name, data in files.items():
        _verify(name, data, declared[name])
    return files


def result_files(
    output: JobOutput, fetch_s3: Callable[[S3Artifacts], bytes], limits: ExtractLimits = ExtractLimits()
) -> dict[str, bytes]:
    """All files of a result, whichever transport carried them (`fetch_s3` downloads the archive)."""
    artifacts = output.artifacts
    if isinstance(artifacts, InlineArtifacts):
        return inline_files(artifacts)
    if isinstance(artifacts, ArchiveArtifacts):
        try:
            archive = base64.b64decode(artifacts.archive_b64, validate=True)
        except ValueError as exc:
            raise RunPodResultError(f"archive_b64 is not valid base64: {exc}") from None
        return archive_files(archive, artifacts, limits)
    return archive_files(fetch_s3(artifacts), artifacts, limits)


def result_blocks(files: dict[str, bytes], basename: str) -> list[Block]:
    """The content list's items as Blocks (page_idx is absolute: the worker parses with MinerU 4's
    page_range), with every `images/...` reference replaced by the image's data URI."""
    name = content_list_name(basename)
    if name not in files:
        raise RunPodResultError(f"the result has no {name} (files: {sorted(files)[:10]})")
    try:
        items = json.loads(files[name].decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise RunPodResultError(f"{name} is not UTF-8 JSON: {exc}") from None
    if not isinstance(items, list) or not all(isinstance(item, dict) for item in items):
        raise RunPodResultError(f"{name} is not a list of objects")
    blocks = []
    for block in normalize_content_list(items, page_offset=0):
        if block.img_path in files:
            # `raw` keeps the worker's relative path; only the rendered field carries the bytes.
            block = block.model_copy(update={"img_path": data_uri(block.img_path, files[block.img_path])})
        blocks.append(block)
    return blocks


def refused_images(blocks: list[Block]) -> list[str]:
    """Image paths of the content list that could never name a file of the result (absolute, or
    leading out with '..'): a broken or hostile worker. They stay unread; this reports them."""
    refused = []
    for block in blocks:
        if not block.img_path or is_embedded_or_remote(block.img_path):
            continue
        try:
            checked_member_name(block.img_path)
        except UnsafeArchiveError:
            refused.append(refused_image_message(block.img_path, block.page, "the result"))
    return refused
