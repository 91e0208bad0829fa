"""Work a run may do in forked children: writing the cache after a large parse while the run goes on
(`Deferred`), and sharing out per-note work that needs the whole vault's state (`map_forked`).

A cold run on 10,000 notes spends about a second encoding and writing the notes' facts, summaries and
signatures, while one of the two cores waits; the vault rules that follow need none of it. Forked, the
writes overlap the rules. The child shares the parent's memory (copy on write), writes only cache files
(each atomically, see `cache.Cache`), and leaves with `os._exit`: it never flushes the parent's buffered
output, never runs its exit handlers, never prints.

`map_forked` shares out `link --check`'s plan of writes the same way: each planned write reads its note
and checks the edits against the run's facts, which a worker process would have to be sent (pickled, a
second or more on a large vault); a forked child has them already, and sends back only its results. The
vault rules of a large run that only reports are shared out so too (`engine.Runner._diagnostics`): they
need the whole vault state, and ran on one core while the other sat idle.

A child is an optimisation and nothing more. Where forking is unsafe or unavailable (other threads
running, Windows, macOS), or when the child fails, the work runs in this process, as it would have.
Every caller waits for the child before it returns: no process outlives the run.
"""

from __future__ import annotations

import contextlib
import os
import signal
import sys
from collections.abc import Callable, Iterable, Sequence
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
        parent = os.getpid()
        # Stops held until the child is recorded: one raised just after the fork left it unknown to
        # `finish` and `abandon`, writing the cache after the run had exited.
        held = _holding(STOPS)
        try:
            try:
                pid = os.fork()
            except OSError:
                return  # no memory or process left for a child: `finish` does the work here
            if pid == 0:  # the child
                code = 1
                try:
                    if held is not None:
                        signal.pthread_sigmask(signal.SIG_SETMASK, held)
                    if not follow_parent(parent):
                        return  # the run is gone: the work is for no one (`finally` leaves)
                    self._run()
                    code = 0
                finally:
                    os._exit(code)  # leave without the parent's exit handlers, never flushing its buffers
            self._pid = pid
        finally:
            if held is not None:
                signal.pthread_sigmask(signal.SIG_SETMASK, held)

    @property
    def started(self) -> bool:
        """A child is doing the work (it keeps a core busy until it is done)."""
        return bool(self._pid)

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


_PR_SET_PDEATHSIG = 1  # linux/prctl.h


def follow_parent(parent: int) -> bool:
    """In a child just forked by `parent`: have the kernel send it SIGTERM when the parent dies (Linux's
    PR_SET_PDEATHSIG), so that a run killed outright (SIGKILL, the OOM killer), which cannot stop its
    children, does not leave them working on, a writer writing notes after the command is gone. SIGTERM,
    not SIGKILL: a writer stops between two notes, never inside one. False if the parent is already gone
    (it died before the request was made: the kernel would never send it). Where the request cannot be
    made (no `ctypes`, not Linux) nothing changes; a writer also checks its parent between notes
    (`parent_alive`). Call it only in a child of a single-threaded parent: the signal follows the parent
    *thread* that forked."""
    if sys.platform.startswith("linux"):
        try:
            import ctypes

            libc = ctypes.CDLL(None, use_errno=True)
            libc.prctl(_PR_SET_PDEATHSIG, int(signal.SIGTERM), 0, 0, 0)
        except (ImportError, OSError, AttributeError, TypeError):
            pass  # no ctypes or no prctl: `parent_alive` between notes is all there is
    return parent_alive(parent)


def parent_alive(parent: int) -> bool:
    """Whether the process that forked this one still runs: once it dies the child is adopted by another
    (init, a subreaper) and its parent id changes."""
    return os.getppid() == parent


def map_forked(
    work: Callable[[Sequence[T]], Iterable[R]],
    items: Sequence[T],
    parts: int,
    lost: Callable[[Sequence[T], str], list[R]] | None = None,
) -> list[R]:
    """`work(items)`, computed in `parts` slices: the first here, each other in a forked child that sends
    each result back pickled as soon as it has it. The results are in the order of `items`.

    A child that dies (killed, or failing) has its results up to then kept; the items it had not finished
    are computed here, or, given `lost`, handed to `lost(those items, why the child died)` for their
    results: work that writes notes must not be done twice (a note a dead writer had written would be
    refused here as changed since it was read). With one part, or where forking is unsafe, everything is
    computed here. A child stops between two results when asked to (SIGTERM, SIGHUP, Ctrl-C); an interrupt
    here (those signals raise `Stopped` or KeyboardInterrupt) asks every child to stop, and waits for it."""
    if parts < 2 or len(items) < parts or not can_fork():
        return list(work(items))
    size = -(-len(items) // parts)
    slices = [items[i : i + size] for i in range(0, len(items), size)]
    children: list[tuple[tuple[int, int], Sequence[T]]] = []
    left: list[tuple[int, int]] = []  # not collected yet
    # Stops held until every child is in `left`: one raised as a child was just forked (before it was
    # recorded) left it working on after the run had ended, never asked to stop nor waited for.
    held = _holding(STOPS)
    try:
        try:
            for part in slices[1:]:
                child = _fork_slice(work, part, held)
                children.append((child, part))
                left.append(child)
        finally:
            if held is not None:
                signal.pthread_sigmask(signal.SIG_SETMASK, held)
        out = list(work(slices[0]))
        for child, part in children:
            found: list[R]
            found, why = _collect(child)
            left[0] = (child[0], -1)  # its file closed now, never twice (by `_abandon` if interrupted)
            if child[1] >= 0:
                os.close(child[1])
            del left[0]
            out.extend(found)
            rest = part[len(found) :]
            if rest:
                out.extend(work(rest) if lost is None or why is None else lost(rest, why))
    except BaseException:  # an interrupt (Ctrl-C, SIGTERM) too, waiting for a child: children are waited for
        _abandon(left)
        raise
    return out


def _abandon(children: Sequence[tuple[int, int]]) -> None:
    """Ask the children not collected to stop (each does, between two results: never in the middle of a
    note's write) and wait for them: no child outlives the call (a `link` writer would go on writing notes
    after the command said it was stopped). A second SIGTERM meanwhile waits until they are."""
    held = _holding(TERMINATE)  # not Ctrl-C: a user's way out, should a child hang
    try:
        _stop_and_wait(children)
    finally:
        if held is not None:
            signal.pthread_sigmask(signal.SIG_SETMASK, held)


def holding_stops() -> set[int | signal.Signals] | None:
    """Block the stop signals (SIGTERM, SIGHUP, Ctrl-C) in this thread; the mask before is returned, for
    `signal.pthread_sigmask(signal.SIG_SETMASK, mask)` (None where signals cannot be masked)."""
    return _holding(STOPS)


def _holding(signals: Iterable[int]) -> set[int | signal.Signals] | None:
    """Block `signals`; the mask before is returned (None where signals cannot be masked)."""
    if not hasattr(signal, "pthread_sigmask"):  # pragma: no cover - Windows
        return None
    return signal.pthread_sigmask(signal.SIG_BLOCK, signals)


def _stop_and_wait(children: Sequence[tuple[int, int]]) -> None:
    for pid, _results in children:
        if pid and _running(pid):
            with contextlib.suppress(OSError):
                os.kill(pid, signal.SIGTERM)
    for pid, results in children:
        if pid:
            with contextlib.suppress(ChildProcessError):
                os.waitpid(pid, 0)
        if results >= 0:
            os.close(results)


def _running(pid: int) -> bool:
    """Whether our child `pid` has not ended yet (False once it was waited for: its pid may be another's)."""
    try:
        return os.waitid(os.P_PID, pid, os.WEXITED | os.WNOHANG | os.WNOWAIT) is None
    except ChildProcessError:
        return False


class _Failure:
    """What a child sends last when its work failed or it was asked to stop: why, for the parent to say."""

    def __init__(self, why: str) -> None:
        self.why = why


TERMINATE = (signal.SIGTERM, *((signal.SIGHUP,) if hasattr(signal, "SIGHUP") else ()))
# The signals that stop a run, as Ctrl-C does: masked, or answered, together by the pool, the forked
# writers and the watch (TERMINATE: those Python does not answer itself, `stopped_as_interrupted`'s)
STOPS = (*TERMINATE, signal.SIGINT)


def hangup_ignored(sig: int) -> bool:
    """Whether `sig` is SIGHUP and ignored as the command starts (nohup's way of saying: outlive the
    terminal): such a SIGHUP stays ignored, where answered it stopped the command as the terminal closed,
    what nohup is there to prevent. Only SIGHUP: a shell starts a background job with Ctrl-C ignored too,
    but no Ctrl-C reaches such a job, and a SIGINT sent to it by `kill -INT` is still meant to stop it."""
    return sig == getattr(signal, "SIGHUP", None) and signal.getsignal(sig) is signal.SIG_IGN


_stop_asked: list[int] = []  # in a child: the signals that asked it to stop


def _fork_slice(
    work: Callable[[Sequence[T]], Iterable[R]], part: Sequence[T], mask: set[int | signal.Signals] | None
) -> tuple[int, int]:
    """(pid, file of its results) of a child computing `work(part)`; (0, -1) if none could be forked.
    Called with the stop signals held; `mask` is the one from before, which the child sets once its own
    handlers are in place (a stop signal sent meanwhile reaches it then).

    The child appends each result to an unnamed temporary file as soon as it has it, where a pipe held
    them until the end: the parent then knows what a child killed halfway had done (a pipe cannot be read
    until the parent's own slice is done, and a full one would stall the child)."""
    import tempfile

    try:
        with tempfile.TemporaryFile() as file:  # no name: nothing to remove, even after a crash
            results = os.dup(file.fileno())
    except OSError:
        return 0, -1
    parent = os.getpid()
    try:
        pid = os.fork()
    except OSError:
        os.close(results)
        return 0, -1
    if pid == 0:  # the child
        code = 1
        try:
            code = _serve(work, part, results, mask, parent)
        finally:
            os._exit(code)  # leave without the parent's exit handlers, never flushing its buffers
    return pid, results


def _serve(
    work: Callable[[Sequence[T]], Iterable[R]],
    part: Sequence[T],
    results: int,
    mask: set[int | signal.Signals] | None,
    parent: int,
) -> int:
    """In the child: send each result of `work(part)`; stop between two when a stop signal comes, or when
    the parent is gone (killed outright: no one waits for the results, and the user thinks the run over)."""
    for signum in STOPS:
        signal.signal(signum, lambda signum, frame: _stop_asked.append(signum))
    if not follow_parent(parent):
        _stop_asked.append(signal.SIGTERM)  # as the kernel would have, had the parent died a moment later
    if mask is not None:
        signal.pthread_sigmask(signal.SIG_SETMASK, mask)  # a signal held since the fork arrives now
    produced: Iterable[R] = ()
    try:
        produced = work(part)
        pending = iter(produced)
        while not _stop_asked and parent_alive(parent):  # asked before each result: none is begun after
            result = next(pending, _DONE)
            if result is _DONE:
                return 0
            _send(results, result)
        why = f"by {signal.Signals(_stop_asked[0]).name}" if _stop_asked else "as the run was gone"
        _send(results, _Failure(f"was stopped {why}"))
        return 128 + (_stop_asked[0] if _stop_asked else signal.SIGTERM)
    except Exception as e:  # said to the parent, which reports it and decides what becomes of the rest
        _send(results, _Failure(f"failed ({type(e).__name__}: {e})"))
        return 1
    finally:
        close = getattr(produced, "close", None)
        if close is not None:
            close()  # a generator stopped early runs its cleanup (a writer flushes its folders)


_DONE = object()  # what `next` gives once a child's work has no more results


def _send(results: int, value: object) -> None:
    """Append `value` pickled, after its length. The pickle is streamed to the file, and its length written
    over 8 zero bytes once it is whole: a frame cut short reads as empty (see `_received`). Pickled in
    memory first, a large result (the vault rules' diagnostics of half a vault) was held twice at once."""
    import pickle

    start = os.lseek(results, 0, os.SEEK_CUR)
    with open(results, "wb", buffering=1 << 16, closefd=False) as out:
        out.write(bytes(8))
        pickle.dump(value, out, protocol=pickle.HIGHEST_PROTOCOL)
    end = os.lseek(results, 0, os.SEEK_CUR)
    os.pwrite(results, (end - start - 8).to_bytes(8, "little"), start)


def _collect(child: tuple[int, int]) -> tuple[list[R], str | None]:
    """The results the child sent, and, if it did not finish, why (None: no child ran, nothing was done).
    Its file is the caller's to close."""
    pid, results = child
    if not pid:
        return [], None
    try:
        _, status = os.waitpid(pid, 0)
    except ChildProcessError:
        status = -1
    found: list[R]
    found, why = _received(results)
    if why is None and status != 0:
        why = _death(status)
    return found, why


def _received(results: int) -> tuple[list[R], str | None]:
    """The results in the file, up to the last whole one, and the child's failure if it sent one. Each is
    read from the file as it is unpickled, not from a copy of the whole file held meanwhile."""
    import pickle

    found: list[R] = []
    try:
        total = os.fstat(results).st_size
        reader = open(os.dup(results), "rb")  # noqa: SIM115 - closed by the `with` below
    except OSError:
        return found, None
    with reader:
        at = 0
        while at + 8 <= total:
            reader.seek(at)
            size = int.from_bytes(reader.read(8), "little")
            end = at + 8 + size
            if size == 0 or end > total:
                break  # cut short as it was written: the child died
            try:
                value = pickle.load(reader)  # our own child's pickle, in our own file
            except Exception:  # pragma: no cover - a frame's length is written once it is whole
                break
            if isinstance(value, _Failure):
                return found, value.why
            found.append(value)
            at = end
    return found, None


def _death(status: int) -> str:
    if status < 0:
        return "was lost"
    if os.WIFSIGNALED(status):
        return f"was killed by {signal.Signals(os.WTERMSIG(status)).name}"
    return f"exited with status {os.waitstatus_to_exitcode(status)}"
