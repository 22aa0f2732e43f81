"""Audits of a written clause tree and its report: what the clause_tree checks run.

A tree is given as its files ({path inside the tree: bytes}, what the store reads back) or as a
folder on disk. Each audit returns the offending items (empty = passed), so a check can show
them as evidence."""

from __future__ import annotations

import posixpath
import re
from collections import deque
from collections.abc import Mapping
from functools import lru_cache
from pathlib import Path

from schemas.tree import ClauseTreeReport, MisplacedBlock
from specmill.tree.write import read_folder

_LINK = re.compile(r"(?<!!)\[(?:[^\]\\]|\\.)*\]\(([^)\s]+)\)")
_FENCE = re.compile(r"^\s{0,3}(`{3,}|~{3,})(.*)$")
_EXTERNAL = re.compile(r"^<?[A-Za-z][A-Za-z0-9+.-]*:")  # http:, mailto:, data:
_UNESCAPED_PIPE = re.compile(r"(?<!\\)\|")
_IMAGE = re.compile(r"!\[(?:[^\]\\]|\\.)*\]\(([^)\s]+)\)")

Tree = Mapping[str, bytes] | Path


def tree_files(tree: Tree) -> Mapping[str, bytes]:
    """The tree's files: as given, or read from a folder."""
    return tree if isinstance(tree, Mapping) else read_folder(tree)


def _markdown(tree: Tree) -> dict[str, str]:
    """The Markdown files of the tree, decoded, in path order."""
    files = tree_files(tree)
    return {name: files[name].decode("utf-8") for name in sorted(files) if name.endswith(".md")}


def missing_clauses(report: ClauseTreeReport, tree: Tree) -> list[str]:
    """Outline clauses that are lost: their heading was never found in the text (their content,
    if any, went to the clause before them), or they have neither a file in the tree nor a
    listing as legitimately empty."""
    seg = report.segmentation
    present = tree_files(tree)
    with_file = {f.section for f in report.files if f.section and f.path in present}
    listed_empty = {e.section for e in report.empty_clauses if e.legitimately_empty}
    lost = {m.key for m in seg.missed}
    found = {m.key for m in seg.matched}
    return sorted(lost | {key for key in found if key not in with_file and key not in listed_empty})


def misplaced_blocks(report: ClauseTreeReport) -> list[MisplacedBlock]:
    """Blocks assigned to a clause from a page outside its span (start page .. next clause's
    start), with their type and a preview where the segmenter recorded them."""
    described: dict[tuple[str, int], list[MisplacedBlock]] = {}
    for example in report.misplaced:
        described.setdefault((example.section, example.page), []).append(example)
    found = []
    for span in report.spans:
        if span.first_page is None or span.last_page is None:
            continue
        low, high = span.first_page, max(span.first_page, span.last_page)
        for page in span.block_pages:
            if not low <= page <= high:
                examples = described.get((span.section, page))
                found.append(
                    examples.pop(0) if examples
                    else MisplacedBlock(section=span.section, page=page, block_type="?", span=(low, high), preview="(not recorded)")
                )
    return found


def _links(text: str) -> list[str]:
    return [target for target in _LINK.findall(_strip_code(text)) if not _EXTERNAL.match(target) and not target.startswith("#")]


@lru_cache(maxsize=65536)
def _strip_code(text: str) -> str:
    """The text with fenced code blanked out (links and pipes inside code do not count). Cached:
    three checks of one tree strip the same 8,000 files."""
    if "```" not in text and "~~~" not in text:
        return text  # no fence can open
    kept, fence = [], None
    for line in text.split("\n"):
        match = _FENCE.match(line)
        if fence is None and match:
            fence = match.group(1)[0] * len(match.group(1))
            kept.append("")  # blank, not removed: line numbers stay true
            continue
        if fence is not None:
            if line.strip().startswith(fence) and set(line.strip()) <= set(fence[0]):
                fence = None
            kept.append("")
            continue
        kept.append(line)
    return "\n".join(kept)


def unreachable_files(tree: Tree, root: str = "index.md") -> list[str]:
    """Markdown files not reachable from the root index by following relative links."""
    texts = _markdown(tree)
    files = set(texts)
    if root not in files:
        return sorted(files)
    seen = {root}
    queue = deque([root])
    while queue:
        current = queue.popleft()
        for target in _links(texts[current]):
            target = target.strip("<>").split("#", 1)[0]
            resolved = posixpath.normpath(posixpath.join(posixpath.dirname(current), target))
            if resolved in files and resolved not in seen:
                seen.add(resolved)
                queue.append(resolved)
    return sorted(files - seen)


def dangling_links(tree: Tree) -> list[str]:
    """'file: target' for every relative link (or image) whose target is neither a file nor a
    folder of the tree."""
    files = tree_files(tree)
    folders = {posixpath.dirname(name) for name in files}
    folders |= {parent for folder in list(folders) for parent in _parents(folder)}
    found = []
    for name, text in _markdown(files).items():
        text = _strip_code(text)
        for target in _LINK.findall(text) + _IMAGE.findall(text):
            if _EXTERNAL.match(target) or target.startswith("#"):
                continue
            clean = target.strip("<>").split("#", 1)[0]
            resolved = posixpath.normpath(posixpath.join(posixpath.dirname(name), clean))
            resolved = "" if resolved == "." else resolved  # the tree's own root folder
            if resolved.startswith("../") or (resolved not in files and resolved not in folders):
                found.append(f"{name}: {target}")
    return found


def _parents(folder: str):
    while folder:
        folder = posixpath.dirname(folder)
        yield folder


def empty_code_fences(tree: Tree) -> list[str]:
    """'file:line' of each fenced code block with nothing inside."""
    found = []
    for name, text in _markdown(tree).items():
        lines = text.split("\n")
        fence, start, has_content = None, 0, False
        for number, line in enumerate(lines, start=1):
            match = _FENCE.match(line)
            if fence is None:
                if match:
                    fence, start, has_content = match.group(1), number, False
                continue
            stripped = line.strip()
            if stripped.startswith(fence[0] * len(fence)) and set(stripped) <= {fence[0]}:
                if not has_content:
                    found.append(f"{name}:{start}")
                fence = None
            elif stripped:
                has_content = True
    return found


def _cells(row: str) -> int:
    inner = row.strip()
    inner = inner[1:] if inner.startswith("|") else inner
    inner = inner[:-1] if inner.endswith("|") and not inner.endswith("\\|") else inner
    return len(_UNESCAPED_PIPE.split(inner))


def ragged_tables(tree: Tree) -> list[str]:
    """'file:line (counts)' of each Markdown pipe table whose rows differ in cell count."""
    found = []
    for name, text in _markdown(tree).items():
        text = _strip_code(text)
        lines = text.split("\n")
        number = 0
        while number < len(lines):
            if lines[number].lstrip().startswith("|"):
                start = number
                counts = []
                while number < len(lines) and lines[number].lstrip().startswith("|"):
                    counts.append(_cells(lines[number]))
                    number += 1
                if len(set(counts)) > 1:
                    found.append(f"{name}:{start + 1} ({sorted(set(counts))})")
            number += 1
    return found
