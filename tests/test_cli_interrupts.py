"""Ctrl-C (SIGINT) and SIGTERM stop `specmill build` within seconds: parse workers stopped, no run
left started, complete batches kept, exit 130 / 143, and one line saying how to resume (issue 16:
SIGINT was ignored, or hung the build, or ended it with exit 0).

The builds run as a user runs them, in a subprocess, on a generated document planned into many
small batches; the signal is sent once the first batch artifact is written, so that some batches
are complete and others are not."""

import json
import os
import shlex
import signal
import subprocess
import sys
import threading
import time
from dataclasses import dataclass
from pathlib import Path

import dagster as dg
import pytest

from schemas.blocks import ParsedBatchArtifact
from schemas.plan import BatchPlan
from specmill_cli.interrupts import BuildInterrupted, stop_signals
from specmill_cli.pipeline import execute_job

REPO_ROOT = Path(__file__).resolve().parent.parent
SMALL_BATCHES = "plan:\n  target_pages: 3\n  max_pages: 6\n  min_batch_pages: 1\n"
STOPPED_WITHIN_S = 60  # generous for a shared 2-core machine; a stop takes a few seconds


@dataclass
class Stopped:
    command: list[str]
    out: Path
    exit_status: int
    terminal: str
    done: list[str]  # batches with a complete artifact when the build stopped
    missing: list[str]
    children: list[int]  # the build's child processes just before the signal


@pytest.fixture(scope="module")
def document(tmp_path_factory: pytest.TempPathFactory) -> dict:
    from specmill.sample import generate_sample

    work = tmp_path_factory.mktemp("interrupts")
    sample = generate_sample(work / "doc", pages=40)
    profile = work / "small-batches.yaml"
    profile.write_text(SMALL_BATCHES)
    return {"work": work, "pdf": sample.pdf_path, "profile": profile}


def child_pids(pid: int) -> list[int]:
    """Processes whose parent is `pid`, from /proc (field 4 of stat, after the command name)."""
    children = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except (OSError, IndexError):
            continue
        if int(fields[1]) == pid:
            children.append(int(stat.parent.name))
    return children


def alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return Path(f"/proc/{pid}").exists() and "Z" not in _state(pid)


def _state(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (OSError, IndexError):
        return "Z"


def stop_build_while_parsing(document: dict, out: Path, signum: int, *extra: str) -> Stopped:
    args = ["build", str(document["pdf"]), "--out", str(out), "--profile", str(document["profile"]), "--stop-after", "parse"]
    args += extra
    log = out.parent / f"{out.name}.log"
    with open(log, "w") as terminal:
        process = subprocess.Popen(
            [sys.executable, "-m", "specmill_cli.main", *args], cwd=REPO_ROOT, stdout=terminal, stderr=subprocess.STDOUT,
        )
        try:
            deadline = time.monotonic() + 300
            while time.monotonic() < deadline and process.poll() is None:
                if list((out / "batches").glob("b*.json")):
                    break
                time.sleep(0.05)
            assert process.poll() is None, "the build ended before it could be stopped:\n" + log.read_text()
            children = child_pids(process.pid)
            os.kill(process.pid, signum)
            exit_status = process.wait(timeout=STOPPED_WITHIN_S)
        finally:
            if process.poll() is None:
                process.kill()
                process.wait(timeout=30)
    plan = BatchPlan.model_validate_json((out / "plan.json").read_bytes())
    done = sorted(path.stem for path in (out / "batches").glob("b*.json"))
    for batch_id in done:  # complete and valid, every one of them
        ParsedBatchArtifact.model_validate_json((out / "batches" / f"{batch_id}.json").read_bytes())
    missing = [batch.batch_id for batch in plan.batches if batch.batch_id not in done]
    return Stopped(["specmill", *args], out, exit_status, log.read_text(), done, missing, children)


def runs_in_flight(out: Path) -> list[str]:
    with dg.DagsterInstance.from_config(str(out / ".dagster")) as instance:
        statuses = [dg.DagsterRunStatus.STARTING, dg.DagsterRunStatus.STARTED, dg.DagsterRunStatus.QUEUED]
        in_flight = dg.RunsFilter(statuses=statuses)
        return [f"{run.job_name} {run.tags.get('dagster/partition')}" for run in instance.get_runs(filters=in_flight)]


@pytest.fixture(scope="module")
def stopped_by_ctrl_c(document: dict) -> Stopped:
    return stop_build_while_parsing(document, document["work"] / "ctrl-c", signal.SIGINT)


@pytest.fixture(scope="module")
def stopped_by_sigterm(document: dict) -> Stopped:
    return stop_build_while_parsing(document, document["work"] / "sigterm", signal.SIGTERM, "--jobs", "2")


def assert_stopped_with_resume_line(stopped: Stopped, name: str, exit_status: int) -> None:
    assert stopped.exit_status == exit_status, stopped.terminal
    assert "Traceback" not in stopped.terminal, stopped.terminal
    assert stopped.done and stopped.missing, f"stopped too late to test anything: done {stopped.done}"
    (line,) = [line for line in stopped.terminal.splitlines() if "resume" in line]
    assert line.startswith(f"specmill: stopped by {name};")
    assert line.endswith(f"resume with the same command: {shlex.join(stopped.command)}")
    summary = json.loads((stopped.out / "summary.json").read_text())
    assert summary["interrupted"] == name and summary["passed"] is False
    assert runs_in_flight(stopped.out) == []


@pytest.mark.slow
def test_ctrl_c_stops_a_build_with_exit_130_and_says_how_to_resume(stopped_by_ctrl_c: Stopped):
    assert_stopped_with_resume_line(stopped_by_ctrl_c, "SIGINT", 130)


@pytest.mark.slow
def test_the_same_command_after_ctrl_c_reuses_the_complete_batches(stopped_by_ctrl_c: Stopped):
    stopped = stopped_by_ctrl_c
    rerun = subprocess.run(
        [sys.executable, "-m", "specmill_cli.main", *stopped.command[1:]],
        cwd=REPO_ROOT, capture_output=True, text=True, timeout=600,
    )
    assert rerun.returncode == 0, rerun.stdout + rerun.stderr
    reused_lines = [line for line in rerun.stdout.splitlines() if line.strip().endswith("reused (complete artifact from an earlier run)")]
    reused = sorted(line.split()[0] for line in reused_lines)
    assert reused == stopped.done
    figures = json.loads((stopped.out / "summary.json").read_text())["stages"]["parse"]["figures"]
    assert figures["batches_reused"] == len(stopped.done) and figures["batches_parsed"] == len(stopped.missing)


@pytest.mark.slow
def test_sigterm_stops_a_build_and_its_parse_workers_with_exit_143(stopped_by_sigterm: Stopped):
    assert_stopped_with_resume_line(stopped_by_sigterm, "SIGTERM", 143)
    assert stopped_by_sigterm.children, "no parse worker was running when the signal was sent"
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline and any(alive(pid) for pid in stopped_by_sigterm.children):
        time.sleep(0.1)
    assert [pid for pid in stopped_by_sigterm.children if alive(pid)] == []


def test_a_stop_signal_during_a_dagster_run_stops_the_build_and_marks_the_run_canceled():
    """Dagster turns a signal during a run into a failed run and returns; the build must stop
    all the same, telling SIGINT from SIGTERM, with the run canceled rather than failed."""
    started = threading.Event()

    @dg.asset
    def slow() -> None:
        started.set()
        for _ in range(300):  # 30 s at most; the signal ends it long before
            time.sleep(0.1)

    defs = dg.Definitions(assets=[slow], jobs=[dg.define_asset_job("slow_job", selection=[slow])])

    def interrupt_once_running() -> None:
        if started.wait(timeout=60):
            os.kill(os.getpid(), signal.SIGINT)

    with dg.instance_for_test() as instance, stop_signals():
        sender = threading.Thread(target=interrupt_once_running)
        sender.start()
        with pytest.raises(BuildInterrupted) as stopped:
            execute_job(defs, instance, "slow_job")
        sender.join(timeout=60)
        (run,) = instance.get_runs()
    assert stopped.value.signum == signal.SIGINT and stopped.value.exit_status == 130
    assert run.status == dg.DagsterRunStatus.CANCELED


class _RaisesWhenCollected:
    """Raises the given exception from __del__, where the interpreter cannot propagate it and
    reports it as "Exception ignored" with a traceback: where a signal handler's exception lands
    when the signal arrives during a garbage-collection callback (seen in CI, in SQLAlchemy's)."""

    def __init__(self, error: BaseException) -> None:
        self.error = error

    def __del__(self) -> None:
        raise self.error


def test_a_stop_exception_raised_where_it_cannot_propagate_prints_no_traceback(monkeypatch):
    from dagster._core.errors import DagsterExecutionInterruptedError

    reported: list[BaseException] = []  # what reaches the hook in effect before (the interpreter's prints it)
    monkeypatch.setattr(sys, "unraisablehook", lambda unraisable: reported.append(unraisable.exc_value))
    with stop_signals():
        _RaisesWhenCollected(DagsterExecutionInterruptedError())
        _RaisesWhenCollected(BuildInterrupted(signal.SIGINT))
        _RaisesWhenCollected(ValueError("a real fault in a finaliser"))
    assert [type(error).__name__ for error in reported] == ["ValueError"]  # other faults are still reported
