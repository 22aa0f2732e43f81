"""xsd_vocabulary and corrected_corpus as Dagster assets on the sample's real clause tree, with
their checks: a clean run passes; a garble its page disproves is corrected by the stage, or, for
a profile that vets every correction, blocks until the profile lists it (a garble the PDF cannot
settle blocks in any case: tests/test_verify_blocking_check.py)."""

import shutil
from pathlib import Path, PurePosixPath

import dagster as dg
import pytest
import yaml

from assets.clause_tree import clause_tree
from assets.corrected import corrected_corpus
from assets.crosslinks import crosslink_graph
from assets.vocabulary import xsd_vocabulary
from checks.corrected import (
    corrected_corpus_has_no_actionable_garbles,
    corrected_corpus_has_no_stale_overlay,
    corrected_corpus_replaces_schema_dumps,
)
from resources.settings import SpecmillSettings
from resources.storage import LocalArtifactStore
from schemas.artifacts import CORPUS_DIR, FINDINGS, FINDINGS_MARKDOWN, LINKED_DIR, TREE_DIR, VOCABULARY
from schemas.vocabulary import FindingsReport, Vocabulary
from specmill.verify import extract_name_tokens
from tests.verify_fixtures import built_sample

pytestmark = pytest.mark.slow

CHECKS = [corrected_corpus_has_no_actionable_garbles, corrected_corpus_has_no_stale_overlay, corrected_corpus_replaces_schema_dumps]


def _tree_files(out: Path) -> dict[str, bytes]:
    """The sample's clause tree as written by build_tree (a folder)."""
    tree = out / "tree"
    return {path.relative_to(tree).as_posix(): path.read_bytes() for path in sorted(tree.rglob("*")) if path.is_file()}


def _store(tmp_path: Path, out: Path, linked: dict[str, bytes] | None = None) -> Path:
    store = tmp_path / "store"
    store.mkdir()
    files = _tree_files(out)
    # Written through the store, in whatever form (folder or packed) the stages keep their trees.
    artifacts = LocalArtifactStore(root=str(store))
    artifacts.write_tree(TREE_DIR, files)
    # corrected_corpus reads the cross-linked tree; links do not matter to name verification.
    artifacts.write_tree(LINKED_DIR, linked if linked is not None else files)
    shutil.copy(out / "tree.json", store / "tree.json")
    shutil.copy(out / "source.json", store / "source.json")
    shutil.copy(out / "profile.json", store / "profile.json")  # the profile source_pdf chose and recorded
    shutil.copy(out / "pages.json", store / "pages.json")
    return store


def _run(pdf: Path, xsd: Path, store: Path, profile: Path | None = None) -> dg.ExecuteInProcessResult:
    return dg.materialize(
        [clause_tree, crosslink_graph, xsd_vocabulary, corrected_corpus, *CHECKS],
        selection=[xsd_vocabulary, corrected_corpus],
        resources={
            "settings": SpecmillSettings(pdf_path=str(pdf), schema_paths=[str(xsd)], profile_path=str(profile) if profile else None),
            "store": LocalArtifactStore(root=str(store)),
        },
        raise_on_error=False,
    )


def _checks(result: dg.ExecuteInProcessResult) -> dict[str, dg.AssetCheckEvaluation]:
    return {e.check_name: e for e in result.get_asset_check_evaluations()}


@pytest.fixture(scope="module")
def sample(tmp_path_factory):
    return built_sample(tmp_path_factory.mktemp("sample"))


def test_a_clean_sample_passes_every_check_and_replaces_its_schema_listing(sample, tmp_path: Path):
    pdf, xsd, out = sample
    store = _store(tmp_path, out)
    result = _run(pdf, xsd, store)
    assert result.success
    checks = _checks(result)
    assert all(evaluation.passed for evaluation in checks.values()) and len(checks) == 3
    vocabulary = Vocabulary.model_validate_json((store / VOCABULARY).read_bytes())
    assert vocabulary.counts()["element"] >= 8
    findings = FindingsReport.model_validate_json((store / FINDINGS).read_bytes())
    assert findings.counts["actionable"] == 0 and findings.replacement_rate == 1.0
    assert (store / FINDINGS_MARKDOWN).read_text().startswith("# Name verification findings")
    corpus = store / CORPUS_DIR
    assert (corpus / "index.md").is_file()
    markdown_files = [path for path in _tree_files(out) if path.endswith(".md")]
    assert len(list(corpus.rglob("*.md"))) == len(markdown_files) + findings.schema_replacement.declarations_total


def test_verification_reads_the_page_texts_of_source_pdf_and_never_the_pdf(sample, tmp_path: Path):
    pdf, xsd, out = sample
    store = _store(tmp_path, out)
    result = _run(tmp_path / "not-here.pdf", xsd, store)  # the PDF is not on this disk
    assert result.success
    findings = FindingsReport.model_validate_json((store / FINDINGS).read_bytes())
    assert findings.counts["actionable"] == 0 and findings.figures.pages_extracted > 0
    metadata = result.asset_materializations_for_node("corrected_corpus")[0].metadata
    assert 0 < metadata["pages_words_computed"].value <= 10


def test_without_pages_json_the_stage_fails_naming_it(sample, tmp_path: Path):
    pdf, xsd, out = sample
    store = _store(tmp_path, out)
    (store / "pages.json").unlink()
    result = _run(pdf, xsd, store)
    assert not result.success
    failure = next(e for e in result.all_events if e.is_step_failure and e.step_key == "corrected_corpus")
    message = failure.step_failure_data.error.cause.message if failure.step_failure_data.error.cause else failure.step_failure_data.error.message
    assert "pages.json" in message and "re-materialize source_pdf" in message
    assert not (store / CORPUS_DIR).exists()


def test_a_garble_the_pdf_disproves_is_corrected_from_its_pages_and_a_profile_can_ask_to_vet_it(sample, tmp_path: Path):
    pdf, xsd, out = sample
    files = _tree_files(out)
    # A parser garble in an XML example: the first element or attribute name of Annex B with a letter doubled.
    example, token = next(
        (path, t)
        for path in sorted(files, key=PurePosixPath)
        if PurePosixPath(path).match("b-*.md")
        for t in extract_name_tokens(files[path].decode())
        if t.context in ("xml-tag", "xml-attribute") and len(t.name) >= 5
    )
    text = files[example].decode()
    name = token.name
    garble = name[:3] + name[2] + name[3:]
    files[example] = (text[: token.start] + garble + text[token.end :]).encode()
    store = _store(tmp_path, out, linked=files)
    result = _run(pdf, xsd, store)
    checks = _checks(result)
    # The page prints the name and nothing as close: the stage corrects it itself.
    assert checks["corrected_corpus_has_no_actionable_garbles"].passed
    findings = FindingsReport.model_validate_json((store / FINDINGS).read_bytes())
    assert [(f.token, f.suggestion, f.status) for f in findings.findings if f.token == garble] == [(garble, name, "corrected")]
    assert [(c.token, c.replacement, c.origin) for c in findings.corrections] == [(garble, name, "confirmed")]
    assert garble not in (store / CORPUS_DIR / example).read_text()

    # A profile that vets every correction itself: the garble blocks until it is listed.
    profile = tmp_path / "profile.yaml"
    profile.write_text(yaml.safe_dump({"verification": {"apply_confirmed": False}}))
    checks = _checks(_run(pdf, xsd, store, profile))
    assert not checks["corrected_corpus_has_no_actionable_garbles"].passed
    findings = FindingsReport.model_validate_json((store / FINDINGS).read_bytes())
    assert [(f.token, f.suggestion, f.status) for f in findings.with_status("actionable")] == [(garble, name, "actionable")]
    profile.write_text(yaml.safe_dump({"verification": {
        "apply_confirmed": False, "corrections": [{"garble": garble, "name": name, "kind": token.kind}],
    }}))
    checks = _checks(_run(pdf, xsd, store, profile))
    assert checks["corrected_corpus_has_no_actionable_garbles"].passed
    findings = FindingsReport.model_validate_json((store / FINDINGS).read_bytes())
    assert [f.token for f in findings.with_status("corrected")] == [garble]
    assert garble not in (store / CORPUS_DIR / example).read_text()


def test_a_schema_listing_the_reader_cannot_see_fails_the_replacement_check_on_the_pdfs_evidence(sample, tmp_path: Path):
    """Seeded defect: the sample's schema listing reaches the tree as prose (as MinerU flash set
    xacml40-core's Annex D), so no section 'prints a schema'. The text layer still prints the
    declarations: the check fails instead of passing on nothing."""
    pdf, xsd, out = sample
    files = _tree_files(out)
    hidden = {path: body.replace(b"```", b"") if path.endswith(".md") else body for path, body in files.items()}
    store = _store(tmp_path, out, linked=hidden)
    result = _run(pdf, xsd, store)
    check = _checks(result)["corrected_corpus_replaces_schema_dumps"]
    findings = FindingsReport.model_validate_json((store / FINDINGS).read_bytes())
    assert findings.schema_replacement.declarations_total == 0  # the reader found nothing
    assert findings.schema_replacement.printed_in_pdf >= 8 and findings.schema_replacement.printed_in_pdf_replaced == 0
    assert not check.passed and check.metadata["printed_in_pdf"].value == findings.schema_replacement.printed_in_pdf
