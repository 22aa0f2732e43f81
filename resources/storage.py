"""Artifact storage. Every asset writes its human-readable artifacts through this resource.

Local disk by default; each write is atomic, so a killed run never leaves a half-written
artifact for the next run to read."""

from pathlib import Path
from typing import TypeVar

import dagster as dg
from pydantic import BaseModel, ValidationError

from specmill.atomic import write_bytes_atomic, write_json_atomic, write_text_atomic
from specmill.errors import ArtifactError

ModelT = TypeVar("ModelT", bound=BaseModel)


class LocalArtifactStore(dg.ConfigurableResource):
    """Artifacts under one folder: outline.json, plan.json, batches/<id>.json, tree/, ..."""

    root: str

    def path(self, relative: str) -> Path:
        return Path(self.root) / relative

    def exists(self, relative: str) -> bool:
        return self.path(relative).exists()

    def write_bytes(self, relative: str, data: bytes) -> str:
        write_bytes_atomic(self.path(relative), data)
        return str(self.path(relative))

    def write_text(self, relative: str, text: str) -> str:
        write_text_atomic(self.path(relative), text)
        return str(self.path(relative))

    def write_model(self, relative: str, model: BaseModel) -> str:
        write_json_atomic(self.path(relative), model)
        return str(self.path(relative))

    def read_model(self, relative: str, model_type: type[ModelT]) -> ModelT:
        path = self.path(relative)
        if not path.exists():
            raise ArtifactError(f"artifact {relative} not found under {self.root}: materialize its asset first")
        try:
            return model_type.model_validate_json(path.read_bytes())
        except ValidationError as exc:
            raise ArtifactError(f"artifact {path} does not match {model_type.__name__}: {exc}") from exc

    def read_model_if_exists(self, relative: str, model_type: type[ModelT]) -> ModelT | None:
        return self.read_model(relative, model_type) if self.exists(relative) else None
