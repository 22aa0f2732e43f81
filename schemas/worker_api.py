"""The GPU worker's API: what a job asks for (`JobInput`) and what it answers (`JobOutput`).

Both travel as JSON through RunPod's gateway. The input contract fails closed: unknown keys,
explicit nulls and wrong types are rejected, and every message names the field, so a client
bug shows up as a clear FAILED job instead of a parse run with silently ignored options.
The JSON Schema of both models, and of a failed job's answer (`JobFailure`), is exported for clients (`python -m worker.schema_export`).
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal, Union, get_args
from urllib.parse import urlsplit

from pydantic import (
    ConfigDict,
    Field,
    StringConstraints,
    ValidationError,
    WithJsonSchema,
    field_validator,
    model_validator,
)

from schemas.base import Contract

WORKER_API_VERSION = "1"

Tier = Literal["flash", "basic", "standard", "advanced"]
OcrMode = Literal["auto", "txt", "ocr"]
Transport = Literal["inline", "tarball_b64", "s3"]
ArchiveFormat = Literal["tar.gz", "zip"]
ArtifactFormat = Literal["markdown", "content_list", "middle", "images"]
InputSource = Literal["file_url", "file_b64", "volume_path"]
InputKind = Literal["pdf", "png", "jpeg"]

# MinerU 3.x selected an engine ("backend"); 4.x selects a quality tier. Clients written for
# 3.x workers send backend names, so they are accepted as aliases and mapped to the tier that
# does the same kind of work. MinerU's migration guide says Basic runs the small-model
# pipeline and Standard/Advanced run a VLM; 3.x "hybrid" combined the VLM with the text layer
# (4.x Standard), and 3.x "vlm-*" was the pure VLM path (4.x Advanced).
TIER_ALIASES: dict[str, Tier] = {
    "pipeline": "basic",
    "hybrid-auto-engine": "standard",
    "hybrid-http-client": "standard",
    "vlm-transformers": "advanced",
    "vlm-vllm-engine": "advanced",
    "vlm-vllm-async-engine": "advanced",
    "vlm-lmdeploy-engine": "advanced",
    "vlm-mlx-engine": "advanced",
    "vlm-http-client": "advanced",
    "vlm-sglang-engine": "advanced",
    "vlm-sglang-client": "advanced",
}
TierName = Literal[
    "flash", "basic", "standard", "advanced",
    "pipeline", "hybrid-auto-engine", "hybrid-http-client",
    "vlm-transformers", "vlm-vllm-engine", "vlm-vllm-async-engine", "vlm-lmdeploy-engine",
    "vlm-mlx-engine", "vlm-http-client", "vlm-sglang-engine", "vlm-sglang-client",
]  # fmt: skip

BASENAME_MAX_BYTES = 128
FILE_URL_MAX_CHARS = 8192
VOLUME_PATH_MAX_CHARS = 4096
_INPUT_SOURCES: tuple[str, ...] = get_args(InputSource)


def canonical_tier(name: str) -> Tier:
    """The MinerU 4 tier for a tier name or a documented MinerU 3.x backend alias."""
    if name in get_args(Tier):
        return name  # type: ignore[return-value]
    return TIER_ALIASES[name]


def _optional_string(description: str, *, min_length: int | None = None, max_length: int | None = None) -> Any:
    """A string field that may be omitted but never sent as null.

    The Python type allows None only so that "absent" has a value; the exported schema says
    string, and `JobInput` rejects an explicit null before field validation."""
    bounds = {key: value for key, value in (("minLength", min_length), ("maxLength", max_length)) if value is not None}
    return Annotated[
        Annotated[str, StringConstraints(min_length=min_length, max_length=max_length)] | None,
        WithJsonSchema({"type": "string", "description": description, **bounds}),
    ]


def _input_schema_extra(schema: dict[str, Any]) -> None:
    """Say in the schema what the validators enforce: one source, and no null defaults."""
    for prop in schema.get("properties", {}).values():
        if "default" in prop and prop["default"] is None:
            del prop["default"]
    schema["oneOf"] = [{"required": [source]} for source in _INPUT_SOURCES]


class JobInput(Contract):
    """One parse job: a document, the pages to parse, how to parse them, how to send results."""

    model_config = ConfigDict(extra="forbid", strict=True, json_schema_extra=_input_schema_extra)

    file_url: _optional_string(  # type: ignore[valid-type]
        "http(s) URL of the document; fetched with a size cap, from public addresses only.",
        max_length=FILE_URL_MAX_CHARS,
    ) = None
    file_b64: _optional_string(  # type: ignore[valid-type]
        "The document as standard base64 (padded, no whitespace, no data: prefix).", min_length=4
    ) = None
    volume_path: _optional_string(  # type: ignore[valid-type]
        "Absolute path of the document on a mounted network volume (inside the worker's volume roots).",
        max_length=VOLUME_PATH_MAX_CHARS,
    ) = None
    start_page: int = Field(default=0, ge=0, description="First page to parse, 0-based, inclusive.")
    end_page: int = Field(
        default=-1, ge=-1, description="Last page to parse, 0-based, inclusive; -1 means the last page."
    )
    tier: TierName = Field(
        default="standard",
        description=(
            "MinerU 4 tier: flash (text layer, no models), basic (small models), standard and advanced (VLM). "
            "MinerU 3.x backend names are accepted: pipeline -> basic, hybrid-* -> standard, vlm-* -> advanced."
        ),
    )
    ocr_mode: OcrMode = Field(
        default="auto", description="auto: OCR pages without a usable text layer; txt: never OCR; ocr: always OCR."
    )
    formula: bool = Field(default=True, description="Recognize formulas (MinerU 3.x formula_enable).")
    table: bool = Field(default=True, description="Recognize tables (MinerU 3.x table_enable).")
    image_analysis: bool = Field(default=True, description="Let the VLM describe images (advanced tier).")
    lang: str = Field(
        default="auto",
        pattern=r"^[a-z][a-z0-9_]{0,31}$",
        description="OCR language hint (MinerU 3.x lang: ch, en, latin, ...); auto lets the engine decide.",
    )
    transport: Transport = Field(
        default="inline",
        description="inline: files in the JSON response; tarball_b64: one base64 archive; s3: one archive uploaded, presigned URL returned.",
    )
    archive_format: ArchiveFormat = Field(default="tar.gz", description="Archive format for tarball_b64 and s3.")
    formats: list[ArtifactFormat] = Field(
        default_factory=lambda: ["markdown", "content_list"],
        min_length=1,
        description="Artifacts to return; every transport carries exactly these.",
    )
    basename: str = Field(
        default="document",
        pattern=r"^[A-Za-z0-9][A-Za-z0-9._-]*$",
        description=f"Stem of the artifact file names: ASCII letters, digits, '.', '_', '-'; at most {BASENAME_MAX_BYTES} bytes.",
    )

    @field_validator("*", mode="before")
    @classmethod
    def _reject_null(cls, value: Any) -> Any:
        # A null usually means a client serialized an unset Optional; guessing a default for
        # it would hide the bug, so it is refused and the message says what to do.
        if value is None:
            raise ValueError("null is not allowed; omit the key to use the default")
        return value

    @field_validator("file_url")
    @classmethod
    def _http_url(cls, value: str | None) -> str | None:
        if value is None:
            return value
        parts = urlsplit(value)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise ValueError("must be an http:// or https:// URL with a host")
        if parts.username is not None or parts.password is not None:
            raise ValueError("must not carry credentials (user:password@); use a presigned URL instead")
        if any(char.isspace() for char in value):
            raise ValueError("must not contain whitespace")
        return value

    @field_validator("volume_path")
    @classmethod
    def _absolute_path(cls, value: str | None) -> str | None:
        if value is None:
            return value
        if not value.startswith("/"):
            raise ValueError("must be an absolute path")
        if "\x00" in value:
            raise ValueError("must not contain NUL characters")
        return value

    @field_validator("formats")
    @classmethod
    def _unique_formats(cls, value: list[str]) -> list[str]:
        repeated = sorted({name for name in value if value.count(name) > 1})
        if repeated:
            raise ValueError(f"lists {', '.join(repeated)} more than once")
        return value

    @field_validator("basename")
    @classmethod
    def _basename_bytes(cls, value: str) -> str:
        size = len(value.encode("utf-8"))
        if size > BASENAME_MAX_BYTES:
            raise ValueError(f"is {size} bytes long; the limit is {BASENAME_MAX_BYTES}")
        return value

    @model_validator(mode="after")
    def _consistent(self) -> JobInput:
        given = [source for source in _INPUT_SOURCES if getattr(self, source) is not None]
        if len(given) != 1:
            found = ", ".join(given) if given else "none"
            raise ValueError(f"file_url, file_b64, volume_path: give exactly one (found: {found})")
        if self.end_page != -1 and self.end_page < self.start_page:
            raise ValueError(f"end_page: {self.end_page} is before start_page {self.start_page}")
        if self.transport == "inline" and "archive_format" in self.model_fields_set:
            raise ValueError("archive_format: applies to transport tarball_b64 or s3, not inline")
        return self

    @property
    def source(self) -> InputSource:
        for source in _INPUT_SOURCES:
            if getattr(self, source) is not None:
                return source  # type: ignore[return-value]
        raise AssertionError("JobInput validated without a source")

    @property
    def mineru_tier(self) -> Tier:
        return canonical_tier(self.tier)


def describe_validation_error(error: ValidationError) -> str:
    """One clause per problem, each starting with the field it concerns.

    Cross-field rules (model validators) have no location; their messages already start
    with the field names."""
    allowed = ", ".join(JobInput.model_fields)
    lines = []
    for item in error.errors(include_url=False):
        field = ".".join(str(part) for part in item["loc"])
        if item["type"] == "extra_forbidden":
            message = f"unknown field (allowed: {allowed})"
        elif item["type"] == "model_type":
            message = "the job input must be a JSON object"
        else:
            message = item["msg"].removeprefix("Value error, ")
        lines.append(f"{field}: {message}" if field else message)
    return "; ".join(lines)


# ----------------------------------------------------------------------------- output


class ArtifactFile(Contract):
    name: str = Field(description="Path inside the result, e.g. document.md or images/page_3_image_1.jpg.")
    format: ArtifactFormat
    bytes: int = Field(ge=0)
    sha256: str = Field(pattern=r"^[0-9a-f]{64}$")


class InlineFile(ArtifactFile):
    encoding: Literal["utf-8", "base64"] = Field(description="utf-8 for text artifacts, base64 for images.")
    content: str


class InlineArtifacts(Contract):
    transport: Literal["inline"] = "inline"
    files: list[InlineFile]


class ArchiveArtifacts(Contract):
    transport: Literal["tarball_b64"] = "tarball_b64"
    archive_format: ArchiveFormat
    archive_b64: str
    bytes: int = Field(ge=0, description="Size of the archive before base64.")
    sha256: str = Field(pattern=r"^[0-9a-f]{64}$", description="Of the archive bytes.")
    members: list[ArtifactFile]


class S3Artifacts(Contract):
    transport: Literal["s3"] = "s3"
    archive_format: ArchiveFormat
    bucket: str
    key: str
    url: str = Field(description="Presigned GET URL of the archive; fetch it before expires_at.")
    expires_at: datetime
    bytes: int = Field(ge=0)
    sha256: str = Field(pattern=r"^[0-9a-f]{64}$")
    members: list[ArtifactFile]


Artifacts = Annotated[Union[InlineArtifacts, ArchiveArtifacts, S3Artifacts], Field(discriminator="transport")]


class Degradation(Contract):
    """Something the job could not deliver in full; the count is the true number lost."""

    what: Literal["pages", "images"]
    count: int = Field(ge=1)
    detail: str


class InputSummary(Contract):
    source: InputSource
    kind: InputKind
    bytes: int = Field(ge=0)
    sha256: str = Field(pattern=r"^[0-9a-f]{64}$")
    document_pages: int = Field(ge=1, description="Pages in the whole document (1 for an image).")


class Timings(Contract):
    fetch_s: float = Field(ge=0)
    parse_s: float = Field(ge=0)
    package_s: float = Field(ge=0)
    total_s: float = Field(ge=0)
    pages_per_s: float = Field(ge=0, description="Pages parsed per second of parse time.")


class JobOutput(Contract):
    api_version: Literal["1"] = WORKER_API_VERSION
    job_id: str
    mineru_version: str
    tier: Tier = Field(description="The MinerU 4 tier that ran (aliases resolved).")
    ocr_mode: OcrMode
    first_page: int = Field(ge=0, description="0-based, inclusive, -1 resolved.")
    last_page: int = Field(ge=0, description="0-based, inclusive.")
    pages_requested: int = Field(ge=1)
    pages_parsed: int = Field(ge=0, description="Requested pages present in the parse result.")
    missing_pages: list[int] = Field(description="Requested pages absent from the parse result (0-based).")
    empty_pages: list[int] = Field(description="Parsed pages that produced no blocks (blank or unreadable).")
    input: InputSummary
    formats: list[ArtifactFormat]
    transport_requested: Transport
    artifacts: Artifacts
    degraded: list[Degradation]
    unapplied_options: list[str] = Field(
        description="Options sent with a non-default value that this MinerU version cannot apply."
    )
    timings: Timings


# ----------------------------------------------------------------------------- failure

# The kinds a FAILED job's error text starts with ('<kind>: <message>'). The worker raises one per
# kind (worker/errors.py); the client decides by it whether another job can help
# (resources/runpod/failures.py). Declared here, once, so the two sides cannot drift apart: a
# kind the client has never heard of would be re-run blindly or not at all.
WorkerErrorKind = Literal[
    "input_invalid", "input_too_large", "input_fetch_failed", "address_not_allowed", "not_a_document",
    "volume_path_not_allowed", "page_range_invalid", "parse_failed", "parse_timeout", "response_too_large",
    "transport_not_configured", "upload_failed", "worker_misconfigured",
    "worker_error",  # a WorkerError raised without a kind of its own
    "internal_error",  # an unexpected exception: a worker bug
]  # fmt: skip
WORKER_ERROR_KINDS: frozenset[str] = frozenset(get_args(WorkerErrorKind))
FAILURE_TEXT_PATTERN = rf"^({'|'.join(sorted(WORKER_ERROR_KINDS))}): "


def failure_text(kind: WorkerErrorKind, message: str) -> str:
    """A failed job's error text: what the worker answers and the client reads back with `failure_kind`."""
    return f"{kind}: {message}"


def failure_kind(error: str | None) -> WorkerErrorKind | None:
    """The kind a job's error text starts with; None for text the worker did not write (the
    platform's own 'worker exited unexpectedly', say)."""
    head, colon, _ = (error or "").partition(":")
    return head if colon and head in WORKER_ERROR_KINDS else None  # type: ignore[return-value]


class JobFailure(Contract):
    """What the handler answers for a job that failed (RunPod marks the job FAILED and shows `error`)."""

    error: str = Field(pattern=FAILURE_TEXT_PATTERN, description="'<kind>: <message>', the message compacted and redacted.")
    refresh_worker: bool = Field(default=False, description="The worker asks RunPod to recycle it after this answer.")
