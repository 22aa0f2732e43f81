"""The --out folder is the user's too: specmill replaces only what it wrote (its mark says what),
refuses before writing anything where a name it writes is someone else's, leaves every other
entry alone, and lets one build at a time write there (issue 16)."""

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from schemas.output_folder import BuildMark
from specmill_cli.main import EXIT_BAD_INPUT, EXIT_OK, main
from specmill_cli.output_folder import LOCK, MARK, artifact_names
from tests.pdf_factory import numbered_document

REPO_ROOT = Path(__file__).resolve().parent.parent


def snapshot(folder: Path) -> dict[str, bytes | None]:
    """Every entry under `folder` with its bytes (None for a folder)."""
    return {
        str(path.relative_to(folder)): None if path.is_dir() else path.read_bytes()
        for path in sorted(folder.rglob("*"))
    }


def mark_of(out: Path) -> BuildMark:
    return BuildMark.model_validate_json((out / MARK).read_bytes())


@pytest.fixture()
def pdf(tmp_path: Path) -> Path:
    return numbered_document(tmp_path / "doc.pdf", [("1 Scope", 0), ("2 Model", 1)], 2)


def test_a_build_refuses_a_folder_holding_the_users_corpus_report_and_summary_and_writes_nothing(tmp_path, pdf, capsys):
    out = tmp_path / "out"
    (out / "corpus").mkdir(parents=True)
    (out / "corpus" / "notes.md").write_text("my own notes\n")
    (out / "report.md").write_text("# my report\n")
    (out / "summary.json").write_text('{"mine": true}\n')
    (out / "scores.csv").write_text("doc,score\n")
    before = snapshot(out)
    assert main(["build", str(pdf), "--out", str(out), "--stop-after", "plan"]) == EXIT_BAD_INPUT
    error = capsys.readouterr().err
    assert len(error.strip().splitlines()) == 1, error
    assert "corpus/" in error and "report.md" in error and "summary.json" in error and "did not write" in error
    assert "scores.csv" not in error
    assert snapshot(out) == before  # no mark, no lock, no .dagster: nothing written


def test_entries_a_build_does_not_write_are_left_untouched_and_do_not_block_it(tmp_path, pdf):
    """What `specmill sample` puts beside the artifacts (the PDF, its XSD) and a scorer's files."""
    out = tmp_path / "out"
    out.mkdir()
    theirs = {"sample-spec.pdf": pdf.read_bytes(), "sample-spec.xsd": b"<xs:schema/>", "scores.csv": b"doc,score\n"}
    for name, data in theirs.items():
        (out / name).write_bytes(data)
    (out / "scorer").mkdir()
    (out / "scorer" / "run.log").write_text("kept\n")
    assert main(["build", str(out / "sample-spec.pdf"), "--out", str(out), "--stop-after", "plan"]) == EXIT_OK
    for name, data in theirs.items():
        assert (out / name).read_bytes() == data
    assert (out / "scorer" / "run.log").read_text() == "kept\n"
    assert not set(theirs) & set(mark_of(out).artifacts)


def test_the_mark_lists_every_entry_a_whole_build_wrote_and_a_rerun_into_the_folder_builds(tmp_path):
    from specmill.sample import generate_sample

    document = generate_sample(tmp_path / "doc", pages=10)
    pdf = Path(document.pdf_path)
    out = tmp_path / "out"
    assert main(["build", str(pdf), "--out", str(out), "--schemas", document.xsd_path]) == EXIT_OK
    mark = mark_of(out)
    written = {path.name for path in out.iterdir()} - {MARK, LOCK}
    assert set(mark.artifacts) == written, "the mark and what the build wrote differ"
    assert written <= set(artifact_names()), "a build wrote a name the guard does not know"
    assert {"source.json", "corpus", "report.md", "summary.json", "batches"} <= written
    assert mark.building_pid is None
    assert main(["build", str(pdf), "--out", str(out), "--stop-after", "parse"]) == EXIT_OK
    assert json.loads((out / "summary.json").read_text())["stages"]["parse"]["figures"]["batches_reused"] >= 1


def test_a_name_that_appears_after_a_build_without_the_mark_is_refused(tmp_path, pdf, capsys):
    out = tmp_path / "out"
    assert main(["build", str(pdf), "--out", str(out), "--stop-after", "plan"]) == EXIT_OK
    assert "corpus" not in mark_of(out).artifacts
    (out / "corpus").mkdir()
    (out / "corpus" / "index.md").write_text("# the user's corpus\n")
    capsys.readouterr()
    assert main(["build", str(pdf), "--out", str(out), "--stop-after", "plan"]) == EXIT_BAD_INPUT
    assert "corpus/" in capsys.readouterr().err
    assert (out / "corpus" / "index.md").read_text() == "# the user's corpus\n"


def test_a_folder_written_before_the_mark_existed_is_recognised_by_its_source_record(tmp_path, pdf):
    out = tmp_path / "out"
    assert main(["build", str(pdf), "--out", str(out), "--stop-after", "plan"]) == EXIT_OK
    (out / MARK).unlink()
    (out / LOCK).unlink()
    assert main(["build", str(pdf), "--out", str(out), "--stop-after", "plan"]) == EXIT_OK
    assert "source.json" in mark_of(out).artifacts


def test_a_source_json_that_is_no_source_record_and_unmarked_is_the_users_and_is_refused(tmp_path, pdf, capsys):
    out = tmp_path / "out"
    out.mkdir()
    (out / "source.json").write_text('{"title": "my own source list"}\n')
    assert main(["build", str(pdf), "--out", str(out)]) == EXIT_BAD_INPUT
    error = capsys.readouterr().err
    assert len(error.strip().splitlines()) == 1 and "source.json" in error and "did not write" in error
    assert "Traceback" not in error
    assert sorted(path.name for path in out.iterdir()) == ["source.json"]


def test_a_damaged_source_json_that_specmill_wrote_is_refused_with_one_line(tmp_path, pdf, capsys):
    out = tmp_path / "out"
    assert main(["build", str(pdf), "--out", str(out), "--stop-after", "plan"]) == EXIT_OK
    (out / "source.json").write_text('{"sha256": "truncat')
    capsys.readouterr()
    assert main(["build", str(pdf), "--out", str(out), "--stop-after", "plan"]) == EXIT_BAD_INPUT
    error = capsys.readouterr().err
    assert len(error.strip().splitlines()) == 1 and "source.json is damaged" in error and "remove it" in error


def test_a_second_build_into_a_folder_being_built_is_refused_naming_the_first(tmp_path, pdf, capsys):
    out = tmp_path / "out"
    first = subprocess.Popen(
        [sys.executable, "-m", "specmill_cli.main", "build", str(pdf), "--out", str(out)],
        cwd=REPO_ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 120
        building = None
        while time.monotonic() < deadline and first.poll() is None:  # until the first build holds the folder
            try:
                building = BuildMark.model_validate_json((out / MARK).read_bytes()).building_pid
            except (OSError, ValueError):
                building = None
            if building == first.pid:
                break
            time.sleep(0.05)
        assert building == first.pid and first.poll() is None, "the first build ended before the second could start"
        assert main(["build", str(pdf), "--out", str(out), "--stop-after", "plan"]) == EXIT_BAD_INPUT
        error = capsys.readouterr().err
        assert f"another specmill build (pid {first.pid}) is writing to {out}" in error
    finally:
        if first.poll() is None:
            os.kill(first.pid, signal.SIGTERM)
        try:
            first.wait(timeout=60)
        except subprocess.TimeoutExpired:
            first.kill()
            first.wait(timeout=30)


def test_the_folders_dagster_instance_stays_specmills_across_a_build_with_dagster_home_elsewhere(tmp_path, pdf, monkeypatch):
    out = tmp_path / "out"
    monkeypatch.delenv("DAGSTER_HOME", raising=False)
    assert main(["build", str(pdf), "--out", str(out), "--stop-after", "plan"]) == EXIT_OK
    monkeypatch.setenv("DAGSTER_HOME", str(tmp_path / "home"))
    assert main(["build", str(pdf), "--out", str(out), "--stop-after", "plan"]) == EXIT_OK
    assert ".dagster" in mark_of(out).artifacts
    monkeypatch.delenv("DAGSTER_HOME")
    assert main(["build", str(pdf), "--out", str(out), "--stop-after", "plan"]) == EXIT_OK
