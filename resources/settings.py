"""Which document to process, and with which profile and schemas."""

from pathlib import Path

import dagster as dg

from schemas.profile import DocumentProfile, ProfileSelection
from specmill.profiles.select import select_profile


class SpecmillSettings(dg.ConfigurableResource):
    pdf_path: str
    profile_path: str | None = None  # a shipped profile's name ('german-statute') or a YAML file; None: chosen from the PDF
    schema_paths: list[str] = []

    def profile_selection(self) -> ProfileSelection:
        """The profile and how it was chosen; ProfileError when the one asked for is unknown or invalid."""
        return select_profile(self.profile_path, Path(self.pdf_path))

    def profile(self) -> DocumentProfile:
        """Loaded and validated once a process (specmill.profiles): each stage reads only its part."""
        return self.profile_selection().profile
