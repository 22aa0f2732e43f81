"""corrected_corpus: the final tree (names verified and corrected, schema dumps replaced,
overlays applied) at DIR/corpus/, with DIR/findings.json and DIR/findings.md."""

import hashlib
from pathlib import Path

import dagster as dg


from assets import artifacts
from assets.clause_tree import TREE_REPORT
from assets.crosslinks import LINKED_DIR, crosslink_graph
from assets.vocabulary import VOCABULARY, xsd_vocabulary
from resources.settings import SpecmillSettings
from resources.store_base import ArtifactStore
from schemas.outline import SourcePdf
from schemas.tree import ClauseTreeReport
from schemas.verification_profile import VerificationRules
from schemas.vocabulary import Vocabulary
from specmill.correct import correct_corpus, findings_markdown
from specmill.schema_dump import AuthoritativeSchemas

from specmill.verify import PdfPageWords, clause_files
from specmill.vocabulary import read_schema_files

CORPUS_DIR = "corpus"
FINDINGS = "findings.json"
FINDINGS_MARKDOWN = "findings.md"


def verification_rules(settings: SpecmillSettings) -> VerificationRules:
    return settings.profile().verification


def input_tree(store: ArtifactStore) -> Path:
    """The cross-linked tree, as a local folder: corrections apply to what readers will get,
    links included. The store raises naming the tree when crosslink_graph has not run."""
    return store.tree_path(LINKED_DIR)


def tree_bytes(tree: Path, changed: dict[str, str]) -> dict[str, bytes]:
    """Every file of the input tree (images included), with the corrected and new files over it."""
    files = {path.relative_to(tree).as_posix(): path.read_bytes() for path in sorted(tree.rglob("*")) if path.is_file()}
    files.update({path: text.encode("utf-8") for path, text in changed.items()})
    return files


@dg.asset(group_name="verify", deps=[crosslink_graph, xsd_vocabulary], code_version="1")
def corrected_corpus(context: dg.AssetExecutionContext, settings: SpecmillSettings, store: ArtifactStore) -> dg.MaterializeResult:
    """Names in name contexts checked against the vocabulary and the PDF's own pages, vetted
    corrections and overlays applied, schema listings replaced declaration by declaration."""
    source = store.read_model(artifacts.SOURCE, SourcePdf)
    report = store.read_model(TREE_REPORT, ClauseTreeReport)
    vocabulary = store.read_model(VOCABULARY, Vocabulary)
    rules = verification_rules(settings)
    tree = input_tree(store)
    files = clause_files(tree, report)
    schema_files = read_schema_files(settings.schema_paths)[0] if settings.schema_paths else []
    with PdfPageWords(source.path) as pages:
        result = correct_corpus(files, vocabulary, rules, page_words=pages.words, schemas=AuthoritativeSchemas.from_files(schema_files))
    findings = result.report
    output = tree_bytes(tree, result.files)
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
            "stale_overlays": len(findings.stale_overlays),
            "declarations_printed": findings.schema_replacement.declarations_total,
            "declarations_replaced": findings.schema_replacement.declarations_replaced,
            "replacement_rate": rate if rate is not None else "no schema listing",
            "tokens_checked": findings.figures.tokens_checked,
            "pages_extracted": findings.figures.pages_extracted,
            "seconds": findings.figures.seconds,
            "findings": dg.MetadataValue.md(findings_markdown(findings, limit=30)),
            "corpus_path": dg.MetadataValue.path(store.uri(CORPUS_DIR)),
            "findings_path": dg.MetadataValue.path(store.uri(FINDINGS)),
        },
        data_version=dg.DataVersion(digest.hexdigest()),
    )
