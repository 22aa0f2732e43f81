"""Which document to process, and with which profile and schemas."""

from pathlib import Path

import dagster as dg

from schemas.profile import DocumentProfile
from specmill.errors import ProfileError


class SpecmillSettings(dg.ConfigurableResource):
    pdf_path: str
    profile_path: str | None = None
    schema_paths: list[str] = []

    def profile(self) -> DocumentProfile:
        path = Path(self.profile_path) if self.profile_path else None
        if path is not None and not path.is_file():
            raise ProfileError(f"document profile not found: {path}")
        try:
            return DocumentProfile.load(path)
        except Exception as exc:  # yaml errors and pydantic ValidationError alike
            raise ProfileError(f"document profile {path} is invalid: {exc}") from exc
