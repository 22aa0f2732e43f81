"""Clause headings that MinerU merged into a paragraph, split back out.

MinerU 4 flash sets a statute page such as the BGB as one text block per column:
"**§ 1 Beginn der Rechtsfähigkeit** Die Rechtsfähigkeit … **§ 2 Eintritt der Volljährigkeit** …",
sometimes with two headings in one bold run ("**§§ 3 bis 6 (weggefallen) § 7 Wohnsitz; …**").
Left whole, every clause after the first on the page is missed and its text lands in the wrong
clause. A bold run is split out only when it starts with the id of a clause in the outline, so
ordinary bold text is never touched."""

import re

from schemas.blocks import Block
from schemas.outline import OutlineEntry
from schemas.profile import ClauseIdPattern
from specmill.clause_ids import parse_heading

_BOLD = re.compile(r"\*\*(.+?)\*\*", re.DOTALL)
_WORD_START = re.compile(r"(?:^|(?<=\s))\S")


def _headings_in_bold(inner: str, clause_ids: set[str], patterns: list[ClauseIdPattern]) -> tuple[str, list[str]]:
    """(bold text before the first outline heading, the headings) of a bold run; no headings when
    it holds none. The text before may be a structural heading the outline does not number
    ("Titel 5 Vertretung und Vollmacht § 164 Wirkung der Erklärung des Vertreters")."""
    starts = [
        match.start()
        for match in _WORD_START.finditer(inner)
        if (heading := parse_heading(inner[match.start():], patterns)) is not None and heading.clause_id in clause_ids
    ]
    if not starts:
        return "", []
    bounds = starts + [len(inner)]
    prefix = inner[: starts[0]].strip()
    headings = [inner[a:b].strip() for a, b in zip(bounds, bounds[1:]) if inner[a:b].strip()]
    if prefix and not any(char.isalnum() for char in prefix):
        # "§ 112 Package 2up" for clause 112: the sign belongs to the heading, it is no heading of its own.
        return "", [f"{prefix} {headings[0]}", *headings[1:]]
    return prefix, headings


def _pieces(text: str, clause_ids: set[str], patterns: list[ClauseIdPattern]) -> list[tuple[str, bool]]:
    pieces: list[tuple[str, bool]] = []
    cursor = 0
    for match in _BOLD.finditer(text):
        bold_prefix, headings = _headings_in_bold(match.group(1), clause_ids, patterns)
        if not headings:
            continue
        before = text[cursor:match.start()].strip()
        if before:
            pieces.append((before, False))
        if bold_prefix:
            pieces.append((f"**{bold_prefix}**", False))
        pieces.extend((heading, True) for heading in headings)
        cursor = match.end()
    if not pieces:
        return [(text, False)]
    rest = text[cursor:].strip()
    if rest:
        pieces.append((rest, False))
    return pieces


def split_inline_headings(blocks: list[Block], outline: list[OutlineEntry], patterns: list[ClauseIdPattern]) -> list[Block]:
    """Every text block holding bold outline headings becomes heading blocks and body blocks."""
    clause_ids = {entry.clause_id for entry in outline if entry.clause_id}
    result: list[Block] = []
    for block in blocks:
        if block.type != "text" or ("**" not in block.text and block.text_level is None):
            result.append(block)
            continue
        if "**" in block.text:
            pieces = _pieces(block.text, clause_ids, patterns)
        else:
            # A heading block that starts with an unnumbered structural heading:
            # "Sachdarlehensvertrag § 607 Vertragstypische Pflichten beim Sachdarlehensvertrag".
            pieces = _pieces(f"**{block.text}**", clause_ids, patterns)
            pieces = [(text.strip("*") if not is_heading else text, is_heading) for text, is_heading in pieces]
        if len(pieces) == 1 and not pieces[0][1]:
            result.append(block)
            continue
        for text, is_heading in pieces:
            update = {"text": text, "text_level": 2} if is_heading else {"text": text, "text_level": None}
            result.append(block.model_copy(update=update))
    return result
