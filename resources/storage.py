"""Local-disk artifact storage (the default). Every asset writes its human-readable artifacts
through an `ArtifactStore` (resources/store_base.py); this one keeps them under one folder.

Each write is atomic, so a killed run never leaves a half-written artifact for the next run
to read; a tree is written beside the old one and swapped in."""

from functools import lru_cache
from pathlib import Path
from typing import TypeVar

from pydantic import BaseModel, ValidationError

from resources.store_base import ArtifactStore, checked_key
from specmill.atomic import write_bytes_atomic
from specmill.errors import ArtifactError


ModelT = TypeVar("ModelT", bound=BaseModel)


@lru_cache(maxsize=16)
def _parsed(path: str, inode: int, mtime_ns: int, size: int, model_type: type[ModelT]) -> ModelT:
    """One parse per version of a file: every batch run of `specmill build` reads source.json
    and plan.json again, and validating them cost a third of the per-batch overhead at 1,000
    pages. Files are replaced atomically (new inode), so a changed file is never served stale."""
    data = Path(path).read_bytes()
    try:
        return model_type.model_validate_json(data)
    except ValidationError as exc:
        raise ArtifactError(f"artifact {path} does not match {model_type.__name__}: {exc}") from exc


class LocalArtifactStore(ArtifactStore):
    """Artifacts under one folder: outline.json, plan.json, batches/<id>.json, tree/, ..."""

    root: str

    def path(self, relative: str) -> Path:
        """The local path of an artifact (local-only; assets go through the store's methods)."""
        return Path(self.root) / checked_key(relative) if relative else Path(self.root)

    def exists(self, relative: str) -> bool:
        return self.path(relative).is_file()

    def read_bytes(self, relative: str) -> bytes:
        path = self.path(relative)
        if not path.is_file():
            raise ArtifactError(f"artifact {relative} not found under {self.root}: materialize its asset first")
        return path.read_bytes()

    def read_model(self, relative: str, model_type: type[ModelT]) -> ModelT:
        """The artifact as a model. Shared between readers in this process: treat it as read-only."""
        path = self.path(relative)
        try:
            status = path.stat()
        except FileNotFoundError:
            raise ArtifactError(f"artifact {relative} not found under {self.root}: materialize its asset first") from None
        return _parsed(str(path), status.st_ino, status.st_mtime_ns, status.st_size, model_type)

    def write_bytes(self, relative: str, data: bytes) -> str:
        write_bytes_atomic(self.path(relative), data)
        return self.uri(relative)

    def uri(self, relative: str) -> str:
        return str(self.path(relative))

    def write_tree(self, relative: str, files: dict[str, bytes]) -> str:
        from specmill.tree import write_tree

        write_tree(files, self.path(relative))
        return self.uri(relative)

    def read_tree(self, relative: str) -> dict[str, bytes]:
        folder = self.tree_path(relative)
        return {path.relative_to(folder).as_posix(): path.read_bytes() for path in sorted(folder.rglob("*")) if path.is_file()}

    def tree_exists(self, relative: str) -> bool:
        return self.path(relative).is_dir()

    def tree_path(self, relative: str) -> Path:
        folder = self.path(relative)
        if not folder.is_dir():
            raise ArtifactError(f"tree {folder} not found: materialize its asset first")
        return folder
