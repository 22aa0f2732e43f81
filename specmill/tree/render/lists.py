"""Lists: MinerU list blocks (2.x/3.x item lists, 4.x flattened items with markers) and the
4.x `index` (a table of contents).

Bullets never double ('• • item' and '- • item' become one '- item'); ordered items keep their
own numbers ('3. ' stays '3. '); other markers ('(a)', 'iv.') are kept after a dash; indentation
of 4.x nested items becomes Markdown nesting."""

from __future__ import annotations

import re

from schemas.blocks import Block
from specmill.tree.render.inline import clean_inline, strip_bullets

_NUMBERED = re.compile(r"^(\d{1,4}[.)])(?:\s+|$)")
_OTHER_MARKER = re.compile(r"^(\((?:[A-Za-z]|\d{1,3}|[ivxlcdm]{1,6})\)|(?:[A-Za-z]|[ivxlcdm]{1,6})[.)])\s+")
_LINK = re.compile(r"\[([^\]]*)\]\(#[^)]*\)")  # in-document anchor links of a 4.x index
_INDENT = "    "


def _depth(raw: str) -> int:
    indent = len(raw) - len(raw.lstrip(" "))
    return 0 if indent == 0 else max(1, (indent + 2) // 4)


def render_list_item(raw: str, *, min_depth_unordered: int = 0) -> str:
    """One item as a Markdown list line (indentation included); '' when the item is empty.

    `min_depth_unordered`: depth for bulleted items that MinerU 4 flattened out of a numbered list."""
    depth = _depth(raw.replace("\t", _INDENT))
    text, _ = strip_bullets(raw.strip())
    text = clean_inline(" ".join(text.split()))
    if not text:
        return ""
    numbered = _NUMBERED.match(text)
    if numbered:
        rest = text[numbered.end():]
        line = f"{numbered.group(1)} {rest}".rstrip()
    else:
        line = f"- {text}"
        depth = max(depth, min_depth_unordered)
    return _INDENT * depth + line


def render_list(block: Block) -> str:
    """A numbered list whose flat items mix in bullets ('1. Install', '- with pip', '2. Run'):
    4.x dropped the nesting, and the bullets are sub-items of the numbered item before them."""
    numbered = _starts_numbered(block.list_items)
    lines = [render_list_item(item, min_depth_unordered=1 if numbered else 0) for item in block.list_items]
    return "\n".join(line for line in lines if line)


def _starts_numbered(items: list[str]) -> bool:
    for item in items:
        text, _ = strip_bullets(item.strip())
        if text:
            return bool(_NUMBERED.match(text)) and item == item.lstrip()
    return False


def render_index(block: Block) -> str:
    """A 4.x table of contents: its anchor links point into the original file, so they are unwrapped."""
    lines = [render_list_item(_LINK.sub(r"\1", item)) for item in block.list_items]
    return "\n".join(line for line in lines if line)
