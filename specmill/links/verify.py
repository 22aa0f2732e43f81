"""Check a Markdown tree on disk: every relative link must name an existing file inside the tree.

Links with a scheme (https:, mailto:) and pure anchors are not ours to check; absolute paths and
links that climb out of the tree are dangling by definition (the tree must survive a copy)."""

from __future__ import annotations

import posixpath
import re
from pathlib import Path
from urllib.parse import unquote

from schemas.links import DanglingLink
from specmill.links.markdown import code_spans, spans_outside

_INLINE_LINK = re.compile(r"!?\[(?:[^\[\]\\]|\\.|\[[^\[\]]*\])*\]\((?P<dest><[^>\n]*>|[^()\s]*(?:\([^()\s]*\)[^()\s]*)*)(?:\s+\"[^\"\n]*\")?\)")
_SCHEME = re.compile(r"^[a-zA-Z][a-zA-Z0-9+.-]*:")


def links_in(text: str) -> list[tuple[int, str]]:
    """(1-based line, destination) of every inline link or image outside code."""
    found = []
    for start, _end in spans_outside(code_spans(text), _INLINE_LINK, text):
        match = _INLINE_LINK.match(text, start)
        assert match is not None
        destination = match.group("dest").strip("<>")
        found.append((text.count("\n", 0, start) + 1, destination))
    return found


def dangling_links(root: Path) -> list[DanglingLink]:
    """Every link under `root` (all *.md files) that does not resolve to a file inside `root`."""
    root = Path(root).resolve()
    dangling: list[DanglingLink] = []
    for path in sorted(root.rglob("*.md")):
        relative = path.relative_to(root).as_posix()
        for line, destination in links_in(path.read_text(encoding="utf-8")):
            reason = _why_dangling(root, relative, destination)
            if reason:
                dangling.append(DanglingLink(file=relative, line=line, target=destination, reason=reason))
    return dangling


def _why_dangling(root: Path, source: str, destination: str) -> str | None:
    if not destination:
        return "empty link"
    if destination.startswith("#") or _SCHEME.match(destination):
        return None
    target = unquote(destination.split("#", 1)[0])
    if target.startswith("/"):
        return "absolute path"
    joined = posixpath.normpath(posixpath.join(posixpath.dirname(source), target))
    if joined == ".." or joined.startswith("../"):
        return "points outside the tree"
    if not (root / joined).is_file():
        return "no such file"
    return None
