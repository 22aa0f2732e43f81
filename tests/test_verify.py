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


# -- speed rewrites that must not change a result ------------------------------------------------

def _page_words_by_pieces(text: str) -> frozenset[str]:
    """The definition page_words had before it became one pass: split at colons and white space,
    then the words of each piece (kept here as the specification of its result)."""
    import re
    import unicodedata

    text = unicodedata.normalize("NFKC", text).replace("\u00ad", "")
    words = set()
    for piece in re.split(r"[:\s]", text):
        for match in re.finditer(r"[A-Za-z_][\w.\-]*", piece):
            if match.group(0).rstrip(".-"):
                words.add(match.group(0).rstrip(".-"))
    for match in re.finditer(r"([A-Za-z_][\w.\-]*)-\s*\n\s*([A-Za-z_][\w.\-]*)", text):
        words.add(f"{match.group(1)}-{match.group(2).rstrip('.-')}")
    return frozenset(words)


PAGE_TEXTS = [
    "the <manifest:file-\nentry> element and s:fontAlgn.",
    "3.1.2 body (Body)\n1.5em x.y.z- a-b-- _under 9lives é_x naïve ﬁle Ⅻ\u00adsoft\u00a0nbsp\x1cfs",
    "a-\nb-\nc foo-bar-\n  baz.\t \n- tail- \n\nx:y:z ::: urn:a:b http://e.com/a:b 1ineScale w:rPr.",
    "",
    "no words 123 456 ... --- ",
]


@pytest.mark.parametrize("text", PAGE_TEXTS)
def test_page_words_in_one_pass_equal_the_words_piece_by_piece(text: str):
    assert page_words(text) == _page_words_by_pieces(text)


PROSE = (
    "A s:tblLook and xs:string, w:rPr element; (s:para) attributes s:x1 and s:a.b.c- end s:9z "
    "foo:bar/s:nope s:ok: @s:at .s:dot -s:dash \"s:q\" s:tail\nds:KeyInfo xs-x:y s-t:u r:id. "
    "`s:code` and s:last"
)


@pytest.mark.parametrize("prefixes", [{"s"}, {"s", "xs"}, {"ds", "r", "s-t", "a.b"}, {"w", "nope"}])
def test_prose_names_read_with_only_the_known_prefixes_are_those_the_general_pattern_finds(prefixes):
    from specmill.verify.tokens import _QNAME, _prose_qname, _prose_qnames

    general = [(m.start(), m.end(), m.group("prefix")) for m in _QNAME.finditer(PROSE) if m.group("prefix") in prefixes]
    pattern = _prose_qname(frozenset(prefixes))
    restricted = [(m.start(), m.end(), m.group("prefix")) for m in _prose_qnames(PROSE, pattern)] if pattern else []
    assert restricted == general and general  # every case finds something


def test_masking_keeps_length_and_line_breaks_and_blanks_only_the_spans():
    from specmill.verify.tokens import _masked

    text = "ab\ncd `x\ny` ef\ngh"
    masked = _masked(text, [(6, 11), (0, 1), (9, 13)])  # unordered and overlapping
    assert len(masked) == len(text)
    assert masked == " b\ncd   \n    f\ngh"
    assert _masked(text, []) == text


def test_the_token_cache_gives_the_tokens_of_extraction_once_per_text():
    from specmill.verify import NameTokenCache

    cache = NameTokenCache()
    prefixes = frozenset({"manifest", "s"})
    first = cache.tokens(EXAMPLE, prefixes)
    assert first == extract_name_tokens(EXAMPLE, known_prefixes=prefixes)
    assert cache.tokens(EXAMPLE, prefixes) is first
    assert cache.tokens(EXAMPLE, frozenset()) == extract_name_tokens(EXAMPLE)  # prefixes are part of the key
    assert len(cache.tokens(EXAMPLE, frozenset())) < len(first)


def test_a_name_printed_on_any_page_of_the_section_counts_as_printed():
    markdown = "```xml\n<s:tb1Look/>\n```"
    words = {4: frozenset({"other"}), 5: frozenset({"tblLook"})}
    findings, figures = verify_files([ClauseFile("a.md", "2.1", markdown, (4, 5))], VOCABULARY, RULES, words.__getitem__)
    assert [(f.token, f.status, f.evidence_pages) for f in findings] == [("tb1Look", "actionable", [4, 5])]
    assert figures.pages_extracted == 2


def test_clause_files_read_from_memory_equal_those_read_from_disk(tmp_path: Path):
    from schemas.tree import SectionSpan, TreeFile
    from specmill.errors import ArtifactError
    from specmill.verify import clause_files_in

    tree = tmp_path / "tree"
    (tree / "2").mkdir(parents=True)
    (tree / "index.md").write_bytes(b"# Index\n")
    (tree / "2" / "2.1.md").write_bytes("# 2.1 A\r\nline\rnext ü\n".encode())
    report = ClauseTreeReport.model_construct(
        files=[TreeFile.model_construct(path="index.md", kind="root", section=None), TreeFile.model_construct(path="2/2.1.md", kind="leaf", section="2.1")],
        spans=[SectionSpan.model_construct(section="2.1", first_page=3, last_page=4, block_pages=[7])], empty_clauses=[],
    )
    on_disk = clause_files(tree, report)
    in_memory = clause_files_in({p.relative_to(tree).as_posix(): p.read_bytes() for p in tree.rglob("*.md")}, report, where="t")
    assert in_memory == on_disk
    assert on_disk[0].markdown == "# 2.1 A\nline\nnext ü\n" and on_disk[0].pages == (3, 4, 7)
    with pytest.raises(ArtifactError, match=r"2/2\.1\.md .* missing under t: re-materialize clause_tree"):
        clause_files_in({}, report, where="t")


def test_table_cells_keep_escaped_pipes_and_their_offsets():
    from specmill.verify.tokens import _cells

    line = "| `a\\|b` | c |  | d"
    assert _cells(line) == [(" `a\\|b` ", 1), (" c ", 10), ("  ", 14), (" d", 17)]
    assert _cells("|x|") == [("x", 1)]
    assert _cells("| a |   ") == [(" a ", 1)]
