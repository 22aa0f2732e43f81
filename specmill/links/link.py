"""Rewrite the clause tree's Markdown: every resolved reference becomes a relative link, every
unresolved one its normalized text (a damaged `�` or a `$§…$` math wrapper repaired).

`link_tree` is the stage: tree files in, linked tree files and the LinkReport out; nothing is
written here (the asset writes, specmill.tree.write.write_tree swaps the folder in atomically). The report
records every link written (`Reference.links`), so the check that links land on their clause can
verify the stored tree against what the text names. References printed in a bibliography clause
('Normative References') cite the documents its entries describe, never this one."""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import replace

from schemas.link_profile import LinkRules
from schemas.links import LinkPiece, LinkReport, Reference
from schemas.tree import ClauseTreeReport
from specmill.links.extract import FoundReference, ReferenceExtractor
from specmill.links.graph import build_link_report
from specmill.links.markdown import fenced_code
from specmill.links.resolve import ClauseDirectory, resolve_link_target, resolve_reference, title_key
from specmill.tree.render.inline import link_target

# A running header or footer that slipped through segmentation repeats, short and unpunctuated,
# in many files; the C11 draft's 653 section signs were all in such lines.
RUNNING_LINE_MIN_FILES = 3
RUNNING_LINE_MAX_CHARS = 80
_STRUCTURAL_LINE = re.compile(r"^(?:[-*+]\s|\d+[.)]\s|#|\||Up:|```|~~~|<!--|!\[)")
# A clause reference printed inside a code example ('"message": { # See §3.27.11.') is a link in
# the PDF but cannot be one inside a fence. The file ends with one line linking each clause its
# examples name; appended last, it moves no line of the text (the link check finds links by line).
EXAMPLE_LINKS_LEAD = "Clauses named in the examples above:"


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


def bibliography_files(directory: ClauseDirectory, rules: LinkRules) -> frozenset[str]:
    """The files of the clauses that list other documents ('Normative References')."""
    titles = {title_key(title) for title in rules.bibliography_titles}
    return frozenset(entry.file for entry in directory.entries if entry.file and title_key(entry.title) in titles)


def as_citation(found: FoundReference) -> FoundReference | None:
    """A reference printed in a bibliography entry names a clause of the document the entry
    describes, never one of this document ('RFC2256, A summary …, Section 5, December 1997'). A bare
    number there ('Semantic Versioning 2.0.0') is a version or a date, no reference at all: None."""
    if found.tentative:
        return None
    return found if found.external else replace(found, external=True)


def piece_paths(found: FoundReference, reference: Reference, *, source_file: str, directory: ClauseDirectory) -> list[str | None]:
    """Where each linked piece of a reference goes, in the order of `found.links`: the first piece
    where the reference resolved, each further one (a range's far end, a list member) where its
    own id resolves; None leaves a piece plain text (and every piece of an unresolved reference)."""
    if reference.resolved_path is None:
        return [None] * len(found.links)
    return [
        reference.resolved_path if position == 0 else resolve_link_target(span.target_id, source_file, directory)
        for position, span in enumerate(found.links)
    ]


def with_links_written(reference: Reference, found: FoundReference, paths: list[str | None]) -> Reference:
    """The reference with the links written for it: the report names each link and the clause its
    text names, so a check can verify, in the stored tree, that every link lands on that clause."""
    written = [
        LinkPiece(label=span.label, names=span.target_id, path=path)
        for span, path in zip(found.links, paths, strict=True) if path is not None
    ]
    return reference.model_copy(update={"links": written}) if written else reference


def rewrite_markdown(text: str, pieces: list[tuple[FoundReference, list[str | None]]]) -> tuple[str, int]:
    """`text` with each reference's pieces replaced by links (where a path is given) or by their
    normalized text; (text, links written)."""
    edits: list[tuple[int, int, str]] = []
    links = 0
    for found, paths in pieces:
        for span, path in zip(found.links, paths, strict=True):
            if path is None:
                edits.append((span.start, span.end, span.label))
            else:
                edits.append((span.start, span.end, f"[{_escape_label(span.label)}]({link_target(path)})"))
                links += 1
    for start, end, replacement in sorted(edits, reverse=True):
        text = text[:start] + replacement + text[end:]
    return text, links


def example_references(text: str, extractor: ReferenceExtractor) -> list[FoundReference]:
    """The references printed inside the fenced code blocks of `text`, their `line` that of the
    whole text. Bare numbers are left out: in code they are values ('"version": "2.1.0"')."""
    found: list[FoundReference] = []
    for start, end in fenced_code(text):
        lines = text[start:end].split("\n")
        closed = len(lines) > 1 and lines[-1].strip()[:3] in ("```", "~~~")
        body = "\n".join(lines[1:-1] if closed else lines[1:])
        first_line = text.count("\n", 0, start) + 2  # the line after the opening fence
        found.extend(
            replace(reference, line=first_line + reference.line - 1)
            for reference in extractor.extract(body)
            if not reference.tentative and not reference.external and reference.links
        )
    return found


def append_example_links(
    text: str, found: list[FoundReference], *, source_file: str, source_section: str | None, directory: ClauseDirectory
) -> tuple[str, list[Reference], int]:
    """`text` ending with the line that links each clause its code examples name (once each), the
    references for the report, and the links written."""
    link_line = text.rstrip("\n").count("\n") + 3  # after the last line and a blank one
    labels: list[str] = []
    references: list[Reference] = []
    linked_paths: set[str] = set()
    for reference_found in found:
        reference = resolve_reference(reference_found, source_file=source_file, source_section=source_section, directory=directory)
        if reference is None:
            continue
        path = reference.resolved_path
        if path is None or path in linked_paths:
            references.append(reference)  # reported where it is printed, linked once at most
            continue
        linked_paths.add(path)
        label = reference_found.links[0].label
        labels.append(f"[{_escape_label(label)}]({link_target(path)})")
        piece = LinkPiece(label=label, names=reference_found.links[0].target_id, path=path)
        references.append(reference.model_copy(update={"line": link_line, "raw_text": label, "links": [piece]}))
    if not labels:
        return text, references, 0
    return f"{text.rstrip(chr(10))}\n\n{EXAMPLE_LINKS_LEAD} {', '.join(labels)}\n", references, len(labels)


def link_tree(files: dict[str, bytes], report: ClauseTreeReport, rules: LinkRules | None = None) -> tuple[dict[str, bytes], LinkReport]:
    """Link every Markdown file of a written clause tree (relative POSIX path -> bytes)."""
    rules = rules or LinkRules()
    directory = ClauseDirectory.from_tree_report(report)
    extractor = ReferenceExtractor(rules, directory.titles, directory.id_titles)
    sections = {tree_file.path: tree_file.section for tree_file in report.files}
    bibliographies = bibliography_files(directory, rules)
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
        pieces = []
        for found in extractor.extract(text, running_lines=furniture):
            if path in bibliographies and (found := as_citation(found)) is None:
                continue
            reference = resolve_reference(found, source_file=path, source_section=sections.get(path), directory=directory)
            if reference is None:
                continue
            paths = piece_paths(found, reference, source_file=path, directory=directory)
            pieces.append((found, paths))
            references.append(with_links_written(reference, found, paths))
        new_text, written = rewrite_markdown(text, pieces)
        examples = example_references(text, extractor) if path not in bibliographies else []
        if examples:
            new_text, example_refs, example_links = append_example_links(
                new_text, examples, source_file=path, source_section=sections.get(path), directory=directory
            )
            references.extend(example_refs)
            written += example_links
        links_emitted += written
        files_changed += new_text != text
        linked[path] = new_text.encode("utf-8")
    link_report = build_link_report(
        references, directory, links_emitted=links_emitted, files_changed=files_changed, threshold=rules.resolution_threshold
    )
    return linked, link_report
