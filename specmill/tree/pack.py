"""A tree of files packed into one zip archive: how the intermediate trees are stored.

The clause tree and the linked tree are what the next stage reads, not what people browse (that
is the corpus, a folder). Written as folders they cost most of the post-parse time at 5,000
pages: ext4 here needs 1-3 ms per new directory and per file spread over 2,400 directories, and
three trees of 8,000 files each took longer than all the text processing together. One archive
per tree is written and read in a fraction of a second, is atomic like any other artifact, and
`unzip` turns it back into the folder.

Archives are deterministic (sorted names, fixed timestamps, stored uncompressed), so the same
tree has the same bytes on local disk and in a bucket, and its sha256 is a data version."""

from __future__ import annotations

import io
import zipfile
from collections.abc import Mapping

from specmill.parse.safe_extract import ExtractLimits, read_zip

_TIMESTAMP = (1980, 1, 1, 0, 0, 0)  # the earliest a zip can record: no build time in the bytes
# Our own archives, read back: generous caps, still bounded (ECMA-376 Part 1 has ~12,000 clauses).
_LIMITS = ExtractLimits(max_members=200_000, max_member_bytes=512 * 1024 * 1024, max_total_bytes=8 * 1024**3)


def pack_tree(files: Mapping[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_STORED) as archive:
        for name in sorted(files):
            info = zipfile.ZipInfo(name, date_time=_TIMESTAMP)
            info.external_attr = 0o644 << 16
            archive.writestr(info, files[name])
    return buffer.getvalue()


def unpack_tree(data: bytes) -> dict[str, bytes]:
    """The files of a packed tree; refuses a damaged archive or unsafe member names."""
    return read_zip(data, _LIMITS)
