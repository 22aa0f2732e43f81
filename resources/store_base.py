"""The interface every artifact store offers, so that assets never depend on where artifacts live.

Keys are relative, '/'-separated paths (`plan.json`, `batches/b00.json`, `tree/...`), the same
layout on local disk and in a bucket. Models are serialized one way (`canonical_json_bytes`), so the
same artifact has the same bytes in either store.

Trees (a folder of Markdown files and images) are written and read whole: `write_tree` replaces
the tree at once as far as the store allows, `read_tree` returns a consistent snapshot, and
`tree_path` gives a local folder for code that walks files. A tree whose key ends in `.zip` is
packed: stored as one archive artifact (specmill.tree.pack), the way the intermediate trees
are kept; any other tree is a folder of files.

Subclasses implement: `exists`, `read_bytes`, `write_bytes`, `uri`, `write_folder`,
`read_folder`, `folder_exists`, `folder_path`. Everything else is derived here.
"""

from __future__ import annotations

from pathlib import Path
from typing import TypeVar

import dagster as dg
from pydantic import BaseModel, ValidationError

from specmill.atomic import canonical_json_bytes
from specmill.errors import ArtifactError

ModelT = TypeVar("ModelT", bound=BaseModel)

PACKED_TREE_SUFFIX = ".zip"


def is_packed(relative: str) -> bool:
    return relative.endswith(PACKED_TREE_SUFFIX)


def model_bytes(model: BaseModel) -> bytes:
    """The stored form of a model: what `specmill.atomic.write_json_atomic` writes."""
    return canonical_json_bytes(model.model_dump(mode="json"))


def checked_key(relative: str) -> str:
    """A relative artifact key; refuses absolute paths and '..' so no key escapes the store."""
    key = relative.strip()
    parts = key.split("/")
    if not key or key.startswith("/") or "\\" in key or any(part in ("", ".", "..") for part in parts):
        raise ArtifactError(f"artifact key {relative!r} is not a plain relative path")
    return key


class ArtifactStore(dg.ConfigurableResource):
    """Abstract: where a document's artifacts live. See the module docstring."""

    # -- what a store implements -------------------------------------------------------------

    def exists(self, relative: str) -> bool:
        raise NotImplementedError

    def read_bytes(self, relative: str) -> bytes:
        """The artifact's bytes; ArtifactError naming the key when it is absent."""
        raise NotImplementedError

    def write_bytes(self, relative: str, data: bytes) -> str:
        """Store a complete artifact (readers see the old one or the new one); returns `uri`."""
        raise NotImplementedError

    def uri(self, relative: str) -> str:
        """Where the artifact is, for metadata and messages (a path, or s3://bucket/key)."""
        raise NotImplementedError

    def write_folder(self, relative: str, files: dict[str, bytes]) -> str:
        """Replace the folder tree at `relative` by `files` ({path inside the tree: bytes})."""
        raise NotImplementedError

    def read_folder(self, relative: str) -> dict[str, bytes]:
        """Every file of the folder tree at `relative`, from one consistent version of it."""
        raise NotImplementedError

    def folder_exists(self, relative: str) -> bool:
        raise NotImplementedError

    def folder_path(self, relative: str) -> Path:
        """A local folder holding the folder tree (the folder itself, or a downloaded copy)."""
        raise NotImplementedError

    # -- derived -------------------------------------------------------------------------------

    def write_text(self, relative: str, text: str) -> str:
        return self.write_bytes(relative, text.encode("utf-8"))

    def write_model(self, relative: str, model: BaseModel) -> str:
        return self.write_bytes(relative, model_bytes(model))

    def read_model(self, relative: str, model_type: type[ModelT], *, keep: bool = True) -> ModelT:
        """The artifact as a model. `keep=False`: a store that keeps what it read (local disk)
        need not keep this one, read once by its only reader."""
        data = self.read_bytes(relative)
        try:
            return model_type.model_validate_json(data)
        except ValidationError as exc:
            raise ArtifactError(f"artifact {self.uri(relative)} does not match {model_type.__name__}: {exc}") from exc

    def write_tree(self, relative: str, files: dict[str, bytes]) -> str:
        """Replace the whole tree at `relative` by `files` ({path inside the tree: bytes})."""
        if is_packed(relative):
            from specmill.tree.pack import pack_tree

            return self.write_bytes(relative, pack_tree(files))
        return self.write_folder(relative, files)

    def read_tree(self, relative: str) -> dict[str, bytes]:
        """Every file of the tree at `relative`, from one consistent version of it."""
        if not is_packed(relative):
            return self.read_folder(relative)
        from specmill.parse.safe_extract import UnsafeArchiveError
        from specmill.tree.pack import unpack_tree

        try:
            return unpack_tree(self.read_bytes(relative))
        except UnsafeArchiveError as exc:
            raise ArtifactError(f"tree {self.uri(relative)} is damaged: {exc}; materialize its asset again") from exc

    def tree_exists(self, relative: str) -> bool:
        return self.exists(relative) if is_packed(relative) else self.folder_exists(relative)

    def tree_path(self, relative: str) -> Path:
        """A local folder holding the tree: a folder tree's own folder, or an unpacked copy of a
        packed one (in a temporary folder named after the archive's sha256, made once)."""
        if not is_packed(relative):
            return self.folder_path(relative)
        import hashlib
        import tempfile

        from specmill.tree.write import write_tree

        data = self.read_bytes(relative)
        target = Path(tempfile.gettempdir()) / "specmill-unpacked" / hashlib.sha256(self.uri(relative).encode() + data).hexdigest()[:24]
        if not target.is_dir():
            write_tree(self.read_tree(relative), target)
        return target

    def read_model_if_exists(self, relative: str, model_type: type[ModelT], *, keep: bool = True) -> ModelT | None:
        return self.read_model(relative, model_type, keep=keep) if self.exists(relative) else None
