"""Check a Markdown tree on disk: every relative link must name an existing file inside the tree.

Links with a scheme (https:, mailto:) and pure anchors are not ours to check; absolute paths and
links that climb out of the tree are dangling by definition (the tree must survive a copy).

A tree is read once into its file list and the links of its Markdown files: from a folder
(`read_tree_links`) or from the files a store returns (`tree_links`). `dangling_links` resolves
each link on disk; `dangling_in` resolves it against the tree's own list of relative paths and
nothing else, which is all that a copy of the tree elsewhere holds: a tree that passes keeps
working wherever it is copied, without copying it.
"""

from __future__ import annotations

import hashlib
import os
import posixpath
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from urllib.parse import unquote

from schemas.links import DanglingLink
from specmill.links.markdown import bracket_starts, code_spans
from specmill.links.scan import finditer_at

_INLINE_LINK = re.compile(r"!?\[(?:[^\[\]\\]|\\.|\[[^\[\]]*\])*\]\((?P<dest><[^>\n]*>|[^()\s]*(?:\([^()\s]*\)[^()\s]*)*)(?:\s+\"[^\"\n]*\")?\)")
_SCHEME = re.compile(r"^[a-zA-Z][a-zA-Z0-9+.-]*:")


@dataclass(frozen=True)
class TreeLink:
    file: str  # relative POSIX path of the Markdown file that holds the link
    line: int
    destination: str


@dataclass(frozen=True)
class TreeLinks:
    """A tree as read once: every file (relative POSIX paths) and every link in its Markdown."""

    files: frozenset[str]
    links: list[TreeLink]

    @cached_property
    def dangling(self) -> tuple[DanglingLink, ...]:
        """The links that name none of the tree's files (see `dangling_in`), worked out once."""
        return tuple(_dangling(self, self.files.__contains__))


def links_in(text: str) -> list[tuple[int, str]]:
    """(1-based line, destination) of every inline link or image outside code."""
    if "](" not in text:
        return []  # every inline link holds '](' (its text may hold nested brackets)
    code = code_spans(text)
    code_starts = [start for start, _ in code]
    found = []
    line, counted = 1, 0
    index = 0
    for match in finditer_at(_INLINE_LINK, text, bracket_starts(text)):
        start = match.start()
        while index < len(code) and code[index][1] <= start:
            index += 1
        if index < len(code) and code_starts[index] <= start:
            continue  # starts inside code
        line += text.count("\n", counted, start)
        counted = start
        found.append((line, match.group("dest").strip("<>")))
    return found


def tree_links(files: Mapping[str, bytes]) -> TreeLinks:
    """The links of a tree given as {relative POSIX path: bytes} (its `*.md` files, in path order).

    The two link checks read the same tree one after the other: the last answer is kept, keyed
    by a digest of every name and byte, so the second check gets it without parsing again."""
    digest = hashlib.sha256()
    for relative in sorted(files):
        digest.update(relative.encode("utf-8") + b"\0" + len(files[relative]).to_bytes(8, "big"))
        digest.update(files[relative])
    key = digest.digest()
    last = _last_read[0]  # one read of the pair: safe where checks run in threads
    if last is not None and last[0] == key:
        return last[1]
    tree = _parse_tree_links(files)
    _last_read[0] = (key, tree)
    return tree


_last_read: list[tuple[bytes, TreeLinks] | None] = [None]  # the last tree parsed, by its digest


def _parse_tree_links(files: Mapping[str, bytes], names: Iterable[str] | None = None) -> TreeLinks:
    """`names`: every file of the tree where `files` holds only its Markdown."""
    links: list[TreeLink] = []
    # The order of sorted pathlib paths: part by part.
    for relative in sorted((f for f in files if f.endswith(".md")), key=lambda f: f.split("/")):
        text = files[relative].decode("utf-8")
        if "\r" in text:  # as a text file is read: universal newlines
            text = text.replace("\r\n", "\n").replace("\r", "\n")
        links.extend(TreeLink(relative, line, destination) for line, destination in links_in(text))
    return TreeLinks(frozenset(files if names is None else names), links)


def read_tree_links(root: Path) -> TreeLinks:
    """Walk the folder `root` once: its files, and the links of its `*.md` files."""
    names: list[str] = []
    folders = [("", os.fspath(root))]
    while folders:
        prefix, folder = folders.pop()
        with os.scandir(folder) as entries:
            for entry in entries:
                if entry.is_dir(follow_symlinks=False):
                    folders.append((f"{prefix}{entry.name}/", entry.path))
                elif entry.is_file():
                    names.append(prefix + entry.name)
    markdown = {}
    for relative in names:
        if relative.endswith(".md"):
            with open(os.path.join(root, relative), "rb") as handle:
                markdown[relative] = handle.read()
    return _parse_tree_links(markdown, names)


def dangling_links(root: Path) -> list[DanglingLink]:
    """Every link under `root` (all *.md files) that does not resolve to a file inside `root`,
    checked on disk."""
    root = Path(root).resolve()
    tree = read_tree_links(root)
    return _dangling(tree, lambda joined: joined in tree.files or (root / joined).is_file())


def dangling_in(tree: TreeLinks) -> list[DanglingLink]:
    """Every link of `tree` that would dangle wherever the tree is put: it is absolute, climbs out
    of the tree, or names none of the tree's files."""
    return list(tree.dangling)


def _dangling(tree: TreeLinks, exists: Callable[[str], bool]) -> list[DanglingLink]:
    dangling: list[DanglingLink] = []
    # Files of one folder link to the same places ('../index.md'): each (folder, link) once.
    reasons: dict[tuple[str, str], str | None] = {}
    for link in tree.links:
        key = (posixpath.dirname(link.file), link.destination)
        if key not in reasons:
            reasons[key] = _why_dangling(link.file, link.destination, exists)
        reason = reasons[key]
        if reason:
            dangling.append(DanglingLink(file=link.file, line=link.line, target=link.destination, reason=reason))
    return dangling


def _why_dangling(source: str, destination: str, exists: Callable[[str], bool]) -> str | None:
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
    if not exists(joined):
        return "no such file"
    return None
