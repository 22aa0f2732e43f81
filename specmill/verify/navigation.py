"""The lines of a clause file that the tree writes from the outline, not from the parsed text:
the heading, the "Up:" line (the parent's title) and an index's contents list (its sub-clauses'
titles). Their names are printed on the heading pages of the clauses they title, and no parser
produced them, so they are judged against those pages and never corrected."""

from __future__ import annotations

import re

_HEADING = re.compile(r"\A# [^\n]*")
_UP_LINE = re.compile(r"^Up: \[[^\n]*$", re.MULTILINE)
_CONTENTS = re.compile(r"^## Contents\n", re.MULTILINE)
_LIST_ITEM = re.compile(r"- ")


def _contents_list(markdown: str) -> tuple[int, int] | None:
    """The span of the contents list an index ends with: its last `## Contents` heading, when
    every line after it is a list item (a body heading of that name is not followed by only them)."""
    headings = list(_CONTENTS.finditer(markdown))
    if not headings:
        return None
    start = headings[-1].start()
    lines = [line for line in markdown[headings[-1].end():].split("\n") if line.strip()]
    if not all(_LIST_ITEM.match(line) for line in lines):
        return None
    return start, len(markdown)


def navigation_spans(markdown: str) -> list[tuple[int, int]]:
    """(start, end) of the heading, the "Up:" line and the contents list of a clause file."""
    spans = []
    for pattern in (_HEADING, _UP_LINE):
        match = pattern.search(markdown)
        if match:
            spans.append(match.span())
    contents = _contents_list(markdown)
    if contents:
        spans.append(contents)
    return spans


def inside(position: int, spans: list[tuple[int, int]]) -> bool:
    return any(start <= position < end for start, end in spans)
