"""Tables: MinerU's HTML -> a Markdown pipe table, and tables split by a page break joined.

Spans are expanded (a rowspan repeats its text down, a colspan leaves the extra cells empty),
fully empty columns are dropped, `|` is escaped, and inline XML is protected, so every row has
the same number of cells. A table continued on the next page (same columns, or followed by
MinerU's empty merge stub) becomes one table, its repeated header row dropped."""

from __future__ import annotations

import re
from collections.abc import Callable
from html import escape

from schemas.blocks import Block
from specmill.tree.render.code import fence
from specmill.tree.render.inline import clean_inline, escape_line_starts, link_target

ImageLinker = Callable[[str], str | None]
_MAX_SPAN = 200  # a rowspan="10000" from a broken parse must not explode the grid


def _span(value: str | None) -> int:
    digits = re.sub(r"\D", "", value or "")
    return min(max(int(digits), 1), _MAX_SPAN) if digits else 1


def _cell_text(cell, link_image: ImageLinker | None) -> str:
    for br in cell.iter("br"):
        br.tail = "\n" + (br.tail or "")
    for paragraph in cell.iter("p", "div", "li"):
        paragraph.tail = "\n" + (paragraph.tail or "")
    for image in cell.iter("img"):
        source = image.get("src") or ""
        target = link_image(source) if (link_image and source) else None
        image.tail = (f"![image]({link_target(target)})" if target else "[image]") + (image.tail or "")
    lines = [" ".join(line.split()) for line in cell.text_content().split("\n")]
    text = "<br>".join(line for line in lines if line)
    return clean_inline(text).replace("|", "\\|")


_MATH_XML = re.compile(r"\$\s*(</?[A-Za-z_][\w.-]*:[^$<>]*?/?>)\s*\$")
_NAMESPACED = re.compile(r"</?[A-Za-z_][\w.-]*:[A-Za-z_][\w.-]*(?:\s[^<>]*)?/?>")


def _shield_xml(html: str) -> str:
    """Inline XML inside cells (`$<w:tbl>$`, `<w:p>`) would parse as elements and vanish: escape it."""
    html = _MATH_XML.sub(lambda m: "`" + escape(m.group(1)) + "`", html)
    return _NAMESPACED.sub(lambda m: escape(m.group(0)), html)


def parse_table_html(html: str, link_image: ImageLinker | None = None) -> list[list[str]]:
    """The table as a rectangular grid of cell texts (spans expanded); [] when there is no table."""
    if "<t" not in html.lower():
        return []
    import lxml.html

    html = _shield_xml(html)
    try:
        root = lxml.html.fragment_fromstring(html, create_parent="div")
    except Exception:  # lxml raises several types on garbage; an unparsable table renders as text
        return []
    rows = [tr for tr in root.iter("tr")]
    occupied: dict[tuple[int, int], str] = {}
    width = 0
    for row_index, tr in enumerate(rows):
        column = 0
        for cell in tr:
            if not isinstance(cell.tag, str) or cell.tag.lower() not in ("td", "th"):
                continue
            while (row_index, column) in occupied:
                column += 1
            text = _cell_text(cell, link_image)
            rowspan, colspan = _span(cell.get("rowspan")), _span(cell.get("colspan"))
            for down in range(min(rowspan, len(rows) - row_index)):
                for across in range(colspan):
                    occupied[(row_index + down, column + across)] = text if across == 0 else ""
            column += colspan
            width = max(width, column)
    grid = [[occupied.get((r, c), "") for c in range(width)] for r in range(len(rows))]
    return drop_empty_columns(grid)


def drop_empty_columns(grid: list[list[str]]) -> list[list[str]]:
    if not grid:
        return grid
    keep = [c for c in range(len(grid[0])) if any(row[c].strip() for row in grid)]
    return [[row[c] for c in keep] for row in grid if keep]


def grid_to_markdown(grid: list[list[str]]) -> str:
    if not grid or not grid[0]:
        return ""
    width = len(grid[0])
    lines = ["| " + " | ".join(grid[0]) + " |", "|" + " --- |" * width]
    lines.extend("| " + " | ".join(row) + " |" for row in grid[1:])
    return "\n".join(lines)


def _same_row(a: list[str], b: list[str]) -> bool:
    return [" ".join(x.split()).casefold() for x in a] == [" ".join(x.split()).casefold() for x in b]


def is_stub(block: Block) -> bool:
    return block.type == "table" and not (block.table_body or "").strip() and not block.img_path


def is_continuation(previous: Block, block: Block, width: int) -> bool:
    """`block` continues the table run ending with `previous` (of `width` columns) on a later page."""
    if block.type != "table" or previous.type != "table" or block.page <= previous.page:
        return False
    if is_stub(block):
        return True
    if block.captions:
        return False  # a captioned table is a new table
    return width > 0 and table_width(block) == width


def render_table_run(run: list[Block], link_image: ImageLinker | None = None) -> str:
    """Captions, one Markdown table for the whole run, footnotes. A table without HTML (MinerU
    sometimes files prose as a table) renders its text; one with only an image links the image."""
    captions = [c for block in run for c in block.captions]
    footnotes = [f for block in run for f in block.footnotes]
    grid: list[list[str]] = []
    loose: list[str] = []
    for block in run:
        body = block.table_body or ""
        part = parse_table_html(body, link_image) if body.strip() else []
        if part:
            if grid and len(part[0]) == len(grid[0]):
                if _same_row(part[0], grid[0]):
                    part = part[1:]  # the header row repeated on the next page
                grid.extend(part)
            elif not grid:
                grid = part
            else:
                loose.append(grid_to_markdown(part))
        elif body.strip() and (laid_out := render_fixed_width(body)) is not None:
            loose.append(laid_out)
        elif body.strip():
            loose.append(escape_line_starts(clean_inline(body.strip())))
        elif block.img_path and link_image and (target := link_image(block.img_path)):
            loose.append(f"![{_alt(captions)}]({link_target(target)})")
    parts = [escape_line_starts(clean_inline(c)) for c in captions]
    table = grid_to_markdown(grid)
    if table:
        parts.append(table)
    parts.extend(loose)
    parts.extend(escape_line_starts(clean_inline(f)) for f in footnotes)
    return "\n\n".join(p for p in parts if p)


_COLUMN_GAP = re.compile(r"\S {2,}\S")


def is_fixed_width_layout(body: str) -> bool:
    """A table MinerU 4 flash returned as plain text with its columns aligned by runs of spaces
    ("Name      Type      Use"): most of its lines hold a column gap. Kept as preformatted
    text, its columns stay readable; joined as prose, they would run together. Prose filed as
    a table (a heading and paragraphs) has few such lines."""
    lines = [line for line in body.split("\n") if line.strip()]
    gapped = sum(1 for line in lines if _COLUMN_GAP.search(line.strip()))
    return len(lines) >= 2 and gapped >= 2 and gapped * 2 >= len(lines)


_COLUMN_START = re.compile(r"(?:^|(?<=  ))\S")
_ALIGNED_SHARE = 0.8  # of a fixed-width table's lines whose cells all start at the header's columns


def fixed_width_grid(body: str) -> list[list[str]] | None:
    """A fixed-width table (see is_fixed_width_layout) as a grid, cut at the columns its header
    line starts (a cell starts after two or more spaces), with MinerU's words: a line whose only
    text is in the last column continues the row above ("Changes Made" over several lines).
    None when the lines do not keep to the header's columns, or there are not two of them."""
    lines = [line.rstrip() for line in body.split("\n") if line.strip()]
    starts = [match.start() for match in _COLUMN_START.finditer(lines[0])] if lines else []
    if len(starts) < 2 or starts[0] != 0:
        return None
    aligned = sum(1 for line in lines if all(match.start() in starts for match in _COLUMN_START.finditer(line)))
    if aligned < len(lines) * _ALIGNED_SHARE:
        return None
    bounds = [*starts, None]
    grid: list[list[str]] = []
    for line in lines:
        # Spaces inside a cell only aligned the printed text: one is enough in a Markdown table.
        cells = [clean_inline(" ".join(line[start:end].split())).replace("|", "\\|") for start, end in zip(bounds, bounds[1:])]
        if grid and not any(cells[:-1]) and cells[-1]:
            grid[-1][-1] = f"{grid[-1][-1]}<br>{cells[-1]}" if grid[-1][-1] else cells[-1]
        else:
            grid.append(cells)
    return grid if len(grid) >= 2 else None


_VALUE_START = re.compile(r"\S {2,}(?=\S)")
_LABEL_VALUE_SHARE = 0.9  # of the lines that keep to the value column


def render_fixed_width(body: str) -> str | None:
    """Text MinerU kept in fixed-width columns (a table returned as text, lwarp-manual's package
    lists): a Markdown table where the lines keep to the first line's columns or to one value
    column, else a `text` fence when it is laid out in columns at all; None for other text."""
    columned = is_fixed_width_layout(body)
    grid = (fixed_width_grid(body) if columned else None) or label_value_grid(body)
    if grid:
        return grid_to_markdown(grid)
    return fence(body.strip("\n"), "text") if columned else None


def label_value_grid(body: str) -> list[list[str]] | None:
    """A two-column fixed-width table whose second column wraps within itself (lwarp-manual's
    feature lists: "Tabular:   tabular environment, arrayMJ , …" with the value's next lines
    indented to its column, its own cells spaced out by justification) as a grid of label and
    value. The value column is where most labelled lines start their second field; a line
    indented that far continues the row above, and a label that runs over two lines ("HTML
    reserved" / "characters:") is joined. None when the lines do not keep to one value column."""
    if "\n" not in body or "  " not in body:
        return None
    lines = [line.rstrip() for line in body.split("\n") if line.strip()]
    labelled = [match.end() for line in lines if not line[:1].isspace() and (match := _VALUE_START.search(line))]
    if len(labelled) < 2:
        return None
    column = max(set(labelled), key=labelled.count)
    keeps = [line for line in lines if len(line) > column and line[column - 1] == " " and line[column] != " " and (
        not line[:1].isspace() or not line[:column].strip()
    )]
    if len(keeps) < len(lines) * _LABEL_VALUE_SHARE:
        return None
    grid: list[list[str]] = []
    for line in lines:
        label, value = " ".join(line[:column].split()), " ".join(line[column:].split())
        if grid and (not label or (label.endswith(":") and _continues_label(grid[-1][0]))):
            previous = grid[-1]
            if label:
                previous[0] = f"{previous[0]} {label}"
            previous[1] = _joined_value(previous[1], value)
        else:
            grid.append([label, value])
    if len(grid) < 2:
        return None
    return [[clean_inline(cell).replace("|", "\\|") for cell in row] for row in grid]


def _continues_label(label: str) -> bool:
    """A label without its colon runs on into the next line's, which has one."""
    return bool(label) and not label.endswith((":", ".", ","))


def _joined_value(value: str, more: str) -> str:
    if not value:
        return more
    if value.endswith("-") and more[:1].islower():
        return value[:-1] + more  # a word broken at the line's end: "lig-" / "atures"
    return f"{value} {more}"


def table_width(block: Block) -> int:
    grid = parse_table_html(block.table_body or "")
    return len(grid[0]) if grid else 0


def _alt(captions: list[str]) -> str:
    text = captions[0] if captions else "table"
    return re.sub(r"[\[\]\n]", " ", text).strip()[:120]
