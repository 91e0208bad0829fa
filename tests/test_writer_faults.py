"""Issue 7: faults injected into the one writer (vaultkit/edits.py).

Each fault: the process dies between writing the temporary file and renaming it, the disk fills up while
writing, the rename fails, someone else changes the note between vaultkit's read and its write. In every
case the original note is intact and readable, no temporary file is left behind, and the user is told.
"""

from __future__ import annotations

import contextlib
import errno
import hashlib
import json
import os
import re
import stat
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from conftest import VaultFactory, run_cli

from vaultkit import edits, fixer
from vaultkit.diagnostics import Edit
from vaultkit.edits import TMP_SUFFIX, WriteResult, write_generated, write_note

ORIGINAL = b"---\ntitle: A\n---\nSee Other here.\n"
EDIT = Edit(ORIGINAL.index(b"Other"), ORIGINAL.index(b"Other") + 5, "[[Other]]")
LINKED = ORIGINAL.replace(b"Other", b"[[Other]]")


@pytest.fixture
def vault(make_vault: VaultFactory) -> Path:
    return make_vault({"A.md": ORIGINAL, "Other.md": b"[[A]]\n"})


def temp_files(root: Path) -> list[Path]:
    return [p for p in root.rglob("*") if p.name.endswith(TMP_SUFFIX)]


def assert_intact(root: Path, content: bytes = ORIGINAL) -> None:
    assert (root / "A.md").read_bytes() == content
    (root / "A.md").read_text(encoding="utf-8")  # readable
    assert temp_files(root) == []


def write(root: Path) -> WriteResult:
    return write_note(root, "A.md", hashlib.sha256(ORIGINAL).hexdigest(), [EDIT])


def _raiser(exc: BaseException) -> Callable[..., None]:
    def fail(*args: object, **kwargs: object) -> None:
        raise exc

    return fail


def test_a_normal_write_works_and_leaves_no_temp(vault: Path) -> None:
    result = write(vault)
    assert result.written, result.message
    assert_intact(vault, LINKED)


# -- the process dies after the temporary file is written, before the rename ----------------------------


@pytest.mark.parametrize(
    "death", [SystemExit(1), KeyboardInterrupt()], ids=["SystemExit", "KeyboardInterrupt"]
)
def test_death_before_rename(vault: Path, monkeypatch: pytest.MonkeyPatch, death: BaseException) -> None:
    seen: list[bytes] = []

    def replace(src: str, dst: object) -> None:
        seen.append(Path(src).read_bytes())  # the temporary file was complete
        raise death

    monkeypatch.setattr(os, "replace", replace)
    with pytest.raises(type(death)):
        write(vault)
    assert seen == [LINKED]
    assert_intact(vault)


def test_interrupt_as_the_temporary_file_is_created(vault: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Regression: Ctrl-C in the split second after the temporary file was created, before its name was
    known (mkstemp was still returning it), left the file behind: seen after Ctrl-C in a `link` of a
    3,000-note vault, with every vaultkit process gone."""
    real_open = os.open

    def interrupted(name: Any, flags: int, *args: Any, **kwargs: Any) -> int:
        fd = real_open(name, flags, *args, **kwargs)
        if str(name).endswith(TMP_SUFFIX):
            raise KeyboardInterrupt  # the file is there, its descriptor lost with the interrupt
        return fd

    monkeypatch.setattr(os, "open", interrupted)
    with pytest.raises(KeyboardInterrupt):
        write(vault)
    monkeypatch.undo()
    assert_intact(vault)


def _temporary_files_refused(monkeypatch: pytest.MonkeyPatch, error: OSError) -> None:
    """The writer cannot create its temporary file (the disk is full, the folder read-only)."""
    real_open = os.open

    def refused(name: Any, *args: Any, **kwargs: Any) -> int:
        if str(name).endswith(TMP_SUFFIX):
            raise error
        return real_open(name, *args, **kwargs)

    monkeypatch.setattr(os, "open", refused)


def test_keyboard_interrupt_in_the_cli(vault: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(os, "replace", _raiser(KeyboardInterrupt()))
    result = run_cli("link", vault)
    assert result.exit_code == 130
    assert "Traceback" not in result.output
    assert_intact(vault)


KILLED = """
import os, sys, hashlib
from pathlib import Path
from typing import Any
from vaultkit.diagnostics import Edit
from vaultkit.edits import write_note
root, data = Path(sys.argv[1]), (Path(sys.argv[1]) / "A.md").read_bytes()
os.replace = lambda src, dst: os._exit(137)  # killed: no cleanup of any kind runs
start = data.index(b"Other")
write_note(root, "A.md", hashlib.sha256(data).hexdigest(), [Edit(start, start + 5, "[[Other]]")])
"""


def test_real_death_leaves_an_orphan_that_the_next_write_removes(vault: Path) -> None:
    proc = subprocess.run(
        [sys.executable, "-c", KILLED, str(vault)], capture_output=True, timeout=60, check=False
    )
    assert proc.returncode == 137, proc.stderr
    assert (vault / "A.md").read_bytes() == ORIGINAL
    # nothing can clean up after SIGKILL: the temporary file, and the note's second name (edits._swap_leased)...
    assert len(temp_files(vault)) == (2 if sys.platform.startswith("linux") else 1)
    result = run_cli("link", vault)  # ...but the next write of that note, under the vault lock, does
    assert result.exit_code == 0, result.output
    assert_intact(vault, LINKED)


def test_orphans_of_other_notes_are_left_alone(vault: Path) -> None:
    other = vault / f".B.md.abcd{TMP_SUFFIX}"
    other.write_bytes(b"not ours")
    assert write(vault).written
    assert other.read_bytes() == b"not ours"


def test_writing_every_note_of_a_folder_lists_it_once(
    make_vault: VaultFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The sweep for orphaned temporary files lists a note's folder at most once a minute: listed at each
    write, a run writing every note of a 3,000-note folder spent most of its time listing it (quadratic). An
    orphan left after the listing is swept once the listing is old."""
    from vaultkit import edits

    notes = {f"N{n}.md": f"See Other {n}.\n".encode() for n in range(30)}
    root = make_vault({**notes, "Other.md": b"x\n"})
    listed: list[str] = []
    real = os.scandir

    def scandir(folder: str) -> Any:
        listed.append(str(folder))
        return real(folder)

    monkeypatch.setattr(os, "scandir", scandir)
    orphan = root / f".N29.md.abcd1234{TMP_SUFFIX}"
    orphan.write_bytes(b"left by a killed run")
    for rel, data in notes.items():
        start = data.index(b"Other")
        edit = Edit(start, start + 5, "[[Other]]")
        assert write_note(root, rel, hashlib.sha256(data).hexdigest(), [edit]).written
    assert listed == [str(root)] and not orphan.exists()
    orphan.write_bytes(b"left after the listing")
    data = (root / "N29.md").read_bytes()
    assert write_note(root, "N29.md", hashlib.sha256(data).hexdigest(), [Edit(0, 0, "x")]).written
    assert orphan.exists() and len(listed) == 1
    monkeypatch.setattr(edits, "SWEEP_EVERY", -1.0, raising=False)  # the listing is old now
    data = (root / "N29.md").read_bytes()
    assert write_note(root, "N29.md", hashlib.sha256(data).hexdigest(), [Edit(0, 0, "y")]).written
    assert not orphan.exists() and len(listed) == 2


def test_a_run_flushes_each_folder_once_not_at_each_note(
    make_vault: VaultFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Each note's content is flushed before its rename; the folder, whose entries the renames change, once
    per round of writes (`edits.folders_synced_at_end`), and after every note outside one (watch's save)."""
    root = make_vault({f"Lab/Topic{n}.md": f"About Topic{(n + 1) % 8}.\n" for n in range(8)})
    flushed: list[str] = []
    real = edits._fsync_dir
    monkeypatch.setattr(edits, "_fsync_dir", lambda folder: flushed.append(folder.name) or real(folder))
    result = run_cli("link", root)
    assert result.exit_code == 0, result.output
    assert all(f"[[Topic{n}]]" in (root / f"Lab/Topic{n - 1}.md").read_text() for n in range(1, 8))
    assert 1 <= flushed.count("Lab") <= 2, flushed  # a round of links, a round of relations
    flushed.clear()
    assert write(make_vault({"A.md": ORIGINAL, "Other.md": b"x\n"}, name="w")).written
    assert flushed == ["w"]


def test_a_note_with_a_name_near_the_length_limit_is_written(make_vault: VaultFactory) -> None:
    """Regression: the temporary file's name is the note's with 23 more bytes, so a note named with 80
    Japanese characters (243 bytes of the file system's 255) was never written ("File name too long")."""
    name = "日本語の長いタイトル" * 8 + ".md"
    root = make_vault({name: ORIGINAL, "Other.md": b"x\n"})
    result = write_note(root, name, hashlib.sha256(ORIGINAL).hexdigest(), [EDIT])
    assert result.written, result.message
    assert (root / name).read_bytes() == LINKED
    assert temp_files(root) == []


def test_a_note_with_a_path_near_the_length_limit_is_written(
    make_vault: VaultFactory, tmp_path: Path
) -> None:
    """Regression: the temporary file's path is the note's with 23 more bytes, so a note whose path was
    within 23 bytes of PATH_MAX (4,096 bytes: deep folders with long names) was never written ("File name
    too long"), though `check` offered its fix, run after run. Its name is cut to fit the path as well
    (a note whose own name is shorter than those 23 bytes still cannot be written: see README)."""
    folders = len(os.fsencode(str(tmp_path / "v"))) + 1
    depth, pad = divmod(4095 - folders - len("Deep.md") - 40, 201)
    rel = "/".join(["f" * 200] * depth + ["D" * (40 + pad) + "Deep.md"])  # a name of 47 to 247 bytes
    root = make_vault({rel: ORIGINAL, "Other.md": b"x\n"})
    assert len(os.fsencode(str(root / rel))) == 4095
    result = write_note(root, rel, hashlib.sha256(ORIGINAL).hexdigest(), [EDIT])
    assert result.written, result.message
    assert (root / rel).read_bytes() == LINKED
    assert temp_files(root) == []


# -- the disk fills up while writing ---------------------------------------------------------------------


@pytest.mark.parametrize("mode", [0o600, 0o755, 0o6755, 0o1644], ids=oct)
def test_a_written_note_keeps_its_mode(vault: Path, mode: int) -> None:
    """Every mode bit carries over to the file renamed over the note. Regression: the set-user-ID and
    set-group-ID bits of an executable note were lost (6755 became 755): the temporary file was given the
    mode, then its owner, and Linux clears those bits at every chown, even to the same owner."""
    note = vault / "A.md"
    note.chmod(mode)
    result = write(vault)
    assert result.written, result.message
    assert_intact(vault, LINKED)
    assert oct(stat.S_IMODE(note.stat().st_mode)) == oct(mode)


def test_a_written_note_keeps_its_extended_attributes(vault: Path) -> None:
    """Regression: the renamed-in file had none of the note's extended attributes: a tag a file manager
    keeps in `user.xdg.tags`, and, the same way, a POSIX ACL (`system.posix_acl_access`) that let another
    user read the note, were gone after `link`. They are copied with the permissions."""
    note = vault / "A.md"
    try:
        os.setxattr(note, "user.xdg.tags", b"red")
    except (AttributeError, OSError) as e:  # no xattrs on this system or file system
        pytest.skip(f"extended attributes unsupported: {e}")
    result = write(vault)
    assert result.written, result.message
    assert_intact(vault, LINKED)
    assert os.getxattr(note, "user.xdg.tags") == b"red"


def test_enospc_during_write(vault: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    real_write = os.write

    def write_half_then_fail(fd: int, data: object) -> int:
        view = memoryview(data)  # type: ignore[arg-type]
        if len(view) > 4:
            real_write(fd, view[: len(view) // 2])
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(os, "write", write_half_then_fail)
    result = write(vault)
    monkeypatch.undo()
    assert not result.written
    assert "disk is full" in result.message and "unchanged" in result.message
    assert_intact(vault)


@pytest.mark.parametrize("code", [errno.ENOSPC, errno.EDQUOT, errno.EIO])
def test_fsync_fails(vault: Path, monkeypatch: pytest.MonkeyPatch, code: int) -> None:
    monkeypatch.setattr(os, "fsync", _raiser(OSError(code, os.strerror(code))))
    result = write(vault)
    assert not result.written
    assert "not written" in result.message and "unchanged" in result.message
    assert_intact(vault)


def test_enospc_creating_the_temporary_file(vault: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    _temporary_files_refused(monkeypatch, OSError(errno.ENOSPC, "No space left on device"))
    result = write(vault)
    assert not result.written and "disk is full" in result.message
    assert_intact(vault)


def test_read_only_folder(vault: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Regression: creating the temporary file (mkstemp) ran outside the writer's error handling, so EACCES escaped as an exception and
    ended the whole run with 'internal error'."""
    _temporary_files_refused(monkeypatch, PermissionError(errno.EACCES, "Permission denied"))
    result = run_cli("link", vault)
    assert result.exit_code == 1, result.output
    assert "A.md" in result.stderr and "Permission denied" in result.stderr
    assert "internal error" not in result.output
    assert_intact(vault)


def test_chmod_fails(vault: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(os, "chmod", _raiser(PermissionError(errno.EPERM, "Operation not permitted")))
    result = write(vault)
    assert not result.written and "Operation not permitted" in result.message
    assert_intact(vault)


# -- the rename fails -------------------------------------------------------------------------------------


@pytest.mark.parametrize("code", [errno.EACCES, errno.EXDEV, errno.EBUSY, errno.EROFS])
def test_rename_fails(vault: Path, monkeypatch: pytest.MonkeyPatch, code: int) -> None:
    monkeypatch.setattr(os, "replace", _raiser(OSError(code, os.strerror(code))))
    result = write(vault)
    assert not result.written
    assert os.strerror(code) in result.message and "unchanged" in result.message
    assert_intact(vault)


def test_rename_fails_in_the_cli(vault: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(os, "replace", _raiser(OSError(errno.EROFS, "Read-only file system")))
    result = run_cli("link", vault)
    assert result.exit_code == 1
    assert "A.md" in result.stderr and "Read-only file system" in result.stderr
    assert "Traceback" not in result.output
    assert_intact(vault)


# -- someone else changes the note between vaultkit's read and its write ----------------------------------

THEIRS = b"---\ntitle: A\n---\nSee Other here, edited in Obsidian meanwhile.\n"


def test_changed_before_the_writer_reads_it(vault: Path) -> None:
    digest = hashlib.sha256(ORIGINAL).hexdigest()
    (vault / "A.md").write_bytes(THEIRS)
    result = write_note(vault, "A.md", digest, [EDIT])
    assert not result.written and "changed since vaultkit read it" in result.message
    assert_intact(vault, THEIRS)


def test_changed_while_the_temporary_file_is_written(vault: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    real_fsync = os.fsync

    def fsync_while_someone_saves(fd: int) -> None:
        real_fsync(fd)
        (vault / "A.md").write_bytes(THEIRS)

    monkeypatch.setattr(os, "fsync", fsync_while_someone_saves)
    result = write(vault)
    monkeypatch.undo()
    assert not result.written and "changed while vaultkit was writing" in result.message
    assert_intact(vault, THEIRS)


def test_changed_between_the_scan_and_the_write_in_the_cli(
    vault: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    real = fixer.write_note

    def someone_saves_first(root: Path, rel: str, *args: object, **kwargs: object) -> WriteResult:
        if rel == "A.md":
            (root / rel).write_bytes(THEIRS)
        return real(root, rel, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(fixer, "write_note", someone_saves_first)
    result = run_cli("link", vault)
    assert result.exit_code == 1
    assert "A.md" in result.stderr and "changed" in result.stderr
    assert_intact(vault, THEIRS)


def test_swapped_for_a_symlink_before_the_write(vault: Path, tmp_path: Path) -> None:
    target = tmp_path / "elsewhere.md"
    target.write_bytes(ORIGINAL)
    (vault / "A.md").unlink()
    (vault / "A.md").symlink_to(target)
    result = write(vault)
    assert not result.written and "symlink" in result.message
    assert target.read_bytes() == ORIGINAL
    assert temp_files(vault) == []


def test_a_folder_swapped_for_a_symlink_out_of_the_vault_is_not_written_through(
    make_vault: VaultFactory, tmp_path: Path
) -> None:
    """Regression: the note's folder replaced by a symlink to a folder outside the vault, holding a file of
    the same name and bytes, between the read and the write: the compare-and-swap passed, and the file
    outside the vault was replaced. The run enters no symlinked folder, and its writer writes through none."""
    root = make_vault({"sub/A.md": ORIGINAL, "Other.md": b"x\n"})
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "A.md").write_bytes(ORIGINAL)
    for name in os.listdir(root / "sub"):
        os.unlink(root / "sub" / name)
    (root / "sub").rmdir()
    (root / "sub").symlink_to(outside, target_is_directory=True)
    result = write_note(root, "sub/A.md", hashlib.sha256(ORIGINAL).hexdigest(), [EDIT])
    assert not result.written
    assert "symlink" in result.message, result.message
    assert (outside / "A.md").read_bytes() == ORIGINAL
    assert list(outside.iterdir()) == [outside / "A.md"]


def test_swapped_for_a_named_pipe_before_the_write(vault: Path) -> None:
    """Regression: the writer re-read the note with read_bytes(), which blocks forever on a FIFO."""
    (vault / "A.md").unlink()
    os.mkfifo(vault / "A.md")
    result = write(vault)
    assert not result.written and "regular file" in result.message
    assert temp_files(vault) == []


def test_not_writable_for_this_user(vault: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Regression: only the mode bits were checked, so a note owned by someone else (mode 644) was replaced by
    a rename in a writable folder, taking it over."""
    real_access = os.access
    monkeypatch.setattr(os, "access", lambda p, mode: False if mode == os.W_OK else real_access(p, mode))
    result = write(vault)
    assert not result.written and "read-only" in result.message
    assert_intact(vault)


# -- the generated report note goes through the same path --------------------------------------------------


def test_report_note_enospc(vault: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(os, "fsync", _raiser(OSError(errno.ENOSPC, "No space left on device")))
    result = write_generated(
        vault, "Report.md", "<!-- vaultkit report -->\nall good\n", "<!-- vaultkit report -->"
    )
    assert not result.written and "disk is full" in result.message
    assert not (vault / "Report.md").exists()
    assert temp_files(vault) == []


def test_report_note_never_overwrites_a_note_that_appears_meanwhile(
    vault: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    real_fsync = os.fsync

    def user_creates_it(fd: int) -> None:
        real_fsync(fd)
        (vault / "Report.md").write_bytes(b"my own note\n")

    monkeypatch.setattr(os, "fsync", user_creates_it)
    result = write_generated(vault, "Report.md", "<!-- vaultkit report -->\n", "<!-- vaultkit report -->")
    monkeypatch.undo()
    assert not result.written and "appeared" in result.message
    assert (vault / "Report.md").read_bytes() == b"my own note\n"
    assert temp_files(vault) == []


def test_lock_file_is_not_a_note(vault: Path) -> None:
    assert write(vault).written
    assert (vault / edits.LOCK_NAME).exists()
    assert "write.lock" not in run_cli("check", vault).output


# -- a program is in the middle of writing the note (opened it, wrote half, paused) ----------------------

needs_leases = pytest.mark.skipif(
    not sys.platform.startswith("linux"), reason="the in-progress writer is detected with Linux leases"
)


@needs_leases
def test_a_note_open_for_writing_is_not_replaced(vault: Path) -> None:
    """Regression: vaultkit renamed its copy over a note another program still had open, so the rest of that
    program's save went to the replaced file and was lost. Bytes alone cannot show a paused writer."""
    with open(vault / "A.md", "r+b") as writer:  # opened and paused: the bytes are still ORIGINAL
        result = write(vault)
        assert not result.written and "another program is writing the note" in result.message
        assert_intact(vault)
        writer.seek(0, os.SEEK_END)
        writer.write(b"The second half of the save.\n")
    assert_intact(vault, ORIGINAL + b"The second half of the save.\n")
    assert write(vault).written is False  # the bytes changed: the next run reads them again


@needs_leases
def test_a_paused_writer_in_another_process_keeps_its_whole_save(vault: Path) -> None:
    """The other program pauses until vaultkit's write is over (it waited a second: on a busy machine the
    write could begin after the save was whole, and find nothing to refuse)."""
    writer = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import sys\n"
            "f = open(sys.argv[1], 'ab')\n"
            "sys.stdout.write('open\\n'); sys.stdout.flush()\n"
            "sys.stdin.readline()\n"
            "f.write(b'Written after the pause.\\n'); f.close()\n",
            str(vault / "A.md"),
        ],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    assert writer.stdout is not None and writer.stdout.readline() == "open\n"
    result = write(vault)
    writer.communicate("go on\n", timeout=30)
    assert not result.written and "another program is writing" in result.message
    assert_intact(vault, ORIGINAL + b"Written after the pause.\n")


USER_SAVE = b"---\ntitle: A\n---\nThe user's save, made in place.\n"
SAVE_IN_PLACE = (  # as Obsidian saves (Node's fs.writeFile): open with O_TRUNC, then write, then close
    "import os, sys\n"
    "sys.stdout.write('ready\\n'); sys.stdout.flush()\n"
    "sys.stdin.readline()\n"
    "fd = os.open(sys.argv[1], os.O_WRONLY | os.O_TRUNC)\n"
    "os.write(fd, sys.argv[2].encode()); os.close(fd)\n"
)


def _blocked_or_done(process: subprocess.Popen[str], timeout: float = 5.0) -> None:
    """Wait until `process` has finished, or sleeps in the kernel waiting for a lease to be given up."""
    deadline = time.monotonic() + timeout
    while process.poll() is None and time.monotonic() < deadline:
        with contextlib.suppress(OSError):
            if "lease" in Path(f"/proc/{process.pid}/wchan").read_text():
                return
        time.sleep(0.01)


@needs_leases
@pytest.mark.parametrize("at", ["replace", "link"], ids=["at-the-rename", "before-the-rename"])
def test_a_save_in_place_as_the_writer_renames_is_kept(
    vault: Path, monkeypatch: pytest.MonkeyPatch, at: str
) -> None:
    """Regression: an editor that saved in place (open with O_TRUNC, write) between the writer's last check
    and its rename wrote into the file the rename then unlinked: the save was lost, and the note reported
    written. The user's save is what ends at the note's path, and the note is reported not written; the
    save comes at the rename, or as the old file is given its second name, before it."""
    editor = subprocess.Popen(
        [sys.executable, "-c", SAVE_IN_PLACE, str(vault / "A.md"), USER_SAVE.decode()],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    assert editor.stdin is not None and editor.stdout is not None
    assert editor.stdout.readline() == "ready\n"
    real = getattr(os, at)
    paused: list[str] = []

    def save_in_the_window(src: str, dst: str, **kwargs: Any) -> None:
        if not paused:  # the writer's first rename (or link): its last check is behind it
            paused.append(src)
            editor.stdin.write("save\n")  # type: ignore[union-attr]
            editor.stdin.flush()  # type: ignore[union-attr]
            _blocked_or_done(editor)
        real(src, dst, **kwargs)

    monkeypatch.setattr(os, at, save_in_the_window)
    result = write(vault)
    monkeypatch.undo()
    editor.communicate(timeout=60)
    assert paused and editor.returncode == 0
    assert (vault / "A.md").read_bytes() == USER_SAVE
    assert not result.written and "another program" in result.message, result.message
    assert temp_files(vault) == []
    assert write(vault).written is False  # the bytes changed: the next run reads them again


@needs_leases
def test_a_save_in_place_after_the_rename_goes_to_the_new_note(
    vault: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The other order: a save that opens the note once it is replaced writes the new file, and the write
    stands as made (the user's save overwrites it, as any later save would)."""
    real_replace = os.replace
    user = USER_SAVE.replace(b"made in place", b"made after the rename")

    def save_after(src: str, dst: str) -> None:
        real_replace(src, dst)
        if str(dst) == str(vault / "A.md") and (vault / "A.md").read_bytes() == LINKED:
            subprocess.run(
                [
                    sys.executable,
                    "-c",
                    "import sys; open(sys.argv[1], 'wb').write(sys.argv[2].encode())",
                    str(vault / "A.md"),
                    user.decode(),
                ],
                check=True,
                timeout=60,
            )

    monkeypatch.setattr(os, "replace", save_after)
    result = write(vault)
    monkeypatch.undo()
    assert result.written, result.message
    assert_intact(vault, user)


@needs_leases
def test_without_a_competing_save_the_note_is_written_and_nothing_is_left(vault: Path) -> None:
    result = write(vault)
    assert result.written, result.message
    assert_intact(vault, LINKED)
    assert os.stat(vault / "A.md").st_nlink == 1  # no second name of the old or the new file is left


def test_a_note_opened_only_for_reading_is_written(vault: Path) -> None:
    with open(vault / "A.md", "rb") as reader:
        result = write(vault)
        assert reader.read() == ORIGINAL  # the reader keeps the file it opened
    assert result.written, result.message
    assert_intact(vault, LINKED)


# -- a refused write: nothing counted that was not written, no relation to a link that is not there ----------

LINKER = b"See Lone here.\n"
LONE = b"Lone note.\n"


def _refuse_read_only(root: Path, monkeypatch: pytest.MonkeyPatch, rel: str) -> None:
    (root / rel).chmod(0o444)


def _refuse_changed(root: Path, monkeypatch: pytest.MonkeyPatch, rel: str) -> None:
    real = fixer.write_note

    def someone_saves_first(at: Path, note: str, *args: object, **kwargs: object) -> WriteResult:
        if note == rel:
            (at / note).write_bytes((at / note).read_bytes() + b"Saved meanwhile.\n")
        return real(at, note, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(fixer, "write_note", someone_saves_first)


REFUSALS = [pytest.param(_refuse_read_only, id="read-only"), pytest.param(_refuse_changed, id="changed")]


@pytest.mark.parametrize("refuse", REFUSALS)
@pytest.mark.parametrize("command", [("check", "--fix"), ("link",)], ids=["check-fix", "link"])
def test_a_refused_link_leaves_no_relation_behind(
    make_vault: VaultFactory,
    monkeypatch: pytest.MonkeyPatch,
    command: tuple[str, ...],
    refuse: Callable[[Path, pytest.MonkeyPatch, str], None],
) -> None:
    """Regression: the relation Lone gets for A's new link was written although A's link was refused, and
    counted as a fix ("fixed 1 notes"): Lone then listed a note that does not link to it."""
    root = make_vault({"A.md": LINKER, "Lone.md": LONE})
    refuse(root, monkeypatch, "A.md")
    result = run_cli(*command, "--no-cache", root)
    assert result.exit_code == 1, result.output
    assert "A.md: not written" in result.stderr
    assert (root / "Lone.md").read_bytes() == LONE
    assert not re.search(r"vaultkit: (?:fixed \d|\d+ notes? changed)", result.stderr), result.stderr
    assert "VK121" not in result.stdout


@pytest.mark.parametrize("refuse", REFUSALS)
def test_check_fix_reports_no_relation_for_a_link_never_written(
    make_vault: VaultFactory, monkeypatch: pytest.MonkeyPatch, refuse: Callable[..., None]
) -> None:
    """Regression: with every write refused, `check --fix` reported the problems of the vault it meant to
    write: a VK121 on Lone for A's link, which is not in A."""
    root = make_vault({"A.md": LINKER, "Lone.md": LONE})
    refuse(root, monkeypatch, "A.md")
    refuse(root, monkeypatch, "Lone.md")
    result = run_cli("check", "--fix", "--no-cache", root)
    assert result.exit_code == 1, result.output
    assert "A.md:1:5: VK120" in result.stdout
    assert "VK121" not in result.stdout
    assert "1 problem" in result.stdout
    assert run_cli("check", "--no-cache", root).stdout == result.stdout


def test_relations_follow_the_links_written_in_the_same_run(make_vault: VaultFactory) -> None:
    """The relations are found again once the links are written: a note linked in this run gets its relation
    in the same run, and a note whose new link answers a link to it gets no relation."""
    root = make_vault(
        {
            "Alpha.md": b"See Lone here.\n",
            "Lone.md": LONE,
            "Beta.md": b"See Alpha here.\n",
            "Gamma.md": b"[[Beta]] and Gamma.\n",
            "Delta.md": b"See Epsilon here.\n",
            "Epsilon.md": b"[[Delta]]\n",
        },
        name="w",
    )
    result = run_cli("link", "--no-cache", root)
    assert result.exit_code == 0, result.output

    def related(*names: str) -> bytes:
        return b"---\nrelated:\n" + b"".join(b'  - "[[%s]]"\n' % n.encode() for n in names) + b"---\n"

    assert (root / "Alpha.md").read_bytes() == related("Beta") + b"See [[Lone]] here.\n"
    assert (root / "Lone.md").read_bytes() == related("Alpha") + LONE
    assert (root / "Beta.md").read_bytes() == related("Gamma") + b"See [[Alpha]] here.\n"
    assert (root / "Gamma.md").read_bytes() == b"[[Beta]] and Gamma.\n"
    assert (root / "Delta.md").read_bytes() == b"See [[Epsilon]] here.\n"
    assert (root / "Epsilon.md").read_bytes() == b"[[Delta]]\n"
    assert run_cli("check", "--no-cache", root).exit_code == 0


@pytest.mark.parametrize(
    ("command", "runs"), [(("link",), 1), (("check", "--fix"), 2)], ids=["link", "check-fix"]
)
def test_relations_need_no_second_analysis_when_every_link_is_written(
    example_vault: Path, monkeypatch: pytest.MonkeyPatch, command: tuple[str, ...], runs: int
) -> None:
    """The first run counts the links it is about to write, so its relations are the vault's once they are:
    the vault was analysed a second time between the links and the relations (a quarter of `link`'s time
    on 10,000 notes). `check --fix` still reports on the vault as written (its second run)."""
    from vaultkit.engine import Runner

    seen: list[object] = []
    real = Runner.run

    def counting(self: Runner, opts: Any) -> Any:
        seen.append(opts)
        return real(self, opts)

    monkeypatch.setattr(Runner, "run", counting)
    result = run_cli(*command, "--no-cache", example_vault)
    assert "22 notes changed" in result.stderr or "fixed 22 notes" in result.stderr, result.stderr
    assert len(seen) == runs
    monkeypatch.undo()
    assert run_cli("check", "--no-cache", example_vault).exit_code == 0


@pytest.mark.parametrize("option", [("--ignore", "VK120"), ("--select", "VK121")])
def test_check_fix_counts_no_link_it_will_not_write(
    make_vault: VaultFactory, option: tuple[str, ...]
) -> None:
    """The first run of `check --fix` counts the links it is about to write: none when VK120 is not
    selected, or Lone would get a relation to a link never written."""
    root = make_vault({"A.md": LINKER, "Lone.md": LONE})
    result = run_cli("check", "--fix", *option, "--no-cache", root)
    assert (root / "A.md").read_bytes() == LINKER and (root / "Lone.md").read_bytes() == LONE
    assert "VK121" not in result.stdout and "fixed" not in result.stderr, result.output


def test_a_fix_in_a_note_that_is_a_symlink_is_not_offered(make_vault: VaultFactory) -> None:
    """The writer never writes through a symlink, so `link` refuses such a note; `check` still marked its
    VK120 fixable (`[*]`) and counted it ("3 fixable with `vaultkit link`" where link fixed one). It is
    shown without `[*]` and says why, as a read-only note's is."""
    root = make_vault({"Real.md": LINKER, "Lone.md": LONE})
    os.symlink("Real.md", root / "Alias.md")
    result = run_cli("check", "--no-cache", root)
    assert (
        "Alias.md:1:5: VK120 'Lone' mentions [[Lone]] but is not linked (the note is a symlink: vaultkit never"
        " writes through links)" in result.stdout
    ), result.stdout
    assert "Real.md:1:5: VK120 [*] 'Lone'" in result.stdout and "1 fixable" in result.stdout, result.stdout


@pytest.mark.parametrize("options", [[], ["--check"], ["--diff"]])
def test_link_whose_every_write_is_refused_does_not_say_nothing_to_link(
    make_vault: VaultFactory, options: list[str]
) -> None:
    """A vault whose one mention is in a read-only note: `link` named the note as not written, exited 1, and
    ended "nothing to link; no note changed" (`--check`, `--diff`: "nothing to link"), which is the summary
    of a vault with nothing to do: there was a link to write, and it was refused."""
    root = make_vault({"A.md": LINKER, "Lone.md": LONE})
    (root / "A.md").chmod(0o444)
    result = run_cli("link", "--no-cache", *options, root)
    assert result.exit_code == 1, result.output
    assert "A.md: " in result.stderr and "nothing to link" not in result.stderr, result.stderr
    summary = "no note changed" if not options else "no note would change"
    assert result.stderr.splitlines()[-1] == f"vaultkit: {summary}", result.stderr


@pytest.mark.parametrize("options", [[], ["--check"], ["--diff"]])
def test_link_whose_only_notes_are_skipped_does_not_say_nothing_to_link(
    make_vault: VaultFactory, options: list[str]
) -> None:
    """A vault whose notes with mentions are not UTF-8 (Latin-1, UTF-16): `link` named each as not linked,
    exited 1, and ended "nothing to link" (`link`: "nothing to link; no note changed"), the summary of a
    vault with nothing to do, beside the exit code of one with something wrong. A note skipped is not
    nothing to link: exit 1, as the README's table says, and a last line that says what was skipped."""
    root = make_vault({"Lone.md": LONE})
    (root / "A.md").write_bytes("Caf\u00e9 and Lone.\n".encode("latin-1"))
    (root / "B.md").write_bytes("Lone here.\n".encode("utf-16"))
    result = run_cli("link", "--no-cache", *options, root)
    assert result.exit_code == 1, result.output
    assert "A.md:1:4: VK202 " in result.stderr and "B.md:1:1: VK202 " in result.stderr, result.stderr
    assert "nothing to link" not in result.stderr.splitlines()[-1], result.stderr
    said = "no note would change" if options else "no note changed"
    assert result.stderr.splitlines()[-1] == f"vaultkit: {said}: 2 skipped (named above)"
    assert (root / "A.md").read_bytes() == "Caf\u00e9 and Lone.\n".encode("latin-1")


def test_check_fix_names_a_refused_note_as_link_does(
    make_vault: VaultFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    """From the current folder: `check --fix v` said `vaultkit: A.md: not written: ...`, a path that names
    no file from there, where `link v` says `v/A.md`."""
    root = make_vault({"A.md": LINKER, "Lone.md": LONE})
    (root / "A.md").chmod(0o444)
    monkeypatch.chdir(root.parent)
    for command in (["check", "--fix"], ["link"]):
        result = run_cli(*command, "--no-cache", root.name)
        assert result.exit_code == 1, result.output
        assert f"vaultkit: {root.name}/A.md: not written: the note is read-only" in result.stderr, (
            result.stderr
        )


def test_a_fix_in_a_read_only_note_is_not_offered(make_vault: VaultFactory) -> None:
    """`check` marked a read-only note's VK120 fixable (`[*]`) and counted it, and `link` then refused it.
    It is shown without `[*]`, says why, and is offered again once the note can be written (the warm
    paths included: a chmod changes no content, only the note's stat)."""
    root = make_vault({"A.md": LINKER, "B.md": LINKER, "Lone.md": LONE})
    (root / "A.md").chmod(0o444)
    result = run_cli("check", root)
    assert (
        "A.md:1:5: VK120 'Lone' mentions [[Lone]] but is not linked (the note is read-only" in result.stdout
    )
    assert "B.md:1:5: VK120 [*] 'Lone'" in result.stdout and "1 fixable" in result.stdout, result.stdout
    data = json.loads(run_cli("check", "--format", "json", root).stdout)
    assert [d["fixable"] for d in data["diagnostics"]] == [False, True]
    (root / "A.md").chmod(0o644)
    again = run_cli("check", root)
    assert "A.md:1:5: VK120 [*] 'Lone'" in again.stdout and "2 fixable" in again.stdout, again.stdout


def test_a_note_replaced_by_a_symlink_to_the_same_bytes_is_not_offered_a_fix(
    make_vault: VaultFactory,
) -> None:
    """Regression: the warm path hashes a note whose signature it does not trust, and printed the stored
    output where the bytes were the same: a note replaced by a symlink to a copy of itself was still shown
    fixable (`[*]`), and `check --fix` then refused it. A note the writer would refuse now is checked."""
    root = make_vault({"A.md": LINKER, "B.md": LINKER, "Lone.md": LONE})
    first = run_cli("check", root)
    assert "A.md:1:5: VK120 [*] 'Lone'" in first.stdout and "2 fixable" in first.stdout, first.stdout
    copy = root.parent / "A-copy.md"
    copy.write_bytes(LINKER)
    (root / "A.md").unlink()
    (root / "A.md").symlink_to(copy)
    again = run_cli("check", root)
    assert "A.md:1:5: VK120 'Lone' mentions [[Lone]] but is not linked (the note is a symlink" in again.stdout
    assert "1 fixable" in again.stdout, again.stdout


@needs_leases
@pytest.mark.parametrize("code", [errno.EPERM, errno.EMLINK, errno.EOPNOTSUPP])
def test_a_file_system_without_hard_links_is_written_as_before(
    vault: Path, monkeypatch: pytest.MonkeyPatch, code: int
) -> None:
    """The old file is kept under a second name across the rename; FAT and exFAT drives, and some FUSE file
    systems, have no hard links. There the note is written as it was before (only a save that began before
    the rename is seen), never refused."""
    monkeypatch.setattr(os, "link", _raiser(OSError(code, os.strerror(code))))
    result = write(vault)
    assert result.written, result.message
    assert_intact(vault, LINKED)
