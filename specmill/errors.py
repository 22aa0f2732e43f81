"""Exceptions a user can act on, one per kind of failure.

Each message names the offending input and says what to do about it."""


class SpecmillError(Exception):
    """Base class: every error specmill raises on purpose."""


class SourcePdfError(SpecmillError):
    """The source PDF cannot be used: missing, not a PDF, encrypted, empty, or without text."""


class ProfileError(SpecmillError):
    """The document profile file is missing or invalid."""


class PlanError(SpecmillError):
    """The batch plan cannot be built or does not fit the document."""


class ParseError(SpecmillError):
    """A parser backend failed on a batch."""


class ArtifactError(SpecmillError):
    """An artifact folder is missing pieces, or belongs to another document."""


class OutputFolderError(ArtifactError):
    """The output folder cannot be used: it is a file, it is not writable, it holds entries
    specmill would replace but did not write, or another build is writing to it."""
