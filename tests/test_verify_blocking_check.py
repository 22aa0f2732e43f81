"""`corrected_corpus_has_no_actionable_garbles` on a small real-shaped build: a garble the PDF
disproves beyond doubt is corrected by the stage itself and the check passes; a garble the PDF
disproves without saying what it was (two printed names as close) blocks the build until the
profile decides it.

The document is the XML-Signature `KeyValueType` listing (as DSS 2.0 core and every XMLDSig
profile reprint it) with its schema, through the real tree renderer, store and assets."""

from pathlib import Path

import dagster as dg
import pytest
import yaml

from assets.clause_tree import clause_tree
from assets.corrected import corrected_corpus
from assets.crosslinks import crosslink_graph
from assets.vocabulary import xsd_vocabulary
from checks.corrected import corrected_corpus_has_no_actionable_garbles, corrected_corpus_has_no_stale_overlay
from resources.settings import SpecmillSettings
from resources.storage import LocalArtifactStore
from schemas.artifacts import CORPUS_DIR, FINDINGS, LINKED_DIR, TREE_REPORT
from schemas.blocks import Block
from schemas.outline import Outline, OutlineEntry, PageOffset, SourcePdf
from schemas.page_text import PageText
from schemas.profile import DocumentProfile
from schemas.tree import ClauseTree, Section, SegmentationReport
from schemas.vocabulary import FindingsReport
from specmill.tree.write import render_clause_tree
from tests.pdf_factory import numbered_document

SCHEMA = """<?xml version="1.0" encoding="utf-8"?>
<schema xmlns="http://www.w3.org/2001/XMLSchema" xmlns:ds="http://www.w3.org/2000/09/xmldsig#"
        targetNamespace="http://www.w3.org/2000/09/xmldsig#" elementFormDefault="qualified">
  <element name="KeyValue" type="ds:KeyValueType"/>
  <complexType name="KeyValueType" mixed="true">
    <choice>
      <element ref="ds:DSAKeyValue"/>
      <element ref="ds:RSAKeyValue"/>
      <any namespace="##other" processContents="lax"/>
    </choice>
  </complexType>
  <element name="DSAKeyValue" type="ds:DSAKeyValueType"/>
  <complexType name="DSAKeyValueType">
    <sequence><element name="P" type="ds:CryptoBinary"/><element name="Q" type="ds:CryptoBinary"/></sequence>
  </complexType>
  <element name="RSAKeyValue" type="ds:RSAKeyValueType"/>
  <complexType name="RSAKeyValueType">
    <sequence><element name="Modulus" type="ds:CryptoBinary"/><element name="Exponent" type="ds:CryptoBinary"/></sequence>
  </complexType>
  <simpleType name="CryptoBinary"><restriction base="base64Binary"/></simpleType>
</schema>
"""
LISTING = """<element name="KeyValue" type="ds:KeyValueType"/>
<complexType name="KeyValueType" mixed="true">
  <choice>
    <element ref="ds:DSAKeyValue"/>
    <element ref="ds:RSAKeyValue"/>
    <any namespace="##other" processContents="lax"/>
  </choice>
</complexType>"""
PAGE = (
    "4.4.2 The KeyValue Element\nThe KeyValue element contains a single public key that may be useful in validating the\n"
    "signature. Structured formats for defining DSA (REQUIRED) and RSA (RECOMMENDED) public keys are defined.\n"
    "Schema Definition:\n" + LISTING + "\n"
)


def _store(tmp_path: Path, listing: str) -> Path:
    """A build of the one-page document up to crosslink_graph, with `listing` as MinerU read it."""
    root = tmp_path / "store"
    store = LocalArtifactStore(root=str(root))
    section = Section(
        key="4.4.2", clause_id="4.4.2", title="The KeyValue Element", level=1, outline_index=0, outline_page=0, heading_page=0,
        first_page=0, last_page=0, matched=True, blocks=[
            Block(type="text", page=0, text="The KeyValue element contains a single public key that may be useful in validating the signature."),
            Block(type="code", page=0, code_body=listing, code_language="xml"),
        ],
    )
    report = SegmentationReport(clauses_total=1, matched=[], missed=[], out_of_order=[], blocks_in=2, blocks_assigned=2,
                                front_matter_blocks=0, furniture_dropped={})
    files, tree_report = render_clause_tree(ClauseTree(sections=[section], report=report), document_title="xmldsig-core")
    store.write_tree(LINKED_DIR, files)  # no references to link: the linked tree is the tree
    store.write_model(TREE_REPORT, tree_report)
    sha256 = "5" * 64
    store.write_model("source.json", SourcePdf(
        path=str(tmp_path / "xmldsig-core.pdf"), sha256=sha256, page_count=1, page_labels=[""],
        outline=Outline(entries=[OutlineEntry(clause_id="4.4.2", title="The KeyValue Element", level=1, page=0)], source="bookmarks", bookmarks_total=1),
        page_offset=PageOffset(offset=None, method="none"), textless_pages=[],
    ))
    store.write_model("pages.json", PageText(sha256=sha256, page_count=1, pages=[PAGE]))
    (tmp_path / "xmldsig-core-schema.xsd").write_text(SCHEMA)
    numbered_document(tmp_path / "xmldsig-core.pdf", [("4.4.2 The KeyValue Element", 0)], 1)  # the profile is chosen from it
    return root


def _run(tmp_path: Path, store: Path, profile: dict | None = None) -> dict[str, dg.AssetCheckEvaluation]:
    profile_path = None
    if profile is not None:
        profile_path = tmp_path / "profile.yaml"
        profile_path.write_text(yaml.safe_dump(profile))
    result = dg.materialize(
        [clause_tree, crosslink_graph, xsd_vocabulary, corrected_corpus, corrected_corpus_has_no_actionable_garbles, corrected_corpus_has_no_stale_overlay],
        selection=[xsd_vocabulary, corrected_corpus],
        resources={
            "settings": SpecmillSettings(pdf_path=str(tmp_path / "xmldsig-core.pdf"), schema_paths=[str(tmp_path / "xmldsig-core-schema.xsd")],
                                         profile_path=str(profile_path) if profile_path else None),
            "store": LocalArtifactStore(root=str(store)),
        },
        raise_on_error=False,
    )
    return {e.check_name: e for e in result.get_asset_check_evaluations()}


def _corpus_text(store: Path) -> str:
    return "\n".join(path.read_text() for path in sorted((store / CORPUS_DIR).rglob("*.md")))


def test_a_garble_the_pdf_disproves_beyond_doubt_is_corrected_and_the_check_passes(tmp_path: Path):
    store = _store(tmp_path, LISTING.replace("ds:RSAKeyValue", "ds:RSAKeyVa1ue"))  # l read as 1
    checks = _run(tmp_path, store)
    assert checks["corrected_corpus_has_no_actionable_garbles"].passed
    findings = FindingsReport.model_validate_json((store / FINDINGS).read_bytes())
    assert [(f.token, f.suggestion, f.status) for f in findings.findings] == [("RSAKeyVa1ue", "RSAKeyValue", "corrected")]
    assert "ds:RSAKeyValue" in _corpus_text(store) and "RSAKeyVa1ue" not in _corpus_text(store)


def test_a_garble_the_pdf_cannot_settle_blocks_the_build_until_the_profile_does(tmp_path: Path):
    # As close to DSAKeyValue as to RSAKeyValue. Only the content model as MinerU read it: had it
    # kept the declaration lines, the schema's own text would replace the fragment (test_schema_dump).
    content_model = "\n".join(LISTING.split("\n")[2:-1])
    store = _store(tmp_path, content_model.replace("ds:DSAKeyValue", "ds:SAKeyValue"))
    checks = _run(tmp_path, store)
    check = checks["corrected_corpus_has_no_actionable_garbles"]
    assert not check.passed and check.metadata["actionable"].value == 1
    findings = FindingsReport.model_validate_json((store / FINDINGS).read_bytes())
    finding, = findings.with_status("actionable")
    assert (finding.token, finding.suggestion, finding.alternatives) == ("SAKeyValue", "DSAKeyValue", ["RSAKeyValue"])
    assert "ds:SAKeyValue" in _corpus_text(store)  # nothing guessed

    if "verification" not in DocumentProfile.model_fields:
        pytest.skip("DocumentProfile has no `verification` field")
    checks = _run(tmp_path, store, {"verification": {
        "corrections": [{"garble": "SAKeyValue", "name": "DSAKeyValue", "kind": "element", "sections": ["4.4.2"]}],
        "overlays": [{"section": "4.4.2", "find": "text that is not there", "replace": "x"}],
    }})
    assert checks["corrected_corpus_has_no_actionable_garbles"].passed
    assert not checks["corrected_corpus_has_no_stale_overlay"].passed
    assert checks["corrected_corpus_has_no_stale_overlay"].severity == dg.AssetCheckSeverity.WARN
    findings = FindingsReport.model_validate_json((store / FINDINGS).read_bytes())
    assert [(f.token, f.status) for f in findings.findings] == [("SAKeyValue", "corrected")]
    assert "ds:DSAKeyValue" in _corpus_text(store)
