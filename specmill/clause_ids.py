"""Recognise the clause id at the start of a heading, and order clause ids.

The patterns come from the document profile; this module only applies them."""

import bisect
import re
from dataclasses import dataclass
from typing import TypeVar

from schemas.profile import ClauseIdPattern
from specmill.profile_patterns import profile_pattern

T = TypeVar("T")

_TITLE_SEPARATORS = " \t\u00a0:.\u2013\u2014-"


@dataclass(frozen=True)
class ParsedHeading:
    clause_id: str
    level: int
    title: str
    label: str | None = None  # the id as printed, when it differs from clause_id ("Appendix A" for "Annex A")


def parse_heading(text: str, patterns: list[ClauseIdPattern]) -> ParsedHeading | None:
    """Split 'A.3 Foo' into ('A.3', level 2, 'Foo'); None when no pattern matches."""
    stripped = text.strip()
    for pattern in patterns:
        match = profile_pattern("outline.clause_id_patterns", pattern.regex).match(stripped)
        if match is None:
            continue
        raw_id = match.group("id")
        level = raw_id.count(".") + 1 + pattern.level_offset
        title = stripped[match.end():].strip(_TITLE_SEPARATORS)
        clause_id = pattern.template.format(id=raw_id)
        printed = " ".join(match.group(0).rstrip(_TITLE_SEPARATORS).split())
        return ParsedHeading(
            clause_id=clause_id, level=max(level, 1), title=title, label=printed if printed != clause_id else None
        )
    return None


def parent_id(clause_id: str) -> str | None:
    """'17.4.37' -> '17.4'; 'A.3' -> 'Annex A'; top-level ids have no parent."""
    if "." not in clause_id:
        return None
    head, _ = clause_id.rsplit(".", 1)
    if "." not in head and head.isalpha() and len(head) == 1:
        return f"Annex {head}"
    return head


def sort_key(clause_id: str) -> tuple:
    """Document order of ids: numbered clauses, then annexes A, B, ... with their sub-clauses.

    '§ 12' sorts as clause 12. Unknown shapes sort last, by text."""
    text = clause_id.removeprefix("§").strip()
    if text.startswith("Annex "):
        text = text.removeprefix("Annex ").strip()
    parts = text.split(".")
    if parts[0].isdigit() and all(p.isdigit() for p in parts):
        return (0, tuple(int(p) for p in parts), "")
    if len(parts[0]) == 1 and parts[0].isalpha() and all(p.isdigit() for p in parts[1:]):
        return (1, (ord(parts[0].upper()),) + tuple(int(p) for p in parts[1:]), "")
    digits = re.match(r"(\d+)([a-z]*)$", text)
    if digits:
        return (0, (int(digits.group(1)),), digits.group(2))
    return (2, (), clause_id)


def longest_ascending(entries: list[T]) -> list[T]:
    """The most entries (objects with a `clause_id`, in page order) whose ids ascend: headings
    number up through a document; a stray numbered line ("18 February 2026" in large type on a
    cover, a reference linked in the text after a contents list) is out of that order. Keeping the
    first line and dropping what follows it out of order lost every clause below 18."""
    keys = [sort_key(entry.clause_id) for entry in entries]
    tails: list[int] = []  # tails[k]: index of the smallest last key of an ascending run of length k + 1
    tail_keys: list[tuple] = []  # their keys, for the binary search
    previous: list[int | None] = [None] * len(entries)
    for index, key in enumerate(keys):
        length = bisect.bisect_left(tail_keys, key)
        previous[index] = tails[length - 1] if length else None
        if length == len(tails):
            tails.append(index)
            tail_keys.append(key)
        else:
            tails[length] = index
            tail_keys[length] = key
    kept: list[T] = []
    cursor = tails[-1] if tails else None
    while cursor is not None:
        kept.append(entries[cursor])
        cursor = previous[cursor]
    return kept[::-1]
