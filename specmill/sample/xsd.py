"""The W3C XML Schema of the sample vocabulary: the XSD file and the annex listing are this text.

Elements and attributes are declared globally and used by reference, so every attribute in an
example is namespace-qualified (`s:styleId`) and every fragment rooted in any element validates.
"""

from __future__ import annotations

from schemas.sample import SchemaDeclaration
from specmill.sample.vocabulary import NAMESPACE, PREFIX, Vocabulary

MAX_LINE = 90  # characters; the annex prints the listing in 8 pt Courier without wrapping


def render_xsd(vocabulary: Vocabulary) -> str:
    lines = [
        '<?xml version="1.0" encoding="UTF-8"?>',
        '<xsd:schema xmlns:xsd="http://www.w3.org/2001/XMLSchema"',
        f'  xmlns:{PREFIX}="{NAMESPACE}"',
        f'  targetNamespace="{NAMESPACE}"',
        '  elementFormDefault="qualified" attributeFormDefault="qualified">',
    ]
    for simple_type in vocabulary.simple_types:
        lines.append(f'  <xsd:simpleType name="{simple_type.name}">')
        lines.append('    <xsd:restriction base="xsd:string">')
        if simple_type.pattern is not None:
            lines.append(f'      <xsd:pattern value="{simple_type.pattern}"/>')
        for value in simple_type.values:
            lines.append(f'      <xsd:enumeration value="{value}"/>')
        lines.append("    </xsd:restriction>")
        lines.append("  </xsd:simpleType>")
    for attribute in vocabulary.attributes.values():
        default = f' default="{attribute.default}"' if attribute.default is not None else ""
        lines.append(f'  <xsd:attribute name="{attribute.name}" type="{attribute.type_name}"{default}/>')
    for element in vocabulary.elements:
        lines.append(f'  <xsd:element name="{element.name}" type="{PREFIX}:{element.type_name}"/>')
        lines.append(f'  <xsd:complexType name="{element.type_name}">')
        if element.children:
            lines.append('    <xsd:choice minOccurs="0" maxOccurs="unbounded">')
            for child in element.children:
                lines.append(f'      <xsd:element ref="{PREFIX}:{child}"/>')
            lines.append("    </xsd:choice>")
        for attribute_name in element.attributes:
            lines.append(f'    <xsd:attribute ref="{PREFIX}:{attribute_name}"/>')
        lines.append("  </xsd:complexType>")
    lines.append("</xsd:schema>")
    too_long = [line for line in lines if len(line) > MAX_LINE]
    if too_long:
        raise AssertionError(f"schema lines exceed {MAX_LINE} characters: {too_long[:3]}")
    return "\n".join(lines) + "\n"


def schema_declarations(vocabulary: Vocabulary) -> list[SchemaDeclaration]:
    """Every named declaration, in the order the XSD text declares them."""
    declarations = [SchemaDeclaration(kind="simpleType", name=item.name) for item in vocabulary.simple_types]
    declarations += [SchemaDeclaration(kind="attribute", name=name) for name in vocabulary.attributes]
    for element in vocabulary.elements:
        declarations.append(SchemaDeclaration(kind="element", name=element.name))
        declarations.append(SchemaDeclaration(kind="complexType", name=element.type_name))
    return declarations
