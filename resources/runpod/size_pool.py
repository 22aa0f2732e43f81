"""`python -m resources.runpod.size_pool [--fallback N]`: size the pool "parse" of the instance in
$DAGSTER_HOME to the RunPod endpoint's workersMax (RUNPOD_ENDPOINT_ID, RUNPOD_API_KEY,
RUNPOD_REST_URL), for launched runs and backfills from the UI (`specmill build` sizes it itself)."""

from __future__ import annotations

import argparse
import os
import sys

from resources.runpod.pool import PARSE_POOL, endpoint_workers_max, set_parse_pool_limit
from specmill.parse.runpod_client import DEFAULT_REST_URL


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m resources.runpod.size_pool",
        description="Size the Dagster pool 'parse' of the instance in $DAGSTER_HOME to the RunPod endpoint's workersMax.",
    )
    parser.add_argument("--fallback", type=int, default=1, help="pool size when workersMax cannot be read (default 1)")
    args = parser.parse_args(argv)
    endpoint_id, api_key = os.environ.get("RUNPOD_ENDPOINT_ID"), os.environ.get("RUNPOD_API_KEY")
    if not endpoint_id or not api_key:
        print("error: set RUNPOD_ENDPOINT_ID and RUNPOD_API_KEY", file=sys.stderr)
        return 2
    workers = endpoint_workers_max(os.environ.get("RUNPOD_REST_URL") or DEFAULT_REST_URL, endpoint_id, api_key)
    limit = workers if workers else args.fallback
    import dagster as dg

    with dg.DagsterInstance.get() as instance:
        set_parse_pool_limit(instance, limit)
    source = f"workersMax of endpoint {endpoint_id}" if workers else f"fallback (workersMax of {endpoint_id} unreadable)"
    print(f"pool {PARSE_POOL!r}: limit {limit} ({source})")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
