"""corrected_corpus: the final tree (names verified and corrected, schema dumps replaced,
overlays applied) at DIR/corpus/, with DIR/findings.json and DIR/findings.md."""

import hashlib

import dagster as dg

from assets.crosslinks import crosslink_graph
from assets.vocabulary import xsd_vocabulary
from resources.settings import SpecmillSettings
from resources.store_base import ArtifactStore
from schemas import artifacts
from schemas.artifacts import CORPUS_DIR, FINDINGS, FINDINGS_MARKDOWN, LINKED_DIR, TREE_REPORT, VOCABULARY
from schemas.outline import SourcePdf
from schemas.page_text import PageText
from schemas.tree import ClauseTreeReport
from schemas.verification_profile import VerificationRules
from schemas.vocabulary import Vocabulary
from specmill.errors import ArtifactError
from specmill.verify import PageTextWords, clause_files_in
from specmill.verify.correct import correct_corpus, findings_markdown
from specmill.verify.schema_dump import AuthoritativeSchemas
from specmill.vocabulary import read_schema_files


def verification_rules(settings: SpecmillSettings, store: ArtifactStore) -> VerificationRules:
    return settings.stage_profile(store).verification


def source_page_text(store: ArtifactStore, source: SourcePdf) -> PageText:
    """The text of every PDF page as source_pdf extracted it (the evidence of the source check),
    checked to belong to the document of source.json."""
    if not store.exists(artifacts.PAGE_TEXT):
        raise ArtifactError(
            f"{store.uri(artifacts.PAGE_TEXT)} (the text of every PDF page, written by source_pdf) is missing: "
            "re-materialize source_pdf (re-run the plan stage)"
        )
    page_text = store.read_model(artifacts.PAGE_TEXT, PageText)
    if page_text.sha256 != source.sha256 or page_text.page_count != source.page_count:
        raise ArtifactError(
            f"{store.uri(artifacts.PAGE_TEXT)} holds the text of another PDF (sha256 {page_text.sha256[:12]}…, "
            f"{page_text.page_count} pages) than source.json ({source.sha256[:12]}…, {source.page_count} pages): "
            "re-materialize source_pdf"
        )
    return page_text


def corrected_tree(linked: dict[str, bytes], changed: dict[str, str]) -> dict[str, bytes]:
    """Every file of the input tree (images included), with the corrected and new files over it."""
    files = dict(linked)
    files.update({path: text.encode("utf-8") for path, text in changed.items()})
    return files


@dg.asset(group_name="specmill", tags={"stage": "corpus"}, deps=[crosslink_graph, xsd_vocabulary], code_version="3")
def corrected_corpus(context: dg.AssetExecutionContext, settings: SpecmillSettings, store: ArtifactStore) -> dg.MaterializeResult:
    """Names in name contexts checked against the vocabulary and the PDF's own pages, vetted
    corrections and overlays applied, schema listings replaced declaration by declaration."""
    source = store.read_model(artifacts.SOURCE, SourcePdf)
    report = store.read_model(TREE_REPORT, ClauseTreeReport)
    vocabulary = store.read_model(VOCABULARY, Vocabulary)
    rules = verification_rules(settings, store)
    # The cross-linked tree, read once: corrections apply to what readers will get, links
    # included, and the corpus is this tree with the changed files over it. The store raises
    # naming the tree when crosslink_graph has not run.
    linked = store.read_tree(LINKED_DIR)
    files = clause_files_in(linked, report, where=store.uri(LINKED_DIR))
    schema_files = read_schema_files(settings.schema_paths)[0] if settings.schema_paths else []
    # The PDF itself is not opened: its text was extracted once, by source_pdf.
    page_texts = source_page_text(store, source).pages
    pages = PageTextWords(page_texts)
    result = correct_corpus(
        files, vocabulary, rules, page_words=pages.words, page_sequence=pages.sequence,
        schemas=AuthoritativeSchemas.from_files(schema_files), page_texts=page_texts,
    )
    findings = result.report
    output = corrected_tree(linked, result.files)
    store.write_tree(CORPUS_DIR, output)  # staged beside the old corpus, then swapped in
    store.write_model(FINDINGS, findings)
    store.write_text(FINDINGS_MARKDOWN, findings_markdown(findings))
    digest = hashlib.sha256()
    for path in sorted(output):
        digest.update(path.encode() + b"\0" + hashlib.sha256(output[path]).digest())
    for stale in findings.stale_overlays:
        context.log.warning(f"stale overlay in section {stale.section}: {stale.find!r} ({stale.reason})")
    rate = findings.replacement_rate
    return dg.MaterializeResult(
        metadata={
            "files": len(output),
            "files_changed": len(result.files),
            "actionable": findings.counts.get("actionable", 0),
            "corrected": findings.counts.get("corrected", 0),
            "suspect": findings.counts.get("suspect", 0),
            "benign": findings.counts.get("benign", 0),
            "corrections_applied": sum(c.count for c in findings.corrections),
            "corrections_from_the_pdf": sum(c.count for c in findings.corrections if c.origin == "confirmed"),
            "stale_overlays": len(findings.stale_overlays),
            "declarations_printed": findings.schema_replacement.declarations_total,
            "declarations_replaced": findings.schema_replacement.declarations_replaced,
            "replacement_rate": rate if rate is not None else "no schema listing",
            "tokens_checked": findings.figures.tokens_checked,
            "pages_extracted": findings.figures.pages_extracted,
            "pages_words_computed": pages.pages_extracted,
            "seconds": findings.figures.seconds,
            "findings": dg.MetadataValue.md(findings_markdown(findings, limit=30)),
            "corpus_path": dg.MetadataValue.path(store.uri(CORPUS_DIR)),
            "findings_path": dg.MetadataValue.path(store.uri(FINDINGS)),
        },
        data_version=dg.DataVersion(digest.hexdigest()),
    )
