"""Atomic writes: a reader sees the old file or the complete new one, never half of one."""

import json
import os
import tempfile
from pathlib import Path

from pydantic import BaseModel


def write_bytes_atomic(path: Path, data: bytes) -> None:
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temp_name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(handle, "wb") as stream:
            stream.write(data)
            stream.flush()
            os.fsync(stream.fileno())
        os.replace(temp_name, path)
    except BaseException:
        Path(temp_name).unlink(missing_ok=True)
        raise


def write_text_atomic(path: Path, text: str) -> None:
    write_bytes_atomic(path, text.encode("utf-8"))


def canonical_json(data) -> str:
    """Stable, human-readable JSON: sorted keys, two-space indent, UTF-8, trailing newline."""
    return json.dumps(data, ensure_ascii=False, indent=2, sort_keys=True) + "\n"


def write_json_atomic(path: Path, data) -> None:
    if isinstance(data, BaseModel):
        data = data.model_dump(mode="json")
    write_text_atomic(path, canonical_json(data))
