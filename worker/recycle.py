"""When a worker process should be replaced by a fresh one.

Long-lived parser processes accumulate memory (model caches, fragmented heaps, threads left
behind by a timed-out parse). Recycling after N jobs or N pages bounds that; RunPod starts a
new worker when one answers with `refresh_worker`.
"""

from __future__ import annotations

import threading


class RecyclePolicy:
    def __init__(self, *, max_jobs: int = 0, max_pages: int = 0) -> None:
        """0 means no limit on that count."""
        self.max_jobs = max_jobs
        self.max_pages = max_pages
        self.jobs = 0
        self.pages = 0
        self._lock = threading.Lock()

    def record(self, pages: int) -> bool:
        """Count one finished job; True once the worker has done its share."""
        with self._lock:
            self.jobs += 1
            self.pages += pages
            return self.exhausted

    @property
    def exhausted(self) -> bool:
        return (self.max_jobs > 0 and self.jobs >= self.max_jobs) or (self.max_pages > 0 and self.pages >= self.max_pages)
