"""Common model configuration."""

from pydantic import BaseModel, ConfigDict


class Contract(BaseModel):
    """Base for every on-disk contract: unknown keys are rejected so that a file written
    by another version of specmill fails loudly instead of being half-understood."""

    model_config = ConfigDict(extra="forbid")
