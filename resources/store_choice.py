"""Where a build keeps its artifacts, chosen by SPECMILL_STORE: `local` (the output folder, the
default) or `s3` (the BUCKET_* bucket under SPECMILL_S3_PREFIX). Checked here without Dagster, so
`specmill build` refuses a wrong setting before it writes anything, and `dagster dev` fails on
the same words."""

from __future__ import annotations

import os
from collections.abc import Mapping

from specmill.errors import SpecmillError

STORES = ("local", "s3")
# What an s3 store cannot do without; the credentials stay environment variables (EnvVar), never
# written into the instance.
S3_REQUIRED = ("BUCKET_NAME", "BUCKET_ACCESS_KEY_ID", "BUCKET_SECRET_ACCESS_KEY")


class StoreChoiceError(SpecmillError):
    """SPECMILL_STORE names no store, or the bucket it names is not described (the message says which)."""


def store_kind(env: Mapping[str, str] | None = None) -> str:
    """'local' or 's3', from SPECMILL_STORE; StoreChoiceError for anything else, or for s3 without
    the variables it needs."""
    env = os.environ if env is None else env
    kind = env.get("SPECMILL_STORE") or "local"
    if kind not in STORES:
        raise StoreChoiceError(f"SPECMILL_STORE must be {' or '.join(STORES)}, not {kind!r}")
    missing = [name for name in S3_REQUIRED if kind == "s3" and not env.get(name)]
    if missing:
        raise StoreChoiceError(f"SPECMILL_STORE=s3 needs {', '.join(missing)} in the environment (docs/runpod.md)")
    return kind
