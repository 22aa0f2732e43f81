"""What a failed `specmill build` does and says: only blocking checks (Dagster's rule) change the
exit status; a failed build names each failed check in one line and where its evidence is, with
no stack trace on the terminal; `--keep-going` builds the later stages anyway.

The sample is parsed by MinerU once; each scenario then rebuilds from that parse's content list
(`--mineru-output`), seeded with a failure, through the real command in a subprocess: the
terminal output asserted on is what a user sees, Dagster's logging included."""

import json
import subprocess
import sys
from dataclasses import replace
from pathlib import Path

import dagster as dg
import pytest

from schemas.blocks import ParsedBatchArtifact
from schemas.plan import BatchPlan
from schemas.sample import SampleGroundTruth
from specmill.sample import generate_sample
from specmill_cli.main import EXIT_FAILED, EXIT_OK, main
from specmill_cli.pipeline import execute_job
from specmill_cli.summary import RunSummary, failed_check_line

REPO_ROOT = Path(__file__).resolve().parent.parent
BLOCKING_CHECK = "parsed_batch[b00].batch_covers_planned_pages"


def specmill(*args) -> subprocess.CompletedProcess:
    """The real command, as a user runs it; stdout and stderr together are 'the terminal'."""
    return subprocess.run(
        [sys.executable, "-m", "specmill_cli.main", *map(str, args)],
        cwd=REPO_ROOT, capture_output=True, text=True, timeout=900,
    )


def terminal(result: subprocess.CompletedProcess) -> str:
    return result.stdout + result.stderr


@pytest.fixture(scope="module")
def parsed_sample(tmp_path_factory: pytest.TempPathFactory) -> dict:
    """A 10-page sample parsed once by MinerU, and its blocks as a MinerU content list."""
    work = tmp_path_factory.mktemp("failures")
    document = generate_sample(work / "doc", pages=10)
    parsed = work / "parsed"
    assert main(["build", document.pdf_path, "--out", str(parsed), "--stop-after", "parse"]) == EXIT_OK
    plan = BatchPlan.model_validate_json((parsed / "plan.json").read_bytes())
    items = [
        block.raw
        for batch in plan.batches
        for block in ParsedBatchArtifact.model_validate_json((parsed / "batches" / f"{batch.batch_id}.json").read_bytes()).blocks
    ]
    truth = SampleGroundTruth.model_validate_json(Path(document.ground_truth_path).read_bytes())
    return {"work": work, "pdf": document.pdf_path, "xsd": document.xsd_path, "items": items, "truth": truth}


def write_content_list(sample: dict, name: str, items: list[dict]) -> Path:
    path = sample["work"] / name
    path.write_text(json.dumps(items))
    return path


def without_one_page(sample: dict) -> Path:
    """Seeded blocking failure: MinerU 'lost' a body page, so batch_covers_planned_pages fails
    in the parse stage (a text page without blocks) while every stage still has its inputs."""
    truth = sample["truth"]
    lost_page = truth.clauses[len(truth.clauses) // 2].page
    return write_content_list(sample, "content_list_gap.json", [i for i in sample["items"] if i["page_idx"] != lost_page])


def with_unresolvable_reference(sample: dict) -> Path:
    """Seeded non-blocking failure: one reference to a clause the document does not have, so the
    resolution rate (1.0 on the sample) drops below the default 0.98 of crosslinks_resolution_rate."""
    items = list(sample["items"])
    at = next(k for k, item in enumerate(items) if item["type"] == "text" and not item.get("text_level") and item["page_idx"] >= 3)
    reference = {**items[at], "text": "The conformance rules of § 9.9 apply to every consumer."}
    items.insert(at + 1, reference)
    return write_content_list(sample, "content_list_unresolved.json", items)


@pytest.fixture(scope="module")
def stopped_build(parsed_sample: dict):
    out = parsed_sample["work"] / "stopped"
    result = specmill("build", parsed_sample["pdf"], "--out", out, "--schemas", parsed_sample["xsd"],
                      "--mineru-output", without_one_page(parsed_sample))
    return out, result


@pytest.fixture(scope="module")
def kept_going_build(parsed_sample: dict):
    out = parsed_sample["work"] / "kept-going"
    result = specmill("build", parsed_sample["pdf"], "--out", out, "--schemas", parsed_sample["xsd"],
                      "--mineru-output", without_one_page(parsed_sample), "--keep-going")
    return out, result


@pytest.fixture(scope="module")
def warned_build(parsed_sample: dict):
    """No --schemas (so corrected_corpus_replaces_schema_dumps fails too: nothing to replace the
    printed schema with) and one unresolvable reference: two failed checks, neither blocking."""
    out = parsed_sample["work"] / "warned"
    result = specmill("build", parsed_sample["pdf"], "--out", out, "--mineru-output", with_unresolvable_reference(parsed_sample))
    return out, result


def failed_lines(screen: str, marker: str) -> list[str]:
    return [line.strip() for line in screen.splitlines() if line.strip().startswith(marker)]


@pytest.mark.slow
def test_a_failed_blocking_check_stops_the_build_with_exit_status_1(stopped_build):
    out, result = stopped_build
    assert result.returncode == EXIT_FAILED, terminal(result)
    summary = json.loads((out / "summary.json").read_text())
    assert summary["passed"] is False and summary["stopped_after"] == "parse"
    assert set(summary["stages"]) == {"plan", "parse"}
    assert not (out / "blocks.json").exists() and not (out / "corpus").exists()


@pytest.mark.slow
def test_the_terminal_names_each_failed_check_in_one_line_without_a_stack_trace(stopped_build):
    out, result = stopped_build
    screen = terminal(result)
    assert "Traceback" not in screen and "Stack Trace" not in screen and "dagster - ERROR" not in screen
    (line,) = failed_lines(screen, "FAILED ")
    assert BLOCKING_CHECK in line and "text_pages_without_blocks" in line
    assert str(out / "report.md") in screen and str(out / "summary.json") in screen
    assert "build stopped after stage parse" in screen and "--keep-going" in screen
    assert len(screen.splitlines()) <= 15, screen  # one screen


@pytest.mark.slow
def test_the_whole_evidence_is_in_report_md_and_the_stack_in_build_log(stopped_build):
    out, _ = stopped_build
    report = (out / "report.md").read_text()
    assert "1 blocking check(s) FAILED" in report
    failed_section = report.split("## Failed checks", 1)[1]
    assert f"### {BLOCKING_CHECK} (blocking)" in failed_section and "text_pages_without_blocks" in failed_section
    assert "DagsterAssetCheckFailedError" in (out / "build.log").read_text()


@pytest.mark.slow
def test_keep_going_builds_the_corpus_and_still_fails(kept_going_build):
    out, result = kept_going_build
    screen = terminal(result)
    assert result.returncode == EXIT_FAILED, screen
    assert (out / "corpus" / "index.md").is_file()
    summary = json.loads((out / "summary.json").read_text())
    assert set(summary["stages"]) == {"plan", "parse", "blocks", "tree", "links", "corpus"}
    assert summary["passed"] is False and summary["stopped_after"] is None
    assert any(BLOCKING_CHECK in line for line in failed_lines(screen, "FAILED "))
    assert "Traceback" not in screen and "build stopped" not in screen


@pytest.mark.slow
def test_a_failed_non_blocking_check_is_a_warning_and_exit_status_0(warned_build):
    out, result = warned_build
    screen = terminal(result)
    assert result.returncode == EXIT_OK, screen
    warnings = failed_lines(screen, "WARNING ")
    assert any("crosslink_graph.crosslinks_resolution_rate" in line and "resolution_rate=0.95" in line for line in warnings), screen
    assert any("corrected_corpus_replaces_schema_dumps" in line for line in warnings), screen
    assert not failed_lines(screen, "FAILED ")
    summary = json.loads((out / "summary.json").read_text())
    assert summary["passed"] is True
    rate = next(c for c in summary["checks"] if c["name"] == "crosslinks_resolution_rate")
    assert rate["passed"] is False and rate["blocking"] is False and rate["severity"] == "ERROR"
    report = (out / "report.md").read_text()
    assert "all blocking checks passed" in report and "(warning, not blocking)" in report


# Fast, no build: the summary's rule and its one line per check, and a step that raises.


def check(name: str, passed: bool, blocking: bool, severity: str = "ERROR", **metadata) -> dict:
    return {
        "name": name, "asset": "a", "partition": None, "passed": passed, "severity": severity, "blocking": blocking,
        "metadata": metadata,
    }


def test_only_blocking_errors_block():
    summary = RunSummary(checks=[
        check("blocks", passed=False, blocking=True),
        check("not_blocking", passed=False, blocking=False),
        check("blocking_warn", passed=False, blocking=True, severity="WARN"),
        check("passed", passed=True, blocking=True),
    ])
    assert [c["name"] for c in summary.failed_blocking] == ["blocks"]
    assert [c["name"] for c in summary.warnings] == ["not_blocking", "blocking_warn"]
    assert summary.to_json()["passed"] is False
    assert RunSummary(checks=summary.checks[1:]).to_json()["passed"] is True


def test_a_failed_check_line_leads_with_the_count_of_what_failed_and_samples_the_evidence():
    failed = check(
        "has_every_clause", passed=False, blocking=True,
        files=22, barrels=10, missing=4, missing_clauses=["3", "3.1", "3.2", "3.3"], empty_with_reason=[{"section": "9"}],
    )
    line = failed_check_line(failed)
    assert line.startswith("a.has_every_clause: missing=4, files=22, barrels=10; missing_clauses: 3; 3.1; 3.2 (+1 more)")


def test_a_step_that_raises_is_one_line_and_its_stack_goes_to_the_log(tmp_path: Path):
    @dg.asset
    def exploding() -> None:
        raise ValueError("the parser returned nothing\nsecond line of detail")

    defs = dg.Definitions(assets=[exploding], jobs=[dg.define_asset_job("explode", selection=[exploding])])
    with dg.instance_for_test() as instance:
        outcome = execute_job(defs, instance, "explode")
    assert not outcome.success
    (failure,) = outcome.failures
    assert not failure.blocking_check and "Traceback" not in failure.message
    assert "raise ValueError" in failure.details  # the stack, for build.log
    summary = RunSummary(failures=[replace(failure, stage="tree")])
    assert "stage tree failed: ValueError: the parser returned nothing" in [line.strip() for line in summary.render_text().splitlines()]
    assert summary.to_json()["passed"] is False
    assert "raise ValueError" in summary.build_log()
