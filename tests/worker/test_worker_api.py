"""The job contract rejects every malformed input with a message naming the field, and its
exported JSON Schema matches the models."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from pydantic import ValidationError

from schemas.worker_api import TIER_ALIASES, JobInput, JobOutput, canonical_tier, describe_validation_error
from worker.manifest import MANIFEST, manifest_problems
from worker.schema_export import SCHEMA_FILES, render, schema_documents

REPO_ROOT = Path(__file__).resolve().parents[2]
B64 = "JVBERi0xLjcK"  # "%PDF-1.7\n"


def rejection(payload: object) -> str:
    with pytest.raises(ValidationError) as caught:
        JobInput.model_validate(payload)
    return describe_validation_error(caught.value)


def test_minimal_job_takes_documented_defaults() -> None:
    job = JobInput.model_validate({"file_b64": B64})
    assert (job.start_page, job.end_page) == (0, -1)
    assert job.tier == "standard" and job.ocr_mode == "auto"
    assert job.transport == "inline" and job.archive_format == "tar.gz"
    assert job.formats == ["markdown", "content_list"]
    assert job.basename == "document" and job.lang == "auto"
    assert job.source == "file_b64"


# Each case: a job input and the start of what the rejection must say about it.
INVALID_INPUTS = [
    ({"file_b64": B64, "colour": "red"}, "colour: unknown field (allowed: file_url,"),
    ({"file_b64": B64, "tier": None}, "tier: null is not allowed; omit the key"),
    ({"file_url": None, "file_b64": B64}, "file_url: null is not allowed"),
    ({}, "file_url, file_b64, volume_path: give exactly one (found: none)"),
    ({"file_b64": B64, "volume_path": "/v/a.pdf"}, "give exactly one (found: file_b64, volume_path)"),
    ({"file_b64": B64, "start_page": "2"}, "start_page: Input should be a valid integer"),
    ({"file_b64": B64, "start_page": -1}, "start_page: Input should be greater than or equal to 0"),
    ({"file_b64": B64, "end_page": -2}, "end_page: Input should be greater than or equal to -1"),
    ({"file_b64": B64, "start_page": 5, "end_page": 2}, "end_page: 2 is before start_page 5"),
    ({"file_b64": B64, "tier": "turbo"}, "tier: Input should be 'flash', 'basic', 'standard'"),
    ({"file_b64": B64, "ocr_mode": "maybe"}, "ocr_mode: Input should be 'auto', 'txt' or 'ocr'"),
    ({"file_b64": B64, "formula": "false"}, "formula: Input should be a valid boolean"),
    ({"file_b64": B64, "table": 0}, "table: Input should be a valid boolean"),
    ({"file_b64": B64, "image_analysis": "yes"}, "image_analysis: Input should be a valid boolean"),
    ({"file_b64": B64, "lang": "EN"}, "lang: String should match pattern"),
    ({"file_b64": B64, "transport": "email"}, "transport: Input should be 'inline', 'tarball_b64' or 's3'"),
    ({"file_b64": B64, "transport": "s3", "archive_format": "rar"}, "archive_format: Input should be 'tar.gz' or 'zip'"),
    ({"file_b64": B64, "archive_format": "zip"}, "archive_format: applies to transport tarball_b64 or s3"),
    ({"file_b64": B64, "formats": []}, "formats: List should have at least 1 item"),
    ({"file_b64": B64, "formats": ["markdown", "pdf"]}, "formats.1: Input should be 'markdown'"),
    ({"file_b64": B64, "formats": ["images", "images"]}, "formats: lists images more than once"),
    ({"file_b64": B64, "basename": "../etc/passwd"}, "basename: String should match pattern"),
    ({"file_b64": B64, "basename": ".hidden"}, "basename: String should match pattern"),
    ({"file_b64": B64, "basename": "b" * 129}, "basename: is 129 bytes long; the limit is 128"),
    ({"file_url": "ftp://example.org/a.pdf"}, "file_url: must be an http:// or https:// URL with a host"),
    ({"file_url": "https://user:pw@example.org/a.pdf"}, "file_url: must not carry credentials"),
    ({"file_url": "https://example.org/a b.pdf"}, "file_url: must not contain whitespace"),
    ({"file_url": "https://example.org/" + "a" * 8200}, "file_url: String should have at most 8192 characters"),
    ({"volume_path": "relative/a.pdf"}, "volume_path: must be an absolute path"),
    ({"volume_path": "/v/a\x00.pdf"}, "volume_path: must not contain NUL characters"),
    ({"file_b64": "AA"}, "file_b64: String should have at least 4 characters"),
    ([{"file_b64": B64}], "the job input must be a JSON object"),
]


@pytest.mark.parametrize(("payload", "expected"), INVALID_INPUTS)
def test_invalid_input_is_rejected_naming_the_field(payload: object, expected: str) -> None:
    assert expected in rejection(payload)


def test_basename_at_the_byte_limit_is_accepted() -> None:
    assert JobInput.model_validate({"file_b64": B64, "basename": "b" * 128}).basename == "b" * 128


@pytest.mark.parametrize(
    ("name", "tier"),
    [("flash", "flash"), ("pipeline", "basic"), ("hybrid-auto-engine", "standard"), ("vlm-vllm-engine", "advanced"),
     ("vlm-http-client", "advanced")],
)  # fmt: skip
def test_mineru_3_backend_names_are_documented_tier_aliases(name: str, tier: str) -> None:
    job = JobInput.model_validate({"file_b64": B64, "tier": name})
    assert job.mineru_tier == tier
    assert canonical_tier(name) == tier


def test_every_alias_appears_in_the_exported_tier_enum() -> None:
    enum = schema_documents()["job_input.schema.json"]["properties"]["tier"]["enum"]
    assert set(TIER_ALIASES) <= set(enum)
    assert {"flash", "basic", "standard", "advanced"} <= set(enum)


def test_input_schema_requires_exactly_one_source_and_has_no_null_defaults() -> None:
    schema = schema_documents()["job_input.schema.json"]
    assert schema["oneOf"] == [{"required": ["file_url"]}, {"required": ["file_b64"]}, {"required": ["volume_path"]}]
    assert schema["additionalProperties"] is False
    for name in ("file_url", "file_b64", "volume_path"):
        assert schema["properties"][name]["type"] == "string"
        assert "default" not in schema["properties"][name]


def test_committed_schema_files_match_the_models() -> None:
    for file_name, document in schema_documents().items():
        committed = REPO_ROOT / "worker" / "schema" / file_name
        assert committed.read_text(encoding="utf-8") == render(document), (
            f"{committed} is stale: run python -m worker.schema_export worker/schema"
        )


def test_schema_export_command_writes_every_schema_file(tmp_path: Path) -> None:
    completed = subprocess.run(
        [sys.executable, "-m", "worker.schema_export", str(tmp_path / "out")],
        cwd=REPO_ROOT, capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    assert completed.returncode == 0, completed.stderr
    written = sorted(path.name for path in (tmp_path / "out").iterdir())
    assert written == sorted(SCHEMA_FILES)
    output_schema = json.loads((tmp_path / "out" / "job_output.schema.json").read_text())
    assert {"pages_requested", "pages_parsed", "degraded", "artifacts", "timings"} <= set(output_schema["required"])


def test_output_contract_rejects_unknown_fields() -> None:
    with pytest.raises(ValidationError):
        JobOutput.model_validate({"job_id": "x", "surprise": 1})


def test_manifest_declares_every_format_once() -> None:
    assert sorted(spec.format for spec in MANIFEST) == ["content_list", "images", "markdown", "middle"]


def test_manifest_flags_unrequested_missing_and_misnamed_files() -> None:
    problems = manifest_problems(
        [("doc.md", "markdown"), ("images/a.jpg", "images"), ("other_middle.json", "middle")],
        ["markdown", "middle", "content_list"],
        "doc",
    )
    assert "images/a.jpg is a images artifact, which was not requested" in problems
    assert "other_middle.json does not match the middle pattern {basename}_middle.json" in problems
    assert "required artifact content_list is missing" in problems
    assert manifest_problems([("doc.md", "markdown")], ["markdown", "images"], "doc") == []
