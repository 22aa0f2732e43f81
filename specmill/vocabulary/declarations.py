"""A top-level declaration of a schema file with its verbatim text (for schema-dump replacement)."""

from __future__ import annotations

from dataclasses import dataclass


class MalformedSchemaError(ValueError):
    """A schema file that cannot be read as its format; the loader skips it and reports why."""


@dataclass(frozen=True)
class DeclarationText:
    kind: str
    name: str
    text: str
    source: str


def split_qualified(name: str) -> tuple[str | None, str]:
    prefix, _, local = name.rpartition(":")
    return (prefix or None), local
