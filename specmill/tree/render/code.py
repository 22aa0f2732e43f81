"""Code blocks: fenced from code_body, halves split by a page break joined, example markers kept
outside the fence.

ECMA-style specs bracket examples as "[Example: ... end example]"; MinerU often puts the opening
or closing marker inside the code body, which would bury it in the fence. The fence language is
MinerU's (fence label or guess_lang) except that a body with namespaced tags is labelled xml:
MinerU 3.x calls XML 'ini', 'yaml' or 'verilog' about as often as 'xml'."""

from __future__ import annotations

import re

from schemas.blocks import Block
from specmill.tree.render.inline import clean_inline, escape_line_starts, without_underline

NAMESPACED_TAG = re.compile(r"</?[A-Za-z_][\w.-]*:[A-Za-z_][\w.-]*(?=[\s/>])")
_EXAMPLE_OPEN = re.compile(r"^\s*\[\s*Example\s*:", re.IGNORECASE)
_EXAMPLE_CLOSE = re.compile(r"end\s+example\s*\]\s*$", re.IGNORECASE)
_LANGUAGE = re.compile(r"[^\w+#.-]")


def fence_language(body: str, language: str | None) -> str:
    if NAMESPACED_TAG.search(body):
        return "xml"
    return _LANGUAGE.sub("", language or "")


def fence(body: str, language: str = "") -> str:
    """A fence longer than any backtick run inside the body."""
    longest = max((len(run) for run in re.findall(r"`+", body)), default=0)
    marker = "`" * max(3, longest + 1)
    return f"{marker}{language}\n{body}\n{marker}"


def split_example_markers(body: str) -> tuple[str, str, str]:
    """(opening line, body, closing line): '[Example: ...' as the first line and '... end example]'
    as the last line move outside the fence."""
    lines = body.split("\n")
    opening = closing = ""
    if lines and _EXAMPLE_OPEN.match(lines[0]):
        opening = lines.pop(0).strip()
    if lines:
        match = _EXAMPLE_CLOSE.search(lines[-1])
        if match:
            closing = match.group(0).strip()
            before = lines.pop()[: match.start()]
            if before.strip():
                lines.append(before.rstrip())
    return opening, "\n".join(lines), closing


def is_continuation(previous: Block, block: Block) -> bool:
    """The second half of a code block that a page break cut in two."""
    if previous.type != "code" or block.type != "code" or block.page != previous.page + 1:
        return False
    if (previous.sub_type or "code") != (block.sub_type or "code"):
        return False
    previous_body = (previous.code_body or "").rstrip()
    next_body = (block.code_body or "").lstrip()
    return bool(previous_body and next_body) and not _EXAMPLE_CLOSE.search(previous_body) and not _EXAMPLE_OPEN.match(next_body)


def merge_code_halves(halves: list[Block]) -> Block:
    """One code block from page-split halves; every half's captions and footnotes are kept."""
    first = halves[0]
    if len(halves) == 1:
        return first
    body = "\n".join((half.code_body or "").strip("\n") for half in halves)
    return first.model_copy(
        update={
            "code_body": body,
            "code_language": next((h.code_language for h in halves if h.code_language), None),
            "captions": [c for h in halves for c in h.captions],
            "footnotes": [f for h in halves for f in h.footnotes],
        }
    )


_TAG = re.compile(r"</?[A-Za-z_][^<>]*>")
_CODE_PUNCTUATION = re.compile(r"[{}();=\[\]|\\]")


def reads_as_prose(body: str) -> bool:
    """A 'code' block that is really a sentence mentioning a tag (MinerU flash files a paragraph
    set partly in monospace as code: "The <manifest:file-entry> element has the following
    attributes: manifest:full-path 4.16.4, ..."). Fencing it would hide its references."""
    text = body.strip()
    if not text or not text[0].isupper() or text[-1] not in ".:;" or text.startswith("<"):
        return False
    if any(line.startswith(("  ", "\t")) for line in body.split("\n")):
        return False  # indentation is code layout
    words = re.findall(r"[A-Za-z]{2,}", _TAG.sub(" ", text))
    tag_chars = sum(len(tag) for tag in _TAG.findall(text))
    return len(words) >= 6 and tag_chars <= len(text) * 0.3 and len(_CODE_PUNCTUATION.findall(text)) <= 2


def render_code(block: Block) -> str:
    """Captions, then the fence (bracketed by example markers), then footnotes. No empty fence.
    A body that is a sentence renders as prose."""
    parts = [escape_line_starts(clean_inline(caption)) for caption in block.captions]
    body = (block.code_body or "").strip("\n")
    opening, body, closing = split_example_markers(body)
    if opening:
        parts.append(escape_line_starts(clean_inline(opening)))
    if reads_as_prose(without_underline(body)):
        parts.append(escape_line_starts(clean_inline(" ".join(line.strip() for line in body.split("\n")))))
    elif body.strip():
        parts.append(fence(body, fence_language(body, block.code_language)))
    if closing:
        parts.append(escape_line_starts(clean_inline(closing)))
    parts.extend(escape_line_starts(clean_inline(note)) for note in block.footnotes)
    return "\n\n".join(parts)


_MARKUP_LINE = re.compile(r"^\s*<[/!?]?[A-Za-z_][^<>]*>.*>?\s*$|^\s*<[/!?]?[A-Za-z_][\w.:-]*(?:\s[^<>]*)?/?>\s*$", re.DOTALL)


def is_markup_line(block: Block) -> bool:
    """A text block that is a line of XML (MinerU flash sets an XML example line by line as text)."""
    # A sentence MinerU underlined whole ('<u>The <manifest:CipherValue> element has …</u>')
    # starts and ends with a tag too: it is judged without the underline.
    text = without_underline(block.text).strip()
    return block.type == "text" and text.startswith("<") and text.endswith(">") and bool(_MARKUP_LINE.match(text))


def render_markup_run(run: list[Block]) -> str:
    """Consecutive XML lines as one fence."""
    body = "\n".join(block.text.strip() for block in run)
    return fence(body, fence_language(body, None) or "xml")
