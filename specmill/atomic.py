"""Atomic writes: a reader sees the old file or the complete new one, never half of one."""

import os
import tempfile
from collections.abc import Callable
from pathlib import Path

import orjson
from pydantic import BaseModel


def _umask() -> int:
    current = os.umask(0)
    os.umask(current)
    return current


def write_atomic_with(path: Path, write: Callable[[Path], object]) -> None:
    """`write` fills a temporary file beside `path`, which then replaces `path` in one step.

    mkstemp creates files readable by their owner only; the result gets the permissions a plain
    open() would have given it, so a corpus written here is readable like any other file."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temp_name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    os.close(handle)
    temp = Path(temp_name)
    try:
        write(temp)
        os.chmod(temp, 0o666 & ~_umask())
        os.replace(temp, path)
    except BaseException:
        temp.unlink(missing_ok=True)
        raise


def write_bytes_atomic(path: Path, data: bytes) -> None:
    def write(temp: Path) -> None:
        with open(temp, "wb") as stream:
            stream.write(data)
            stream.flush()
            os.fsync(stream.fileno())

    write_atomic_with(path, write)


def write_text_atomic(path: Path, text: str) -> None:
    write_bytes_atomic(path, text.encode("utf-8"))


_CANONICAL = orjson.OPT_INDENT_2 | orjson.OPT_SORT_KEYS | orjson.OPT_APPEND_NEWLINE | orjson.OPT_NON_STR_KEYS


def canonical_json_bytes(data) -> bytes:
    """Stable, human-readable JSON: sorted keys, two-space indent, UTF-8, trailing newline."""
    try:
        return orjson.dumps(data, option=_CANONICAL)
    except TypeError as exc:  # a value JSON has no form for (the caller passed a non-JSON type)
        raise ValueError(f"not JSON-serializable: {exc}") from exc



def write_json_atomic(path: Path, data) -> None:
    if isinstance(data, BaseModel):
        data = data.model_dump(mode="json")
    write_bytes_atomic(path, canonical_json_bytes(data))
