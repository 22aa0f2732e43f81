"""The failures a job can end with, and the one place their text is made safe to show.

Each exception class is a kind of failure the client (or the operator) can act on; its
`kind` (one of `schemas.worker_api.WorkerErrorKind`, the list the client knows too) starts the
error string the job returns. Error text is compacted and redacted once,
by `describe_failure`, and that same string goes to the response, the log line and the trace:
a presigned URL in an httpx message once put a live signature into a public log.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterable
from typing import ClassVar

from schemas.worker_api import WorkerErrorKind, failure_text

ERROR_TEXT_LIMIT = 800

# Environment variables whose values must never appear in any output.
SECRET_ENV_VARS = (
    "BUCKET_ACCESS_KEY_ID",
    "BUCKET_SECRET_ACCESS_KEY",
    "RUNPOD_AI_API_KEY",
    "RUNPOD_API_KEY",
    "AWS_ACCESS_KEY_ID",
    "AWS_SECRET_ACCESS_KEY",
    "AWS_SESSION_TOKEN",
)


class WorkerError(Exception):
    """Base of every failure the worker reports as a FAILED job."""

    kind: ClassVar[WorkerErrorKind] = "worker_error"
    # A failure that may leave the process in a bad state (an orphaned parse thread, say)
    # asks RunPod to recycle the worker after answering.
    recycle_worker = False


class InputInvalid(WorkerError):
    kind: ClassVar[WorkerErrorKind] = "input_invalid"


class InputTooLarge(WorkerError):
    kind: ClassVar[WorkerErrorKind] = "input_too_large"


class InputFetchFailed(WorkerError):
    kind: ClassVar[WorkerErrorKind] = "input_fetch_failed"


class AddressNotAllowed(WorkerError):
    kind: ClassVar[WorkerErrorKind] = "address_not_allowed"


class NotADocument(WorkerError):
    kind: ClassVar[WorkerErrorKind] = "not_a_document"


class VolumePathNotAllowed(WorkerError):
    kind: ClassVar[WorkerErrorKind] = "volume_path_not_allowed"


class PageRangeInvalid(WorkerError):
    kind: ClassVar[WorkerErrorKind] = "page_range_invalid"


class ParseFailed(WorkerError):
    kind: ClassVar[WorkerErrorKind] = "parse_failed"


class ParseTimedOut(WorkerError):
    kind: ClassVar[WorkerErrorKind] = "parse_timeout"
    recycle_worker = True


class ResponseTooLarge(WorkerError):
    kind: ClassVar[WorkerErrorKind] = "response_too_large"


class TransportNotConfigured(WorkerError):
    kind: ClassVar[WorkerErrorKind] = "transport_not_configured"


class UploadFailed(WorkerError):
    kind: ClassVar[WorkerErrorKind] = "upload_failed"


class WorkerConfigError(WorkerError):
    kind: ClassVar[WorkerErrorKind] = "worker_misconfigured"


_URL = re.compile(r"\b([A-Za-z][A-Za-z0-9+.\-]*)://([^\s/?#\"'<>]+)([^\s?#\"'<>]*)(?:\?[^\s#\"'<>]*)?(?:#[^\s\"'<>]*)?")
_SECRET_ASSIGNMENT = re.compile(
    r"(?i)\b(authorization|x-amz-signature|x-amz-credential|x-amz-security-token|signature|"
    r"secret[_-]?access[_-]?key|access[_-]?key[_-]?id|password|passwd|token|api[_-]?key)"
    r"(\"?\s*[:=]\s*\"?)(?:bearer\s+)?[^\s,;\"'&]+"
)
_WHITESPACE = re.compile(r"\s+")


def _reduce_url(match: re.Match[str]) -> str:
    scheme, netloc, path = match.group(1), match.group(2), match.group(3)
    host = netloc.rsplit("@", 1)[-1]  # drop user:password@
    return f"{scheme}://{host}{path}"


def secret_values(env: dict[str, str] | None = None) -> list[str]:
    env = dict(os.environ) if env is None else env
    # Very short values would redact ordinary words; real keys are long.
    return [value for name in SECRET_ENV_VARS if len(value := env.get(name, "")) >= 6]


def compact_error_text(text: str, *, limit: int = ERROR_TEXT_LIMIT, secrets: Iterable[str] = ()) -> str:
    """URLs reduced to scheme://host/path, credentials and known secrets masked,
    whitespace collapsed, length capped."""
    for secret in sorted(set(secrets), key=len, reverse=True):
        if secret:
            text = text.replace(secret, "***")
    text = _URL.sub(_reduce_url, text)
    text = _SECRET_ASSIGNMENT.sub(lambda m: f"{m.group(1)}{m.group(2)}***", text)
    text = _WHITESPACE.sub(" ", text).strip()
    if len(text) > limit:
        cut = len(text) - limit
        text = f"{text[:limit]}… [{cut} more characters]"
    return text


def describe_failure(error: BaseException, *, secrets: Iterable[str] | None = None) -> str:
    """The single, safe error string of a failed job: '<kind>: <message>'."""
    secrets = secret_values() if secrets is None else secrets
    kind: WorkerErrorKind
    if isinstance(error, WorkerError):
        kind, message = error.kind, str(error)
    else:
        # An unexpected exception is a worker bug; keep its type so it can be found.
        kind, message = "internal_error", f"{type(error).__name__}: {error}"
    return failure_text(kind, compact_error_text(message, secrets=secrets))
