"""Where in a Markdown file references may NOT be looked for.

Fenced code, inline code, existing links and images, autolinks, HTML comments and tags, math that
is not a section sign set as math, heading lines, printed table-of-contents lines (dot leaders and
a page number), and the "no content" entries of an index are protected: a reference found there is left exactly as it is. So is any line that the caller
knows to be running page text (a header or footer that slipped through segmentation).
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections.abc import Iterable, Iterator

from specmill.links.scan import finditer_at, line_starts_with, literal_starts

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
_EMPTY_INDEX_MARK = "*(no content)*"
# Only lines holding five dot leaders are tried as table-of-contents lines.
_DOT_LEADERS = re.compile(r"\.[ \t]?\.[ \t]?\.[ \t]?\.[ \t]?\.")
_FENCE_MARKS = ("```", "~~~")


def fenced_code(text: str) -> list[Span]:
    """The fenced code blocks of `text`, each from its opening line to the end of its closing one."""
    spans: list[Span] = []
    if "```" not in text and "~~~" not in text:
        return spans  # a fence needs three backticks or tildes
    # Opening and closing lines both hold three backticks or tildes: only those lines are tried.
    lines = line_starts_with(text, _FENCE_MARKS)
    index = 0
    while index < len(lines):
        opening = _FENCE_OPEN.match(text, lines[index])
        index += 1
        if opening is None:
            continue
        marker = opening.group(1)
        closing = re.compile(rf"^ {{0,3}}{re.escape(marker[0])}{{{len(marker)},}}[ \t]*$", re.MULTILINE)
        end = len(text)  # an unclosed fence runs to the end
        while index < len(lines):
            end_match = closing.match(text, lines[index])
            index += 1
            if end_match is not None:
                end = end_match.end()
                break
        spans.append((opening.start(), end))
    return spans


def _matches(pattern: re.Pattern[str], text: str) -> Iterator[re.Match[str]]:
    """`pattern.finditer(text)`; patterns that `re` would try at every position are tried only
    where they can start (see specmill.links.scan): same matches, a fraction of the time."""
    if pattern is _CODE_SPAN:
        return finditer_at(pattern, text, literal_starts(text, "`"))
    if pattern is _LINK or pattern is _REFERENCE_LINK:
        return finditer_at(pattern, text, bracket_starts(text))
    if pattern is _INLINE_MATH:
        return finditer_at(pattern, text, literal_starts(text, "$"))
    if pattern is _TOC_LINE:
        return finditer_at(pattern, text, _lines_holding(text, _DOT_LEADERS))
    if pattern is _HEADING_LINE:
        return finditer_at(pattern, text, line_starts_with(text, ("#",)))
    if pattern is _EMPTY_INDEX_ENTRY and _EMPTY_INDEX_MARK not in text:
        return iter(())
    return pattern.finditer(text)


def _lines_holding(text: str, mark: re.Pattern[str]) -> list[int]:
    """Starts of the lines where `mark` is found, ascending."""
    starts: list[int] = []
    position = 0
    while (found := mark.search(text, position)) is not None:
        starts.append(text.rfind("\n", 0, found.start()) + 1)
        line_end = text.find("\n", found.start())
        if line_end < 0:
            break
        position = line_end + 1
    return starts


def bracket_starts(text: str) -> Iterator[int]:
    """Where `[...]` or `![...]` may start."""
    for position in literal_starts(text, "["):
        if position and text[position - 1] == "!":
            yield position - 1
        yield position


def _outside(spans: list[Span], pattern: re.Pattern[str], text: str) -> list[Span]:
    """Matches of `pattern` that do not start inside an already protected span."""
    starts = [start for start, _ in spans]
    found = []
    for match in _matches(pattern, text):
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


def protected_spans(
    text: str, *, running_lines: frozenset[str] = frozenset(), math_allowed: Iterable[Span] = (), code: list[Span] | None = None
) -> list[Span]:
    """Sorted, merged (start, end) character spans where no reference may be found.

    `math_allowed` are inline-math spans the caller recognised as a section sign set as math
    (`$§17.4.62$`): they stay searchable. `code` is `code_spans(text)` where the caller has it."""
    spans = code_spans(text) if code is None else code
    # Order matters: a link inside a code span is code; a code span inside link text is the link.
    for pattern, mark in ((_COMMENT, "<!--"), (_LINK, "]("), (_REFERENCE_LINK, "]["), (_AUTOLINK, "<"), (_DISPLAY_MATH, "$$")):
        if mark in text:  # every match holds its mark: no mark, nothing to protect
            found = _outside(spans, pattern, text)
            if found:
                spans = _merge(spans + found)
    allowed = set(math_allowed)
    math = [span for span in _outside(spans, _INLINE_MATH, text) if span not in allowed] if "$" in text else []
    tags = _outside(spans, _HTML_TAG, text) if "<" in text else []
    if math or tags:
        spans = _merge(spans + math + tags)
    lines = [(m.start(), m.end()) for m in _matches(_HEADING_LINE, text)]
    lines += [(m.start(), m.end()) for m in _matches(_EMPTY_INDEX_ENTRY, text)]
    lines += [(m.start(), m.end()) for m in _matches(_TOC_LINE, text)]
    if running_lines:
        lines += _running_line_spans(text, running_lines)
    return _merge(spans + lines) if lines else spans


def _running_line_spans(text: str, running_lines: frozenset[str]) -> list[Span]:
    """The lines of `text` that are running page text once stripped (a line ends before its '\\n')."""
    spans: list[Span] = []
    # Which running lines the text holds is a set operation; only those are then looked up.
    for printed in running_lines.intersection(map(str.strip, text.split("\n"))):
        position = text.find(printed)
        while position >= 0:
            line_start = text.rfind("\n", 0, position) + 1
            line_end = text.find("\n", position)
            if line_end < 0:
                line_end = len(text)
            if text[line_start:line_end].strip() == printed:
                spans.append((line_start, line_end))
            position = text.find(printed, line_end + 1)
    return spans


def code_spans(text: str) -> list[Span]:
    """Fenced code blocks and inline code spans, sorted and merged."""
    spans = _merge(fenced_code(text))
    return _merge(spans + _outside(spans, _CODE_SPAN, text))



def inline_math_spans(text: str, *, code: list[Span] | None = None) -> list[Span]:
    """Every `$...$` span outside fenced code and code spans (candidates for `$§17.4.62$`);
    `code` is `code_spans(text)` where the caller has it."""
    if "$" not in text:
        return []
    return _outside(code_spans(text) if code is None else code, _INLINE_MATH, text)


def overlaps(spans: list[Span], start: int, end: int, starts: list[int] | None = None) -> bool:
    """True when [start, end) touches any protected span (`starts`: the spans' starts, where the
    caller asks many times about the same spans)."""
    index = bisect_right([s for s, _ in spans] if starts is None else starts, end - 1) - 1
    while index >= 0:
        span_start, span_end = spans[index]
        if span_end > start:
            return True
        if span_end <= start:
            return False
        index -= 1
    return False
