"""Worker processes (`vaultkit.pool`): the parse dealt out in chunks to whichever worker is free, the
mention scan sent to the worker that parsed the note, and the same result as one process."""

from __future__ import annotations

import multiprocessing
import os
import signal
import sys
import threading
import time
from pathlib import Path
from typing import Any

import pytest
from conftest import run_installed

from vaultkit import pool
from vaultkit.analyze import Analyzer
from vaultkit.background import can_fork
from vaultkit.engine import Runner, RunOptions, open_session
from vaultkit.errors import FatalError
from vaultkit.pool import Workers


def _run(root: Path, jobs: int) -> tuple[list[Any], dict[str, Any]]:
    runner = Runner(open_session(root))
    result = runner.run(RunOptions(jobs=jobs, use_cache=False, keep_state=True))
    assert runner.state is not None
    return result.diagnostics, dict(runner.state.candidates)


def test_two_workers_find_what_one_process_finds_parsing_each_note_once(
    example_vault: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Chunks of two notes, dealt out as the workers come free; then each note's mention scan must go to
    the worker that parsed it and kept its prose. Any other worker would have to parse the note again
    (`Analyzer.parse_one`), which the forked workers here cannot."""
    one = _run(example_vault, 1)
    assert one[1], "the example vault has mentions to find"
    monkeypatch.setattr(pool, "CHUNK", 2)

    def no_second_parse(self: Analyzer, rel: str) -> Any:
        raise AssertionError(f"{rel} parsed twice")

    monkeypatch.setattr(Analyzer, "parse_one", no_second_parse)
    assert _run(example_vault, 2) == one


def test_a_worker_that_dies_is_a_clear_error(example_vault: Path) -> None:
    notes = sorted(p.relative_to(example_vault).as_posix() for p in example_vault.rglob("*.md"))
    with Workers(open_session(example_vault).settings(), 2) as workers:
        workers.call("parse", notes)
        os.kill(workers._procs[0].pid, signal.SIGKILL)
        workers._procs[0].join()
        with pytest.raises(FatalError, match="a worker process died"):
            workers.call("parse", notes)


@pytest.mark.skipif(not can_fork(), reason="workers are forked only where forking is safe")
def test_a_stop_that_lands_as_a_worker_is_forked_leaves_no_worker_behind(
    example_vault: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """SIGTERM raised in the run just after the fork of a worker, before the worker was recorded: no one
    waited for it, and it outlived the run (found once in 60 SIGTERMs sent to a cold `check` of 4,000
    notes). The stop now lands once the worker is recorded, and `close` waits for it."""
    from vaultkit.commands.common import stopped_as_interrupted
    from vaultkit.errors import Stopped

    notes = sorted(p.relative_to(example_vault).as_posix() for p in example_vault.rglob("*.md"))
    fork = os.fork

    def fork_then_stopped() -> int:
        pid = fork()
        if pid:  # the run: SIGTERM comes now, the worker just made
            os.kill(os.getpid(), signal.SIGTERM)
        return pid

    monkeypatch.setattr(os, "fork", fork_then_stopped)
    with stopped_as_interrupted(), pytest.raises(Stopped):
        with Workers(open_session(example_vault).settings(), 2) as workers:
            workers.call("parse", notes)
    monkeypatch.undo()
    left: list[int] = []
    while True:
        try:
            pid, _ = os.waitpid(-1, os.WNOHANG)
        except ChildProcessError:
            break  # no child of this process left
        if not pid:  # one still runs: not waited for
            left = [p.pid for p in multiprocessing.active_children()] or [-1]
            break
    assert not left, "a worker was left running after the run stopped"


@pytest.mark.skipif(not can_fork(), reason="workers are forked only where forking is safe")
def test_a_stop_that_lands_while_the_workers_are_closed_leaves_none_behind(
    example_vault: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """SIGTERM raised while `close` waited for the first worker: neither worker was waited for, and they
    outlived the run (2 of 40 SIGTERMs sent to a cold `check` of 4,000 notes, at its end of parsing)."""
    from vaultkit.commands.common import stopped_as_interrupted
    from vaultkit.errors import Stopped

    notes = sorted(p.relative_to(example_vault).as_posix() for p in example_vault.rglob("*.md"))
    join = multiprocessing.process.BaseProcess.join

    def stopped_while_waiting(self: Any, timeout: float | None = None) -> None:
        os.kill(os.getpid(), signal.SIGTERM)
        join(self, timeout)

    workers = Workers(open_session(example_vault).settings(), 2)
    workers.call("parse", notes)
    pids = [proc.pid for proc in workers._procs]
    assert len(pids) == 2
    monkeypatch.setattr(multiprocessing.process.BaseProcess, "join", stopped_while_waiting)
    with stopped_as_interrupted(), pytest.raises(Stopped):
        workers.close()
    monkeypatch.undo()
    for pid in pids:
        with pytest.raises(ChildProcessError):  # waited for: not running, not even a zombie
            os.waitpid(pid, os.WNOHANG)


def test_workers_are_not_forked_while_another_thread_runs(example_vault: Path) -> None:
    """Watch mode calls for workers with the file watcher's threads running. A forked worker could inherit
    a lock one of them held at that moment and hang the run (and, at exit, the process) for good, so the
    workers start as fresh interpreters, and must find the same as one process does."""
    notes = sorted(p.relative_to(example_vault).as_posix() for p in example_vault.rglob("*.md"))
    settings = open_session(example_vault).settings()
    alone = Workers(settings, 1).call("parse", notes)
    stop = threading.Event()
    watcher = threading.Thread(target=stop.wait)
    watcher.start()
    try:
        with Workers(settings, 2) as workers:
            assert workers.call("parse", notes) == alone
            assert {proc._popen.method for proc in workers._procs} == {"spawn"}
    finally:
        stop.set()
        watcher.join()
    with Workers(settings, 2) as workers:  # alone again: forked, as a check or link run's workers are
        workers.call("parse", notes[:2])
        assert {proc._popen.method for proc in workers._procs} == {"fork"}


def test_a_worker_that_ignores_sigterm_still_ends_with_the_run(example_vault: Path) -> None:
    """`close` must leave no worker behind: at exit multiprocessing joins every child, and a live one
    would keep the process (a watch told to stop) from ever exiting."""
    with Workers(open_session(example_vault).settings(), 2) as workers:
        workers.call("parse", ["Entities/Papers/ResRL.md"])
        proc = workers._procs[0]
        os.kill(proc.pid, signal.SIGSTOP)  # deaf to the request to stop, like a worker stuck on a lock
    assert not proc.is_alive()
    assert workers._procs == []


def test_a_worker_ends_when_the_run_dies_without_a_word(example_vault: Path) -> None:
    """Regression: a forked worker kept the run's end of its own pipe (and of the pipes of the workers forked
    before it). When the run died without saying goodbye (SIGTERM from `timeout` or a cancelled CI job), no
    worker ever read end-of-file: they lived on for good, holding the run's standard output open, so
    whoever read it waited for ever."""
    if not can_fork():
        pytest.skip("the workers are spawned here, and inherit nothing")
    workers = Workers(open_session(example_vault).settings(), 2)
    workers.call("parse", ["Entities/Papers/ResRL.md"])
    for conn in workers._conns:
        conn.close()  # what the run's death does to its ends: no goodbye (None) is sent
    try:
        for proc in workers._procs:
            proc.join(timeout=10)
        assert not any(proc.is_alive() for proc in workers._procs)
    finally:
        for proc in workers._procs:
            proc.kill()
            proc.join()


@pytest.mark.parametrize("how", ["in the middle of a request", "with a reply unread"])
def test_a_worker_ends_quietly_when_the_run_dies_mid_conversation(
    example_vault: Path, capfd: pytest.CaptureFixture[str], how: str
) -> None:
    """Regression (CI, about once in 40 stops of a cold watch): Ctrl-C during watch's first check leaves at
    once (`watch._leave_at_once`), perhaps as the run writes the mention scan's keys to a worker (megabytes),
    or before it read a worker's reply. The worker's next read raised an OSError it did not expect ("got end
    of file during message"; "connection reset by peer"), and "Process ForkProcess-1:" and a traceback came
    out on the run's output after "vaultkit: stopped". A run gone is a run gone, however it went."""
    import struct

    workers = Workers(open_session(example_vault).settings(), 2)
    workers.call("parse", ["Entities/Papers/ResRL.md"])
    try:
        for conn in workers._conns:
            if how == "in the middle of a request":
                os.write(conn.fileno(), struct.pack("!i", 1 << 20) + b"\x80\x05")  # 1 MB said, 2 bytes sent
            else:
                conn.send(("parse", ["Entities/Papers/ResRL.md"], None))
                assert conn.poll(30)  # the reply waits in the run's end when it goes
            conn.close()
        for proc in workers._procs:
            proc.join(timeout=10)
        assert [proc.exitcode for proc in workers._procs] == [0, 0]
    finally:
        for proc in workers._procs:
            proc.kill()
            proc.join()
    assert capfd.readouterr().err == ""


def test_a_chunk_of_parsed_notes_holds_each_link_target_once(example_vault: Path) -> None:
    """A worker makes each link target one string, so the pickle it sends holds it once and the parent keeps
    one copy per chunk, not one per link (a linked 50,000-note vault has 22 links a note)."""
    import pickle

    notes = sorted(p.relative_to(example_vault).as_posix() for p in example_vault.rglob("*.md"))
    facts = pickle.loads(pickle.dumps(Analyzer(open_session(example_vault).settings()).parse(notes)))
    links = [x for f in facts for x in f.links]
    ids: dict[str, set[int]] = {}
    for x in links:
        ids.setdefault(x.target, set()).add(id(x.target))
    assert len(links) > len(ids)  # some notes are linked more than once
    assert all(len(found) == 1 for found in ids.values()), ids


def test_ctrl_c_leaves_the_workers_to_the_run(example_vault: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Ctrl-C in a terminal (or pre-commit's) sends SIGINT to the whole process group: the run and its
    workers. Regression: a worker raised KeyboardInterrupt wherever it was; in its reply's send, the
    traceback came out on the run's stderr ("Process ForkProcess-1: Traceback ..."); in a parse, its reply
    was that traceback. The run owns Ctrl-C and stops its workers itself (`close`, its pipes' end, and
    SIGTERM when it dies): a worker ignores SIGINT, and finishes what it was asked."""
    notes = sorted(p.relative_to(example_vault).as_posix() for p in example_vault.rglob("*.md"))
    settings = open_session(example_vault).settings()
    alone = Workers(settings, 1).call("parse", notes)
    real_parse = Analyzer.parse

    def ctrl_c_midway(self: Analyzer, rels: Any) -> Any:
        os.kill(os.getpid(), signal.SIGINT)  # in a worker: the terminal's Ctrl-C as it parses
        return real_parse(self, rels)

    monkeypatch.setattr(Analyzer, "parse", ctrl_c_midway)
    with Workers(settings, 2) as workers:
        assert workers.call("parse", notes) == alone
        assert all(proc.is_alive() for proc in workers._procs)


def test_timings_give_each_phase_its_cpu_and_each_worker_its_account(
    example_vault: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """VAULTKIT_TIMINGS: each phase's line gives the CPU time of the run's process and of the children that
    ended in it, and each worker says what it spent its CPU on (the parse, its replies, the mention scan):
    without them a cold run's parse phase could not be accounted for (issue 6)."""
    monkeypatch.setenv("VAULTKIT_TIMINGS", "1")
    result = run_installed("check", "--jobs", "2", "--no-cache", example_vault)
    lines = [line for line in result.stderr.splitlines() if line.startswith("vaultkit timing: ")]
    parse = next(line for line in lines if line.split()[2] == "parse")
    assert " cpu " in parse and " children " in parse and parse.endswith(" MB")
    workers = [line for line in lines if line.split()[2] == "worker"]
    assert len(workers) == 2, result.stderr
    for line in workers:
        assert "parse " in line and "sending " in line and "mentions " in line and "waiting " in line
        assert " ms cpu (" in line and ", until " in line


def test_each_timing_line_is_written_whole(monkeypatch: pytest.MonkeyPatch) -> None:
    """Regression: the workers, ending together, printed their timing lines with `print` (the text, then
    the newline: two writes), so one worker's line could come between another's text and its newline, two
    lines on one (test_timings_give_each_phase_its_cpu_and_each_worker_its_account failed so under load).
    Each line is one write, its newline included."""
    import io

    from vaultkit import timing

    class Writes(io.StringIO):
        def __init__(self) -> None:
            super().__init__()
            self.writes: list[str] = []

        def write(self, s: str) -> int:
            self.writes.append(s)
            return len(s)

    out = Writes()
    monkeypatch.setattr(timing, "_ENABLED", True)
    monkeypatch.setattr(sys, "stderr", out)
    tally = timing.Tally()
    tally.to("parse")
    tally.report("worker 1")
    timing.mark("parse")
    assert len(out.writes) == 2, out.writes
    assert all(w.startswith("vaultkit timing: ") and w.endswith("\n") for w in out.writes), out.writes


@pytest.mark.parametrize("started", [0, 1], ids=["none", "one"])
def test_workers_that_cannot_start_leave_the_run_to_those_that_did(
    example_vault: Path, monkeypatch: pytest.MonkeyPatch, started: int
) -> None:
    """Regression: under a low limit on open files (`ulimit -n 12`) or on processes (`ulimit -u`), a worker's
    pipe or fork failed (EMFILE, EAGAIN) and `check` ended in "internal error: OSError: Too many open files".
    The run goes on with the workers that started, or in this process when none did, and finds the same."""
    one = _run(example_vault, 1)
    ctx = multiprocessing.get_context("fork" if can_fork() else "spawn")
    real_pipe = type(ctx).Pipe
    made: list[int] = []

    def pipe(self: Any, duplex: bool = True) -> Any:
        if len(made) >= started:
            raise OSError(24, "Too many open files")
        made.append(1)
        return real_pipe(self, duplex)

    monkeypatch.setattr(type(ctx), "Pipe", pipe)
    assert _run(example_vault, 2) == one


def test_the_mention_scan_runs_while_the_vault_state_is_built(
    example_vault: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A cold whole-vault run asks the workers for the mentions as soon as the keys are known, and builds
    the vault state (names, link graph: a tenth of a second on 10,000 notes, with both workers idle) while
    they scan; it used to build the state first. What is found stays the same (test above)."""
    from vaultkit.state import VaultState

    events: list[str] = []
    real_send, real_post_init = pool._send, VaultState.__post_init__

    def send(conn: Any, request: tuple[str, Any, Any]) -> None:
        events.append(f"asked for {request[0]}")
        real_send(conn, request)

    def post_init(self: VaultState, keys: Any) -> None:
        events.append("vault state built")
        real_post_init(self, keys)

    monkeypatch.setattr(pool, "_send", send)
    monkeypatch.setattr(VaultState, "__post_init__", post_init)
    _run(example_vault, 2)
    order = list(dict.fromkeys(events))
    assert order.index("asked for mentions") < order.index("vault state built"), events


def test_a_run_that_fixes_has_what_the_parse_protects_from_the_workers_without_naming_the_notes(
    example_vault: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A run that fixes asks the workers, with the mentions, for what their parse protects in each note they
    found a mention in (which decides RunResult.cleared, read by the check of the links). Regression: the request named
    the notes, and in a 50,000-note vault it was larger than the pipe, whose other end the worker was filling
    with its mentions: `link --check` waited forever. The request names no note, and the workers give what
    one process finds."""

    def protected(jobs: int) -> dict[str, Any]:
        runner = Runner(open_session(example_vault))
        opts = RunOptions(jobs=jobs, use_cache=False, fixing=True, preview=True)
        return runner.run(opts).cleared

    asked: list[tuple[str, Any]] = []
    real_send = pool._send

    def send(conn: Any, request: tuple[str, Any, Any]) -> None:
        asked.append(request[:2])
        real_send(conn, request)

    one = protected(1)
    monkeypatch.setattr(pool, "_send", send)
    assert protected(2) == one and one, "the example vault has links to plan"
    assert [rels for method, rels in asked if method == "protected"] == [[], []]


def test_the_schemas_are_checked_while_the_workers_parse(
    example_vault: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A cold run checks its schemas (importing jsonschema, the metaschema's checks: ~45 ms on this
    machine) once the workers have their first notes to parse, not before they start: no result of theirs is
    used before the check."""
    from vaultkit.schemas import SchemaSet

    events: list[str] = []
    real_send, real_check = pool._send, SchemaSet.ensure_valid

    def send(conn: Any, request: tuple[str, Any, Any]) -> None:
        events.append(f"asked for {request[0]}")
        real_send(conn, request)

    def ensure_valid(self: SchemaSet) -> None:
        events.append("schemas checked")
        real_check(self)

    monkeypatch.setattr(pool, "_send", send)
    monkeypatch.setattr(SchemaSet, "ensure_valid", ensure_valid)
    _run(example_vault, 2)
    order = list(dict.fromkeys(events))
    assert order.index("asked for parse") < order.index("schemas checked") < order.index("asked for mentions")


def test_a_schema_refused_while_the_workers_parse_stops_them_at_once(
    make_vault: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The workers parse with the schemas before the run has checked them: a pattern the check refuses,
    which backtracks for hours on these notes, must not keep the run waiting for the workers' chunks.
    The workers must have ended when the run closes them: once waited there (`Workers.close`) each took
    two seconds to be killed, which a whole run under 4 s measured, and a busy machine made slower."""
    schema = '{"properties": {"code": {"type": "string", "pattern": "^(a|a)*$"}}}'
    notes = {f"N{n}.md": "---\ncode: " + "a" * 40 + "!\n---\nBody.\n" for n in range(40)}
    root = make_vault(
        {"vaultkit.toml": 'schema_dir = "schemas"\n', "schemas/default.schema.json": schema, **notes}
    )
    ended: list[int | None] = []
    close = Workers.close

    def closing(self: Workers) -> None:
        deadline = time.monotonic() + 60  # stopped: a moment; left to parse their chunk: hours
        for proc in self._procs:
            proc.join(timeout=max(0.0, deadline - time.monotonic()))
            ended.append(proc.exitcode)
        close(self)

    monkeypatch.setattr(Workers, "close", closing)
    with pytest.raises(FatalError, match="pattern"):
        _run(root, 2)
    assert len(ended) == 2 and None not in ended, f"workers still parsing when closed: {ended}"


@pytest.mark.skipif(not can_fork(), reason="forked workers inherit the test's Analyzer")
def test_a_worker_told_to_stop_leaves_without_freeing_what_it_holds(
    example_vault: Path, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """The run waits for its workers to end (`Workers.close`). A worker that returned from its loop freed its
    analyzer (the notes' prose, the mention keys, what its scan found) object by object and ran its exit
    handlers first: ~50 ms of a cold 10k check's wall, both cores waiting. It leaves at once (`os._exit`),
    its replies sent: the results are the same as one process's."""
    freed = tmp_path / "freed"

    class Watched(Analyzer):
        def __del__(self) -> None:
            freed.write_text(str(os.getpid()))

    monkeypatch.setattr(pool, "Analyzer", Watched)
    notes = sorted(p.relative_to(example_vault).as_posix() for p in example_vault.rglob("*.md"))
    settings = open_session(example_vault).settings()
    workers = Workers(settings, 2)
    try:
        parsed = workers.call("parse", notes)
    finally:
        workers.close()
    assert [f.rel for f in parsed] == notes
    assert not freed.exists(), "a worker freed its analyzer before it ended"
