"""Ctrl-C (SIGINT) and SIGTERM stop a build within seconds, whatever it is doing.

Found by a hostile tester (issue 16): SIGINT during a build was ignored, or ended one run as
failed while the build went on, or ended with exit 0. Dagster's in-process execution replaces
the SIGINT handler for the length of every run (and points SIGTERM at it): inside an asset it
raises DagsterExecutionInterruptedError, which fails the run, and with raise_on_error=False the
caller only sees a failed run; a signal that arrives between two steps sets a flag that the end
of the run clears, so it is lost.

So a build watches for the two signals in two ways:
- between runs, a handler of its own raises BuildInterrupted at once;
- during runs, the interpreter's wakeup fd: for every signal that has a Python handler (Dagster's
  too) the interpreter writes the signal's number to it. `raise_if_stopped()` reads it after
  each run, so no signal is lost, and it tells SIGINT (exit 130) from SIGTERM (exit 143).

A signal handler's exception that lands where it cannot propagate (a garbage-collection
callback, a __del__) is printed by the interpreter as "Exception ignored … Traceback": seen in CI
with Dagster's DagsterExecutionInterruptedError raised inside SQLAlchemy's weakref callback. The
signal is recorded all the same, so inside a watch such reports are silenced (sys.unraisablehook).

Signal state is process-wide, so the watch in effect is kept at module level (one at a time);
signals can only be handled in the main thread, so elsewhere watching is a no-op."""

from __future__ import annotations

import os
import signal
import sys
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass

STOP_SIGNALS = (signal.SIGINT, signal.SIGTERM)


class BuildInterrupted(KeyboardInterrupt):
    """SIGINT or SIGTERM reached the build. A KeyboardInterrupt, so that code which cleans up
    after Ctrl-C (Dagster's, the executor's) does the same for it."""

    def __init__(self, signum: int) -> None:
        super().__init__(signum)
        self.signum = signum

    @property
    def signal_name(self) -> str:
        return signal.Signals(self.signum).name

    @property
    def exit_status(self) -> int:
        """128 + the signal's number, as a shell reports a process the signal ended: 130, 143."""
        return 128 + self.signum


@dataclass
class _Watch:
    read_fd: int
    # What the handler does besides recording the signal: "raise" BuildInterrupted (the build's
    # process), "worker" (a parse worker: nothing on a batch, exit when idle), "record" (nothing).
    mode: str
    busy: bool = False  # a parse worker is on a batch
    received: int | None = None  # the first stop signal seen

    def poll(self) -> int | None:
        """The first stop signal received so far (reading what the interpreter wrote)."""
        for _ in range(1024):  # the pipe holds at most a few bytes per signal; bounded all the same
            try:
                data = os.read(self.read_fd, 256)
            except (BlockingIOError, InterruptedError):
                break
            if not data:
                break
            for number in data:
                if number in STOP_SIGNALS and self.received is None:
                    self.received = number
        return self.received


_WATCHES: list[_Watch] = []


@contextmanager
def stop_signals() -> Iterator[None]:
    """Within the block SIGINT and SIGTERM raise BuildInterrupted (between runs) or are noticed
    by raise_if_stopped() (after a run). The handlers and the wakeup fd in effect before are
    restored afterwards."""
    restore = watch_stop_signals()
    try:
        yield
    finally:
        restore()


def watch_stop_signals(worker: bool = False) -> Callable[[], None]:
    """Start watching (see stop_signals); returns what undoes it. A SIGINT that the parent shell
    told this process to ignore (a background job) is handled too: a build asked to stop stops.
    No-op outside the main thread and when a watch is already in effect.

    A parse worker process watches for its whole life, with `worker` True. On a batch (in
    `busy()`) a signal is only recorded, for raise_if_stopped() to act on before and after its
    run (and Dagster's handler to act on during it); idle, the worker ends quietly (SystemExit),
    as it ended on SIGTERM before it watched (the executor terminates the workers of a broken
    pool with SIGTERM and waits for them). BuildInterrupted raised in an idle worker would end it
    with a traceback on the terminal."""
    if threading.current_thread() is not threading.main_thread() or _WATCHES:
        return lambda: None
    read_fd, write_fd = os.pipe()
    os.set_blocking(read_fd, False)
    os.set_blocking(write_fd, False)
    watch = _Watch(read_fd, "worker" if worker else "raise")

    def stop(signum: int, _frame) -> None:
        if watch.received is None:
            watch.received = signum
        if watch.mode == "raise":
            raise BuildInterrupted(signum)
        if watch.mode == "worker" and not watch.busy:
            raise SystemExit(128 + signum)

    previous_handlers = {number: signal.getsignal(number) for number in STOP_SIGNALS}
    previous_unraisablehook = sys.unraisablehook
    sys.unraisablehook = _quiet_about_stops(previous_unraisablehook)
    previous_fd = signal.set_wakeup_fd(write_fd, warn_on_full_buffer=False)
    for number in STOP_SIGNALS:
        signal.signal(number, stop)
    _WATCHES.append(watch)

    def restore() -> None:
        if watch in _WATCHES:
            _WATCHES.remove(watch)
        for number, handler in previous_handlers.items():
            signal.signal(number, handler if handler is not None else signal.SIG_DFL)
        signal.set_wakeup_fd(previous_fd)
        sys.unraisablehook = previous_unraisablehook
        os.close(read_fd)
        os.close(write_fd)

    return restore


def is_stop_exception(error: BaseException | None) -> bool:
    """The exception a stop signal's handler raises: ours (a KeyboardInterrupt) or Dagster's
    DagsterExecutionInterruptedError (named, not imported: this module stays free of Dagster)."""
    if error is None:
        return False
    return isinstance(error, KeyboardInterrupt) or type(error).__name__ == "DagsterExecutionInterruptedError"


def _quiet_about_stops(previous: Callable) -> Callable:
    def hook(unraisable) -> None:
        if is_stop_exception(unraisable.exc_value) and _WATCHES:
            _WATCHES[0].poll()  # the signal is in the wakeup fd as well; nothing is lost
            return
        previous(unraisable)

    return hook


@contextmanager
def busy() -> Iterator[None]:
    """A parse worker on a batch: a stop signal is recorded, not an exit (see watch_stop_signals)."""
    watch = _WATCHES[0] if _WATCHES else None
    if watch is not None:
        watch.busy = True
    try:
        yield
    finally:
        if watch is not None:
            watch.busy = False


def stop_quietly() -> None:
    """From now on a stop signal is only recorded: for the few lines that report a stop, which a
    second Ctrl-C must not turn into a traceback."""
    for watch in _WATCHES:
        watch.mode = "record"


def stop_signal_received() -> int | None:
    """SIGINT or SIGTERM when one reached this process inside stop_signals(), else None."""
    return _WATCHES[0].poll() if _WATCHES else None


def raise_if_stopped() -> None:
    """Raise BuildInterrupted when a stop signal arrived, for instance during a Dagster run,
    which turned it into a failed run (or lost it)."""
    signum = stop_signal_received()
    if signum is not None:
        raise BuildInterrupted(signum)
