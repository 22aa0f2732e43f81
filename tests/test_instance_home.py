"""An output folder's Dagster instance moves with it: a copied or moved folder records the runs of
its next build in itself, never in the folder it came from (dagster.yaml names its event history
by an absolute path, which `specmill build` rewrites when the folder is elsewhere)."""

import shutil
from pathlib import Path

import dagster as dg
import yaml

from specmill.sample import generate_sample
from specmill_cli.main import main
from specmill_cli.pipeline import INSTANCE_CONFIG, instance_config_for


def run_ids(out: Path) -> set[str]:
    with dg.DagsterInstance.from_config(str(out / ".dagster")) as instance:
        return {run.run_id for run in instance.get_runs()}


def logged_events(out: Path, run_id: str) -> int:
    with dg.DagsterInstance.from_config(str(out / ".dagster")) as instance:
        return len(instance.all_logs(run_id))


def test_a_copied_output_folder_records_its_runs_in_itself_and_not_in_the_original(tmp_path, monkeypatch):
    monkeypatch.delenv("DAGSTER_HOME", raising=False)
    document = generate_sample(tmp_path / "doc", pages=10)
    original = tmp_path / "original"
    assert main(["build", document.pdf_path, "--out", str(original), "--stop-after", "plan"]) == 0
    copy = tmp_path / "elsewhere" / "copy"
    shutil.copytree(original, copy)
    runs_before = run_ids(original)
    history = original / ".dagster" / "history"
    original_history = {path.name: path.read_bytes() for path in history.iterdir() if path.is_file()}

    assert main(["build", document.pdf_path, "--out", str(copy), "--stop-after", "plan"]) == 0

    config = yaml.safe_load((copy / ".dagster" / "dagster.yaml").read_text())
    assert config["event_log_storage"]["config"]["base_dir"] == str((copy / ".dagster" / "history").resolve())
    new_runs = run_ids(copy) - runs_before
    assert new_runs
    for run_id in new_runs:
        assert logged_events(copy, run_id) > 0
        assert logged_events(original, run_id) == 0
    assert run_ids(original) == runs_before
    assert {path.name: path.read_bytes() for path in history.iterdir() if path.is_file()} == original_history


LEGACY = """\
telemetry:
  enabled: false
# One event-log database for all runs: the default creates and migrates a new SQLite file per
# run, which cost about a quarter of a second for every parsed batch.
event_log_storage:
  module: dagster._core.storage.event_log
  class: ConsolidatedSqliteEventLogStorage
  config:
    base_dir: /old/place/.dagster/history
concurrency:
  pools:
    default_limit: 2
"""


def test_a_dagster_yaml_from_before_the_marker_moves_too_and_an_edited_one_keeps_its_edits(tmp_path):
    home = tmp_path / "new place" / ".dagster"
    moved = instance_config_for(home, LEGACY)
    assert yaml.safe_load(moved)["event_log_storage"]["config"]["base_dir"] == str(home / "history")
    assert instance_config_for(home, moved) is None  # right already: not rewritten
    edited = INSTANCE_CONFIG.format(history='"/old/place/.dagster/history"').replace("default_limit: 2", "default_limit: 4")
    relocated = yaml.safe_load(instance_config_for(home, edited))
    assert relocated["event_log_storage"]["config"]["base_dir"] == str(home / "history")
    assert relocated["concurrency"]["pools"]["default_limit"] == 4


def test_an_instance_specmill_did_not_write_is_left_alone(tmp_path):
    theirs = "storage:\n  postgres:\n    postgres_url: postgresql://localhost/dagster\n"
    assert instance_config_for(tmp_path, theirs) is None
