"""Inline clean-up shared by every block renderer: prose, table cells, list items, captions.

- `$§17.4.62$` (MinerU sets some section signs as math) -> `§17.4.62`; `$\\S 17.4$` too.
- `$<w:tbl>$` (inline XML that MinerU took for math) -> `` `<w:tbl>` ``.
- `\\-` (a LaTeX discretionary hyphen or a leftover escape) -> `-`.
- Tags that are not inline HTML (`<manifest:file-entry>`, `<w:p>`) become code spans, so a
  Markdown viewer does not swallow them as unknown HTML; `<sup>`, `<sub>`, `<u>` etc. stay, but
  without attributes, except a link's `title` and http(s)/mailto/#fragment `href` (MinerU's
  office backend writes `<a href="https://…">`): `<img src=x onerror=…>` or
  `<a href="javascript:…">` is code too. So are comments, CDATA, declarations and processing
  instructions (`<!--`, `<?xml …?>`): an unclosed `<!--` at a line start hid the rest of the
  file (issue 16).
- `<u>`/`</u>` are dropped: MinerU flash underlines the text of a PDF's hyperlinks, Markdown has
  no underline, and the tags only get in the way of what the text says.
- A line that would open a heading (`# `) or a code fence (```) is escaped.
- Link syntax the document prints as text (`[…](…)` in a spec about Markdown messages) is
  escaped: written as is, it would become a link to nowhere. A link to a web or mail address is
  MinerU's markup for a link the PDF carries (`[Sun Microsystems](http://www.sun.com/)` on an
  OASIS cover; none of the corpus's PDFs prints such syntax) and stays a link; one whose text is
  its own address (`[https://x](https://x)`) becomes the autolink `<https://x>`. Printed image links and link
  definitions with a `javascript:`, `vbscript:` or `data:` target, and such autolinks
  (`<javascript:…>`), are escaped too: nothing the document prints becomes a script link.
"""

from __future__ import annotations

import html
import re

INLINE_HTML_TAGS = frozenset(
    {"sup", "sub", "s", "u", "b", "i", "em", "strong", "br", "span", "a", "img", "del", "ins", "mark", "code", "small", "big"}
)

_SECTION_MATH = re.compile(r"\$\s*(?:§|\\S)\s*(?:\\[,;:! ]|~|\s)*\s*([0-9A-Z](?:[\w.]*\w)?)\s*\$")
_XML_MATH = re.compile(r"\$\s*(</?[A-Za-z_][\w.-]*:[^$<>]*?/?>)\s*\$")
_SOFT_HYPHEN_ESCAPE = re.compile(r"\\-")
_UNDERLINE_TAG = re.compile(r"</?u>", re.IGNORECASE)
_OPENING_TAG = re.compile(r"<[A-Za-z]+(?P<attributes>(?:\s[^<>]*?)?)\s*/?>|</[A-Za-z]+\s*>")
_ATTRIBUTE = re.compile(r"""\s+(?P<key>[A-Za-z_:][-\w:.]*)(?:\s*=\s*(?:"(?P<q2>[^"]*)"|'(?P<q1>[^']*)'|(?P<bare>[^\s"'=<>`]+)))?""")
_SAFE_ATTRIBUTES = {"a": frozenset({"href", "title"})}
_SAFE_HREF = re.compile(r"(?i:https?://|mailto:)|#")
_UNSAFE_SCHEME = r"(?i:javascript|vbscript|data):"
# A tag (group `name`), or markup a viewer would also take as raw HTML: a comment (an unclosed
# opener alone), CDATA, a declaration or processing instruction (or its unclosed opener), and
# an autolink with a script scheme.
_MARKUP = re.compile(
    rf"<!--(?:.*?-->)?|<[!?][^<>\n]*>|<[!?]|<{_UNSAFE_SCHEME}[^<>\s]*>|</?(?P<name>[A-Za-z_][\w.:-]*)(?:\s[^<>]*)?/?>",
    re.DOTALL,
)
_CODE_SPAN_OR_MARKUP = re.compile(rf"(?P<ticks>`+).+?(?P=ticks)|{_MARKUP.pattern}", re.DOTALL)
_LINE_START_HAZARD = re.compile(r"^(\s{0,3})(#{1,6}(?=\s|$)|```|~~~)", re.MULTILINE)
# `[text](` not preceded by `!` (an image link a renderer built) or a backslash (already escaped),
# unless it links a web or mail address: that is MinerU's markup for a link the PDF carries.
_PRINTED_LINK = re.compile(r"(?<![!\\])\[([^\[\]\n]*)\]\((?!(?:https?://|mailto:)[^\s()<>\[\]]+\))")
# A web address linked to itself: MinerU's markup for a printed URL, never printed link syntax.
_SELF_LINKED_URL = re.compile(r"(?<![!\\])\[(https?://[^\s\[\]()<>]+)\]\(\1\)")
# The same after a `!` (images: the table renderer writes its own, with safe targets), and link
# definitions at a line start ('[1]: javascript:…'), when the target has a script scheme.
_UNSAFE_PRINTED_LINK = re.compile(rf"(?<!\\)(!)?\[([^\[\]\n]*)\](\(|:)(?=[ \t]*<?[ \t]*{_UNSAFE_SCHEME})")
_BULLET_GLYPHS = "•●○◦▪▫■□‣⁃∙·►▸➢✓"
_LEADING_BULLETS = re.compile(rf"^(?:[{_BULLET_GLYPHS}]\s*|[-*+–—]\s+)+")


def unwrap_math_artifacts(text: str) -> str:
    if "$" not in text:
        return text
    text = _SECTION_MATH.sub(lambda m: f"§{m.group(1)}", text)
    return _XML_MATH.sub(lambda m: f"`{m.group(1).strip()}`", text)


def protect_tags(text: str) -> str:
    """Wrap tag-like text that is not safe inline HTML in backticks, outside existing code spans.

    One left-to-right pass, as a Markdown viewer reads: whichever starts first wins, so a code
    span inside a tag (`<img src="`x`" onerror=…>`) does not hide the tag around it."""
    if "<" not in text:
        return text

    def wrap(match: re.Match[str]) -> str:
        if match.group("ticks"):
            return match.group(0)  # an existing code span
        name = match.group("name")
        if name and ":" not in name and name.lower() in INLINE_HTML_TAGS and _is_safe_tag(match.group(0), name.lower()):
            return match.group(0)
        return code_span(match.group(0))

    return _CODE_SPAN_OR_MARKUP.sub(wrap, text)


def _is_safe_tag(tag: str, name: str) -> bool:
    """No attribute beyond the tag's allow-list, and a link only to http(s), mailto or a
    #fragment (entities decoded and whitespace dropped first, as a browser reads
    'java&#x09;script:')."""
    shape = _OPENING_TAG.fullmatch(tag)
    if shape is None:
        return False
    attributes = shape.group("attributes") or ""
    allowed = _SAFE_ATTRIBUTES.get(name, frozenset())
    position = 0
    for attribute in _ATTRIBUTE.finditer(attributes):
        if attribute.start() != position or attribute.group("key").lower() not in allowed:
            return False
        position = attribute.end()
        if attribute.group("key").lower() == "href":
            value = html.unescape(attribute.group("q2") or attribute.group("q1") or attribute.group("bare") or "")
            if not _SAFE_HREF.match("".join(char for char in value if char > " ")):
                return False
    return not attributes[position:].strip()


def code_span(text: str) -> str:
    """`text` as one code span, whatever backticks it holds (the delimiter is longer than any
    run inside, so the span cannot close early and leave the rest as live markup)."""
    longest = max((len(run) for run in re.findall(r"`+", text)), default=0)
    ticks = "`" * (longest + 1)
    pad = " " if text.startswith("`") or text.endswith("`") else ""
    return f"{ticks}{pad}{text}{pad}{ticks}"


def defuse_tags(latex: str) -> str:
    """Display math as text a viewer without math support still shows safely: a space after the
    `<` of anything that reads as HTML (`<img …>`, `<!--`); TeX ignores the space."""
    if "<" not in latex:
        return latex
    return _MARKUP.sub(lambda match: "< " + match.group(0)[1:], latex)


_BOLD_RUN = re.compile(r"\*\*(\S(?:.*?\S)?)\*\*")


def without_underline(text: str) -> str:
    """`text` without MinerU's `<u>` tags (see the module doc)."""
    return _UNDERLINE_TAG.sub("", text) if "<" in text else text


def without_bold(text: str) -> str:
    """`text` without Markdown bold marks: MinerU bolds the names of a listing it took for prose
    (`<**xs:element** name=…>`), and inside a code fence the marks would be literal."""
    return _BOLD_RUN.sub(r"\1", text) if "**" in text else text


def clean_inline(text: str) -> str:
    """Inline text ready for Markdown (see the module doc)."""
    text = without_underline(unwrap_math_artifacts(text))
    text = _SOFT_HYPHEN_ESCAPE.sub("-", text)
    if "](" in text:
        text = _PRINTED_LINK.sub(r"\\[\1\\](", _SELF_LINKED_URL.sub(r"<\1>", text))
    if "]" in text:
        text = _UNSAFE_PRINTED_LINK.sub(lambda m: f"{m.group(1) or ''}\\[{m.group(2)}\\]{m.group(3)}", text)
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
