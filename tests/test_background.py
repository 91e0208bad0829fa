"""The cache writes a large run hands to a forked child (`vaultkit.background`): done by the child while the
run goes on, done here when the child fails or cannot be forked, and always done when the run returns."""

from __future__ import annotations

import dataclasses
import os
import shutil
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from conftest import run_cli

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


@forks
def test_a_stop_that_lands_as_the_child_is_forked_leaves_it_known(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """SIGTERM raised just after the fork, before the child was recorded: `abandon` did not know it, and
    the cache writer wrote on after the run had exited. The stop now lands once it is recorded."""
    from vaultkit.commands.common import stopped_as_interrupted
    from vaultkit.errors import Stopped

    forked: list[int] = []
    stopped_after_fork = _stopped_after_fork(forked)
    deferred = Deferred(_record_pid(tmp_path / "pid"))
    monkeypatch.setattr(os, "fork", stopped_after_fork)
    with stopped_as_interrupted(), pytest.raises(Stopped):
        deferred.start()
    monkeypatch.undo()
    deferred.abandon()  # as a run does when stopped
    assert forked
    with pytest.raises(ChildProcessError):  # waited for: not running, not even a zombie
        os.waitpid(forked[0], os.WNOHANG)


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
    uncached = Runner(open_session(example_vault)).run(RunOptions(jobs=1, use_cache=False, keep_state=True))
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


@forks
def test_a_run_that_saves_in_a_child_lets_go_of_the_signatures_it_saves(
    example_vault: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Memory: the signatures of every note, that a cold run records, were held by the run to its end, at
    the peak of its vault rules, though a child saves them (~13 MB of a 50,000-note vault's `link --check`).
    Once the child has them, the run holds them no more; the child still records them."""

    monkeypatch.setattr(engine, "BACKGROUND_SAVE", 1)
    monkeypatch.setattr(cache, "RACY_NS", 0)
    returned: list[dict[str, Any]] = []
    real_known = engine.known_digests

    def known(*args: Any) -> tuple[dict[str, str], dict[str, Any]]:
        digests, sigs = real_known(*args)
        returned.append(sigs)
        return digests, sigs

    held: list[int] = []
    real_mark = engine.mark

    def mark(phase: str) -> None:
        real_mark(phase)
        if phase == "vault rules":
            held.append(sys.getrefcount(returned[0]) - 2)  # but this list's and getrefcount's own

    monkeypatch.setattr(engine, "known_digests", known)
    monkeypatch.setattr(engine, "mark", mark)
    Runner(open_session(example_vault)).run(RunOptions(jobs=1))
    assert returned[0], "a cold run records every note's signature"
    assert held == [0], "nothing of the run holds them once the child has them"
    recorded = cache.read_state(cache.Cache(example_vault, open_session(example_vault).cache_fingerprint))
    assert sum(map(len, recorded.entries.values())) == len(returned[0]), "the child recorded them"


def _pids(items: Any) -> list[tuple[int, int]]:
    return [(item, os.getpid()) for item in items]


@forks
@pytest.mark.parametrize("parts", [2, 3])
def test_map_forked_shares_the_items_out_and_keeps_their_order(parts: int) -> None:
    items = list(range(10))
    got = background.map_forked(_pids, items, parts)
    assert [item for item, _pid in got] == items
    assert len({pid for _item, pid in got}) == parts, "each slice computed by its own process"
    assert got[0][1] == os.getpid(), "the first slice here"


@forks
def test_map_forked_computes_here_the_slice_of_a_failed_child() -> None:
    parent = os.getpid()

    def fails_in_a_child(items: Any) -> list[int]:
        if os.getpid() != parent:
            os._exit(3)
        return list(items)

    assert background.map_forked(fails_in_a_child, list(range(6)), 2) == list(range(6))


@forks
def test_map_forked_keeps_what_a_failed_child_did_and_hands_the_rest_to_lost() -> None:
    """A child that fails after its first result: that result is kept; the items it had not done go to
    `lost` with why (its exception), not computed again here (work that writes must not be done twice)."""
    parent = os.getpid()

    def fails_after_one(items: Any) -> Any:
        for item in items:
            if os.getpid() != parent and item == 4:
                raise ValueError("boom")
            yield item

    told: list[tuple[list[int], str]] = []

    def lost(items: Any, why: str) -> list[int]:
        told.append((list(items), why))
        return [-item for item in items]

    assert background.map_forked(fails_after_one, list(range(6)), 2, lost) == [0, 1, 2, 3, -4, -5]
    assert told == [([4, 5], "failed (ValueError: boom)")]


@forks
def test_map_forked_leaves_no_child_behind_when_its_own_slice_fails(monkeypatch: pytest.MonkeyPatch) -> None:
    """The children it forked are waited for: none is left, not even a zombie. Asked of those children by
    pid: the process may have others for good (multiprocessing's resource tracker, started by the first
    spawned worker of an earlier test, lives as long as the process), which `waitpid(-1)` saw, so this test
    failed after tests/test_pool.py."""
    forked: list[int] = []
    fork = os.fork

    def recorded() -> int:
        pid = fork()
        if pid:
            forked.append(pid)
        return pid

    def boom(items: Any) -> list[int]:
        if 0 in items:
            raise ValueError("the parent's slice")
        return list(items)

    monkeypatch.setattr(os, "fork", recorded)
    with pytest.raises(ValueError, match="the parent's slice"):
        background.map_forked(boom, list(range(6)), 3)
    assert len(forked) == 2
    for pid in forked:
        with pytest.raises(ChildProcessError):
            os.waitpid(pid, os.WNOHANG)


@forks
def test_map_forked_waits_for_a_child_forked_as_a_stop_lands(monkeypatch: pytest.MonkeyPatch) -> None:
    """SIGTERM raised in the parent just after a child was forked, before it was recorded: that child was
    never asked to stop nor waited for, and worked on after the run had exited. The stop now lands once
    every child is recorded: each is stopped and waited for."""
    from vaultkit.commands.common import stopped_as_interrupted
    from vaultkit.errors import Stopped

    forked: list[int] = []
    stopped_after_fork = _stopped_after_fork(forked)
    monkeypatch.setattr(os, "fork", stopped_after_fork)
    with stopped_as_interrupted(), pytest.raises(Stopped):
        background.map_forked(list, list(range(6)), 3)
    monkeypatch.undo()
    assert forked
    for pid in forked:
        with pytest.raises(ChildProcessError):  # waited for: not running, not even a zombie
            os.waitpid(pid, os.WNOHANG)


@forks
def test_map_forked_waits_for_its_children_when_interrupted_while_collecting(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Ctrl-C while the parent waits for its children's results (its own slice done): the children (writers
    in `link`) are waited for before the interrupt goes on. The parent left at once: `link` said 'aborted'
    and exited while its forked writers still ran, wrote notes, and left their temporary files a moment."""
    parent = os.getpid()

    def slow_in_a_child(items: Any) -> list[int]:
        if os.getpid() != parent:
            time.sleep(0.5)
            (tmp_path / f"done-{os.getpid()}").write_text("")
        return list(items)

    def interrupted(child: Any) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr(background, "_collect", interrupted)
    with pytest.raises(KeyboardInterrupt):
        background.map_forked(slow_in_a_child, list(range(6)), 3)
    assert len(list(tmp_path.glob("done-*"))) == 2, "both children finished before the call returned"


def test_link_diff_plans_the_same_writes_in_forked_processes(
    example_vault: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from vaultkit import fixer

    def preview(jobs: str) -> tuple[int, str, str]:
        result = run_cli("link", "--diff", "--no-cache", "--jobs", jobs, example_vault)
        return result.exit_code, result.stdout, result.stderr

    alone = preview("1")
    assert "+++ b/" in alone[1]
    monkeypatch.setattr(fixer, "FORKED_PLAN", 1)
    assert preview("3") == alone


@forks
def test_check_shares_the_vault_rules_out_to_forked_children_and_reports_the_same(
    example_vault: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def report(jobs: str) -> list[tuple[int, str]]:
        results = [
            run_cli("check", "--no-cache", "--jobs", jobs, "--format", f, example_vault) for f in FORMATS
        ]
        return [(r.exit_code, r.stdout) for r in results]

    (example_vault / "Wiki" / "Loose ends.md").write_text(
        "<!-- vaultkit-disable-next-line VK101 -->\nLinks to [[Nowhere]], and mentions Meituan.\n"
        "[[Nowhere else]]\n<!-- vaultkit-disable-next-line VK103 -->\nNo link here.\n"
    )
    alone = report("1")
    assert all(code in alone[0][1] for code in ("VK101", "VK120", "VK121", "VK301"))
    children: list[int] = []
    fork_slice = background._fork_slice

    def counted(work: Any, part: Any, mask: Any) -> tuple[int, int]:
        children.append(len(part))
        return fork_slice(work, part, mask)

    monkeypatch.setattr(background, "_fork_slice", counted)
    monkeypatch.setattr(engine, "SHARED_RULES", 1)
    assert report("3") == alone
    assert len(children) == 2 * len(FORMATS), "two children checked a slice of the notes in each run"


FORMATS = ("json", "text")


@forks
def test_no_vault_rules_child_while_a_child_saves_the_cache(
    example_vault: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    children: list[int] = []
    monkeypatch.setattr(
        background, "_fork_slice", lambda work, part, mask: children.append(len(part)) or (0, -1)
    )
    monkeypatch.setattr(engine, "SHARED_RULES", 1)
    monkeypatch.setattr(engine, "BACKGROUND_SAVE", 1)
    started = Deferred.start
    saving: list[bool] = []

    def start(self: Deferred) -> None:
        started(self)
        saving.append(self.started)

    monkeypatch.setattr(Deferred, "start", start)
    assert run_cli("check", "--jobs", "2", example_vault).exit_code == 1
    assert saving[0], "a child saved the parsed notes"
    assert children == [], "the vault rules ran here: the other core was busy saving"
    assert run_cli("check", "--no-cache", "--jobs", "2", example_vault).exit_code == 1
    assert len(children) == 1, "without the cache, a child checked a slice"


@pytest.mark.usefixtures("run_elsewhere")
def test_link_writes_the_same_notes_in_forked_processes(
    example_vault: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Many notes are written by forked writers, each a slice: the notes, their bytes and what `link` says
    are those of one process writing them all, and each writer flushes the folders it wrote to."""
    from vaultkit import edits, fixer

    alone_vault = tmp_path / "alone"
    shutil.copytree(example_vault, alone_vault)
    alone = run_cli("link", "--no-cache", "--jobs", "1", alone_vault)
    assert "linked" in alone.stdout
    writers, flushed = tmp_path / "writers", tmp_path / "flushed"
    real_write, real_flush = edits.write_note, edits._fsync_dir

    def write_note(*args: Any, **kwargs: Any) -> Any:
        with writers.open("a") as out:
            out.write(f"{os.getpid()}\t{args[1]}\n")
        return real_write(*args, **kwargs)

    def fsync_dir(folder: Path) -> None:
        with flushed.open("a") as out:
            out.write(f"{os.getpid()} {folder.name}\n")
        real_flush(folder)

    monkeypatch.setattr(fixer, "write_note", write_note)
    monkeypatch.setattr(edits, "_fsync_dir", fsync_dir)
    monkeypatch.setattr(fixer, "FORKED_PLAN", 1)
    forked = run_cli("link", "--no-cache", "--jobs", "3", example_vault)
    said = [
        (r.exit_code, r.stdout.replace(str(v), "V"), r.stderr)
        for r, v in ((alone, alone_vault), (forked, example_vault))
    ]
    assert said[0] == said[1]
    written = [line.split("\t") for line in writers.read_text().splitlines()]
    # the links, then the relations: each round in this process and two forked ones
    assert len({pid for pid, _rel in written}) == 5, "five processes wrote notes"
    assert f"vaultkit: {len({rel for _pid, rel in written})} notes changed" in forked.stderr
    assert len({line.split()[0] for line in flushed.read_text().splitlines()}) == 5, (
        "each flushed its folders"
    )
    for path in sorted(alone_vault.rglob("*")):
        if path.is_file() and ".vaultkit_cache" not in path.parts:
            assert path.read_bytes() == (example_vault / path.relative_to(alone_vault)).read_bytes(), path


def test_no_child_for_a_run_without_the_cache(example_vault: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(engine, "BACKGROUND_SAVE", 1)
    started: list[int] = []
    monkeypatch.setattr(Deferred, "start", lambda self: started.append(1))
    Runner(open_session(example_vault)).run(RunOptions(jobs=1, use_cache=False))
    assert not started, "--no-cache writes nothing: there is nothing to fork for"
    Runner(open_session(example_vault)).run(RunOptions(jobs=1))
    assert started, "with the cache, the notes are saved by a child"


@forks
def test_check_prints_while_a_child_caches_the_report_and_waits_for_it(
    example_vault: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`check` hands the whole-vault report's cache write to a child and prints meanwhile; when the command
    returns, the child is done: the next run is answered from that report, parsing nothing."""
    monkeypatch.setattr(engine, "BACKGROUND_REPORT", 1)
    monkeypatch.setattr(cache, "RACY_NS", 0)
    writers = _started(monkeypatch)
    first = run_cli("check", "--format", "json", example_vault)
    report = [w for w in writers if any(getattr(f, "func", None) is engine._write_report for f in w._work)]
    assert report and all(w._done for w in report), "the report was written by a child, waited for"
    monkeypatch.undo()
    monkeypatch.setattr(cache, "RACY_NS", 0)

    from vaultkit.analyze import Analyzer

    def no_parse(self: Analyzer, rels: Any) -> list[Any]:
        raise AssertionError("answered from the cached report: nothing is parsed")

    monkeypatch.setattr(Analyzer, "parse", no_parse)
    monkeypatch.setattr(engine.Runner, "_diagnostics", no_parse)
    for printed in (example_vault / cache.CACHE_DIR).glob("output*"):  # not the printed output's cache
        printed.unlink()
    second = run_cli("check", "--format", "json", example_vault)
    assert second.stdout == first.stdout and second.exit_code == first.exit_code == 1


@forks
def test_a_later_vault_that_fails_leaves_no_report_writer_behind(
    example_vault: Path, make_vault: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`check VAULT_A VAULT_B`: A's report is being written by a child when B's configuration is refused
    (exit 2). The child was never waited for and outlived the command; now it is, before the error."""
    monkeypatch.setattr(engine, "BACKGROUND_REPORT", 1)
    bad = make_vault({"A.md": "x\n", "vaultkit.toml": "bogus_key = 1\n"}, name="bad")
    writers = _started(monkeypatch)
    result = run_cli("check", example_vault, bad)
    assert result.exit_code == 2, result.output
    assert writers and all(w._done and not w._pid for w in writers), "every child was waited for"


def _started(monkeypatch: pytest.MonkeyPatch) -> list[Deferred]:
    """Every Deferred started from now on (started as it would be), to see whether it was waited for."""
    started: list[Deferred] = []
    real_start = Deferred.start

    def start(self: Deferred) -> None:
        real_start(self)
        started.append(self)

    monkeypatch.setattr(Deferred, "start", start)
    return started


def _chain_vault(make_vault: Any, notes: int, name: str = "v") -> Path:
    """`notes` notes, each mentioning the next by name: `link` links every one."""
    return make_vault(
        {f"Note{i:03d}.md": f"# Note{i:03d}\n\nSee Note{(i + 1) % notes:03d} here.\n" for i in range(notes)},
        name=name,
    )


def _files(root: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(root.glob("*.md"))}


@forks
@pytest.mark.usefixtures("run_elsewhere")
@pytest.mark.parametrize("when", ["between notes", "after a rename"])
def test_a_writer_process_killed_midway_is_said_and_its_notes_told_apart(
    make_vault: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, when: str
) -> None:
    """A forked writer killed (SIGKILL) after two notes: those it wrote are counted written, the rest are
    not written "because the process writing it was killed", never "changed since vaultkit read it" (the
    parent wrote its slice again and was refused each note, written or not); no traceback, exit 1. Every
    note is as it was or fully linked; the next run finishes the job and the one after changes nothing."""
    from vaultkit import fixer

    alone = _chain_vault(make_vault, 12, name="alone")
    assert run_cli("link", "--no-cache", "--jobs", "1", alone).exit_code == 0
    vault = _chain_vault(make_vault, 12)
    before, linked = _files(vault), _files(alone)
    parent, killed, record = os.getpid(), tmp_path / "killed", tmp_path / "written"
    real_write = fixer.write_note
    calls: list[str] = []

    def write_note(*args: Any, **kwargs: Any) -> Any:
        if os.getpid() != parent and not killed.exists():
            calls.append(args[1])
            if when == "between notes" and len(calls) == 3:
                killed.write_text(args[1])
                os.kill(os.getpid(), signal.SIGKILL)
        result = real_write(*args, **kwargs)
        if os.getpid() != parent and not killed.exists():
            with record.open("a") as out:
                out.write(args[1] + "\n")
            if when == "after a rename" and len(calls) == 2:
                killed.write_text(args[1])
                os.kill(os.getpid(), signal.SIGKILL)
        return result

    monkeypatch.setattr(fixer, "write_note", write_note)
    monkeypatch.setattr(fixer, "FORKED_PLAN", 1)
    result = run_cli("link", "--no-cache", "--jobs", "3", vault)
    assert killed.exists(), "a writer was killed"
    assert result.exit_code == 1, result.output
    assert "Traceback" not in result.output
    assert "changed since vaultkit read it" not in result.stderr
    assert "vaultkit: error: a process writing notes was killed by SIGKILL;" in result.stderr
    written_by_the_dead = record.read_text().split()  # the note it was renaming as it died too
    in_flight = killed.read_text()
    for name in (n for n in written_by_the_dead if n != in_flight):
        assert f"linked {vault / name}" in result.stdout or f"linked {name}" in result.stdout, result.output
    after = _files(vault)
    for n in after:  # its link and its relation each there whole, or not at all
        head, tail = after[n].split(b"# Note")
        assert head in (b"", linked[n].split(b"# Note")[0]), n
        assert tail in (before[n].split(b"# Note")[1], linked[n].split(b"# Note")[1]), n
    assert all(b"[[" in after[n] for n in written_by_the_dead)
    untouched = [n for n in after if after[n] == before[n]]
    assert untouched, "the killed writer's later notes are left"
    for name in untouched:
        assert (
            f"{name}: not written: the process writing it was killed by SIGKILL; run again" in result.stderr
        )
    if when == "after a rename":
        assert f"{in_flight}: not known whether written: the process writing it was killed" in result.stderr
    assert not list(vault.rglob("*.vaultkit-tmp"))
    monkeypatch.undo()
    monkeypatch.setattr(fixer, "FORKED_PLAN", 1)
    assert run_cli("link", "--no-cache", "--jobs", "3", vault).exit_code == 0
    assert _files(vault) == linked
    third = run_cli("link", "--no-cache", "--jobs", "3", vault)
    assert third.exit_code == 0 and _files(vault) == linked, third.output


def _chained(i: int, notes: int) -> bytes:
    """Note `i` of `_chain_vault(notes)` once linked: its link, and the relation its previous note asks."""
    head = f'---\nrelated:\n  - "[[Note{(i - 1) % notes:03d}]]"\n---\n'
    return f"{head}# Note{i:03d}\n\nSee [[Note{(i + 1) % notes:03d}]] here.\n".encode()


@forks
@pytest.mark.parametrize(("signum", "code"), [(signal.SIGTERM, 143), (signal.SIGHUP, 129)])
def test_a_stop_signal_to_link_alone_stops_its_forked_writers_between_notes(
    make_vault: Any, signum: int, code: int
) -> None:
    """SIGTERM (or SIGHUP: the terminal closed) sent to `link` alone while it and a forked writer write
    1,500 notes: the writer stops at its next note, the command waits for it and exits 143 (129) with one
    line. It died at once and left the forked writer writing its slice after it was gone. No process or
    temporary file is left, each note is as it was or has its edits whole, and the next run finishes."""
    notes = 1500
    vault = _chain_vault(make_vault, notes)
    before = _files(vault)
    linked = {f"Note{i:03d}.md": _chained(i, notes) for i in range(notes)}
    proc = _link_under_way(vault, "--no-cache", stderr=subprocess.PIPE)
    os.kill(proc.pid, signum)
    _, err = proc.communicate(timeout=60)
    assert proc.returncode == code, err
    assert err.strip().splitlines()[-1] == f"vaultkit: stopped by {signal.Signals(signum).name}", err
    assert "Traceback" not in err
    with pytest.raises(ProcessLookupError):
        os.killpg(proc.pid, 0)  # no process of the command's group is left
    assert not list(vault.rglob("*.vaultkit-tmp"))
    after = _files(vault)
    for n in after:  # its link and its relation each there whole, or not at all
        head, tail = after[n].split(b"# Note")
        assert head in (b"", linked[n].split(b"# Note")[0]), n
        assert tail in (before[n].split(b"# Note")[1], linked[n].split(b"# Note")[1]), n
    assert before != after != linked, "stopped while writing"
    if signum == signal.SIGTERM:
        assert run_cli("link", "--no-cache", vault).exit_code == 0
        assert _files(vault) == linked
        third = run_cli("link", "--no-cache", vault)
        assert third.exit_code == 0 and _files(vault) == linked, third.output


def _link_under_way(vault: Path, *options: str, stderr: int) -> subprocess.Popen[str]:
    """A real `vaultkit link --jobs 2` of `vault` in its own process group (a signal then goes to the command
    alone), returned as soon as a sampled note holds a link: `map_forked` forks its writer before it writes
    a note itself, so both are writing then. Not a fixed time after it: on a machine that writes a note in
    a tenth of a millisecond, 1,500 notes take less than the 0.2 s this waited, and the command was done."""
    proc = subprocess.Popen(
        [sys.executable, "-m", "vaultkit", "link", *options, "--jobs", "2", str(vault)],
        stdout=subprocess.DEVNULL,
        stderr=stderr,
        text=True,
        start_new_session=True,
    )
    sample = sorted(vault.glob("*.md"))[::25]
    deadline = time.monotonic() + 60
    while not any(b"[[" in p.read_bytes() for p in sample) and time.monotonic() < deadline:
        time.sleep(0.005)
    return proc


def _alive_in_group(pgid: int) -> list[int]:
    """The processes of group `pgid` still running (a zombie, ended but not yet reaped by whatever adopted
    it, does nothing more: not counted)."""
    alive = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        fields = stat[stat.rindex(")") + 2 :].split()  # state, ppid, pgrp, ...
        if int(fields[2]) == pgid and fields[0] not in "ZX":
            alive.append(int(entry.name))
    return alive


@forks
@pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="needs /proc to list a process group")
def test_link_killed_outright_takes_its_forked_writers_with_it(make_vault: Any) -> None:
    """SIGKILL to `link` alone (the OOM killer, `kill -9`) while it and a forked writer write 1,500 notes:
    the writer, which went on writing its slice for as long as it took after the command was gone, stops at
    its next note within moments. Each note is as it was or has its edits whole; temporary files can be
    left only beside the note the killed command was writing itself, and the next run removes them as it
    writes that note, finishing the job; the run after changes nothing."""
    notes = 1500
    vault = _chain_vault(make_vault, notes)
    before = _files(vault)
    linked = {f"Note{i:03d}.md": _chained(i, notes) for i in range(notes)}
    proc = _link_under_way(vault, stderr=subprocess.DEVNULL)
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait(timeout=10)
    # The writer was told to stop as the command died: it ends the note it is writing, and no other. (It was
    # given half a second to: on a busy disk, that note's fsync alone can take longer.)
    at_kill = _files(vault)
    deadline = time.monotonic() + 30
    while _alive_in_group(proc.pid) and time.monotonic() < deadline:
        time.sleep(0.05)
    left = _alive_in_group(proc.pid)
    try:
        assert not left, "a process of the killed command is still running"
    finally:
        for pid in left:
            os.kill(pid, signal.SIGKILL)
    after = _files(vault)
    written = [n for n in after if after[n] != at_kill[n]]
    assert len(written) <= 1, f"{len(written)} notes were written after the command was gone: {written[:3]}"
    for n in after:  # its link and its relation each there whole, or not at all
        head, tail = after[n].split(b"# Note")
        assert head in (b"", linked[n].split(b"# Note")[0]), n
        assert tail in (before[n].split(b"# Note")[1], linked[n].split(b"# Note")[1]), n
    assert before != after != linked, "killed while writing"
    # `.Note042.md.1a2b3c4d.vaultkit-tmp`: beside one note at most, its new text and (on Linux, from just
    # before the rename until just after it) the old file's second name (edits._swap_leased); the note
    # itself is whole, as checked above
    temporary = list(vault.rglob("*.vaultkit-tmp"))
    assert len({tmp.name[1:].rsplit(".", 2)[0] for tmp in temporary}) <= 1 and len(temporary) <= 2, temporary
    second = run_cli("link", vault)
    assert second.exit_code == 0, second.output
    assert _files(vault) == linked
    # none left, but the old file's second name had the kill come in the instant after a rename
    # (edits._swap_leased): beside one note, written whole, whose next write sweeps it
    assert len(list(vault.rglob("*.vaultkit-tmp"))) <= 1
    third = run_cli("link", vault)
    assert third.exit_code == 0 and _files(vault) == linked, third.output


def _reaches_a_mention(roots: Any) -> bool:
    """Whether any Mention can be reached from `roots` (through containers, functions' partials and
    objects' attributes)."""
    import gc

    from vaultkit.linker import Mention

    seen: set[int] = set()
    todo = list(roots)
    while todo:
        obj = todo.pop()
        if id(obj) in seen or isinstance(obj, (str, bytes, int, type)):
            continue
        seen.add(id(obj))
        if isinstance(obj, Mention):
            return True
        todo.extend(gc.get_referents(obj))
    return False


def _linked_vault(make_vault: Any) -> Path:
    """Notes that mention the next by name, link to the one before, and to a note that does not exist."""
    return make_vault(
        {
            f"Note{i}.md": f"# Note{i}\n\nSee Note{(i + 1) % 8} and [[Note{(i - 1) % 8}]], [[Gone{i}]].\n"
            for i in range(8)
        }
    )


@forks
def test_a_run_drops_its_mentions_once_a_child_saves_them(
    make_vault: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Once the child that caches the mentions is forked, the run keeps no copy of them for it (they were
    held at the run's peak, ~45 MB on 50,000 notes), and a run that only reports drops each note's
    mentions once planned. The cache is still complete: the next run scans no note."""
    monkeypatch.setattr(engine, "BACKGROUND_SAVE", 1)
    monkeypatch.setattr(cache, "RACY_NS", 0)
    root = _linked_vault(make_vault)
    uncached = Runner(open_session(root)).run(RunOptions(jobs=1, use_cache=False))
    kept = Runner(open_session(root)).run(RunOptions(jobs=1, use_cache=False, keep_state=True))
    started = _started(monkeypatch)
    runner = Runner(open_session(root))
    first = runner.run(RunOptions(jobs=1))
    assert first.diagnostics == uncached.diagnostics
    assert any(d.code == "VK120" for d in first.diagnostics)
    assert started and started[0]._done
    assert not _reaches_a_mention(started[0]._work), "the saving work still holds the mentions"
    assert runner.state is not None and not runner.state.candidates
    assert {d.code for d in first.diagnostics} >= {"VK101", "VK120"}
    assert not any(f.links for f in first.facts.values()), "each note's links let go once it is checked"

    from vaultkit.analyze import Analyzer

    def no_scan(self: Analyzer, rels: Any) -> dict[str, Any]:
        assert not list(rels), "every note's mentions come from the cache"
        return {}

    monkeypatch.setattr(Analyzer, "mentions", no_scan)
    again = Runner(open_session(root)).run(RunOptions(jobs=1, keep_state=True))
    assert again.diagnostics == kept.diagnostics


@forks
def test_a_fixing_run_lets_go_of_each_notes_links_once_a_child_saves_its_facts(
    make_vault: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A fixing run (`link`), as one that only reports: once the child that caches the facts is forked, each note's links
    go as the note is checked (~35 MB at the peak of link --check on 50,000 notes). Its fixes are those of a
    run without a cache, and the facts cached hold every link."""
    monkeypatch.setattr(engine, "BACKGROUND_SAVE", 1)
    monkeypatch.setattr(cache, "RACY_NS", 0)
    root = _linked_vault(make_vault)
    link = RunOptions(jobs=1, fixing=True, preview=True, select=("VK120", "VK121"))
    uncached = Runner(open_session(root)).run(dataclasses.replace(link, use_cache=False))
    started = _started(monkeypatch)
    first = Runner(open_session(root)).run(link)
    assert started and started[0]._done
    assert first.diagnostics == uncached.diagnostics
    assert {d.code for d in first.diagnostics} == {"VK120"}
    assert all(d.fix is not None and d.fix.edits for d in first.diagnostics)
    assert not any(f.links for f in first.facts.values()), "each note's links let go once it is checked"
    again = Runner(open_session(root)).run(link)
    assert {rel: f.links for rel, f in again.facts.items()} == {
        rel: f.links for rel, f in uncached.facts.items()
    }
    assert again.diagnostics == uncached.diagnostics


@forks
def test_a_run_whose_saving_child_fails_reports_in_full_and_the_next_scans_again(
    make_vault: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The child that saves the cache fails: the run still reports everything; the mentions and facts it no
    longer holds in full are not cached, and the next run finds them again (slower once, never wrong)."""
    monkeypatch.setattr(engine, "BACKGROUND_SAVE", 1)
    monkeypatch.setattr(cache, "RACY_NS", 0)
    root = _linked_vault(make_vault)
    uncached = Runner(open_session(root)).run(RunOptions(jobs=1, use_cache=False))
    kept = Runner(open_session(root)).run(RunOptions(jobs=1, use_cache=False, keep_state=True))
    parent = os.getpid()
    real_write = cache.Cache.write

    def write(self: cache.Cache, name: str, value: Any) -> None:
        if os.getpid() != parent:
            raise OSError("the child could not write")
        real_write(self, name, value)

    monkeypatch.setattr(cache.Cache, "write", write)
    started = _started(monkeypatch)
    first = Runner(open_session(root)).run(RunOptions(jobs=1))
    assert started and started[0]._done
    assert first.diagnostics == uncached.diagnostics
    again = Runner(open_session(root)).run(RunOptions(jobs=1, keep_state=True))
    assert again.diagnostics == kept.diagnostics


def _stopped_after_fork(forked: list[int]) -> Callable[[], int]:
    """`os.fork` as if SIGTERM landed in the parent just after the fork: each child's pid is in `forked`."""
    fork = os.fork

    def stopped_after_fork() -> int:
        pid = fork()
        if pid:
            forked.append(pid)
            os.kill(os.getpid(), signal.SIGTERM)
        return pid

    return stopped_after_fork


@pytest.mark.skipif(not hasattr(signal, "SIGHUP"), reason="no SIGHUP")
def test_a_command_started_under_nohup_keeps_sighup_ignored() -> None:
    """`nohup vaultkit link &` (SIGHUP ignored, to outlive the terminal) answered SIGHUP all the same, and
    stopped as the terminal closed: what nohup is there to prevent (watch39 found it in the watch, and
    `check` and `link` did the same). An ignored SIGHUP stays ignored; SIGTERM still stops the command."""
    from vaultkit.commands.common import stopped_as_interrupted

    before = signal.signal(signal.SIGHUP, signal.SIG_IGN)
    try:
        with stopped_as_interrupted():
            assert signal.getsignal(signal.SIGHUP) is signal.SIG_IGN
            assert signal.getsignal(signal.SIGTERM) not in (signal.SIG_IGN, signal.SIG_DFL)
    finally:
        signal.signal(signal.SIGHUP, before)
