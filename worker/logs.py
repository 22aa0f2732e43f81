"""One JSON line per event, each carrying the job id it belongs to.

RunPod collects stdout/stderr line by line; a JSON object per line is what a log search can
filter on (`job_id`, `event`). The optional sink forwards the same record to OpenTelemetry.
"""

from __future__ import annotations

import json
import sys
import threading
from collections.abc import Callable
from datetime import datetime, timezone
from typing import Any, TextIO

LogSink = Callable[[dict[str, Any]], None]


class EventLog:
    def __init__(self, stream: TextIO | None = None, sink: LogSink | None = None) -> None:
        self._stream = stream
        self._sink = sink
        # Jobs run concurrently on one loop, and MinerU logs from threads: keep lines whole.
        self._lock = threading.Lock()

    def event(self, event: str, *, job_id: str | None, level: str = "info", **fields: Any) -> dict[str, Any]:
        record: dict[str, Any] = {
            "ts": datetime.now(timezone.utc).isoformat(timespec="milliseconds"),
            "level": level,
            "event": event,
            "job_id": job_id,
            **fields,
        }
        line = json.dumps(record, default=str, ensure_ascii=False)
        stream = self._stream or sys.stderr
        with self._lock:
            stream.write(line + "\n")
            stream.flush()
        if self._sink is not None:
            self._sink(record)
        return record
