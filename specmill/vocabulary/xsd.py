"""Names from W3C XML Schema files, whatever prefix the file binds to the XSD namespace (xs:, xsd:, none)."""

from __future__ import annotations

from lxml import etree

from schemas.vocabulary import VocabularyName
from specmill.vocabulary.declarations import DeclarationText, MalformedSchemaError

XSD_NAMESPACE = "http://www.w3.org/2001/XMLSchema"
_NAMED_KINDS = ("element", "attribute", "complexType", "simpleType", "group", "attributeGroup")
TOP_LEVEL_KINDS = frozenset(_NAMED_KINDS)


def _parse(text: bytes, source: str) -> etree._Element:
    # No entity expansion and no network: schema files come from outside.
    parser = etree.XMLParser(resolve_entities=False, no_network=True, remove_comments=False, huge_tree=True)
    try:
        root = etree.fromstring(text, parser)
    except etree.XMLSyntaxError as exc:
        raise MalformedSchemaError(f"not well-formed XML: {exc}") from exc
    if etree.QName(root).namespace != XSD_NAMESPACE or etree.QName(root).localname != "schema":
        raise MalformedSchemaError(f"root element is {root.tag!r}, not an XML Schema <schema>")
    return root


def xsd_names(text: bytes, source: str) -> list[VocabularyName]:
    """Every named element/attribute/type/group declaration (global or local) and every enumeration value.

    References (`ref=`) are uses, not declarations, and are skipped."""
    root = _parse(text, source)
    names: list[VocabularyName] = []
    for node in root.iter(etree.Element):
        qname = etree.QName(node)
        if qname.namespace != XSD_NAMESPACE:
            continue
        if qname.localname in _NAMED_KINDS and node.get("name"):
            names.append(VocabularyName(name=node.get("name").strip(), kind=qname.localname, source=source))
        elif qname.localname == "enumeration" and node.get("value") is not None:
            value = node.get("value").strip()
            if value:
                names.append(VocabularyName(name=value, kind="enumeration", source=source))
    return names


def xsd_declarations(text: bytes, source: str) -> list[DeclarationText]:
    """Top-level named declarations with their verbatim source lines.

    lxml re-serialization would add namespace declarations and change quoting; the original
    lines are the authoritative text. A declaration runs from its start line to the line before
    the next top-level node (comments between declarations stay with the declaration before)."""
    root = _parse(text, source)
    lines = text.decode("utf-8-sig", errors="replace").split("\n")
    children = [child for child in root if isinstance(child.tag, str) or child.tag is etree.Comment]
    starts = [child.sourceline for child in children]
    end_of_schema = _closing_line(lines, root)
    declarations: list[DeclarationText] = []
    for index, child in enumerate(children):
        if not isinstance(child.tag, str):
            continue
        qname = etree.QName(child)
        if qname.namespace != XSD_NAMESPACE or qname.localname not in TOP_LEVEL_KINDS or not child.get("name"):
            continue
        first = child.sourceline - 1
        if index + 1 < len(children):
            last = starts[index + 1] - 2
        else:
            # Up to the schema's closing tag, which is no part of the last declaration.
            last = end_of_schema - 1
            if last < len(lines) and lines[last].lstrip().startswith("</") and last > first:
                last -= 1
        block = lines[first : last + 1]
        while block and not block[-1].strip():
            block.pop()
        declarations.append(DeclarationText(kind=qname.localname, name=child.get("name"), text=_dedent("\n".join(block)), source=source))
    return declarations


def _closing_line(lines: list[str], root: etree._Element) -> int:
    """1-based line of the schema's closing tag (the last line that closes it)."""
    closing = f"</{root.prefix}:schema" if root.prefix else "</schema"
    for number in range(len(lines), 0, -1):
        if closing in lines[number - 1]:
            return number
    return len(lines) + 1


def _dedent(text: str) -> str:
    import textwrap

    return textwrap.dedent(text).strip("\n")
