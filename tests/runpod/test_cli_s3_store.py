"""`specmill build` with its artifacts in a bucket (SPECMILL_STORE=s3, a real SeaweedFS on
loopback): every artifact is written and read through the store, so nothing of them lands in
--out, the report reads the plan from the bucket, and a second build reuses the batches there."""

from __future__ import annotations

import json

import pytest

from specmill.sample import generate_sample
from specmill_cli.main import EXIT_OK, main
from tests.runpod.conftest import BUCKET

pytestmark = pytest.mark.slow

PREFIX = "cli-build"


def bucket_keys(seaweed) -> set[str]:
    client = seaweed.client()
    keys: set[str] = set()
    for page in client.get_paginator("list_objects_v2").paginate(Bucket=BUCKET, Prefix=PREFIX + "/"):
        keys.update(item["Key"][len(PREFIX) + 1 :] for item in page.get("Contents", []))
    return keys


def test_a_build_keeps_its_artifacts_in_the_bucket_and_reads_them_back_from_there(seaweed, tmp_path, monkeypatch):
    for name, value in {
        "SPECMILL_STORE": "s3", "SPECMILL_S3_PREFIX": PREFIX, "BUCKET_NAME": BUCKET, "BUCKET_ENDPOINT_URL": seaweed.endpoint_url,
        "BUCKET_REGION": seaweed.region, "BUCKET_ACCESS_KEY_ID": seaweed.access_key, "BUCKET_SECRET_ACCESS_KEY": seaweed.secret_key,
    }.items():
        monkeypatch.setenv(name, value)
    document = generate_sample(tmp_path / "doc", pages=10)
    out = tmp_path / "out"

    assert main(["build", document.pdf_path, "--out", str(out), "--schemas", document.xsd_path]) == EXIT_OK

    keys = bucket_keys(seaweed)
    assert {"source.json", "pages.json", "plan.json", "blocks.json", "tree.zip", "links.json", "findings.json"} <= keys
    assert any(key.startswith("batches/b") for key in keys) and any(key.startswith("corpus/") for key in keys)
    # --out holds the build's own records and instance, no artifact.
    assert not (out / "plan.json").exists() and not (out / "corpus").exists() and not (out / "batches").exists()
    summary = json.loads((out / "summary.json").read_text())
    assert summary["passed"] is True
    assert "## Batch plan" in (out / "report.md").read_text()  # read from the bucket

    assert main(["build", document.pdf_path, "--out", str(out), "--schemas", document.xsd_path, "--stop-after", "parse"]) == EXIT_OK
    again = json.loads((out / "summary.json").read_text())
    parse = again["stages"]["parse"]["figures"]
    assert parse["batches_parsed"] == 0 and parse["batches_reused"] >= 1
