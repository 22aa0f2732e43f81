"""Which document to process, and with which profile and schemas."""

from pathlib import Path

import dagster as dg

from resources.store_base import ArtifactStore
from schemas.artifacts import PROFILE
from schemas.profile import DocumentProfile, ProfileRecord, ProfileSelection
from specmill.profiles.select import recorded_profile, select_profile


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

    def stage_profile(self, store: ArtifactStore) -> DocumentProfile:
        """The profile of a stage after source_pdf: the one asked for, else the one source_pdf
        chose from the document and recorded (profile.json). No later stage opens the PDF, and
        a profile file asked for is read as it is now (an edit counts without a new plan)."""
        if not self.profile_path:
            record = store.read_model_if_exists(PROFILE, ProfileRecord)
            if record is not None and record.automatic:
                return recorded_profile(record)
        return self.profile()
