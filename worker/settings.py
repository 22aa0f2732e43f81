"""The worker's configuration, read once from the environment.

Everything an operator can tune lives here, with its environment variable, so the handler
and the transports receive plain values instead of reading os.environ themselves.

    WORKER_MAX_INPUT_BYTES       200000000   cap on file_url / file_b64 / volume_path sizes
    WORKER_FETCH_CONNECT_S       10          connect timeout for file_url
    WORKER_FETCH_INACTIVITY_S    30          longest silence while downloading
    WORKER_FETCH_TOTAL_S         300         whole-download deadline
    WORKER_FETCH_MAX_REDIRECTS   5
    WORKER_ALLOW_LOOPBACK_FETCH  0           1 lets file_url reach 127.0.0.0/8 and ::1 (tests only)
    WORKER_VOLUME_ROOTS          /runpod-volume   os.pathsep-separated roots for volume_path
    WORKER_PARSE_TIMEOUT_S       1800        worker-side parse deadline (then the worker recycles)
    WORKER_MAX_RESPONSE_BYTES    20000000    larger inline/tarball results go to S3 or fail
    WORKER_WORK_DIR              (system temp)    scratch space for inputs
    WORKER_CONCURRENCY           1           jobs one worker runs at once
    WORKER_RECYCLE_AFTER_JOBS    0           0 = never
    WORKER_RECYCLE_AFTER_PAGES   0           0 = never
    WORKER_SKIP_WARMUP           0
    WORKER_WARMUP_TIER           flash       the GPU image sets advanced
    BUCKET_ENDPOINT_URL, BUCKET_NAME, BUCKET_ACCESS_KEY_ID, BUCKET_SECRET_ACCESS_KEY
                                             all four, or none (no s3 transport)
    BUCKET_REGION                us-east-1   R2: auto
    BUCKET_PREFIX                specmill-worker
    BUCKET_PRESIGN_TTL_S         3600
    BUCKET_MULTIPART_THRESHOLD_BYTES / BUCKET_MULTIPART_CHUNK_BYTES   8 MiB (minimum 5 MiB)
    OTEL_EXPORTER_OTLP_ENDPOINT  (unset)     set to export traces, metrics and logs (telemetry.py)
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import get_args

from schemas.worker_api import Tier
from worker.errors import WorkerConfigError

MiB = 1024 * 1024

_S3_REQUIRED = ("BUCKET_ENDPOINT_URL", "BUCKET_NAME", "BUCKET_ACCESS_KEY_ID", "BUCKET_SECRET_ACCESS_KEY")


@dataclass(frozen=True)
class S3Settings:
    endpoint_url: str
    bucket: str
    access_key_id: str = field(repr=False)
    secret_access_key: str = field(repr=False)
    region: str = "us-east-1"
    prefix: str = "specmill-worker"
    presign_ttl_s: int = 3600
    # S3 needs parts of at least 5 MiB (except the last); 8 MiB matches boto3's default.
    multipart_threshold: int = 8 * MiB
    multipart_chunk: int = 8 * MiB


@dataclass(frozen=True)
class WorkerSettings:
    max_input_bytes: int = 200 * 1000 * 1000
    fetch_connect_s: float = 10.0
    fetch_inactivity_s: float = 30.0
    fetch_total_s: float = 300.0
    fetch_max_redirects: int = 5
    allow_loopback_fetch: bool = False
    volume_roots: tuple[Path, ...] = (Path("/runpod-volume"),)
    parse_timeout_s: float = 1800.0
    # RunPod's gateway drops results over ~20 MB after the GPU work is done; stay under it.
    max_response_bytes: int = 20 * 1000 * 1000
    work_dir: Path | None = None
    concurrency: int = 1
    recycle_after_jobs: int = 0
    recycle_after_pages: int = 0
    skip_warmup: bool = False
    warmup_tier: Tier = "flash"
    s3: S3Settings | None = None

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> WorkerSettings:
        """Read WORKER_* and BUCKET_* variables; a malformed value names its variable."""
        env = os.environ if env is None else env
        reader = _EnvReader(env)
        defaults = cls()
        roots = env.get("WORKER_VOLUME_ROOTS")
        warmup_tier = env.get("WORKER_WARMUP_TIER", defaults.warmup_tier)
        if warmup_tier not in get_args(Tier):
            raise WorkerConfigError(f"WORKER_WARMUP_TIER={warmup_tier!r} is not one of {', '.join(get_args(Tier))}")
        work_dir = env.get("WORKER_WORK_DIR")
        return cls(
            max_input_bytes=reader.integer("WORKER_MAX_INPUT_BYTES", defaults.max_input_bytes, minimum=1),
            fetch_connect_s=reader.seconds("WORKER_FETCH_CONNECT_S", defaults.fetch_connect_s),
            fetch_inactivity_s=reader.seconds("WORKER_FETCH_INACTIVITY_S", defaults.fetch_inactivity_s),
            fetch_total_s=reader.seconds("WORKER_FETCH_TOTAL_S", defaults.fetch_total_s),
            fetch_max_redirects=reader.integer("WORKER_FETCH_MAX_REDIRECTS", defaults.fetch_max_redirects, minimum=0),
            allow_loopback_fetch=reader.flag("WORKER_ALLOW_LOOPBACK_FETCH", defaults.allow_loopback_fetch),
            volume_roots=(
                tuple(Path(part) for part in roots.split(os.pathsep) if part) if roots else defaults.volume_roots
            ),
            parse_timeout_s=reader.seconds("WORKER_PARSE_TIMEOUT_S", defaults.parse_timeout_s),
            max_response_bytes=reader.integer("WORKER_MAX_RESPONSE_BYTES", defaults.max_response_bytes, minimum=1),
            work_dir=Path(work_dir) if work_dir else None,
            concurrency=reader.integer("WORKER_CONCURRENCY", defaults.concurrency, minimum=1),
            recycle_after_jobs=reader.integer("WORKER_RECYCLE_AFTER_JOBS", 0, minimum=0),
            recycle_after_pages=reader.integer("WORKER_RECYCLE_AFTER_PAGES", 0, minimum=0),
            skip_warmup=reader.flag("WORKER_SKIP_WARMUP", False),
            warmup_tier=warmup_tier,  # type: ignore[arg-type]
            s3=_s3_from_env(env, reader),
        )


def _s3_from_env(env: Mapping[str, str], reader: _EnvReader) -> S3Settings | None:
    present = [name for name in _S3_REQUIRED if env.get(name)]
    if not present:
        return None
    missing = [name for name in _S3_REQUIRED if not env.get(name)]
    if missing:
        # Half a bucket configuration would turn every s3 job into a late upload failure.
        raise WorkerConfigError(f"S3 is partly configured: set {', '.join(missing)} as well (or unset the others)")
    defaults = S3Settings("", "", "", "")
    chunk = reader.integer("BUCKET_MULTIPART_CHUNK_BYTES", defaults.multipart_chunk, minimum=5 * MiB)
    return S3Settings(
        endpoint_url=env["BUCKET_ENDPOINT_URL"],
        bucket=env["BUCKET_NAME"],
        access_key_id=env["BUCKET_ACCESS_KEY_ID"],
        secret_access_key=env["BUCKET_SECRET_ACCESS_KEY"],
        region=env.get("BUCKET_REGION") or defaults.region,
        prefix=(env.get("BUCKET_PREFIX", defaults.prefix)).strip("/"),
        presign_ttl_s=reader.integer("BUCKET_PRESIGN_TTL_S", defaults.presign_ttl_s, minimum=1),
        multipart_threshold=reader.integer("BUCKET_MULTIPART_THRESHOLD_BYTES", defaults.multipart_threshold, minimum=5 * MiB),
        multipart_chunk=chunk,
    )


class _EnvReader:
    def __init__(self, env: Mapping[str, str]) -> None:
        self._env = env

    def integer(self, name: str, default: int, *, minimum: int) -> int:
        raw = self._env.get(name)
        if raw in (None, ""):
            return default
        try:
            value = int(raw)
        except ValueError:
            raise WorkerConfigError(f"{name}={raw!r} is not an integer") from None
        if value < minimum:
            raise WorkerConfigError(f"{name}={value} is below the minimum {minimum}")
        return value

    def seconds(self, name: str, default: float) -> float:
        raw = self._env.get(name)
        if raw in (None, ""):
            return default
        try:
            value = float(raw)
        except ValueError:
            raise WorkerConfigError(f"{name}={raw!r} is not a number of seconds") from None
        if not value > 0:
            raise WorkerConfigError(f"{name}={raw!r} must be positive")
        return value

    def flag(self, name: str, default: bool) -> bool:
        raw = self._env.get(name)
        if raw in (None, ""):
            return default
        lowered = raw.strip().lower()
        if lowered in ("1", "true", "yes", "on"):
            return True
        if lowered in ("0", "false", "no", "off"):
            return False
        raise WorkerConfigError(f"{name}={raw!r} is not a boolean (use 1/0, true/false)")
