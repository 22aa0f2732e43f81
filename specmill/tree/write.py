"""The clause tree on disk: one folder per clause with sub-clauses (its barrel `<id>-0-index.md`
holds its own prose, then an index of its children), one file per leaf clause
(`<id>-<short-slug>.md`, never split), and a root `index.md`.

Empty clauses get no file; their parent's index lists them without a link, so nothing dangles.
The same input gives the same bytes. The whole tree is written beside the old one and then
swapped in, so a reader sees the old tree or the new one, never a mix.
"""

from __future__ import annotations

import base64
import binascii
import ctypes
import hashlib
import os
import posixpath
import re
import shutil
import threading
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from schemas.tree import (
    FRONT_MATTER_KEY,
    ClauseTree,
    ClauseTreeReport,
    EmptyClause,
    Section,
    SectionSpan,
    TreeFile,
    TreeRules,
)
from specmill.errors import ArtifactError, SpecmillError
from specmill.tree.render import render_blocks
from specmill.tree.render.inline import protect_tags
from specmill.tree.segment import find_misplaced_blocks

ROOT_INDEX = "index.md"
IMAGES_DIR = "_images"
# Reads an image MinerU referenced (its img_path) and returns the bytes, or None when absent.
ImageSource = Callable[[str], bytes | None]

_MIXED_CASE = re.compile(r"^.+[A-Z]")  # an upper-case letter after the first: tblPr, CipherValue, PGPKeyID
_DATA_URI = re.compile(r"^data:image/(?P<ext>[\w.+-]+)?(?:;[\w=.-]+)*;base64,(?P<data>.*)$", re.DOTALL)


class TreeWriteError(SpecmillError):
    """The tree could not be written or swapped in (the old tree, if any, is left in place)."""


# -- names ---------------------------------------------------------------------------------------


def _ascii_fold(text: str) -> str:
    text = text.replace("ß", "ss")
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(char for char in decomposed if not unicodedata.combining(char))


def id_part(clause_id: str) -> str:
    """'17.4.37' -> '17-4-37'; 'Annex A' -> 'annex-a'; 'A.3' -> 'a-3'; '§ 823' -> '823'."""
    words = re.findall(r"\w+", _ascii_fold(clause_id))
    return "-".join(word.lower() for word in words)


def short_slug(title: str, rules: TreeRules) -> str:
    """A few words of the title; camelCase / mixed-case tags keep their case ('tblPr (Table
    Properties)' -> 'tblPr-table-properties'), everything else is lower case."""
    words = re.findall(r"[^\W_]+", _ascii_fold(title))
    kept: list[str] = []
    length = 0
    for word in words[: rules.slug_words]:
        word = word if (_MIXED_CASE.match(word) and not word.isupper()) else word.lower()
        if kept and length + 1 + len(word) > rules.slug_chars:
            break
        kept.append(word[: rules.slug_chars])
        length += len(word) + (1 if kept else 0)
    return "-".join(kept)


def file_stem(section: Section, rules: TreeRules) -> tuple[str, str]:
    """(id part, stem) of a section's file or folder name."""
    slug = short_slug(section.title, rules)
    if section.key == FRONT_MATTER_KEY:
        return "0", "0-front-matter"
    if section.clause_id:
        prefix = id_part(section.clause_id) or "clause"
        return prefix, f"{prefix}-{slug}" if slug else prefix
    return slug or "section", slug or "section"


# -- layout ----------------------------------------------------------------------------------------


@dataclass
class _Node:
    section: Section
    body: str  # rendered own blocks
    children: list["_Node"] = field(default_factory=list)
    path: str | None = None  # POSIX, relative to the tree root; None for an empty clause
    kind: str = "empty"  # "barrel" | "leaf" | "empty"


def _build_nodes(sections: list[Section]) -> list[_Node]:
    nodes = []
    for section in sections:
        node = _Node(section, "", _build_nodes(section.children))
        if node.children:
            node.kind = "barrel"
        elif section.blocks:
            node.kind = "leaf"
        nodes.append(node)
    return nodes


def _assign_paths(nodes: list[_Node], folder: str, rules: TreeRules) -> None:
    used: set[str] = {ROOT_INDEX.lower(), IMAGES_DIR.lower()}
    for node in nodes:
        if node.kind == "empty":
            continue
        prefix, stem = file_stem(node.section, rules)
        name = stem
        suffix = 2
        while (name.lower() if node.kind == "barrel" else f"{name}.md".lower()) in used:
            name, suffix = f"{stem}-{suffix}", suffix + 1
        if node.kind == "barrel":
            used.add(name.lower())
            child_folder = posixpath.join(folder, name) if folder else name
            barrel_prefix = prefix if name == stem else name
            node.path = posixpath.join(child_folder, f"{barrel_prefix}-0-index.md")
            _assign_paths(node.children, child_folder, rules)
        else:
            used.add(f"{name}.md".lower())
            node.path = posixpath.join(folder, f"{name}.md") if folder else f"{name}.md"


def _relative(target: str, from_file: str) -> str:
    return posixpath.relpath(target, posixpath.dirname(from_file) or ".")


def _escape_link_text(text: str) -> str:
    return re.sub(r"([\[\]])", r"\\\1", " ".join(text.split()))


def _heading(section: Section) -> str:
    """The clause's id and title; tags in titles ('4.3 <manifest:file-entry>') as code spans."""
    return protect_tags(" ".join(section.display_id.split()))


def _pages_note(section: Section) -> str:
    """A comment with the clause's PDF pages (1-based, as a PDF viewer shows them)."""
    if section.first_page is None:
        return ""
    first = section.first_page + 1
    pages = sorted({block.page for block in section.blocks})
    last = (pages[-1] + 1) if pages else first
    span = f"page {first}" if last == first else f"pages {first}-{last}"
    ident = section.clause_id or section.key
    return f"<!-- {ident}: PDF {span} -->"


def _index_lines(nodes: list[_Node], from_file: str, empty: list[EmptyClause]) -> list[str]:
    lines = []
    for node in nodes:
        label = _escape_link_text(_heading(node.section))
        if node.path is None:
            lines.append(f"- {label} *(no content)*")
            empty.append(
                EmptyClause(
                    section=node.section.key, clause_id=node.section.clause_id, title=node.section.title,
                    listed_in=from_file, reason=_empty_reason(node.section),
                )
            )
        else:
            lines.append(f"- [{label}]({_relative(node.path, from_file)})")
    return lines


def _empty_reason(section: Section) -> str:
    """Why a clause has no file. Only a clause whose heading was found, with the next clause's
    heading right after it, is legitimately empty; one whose heading was never found lost its
    content to the clause before it."""
    if not section.matched:
        return "heading_not_found"
    if section.blocks:
        return "rendered_nothing"
    return "heading_then_next_heading"


def _compose(node: _Node, parent_path: str | None, parent_label: str, empty: list[EmptyClause]) -> str:
    assert node.path is not None
    parts = [f"# {_heading(node.section)}"]
    note = _pages_note(node.section)
    if note:
        parts.append(note)
    up = _relative(parent_path or ROOT_INDEX, node.path)
    parts.append(f"Up: [{_escape_link_text(parent_label)}]({up})")
    if node.body.strip():
        parts.append(node.body.strip("\n"))
    if node.kind == "barrel":
        parts.append("## Contents")
        parts.append("\n".join(_index_lines(node.children, node.path, empty)))
    return "\n\n".join(parts) + "\n"


# -- images ----------------------------------------------------------------------------------------


class _ImageStore:
    """Copies each referenced image once into _images/<sha256[:16]>.<ext>."""

    def __init__(self, source: ImageSource | None):
        self.source = source
        self.files: dict[str, bytes] = {}
        self.missing: list[str] = []
        self._known: dict[str, str | None] = {}

    def stored_path(self, img_path: str) -> str | None:
        if img_path in self._known:
            return self._known[img_path]
        data, extension = self._read(img_path)
        stored = None
        if data:
            stored = f"{IMAGES_DIR}/{hashlib.sha256(data).hexdigest()[:16]}.{extension}"
            self.files[stored] = data
        else:
            self.missing.append(img_path if not img_path.startswith("data:") else img_path[:40] + "...")
        self._known[img_path] = stored
        return stored

    def _read(self, img_path: str) -> tuple[bytes | None, str]:
        match = _DATA_URI.match(img_path)
        if match:
            extension = (match.group("ext") or "png").replace("jpeg", "jpg")
            try:
                return base64.b64decode(match.group("data"), validate=False), extension
            except (binascii.Error, ValueError):
                return None, extension
        extension = (Path(img_path).suffix.lstrip(".") or "bin").lower()
        return (self.source(img_path) if self.source else None), extension

    def linker(self, from_file: str) -> Callable[[str], str | None]:
        def link(img_path: str) -> str | None:
            stored = self.stored_path(img_path)
            return _relative(stored, from_file) if stored else None

        return link


# -- the tree --------------------------------------------------------------------------------------


def render_clause_tree(
    tree: ClauseTree,
    *,
    document_title: str,
    rules: TreeRules | None = None,
    image_source: ImageSource | None = None,
) -> tuple[dict[str, bytes], ClauseTreeReport]:
    """Every file of the tree (relative POSIX path -> bytes) and its report; nothing is written."""
    rules = rules or TreeRules()
    images = _ImageStore(image_source)
    nodes = _build_nodes(tree.sections)
    _assign_paths(nodes, "", rules)
    # Render after the paths are known: image links are relative to the file that holds them.
    by_key = {node.section.key: node for node in _walk(nodes)}
    for node in by_key.values():
        link_from = node.path or ROOT_INDEX
        node.body = render_blocks(node.section.blocks, images.linker(link_from))
    # A leaf whose blocks all rendered to nothing is an empty clause after all. (Its siblings keep
    # their folders, so image links rendered above stay valid when names are reassigned.)
    emptied = [node for node in by_key.values() if node.kind == "leaf" and not node.body.strip()]
    for node in emptied:
        node.kind, node.path = "empty", None
    if emptied:
        _assign_paths(nodes, "", rules)

    files: dict[str, bytes] = {}
    entries: list[TreeFile] = []
    empty: list[EmptyClause] = []
    root_lines = [f"# {protect_tags(' '.join(document_title.split()))}", "## Contents", "\n".join(_index_lines(nodes, ROOT_INDEX, empty))]
    root_text = "\n\n".join(root_lines) + "\n"
    files[ROOT_INDEX] = root_text.encode("utf-8")
    entries.append(TreeFile(path=ROOT_INDEX, kind="root", section=None, bytes=len(files[ROOT_INDEX])))

    def emit(level_nodes: list[_Node], parent_path: str | None, parent_label: str) -> None:
        for node in level_nodes:
            if node.path is None:
                continue
            data = _compose(node, parent_path, parent_label, empty).encode("utf-8")
            files[node.path] = data
            entries.append(
                TreeFile(path=node.path, kind=node.kind, section=node.section.key, clause_id=node.section.clause_id, bytes=len(data))
            )
            if node.kind == "barrel":
                emit(node.children, node.path, _heading(node.section))

    emit(nodes, None, document_title)
    for path, data in sorted(images.files.items()):
        files[path] = data
    spans = [
        SectionSpan(
            section=s.key, first_page=s.first_page, last_page=s.last_page, block_pages=[b.page for b in s.blocks],
            matched=s.matched or s.key == FRONT_MATTER_KEY, has_children=bool(s.children),
        )
        for s in tree.walk()
    ]
    report = ClauseTreeReport(
        root_index=ROOT_INDEX,
        files=entries,
        empty_clauses=empty,
        barrels=sum(1 for e in entries if e.kind == "barrel"),
        leaves=sum(1 for e in entries if e.kind == "leaf"),
        bytes=sum(e.bytes for e in entries),
        images_copied=len(images.files),
        images_missing=images.missing,
        segmentation=tree.report,
        spans=spans,
        misplaced=find_misplaced_blocks(tree),
    )
    return files, report


def _walk(nodes: list[_Node]):
    for node in nodes:
        yield node
        yield from _walk(node.children)


# -- atomic swap -----------------------------------------------------------------------------------

_RENAME_EXCHANGE = 2


def _exchange(a: Path, b: Path) -> bool:
    """Atomically swap two paths (Linux renameat2); False where the system cannot."""
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        renameat2 = libc.renameat2
    except (OSError, AttributeError):
        return False
    at_fdcwd = -100
    result = renameat2(at_fdcwd, os.fsencode(a), at_fdcwd, os.fsencode(b), _RENAME_EXCHANGE)
    return result == 0


def read_folder(folder: Path) -> dict[str, bytes]:
    """Every file under a written tree folder (relative POSIX path -> bytes), in path order."""
    folder = Path(folder)
    if not folder.is_dir():
        raise ArtifactError(f"tree folder {folder} not found: materialize its asset first")
    return {path.relative_to(folder).as_posix(): path.read_bytes() for path in sorted(folder.rglob("*")) if path.is_file()}


def _write_files(files: dict[str, bytes], staging: Path) -> None:
    """Every file into the (new) staging folder. Files are first written side by side in one
    scratch folder and then renamed into their folders: ext4 places a new file's inode near its
    folder's, and writing straight into 2,400 fresh folders spread the writes so widely that it
    took 10 s for 8,000 small files here, against 1-3 s this way (a rename only moves a name)."""
    scratch = staging / ".incoming"
    scratch.mkdir(parents=True)
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_CLOEXEC", 0)
    names = list(files)
    for number, relative in enumerate(names):
        descriptor = os.open(scratch / str(number), flags, 0o666)  # the umask applies, as for open()
        try:
            _write_all(descriptor, files[relative])
        finally:
            os.close(descriptor)
    for folder in sorted({posixpath.dirname(relative) for relative in names} - {""}):
        os.makedirs(staging / folder, exist_ok=True)
    for number, relative in enumerate(names):
        os.rename(scratch / str(number), staging / relative)
    scratch.rmdir()


def _write_all(descriptor: int, data: bytes) -> None:
    view = memoryview(data)
    while view:
        view = view[os.write(descriptor, view) :]


def write_tree(files: dict[str, bytes], target: Path) -> None:
    """Write `files` into a new folder beside `target`, then swap it in for `target`.

    With renameat2 the swap is one atomic step; elsewhere the old tree is renamed aside first (a
    reader may then briefly find no tree, never a mixed one). Leftovers of a crashed earlier run
    are removed first."""
    target = Path(target)
    parent = target.parent
    parent.mkdir(parents=True, exist_ok=True)
    for stale in parent.glob(f".{target.name}.new-*"):
        shutil.rmtree(stale, ignore_errors=True)
    for stale in parent.glob(f".{target.name}.old-*"):
        shutil.rmtree(stale, ignore_errors=True)
    staging = parent / f".{target.name}.new-{os.getpid()}"
    backup = parent / f".{target.name}.old-{os.getpid()}"
    try:
        _write_files(files, staging)
    except OSError as exc:
        shutil.rmtree(staging, ignore_errors=True)
        raise TreeWriteError(f"cannot write the clause tree under {staging}: {exc}") from exc
    try:
        if target.exists() and _exchange(staging, target):
            _discard(staging)  # now holds the old tree
            return
        if target.exists():
            os.rename(target, backup)
        os.rename(staging, target)
    except OSError as exc:
        if backup.exists() and not target.exists():
            os.rename(backup, target)
        shutil.rmtree(staging, ignore_errors=True)
        raise TreeWriteError(f"cannot swap the new clause tree into {target}: {exc}") from exc
    _discard(backup)


_DISCARDING: list[threading.Thread] = []


def _discard(old_tree: Path) -> None:
    """Delete a swapped-out tree in a thread: nothing waits for it (unlinking releases the GIL,
    so the next stage runs meanwhile), the process does before it exits, and a tree left by a
    killed process is removed by the next write_tree beside it."""
    thread = threading.Thread(target=shutil.rmtree, args=(old_tree,), kwargs={"ignore_errors": True}, name="discard-old-tree")
    thread.start()
    _DISCARDING[:] = [t for t in _DISCARDING if t.is_alive()] + [thread]


def wait_for_discarded_trees(timeout_s: float = 60.0) -> None:
    """Block until the swapped-out trees are deleted (for callers that look at the folder next)."""
    for thread in list(_DISCARDING):
        thread.join(timeout_s)


def build_clause_tree(
    tree: ClauseTree,
    target: Path,
    *,
    document_title: str,
    rules: TreeRules | None = None,
    image_source: ImageSource | None = None,
) -> ClauseTreeReport:
    """Render the tree and swap it into `target` (e.g. DIR/tree); returns the report."""
    files, report = render_clause_tree(tree, document_title=document_title, rules=rules, image_source=image_source)
    write_tree(files, target)
    return report


