"""Check a linked Markdown tree: three questions, each with its own answer.

- Does a link dangle? (`dangling_in`) A relative link must name a file of the tree as stored:
  a missing file, or a relative path that climbs out of the tree, dangles.
- Does a link depend on where the tree sits? (`location_dependent_in`) An absolute path, a
  `file:` URL, a drive letter or network path, or a relative path that climbs out of the tree
  root works at best in one place: a copy of the tree elsewhere breaks it, even where the file it
  names exists today (a `../blocks.json` into the output folder beside the tree).
- Does a reference's link land on the clause the reference names? (`misdirected_links`) A link
  that resolves to the wrong clause dangles for no one, yet sends the reader to the wrong place.

Links with a scheme (https:, mailto:) and pure anchors are not ours to check.

A tree is read once into its file list and the links of its Markdown files: from a folder
(`read_tree_links`) or from the files a store returns (`tree_links`). `dangling_in` resolves
each link against the tree's own list of relative paths and nothing else: all that a copy of the
tree holds. `dangling_links` checks a folder on disk and reports both dangling and
location-dependent links (for tests and audits of a written folder).
"""

from __future__ import annotations

import hashlib
import os
import posixpath
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from urllib.parse import unquote

from schemas.links import DanglingLink, LinkReport, MisdirectedLink, Reference
from schemas.tree import ClauseTreeReport
from specmill.clause_ids import parent_id
from specmill.links.markdown import bracket_starts, code_spans
from specmill.links.resolve import TITLE_PREFIX, lookup_key, title_key
from specmill.links.scan import finditer_at

_INLINE_LINK = re.compile(
    r"(?P<image>!?)\[(?P<label>(?:[^\[\]\\]|\\.|\[[^\[\]]*\])*)\]"
    r"\((?P<dest><[^>\n]*>|[^()\s]*(?:\([^()\s]*\)[^()\s]*)*)(?:\s+\"[^\"\n]*\")?\)"
)
_SCHEME = re.compile(r"^[a-zA-Z][a-zA-Z0-9+.-]*:")
_FILE_URL = re.compile(r"^file:", re.IGNORECASE)
_DRIVE_PATH = re.compile(r"^[A-Za-z]:[\\/]")  # 'C:\x' reads as a URL scheme to a regex, but is a path
_ESCAPED_BRACKET = re.compile(r"\\([\[\]])")


@dataclass(frozen=True)
class TreeLink:
    file: str  # relative POSIX path of the Markdown file that holds the link
    line: int
    destination: str
    label: str = ""  # the link text as stored (Markdown escapes included)
    image: bool = False


@dataclass(frozen=True)
class TreeLinks:
    """A tree as read once: every file (relative POSIX paths) and every link in its Markdown."""

    files: frozenset[str]
    links: list[TreeLink]

    @cached_property
    def dangling(self) -> tuple[DanglingLink, ...]:
        """The relative links that name none of the tree's files (see `dangling_in`), worked out once."""
        return tuple(_judge(self, lambda link: _why_dangling(link.file, link.destination, self.files.__contains__)))

    @cached_property
    def location_dependent(self) -> tuple[DanglingLink, ...]:
        """The links that work only where the tree sits (see `location_dependent_in`), worked out once."""
        return tuple(_judge(self, lambda link: _why_location_dependent(link.file, link.destination)))


def links_in(text: str) -> list[tuple[int, str, str, bool]]:
    """(1-based line, label, destination, is an image) of every inline link or image outside code."""
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
        found.append((line, match.group("label"), match.group("dest").strip("<>"), bool(match.group("image"))))
    return found


def tree_links(files: Mapping[str, bytes]) -> TreeLinks:
    """The links of a tree given as {relative POSIX path: bytes} (its `*.md` files, in path order).

    The link checks read the same tree one after the other: the last answer is kept, keyed by a
    digest of every name and byte, so the next check gets it without parsing again."""
    digest = hashlib.sha256()
    for relative in sorted(files):
        digest.update(relative.encode("utf-8") + b"\0" + len(files[relative]).to_bytes(8, "big"))
        digest.update(files[relative])
    key = digest.digest()
    last = _last_read[0]  # one read for the checks: safe where checks run in threads
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
        links.extend(TreeLink(relative, line, destination, label, image) for line, label, destination, image in links_in(text))
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


# -- dangling, and location-dependent ----------------------------------------------------------


def dangling_links(root: Path) -> list[DanglingLink]:
    """Every link under `root` (all *.md files) that does not resolve to a file inside `root`,
    checked on disk: dangling links and location-dependent ones alike."""
    root = Path(root).resolve()
    tree = read_tree_links(root)

    def exists(joined: str) -> bool:
        return joined in tree.files or (root / joined).is_file()

    return list(_judge(tree, lambda link: _why_dangling(link.file, link.destination, exists) or _why_location_dependent(link.file, link.destination)))


def dangling_in(tree: TreeLinks) -> list[DanglingLink]:
    """Every relative link of `tree` that names none of the tree's files: a missing file, or a
    path that climbs out of the tree (nothing outside is part of the tree as stored). Absolute
    paths and URLs are not relative links: `location_dependent_in` judges them."""
    return list(tree.dangling)


def location_dependent_in(tree: TreeLinks) -> list[DanglingLink]:
    """Every link of `tree` that depends on where the tree sits: an absolute path, a `file:` URL,
    a drive-letter or network path, a relative path climbing out of the tree root. Whether its
    target exists does not matter: a copy of the tree elsewhere breaks it either way."""
    return list(tree.location_dependent)


def _judge(tree: TreeLinks, why: Callable[[TreeLink], str | None]) -> list[DanglingLink]:
    """The links of `tree` that `why` finds a fault with, each with that fault."""
    found: list[DanglingLink] = []
    # Files of one folder link to the same places ('../index.md'): each (folder, link) once.
    reasons: dict[tuple[str, str], str | None] = {}
    for link in tree.links:
        key = (posixpath.dirname(link.file), link.destination)
        if key not in reasons:
            reasons[key] = why(link)
        reason = reasons[key]
        if reason:
            found.append(DanglingLink(file=link.file, line=link.line, target=link.destination, reason=reason))
    return found


def _is_rooted(destination: str) -> bool:
    """A destination that names a place regardless of the file holding it (not a relative path)."""
    return destination.startswith(("/", "\\")) or _DRIVE_PATH.match(destination) is not None or _SCHEME.match(destination) is not None


def _joined(source: str, destination: str) -> str:
    """A relative destination as a path from the tree root (it may start with '..')."""
    target = unquote(destination.split("#", 1)[0])
    return posixpath.normpath(posixpath.join(posixpath.dirname(source), target))


def _climbs_out(joined: str) -> bool:
    return joined == ".." or joined.startswith("../")


def _why_dangling(source: str, destination: str, exists: Callable[[str], bool]) -> str | None:
    if not destination:
        return "empty link"
    if destination.startswith("#") or _is_rooted(destination):
        return None
    joined = _joined(source, destination)
    if _climbs_out(joined):
        return "points outside the tree"
    if not exists(joined):
        return "no such file"
    return None


def _why_location_dependent(source: str, destination: str) -> str | None:
    if _FILE_URL.match(destination):
        return "file: URL"
    if _DRIVE_PATH.match(destination):
        return "absolute path (drive letter)"
    if destination.startswith(("//", "\\\\")):
        return "network path"
    if destination.startswith(("/", "\\")):
        return "absolute path"
    if not destination or destination.startswith("#") or _SCHEME.match(destination):
        return None  # a web address or an anchor is the same wherever the tree is
    if _climbs_out(_joined(source, destination)):
        return "climbs out of the tree"
    return None


def outside_path(link: DanglingLink) -> str | None:
    """For a link that climbs out of the tree: the path it reaches, relative to the folder that
    holds the tree ('../blocks.json' from the tree root -> 'blocks.json'); None otherwise."""
    if _is_rooted(link.target) or not link.target:
        return None
    joined = _joined(link.file, link.target)
    if not joined.startswith("../"):
        return None
    beside = joined[len("../") :]
    return None if _climbs_out(beside) else beside


# -- links that land on the wrong clause -------------------------------------------------------


@dataclass
class ClauseFiles:
    """Which clause each file of the tree holds, from the clause tree report alone (never from the
    resolver that made the links: a check that asked the resolver would agree with its mistakes)."""

    clause_of: dict[str, str] = field(default_factory=dict)  # file -> clause id
    title_of: dict[str, str] = field(default_factory=dict)  # file -> title_key(title)
    listed_in: dict[str, set[str]] = field(default_factory=dict)  # lookup_key(id) or title_key of an empty clause -> indexes listing it
    known: set[str] = field(default_factory=set)  # lookup_key of every clause id in the tree, empty ones included

    @classmethod
    def from_tree_report(cls, report: ClauseTreeReport) -> "ClauseFiles":
        titles = {clause.key: clause.title for clause in [*report.segmentation.matched, *report.segmentation.missed]}
        clauses = cls()
        for tree_file in report.files:
            if tree_file.clause_id:
                clauses.clause_of[tree_file.path] = tree_file.clause_id
                clauses.known.add(lookup_key(tree_file.clause_id))
            if tree_file.section is not None and titles.get(tree_file.section):
                clauses.title_of[tree_file.path] = title_key(titles[tree_file.section])
        for empty in report.empty_clauses:
            if empty.clause_id:
                clauses.known.add(lookup_key(empty.clause_id))
                clauses.listed_in.setdefault(lookup_key(empty.clause_id), set()).add(empty.listed_in)
            if empty.title:
                clauses.listed_in.setdefault(TITLE_PREFIX + title_key(empty.title), set()).add(empty.listed_in)
        return clauses

    def is_file_of(self, names: str, file: str) -> bool:
        """`file` is where a reference naming `names` belongs: the clause's own file, the index
        listing it when it is empty, or, for an id deeper than the outline, its nearest outlined
        ancestor's file. `names` is a clause id as printed or 'title:<title>'."""
        if names.startswith(TITLE_PREFIX):
            key = title_key(names.removeprefix(TITLE_PREFIX))
            return self.title_of.get(file) == key or file in self.listed_in.get(TITLE_PREFIX + key, ())
        clause_id: str | None = names
        while clause_id is not None:  # a sub-clause deeper than the outline lives in an ancestor's file
            key = lookup_key(clause_id)
            if key in self.known:
                return self._holds(key, file)
            clause_id = parent_id(clause_id)
        return False

    def _holds(self, key: str, file: str) -> bool:
        clause = self.clause_of.get(file)
        return (clause is not None and lookup_key(clause) == key) or file in self.listed_in.get(key, ())


def misdirected_links(tree: TreeLinks, report: LinkReport, clauses: ClauseFiles) -> list[MisdirectedLink]:
    """Every link written for a reference (`Reference.links`) that, as stored in `tree`, does not
    land on the file of the clause the reference names; and every such link the stored file lacks.
    A link leaving the tree is left to the dangling and copy checks."""
    stored = _links_by_line(tree)
    found: list[MisdirectedLink] = []
    for reference in report.references:
        if reference.links:
            found.extend(_misdirected_pieces(reference, _stored_links_of(reference, stored), clauses))
    return found


def links_to_check(report: LinkReport) -> int:
    """How many links the report says were written for references."""
    return sum(len(reference.links) for reference in report.references)


def _links_by_line(tree: TreeLinks) -> dict[tuple[str, int], list[TreeLink]]:
    by_line: dict[tuple[str, int], list[TreeLink]] = {}
    for link in tree.links:
        if not link.image:
            by_line.setdefault((link.file, link.line), []).append(link)
    return by_line


def _stored_links_of(reference: Reference, stored: dict[tuple[str, int], list[TreeLink]]) -> list[TreeLink]:
    """The stored links on the lines the reference was printed on (linking adds no line)."""
    last_line = reference.line + reference.raw_text.count("\n")
    return [link for line in range(reference.line, last_line + 1) for link in stored.get((reference.source_file, line), [])]


def _misdirected_pieces(reference: Reference, stored: list[TreeLink], clauses: ClauseFiles) -> list[MisdirectedLink]:
    found: list[MisdirectedLink] = []
    for piece in reference.links:
        candidates = [link for link in stored if _ESCAPED_BRACKET.sub(r"\1", link.label) == piece.label]
        if not candidates:
            found.append(MisdirectedLink(
                file=reference.source_file, line=reference.line, label=piece.label, target="", names=piece.names, lands_on=None,
                reason=f"links.json records a link to {piece.path}; the stored file has no link so labelled",
            ))
        for link in candidates:
            if _is_rooted(link.destination) or not link.destination or link.destination.startswith("#"):
                continue  # not a link into the tree: the copy check judges it
            target_file = _joined(link.file, link.destination)
            if _climbs_out(target_file) or clauses.is_file_of(piece.names, target_file):
                continue
            lands_on = clauses.clause_of.get(target_file)
            found.append(MisdirectedLink(
                file=link.file, line=link.line, label=piece.label, target=link.destination, names=piece.names, lands_on=lands_on,
                reason=f"names {piece.names.removeprefix(TITLE_PREFIX)!r}, lands on "
                + (f"clause {lands_on!r}" if lands_on else f"{target_file}, the file of no such clause"),
            ))
    return found
