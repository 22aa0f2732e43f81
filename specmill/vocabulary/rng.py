"""Names from RELAX NG (XML syntax) grammars."""

from __future__ import annotations

from lxml import etree

from schemas.vocabulary import VocabularyName
from specmill.vocabulary.declarations import MalformedSchemaError, split_qualified

RNG_NAMESPACE = "http://relaxng.org/ns/structure/1.0"


def rng_names(text: bytes, source: str) -> list[VocabularyName]:
    """Elements and attributes (`name=` or a `<name>` child), defines, and `<value>` enumerations."""
    parser = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=True)
    try:
        root = etree.fromstring(text, parser)
    except etree.XMLSyntaxError as exc:
        raise MalformedSchemaError(f"not well-formed XML: {exc}") from exc
    if etree.QName(root).namespace != RNG_NAMESPACE:
        raise MalformedSchemaError(f"root element is {root.tag!r}, not a RELAX NG pattern")
    names: list[VocabularyName] = []
    for node in root.iter(etree.Element):
        qname = etree.QName(node)
        if qname.namespace != RNG_NAMESPACE:
            continue
        if qname.localname in ("element", "attribute"):
            written = node.get("name")
            if written is None:
                name_child = node.find(f"{{{RNG_NAMESPACE}}}name")
                written = name_child.text if name_child is not None else None
            if written and written.strip():
                prefix, local = split_qualified(written.strip())
                names.append(VocabularyName(name=local, kind=qname.localname, prefix=prefix, source=source))
        elif qname.localname == "define" and node.get("name"):
            names.append(VocabularyName(name=node.get("name").strip(), kind="define", source=source))
        elif qname.localname == "value" and node.text and node.text.strip():
            names.append(VocabularyName(name=node.text.strip(), kind="enumeration", source=source))
    return names
