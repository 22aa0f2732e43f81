"""The rules of the runpod backend that need no server: which failures are worth a re-run, which
stored batches a re-run may reuse, and what a missing configuration says."""

from __future__ import annotations

import pytest

from resources.runpod.failures import is_permanent_failure
from resources.runpod.options import RunPodConfigError, RunPodOptions
from schemas.blocks import Block
from schemas.plan import Batch, BatchPlan, PlanParameters
from specmill.parse import normalize
from specmill.parse.parsed import build_artifact
from specmill.parse.resume import ParserIdentity, reuse_problem
from specmill.parse.runpod_client import Backoff, redact_url
from specmill_cli.main import EXIT_BAD_INPUT, main

BATCH = Batch(batch_id="b01", first_page=3, last_page=5, clause_ids=["2"])
PLAN = BatchPlan(source_sha256="aa" * 32, page_count=9, parameters=PlanParameters(), batches=[BATCH])
RUNPOD_FLASH = ParserIdentity("runpod", "flash", "txt", "4.0.12", normalize.NORMALIZER_VERSION)


def artifact(batch: Batch = BATCH, backend: str = "runpod", tier: str = "flash"):
    blocks = [Block(type="text", page=batch.first_page, text="2 Scope")]
    return build_artifact(batch, blocks, backend=backend, mineru_version="4.0.12", tier=tier, ocr_mode="txt", seconds=1.0)


@pytest.mark.parametrize(
    ("error", "permanent"),
    [
        ("page_range_invalid: start_page 40 is past the last page", True),
        ("input_invalid: tier: Input should be 'flash'", True),
        ("parse_timeout: MinerU (standard) did not finish pages 0-99", True),
        ("worker exited unexpectedly", False),  # the platform's text, not the worker's
        ("input_fetch_failed: file_url https://r2/x answered HTTP 403", False),  # the source URL expired in the queue
        ("internal_error: RuntimeError: CUDA error", False),
        (None, False),
    ],
)
def test_only_failures_that_name_a_wrong_request_are_final(error, permanent):
    assert is_permanent_failure(error) is permanent


def test_a_complete_artifact_of_the_same_batch_and_parser_is_reused():
    assert reuse_problem(artifact(), BATCH, PLAN, "aa" * 32, RUNPOD_FLASH) is None


@pytest.mark.parametrize(
    ("stored", "source", "parser", "reason"),
    [
        (None, "aa" * 32, RUNPOD_FLASH, "no artifact"),
        (artifact(Batch(batch_id="b01", first_page=3, last_page=6, clause_ids=[])), "aa" * 32, RUNPOD_FLASH, "pages 3-6"),
        (artifact(backend="mineru-local"), "aa" * 32, RUNPOD_FLASH, "made by"),
        (artifact(tier="standard"), "aa" * 32, RUNPOD_FLASH, "made by"),
        (artifact(), "bb" * 32, RUNPOD_FLASH, "the plan is for source"),
    ],
)
def test_anything_else_is_parsed_again(stored, source, parser, reason):
    assert reason in reuse_problem(stored, BATCH, PLAN, source, parser)


def test_missing_configuration_names_every_variable():
    with pytest.raises(RunPodConfigError) as raised:
        RunPodOptions.from_env({"RUNPOD_API_KEY": "k", "BUCKET_NAME": "b"})
    message = str(raised.value)
    for name in ("RUNPOD_ENDPOINT_ID", "BUCKET_ENDPOINT_URL", "BUCKET_ACCESS_KEY_ID", "BUCKET_SECRET_ACCESS_KEY"):
        assert name in message
    assert "RUNPOD_API_KEY," not in message and "BUCKET_NAME," not in message


def test_the_cli_refuses_a_runpod_build_without_configuration_before_writing(tmp_path, monkeypatch, capsys):
    for name in ("RUNPOD_API_KEY", "RUNPOD_ENDPOINT_ID", "BUCKET_ENDPOINT_URL", "BUCKET_NAME"):
        monkeypatch.delenv(name, raising=False)
    out = tmp_path / "out"
    assert main(["build", str(tmp_path / "any.pdf"), "--out", str(out), "--backend", "runpod"]) == EXIT_BAD_INPUT
    assert "RUNPOD_API_KEY" in capsys.readouterr().err
    assert not out.exists()


def test_backoff_grows_to_its_cap_and_urls_lose_their_signatures():
    delays = Backoff(0.5, 2.0, 3.0).delays()
    assert [next(delays) for _ in range(5)] == [0.5, 1.0, 2.0, 3.0, 3.0]
    signed = "http://127.0.0.1:9000/bucket/key.tar.gz?X-Amz-Signature=abc&X-Amz-Credential=id"
    assert redact_url(signed) == "http://127.0.0.1:9000/bucket/key.tar.gz"
