"""Turn a parse result into the named files the client asked for, as the manifest declares them."""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass
from typing import Any

from schemas.worker_api import ArtifactFile, ArtifactFormat, Degradation
from worker.manifest import MANIFEST, manifest_problems, spec_for
from worker.parse import ParsedDocument


@dataclass(frozen=True)
class ArtifactBlob:
    name: str
    format: ArtifactFormat
    data: bytes
    text: bool

    def describe(self) -> ArtifactFile:
        return ArtifactFile(
            name=self.name, format=self.format, bytes=len(self.data), sha256=hashlib.sha256(self.data).hexdigest()
        )


class PackagingError(RuntimeError):
    """The produced files disagree with the manifest: a worker bug, never the client's fault."""


_MARKDOWN_IMAGE = re.compile(r"!\[[^\]]*\]\((images/[^)\s]+)\)")


def render_artifacts(
    parsed: ParsedDocument, formats: list[ArtifactFormat], basename: str
) -> tuple[list[ArtifactBlob], list[Degradation]]:
    """The requested artifacts in manifest order, and what could not be delivered."""
    from mineru.parser.base import ParseResult
    from mineru.render import render_content_list

    result = ParseResult(middle_json=parsed.middle_json)
    blobs: list[ArtifactBlob] = []
    markdown = result.markdown()
    content_list = render_content_list(parsed.middle_json)
    for format_name in formats_in_manifest_order(formats):
        spec = spec_for(format_name)
        if format_name == "markdown":
            blobs.append(_text(spec.file_name(basename), format_name, markdown))
        elif format_name == "content_list":
            blobs.append(_text(spec.file_name(basename), format_name, json.dumps(content_list, ensure_ascii=False, indent=2)))
        elif format_name == "middle":
            blobs.append(_text(spec.file_name(basename), format_name, result.to_json()))
        elif format_name == "images":
            blobs.extend(
                ArtifactBlob(name=name, format="images", data=data, text=False)
                for name, data in sorted(parsed.assets.items())
            )

    degraded = []
    if parsed.missing_pages:
        degraded.append(
            Degradation(
                what="pages",
                count=len(parsed.missing_pages),
                detail=f"requested pages absent from MinerU's result: {_page_list(parsed.missing_pages)}",
            )
        )
    if "images" in formats:
        missing_images = sorted(referenced_images(content_list, markdown) - set(parsed.assets))
        if missing_images:
            degraded.append(
                Degradation(
                    what="images",
                    count=len(missing_images),
                    detail=f"referenced but not produced: {', '.join(missing_images[:10])}"
                    + (" …" if len(missing_images) > 10 else ""),
                )
            )

    problems = manifest_problems([(blob.name, blob.format) for blob in blobs], formats, basename)
    if problems:
        raise PackagingError("; ".join(problems))
    return blobs, degraded


def formats_in_manifest_order(formats: list[ArtifactFormat]) -> list[ArtifactFormat]:
    return [spec.format for spec in MANIFEST if spec.format in formats]


def referenced_images(content_list: list[dict[str, Any]], markdown: str) -> set[str]:
    paths = {item["img_path"] for item in content_list if isinstance(item.get("img_path"), str)}
    paths.update(_MARKDOWN_IMAGE.findall(markdown))
    return {path for path in paths if path.startswith("images/")}


def _text(name: str, format_name: ArtifactFormat, content: str) -> ArtifactBlob:
    return ArtifactBlob(name=name, format=format_name, data=content.encode("utf-8"), text=True)


def _page_list(pages: list[int]) -> str:
    shown = ", ".join(str(page) for page in pages[:20])
    return shown + (" …" if len(pages) > 20 else "")
