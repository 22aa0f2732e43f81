"""Name-context tokens, the vocabulary check, the source check against the PDF's words, and the
garble-injection benchmark on real documents."""

from pathlib import Path

import pytest

from schemas.tree import ClauseTreeReport
from schemas.verification_profile import BenignName, VerificationRules
from schemas.vocabulary import Vocabulary, VocabularyName
from specmill.verify import ClauseFile, PdfPageWords, clause_files, extract_name_tokens, page_words, verify_files
from specmill.vocabulary import load_vocabulary
from tests.verify_fixtures import built_odf, built_sample

# As the clause-tree renderer writes them (a code fence, a drawn table, inline code, prose qnames).
EXAMPLE = """# 3.1.2 body (Body)

<!-- 3.1.2: PDF page 7 -->

The `<manifest:file-entry>` element has a manifest:full-path attribute; see http://example.com/a:b.

Table 2 — Attributes of body

| Name | Type | Default | Description |
| --- | --- | --- | --- |
| lineScale | xsd:decimal | 1.0 | Specifies the line scale factor. |

```xml
<s:body xmlns:s="urn:s" s:fontAlgn="2.0" xml:space="preserve">
  <Default Extension="rels"/>
</s:body>
```

```xml
<xsd:element name="para" type="s:CT_Para"/>
<xsd:attribute ref="s:rowColor"/>
```
"""


def _vocabulary(*entries: tuple[str, str]) -> Vocabulary:
    return Vocabulary(roots=[], files=[], names=[VocabularyName(name=n, kind=k, source="t.xsd") for n, k in entries])  # type: ignore[arg-type]


def test_tokens_come_only_from_name_contexts_with_their_kind_and_exact_offsets():
    tokens = extract_name_tokens(EXAMPLE, known_prefixes={"manifest", "s"})
    found = {(t.name, t.kind, t.context) for t in tokens}
    assert ("file-entry", "element", "xml-tag") in found
    assert ("full-path", "attribute", "prose-qname") in found
    assert ("lineScale", "attribute", "table") in found  # the caption says "Attributes of"
    assert ("body", "element", "xml-tag") in found and ("fontAlgn", "attribute", "xml-attribute") in found
    assert ("space", "attribute", "xml-attribute") in found and ("Default", "element", "xml-tag") in found
    assert ("Extension", "attribute", "xml-attribute") in found
    assert ("para", "element", "schema-name") in found and ("rowColor", "attribute", "schema-ref") in found
    names = {t.name for t in tokens}
    # Schema-language constructs, built-in types, xmlns, page comments and prose words are not names.
    assert not names & {"element", "attribute", "xsd", "decimal", "xmlns", "page", "Specifies", "b"}
    for token in tokens:
        assert EXAMPLE[token.start : token.end] == token.name


def test_page_words_keep_names_broken_at_a_hyphen_with_the_hyphen():
    words = page_words("the <manifest:file-\nentry> element and s:fontAlgn.")
    assert {"file-entry", "fontAlgn", "manifest"} <= words
    assert "fileentry" not in words


RULES = VerificationRules()
VOCABULARY = _vocabulary(("fontAlgn", "attribute"), ("fontAlign", "attribute"), ("tblLook", "element"), ("para", "element"))


def _file(markdown: str) -> ClauseFile:
    return ClauseFile("a.md", "2.1", markdown, (4,))


def test_a_garble_the_pdf_contradicts_is_actionable_with_the_printed_name_as_suggestion():
    findings, figures = verify_files([_file("```xml\n<s:tb1Look/>\n```")], VOCABULARY, RULES, lambda page: frozenset({"tblLook"}))
    assert [(f.token, f.suggestion, f.status, f.evidence_pages) for f in findings] == [("tb1Look", "tblLook", "actionable", [4])]
    assert figures.pages_extracted == 1


def test_a_garble_that_spells_another_real_name_is_caught_by_the_source_check_only():
    markdown = '```xml\n<s:para s:fontAlign="1"/>\n```'
    assert verify_files([_file(markdown)], VOCABULARY, RULES)[0] == []  # vocabulary alone: a real name
    findings, _ = verify_files([_file(markdown)], VOCABULARY, RULES, lambda page: frozenset({"para", "fontAlgn"}))
    assert [(f.token, f.suggestion, f.kind, f.status, f.in_vocabulary) for f in findings] == [("fontAlign", "fontAlgn", "attribute", "actionable", True)]


def test_a_name_the_pdf_prints_itself_is_only_a_suspect_and_a_profile_can_declare_it_benign():
    markdown = "```xml\n<s:tblLok/>\n```"
    findings, _ = verify_files([_file(markdown)], VOCABULARY, RULES, lambda page: frozenset({"tblLok", "tblLook"}))
    assert [f.status for f in findings] == ["suspect"]
    rules = VerificationRules(benign=[BenignName(token="tblLok")])
    findings, _ = verify_files([_file(markdown)], VOCABULARY, rules, lambda page: frozenset({"tblLok"}))
    assert [f.status for f in findings] == ["benign"]


def test_names_far_from_every_vocabulary_name_are_not_findings():
    findings, _ = verify_files([_file("```xml\n<s:document s:zoomFactor='1'/>\n```")], VOCABULARY, RULES, lambda page: frozenset())
    assert findings == []


@pytest.mark.slow
def test_odf_packages_verifies_against_its_rng_and_finds_the_hyphens_mineru_dropped(corpus_dir: Path, tmp_path_factory):
    pdf, schemas, out = built_odf(tmp_path_factory.mktemp("odf"), corpus_dir)
    files = clause_files(out / "tree", ClauseTreeReport.model_validate_json((out / "tree.json").read_bytes()))
    vocabulary = load_vocabulary([schemas])
    with PdfPageWords(pdf) as pages:
        findings, figures = verify_files(files, vocabulary, RULES, pages.words)
        assert pages.pages_extracted == figures.pages_extracted < 36
    actionable = {(f.token, f.suggestion) for f in findings if f.status == "actionable"}
    # MinerU flash joins "file-" / "entry" across a line break; the PDF prints "file-entry".
    assert ("fileentry", "file-entry") in actionable and ("keyderivation", "key-derivation") in actionable
    assert all(f.suggestion and "-" in f.suggestion for f in findings if f.status == "actionable")
    assert figures.tokens_checked > 300


@pytest.mark.slow
@pytest.mark.parametrize("document", ["sample", "odf"])
def test_garble_injection_recall_and_precision_are_at_least_95_percent(document, corpus_dir: Path, tmp_path_factory):
    from benchmarks.garble_injection import inject_garbles, score

    if document == "sample":
        pdf, schemas, out = built_sample(tmp_path_factory.mktemp("sample"))
    else:
        pdf, schemas, out = built_odf(tmp_path_factory.mktemp("odf"), corpus_dir)
    files = clause_files(out / "tree", ClauseTreeReport.model_validate_json((out / "tree.json").read_bytes()))
    vocabulary = load_vocabulary([schemas])
    with PdfPageWords(pdf) as pages:
        garbled, record, vocabulary = inject_garbles(files, vocabulary, pages.words, seed=11)
        result = score(files, garbled, record, vocabulary, RULES, pages.words)
    assert result["injected"] >= 12
    assert {"collision", "drop", "case"} <= set(result["by_garble_type"])
    assert result["recall"] >= 0.95 and result["precision"] >= 0.95
    assert result["actionable_after_corrections"] == 0
