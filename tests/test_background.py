"""The cache writes a large run hands to a forked child (`vaultkit.background`): done by the child while the
run goes on, done here when the child fails or cannot be forked, and always done when the run returns."""

from __future__ import annotations

import os
import threading
from pathlib import Path
from typing import Any

import pytest

from vaultkit import background, cache, engine
from vaultkit.background import Deferred
from vaultkit.engine import Runner, RunOptions, open_session

forks = pytest.mark.skipif(not background.can_fork(), reason="this platform runs the work in-process")


def _record_pid(path: Path) -> Any:
    def work() -> None:
        path.write_text(str(os.getpid()))

    return work


@forks
def test_the_work_is_done_by_a_child_when_finish_returns(tmp_path: Path) -> None:
    out = tmp_path / "pid"
    deferred = Deferred(_record_pid(out))
    deferred.start()
    deferred.finish()
    assert out.read_text() != str(os.getpid()), "done by the child"


@forks
def test_work_the_child_failed_is_done_here(tmp_path: Path) -> None:
    parent = os.getpid()
    out = tmp_path / "pid"

    def fails_in_a_child() -> None:
        if os.getpid() != parent:
            raise OSError("the child could not write")
        out.write_text(str(os.getpid()))

    deferred = Deferred(fails_in_a_child)
    deferred.start()
    deferred.finish()
    assert out.read_text() == str(parent)


def test_no_child_while_another_thread_runs(tmp_path: Path) -> None:
    release = threading.Event()
    thread = threading.Thread(target=release.wait)
    thread.start()
    try:
        assert not background.can_fork()
        out = tmp_path / "pid"
        deferred = Deferred(_record_pid(out))
        deferred.start()
        assert not out.exists(), "nothing runs until finish"
        deferred.finish()
        assert out.read_text() == str(os.getpid())
    finally:
        release.set()
        thread.join()


def test_abandon_does_not_do_the_work(tmp_path: Path) -> None:
    out = tmp_path / "pid"
    deferred = Deferred(_record_pid(out))
    deferred.abandon()
    deferred.finish()
    assert not out.exists()


@forks
def test_a_run_that_saves_in_a_child_leaves_a_complete_cache(
    example_vault: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The child writes the facts, summaries, signatures and mentions: the next run parses nothing, and
    finds what a run without the cache finds."""
    monkeypatch.setattr(engine, "BACKGROUND_SAVE", 1)
    monkeypatch.setattr(cache, "RACY_NS", 0)  # signatures recorded just now are trusted
    children: list[int] = []
    real_start = Deferred.start

    def start(self: Deferred) -> None:
        real_start(self)
        children.append(self._pid)

    monkeypatch.setattr(Deferred, "start", start)
    uncached = Runner(open_session(example_vault)).run(RunOptions(jobs=1, use_cache=False))
    first = Runner(open_session(example_vault)).run(RunOptions(jobs=1, keep_state=True))
    assert children and all(children), "the notes were saved by a child"
    names = {p.name for p in (example_vault / cache.CACHE_DIR).iterdir()}
    for kind in ("facts", "names", "state", "mentions"):
        assert any(n.startswith(f"{kind}-") for n in names), f"no {kind} shard written"

    from vaultkit.analyze import Analyzer

    def no_parse(self: Analyzer, rels: Any) -> list[Any]:
        assert not list(rels), "every note's facts come from the cache"
        return []

    monkeypatch.setattr(Analyzer, "parse", no_parse)
    again = Runner(open_session(example_vault)).run(RunOptions(jobs=1, keep_state=True))
    assert again.diagnostics == first.diagnostics == uncached.diagnostics
