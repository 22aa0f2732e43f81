"""Listings that MinerU set one block per printed line, joined back into one code block.

MinerU 4 flash often files each line of a printed listing (an XSD fragment, a JSON example, an
XML instance) as its own `code` block, and a line of bare punctuation (`{`, `},`, `]`) or of markup
between them as a `text` block. Rendered one by one, that is a fence per line (issue 14: 860 of
882 fences in one specification), and the punctuation lines fall out of the listing. Its
indentation is lost as well: MinerU gives every line the listing's full width as its bbox.

`join_listings` puts such a run back together: consecutive code blocks (across a page break too)
and the punctuation or markup lines between and after them become one code block. Where the PDF's
text layer has the lines in a monospaced font, each line gets the indentation it is printed with,
measured from its x position; the words stay MinerU's, so what verification sees is unchanged.

A run ends at anything else: prose, a heading, a caption (which opens the next listing), an
example marker, a running header that may be a clause heading."""

from __future__ import annotations

import re
import statistics
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from schemas.blocks import FURNITURE_BLOCK_TYPES, Block
from schemas.outline import OutlineEntry
from specmill.tree.render.code import is_markup_line, reads_as_prose, split_example_markers
from specmill.tree.render.inline import strip_bullets, without_bold, without_underline
from specmill.tree.segment import is_gutter

_PUNCTUATION_LINE = re.compile(r"^[\s{}\[\](),;:]+$")
# Pieces of a tag that a listing breaks over lines: `<ds:DigestMethod` and `Algorithm="…"/>`.
_ATTRIBUTE = r'[A-Za-z_][\w.\-]*(?::[\w.\-]+)?\s*=\s*"[^"]*"'
_TAG_PIECE = re.compile(
    rf'^(?:</?[A-Za-z_][\w.\-]*(?::[A-Za-z_][\w.\-]*)?(?:\s+{_ATTRIBUTE})*\s*/?>?|(?:{_ATTRIBUTE}\s*)+/?>?)$'
)
_PROSE = re.compile(r"\b[a-z]{2,}\s+[a-z]{2,}\s+[a-z]{2,}\b")
_MARKDOWN_ESCAPE = re.compile(r"\\([$\[\]_*#`])")
# A numbered heading printed in the listing's font ('5.4.7 <ds:KeyInfo>') opens no listing.
_DOTTED_NUMBER = re.compile(r"^\s*(?:\d+(?:\.\d+)+|[A-Z](?:\.\d+)+)\.?\s")
_CODE_CHARACTER = re.compile(r"[{}()\[\]=;$\\<>|#]")
_LEADING_NUMBER = re.compile(r"^\s*(\d{1,6})\s+")
_NUMBERED = re.compile(r"^\s*(?:\d+(?:\.\d+)*|[A-Z](?:\.\d+)+)\.?\s+\S")


@dataclass(frozen=True)
class PrintedLine:
    """One line of the PDF's text layer: where it starts and how wide one character is."""

    x0: float  # points
    top: float  # points
    text: str
    char_width: float | None  # points per character when the line is set in a monospaced font
    number: int | None = None  # the line number printed in a listing's gutter, left of the text


LinesUnder = Callable[[Block], Sequence[PrintedLine] | None]


def is_listing_line(block: Block) -> bool:
    """A text block that is a line of a listing: bare punctuation or a line of markup. A line of
    bare punctuation that MinerU filed as page furniture (a `},` at a page's top typed header)
    is one too."""
    text = _plain(block.text)
    if not text:
        return False
    if block.type in FURNITURE_BLOCK_TYPES:
        return _PUNCTUATION_LINE.match(text) is not None
    return block.type == "text" and (
        _PUNCTUATION_LINE.match(text) is not None or _TAG_PIECE.match(text) is not None
        or is_markup_line(block.model_copy(update={"text": text}))
    )


def _plain(text: str) -> str:
    """A text block's words without MinerU's underline and bold marks, which a code block would
    show literally."""
    return without_bold(without_underline(text)).strip()


def is_listing_code(block: Block) -> bool:
    body = (block.code_body or "").strip()
    return block.type == "code" and bool(body) and not reads_as_prose(without_underline(body))


def _starts_markup(block: Block) -> bool:
    """A text block that is a line or a piece of XML (`<Circles xmlns="…"`): a listing MinerU set
    wholly as text may start there. It becomes one only when at least one more line follows."""
    return block.type == "text" and _plain(block.text).startswith("<") and is_listing_line(block)


def _may_cross(block: Block) -> bool:
    """Page furniture a listing runs across (a footer, a page number, a running header, a
    line-number gutter set as text: the segmenter drops them all)."""
    if block.type == "text":
        return is_gutter(block.text)
    if block.type not in FURNITURE_BLOCK_TYPES:
        return False
    return not (block.type == "header" and _NUMBERED.match(block.text))


def _printed_in_monospace(block: Block, lines_under: LinesUnder | None) -> bool:
    """A text block the PDF prints in a monospaced font, and not a numbered heading: a listing's
    line that MinerU took for prose (a base64 value, `Algorithm="…"/> <ds:Transforms>`) or set
    as an image-only equation (its words then come from the text layer)."""
    if lines_under is None or block.type not in ("text", "equation") or block.text_level or _NUMBERED.match(block.text):
        return False
    if _PROSE.search(block.text) or any(split_example_markers(block.text)[0::2]):
        return False  # a sentence or an example marker, whatever its font (and no PDF work)
    return _wholly_monospaced(block, lines_under)


def _wholly_monospaced(block: Block, lines_under: LinesUnder) -> bool:
    printed = lines_under(block)
    return bool(printed) and all(line.char_width for line in printed)


def _code_in_monospace(block: Block, lines_under: LinesUnder | None) -> bool:
    """A text block with a character of code in it (`$ { } = ;` …), no run of prose words, and
    every line of it printed in a monospaced font. Only blocks with such a character are looked
    up in the PDF."""
    if lines_under is None or block.type not in ("text", *FURNITURE_BLOCK_TYPES) or not _CODE_CHARACTER.search(block.text):
        return False
    if _PROSE.search(block.text) or _DOTTED_NUMBER.match(block.text):
        return False  # prose, or a numbered heading in the listing's font ("5.4.7 <ds:KeyInfo>"); "78 $ echo" is output
    if any(split_example_markers(block.text)[0::2]) or strip_bullets(block.text)[1]:
        return False  # an example marker, or a list item
    return _wholly_monospaced(block, lines_under)


def _numbered_listing(block: Block, lines_under: LinesUnder | None) -> bool:
    """A text block the PDF prints as numbered lines of a listing: every line monospaced, and a
    rising line number in the gutter left of them (lwarp-manual's package source, which MinerU
    ran into paragraphs: "12074 \\newenvironment{…} 12075 {% 12076 …"). Comments in prose do
    not matter here: the numbers and the font say listing. Only a block whose own words hold
    such numbers is looked up in the PDF."""
    if lines_under is None or block.type != "text" or not _starts_with_a_line_number(block.text):
        return False
    printed = lines_under(block)
    if not printed or not all(line.char_width or (line.number is not None and not line.text) for line in printed):
        return False
    numbers = [line.number for line in printed if line.number is not None]
    if len(printed) == 1:
        return len(numbers) == 1  # a one-line listing: "12100 \\newcounter{LWR@nextequation}"
    return len(numbers) >= 2 and all(a < b for a, b in zip(numbers, numbers[1:]))


def _starts_with_a_line_number(text: str) -> bool:
    """The text starts with a number that is a word of its own ("12074 \\newenvironment…",
    "831 Lwarp must find…"): a numbered line of a listing may, and a numbered heading ("3.1")
    or a sentence does not."""
    return _LEADING_NUMBER.match(text) is not None


def _continues(last: Block, block: Block, lines_under: LinesUnder | None = None) -> bool:
    """`block` carries on the listing whose latest block is `last`."""
    if block.page not in (last.page, last.page + 1):
        return False
    if block.type != "code":
        return (
            is_listing_line(block) or _numbered_listing(block, lines_under) or _printed_in_monospace(block, lines_under)
            or _code_in_monospace(block, lines_under)
        )
    if not is_listing_code(block) or block.captions:
        return False  # a caption names a new listing
    if last.type == "code" and (last.sub_type or "code") != (block.sub_type or "code"):
        return False
    opening, _, _ = split_example_markers(block.code_body or "")
    _, _, closing = split_example_markers(last.code_body or "") if last.type == "code" else ("", "", "")
    return not opening and not closing


def heading_texts(outline: Sequence[OutlineEntry]) -> frozenset[str]:
    """What a clause heading of the outline may read as, whole or in pieces: its id, its title,
    and both. A listing never runs across one (lwarp-manual titles clauses with macro names set
    in the listing's font: "97 \\phantomsection", "40.3.2 lwarpmk.conf")."""
    texts = set()
    for entry in outline:
        # A bare top-level number is left out: a listing's line number set as text reads the same.
        bare_id = entry.clause_id if entry.clause_id and not entry.clause_id.isdigit() else None
        for text in (bare_id, entry.title, f"{entry.clause_id} {entry.title}" if entry.clause_id else None):
            if text:
                texts.add(_heading_key(text))
    return frozenset(texts)


def _heading_key(text: str) -> str:
    return " ".join(without_bold(text).replace("§", " ").split())


def join_listings(blocks: list[Block], lines_under: LinesUnder | None = None, headings: frozenset[str] = frozenset()) -> list[Block]:
    """The block stream with every listing run joined into one code block (see the module
    docstring). Furniture crossed inside a run follows the joined block; nothing is dropped.
    `headings` (from `heading_texts`) are never joined or crossed."""
    out: list[Block] = []
    index = 0
    while index < len(blocks):
        block = blocks[index]
        # A text block that is code by the PDF's font opens a listing of its own (bash-reference's
        # examples, which MinerU typed as headings: "$ echo ${string:7:-2}").
        numbered = block.type == "text" and not _is_heading(block, headings) and (
            _numbered_listing(block, lines_under) or _code_in_monospace(block, lines_under)
        )
        if not (is_listing_code(block) or _starts_markup(block) or numbered):
            out.append(block)
            index += 1
            continue
        members, crossed, end = _run_from(blocks, index, lines_under, headings)
        leading = _leading_lines(out, block)
        if leading:
            del out[-len(leading):]
            members = leading + members
        if len(members) == 1 and not numbered:
            out.append(block)
        else:
            out.append(_joined(members, lines_under))
            out.extend(crossed)
        index = end
    return out


def _leading_lines(before: list[Block], first: Block) -> list[Block]:
    """Listing lines just before a run's first code block (an opening `{`): they belong to it."""
    start = len(before)
    while start and is_listing_line(before[start - 1]) and before[start - 1].page in (first.page, first.page - 1):
        start -= 1
    return before[start:]


def _is_heading(block: Block, headings: frozenset[str]) -> bool:
    return bool(headings) and block.type in ("text", "header") and _heading_key(block.text) in headings


def _run_from(
    blocks: list[Block], start: int, lines_under: LinesUnder | None, headings: frozenset[str] = frozenset()
) -> tuple[list[Block], list[Block], int]:
    """(the run's members, the furniture crossed between them, the index after the run)."""
    members = [blocks[start]]
    crossed: list[Block] = []
    waiting: list[Block] = []  # furniture not yet known to lie inside the run
    index = start + 1
    while index < len(blocks):
        block = blocks[index]
        if _is_heading(block, headings):
            break
        if _continues(members[-1], block, lines_under):
            crossed.extend(waiting)
            waiting = []
            members.append(block)
        elif _may_cross(block):
            waiting.append(block)
        else:
            break
        index += 1
    return members, crossed, index - len(waiting)


def _joined(members: list[Block], lines_under: LinesUnder | None) -> Block:
    if all(member.bbox for member in members):
        # MinerU puts a page's furniture first in reading order: a `},` typed header at the top
        # of a page goes back to where it is printed among the listing's lines.
        members = sorted(members, key=lambda member: (member.page, member.bbox[1]))
    indented = _indented_lines(members, lines_under) if lines_under else None
    if indented is None:
        indented = [_body(member, lines_under) for member in members]
    codes = [member for member in members if member.type == "code"]
    first = members[0]
    return (codes[0] if codes else first).model_copy(
        update={
            "type": "code",
            "sub_type": codes[0].sub_type if codes else "code",
            "text": "",
            "text_level": None,
            "page": first.page,
            "bbox": first.bbox,
            "code_body": "\n".join(indented),
            "code_language": next((member.code_language for member in codes if member.code_language), None),
            "captions": [caption for member in codes for caption in member.captions],
            "footnotes": [note for member in codes for note in member.footnotes],
        }
    )


def _body(block: Block, lines_under: LinesUnder | None) -> str:
    if block.type == "code":
        return (block.code_body or "").strip("\n")
    if block.type == "equation" and lines_under is not None:  # an image of a listing's line
        return "\n".join(line.text for line in lines_under(block) or ())
    return _plain(block.text)


def _indented_lines(members: list[Block], lines_under: LinesUnder) -> list[str] | None:
    """Each member's body with the indentation the PDF prints its lines with; None when the text
    layer does not show a monospaced listing line for line (then MinerU's text stands as it is)."""
    measured: list[tuple[list[str], Sequence[PrintedLine]]] = []
    for member in members:
        body_lines = _body(member, lines_under).split("\n")
        printed = lines_under(member) or ()
        if any(line.number is not None for line in printed):
            body_lines = _split_at_numbers(body_lines, printed)
            printed = printed if body_lines else ()
        elif len(printed) != len(body_lines):
            rewrapped = _rewrapped(body_lines, printed) or _same_characters_as_printed(body_lines, printed)
            printed = printed if rewrapped else ()
            body_lines = rewrapped or body_lines
        if member.type != "code" and printed:
            body_lines = [_unescaped_like(text, line.text) for text, line in zip(body_lines, printed)]
        measured.append((body_lines, printed))
    widths = [line.char_width for _, printed in measured for line in printed if line.char_width]
    starts = [line.x0 for _, printed in measured for line in printed]
    if not widths or len(widths) < len(starts) / 2:
        return None  # not a monospaced listing: columns cannot be counted
    char_width = statistics.median(widths)
    left = min(starts)
    bodies: list[str] = []
    for body_lines, printed in measured:
        if not printed:
            bodies.append("\n".join(body_lines))
            continue
        lines = []
        for text, line in zip(body_lines, printed):
            columns = round((line.x0 - left) / char_width)
            lines.append(" " * columns + text.strip() if text.strip() else "")
        bodies.append("\n".join(lines))
    return bodies


def _squashed(text: str) -> str:
    return "".join(text.split())


def _unescape(text: str) -> str:
    return _MARKDOWN_ESCAPE.sub(r"\1", text)


def _unescaped_like(text: str, printed: str) -> str:
    """MinerU's line without the Markdown escapes it puts in text (`\\$`, `\\[`), where the PDF
    prints the line without them: in code they would be read literally. LaTeX's own `\\$` stays."""
    if "\\" not in text:
        return text
    plain = _unescape(text)
    return plain if _squashed(plain) == _squashed(printed) else text


def _same_characters_as_printed(body_lines: list[str], printed: Sequence[PrintedLine]) -> list[str]:
    """The PDF's lines, where they hold exactly MinerU's characters (spaces and MinerU's escapes
    aside) and only the line breaks and spacing differ; else []."""
    if not printed:
        return []
    mine = _squashed(_unescape(" ".join(body_lines)))
    return [line.text for line in printed] if mine == _squashed(" ".join(line.text for line in printed)) else []


def _split_at_numbers(body_lines: list[str], printed: Sequence[PrintedLine]) -> list[str]:
    """MinerU's words of a numbered listing broken into the PDF's lines at the line numbers, which
    are dropped: each printed number must come up, in order, as a word of its own. Failing that,
    the PDF's own lines (rather than one line with the numbers run into it)."""
    words = " ".join(body_lines).split()
    lines: list[str] = []
    position = 0
    for index, line in enumerate(printed):
        if line.number is None or position >= len(words) or words[position] != str(line.number):
            return [line.text for line in printed]
        following = next((later.number for later in printed[index + 1 :] if later.number is not None), None)
        end = position + 1
        while end < len(words) and words[end] != str(following):
            end += 1
        lines.append(" ".join(words[position + 1 : end]))
        position = end
    return lines


def _rewrapped(body_lines: list[str], printed: Sequence[PrintedLine]) -> list[str]:
    """MinerU's words broken into lines where the PDF breaks them (MinerU joins a block's lines
    with spaces); [] when the word counts disagree, so that no word is moved on a guess."""
    words = " ".join(body_lines).split()
    counts = [len(line.text.split()) for line in printed]
    if not printed or sum(counts) != len(words):
        return []
    lines, start = [], 0
    for count in counts:
        lines.append(" ".join(words[start : start + count]))
        start += count
    return lines
