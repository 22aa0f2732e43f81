"""Artifacts in an S3-compatible bucket (AWS S3, Cloudflare R2, SeaweedFS, MinIO), same key layout
as on local disk: `<prefix>/plan.json`, `<prefix>/batches/b00.json`, `<prefix>/tree/...`.

Complete objects only: a PUT is atomic in S3 (a reader sees the old object or the whole new
one), and uploads never go through temporary keys. A packed tree (`tree.zip`) is one object. A
folder tree is many objects, which S3 cannot swap at once, so `write_folder` uploads every file,
then writes `<tree>.manifest.json` (each file's sha256) as the commit point, then deletes files
the new tree no longer has. `read_folder` trusts only the manifest and checks every file against
it: a reader racing a writer gets a clear ArtifactError ("read it again"), never a silent mix of
two versions.

The client comes from resources/s3_client.py, the one factory of the Dagster side (endpoint_url
for R2 or any S3-compatible store); boto3 is imported only when a client is first needed, since
most runs use local disk.
"""

from __future__ import annotations

import hashlib
import json
import tempfile
from pathlib import Path
from typing import Any

from pydantic import Field, PrivateAttr

from resources.s3_client import BucketSettings, object_missing, s3_client
from resources.store_base import ArtifactStore, checked_key
from specmill.errors import ArtifactError

MANIFEST_SUFFIX = ".manifest.json"


class S3ArtifactStore(ArtifactStore):
    bucket: str = Field(description="Bucket name.")
    prefix: str = Field(default="", description="Key prefix of this document's artifacts, e.g. 'ecma-376-part1'.")
    endpoint_url: str | None = Field(default=None, description="S3 endpoint (R2: https://<account>.r2.cloudflarestorage.com).")
    region_name: str | None = Field(default=None, description="Region ('auto' for R2).")
    aws_access_key_id: str | None = None
    aws_secret_access_key: str | None = None
    aws_session_token: str | None = None
    use_ssl: bool = True
    max_attempts: int = 5
    cache_dir: str | None = Field(default=None, description="Where `tree_path` downloads trees (default: a temp folder).")

    _client_cache: Any = PrivateAttr(default=None)

    # -- plumbing -------------------------------------------------------------------------------

    def client(self) -> Any:
        if self._client_cache is None:
            self._client_cache = s3_client(
                BucketSettings(
                    endpoint_url=self.endpoint_url,
                    region_name=self.region_name,
                    access_key_id=self.aws_access_key_id,
                    secret_access_key=self.aws_secret_access_key,
                    session_token=self.aws_session_token,
                    use_ssl=self.use_ssl,
                    max_attempts=self.max_attempts,
                )
            )
        return self._client_cache

    def key(self, relative: str) -> str:
        relative = checked_key(relative)
        prefix = self.prefix.strip("/")
        return f"{prefix}/{relative}" if prefix else relative

    def _get(self, key: str) -> bytes | None:
        from botocore.exceptions import ClientError

        try:
            return self.client().get_object(Bucket=self.bucket, Key=key)["Body"].read()
        except ClientError as error:
            if object_missing(error):
                return None
            raise ArtifactError(f"s3://{self.bucket}/{key}: cannot read: {error}") from None

    def _put(self, key: str, data: bytes) -> None:
        from botocore.exceptions import BotoCoreError, ClientError

        try:
            # One PUT with a Content-MD5: the object appears complete and verified, or not at all.
            self.client().put_object(
                Bucket=self.bucket, Key=key, Body=data,
                ContentMD5=_content_md5(data),
            )  # fmt: skip
        except (BotoCoreError, ClientError) as error:
            raise ArtifactError(f"s3://{self.bucket}/{key}: cannot write: {error}") from None

    def _keys_under(self, key_prefix: str) -> list[str]:
        paginator = self.client().get_paginator("list_objects_v2")
        keys: list[str] = []
        for page in paginator.paginate(Bucket=self.bucket, Prefix=key_prefix):
            keys.extend(item["Key"] for item in page.get("Contents", []))
        return keys

    # -- single artifacts -------------------------------------------------------------------------

    def uri(self, relative: str) -> str:
        return f"s3://{self.bucket}/{self.key(relative)}"

    def exists(self, relative: str) -> bool:
        from botocore.exceptions import ClientError

        try:
            self.client().head_object(Bucket=self.bucket, Key=self.key(relative))
            return True
        except ClientError as error:
            if object_missing(error):
                return False
            raise ArtifactError(f"{self.uri(relative)}: cannot check: {error}") from None

    def read_bytes(self, relative: str) -> bytes:
        data = self._get(self.key(relative))
        if data is None:
            raise ArtifactError(f"artifact {relative} not found at {self.uri(relative)}: materialize its asset first")
        return data

    def write_bytes(self, relative: str, data: bytes) -> str:
        self._put(self.key(relative), data)
        return self.uri(relative)

    # -- trees ------------------------------------------------------------------------------------

    def _manifest_key(self, relative: str) -> str:
        return self.key(checked_key(relative) + MANIFEST_SUFFIX)

    def folder_exists(self, relative: str) -> bool:
        return self._get(self._manifest_key(relative)) is not None

    def write_folder(self, relative: str, files: dict[str, bytes]) -> str:
        base = self.key(relative) + "/"
        manifest = {}
        for name in sorted(files):
            key = base + checked_key(name)
            self._put(key, files[name])
            manifest[name] = hashlib.sha256(files[name]).hexdigest()
        # The commit point: from here on readers see the new tree.
        self._put(self._manifest_key(relative), json.dumps({"files": manifest}, indent=2, sort_keys=True).encode())
        wanted = {base + name for name in files}
        stale = [key for key in self._keys_under(base) if key not in wanted]
        for start in range(0, len(stale), 1000):  # DeleteObjects takes at most 1,000 keys
            self.client().delete_objects(
                Bucket=self.bucket, Delete={"Objects": [{"Key": key} for key in stale[start : start + 1000]], "Quiet": True}
            )
        return self.uri(relative)

    def read_folder(self, relative: str) -> dict[str, bytes]:
        raw = self._get(self._manifest_key(relative))
        if raw is None:
            raise ArtifactError(f"tree {relative} not found at {self.uri(relative)} (no manifest): materialize its asset first")
        manifest: dict[str, str] = json.loads(raw)["files"]
        base = self.key(relative) + "/"
        files: dict[str, bytes] = {}
        for name, sha256 in sorted(manifest.items()):
            data = self._get(base + name)
            if data is None or hashlib.sha256(data).hexdigest() != sha256:
                raise ArtifactError(
                    f"tree {self.uri(relative)} changed while it was read ({name}); read it again once the writer is done"
                )
            files[name] = data
        return files

    def folder_path(self, relative: str) -> Path:
        """A local copy of the tree, in a cache folder named after the manifest's sha256 (so an
        unchanged tree is downloaded once per process)."""
        raw = self._get(self._manifest_key(relative))
        if raw is None:
            raise ArtifactError(f"tree {relative} not found at {self.uri(relative)}")
        root = Path(self.cache_dir) if self.cache_dir else Path(tempfile.gettempdir()) / "specmill-s3-trees"
        target = root / hashlib.sha256(self.uri(relative).encode() + raw).hexdigest()[:24]
        if target.is_dir():
            return target
        from specmill.tree.write import write_tree

        write_tree(self.read_folder(relative), target)
        return target


def _content_md5(data: bytes) -> str:
    import base64

    return base64.b64encode(hashlib.md5(data).digest()).decode("ascii")  # noqa: S324 - S3's integrity header
