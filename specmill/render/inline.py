"""Inline clean-up shared by every block renderer: prose, table cells, list items, captions.

- `$§17.4.62$` (MinerU sets some section signs as math) -> `§17.4.62`; `$\\S 17.4$` too.
- `$<w:tbl>$` (inline XML that MinerU took for math) -> `` `<w:tbl>` ``.
- `\\-` (a LaTeX discretionary hyphen or a leftover escape) -> `-`.
- Tags that are not inline HTML (`<manifest:file-entry>`, `<w:p>`) become code spans, so a
  Markdown viewer does not swallow them as unknown HTML; `<sup>`, `<sub>`, `<u>` etc. stay.
- A line that would open a heading (`# `) or a code fence (```) is escaped.
- Link syntax the document prints as text (`[…](…)` in a spec about Markdown messages) is
  escaped: written as is, it would become a link to nowhere.
"""

from __future__ import annotations

import re

INLINE_HTML_TAGS = frozenset(
    {"sup", "sub", "s", "u", "b", "i", "em", "strong", "br", "span", "a", "img", "del", "ins", "mark", "code", "small", "big"}
)

_SECTION_MATH = re.compile(r"\$\s*(?:§|\\S)\s*(?:\\[,;:! ]|~|\s)*\s*([0-9A-Z](?:[\w.]*\w)?)\s*\$")
_XML_MATH = re.compile(r"\$\s*(</?[A-Za-z_][\w.-]*:[^$<>]*?/?>)\s*\$")
_SOFT_HYPHEN_ESCAPE = re.compile(r"\\-")
_CODE_SPAN = re.compile(r"(`+)(?:.+?)\1", re.DOTALL)
_TAG = re.compile(r"</?([A-Za-z_][\w.:-]*)(?:\s[^<>]*)?/?>")
_LINE_START_HAZARD = re.compile(r"^(\s{0,3})(#{1,6}(?=\s|$)|```|~~~)", re.MULTILINE)
# `[text](` not preceded by `!` (an image link a renderer built) or a backslash (already escaped).
_PRINTED_LINK = re.compile(r"(?<![!\\])\[([^\[\]\n]*)\]\(")
_BULLET_GLYPHS = "•●○◦▪▫■□‣⁃∙·►▸➢✓"
_LEADING_BULLETS = re.compile(rf"^(?:[{_BULLET_GLYPHS}]\s*|[-*+–—]\s+)+")


def unwrap_math_artifacts(text: str) -> str:
    if "$" not in text:
        return text
    text = _SECTION_MATH.sub(lambda m: f"§{m.group(1)}", text)
    return _XML_MATH.sub(lambda m: f"`{m.group(1).strip()}`", text)


def protect_tags(text: str) -> str:
    """Wrap tag-like text that is not inline HTML in backticks, outside existing code spans."""
    if "<" not in text:
        return text
    pieces: list[str] = []
    position = 0
    for span in _CODE_SPAN.finditer(text):
        pieces.append(_protect_plain(text[position : span.start()]))
        pieces.append(span.group(0))
        position = span.end()
    pieces.append(_protect_plain(text[position:]))
    return "".join(pieces)


def _protect_plain(text: str) -> str:
    def wrap(match: re.Match[str]) -> str:
        name = match.group(1)
        if ":" not in name and name.lower() in INLINE_HTML_TAGS:
            return match.group(0)
        return f"`{match.group(0)}`"

    return _TAG.sub(wrap, text)


def clean_inline(text: str) -> str:
    """Inline text ready for Markdown (see the module doc)."""
    text = unwrap_math_artifacts(text)
    text = _SOFT_HYPHEN_ESCAPE.sub("-", text)
    if "](" in text:
        text = _PRINTED_LINK.sub(r"\\[\1\\](", text)
    return protect_tags(text)


def escape_line_starts(text: str) -> str:
    """Keep prose from turning into a heading or opening a code fence."""
    return _LINE_START_HAZARD.sub(lambda m: m.group(1) + "\\" + m.group(2), text)


def strip_bullets(text: str) -> tuple[str, bool]:
    """('• • item' -> 'item', True): any number of leading bullet glyphs, so bullets never double."""
    stripped = _LEADING_BULLETS.sub("", text, count=1)
    return stripped, stripped != text


def link_target(path: str) -> str:
    """A Markdown link destination; angle brackets when it holds spaces or parentheses."""
    return f"<{path}>" if re.search(r"[\s()<>]", path) else path
