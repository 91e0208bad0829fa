"""`vaultkit watch` as a real process with a real watchdog observer and real saves."""

from __future__ import annotations

import contextlib
import errno
import os
import queue
import re
import select
import shutil
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import click
import pytest
from conftest import EXAMPLE_VAULT, REPO

RESRL = "Entities/Papers/ResRL.md"


class WatchProcess:
    def __init__(self, root: Path, *args: str, cwd: Path | None = None) -> None:
        env = {**os.environ, "PYTHONUNBUFFERED": "1"}
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "vaultkit", "watch", str(root), "--debounce-ms", "100", *args],
            cwd=cwd,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            env=env,
        )
        self.lines: queue.Queue[str] = queue.Queue()
        self.seen: list[str] = []
        self.reader = threading.Thread(target=self._read, daemon=True)
        self.reader.start()
        try:
            self.expect(r"^vaultkit: watching ", timeout=60)
        except AssertionError:
            self.proc.kill()  # never left behind, hung
            self.proc.wait()
            raise

    def _read(self) -> None:
        assert self.proc.stdout is not None
        for line in self.proc.stdout:
            self.lines.put(line.rstrip("\n"))

    def expect(self, pattern: str, timeout: float = 60) -> list[str]:
        """Lines read until one matches `pattern` (all of them, the match last)."""
        got: list[str] = []
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                line = self.lines.get(timeout=0.1)
            except queue.Empty:
                continue
            got.append(line)
            self.seen.append(line)
            if re.search(pattern, line):
                return got
        raise AssertionError(
            f"no line matching {pattern!r} in {timeout} s; got {got!r}; before: {self.seen!r}"
        )

    @contextlib.contextmanager
    def held(self) -> Iterator[None]:
        """The watch stopped (SIGSTOP) until the block ends: what the block writes comes to it as one burst,
        however slowly a busy machine runs the block. Written while the watch ran, a burst could be split
        by the scheduler: a pause of the debounce time (0.1 s) between two writes made two re-checks."""
        self.proc.send_signal(signal.SIGSTOP)
        try:
            _wait_stopped(self.proc.pid)
            yield
        finally:
            self.proc.send_signal(signal.SIGCONT)

    def quiet(self, seconds: float) -> list[str]:
        time.sleep(seconds)
        out = []
        while not self.lines.empty():
            out.append(self.lines.get())
        return out

    def stop(self, sig: int = signal.SIGINT) -> int:
        self.proc.send_signal(sig)
        try:
            return self.proc.wait(timeout=60)
        except subprocess.TimeoutExpired:
            self.proc.send_signal(signal.SIGUSR1)  # the watch prints every thread's stack: where it hangs
            raise AssertionError(f"the watch did not stop; its threads:\n{_lines(self.quiet(1.0))}") from None
        finally:
            self.close()

    def close(self) -> None:
        """Kill the watch if it still runs, and close its output once read to its end (all of it is in
        `lines` then). A fixed tenth of a second for the reader was not always enough on a busy machine:
        a line could be missing, or the reader read on from the closed pipe and failed in its thread."""
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()
        self.reader.join(timeout=60)  # the end of the output: the watch and its workers are gone
        assert self.proc.stdout is not None
        self.proc.stdout.close()


def _wait_stopped(pid: int) -> None:
    """Until every thread of `pid` is stopped: `kill` only sends SIGSTOP, a thread running on another
    processor stops a moment later (Linux's /proc; elsewhere, no wait)."""
    tasks = Path(f"/proc/{pid}/task")
    while True:
        states = set()
        for stat in tasks.glob("*/stat"):  # none: not Linux, or the watch is gone (then it fails as it may)
            with contextlib.suppress(OSError):
                states.add(stat.read_text().rsplit(")", 1)[1].split()[0])
        if states <= {"T", "t", "Z", "X"}:
            return
        time.sleep(0.001)


def _lines(lines: list[str]) -> str:
    return "\n".join(lines)


@pytest.fixture
def vault(tmp_path: Path) -> Path:
    dest = tmp_path / "vault"
    shutil.copytree(EXAMPLE_VAULT, dest, ignore=shutil.ignore_patterns(".vaultkit_cache"))
    return dest


@pytest.fixture
def watch(vault: Path) -> Iterator[WatchProcess]:
    w = WatchProcess(vault)
    yield w
    if w.proc.poll() is None:
        w.stop()


def _in_place(path: Path, text: str) -> None:
    with open(path, "w", encoding="utf-8") as f:  # how Obsidian (Node's writeFileSync) saves
        f.write(text)


def _atomic(path: Path, text: str) -> None:
    tmp = path.with_name(f".{path.name}.tmp")
    tmp.write_text(text, encoding="utf-8")
    os.replace(tmp, path)  # how most editors save


@pytest.mark.parametrize("save", [_in_place, _atomic], ids=["in-place", "temp-and-rename"])
def test_save_shows_new_then_gone(vault: Path, watch: WatchProcess, save: object) -> None:
    """A problem the user's own edit removed is "gone": it was said "(fixed)", as if vaultkit had fixed it."""
    note = vault / RESRL
    original = note.read_text(encoding="utf-8")
    save(note, original.replace("kind: paper", "kind: papr"))  # type: ignore[operator]
    lines = watch.expect(r"^vaultkit: \d+ notes")
    assert any(line.startswith(f"+ {RESRL}:") and "VK010" in line and '"papr"' in line for line in lines), (
        lines
    )
    save(note, original)  # type: ignore[operator]
    lines = watch.expect(r"^vaultkit: \d+ notes")
    assert any(line.startswith(f"- {RESRL}:") and line.endswith(" (gone)") for line in lines), lines
    assert not any("fixed" in line for line in lines), lines
    assert note.read_text(encoding="utf-8") == original  # watch without --fix never writes


def test_a_deleted_notes_problems_are_gone_not_fixed(vault: Path, watch: WatchProcess) -> None:
    note = vault / RESRL
    _in_place(note, note.read_text(encoding="utf-8").replace("kind: paper", "kind: papr"))
    watch.expect(r"^vaultkit: \d+ notes")
    note.unlink()
    lines = [line for line in watch.expect(r"^vaultkit: \d+ notes") if line.startswith(f"- {RESRL}:")]
    assert lines and all(line.endswith("(note deleted)") for line in lines), lines


def test_a_renamed_notes_problems_say_where_it_went(vault: Path, watch: WatchProcess) -> None:
    """A note renamed (F2 in Obsidian, `mv`) had each of its problems said `(note deleted)` under its old
    name: the user, who deleted nothing, was told a note was. They now say where it went; its problems
    come back as `+` lines there."""
    note = vault / RESRL
    _in_place(note, note.read_text(encoding="utf-8").replace("kind: paper", "kind: papr"))
    watch.expect(r"^vaultkit: \d+ notes")
    renamed = "Entities/Papers/ResRL v2.md"
    os.rename(note, vault / renamed)
    lines = watch.expect(r"^vaultkit: \d+ notes")
    went = [line for line in lines if line.startswith(f"- {RESRL}:")]
    assert went and all(line.endswith(f"(note renamed to {renamed})") for line in went), lines
    assert any(line.startswith(f"+ {renamed}:") and "VK010" in line for line in lines), lines
    moved = "Entities/ResRL v2.md"
    os.rename(vault / renamed, vault / moved)
    lines = watch.expect(r"^vaultkit: \d+ notes")
    went = [line for line in lines if line.startswith(f"- {renamed}:")]
    assert went and all(line.endswith(f"(note moved to {moved})") for line in went), lines
    os.rename(vault / "Entities", vault / "Things")  # a folder renamed: each of its notes moved
    lines = watch.expect(r"^vaultkit: \d+ notes")
    went = [line for line in lines if line.startswith(f"- {moved}:")]
    assert went and all(line.endswith("(note moved to Things/ResRL v2.md)") for line in went), lines
    assert not any(line.endswith("(note deleted)") for line in lines), lines


def test_a_note_replaced_by_a_folder_of_its_name_is_deleted(vault: Path, watch: WatchProcess) -> None:
    """Regression: a note deleted and a folder made under its name (`rm X.md; mkdir X.md`, a branch that has
    a folder there checked out) had its problems said `(gone)`, as if the text had been rewritten: the path
    is still there, but no note is."""
    note = vault / RESRL
    _in_place(note, note.read_text(encoding="utf-8").replace("kind: paper", "kind: papr"))
    watch.expect(r"^vaultkit: \d+ notes")
    note.unlink()
    note.mkdir()
    lines = [line for line in watch.expect(r"^vaultkit: \d+ notes") if line.startswith(f"- {RESRL}:")]
    assert lines and all(line.endswith("(note deleted)") for line in lines), lines


@pytest.mark.parametrize("spoil", ["binary", "not-utf8", "unreadable"])
def test_a_note_that_can_no_longer_be_read_is_not_said_fixed(
    vault: Path, watch: WatchProcess, spoil: str
) -> None:
    """Regression: a note with problems that then became unreadable (binary, not UTF-8, chmod 000) had
    them printed as gone '(fixed)'."""
    note = vault / RESRL
    _in_place(note, note.read_text(encoding="utf-8").replace("kind: paper", "kind: papr"))
    watch.expect(r"^vaultkit: \d+ notes")
    if spoil == "unreadable":
        if os.geteuid() == 0:
            pytest.skip("root reads a note of mode 000")
        note.chmod(0)
    else:
        note.write_bytes(b"\x00\x01binary" if spoil == "binary" else b"---\nkind: caf\xe9\n---\n")
    lines = watch.expect(r"^vaultkit: \d+ notes")
    gone = [line for line in lines if line.startswith(f"- {RESRL}:")]
    assert gone and all(line.endswith("(not checked: the note cannot be read)") for line in gone), lines
    assert any(re.match(rf"^\+ {RESRL}:\d+:\d+: VK20[1-4] ", line) for line in lines), lines


def test_a_note_excluded_by_a_config_change_is_not_said_deleted(vault: Path, watch: WatchProcess) -> None:
    """Regression: excluding a folder in vaultkit.toml (or Obsidian's excluded files) while watching said of
    each of its notes' problems `(note deleted)`, while the note is still there."""
    (vault / "vaultkit.toml").write_text('exclude = ["Entities/Papers/"]\n')
    watch.expect(r"^vaultkit: configuration changed")
    lines = [line for line in watch.expect(r"^vaultkit: \d+ notes") if line.startswith(f"- {RESRL}:")]
    assert lines and all(
        line.endswith("(no longer reported: the configuration changed)") for line in lines
    ), lines


def test_a_name_deleted_then_back_is_mentioned_again(vault: Path, watch: WatchProcess) -> None:
    """Ant Group.md mentions Xiaomi unlinked. Xiaomi.md deleted: that problem goes, and it was not fixed in
    Ant Group.md. Xiaomi.md back: the problem is back (watch used to stay silent, with a stale count)."""
    note = vault / "Entities/Companies/Xiaomi.md"
    text = note.read_text(encoding="utf-8")
    mention = "Entities/Companies/Ant Group.md:10:181: VK120"
    note.unlink()
    lines = watch.expect(r"^vaultkit: \d+ notes")
    gone = [line for line in lines if line.startswith(f"- {mention}")]
    assert gone and gone[0].endswith("(no longer found, after a change in another note)"), lines
    _atomic(note, text)
    lines = watch.expect(r"^vaultkit: \d+ notes")
    assert any(line.startswith(f"+ {mention}") for line in lines), lines


def test_a_problem_told_otherwise_is_changed_not_gone(vault: Path, watch: WatchProcess) -> None:
    """A note saved that links to the Lambert wiki note adds itself to that note's VK121 list: the problem is
    still there, told otherwise. It was printed `+` with the new list, then `-` with the old one "(no longer
    found, after a change in another note)", as if that relation were no longer owed; now the old line comes
    first, said changed, right above the new one."""
    wiki = "Wiki/Lambert - Notes from inside China's AI labs.md:1:1: VK121"
    _atomic(vault / "New.md", "See [[Lambert - Notes from inside China's AI labs]].\n")
    lines = watch.expect(rf"^\+ {re.escape(wiki)} ")
    assert len(lines) > 1 and lines[-2] == (
        f"- {wiki} [[Reading list]] links here, but 'related' does not list it (changed: see the next line)"
    ), lines
    assert "[[New]]" in lines[-1], lines
    lines += watch.expect(r"^vaultkit: \d+ notes")
    assert sum(line.startswith(f"- {wiki}") for line in lines) == 1, lines


def test_identical_save_prints_nothing(vault: Path, watch: WatchProcess) -> None:
    note = vault / RESRL
    _in_place(note, note.read_text(encoding="utf-8"))
    _atomic(note, note.read_text(encoding="utf-8"))
    assert watch.quiet(1.0) == []


def test_burst_of_saves_is_one_recheck(vault: Path, watch: WatchProcess) -> None:
    note = vault / RESRL
    original = note.read_text(encoding="utf-8")
    with watch.held():  # saves a moment apart, as typed: never a pause of the debounce time between two
        for i in range(20):  # Obsidian autosaving while you type
            _in_place(note, original.replace("kind: paper", f"kind: paper{i}"))
    lines = watch.expect(r"^vaultkit: \d+ notes")
    assert sum(1 for line in lines if line.startswith("+ ")) == 1, lines
    assert "paper19" in "\n".join(lines)
    assert not [line for line in watch.quiet(0.8) if line.startswith("vaultkit: ")]


def test_notes_changed_together_are_rechecked_together(tmp_path: Path) -> None:
    """Regression: each note was re-checked once quiet for the debounce time on its own, so a checkout that
    took a link and its relation away (a `git switch` to a branch without them, writing `Entities/` before
    `Wiki/`) could be re-checked in two parts: the note that lost its relation first, still linked from
    the other, with a `+ VK121` said for nothing and a `-` a moment later (with --fix, its fix was then
    due, and `as git's index has it ...: checked, not linked` was said of a note with nothing to link).
    The notes changed in one burst are re-checked once the burst is quiet. The two writes here are 0.3 s
    apart, under the debounce time of 1 s: before, the first note was due 0.3 s before the second."""
    root = tmp_path / "vault"
    (root / "Entities").mkdir(parents=True)
    (root / "Wiki").mkdir()
    (root / "vaultkit.toml").write_text("", encoding="utf-8")
    entity = root / "Entities" / "Zorblat.md"
    wiki = root / "Wiki" / "Overview.md"
    entity.write_text('---\nrelated: ["[[Overview]]"]\n---\nA lab.\n', encoding="utf-8")
    wiki.write_text("See [[Zorblat]].\n", encoding="utf-8")
    w = WatchProcess(root, "--debounce-ms", "1000")
    try:
        entity.write_text("---\n---\nA lab.\n", encoding="utf-8")
        time.sleep(0.3)
        wiki.write_text("See [[Nowhere]].\n", encoding="utf-8")  # a problem: the re-check says something
        later = w.expect(r"^vaultkit: \d+ notes") + w.quiet(2.0)
        changes = [line for line in later if line.startswith(("+ ", "- "))]
        assert len(changes) == 1 and changes[0].startswith("+ Wiki/Overview.md:1:5: VK101 "), later
    finally:
        w.stop()


def test_delete_and_rename_recheck_the_notes_that_link(vault: Path, watch: WatchProcess) -> None:
    (vault / "Entities/People/Nathan Lambert.md").unlink()
    lines = watch.expect(r"^vaultkit: \d+ notes")
    assert any("VK101" in line and "Nathan Lambert" in line for line in lines), lines
    os.rename(
        vault / "Entities/Publications/Interconnects.md", vault / "Entities/Publications/Interconnects AI.md"
    )
    lines = watch.expect(r"^vaultkit: \d+ notes")
    assert any("VK101" in line and "'Interconnects'" in line for line in lines), lines


def test_creating_a_note_rechecks_mentions_of_it(vault: Path, watch: WatchProcess) -> None:
    (vault / "Entities/Labs/Ai2.md").write_text("---\ntype: entity\nkind: lab\n---\nAllen Institute lab.\n")
    (vault / "Entities/Labs/Seed.md").write_text(
        "---\ntype: entity\nkind: lab\n---\nLambert worked at Ai2.\n"
    )
    lines = watch.expect(r"^vaultkit: 26 notes")
    assert any("'Ai2' mentions [[Ai2]]" in line for line in lines), lines


def test_a_link_to_a_new_excluded_note_resolves(vault: Path, watch: WatchProcess) -> None:
    """Templates/ is in the example vault's userIgnoreFilters: not checked, but links to it resolve."""
    (vault / "Wiki/Uses a template.md").write_text("---\ntier: 1\n---\nStart from [[Paper template]].\n")
    lines = watch.expect(r"^vaultkit: 25 notes")
    assert any("VK101" in line and "Paper template" in line for line in lines), lines
    (vault / "Templates/Paper template.md").write_text("---\nnot: [valid\n---\n")
    lines = watch.expect(r"^vaultkit: 25 notes")
    assert any(line.startswith("- Wiki/Uses a template.md") and "VK101" in line for line in lines), lines
    assert not any("Templates/" in line for line in lines), lines


def test_schema_change_reloads_and_broken_schema_keeps_the_last_good(vault: Path, tmp_path: Path) -> None:
    schemas = vault / "schemas"
    shutil.copytree(EXAMPLE_VAULT.parent / "schemas", schemas)
    (vault / "vaultkit.toml").write_text('schema_dir = "schemas"\n')
    w = WatchProcess(vault)
    try:
        entity = schemas / "entity.schema.json"
        text = entity.read_text()
        entity.write_text(text.replace('"required": [', '"required": ["url", ', 1))
        lines = w.expect(r"^vaultkit: \d+ notes")
        assert any("configuration changed" in line for line in lines), lines
        assert any("missing required property 'url'" in line for line in lines), lines
        entity.write_text("{ not json")
        lines = w.expect(r"keeping the previous configuration")
        assert any("not valid JSON" in line for line in lines), lines
        entity.write_text(text.replace('"required": [', '"required": ["url", ', 1))  # the one in use
        w.expect(r"readable again, and the same as the one in use")
        entity.write_text(text)
        w.expect(r"^vaultkit: configuration changed")  # a save may first show the file empty
        lines = w.expect(r"^vaultkit: \d+ notes")
        gone = [line for line in lines if "missing required property 'url'" in line]
        assert gone and all(
            line.endswith("(no longer reported: the configuration changed)") for line in gone
        ), lines
        assert w.quiet(1.0) == [], "one save, one reload: nothing said twice"
        assert sum(line.startswith("vaultkit: configuration changed") for line in w.seen) == 2, w.seen
    finally:
        assert w.stop(signal.SIGTERM) == 0


def test_a_broken_schema_is_named_from_the_current_folder(vault: Path) -> None:
    """As `check` names it (and the configuration errors of any command): watch said
    `/home/ada/notes/schemas/entity.schema.json:1:3: schema is not valid JSON`, run from `/home/ada`."""
    shutil.copytree(EXAMPLE_VAULT.parent / "schemas", vault / "schemas")
    (vault / "vaultkit.toml").write_text('schema_dir = "schemas"\n')
    w = WatchProcess(vault, cwd=vault.parent)
    try:
        (vault / "schemas" / "entity.schema.json").write_text("{ not json")
        lines = w.expect(r"keeping the previous configuration")
        assert any(
            line.startswith("vaultkit: error: vault/schemas/entity.schema.json:1:3: schema is not valid JSON")
            for line in lines
        ), lines
    finally:
        assert w.stop() == 0


def test_a_thousand_new_files_at_once(vault: Path, watch: WatchProcess) -> None:
    folder = vault / "Bulk"
    folder.mkdir()
    for i in range(1000):
        (folder / f"Bulk note {i:04}.md").write_text(f"---\ntags: [bulk]\n---\nNote {i} mentions ResRL.\n")
    lines = watch.expect(r"^vaultkit: 1024 notes", timeout=120)
    assert any("Bulk/Bulk note" in line for line in lines)
    assert _children(watch.proc.pid) == [], "the worker processes of the bulk re-check are gone"
    shutil.rmtree(folder)
    watch.expect(r"^vaultkit: 24 notes", timeout=120)
    assert watch.stop() == 0


QUEUED_EVENTS = Path("/proc/sys/fs/inotify/max_queued_events")


@pytest.mark.skipif(not QUEUED_EVENTS.exists(), reason="inotify's queue: Linux")
def test_notes_whose_events_the_system_dropped_are_checked_again(vault: Path, watch: WatchProcess) -> None:
    """Regression: when the kernel's queue of inotify events overflowed (thousands of file events while the
    watch was stopped or busy: a large checkout), the events that did not fit were dropped and watchdog only
    logged it: a note changed then was never checked again, and its problems were not shown."""
    queued = int(QUEUED_EVENTS.read_text())
    if queued > 10_000_000:
        pytest.skip(f"max_queued_events is {queued}: too many writes to overflow it")
    paper = vault / RESRL
    # Obsidian's files that change all the time, written in turn: one event each write, none merged by the
    # kernel with the one before it, as a run of writes to one file would be
    flags = os.O_WRONLY | os.O_CREAT | os.O_APPEND
    workspaces = [
        os.open(vault / ".obsidian" / name, flags) for name in ("workspace.json", "workspace-mobile.json")
    ]
    try:
        with watch.held():
            for i in range(queued + 100):
                os.write(workspaces[i % 2], b" ")
            _in_place(paper, paper.read_text(encoding="utf-8").replace("kind: paper", "kind: papr"))
    finally:
        for fd in workspaces:
            os.close(fd)
    watch.expect(r"^vaultkit: file events were lost \(the inotify queue overflowed")
    lines = watch.expect(r"^vaultkit: \d+ notes")
    assert any(line.startswith(f"+ {RESRL}:3:7: VK010") for line in lines), _lines(lines)


def _children(pid: int) -> list[int]:
    """The live child processes of `pid` (Linux's /proc; [] elsewhere)."""
    found = []
    for entry in Path("/proc").glob("[0-9]*/stat"):
        with contextlib.suppress(OSError):
            stat = entry.read_text().rsplit(")", 1)[1].split()  # after "(comm)": state, ppid, ...
            if int(stat[1]) == pid and stat[0] != "Z":
                found.append(int(entry.parent.name))
    return found


def test_sigusr1_prints_where_the_watch_is_and_it_goes_on(vault: Path, watch: WatchProcess) -> None:
    watch.proc.send_signal(signal.SIGUSR1)
    dump = watch.expect(r'File ".*vaultkit[/\\]watch\.py", line \d+ in run')
    assert any(line.startswith(("Thread 0x", "Current thread 0x")) for line in dump)
    note = vault / RESRL
    _atomic(note, note.read_text(encoding="utf-8") + "\nA mention of Xiaomi.\n")
    watch.expect(r"^\+ Entities/Papers/ResRL.md:\d+:\d+: VK120 'Xiaomi'")


def test_a_control_character_in_a_saved_value_is_spelled_out(vault: Path, watch: WatchProcess) -> None:
    """As in `check`'s text report: a value quoted in a message never colours or moves the terminal."""
    _atomic(vault / "Wiki" / "Odd.md", '---\ntype: "\\e[31mX"\n---\nBody.\n')
    (line,) = [x for x in watch.expect(r"^\+ Wiki/Odd.md:2:7: VK011") if x.startswith("+ Wiki/Odd.md")]
    assert "\x1b" not in line and "\\x1b[31mX" in line, line


@pytest.mark.parametrize("sig", [signal.SIGINT, signal.SIGTERM, signal.SIGHUP])
def test_a_stop_signal_stops_the_watch_with_exit_zero(vault: Path, sig: int) -> None:
    """SIGHUP (the terminal the watch runs in was closed) stops it as Ctrl-C and SIGTERM do. Regression: it
    ended the watch by the signal's default action, in silence, wherever the watch was."""
    w = WatchProcess(vault)
    assert w.stop(sig) == 0
    assert "vaultkit: stopped" in w.quiet(0.2)


def test_a_closed_terminal_stops_the_watch_with_exit_zero(vault: Path, tmp_path: Path) -> None:
    """The README: the watch exits 0 when its terminal is closed. Regression: the terminal went with its
    output, and saying 'vaultkit: stopped' there failed: exit 2, 'vaultkit: error: cannot write the output:
    Input/output error'. The terminal is a pseudo-terminal whose other end is closed, then SIGHUP comes, as
    when its window is closed."""
    import pty

    master, slave = pty.openpty()
    err = tmp_path / "stderr"
    with open(err, "w", encoding="utf-8") as stderr:
        proc = subprocess.Popen(
            [sys.executable, "-m", "vaultkit", "watch", str(vault)],
            stdin=slave,
            stdout=slave,
            stderr=stderr,
            env={**os.environ, "PYTHONUNBUFFERED": "1"},
        )
    os.close(slave)
    seen = b""
    deadline = time.monotonic() + 60
    with contextlib.suppress(OSError):  # EIO: the watch is gone (then the asserts below say how)
        while b"vaultkit: watching" not in seen and time.monotonic() < deadline:
            if select.select([master], [], [], 0.1)[0]:  # never a read that blocks past the deadline
                seen += os.read(master, 65536)
    os.close(master)  # the terminal window closed
    proc.send_signal(signal.SIGHUP)
    assert proc.wait(timeout=60) == 0, err.read_text(encoding="utf-8")
    assert err.read_text(encoding="utf-8") == ""


def test_a_watch_started_under_nohup_outlives_its_terminal(vault: Path) -> None:
    """`nohup vaultkit watch &` starts the watch with SIGHUP ignored, so that it goes on once its terminal is
    closed. Regression: the watch answered SIGHUP all the same, and stopped ('vaultkit: stopped') as the
    terminal closed; the saves after it were never checked."""
    before = signal.signal(signal.SIGHUP, signal.SIG_IGN)  # as nohup starts it: the watch inherits it
    try:
        w = WatchProcess(vault)
    finally:
        signal.signal(signal.SIGHUP, before)
    try:
        w.proc.send_signal(signal.SIGHUP)  # the terminal closed
        note = vault / RESRL
        _in_place(note, note.read_text(encoding="utf-8").replace("kind: paper", "kind: papr"))
        lines = w.expect(r"^vaultkit: \d+ notes", timeout=10)
        assert any(line.startswith(f"+ {RESRL}:") and "VK010" in line for line in lines), lines
        assert "vaultkit: stopped" not in w.seen
    finally:
        assert w.stop(signal.SIGTERM) == 0


@pytest.mark.slow
@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGINT, signal.SIGHUP])
def test_a_stop_during_the_first_check_exits_zero(tmp_path: Path, sig: int) -> None:
    """The README: watch exits 0 on Ctrl-C or SIGTERM. During the first check of a large vault (seconds),
    Ctrl-C exited 130 ('aborted') and SIGTERM killed the process: the handlers came only after it."""
    from vaultkit.pool import default_jobs

    root = tmp_path / "big"
    generator = REPO / "benchmarks" / "generate.py"
    subprocess.run([sys.executable, generator, root, "--notes", "4000"], check=True, capture_output=True)
    (root / "vaultkit.toml").write_text("", encoding="utf-8")
    proc = subprocess.Popen(
        [sys.executable, "-m", "vaultkit", "watch", str(root)],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
    )
    deadline = time.monotonic() + 30
    while not (root / ".vaultkit_cache").exists() and time.monotonic() < deadline:
        time.sleep(0.02)  # the first check has begun: it makes the cache folder before it lists the vault
    if default_jobs() > 1 and sys.platform.startswith("linux"):
        # its workers have started: it parses now, its longest part (a fixed 0.2 s more could come after
        # the whole check on a fast machine with many processors)
        while not _children(proc.pid) and time.monotonic() < deadline:
            time.sleep(0.005)
    else:
        time.sleep(0.2)  # one processor: it parses alone, for seconds (a cold 4,000-note vault)
    proc.send_signal(sig)
    out, _ = proc.communicate(timeout=60)  # also waits for the workers: they hold its output
    assert "vaultkit: watching" not in out, "the first check ended before the signal: make the vault larger"
    assert out.rstrip().endswith("vaultkit: stopped"), out
    assert proc.returncode == 0, out


def test_a_vault_folder_moved_away_stops_the_watch(vault: Path, tmp_path: Path) -> None:
    """Regression: with its folder moved away, the watch kept running and said nothing, watching nothing."""
    w = WatchProcess(vault)
    try:
        os.rename(vault, tmp_path / "elsewhere")
        w.expect(r"the vault folder .* was moved or deleted")
        assert w.proc.wait(timeout=60) == 2
    finally:
        w.close()


def test_fix_links_after_settle_and_never_loops(vault: Path) -> None:
    w = WatchProcess(vault, "--fix", "--settle", "0.5")
    try:
        note = vault / RESRL
        text = note.read_text(encoding="utf-8")
        _atomic(note, text + "\nAnother mention of Xiaomi.\n")
        w.expect(r"^vaultkit: linked Entities/Papers/ResRL.md")
        linked = note.read_text(encoding="utf-8")
        assert "[[Xiaomi]]" in linked and "[[Meituan]]" in linked
        assert (
            linked.replace("[[Xiaomi]]", "Xiaomi")
            .replace("[[Meituan]]", "Meituan")
            .replace("[[Nathan Lambert|Lambert]]", "Lambert")
            .startswith(text.split("---\n", 2)[0])
        )
        later = w.quiet(2.0)
        assert not any(line.startswith("vaultkit: linked") for line in later), later
        assert note.read_text(encoding="utf-8") == linked
    finally:
        w.stop()


def test_git_writing_a_nested_repositorys_own_files_holds_no_fix(vault: Path) -> None:
    """Files in a folder where no note is ever listed (the `.git/` of a clone or submodule kept in the vault)
    are not notes. Regression: a `git gc` there (dozens of pack and object files) was taken for "47 notes
    changed at once (a git checkout, a sync, a copy?)", and the fix due for the note the user had just saved
    elsewhere was dropped: it was never linked."""
    objects = vault / "Code" / ".git" / "objects" / "pack"
    objects.mkdir(parents=True)
    w = WatchProcess(vault, "--fix", "--settle", "1")
    try:
        note = vault / RESRL
        _atomic(note, note.read_text(encoding="utf-8") + "\nAnother mention of Xiaomi.\n")
        w.expect(r"^\+ Entities/Papers/ResRL.md:.*'Xiaomi'")
        for k in range(30):  # what `git gc` writes, well within the settle time
            (objects / f"pack-{k:040d}.pack").write_bytes(b"PACK")
        lines = w.expect(r"^vaultkit: linked Entities/Papers/ResRL.md", timeout=15)
        assert not any("changed at once" in line for line in lines), lines
    finally:
        w.stop()


def test_fix_spells_out_a_newline_in_the_name_of_the_note_it_linked(vault: Path) -> None:
    """Regression: `vaultkit: linked Wiki/New` then a line `line.md`: a note's name started a line of its own."""
    w = WatchProcess(vault, "--fix", "--settle", "0.5")
    try:
        (vault / "Wiki" / "New\nline.md").write_text("About Xiaomi today.\n", encoding="utf-8")
        w.expect(r"^vaultkit: linked Wiki/New\\nline\.md$")
    finally:
        w.stop()


@pytest.mark.parametrize("how", ["files", "folder"])
def test_fix_leaves_a_bulk_change_alone(vault: Path, how: str) -> None:
    """`git checkout` of a branch with 400 notes came as 400 saves: `watch --fix` linked them all, and the
    checkout back then refused ("your local changes would be overwritten"). Many notes changed at once are
    checked, not linked; a note saved on its own afterwards is linked as before."""
    w = WatchProcess(vault, "--fix", "--settle", "0.5")
    try:
        batch = vault / "Imported"
        tmp = vault.parent / "staging" if how == "folder" else batch
        tmp.mkdir()
        time.sleep(0.5)  # the new folder seen first: then only the files come
        for k in range(30):  # one after the other, as a checkout writes them; or moved in as one folder
            (tmp / f"Imported {k}.md").write_text(f"Import {k} names Meituan.\n", encoding="utf-8")
        if how == "folder":
            os.rename(tmp, batch)
        w.expect(r"^vaultkit: \d+ notes changed at once .*checked, not linked")
        later = w.quiet(2.0)
        assert not any(line.startswith("vaultkit: linked") for line in later), later
        assert all("[[" not in p.read_text(encoding="utf-8") for p in batch.iterdir())
        note = vault / RESRL
        _atomic(note, note.read_text(encoding="utf-8") + "\nAnother mention of Xiaomi.\n")
        w.expect(r"^vaultkit: linked Entities/Papers/ResRL.md")
    finally:
        w.stop()


def test_inotify_limit_falls_back_to_polling(
    vault: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from watchdog.observers import Observer
    from watchdog.observers.polling import PollingObserver

    from vaultkit.watch import Watcher, WatchOptions

    def full(self: object) -> None:
        raise OSError(errno.ENOSPC, "inotify watch limit reached")

    monkeypatch.setattr(Observer, "start", full)
    watcher = Watcher(vault, WatchOptions(), click.echo)
    observer = watcher._start_observer()
    try:
        assert isinstance(observer, PollingObserver)
        assert "inotify watch limit" in capsys.readouterr().err
    finally:
        observer.stop()
        observer.join()


def test_inotify_instance_limit_falls_back_to_polling(
    vault: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """watchdog 6+ opens its inotify instance as the observer is made: the instance limit (EMFILE) is met
    there, and was not caught (the watch failed with an internal error instead of polling)."""
    import watchdog.observers
    from watchdog.observers.polling import PollingObserver

    from vaultkit.watch import Watcher, WatchOptions

    def no_instance_left() -> None:
        raise OSError(errno.EMFILE, "Too many open files")

    monkeypatch.setattr(watchdog.observers, "Observer", no_instance_left)
    observer = Watcher(vault, WatchOptions(), click.echo)._start_observer()
    try:
        assert isinstance(observer, PollingObserver)
        assert "inotify instance limit" in capsys.readouterr().err
    finally:
        observer.stop()
        observer.join()


def test_link_while_watch_fix_runs_loses_nothing(vault: Path) -> None:
    """Two writers on one vault: every user edit survives, no note is corrupted, the end state is clean."""
    w = WatchProcess(vault, "--fix", "--settle", "0.2")
    try:
        notes = sorted(vault.glob("Entities/*/*.md"))[:8]
        marks = {}
        for i, note in enumerate(notes):
            mark = f"User edit {i} mentions Xiaomi and Meituan."
            marks[note] = mark
            _atomic(note, note.read_text(encoding="utf-8") + f"\n{mark}\n")
        linkers = [
            subprocess.Popen(
                [sys.executable, "-m", "vaultkit", "link", str(vault)],
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
            )
            for _ in range(2)
        ]
        for proc in linkers:
            proc.communicate(timeout=120)
            assert proc.returncode in (0, 1)
        w.quiet(3.0)  # let watch --fix settle and write
    finally:
        assert w.stop() == 0
    for note, mark in marks.items():
        text = note.read_text(encoding="utf-8")
        plain = re.sub(r"\[\[(?:[^\]|]*\|)?([^\]]*)\]\]", r"\1", text)
        assert mark in plain, f"edit lost in {note}"
    final = subprocess.run(
        [sys.executable, "-m", "vaultkit", "link", str(vault)], capture_output=True, text=True, check=False
    )
    assert final.returncode == 0, final.stderr
    check = subprocess.run(
        [sys.executable, "-m", "vaultkit", "check", str(vault)], capture_output=True, text=True, check=False
    )
    assert check.returncode == 0, check.stdout


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="paused writers are detected with leases")
def test_fix_never_takes_the_second_half_of_a_paused_save(vault: Path) -> None:
    """Regression: a save written in two parts with a pause longer than --settle lost its second half, since
    watch linked the half-written note and renamed its copy over the file the writer still held open."""
    w = WatchProcess(vault, "--fix", "--settle", "0.2")
    try:
        note = vault / RESRL
        text = note.read_text(encoding="utf-8")
        with open(note, "w", encoding="utf-8") as f:
            f.write(text + "\nFirst half, which mentions Xiaomi.\n")
            f.flush()
            time.sleep(2.0)  # watch sees a settled note meanwhile
            f.write("Second half of the same save.\n")
        w.expect(r"^vaultkit: linked Entities/Papers/ResRL.md")
        w.quiet(1.0)
        saved = note.read_text(encoding="utf-8")
        assert "Second half of the same save." in saved
        assert "First half, which mentions [[Xiaomi]]." in saved
    finally:
        w.stop()


def _check(vault: Path, *args: str) -> list[str]:
    """`vaultkit check` on the vault as a separate process: its diagnostic lines."""
    done = subprocess.run(
        [sys.executable, "-m", "vaultkit", "check", "--no-cache", *args, "."],
        cwd=vault,
        capture_output=True,
        text=True,
        check=False,
        timeout=60,
    )
    return [line for line in done.stdout.splitlines() if re.match(r"^\S.*:\d+:\d+: VK\d+ ", line)]


def test_the_problems_found_at_start_are_printed_first(vault: Path, watch: WatchProcess) -> None:
    """As the README says, watch first prints every problem, as `check` does (but for `[*]`)."""
    expected = [line.replace(" [*] ", " ") for line in _check(vault)]
    assert len(expected) == 47
    assert [line for line in watch.seen if re.match(r"^\S.*:\d+:\d+: VK\d+ ", line)] == expected


def test_a_long_list_at_start_is_cut_with_how_many_more(capsys: pytest.CaptureFixture[str]) -> None:
    from vaultkit.diagnostics import Diagnostic
    from vaultkit.watch import SHOWN_AT_START, _print_problems

    _print_problems(
        [Diagnostic("a.md", n, 1, "VK101", "broken") for n in range(1, SHOWN_AT_START + 8)], click.echo
    )
    lines = capsys.readouterr().out.splitlines()
    assert len(lines) == SHOWN_AT_START + 1 and lines[0] == "a.md:1:1: VK101 broken"
    assert lines[-1] == "… and 7 more (`vaultkit check` lists them all)"


def test_a_long_list_at_start_shows_the_errors_before_it_is_cut(capsys: pytest.CaptureFixture[str]) -> None:
    """A vault never linked has hundreds of VK120 (or VK122) warnings: the first 100 by path were all
    warnings, and its broken links, in notes named later, were cut (300 VK122 in `Bulk import/` hid the VK101
    of `Projects/`). Cut lists keep every error they can, then warnings, each in the order `check` prints."""
    from vaultkit.diagnostics import Diagnostic, Severity
    from vaultkit.watch import SHOWN_AT_START, _print_problems

    warnings = [Diagnostic(f"a{n:03}.md", 1, 1, "VK120", "mention", Severity.WARNING) for n in range(150)]
    errors = [Diagnostic("b.md", 1, 1, "VK101", "broken"), Diagnostic("c.md", 2, 1, "VK010", "wrong")]
    _print_problems([*warnings[:50], errors[0], *warnings[50:], errors[1]], click.echo)
    lines = capsys.readouterr().out.splitlines()
    assert len(lines) == SHOWN_AT_START + 1 and lines[-1] == "… and 52 more (`vaultkit check` lists them all)"
    assert lines[0] == "a000.md:1:1: VK120 mention" and lines[50] == "b.md:1:1: VK101 broken", lines
    assert lines[-2] == "c.md:2:1: VK010 wrong" and lines[-3] == "a097.md:1:1: VK120 mention", lines


def test_broken_symlinks_and_fifos_are_reported_as_check_reports_them(
    vault: Path, watch: WatchProcess
) -> None:
    """Regression: a new broken symlink `x.md` or FIFO `y.md` went unreported (check reports VK201); watch
    must neither hang on the FIFO nor stop seeing saves."""
    os.symlink("nowhere", vault / "x.md")
    lines = watch.expect(r"^vaultkit: 25 notes")
    os.symlink("Deleted note.md", vault / "Wiki/Old name.md")  # what a note's name looked like
    lines += watch.expect(r"^vaultkit: 26 notes")
    os.mkfifo(vault / "y.md")
    lines += watch.expect(r"^vaultkit: 27 notes")
    expected = _check(vault, "--select", "VK2")
    assert len(expected) == 3, expected
    for line in expected:
        assert f"+ {line}" in lines, (line, lines)
    note = vault / RESRL
    _atomic(note, note.read_text(encoding="utf-8").replace("kind: paper", "kind: papr"))
    lines = watch.expect(r"^vaultkit: 27 notes")
    assert any(line.startswith(f"+ {RESRL}:") and "VK010" in line for line in lines), lines
    for name in ("x.md", "Wiki/Old name.md", "y.md"):
        (vault / name).unlink()
    lines = watch.expect(r"^vaultkit: 24 notes")
    for name in ("x.md", "Wiki/Old name.md", "y.md"):
        assert any(line.startswith(f"- {name}:1:1: VK201") for line in lines), lines


def test_a_fifo_where_the_report_note_goes_is_refused_not_waited_on(vault: Path) -> None:
    """Regression: the report note was read with a blocking open, and a FIFO in its place hung watch at start.
    What is there is not vaultkit's report: a configuration error at once (exit 2), never a wait."""
    os.mkfifo(vault / "vaultkit report.md")
    cmd = [sys.executable, "-m", "vaultkit", "watch", str(vault), "--report", "vaultkit report.md"]
    done = subprocess.run(cmd, capture_output=True, text=True, timeout=60, check=False)
    assert done.returncode == 2, done
    assert "report note 'vaultkit report.md': a note of that name exists that vaultkit did not write" in (
        done.stderr
    )


def test_renaming_a_folder_rechecks_the_links_into_it(vault: Path, watch: WatchProcess) -> None:
    (vault / "Wiki/By path.md").write_text("---\ntier: 1\n---\nSee [[Entities/People/Nathan Lambert]].\n")
    watch.expect(r"^vaultkit: 25 notes")
    os.rename(vault / "Entities/People", vault / "Entities/Persons")
    lines = watch.expect(r"^vaultkit: 25 notes")
    assert any(line.startswith("+ Wiki/By path.md:") and "VK101" in line for line in lines), lines
    os.rename(vault / "Entities/Persons", vault / "Entities/People")
    lines = watch.expect(r"^vaultkit: 25 notes")
    assert any(line.startswith("- Wiki/By path.md:") and "VK101" in line for line in lines), lines


def test_fix_links_a_note_created_in_a_new_folder(vault: Path) -> None:
    """Regression: a note created in a new folder (mkdir -p, then save) was checked but never linked."""
    w = WatchProcess(vault, "--fix", "--settle", "0.5")
    try:
        folder = vault / "New/Sub"
        folder.mkdir(parents=True)
        note = folder / "x.md"
        _in_place(note, "---\ntags: [new]\n---\nA new note about Xiaomi.\n")
        lines = w.expect(r"^vaultkit: linked New/Sub/x.md")
        assert any(line.startswith("+ New/Sub/x.md:") and "VK120" in line for line in lines), lines
        assert "[[Xiaomi]]" in note.read_text(encoding="utf-8")
        (vault / "Newer/Deeper").mkdir(parents=True)
        (vault / "Newer/Deeper/z.md").write_text("---\ntags: [new]\n---\nAbout Meituan.\n", encoding="utf-8")
        w.expect(r"^vaultkit: linked Newer/Deeper/z.md")
        assert "[[Meituan]]" in (vault / "Newer/Deeper/z.md").read_text(encoding="utf-8")
    finally:
        assert w.stop() == 0


def test_an_event_that_leaves_the_bytes_does_not_cancel_a_fix(vault: Path) -> None:
    """Regression: any event on a saved note (a touch, a closing) cancelled its pending fix, and the re-check
    that followed found no change, so it was never scheduled again."""
    w = WatchProcess(vault, "--fix", "--settle", "1.5")
    try:
        note = vault / RESRL
        _atomic(note, note.read_text(encoding="utf-8") + "\nAnother mention of Xiaomi.\n")
        w.expect(r"^vaultkit: \d+ notes")
        time.sleep(0.3)
        os.utime(note)  # a sync tool, or `touch`
        w.expect(r"^vaultkit: linked Entities/Papers/ResRL.md")
        assert "[[Xiaomi]]" in note.read_text(encoding="utf-8")
    finally:
        assert w.stop() == 0


def _related(note: Path) -> str:
    """The note's frontmatter: where its `related` property lives."""
    return note.read_text(encoding="utf-8").split("---\n", 2)[1]


def test_fix_writes_only_the_saved_note_and_shows_the_relation_owed_by_the_others(vault: Path) -> None:
    """Regression: saving ResRL made watch --fix write Xiaomi (its relation back to ResRL), a note the user
    did not save and Obsidian may hold open. Only the saved note is written; Xiaomi's owed relation is shown,
    and written with Xiaomi's own next save."""
    xiaomi = vault / "Entities/Companies/Xiaomi.md"
    before = xiaomi.read_bytes()
    w = WatchProcess(vault, "--fix", "--settle", "0.5")
    try:
        note = vault / RESRL
        _atomic(note, note.read_text(encoding="utf-8") + "\nAnother mention of Xiaomi.\n")
        w.expect(r"^vaultkit: linked Entities/Papers/ResRL.md")
        w.expect(r"^\+ Entities/Companies/Xiaomi.md:1:1: VK121 .*\[\[ResRL\]\]")
        later = w.quiet(2.0)
        assert not any(line.startswith(("vaultkit: linked", "vaultkit: related")) for line in later), later
        assert xiaomi.read_bytes() == before
        _in_place(xiaomi, before.decode("utf-8") + "\nSaved by the user.\n")
        w.expect(r"^vaultkit: linked Entities/Companies/Xiaomi.md")
        w.expect(r"^- Entities/Companies/Xiaomi.md:1:1: VK121 .*\(fixed by vaultkit\)")
        later = w.quiet(2.0)  # its own write settles: nothing more is written
        assert not any(line.startswith("vaultkit: linked") for line in later), later
    finally:
        assert w.stop() == 0
    assert '"[[ResRL]]"' in _related(xiaomi)
    assert xiaomi.read_text(encoding="utf-8").endswith("\nSaved by the user.\n")
    for name in ("Companies/Meituan", "People/Nathan Lambert"):  # linked from ResRL, not saved
        assert '"[[ResRL]]"' not in _related(vault / f"Entities/{name}.md"), name


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="paused writers are detected with leases")
def test_a_note_refused_while_open_is_fixed_once_closed_with_its_relations(vault: Path) -> None:
    """The writer refuses Xiaomi while another program is writing its save in two parts; it is fixed, with
    the relations it owes, once the save is closed, and the other program's save is kept."""
    xiaomi = vault / "Entities/Companies/Xiaomi.md"
    meituan = vault / "Entities/Companies/Meituan.md"
    w = WatchProcess(vault, "--fix", "--settle", "0.3")
    try:
        note = vault / RESRL
        _atomic(note, note.read_text(encoding="utf-8") + "\nAnother mention of Xiaomi.\n")
        w.expect(r"^vaultkit: linked Entities/Papers/ResRL.md")
        _atomic(meituan, meituan.read_text(encoding="utf-8") + "\nLike Xiaomi.\n")
        w.expect(r"^vaultkit: linked Entities/Companies/Meituan.md")
        with open(xiaomi, "a", encoding="utf-8") as f:
            f.write("\nFirst half of a save that mentions Huawei.\n")
            f.flush()
            text = xiaomi.read_text(encoding="utf-8")
            said = w.expect(r"^vaultkit: Entities/Companies/Xiaomi.md: not written: another program")
            # the watch tries again itself: "run again", as `link` says it, told the user to do what it does
            assert said[-1].endswith("is writing the note; tried again when it is next saved or closed"), said
            time.sleep(1.0)
            assert xiaomi.read_text(encoding="utf-8") == text  # nothing written under the writer
            f.write("Second half.\n")
        w.expect(r"^vaultkit: linked Entities/Companies/Xiaomi.md")
        w.quiet(1.0)
    finally:
        assert w.stop() == 0
    saved = xiaomi.read_text(encoding="utf-8")
    assert "First half of a save that mentions [[Huawei]].\nSecond half.\n" in saved, saved
    assert '"[[ResRL]]"' in _related(xiaomi) and '"[[Meituan]]"' in _related(xiaomi)


def test_a_symlinked_folder_is_reported_as_check_reports_it(
    vault: Path, tmp_path: Path, watch: WatchProcess
) -> None:
    """Regression: a symlinked folder made while watching was not reported (check reports VK205); one named
    like a note was reported as an unreadable note (VK201)."""
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "Elsewhere.md").write_text("Mentions Xiaomi.\n", encoding="utf-8")
    os.symlink(outside, vault / "Shared")
    lines = watch.expect(r"^vaultkit: 24 notes")
    os.symlink(outside, vault / "Shared.md")
    lines += watch.expect(r"^vaultkit: 24 notes")
    expected = _check(vault, "--select", "VK2")
    assert len(expected) == 2, expected
    for line in expected:
        assert f"+ {line}" in lines, (line, lines)
    (vault / "Shared").unlink()
    (vault / "Shared.md").unlink()
    lines = watch.expect(r"^vaultkit: 24 notes")
    for name in ("Shared", "Shared.md"):
        assert any(line.startswith(f"- {name}:1:1: VK205") for line in lines), lines
    # a folder link gone is no note deleted, nor a folder link swapped for a folder a fix (regression)
    assert not any("(note deleted)" in line or "fixed" in line for line in lines), lines
    os.symlink(outside, vault / "Shared")
    watch.expect(r"^\+ Shared:1:1: VK205")
    watch.expect(r"^vaultkit: 24 notes")
    (vault / "Shared").unlink()
    (vault / "Shared").mkdir()
    lines = watch.expect(r"^- Shared:1:1: VK205")
    assert lines[-1].endswith(" (gone)"), lines


def test_fix_says_fixed_by_vaultkit_only_of_what_it_fixed(vault: Path) -> None:
    """Regression: every problem that went from a saved note was said "(fixed)", also one the user's own
    edit removed. What vaultkit's write fixed is "(fixed by vaultkit)"; the rest is "(gone)"."""
    w = WatchProcess(vault, "--fix", "--settle", "0.3")
    try:
        note = vault / RESRL
        original = note.read_text(encoding="utf-8")
        _atomic(note, original + "\nAnother mention of Xiaomi.\n")
        lines = w.expect(r"^vaultkit: linked Entities/Papers/ResRL.md")
        lines += w.expect(r"^vaultkit: \d+ notes")
        fixed = [line for line in lines if line.startswith(f"- {RESRL}:")]
        assert fixed and all(line.endswith(" (fixed by vaultkit)") for line in fixed), lines
        linked = note.read_text(encoding="utf-8")
        _atomic(note, linked.replace("kind: paper", "kind: papr"))
        w.expect(rf"^\+ {RESRL}:.*VK010")
        _atomic(note, linked)
        lines = w.expect(rf"^- {RESRL}:.*VK010")
        assert lines[-1].endswith(" (gone)"), lines
    finally:
        assert w.stop() == 0


def test_a_stop_signal_that_lands_while_the_loop_holds_its_wake_lock_still_stops_it(vault: Path) -> None:
    """Signal handlers run in the main thread, between two bytecodes: possibly inside `wake.wait()` or
    `wake.clear()`, which hold the event's (non-reentrant) lock. A handler that set `wake` then waited for
    that lock for ever: a watch that did not stop (seen once under load). The lock is held here as the main
    loop would hold it; the handler must return, and the stop be seen."""
    from vaultkit.watch import Watcher, WatchOptions

    watcher = Watcher(vault, WatchOptions(), click.echo)
    done = threading.Event()

    def signal_inside_the_lock() -> None:
        with watcher.wake._cond:  # what Event.clear() and Event.wait() hold, in the thread the signal hits
            watcher._on_signal(signal.SIGTERM, None)
        done.set()

    handler = threading.Thread(target=signal_inside_the_lock, daemon=True)
    handler.start()
    handler.join(timeout=30)
    assert done.is_set(), "the signal handler waited for a lock its own thread holds"
    assert watcher.stop.is_set()


def test_watch_without_fix_keeps_each_fix_described_not_its_edits(vault: Path) -> None:
    """Watch without --fix never applies a fix: the whole vault's diagnostics, held while it runs, keep
    each fix as a report shows it (fixable, described), not its edits (~90 MB on 50,000 notes); with --fix
    they keep the edits it writes."""
    from vaultkit.diagnostics import Fix
    from vaultkit.watch import Watcher, WatchOptions

    found = {}
    for fix in (False, True):
        watcher = Watcher(vault, WatchOptions(fix=fix, settle=0.0, debounce_ms=0), click.echo)
        watcher._full_check()
        found[fix] = [d for ds in watcher.current.values() for d in ds if d.fix is not None]
    assert {d.code for d in found[True]} >= {"VK120", "VK121"}
    assert all(d.fix is not None and d.fix.edits for d in found[True])
    assert all(d.fix is not None and not d.fix.edits for d in found[False])
    assert [d._replace(fix=d.fix and Fix(d.fix.description, d.fix.safe)) for d in found[True]] == found[False]


def test_fix_says_a_saved_note_that_only_gained_relations_was_not_linked(
    vault: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Nathan Lambert.md owes only a relation (VK121). Regression: `watch --fix` said `linked` of it, as of
    a note that gained a link."""
    from vaultkit.watch import Watcher, WatchOptions

    rel = "Entities/People/Nathan Lambert.md"
    watcher = Watcher(vault, WatchOptions(fix=True, settle=0.0, debounce_ms=0), click.echo)
    watcher._full_check()
    assert {d.code for d in watcher.current[rel] if d.fix is not None} == {"VK121"}
    note = vault / rel
    _atomic(note, note.read_text(encoding="utf-8") + "\n")
    watcher.pending[rel] = time.monotonic() - 1
    watcher._tick()
    watcher._tick()  # the fix, due at once (settle 0)
    out = capsys.readouterr().out
    assert f"vaultkit: added relations to {rel}\n" in out, out
    assert f"vaultkit: linked {rel}" not in out
    assert "[[Lambert - Notes from inside China's AI labs]]" in note.read_text(encoding="utf-8")


def test_fix_writes_nothing_while_app_json_cannot_be_read(
    vault: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """app.json emptied mid-session (a sync conflict): the check goes on with Obsidian's defaults and says
    so (VK024), but a saved note is not fixed, as its excluded files are unknown; once the file is mended,
    VK024 is gone. Regression: the saved note was linked, as excluded files would be."""
    from vaultkit.watch import Watcher, WatchOptions

    app = vault / ".obsidian/app.json"
    app.parent.mkdir(exist_ok=True)
    app.write_text("{}")
    watcher = Watcher(vault, WatchOptions(fix=True, settle=0.0, debounce_ms=0), click.echo)
    watcher._full_check()
    app.write_text("")
    watcher.reload = True
    watcher._tick()
    assert any(d.code == "VK024" for d in watcher.current.get(".obsidian/app.json", []))
    note = vault / RESRL
    before = note.read_text(encoding="utf-8") + "\nAnother mention of Xiaomi.\n"
    _atomic(note, before)
    watcher.pending[RESRL] = time.monotonic() - 1
    watcher._tick()
    watcher._tick()  # the fix, due at once (settle 0), refused
    assert note.read_text(encoding="utf-8") == before
    assert "vaultkit: not fixed: " in capsys.readouterr().err
    app.write_text("{}")
    watcher.reload = True
    watcher._tick()
    assert not watcher.current.get(".obsidian/app.json")


@pytest.mark.parametrize("settings", ["same", "changed"])
def test_a_save_due_with_a_settings_change_is_checked_and_fixed(vault: Path, settings: str) -> None:
    """Obsidian rewrites `.obsidian/*.json` often, and a template plugin writes a note and its settings
    together. Regression: a tick with both a saved note due and a settings change reloaded and dropped the
    save: with the same settings, the note kept the problems of its previous version and was never linked;
    with new ones, it was checked again but never linked."""
    from vaultkit.watch import Watcher, WatchOptions

    watcher = Watcher(vault, WatchOptions(fix=True, settle=0.0, debounce_ms=0), click.echo)
    watcher._full_check()
    note = vault / RESRL
    _atomic(note, note.read_text(encoding="utf-8") + "\nAnother mention of Xiaomi.\n")
    if settings == "changed":
        (vault / ".obsidian/templates.json").write_text('{"folder": "Templates"}')
    watcher.pending[RESRL] = time.monotonic() - 1
    watcher.reload = True
    watcher._tick()
    watcher._tick()  # the fix, due at once (settle 0)
    assert "[[Xiaomi]]" in note.read_text(encoding="utf-8")
    assert not [d for d in watcher.current.get(RESRL, []) if "Xiaomi" in d.message]


@pytest.mark.parametrize(
    ("rel", "reloads"),
    [
        (".obsidian/app.json", True),
        (".obsidian/templates.json", True),
        (".obsidian/plugins/templater-obsidian/data.json", True),
        (".obsidian/daily-notes.json", True),
        (".obsidian/plugins/periodic-notes/data.json", True),
        (".obsidian/plugins/quickadd/data.json", True),
        (".obsidian/plugins/obsidian-kanban/data.json", True),
        (".obsidian/workspace.json", False),
        (".obsidian/plugins/dataview/data.json", False),
    ],
)
def test_the_settings_files_that_reload_the_watch(vault: Path, rel: str, reloads: bool) -> None:
    """The template folders come from templates.json and Templater's data.json: a change to either changes
    which notes are checked. Obsidian's other files change all the time and change nothing."""
    from vaultkit.watch import Watcher, WatchOptions

    watcher = Watcher(vault, WatchOptions(), click.echo)
    watcher.on_path(str(vault / rel))
    assert watcher.reload is reloads


def test_a_settings_file_is_read_once_quiet_not_half_written(
    vault: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Obsidian writes its settings in place (truncated, then written). Regression: the watch read a settings
    file at its first event, not after the debounce time as a note is, so a save caught empty printed
    `vaultkit: error: ... invalid JSON` and `keeping the previous configuration`, then `readable again`."""
    from vaultkit.watch import Watcher, WatchOptions

    watcher = Watcher(vault, WatchOptions(debounce_ms=300), click.echo)
    watcher._full_check()
    capsys.readouterr()
    settings = vault / ".obsidian/templates.json"
    settings.write_text("")  # the save, caught between its truncation and its write
    watcher.on_path(str(settings))
    watcher._tick()
    settings.write_text('{"folder": "Elsewhere"}')
    watcher.on_path(str(settings))
    watcher._tick()
    time.sleep(0.4)
    watcher._tick()
    out = capsys.readouterr()
    assert "error" not in out.err and "keeping the previous" not in out.err, out.err
    assert "Elsewhere/" in watcher.session.obsidian.templates
    assert "configuration changed" in out.out


def test_a_save_still_pending_when_the_settings_reload_is_fixed(vault: Path) -> None:
    """A note saved just after a settings file (a template plugin writes both; a `git checkout`) was still
    waiting for its debounce time when the settings were reloaded. Regression: the reload's check of every
    note read the save, so when the save came due its bytes were those already checked, and --fix never
    linked it. The reload now waits for the saves still pending, which are checked and fixed first."""
    from vaultkit.watch import Watcher, WatchOptions

    watcher = Watcher(vault, WatchOptions(fix=True, settle=0.0, debounce_ms=250), click.echo)
    watcher._full_check()
    (vault / ".obsidian/templates.json").write_text('{"folder": "Templates"}')
    note = vault / RESRL
    _atomic(note, note.read_text(encoding="utf-8") + "\nAnother mention of Xiaomi.\n")
    now = time.monotonic()
    watcher.reload, watcher.reload_at = True, now - 1  # the settings are quiet
    watcher.pending[RESRL] = now  # the save is not, yet
    watcher._tick()
    watcher.pending[RESRL] = time.monotonic() - 1  # now it is
    watcher._tick()
    watcher._tick()  # the fix, due at once (settle 0)
    assert "[[Xiaomi]]" in note.read_text(encoding="utf-8")
    assert watcher.reload is False, "the reload still happens, after the save"


def test_a_note_deleted_as_it_is_written_is_said_to_be_tried_again_and_is(
    vault: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """An editor that saves by deleting the note and creating it again deletes it as the watch writes it.
    Regression: the watch said "not written (No such file or directory); the note is unchanged" and no more,
    though it tries the note again at its next change, as it does every note it could not write; it now says
    so. The note created again is linked."""
    from vaultkit import edits
    from vaultkit.watch import Watcher, WatchOptions

    watcher = Watcher(vault, WatchOptions(fix=True, settle=0.0, debounce_ms=0), click.echo)
    watcher._full_check()
    note = vault / RESRL
    saved = note.read_text(encoding="utf-8") + "\nAnother mention of Xiaomi.\n"
    _atomic(note, saved)
    real_create = edits._create_temporary

    def deleted_meanwhile(path: Path, names: list[str]) -> tuple[int, str]:
        if path == note and note.exists():
            note.unlink()  # the editor's delete, before it creates the note again
        return real_create(path, names)

    monkeypatch.setattr(edits, "_create_temporary", deleted_meanwhile)
    watcher.pending[RESRL] = time.monotonic() - 1
    watcher._tick()
    watcher._tick()  # the fix, due at once (settle 0): refused, the note is gone
    said = capsys.readouterr().err
    assert f"vaultkit: {RESRL}: not written" in said, said
    assert said.rstrip("\n").endswith("; tried again when it next changes"), said
    monkeypatch.undo()
    note.write_text(saved, encoding="utf-8")  # the editor creates it again
    watcher.pending[RESRL] = time.monotonic() - 1
    watcher._tick()
    watcher._tick()
    assert f"vaultkit: linked {RESRL}" in capsys.readouterr().out
    assert "Another mention of [[Xiaomi]]." in note.read_text(encoding="utf-8")


def test_fix_adds_nothing_to_notes_moved_with_their_folder(tmp_path: Path) -> None:
    """Regression: a folder renamed while `watch --fix` ran (in Obsidian, or with `mv`) brought its notes as
    new ones, fixed as if saved: Proj/Gamma.md, whose relation `[[Proj/Beta]]` the move broke, was given
    `[[Projects/Beta]]` as well, which no `link` run before the move would have added. A moved note is the
    same note: its problems are shown, and it is fixed when it is next saved."""
    root = tmp_path / "v"
    for rel, text in {
        ".obsidian/app.json": "{}",
        "Other/Beta.md": "x\n",
        "Alpha.md": "Alpha note.\n",
        "Proj/Beta.md": "About Gamma and Alpha.\n",
        "Proj/Gamma.md": "G text.\n",
    }.items():
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_text(text, encoding="utf-8")
    linked = subprocess.run(
        [sys.executable, "-m", "vaultkit", "link", str(root)], capture_output=True, text=True, check=False
    )
    assert linked.returncode == 0, linked
    gamma = (root / "Proj/Gamma.md").read_bytes()
    assert b'"[[Proj/Beta]]"' in gamma
    w = WatchProcess(root, "--fix", "--settle", "0.3")
    try:
        os.rename(root / "Proj", root / "Projects")
        lines = w.expect(r"^vaultkit: 4 notes")
        assert any(line.startswith("+ Projects/Gamma.md:") and "VK121" in line for line in lines), lines
        lines = w.quiet(2.0)
        assert not any("added relations" in line or "linked" in line for line in lines), lines
        assert (root / "Projects/Gamma.md").read_bytes() == gamma
        _in_place(root / "Projects/Gamma.md", "G text, saved.\n")  # a save is fixed as ever
        w.expect(r"^vaultkit: linked Projects/Gamma.md|^vaultkit: added relations to Projects/Gamma.md")
    finally:
        assert w.stop() == 0


def test_fix_leaves_a_note_renamed_with_mv_alone(
    vault: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """Regression: a note renamed on its own (`mv`, or renamed in Obsidian) while `watch --fix` ran could be
    linked as if saved, though a move is not a save. The move's one event queued the old name and the new
    one a moment apart (the observer thread between them, here a millisecond); the watch wakes at the
    first one's debounce time, so it re-checked the old name (gone) alone, and the new one at its next
    wake, when the note it came from was no longer known: a new note, fixed. Both names of a move are now
    queued at the same time, and re-checked together."""
    from watchdog.events import FileMovedEvent

    from vaultkit import watch as watch_module
    from vaultkit.watch import Watcher, WatchOptions, _Handler

    clock = [1000.0]

    def monotonic() -> float:
        clock[0] += 0.001  # each reading a millisecond on: a thread's work between two of them
        return clock[0]

    monkeypatch.setattr(watch_module, "time", type("Clock", (), {"monotonic": staticmethod(monotonic)}))
    watcher = Watcher(vault, WatchOptions(fix=True, settle=0.0, debounce_ms=250), click.echo)
    watcher._full_check()
    old, new = vault / "Entities/Labs/Anthropic.md", vault / "Entities/Labs/Anthropic AI.md"
    before = old.read_bytes()
    assert any(d.code == "VK120" for d in watcher.current["Entities/Labs/Anthropic.md"])
    os.rename(old, new)
    _Handler(watcher).dispatch(FileMovedEvent(str(old), str(new)))
    clock[0] = min(watcher.pending.values()) + 0.25 - 0.001  # the wake at the first one's debounce time
    watcher._tick()
    clock[0] += 1.0
    watcher._tick()
    watcher._tick()  # a fix would be due at once (settle 0)
    out = capsys.readouterr().out
    assert "+ Entities/Labs/Anthropic AI.md:" in out, out
    assert "vaultkit: linked" not in out and "vaultkit: added relations" not in out, out
    assert new.read_bytes() == before


def _git(repo: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@t", "GIT_COMMITTER_NAME": "t"}
    env |= {"GIT_COMMITTER_EMAIL": "t@t", "GIT_CONFIG_NOSYSTEM": "1", "HOME": str(repo.parent)}
    return subprocess.run(["git", *args], cwd=repo, env=env, capture_output=True, text=True, check=False)


def _committed_example(vault: Path, repo: Path) -> None:
    """The example vault at `vault`, committed on branch `main` of a new repository at `repo` (the vault's
    folder or one above it), its cache ignored."""
    shutil.copytree(EXAMPLE_VAULT, vault, ignore=shutil.ignore_patterns(".vaultkit_cache"))
    (repo / ".gitignore").write_text(".vaultkit_cache/\n", encoding="utf-8")
    for args in (("init", "-q", "-b", "main"), ("add", "-A"), ("commit", "-qm", "main")):
        assert _git(repo, *args).returncode == 0


@pytest.mark.skipif(shutil.which("git") is None, reason="needs git")
def test_a_repository_cloned_into_the_vault_brings_no_python_warning(vault: Path, tmp_path: Path) -> None:
    """Regression: `git clone` into the vault (a tree of folders made at once) had watchdog's inotify
    observer register some of them twice, and Python printed its warning bare on the watch's stderr:
    '.../watchdog/observers/inotify.py:365: RuntimeWarning: Callback with id ... already exists ...' and a
    line of watchdog's source. The clone's note is checked as ever."""
    source = tmp_path / "source"
    source.mkdir()
    (source / "Sub.md").write_text("# Sub\n\n[[Nowhere at all]]\n", encoding="utf-8")
    for args in (("init", "-q"), ("add", "-A"), ("commit", "-qm", "a")):
        assert _git(source, *args).returncode == 0
    w = WatchProcess(vault)
    try:
        for n in range(8):  # a race: 1 to 5 warnings in most clones, none in some
            assert _git(tmp_path, "clone", "-q", str(source), str(vault / f"Shared{n}")).returncode == 0
            lines = w.expect(rf"^\+ Shared{n}/Sub.md:.*VK101", timeout=30)
            lines += w.expect(r"^vaultkit: \d+ notes", timeout=30)
        lines = w.quiet(0.5)
    finally:
        assert w.stop() == 0
    assert not [line for line in w.seen + lines if "Warning" in line or "watchdog" in line], w.seen + lines


@pytest.mark.skipif(shutil.which("git") is None, reason="needs git")
@pytest.mark.parametrize("where", ["vault-is-the-repository", "vault-in-a-folder-of-it"])
def test_fix_leaves_a_small_git_checkout_alone(tmp_path: Path, where: str) -> None:
    """Regression: `git checkout` of a branch that changes 3 notes (under watch.BULK) came as 3 saves:
    `watch --fix` linked them, and the checkout back then refused ("Your local changes ... would be
    overwritten"). A note whose bytes are what git's index holds is checked, not linked; a note saved on
    its own afterwards is linked as before, even beside a `git status` that rewrites the index (review found
    that an earlier rule, holding every fix while the index changed, left such saves unlinked). The git
    dir may be above the vault."""
    repo = tmp_path / "repo"
    vault = repo / "vault" if where == "vault-in-a-folder-of-it" else repo
    shutil.copytree(EXAMPLE_VAULT, vault, ignore=shutil.ignore_patterns(".vaultkit_cache"))
    (repo / ".gitignore").write_text(".vaultkit_cache/\n", encoding="utf-8")
    for args in (
        ("init", "-q", "-b", "main"),
        ("add", "-A"),
        ("commit", "-qm", "main"),
        ("switch", "-qc", "b"),
    ):
        assert _git(repo, *args).returncode == 0
    note = vault / RESRL
    note.write_text(note.read_text(encoding="utf-8") + "\nOn the branch, Xiaomi.\n", encoding="utf-8")
    for k in range(2):
        (vault / f"Branch note {k}.md").write_text(f"Branch note {k} names Meituan.\n", encoding="utf-8")
    for args in (("add", "-A"), ("commit", "-qm", "b"), ("switch", "-q", "main")):
        assert _git(repo, *args).returncode == 0
    w = WatchProcess(vault, "--fix", "--settle", "0.5")
    try:
        switched = _git(repo, "checkout", "-q", "b")
        assert switched.returncode == 0, switched.stderr
        # said once the debounce and settle times have passed: waited for, not a fixed 4 s that a busy
        # machine could stretch the watch's work past; then 2 s more for a link that should not come
        said = r": as git's index has it \(a checkout, a stash, a merge\?\): checked, not linked"
        later = w.expect(rf"^vaultkit: .*{said}")
        later += w.quiet(2.0)
        assert not any(line.startswith("vaultkit: linked") for line in later), later
        assert _git(repo, "status", "--porcelain").stdout == ""
        back = _git(repo, "checkout", "-q", "main")
        assert back.returncode == 0, back.stderr
        w.quiet(3.0)
        assert _git(repo, "status", "--porcelain").stdout == ""
        os.utime(vault / "Wiki" / "Reading list.md")  # a stale index entry: `git status` rewrites the index
        _atomic(note, note.read_text(encoding="utf-8") + "\nAnother mention of Xiaomi.\n")
        assert _git(repo, "status", "--porcelain").returncode == 0
        w.expect(r"^vaultkit: linked Entities/Papers/ResRL.md")
    finally:
        w.stop()


@pytest.mark.skipif(shutil.which("git") is None, reason="needs git")
def test_fix_writes_nothing_while_git_is_in_the_middle_of_a_rebase(tmp_path: Path) -> None:
    """A save while git waits in the middle of a rebase or merge (`rebase-merge/`, `MERGE_HEAD`) or holds
    its index lock is checked, not linked: the link would be a change for git's next step to trip on."""
    repo = tmp_path / "repo"
    vault = repo / "vault"
    shutil.copytree(EXAMPLE_VAULT, vault, ignore=shutil.ignore_patterns(".vaultkit_cache"))
    assert _git(repo, "init", "-q").returncode == 0
    w = WatchProcess(vault, "--fix", "--settle", "0.5")
    try:
        (repo / ".git" / "rebase-merge").mkdir()
        (repo / ".git" / "index.lock").touch()  # a rebase holds the fixes at once, not once the lock stays
        note = vault / RESRL
        _atomic(note, note.read_text(encoding="utf-8") + "\nAnother mention of Xiaomi.\n")
        # waited for, not a fixed 4 s (see the test above); then 2 s more for a link that should not come
        later = w.expect(r"git is changing the notes \(its rebase-merge is there\)")
        later += w.quiet(2.0)
        assert not any(line.startswith("vaultkit: linked") for line in later), later
        (repo / ".git" / "rebase-merge").rmdir()
        (repo / ".git" / "index.lock").unlink()
        _atomic(note, note.read_text(encoding="utf-8") + "\nAnd Xiaomi once more.\n")
        w.expect(r"^vaultkit: linked Entities/Papers/ResRL.md")
    finally:
        w.stop()


@pytest.mark.skipif(shutil.which("git") is None, reason="needs git")
def test_a_fix_due_while_git_briefly_holds_its_index_lock_waits_for_it(tmp_path: Path) -> None:
    """Regression: a save whose fix fell while git held `index.lock` (`git status`, run every few seconds
    by obsidian-git, shell prompts and editors, takes it to refresh the index) was never linked: the fixes
    due were dropped until the note's next save. They wait for the lock now, and are linked once it goes;
    a lock that stays (a long checkout, a commit waiting for its message) still holds them."""
    repo = tmp_path / "repo"
    vault = repo / "vault"
    shutil.copytree(EXAMPLE_VAULT, vault, ignore=shutil.ignore_patterns(".vaultkit_cache"))
    assert _git(repo, "init", "-q").returncode == 0
    lock = repo / ".git" / "index.lock"
    w = WatchProcess(vault, "--fix", "--settle", "0.5")
    try:
        lock.touch()
        note = vault / RESRL
        _atomic(note, note.read_text(encoding="utf-8") + "\nAnother mention of Xiaomi.\n")
        w.expect(r"^\+ Entities/Papers/ResRL\.md:.* 'Xiaomi'")  # checked: the fix due in 0.5 s
        later = w.quiet(1.5)
        assert not any(line.startswith(("vaultkit: linked", "vaultkit: git")) for line in later), later
        lock.unlink()
        w.expect(r"^vaultkit: linked Entities/Papers/ResRL\.md")
        lock.touch()
        (vault / "Later.md").write_text("About Xiaomi today.\n", encoding="utf-8")
        w.expect(r"^\+ Later\.md:.* 'Xiaomi'")
        held = w.expect(
            r"git is changing the notes \(its index\.lock is there\)",
        )
        assert not any(line.startswith("vaultkit: linked") for line in held), held
        lock.unlink()
        assert not any(line.startswith("vaultkit: linked") for line in w.quiet(1.0))
    finally:
        w.stop()


@pytest.mark.skipif(shutil.which("git") is None, reason="needs git")
def test_fix_links_a_save_committed_within_the_settle_time(tmp_path: Path) -> None:
    """Regression: a save committed at once (obsidian-git's commit on save, or `git add` and `git commit`
    in a terminal) was as git's index had it, so taken for a checkout and never linked. A commit made since
    the save that changed the note tells it apart; changes discarded after that commit (`git checkout --`)
    are still git's, and a save only staged is left to git, said as staged."""
    repo = tmp_path / "repo"
    vault = repo / "vault"
    _committed_example(vault, repo)
    note = vault / RESRL
    w = WatchProcess(vault, "--fix", "--settle", "1.5")
    try:
        _atomic(note, note.read_text(encoding="utf-8") + "\nAnother mention of Xiaomi.\n")
        for args in (("add", "-A"), ("commit", "-qm", "vault backup")):
            assert _git(repo, *args).returncode == 0
        w.expect(r"^vaultkit: linked Entities/Papers/ResRL\.md")
        # the watch reads what it wrote again before the next save: on a loaded machine, a save and a
        # checkout made meanwhile were read instead, and the checkout's text was the one it had linked
        w.expect(r"^vaultkit: \d+ notes, ")
        assert "[[Xiaomi]]" in note.read_text(encoding="utf-8")
        _atomic(note, note.read_text(encoding="utf-8") + "\nAnd Meituan.\n")
        assert _git(repo, "checkout", "--", ".").returncode == 0  # back to the commit: the links go too
        said = w.expect(r"ResRL\.md: as git's index has it .*: checked, not linked")
        assert not any(line.startswith("vaultkit: linked") for line in said), said
        _atomic(note, note.read_text(encoding="utf-8") + "\nAnd Meituan.\n")
        assert _git(repo, "add", "-A").returncode == 0
        said = w.expect(r"ResRL\.md: as staged in git's index .*: checked, not linked")
        assert not any(line.startswith("vaultkit: linked") for line in said), said
        # a save amended into the last commit at once is a save too (its reflog entry: `commit (amend):`)
        _atomic(note, note.read_text(encoding="utf-8") + "\nAnd Xiaomi again.\n")
        for args in (("add", "-A"), ("commit", "-q", "--amend", "-m", "vault backup")):
            assert _git(repo, *args).returncode == 0
        w.expect(r"^vaultkit: linked Entities/Papers/ResRL\.md")
        assert "[[Meituan]]" in note.read_text(encoding="utf-8")
    finally:
        w.stop()


@pytest.mark.skipif(shutil.which("git") is None, reason="needs git")
@pytest.mark.parametrize("how", ["made-after-start", "GIT_DIR"])
def test_fix_leaves_a_checkout_alone_in_a_repository_it_did_not_find_at_start(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, how: str
) -> None:
    """Regression: the repository was looked for once, as the watch started, and by hand: a vault made a
    repository after that (`git init`, a clone's `.git` moved in), or one whose git dir GIT_DIR names, had
    none, and a checkout of 3 notes there was linked. It is found as git finds it, at each fix."""
    vault = tmp_path / "vault"
    src = tmp_path / "src"
    for folder in (vault, src):
        shutil.copytree(EXAMPLE_VAULT, folder, ignore=shutil.ignore_patterns(".vaultkit_cache"))
        (folder / ".gitignore").write_text(".vaultkit_cache/\n", encoding="utf-8")
    for args in (
        ("init", "-q", "-b", "main"),
        ("add", "-A"),
        ("commit", "-qm", "main"),
        ("switch", "-qc", "b"),
    ):
        assert _git(src, *args).returncode == 0
    for k in range(3):
        (src / f"Branch note {k}.md").write_text(f"Branch note {k} names Meituan.\n", encoding="utf-8")
    for args in (("add", "-A"), ("commit", "-qm", "b"), ("switch", "-q", "main")):
        assert _git(src, *args).returncode == 0
    if how == "GIT_DIR":
        monkeypatch.setenv("GIT_DIR", str(src / ".git"))  # for the watch and for the git run below
        monkeypatch.setenv("GIT_WORK_TREE", str(vault))
    w = WatchProcess(vault, "--fix", "--settle", "0.5")
    try:
        if how == "made-after-start":
            os.rename(src / ".git", vault / ".git")
        assert _git(vault, "status", "--porcelain").stdout == ""
        switched = _git(vault, "checkout", "-q", "b")
        assert switched.returncode == 0, switched.stderr
        said = w.expect(r"^vaultkit: Branch note 2\.md: as git's index has it")
        said += w.quiet(2.0)
        assert not any(line.startswith("vaultkit: linked") for line in said), said
        assert _git(vault, "status", "--porcelain").stdout == ""
    finally:
        w.stop()


@pytest.mark.skipif(shutil.which("git") is None, reason="needs git")
@pytest.mark.parametrize("how", ["submodule", "clone"])
def test_fix_leaves_a_checkout_alone_in_a_repository_nested_in_the_vault(tmp_path: Path, how: str) -> None:
    """Regression: a note of a repository inside the vault (a submodule, `Shared/`; or a clone kept there)
    was compared with the index of the vault's own repository, which does not hold it: a `git checkout` in
    `Shared/` came as a save, `watch --fix` linked it, and the submodule was left with local changes. Each
    note is compared with the index of the repository nearest to it; a save there is linked as before."""
    shared = tmp_path / "shared"
    shared.mkdir()
    note = "Shared one.md"
    for text in ("Qwen is here.\n", "Qwen is here. DeepSeek too.\n"):
        (shared / note).write_text(f"# Shared one\n\n{text}", encoding="utf-8")
        for args in (("init", "-q", "-b", "main"), ("add", "-A"), ("commit", "-qm", "s")):
            assert _git(shared, *args).returncode == 0
    repo = tmp_path / "repo"
    _committed_example(repo, repo)
    if how == "submodule":
        added = _git(
            repo, "-c", "protocol.file.allow=always", "submodule", "add", "-q", str(shared), "Shared"
        )
        assert added.returncode == 0, added.stderr
        assert _git(repo, "commit", "-qm", "shared").returncode == 0
    else:
        assert _git(tmp_path, "clone", "-q", str(shared), str(repo / "Shared")).returncode == 0
    inner = repo / "Shared"
    w = WatchProcess(repo, "--fix", "--settle", "0.5")
    try:
        assert _git(inner, "checkout", "-q", "HEAD~1").returncode == 0
        said = w.expect(r"^vaultkit: Shared/Shared one\.md: as git's index has it")
        said += w.quiet(2.0)
        assert not any(line.startswith("vaultkit: linked") for line in said), said
        assert _git(inner, "status", "--porcelain").stdout == ""
        _atomic(inner / note, (inner / note).read_text(encoding="utf-8") + "\nSaved: Meituan.\n")
        w.expect(r"^vaultkit: linked Shared/Shared one\.md")
    finally:
        w.stop()


def _vault_holding_a_repository(tmp_path: Path) -> tuple[Path, Path]:
    """The example vault committed in `repo`, holding `Shared/`, a repository of its own with one committed
    note (`Shared one.md`): (repo, Shared)."""
    repo = tmp_path / "repo"
    _committed_example(repo, repo)
    inner = repo / "Shared"
    inner.mkdir()
    (inner / "Shared one.md").write_text("# Shared one\n\nQwen is here.\n", encoding="utf-8")
    for args in (("init", "-q", "-b", "main"), ("add", "-A"), ("commit", "-qm", "s")):
        assert _git(inner, *args).returncode == 0
    return repo, inner


@pytest.mark.skipif(shutil.which("git") is None, reason="needs git")
def test_fix_names_the_nested_repository_git_cannot_read_and_links_the_vaults_notes(tmp_path: Path) -> None:
    """Regression: a repository nested in the vault whose index git cannot read (a corrupt `.git/index`, a
    clone of a newer git) held every note saved with one of its own: the vault's note was not linked, and
    the message said "git cannot read the repository (`git status` says why)", where `git status` at the
    vault's top said nothing wrong. Its folder is named, its notes alone are left unlinked; and git's lock
    left in it is said to be that repository's."""
    repo, inner = _vault_holding_a_repository(tmp_path)
    (inner / ".git" / "index").write_bytes(b"garbage\n")
    assert _git(inner, "status").returncode != 0  # git refuses it
    note = repo / RESRL
    w = WatchProcess(repo, "--fix", "--settle", "0.5")
    try:
        shared = (inner / "Shared one.md").read_text(encoding="utf-8") + "\nSaved: Meituan.\n"
        _atomic(inner / "Shared one.md", shared)
        _atomic(note, note.read_text(encoding="utf-8") + "\nAnother mention of Xiaomi.\n")
        said = w.expect(r"^vaultkit: linked Entities/Papers/ResRL\.md", timeout=20)
        unread = "vaultkit: Shared/: git cannot read the repository"
        assert any(line.startswith(unread) for line in said), said
        assert (inner / "Shared one.md").read_text(encoding="utf-8") == shared
        (inner / ".git" / "index.lock").write_bytes(b"")
        _atomic(inner / "Shared one.md", shared + "Again: Meituan.\n")
        w.expect(r"^vaultkit: git is changing the notes of Shared/ \(its index\.lock is there\)", timeout=30)
    finally:
        w.stop()


@pytest.mark.skipif(shutil.which("git") is None, reason="needs git")
def test_a_checkout_back_to_what_fix_wrote_is_not_said_fixed_by_vaultkit(tmp_path: Path) -> None:
    """Regression: a note checked out back to the very text `watch --fix` once wrote (its links committed,
    another branch checked out, then this one again) had its problems said "(fixed by vaultkit)": the
    watch knew its writes by their hash alone. Only the re-check of its own write says so now."""
    repo = tmp_path / "repo"
    _committed_example(repo, repo)
    note = repo / RESRL
    w = WatchProcess(repo, "--fix", "--settle", "0.5")
    try:
        _atomic(note, note.read_text(encoding="utf-8") + "\nAnother mention of Xiaomi.\n")
        fixed = w.expect(r"^vaultkit: linked Entities/Papers/ResRL\.md")
        fixed += w.expect(r"^- Entities/Papers/ResRL\.md:.* 'Meituan' .*\(fixed by vaultkit\)$")
        for args in (("commit", "-qam", "linked"), ("switch", "-qc", "old", "HEAD~1")):
            assert _git(repo, *args).returncode == 0
        w.expect(r"^\+ Entities/Papers/ResRL\.md:.* 'Meituan' ")
        assert _git(repo, "switch", "-q", "main").returncode == 0
        back = w.expect(r"^- Entities/Papers/ResRL\.md:.* 'Meituan' ")
        assert back[-1].endswith(" (gone)"), back
    finally:
        w.stop()


def test_a_note_deeper_than_the_recursion_limit_is_grouped_by_its_repository(tmp_path: Path) -> None:
    """Regression: the repository of a saved note was looked for a folder per call, and a note 1,500
    folders deep (a 3,000-byte path, which the vault lists and `check` checks) raised RecursionError in
    `watch --fix`. The nearest `.git` still wins."""
    from vaultkit.watch import nested_repositories

    deep = "/".join(["a"] * 1500)
    (tmp_path / "a" / "a" / ".git").mkdir(parents=True)  # a repository nested in the vault
    rels = [f"{deep}/n.md", "a/b.md", "top.md"]
    assert nested_repositories(tmp_path, rels) == {"a/a": [f"{deep}/n.md"], "": ["a/b.md", "top.md"]}


def test_the_git_dir_is_found_as_git_finds_it(tmp_path: Path) -> None:
    from vaultkit.watch import find_git_dir

    vault = tmp_path / "work" / "notes" / "vault"
    vault.mkdir(parents=True)
    assert find_git_dir(vault) is None or not str(find_git_dir(vault)).startswith(str(tmp_path))
    real = tmp_path / "main" / ".git" / "worktrees" / "work"
    real.mkdir(parents=True)
    (tmp_path / "work" / ".git").write_text(f"gitdir: {real}\n", encoding="utf-8")  # a worktree
    assert find_git_dir(vault) == real.resolve()
    (tmp_path / "work" / "notes" / ".git").mkdir()  # the nearest wins
    assert find_git_dir(vault) == (tmp_path / "work" / "notes" / ".git").resolve()
    (tmp_path / "work" / "notes" / ".git").rmdir()
    (tmp_path / "work" / ".git").write_text("not a git file\n", encoding="utf-8")
    assert find_git_dir(vault) is None


@pytest.mark.skipif(shutil.which("git") is None or not hasattr(os, "mkfifo"), reason="needs git, pipes")
@pytest.mark.parametrize("pipe", ["index", "HEAD"])
def test_fix_does_not_wait_on_a_nested_repositorys_file_that_is_a_named_pipe(
    tmp_path: Path, pipe: str
) -> None:
    """Regression: a clone kept in the vault whose `.git/index` (or HEAD, or config) is a named pipe: git,
    asked which repository a note saved there is in and whether it is as its index has it, opened the pipe
    and waited, and the watch with it, for `_git`'s 30 seconds at each save there, before saying git
    cannot read the repository. It is said at once."""
    repo, inner = _vault_holding_a_repository(tmp_path)
    (inner / ".git" / pipe).unlink()
    os.mkfifo(inner / ".git" / pipe)
    w = WatchProcess(repo, "--fix", "--settle", "0.5")
    try:
        shared = (inner / "Shared one.md").read_text(encoding="utf-8") + "\nSaved: Meituan.\n"
        _atomic(inner / "Shared one.md", shared)
        w.expect(r"^vaultkit: Shared/: git cannot read the repository", timeout=15)
        assert (inner / "Shared one.md").read_text(encoding="utf-8") == shared
    finally:
        w.stop()


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="needs named pipes")
def test_a_reflog_that_is_a_named_pipe_is_not_waited_on(tmp_path: Path) -> None:
    """Regression: a repository kept in the vault (a clone, made hostile) whose `.git/logs/HEAD` is a named
    pipe: git reads its index as ever, and `watch --fix`, asking its reflog whether a note staged there was
    committed as a save, opened the pipe and waited for a writer: the watch was stuck for good at that
    note's next fix. The reflog is no regular file, so it says nothing."""
    from vaultkit.watch import _newest_reflog_entry

    logs = tmp_path / ".git" / "logs"
    logs.mkdir(parents=True)
    os.mkfifo(logs / "HEAD")
    found: list[object] = []
    asking = threading.Thread(
        target=lambda: found.append(_newest_reflog_entry(tmp_path / ".git")), daemon=True
    )
    asking.start()
    asking.join(5)
    if asking.is_alive():  # let the stuck thread go
        os.close(os.open(logs / "HEAD", os.O_WRONLY | os.O_NONBLOCK))
    assert found == [None]


def test_a_git_file_naming_no_folder_finds_no_git_dir(tmp_path: Path) -> None:
    """Regression: a `.git` file whose `gitdir:` is a name too long for the file system (a hostile or
    mangled clone, in a folder of the vault) ended `watch --fix` at the next save there with "internal
    error: OSError: [Errno 36] File name too long": git refuses it, and the look for the git dir git would
    use raised. None is found, as for a `gitdir:` naming nothing; so for one that is a symlink loop."""
    from vaultkit.watch import _dot_git

    folder = tmp_path / "Shared"
    folder.mkdir()
    (folder / ".git").write_text("gitdir: " + "a" * 4000 + "\n", encoding="utf-8")
    assert _dot_git(folder) is None
    (tmp_path / "loop").symlink_to(tmp_path / "loop")
    (folder / ".git").write_text(f"gitdir: {tmp_path / 'loop'}\n", encoding="utf-8")
    assert _dot_git(folder) is None


@pytest.mark.skipif(shutil.which("git") is None, reason="needs git")
def test_fix_writes_nothing_in_a_repository_git_refuses_to_read(tmp_path: Path) -> None:
    """Regression: in a repository git refuses (one another user owns, which safe.directory does not list:
    a vault on a Windows drive watched from WSL while obsidian-git commits and checks out from Windows;
    here a repository format git does not know), git could not say which notes its index holds, and every
    note changed was linked as a save: a checkout of a few notes too, leaving local changes for the next
    pull to trip on. The fixes are held now, with the reason."""
    repo = tmp_path / "repo"
    vault = repo / "vault"
    shutil.copytree(EXAMPLE_VAULT, vault, ignore=shutil.ignore_patterns(".vaultkit_cache"))
    assert _git(repo, "init", "-q").returncode == 0
    assert _git(repo, "add", "-A").returncode == 0
    assert _git(repo, "commit", "-qm", "notes").returncode == 0
    assert _git(repo, "config", "core.repositoryformatversion", "99").returncode == 0
    assert _git(repo, "status").returncode != 0  # git refuses it
    w = WatchProcess(vault, "--fix", "--settle", "0.5")
    try:
        note = vault / RESRL
        before = note.read_text(encoding="utf-8") + "\nAnother mention of Xiaomi.\n"
        _atomic(note, before)  # a save, or a checkout: the watch cannot tell
        w.expect(r"^vaultkit: git cannot read the repository")
        assert not any(line.startswith("vaultkit: linked") for line in w.quiet(2.0) + w.seen)
        assert note.read_text(encoding="utf-8") == before
    finally:
        w.stop()


def test_a_note_that_is_a_symlink_is_rechecked_when_saved_through_its_link(
    vault: Path, tmp_path: Path
) -> None:
    """`check` reads a note that is a symlink through its link. Regression: watch said nothing of it when it
    was saved (Obsidian writes through the link, so the event is the file's it leads to): a save through a
    link to a note of the vault showed that note's problem only, one to a file outside the vault nothing at
    all, and the count disagreed with `check`'s. Both are re-checked now, as `check` reports them."""
    outside = tmp_path / "elsewhere"
    outside.mkdir()
    (outside / "Out.md").write_text("---\ntitle: out\n---\nOutside.\n", encoding="utf-8")
    (vault / "Inside link.md").symlink_to(RESRL)
    (vault / "Outside link.md").symlink_to(outside / "Out.md")
    w = WatchProcess(vault)
    try:
        _in_place(vault / "Outside link.md", "---\ntitle: [\n---\n")
        lines = w.expect(r"^vaultkit: \d+ notes")
        assert [line[:22] for line in lines if line.startswith("+ ")] == ["+ Outside link.md:3:1:"], lines
        note = vault / RESRL
        original = note.read_text(encoding="utf-8")
        _in_place(vault / "Inside link.md", original.replace("kind: paper", "kind: papr"))
        lines = w.expect(r"^vaultkit: \d+ notes")
        added = sorted(line.partition(":")[0] for line in lines if line.startswith("+ ") and '"papr"' in line)
        assert added == ["+ Entities/Papers/ResRL.md", "+ Inside link.md"], lines
        _in_place(outside / "Out.md", "---\ntitle: out\n---\nOutside.\n")
        lines = w.expect(r"^vaultkit: \d+ notes")
        assert [line.endswith(" (gone)") for line in lines if line.startswith("- Outside link.md:")] == [True]
    finally:
        w.stop()


def test_fix_leaves_a_note_that_is_a_symlink_alone_when_saved_through_its_link(
    vault: Path, tmp_path: Path
) -> None:
    """vaultkit never writes through a link, and `check` shows such a note's mentions as not fixable.
    Regression: since a save through a link is seen (the file it leads to), `watch --fix` tried to link the
    note at each such save, and said at each that it was refused and 'tried again when it next changes' (it
    never can be). The note is re-checked, never fixed; a note saved beside it is linked as before."""
    outside = tmp_path / "elsewhere"
    outside.mkdir()
    (outside / "Out.md").write_text("Nothing yet.\n", encoding="utf-8")
    (vault / "Outside link.md").symlink_to(outside / "Out.md")
    w = WatchProcess(vault, "--fix", "--settle", "0.2")
    try:
        _in_place(outside / "Out.md", "About Xiaomi today.\n")
        w.expect(r"^vaultkit: \d+ notes")
        (vault / "Wiki" / "Beside.md").write_text("About Xiaomi too.\n", encoding="utf-8")
        lines = w.expect(r"^vaultkit: linked Wiki/Beside\.md$")
        lines += w.quiet(1.0)
        assert not any("Outside link.md" in line and "not written" in line for line in lines), lines
        assert (outside / "Out.md").read_text(encoding="utf-8") == "About Xiaomi today.\n"
    finally:
        w.stop()


def test_only_symlinks_to_regular_files_are_followed(tmp_path: Path) -> None:
    """A note that is a symlink to a device, a folder or nothing is never read (VK201, VK205): the watch
    does not follow it either. Following `x.md -> /dev/null` meant watching /dev, and a re-check at every
    write any program made to /dev/null."""
    from vaultkit.watch import symlinked_notes

    (tmp_path / "Real.md").write_text("x\n", encoding="utf-8")
    for name, target in [
        ("File.md", tmp_path / "Real.md"),
        ("Null.md", Path("/dev/null")),
        ("Root.md", Path("/")),
        ("Broken.md", tmp_path / "gone.md"),
        ("Loop.md", tmp_path / "Loop.md"),
    ]:
        (tmp_path / name).symlink_to(target)
    rels = ["Real.md", "File.md", "Null.md", "Root.md", "Broken.md", "Loop.md"]
    assert symlinked_notes(tmp_path, rels) == {"File.md": os.path.realpath(tmp_path / "Real.md")}


@pytest.mark.parametrize("debounce", [0.25, 3.0])
def test_a_burst_is_due_together_whatever_the_debounce(debounce: float) -> None:
    """A checkout writes Entities/ a few milliseconds before Wiki/: both are re-checked once the burst is
    quiet. Regression: with a debounce of 2 s or more, each was due on its own, and the split re-check came
    back. A note quiet on its own for the debounce and BURST_PATIENCE more is due all the same."""
    from vaultkit.watch import BURST_PATIENCE, _due_at

    due = _due_at({"Entities/a.md": 0.0, "Wiki/b.md": 0.005}, debounce)
    assert due == {"Entities/a.md": 0.005 + debounce, "Wiki/b.md": 0.005 + debounce}
    late = _due_at({"log.md": 0.0, "busy.md": 100.0}, debounce)
    assert late["log.md"] == debounce + BURST_PATIENCE


def test_watchdogs_warnings_are_said_by_the_watch(capsys: pytest.CaptureFixture[str]) -> None:
    """watchdog's warnings (a folder made later that inotify cannot watch) were printed bare by Python, in no
    voice of vaultkit's; its word that the queue overflowed has every note checked again instead
    (`test_notes_whose_events_the_system_dropped_are_checked_again`), and is said once, by the watch."""
    import logging

    from vaultkit.watch import _EventsLost, _watchdog_said

    lost: list[str] = []

    class Watcher:
        say = staticmethod(click.echo)

        def events_lost(self) -> None:
            lost.append("lost")

    with _watchdog_said(_EventsLost(Watcher())):  # type: ignore[arg-type]
        logging.getLogger("watchdog.observers.inotify").warning("Unable to watch %r", b"/vault/New")
        logging.getLogger("watchdog.observers.inotify_c").warning("Inotify queue overflowed; lost")
        logging.getLogger("watchdog.observers.inotify").warning("Inotify queue overflowed; reconciling")
    assert capsys.readouterr().err == "vaultkit: warning: Unable to watch b'/vault/New'\n"
    assert lost == ["lost", "lost"]
    assert not logging.getLogger("watchdog").handlers, "the watch's handler goes with it"


def test_a_folder_no_note_is_ever_in_lists_nothing_again(vault: Path) -> None:
    """A folder made, removed or moved where Obsidian never shows a note (git's `.git/objects/ab`, made by
    each commit and removed by `git gc`; `.trash/`; a plugin's folder in `.obsidian/`) has the vault listed
    again for nothing: 25 ms of a watch's CPU on 10,000 notes, at every commit. One moved from there into the
    vault, or from the vault there, is listed again as before."""
    from watchdog.events import DirCreatedEvent, DirDeletedEvent, DirMovedEvent

    from vaultkit.watch import Watcher, WatchOptions, _Handler

    watcher = Watcher(vault, WatchOptions(), click.echo)
    handler = _Handler(watcher)
    for event in (
        DirCreatedEvent(str(vault / ".git" / "objects" / "ab")),
        DirDeletedEvent(str(vault / ".trash" / "Old")),
        DirCreatedEvent(str(vault / ".obsidian" / "plugins" / "dataview")),
        DirMovedEvent(str(vault / ".git" / "a"), str(vault / ".git" / "b")),
    ):
        handler.dispatch(event)
    assert watcher.pending == {}
    handler.dispatch(DirMovedEvent(str(vault / ".trash" / "Old"), str(vault / "Old")))  # a folder restored
    assert set(watcher.pending) == {""}
    watcher.pending.clear()
    handler.dispatch(DirMovedEvent(str(vault / "Wiki"), str(vault / ".trash" / "Wiki")))  # a folder deleted
    assert set(watcher.pending) == {""}


def test_a_file_made_and_removed_within_the_debounce_time_is_no_change(
    vault: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Vim's `:w` makes a file `4913` beside the note and removes it at once (to learn whether it may write
    there); other tools make such files too. Gone when due, never listed, it changes nothing. Regression: the
    vault was listed again for it at every save of vim's (25 ms of CPU a save on 10,000 notes, where the
    save itself took 4 ms)."""
    from vaultkit.watch import Watcher, WatchOptions

    watcher = Watcher(vault, WatchOptions(), click.echo)
    watcher._full_check()
    updates: list[list[str]] = []
    update = watcher.runner.update
    monkeypatch.setattr(
        watcher.runner, "update", lambda changed: updates.append(list(changed)) or update(changed)
    )
    note = vault / RESRL
    _in_place(note, note.read_text(encoding="utf-8").replace("kind: paper", "kind: papr"))
    watcher._recheck(["Entities/Papers/4913", RESRL])
    assert updates == [[RESRL]]
    assert any(d.code == "VK010" for d in watcher.current[RESRL])
    picture = vault / "attachments" / "lab-map.png"
    picture.unlink()  # a file the vault had: its going is a change (a link to it is now broken)
    watcher._recheck(["attachments/lab-map.png"])
    assert updates[-1] == ["attachments/lab-map.png"]


@pytest.mark.parametrize(
    "copy",
    [
        "ResRL (conflicted copy 2026-11-25).md",
        "ResRL (Ann's conflicted copy 2026-11-25).md",
        "ResRL.sync-conflict-20261125-101010-ABCDEFG.md",
    ],
)
def test_fix_leaves_a_sync_tools_conflict_copy_alone(
    vault: Path, copy: str, capsys: pytest.CaptureFixture[str]
) -> None:
    """A conflict copy is written by a sync tool (Dropbox, Nextcloud, Syncthing), not saved by the user, who
    is to merge it into its note and delete it (README): it is checked, not linked. Regression: `watch --fix`
    linked it at once, a change of vaultkit's in the file the user compares (sent on to every device), and
    the note it copies owed it a relation that broke once it was deleted."""
    from vaultkit.watch import Watcher, WatchOptions

    watcher = Watcher(vault, WatchOptions(fix=True, settle=0.0, debounce_ms=0), click.echo)
    watcher._full_check()
    rel = f"Entities/Papers/{copy}"
    shutil.copy(vault / RESRL, vault / rel)
    written = (vault / rel).read_bytes()
    watcher.pending[rel] = time.monotonic() - 1
    watcher._tick()
    watcher._tick()  # a fix would be due at once (settle 0)
    out = capsys.readouterr().out
    assert "vaultkit: linked" not in out, out
    assert (vault / rel).read_bytes() == written
    assert f"vaultkit: {rel}: a sync tool's conflict copy: checked, not linked" in out, out
    assert any(d.code == "VK120" and d.fix is not None for d in watcher.current[rel]), "it has things to link"


def test_fix_gives_no_note_a_relation_to_a_sync_tools_conflict_copy(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Regression (diffrev38): the conflict copy was left unlinked, but a note it links to, saved after it
    came, was given a relation to it by `watch --fix` (`related: ["[[B]]", "[[B (conflicted copy ...)]]"]`),
    a link that broke once the user merged the copy and deleted it, as the README asks."""
    from vaultkit.watch import Watcher, WatchOptions

    (tmp_path / ".obsidian").mkdir()
    (tmp_path / "B.md").write_text('---\nrelated: ["[[Alpha]]"]\n---\nSee [[Alpha]].\n', encoding="utf-8")
    alpha = tmp_path / "Alpha.md"
    alpha.write_text('---\nrelated: ["[[B]]"]\n---\nAlpha.\n', encoding="utf-8")
    watcher = Watcher(tmp_path, WatchOptions(fix=True, settle=0.0, debounce_ms=0), click.echo)
    watcher._full_check()
    copy = "B (conflicted copy 2026-11-25).md"
    shutil.copy(tmp_path / "B.md", tmp_path / copy)
    watcher.pending[copy] = time.monotonic() - 1
    watcher._tick()
    watcher._tick()
    alpha.write_text('---\nrelated: ["[[B]]"]\n---\nAlpha, saved.\n', encoding="utf-8")
    watcher.pending["Alpha.md"] = time.monotonic() - 1
    watcher._tick()
    watcher._tick()  # a fix would be due at once (settle 0)
    out = capsys.readouterr().out
    assert alpha.read_text(encoding="utf-8") == '---\nrelated: ["[[B]]"]\n---\nAlpha, saved.\n', out
    assert any(d.code == "VK121" for d in watcher.current["Alpha.md"]), "still said: the copy links to it"


@pytest.mark.skipif(not QUEUED_EVENTS.exists(), reason="inotify's queue: Linux")
def test_a_vault_of_thousands_of_folders_is_watched_without_overflowing(vault: Path) -> None:
    """watchdog lists every folder it watches, and each listing is an open and a close of the folder, told to
    it and to its parent. Regression: asked for those events too, a vault of some thousands of folders (a
    journal filed by day) overflowed inotify's queue as the watch started, and watchdog, which lists every
    folder again after an overflow, overflowed it again for ever: a core busy, every note checked again."""
    queued = int(QUEUED_EVENTS.read_text())
    if queued > 100_000:
        pytest.skip(f"max_queued_events is {queued}: too many folders to overflow it")
    for n in range(queued // 2):  # four events each, twice as many as fit
        (vault / "Journal" / f"{n // 100:03}" / f"{n % 100:02}").mkdir(parents=True)
    w = WatchProcess(vault)
    try:
        note = vault / RESRL
        _in_place(note, note.read_text(encoding="utf-8").replace("kind: paper", "kind: papr"))
        lines = w.expect(r"^vaultkit: \d+ notes")
        assert not any("file events were lost" in line for line in lines), _lines(lines)
        assert any(line.startswith(f"+ {RESRL}:3:7: VK010") for line in lines), _lines(lines)
    finally:
        w.stop()
