"""Blocks -> Markdown, one function per block type (see the modules), and `render_blocks`, which
walks a section's blocks once, joins what a page break split (code halves, table halves with
MinerU's merge stubs) or what MinerU set line by line (XML lines as text blocks), and
dispatches the rest.

`link_image(img_path)` turns MinerU's image path into the link target written in the file (the
tree writer copies the image and returns a relative path); None means "not available", and the
renderer then writes a note instead of a dangling link."""

from __future__ import annotations

from collections.abc import Callable

from schemas.blocks import FURNITURE_BLOCK_TYPES, Block
from specmill.tree.render import code, table
from specmill.tree.render.inline import clean_inline, escape_line_starts
from specmill.tree.render.lists import render_index, render_list
from specmill.tree.render.media import render_chart, render_equation, render_image
from specmill.tree.render.text import render_footnote, render_text

ImageLinker = Callable[[str], str | None]

__all__ = ["ImageLinker", "render_block", "render_blocks", "render_unknown"]


def render_unknown(block: Block, link_image: ImageLinker | None = None) -> str:
    """A block type we do not know keeps its content: text, items, code, table, description, image."""
    if block.text.strip():
        return escape_line_starts(clean_inline(block.text.strip()))
    if block.list_items:
        return render_list(block)
    if (block.code_body or "").strip():
        return code.render_code(block)
    if (block.table_body or "").strip():
        return table.render_table_run([block], link_image)
    if block.description:
        return escape_line_starts(clean_inline(block.description.strip()))
    if block.img_path:
        return render_image(block, link_image)
    return ""


def render_block(block: Block, link_image: ImageLinker | None = None) -> str:
    """One block on its own (no joining with neighbours)."""
    kind = block.type
    if kind in FURNITURE_BLOCK_TYPES:
        return ""
    if kind == "text":
        return render_text(block)
    if kind in ("page_footnote", "ref_text"):
        return render_footnote(block)
    if kind == "list":
        return render_list(block)
    if kind == "index":
        return render_index(block)
    if kind == "code":
        return code.render_code(block)
    if kind == "table":
        return table.render_table_run([block], link_image)
    if kind == "image":
        return render_image(block, link_image)
    if kind == "equation":
        return render_equation(block, link_image)
    if kind == "chart":
        return render_chart(block, link_image)
    return render_unknown(block, link_image)


def render_blocks(blocks: list[Block], link_image: ImageLinker | None = None) -> str:
    """A section's blocks as Markdown: chunks separated by a blank line; consecutive list lines
    (bulleted text blocks, list blocks) stay one list."""
    chunks: list[tuple[str, bool]] = []  # (markdown, is a list)
    index = 0
    while index < len(blocks):
        block = blocks[index]
        if block.type == "code":
            end = index + 1
            while end < len(blocks) and code.is_continuation(blocks[end - 1], blocks[end]):
                end += 1
            rendered, is_list = code.render_code(code.merge_code_halves(blocks[index:end])), False
        elif block.type == "table":
            end = index + 1
            width = table.table_width(block)
            while end < len(blocks) and table.is_continuation(blocks[end - 1], blocks[end], width):
                end += 1
            rendered, is_list = table.render_table_run(blocks[index:end], link_image), False
        elif code.is_markup_line(block):
            end = index + 1
            while end < len(blocks) and code.is_markup_line(blocks[end]):
                end += 1
            rendered, is_list = code.render_markup_run(blocks[index:end]), False
        else:
            end = index + 1
            rendered = render_block(block, link_image)
            is_list = block.type in ("list", "index") or (block.type == "text" and rendered.startswith("- "))
        index = end
        if rendered.strip():
            chunks.append((rendered.strip("\n"), is_list))
    out: list[str] = []
    for position, (rendered, is_list) in enumerate(chunks):
        if position:
            out.append("\n" if is_list and chunks[position - 1][1] else "\n\n")
        out.append(rendered)
    return "".join(out)
