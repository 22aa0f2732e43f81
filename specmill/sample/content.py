"""Generated text material: prose with marked references and decoys, XML examples, attribute tables.

All prose comes from templates and small word lists driven by a seeded RNG; nothing here is
copied from any real specification. A sentence is a list of `Token`s; a token that carries a
`Mark` (a reference or a decoy) is never broken across lines, so the marked text always lands
on one line of one page and the ground truth can name that page.
"""

from __future__ import annotations

import random
from dataclasses import dataclass

from specmill.sample.vocabulary import NAMESPACE, PREFIX, AttributeDef, ElementDef, Vocabulary

CODE_COLUMNS = 80  # widest example line; 9 pt Courier fits 80 columns in the indented text block


@dataclass(frozen=True)
class Mark:
    """A span of printed text the ground truth records: a reference (form set) or a decoy (kind set)."""

    text: str
    form: str | None = None  # section_sign | dotted | annex | range | title
    target: str | None = None
    targets: tuple[str, ...] = ()
    kind: str | None = None  # version | measurement | decimal | list_number


@dataclass(frozen=True)
class Token:
    """One unbreakable piece of a line; `mark` (if any) is `text[mark_offset:mark_offset+len(mark.text)]`."""

    text: str
    mark: Mark | None = None
    mark_offset: int = 0


Sentence = list[Token]


@dataclass(frozen=True)
class ClauseTarget:
    """What a reference needs to know about the clause it points to."""

    clause_id: str
    title: str
    level: int


@dataclass(frozen=True)
class TableRow:
    name: str
    type_name: str
    default: str
    description: str


@dataclass(frozen=True)
class AttributeTable:
    caption: str
    element: str
    rows: tuple[TableRow, ...]


@dataclass(frozen=True)
class XmlExample:
    lines: tuple[str, ...]
    names: tuple[str, ...]

    @property
    def xml(self) -> str:
        return "\n".join(self.lines)


_TOPIC_HEADS = (
    "Run", "Paragraph", "Table", "Cell", "Section", "Style", "Font", "Numbering", "Field", "Comment",
    "Revision", "Package", "Part", "Relationship", "Frame", "Drawing", "Footnote", "Bookmark",
    "Hyperlink", "Border", "Shading", "Spacing", "Indentation", "Tab", "Theme", "Color", "Language",
    "Document", "Content", "Metadata", "Header", "Footer", "Column", "Grid", "Anchor", "Glossary",
)
_TOPIC_MIDDLES = (
    "Property", "Layout", "Markup", "Storage", "Text", "Style", "Range", "Reference", "Value", "Name",
    "Format", "Version", "Display", "Print", "Content", "Default", "Extension", "Conflict",
)
_TOPIC_NOUNS = (
    "Properties", "Model", "Inheritance", "Definitions", "Conflicts", "Overview", "Structure",
    "Semantics", "Constraints", "Defaults", "Resolution", "Processing", "Identifiers", "Ordering",
    "Collections", "Rules", "Extensions", "Limits", "Validation", "Alignment", "Encoding", "Mapping",
    "Behaviour", "Interpretation", "Precedence", "Grouping", "Lifecycle", "Scope",
)
# Singular nouns for prose, so that "the {np} is ..." always agrees.
_PROSE_NOUNS = (
    "model", "structure", "definition", "constraint", "default", "resolution", "ordering",
    "mapping", "behaviour", "alignment", "encoding", "scope", "precedence", "grouping", "lifecycle",
    "layout", "identifier", "rule set", "extension", "collection", "limit", "overview",
)
_VERBS = (
    "apply", "resolve", "preserve", "validate", "interpret", "merge", "ignore", "normalize",
    "compute", "store", "serialize", "override", "inherit", "reject", "record",
)
_ADVERBS = ("independently", "in document order", "once per part", "before layout", "after validation", "lazily")

_PLAIN_TEMPLATES = (
    "A consumer shall {verb} the {np} before the {np2} is applied.",
    "The {np} applies to every {el} element in the enclosing {np2}.",
    "When the {attr} attribute is omitted, the {np} is inherited from the {np2}.",
    "A producer should not emit an empty {el} element.",
    "This mechanism allows a consumer to {verb} the {np} without reading the {np2}.",
    "Each {el} element carries at most one {attr} attribute.",
    "Conforming consumers shall ignore the {np} if the {np2} is absent.",
    "The order of the {np} is significant and shall be preserved.",
    "Implementations may {verb} the {np} {adv}.",
    "The {np} does not affect the {np2}.",
    "If two {el} elements specify conflicting values, the later one takes precedence.",
    "A producer may {verb} the {np} {adv}, provided that the {np2} is unchanged.",
    "The value of the {attr} attribute shall be unique within the {np}.",
    "Consumers shall {verb} the {np} {adv} and shall not {verb2} the {np2}.",
    "The {el} element is optional; its absence means that the {np} has its default value.",
)


def _lower_words(title: str) -> str:
    return " ".join(word.lower() for word in title.split())


class Prose:
    """Sentence factory for one document; all randomness comes from the RNG it is given."""

    def __init__(self, rng: random.Random, vocabulary: Vocabulary) -> None:
        self._rng = rng
        self._vocabulary = vocabulary
        self._element_names = vocabulary.element_names
        self._attribute_names = list(vocabulary.attributes)
        self._used_titles: set[str] = set()

    # ----- titles -------------------------------------------------------------------------
    def topic_title(self) -> str:
        """A clause title not used before in this document (titles are reference targets)."""
        rng = self._rng
        for _ in range(200):
            if rng.random() < 0.55:
                title = f"{rng.choice(_TOPIC_HEADS)} {rng.choice(_TOPIC_NOUNS)}"
            else:
                title = f"{rng.choice(_TOPIC_HEADS)} {rng.choice(_TOPIC_MIDDLES)} {rng.choice(_TOPIC_NOUNS)}"
            if title not in self._used_titles:
                self._used_titles.add(title)
                return title
        raise RuntimeError("topic title space exhausted")  # 36 * 18 * 28 titles: never at 5,000 pages

    def reserve_title(self, title: str) -> None:
        self._used_titles.add(title)

    # ----- sentences ----------------------------------------------------------------------
    def _noun_phrase(self) -> str:
        return f"{self._rng.choice(_TOPIC_HEADS).lower()} {self._rng.choice(_PROSE_NOUNS)}"

    def _fill(self, template: str) -> str:
        """Fill the template's slots; only the slots it names draw from the RNG."""
        rng = self._rng
        makers = {
            "np": self._noun_phrase,
            "np2": self._noun_phrase,
            "el": lambda: rng.choice(self._element_names),
            "attr": lambda: rng.choice(self._attribute_names),
            "verb": lambda: rng.choice(_VERBS),
            "verb2": lambda: rng.choice(_VERBS),
            "adv": lambda: rng.choice(_ADVERBS),
        }
        return template.format_map(_LazySlots(makers))

    def plain(self) -> Sentence:
        return _words(self._fill(self._rng.choice(_PLAIN_TEMPLATES)))

    def opening(self, title: str) -> Sentence:
        """A short first sentence, so a clause always has at least one line of text."""
        template = self._rng.choice((
            "This clause specifies the {t}.",
            "This clause describes the {t}.",
            "The {t} clause is organised as follows.",
            "This clause is informative.",
        ))
        return _words(template.format(t=_lower_words(title)))  # titles may be plural: no verb agrees with {t}

    def element_opening(self, element: ElementDef) -> Sentence:
        parent = f"the parent {element.parent} element" if element.parent else "the document"
        return _words(f"This element specifies the {_lower_words(element.title)} of {parent}.")

    def reference(
        self, form: str, target: ClauseTarget, range_end: ClauseTarget | None = None, spaced: bool | None = None
    ) -> Sentence:
        """A sentence that contains one reference of the given form to `target`.

        `spaced` chooses "§ 2.1" over "§2.1" (section-sign form); None lets the RNG decide."""
        rng = self._rng
        np = self._noun_phrase()
        if form == "section_sign":
            if spaced is None:
                spaced = rng.random() < 0.35
            text = ("§ " if spaced else "§") + target.clause_id
            mark = Mark(text, form, target.clause_id, (target.clause_id,))
            pattern = rng.choice((
                "The {np} is specified in {ref}.",
                "Values of the {attr} attribute follow the rules of {ref}.",
                "The {np} ({ref}) takes precedence over the {np2}.",
                "As stated in {ref}, the {np} shall be preserved.",
            ))
        elif form == "dotted":
            cue = rng.choice(("see", "see", "in"))
            mark = Mark(f"{cue} {target.clause_id}", form, target.clause_id, (target.clause_id,))
            if cue == "in":
                pattern = "The {np} is described {ref}."
            else:
                pattern = rng.choice(("For the {np}, {ref}.", "The {np} is ignored in this context ({ref})."))
        elif form == "annex":
            mark = Mark(target.clause_id, form, target.clause_id, (target.clause_id,))
            pattern = rng.choice((
                "The complete schema for the {np} is given in {ref}.",
                "Further material on the {np} is collected in {ref}.",
            ))
        elif form == "range":
            if range_end is None:
                raise ValueError("a range reference needs its last clause")
            first, last = int(target.clause_id), int(range_end.clause_id)
            ids = tuple(str(number) for number in range(first, last + 1))
            mark = Mark(f"§§ {first}–{last}", form, target.clause_id, ids)
            pattern = rng.choice(("The clauses {ref} together describe the {np}.", "The {np} is used throughout {ref}."))
        elif form == "title":
            mark = Mark(f"see {target.title}", form, target.clause_id, (target.clause_id,))
            pattern = "For the details of the {np}, {ref}."
        else:
            raise ValueError(f"unknown reference form {form!r}")
        before, after = self._fill(pattern.replace("{np}", np).replace("{ref}", "\x00")).split("\x00")
        return _with_mark(before, mark, after)

    def decoy(self) -> Sentence:
        """A sentence with a number that looks like a clause id but is not a reference."""
        rng = self._rng
        kind = rng.choice(("version", "measurement", "decimal"))
        if kind == "version":
            mark = Mark(f"version {rng.randint(1, 3)}.{rng.randint(0, 9)}", kind=kind)
            pattern = "Producers conforming to {ref} of this format shall write the {np}."
        elif kind == "measurement":
            mark = Mark(f"{rng.randint(1, 9)}.{rng.choice((5, 25, 75))} mm", kind=kind)
            pattern = "The default gap between adjacent {np} is {ref}."
        else:
            mark = Mark(f"{rng.randint(1, 4)}.{rng.choice((5, 25))}", kind=kind)
            pattern = "The {np} is scaled by a factor of {ref} when the {np2} is enlarged."
        before, after = self._fill(pattern.replace("{ref}", "\x00")).split("\x00")
        return _with_mark(before, mark, after)

    def list_lead(self) -> Sentence:
        return _words(self._fill(self._rng.choice((
            "A consumer shall apply the following rules to the {np}:",
            "The {el} element is processed in these steps:",
            "The following constraints apply to the {np}:",
        ))))

    def list_item(self, number: int) -> tuple[Mark, Sentence]:
        """A numbered list item ('2.' then a sentence); the number is a decoy clause id."""
        return Mark(f"{number}.", kind="list_number"), self.plain()

    # ----- tables and examples ------------------------------------------------------------
    def attribute_table(self, number: int, element: ElementDef) -> AttributeTable:
        rows = []
        for name in element.attributes:
            attribute = self._vocabulary.attributes[name]
            rows.append(TableRow(name, attribute.display_type, attribute.default or "none", self._describe(attribute, element)))
        return AttributeTable(f"Table {number} — Attributes of {element.name}", element.name, tuple(rows))

    def _describe(self, attribute: AttributeDef, element: ElementDef) -> str:
        text = f"Specifies the {attribute.meaning} of the {_lower_words(element.title)}."
        if attribute.value_kind == "uint" and self._rng.random() < 0.5:
            text += " Measured in twentieths of a point."
        elif attribute.value_kind == "enum":
            text += f" One of {', '.join(attribute.values[:3])} or {attribute.values[3]}."
        return text

    def xml_example(self, focus: ElementDef) -> XmlExample:
        """A fragment that validates against the sample schema, rooted at `focus` or its parent."""
        rng = self._rng
        vocabulary = self._vocabulary
        root = vocabulary.element(focus.parent) if focus.parent and rng.random() < 0.6 else focus
        lines: list[str] = []
        names: set[str] = set()

        def emit(element: ElementDef, depth: int, required_child: str | None) -> None:
            names.add(element.name)
            indent = "  " * depth
            attributes = rng.sample(element.attributes, k=min(len(element.attributes), rng.randint(0, 2)))
            pieces = [f'xmlns:{PREFIX}="{NAMESPACE}"'] if depth == 0 else []
            for name in attributes:
                names.add(name)
                pieces.append(f'{PREFIX}:{name}="{self._value(vocabulary.attributes[name])}"')
            children = [] if depth >= 3 else rng.sample(element.children, k=min(len(element.children), rng.randint(0, 2)))
            if required_child and required_child not in children:
                children.insert(0, required_child)
            close = ">" if children else "/>"
            head = f"{indent}<{PREFIX}:{element.name}"
            one_line = " ".join([head, *pieces]) + close
            if len(one_line) <= CODE_COLUMNS:
                lines.append(one_line)
            else:  # one attribute per line, as people write long start tags
                lines.append(head)
                for piece in pieces:
                    lines.append(f"{indent}    {piece}")
                lines[-1] += close
            for child in children:
                emit(vocabulary.element(child), depth + 1, None)
            if children:
                lines.append(f"{indent}</{PREFIX}:{element.name}>")

        emit(root, 0, focus.name if root is not focus else None)
        return XmlExample(tuple(lines), tuple(sorted(names)))

    def _value(self, attribute: AttributeDef) -> str:
        rng = self._rng
        kind = attribute.value_kind
        if kind == "enum":
            return rng.choice(attribute.values)
        if kind == "uint":
            return str(rng.choice((0, 120, 240, 360, 720, 1440)))
        if kind == "int":
            return str(rng.choice((-240, -120, 0, 120, 480)))
        if kind == "bool":
            return rng.choice(("true", "false"))
        if kind == "decimal":
            return rng.choice(("0.5", "1.25", "2.0"))
        if kind == "color":
            return rng.choice(("1F4E79", "C00000", "00B050", "7F7F7F"))
        return rng.choice(("heading1", "body2", "note7", "x12", "caption"))


class _LazySlots(dict):
    def __init__(self, makers: dict) -> None:
        super().__init__()
        self._makers = makers

    def __missing__(self, key: str) -> str:
        value = self[key] = self._makers[key]()
        return value


def _words(text: str) -> Sentence:
    return [Token(word) for word in text.split()]


def _with_mark(before: str, mark: Mark, after: str) -> Sentence:
    """Split around the mark; punctuation touching the mark stays in the mark's token."""
    head = before.split()
    tail = after.split()
    prefix = ""
    if before and not before[-1].isspace() and head:
        prefix = head.pop()  # e.g. "(" directly before the reference
    suffix = ""
    if after and not after[0].isspace() and tail:
        suffix = tail.pop(0)  # e.g. ")." directly after it
    tokens = [Token(word) for word in head]
    tokens.append(Token(prefix + mark.text + suffix, mark, len(prefix)))
    tokens.extend(Token(word) for word in tail)
    return tokens
