"""Result archives from a worker are hostile input: only plain files inside the archive, within caps."""

import gzip
import io
import tarfile
import zipfile

import pytest

from specmill.parse.safe_extract import ExtractLimits, UnsafeArchiveError, read_archive, read_tar_gz, read_zip


def tar_gz(*members: tarfile.TarInfo | tuple[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with gzip.GzipFile(fileobj=buffer, mode="wb", mtime=0) as compressed:
        with tarfile.open(fileobj=compressed, mode="w", format=tarfile.PAX_FORMAT) as archive:
            for member in members:
                if isinstance(member, tarfile.TarInfo):
                    archive.addfile(member)
                else:
                    name, data = member
                    info = tarfile.TarInfo(name)
                    info.size = len(data)
                    archive.addfile(info, io.BytesIO(data))
    return buffer.getvalue()


def link(name: str, target: str, kind: bytes) -> tarfile.TarInfo:
    info = tarfile.TarInfo(name)
    info.type = kind
    info.linkname = target
    return info


def test_regular_files_come_back_by_relative_name():
    data = tar_gz(("b00_content_list.json", b"[]"), ("images/p1.jpg", b"\xff\xd8\xff"))
    assert read_tar_gz(data) == {"b00_content_list.json": b"[]", "images/p1.jpg": b"\xff\xd8\xff"}


@pytest.mark.parametrize("name", ["../escape.txt", "images/../../escape.txt", "/etc/passwd", "a\\..\\b", "C:/x"])
def test_member_names_outside_the_archive_are_refused(name):
    with pytest.raises(UnsafeArchiveError, match="absolute|outside|backslash"):
        read_tar_gz(tar_gz((name, b"x")))


@pytest.mark.parametrize(("kind", "word"), [(tarfile.SYMTYPE, "symlink"), (tarfile.LNKTYPE, "hard link"), (tarfile.FIFOTYPE, "special")])
def test_links_and_special_files_are_refused(kind, word):
    with pytest.raises(UnsafeArchiveError, match=word):
        read_tar_gz(tar_gz(("ok.txt", b"x"), link("images/evil", "/etc/passwd", kind)))


def test_a_gzip_bomb_stops_at_the_total_cap_while_inflating():
    bomb = tar_gz(("zeros.bin", b"\0" * (4 * 1024 * 1024)))
    assert len(bomb) < 64 * 1024  # compresses ~1000:1
    with pytest.raises(UnsafeArchiveError, match="larger than"):
        read_tar_gz(bomb, ExtractLimits(max_member_bytes=1024 * 1024))
    with pytest.raises(UnsafeArchiveError, match="more than"):
        read_tar_gz(tar_gz(("a", b"1" * 600), ("b", b"2" * 600)), ExtractLimits(max_total_bytes=1000))


def test_member_count_and_duplicates_are_capped():
    with pytest.raises(UnsafeArchiveError, match="more than 2 members"):
        read_tar_gz(tar_gz(("a", b"1"), ("b", b"2"), ("c", b"3")), ExtractLimits(max_members=2))
    with pytest.raises(UnsafeArchiveError, match="more than once"):
        read_tar_gz(tar_gz(("a", b"1"), ("a", b"2")))


def test_zip_symlinks_and_traversal_are_refused_too():
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("ok.json", b"{}")
        info = zipfile.ZipInfo("images/link")
        info.external_attr = (0o120777) << 16  # a symlink, as Info-ZIP records it
        archive.writestr(info, b"/etc/passwd")
    with pytest.raises(UnsafeArchiveError, match="not a regular file"):
        read_zip(buffer.getvalue())
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("../../x", b"1")
    with pytest.raises(UnsafeArchiveError, match="outside"):
        read_archive(buffer.getvalue(), "zip")


def test_garbage_is_named_as_an_unreadable_archive():
    with pytest.raises(UnsafeArchiveError, match="not a readable tar.gz"):
        read_archive(b"<Error>AccessDenied</Error>", "tar.gz")
    with pytest.raises(UnsafeArchiveError, match="unknown archive format"):
        read_archive(b"", "rar")
