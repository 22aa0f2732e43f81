"""The bucket the RunPod worker shares with us: each source PDF goes up once, jobs get presigned
URLs of it, and a result URL that expired before we fetched it is signed again (we hold the same
bucket's credentials), so a slow poll never costs a re-run."""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

from resources.s3_client import BucketSettings, object_missing, s3_client
from schemas.worker_api import S3Artifacts
from specmill.errors import ParseError
from specmill.parse.runpod_client import ResultMissing, ResultUrlExpired, download, redact_url

RESIGNED_URL_TTL_S = 600  # a re-signed result URL is fetched at once


@lru_cache(maxsize=8)
def _file_sha256(path: str, size: int, mtime_ns: int) -> str:
    from specmill.source.pdf import file_sha256

    return file_sha256(Path(path))


def source_sha256(path: Path) -> str:
    """Hashed once per process per file version (every batch of a document asks)."""
    stat = path.stat()
    return _file_sha256(str(path.resolve()), stat.st_size, stat.st_mtime_ns)


@dataclass
class JobBucket:
    """One bucket, its key prefix for sources, and a client made on first use."""

    name: str
    prefix: str
    settings: BucketSettings
    _client: Any = field(default=None, repr=False)

    def client(self) -> Any:
        if self._client is None:
            self._client = s3_client(self.settings)
        return self._client

    def source_key(self, sha256: str) -> str:
        return "/".join(part for part in (self.prefix.strip("/"), "sources", f"{sha256}.pdf") if part)

    def ensure_source(self, pdf: Path) -> tuple[str, bool]:
        """The source's key in the bucket, and whether it had to be uploaded (it is not, when an
        object of its size is already there)."""
        from botocore.exceptions import ClientError

        if not pdf.is_file():
            raise ParseError(f"source PDF {pdf} not found")
        key = self.source_key(source_sha256(pdf))
        size = pdf.stat().st_size
        try:
            head = self.client().head_object(Bucket=self.name, Key=key)
            if head.get("ContentLength") == size:
                return key, False
        except ClientError as exc:
            if not object_missing(exc):
                raise ParseError(f"bucket {self.name} at {self.settings.endpoint_url}: cannot check {key}: {exc}") from None
        # upload_file goes multipart above 8 MiB; S3 shows the object only once it is complete.
        self.client().upload_file(str(pdf), self.name, key, ExtraArgs={"ContentType": "application/pdf"})
        return key, True

    def presigned_get(self, key: str, *, expires_in_s: int, bucket: str | None = None) -> str:
        return self.client().generate_presigned_url(
            "get_object", Params={"Bucket": bucket or self.name, "Key": key}, ExpiresIn=expires_in_s
        )

    def download_result(self, artifacts: S3Artifacts, *, max_bytes: int) -> tuple[bytes, bool]:
        """The result archive, and whether its URL had expired and was signed again. ResultMissing
        when the object is gone (a lifecycle rule), or its URL expired in a bucket not ours."""
        try:
            return download(artifacts.url, max_bytes=max_bytes), False
        except ResultUrlExpired:
            if artifacts.bucket != self.name:
                raise ResultMissing(
                    f"result URL {redact_url(artifacts.url)} expired and bucket {artifacts.bucket} is not ours to re-sign"
                ) from None
        fresh = self.presigned_get(artifacts.key, expires_in_s=RESIGNED_URL_TTL_S, bucket=artifacts.bucket)
        return download(fresh, max_bytes=max_bytes), True
