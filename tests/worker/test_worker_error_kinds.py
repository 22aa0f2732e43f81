"""The worker's error kinds are declared once (schemas/worker_api.py): every kind the worker can
answer with is in that list, the client has decided for each whether a re-run can help, and the
exported JSON Schema of a failed job's answer names exactly those kinds."""

from __future__ import annotations

import re
from typing import get_args

import pytest

from resources.runpod.failures import RERUN_HELPS, is_permanent_failure
from schemas.worker_api import WORKER_ERROR_KINDS, JobFailure, WorkerErrorKind, failure_kind
from worker import errors
from worker.schema_export import schema_documents


def worker_error_classes() -> list[type[errors.WorkerError]]:
    found, pending = [], [errors.WorkerError]
    while pending:
        cls = pending.pop()
        found.append(cls)
        pending.extend(cls.__subclasses__())
    return found


def kinds_the_worker_answers_with() -> set[str]:
    answers = [errors.describe_failure(cls("boom"), secrets=[]) for cls in worker_error_classes()]
    answers.append(errors.describe_failure(RuntimeError("CUDA error"), secrets=[]))
    kinds = {failure_kind(answer) for answer in answers}
    assert None not in kinds, answers
    return kinds  # type: ignore[return-value]


def test_every_kind_the_worker_answers_with_is_declared_and_every_declared_kind_is_answered():
    assert kinds_the_worker_answers_with() == set(get_args(WorkerErrorKind)) == WORKER_ERROR_KINDS


def test_every_kind_of_worker_error_is_its_own():
    kinds = [cls.kind for cls in worker_error_classes()]
    assert len(kinds) == len(set(kinds)), kinds


def test_the_client_has_decided_for_every_kind_whether_a_re_run_can_help():
    assert set(RERUN_HELPS) == WORKER_ERROR_KINDS


def test_a_failed_jobs_answer_matches_its_json_schema():
    pattern = schema_documents()["job_failure.schema.json"]["properties"]["error"]["pattern"]
    named = set(re.fullmatch(r"\^\((.*)\): ", pattern).group(1).split("|"))
    assert named == WORKER_ERROR_KINDS
    for cls in worker_error_classes():
        JobFailure(error=errors.describe_failure(cls("x"), secrets=[]))  # validates against the same pattern
    with pytest.raises(ValueError):
        JobFailure(error="worker exited unexpectedly")


@pytest.mark.parametrize("cls", worker_error_classes(), ids=lambda cls: cls.kind)
def test_the_client_reads_back_the_kind_the_worker_wrote(cls):
    answer = errors.describe_failure(cls("page 9: https://bucket/key?X-Amz-Signature=abc"), secrets=[])
    assert failure_kind(answer) == cls.kind
    assert is_permanent_failure(answer) is not RERUN_HELPS[cls.kind]
