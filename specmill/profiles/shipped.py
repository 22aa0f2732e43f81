"""The profiles shipped with specmill (profiles/*.yaml at the repository root), a profile asked
for by name or path, and the one loading of a profile file that every stage shares."""

from functools import lru_cache
from pathlib import Path

from schemas.profile import DocumentProfile
from specmill.errors import ProfileError

# specmill is installed editable (pip install -e .): the package folder sits in the repository,
# next to profiles/. Resolved from this file, not the working directory, so `dagster dev` and
# the CLI find it wherever they are started.
PROFILES_DIR = Path(__file__).resolve().parents[2] / "profiles"
PROFILE_SUFFIX = ".yaml"


def shipped_profile_names() -> list[str]:
    return sorted(path.stem for path in PROFILES_DIR.glob(f"*{PROFILE_SUFFIX}"))


def shipped_profile_path(name: str) -> Path:
    return PROFILES_DIR / f"{name}{PROFILE_SUFFIX}"


def resolve_profile(requested: str | Path) -> Path:
    """The file `requested` names: a shipped profile's name ('german-statute') or a path to a
    YAML file. ProfileError when it is neither, listing the shipped names."""
    requested = str(requested)
    path = Path(requested)
    is_a_name = path.name == requested and not path.suffix  # 'german-statute', not 'german-statute.yaml' or 'dir/x'
    if is_a_name and shipped_profile_path(requested).is_file():
        return shipped_profile_path(requested)
    if path.is_file():
        return path.resolve()
    what = f"unknown profile {requested!r}" if is_a_name else f"document profile not found: {requested}"
    raise ProfileError(f"{what}: give a shipped profile's name ({', '.join(shipped_profile_names())}) or a path to a YAML file")


def load_profile(path: Path) -> DocumentProfile:
    """The validated profile in `path`, read once a process for as long as the file keeps its
    modification time and size (every stage asks; an edited file is read again)."""
    path = Path(path).resolve()
    try:
        stat = path.stat()
    except OSError as exc:
        raise ProfileError(f"document profile not found: {path}") from exc
    if not path.is_file():
        raise ProfileError(f"document profile is not a file: {path}")
    return _load(path, stat.st_mtime_ns, stat.st_size)


@lru_cache(maxsize=16)
def _load(path: Path, mtime_ns: int, size: int) -> DocumentProfile:
    import yaml

    try:
        return DocumentProfile.load(path)
    except (OSError, UnicodeDecodeError, yaml.YAMLError, ValueError) as exc:  # ValueError: pydantic's ValidationError
        raise ProfileError(f"document profile {path} is invalid: {exc}") from exc


def shipped_profile(name: str) -> DocumentProfile:
    """A shipped profile by name ('german-statute'), validated."""
    return load_profile(resolve_profile(name))
