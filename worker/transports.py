"""Deliver the packaged files: in the JSON response, as one base64 archive, or through S3.

RunPod's gateway drops a response over ~20 MB *after* the GPU work is done and the client
sees `None`. So the size of an inline or archive answer is measured before it is returned
(`fits_response`), and the handler sends an oversized result through S3 when a bucket is
configured, or fails with a message that says so.
"""

from __future__ import annotations

import base64
import gzip
import hashlib
import io
import json
import re
import tarfile
import zipfile
from datetime import datetime, timedelta, timezone
from typing import Any

from schemas.worker_api import ArchiveArtifacts, ArchiveFormat, InlineArtifacts, InlineFile, S3Artifacts
from worker.errors import UploadFailed
from worker.package import ArtifactBlob
from worker.settings import S3Settings

# Fixed archive timestamps make the same result produce the same bytes (and sha256).
_TAR_MTIME = 0
_ZIP_DATE = (1980, 1, 1, 0, 0, 0)


def deliver_inline(blobs: list[ArtifactBlob]) -> InlineArtifacts:
    files = []
    for blob in blobs:
        described = blob.describe()
        if blob.text:
            files.append(InlineFile(**described.model_dump(), encoding="utf-8", content=blob.data.decode("utf-8")))
        else:
            files.append(
                InlineFile(**described.model_dump(), encoding="base64", content=base64.b64encode(blob.data).decode("ascii"))
            )
    return InlineArtifacts(files=files)


def build_archive(blobs: list[ArtifactBlob], archive_format: ArchiveFormat) -> bytes:
    buffer = io.BytesIO()
    if archive_format == "tar.gz":
        with gzip.GzipFile(fileobj=buffer, mode="wb", mtime=_TAR_MTIME) as compressed:
            with tarfile.open(fileobj=compressed, mode="w", format=tarfile.PAX_FORMAT) as archive:
                for blob in blobs:
                    info = tarfile.TarInfo(blob.name)
                    info.size = len(blob.data)
                    info.mtime = _TAR_MTIME
                    info.mode = 0o644
                    archive.addfile(info, io.BytesIO(blob.data))
    elif archive_format == "zip":
        with zipfile.ZipFile(buffer, mode="w") as archive:
            for blob in blobs:
                info = zipfile.ZipInfo(blob.name, date_time=_ZIP_DATE)
                # Images are already compressed; deflating them again costs time for nothing.
                info.compress_type = zipfile.ZIP_DEFLATED if blob.text else zipfile.ZIP_STORED
                info.external_attr = 0o644 << 16
                archive.writestr(info, blob.data)
    else:
        raise ValueError(f"unknown archive format {archive_format!r}")
    return buffer.getvalue()


def deliver_archive(blobs: list[ArtifactBlob], archive_format: ArchiveFormat) -> ArchiveArtifacts:
    archive = build_archive(blobs, archive_format)
    return ArchiveArtifacts(
        archive_format=archive_format,
        archive_b64=base64.b64encode(archive).decode("ascii"),
        bytes=len(archive),
        sha256=hashlib.sha256(archive).hexdigest(),
        members=[blob.describe() for blob in blobs],
    )


def object_key(settings: S3Settings, job_id: str, basename: str, archive_format: ArchiveFormat) -> str:
    safe_job = re.sub(r"[^A-Za-z0-9._-]", "_", job_id)[:128] or "job"
    parts = [settings.prefix, safe_job, f"{basename}.{archive_format}"]
    return "/".join(part for part in parts if part)


def s3_client(settings: S3Settings) -> Any:
    import boto3
    from botocore.config import Config

    return boto3.client(
        "s3",
        endpoint_url=settings.endpoint_url,
        region_name=settings.region,
        aws_access_key_id=settings.access_key_id,
        aws_secret_access_key=settings.secret_access_key,
        # SigV4 everywhere (R2 requires it); path-style works on every S3-compatible store.
        config=Config(signature_version="s3v4", s3={"addressing_style": "path"}, retries={"max_attempts": 3, "mode": "standard"}),
    )


def deliver_s3(
    blobs: list[ArtifactBlob], archive_format: ArchiveFormat, settings: S3Settings, *, job_id: str, basename: str
) -> S3Artifacts:
    """Upload one archive (multipart above the threshold) and return a presigned GET for it.

    Blocking (boto3); the handler runs it in a thread."""
    from boto3.s3.transfer import TransferConfig
    from botocore.exceptions import BotoCoreError, ClientError

    archive = build_archive(blobs, archive_format)
    key = object_key(settings, job_id, basename, archive_format)
    client = s3_client(settings)
    transfer = TransferConfig(
        multipart_threshold=settings.multipart_threshold, multipart_chunksize=settings.multipart_chunk, use_threads=False
    )
    content_type = "application/gzip" if archive_format == "tar.gz" else "application/zip"
    try:
        client.upload_fileobj(
            io.BytesIO(archive), settings.bucket, key, Config=transfer, ExtraArgs={"ContentType": content_type}
        )
        issued = datetime.now(timezone.utc)
        url = client.generate_presigned_url(
            "get_object", Params={"Bucket": settings.bucket, "Key": key}, ExpiresIn=settings.presign_ttl_s
        )
    except (BotoCoreError, ClientError) as error:
        raise UploadFailed(
            f"uploading the result to bucket {settings.bucket} at {settings.endpoint_url} failed: {error}"
        ) from None
    return S3Artifacts(
        archive_format=archive_format,
        bucket=settings.bucket,
        key=key,
        url=url,
        expires_at=issued + timedelta(seconds=settings.presign_ttl_s),
        bytes=len(archive),
        sha256=hashlib.sha256(archive).hexdigest(),
        members=[blob.describe() for blob in blobs],
    )


def response_bytes(payload: dict[str, Any]) -> int:
    """Size of the body RunPod's SDK posts for this output (runpod 1.10 rp_http: the result
    wrapped in {"output": ...}, json.dumps with ensure_ascii=False and default separators)."""
    return len(json.dumps({"output": payload}, ensure_ascii=False).encode("utf-8"))
