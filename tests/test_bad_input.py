"""Bad input gets a clear error naming the problem, and nothing already produced is lost."""

import os
from pathlib import Path

import pymupdf
import pytest

from schemas.profile import DocumentProfile
from specmill.errors import SourcePdfError
from specmill.source.describe import describe_source
from specmill_cli.main import EXIT_BAD_INPUT, main
from tests.pdf_factory import numbered_document

PROFILE = DocumentProfile()


def test_missing_file(tmp_path: Path):
    with pytest.raises(SourcePdfError, match="not found"):
        describe_source(tmp_path / "nope.pdf", PROFILE)


def test_non_pdf_bytes(tmp_path: Path):
    path = tmp_path / "page.pdf"
    path.write_text("<!DOCTYPE html><html><body>502 Bad Gateway</body></html>")
    with pytest.raises(SourcePdfError, match="HTML page"):
        describe_source(path, PROFILE)
    path.write_bytes(b"\x89PNG\r\n\x1a\n" + b"\0" * 100)
    with pytest.raises(SourcePdfError, match="not a PDF"):
        describe_source(path, PROFILE)


def test_truncated_pdf(tmp_path: Path):
    good = numbered_document(tmp_path / "good.pdf", [("1 Scope", 0)], 1)
    bad = tmp_path / "truncated.pdf"
    bad.write_bytes(good.read_bytes()[:40])
    with pytest.raises(SourcePdfError):
        describe_source(bad, PROFILE)


def test_encrypted_pdf(tmp_path: Path):
    source = numbered_document(tmp_path / "plain.pdf", [("1 Scope", 0)], 1)
    encrypted = tmp_path / "encrypted.pdf"
    with pymupdf.open(source) as document:
        document.save(encrypted, encryption=pymupdf.PDF_ENCRYPT_AES_256, owner_pw="owner", user_pw="user")
    with pytest.raises(SourcePdfError, match="encrypted"):
        describe_source(encrypted, PROFILE)


def test_zero_page_pdf(tmp_path: Path):
    # PyMuPDF refuses to save a document without pages, so write the smallest valid one by hand.
    path = tmp_path / "empty.pdf"
    path.write_bytes(
        b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n2 0 obj<</Type/Pages/Kids[]/Count 0>>endobj\n"
        b"trailer<</Root 1 0 R>>\n%%EOF\n"
    )
    with pytest.raises(SourcePdfError, match="no pages|cannot be read"):
        describe_source(path, PROFILE)


def test_pdf_without_a_text_layer(tmp_path: Path):
    path = tmp_path / "scan.pdf"
    with pymupdf.open() as document:
        for _ in range(3):
            page = document.new_page()
            page.draw_rect(pymupdf.Rect(50, 50, 200, 200), fill=(0, 0, 0))
        document.save(path)
    with pytest.raises(SourcePdfError, match="no text layer on any of its 3 pages"):
        describe_source(path, PROFILE)


def test_textless_pages_are_named(tmp_path: Path):
    path = numbered_document(tmp_path / "mixed.pdf", [("1 Scope", 0), ("2 Model", 2)], 3)
    with pymupdf.open(path) as document:
        document.delete_page(1)
        document.insert_page(1)  # an empty page in the middle
        document.saveIncr()
    assert describe_source(path, PROFILE).textless_pages == [1]


def test_cli_exits_2_and_writes_nothing_for_bad_input(tmp_path: Path, capsys):
    bad = tmp_path / "bad.pdf"
    bad.write_text("hello")
    out = tmp_path / "out"
    assert main(["build", str(bad), "--out", str(out)]) == EXIT_BAD_INPUT
    assert "not a PDF" in capsys.readouterr().err
    assert not out.exists()


def test_cli_refuses_a_folder_holding_another_documents_artifacts(tmp_path: Path, capsys):
    first = numbered_document(tmp_path / "first.pdf", [("1 Scope", 0)], 1)
    second = numbered_document(tmp_path / "second.pdf", [("1 Scope", 0), ("2 Model", 1)], 2)
    out = tmp_path / "out"
    assert main(["build", str(first), "--out", str(out), "--stop-after", "plan"]) == 0
    before = (out / "source.json").read_bytes()
    assert main(["build", str(second), "--out", str(out), "--stop-after", "plan"]) == EXIT_BAD_INPUT
    assert "another document" in capsys.readouterr().err
    assert (out / "source.json").read_bytes() == before


def test_cli_rejects_an_invalid_profile(tmp_path: Path, capsys):
    pdf = numbered_document(tmp_path / "doc.pdf", [("1 Scope", 0)], 1)
    profile = tmp_path / "profile.yaml"
    profile.write_text("plan:\n  target_pages: 500\n  max_pages: 200\n")
    assert main(["build", str(pdf), "--out", str(tmp_path / "out"), "--profile", str(profile)]) == EXIT_BAD_INPUT
    assert "exceeds max_pages" in capsys.readouterr().err


@pytest.mark.parametrize(
    "environment, named",
    [
        ({"SPECMILL_STORE": "ftp"}, "SPECMILL_STORE must be local or s3, not 'ftp'"),
        ({"SPECMILL_STORE": "s3", "BUCKET_NAME": "specs"}, "needs BUCKET_ACCESS_KEY_ID, BUCKET_SECRET_ACCESS_KEY"),
    ],
    ids=["unknown store", "bucket without credentials"],
)
def test_cli_refuses_an_artifact_store_it_cannot_use_before_writing_anything(tmp_path: Path, capsys, monkeypatch, environment, named):
    for name in ("SPECMILL_STORE", "BUCKET_NAME", "BUCKET_ACCESS_KEY_ID", "BUCKET_SECRET_ACCESS_KEY"):
        monkeypatch.delenv(name, raising=False)
    for name, value in environment.items():
        monkeypatch.setenv(name, value)
    pdf = numbered_document(tmp_path / "doc.pdf", [("1 Scope", 0)], 1)
    out = tmp_path / "out"
    assert main(["build", str(pdf), "--out", str(out)]) == EXIT_BAD_INPUT
    assert named in capsys.readouterr().err
    assert not out.exists()


def test_atomic_writes_leave_files_readable_like_plain_writes(tmp_path: Path):
    import os
    import stat

    from specmill.atomic import write_text_atomic

    target = tmp_path / "artifact.json"
    write_text_atomic(target, "{}\n")
    plain = tmp_path / "plain.json"
    plain.write_text("{}\n")
    assert stat.S_IMODE(os.stat(target).st_mode) == stat.S_IMODE(os.stat(plain).st_mode)
    assert not list(tmp_path.glob(".*.tmp"))


# Found by a hostile tester (issue 16): each of these ended in a raw traceback, or in exit 1 (or 0)
# after writing. Each is now one line on stderr and the documented exit status.


def one_line_error(capsys) -> str:
    error = capsys.readouterr().err
    assert len(error.strip().splitlines()) == 1 and "Traceback" not in error, error
    return error


def test_a_pdf_whose_page_tree_claims_2147483647_pages_is_refused_with_one_line(tmp_path: Path, capsys):
    honest = numbered_document(tmp_path / "honest.pdf", [("1 Scope", 0)], 3).read_bytes()
    assert honest.count(b"/Type/Pages/Count 3/") == 1
    lying = tmp_path / "lying.pdf"
    lying.write_bytes(honest.replace(b"/Type/Pages/Count 3/", b"/Type/Pages/Count 2147483647/"))
    with pytest.raises(SourcePdfError, match="claims 2,147,483,647 pages"):
        describe_source(lying, PROFILE)
    out = tmp_path / "out"
    assert main(["build", str(lying), "--out", str(out)]) == EXIT_BAD_INPUT
    assert "damaged page tree" in one_line_error(capsys)
    assert not out.exists()


def test_out_naming_a_file_is_refused_with_one_line(tmp_path: Path, capsys):
    pdf = numbered_document(tmp_path / "doc.pdf", [("1 Scope", 0)], 1)
    out = tmp_path / "out.txt"
    out.write_text("not a folder\n")
    assert main(["build", str(pdf), "--out", str(out)]) == EXIT_BAD_INPUT
    assert "is a file, not a folder" in one_line_error(capsys)
    assert out.read_text() == "not a folder\n"


@pytest.mark.skipif(os.geteuid() == 0, reason="root may write to a read-only folder")
def test_a_read_only_out_is_refused_with_one_line(tmp_path: Path, capsys):
    pdf = numbered_document(tmp_path / "doc.pdf", [("1 Scope", 0)], 1)
    out = tmp_path / "out"
    out.mkdir()
    out.chmod(0o555)
    try:
        assert main(["build", str(pdf), "--out", str(out)]) == EXIT_BAD_INPUT
        assert "is not writable" in one_line_error(capsys)
        assert list(out.iterdir()) == []
    finally:
        out.chmod(0o755)


def test_a_textless_pdf_is_refused_with_exit_2_before_anything_is_written_and_the_hint_names_no_tier(tmp_path: Path, capsys):
    path = tmp_path / "scan.pdf"
    with pymupdf.open() as document:
        for _ in range(2):
            document.new_page().draw_rect(pymupdf.Rect(50, 50, 200, 200), fill=(0, 0, 0))
        document.save(path)
    out = tmp_path / "out"
    assert main(["build", str(path), "--out", str(out)]) == EXIT_BAD_INPUT
    error = one_line_error(capsys)
    assert "no text layer on any of its 2 pages" in error and "OCR" in error
    assert "OCR-capable tier" not in error and "whatever the MinerU tier" in error  # every tier is refused alike
    assert not out.exists()


def test_an_unknown_tier_is_refused_before_any_work(tmp_path: Path, capsys):
    pdf = numbered_document(tmp_path / "doc.pdf", [("1 Scope", 0)], 1)
    out = tmp_path / "out"
    assert main(["build", str(pdf), "--out", str(out), "--tier", "bogus"]) == EXIT_BAD_INPUT
    error = one_line_error(capsys)
    assert "--tier bogus is not a MinerU tier" in error and "flash" in error
    assert not out.exists()


def test_jobs_below_one_and_an_unknown_ocr_mode_are_refused_before_any_work(tmp_path: Path, capsys):
    pdf = numbered_document(tmp_path / "doc.pdf", [("1 Scope", 0)], 1)
    out = tmp_path / "out"
    assert main(["build", str(pdf), "--out", str(out), "--jobs", "0"]) == EXIT_BAD_INPUT
    assert "--jobs must be at least 1" in one_line_error(capsys)
    with pytest.raises(SystemExit) as refused:  # argparse: its usage line and one error line
        main(["build", str(pdf), "--out", str(out), "--ocr-mode", "bogus"])
    assert refused.value.code == EXIT_BAD_INPUT and "invalid choice: 'bogus'" in capsys.readouterr().err
    assert not out.exists()


def test_a_missing_or_schemaless_schemas_path_is_refused_before_parsing(tmp_path: Path, capsys):
    pdf = numbered_document(tmp_path / "doc.pdf", [("1 Scope", 0)], 1)
    out = tmp_path / "out"
    assert main(["build", str(pdf), "--out", str(out), "--schemas", str(tmp_path / "no-such-schemas")]) == EXIT_BAD_INPUT
    assert "--schemas" in (error := one_line_error(capsys)) and "does not exist" in error
    empty = tmp_path / "empty-schemas"
    empty.mkdir()
    assert main(["build", str(pdf), "--out", str(out), "--schemas", str(empty)]) == EXIT_BAD_INPUT
    assert "no .xsd, .rnc or .rng file" in one_line_error(capsys)
    assert not out.exists()


def test_a_pdf_that_mineru_cannot_read_fails_the_build_with_exit_1_and_the_summary_says_so(tmp_path: Path):
    """PyMuPDF repairs a PDF cut before its trailer; MinerU's PDFium refuses it ("Data format
    error"). Once this ended with exit 0 and "all blocking checks passed"."""
    import json

    from specmill_cli.main import EXIT_FAILED

    whole = numbered_document(tmp_path / "whole.pdf", [("1 Scope", 0), ("2 Model", 1)], 2).read_bytes()
    cut = tmp_path / "cut.pdf"
    cut.write_bytes(whole[: whole.rindex(b"trailer")])
    describe_source(cut, PROFILE)  # PyMuPDF reads it: bad input only MinerU can find
    out = tmp_path / "out"
    assert main(["build", str(cut), "--out", str(out)]) == EXIT_FAILED
    summary = json.loads((out / "summary.json").read_text())
    assert summary["passed"] is False and summary["stopped_after"] == "parse"
    assert [failure["stage"] for failure in summary["failed_steps"]] == ["parse"]
    report = (out / "report.md").read_text()
    assert "step(s) FAILED" in report and "all blocking checks passed" not in report


def test_specmill_opens_pdfs_without_loading_pymupdfs_layout_model(tmp_path):
    """PyMuPDF 2.0 imports its ONNX layout analyzer when pymupdf_layout is installed (0.4 s a
    process, for an analysis specmill never asks for); load_pymupdf keeps it out, and PDFs open."""
    import subprocess
    import sys

    pdf = tmp_path / "one.pdf"
    document = pymupdf.open()
    document.new_page().insert_text((72, 72), "1 Scope")
    document.save(pdf)
    code = (
        "import sys; from specmill.source.pdf import open_pdf; "
        f"doc = open_pdf({str(pdf)!r}); print(doc.page_count, sys.modules.get('pymupdf.layout') is None)"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120, cwd=Path(__file__).parent.parent)
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["1", "True"]
