"""Read a result archive (tar.gz or zip) from a worker into memory, refusing anything unsafe.

A result archive comes over the network from a machine we do not control, so it is treated as
hostile: member names must be plain relative paths (no absolute paths, no `..`, no backslashes,
no drive letters), only regular files are accepted (no symlinks, hard links, devices or FIFOs),
and sizes are capped per member, in total, and in member count, counting the bytes actually
decompressed (a header's declared size can lie; a gzip bomb is stopped while it inflates).

Nothing is written to disk: the caller gets `{name: bytes}` and decides where the bytes go, so a
traversal bug here cannot escape into the file system.
"""

from __future__ import annotations

import io
import tarfile
import zipfile
from dataclasses import dataclass
from pathlib import PurePosixPath

from specmill.errors import SpecmillError

MiB = 1024 * 1024


class UnsafeArchiveError(SpecmillError):
    """A result archive holds something we refuse to unpack (a link, a path outside the archive,
    more bytes or members than the caps allow), or is not a readable archive at all."""


@dataclass(frozen=True)
class ExtractLimits:
    max_members: int = 10_000
    max_member_bytes: int = 256 * MiB
    max_total_bytes: int = 1024 * MiB


_CHUNK = 1024 * 1024


def checked_member_name(name: str) -> str:
    """The member name if it is a plain relative path inside the archive; otherwise raise."""
    if not name or "\x00" in name:
        raise UnsafeArchiveError(f"archive member with an empty or NUL-containing name: {name!r}")
    if "\\" in name:
        raise UnsafeArchiveError(f"archive member {name!r} uses backslashes; only '/'-separated relative paths are accepted")
    path = PurePosixPath(name)
    if path.is_absolute() or (path.parts and ":" in path.parts[0]):
        raise UnsafeArchiveError(f"archive member {name!r} is an absolute path")
    if any(part == ".." for part in path.parts):
        raise UnsafeArchiveError(f"archive member {name!r} points outside the archive ('..')")
    normalized = path.as_posix()
    if normalized in ("", "."):
        raise UnsafeArchiveError(f"archive member {name!r} names no file")
    return normalized


def read_at_most(stream: io.BufferedIOBase, limit: int) -> bytes | None:
    """The stream's bytes, or None as soon as more than `limit` bytes have come out of it:
    counted as they inflate, because a header's declared size can lie."""
    chunks: list[bytes] = []
    size = 0
    while chunk := stream.read(_CHUNK):
        size += len(chunk)
        if size > limit:
            return None
        chunks.append(chunk)
    return b"".join(chunks)


def _read_capped(stream: io.BufferedIOBase, name: str, limits: ExtractLimits, total_so_far: int) -> bytes:
    member_room, total_room = limits.max_member_bytes, limits.max_total_bytes - total_so_far
    content = read_at_most(stream, min(member_room, total_room))
    if content is None:
        if member_room <= total_room:
            raise UnsafeArchiveError(f"archive member {name!r} is larger than {limits.max_member_bytes} bytes")
        raise UnsafeArchiveError(f"archive unpacks to more than {limits.max_total_bytes} bytes")
    return content


def _add(files: dict[str, bytes], name: str, data: bytes, limits: ExtractLimits) -> None:
    if name in files:
        # A second member with the same name would silently replace the first.
        raise UnsafeArchiveError(f"archive member {name!r} appears more than once")
    if len(files) >= limits.max_members:
        raise UnsafeArchiveError(f"archive has more than {limits.max_members} members")
    files[name] = data


def read_tar_gz(data: bytes, limits: ExtractLimits = ExtractLimits()) -> dict[str, bytes]:
    files: dict[str, bytes] = {}
    total = 0
    try:
        # Streaming mode ("r|gz"): members are read in order, never seeked, and every byte that
        # is inflated passes through the caps below.
        with tarfile.open(fileobj=io.BytesIO(data), mode="r|gz") as archive:
            for member in archive:
                if member.isdir():
                    checked_member_name(member.name.rstrip("/"))
                    continue
                name = checked_member_name(member.name)
                if not member.isreg():
                    kind = "symlink" if member.issym() else "hard link" if member.islnk() else "special file"
                    raise UnsafeArchiveError(f"archive member {name!r} is a {kind}; only regular files are accepted")
                stream = archive.extractfile(member)
                if stream is None:
                    raise UnsafeArchiveError(f"archive member {name!r} has no readable content")
                content = _read_capped(stream, name, limits, total)
                total += len(content)
                _add(files, name, content, limits)
    except UnsafeArchiveError:
        raise
    except (tarfile.TarError, OSError, EOFError, ValueError) as exc:
        raise UnsafeArchiveError(f"result archive is not a readable tar.gz: {type(exc).__name__}: {exc}") from None
    return files


def read_zip(data: bytes, limits: ExtractLimits = ExtractLimits()) -> dict[str, bytes]:
    files: dict[str, bytes] = {}
    total = 0
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            infos = archive.infolist()
            if len(infos) > limits.max_members:
                raise UnsafeArchiveError(f"archive has more than {limits.max_members} members")
            for info in infos:
                if info.is_dir():
                    checked_member_name(info.filename.rstrip("/"))
                    continue
                name = checked_member_name(info.filename)
                mode = info.external_attr >> 16
                file_type = mode & 0o170000
                if file_type not in (0, 0o100000):  # 0: written by a tool that records no mode
                    raise UnsafeArchiveError(f"archive member {name!r} is not a regular file (mode {oct(mode)})")
                with archive.open(info) as stream:
                    content = _read_capped(stream, name, limits, total)
                total += len(content)
                _add(files, name, content, limits)
    except UnsafeArchiveError:
        raise
    except (zipfile.BadZipFile, OSError, EOFError, ValueError, NotImplementedError) as exc:
        raise UnsafeArchiveError(f"result archive is not a readable zip: {type(exc).__name__}: {exc}") from None
    return files


def read_archive(data: bytes, archive_format: str, limits: ExtractLimits = ExtractLimits()) -> dict[str, bytes]:
    """Every regular file of a `tar.gz` or `zip` archive as `{relative name: bytes}`."""
    if archive_format == "tar.gz":
        return read_tar_gz(data, limits)
    if archive_format == "zip":
        return read_zip(data, limits)
    raise UnsafeArchiveError(f"unknown archive format {archive_format!r} (expected tar.gz or zip)")
