"""Work a run may do in a forked child while it goes on: writing the cache after a large parse.

A cold run on 10,000 notes spends about a second encoding and writing the notes' facts, summaries and
signatures, while one of the two cores waits; the vault rules that follow need none of it. Forked, the
writes overlap the rules. The child shares the parent's memory (copy on write), writes only cache files
(each atomically, see `cache.Cache`), and leaves with `os._exit`: it never flushes the parent's buffered
output, never runs its exit handlers, never prints.

The child is an optimisation and nothing more. Where forking is unsafe or unavailable (other threads
running, Windows, macOS), or when the child fails, the work runs in this process, as it would have.
Every caller waits for the child before it returns: no process outlives the run.
"""

from __future__ import annotations

import os
import sys
import threading
from collections.abc import Callable


class Deferred:
    """Work, started in a child by `start` when that is safe, and done for sure by `finish`."""

    def __init__(self, *work: Callable[[], None]) -> None:
        self._work = list(work)
        self._pid = 0
        self._done = False

    def add(self, work: Callable[[], None]) -> None:
        """More work for the same child (before `start`)."""
        assert not self._pid and not self._done, "add work before the child starts"
        self._work.append(work)

    def _run(self) -> None:
        for work in self._work:
            work()

    def start(self) -> None:
        if self._done or self._pid or not can_fork():
            return
        try:
            pid = os.fork()
        except OSError:
            return  # no memory or process left for a child: `finish` does the work here
        if pid == 0:  # the child
            code = 1
            try:
                self._run()
                code = 0
            finally:
                os._exit(code)  # leave without the parent's exit handlers, never flushing its buffers
        self._pid = pid

    def finish(self) -> None:
        """The work is done when this returns: by the child, else here."""
        if self._done:
            return
        ok = self._wait()
        self._done = True
        if not ok:
            self._run()

    def abandon(self) -> None:
        """The run failed: wait for the child, if any, and do nothing more."""
        if not self._done:
            self._wait()
            self._done = True

    def _wait(self) -> bool:
        """Wait for the child; True if it did the work."""
        pid, self._pid = self._pid, 0
        if not pid:
            return False
        while True:
            try:
                _, status = os.waitpid(pid, 0)
            except ChildProcessError:
                return False
            except InterruptedError:  # pragma: no cover - retried by Python since 3.5
                continue
            return os.waitstatus_to_exitcode(status) == 0


def can_fork() -> bool:
    """Fork only a single-threaded process (a thread holding a lock at fork time leaves it held forever
    in the child), and not on macOS, whose system libraries are not safe to use in a forked child."""
    return hasattr(os, "fork") and sys.platform != "darwin" and threading.active_count() == 1
