"""Names in name contexts of a Markdown clause file, with their exact offsets.

Only places where the text *says* a word is a markup name are read: tags and attributes in XML
listings and examples (`<w:pPr>`, `<Default Extension=`, `</source>`, `xml:space=`), `name="…"`,
`ref="…"` and `type="…"` values and `element X` / `attribute X` in printed schemas, the name
column of element/attribute tables, inline code, and prefixed names in prose when the prefix is
one the document's markup uses. Prose words are never read: "the table element" would drown the
real garbles in noise. Offsets point at the local part of each name, so a correction can replace
exactly that and nothing else."""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from functools import lru_cache

from schemas.vocabulary import TokenKind

XSD_NAMESPACE = "http://www.w3.org/2001/XMLSchema"
RNG_NAMESPACE = "http://relaxng.org/ns/structure/1.0"
# Prefixes conventionally bound to the schema languages when the binding itself is not visible
# (a listing split across pages loses the xmlns declarations of its first page).
DEFAULT_SCHEMA_PREFIXES = {"xs": "xsd", "xsd": "xsd", "rng": "rng"}
_XSD_NAME_KINDS: dict[str, TokenKind] = {
    "element": "element", "attribute": "attribute", "complexType": "type", "simpleType": "type",
    "group": "type", "attributeGroup": "type",
}
_RNG_NAME_KINDS: dict[str, TokenKind] = {"element": "element", "attribute": "attribute", "define": "type", "ref": "type"}

NAME = r"[A-Za-z_][\w.\-]*"
# Where the context already says "a name stands here", a garbled first letter may be a digit
# (`1ineScale` for `lineScale`): accept it, as long as the name has a letter at all.
GARBLED_NAME = r"[0-9]*[A-Za-z_][\w.\-]*"
_FENCE = re.compile(r"^(?P<indent> {0,3})(?P<marker>`{3,}|~{3,})[^\n]*\n(?P<body>.*?)^(?P=indent)?(?P=marker)[`~]*[ \t]*$", re.DOTALL | re.MULTILINE)
_COMMENT = re.compile(r"<!--.*?-->", re.DOTALL)
_CODE_SPAN = re.compile(r"(`+)(?P<body>[^`\n](?:.*?[^`\n])?)\1")
_TAG_OPEN = re.compile(rf"<(?P<close>/?)(?:(?P<prefix>{NAME}):)?(?P<name>{GARBLED_NAME})")
_ATTRIBUTE = re.compile(rf"(?<![\w.:\-\"'])(?:(?P<prefix>{NAME}):)?(?P<name>{GARBLED_NAME})\s*=\s*(?P<quote>[\"'])(?P<value>[^\"'<>\n]*)(?P=quote)?")
_XMLNS = re.compile(r"xmlns(?::(?P<prefix>[\w.\-]+))?\s*=\s*[\"'](?P<uri>[^\"']*)[\"']")
# Constructs only a schema language has: XSD's type machinery, or element/attribute declarations
# with XSD's own attributes; RELAX NG's patterns.
_UNPREFIXED_XSD = re.compile(
    r"</?(?:complexType|simpleType|complexContent|simpleContent|attributeGroup)\b"
    r"|<(?:element|attribute)\s[^<>]*?\b(?:type|ref|use|minOccurs|maxOccurs|substitutionGroup)\s*="
    r"|<(?:extension|restriction)\s+base\s*=|</(?:extension|restriction)>"
    r"|<any(?:Attribute)?\s[^<>]*?\bprocessContents\s*=|<(?:import|include|redefine)\s[^<>]*?\bschemaLocation\s*="
)
_UNPREFIXED_RNG = re.compile(r"</?(?:define|zeroOrMore|oneOrMore|interleave|notAllowed|grammar)\b")
_RNC_DECLARATION = re.compile(rf"\b(?P<keyword>element|attribute)\s+(?:(?P<prefix>{NAME}):)?(?P<name>{GARBLED_NAME})\s*\{{")
_TABLE_SEPARATOR = re.compile(r"^\s*\|?\s*:?-{3,}:?\s*(?:\|\s*:?-{3,}:?\s*)*\|?\s*$")
_NAME_HEADER = re.compile(r"^\s*(?:child\s+|parent\s+)?(?P<what>elements?|attributes?|names?)\b", re.IGNORECASE)
_CELL_NAME = re.compile(rf"^[\s`<\\*]*(?:(?P<prefix>{NAME}):)?(?P<name>{GARBLED_NAME})")
# A cell of another column that holds one name and nothing else (`| b64Sig | Base64Signature |`).
_LONE_CELL_NAME = re.compile(rf"^[\s`<@\\*\"']*(?:(?P<prefix>{NAME}):)?(?P<name>{GARBLED_NAME})[`>/\\*\"']*\s*$")
_QNAME_PREFIX = re.compile(r"[A-Za-z][\w\-]*")
_QNAME_NOT_AFTER = re.compile(r"[\w/:.\-@]")  # a prose qualified name starts after none of these
_QNAME_BEFORE = rf"(?<!{_QNAME_NOT_AFTER.pattern})"
_QNAME_LOCAL = r":(?P<name>[0-9]*[A-Za-z_][\w.\-]*[\w])(?![\w:/])"
_QNAME = re.compile(rf"{_QNAME_BEFORE}(?P<prefix>{_QNAME_PREFIX.pattern}){_QNAME_LOCAL}")
_INLINE_NAME = re.compile(rf"\s*(?:(?P<prefix>{NAME}):)?(?P<name>{NAME})\s*")
_PROSE_KIND = re.compile(r"\s+(?P<what>element|attribute)s?\b", re.IGNORECASE)


@dataclass(frozen=True)
class NameToken:
    name: str  # local part, as the text spells it
    prefix: str | None
    kind: TokenKind
    context: str  # xml-tag | xml-attribute | schema-name | schema-ref | rnc | table | table-cell | inline-code | prose-qname
    start: int  # offsets of `name` in the Markdown text
    end: int


def schema_prefixes(text: str) -> dict[str, str]:
    """prefix -> 'xsd' | 'rng' for the schema-language namespaces bound in `text` (plus the defaults);
    the key '' stands for a default namespace bound to one of them, declared or evident."""
    found = dict(DEFAULT_SCHEMA_PREFIXES)
    for match in _XMLNS.finditer(text):
        language = {XSD_NAMESPACE: "xsd", RNG_NAMESPACE: "rng"}.get(match.group("uri"))
        if language:
            found[match.group("prefix") or ""] = language
    if "" not in found:
        language = _unprefixed_schema_language(text)
        if language:
            found[""] = language
    return found


def _unprefixed_schema_language(text: str) -> str | None:
    """The schema language of a listing written without prefixes whose binding is not shown
    (SAML 2.0 prints `<element name="Condition" type="saml:ConditionAbstractType"/>`, the schema
    file binding XML Schema as the default namespace): its constructs give it away. Read as
    instance markup, its declared names were never checked and `name`/`type` looked like names."""
    if _UNPREFIXED_XSD.search(text):
        return "xsd"
    if _UNPREFIXED_RNG.search(text):
        return "rng"
    return None


def _xml_tokens(text: str, base: int, languages: dict[str, str]) -> Iterator[NameToken]:
    """Tags and attributes of an XML listing or example (possibly a fragment cut at a page break)."""
    for tag in _TAG_OPEN.finditer(text):  # never at `<!` or `<?`: a name or `/` must follow `<`
        prefix, local = tag.group("prefix", "name")
        language = languages.get(prefix or "")
        end = tag.end()
        # The attribute region: up to the end of the tag (or of the fragment).
        stop = len(text)
        for position in (text.find("<", end), text.find(">", end)):
            if position != -1 and position < stop:
                stop = position
        if language is None:
            yield NameToken(local, prefix, "element", "xml-tag", base + tag.start("name"), base + tag.end("name"))
        region = text[end:stop]
        if "=" not in region:  # every attribute has one
            continue
        for attribute in _ATTRIBUTE.finditer(region):
            attribute_prefix, attribute_name = attribute.group("prefix"), attribute.group("name")
            if attribute_prefix == "xmlns" or (attribute_prefix is None and attribute_name == "xmlns"):
                continue
            offset = base + end
            if language is None:
                yield NameToken(attribute_name, attribute_prefix, "attribute", "xml-attribute",
                                offset + attribute.start("name"), offset + attribute.end("name"))
                continue
            yield from _schema_value(language, local, attribute, offset, languages)


def _schema_value(language: str, construct: str, attribute: re.Match[str], offset: int, languages: dict[str, str]) -> Iterator[NameToken]:
    """`name="X"`, `ref="p:X"`, `type="p:X"` on a schema-language tag: the value is a declared or used name."""
    which = attribute.group("name")
    kinds = _XSD_NAME_KINDS if language == "xsd" else _RNG_NAME_KINDS
    if which == "name" and construct in kinds:
        kind = kinds[construct]
        context = "schema-name"
    elif which == "ref" and construct in kinds:
        kind = kinds[construct] if language == "xsd" else "type"
        context = "schema-ref"
    elif which in ("type", "base") and language == "xsd":
        kind, context = "type", "schema-ref"
    else:
        return
    value = attribute.group("value")
    match = re.fullmatch(rf"\s*(?:(?P<prefix>{NAME}):)?(?P<name>{GARBLED_NAME})\s*", value)
    if not match:
        return  # a value that is not one name
    prefix = match.group("prefix") or ""
    xsd_prefixes = {p for p, lang in languages.items() if lang == "xsd"}
    if (prefix and prefix in xsd_prefixes) or (not prefix and which != "name" and "" in xsd_prefixes):
        return  # a built-in type: `xsd:string`, or `string` where XML Schema is the default namespace
    start = offset + attribute.start("value") + match.start("name")
    yield NameToken(match.group("name"), match.group("prefix"), kind, context, start, start + len(match.group("name")))


def _rnc_tokens(text: str, base: int) -> Iterator[NameToken]:
    for match in _RNC_DECLARATION.finditer(text):
        yield NameToken(match.group("name"), match.group("prefix"), match.group("keyword"), "rnc",  # type: ignore[arg-type]
                        base + match.start("name"), base + match.end("name"))


def _table_tokens(text: str, base: int) -> Iterator[NameToken]:
    """The name column(s) of pipe tables whose header says Element(s)/Attribute(s)/Name, and in
    every other column the cells that hold one name and nothing else ("table-cell"): headers do
    not always say where names stand ("mapped from element name", "Prefix", "XML schema"). A
    "table-cell" token is a weaker claim, judged only by what the PDF prints (check.py)."""
    lines = text.split("\n")
    offsets = []
    position = 0
    for line in lines:
        offsets.append(position)
        position += len(line) + 1
    index = 0
    while index + 1 < len(lines):
        header, separator = lines[index], lines[index + 1]
        if not (header.lstrip().startswith("|") and _TABLE_SEPARATOR.match(separator)):
            index += 1
            continue
        columns: dict[int, TokenKind] = {}
        caption = _caption_kind(lines[:index])
        for number, cell in enumerate(_cells(header)):
            match = _NAME_HEADER.match(cell[0])
            if match:
                what = match.group("what").lower()
                columns[number] = "attribute" if what.startswith("attribute") else "element" if what.startswith("element") else caption
        row = index + 2
        while row < len(lines) and lines[row].lstrip().startswith("|"):
            for number, (cell, cell_start) in enumerate(_cells(lines[row])):
                kind, context = (columns[number], "table") if number in columns else ("name", "table-cell")
                match = (_CELL_NAME.match if number in columns else _LONE_CELL_NAME.match)(cell)
                if match and context == "table-cell" and match.group("prefix") in DEFAULT_SCHEMA_PREFIXES:
                    continue  # a built-in type (`xsd:decimal` in a Type column), not the document's name
                if match:
                    start = base + offsets[row] + cell_start + match.start("name")
                    yield NameToken(match.group("name"), match.group("prefix"), kind, context, start, start + len(match.group("name")))
            row += 1
        index = row


def _caption_kind(before: list[str]) -> TokenKind:
    """A 'Name' column is an attribute or element column when the caption above says so ("Table 2 — Attributes of body")."""
    for line in reversed(before[-3:]):
        if line.strip():
            lowered = line.lower()
            return "attribute" if "attribute" in lowered else "element" if "element" in lowered else "name"
    return "name"


def _cells(line: str) -> list[tuple[str, int]]:
    """Cells of a pipe-table row with their offsets in the line (escaped pipes stay in the cell)."""
    cells = []
    start = line.index("|") + 1
    position = line.find("|", start)
    while position != -1:
        if line[position - 1] != "\\":
            cells.append((line[start:position], start))
            start = position + 1
        position = line.find("|", position + 1)
    if line[start:].strip():
        cells.append((line[start:], start))
    return cells


def _blank(text: str) -> str:
    """`text` as spaces, its line breaks kept."""
    return "\n".join(" " * len(line) for line in text.split("\n"))


def _masked(text: str, spans: Iterable[tuple[int, int]]) -> str:
    """`text` with the given spans blanked out (same length, so offsets stay valid). Built from
    slices: a per-character list made this a quarter of token extraction at 8,000 files."""
    pieces: list[str] = []
    position = 0
    for start, end in sorted(spans):
        start = max(start, position)
        if end <= start:
            continue
        pieces.append(text[position:start])
        pieces.append(_blank(text[start:end]))
        position = end
    if not pieces:
        return text
    pieces.append(text[position:])
    return "".join(pieces)


@lru_cache(maxsize=64)
def _prose_qname(prefixes: frozenset[str]) -> re.Pattern[str] | None:
    """`_QNAME` for the given prefixes, without its look-behind (None: no prefix can match).

    Read with `_prose_qnames`, it finds exactly the matches of `_QNAME` whose prefix is one of
    these: every character of a match is one `_QNAME`'s look-behind refuses before a start, so no
    match, kept or refused, can hide another. Naming the prefixes up front lets the regex engine
    jump to them instead of trying a prefix at every letter of the prose."""
    usable = [p for p in prefixes if _QNAME_PREFIX.fullmatch(p)]
    if not usable:
        return None
    alternatives = "|".join(re.escape(p) for p in sorted(usable, key=lambda p: (-len(p), p)))
    return re.compile(rf"(?P<prefix>{alternatives}){_QNAME_LOCAL}")


def _prose_qnames(text: str, pattern: re.Pattern[str]) -> Iterator[re.Match[str]]:
    """The matches of a `_prose_qname` pattern that `_QNAME`'s look-behind allows."""
    for match in pattern.finditer(text):
        start = match.start()
        if start and _QNAME_NOT_AFTER.match(text, start - 1):
            continue
        yield match


def extract_name_tokens(markdown: str, *, known_prefixes: Iterable[str] = ()) -> list[NameToken]:
    """Every name-context token of one Markdown file, in text order."""
    prefixes = frozenset(known_prefixes)
    # Each pass below runs only when the text holds what it looks for: most clause files have no
    # fence, code span, table or prefixed name, and skipping those scans is most of the speed.
    text = _COMMENT.sub(lambda m: " " * len(m.group(0)), markdown) if "<!--" in markdown else markdown
    tokens: list[NameToken] = []
    fences = list(_FENCE.finditer(text)) if ("```" in text or "~~~" in text) else []
    for fence in fences:
        body, base = fence.group("body"), fence.start("body")
        tokens.extend(_xml_tokens(body, base, schema_prefixes(body)))
        tokens.extend(_rnc_tokens(body, base))
    prose = _masked(text, [(f.start(), f.end()) for f in fences])
    spans = list(_CODE_SPAN.finditer(prose)) if "`" in prose else []
    for span in spans:
        body, base = span.group("body"), span.start("body")
        if "<" in body:
            tokens.extend(_xml_tokens(body, base, schema_prefixes(body)))
            continue
        match = _INLINE_NAME.fullmatch(body)
        if match and not match.group("name").endswith((".", "-")):
            tokens.append(NameToken(match.group("name"), match.group("prefix"), "name", "inline-code", base + match.start("name"), base + match.end("name")))
    if "|" in prose:
        tokens.extend(_table_tokens(prose, 0))
    qname = _prose_qname(prefixes) if prefixes else None
    if qname is not None and any(f"{prefix}:" in prose for prefix in prefixes):
        plain = _masked(prose, [(s.start(), s.end()) for s in spans])
        for match in _prose_qnames(plain, qname):
            after = _PROSE_KIND.match(plain, match.end())
            kind: TokenKind = after.group("what").lower() if after else "name"  # type: ignore[assignment]
            tokens.append(NameToken(match.group("name"), match.group("prefix"), kind, "prose-qname", match.start("name"), match.end("name")))
    # A table cell in inline code is found twice (table + code span): keep one per place, the more
    # specific kind; a lone cell yields to any other context that also reads it.
    by_place: dict[tuple[int, int], NameToken] = {}
    for token in tokens:
        kept = by_place.get((token.start, token.end))
        if kept is None or (kept.kind == "name" and token.kind != "name") or (kept.context == "table-cell" and token.context != "table-cell"):
            by_place[(token.start, token.end)] = token
    return sorted(by_place.values(), key=lambda t: t.start)


class NameTokenCache:
    """`extract_name_tokens` remembering the tokens of each distinct text (and prefix set):
    verification runs twice, before and after corrections, over files that mostly did not change.
    The token lists are shared: treat them as read-only."""

    def __init__(self) -> None:
        self._tokens: dict[tuple[frozenset[str], str], list[NameToken]] = {}

    def tokens(self, markdown: str, known_prefixes: frozenset[str]) -> list[NameToken]:
        key = (known_prefixes, markdown)
        tokens = self._tokens.get(key)
        if tokens is None:
            tokens = self._tokens[key] = extract_name_tokens(markdown, known_prefixes=known_prefixes)
        return tokens


def xml_prefixes(markdown: str) -> set[str]:
    """Prefixes used on tags and attributes of the XML in this text (for prose qualified names)."""
    return {match.group("prefix") for match in _TAG_OPEN.finditer(markdown) if match.group("prefix")} - set(DEFAULT_SCHEMA_PREFIXES) - {"xmlns"}
