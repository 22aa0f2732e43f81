"""Clause headings that MinerU merged into a paragraph, split back out.

MinerU 4 flash sets a statute page such as the BGB as one text block per column:
"**§ 1 Beginn der Rechtsfähigkeit** Die Rechtsfähigkeit … **§ 2 Eintritt der Volljährigkeit** …",
sometimes with two headings in one bold run ("**§§ 3 bis 6 (weggefallen) § 7 Wohnsitz; …**").
Left whole, every clause after the first on the page is missed and its text lands in the wrong
clause. A bold run is split out only when it starts with the id of a clause in the outline, so
ordinary bold text is never touched.

`split_buried_headings` does the same for a heading MinerU merged into a paragraph without bold:
"File 86 **lwarp-chkfloat.sty** § 195 Package **chkfloat**" (a file heading and the clause's),
or "… in the first row. 8.11 Floats 8.11.1 Float contents alignment …" (a whole page as one
block). A heading is cut out there only when all of this holds: the clause's bookmark points at
this very page, its id stands at a word start after the end of a sentence or of a bold run (not
after "see"), and the clause's title follows the id within a couple of words.

`split_code_headings` cuts a code block at a line that is a clause's heading: a documented
LaTeX source sets a section's title in the listing's margin, and MinerU reads it as one more line
of the listing ("7 }" / "Final patchwork" / "8 \\newlistof…", lwarp-manual § 695.20)."""

import re

from schemas.blocks import FURNITURE_BLOCK_TYPES, Block
from schemas.outline import OutlineEntry
from schemas.profile import ClauseIdPattern
from specmill.clause_ids import parse_heading
from specmill.titles import LOST_WORDS, compact, holds_title_words

_BOLD = re.compile(r"\*\*(.+?)\*\*", re.DOTALL)
_WORD_START = re.compile(r"(?:^|(?<=\s))\S")


def _headings_in_bold(inner: str, clause_ids: set[str], patterns: list[ClauseIdPattern]) -> tuple[str, list[str]]:
    """(bold text before the first outline heading, the headings) of a bold run; no headings when
    it holds none. The text before may be a structural heading the outline does not number
    ("Titel 5 Vertretung und Vollmacht § 164 Wirkung der Erklärung des Vertreters")."""
    starts = [
        match.start()
        for match in _WORD_START.finditer(inner)
        if (heading := parse_heading(inner[match.start():], patterns)) is not None and heading.clause_id in clause_ids
    ]
    if not starts:
        return "", []
    bounds = starts + [len(inner)]
    prefix = inner[: starts[0]].strip()
    headings = [inner[a:b].strip() for a, b in zip(bounds, bounds[1:]) if inner[a:b].strip()]
    if prefix and not any(char.isalnum() for char in prefix):
        # "§ 112 Package 2up" for clause 112: the sign belongs to the heading, it is no heading of its own.
        return "", [f"{prefix} {headings[0]}", *headings[1:]]
    return prefix, headings


def _bare_id_mid_sentence(before: str, headings: list[str], bold_prefix: str, patterns: list[ClauseIdPattern]) -> bool:
    """A bold number alone inside a sentence is a reference, not a heading: MinerU bolds the
    linked "3.3" of "have appeared already in section **3.3**, so the explanations …"."""
    if bold_prefix or len(headings) != 1 or not before.strip() or _BOUNDARY_BEFORE.search(before.rstrip()[-2:]):
        return False
    heading = parse_heading(headings[0], patterns)
    return heading is not None and not heading.title


def _carries_its_title(heading_text: str, titles: dict[str, str], patterns: list[ClauseIdPattern]) -> bool:
    heading = parse_heading(heading_text, patterns)
    return heading is not None and holds_title_words(heading.title, titles.get(heading.clause_id, ""))


def _pieces(text: str, clause_ids: set[str], patterns: list[ClauseIdPattern]) -> list[tuple[str, bool]]:
    pieces: list[tuple[str, bool]] = []
    cursor = 0
    for match in _BOLD.finditer(text):
        bold_prefix, headings = _headings_in_bold(match.group(1), clause_ids, patterns)
        if not headings or _bare_id_mid_sentence(text[cursor:match.start()], headings, bold_prefix, patterns):
            continue
        before = text[cursor:match.start()].strip()
        if before:
            pieces.append((before, False))
        if bold_prefix:
            pieces.append((f"**{bold_prefix}**", False))
        pieces.extend((heading, True) for heading in headings)
        cursor = match.end()
    if not pieces:
        return [(text, False)]
    rest = text[cursor:].strip()
    if rest:
        pieces.append((rest, False))
    return pieces


def split_inline_headings(blocks: list[Block], outline: list[OutlineEntry], patterns: list[ClauseIdPattern]) -> list[Block]:
    """Every text block holding bold outline headings becomes heading blocks and body blocks."""
    clause_ids = {entry.clause_id for entry in outline if entry.clause_id}
    titles = {entry.clause_id: entry.title for entry in outline if entry.clause_id}
    result: list[Block] = []
    for block in blocks:
        if block.type != "text" or ("**" not in block.text and block.text_level is None):
            result.append(block)
            continue
        if "**" in block.text:
            pieces = _pieces(block.text, clause_ids, patterns)
        else:
            # A heading block that starts with an unnumbered structural heading:
            # "Sachdarlehensvertrag § 607 Vertragstypische Pflichten beim Sachdarlehensvertrag".
            pieces = _pieces(f"**{block.text}**", clause_ids, patterns)
            pieces = [(text.strip("*") if not is_heading else text, is_heading) for text, is_heading in pieces]
            if not all(_carries_its_title(text, titles, patterns) for text, is_heading in pieces if is_heading):
                # "See section 60.5 for how … See section 94.4 …", a sentence MinerU typed as a
                # heading: the numbers in it are references, not the headings of 60.5 and 94.4.
                pieces = [(block.text, False)]
        if len(pieces) == 1 and not pieces[0][1]:
            result.append(block)
            continue
        for text, is_heading in pieces:
            update = {"text": text, "text_level": 2} if is_heading else {"text": text, "text_level": None}
            result.append(block.model_copy(update=update))
    return result


_BOUNDARY_BEFORE = re.compile(r"(?:[.!?:;)\]]|\*\*)\s*$")


def split_buried_headings(blocks: list[Block], outline: list[OutlineEntry], patterns: list[ClauseIdPattern]) -> list[Block]:
    """Text blocks with an outline heading inside them (not at their start) cut there into the
    text before, the heading (id and title) and the text after; see the module docstring for
    when a heading counts as one."""
    on_page: dict[int, dict[str, OutlineEntry]] = {}
    for entry in outline:
        if entry.clause_id and entry.page is not None:
            on_page.setdefault(entry.page, {})[entry.clause_id] = entry
    result: list[Block] = []
    for block in blocks:
        entries = on_page.get(block.page)
        spans = _buried_headings(block.text, entries, patterns) if entries and block.type == "text" else []
        if not spans:
            result.append(block)
            continue
        cursor = 0
        pieces: list[tuple[str, int | None]] = []
        for start, end in spans:
            pieces.append((block.text[cursor:start], block.text_level if cursor == 0 else None))
            pieces.append((block.text[start:end], 2))
            cursor = end
        pieces.append((block.text[cursor:], None))
        result.extend(block.model_copy(update={"text": text.strip(), "text_level": level}) for text, level in pieces if text.strip())
    return result


def _buried_headings(text: str, entries: dict[str, OutlineEntry], patterns: list[ClauseIdPattern]) -> list[tuple[int, int]]:
    """(start, end) of each heading inside the text, in order. Only where one of the page's
    clause ids occurs at all is the text looked at closely (most blocks hold none: 0.1 s, not
    20 s, over a 5,000-page document)."""
    candidates = sorted({start for clause_id in entries for start in _id_starts(text, clause_id)})
    spans: list[tuple[int, int]] = []
    for position in candidates:
        if spans and position < spans[-1][1]:
            continue
        before = text[:position].rstrip()
        after_heading = bool(spans) and position == spans[-1][1]
        if not before or before.count("**") % 2 or not (after_heading or _BOUNDARY_BEFORE.search(before[-2:])):
            continue  # the block's start (the segmenter's case), inside a bold run, or mid-sentence
        rest = text[position:].replace("**", "")
        entry, title = _heading_at(rest, entries, patterns)
        if entry is None:
            continue
        title_words = _title_length(title, entry.title)
        if title_words:
            # The words before the title (the id, "§") plus the title's; counted from the front,
            # since the parser may trim the end ("… {A Table}. . ." loses its dots).
            after_id = rest.find(entry.clause_id) + len(entry.clause_id)
            id_words = len(rest[: rest.find(title.split()[0], after_id)].split())
            heading_words = id_words + title_words
            spans.append((position, _word_start_after(text, position, heading_words)))
    return spans


def _id_starts(text: str, clause_id: str) -> list[int]:
    """Word starts where `clause_id` (or `§ clause_id`) begins; the id must end there too."""
    starts = []
    found = text.find(clause_id)
    while found != -1:
        end = found + len(clause_id)
        if (end == len(text) or not (text[end].isalnum() or text[end] == ".") or text[end : end + 2] in (". ", ".\n")) and (
            found == 0 or not text[found - 1].isalnum() and text[found - 1] != "."
        ):
            sign = text.rfind("§", max(0, found - 3), found)
            starts.append(sign if sign != -1 and not text[sign:found].strip("§ ") else found)
        found = text.find(clause_id, found + 1)
    return [start for start in starts if start == 0 or text[start - 1].isspace() or text[start - 2 : start] == "**"]


def _word_start_after(text: str, position: int, words: int) -> int:
    """Where the word after the first `words` words from `position` starts (the end of the text if none)."""
    for number, match in enumerate(_WORD_START.finditer(text, position)):
        if number == words:
            return match.start()
    return len(text)


def _title_length(text: str, title: str) -> int:
    """How many of the text's first words make up the outline title (a couple more allowed: see
    holds_title_words); 0 when they do not."""
    words = text.split()
    wanted = len(title.split())
    for count in range(wanted, min(wanted + LOST_WORDS, len(words)) + 1):
        if holds_title_words(" ".join(words[:count]), title):
            return count
    return 0


def _heading_at(text: str, entries: dict[str, OutlineEntry], patterns: list[ClauseIdPattern]) -> tuple[OutlineEntry | None, str]:
    """The page's outline entry whose id `text` starts with ("§ 195" counts as "195"), and the text after the id."""
    for candidate in (text, _SECTION_SIGN.sub("", text, count=1)):
        heading = parse_heading(candidate, patterns)
        if heading is not None and heading.clause_id in entries and heading.title:
            return entries[heading.clause_id], heading.title
    return None, ""


_SECTION_SIGN = re.compile(r"^§+\s*(?=\d)")


_MIN_BARE_TITLE_CHARS = 8  # a shorter title alone on a code line ("Floats", "end") may well be code


def split_code_headings(blocks: list[Block], outline: list[OutlineEntry]) -> list[Block]:
    """Code blocks holding a line that is the heading of a clause whose bookmark points at one of
    the block's pages, cut into the code before, a heading block and the code after. The line must be
    the clause's title, alone (at least 8 letters and digits) or with its id before or after it."""
    on_page: dict[int, list[OutlineEntry]] = {}
    for entry in outline:
        if entry.clause_id and entry.page is not None:
            on_page.setdefault(entry.page, []).append(entry)
    result: list[Block] = []
    headed: set[str] = set()  # clauses whose heading a text block already printed: their title in code is code
    for block, last_page in zip(blocks, _last_pages(blocks)):
        if block.type == "text" and block.page in on_page:
            start = compact(block.text[:200])
            headed |= {e.clause_id for e in on_page[block.page] if start.startswith(compact(f"{e.clause_id} {e.title}"))}
        entries = [entry for page in range(block.page, last_page + 1) for entry in on_page.get(page, ()) if entry.clause_id not in headed]
        result.extend(_cut_at_headings(block, entries) if block.type == "code" and entries and block.code_body else [block])
    return result


def _last_pages(blocks: list[Block]) -> list[int]:
    """The last page each block may reach: a listing joined across page breaks carries its first
    page, and the furniture and gutter line numbers ("1226") it crossed follow it, so the pages up
    to the next block with words are its own."""
    last_pages: list[int] = []
    page = blocks[-1].page if blocks else 0
    for block in reversed(blocks):
        last_pages.append(page)
        if block.type not in FURNITURE_BLOCK_TYPES and not block.text.replace(" ", "").isdigit():
            page = block.page
    return last_pages[::-1]


def _cut_at_headings(block: Block, entries: list[OutlineEntry]) -> list[Block]:
    """The code block as code, heading, code, ... (the block alone when no line is a heading)."""
    lines = (block.code_body or "").split("\n")
    pieces: list[Block] = []
    cursor = 0
    for number, line in enumerate(lines[1:], start=1):
        entry = _code_line_heading(line, entries)
        if entry is None:
            continue
        if "\n".join(lines[cursor:number]).strip():
            pieces.append(block.model_copy(update={"code_body": "\n".join(lines[cursor:number])}))
        # The heading, and the code after it, are on the page its bookmark points at.
        block = block.model_copy(update={"page": max(block.page, entry.page or 0)})
        pieces.append(block.model_copy(update={
            "type": "text", "text": f"{entry.clause_id} {entry.title}", "text_level": 2, "code_body": None, "code_language": None,
        }))
        cursor = number + 1
    if cursor == 0:
        return [block]
    if "\n".join(lines[cursor:]).strip():
        pieces.append(block.model_copy(update={"code_body": "\n".join(lines[cursor:])}))
    return pieces


def _code_line_heading(line: str, entries: list[OutlineEntry]) -> OutlineEntry | None:
    """The entry whose heading the line is, as printed: code such as "[-attachfile-]%" may hold
    a title's letters without being its heading."""
    text = " ".join(line.split())
    for entry in entries:
        title, clause_id = " ".join(entry.title.split()), entry.clause_id
        if not title or not clause_id:
            continue
        numbered = {f"{clause_id} {title}", f"§ {clause_id} {title}", f"{title} {clause_id}", f"{title} § {clause_id}"}
        if text == title and len(compact(title)) >= _MIN_BARE_TITLE_CHARS or text in numbered:
            return entry
    return None
