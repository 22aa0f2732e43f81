"""Schema-dump replacement: a clause that prints a schema (an XSD or RNC listing) is replaced
declaration by declaration with the authoritative text of the schema files.

Why declaration by declaration: a listing of thousands of lines parsed from a PDF carries page
breaks, running headers and misread names anywhere in it; the schema file is the truth, and
matching declarations one by one keeps every printed declaration accounted for (replaced, or
kept as parsed and listed) instead of an all-or-nothing swap.

- The listing's declarations are read from the section's code fences: XSD top-level
  declarations (tag depth 1 under `<schema>`), or RNC definitions (`name = …` at brace depth 0).
- The home schema file is the one sharing the most (kind, name) pairs with the listing.
- Each declaration is matched by kind and name: exact, then case-insensitive, then fuzzy
  (rapidfuzz), then exact in any other file of the same language.
- Output: the section keeps its prose; its listing becomes an index grouped by kind linking one
  file per declaration (`<section stem>/<kind>/<name>.md`, names sanitized, duplicates
  suffixed, never overwritten)."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import PurePosixPath

from rapidfuzz import fuzz, process

from schemas.vocabulary import DeclarationMatch, SectionReplacement
from specmill.tree.render.code import fence
from specmill.verify.check import confusion_key
from specmill.vocabulary.declarations import DeclarationText, MalformedSchemaError
from specmill.vocabulary.loader import SchemaFile
from specmill.vocabulary.xsd import TOP_LEVEL_KINDS

_FENCE = re.compile(r"^(?P<marker>`{3,}|~{3,})(?P<info>[^\n]*)\n(?P<body>.*?)^(?P=marker)[ \t]*$\n?", re.DOTALL | re.MULTILINE)
_TAG = re.compile(r"<(?P<close>/?)(?:(?P<prefix>[\w.\-]+):)?(?P<name>[\w.\-]+)(?P<attributes>[^<>]*?)(?P<empty>/?)>", re.DOTALL)
_NAME_ATTRIBUTE = re.compile(r"\bname\s*=\s*[\"'](?P<value>[^\"']*)[\"']")
_RNC_DEFINE = re.compile(r"^(?P<name>[A-Za-z_][\w.\-]*)\s*(?:=|\|=|&=)")
_RNC_KEYWORDS = frozenset({"start", "namespace", "default", "datatypes", "include", "grammar", "div"})
_UNSAFE = re.compile(r"[^\w.\-]+")


@dataclass
class PrintedDeclaration:
    kind: str
    name: str
    text: str


@dataclass
class PrintedListing:
    language: str  # xsd | rnc
    declarations: list[PrintedDeclaration]
    other_lines: list[str] = field(default_factory=list)  # text outside declarations (schema tag, imports)
    fences: list[tuple[int, int]] = field(default_factory=list)  # spans of the fences it came from


def _xsd_declarations(text: str) -> tuple[list[PrintedDeclaration], list[str]]:
    lines = text.split("\n")
    line_starts = [0]
    for line in lines[:-1]:
        line_starts.append(line_starts[-1] + len(line) + 1)

    def line_of(offset: int) -> int:
        low, high = 0, len(line_starts) - 1
        while low < high:
            middle = (low + high + 1) // 2
            if line_starts[middle] <= offset:
                low = middle
            else:
                high = middle - 1
        return low

    cleaned = re.sub(r"<!--.*?-->", lambda m: " " * len(m.group(0)), text, flags=re.DOTALL)
    has_schema_tag = re.search(r"<(?:[\w.\-]+:)?schema[\s>]", cleaned) is not None
    depth = 0 if has_schema_tag else 1
    declarations: list[PrintedDeclaration] = []
    used_lines: set[int] = set()
    current: tuple[str, str, int] | None = None  # kind, name, first line
    top_column = _top_level_column(lines)
    for tag in _TAG.finditer(cleaned):
        if cleaned.startswith(("<?", "<!"), tag.start()):
            continue
        name = tag.group("name")
        if top_column is not None and not tag.group("close") and name in TOP_LEVEL_KINDS:
            line = line_of(tag.start())
            if tag.start() - line_starts[line] == top_column and not lines[line][:top_column].strip():
                # Printed at the column of the top-level declarations: one starts here, whatever
                # lines of the one before were lost (MinerU typed a closing tag as a page footer).
                if current is not None and line > current[2]:
                    kind, declared, first = current
                    declarations.append(PrintedDeclaration(kind, declared, "\n".join(lines[first:line]).rstrip()))
                    used_lines.update(range(first, line))
                    current = None
                depth = 1
        if tag.group("close"):
            depth -= 1
            if current is not None and depth == 1:
                kind, declared, first = current
                last = line_of(tag.end() - 1)
                declarations.append(PrintedDeclaration(kind, declared, "\n".join(lines[first : last + 1])))
                used_lines.update(range(first, last + 1))
                current = None
            depth = max(depth, 0)
            continue
        if depth == 1 and current is None and name in TOP_LEVEL_KINDS:
            match = _NAME_ATTRIBUTE.search(tag.group("attributes"))
            if match:
                first = line_of(tag.start())
                if tag.group("empty"):
                    last = line_of(tag.end() - 1)
                    declarations.append(PrintedDeclaration(name, match.group("value").strip(), "\n".join(lines[first : last + 1])))
                    used_lines.update(range(first, last + 1))
                else:
                    current = (name, match.group("value").strip(), first)
                    depth += 1
                continue
        if not tag.group("empty"):
            depth += 1
    if current is not None:  # the listing ends inside a declaration: keep what was printed
        kind, declared, first = current
        declarations.append(PrintedDeclaration(kind, declared, "\n".join(lines[first:])))
        used_lines.update(range(first, len(lines)))
    other = [line for number, line in enumerate(lines) if number not in used_lines and line.strip()]
    return declarations, other


def _top_level_column(lines: list[str]) -> int | None:
    """The column at which the listing prints its top-level declarations (the least indented
    `<xs:element name=…` and its kin), when the listing is indented at all; else None."""
    columns = [len(line) - len(line.lstrip()) for line in lines if _PRINTED_DECLARATION.match(line.strip())]
    if not columns or not any(line[:1] in (" ", "\t") for line in lines):
        return None
    return min(columns)


def _rnc_declarations(text: str) -> tuple[list[PrintedDeclaration], list[str]]:
    declarations: list[PrintedDeclaration] = []
    other: list[str] = []
    depth = 0
    current: list[str] | None = None
    name = ""
    for line in text.split("\n"):
        match = _RNC_DEFINE.match(line)
        if depth == 0 and match and match.group("name") not in _RNC_KEYWORDS:
            if current is not None:
                declarations.append(PrintedDeclaration("define", name, "\n".join(current).rstrip()))
            name, current = match.group("name"), [line]
        elif current is not None and (depth > 0 or line[:1].isspace() or not line.strip() or not re.match(r"(namespace|default|datatypes|include|start)\b", line)):
            current.append(line)
        elif line.strip():
            other.append(line)
        code = re.sub(r'"[^"\n]*"|#.*', "", line)
        depth = max(0, depth + code.count("{") + code.count("(") - code.count("}") - code.count(")"))
    if current is not None:
        declarations.append(PrintedDeclaration("define", name, "\n".join(current).rstrip()))
    return declarations, other


# An EBNF grammar (ISO 14977: `name = a, [ b ] ;` with `(* comments *)`) reads like RELAX NG
# compact (`name = pattern`) line by line; its comments and its rules' closing `;` tell it apart
# (seen in sarif210 §3.9, the date-time grammar: not a schema, nothing to replace).
_EBNF_COMMENT = re.compile(r"\(\*.*?\*\)", re.DOTALL)


def _ends_rules_with_semicolons(body: str) -> bool:
    rules = [line.rstrip() for line in body.split("\n") if _RNC_DEFINE.match(line)]
    return bool(rules) and sum(rule.endswith(";") for rule in rules) * 2 > len(rules)


def _language(body: str) -> str | None:
    if re.search(r"<(?:[\w.\-]+:)?(?:element|attribute|complexType|simpleType)\b[^<>]*\bname\s*=", body):
        return "xsd"
    defines = [m.group("name") for m in (_RNC_DEFINE.match(line) for line in body.split("\n")) if m]
    if len([name for name in defines if name not in _RNC_KEYWORDS]) >= 2 and not re.search(r"<[\w.:\-]+[\s/>]", body):
        return None if _EBNF_COMMENT.search(body) or _ends_rules_with_semicolons(body) else "rnc"
    return None


def find_listing(markdown: str, *, min_declarations: int) -> PrintedListing | None:
    """The schema listing printed in a section, or None when it prints fewer declarations than
    `min_declarations`. All listing fences of one language are read as one stream, because a
    page break may split a declaration across two fences."""
    if "```" not in markdown and "~~~" not in markdown:
        return None  # no fence at all: most sections (the fence pattern costs 0.3 s over 8,000 files)
    fences = [m for m in _FENCE.finditer(markdown)]
    chosen: dict[str, list[re.Match[str]]] = {}
    for match in fences:
        language = _language(match.group("body"))
        if language:
            chosen.setdefault(language, []).append(match)
    if not chosen:
        return None
    language, matches = max(chosen.items(), key=lambda item: sum(len(m.group("body")) for m in item[1]))
    stream = "\n".join(m.group("body").rstrip("\n") for m in matches)
    reader = _xsd_declarations if language == "xsd" else _rnc_declarations
    declarations, other = reader(stream)
    if len(declarations) < min_declarations:
        return None
    return PrintedListing(language, declarations, other, [(m.start(), m.end()) for m in matches])


_OUTSIDE_DECLARATIONS = re.compile(r"<(?:[?!]|/?(?:[\w.-]+:)?schema\b)")
_KINDS = "|".join(sorted(TOP_LEVEL_KINDS))
_PRINTED_DECLARATION = re.compile(rf"""<(?:[\w.-]+:)?({_KINDS})\b[^<>]*?\bname\s*=\s*["']([^"']+)["']""")
_NESTED_DECLARATION = re.compile(r'<(?:[\w.-]+:)?(element|attribute)\b[^>]*?\bname="([^"]+)"')


@dataclass
class AuthoritativeSchemas:
    """Top-level declarations of every schema file, by language, read once."""

    by_file: dict[str, list[DeclarationText]]
    language_of: dict[str, str]
    _nested: set[tuple[str, str]] | None = field(default=None, repr=False)

    @classmethod
    def from_files(cls, files: Sequence[SchemaFile]) -> "AuthoritativeSchemas":
        by_file: dict[str, list[DeclarationText]] = {}
        language_of: dict[str, str] = {}
        for schema in files:
            try:
                declarations = schema.declarations()
            except MalformedSchemaError:
                continue  # reported by the vocabulary loader
            if declarations:
                by_file[schema.label] = declarations
                language_of[schema.label] = schema.format
        return cls(by_file, language_of)

    def nested_names(self) -> set[tuple[str, str]]:
        """(kind, name) of the elements and attributes declared inside a top-level declaration
        (`<xs:attribute name="Id" …/>` of a complexType): printed where the listing lost their
        enclosing type's first line, they read as top-level but are none."""
        if self._nested is None:
            self._nested = {
                (match.group(1), match.group(2))
                for declarations in self.by_file.values()
                for declaration in declarations
                for match in _NESTED_DECLARATION.finditer(declaration.text, 1)
            }
        return self._nested

    def home_file(self, listing: PrintedListing) -> str | None:
        printed = {(d.kind, d.name) for d in listing.declarations}
        best, best_overlap = None, 0
        for label, declarations in self.by_file.items():
            if self.language_of[label] != listing.language:
                continue
            overlap = len(printed & {(d.kind, d.name) for d in declarations})
            if overlap > best_overlap:
                best, best_overlap = label, overlap
        return best


def _match(printed: PrintedDeclaration, home: list[DeclarationText], others: list[DeclarationText], similarity: float) -> tuple[DeclarationText | None, str]:
    same_kind = [d for d in home if d.kind == printed.kind]
    for candidate in same_kind:
        if candidate.name == printed.name:
            return candidate, "exact"
    lowered = printed.name.lower()
    for candidate in same_kind:
        if candidate.name.lower() == lowered:
            return candidate, "case_insensitive"
    key = confusion_key(printed.name)
    for candidate in same_kind:
        if confusion_key(candidate.name) == key:  # an OCR slip: ST_1ang for ST_Lang
            return candidate, "fuzzy"
    if same_kind:
        best = process.extractOne(printed.name, [d.name for d in same_kind], scorer=fuzz.ratio, score_cutoff=similarity)
        if best is not None:
            return same_kind[best[2]], "fuzzy"
    for candidate in others:
        if candidate.kind == printed.kind and candidate.name == printed.name:
            return candidate, "exact"
    return None, "unmatched"


def sanitize(name: str) -> str:
    cleaned = _UNSAFE.sub("_", name).strip("._") or "unnamed"
    return cleaned[:80]


# A listing some of whose declarations the schema files do not hold (or, with no schema files,
# any listing) is taken for the schema only when it is long: xacml40-core §5.2.5 prints XSD
# templates (`<xs:element name="Prop" type="PropXsdType"/>`) in three fences that read as a
# 3-declaration listing. A long listing that nothing matches stays a listing, and the
# replacement check fails on it, as it should.
UNMATCHED_LISTING_MIN = 10


def replace_schema_dump(
    markdown: str, *, file: str, section: str, title: str, schemas: AuthoritativeSchemas,
    min_declarations: int = 3, similarity: float = 90.0,
) -> tuple[dict[str, str], SectionReplacement] | None:
    """The section file rewritten plus one file per declaration (relative POSIX path -> text),
    and the replacement record; None when the section prints no schema.

    A fragment of fewer than `min_declarations` declarations (saml20-core and dss-core-v2 print
    one type per clause) is replaced where it stands, when the schemas hold every one of them."""
    listing = find_listing(markdown, min_declarations=1)
    if listing is None:
        return None
    home = schemas.home_file(listing)
    home_declarations = schemas.by_file.get(home, []) if home else []
    others = [d for label, ds in schemas.by_file.items() if label != home and schemas.language_of[label] == listing.language for d in ds]
    nested = schemas.nested_names()
    for printed in list(listing.declarations):
        if (printed.kind, printed.name) in nested and _match(printed, home_declarations, others, 100.0)[1] != "exact":
            # Part of a type whose first line the listing lost: text of the listing, not a declaration.
            listing.declarations.remove(printed)
            listing.other_lines.extend(printed.text.split("\n"))
    if not listing.declarations:
        return None
    found = [(printed, *_match(printed, home_declarations, others, similarity)) for printed in listing.declarations]
    if any(authoritative is None for _, authoritative, _ in found) and len(found) < UNMATCHED_LISTING_MIN:
        # A few declarations, some of which no schema holds (or no schemas given): templates or
        # examples ("FooType" beside the real VersionType), or code that reads like one
        # (bash-reference's `var=value` lines), not the schema.
        return None
    if len(found) < min_declarations:
        matches = [_declaration_match(printed, authoritative, how, None) for printed, authoritative, how in found]
        text = _fragment_replaced(markdown, listing, [authoritative for _, authoritative, _ in found])  # type: ignore[misc]
        return {file: text}, SectionReplacement(section=section, file=file, home_schema=home, declarations=matches)
    path = PurePosixPath(file)
    folder = path.parent / path.stem
    used: set[str] = set()
    files: dict[str, str] = {}
    matches = []
    for printed, authoritative, how in found:
        stem = sanitize(printed.name)
        candidate, number = stem, 1
        # Case-insensitive file systems: 'Foo' and 'foo' must not share a file.
        while f"{printed.kind}/{candidate}".lower() in used:
            number += 1
            candidate = f"{stem}-{number}"
        used.add(f"{printed.kind}/{candidate}".lower())
        relative = (folder / printed.kind / f"{candidate}.md").as_posix()
        files[relative] = _declaration_file(printed, authoritative, how, listing.language, up=_up_link(relative, file, title))
        matches.append(_declaration_match(printed, authoritative, how, relative))
    files[file] = _section_text(markdown, listing, matches, file, home)
    return files, SectionReplacement(section=section, file=file, home_schema=home, declarations=matches)


def _declaration_match(printed: PrintedDeclaration, authoritative: DeclarationText | None, how: str, path: str | None) -> DeclarationMatch:
    return DeclarationMatch(
        kind=printed.kind, name=printed.name, matched_name=authoritative.name if authoritative else None,
        match=how, schema_file=authoritative.source if authoritative else None, path=path,  # type: ignore[arg-type]
    )


def _fragment_replaced(markdown: str, listing: PrintedListing, authoritative: list[DeclarationText]) -> str:
    """The section with its schema fragment's fences replaced, where the first of them stood, by
    the schema's text of the same declarations (and what else the fragment printed, such as an
    opening comment); a line after it names the schema file. Prose between the fences stays."""
    sources = sorted({declaration.source for declaration in authoritative})
    body = "\n".join([*listing.other_lines, *(declaration.text for declaration in authoritative)])
    language = "xml" if listing.language == "xsd" else "rnc"
    names = ", ".join(f"{declaration.kind} `{declaration.name}`" for declaration in authoritative)
    note = f"Schema text of {names} from {', '.join(f'`{source}`' for source in sources)}, in place of the printed fragment."
    pieces, cursor = [], 0
    for index, (start, end) in enumerate(listing.fences):
        pieces.append(markdown[cursor:start].strip("\n"))
        if index == 0:
            pieces.append(f"{fence(body, language)}\n\n{note}")
        cursor = end
    pieces.append(markdown[cursor:].strip("\n"))
    return "\n\n".join(piece for piece in pieces if piece) + "\n"


def printed_in_text_layer(page_texts: Sequence[str], schemas: AuthoritativeSchemas) -> set[tuple[str, str]]:
    """(kind, name) of every top-level declaration of the schema files that the PDF's text layer
    prints as a declaration (`<xs:complexType name="AssertionType"`) at the top level of what it
    prints: evidence of a printed schema independent of how MinerU and the listing reader saw
    it. Where the text layer keeps the listing's indentation, a declaration indented past the
    least indented tag of its run of tag lines is nested (dss-core-v2 prints `<xs:element
    name="DigestMethod">` inside DigestInfoType, while xmldsig also declares it at the top)."""
    top_level = {(d.kind, d.name) for declarations in schemas.by_file.values() for d in declarations}
    printed: set[tuple[str, str]] = set()
    if not top_level:
        return printed
    for text in page_texts:
        if "name" not in text or "<" not in text:
            continue
        run: list[str] = []
        open_tag = False  # the run's last tag goes on on the next line (`maxOccurs="1"/>`)
        for line in [*text.split("\n"), ""]:
            if line.lstrip().startswith("<"):
                run.append(line)
            elif not (open_tag and line.strip()):
                printed.update(_top_level_of_run(run, top_level))
                run = []
            open_tag = bool(run) and not line.rstrip().endswith(">")
    return printed


def _top_level_of_run(run: list[str], top_level: set[tuple[str, str]]) -> set[tuple[str, str]]:
    # The XML declaration, comments and the schema's own tags stand outside the declarations.
    run = [line for line in run if not _OUTSIDE_DECLARATIONS.match(line.strip())]
    if not run:
        return set()
    column = min(len(line) - len(line.lstrip()) for line in run)
    found = set()
    for line in run:
        if len(line) - len(line.lstrip()) != column:
            continue
        match = _PRINTED_DECLARATION.match(line.strip())
        if match and (match.group(1), match.group(2)) in top_level:
            found.add((match.group(1), match.group(2)))
    return found


def _up_link(from_file: str, to_file: str, title: str) -> str:
    depth = len(PurePosixPath(from_file).parent.parts) - len(PurePosixPath(to_file).parent.parts)
    target = "../" * depth + PurePosixPath(to_file).name
    return f"Up: [{title}]({target})"


def _declaration_file(printed: PrintedDeclaration, authoritative: DeclarationText | None, how: str, language: str, *, up: str) -> str:
    fence_language = "xml" if language == "xsd" else "rnc"
    if authoritative is None:
        note = "No declaration of this name and kind was found in the schema files: the text below is as parsed from the PDF."
        body = printed.text
    else:
        renamed = f" (printed as `{printed.name}`)" if authoritative.name != printed.name else ""
        note = f"Authoritative text from `{authoritative.source}` ({how.replace('_', '-')} match{renamed})."
        body = authoritative.text
    return f"# {printed.kind} `{printed.name}`\n\n{up}\n\n{note}\n\n{fence(body, fence_language)}\n"


def _section_text(markdown: str, listing: PrintedListing, matches: list[DeclarationMatch], file: str, home: str | None) -> str:
    replaced = sum(1 for m in matches if m.match != "unmatched")
    lines = [
        f"Schema listing: {len(matches)} declarations, {replaced} replaced by the text of "
        f"{'`' + home + '`' if home else 'the schema files'}; one file per declaration below."
    ]
    if listing.other_lines:
        lines += ["", "Text of the listing outside its declarations (as parsed):", "", fence("\n".join(listing.other_lines), "xml" if listing.language == "xsd" else "rnc")]
    base = PurePosixPath(file).parent
    by_kind: dict[str, list[DeclarationMatch]] = {}
    for match in matches:
        by_kind.setdefault(match.kind, []).append(match)
    for kind, group in by_kind.items():
        lines += ["", f"### {kind} ({len(group)})", ""]
        for match in group:
            target = PurePosixPath(match.path).relative_to(base).as_posix() if match.path else ""
            flag = "" if match.match != "unmatched" else " (as parsed, not in the schemas)"
            lines.append(f"- [{match.name}]({target}){flag}")
    index = "\n".join(lines)
    first, last = listing.fences[0][0], listing.fences[-1][1]
    # Prose between listing fences (rare: a caption) is kept after the index.
    between = [markdown[listing.fences[i][1] : listing.fences[i + 1][0]].strip() for i in range(len(listing.fences) - 1)]
    kept = "\n\n".join(part for part in between if part)
    tail = markdown[last:]
    return markdown[:first] + index + "\n" + (f"\n{kept}\n" if kept else "") + ("\n" + tail.lstrip("\n") if tail.strip() else "")
