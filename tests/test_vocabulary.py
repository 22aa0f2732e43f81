"""Schema vocabularies from XSD (xs:/xsd:), RELAX NG compact and RELAX NG XML, dirs and zips."""

import zipfile
from pathlib import Path

import pytest

from specmill.vocabulary import VocabularyError, load_vocabulary, read_schema_files
from specmill.vocabulary.rnc import rnc_declarations, rnc_names
from specmill.vocabulary.xsd import xsd_declarations, xsd_names

XS_SCHEMA = b"""<?xml version="1.0"?>
<xs:schema xmlns:xs="http://www.w3.org/2001/XMLSchema" targetNamespace="urn:t">
  <xs:element name="fontAlgn" type="xs:string"/>
  <xs:complexType name="CT_Run">
    <xs:sequence><xs:element name="rPr" minOccurs="0"/><xs:element ref="fontAlgn"/></xs:sequence>
    <xs:attribute name="val"/>
  </xs:complexType>
  <xs:simpleType name="ST_Algn">
    <xs:restriction base="xs:string"><xs:enumeration value="center"/><xs:enumeration value="both"/></xs:restriction>
  </xs:simpleType>
</xs:schema>
"""


def test_xsd_names_cover_global_and_local_declarations_and_enumerations_but_not_references():
    names = {(n.name, n.kind) for n in xsd_names(XS_SCHEMA, "t.xsd")}
    assert {("fontAlgn", "element"), ("rPr", "element"), ("CT_Run", "complexType"), ("val", "attribute"),
            ("ST_Algn", "simpleType"), ("center", "enumeration"), ("both", "enumeration")} == names


def test_xsd_declarations_keep_the_verbatim_text_of_each_top_level_declaration():
    declarations = xsd_declarations(XS_SCHEMA, "t.xsd")
    assert [(d.kind, d.name) for d in declarations] == [("element", "fontAlgn"), ("complexType", "CT_Run"), ("simpleType", "ST_Algn")]
    assert declarations[1].text.startswith('<xs:complexType name="CT_Run">') and declarations[1].text.endswith("</xs:complexType>")
    assert "xmlns" not in declarations[1].text
    assert declarations[2].text.endswith("</xs:simpleType>")  # the schema's closing tag is no part of the last one


def test_rnc_names_ignore_comments_facets_and_include_lines():
    text = b'''namespace w = "urn:w"
include "other.rnc"
# element commented { text }
w_CT_Jc = attribute w:val { "start" | "center" | string "both" }
w_ST_Hex = xsd:string { pattern = "[0-9A-F]{6}#" }
w_p = element p { w_CT_Jc }
'''
    names = {(n.name, n.kind, n.prefix) for n in rnc_names(text, "w.rnc")}
    assert ("val", "attribute", "w") in names and ("p", "element", None) in names
    assert {n for n, k, _ in names if k == "enumeration"} == {"start", "center", "both"}
    assert {n for n, k, _ in names if k == "define"} == {"w_CT_Jc", "w_ST_Hex", "w_p"}
    assert [d.name for d in rnc_declarations(text, "w.rnc")] == ["w_CT_Jc", "w_ST_Hex", "w_p"]


def test_malformed_files_are_reported_by_name_and_skipped(tmp_path: Path):
    (tmp_path / "good.xsd").write_bytes(XS_SCHEMA)
    (tmp_path / "broken.xsd").write_text("<xs:schema xmlns:xs='http://www.w3.org/2001/XMLSchema'><xs:element name='a'>")
    (tmp_path / "unbalanced.rnc").write_text("a = element a { text \n")
    (tmp_path / "notes.txt").write_text("not a schema")
    vocabulary = load_vocabulary([tmp_path])
    assert sorted(s.path for s in vocabulary.skipped) == ["broken.xsd", "unbalanced.rnc"]
    assert "fontAlgn" in vocabulary.local_names({"element"})


def test_zip_archives_are_read_member_by_member(tmp_path: Path):
    archive = tmp_path / "schemas.zip"
    with zipfile.ZipFile(archive, "w") as bundle:
        bundle.writestr("inner/t.xsd", XS_SCHEMA)
        bundle.writestr("inner/readme.txt", "x")
    files, skipped = read_schema_files([archive])
    assert [f.label for f in files] == ["schemas.zip!inner/t.xsd"] and not skipped
    assert load_vocabulary([archive]).counts()["element"] == 2


def test_a_schema_zip_inflating_past_the_cap_is_refused_naming_file_and_cap(tmp_path: Path):
    archive = tmp_path / "bomb.zip"
    with zipfile.ZipFile(archive, "w", compression=zipfile.ZIP_DEFLATED) as bundle:
        bundle.writestr("ok.xsd", XS_SCHEMA)
        with bundle.open("zeros.xsd", "w") as member:  # 300 MB of zeros, a few hundred kB on disk
            for _ in range(300):
                member.write(bytes(1024 * 1024))
    assert archive.stat().st_size < 2 * 1024 * 1024
    with pytest.raises(VocabularyError, match=r"bomb\.zip inflates to more than 128 MiB .*zeros\.xsd"):
        read_schema_files([archive])


def test_a_schema_zip_with_too_many_members_is_refused(tmp_path: Path, monkeypatch):
    from specmill.vocabulary import loader

    monkeypatch.setattr(loader, "MAX_SCHEMA_ZIP_MEMBERS", 3)
    archive = tmp_path / "many.zip"
    with zipfile.ZipFile(archive, "w") as bundle:
        for number in range(4):
            bundle.writestr(f"s{number}.xsd", XS_SCHEMA)
    with pytest.raises(VocabularyError, match=r"many\.zip has 4 members, more than the 3 accepted"):
        read_schema_files([archive])


def test_a_missing_schema_location_is_an_error_naming_it(tmp_path: Path):
    with pytest.raises(VocabularyError, match="does not exist"):
        load_vocabulary([tmp_path / "nowhere"])


def test_ooxml_transitional_xsd_has_the_published_declaration_counts(corpus_dir: Path):
    vocabulary = load_vocabulary([corpus_dir / "schemas" / "ooxml-transitional-xsd"])
    assert not vocabulary.skipped and len(vocabulary.files) == 26
    assert vocabulary.declaration_counts["element"] == 3405
    assert vocabulary.declaration_counts["attribute"] == 3231
    counts = vocabulary.counts()
    assert counts["element"] > 2000 and counts["attribute"] > 1700 and counts["enumeration"] > 2000
    assert {"pPr", "tblLook", "algn", "fontAlgn"} <= vocabulary.local_names()


def test_ooxml_strict_xsd_and_transitional_rnc_load_without_skips(corpus_dir: Path):
    strict = load_vocabulary([corpus_dir / "schemas" / "ooxml-strict-xsd"])
    rnc = load_vocabulary([corpus_dir / "schemas" / "ooxml-transitional-rnc"])
    assert not strict.skipped and not rnc.skipped
    assert strict.counts()["element"] > 1800 and rnc.counts()["element"] > 2000
    transitional = load_vocabulary([corpus_dir / "schemas" / "ooxml-transitional-xsd"])
    # The compact and the XML syntax of the same schema set declare the same element names.
    overlap = len(rnc.local_names({"element"}) & transitional.local_names({"element"}))
    assert overlap / len(transitional.local_names({"element"})) > 0.98


def test_odf_rng_and_genericode_xsd(corpus_dir: Path):
    odf = load_vocabulary([corpus_dir / "specs" / "odf13-packages" / "schemas"])
    manifest = {(n.prefix, n.name) for n in odf.names if n.kind == "element"}
    assert ("manifest", "file-entry") in manifest and ("manifest", "key-derivation") in manifest
    assert "manifest" in odf.prefixes()
    genericode = load_vocabulary([corpus_dir / "specs" / "genericode" / "schemas"])
    assert genericode.counts()["element"] >= 30
