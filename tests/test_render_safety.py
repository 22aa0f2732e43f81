"""Markup the document prints never becomes live HTML or a script link in the corpus (issue 16):
it is shown as code or escaped; the inline HTML MinerU itself writes (`<sup>`, a web link) stays."""

import pytest

from schemas.blocks import Block
from specmill.tree.render import render_blocks


def text(body: str) -> str:
    return render_blocks([Block(type="text", page=0, text=body)])


@pytest.mark.parametrize(
    ("printed", "rendered"),
    [
        ("img <img src=x onerror=alert(1)> z", "img `<img src=x onerror=alert(1)>` z"),
        ('x <a href="javascript:alert(1)">y</a>', 'x `<a href="javascript:alert(1)">`y</a>'),
        ('x <a href="java&#x09;script:alert(1)">y</a>', 'x `<a href="java&#x09;script:alert(1)">`y</a>'),
        ('a <span style="color:red">s</span> word', 'a `<span style="color:red">`s</span> word'),
        ('tick <img src="`x`" onerror=alert(1)>', 'tick ``<img src="`x`" onerror=alert(1)>``'),
        ("go <javascript:alert(1)> now", "go `<javascript:alert(1)>` now"),
        ("![x](javascript:alert(1))", "!\\[x\\](javascript:alert(1))"),
        ("![y]( DATA:text/html,x)", "!\\[y\\]( DATA:text/html,x)"),
        ("[1]: vbscript:msgbox(1)", "\\[1\\]: vbscript:msgbox(1)"),
        ("open <!-- and the rest of the file", "open `<!--` and the rest of the file"),
        ("<!-- at a line start\nhides what follows", "`<!--` at a line start\nhides what follows"),
        ("a <!-- note --> b", "a `<!-- note -->` b"),
        ('Write <?xml version="1.0"?> and <![CDATA[ x ]]> first.',
         'Write `<?xml version="1.0"?>` and `<![CDATA[ x ]]>` first.'),
    ],
)
def test_printed_markup_that_could_run_script_or_hide_text_is_shown_as_text(printed, rendered):
    assert text(printed) == rendered


def test_inline_html_mineru_writes_stays_live():
    printed = (
        'x<sup>2</sup>, <b>bold</b><br/> and <a href="https://example.org/" title="t">a link</a>'
        ' or <a href="#_Toc1">a note</a>'
    )
    assert text(printed) == printed


def test_markup_in_table_cells_captions_and_descriptions_is_shown_as_text():
    table = Block(
        type="table", page=0,
        table_body="<table><tr><td>&lt;img src=x onerror=alert(1)&gt;</td><td>&lt;!-- open</td></tr></table>",
    )
    assert render_blocks([table]) == "| `<img src=x onerror=alert(1)>` | `<!--` open |\n| --- | --- |"
    image = Block(
        type="image", page=0, img_path="x.png", captions=["<img src=x onerror=alert(1)>"], description='<a href="javascript:x">d</a>'
    )
    assert render_blocks([image]) == (
        '*[image not available]*\n\n`<img src=x onerror=alert(1)>`\n\n> `<a href="javascript:x">`d</a>'
    )


def test_html_in_display_math_is_defused_for_viewers_without_math():
    equation = Block(type="equation", page=0, text="a<b, <img src=x onerror=alert(1)>")
    # TeX ignores the space after '<'; a viewer that shows the source sees no tag.
    assert render_blocks([equation]) == "$$\na<b, < img src=x onerror=alert(1)>\n$$"
