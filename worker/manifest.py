"""The artifacts a job can return, declared as data.

One entry per value of `schemas.worker_api.ArtifactFormat`: the file pattern it produces and
whether a successful parse always has it. Packaging checks its file list against this table,
and the import-time check below fails if the contract and the table ever disagree, so the
`formats` a client may ask for and what the archives carry cannot drift apart.
"""

from __future__ import annotations

from dataclasses import dataclass
from fnmatch import fnmatchcase
from typing import get_args

from schemas.worker_api import ArtifactFormat


@dataclass(frozen=True)
class ArtifactSpec:
    format: ArtifactFormat
    pattern: str  # relative path; {basename} is the job's basename; * matches within images/
    required: bool  # present in every successful result that asked for it
    media_type: str
    text: bool

    def file_name(self, basename: str) -> str:
        if "*" in self.pattern:
            raise ValueError(f"{self.format} names many files ({self.pattern}); it has no single file name")
        return self.pattern.format(basename=basename)

    def matches(self, name: str, basename: str) -> bool:
        return fnmatchcase(name, self.pattern.format(basename=basename))


# File names follow the MinerU 3.x output layout (<name>.md, <name>_content_list.json,
# <name>_middle.json, images/), which is what existing clients and readers expect.
MANIFEST: tuple[ArtifactSpec, ...] = (
    ArtifactSpec("markdown", "{basename}.md", required=True, media_type="text/markdown", text=True),
    ArtifactSpec("content_list", "{basename}_content_list.json", required=True, media_type="application/json", text=True),
    ArtifactSpec("middle", "{basename}_middle.json", required=True, media_type="application/json", text=True),
    # A document without figures has no images: not required.
    ArtifactSpec("images", "images/*", required=False, media_type="image/*", text=False),
)

_BY_FORMAT = {spec.format: spec for spec in MANIFEST}
if set(_BY_FORMAT) != set(get_args(ArtifactFormat)) or len(_BY_FORMAT) != len(MANIFEST):
    raise RuntimeError(
        f"worker manifest {sorted(_BY_FORMAT)} does not match schemas.worker_api.ArtifactFormat "
        f"{sorted(get_args(ArtifactFormat))}"
    )


def spec_for(format_name: ArtifactFormat) -> ArtifactSpec:
    return _BY_FORMAT[format_name]


def manifest_problems(files: list[tuple[str, ArtifactFormat]], formats: list[ArtifactFormat], basename: str) -> list[str]:
    """Why a list of (name, format) files is not exactly what `formats` asked for; empty when it is."""
    problems = []
    for name, format_name in files:
        if format_name not in formats:
            problems.append(f"{name} is a {format_name} artifact, which was not requested")
        elif not spec_for(format_name).matches(name, basename):
            problems.append(f"{name} does not match the {format_name} pattern {spec_for(format_name).pattern}")
    seen = {format_name for _, format_name in files}
    for format_name in formats:
        if spec_for(format_name).required and format_name not in seen:
            problems.append(f"required artifact {format_name} is missing")
    names = [name for name, _ in files]
    duplicates = sorted({name for name in names if names.count(name) > 1})
    problems.extend(f"{name} appears more than once" for name in duplicates)
    return problems
