"""Find schema files in directories, zip archives or single files, and build a `Vocabulary`.

A malformed schema file is reported by name (with the reason) and skipped: one bad insert in a
vendor's schema set must not hide the names of the other hundred files."""

from __future__ import annotations

import zipfile
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from schemas.vocabulary import SchemaFileSummary, SkippedSchema, Vocabulary, VocabularyName
from specmill.errors import SpecmillError
from specmill.parse.safe_extract import MiB, read_at_most
from specmill.vocabulary.declarations import DeclarationText, MalformedSchemaError
from specmill.vocabulary.rnc import rnc_declarations, rnc_names
from specmill.vocabulary.rng import rng_names
from specmill.vocabulary.xsd import xsd_declarations, xsd_names

SCHEMA_SUFFIXES = {".xsd": "xsd", ".rnc": "rnc", ".rng": "rng"}
# A schema zip is inflated in memory. Real schema sets are a few MB (ECMA-376's, both
# conformance classes, about 5 MB); a zip of zeros that inflated to 300 MB was read whole
# (issue 16). Bytes are counted as they inflate: a member's declared size can lie.
MAX_SCHEMA_ZIP_BYTES = 128 * MiB
MAX_SCHEMA_ZIP_MEMBERS = 20_000


class VocabularyError(SpecmillError):
    """A configured schema location does not exist or holds no schema file at all."""


@dataclass(frozen=True)
class SchemaFile:
    label: str  # path relative to its root; 'archive.zip!member' inside a zip
    format: str  # xsd | rnc | rng
    content: bytes

    def names(self) -> list[VocabularyName]:
        reader = {"xsd": xsd_names, "rnc": rnc_names, "rng": rng_names}[self.format]
        return reader(self.content, self.label)

    def declarations(self) -> list[DeclarationText]:
        """Top-level declarations with verbatim text (XSD and RNC; RELAX NG XML is not printed as a dump)."""
        if self.format == "xsd":
            return xsd_declarations(self.content, self.label)
        if self.format == "rnc":
            return rnc_declarations(self.content, self.label)
        return []


def _format_of(name: str) -> str | None:
    return SCHEMA_SUFFIXES.get(PurePosixPath(name).suffix.lower())


def _from_zip(archive: Path, label_prefix: str, skipped: list[SkippedSchema]) -> list[SchemaFile]:
    try:
        with zipfile.ZipFile(archive) as bundle:
            members = bundle.infolist()
            if len(members) > MAX_SCHEMA_ZIP_MEMBERS:
                raise VocabularyError(
                    f"schema archive {archive} has {len(members)} members, more than the {MAX_SCHEMA_ZIP_MEMBERS} accepted: "
                    "is it a schema set? unpack the schemas you need into a folder"
                )
            files = []
            total = 0
            for member in sorted(members, key=lambda info: info.filename):
                kind = _format_of(member.filename)
                if kind is None or member.is_dir():
                    continue
                with bundle.open(member) as stream:
                    data = read_at_most(stream, MAX_SCHEMA_ZIP_BYTES - total)
                if data is None:
                    raise VocabularyError(
                        f"schema archive {archive} inflates to more than {MAX_SCHEMA_ZIP_BYTES // MiB} MiB of schema files "
                        f"(stopped in {member.filename}): refused; unpack the schemas you need into a folder"
                    )
                total += len(data)
                files.append(SchemaFile(f"{label_prefix}!{member.filename}", kind, data))
            return files
    except (zipfile.BadZipFile, OSError) as exc:
        skipped.append(SkippedSchema(path=label_prefix, reason=f"unreadable zip archive: {exc}"))
        return []


def read_schema_files(roots: Sequence[str | Path]) -> tuple[list[SchemaFile], list[SkippedSchema]]:
    """Every .xsd/.rnc/.rng file under the roots (directories are searched recursively, zips opened)."""
    files: list[SchemaFile] = []
    skipped: list[SkippedSchema] = []
    for root in map(Path, roots):
        if not root.exists():
            raise VocabularyError(f"schema location {root} does not exist: fix settings.schema_paths (SPECMILL_SCHEMAS)")
        if root.is_file():
            candidates = [(root, root.name)]
        else:
            candidates = [(path, path.relative_to(root).as_posix()) for path in sorted(root.rglob("*")) if path.is_file()]
        for path, label in candidates:
            if path.suffix.lower() == ".zip":
                files.extend(_from_zip(path, label, skipped))
            elif (kind := _format_of(path.name)) is not None:
                files.append(SchemaFile(label, kind, path.read_bytes()))
    if not files and not skipped:
        raise VocabularyError(f"no .xsd, .rnc or .rng file found in {[str(r) for r in roots]}")
    return files, skipped


def vocabulary_from_files(files: Iterable[SchemaFile], *, roots: Sequence[str] = (), skipped: Sequence[SkippedSchema] = ()) -> Vocabulary:
    names: list[VocabularyName] = []
    summaries: list[SchemaFileSummary] = []
    skipped = list(skipped)
    declared: Counter[str] = Counter()
    for schema in files:
        try:
            found = schema.names()
        except MalformedSchemaError as exc:
            skipped.append(SkippedSchema(path=schema.label, reason=str(exc)))
            continue
        declared.update(name.kind for name in found)
        # Keep one entry per (name, kind, prefix) and file: enumerations repeat a lot.
        unique = list({(n.name, n.kind, n.prefix): n for n in found}.values())
        names.extend(unique)
        summaries.append(SchemaFileSummary(path=schema.label, format=schema.format, names=len(unique)))
    return Vocabulary(roots=list(roots), files=summaries, skipped=skipped, names=names, declaration_counts=dict(sorted(declared.items())))


def load_vocabulary(roots: Sequence[str | Path]) -> Vocabulary:
    """The vocabulary of every schema file under `roots`; malformed files are listed in `skipped`."""
    files, skipped = read_schema_files(roots)
    return vocabulary_from_files(files, roots=[str(r) for r in roots], skipped=skipped)
