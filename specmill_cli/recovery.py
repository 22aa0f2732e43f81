"""Clean up after a `specmill build` that was killed mid-run, before the next one starts.

Found by the kill-and-resume test: an in-process run claims a slot of the "parse" pool for its
step; when the process is SIGKILLed the run stays STARTED and the slot stays claimed forever,
so with the pool at workersMax the re-run's parse steps wait for slots nobody will free
(Dagster's run monitoring frees them only for runs its daemon launched).

A run is treated as dead only when all of these hold: it is STARTING/STARTED, it carries no tags
but the partition ones (runs `specmill build` executes in-process; UI launches and backfills
carry dagster/* tags of their own), it recorded the pid it executed in, and no process with that
pid exists on this machine. Such a run is marked failed and its pool slots are released.
"""

from __future__ import annotations

import os

import dagster as dg

_CLI_RUN_TAGS = frozenset({"dagster/partition", "dagster/partition_set"})


def _executing_pid(instance: dg.DagsterInstance, run_id: str) -> int | None:
    for record in instance.all_logs(run_id, of_type=dg.DagsterEventType.ENGINE_EVENT):
        metadata = getattr(record.dagster_event.event_specific_data, "metadata", None) or {}
        pid = metadata.get("pid")
        if pid is not None:
            try:
                return int(getattr(pid, "value", pid))
            except (TypeError, ValueError):
                return None
    return None


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True  # exists, owned by someone else
    return True


def release_dead_cli_runs(instance: dg.DagsterInstance, job_name: str) -> list[str]:
    """Mark in-process runs of `job_name` whose process is gone as failed and free their pool
    slots; returns their run ids."""
    released = []
    in_flight = dg.RunsFilter(job_name=job_name, statuses=[dg.DagsterRunStatus.STARTING, dg.DagsterRunStatus.STARTED])
    for run in instance.get_runs(filters=in_flight):
        if not set(run.tags) <= _CLI_RUN_TAGS:
            continue
        pid = _executing_pid(instance, run.run_id)
        if pid is None or pid == os.getpid() or _alive(pid):
            continue
        instance.report_run_failed(run, message=f"the specmill build process (pid {pid}) is gone; run abandoned")
        instance.event_log_storage.free_concurrency_slots_for_run(run.run_id)
        released.append(run.run_id)
    return released
