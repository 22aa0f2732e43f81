"""Names from RELAX NG compact syntax (.rnc), read with a small tokenizer rather than a full grammar:
comments and string literals are recognised first, so `#` and braces inside patterns never confuse it."""

from __future__ import annotations

import re
import textwrap

from schemas.vocabulary import VocabularyName
from specmill.vocabulary.declarations import DeclarationText, MalformedSchemaError, split_qualified

# Literals first (so '#' inside a pattern is not a comment), then comments.
_LITERAL_OR_COMMENT = re.compile(r'("""[\s\S]*?"""|"[^"\n]*"|\'[^\'\n]*\')|#[^\n]*')
_NAME = r"[A-Za-z_][\w.\-]*(?::[A-Za-z_][\w.\-]*)?"
_ELEMENT = re.compile(rf"\belement\s+({_NAME})\s*\{{")
_ATTRIBUTE = re.compile(rf"\battribute\s+({_NAME})\s*\{{")
_DEFINE = re.compile(r"^([A-Za-z_][\w.\-]*)\s*(?:=|\|=|&=)", re.MULTILINE)
_KEYWORDS = frozenset({"start", "namespace", "default", "datatypes", "include", "grammar", "div"})
_LITERAL = re.compile(r'("[^"\n]*"|\'[^\'\n]*\')')
# A literal after one of these is a datatype parameter (`pattern = "[0-9]+"`), not a value.
_FACET = re.compile(r"\b\w+\s*=$")
_NON_VALUE_LINES = ("namespace", "default namespace", "include", "datatypes", "external")


def strip_comments(text: str) -> str:
    return _LITERAL_OR_COMMENT.sub(lambda m: m.group(1) or "", text)


def _check_braces(code: str) -> None:
    without_literals = re.sub(r'"[^"\n]*"|\'[^\'\n]*\'', '""', code)
    depth = 0
    for number, line in enumerate(without_literals.split("\n"), start=1):
        for char in line:
            depth += {"{": 1, "}": -1}.get(char, 0)
            if depth < 0:
                raise MalformedSchemaError(f"unbalanced '}}' at line {number}")
    if depth:
        raise MalformedSchemaError(f"{depth} unclosed '{{' at end of file")


def rnc_names(text: bytes, source: str) -> list[VocabularyName]:
    try:
        decoded = text.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise MalformedSchemaError(f"not UTF-8: {exc}") from exc
    code = strip_comments(decoded)
    _check_braces(code)
    names: list[VocabularyName] = []
    for kind, pattern in (("element", _ELEMENT), ("attribute", _ATTRIBUTE)):
        for match in pattern.finditer(code):
            prefix, local = split_qualified(match.group(1))
            names.append(VocabularyName(name=local, kind=kind, prefix=prefix, source=source))
    for match in _DEFINE.finditer(code):
        if match.group(1) not in _KEYWORDS:
            names.append(VocabularyName(name=match.group(1), kind="define", source=source))
    for match in _LITERAL.finditer(code):
        line_start = code.rfind("\n", 0, match.start()) + 1
        # namespace/include/datatypes lines quote URIs and file names; facets quote parameters.
        if code[line_start:].lstrip().startswith(_NON_VALUE_LINES) or _FACET.search(code[: match.start()].rstrip()):
            continue
        value = match.group(1)[1:-1].strip()
        if value:
            names.append(VocabularyName(name=value, kind="enumeration", source=source))
    return names


def rnc_declarations(text: bytes, source: str) -> list[DeclarationText]:
    """Definitions that start at column 0 (`name = pattern`), each with its lines up to the next one."""
    decoded = text.decode("utf-8-sig", errors="replace")
    lines = decoded.split("\n")
    starts: list[tuple[int, str]] = []
    for number, line in enumerate(lines):
        match = _DEFINE.match(line)
        if match and match.group(1) not in _KEYWORDS and not line[:1].isspace():
            starts.append((number, match.group(1)))
    declarations = []
    for index, (number, name) in enumerate(starts):
        end = starts[index + 1][0] if index + 1 < len(starts) else len(lines)
        block = lines[number:end]
        while block and not block[-1].strip():
            block.pop()
        declarations.append(DeclarationText(kind="define", name=name, text=textwrap.dedent("\n".join(block)).strip("\n"), source=source))
    return declarations
