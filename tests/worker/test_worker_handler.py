"""The handler end to end on this machine: real MinerU (tier flash) on small real PDFs, every
transport, the response-size guard, failures answered as {"error": ...}, recycling."""

from __future__ import annotations

import asyncio
import base64
import dataclasses
import hashlib
import io
import json
import tarfile
import time
import urllib.error
import urllib.request
import zipfile
from pathlib import Path

import pytest

from schemas.worker_api import JobOutput
from tests.worker.test_worker_api import INVALID_INPUTS
from tests.worker.conftest import JobRun, run_job
from worker.handler import JobRunner
from worker.logs import EventLog
from worker.package import render_artifacts
from worker.parse import PageSelection, parse_document
from worker.recycle import RecyclePolicy
from worker.settings import S3Settings, WorkerSettings

pytestmark = pytest.mark.slow

FLASH = {"tier": "flash", "ocr_mode": "txt"}


def completed(run: JobRun) -> JobOutput:
    assert "error" not in run.answer, run.answer.get("error")
    return JobOutput.model_validate(run.answer)


def events(run: JobRun) -> list[str]:
    return [line["event"] for line in run.log_lines]


def read_archive(data: bytes, archive_format: str) -> dict[str, bytes]:
    if archive_format == "zip":
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            return {name: archive.read(name) for name in archive.namelist()}
    with tarfile.open(fileobj=io.BytesIO(data), mode="r:gz") as archive:
        return {member.name: archive.extractfile(member).read() for member in archive.getmembers()}  # type: ignore[union-attr]


# ----------------------------------------------------------------------------- transports


def test_inline_transport_returns_every_requested_format_for_the_requested_pages(
    worker_settings: WorkerSettings, figure_pdf: Path
) -> None:
    run = run_job(
        worker_settings,
        {"volume_path": str(figure_pdf), "start_page": 1, "end_page": -1, "basename": "figs",
         "formats": ["images", "markdown", "middle", "content_list"], **FLASH},
    )  # fmt: skip
    output = completed(run)
    assert (output.first_page, output.last_page, output.pages_requested, output.pages_parsed) == (1, 2, 2, 2)
    assert output.missing_pages == [] and output.degraded == []
    assert output.input.document_pages == 3 and output.input.kind == "pdf"
    assert output.input.sha256 == hashlib.sha256(figure_pdf.read_bytes()).hexdigest()
    assert output.tier == "flash" and output.mineru_version.startswith("4.")
    files = {file.name: file for file in output.artifacts.files}  # type: ignore[union-attr]
    # Manifest order, MinerU 3.x names.
    names = list(files)
    assert names[:3] == ["figs.md", "figs_content_list.json", "figs_middle.json"]
    images = [name for name in names if name.startswith("images/")]
    assert len(images) == 2
    content_list = json.loads(files["figs_content_list.json"].content)
    assert {item["page_idx"] for item in content_list} == {1, 2}  # absolute page numbers
    assert {item["img_path"] for item in content_list if item["type"] == "image"} == set(images)
    assert "Clause number 2" in files["figs.md"].content
    for file in files.values():
        raw = base64.b64decode(file.content) if file.encoding == "base64" else file.content.encode()
        assert hashlib.sha256(raw).hexdigest() == file.sha256 and len(raw) == file.bytes
    assert events(run) == ["job_started", "fetch_input_done", "parse_done", "package_done", "job_completed"]
    assert {line["job_id"] for line in run.log_lines} == {"job-1"}


@pytest.mark.parametrize("archive_format", ["tar.gz", "zip"])
def test_archive_transport_carries_exactly_the_requested_formats(
    worker_settings: WorkerSettings, figure_pdf: Path, archive_format: str
) -> None:
    run = run_job(
        worker_settings,
        {"file_b64": base64.b64encode(figure_pdf.read_bytes()).decode(), "start_page": 0, "end_page": 0,
         "transport": "tarball_b64", "archive_format": archive_format, "formats": ["markdown", "images"],
         "formula": False, "lang": "en", **FLASH},
    )  # fmt: skip
    output = completed(run)
    assert output.input.source == "file_b64" and output.pages_parsed == 1
    assert output.unapplied_options == ["formula", "lang"]
    artifacts = output.artifacts
    assert artifacts.transport == "tarball_b64" and artifacts.archive_format == archive_format
    data = base64.b64decode(artifacts.archive_b64)
    assert hashlib.sha256(data).hexdigest() == artifacts.sha256 and len(data) == artifacts.bytes
    members = read_archive(data, archive_format)
    assert sorted(members) == sorted(member.name for member in artifacts.members)
    assert "document.md" in members and not any(name.endswith(".json") for name in members)
    assert any(name.startswith("images/") for name in members)
    for member in artifacts.members:
        assert hashlib.sha256(members[member.name]).hexdigest() == member.sha256


def test_s3_transport_uploads_one_archive_behind_an_expiring_presigned_url(
    worker_settings: WorkerSettings, figure_pdf: Path, s3_settings: S3Settings
) -> None:
    settings = dataclasses.replace(worker_settings, s3=dataclasses.replace(s3_settings, presign_ttl_s=3))
    run = run_job(
        settings,
        {"volume_path": str(figure_pdf), "start_page": 2, "transport": "s3", "archive_format": "zip",
         "formats": ["markdown", "middle"], **FLASH},
        job_id="job/with odd:id",
    )  # fmt: skip
    output = completed(run)
    artifacts = output.artifacts
    assert artifacts.transport == "s3"
    assert artifacts.key == "tests/job_with_odd_id/document.zip"
    with urllib.request.urlopen(artifacts.url, timeout=10) as response:
        data = response.read()
    assert hashlib.sha256(data).hexdigest() == artifacts.sha256
    assert sorted(read_archive(data, "zip")) == ["document.md", "document_middle.json"]
    assert "X-Amz-Signature" not in json.dumps(run.log_lines)  # the URL never reaches the logs
    time.sleep(4)
    with pytest.raises(urllib.error.HTTPError) as refused:
        urllib.request.urlopen(artifacts.url, timeout=10)
    assert refused.value.code == 403


def test_s3_transport_without_a_bucket_fails_before_fetching(worker_settings: WorkerSettings, figure_pdf: Path) -> None:
    run = run_job(worker_settings, {"volume_path": str(figure_pdf), "transport": "s3", **FLASH})
    assert run.answer["error"].startswith("transport_not_configured: transport s3 needs BUCKET_ENDPOINT_URL")
    assert "fetch_input_done" not in events(run)


# ----------------------------------------------------------------------------- size guard


def test_oversized_inline_result_fails_saying_why_when_no_bucket_is_configured(
    worker_settings: WorkerSettings, figure_pdf: Path
) -> None:
    settings = dataclasses.replace(worker_settings, max_response_bytes=2000)
    run = run_job(settings, {"volume_path": str(figure_pdf), "end_page": 0, "formats": ["middle"], **FLASH})
    error = run.answer["error"]
    assert error.startswith("response_too_large: the inline result is ")
    assert "over the 2000-byte response cap" in error and "configure BUCKET_*" in error


def test_oversized_archive_result_goes_to_s3_when_a_bucket_is_configured(
    worker_settings: WorkerSettings, figure_pdf: Path, s3_settings: S3Settings
) -> None:
    settings = dataclasses.replace(worker_settings, max_response_bytes=2000, s3=s3_settings)
    run = run_job(
        settings,
        {"volume_path": str(figure_pdf), "end_page": 0, "transport": "tarball_b64", "formats": ["middle", "images"], **FLASH},
    )
    output = completed(run)
    assert output.transport_requested == "tarball_b64"
    assert output.artifacts.transport == "s3" and output.artifacts.archive_format == "tar.gz"
    assert "result_rerouted_to_s3" in events(run)
    with urllib.request.urlopen(output.artifacts.url, timeout=10) as response:
        members = read_archive(response.read(), "tar.gz")
    assert "document_middle.json" in members and any(name.startswith("images/") for name in members)


# ----------------------------------------------------------------------------- failures


@pytest.mark.parametrize(
    ("job_input", "expected"),
    [
        ({"volume_path": "/x.pdf", "tier": "flash", "speed": "max"}, "input_invalid: speed: unknown field"),
        ({"file_b64": "JVBERi0x", "end_page": None}, "input_invalid: end_page: null is not allowed"),
        ({"tier": "flash"}, "input_invalid: file_url, file_b64, volume_path: give exactly one (found: none)"),
        ("not an object", "input_invalid: the job has no 'input' object"),
    ],
)
def test_invalid_jobs_are_answered_with_an_error_naming_the_field(
    worker_settings: WorkerSettings, job_input: object, expected: str
) -> None:
    run = run_job(worker_settings, job_input)
    assert run.answer == {"error": run.answer["error"]}
    assert run.answer["error"].startswith(expected)
    assert events(run) == ["job_started", "job_failed"]
    assert run.log_lines[-1]["error"] == run.answer["error"]  # one text for every sink


@pytest.mark.parametrize(("job_input", "expected"), [case for case in INVALID_INPUTS if isinstance(case[0], dict)])
def test_every_contract_violation_fails_the_job_before_any_work(
    worker_settings: WorkerSettings, job_input: dict, expected: str
) -> None:
    run = run_job(worker_settings, job_input)
    assert run.answer["error"].startswith("input_invalid: ")
    assert expected in run.answer["error"]
    assert "refresh_worker" not in run.answer


def test_page_range_past_the_document_end_is_refused_before_parsing(worker_settings: WorkerSettings, figure_pdf: Path) -> None:
    run = run_job(worker_settings, {"volume_path": str(figure_pdf), "start_page": 1, "end_page": 7, **FLASH})
    assert run.answer["error"] == (
        "page_range_invalid: end_page 7 is past the last page; the document has 3 pages (0-2)"
    )
    assert "parse_done" not in events(run)


def test_a_parse_over_the_timeout_is_answered_promptly_and_recycles_the_worker(
    worker_settings: WorkerSettings, sample_pdf: Path
) -> None:
    settings = dataclasses.replace(worker_settings, parse_timeout_s=0.05)
    run = run_job(settings, {"volume_path": str(sample_pdf), **FLASH})
    assert run.answer["error"].startswith("parse_timeout: MinerU (flash) did not finish pages 0-9 within 0.05 s")
    assert run.answer["refresh_worker"] is True
    assert run.seconds < 5  # the answer did not wait for the abandoned parse


def test_worker_asks_to_be_recycled_after_its_job_budget(worker_settings: WorkerSettings) -> None:
    recycled: list[bool] = []
    stream = io.StringIO()
    runner = JobRunner(
        worker_settings, log=EventLog(stream=stream), recycle=RecyclePolicy(max_jobs=2), on_recycle=lambda: recycled.append(True)
    )
    first = run_job(worker_settings, {"tier": "flash"}, runner=runner)
    assert "refresh_worker" not in first.answer and recycled == []
    second = run_job(worker_settings, {"tier": "flash"}, runner=runner)
    assert second.answer["refresh_worker"] is True and recycled == [True]
    assert '"event": "worker_recycling"' in stream.getvalue()


def test_recycle_policy_counts_pages_as_well_as_jobs() -> None:
    policy = RecyclePolicy(max_pages=25)
    assert policy.record(10) is False
    assert policy.record(10) is False
    assert policy.record(10) is True
    assert RecyclePolicy().record(10_000) is False  # no limits configured


# ----------------------------------------------------------------------------- degradation


def test_requested_pages_and_images_that_did_not_come_back_are_counted_as_degraded(figure_pdf: Path) -> None:
    parsed = asyncio.run(
        parse_document(
            figure_pdf, PageSelection(0, 1, 3), kind="pdf", tier="flash", ocr_mode="txt", image_analysis=True, timeout_s=120
        )
    )
    assert parsed.parsed_pages == [0, 1] and len(parsed.assets) == 2
    # The same real result, accounted against a wider request and with one image lost.
    parsed.selection = PageSelection(0, 2, 3)
    lost = sorted(parsed.assets)[0]
    del parsed.assets[lost]
    blobs, degraded = render_artifacts(parsed, ["markdown", "images"], "doc")
    by_kind = {item.what: item for item in degraded}
    assert by_kind["pages"].count == 1 and "2" in by_kind["pages"].detail
    assert by_kind["images"].count == 1 and lost in by_kind["images"].detail
    assert [blob.name for blob in blobs if blob.format == "images"] == sorted(parsed.assets)
