"""Images a parse result references, taken only from inside that result.

A content list is input we did not write (a user's `--mineru-output`, a worker's archive), and
its `img_path` is copied into the corpus. A hostile or broken one named `/etc/passwd` or
`../../../../etc/hostname` and the tree writer copied that file into `_images/` (issue 16). So
an image is taken only by a relative path that stays inside the result after every `..` and
every link is resolved, and only if it is an image file; its bytes then travel inside the
block as a data URI, so that nothing later reads a path from a block at all.
"""

from __future__ import annotations

import base64
from pathlib import Path, PurePosixPath

IMAGE_TYPES = {"jpg": "jpeg", "jpeg": "jpeg", "png": "png", "gif": "gif", "webp": "webp", "bmp": "bmp", "svg": "svg+xml"}


def is_embedded_or_remote(img_path: str) -> bool:
    """A data URI (already the bytes) or a URL (never fetched): not a path to read."""
    return img_path.startswith(("data:", "http://", "https://"))


def data_uri(name: str, data: bytes) -> str:
    extension = PurePosixPath(name).suffix.lstrip(".").lower()
    media = IMAGE_TYPES.get(extension, extension or "octet-stream")
    return f"data:image/{media};base64,{base64.b64encode(data).decode('ascii')}"


def image_inside(root: Path, img_path: str) -> Path | None:
    """The file `img_path` names relative to `root`, when it stays inside `root` once resolved
    (symlinks followed) and names an image type; None otherwise. The file need not exist."""
    if "\x00" in img_path or Path(img_path).is_absolute():
        return None
    root = root.resolve()
    candidate = (root / img_path).resolve()
    if not candidate.is_relative_to(root):
        return None
    if candidate.suffix.lstrip(".").lower() not in IMAGE_TYPES:
        return None
    return candidate


def refused_image_message(img_path: str, page: int, where: str) -> str:
    return (
        f"page {page}: image {img_path!r} refused: not a relative path to an image file inside {where} "
        "(absolute, '..' or a link leading out); it is not copied into the corpus"
    )
