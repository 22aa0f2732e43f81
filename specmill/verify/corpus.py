"""Read a written clause tree back as `ClauseFile`s: each file with the PDF pages its text came
from (the evidence its names are judged against).

A file holds more than its own clause's text: its "Up:" line (the parent's title) and, for an
index (`<id>-0-index.md` of a clause with sub-clauses), the titles of its sub-clauses. Those
titles are printed on the parent's and the sub-clauses' heading pages, not on the clause's own
pages: judged against its own pages only, a correct name there looks like a garble of a near
twin printed on them (`<Conditions>` in the "Up:" line of `<Condition>`'s clause). So each file
also carries the heading pages of the clauses it names (`title_pages`)."""

from __future__ import annotations

import posixpath
from collections.abc import Mapping
from pathlib import Path

from schemas.tree import ClauseTreeReport
from specmill.errors import ArtifactError
from specmill.verify.check import ClauseFile


def section_pages(report: ClauseTreeReport) -> dict[str, tuple[int, ...]]:
    """Section key -> its pages: the clause's span (heading page to the next clause's start), plus
    any page a block of it came from."""
    pages: dict[str, tuple[int, ...]] = {}
    for span in report.spans:
        found = set(span.block_pages)
        if span.first_page is not None:
            found.update(range(span.first_page, (span.last_page if span.last_page is not None else span.first_page) + 1))
        pages[span.section] = tuple(sorted(found))
    return pages


def heading_pages(report: ClauseTreeReport) -> dict[str, int]:
    """Section key -> the page its title is printed on (its heading's page, else its bookmark's)."""
    return {span.section: span.first_page for span in report.spans if span.first_page is not None}


def _folder_of_node(path: str, kind: str) -> str:
    """The folder a clause sits in: a leaf is a file in it, a clause with sub-clauses a folder in it
    (holding its index and its sub-clauses)."""
    folder = posixpath.dirname(path)
    return posixpath.dirname(folder) if kind == "barrel" else folder


def titled_sections(report: ClauseTreeReport) -> dict[str, set[str]]:
    """File path -> the other sections whose titles the file prints: its parent (the "Up:" line)
    and, for an index, its direct sub-clauses (its contents list, empty sub-clauses included).
    Read from the tree's layout: a clause with sub-clauses is a folder holding its index and them."""
    barrel_by_folder = {posixpath.dirname(entry.path): entry for entry in report.files if entry.kind == "barrel"}
    titled: dict[str, set[str]] = {entry.path: set() for entry in report.files if entry.section is not None}
    for entry in report.files:
        if entry.section is None:
            continue
        parent = barrel_by_folder.get(_folder_of_node(entry.path, entry.kind))
        if parent is not None and parent.section is not None:
            titled[entry.path].add(parent.section)
            titled[parent.path].add(entry.section)
    for empty in report.empty_clauses:
        if empty.listed_in in titled:
            titled[empty.listed_in].add(empty.section)
    return titled


def title_pages(report: ClauseTreeReport) -> dict[str, tuple[int, ...]]:
    """File path -> the heading pages of the other clauses whose titles it prints."""
    headings = heading_pages(report)
    return {
        path: tuple(sorted({headings[section] for section in sections if section in headings}))
        for path, sections in titled_sections(report).items()
    }


def markdown_text(data: bytes) -> str:
    """A file's bytes as text, exactly as `Path.read_text(encoding="utf-8")` reads them (universal
    newlines: CRLF and a lone CR become LF)."""
    text = data.decode("utf-8")
    if "\r" in text:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    return text


def clause_files(tree_dir: Path, report: ClauseTreeReport) -> list[ClauseFile]:
    """Every clause file of the report (the root index has no section and is skipped)."""
    pages = section_pages(report)
    titles = title_pages(report)
    files = []
    for entry in report.files:
        if entry.section is None:
            continue
        path = Path(tree_dir) / entry.path
        if not path.is_file():
            raise ArtifactError(f"tree file {entry.path} listed in the tree report is missing under {tree_dir}: re-materialize clause_tree")
        files.append(ClauseFile(entry.path, entry.section, path.read_text(encoding="utf-8"), pages.get(entry.section, ()), titles[entry.path]))
    return files


def clause_files_in(tree: Mapping[str, bytes], report: ClauseTreeReport, *, where: str) -> list[ClauseFile]:
    """`clause_files` over a tree already read into memory ({path inside the tree: bytes}), so a
    stage that also copies the tree reads each file once; `where` names the tree in errors."""
    pages = section_pages(report)
    titles = title_pages(report)
    files = []
    for entry in report.files:
        if entry.section is None:
            continue
        data = tree.get(entry.path)
        if data is None:
            raise ArtifactError(f"tree file {entry.path} listed in the tree report is missing under {where}: re-materialize clause_tree")
        files.append(ClauseFile(entry.path, entry.section, markdown_text(data), pages.get(entry.section, ()), titles[entry.path]))
    return files
