"""Input fetching: size caps, timeouts, SSRF refusal, magic-byte detection, volume confinement.

URL tests run against a real HTTP server on 127.0.0.1, which the worker may reach only with
the explicit loopback opt-in; redirects to private or metadata addresses are refused before
any connection is attempted.
"""

from __future__ import annotations

import asyncio
import base64
import ipaddress
from pathlib import Path

import pytest

from schemas.worker_api import JobInput
from tests.worker.conftest import LoopbackServer, Route
from worker.errors import (
    AddressNotAllowed,
    InputFetchFailed,
    InputInvalid,
    InputTooLarge,
    NotADocument,
    VolumePathNotAllowed,
)
from worker.fetch import FetchPolicy, address_allowed, decode_base64, detect_kind, fetch_input

PDF = b"%PDF-1.7\n" + b"0" * 2000 + b"\n%%EOF\n"


def policy(volume_root: Path, **overrides: object) -> FetchPolicy:
    values: dict = dict(
        max_bytes=1_000_000, connect_s=2.0, inactivity_s=1.0, total_s=5.0, max_redirects=3,
        allow_loopback=True, volume_roots=(volume_root,),
    )  # fmt: skip
    values.update(overrides)
    return FetchPolicy(**values)


def fetch(job: dict, fetch_policy: FetchPolicy, work_dir: Path):  # noqa: ANN201
    work_dir.mkdir(parents=True, exist_ok=True)
    return asyncio.run(fetch_input(JobInput.model_validate(job), fetch_policy, work_dir))


# ----------------------------------------------------------------------------- URL


def test_url_is_streamed_to_a_file_named_after_basename_and_kind(http_server: LoopbackServer, tmp_path: Path) -> None:
    http_server.routes["/spec.pdf"] = Route(body=PDF, headers={"Content-Type": "application/pdf"})
    fetched = fetch({"file_url": http_server.url("/spec.pdf"), "basename": "spec"}, policy(tmp_path), tmp_path / "w")
    assert fetched.path == tmp_path / "w" / "spec.pdf"
    assert fetched.path.read_bytes() == PDF
    assert (fetched.kind, fetched.bytes, fetched.source) == ("pdf", len(PDF), "file_url")
    assert [p.name for p in (tmp_path / "w").iterdir()] == ["spec.pdf"]  # no partial file left behind


def test_loopback_is_refused_without_the_opt_in(http_server: LoopbackServer, tmp_path: Path) -> None:
    http_server.routes["/spec.pdf"] = Route(body=PDF)
    with pytest.raises(AddressNotAllowed, match="non-public address"):
        fetch({"file_url": http_server.url("/spec.pdf")}, policy(tmp_path, allow_loopback=False), tmp_path / "w")
    assert http_server.requests == []  # refused before connecting


def test_hostname_is_resolved_checked_and_pinned_while_the_host_header_is_kept(
    http_server: LoopbackServer, tmp_path: Path
) -> None:
    http_server.routes["/spec.pdf"] = Route(body=PDF)
    with pytest.raises(AddressNotAllowed, match="localhost"):
        fetch({"file_url": http_server.url("/spec.pdf", host="localhost")}, policy(tmp_path, allow_loopback=False), tmp_path / "a")
    fetched = fetch({"file_url": http_server.url("/spec.pdf", host="localhost")}, policy(tmp_path), tmp_path / "b")
    assert fetched.bytes == len(PDF)
    assert http_server.requests[-1]["headers"]["Host"] == f"localhost:{http_server.port}"


@pytest.mark.parametrize("target", ["http://10.1.2.3/x.pdf", "http://169.254.169.254/latest/meta-data/", "http://[fd00::1]/x"])
def test_redirect_to_a_private_address_is_refused(http_server: LoopbackServer, tmp_path: Path, target: str) -> None:
    http_server.routes["/moved"] = Route(status=302, headers={"Location": target})
    with pytest.raises(AddressNotAllowed, match="non-public address"):
        fetch({"file_url": http_server.url("/moved")}, policy(tmp_path), tmp_path / "w")


def test_redirect_to_an_allowed_address_is_followed(http_server: LoopbackServer, tmp_path: Path) -> None:
    http_server.routes["/moved"] = Route(status=301, headers={"Location": "/real.pdf"})
    http_server.routes["/real.pdf"] = Route(body=PDF)
    assert fetch({"file_url": http_server.url("/moved")}, policy(tmp_path), tmp_path / "w").bytes == len(PDF)
    assert [request["path"] for request in http_server.requests] == ["/moved", "/real.pdf"]


def test_redirect_loops_stop_at_the_limit(http_server: LoopbackServer, tmp_path: Path) -> None:
    http_server.routes["/loop"] = Route(status=302, headers={"Location": "/loop"})
    with pytest.raises(InputFetchFailed, match="redirected more than 3 times"):
        fetch({"file_url": http_server.url("/loop")}, policy(tmp_path), tmp_path / "w")
    assert len(http_server.requests) == 4


def test_redirect_to_another_scheme_is_refused(http_server: LoopbackServer, tmp_path: Path) -> None:
    http_server.routes["/moved"] = Route(status=302, headers={"Location": "file:///etc/passwd"})
    with pytest.raises(AddressNotAllowed, match="not an http"):
        fetch({"file_url": http_server.url("/moved")}, policy(tmp_path), tmp_path / "w")


def test_declared_size_over_the_cap_is_refused_before_download(http_server: LoopbackServer, tmp_path: Path) -> None:
    http_server.routes["/big.pdf"] = Route(body=PDF, headers={"Content-Length": "5000000"})
    with pytest.raises(InputTooLarge, match="declares 5000000 bytes"):
        fetch({"file_url": http_server.url("/big.pdf")}, policy(tmp_path), tmp_path / "w")


def test_streamed_size_over_the_cap_stops_the_download(http_server: LoopbackServer, tmp_path: Path) -> None:
    # No Content-Length: the cap must hold while streaming.
    http_server.routes["/endless.pdf"] = Route(chunks=[(b"%PDF-1.7\n", 0.0)] + [(b"0" * 65536, 0.0)] * 40)
    with pytest.raises(InputTooLarge, match="sent more than 1000000 bytes"):
        fetch({"file_url": http_server.url("/endless.pdf")}, policy(tmp_path), tmp_path / "w")
    assert list((tmp_path / "w").iterdir()) == []


def test_a_silent_server_hits_the_inactivity_timeout(http_server: LoopbackServer, tmp_path: Path) -> None:
    http_server.routes["/stall.pdf"] = Route(chunks=[(b"%PDF-1.7\n", 0.0), (b"late", 3.0)])
    with pytest.raises(InputFetchFailed, match="sent nothing for 0.5 s"):
        fetch({"file_url": http_server.url("/stall.pdf")}, policy(tmp_path, inactivity_s=0.5), tmp_path / "w")


def test_a_trickling_server_hits_the_total_timeout(http_server: LoopbackServer, tmp_path: Path) -> None:
    # Each chunk arrives within the inactivity window, but the whole never finishes in time.
    http_server.routes["/trickle.pdf"] = Route(chunks=[(b"%PDF-1.7\n", 0.0)] + [(b"0", 0.2)] * 30)
    with pytest.raises(InputFetchFailed, match="did not finish downloading within 1.5 s"):
        fetch({"file_url": http_server.url("/trickle.pdf")}, policy(tmp_path, inactivity_s=1.0, total_s=1.5), tmp_path / "w")


def test_an_html_error_page_is_refused_with_a_clear_message(http_server: LoopbackServer, tmp_path: Path) -> None:
    page = b"<!DOCTYPE html>\n<html><head><title>Sign in</title></head><body>Please log in</body></html>"
    http_server.routes["/login"] = Route(body=page, headers={"Content-Type": "text/html"})
    with pytest.raises(NotADocument, match="HTML page, not a document"):
        fetch({"file_url": http_server.url("/login")}, policy(tmp_path), tmp_path / "w")
    assert list((tmp_path / "w").iterdir()) == []


def test_http_error_status_is_reported(http_server: LoopbackServer, tmp_path: Path) -> None:
    with pytest.raises(InputFetchFailed, match="answered HTTP 404"):
        fetch({"file_url": http_server.url("/missing.pdf?sig=secret")}, policy(tmp_path), tmp_path / "w")


@pytest.mark.parametrize(
    ("address", "loopback_ok", "allowed"),
    [("93.184.215.14", False, True), ("2606:4700::1111", False, True), ("10.0.0.1", True, False),
     ("172.16.5.4", True, False), ("192.168.1.1", True, False), ("169.254.169.254", True, False),
     ("100.64.0.1", True, False), ("0.0.0.0", True, False), ("224.0.0.1", True, False), ("fe80::1", True, False),
     ("::ffff:10.0.0.1", True, False), ("127.0.0.1", False, False), ("127.0.0.1", True, True), ("::1", True, True)],
)  # fmt: skip
def test_only_public_addresses_are_allowed(address: str, loopback_ok: bool, allowed: bool) -> None:
    assert address_allowed(ipaddress.ip_address(address), allow_loopback=loopback_ok) is allowed


@pytest.mark.parametrize(
    "address",
    [
        "2002:7f00::", "2002:7f00:1::1", "2002:a00:1::", "2002:c0a8:101::", "2002:a9fe:a9fe::",  # 6to4 of 127/10/192.168/169.254
        "2001:0:4136:e378:8000:63bf:80ff:fffe",  # Teredo, client 127.0.0.1
        "64:ff9b::7f00:1", "64:ff9b::a00:1", "64:ff9b:1::a9fe:a9fe",  # NAT64 of 127.0.0.1, 10.0.0.1, 169.254.169.254
        "::127.0.0.1", "::10.0.0.1", "::ffff:169.254.169.254",  # IPv4-compatible and -mapped
    ],
)  # fmt: skip
def test_ipv6_addresses_that_embed_a_private_ipv4_address_are_refused(address: str) -> None:
    assert address_allowed(ipaddress.ip_address(address), allow_loopback=True) is False


def test_a_6to4_address_of_a_public_ipv4_address_stays_allowed() -> None:
    assert address_allowed(ipaddress.ip_address("2002:808:808::1"), allow_loopback=False) is True


# ----------------------------------------------------------------------------- base64 and kinds


def test_base64_input_is_decoded_strictly(tmp_path: Path) -> None:
    fetched = fetch({"file_b64": base64.b64encode(PDF).decode()}, policy(tmp_path), tmp_path / "w")
    assert fetched.path.read_bytes() == PDF and fetched.source == "file_b64"
    with pytest.raises(InputInvalid, match="not valid base64"):
        decode_base64("JVBER i0x", 1000)
    with pytest.raises(InputInvalid, match="not valid base64"):
        decode_base64("data:application/pdf;base64,JVBERi0x", 1000)


def test_base64_input_over_the_cap_is_refused_before_decoding() -> None:
    with pytest.raises(InputTooLarge, match="the limit is 1000"):
        decode_base64("A" * 4000, 1000)


@pytest.mark.parametrize(
    ("head", "kind"),
    [(b"%PDF-1.4\n", "pdf"), (b"\x00\x00junk%PDF-1.7", "pdf"), (b"\x89PNG\r\n\x1a\n\x00", "png"), (b"\xff\xd8\xff\xe0", "jpeg")],
)
def test_kind_is_detected_from_magic_bytes(head: bytes, kind: str) -> None:
    assert detect_kind(head) == kind


@pytest.mark.parametrize(
    ("head", "message"),
    [(b"", "empty"), (b"  <html><body>500</body></html>", "HTML page"),
     (b'<?xml version="1.0"?><Error><Code>AccessDenied</Code></Error>', "XML document"),
     (b'{"error": "not found"}', "JSON"), (b"PK\x03\x04docx", "unrecognized input bytes (starting 504b0304")],
)  # fmt: skip
def test_other_bytes_are_refused_saying_what_they_look_like(head: bytes, message: str) -> None:
    with pytest.raises(NotADocument, match=message.replace("(", r"\(")):
        detect_kind(head)


# ----------------------------------------------------------------------------- volume


def test_volume_file_inside_a_root_is_linked_not_copied(volume_root: Path, tmp_path: Path) -> None:
    source = volume_root / "vol-spec.pdf"
    source.write_bytes(PDF)
    fetched = fetch({"volume_path": str(source), "basename": "v"}, policy(volume_root), tmp_path / "w")
    assert fetched.path.is_symlink() and fetched.path.resolve() == source.resolve()
    assert (fetched.source, fetched.kind, fetched.bytes) == ("volume_path", "pdf", len(PDF))


def test_volume_path_outside_the_roots_is_refused(volume_root: Path, tmp_path: Path) -> None:
    outside = tmp_path / "outside.pdf"
    outside.write_bytes(PDF)
    with pytest.raises(VolumePathNotAllowed, match="outside the worker's volume roots"):
        fetch({"volume_path": str(outside)}, policy(volume_root), tmp_path / "w")
    with pytest.raises(VolumePathNotAllowed, match="outside"):
        fetch({"volume_path": f"{volume_root}/../{outside.parent.name}/outside.pdf"}, policy(volume_root), tmp_path / "w")


def test_symlink_inside_a_root_pointing_outside_is_refused(volume_root: Path, tmp_path: Path) -> None:
    outside = tmp_path / "secret.pdf"
    outside.write_bytes(PDF)
    link = volume_root / "innocent.pdf"
    link.unlink(missing_ok=True)
    link.symlink_to(outside)
    with pytest.raises(VolumePathNotAllowed, match="outside"):
        fetch({"volume_path": str(link)}, policy(volume_root), tmp_path / "w")


def test_missing_or_oversized_volume_files_are_refused(volume_root: Path, tmp_path: Path) -> None:
    with pytest.raises(VolumePathNotAllowed, match="not an existing regular file"):
        fetch({"volume_path": str(volume_root / "nope.pdf")}, policy(volume_root), tmp_path / "w")
    big = volume_root / "big.pdf"
    big.write_bytes(PDF)
    with pytest.raises(InputTooLarge, match="the limit is 100"):
        fetch({"volume_path": str(big)}, policy(volume_root, max_bytes=100), tmp_path / "w")
