"""The one way the Dagster side opens the S3-compatible bucket (AWS S3, Cloudflare R2, SeaweedFS,
MinIO): the artifact store (resources/s3_storage.py) and the RunPod backend's sources and results
(resources/runpod/bucket.py) both build their client here, so addressing, signing and retries
cannot differ between them. boto3 is imported inside the function: most runs use local disk and
never pay for it."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

MISSING_OBJECT_CODES = frozenset({"404", "NoSuchKey", "NotFound"})


@dataclass(frozen=True)
class BucketSettings:
    """Where the bucket is and how to sign for it (not which bucket: callers name it per call)."""

    endpoint_url: str | None = None  # None: AWS S3 itself
    region_name: str | None = None  # 'auto' for R2
    access_key_id: str | None = None
    secret_access_key: str | None = field(default=None, repr=False)
    session_token: str | None = field(default=None, repr=False)
    use_ssl: bool = True
    max_attempts: int = 5


def s3_client(bucket: BucketSettings) -> Any:
    """A boto3 S3 client for `bucket`."""
    import boto3
    from botocore.config import Config

    # SigV4 everywhere (R2 requires it; presigned URLs for the worker are signed the same way).
    # Path-style addressing on an S3-compatible endpoint, where SeaweedFS and MinIO need it and R2
    # accepts it; AWS itself keeps boto's default (virtual-hosted).
    addressing = {"addressing_style": "path"} if bucket.endpoint_url else {}
    return boto3.client(
        "s3",
        endpoint_url=bucket.endpoint_url,
        region_name=bucket.region_name,
        aws_access_key_id=bucket.access_key_id,
        aws_secret_access_key=bucket.secret_access_key,
        aws_session_token=bucket.session_token,
        use_ssl=bucket.use_ssl,
        config=Config(signature_version="s3v4", s3=addressing, retries={"max_attempts": bucket.max_attempts, "mode": "standard"}),
    )


def object_missing(error: Any) -> bool:
    """A botocore ClientError says the object (or key) is not there, rather than that the call failed."""
    return error.response.get("Error", {}).get("Code") in MISSING_OBJECT_CODES
