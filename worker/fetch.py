"""Bring the job's document onto local disk: from a URL, from base64, or from a mounted volume.

A worker on a cloud host sits next to metadata services and private networks, and the URL
comes from whoever can submit a job. So a URL is fetched only from public addresses: the
host is resolved here, every address it resolves to is checked, the connection goes to the
checked address (no second lookup that DNS rebinding could answer differently), and each
redirect hop is checked again. Loopback is allowed only by explicit opt-in, for tests.
"""

from __future__ import annotations

import asyncio
import base64
import binascii
import hashlib
import ipaddress
import os
import socket
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import SplitResult, urljoin, urlsplit, urlunsplit

from schemas.worker_api import InputKind, InputSource, JobInput
from worker import WORKER_VERSION
from worker.errors import (
    AddressNotAllowed,
    InputFetchFailed,
    InputInvalid,
    InputTooLarge,
    NotADocument,
    VolumePathNotAllowed,
)
from worker.settings import WorkerSettings

if TYPE_CHECKING:
    import httpx

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
_CHUNK = 1024 * 1024
_SNIFF_BYTES = 1024


@dataclass(frozen=True)
class FetchPolicy:
    max_bytes: int
    connect_s: float
    inactivity_s: float
    total_s: float
    max_redirects: int
    allow_loopback: bool
    volume_roots: tuple[Path, ...]

    @classmethod
    def from_settings(cls, settings: WorkerSettings) -> FetchPolicy:
        return cls(
            max_bytes=settings.max_input_bytes,
            connect_s=settings.fetch_connect_s,
            inactivity_s=settings.fetch_inactivity_s,
            total_s=settings.fetch_total_s,
            max_redirects=settings.fetch_max_redirects,
            allow_loopback=settings.allow_loopback_fetch,
            volume_roots=settings.volume_roots,
        )


@dataclass(frozen=True)
class FetchedInput:
    path: Path
    source: InputSource
    kind: InputKind
    bytes: int
    sha256: str


async def fetch_input(job: JobInput, policy: FetchPolicy, work_dir: Path) -> FetchedInput:
    """The job's document as a local file named `<basename>.<kind>` (a link for volume files)."""
    if job.file_url is not None:
        partial, size, digest = await download(job.file_url, policy, work_dir)
        return _settle(partial, "file_url", size, digest, work_dir, job.basename)
    if job.file_b64 is not None:
        payload = decode_base64(job.file_b64, policy.max_bytes)
        partial = _write_new(work_dir, payload)
        return _settle(partial, "file_b64", len(payload), hashlib.sha256(payload).hexdigest(), work_dir, job.basename)
    assert job.volume_path is not None
    return await asyncio.to_thread(_link_volume_file, job.volume_path, policy, work_dir, job.basename)


# ----------------------------------------------------------------------------- kinds


def detect_kind(head: bytes) -> InputKind:
    """What the bytes are, from their signature; anything else gets a message saying what it looks like."""
    if not head:
        raise NotADocument("the input is empty (0 bytes)")
    if head.startswith(b"%PDF-") or b"%PDF-" in head[:_SNIFF_BYTES]:
        # PDF readers accept junk before the header; so does this check.
        return "pdf"
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "png"
    if head.startswith(b"\xff\xd8\xff"):
        return "jpeg"
    text = head[:_SNIFF_BYTES].lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    if text.startswith((b"<!doctype html", b"<html", b"<head", b"<body")) or b"<html" in text[:512]:
        raise NotADocument(
            "the input is an HTML page, not a document: the URL probably answered with an error or "
            "login page (check that it is a direct download link and has not expired)"
        )
    if text.startswith(b"<?xml") or text.startswith(b"<error"):
        raise NotADocument(
            "the input is an XML document, not a PDF or image: object stores answer errors in XML "
            "(AccessDenied, an expired signature, a missing key)"
        )
    if text[:1] in (b"{", b"["):
        raise NotADocument("the input is JSON, not a PDF or image: the URL probably answered with an API error")
    raise NotADocument(f"unrecognized input bytes (starting {head[:8].hex()}); supported: PDF, PNG, JPEG")


# ----------------------------------------------------------------------------- base64


def decode_base64(data: str, max_bytes: int) -> bytes:
    # Refuse before decoding: the decoded size is known from the text length.
    decoded_size = len(data) // 4 * 3
    if decoded_size > max_bytes + 2:
        raise InputTooLarge(f"file_b64 decodes to about {decoded_size} bytes; the limit is {max_bytes}")
    try:
        payload = base64.b64decode(data, validate=True)
    except (binascii.Error, ValueError) as error:
        raise InputInvalid(
            f"file_b64 is not valid base64 ({error}); send the standard alphabet, padded, "
            "without whitespace or a data: prefix"
        ) from None
    if len(payload) > max_bytes:
        raise InputTooLarge(f"file_b64 decodes to {len(payload)} bytes; the limit is {max_bytes}")
    return payload


# ----------------------------------------------------------------------------- volume


def _link_volume_file(volume_path: str, policy: FetchPolicy, work_dir: Path, basename: str) -> FetchedInput:
    requested = Path(volume_path)
    # Resolve symlinks and '..' first, then compare: a link inside a root may point outside it.
    real = Path(os.path.realpath(requested))
    roots = [Path(os.path.realpath(root)) for root in policy.volume_roots]
    if not any(real.is_relative_to(root) for root in roots):
        allowed = ", ".join(str(root) for root in policy.volume_roots) or "(none configured)"
        raise VolumePathNotAllowed(
            f"volume_path {volume_path} is outside the worker's volume roots ({allowed}; set WORKER_VOLUME_ROOTS)"
        )
    if not real.is_file():
        raise VolumePathNotAllowed(f"volume_path {volume_path} is not an existing regular file")
    size = real.stat().st_size
    if size > policy.max_bytes:
        raise InputTooLarge(f"volume_path {volume_path} is {size} bytes; the limit is {policy.max_bytes}")
    digest = hashlib.sha256()
    with real.open("rb") as handle:
        head = handle.read(_SNIFF_BYTES)
        digest.update(head)
        for chunk in iter(lambda: handle.read(_CHUNK), b""):
            digest.update(chunk)
    kind = detect_kind(head)
    link = work_dir / f"{basename}.{kind}"
    link.symlink_to(real)
    return FetchedInput(path=link, source="volume_path", kind=kind, bytes=size, sha256=digest.hexdigest())


# ----------------------------------------------------------------------------- URL


# IPv6 prefixes that carry an IPv4 address in their low 32 bits: NAT64 (well-known and local-use)
# and the deprecated IPv4-compatible form. 6to4 and Teredo are read by `ipaddress` itself.
_NAT64 = (ipaddress.IPv6Network("64:ff9b::/96"), ipaddress.IPv6Network("64:ff9b:1::/48"))
_IPV4_COMPATIBLE = ipaddress.IPv6Network("::/96")


def embedded_ipv4(address: ipaddress.IPv6Address) -> ipaddress.IPv4Address | None:
    """The IPv4 address a transition address leads to (6to4, Teredo client, NAT64, IPv4-compatible)."""
    if address.sixtofour is not None:
        return address.sixtofour
    if address.teredo is not None:
        return address.teredo[1]
    if any(address in network for network in _NAT64) or (address in _IPV4_COMPATIBLE and int(address) > 1):
        return ipaddress.IPv4Address(int(address) & 0xFFFFFFFF)
    return None


def address_allowed(address: IPAddress, *, allow_loopback: bool) -> bool:
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        address = address.ipv4_mapped
    if isinstance(address, ipaddress.IPv6Address) and (embedded := embedded_ipv4(address)) is not None:
        # `[2002:7f00::]` is 127.0.0.1 through a 6to4 relay, and `ipaddress` calls it global
        # (issue 16): the IPv4 address inside must be public itself, loopback never allowed.
        if not address_allowed(embedded, allow_loopback=False):
            return False
    if address.is_loopback:
        return allow_loopback
    return address.is_global and not (address.is_multicast or address.is_reserved or address.is_link_local)


async def resolve_allowed(host: str, port: int, *, allow_loopback: bool) -> list[IPAddress]:
    """Every address `host` resolves to, provided all of them may be contacted."""
    try:
        literal = ipaddress.ip_address(host)
    except ValueError:
        literal = None
    if literal is not None:
        addresses: list[IPAddress] = [literal]
    else:
        loop = asyncio.get_running_loop()
        try:
            infos = await loop.getaddrinfo(host, port, type=socket.SOCK_STREAM, proto=socket.IPPROTO_TCP)
        except socket.gaierror as error:
            raise InputFetchFailed(f"file_url host {host} cannot be resolved ({error.strerror})") from None
        addresses = list(dict.fromkeys(ipaddress.ip_address(info[4][0].split("%", 1)[0]) for info in infos))
    refused = [str(address) for address in addresses if not address_allowed(address, allow_loopback=allow_loopback)]
    if refused or not addresses:
        # One private answer is enough to refuse: an attacker controls which answer a client uses.
        raise AddressNotAllowed(
            f"file_url host {host} resolves to non-public address(es) {', '.join(refused)}; "
            "only public addresses are fetched"
        )
    return addresses


async def download(url: str, policy: FetchPolicy, work_dir: Path) -> tuple[Path, int, str]:
    """Stream `url` to a new file in `work_dir`; returns (path, size, sha256)."""
    import httpx

    timeout = httpx.Timeout(
        connect=policy.connect_s, read=policy.inactivity_s, write=policy.inactivity_s, pool=policy.connect_s
    )
    # trust_env=False: a proxy from the environment would make the connection go elsewhere
    # than the address that was checked.
    async with httpx.AsyncClient(timeout=timeout, follow_redirects=False, trust_env=False) as client:
        try:
            async with asyncio.timeout(policy.total_s):
                return await _follow(client, url, policy, work_dir)
        except TimeoutError:
            raise InputFetchFailed(
                f"file_url {url} did not finish downloading within {policy.total_s:g} s (WORKER_FETCH_TOTAL_S)"
            ) from None
        except httpx.TimeoutException as error:
            raise InputFetchFailed(
                f"file_url {url} sent nothing for {policy.inactivity_s:g} s "
                f"(WORKER_FETCH_INACTIVITY_S; {type(error).__name__})"
            ) from None
        except httpx.HTTPError as error:
            raise InputFetchFailed(f"file_url {url} could not be fetched: {type(error).__name__}: {error}") from None


async def _follow(client: httpx.AsyncClient, url: str, policy: FetchPolicy, work_dir: Path) -> tuple[Path, int, str]:
    current = url
    for _hop in range(policy.max_redirects + 1):
        parts = urlsplit(current)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise AddressNotAllowed(f"file_url redirected to {current}, which is not an http(s) URL")
        host = parts.hostname
        port = parts.port or (443 if parts.scheme == "https" else 80)
        addresses = await resolve_allowed(host, port, allow_loopback=policy.allow_loopback)
        headers = {
            "Host": parts.netloc.rsplit("@", 1)[-1],  # the host the URL names, never user:password
            "User-Agent": f"specmill-worker/{WORKER_VERSION}",
            "Accept": "application/pdf, image/png, image/jpeg, */*;q=0.1",
            # The size cap counts decoded bytes (what lands on disk); asking for the stored
            # bytes keeps that equal to what crosses the network.
            "Accept-Encoding": "identity",
        }
        # TLS is negotiated and verified for the hostname, while the socket goes to the pinned IP.
        extensions = {"sni_hostname": host} if parts.scheme == "https" else {}
        response = await _open_pinned(client, parts, port, addresses, headers, extensions)
        try:
            if response.is_redirect:
                location = response.headers.get("location")
                if not location:
                    raise InputFetchFailed(f"file_url {current} answered {response.status_code} without a Location")
                current = urljoin(current, location)
                continue
            if response.status_code != 200:
                raise InputFetchFailed(f"file_url {current} answered HTTP {response.status_code}")
            declared = response.headers.get("content-length")
            if declared is not None and declared.isdigit() and int(declared) > policy.max_bytes:
                raise InputTooLarge(
                    f"file_url {current} declares {declared} bytes; the limit is {policy.max_bytes} (WORKER_MAX_INPUT_BYTES)"
                )
            return await _stream_to_file(response, current, policy.max_bytes, work_dir)
        finally:
            await response.aclose()
    raise InputFetchFailed(f"file_url {url} redirected more than {policy.max_redirects} times")


async def _open_pinned(
    client: httpx.AsyncClient,
    parts: SplitResult,
    port: int,
    addresses: list[IPAddress],
    headers: dict[str, str],
    extensions: dict[str, str],
) -> httpx.Response:
    """Send the request to the first checked address that accepts a connection.

    A name can resolve to several addresses (localhost: ::1 and 127.0.0.1); all were checked,
    so trying them in turn never leaves the allowed set."""
    import httpx

    last_error: Exception | None = None
    for address in addresses:
        literal = f"[{address}]" if address.version == 6 else str(address)
        pinned_url = urlunsplit((parts.scheme, f"{literal}:{port}", parts.path or "/", parts.query, ""))
        request = client.build_request("GET", pinned_url, headers=headers, extensions=extensions)
        try:
            return await client.send(request, stream=True)
        except httpx.ConnectError as error:
            last_error = error
    assert last_error is not None
    raise last_error


async def _stream_to_file(response: httpx.Response, url: str, max_bytes: int, work_dir: Path) -> tuple[Path, int, str]:
    digest = hashlib.sha256()
    size = 0
    handle = tempfile.NamedTemporaryFile(dir=work_dir, prefix=".download-", suffix=".part", delete=False)
    path = Path(handle.name)
    try:
        with handle:
            async for chunk in response.aiter_bytes(_CHUNK):
                size += len(chunk)
                if size > max_bytes:
                    raise InputTooLarge(
                        f"file_url {url} sent more than {max_bytes} bytes (WORKER_MAX_INPUT_BYTES); download stopped"
                    )
                digest.update(chunk)
                handle.write(chunk)
    except BaseException:
        path.unlink(missing_ok=True)
        raise
    return path, size, digest.hexdigest()


# ----------------------------------------------------------------------------- files


def _write_new(work_dir: Path, payload: bytes) -> Path:
    with tempfile.NamedTemporaryFile(dir=work_dir, prefix=".upload-", suffix=".part", delete=False) as handle:
        handle.write(payload)
    return Path(handle.name)


def _settle(
    partial: Path, source: InputSource, size: int, digest: str, work_dir: Path, basename: str
) -> FetchedInput:
    """Check the bytes, then give the complete file its final name (atomic rename)."""
    with partial.open("rb") as handle:
        head = handle.read(_SNIFF_BYTES)
    try:
        kind = detect_kind(head)
    except NotADocument:
        partial.unlink(missing_ok=True)
        raise
    final = work_dir / f"{basename}.{kind}"
    os.replace(partial, final)
    return FetchedInput(path=final, source=source, kind=kind, bytes=size, sha256=digest)
