"""The mark `specmill build` leaves in its output folder: which entries of the folder are its own."""

from typing import Literal

from pydantic import Field

from schemas.base import Contract


class BuildMark(Contract):
    """DIR/.specmill-build.json. A name specmill writes that exists in the folder without being
    listed here is someone else's, and a build refuses to replace it."""

    written_by: Literal["specmill"] = "specmill"
    source_sha256: str = Field(description="sha256 of the PDF the artifacts were built from.")
    artifacts: list[str] = Field(
        description="Top-level entries of the folder that specmill wrote (files, or folders such as batches/ and corpus/)."
    )
    building_pid: int | None = Field(
        default=None, description="While a build runs: its process id (a second build names it when it refuses). None after."
    )
