"""Read a written clause tree back as `ClauseFile`s: each file with its section's own PDF pages."""

from __future__ import annotations

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
    files = []
    for entry in report.files:
        if entry.section is None:
            continue
        path = Path(tree_dir) / entry.path
        if not path.is_file():
            raise ArtifactError(f"tree file {entry.path} listed in the tree report is missing under {tree_dir}: re-materialize clause_tree")
        files.append(ClauseFile(entry.path, entry.section, path.read_text(encoding="utf-8"), pages.get(entry.section, ())))
    return files


def clause_files_in(tree: Mapping[str, bytes], report: ClauseTreeReport, *, where: str) -> list[ClauseFile]:
    """`clause_files` over a tree already read into memory ({path inside the tree: bytes}), so a
    stage that also copies the tree reads each file once; `where` names the tree in errors."""
    pages = section_pages(report)
    files = []
    for entry in report.files:
        if entry.section is None:
            continue
        data = tree.get(entry.path)
        if data is None:
            raise ArtifactError(f"tree file {entry.path} listed in the tree report is missing under {where}: re-materialize clause_tree")
        files.append(ClauseFile(entry.path, entry.section, markdown_text(data), pages.get(entry.section, ())))
    return files
