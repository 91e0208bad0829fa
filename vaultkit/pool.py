"""Spread per-note work over processes, each note always going to the same worker.

Affinity matters: a worker that parsed a note remembers where its protected regions are, so the later
mention scan of that note costs a file read instead of a second parse. One worker, or `--jobs 1`, runs the
same Analyzer in this process.
"""

from __future__ import annotations

import multiprocessing
import os
import zlib
from collections.abc import Sequence
from multiprocessing.connection import Connection
from typing import Any

from vaultkit.analyze import Analyzer, Settings
from vaultkit.errors import FatalError

MIN_NOTES_PER_WORKER = 400  # below this, starting processes costs more than it saves


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
        if self.local is None and self.jobs == 1:
            self.local = Analyzer(settings)

    def _start(self) -> None:
        if self._conns or self.local is not None:
            return
        methods = multiprocessing.get_all_start_methods()
        ctx: Any = multiprocessing.get_context("fork" if "fork" in methods else "spawn")
        for _ in range(self.jobs):
            parent, child = ctx.Pipe()
            proc = ctx.Process(target=_serve, args=(child, self._settings), daemon=True)
            proc.start()
            child.close()
            self._conns.append(parent)
            self._procs.append(proc)

    def shard(self, rel: str) -> int:
        return zlib.crc32(rel.encode()) % self.jobs

    def call(self, method: str, rels: Sequence[str], extra: Any = None) -> list[Any]:
        """Run `method` over `rels`, each on its own worker; results come back as one flat list."""
        if self.local is not None:
            return _dispatch(self.local, method, rels, extra)
        self._start()
        shards: list[list[str]] = [[] for _ in range(self.jobs)]
        for rel in rels:
            shards[self.shard(rel)].append(rel)
        for conn, shard in zip(self._conns, shards, strict=True):
            conn.send((method, shard, extra))
        out: list[Any] = []
        for conn in self._conns:
            try:
                status, payload = conn.recv()
            except EOFError as e:
                raise FatalError("a worker process died; run again with --jobs 1 to see the problem") from e
            if status == "fatal":
                raise FatalError(payload)
            if status != "ok":
                raise FatalError(f"internal error in a worker process:\n{payload}")
            out.extend(payload)
        return out

    def close(self) -> None:
        for conn in self._conns:
            try:
                conn.send(None)
                conn.close()
            except OSError:
                pass
        for proc in self._procs:
            proc.join(timeout=2)
            if proc.is_alive():
                proc.terminate()
        self._conns, self._procs = [], []

    def __enter__(self) -> Workers:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def _dispatch(analyzer: Analyzer, method: str, rels: Sequence[str], extra: Any) -> list[Any]:
    if method == "parse":
        return analyzer.parse(rels)
    if method == "mentions":
        if extra is not None:
            analyzer.set_keys(extra)
        return list(analyzer.mentions(rels).items())
    raise ValueError(method)


def _serve(conn: Connection, settings: Settings) -> None:
    import gc
    import traceback

    gc.disable()  # a worker lives for one run (see commands.common.one_shot); forked ones inherit this

    try:
        analyzer = Analyzer(settings)
    except BaseException:
        _reply_forever(conn, ("error", traceback.format_exc()))
        return
    while True:
        try:
            request = conn.recv()
        except (EOFError, KeyboardInterrupt):
            return
        if request is None:
            return
        method, rels, extra = request
        try:
            conn.send(("ok", _dispatch(analyzer, method, rels, extra)))
        except FatalError as e:  # a configuration error (a schema that cannot work): its message, as is
            conn.send(("fatal", str(e)))
        except BaseException:
            conn.send(("error", traceback.format_exc()))


def _reply_forever(conn: Connection, reply: tuple[str, str]) -> None:
    while True:
        try:
            if conn.recv() is None:
                return
        except (EOFError, KeyboardInterrupt):
            return
        conn.send(reply)


def choose_jobs(requested: int | None, work: int) -> int:
    jobs = requested if requested else default_jobs()
    if requested is None:
        jobs = min(jobs, max(1, work // MIN_NOTES_PER_WORKER))
    return max(1, jobs)
