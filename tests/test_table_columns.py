"""Column evidence from the PDF's ruling lines, and columns as the corpus writes a table."""

import pymupdf

from schemas.blocks import Block
from specmill.tree.table_columns import rendered_columns, ruled_columns, vertical_rules


def _drawings(draw) -> list[dict]:
    document = pymupdf.open()
    page = document.new_page(width=595, height=842)
    draw(page)
    return page.get_drawings()


def test_inner_rules_and_cell_edges_count_columns_and_a_frame_alone_counts_none():
    def grid(page):
        for x in (100, 200, 300, 450):  # four rules: three columns
            page.draw_line((x, 100), (x, 200))
        page.draw_line((100, 100), (450, 100))  # horizontal rules say nothing about columns

    rules = vertical_rules(_drawings(grid))
    assert ruled_columns(rules, 100, 100, 450, 200) == 3
    assert ruled_columns(rules, 100, 300, 450, 400) is None  # nothing drawn there

    def spanning(page):  # a row spanning all columns at the top: the rules below still count
        page.draw_rect(pymupdf.Rect(100, 100, 450, 120))
        for x in (100, 250, 450):
            page.draw_line((x, 120), (x, 200))

    assert ruled_columns(vertical_rules(_drawings(spanning)), 100, 100, 450, 200) == 2

    def frame(page):
        page.draw_rect(pymupdf.Rect(100, 100, 450, 200))

    assert ruled_columns(vertical_rules(_drawings(frame)), 100, 100, 450, 200) is None

    def shaded(page):  # cells told apart by their fills, no rules
        for x0, x1 in ((100, 220), (220, 450)):
            page.draw_rect(pymupdf.Rect(x0, 100, x1, 200), color=None, fill=(0.9, 0.9, 0.9))

    assert ruled_columns(vertical_rules(_drawings(shaded)), 100, 100, 450, 200) == 2


def test_columns_as_written_markdown_html_or_none():
    two = Block(type="table", page=0, table_body="<table><tr><td>a|b</td><td>c</td></tr></table>")
    assert rendered_columns(two) == 2  # an escaped pipe in a cell is no column
    spanning = Block(type="table", page=0, table_body='<table><tr><td colspan="3">all</td></tr><tr><td>a</td><td>b</td><td>c</td></tr></table>')
    assert rendered_columns(spanning) == 3
    prose = Block(type="table", page=0, table_body="MinerU filed a paragraph as a table.")
    assert rendered_columns(prose) == 0
