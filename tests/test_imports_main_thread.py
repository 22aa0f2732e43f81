"""No module is imported outside the main thread during `specmill build`.

An import in a background thread races the imports of the other threads (a Great Expectations
warm-up thread once met `partially initialized module 'sqlalchemy.orm.exc'`) and hangs on
Ctrl-C. The build runs in a fresh interpreter with an import hook installed before anything of
specmill is imported: a `sys.meta_path` finder that records the thread of every import and finds
nothing itself, so the imports go on as usual."""

import importlib.util
import json
import subprocess
import sys
import threading
from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parent.parent


class ImportRecorder:
    """A meta path finder that only watches: the import system asks it first about every module
    not imported yet, in the importing thread."""

    def __init__(self) -> None:
        self.imports: list[tuple[str, str]] = []  # (module, thread name)

    def find_spec(self, fullname, path=None, target=None):
        thread = threading.current_thread()
        self.imports.append((fullname, "main" if thread is threading.main_thread() else thread.name))
        return None


def record_imports_of_build(record_path: str, *build_args: str) -> None:
    """Run in the fresh interpreter: the hook first, then the whole `specmill build`."""
    recorder = ImportRecorder()
    sys.meta_path.insert(0, recorder)
    from specmill_cli.main import main

    exit_status = main(["build", *build_args])
    Path(record_path).write_text(json.dumps({"exit_status": exit_status, "imports": recorder.imports}))


def build_recording_imports(record: Path, *build_args) -> dict:
    # -c, not a script: spawned parse workers re-import a script's __main__, never a -c one.
    code = "import sys; from tests.test_imports_main_thread import record_imports_of_build; record_imports_of_build(*sys.argv[1:])"
    result = subprocess.run(
        [sys.executable, "-c", code, str(record), *map(str, build_args)], cwd=REPO_ROOT, capture_output=True, text=True, timeout=900,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    return json.loads(record.read_text())


def test_the_recorder_sees_an_import_made_by_a_thread():
    """The hook can fail the test below: an import in another thread is recorded as such."""
    recorder = ImportRecorder()
    sys.meta_path.insert(0, recorder)
    try:
        # find_spec asks every finder, as an import does, without raising for a missing module.
        thread = threading.Thread(target=importlib.util.find_spec, args=("specmill_no_such_module_for_the_recorder",), name="importer")
        thread.start()
        thread.join()
    finally:
        sys.meta_path.remove(recorder)
    assert ("specmill_no_such_module_for_the_recorder", "importer") in recorder.imports


@pytest.mark.slow
@pytest.mark.parametrize("jobs", [1, 2], ids=["parse-in-process", "parse-workers"])
def test_every_import_of_a_build_happens_in_the_main_thread(tmp_path: Path, jobs: int):
    """jobs 1: MinerU parses in the build's own process; jobs 2: worker processes parse while
    the main thread imports Great Expectations. The workers are other processes, with threads of
    their own that this hook does not watch; what matters is the process running the stages."""
    from specmill.sample import generate_sample

    document = generate_sample(tmp_path / "doc", pages=10)
    record = build_recording_imports(
        tmp_path / "imports.json", document.pdf_path, "--out", tmp_path / "out", "--schemas", document.xsd_path, "--jobs", jobs,
    )
    assert record["exit_status"] == 0
    modules = {module for module, _ in record["imports"]}
    # The build imported what its checks need (not only what the CLI needs to start), so the hook saw the build.
    assert "great_expectations" in modules and "definitions" in modules
    off_main = sorted({(module, thread) for module, thread in record["imports"] if thread != "main"})
    assert off_main == []
