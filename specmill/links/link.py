"""Rewrite the clause tree's Markdown: every resolved reference becomes a relative link, every
unresolved one its normalized text (a damaged `�` or a `$§…$` math wrapper repaired).

`link_tree` is the stage: tree files in, linked tree files and the LinkReport out; nothing is
written here (the asset writes, specmill.tree.write_tree swaps the folder in atomically)."""

from __future__ import annotations

import re
from collections import Counter

from schemas.link_profile import LinkRules
from schemas.links import LinkReport, Reference
from schemas.tree import ClauseTreeReport
from specmill.links.extract import FoundReference, ReferenceExtractor
from specmill.links.graph import build_link_report
from specmill.links.resolve import ClauseDirectory, resolve_link_target, resolve_reference
from specmill.render.inline import link_target

# A running header or footer that slipped through segmentation repeats, short and unpunctuated,
# in many files; the C11 draft's 653 section signs were all in such lines.
RUNNING_LINE_MIN_FILES = 3
RUNNING_LINE_MAX_CHARS = 80
_STRUCTURAL_LINE = re.compile(r"^(?:[-*+]\s|\d+[.)]\s|#|\||Up:|```|~~~|<!--|!\[)")


def running_lines(texts: list[str]) -> frozenset[str]:
    """Short lines that repeat verbatim in several files: page furniture, never prose."""
    seen: Counter[str] = Counter()
    for text in texts:
        lines = {line.strip() for line in text.split("\n")}
        seen.update(
            line for line in lines
            if line and len(line) <= RUNNING_LINE_MAX_CHARS and not line.endswith((".", ":", ";")) and not _STRUCTURAL_LINE.match(line)
        )
    return frozenset(line for line, count in seen.items() if count >= RUNNING_LINE_MIN_FILES)


def _escape_label(label: str) -> str:
    return re.sub(r"([\[\]])", r"\\\1", label)


def rewrite_markdown(
    text: str, pairs: list[tuple[FoundReference, Reference]], *, source_file: str, directory: ClauseDirectory
) -> tuple[str, int]:
    """`text` with each reference's pieces replaced by links (resolved) or normalized text; (text, links written)."""
    edits: list[tuple[int, int, str]] = []
    links = 0
    for found, reference in pairs:
        for position, span in enumerate(found.links):
            path = None
            if reference.resolved_path is not None:
                path = reference.resolved_path if position == 0 else resolve_link_target(span.target_id, source_file, directory)
            if path is None:
                edits.append((span.start, span.end, span.label))
            else:
                edits.append((span.start, span.end, f"[{_escape_label(span.label)}]({link_target(path)})"))
                links += 1
    for start, end, replacement in sorted(edits, reverse=True):
        text = text[:start] + replacement + text[end:]
    return text, links


def link_tree(files: dict[str, bytes], report: ClauseTreeReport, rules: LinkRules | None = None) -> tuple[dict[str, bytes], LinkReport]:
    """Link every Markdown file of a written clause tree (relative POSIX path -> bytes)."""
    rules = rules or LinkRules()
    directory = ClauseDirectory.from_tree_report(report)
    extractor = ReferenceExtractor(rules, directory.titles, directory.id_titles)
    sections = {tree_file.path: tree_file.section for tree_file in report.files}
    markdown = {path: data.decode("utf-8") for path, data in files.items() if path.endswith(".md")}
    furniture = running_lines(list(markdown.values()))
    linked: dict[str, bytes] = {}
    references: list[Reference] = []
    links_emitted = 0
    files_changed = 0
    for path, data in sorted(files.items()):
        if path not in markdown:
            linked[path] = data
            continue
        text = markdown[path]
        pairs = []
        for found in extractor.extract(text, running_lines=furniture):
            reference = resolve_reference(found, source_file=path, source_section=sections.get(path), directory=directory)
            if reference is not None:
                pairs.append((found, reference))
                references.append(reference)
        new_text, written = rewrite_markdown(text, pairs, source_file=path, directory=directory)
        links_emitted += written
        files_changed += new_text != text
        linked[path] = new_text.encode("utf-8")
    link_report = build_link_report(
        references, directory, links_emitted=links_emitted, files_changed=files_changed, threshold=rules.resolution_threshold
    )
    return linked, link_report
