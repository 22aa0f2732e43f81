"""Images, equations and charts: linked to their file, with captions and description."""

from __future__ import annotations

import re
from collections.abc import Callable

from schemas.blocks import Block
from specmill.tree.render.inline import clean_inline, defuse_tags, escape_line_starts, link_target
from specmill.tree.render.code import fence
from specmill.tree.render.table import grid_to_markdown, is_fixed_width_layout, parse_table_html

ImageLinker = Callable[[str], str | None]


def _alt(block: Block, fallback: str) -> str:
    text = block.captions[0] if block.captions else fallback
    return re.sub(r"[\[\]\n]+", " ", text).strip()[:120] or fallback


def image_line(block: Block, link_image: ImageLinker | None, fallback_alt: str = "image") -> str:
    """`![caption](file)`; a note instead of a link when the file cannot be linked (never a dangling link)."""
    if not block.img_path:
        return ""
    target = link_image(block.img_path) if link_image else None
    if target:
        return f"![{_alt(block, fallback_alt)}]({link_target(target)})"
    return f"*[{fallback_alt} not available]*"


def _paragraphs(texts: list[str]) -> list[str]:
    return [escape_line_starts(clean_inline(t)) for t in texts if t.strip()]


def _quote(text: str) -> str:
    """A description as a block quote. Runs of spaces inside a line are the figure's layout (labels
    of a diagram, read from the text layer), which a Markdown viewer collapses anyway: one space."""
    return "\n".join("> " + " ".join(line.split()) if line.strip() else ">" for line in text.strip().split("\n"))


def _description(text: str) -> str:
    """A figure's text laid out in columns stays preformatted; anything else is quoted."""
    return fence(text.strip("\n"), "text") if is_fixed_width_layout(text) else _quote(clean_inline(text))


def render_image(block: Block, link_image: ImageLinker | None = None) -> str:
    parts = [image_line(block, link_image)]
    parts += _paragraphs(block.captions)
    if block.description:
        parts.append(_description(block.description))
    if block.text.strip():
        parts += _paragraphs([block.text])
    parts += _paragraphs(block.footnotes)
    return "\n\n".join(p for p in parts if p)


def render_equation(block: Block, link_image: ImageLinker | None = None) -> str:
    """Display math from the LaTeX; an image-only equation (4.x flash) links its image."""
    latex = defuse_tags(block.text.strip())
    if latex:
        return f"$$\n{latex}\n$$"
    return image_line(block, link_image, "equation")


def render_chart(block: Block, link_image: ImageLinker | None = None) -> str:
    """A chart: its data table when MinerU extracted one (office backends), else its image and
    description."""
    parts = _paragraphs(block.captions)
    description = block.description or ""
    grid = parse_table_html(description, link_image) if "<table" in description.lower() else []
    if grid:
        parts.append(grid_to_markdown(grid))
    else:
        parts.insert(0, image_line(block, link_image, "chart"))
        if description.strip():
            parts.append(_quote(clean_inline(description)))
    parts += _paragraphs(block.footnotes)
    return "\n\n".join(p for p in parts if p)
