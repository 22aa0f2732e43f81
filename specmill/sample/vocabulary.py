"""The invented XML vocabulary of the sample specification.

Names are built from small word lists the way office-format vocabularies are (`runProps`,
`tblLook`, `fontAlgn`, `spacingAfter`), including near-twins such as `fontAlgn`/`fontAlign`:
name verification must tell a garble from a different real name.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field

NAMESPACE = "urn:specmill:sample:main"
PREFIX = "s"

# Core structure: every vocabulary has these, so every example can be rooted in a document.
_CORE_ELEMENTS: tuple[tuple[str, str, str | None], ...] = (
    ("document", "Document", None),
    ("body", "Body", "document"),
    ("para", "Paragraph", "body"),
    ("run", "Run", "para"),
)

# (name part, expansion used in titles and descriptions)
_ELEMENT_HEADS = (
    ("run", "Run"), ("para", "Paragraph"), ("tbl", "Table"), ("cell", "Cell"), ("row", "Row"),
    ("font", "Font"), ("spacing", "Spacing"), ("border", "Border"), ("shade", "Shading"),
    ("sect", "Section"), ("note", "Note"), ("field", "Field"), ("list", "List"), ("num", "Numbering"),
    ("style", "Style"), ("frame", "Frame"), ("grid", "Grid"), ("col", "Column"), ("page", "Page"),
    ("hdr", "Header"), ("ftr", "Footer"), ("bookmark", "Bookmark"), ("comment", "Comment"),
    ("tab", "Tab"), ("line", "Line"), ("char", "Character"), ("anchor", "Anchor"), ("theme", "Theme"),
)
_ELEMENT_TAILS = (
    ("Props", "Properties"), ("Pr", "Properties"), ("Look", "Look"), ("Grid", "Grid"),
    ("Style", "Style"), ("Ref", "Reference"), ("Mar", "Margins"), ("Def", "Definition"),
    ("List", "List"), ("Range", "Range"), ("Mark", "Mark"), ("Data", "Data"), ("Change", "Change"),
    ("Layout", "Layout"), ("Borders", "Borders"), ("Shd", "Shading"), ("Pos", "Position"),
    ("Ind", "Indentation"),
)
_ATTRIBUTE_HEADS = (
    ("style", "style"), ("font", "font"), ("spacing", "spacing"), ("border", "border"),
    ("shade", "shading"), ("cell", "cell"), ("col", "column"), ("row", "row"), ("tab", "tab"),
    ("indent", "indentation"), ("line", "line"), ("char", "character"), ("page", "page"),
    ("num", "numbering"), ("text", "text"), ("anchor", "anchor"), ("lang", "language"),
    ("frame", "frame"), ("note", "note"), ("field", "field"),
)
# tail -> (expansion, value kind)
_ATTRIBUTE_TAILS = {
    "Id": ("identifier", "string"), "Name": ("name", "ncname"), "Ref": ("reference", "string"),
    "Algn": ("alignment", "enum"), "Align": ("alignment", "enum"), "Mode": ("mode", "enum"),
    "Kind": ("kind", "enum"), "After": ("trailing space", "uint"), "Before": ("leading space", "uint"),
    "Width": ("width", "uint"), "Height": ("height", "uint"), "Size": ("size", "uint"),
    "Count": ("count", "uint"), "Start": ("start position", "uint"), "End": ("end position", "uint"),
    "Offset": ("offset", "int"), "Hidden": ("hidden flag", "bool"), "Locked": ("locked flag", "bool"),
    "Color": ("color", "color"), "Fill": ("fill color", "color"), "Scale": ("scale factor", "decimal"),
}
_ENUM_VALUES = {
    "Algn": ("start", "center", "end", "both", "distribute"),
    "Align": ("left", "center", "right", "justify"),
    "Mode": ("auto", "exact", "atLeast", "none"),
    "Kind": ("simple", "compound", "nested", "none"),
}
_BUILTIN_TYPES = {
    "string": "xsd:string", "ncname": "xsd:NCName", "uint": "xsd:unsignedInt", "int": "xsd:int",
    "bool": "xsd:boolean", "decimal": "xsd:decimal",
}
_DEFAULTS = {"uint": "0", "int": "0", "bool": "false", "decimal": "1.0"}
_COLOR_TYPE = "ST_HexColor"


@dataclass(frozen=True)
class SimpleType:
    name: str
    values: tuple[str, ...] = ()
    pattern: str | None = None


@dataclass(frozen=True)
class AttributeDef:
    name: str
    type_name: str  # as written in the XSD: "xsd:boolean" or "s:ST_FontAlgn"
    value_kind: str
    default: str | None
    meaning: str  # lower-case phrase: "font alignment"
    values: tuple[str, ...] = ()

    @property
    def display_type(self) -> str:
        """The type as an attribute table prints it (no namespace prefix for our own types)."""
        return self.type_name.removeprefix(f"{PREFIX}:")


@dataclass
class ElementDef:
    name: str
    title: str  # "Run Properties"
    parent: str | None
    attributes: list[str] = field(default_factory=list)
    children: list[str] = field(default_factory=list)

    @property
    def type_name(self) -> str:
        return "CT_" + self.name[0].upper() + self.name[1:]


@dataclass
class Vocabulary:
    elements: list[ElementDef]
    attributes: dict[str, AttributeDef]
    simple_types: list[SimpleType]

    def element(self, name: str) -> ElementDef:
        for candidate in self.elements:
            if candidate.name == name:
                return candidate
        raise KeyError(name)

    @property
    def element_names(self) -> list[str]:
        return [element.name for element in self.elements]


def vocabulary_size(pages: int) -> tuple[int, int]:
    """Element and attribute counts: small documents must fit their schema on a page or two."""
    elements = max(8, min(60, pages // 3))
    attributes = max(8, min(60, pages // 3))
    return elements, attributes


def build_vocabulary(rng: random.Random, n_elements: int, n_attributes: int) -> Vocabulary:
    element_names = _compound_names(rng, n_elements - len(_CORE_ELEMENTS), _ELEMENT_HEADS, _ELEMENT_TAILS, taken=set())
    elements = [ElementDef(name, title, parent) for name, title, parent in _CORE_ELEMENTS]
    for name, title in element_names:
        elements.append(ElementDef(name, title, parent=_choose_parent(rng, name, elements)))
    by_name = {element.name: element for element in elements}
    for element in elements:
        if element.parent is not None:
            by_name[element.parent].children.append(element.name)

    attribute_tails = tuple((tail, meaning) for tail, (meaning, _) in _ATTRIBUTE_TAILS.items())
    attribute_names = _compound_names(rng, n_attributes, _ATTRIBUTE_HEADS, attribute_tails, taken=set(by_name))
    attributes: dict[str, AttributeDef] = {}
    simple_types: dict[str, SimpleType] = {}
    for name, meaning in attribute_names:
        tail = _tail_of(name)
        kind = _ATTRIBUTE_TAILS[tail][1]
        if kind == "enum":
            type_local = "ST_" + name[0].upper() + name[1:]
            simple_types[type_local] = SimpleType(type_local, values=_ENUM_VALUES[tail])
            attributes[name] = AttributeDef(name, f"{PREFIX}:{type_local}", kind, _ENUM_VALUES[tail][0], meaning, _ENUM_VALUES[tail])
        elif kind == "color":
            simple_types.setdefault(_COLOR_TYPE, SimpleType(_COLOR_TYPE, pattern="[0-9A-F]{6}"))
            attributes[name] = AttributeDef(name, f"{PREFIX}:{_COLOR_TYPE}", kind, "000000", meaning)
        else:
            attributes[name] = AttributeDef(name, _BUILTIN_TYPES[kind], kind, _DEFAULTS.get(kind), meaning)

    # Every attribute belongs to at least one element; elements carry one to five.
    pool = list(attributes)
    rng.shuffle(pool)
    for index, attribute in enumerate(pool):
        elements[index % len(elements)].attributes.append(attribute)
    for element in elements:
        extra = rng.randint(0, 2)
        for attribute in rng.sample(pool, k=min(extra, len(pool))):
            if attribute not in element.attributes and len(element.attributes) < 5:
                element.attributes.append(attribute)
    return Vocabulary(elements, attributes, sorted(simple_types.values(), key=lambda item: item.name))


def _compound_names(
    rng: random.Random,
    count: int,
    heads: tuple[tuple[str, str], ...],
    tails: tuple[tuple[str, str], ...],
    taken: set[str],
) -> list[tuple[str, str]]:
    """`count` distinct head+tail names with their expansions, in a seeded order."""
    combos = [(head + tail, f"{head_words} {tail_words}") for head, head_words in heads for tail, tail_words in tails]
    rng.shuffle(combos)
    chosen: list[tuple[str, str]] = []
    for name, words in combos:
        if name in taken:
            continue
        taken.add(name)
        chosen.append((name, words.title() if words[0].isupper() else words))
        if len(chosen) == count:
            return chosen
    raise ValueError(f"the word lists yield fewer than {count} distinct names")


def _tail_of(name: str) -> str:
    for tail in sorted(_ATTRIBUTE_TAILS, key=len, reverse=True):
        if name.endswith(tail):
            return tail
    raise KeyError(name)


def _choose_parent(rng: random.Random, name: str, elements: list[ElementDef]) -> str:
    """Prefer the element the name is built on (`runProps` under `run`), else any container."""
    for element in elements:
        if name.startswith(element.name) and element.name not in ("document",):
            return element.name
    candidates = [element.name for element in elements if element.name != "document"]
    return rng.choice(candidates)
