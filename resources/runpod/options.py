"""The settings of the runpod backend: what the environment and the command line give, checked
before any work (a missing variable is named), and turned into the `parser` resource."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Literal

from specmill.errors import SpecmillError
from specmill.parse.runpod_client import DEFAULT_CLIENT_URL, DEFAULT_REST_URL

if TYPE_CHECKING:
    from resources.runpod.parser import RunPodParser

REQUIRED_ENV = ("RUNPOD_API_KEY", "BUCKET_ENDPOINT_URL", "BUCKET_NAME", "BUCKET_ACCESS_KEY_ID", "BUCKET_SECRET_ACCESS_KEY")


class RunPodConfigError(SpecmillError):
    """The runpod backend is not configured: a variable or option is missing (the message names it)."""


@dataclass(frozen=True)
class RunPodOptions:
    """The non-secret settings of the runpod backend (picklable: `specmill build --jobs N` sends
    them to worker processes). Secrets stay in the environment and reach the resource as EnvVar.
    No Dagster import here: the CLI checks these before it pays for the graph's imports."""

    endpoint_id: str
    base_url: str = DEFAULT_CLIENT_URL
    rest_url: str = DEFAULT_REST_URL
    bucket_region: str = "us-east-1"
    bucket_prefix: str = "specmill"
    transport: Literal["inline", "tarball_b64", "s3"] = "inline"
    execution_timeout_ms: int = 0
    deadline_s: float = 3 * 3600.0
    max_attempts: int = 3
    poll_initial_s: float = 1.0
    poll_max_s: float = 15.0

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None, **overrides: Any) -> RunPodOptions:
        """RUNPOD_ENDPOINT_ID, RUNPOD_ENDPOINT_BASE_URL, RUNPOD_REST_URL, BUCKET_REGION, BUCKET_PREFIX,
        with `overrides` (command-line flags, None = not given) on top. Missing secrets are named."""
        env = os.environ if env is None else env
        missing = [name for name in REQUIRED_ENV if not env.get(name)]
        endpoint_id = overrides.pop("endpoint_id", None) or env.get("RUNPOD_ENDPOINT_ID")
        if not endpoint_id:
            missing.insert(0, "RUNPOD_ENDPOINT_ID (or --runpod-endpoint)")
        if missing:
            raise RunPodConfigError(
                f"the runpod backend needs {', '.join(missing)}; see docs/runpod.md (the bucket is the one the worker's BUCKET_* name)"
            )
        values: dict[str, Any] = {
            "endpoint_id": endpoint_id,
            "base_url": env.get("RUNPOD_ENDPOINT_BASE_URL") or DEFAULT_CLIENT_URL,
            "rest_url": env.get("RUNPOD_REST_URL") or DEFAULT_REST_URL,
            "bucket_region": env.get("BUCKET_REGION") or "us-east-1",
            "bucket_prefix": env.get("BUCKET_PREFIX") or "specmill",
        }
        values.update({key: value for key, value in overrides.items() if value is not None})
        return cls(**values)

    def parser(self, *, tier: str, ocr_mode: str) -> RunPodParser:
        """The `parser` resource; secrets as `dg.EnvVar`, so their values never land in the instance."""
        import dagster as dg

        from resources.runpod.parser import RunPodParser

        return RunPodParser(
            endpoint_id=self.endpoint_id,
            api_key=dg.EnvVar("RUNPOD_API_KEY"),
            base_url=self.base_url,
            rest_url=self.rest_url,
            bucket_endpoint_url=dg.EnvVar("BUCKET_ENDPOINT_URL"),
            bucket_name=dg.EnvVar("BUCKET_NAME"),
            bucket_access_key_id=dg.EnvVar("BUCKET_ACCESS_KEY_ID"),
            bucket_secret_access_key=dg.EnvVar("BUCKET_SECRET_ACCESS_KEY"),
            bucket_region=self.bucket_region,
            bucket_prefix=self.bucket_prefix,
            tier=tier,
            ocr_mode=ocr_mode,
            transport=self.transport,
            execution_timeout_ms=self.execution_timeout_ms,
            deadline_s=self.deadline_s,
            max_attempts=self.max_attempts,
            poll_initial_s=self.poll_initial_s,
            poll_max_s=self.poll_max_s,
        )

    def workers_max(self, env: Mapping[str, str] | None = None) -> int | None:
        """The endpoint's workersMax, or None when REST v1 cannot tell (the caller picks a default)."""
        from resources.runpod.pool import endpoint_workers_max

        env = os.environ if env is None else env
        return endpoint_workers_max(self.rest_url, self.endpoint_id, env.get("RUNPOD_API_KEY", ""))
