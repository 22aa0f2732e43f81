"""Prose blocks: text, page footnotes, reference entries."""

from __future__ import annotations

import re

from schemas.blocks import Block
from specmill.tree.render.inline import clean_inline, escape_line_starts, strip_bullets
from specmill.tree.render.table import render_fixed_width

_SENTENCE_END = re.compile(r"[.!?][\"')\]\u201d\u2019]*$")
_MINOR_HEADING_MAX_CHARS = 120
_MINOR_HEADING_MAX_WORDS = 16


def is_prose(text: str) -> bool:
    """A text_level block that is really a sentence ("This clause is informative.") or long."""
    return bool(_SENTENCE_END.search(text)) or len(text) > _MINOR_HEADING_MAX_CHARS or len(text.split()) > _MINOR_HEADING_MAX_WORDS


def render_text(block: Block) -> str:
    """A paragraph; a short heading-like text_level block (not a clause heading: those come from
    the outline) as a bold line; a bulleted paragraph as one list item."""
    text = block.text.strip()
    if not text:
        return ""
    laid_out = render_fixed_width(block.text)
    if laid_out is not None:
        return laid_out
    text, bulleted = strip_bullets(text)
    text = clean_inline(text)
    if bulleted:
        return "- " + text.replace("\n", " ")
    if block.text_level is not None and not is_prose(text):
        inner = text.strip("*").strip()
        return f"**{inner}**" if inner else ""
    return escape_line_starts(text)


def render_footnote(block: Block) -> str:
    """A page footnote stays where MinerU put it, as its own paragraph."""
    text = clean_inline(block.text.strip())
    return escape_line_starts(text) if text else ""
