"""The Dagster pool "parse", which bounds how many parse steps run at once: for the runpod backend,
the endpoint's workersMax (REST v1), so queued batches never wait for a worker that cannot exist."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from specmill.parse.runpod_client import RunPodError, read_endpoint_settings

if TYPE_CHECKING:
    import dagster as dg

PARSE_POOL = "parse"


def endpoint_workers_max(
    rest_url: str, endpoint_id: str, api_key: str, *, warn: Callable[[str], None] | None = None
) -> int | None:
    """The endpoint's workersMax, or None when REST v1 cannot tell (the caller picks a default;
    `warn` hears why)."""
    try:
        return read_endpoint_settings(rest_url, endpoint_id, api_key).workers_max
    except RunPodError as exc:
        if warn is not None:
            warn(f"cannot read workersMax of {endpoint_id} ({exc})")
        return None


def set_parse_pool_limit(instance: dg.DagsterInstance, limit: int) -> None:
    """Size the Dagster pool "parse" (what `dagster instance concurrency set parse N` does).

    dagster.yaml can only give a default for every pool (`concurrency: pools: default_limit`);
    a per-pool limit lives in the instance's storage, so it is set here (or in the UI,
    Deployment -> Concurrency)."""
    instance.event_log_storage.set_concurrency_slots(PARSE_POOL, limit)
