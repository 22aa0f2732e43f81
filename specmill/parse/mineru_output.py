"""Existing MinerU output as the document's block stream (`specmill build --mineru-output PATH`).

People who already ran MinerU can skip parsing. PATH is one of:

1. A content list file (`*_content_list.json`) for the whole document: page_idx is the PDF page.
2. A MinerU output folder holding exactly one `*content_list.json` (at any depth, e.g.
   `doc/auto/doc_content_list.json`): the same, found for you.
3. A folder of per-batch outputs, one subfolder per batch, each holding one content list:
   - with an `offsets.json` beside the subfolders, `{"<subfolder>": <first page>, ...}`: each
     subfolder's page_idx counts from its batch's first page (0-based), as when a worker parsed
     a sliced PDF (MinerU 3.x); every subfolder must be listed;
   - without `offsets.json`: every page_idx is already absolute (MinerU 4 `page_range`).

`content_list_v2.json` files are ignored (a different schema). An image is read from the content
list's folder, by a relative path that must stay inside it (specmill.parse.result_images), and carried
in its block as a data URI, so images of different batches never collide and the tree writer
reads no paths; an image path that leaves the folder is refused and reported, never read.
Two parts that claim the same page are an error: that is a duplicated or mis-offset batch.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

from schemas.blocks import Block
from specmill.errors import SpecmillError
from specmill.parse.normalize import load_content_list, normalize_content_list
from specmill.parse.result_images import data_uri, image_inside, is_embedded_or_remote, refused_image_message

OFFSETS_FILE = "offsets.json"


class MineruOutputError(SpecmillError):
    """The --mineru-output path is not a usable MinerU output (see specmill.parse.mineru_output)."""


@dataclass(frozen=True)
class MineruOutputPart:
    content_list: Path
    page_offset: int


@dataclass(frozen=True)
class PageWarning:
    """Something in the output that was left out, and the page it concerns (so the batch that
    holds the page can report it)."""

    page: int
    message: str


@dataclass(frozen=True)
class MineruOutput:
    blocks: list[Block]
    warnings: list[PageWarning]


def _content_lists(folder: Path) -> list[Path]:
    return sorted(
        path for path in folder.rglob("*content_list.json")
        if path.is_file() and not path.name.endswith("content_list_v2.json")
    )


def _single_content_list(folder: Path) -> Path | None:
    found = _content_lists(folder)
    if len(found) > 1:
        listed = ", ".join(str(path.relative_to(folder)) for path in found[:5])
        raise MineruOutputError(
            f"{folder}: holds {len(found)} content lists ({listed}{', ...' if len(found) > 5 else ''}); "
            f"for per-batch outputs put each batch in its own subfolder (with an {OFFSETS_FILE} if page_idx is relative)"
        )
    return found[0] if found else None


def _read_offsets(path: Path) -> dict[str, int]:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError) as exc:
        raise MineruOutputError(f"{path}: cannot read the batch offsets ({exc})") from None
    if not isinstance(data, dict) or not all(
        isinstance(k, str) and isinstance(v, int) and not isinstance(v, bool) and v >= 0 for k, v in data.items()
    ):
        raise MineruOutputError(f'{path}: expected {{"<subfolder>": <first 0-based page>, ...}} with non-negative integers')
    return data


def discover_parts(path: str | Path) -> list[MineruOutputPart]:
    """The content lists under PATH and the page offset of each (module doc), in page order."""
    path = Path(path)
    if path.is_file():
        return [MineruOutputPart(path, 0)]
    if not path.is_dir():
        raise MineruOutputError(f"{path}: no such file or folder (expected MinerU's content_list.json or a folder of outputs)")
    subfolders = sorted(child for child in path.iterdir() if child.is_dir() and not child.name.startswith("."))
    offsets_path = path / OFFSETS_FILE
    direct = sorted(p for p in path.glob("*content_list.json") if not p.name.endswith("content_list_v2.json"))
    if direct and not offsets_path.exists():
        if len(direct) > 1:
            raise MineruOutputError(f"{path}: {len(direct)} content lists side by side; put each batch in its own subfolder")
        return [MineruOutputPart(direct[0], 0)]
    parts: list[MineruOutputPart] = []
    if offsets_path.exists():
        offsets = _read_offsets(offsets_path)
        names = {child.name for child in subfolders}
        unknown = sorted(set(offsets) - names)
        if unknown:
            raise MineruOutputError(f"{offsets_path}: names subfolders that do not exist: {unknown}")
        for child in subfolders:
            content_list = _single_content_list(child)
            if content_list is None:
                continue
            if child.name not in offsets:
                raise MineruOutputError(f"{offsets_path}: no offset for subfolder {child.name!r} (it holds {content_list.name})")
            parts.append(MineruOutputPart(content_list, offsets[child.name]))
    else:
        batch_lists = [(child, _single_content_list(child)) for child in subfolders]
        batch_parts = [MineruOutputPart(found, 0) for _child, found in batch_lists if found is not None]
        if len(batch_parts) == 0:
            raise MineruOutputError(f"{path}: no *content_list.json found")
        parts = batch_parts
    if not parts:
        raise MineruOutputError(f"{path}: no *content_list.json in the subfolders listed in {OFFSETS_FILE}")
    return sorted(parts, key=lambda part: (part.page_offset, str(part.content_list)))


def _embed_images(blocks: list[Block], folder: Path, warnings: list[PageWarning]) -> list[Block]:
    """Each image inside `folder` becomes a data URI; a missing one keeps its path (the tree
    reports it missing); one outside is refused and reported."""
    fixed = []
    for block in blocks:
        if block.img_path and not is_embedded_or_remote(block.img_path):
            image = image_inside(folder, block.img_path)
            if image is None:
                warnings.append(PageWarning(block.page, refused_image_message(block.img_path, block.page, str(folder))))
            elif image.is_file():
                block = block.model_copy(update={"img_path": data_uri(image.name, image.read_bytes())})
        fixed.append(block)
    return fixed


def read_mineru_output(path: str | Path) -> MineruOutput:
    """All blocks of the document from existing MinerU output, absolute pages, in page order,
    and the warnings about what was left out (refused images)."""
    owner_of_page: dict[int, Path] = {}
    blocks: list[Block] = []
    warnings: list[PageWarning] = []
    for part in discover_parts(path):
        part_blocks = _embed_images(
            normalize_content_list(load_content_list(part.content_list), page_offset=part.page_offset),
            part.content_list.parent,
            warnings,
        )
        for page in sorted({block.page for block in part_blocks}):
            other = owner_of_page.setdefault(page, part.content_list)
            if other != part.content_list:
                raise MineruOutputError(
                    f"page {page} comes from both {other} and {part.content_list}: a duplicated batch or a wrong offset"
                )
        blocks.extend(part_blocks)
    # Stable: reading order within a page is MinerU's.
    return MineruOutput(sorted(blocks, key=lambda block: block.page), warnings)


def load_mineru_output(path: str | Path) -> list[Block]:
    """All blocks of the document from existing MinerU output (see read_mineru_output)."""
    return read_mineru_output(path).blocks


def pages_past_the_end(blocks: list[Block], page_count: int) -> PageWarning | None:
    """Items on pages the PDF does not have: no batch holds them, so they would vanish unseen."""
    outside = sorted({block.page for block in blocks if block.page >= page_count})
    if not outside:
        return None
    count = sum(1 for block in blocks if block.page >= page_count)
    shown = ", ".join(str(page) for page in outside[:10]) + (", ..." if len(outside) > 10 else "")
    return PageWarning(
        page_count - 1,
        f"{count} content-list item(s) on page(s) {shown}, past the PDF's last page {page_count - 1}: dropped "
        "(is the MinerU output from another document, or its page offsets wrong?)",
    )
