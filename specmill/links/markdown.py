"""Where in a Markdown file references may NOT be looked for.

Fenced code, inline code, existing links and images, autolinks, HTML comments and tags, math that
is not a section sign set as math, heading lines, printed table-of-contents lines (dot leaders and
a page number), and the "no content" entries of an index are protected: a reference found there is left exactly as it is. So is any line that the caller
knows to be running page text (a header or footer that slipped through segmentation).
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections.abc import Iterable

Span = tuple[int, int]

_FENCE_OPEN = re.compile(r"^ {0,3}(`{3,}|~{3,})[^\n]*$", re.MULTILINE)
_CODE_SPAN = re.compile(r"(?<!`)(`+)(?!`)(?:.+?)(?<!`)\1(?!`)", re.DOTALL)
# [text](dest) and ![alt](dest); text may hold escaped brackets and one level of nesting.
_LINK = re.compile(r"!?\[(?:[^\[\]\\]|\\.|\[[^\[\]]*\])*\]\((?:<[^>\n]*>|[^()\s]*(?:\([^()\s]*\)[^()\s]*)*)(?:\s+\"[^\"\n]*\")?\)")
_REFERENCE_LINK = re.compile(r"!?\[(?:[^\[\]\\]|\\.)*\]\[[^\[\]\n]*\]")
_AUTOLINK = re.compile(r"<(?:[a-zA-Z][a-zA-Z0-9+.-]{1,31}:[^\s<>]*|[^\s<>@]+@[^\s<>]+)>")
_COMMENT = re.compile(r"<!--.*?-->", re.DOTALL)
_HTML_TAG = re.compile(r"</?[A-Za-z][\w:.-]*(?:\s[^<>]*)?/?>")
_DISPLAY_MATH = re.compile(r"\$\$.+?\$\$", re.DOTALL)
_INLINE_MATH = re.compile(r"(?<![\\$])\$(?!\$)[^$\n]+?(?<!\\)\$(?!\$)")
_HEADING_LINE = re.compile(r"^ {0,3}#{1,6}(?:[ \t][^\n]*)?$", re.MULTILINE)
# A table-of-contents line: a title, dot leaders, a page number. The root index already links
# every clause; the printed contents are furniture.
_TOC_LINE = re.compile(r"^[^\n]*?(?:\.[ \t]?){5,}[ \t]*[0-9ivxlcIVXLC]+[ \t*]*$", re.MULTILINE)
_EMPTY_INDEX_ENTRY = re.compile(r"^\s*[-*+]\s[^\n]*\*\(no content\)\*\s*$", re.MULTILINE)


def _fenced_code(text: str) -> list[Span]:
    spans: list[Span] = []
    position = 0
    while True:
        opening = _FENCE_OPEN.search(text, position)
        if opening is None:
            return spans
        marker = opening.group(1)
        closing = re.compile(rf"^ {{0,3}}{re.escape(marker[0])}{{{len(marker)},}}[ \t]*$", re.MULTILINE)
        end_match = closing.search(text, opening.end())
        end = end_match.end() if end_match else len(text)  # an unclosed fence runs to the end
        spans.append((opening.start(), end))
        position = end


def _outside(spans: list[Span], pattern: re.Pattern[str], text: str) -> list[Span]:
    """Matches of `pattern` that do not start inside an already protected span."""
    starts = [start for start, _ in spans]
    found = []
    for match in pattern.finditer(text):
        index = bisect_right(starts, match.start()) - 1
        if index >= 0 and spans[index][0] <= match.start() < spans[index][1]:
            continue
        found.append((match.start(), match.end()))
    return found


def _merge(spans: Iterable[Span]) -> list[Span]:
    merged: list[Span] = []
    for start, end in sorted(spans):
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], end))
        else:
            merged.append((start, end))
    return merged


def protected_spans(text: str, *, running_lines: frozenset[str] = frozenset(), math_allowed: Iterable[Span] = ()) -> list[Span]:
    """Sorted, merged (start, end) character spans where no reference may be found.

    `math_allowed` are inline-math spans the caller recognised as a section sign set as math
    (`$§17.4.62$`): they stay searchable."""
    spans = _merge(_fenced_code(text))
    # Order matters: a link inside a code span is code; a code span inside link text is the link.
    for pattern in (_CODE_SPAN, _COMMENT, _LINK, _REFERENCE_LINK, _AUTOLINK, _DISPLAY_MATH):
        spans = _merge(spans + _outside(spans, pattern, text))
    allowed = set(math_allowed)
    math = [span for span in _outside(spans, _INLINE_MATH, text) if span not in allowed]
    spans = _merge(spans + math + _outside(spans, _HTML_TAG, text))
    lines = [(m.start(), m.end()) for m in _HEADING_LINE.finditer(text)]
    lines += [(m.start(), m.end()) for m in _EMPTY_INDEX_ENTRY.finditer(text)]
    lines += [(m.start(), m.end()) for m in _TOC_LINE.finditer(text)]
    if running_lines:
        position = 0
        for line in text.split("\n"):
            if line.strip() in running_lines:
                lines.append((position, position + len(line)))
            position += len(line) + 1
    return _merge(spans + lines)


def code_spans(text: str) -> list[Span]:
    """Fenced code blocks and inline code spans, sorted and merged."""
    spans = _merge(_fenced_code(text))
    return _merge(spans + _outside(spans, _CODE_SPAN, text))


def spans_outside(spans: list[Span], pattern: re.Pattern[str], text: str) -> list[Span]:
    """Matches of `pattern` that do not start inside one of `spans` (sorted, merged)."""
    return _outside(spans, pattern, text)


def inline_math_spans(text: str) -> list[Span]:
    """Every `$...$` span outside fenced code and code spans (candidates for `$§17.4.62$`)."""
    return _outside(code_spans(text), _INLINE_MATH, text)


def overlaps(spans: list[Span], start: int, end: int) -> bool:
    """True when [start, end) touches any protected span."""
    index = bisect_right([s for s, _ in spans], end - 1) - 1
    while index >= 0:
        span_start, span_end = spans[index]
        if span_end > start:
            return True
        if span_end <= start:
            return False
        index -= 1
    return False
