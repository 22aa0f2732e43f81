"""Error text is compacted and redacted once: no query strings, no credentials, bounded length."""

from __future__ import annotations

import io
import json

from worker.errors import InputFetchFailed, ParseTimedOut, compact_error_text, describe_failure, secret_values
from worker.logs import EventLog


def test_urls_are_reduced_to_scheme_host_and_path() -> None:
    text = (
        "GET https://bucket.s3.example.com/docs/spec.pdf?X-Amz-Credential=AKIA123%2F&X-Amz-Signature=abcdef#frag "
        "failed; retried http://alice:hunter2@10.0.0.5:8080/in?token=zzz"
    )
    compact = compact_error_text(text)
    assert "https://bucket.s3.example.com/docs/spec.pdf" in compact
    assert "http://10.0.0.5:8080/in" in compact
    for leaked in ("X-Amz", "abcdef", "AKIA123", "alice", "hunter2", "token=zzz", "frag"):
        assert leaked not in compact


def test_credential_assignments_and_known_secrets_are_masked() -> None:
    text = 'Authorization: Bearer sk-live-123 password=p4ss api_key="k-999" and the key is S3CRET-VALUE-42'
    compact = compact_error_text(text, secrets=["S3CRET-VALUE-42"])
    for leaked in ("sk-live-123", "p4ss", "k-999", "S3CRET-VALUE-42"):
        assert leaked not in compact
    assert "Authorization: ***" in compact


def test_long_text_is_capped_and_whitespace_collapsed() -> None:
    compact = compact_error_text("line one\n\n\tline two " + "x" * 5000, limit=100)
    assert compact.startswith("line one line two ")
    assert len(compact) < 140
    assert compact.endswith("more characters]")


def test_secret_values_come_from_the_environment_and_skip_tiny_values() -> None:
    values = secret_values({"BUCKET_SECRET_ACCESS_KEY": "long-secret-value", "RUNPOD_AI_API_KEY": "abc"})
    assert values == ["long-secret-value"]


def test_describe_failure_prefixes_the_kind_and_marks_unexpected_errors() -> None:
    assert describe_failure(InputFetchFailed("file_url https://h/p?sig=1 answered HTTP 404"), secrets=[]) == (
        "input_fetch_failed: file_url https://h/p answered HTTP 404"
    )
    assert describe_failure(KeyError("boom"), secrets=[]) == "internal_error: KeyError: 'boom'"
    assert ParseTimedOut.recycle_worker is True


def test_event_log_writes_one_json_object_per_line_with_the_job_id() -> None:
    stream = io.StringIO()
    forwarded: list[dict] = []
    log = EventLog(stream=stream, sink=forwarded.append)
    log.event("parse_done", job_id="j-7", seconds=1.5)
    log.event("warmup_done", job_id=None, level="info")
    lines = [json.loads(line) for line in stream.getvalue().splitlines()]
    assert [line["event"] for line in lines] == ["parse_done", "warmup_done"]
    assert lines[0]["job_id"] == "j-7" and lines[0]["seconds"] == 1.5
    assert lines[1]["job_id"] is None
    assert forwarded == lines
