"""Resolve found references against the clause tree: canonical id -> the clause's file or barrel,
as a path relative to the referring file.

An empty clause (no file of its own) resolves to the index that lists it. A reference that
cannot be resolved keeps its normalized text and gets a reason: `unknown_id` (no such clause),
`outside_document` (it names a clause of another document: '§5.2 of [xmlenc-core]', '§ 12 ZPO'; the
document is recorded as `cited_document` when the text names it),
`ambiguous` (two clauses answer to it). Tentative forms (bare numbers, titles) that name no
clause are not references at all and are dropped.
"""

from __future__ import annotations

import posixpath
import re
from dataclasses import dataclass

from schemas.links import Reference
from schemas.tree import ClauseTreeReport
from specmill.clause_ids import parent_id, sort_key
from specmill.links.extract import FoundReference

TITLE_PREFIX = "title:"


@dataclass(frozen=True)
class ClauseEntry:
    key: str  # section key
    clause_id: str | None
    title: str
    file: str | None  # the clause's own file, relative to the tree root
    listed_in: str | None  # for an empty clause: the index that lists it

    @property
    def target_file(self) -> str | None:
        return self.file or self.listed_in


def lookup_key(clause_id: str) -> str:
    """The form a printed reference is compared in: '§ 823' and '823' -> '823'; 'Annex B' -> 'annex b'."""
    text = clause_id.replace("\u00a7", " ").strip()
    return " ".join(text.split()).lower()


def relative_link(target_file: str, source_file: str) -> str:
    """POSIX path of `target_file` as seen from `source_file` (both relative to the tree root)."""
    start = posixpath.dirname(source_file) or "."
    start_parts = _tree_parts(start)
    target_parts = _tree_parts(target_file) if target_file else None
    if start_parts is None or target_parts is None:
        return posixpath.relpath(target_file, start)  # what this computes without the working directory
    common = 0
    while common < len(start_parts) and common < len(target_parts) and start_parts[common] == target_parts[common]:
        common += 1
    parts = [posixpath.pardir] * (len(start_parts) - common) + target_parts[common:]
    return "/".join(parts) if parts else posixpath.curdir


def _tree_parts(path: str) -> list[str] | None:
    """The parts of a normalized path inside the tree; None for one that is absolute or climbs."""
    parts = [part for part in posixpath.normpath(path).split("/") if part and part != "."]
    return None if path.startswith("/") or ".." in parts else parts


class ClauseDirectory:
    """Every clause of the written tree, found by id or title."""

    def __init__(self, entries: list[ClauseEntry]):
        self.entries = entries
        self._by_id: dict[str, list[ClauseEntry]] = {}
        self._by_title: dict[str, list[ClauseEntry]] = {}
        for entry in entries:
            if entry.clause_id:
                self._by_id.setdefault(lookup_key(entry.clause_id), []).append(entry)
            if entry.title:
                self._by_title.setdefault(title_key(entry.title), []).append(entry)
        self._order_keys: dict[str, tuple] = {}
        ordered = sorted((e for e in entries if e.clause_id), key=lambda e: self.order_key(e.clause_id or ""))
        # Siblings (same depth, same parent) in document order, with their sort keys: a range
        # expands within one such list instead of scanning every clause.
        self._siblings: dict[tuple[int, str | None], list[tuple[tuple, str]]] = {}
        for entry in ordered:
            clause_id = entry.clause_id or ""
            self._siblings.setdefault((clause_id.count("."), parent_id(clause_id)), []).append((self.order_key(clause_id), clause_id))

    def order_key(self, clause_id: str) -> tuple:
        """`sort_key(clause_id)`, computed once per id."""
        key = self._order_keys.get(clause_id)
        if key is None:
            key = self._order_keys[clause_id] = sort_key(clause_id)
        return key

    @classmethod
    def from_tree_report(cls, report: ClauseTreeReport) -> "ClauseDirectory":
        titles: dict[str, tuple[str | None, str]] = {}
        for clause in [*report.segmentation.matched, *report.segmentation.missed]:
            titles[clause.key] = (clause.clause_id, clause.title)
        entries: list[ClauseEntry] = []
        for tree_file in report.files:
            if tree_file.section is None:
                continue
            clause_id, title = titles.get(tree_file.section, (tree_file.clause_id, ""))
            entries.append(ClauseEntry(tree_file.section, tree_file.clause_id or clause_id, title, tree_file.path, None))
        for empty in report.empty_clauses:
            entries.append(ClauseEntry(empty.section, empty.clause_id, empty.title, None, empty.listed_in))
        return cls(entries)

    @property
    def titles(self) -> tuple[str, ...]:
        return tuple(sorted({entry.title for entry in self.entries if entry.title}))

    @property
    def id_titles(self) -> dict[str, str]:
        """Printed id ('4.3', '823') -> title, for ids that name exactly one clause."""
        return {key: entries[0].title for key, entries in self._by_id.items() if len(entries) == 1 and entries[0].title}

    def by_file(self) -> dict[str, ClauseEntry]:
        return {entry.file: entry for entry in self.entries if entry.file}

    def find(self, target_id: str) -> list[ClauseEntry]:
        if target_id.startswith(TITLE_PREFIX):
            return self._by_title.get(target_id.removeprefix(TITLE_PREFIX), [])
        return self._by_id.get(lookup_key(target_id), [])

    def expand_range(self, first: str, last: str) -> list[str]:
        """Every clause id from `first` to `last` at the same depth under the same parent, in order."""
        low, high = sort_key(first), sort_key(last)
        if low > high:
            low, high = high, low
        siblings = self._siblings.get((first.count("."), parent_id(first)), [])
        return list(dict.fromkeys(clause_id for key, clause_id in siblings if low <= key <= high))


def title_key(title: str) -> str:
    """A clause title as references are compared with it: Markdown marks dropped, spaces collapsed, lower case."""
    return " ".join(re.sub(r"[`*_]", "", title).split()).lower()


def resolve_reference(
    found: FoundReference, *, source_file: str, source_section: str | None, directory: ClauseDirectory
) -> Reference | None:
    """The Reference for one found reference, or None when a tentative one names no clause."""
    targets = list(found.target_ids)
    base = dict(
        source_section=source_section, source_file=source_file, line=found.line, raw_text=found.raw_text, form=found.form,
    )
    if found.external:
        cited = found.cited_document
        return Reference(
            **base, target_id=_display_id(targets[0]), target_ids=[_display_id(t) for t in targets],
            unresolved_reason="outside_document", cited_document=cited,
            detail=f"names a clause of {cited}" if cited else "names a clause of another document",
        )
    first_matches = directory.find(targets[0])
    if found.tentative and len(first_matches) == 0:
        return None
    if len(first_matches) > 1:
        candidates = sorted({e.target_file or "?" for e in first_matches})
        if len(candidates) > 1:
            return Reference(
                **base, target_id=_display_id(targets[0]), target_ids=[_display_id(t) for t in targets],
                unresolved_reason="ambiguous", detail=f"{len(first_matches)} clauses answer to it: {', '.join(candidates[:5])}",
            )
    detail = None
    if not first_matches:
        ancestor = _nearest_ancestor(targets[0], directory)
        if ancestor is None:
            return Reference(
                **base, target_id=targets[0], target_ids=list(targets), unresolved_reason="unknown_id",
                detail=f"no clause {targets[0]!r} in this document",
            )
        first_matches = [ancestor]
        detail = f"{targets[0]} is not in the outline; linked to its clause {ancestor.clause_id}"
    entry = first_matches[0]
    canonical = [entry.clause_id or entry.key]
    if found.is_range and len(targets) == 2:
        last = directory.find(targets[1])
        expanded = directory.expand_range(canonical[0], last[0].clause_id) if len(last) == 1 and last[0].clause_id else []
        canonical = expanded or [canonical[0], *[_display_id(t) for t in targets[1:]]]
    elif len(targets) > 1:
        for target in targets[1:]:
            matches = directory.find(target)
            canonical.append((matches[0].clause_id or matches[0].key) if len(matches) == 1 else _display_id(target))
    target_file = entry.target_file
    assert target_file is not None
    return Reference(
        **base, target_id=canonical[0], target_ids=canonical, target_file=target_file,
        resolved_path=relative_link(target_file, source_file), target_is_empty=entry.file is None, detail=detail,
    )


def resolve_link_target(target_id: str, source_file: str, directory: ClauseDirectory) -> str | None:
    """The relative path for one more linked piece of a reference (the far end of a range, a list member)."""
    matches = directory.find(target_id)
    files = {entry.target_file for entry in matches}
    if len(files) != 1:
        return None
    (target_file,) = files
    return relative_link(target_file, source_file) if target_file else None


def _nearest_ancestor(clause_id: str, directory: ClauseDirectory) -> ClauseEntry | None:
    """A sub-clause deeper than the outline lives in its nearest outlined ancestor's file."""
    current = parent_id(clause_id)
    while current is not None:
        matches = directory.find(current)
        if len(matches) == 1 and current.count(".") >= 1:
            return matches[0]
        if len(matches) > 1:
            return None
        current = parent_id(current)
    return None


def _display_id(target_id: str) -> str:
    return target_id.removeprefix(TITLE_PREFIX)
