"""Schema listings printed without prefixes are read as schemas, not as instance markup.

SAML 2.0 core prints every schema fragment with XML Schema as the default namespace and the
binding out of sight (it sits in the schema file's header): `<element name="Condition"
type="saml:ConditionAbstractType"/>`. Read as instance markup, `element`, `name` and `type` were
"names" (165 suspects on that document: `name` for the attribute `Name`, ...) and the declared
names themselves were never checked: 47 of 60 garbles injected into its listings went unseen."""

import pytest

from specmill.verify import extract_name_tokens
from specmill.verify.tokens import schema_prefixes


def _tokens(markdown: str) -> set[tuple[str, str, str]]:
    return {(t.name, t.kind, t.context) for t in extract_name_tokens(markdown)}


SAML_FRAGMENT = """```
<element name="Conditions" type="saml:ConditionsType"/>
<complexType name="ConditionsType">
   <choice minOccurs="0" maxOccurs="unbounded">
       <element ref="saml:Condition"/>
   </choice>
   <attribute name="NotBefore" type="dateTime" use="optional"/>
</complexType>
```
"""


def test_an_unprefixed_xsd_listing_yields_its_declared_and_referenced_names_only():
    assert _tokens(SAML_FRAGMENT) == {
        ("Conditions", "element", "schema-name"), ("ConditionsType", "type", "schema-ref"), ("ConditionsType", "type", "schema-name"),
        ("Condition", "element", "schema-ref"), ("NotBefore", "attribute", "schema-name"),
    }  # not `element`, `name`, `type`, nor the built-in `dateTime`


@pytest.mark.parametrize("line", [
    '<element name="Condition" type="saml:ConditionAbstractType"/>',  # one declaration per fence, as the tree splits listings
    '<attribute name="SPNameQualifier" type="string" use="optional"/>',
    '<extension base="samlp:RequestAbstractType">',
    "</extension>",
    '<anyAttribute namespace="##other" processContents="lax"/>',
    '<import namespace="http://www.w3.org/2000/09/xmldsig#" schemaLocation="xmldsig-core-schema.xsd"/>',
])
def test_one_line_of_a_schema_listing_is_recognised_by_its_constructs(line: str):
    assert schema_prefixes(line)[""] == "xsd"


def test_a_relax_ng_listing_without_prefixes_is_read_as_relax_ng():
    listing = '```\n<define name="manifest">\n  <element name="manifest:manifest">\n    <oneOrMore><ref name="file-entry"/></oneOrMore>\n  </element>\n</define>\n```\n'
    assert {("manifest", "element", "schema-name"), ("file-entry", "type", "schema-name")} <= _tokens(listing)
    assert not {name for name, _, _ in _tokens(listing)} & {"define", "element", "oneOrMore", "ref", "name"}


@pytest.mark.parametrize("instance", [
    '<Conditions NotBefore="2004-12-05T09:17:05Z" NotOnOrAfter="2004-12-05T09:27:05Z">',
    '<saml:Attribute Name="PostalAddress" NameFormat="urn:oasis:names:tc:SAML:2.0:attrname-format:uri"/>',
    '<manifest:file-entry manifest:full-path="/" manifest:media-type="application/vnd.oasis.opendocument.text"/>',
])
def test_instance_markup_stays_instance_markup(instance: str):
    assert "" not in schema_prefixes(instance)
    assert all(context in ("xml-tag", "xml-attribute") for _, _, context in _tokens(f"```xml\n{instance}\n```\n"))
