"""MinerU content_list items (2.x, 3.x, 4.x, and magic-pdf 1.0) -> normalized `Block`s.

MinerU's content list changed shape between versions (see ../shared/notes/mineru.md):
- 3.x wraps `code_body` in Markdown fences; 2.x/4.x give raw code; 3.x `algorithm` bodies are
  Markdown text (escaped, with `   ` hard breaks), not code.
- 2.x/3.x wrap display equations in `$$`; 4.x gives raw LaTeX (or nothing but an image).
- 2.1 renamed `img_caption` -> `image_caption`; every block kind has its own caption key.
- `page_idx` is relative to the requested range when a worker sliced the PDF (3.x) and
  absolute with 4.x `page_range`: the caller says which by `page_offset`.
- Text is Markdown-escaped (`\\_`, `\\*`); 4.x also writes `<`, `>` and `&` as HTML entities
  (`&lt;manifest:keyinfo&gt;`). Both are undone here; the renderer protects tags again.
- Cross-page merges leave empty stub items.

Everything is normalized here, once, so that no later stage knows about versions.

Decisions worth knowing:
- `\\$` is kept escaped: in MinerU text a bare `$` opens inline LaTeX, so the escape is the only
  thing that tells a literal dollar ("US\\$ 17,473,211") from math. Inside `$...$` nothing is
  unescaped at all (`\\{` there is LaTeX, not Markdown).
- Empty stubs are dropped, except empty *table* stubs: MinerU leaves one where it merged a
  table across a page break, and the renderer uses it as evidence that the previous table
  continues (and moves any caption/footnote it carries onto that table).
"""

from __future__ import annotations

import html
import json
import re
from pathlib import Path
from typing import Any

from schemas.blocks import Block
from specmill.errors import SpecmillError

# The version of what specmill makes of MinerU's output: this module, and what the backends do to
# the blocks around it (specmill.parse.mineru_output, specmill.parse.runpod_result). Bump it with every change
# that alters the blocks of some input (a new rule, a fixed unescape, a renamed field): each parsed
# batch records the version that made it, and a re-run parses again every batch another version
# made (specmill.parse.resume), where it would otherwise keep the old blocks without saying so.
NORMALIZER_VERSION = "1"


class ContentListError(SpecmillError, ValueError):
    """A content_list.json that is not what MinerU writes: not JSON, not a list, or an item
    without a usable `type`/`page_idx`. The message names the file or the item index."""


# CommonMark lets any ASCII punctuation be backslash-escaped. `$` is deliberately absent: see
# the module docstring.
_ESCAPABLE = frozenset("!\"#%&'()*+,-./:;<=>?@[\\]^_`{|}~")

_CAPTION_KEYS = ("img_caption", "image_caption", "table_caption", "code_caption", "chart_caption")
_FOOTNOTE_KEYS = ("img_footnote", "image_footnote", "table_footnote", "code_footnote", "chart_footnote")

# ```lang <anything>\n body \n```  (3.x fences; the closing fence may lack its newline)
_FENCE = re.compile(r"\A\s*(`{3,}|~{3,})[ \t]*([^\s`]*)[^\n]*\n(?P<body>.*?)\n?[ \t]*\1[ \t]*\Z", re.DOTALL)
_DISPLAY_MATH = re.compile(r"\A\s*\$\$\s*(?P<body>.*?)\s*\$\$\s*\Z", re.DOTALL)
_HARD_BREAK = re.compile(r"[ \t]+$", re.MULTILINE)


def load_content_list(path: str | Path) -> list[dict[str, Any]]:
    """Read a MinerU content_list.json; raise ContentListError unless it is a JSON list of objects."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ContentListError(f"{path}: no such content list") from None
    except UnicodeDecodeError as exc:
        raise ContentListError(f"{path}: not UTF-8 text ({exc.reason}); expected MinerU's content_list.json") from None
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise ContentListError(
            f"{path}: not JSON (line {exc.lineno}, column {exc.colno}: {exc.msg}); expected MinerU's content_list.json"
        ) from None
    if not isinstance(data, list):
        hint = " (this looks like middle.json or content_list_v2; pass the *_content_list.json)" if isinstance(data, dict) else ""
        raise ContentListError(f"{path}: top level is {type(data).__name__}, expected a list of items{hint}")
    for index, item in enumerate(data):
        if not isinstance(item, dict):
            raise ContentListError(f"{path}: item {index} is {type(item).__name__}, expected an object")
    return data


def normalize_content_list(items: list[dict[str, Any]], *, page_offset: int = 0) -> list[Block]:
    """Normalize MinerU content_list items into Blocks, in input order.

    `page_offset` is added to every `page_idx`: 0 when page_idx is already absolute (4.x with
    page_range, or a whole-document parse), the batch's first page when the parser saw a
    sliced PDF. Empty merge stubs are dropped (empty table stubs are kept, see module doc)."""
    blocks: list[Block] = []
    for index, item in enumerate(items):
        block = normalize_item(item, page_offset=page_offset, index=index)
        if block is not None:
            blocks.append(block)
    return blocks


def normalize_item(item: dict[str, Any], *, page_offset: int = 0, index: int | None = None) -> Block | None:
    """One content_list item -> a Block, or None for an empty merge stub."""
    where = f"item {index}" if index is not None else "item"
    if not isinstance(item, dict):
        raise ContentListError(f"{where}: expected an object, got {type(item).__name__}")
    block_type = item.get("type")
    if not isinstance(block_type, str) or not block_type:
        raise ContentListError(f"{where}: missing 'type' ({_preview(item)})")
    page_idx = item.get("page_idx")
    if isinstance(page_idx, bool) or not isinstance(page_idx, int):
        raise ContentListError(f"{where} ({block_type}): 'page_idx' must be an integer, got {page_idx!r}")
    page = page_idx + page_offset
    if page < 0:
        raise ContentListError(f"{where} ({block_type}): page_idx {page_idx} + offset {page_offset} is negative")

    fields: dict[str, Any] = {"type": block_type, "page": page, "raw": dict(item)}
    bbox = item.get("bbox")
    if isinstance(bbox, list) and len(bbox) == 4 and all(isinstance(v, (int, float)) for v in bbox):
        fields["bbox"] = [float(v) for v in bbox]
    level = item.get("text_level")
    if isinstance(level, int) and not isinstance(level, bool):
        fields["text_level"] = level
    if isinstance(item.get("sub_type"), str):
        fields["sub_type"] = item["sub_type"]

    text = _as_text(item.get("text"))
    if block_type == "equation":
        fields["text"] = unwrap_display_math(text)
    else:
        fields["text"] = remove_markdown_escapes(text)

    list_items = item.get("list_items")
    if isinstance(list_items, list):
        fields["list_items"] = [remove_markdown_escapes(_as_text(entry)) for entry in list_items]

    if block_type == "code" or "code_body" in item:
        raw_body = _as_text(item.get("code_body"))
        body, language = unfence_code(raw_body)
        if language is None and isinstance(item.get("guess_lang"), str) and item["guess_lang"]:
            language = item["guess_lang"]
        if _FENCE.match(raw_body) is None and item.get("sub_type") == "algorithm" and not body.lstrip().startswith("<"):
            # 3.x algorithm bodies are Markdown prose (escaped, `   ` hard breaks), not code.
            body = _HARD_BREAK.sub("", remove_markdown_escapes(body))
        fields["code_body"] = body
        fields["code_language"] = language

    table_body = item.get("table_body")
    if isinstance(table_body, str):
        fields["table_body"] = table_body
    elif block_type == "table":
        fields["table_body"] = ""

    fields["captions"] = _collect(item, _CAPTION_KEYS)
    fields["footnotes"] = _collect(item, _FOOTNOTE_KEYS)
    img_path = item.get("img_path")
    if isinstance(img_path, str) and img_path:
        fields["img_path"] = img_path
    content = item.get("content")
    if isinstance(content, str) and content.strip():
        fields["description"] = content

    block = Block(**fields)
    if _is_stub(block):
        return None
    return block


def remove_markdown_escapes(text: str) -> str:
    """Drop MinerU's Markdown backslash escapes outside `$...$` math (keep `\\$`, see the module
    doc), then decode HTML entities (`&lt;` -> `<`)."""
    if "&" in text:
        text = html.unescape(text)
    if "\\" not in text:
        return text
    out: list[str] = []
    in_math = False
    i, n = 0, len(text)
    while i < n:
        char = text[i]
        if char == "\\" and i + 1 < n:
            nxt = text[i + 1]
            if not in_math and nxt in _ESCAPABLE:
                out.append(nxt)
            else:
                out.append(char + nxt)
            i += 2
            continue
        if char == "$":
            in_math = not in_math
            if text.startswith("$$", i):
                out.append("$$")
                i += 2
                continue
        out.append(char)
        i += 1
    return "".join(out)


def unfence_code(body: str) -> tuple[str, str | None]:
    """Strip a Markdown fence around a whole code body; return (code, fence language or None)."""
    match = _FENCE.match(body)
    if match is None:
        return body.strip("\n"), None
    return match.group("body"), (match.group(2) or None)


def unwrap_display_math(text: str) -> str:
    """`$$ ... $$` (2.x/3.x) -> the LaTeX inside; raw 4.x LaTeX is returned stripped."""
    match = _DISPLAY_MATH.match(text)
    return match.group("body") if match else text.strip()


def _as_text(value: Any) -> str:
    if value is None:
        return ""
    return value if isinstance(value, str) else str(value)


def _collect(item: dict[str, Any], keys: tuple[str, ...]) -> list[str]:
    collected: list[str] = []
    for key in keys:
        value = item.get(key)
        entries = [value] if isinstance(value, str) else value if isinstance(value, list) else []
        for entry in entries:
            cleaned = remove_markdown_escapes(_as_text(entry)).strip()
            if cleaned:
                collected.append(cleaned)
    return collected


def _is_stub(block: Block) -> bool:
    if block.type == "table":
        return False  # kept on purpose: marks a table MinerU merged across a page break
    return not (
        block.text.strip()
        or any(entry.strip() for entry in block.list_items)
        or (block.code_body or "").strip()
        or (block.table_body or "").strip()
        or block.img_path
        or block.captions
        or block.footnotes
        or block.description
    )


def _preview(item: dict[str, Any]) -> str:
    text = json.dumps(item, ensure_ascii=False)
    return text if len(text) <= 120 else text[:117] + "..."
