"""Bad input gets a clear error naming the problem, and nothing already produced is lost."""

from pathlib import Path

import pymupdf
import pytest

from schemas.profile import DocumentProfile
from specmill.errors import SourcePdfError
from specmill.source import describe_source
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
