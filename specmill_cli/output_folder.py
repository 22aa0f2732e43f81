"""The --out folder: which of its entries are specmill's, and one build at a time.

Found by a hostile tester (issue 16): a `corpus/`, `report.md` or `summary.json` that the user
kept in --out was deleted or replaced without a word (the "another document" guard looked at
source.json only), and two builds into one folder ran at once. So:
- a build marks what it writes (MARK, a BuildMark written atomically) before it writes it, and
  lists what is there when it ends;
- a build refuses, before writing anything, a folder where a name it would write exists without
  the mark, naming those entries; every other entry (the PDF and XSD that `specmill sample` puts
  there, a scorer's files) is neither touched nor in the way;
- a folder written by a specmill from before the mark is recognised by its source.json, a valid
  source record;
- an exclusive flock on LOCK, taken without waiting, refuses a second build while one runs.
"""

from __future__ import annotations

import fcntl
import os
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

from pydantic import ValidationError

from schemas.artifacts import SOURCE
from schemas.outline import SourcePdf
from schemas.output_folder import BuildMark
from specmill.atomic import write_json_atomic
from specmill.errors import ArtifactError, OutputFolderError

MARK = ".specmill-build.json"
LOCK = ".specmill.lock"
DAGSTER_FOLDER = ".dagster"  # the instance's home when $DAGSTER_HOME is not set (pipeline.dagster_home)


def artifact_names() -> list[str]:
    """Every top-level name a build writes into its folder: the artifact catalogue's (when the
    store is this folder) and the build's own records."""
    from schemas import artifacts
    from specmill_cli.pipeline import BUILD_LOG, REPORT, SUMMARY

    names = [*artifacts.ALL, SUMMARY, REPORT, BUILD_LOG]
    if not os.environ.get("DAGSTER_HOME"):
        names.append(DAGSTER_FOLDER)
    return sorted(names)


def _present(path: Path) -> bool:
    return path.exists() or path.is_symlink()


def _shown(out: Path, name: str) -> str:
    return f"{name}/" if (out / name).is_dir() else name


def read_mark(out: Path) -> BuildMark | None:
    """The folder's mark; None when there is none or it cannot be read (then the folder is
    judged as one without a mark)."""
    try:
        return BuildMark.model_validate_json((out / MARK).read_bytes())
    except (OSError, ValueError):
        return None


def _read_source(out: Path) -> tuple[SourcePdf | None, str | None]:
    """source.json as a source record, or why it is not one (None, None: there is none)."""
    path = out / SOURCE
    if not _present(path):
        return None, None
    try:
        return SourcePdf.model_validate_json(path.read_bytes()), None
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(map(str, first.get("loc", ())))
        return None, f"{where}: {first['msg']}" if where else first["msg"]
    except (OSError, ValueError) as exc:
        return None, str(exc)


def require_writable_folder(out: Path) -> None:
    """--out, or the folder it would be created in, exists as a folder this process may write."""
    existing = out
    for _ in range(len(out.resolve().parts) + 1):  # up to the root, at most
        if _present(existing):
            break
        existing = existing.parent if existing != existing.parent else existing
    if not existing.is_dir():
        where = f"--out {out}" if existing == out else f"{existing} (where --out {out} would be created)"
        raise OutputFolderError(f"{where} is a file, not a folder: choose a folder for --out (it is created if missing)")
    if not os.access(existing, os.W_OK | os.X_OK):
        where = f"--out {out}" if existing == out else f"{existing}, where --out {out} would be created,"
        raise OutputFolderError(f"{where} is not writable: choose a folder you may write to")


def check_output_folder(out: Path, pdf_sha256: Callable[[], str]) -> set[str]:
    """Refuse, reading only, an --out that a build must not write to: a file, a folder it may
    not write, one holding names a build writes that specmill did not write, one whose
    source.json specmill wrote but is damaged, or one with another document's artifacts.
    `pdf_sha256` is called only when there is a source record to compare with. Returns the
    entries of the folder that are specmill's."""
    require_writable_folder(out)
    if not out.exists():
        return set()
    names = artifact_names()
    mark = read_mark(out)
    source, source_problem = _read_source(out)
    if mark is not None:
        owned = set(mark.artifacts)
    elif source is not None:  # written by a specmill from before the mark: its source record says so
        owned = set(names) | {DAGSTER_FOLDER}
    else:
        owned = set()
    foreign = [name for name in names if _present(out / name) and name not in owned]
    if foreign:
        listed = ", ".join(
            f"{name} (not a source record: {source_problem})" if name == SOURCE and source_problem
            else _shown(out, name)
            for name in foreign
        )
        them = "it" if len(foreign) == 1 else "them"
        raise OutputFolderError(
            f"{out} already holds {listed}, which specmill did not write and a build would replace: "
            f"move {them} away or choose another --out folder"
        )
    if source_problem is not None:
        raise OutputFolderError(
            f"{out / SOURCE} is damaged ({source_problem}): remove it and build again (the build writes it anew)"
        )
    if source is not None and source.sha256 != pdf_sha256():
        raise ArtifactError(
            f"{out} holds the artifacts of another document ({source.path}); choose another --out folder or remove it"
        )
    return {name for name in owned if _present(out / name)}


def claim(out: Path, source_sha256: str, owned: set[str]) -> None:
    """Mark every name this build may write as specmill's, with this process as the builder,
    before any of them is written (a build killed halfway leaves a folder the next build may
    reuse), and keep `owned`, what check_output_folder found to be specmill's already."""
    names = sorted(set(artifact_names()) | owned)
    write_json_atomic(out / MARK, BuildMark(source_sha256=source_sha256, artifacts=names, building_pid=os.getpid()))


def settle(out: Path, source_sha256: str) -> None:
    """The mark after a build, finished or not: the names it claimed that are there, no builder."""
    claimed = read_mark(out)
    names = set(artifact_names()) | set(claimed.artifacts if claimed is not None else ())
    present = sorted(name for name in names if _present(out / name))
    write_json_atomic(out / MARK, BuildMark(source_sha256=source_sha256, artifacts=present))


@contextmanager
def exclusive_build(out: Path) -> Iterator[None]:
    """Hold the folder's lock for the block, or refuse at once when another build holds it.
    Creates --out. The kernel releases the lock when the process ends, however it ends."""
    try:
        out.mkdir(parents=True, exist_ok=True)
        descriptor = os.open(out / LOCK, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o666)
    except OSError as exc:
        raise OutputFolderError(f"cannot write to --out {out}: {exc.strerror or exc}") from exc
    try:
        try:
            fcntl.flock(descriptor, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            mark = read_mark(out)
            builder = f" (pid {mark.building_pid})" if mark is not None and mark.building_pid else ""
            raise OutputFolderError(
                f"another specmill build{builder} is writing to {out}: wait for it to end, or choose another --out folder"
            ) from None
        yield
    finally:
        os.close(descriptor)
