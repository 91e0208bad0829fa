"""Spread per-note work over processes.

The parse is dealt out in chunks, each to the next worker free: workers do not run at the same speed (on
a shared machine one core was a third slower than the other), and a fixed half of the notes each left the
fast one idle for a second of a 10,000-note run. The mention scan then goes to the worker that parsed the
note: that worker holds the note's masked prose (or where its protected regions are), so the scan costs
no second parse. One worker, or `--jobs 1`, runs the same Analyzer in this process.

Workers are forked where `background.can_fork` says forking is safe: a single-threaded process, not on
macOS. Watch mode has the file watcher's threads running when a bulk change (a thousand notes copied in)
calls for workers; a forked worker could inherit a lock one of them held and hang for good, so there they
start as fresh interpreters ("spawn"), which costs a few hundred milliseconds once.
"""

from __future__ import annotations

import contextlib
import os
import signal
import sys
import zlib
from collections.abc import Callable, Iterator, Sequence
from typing import TYPE_CHECKING, Any

from vaultkit.analyze import Analyzer, Settings
from vaultkit.background import STOPS
from vaultkit.errors import FatalError
from vaultkit.timing import Tally

if TYPE_CHECKING:  # multiprocessing is imported when workers start: a run on one note needs none
    from multiprocessing.connection import Connection

MIN_NOTES_PER_WORKER = 400  # below this, starting processes costs more than it saves
CHUNK = 200  # notes a worker parses before it is given more (a chunk's facts are ~150 KB pickled)
CHUNKS_PER_WORKER = 8  # at least, for smaller runs: enough for the faster workers to take up the slack


def default_jobs() -> int:
    try:
        cpus = len(os.sched_getaffinity(0))
    except AttributeError:  # pragma: no cover - not on Linux
        cpus = os.cpu_count() or 1
    return max(1, min(cpus, 8))


class Workers:
    """A fixed set of Analyzers, in this process (jobs=1) or in worker processes."""

    def __init__(self, settings: Settings, jobs: int, analyzer: Analyzer | None = None) -> None:
        self.jobs = max(1, jobs)
        self.local = analyzer if self.jobs == 1 else None
        self._settings = settings
        self._conns: list[Connection] = []
        self._procs: list[Any] = []
        self._owner: dict[str, int] = {}  # the worker that parsed each note
        if self.local is None and self.jobs == 1:
            self.local = Analyzer(settings)

    def _start(self) -> None:
        if self._conns or self.local is not None:
            return
        import multiprocessing

        from vaultkit.background import can_fork

        fork = can_fork()
        ctx: Any = multiprocessing.get_context("fork" if fork else "spawn")
        for _ in range(self.jobs):
            try:
                parent, child = ctx.Pipe()
            except OSError:  # no descriptor to spare (`ulimit -n`): the run goes on with those started
                break
            # A forked worker closes the run's ends it inherits (its own pipe's, and earlier workers'): while
            # it holds them, a run that dies without a goodbye (SIGTERM) leaves it waiting for good.
            inherited = [*self._conns, parent] if fork else []
            # A forked worker asks to be stopped when the run dies (background.follow_parent); a spawned one
            # (watch mode) is forked by whichever thread starts it, and sees the run's end of its pipe close.
            run = os.getpid() if fork else 0
            proc = ctx.Process(target=_serve, args=(child, self._settings, inherited, run), daemon=True)
            with _stops_held():  # until the worker is recorded: see `_stops_held`
                try:
                    proc.start()
                except OSError:  # no process (`ulimit -u`) or descriptor to spare: as above
                    parent.close()
                    child.close()
                    break
                child.close()
                self._conns.append(parent)
                self._procs.append(proc)
        self.jobs = max(1, len(self._conns))
        if not self._conns:  # not one worker: the run is made in this process
            self.local = Analyzer(self._settings)

    def shard(self, rel: str) -> int:
        """The worker for a note: the one that parsed it, else one fixed by its path."""
        owner = self._owner.get(rel)
        return owner if owner is not None else zlib.crc32(rel.encode()) % self.jobs

    def call(
        self,
        method: str,
        rels: Sequence[str],
        extra: Any = None,
        meanwhile: Callable[[], object] | None = None,
    ) -> list[Any]:
        """Run `method` over `rels`; results come back as one flat list, in the order of `rels` for a
        parse, grouped by worker otherwise. `meanwhile` is called once the workers have work, before any
        result is taken (in this process: before the work)."""
        self._start()
        if self.local is not None:
            if meanwhile is not None:
                meanwhile()
            return _dispatch(self.local, method, rels, extra)
        if method == "parse":
            return self._deal(method, rels, extra, meanwhile)
        waiting = self.ask(method, rels, extra)
        if meanwhile is not None:
            meanwhile()
        return waiting()

    def ask(self, method: str, rels: Sequence[str], extra: Any = None) -> Callable[[], list[Any]]:
        """Send `method` over `rels` to the workers now (each takes the notes it parsed), and return what
        waits for the results, grouped by worker: the run does its own work meanwhile (the cold run's
        mention scan overlaps the vault state). In this process (one job), the work is done when waited
        for, as `call` would have done it."""
        self._start()
        local = self.local
        if local is not None:
            return lambda: _dispatch(local, method, rels, extra)
        shards: list[list[str]] = [[] for _ in range(self.jobs)]
        for rel in rels:
            shards[self.shard(rel)].append(rel)
        for conn, shard in zip(self._conns, shards, strict=True):
            _send(conn, (method, shard, extra))
        conns = list(self._conns)

        def results() -> list[Any]:
            out: list[Any] = []
            for conn in conns:
                out.extend(_receive(conn))
            return out

        return results

    def _deal(
        self, method: str, rels: Sequence[str], extra: Any, meanwhile: Callable[[], object] | None
    ) -> list[Any]:
        """Chunks of `rels` to whichever worker is free; remembers which worker took each note."""
        from multiprocessing.connection import Connection, wait

        size = max(1, min(CHUNK, len(rels) // (self.jobs * CHUNKS_PER_WORKER)))
        chunks = [rels[i : i + size] for i in range(0, len(rels), size)]
        results: list[list[Any]] = [[] for _ in chunks]
        waiting = iter(range(len(chunks)))
        busy: dict[Connection, int] = {}  # worker -> the chunk it works on

        def give(conn: Connection) -> None:
            k = next(waiting, None)
            if k is not None:
                _send(conn, (method, chunks[k], extra))
                busy[conn] = k

        for conn in self._conns:
            give(conn)
        if meanwhile is not None:
            try:
                meanwhile()
            except BaseException:  # the work is for nothing (a bad schema): the workers end now, not after
                self._kill()  # their chunk, which a pattern the schema check refuses may never end
                raise
        worker = {conn: n for n, conn in enumerate(self._conns)}
        while busy:
            for ready in wait(list(busy)):
                assert isinstance(ready, Connection)
                k = busy.pop(ready)
                results[k] = _receive(ready)
                self._owner.update(dict.fromkeys(chunks[k], worker[ready]))
                give(ready)
        return [item for part in results for item in part]

    def _kill(self) -> None:
        for proc in self._procs:
            proc.kill()

    def close(self) -> None:
        for conn in self._conns:
            try:
                conn.send(None)
                conn.close()
            except OSError:
                pass
        try:
            for proc in self._procs:
                proc.join(timeout=2)
                if proc.is_alive():  # no worker outlives the run: multiprocessing would wait for it at exit
                    proc.kill()
                    proc.join(timeout=2)
        except BaseException:  # a stop (Ctrl-C, SIGTERM) while waiting for them: see `_end_now`
            self._end_now()
            raise
        self._conns, self._procs = [], []

    def _end_now(self) -> None:
        """Kill the workers and wait for each, the stop signals held meanwhile (a moment: killed, they
        cannot linger). A stop that landed in `close`'s wait left the workers not yet waited for running
        on, or ended but never reaped, after the run had exited (2 of 40 SIGTERMs sent to a cold check
        of 4,000 notes at 2.7 s)."""
        with _stops_held():
            for proc in self._procs:
                proc.kill()
            for proc in self._procs:
                proc.join(timeout=2)
            self._conns, self._procs = [], []

    def __enter__(self) -> Workers:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


DIED = "a worker process died; run again with --jobs 1 to see the problem"


@contextlib.contextmanager
def _stops_held() -> Iterator[None]:
    """Ctrl-C, SIGTERM and SIGHUP blocked in this thread for the block, while a worker is started and
    recorded. A worker inherits the mask: no Ctrl-C reaches it before it ignores the signal (`_serve`). And
    a stop that lands in the run as the worker is forked raises once the worker is in `_procs`, where
    `close` waits for it: raised inside `proc.start()`, it left a worker no one waited for, which outlived
    the run (1 in 60 SIGTERMs sent to a cold check of 4,000 notes)."""
    if not hasattr(signal, "pthread_sigmask"):  # pragma: no cover - Windows
        yield
        return
    before = signal.pthread_sigmask(signal.SIG_BLOCK, STOPS)
    try:
        yield
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, before)


def _send(conn: Connection, request: tuple[str, Sequence[str], Any]) -> None:
    try:
        conn.send(request)
    except OSError as e:  # a broken pipe: the worker is gone
        raise FatalError(DIED) from e


def _receive(conn: Connection) -> list[Any]:
    try:
        status, payload = conn.recv()
    except (EOFError, OSError) as e:
        raise FatalError(DIED) from e
    if status == "fatal":
        raise FatalError(payload)
    if status != "ok":
        raise FatalError(f"internal error in a worker process:\n{payload}")
    return list(payload)


def _dispatch(analyzer: Analyzer, method: str, rels: Sequence[str], extra: Any) -> list[Any]:
    if method == "parse":
        return analyzer.parse(rels)
    if method == "mentions":
        if extra is not None:
            analyzer.set_keys(extra)
        return list(analyzer.mentions(rels).items())
    if method == "protected":  # of the notes the last "mentions" found a mention in (asked with none)
        return list(analyzer.protected().items())
    raise ValueError(method)


def _serve(conn: Connection, settings: Settings, inherited: Sequence[Connection], parent: int) -> None:
    import gc
    import traceback

    from vaultkit.background import follow_parent

    for other in inherited:
        other.close()
    signal.signal(signal.SIGTERM, signal.SIG_DFL)  # not a handler inherited from the parent (watch mode's)
    # Ctrl-C reaches the whole process group. The run owns it and stops its workers itself (`close`, the end
    # of its pipes, SIGTERM when it dies); a KeyboardInterrupt here printed a traceback on the run's stderr,
    # or sent one back as a reply. Held since the fork (`_stops_held`): one sent meanwhile is dropped now.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    if hasattr(signal, "pthread_sigmask"):
        signal.pthread_sigmask(signal.SIG_UNBLOCK, STOPS)
    if parent and not follow_parent(parent):  # SIGTERM, when the run dies (it may be killed outright)
        return  # it died already: no one will ask for anything
    gc.disable()  # a worker lives for one run (see commands.common.one_shot); forked ones inherit this

    try:
        analyzer = Analyzer(settings)
    except BaseException:
        _reply_forever(conn, ("error", traceback.format_exc()))
        return
    tally = Tally()  # VAULTKIT_TIMINGS: what this worker spent its time on
    try:
        _answer(conn, analyzer, tally)
    finally:
        tally.report(f"worker {os.getpid()}")
    # The run waits for its workers to end (`close`) before it goes on. Returning from here, a worker freed
    # its notes' prose, the mention keys and what its scan found object by object, then ran the exit
    # handlers it inherited: ~50 ms of a cold 10k check's wall, with both cores waiting. Nothing of that
    # needs doing (its replies are sent, it writes no file), so it leaves at once, as the cache writers do.
    for stream in (sys.stdout, sys.stderr):
        with contextlib.suppress(Exception):
            stream.flush()
    os._exit(0)


# What a worker's pipe raises once the run is gone: EOFError between two requests; OSError in the middle of
# one ("got end of file during message": watch's first check leaves at once on Ctrl-C, perhaps as it writes
# megabytes of mention keys), when a reply was left unread ("connection reset by peer"), or as the worker
# replies (a broken pipe). No one is left to report to: the worker ends quietly, not with a traceback on the
# run's output.
_RUN_GONE = (EOFError, OSError, KeyboardInterrupt)


def _answer(conn: Connection, analyzer: Analyzer, tally: Tally) -> None:
    import traceback

    while True:
        tally.to("waiting")
        try:
            request = conn.recv()
        except _RUN_GONE:
            return
        if request is None:
            return
        method, rels, extra = request
        tally.to(method)
        reply: tuple[str, object]
        try:
            reply = ("ok", _dispatch(analyzer, method, rels, extra))
        except FatalError as e:  # a configuration error (a schema that cannot work): its message, as is
            reply = ("fatal", str(e))
        except BaseException:
            reply = ("error", traceback.format_exc())
        tally.to("sending")  # pickling the reply, and writing it to the pipe
        try:
            conn.send(reply)
        except _RUN_GONE:
            return  # the run stopped listening (another worker failed): nothing to report to


def _reply_forever(conn: Connection, reply: tuple[str, str]) -> None:
    while True:
        try:
            if conn.recv() is None:
                return
            conn.send(reply)
        except _RUN_GONE:
            return


def choose_jobs(requested: int | None, work: int) -> int:
    jobs = requested if requested else default_jobs()
    if requested is None:
        jobs = min(jobs, max(1, work // MIN_NOTES_PER_WORKER))
    return max(1, jobs)
