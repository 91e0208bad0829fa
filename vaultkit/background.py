"""Work a run may do in forked children: writing the cache after a large parse while the run goes on
(`Deferred`), and sharing out per-note work that needs the whole vault's state (`map_forked`).

A cold run on 10,000 notes spends about a second encoding and writing the notes' facts, summaries and
signatures, while one of the two cores waits; the vault rules that follow need none of it. Forked, the
writes overlap the rules. The child shares the parent's memory (copy on write), writes only cache files
(each atomically, see `cache.Cache`), and leaves with `os._exit`: it never flushes the parent's buffered
output, never runs its exit handlers, never prints.

`map_forked` shares out `link --check`'s plan of writes the same way: each planned write reads its note
and checks the edits against the run's facts, which a worker process would have to be sent (pickled, a
second or more on a large vault); a forked child has them already, and sends back only its results. (The
vault rules are not shared out so: they are cheap per note, and a child touching the whole heap copied
more pages than it saved time.)

A child is an optimisation and nothing more. Where forking is unsafe or unavailable (other threads
running, Windows, macOS), or when the child fails, the work runs in this process, as it would have.
Every caller waits for the child before it returns: no process outlives the run.
"""

from __future__ import annotations

import contextlib
import os
import sys
from collections.abc import Callable, Sequence
from typing import TypeVar

T = TypeVar("T")
R = TypeVar("R")


class Deferred:
    """Work, started in a child by `start` when that is safe, and done for sure by `finish`."""

    def __init__(self, *work: Callable[[], None]) -> None:
        self._work = work
        self._pid = 0
        self._done = False

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
    import threading  # here: a run that forks nothing (a warm one) does not pay for the imports

    return hasattr(os, "fork") and sys.platform != "darwin" and threading.active_count() == 1


def map_forked(work: Callable[[Sequence[T]], list[R]], items: Sequence[T], parts: int) -> list[R]:
    """`work(items)`, computed in `parts` slices: the first here, each other in a forked child that sends
    its results back pickled. The results are in the order of `items`. A slice whose child fails is
    computed here; with one part, or where forking is unsafe, everything is."""
    if parts < 2 or len(items) < parts or not can_fork():
        return work(items)
    size = -(-len(items) // parts)
    slices = [items[i : i + size] for i in range(0, len(items), size)]
    children = [(_fork_slice(work, part), part) for part in slices[1:]]
    left = [child for child, _part in children]  # not collected yet
    try:
        out = work(slices[0])
        for child, part in children:
            left[0] = (child[0], -1)  # its pipe is `_collect`'s to close, even when interrupted
            found: list[R] | None = _collect(child)
            del left[0]
            out.extend(found if found is not None else work(part))
    except BaseException:  # an interrupt (Ctrl-C) too, while waiting for a child: it is waited for first
        _abandon(left)
        raise
    return out


def _abandon(children: Sequence[tuple[int, int]]) -> None:
    """Wait for the children not collected: no child outlives the call (a `link` writer would go on writing
    notes after the command said it was aborted). A closed pipe ends a child's write of its results."""
    for pid, read in children:
        if read >= 0:
            os.close(read)
        if pid:
            with contextlib.suppress(ChildProcessError):
                os.waitpid(pid, 0)


def _fork_slice(work: Callable[[Sequence[T]], list[R]], part: Sequence[T]) -> tuple[int, int]:
    """(pid, read end of its pipe) of a child computing `work(part)`; (0, -1) if none could be forked."""
    try:
        read, write = os.pipe()
    except OSError:
        return 0, -1
    try:
        pid = os.fork()
    except OSError:
        os.close(read)
        os.close(write)
        return 0, -1
    if pid == 0:  # the child
        import pickle

        code = 1
        try:
            os.close(read)
            blob = pickle.dumps(work(part), protocol=pickle.HIGHEST_PROTOCOL)
            with os.fdopen(write, "wb") as out:
                out.write(blob)
            code = 0
        finally:
            os._exit(code)  # leave without the parent's exit handlers, never flushing its buffers
    os.close(write)
    return pid, read


def _collect(child: tuple[int, int]) -> list[R] | None:
    """The child's results, or None if it failed (its slice is then computed here)."""
    import pickle

    pid, read = child
    if not pid:
        return None
    with os.fdopen(read, "rb") as pipe:
        try:
            blob = pipe.read()  # to the end: the child writes, then exits
        except OSError:
            blob = b""
    try:
        _, status = os.waitpid(pid, 0)
    except ChildProcessError:
        return None
    if os.waitstatus_to_exitcode(status) != 0:
        return None
    try:
        found = pickle.loads(blob)  # our own child's pickle, through our own pipe
    except Exception:  # a torn pipe: the slice is computed here instead
        return None
    return found if isinstance(found, list) else None
