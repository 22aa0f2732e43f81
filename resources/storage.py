"""Local-disk artifact storage (the default). Every asset writes its human-readable artifacts
through an `ArtifactStore` (resources/store_base.py); this one keeps them under one folder.

Each write is atomic, so a killed run never leaves a half-written artifact for the next run
to read; a folder tree is written beside the old one and swapped in."""

from collections import OrderedDict
from pathlib import Path
from typing import TypeVar

from pydantic import BaseModel, ValidationError

from resources.store_base import ArtifactStore, checked_key, is_packed
from specmill.atomic import write_bytes_atomic
from specmill.errors import ArtifactError


ModelT = TypeVar("ModelT", bound=BaseModel)


class _VersionCache:
    """Parsed artifacts by file version (path, inode, mtime, size) and kind, shared in a process.

    Every batch run of `specmill build` reads source.json and plan.json again, and validating them
    cost a third of the per-batch overhead at 1,000 pages; what a stage has just written (the
    90 MB block stream, the 8,000-file clause tree at 5,000 pages) is what the next stage and the
    checks read. Files are replaced atomically (a new inode), so a changed file is never served
    stale. Values are shared between readers: treat them as read-only."""

    def __init__(self, size: int = 16):
        self._size = size
        self._values: OrderedDict[tuple, object] = OrderedDict()

    @staticmethod
    def key(path: Path, kind: object) -> tuple:
        status = path.stat()
        return (str(path), status.st_ino, status.st_mtime_ns, status.st_size, kind)

    def get(self, key: tuple):
        if key in self._values:
            self._values.move_to_end(key)
            return self._values[key]
        return None

    def put(self, key: tuple, value: object) -> None:
        self._values[key] = value
        while len(self._values) > self._size:
            self._values.popitem(last=False)


_CACHE = _VersionCache()
_TREE = "tree"  # the cache kind of a packed tree's files


def _parse_model(path: Path, model_type: type[ModelT]) -> ModelT:
    try:
        return model_type.model_validate_json(path.read_bytes())
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

    def read_model(self, relative: str, model_type: type[ModelT], *, keep: bool = True) -> ModelT:
        """The artifact as a model. Shared between readers in this process: treat it as read-only."""
        path = self.path(relative)
        try:
            key = _CACHE.key(path, model_type)
        except FileNotFoundError:
            raise ArtifactError(f"artifact {relative} not found under {self.root}: materialize its asset first") from None
        model = _CACHE.get(key)
        if model is None:
            model = _parse_model(path, model_type)
            if keep:
                _CACHE.put(key, model)
        return model

    def write_model(self, relative: str, model: BaseModel) -> str:
        """Written in canonical form; a reader of this version of the file gets `model` itself."""
        uri = super().write_model(relative, model)
        _CACHE.put(_CACHE.key(self.path(relative), type(model)), model)
        return uri

    def write_tree(self, relative: str, files: dict[str, bytes]) -> str:
        uri = super().write_tree(relative, files)
        if is_packed(relative):
            _CACHE.put(_CACHE.key(self.path(relative), _TREE), dict(files))
        return uri

    def read_tree(self, relative: str) -> dict[str, bytes]:
        if not is_packed(relative) or not self.exists(relative):
            return super().read_tree(relative)
        key = _CACHE.key(self.path(relative), _TREE)
        files = _CACHE.get(key)
        if files is None:
            files = super().read_tree(relative)
            _CACHE.put(key, files)
        return dict(files)  # a caller may add to its copy; the cached one stays as written

    def write_bytes(self, relative: str, data: bytes) -> str:
        write_bytes_atomic(self.path(relative), data)
        return self.uri(relative)

    def uri(self, relative: str) -> str:
        return str(self.path(relative))

    def write_folder(self, relative: str, files: dict[str, bytes]) -> str:
        from specmill.tree.write import write_tree

        write_tree(files, self.path(relative))
        return self.uri(relative)

    def read_folder(self, relative: str) -> dict[str, bytes]:
        from specmill.tree.write import read_folder

        return read_folder(self.folder_path(relative))

    def folder_exists(self, relative: str) -> bool:
        return self.path(relative).is_dir()

    def folder_path(self, relative: str) -> Path:
        folder = self.path(relative)
        if not folder.is_dir():
            raise ArtifactError(f"tree {folder} not found: materialize its asset first")
        return folder
