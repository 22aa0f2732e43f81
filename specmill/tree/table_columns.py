"""Does each table keep the PDF's columns? Evidence that does not come from MinerU's table finder.

A ruled table prints a vertical rule between every two columns (or shades its cells, whose edges
say the same). `ruled_columns` counts the distinct x positions of the vertical rules and cell
edges inside a table's area, anywhere over its height (a cell spanning columns in one row hides
a rule that the other rows show): n positions, n - 1 columns. A table with only its frame, or
no rules at all, gives no evidence: its columns are not judged (and are counted as such).

`rendered_columns` reads the table as the corpus writes it (specmill.tree.render.table): the widest
row of its Markdown or HTML table; 0 when it is not written as a table at all."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable

from schemas.blocks import Block
from schemas.tree import ClauseTree, Section, TableColumns
from specmill.tree.render.table import render_table_run

RULE_MAX_WIDTH_PT = 2.0  # a vertical rule drawn as a thin rectangle
SAME_RULE_PT = 3.0  # x positions closer than this are one rule

Rule = tuple[float, float, float]  # x, top, bottom (points)


def vertical_rules(drawings: Iterable[dict]) -> list[Rule]:
    """Vertical rules of a page, and both side edges of every shaded or framed cell, from
    PyMuPDF's `page.get_drawings()`."""
    rules: list[Rule] = []
    for drawing in drawings:
        for item in drawing.get("items", ()):
            if item[0] == "l":
                start, end = item[1], item[2]
                if abs(start.x - end.x) < 1 and abs(start.y - end.y) > 1:
                    rules.append((start.x, min(start.y, end.y), max(start.y, end.y)))
            elif item[0] == "re":
                rect = item[1]
                if rect.height <= 1:
                    continue  # a horizontal rule
                if rect.width < RULE_MAX_WIDTH_PT:
                    rules.append(((rect.x0 + rect.x1) / 2, rect.y0, rect.y1))
                else:
                    rules.extend([(rect.x0, rect.y0, rect.y1), (rect.x1, rect.y0, rect.y1)])
    return rules


def ruled_columns(rules: Iterable[Rule], left: float, top: float, right: float, bottom: float) -> int | None:
    """Columns the rules inside this area (points) draw; None when they draw no inner column
    boundary (a frame alone, or no rules)."""
    xs = sorted(
        x for x, rule_top, rule_bottom in rules
        if left - SAME_RULE_PT <= x <= right + SAME_RULE_PT and rule_top < bottom - 1 and rule_bottom > top + 1
    )
    positions: list[float] = []
    for x in xs:
        if not positions or x - positions[-1] > SAME_RULE_PT:
            positions.append(x)
    return len(positions) - 1 if len(positions) >= 3 else None


_ESCAPED_PIPE = re.compile(r"\\\|")
_HTML_ROW = re.compile(r"<tr\b.*?</tr>", re.DOTALL | re.IGNORECASE)
_HTML_CELL = re.compile(r"<t[hd]\b([^>]*)>", re.IGNORECASE)
_COLSPAN = re.compile(r"colspan\s*=\s*[\"']?(\d+)", re.IGNORECASE)


def rendered_columns(block: Block) -> int:
    """Columns of the table block as the corpus writes it; 0 when it is written as no table."""
    markdown = render_table_run([block])
    for line in markdown.split("\n"):
        if line.startswith("|") and line.rstrip().endswith("|"):
            return _ESCAPED_PIPE.sub("", line).count("|") - 1
    rows = _HTML_ROW.findall(markdown)
    if rows:
        return max(sum(int(m.group(1)) if (m := _COLSPAN.search(attributes)) else 1 for attributes in _HTML_CELL.findall(row)) for row in rows)
    return 0


def table_columns(tree: ClauseTree, ruled: Callable[[Block], int | None]) -> list[TableColumns]:
    """Every table block of the tree: its columns as written, and as the PDF's rules draw them."""
    found: list[TableColumns] = []

    def visit(section: Section) -> None:
        for block in section.blocks:
            if block.type == "table" and (block.table_body or "").strip():
                found.append(TableColumns(section=section.key, page=block.page, rendered=rendered_columns(block), ruled=ruled(block)))
        for child in section.children:
            visit(child)

    for section in tree.sections:
        visit(section)
    return found
