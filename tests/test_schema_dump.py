"""Schema-dump replacement: printed listings replaced declaration by declaration."""

import json
from pathlib import Path

import pytest

from schemas.artifacts import TREE_DIR
from schemas.tree import ClauseTreeReport
from specmill.tree.pack import unpack_tree
from specmill.verify.schema_dump import AuthoritativeSchemas, find_listing, replace_schema_dump, sanitize
from specmill.vocabulary import SchemaFile, read_schema_files
from tests.verify_fixtures import built_sample


def _listing_section(body_parts: list[str], language: str = "xml") -> str:
    fences = "\n\nContinued on the next page.\n\n".join(f"```{language}\n{part}\n```" for part in body_parts)
    return f"# A.1 Schema\n\nUp: [Annex A](index.md)\n\nThe schema follows.\n\n{fences}\n\nAfter the listing.\n"


def test_a_real_ooxml_schema_printed_with_a_page_break_and_garbles_is_replaced(corpus_dir: Path):
    path = corpus_dir / "schemas" / "ooxml-transitional-xsd" / "shared-commonSimpleTypes.xsd"
    text = path.read_text(encoding="utf-8")
    lines = text.split("\n")
    middle = len(lines) // 2  # a page break, wherever it falls (possibly inside a declaration)
    printed = "\n".join(lines[:middle]), "\n".join(lines[middle:])
    printed = tuple(part.replace('name="ST_Lang"', 'name="ST_1ang"').replace('name="ST_Guid"', 'name="st_guid"') for part in printed)
    markdown = _listing_section(list(printed))
    schemas = AuthoritativeSchemas.from_files(read_schema_files([path.parent])[0])
    result = replace_schema_dump(markdown, file="annex-a/a-1-schema.md", section="A.1", title="A.1 Schema", schemas=schemas)
    assert result is not None
    files, replacement = result
    truth = [d for d in schemas.by_file["shared-commonSimpleTypes.xsd"]]
    assert replacement.home_schema == "shared-commonSimpleTypes.xsd"
    assert len(replacement.declarations) == len(truth)
    assert replacement.replaced == len(truth)
    how = {d.name: d.match for d in replacement.declarations}
    assert how["ST_1ang"] == "fuzzy" and how["st_guid"] == "case_insensitive" and how["ST_OnOff"] == "exact"
    section = files["annex-a/a-1-schema.md"]
    assert section.startswith("# A.1 Schema") and section.rstrip().endswith("After the listing.")
    assert "```xml\n<xsd:simpleType" not in section  # the listing itself is gone from the section
    lang = next(d for d in replacement.declarations if d.name == "ST_1ang")
    assert 'name="ST_Lang"' in files[lang.path]  # the authoritative spelling


def test_duplicate_and_unsafe_names_never_share_a_file():
    listing = "\n".join([
        '<xsd:element name="a/b" type="x"/>', '<xsd:element name="Dup" type="x"/>', '<xsd:element name="dup" type="x"/>',
        '<xsd:element name="Dup" type="y"/>',
        # Long enough to be taken for a schema though no schema file holds it (UNMATCHED_LISTING_MIN).
        *(f'<xsd:element name="e{number}" type="x"/>' for number in range(6)),
    ])
    schemas = AuthoritativeSchemas.from_files([])
    files, replacement = replace_schema_dump(_listing_section([listing]), file="s.md", section="S", title="S", schemas=schemas)
    paths = [d.path for d in replacement.declarations]
    assert len(set(p.lower() for p in paths)) == 10
    assert paths[0] == "s/element/a_b.md" and sanitize("../x") == "x"
    assert all(d.match == "unmatched" for d in replacement.declarations)  # kept as parsed
    assert '<xsd:element name="Dup" type="y"/>' in files[paths[3]]


def test_an_rnc_listing_is_replaced_define_by_define(corpus_dir: Path):
    path = corpus_dir / "schemas" / "ooxml-transitional-rnc" / "shared-commonSimpleTypes.rnc"
    text = path.read_text(encoding="utf-8")
    schemas = AuthoritativeSchemas.from_files([SchemaFile(path.name, "rnc", path.read_bytes())])
    listing = find_listing(_listing_section([text], "rnc"), min_declarations=3)
    assert listing is not None and listing.language == "rnc"
    files, replacement = replace_schema_dump(_listing_section([text], "rnc"), file="s.md", section="S", title="S", schemas=schemas)
    assert replacement.replaced == len(replacement.declarations) == len(schemas.by_file[path.name])


def test_sections_without_a_schema_listing_are_left_alone():
    markdown = "# 2 Example\n\n```xml\n<w:p><w:pPr/></w:p>\n```\n"
    assert replace_schema_dump(markdown, file="x.md", section="2", title="2", schemas=AuthoritativeSchemas.from_files([])) is None


@pytest.mark.slow
def test_the_generated_samples_annex_listing_is_replaced_at_99_percent(tmp_path_factory):
    pdf, xsd, out = built_sample(tmp_path_factory.mktemp("sample"))
    truth = json.loads((pdf.parent / "sample-spec.truth.json").read_text())
    report = ClauseTreeReport.model_validate_json((out / "tree.json").read_bytes())
    annex = next(f for f in report.files if f.section == "A.2")
    markdown = unpack_tree((out / TREE_DIR).read_bytes())[annex.path].decode("utf-8")
    schemas = AuthoritativeSchemas.from_files(read_schema_files([xsd])[0])
    files, replacement = replace_schema_dump(markdown, file=annex.path, section="A.2", title="A.2 Schema Listing", schemas=schemas)
    printed = [(d.kind, d.name) for d in replacement.declarations]
    assert printed == [(d["kind"], d["name"]) for d in truth["schema_declarations"]]
    assert replacement.replaced / len(truth["schema_declarations"]) >= 0.99
    assert len(files) == len(printed) + 1


def test_an_ebnf_grammar_is_not_read_as_a_relax_ng_compact_listing():
    """sarif210 §3.9 prints an ISO 14977 grammar (`name = a, [ b ] ;`, `(* comments *)`): line by
    line it reads like RELAX NG compact, and the listing check then failed on 9 'declarations'
    that no schema holds."""
    grammar = (
        'date time = date, [ "T", time, "Z" ] (* UTC time *);\n'
        "date = year, \"-\", month, \"-\", day;\n"
        "year = 4 * decimal digit;\n"
        "month = 2 * decimal digit (* from 01 to 12 *);\n"
    )
    assert find_listing(f"```\n{grammar}```\n", min_declarations=2) is None
    rnc = "start = doc\ndoc = element doc { item* }\nitem = element item { text }\n"
    assert find_listing(f"```\n{rnc}```\n", min_declarations=2).language == "rnc"


def test_a_few_template_declarations_no_schema_holds_are_not_a_schema_listing_but_a_long_one_is():
    schemas = AuthoritativeSchemas.from_files([SchemaFile("s.xsd", "xsd", XSD_WITH_POLICY)])
    template = '```xml\n<xs:element name="Prop" type="PropXsdType"/>\n<xs:attribute name="Prop" type="T"/>\n<xs:attribute name="Other" type="T"/>\n```\n'
    assert replace_schema_dump(template, file="x.md", section="5", title="5", schemas=schemas) is None
    long_listing = "```xml\n" + "".join(f'<xs:element name="Unknown{n}" type="xs:string"/>\n' for n in range(12)) + "```\n"
    _, replacement = replace_schema_dump(long_listing, file="x.md", section="5", title="5", schemas=schemas)
    assert len(replacement.declarations) == 12 and replacement.replaced == 0
    mixed = template + '```xml\n<xs:element name="Policy" type="xs:string"/>\n```\n'
    assert replace_schema_dump(mixed, file="x.md", section="5", title="5", schemas=schemas) is None  # examples around a real name
    known = "```xml\n" + '<xs:element name="Policy" type="xs:string"/>\n' * 3 + "```\n"
    assert replace_schema_dump(known, file="x.md", section="5", title="5", schemas=schemas) is not None


XSD_WITH_POLICY = b"""<?xml version="1.0"?>
<xs:schema xmlns:xs="http://www.w3.org/2001/XMLSchema">
  <xs:element name="Policy" type="xs:string"/>
</xs:schema>
"""


def test_a_few_declarations_no_schema_holds_are_not_taken_for_the_schema():
    # xacml40-core §5.2.5 prints XSD templates; with no schema files at all, code reads the same.
    listing = "\n".join(f'<xsd:element name="Prop{number}" type="PropXsdType"/>' for number in range(4))
    schemas = AuthoritativeSchemas.from_files([])
    assert replace_schema_dump(_listing_section([listing]), file="s.md", section="S", title="S", schemas=schemas) is None


SCHEMA = """<xs:schema xmlns:xs="http://www.w3.org/2001/XMLSchema">
  <xs:element name="Request" type="RequestType"/>
  <xs:complexType name="RequestType">
    <xs:sequence>
      <xs:element ref="Body" minOccurs="0"/>
    </xs:sequence>
    <xs:attribute name="Id" type="xs:string" use="required"/>
  </xs:complexType>
  <xs:element name="Body" type="BodyType"/>
  <xs:complexType name="BodyType">
    <xs:sequence>
      <xs:any minOccurs="0"/>
    </xs:sequence>
  </xs:complexType>
</xs:schema>
"""


def test_a_listing_that_lost_lines_still_finds_every_top_level_declaration_by_its_column():
    # xacml40-core Annex D: the stream opens with closing tags of an annotation MinerU set as
    # prose, and a `</xs:sequence>` went to the page footer. Top-level declarations stand at
    # the least indented column; a nested attribute whose type lost its first line is none.
    printed = "\n".join([
        "      </xs:documentation>",
        "</xs:annotation>",
        '<xs:element name="Request" type="RequestType"/>',
        "  <xs:sequence>",
        '    <xs:element ref="Body" minOccurs="0"/>',
        '  <xs:attribute name="Id" type="xs:string" use="required"/>',
        "</xs:complexType>",
        '<xs:element name="Body" type="BodyType"/>',
        '<xs:complexType name="BodyType">',
        "  <xs:sequence>",
        '    <xs:any minOccurs="0"/>',
        "</xs:complexType>",
    ])
    schemas = AuthoritativeSchemas.from_files([SchemaFile("core.xsd", "xsd", SCHEMA.encode())])
    files, replacement = replace_schema_dump(_listing_section([printed]), file="s.md", section="S", title="S", schemas=schemas)
    assert [(d.kind, d.name, d.match) for d in replacement.declarations] == [
        ("element", "Request", "exact"), ("element", "Body", "exact"), ("complexType", "BodyType", "exact"),
    ]
    assert '<xs:attribute name="Id"' in files["s.md"]  # kept as text of the listing, not dropped


def test_a_short_listing_mixing_templates_with_real_declarations_is_left_as_printed():
    listing = "\n".join(['<xs:simpleType name="FooType">', "</xs:simpleType>", '<xs:simpleType name="FooType">', "</xs:simpleType>",
                         '<xs:element name="Body" type="BodyType"/>'])
    schemas = AuthoritativeSchemas.from_files([SchemaFile("core.xsd", "xsd", SCHEMA.encode())])
    assert replace_schema_dump(_listing_section([listing]), file="s.md", section="S", title="S", schemas=schemas) is None


def test_a_fragment_of_one_or_two_declarations_is_replaced_in_place_and_its_garble_is_gone():
    # saml20-core and dss-core-v2 print one type per clause, right where the prose describes it.
    fragment = '<xs:element name="Body" type="BodyType"/>\n<xs:complexType name="BodyTyp">\n  <xs:sequence>\n    <xs:any minOccurs="0"/>\n  </xs:sequence>\n</xs:complexType>'
    schemas = AuthoritativeSchemas.from_files([SchemaFile("core.xsd", "xsd", SCHEMA.encode())])
    files, replacement = replace_schema_dump(_listing_section([fragment]), file="s.md", section="S", title="S", schemas=schemas)
    assert list(files) == ["s.md"]  # no declaration files for a fragment
    assert [(d.name, d.matched_name, d.match) for d in replacement.declarations] == [("Body", "Body", "exact"), ("BodyTyp", "BodyType", "fuzzy")]
    section = files["s.md"]
    assert '<xs:complexType name="BodyType">' in section and "BodyTyp\"" not in section
    assert section.index("The schema follows.") < section.index("```xml") < section.index("After the listing.")
    assert "from `core.xsd`" in section


def test_the_declarations_the_text_layer_prints_at_the_top_level_are_counted_from_the_pdf():
    from specmill.verify.schema_dump import printed_in_text_layer

    schemas = AuthoritativeSchemas.from_files([SchemaFile("core.xsd", "xsd", SCHEMA.encode())])
    page = "The type is copied below.\n<xs:complexType name=\"BodyType\">\n  <xs:sequence>\n    <xs:element name=\"Body\"/>\n  </xs:sequence>\n</xs:complexType>\nMore prose."
    # Body is printed nested here (indented past the run's least indented tag): not counted.
    assert printed_in_text_layer([page], schemas) == {("complexType", "BodyType")}
    assert printed_in_text_layer(["<xs:element name=\"Request\" type=\"RequestType\"/>"], schemas) == {("element", "Request")}
    assert printed_in_text_layer(["<xs:element name=\"Elsewhere\"/>"], schemas) == set()  # not the schemas'
    # dss-core-v2: a tag wrapped onto an unindented line does not end the run it is nested in.
    wrapped = '<xs:complexType name="BodyType">\n  <xs:sequence>\n    <xs:any\nminOccurs="0"/>\n    <xs:element name="Body" type="x"\nminOccurs="0"/>\n  </xs:sequence>\n</xs:complexType>'
    assert printed_in_text_layer([wrapped], schemas) == {("complexType", "BodyType")}
    # A whole schema printed: its root tag (wrapped over lines) stands left of its declarations.
    whole = '<?xml version="1.0"?>\n<xs:schema xmlns:xs="http://www.w3.org/2001/XMLSchema"\n  targetNamespace="urn:x">\n  <xs:element name="Request" type="RequestType"/>\n</xs:schema>'
    assert printed_in_text_layer([whole], schemas) == {("element", "Request")}
