"""Local-disk artifact storage (the default). Every asset writes its human-readable artifacts
through an `ArtifactStore` (resources/store_base.py); this one keeps them under one folder.

Each write is atomic, so a killed run never leaves a half-written artifact for the next run
to read; a tree is written beside the old one and swapped in."""

from pathlib import Path

from resources.store_base import ArtifactStore, checked_key
from specmill.atomic import write_bytes_atomic
from specmill.errors import ArtifactError


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
