"""Issue 7: two `vaultkit link` processes on the same vault at once.

The writer makes this safe with compare-and-swap under a vault-wide lock (vaultkit/edits.py): each process
writes a note only if it still holds the bytes that process read, checked again under the lock just before
the rename. So the process that loses a race refuses that note ("changed since vaultkit read it") instead
of overwriting the other's edit, and nothing is corrupted or lost: a third run links what was refused.
"""

from __future__ import annotations

import hashlib
import random
import re
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from conftest import VaultFactory, run_cli

from vaultkit import note
from vaultkit.edits import TMP_SUFFIX

NAMES = [f"Topic{chr(65 + i)}{chr(97 + i)}x" for i in range(26)]  # TopicAax, TopicBbx, ...


def build_vault(make_vault: VaultFactory, seed: int) -> tuple[Path, dict[str, list[str]]]:
    """Notes mentioning each other in prose; returns which names each note mentions."""
    rng = random.Random(seed)
    files: dict[str, bytes] = {}
    mentions: dict[str, list[str]] = {}
    for i, name in enumerate(NAMES):
        others = rng.sample([n for n in NAMES if n != name], 4)
        mentions[name] = others
        eol = "\r\n" if i % 3 == 0 else "\n"
        head = f"---{eol}title: {name}{eol}tags: [demo]{eol}---{eol}" if i % 2 else ""
        body = eol.join(
            f"Paragraph {k}: this one is about {other}, see there." for k, other in enumerate(others)
        )
        files[f"{'Sub/' if i % 4 == 0 else ''}{name}.md"] = (head + body + eol).encode()
    return make_vault(files, name=f"v{seed}"), mentions


def all_notes(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in root.rglob("*.md")}


def assert_not_corrupted(root: Path) -> None:
    for rel, data in all_notes(root).items():
        parsed = note.parse(rel, note.RawFile(data, hashlib.sha256(data).hexdigest()))
        assert parsed.readable, (rel, parsed.problems)
        assert not parsed.problems, (rel, parsed.problems)
        assert parsed.fm.loaded, rel
    assert not [p for p in root.rglob("*") if p.name.endswith(TMP_SUFFIX)]


GATED = """
import os, sys, time
from vaultkit.cli import main
import vaultkit.commands.link, vaultkit.engine, vaultkit.fixer  # imported before the start line
ready, go = sys.argv[1:3]
open(ready, "w").close()
while not os.path.exists(go):
    time.sleep(0.0005)
sys.exit(main(sys.argv[3:]))
"""


def race(root: Path, gate: Path) -> list[tuple[int, str, str]]:
    """Two `vaultkit link` processes released at the same instant, once both have finished importing (a
    fixed second was not always enough on a busy machine: the later one then started alone)."""
    ready = [gate.with_name(f"{gate.name}-ready{k}") for k in range(2)]
    procs = [
        subprocess.Popen(
            [sys.executable, "-c", GATED, str(flag), str(gate), "link", str(root)],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for flag in ready
    ]
    deadline = time.monotonic() + 120
    while not all(flag.exists() for flag in ready) and time.monotonic() < deadline:
        time.sleep(0.01)
    gate.touch()
    out = []
    for proc in procs:
        stdout, stderr = proc.communicate(timeout=120)
        out.append((proc.returncode, stdout, stderr))
    return out


def test_two_link_processes_at_once(make_vault: VaultFactory, tmp_path: Path) -> None:
    refusals = 0
    for seed in (1, 2, 3):
        root, mentions = build_vault(make_vault, seed)
        for code, out, err in race(root, tmp_path / f"go{seed}"):
            assert "Traceback" not in out + err, err
            # 0: wrote everything; 1: refused a note the other process had just changed, and said so
            assert code in (0, 1), err
            lost = re.findall(r"changed (?:since vaultkit read it|while vaultkit was writing)", err)
            assert (code == 1) == bool(lost), err
            refusals += len(lost)
        assert_not_corrupted(root)
        assert_converges(root, mentions)
    assert refusals > 0, "the two processes never raced: the test proved nothing"


def assert_converges(root: Path, mentions: dict[str, list[str]]) -> None:
    third = run_cli("link", root)
    assert third.exit_code == 0, third.output
    assert_not_corrupted(root)
    settled = all_notes(root)
    assert run_cli("link", root).exit_code == 0
    assert all_notes(root) == settled, "a fourth run still changed something"
    check = run_cli("check", root)
    assert check.exit_code == 0, check.output
    for name, named in mentions.items():
        text = next(v for k, v in settled.items() if k.endswith(f"{name}.md")).decode()
        plain = text.replace("[[", "").replace("]]", "")
        for k, other in enumerate(named):
            assert f"[[{other}]]" in text, f"{name} lost its link to {other}"
            # every edit is an insertion: the prose is still there, word for word
            assert f"Paragraph {k}: this one is about {other}, see there." in plain


def test_no_stop_signal_is_handled_while_the_vault_lock_is_held(make_vault: VaultFactory) -> None:
    """Regression (a `link --jobs 2` hung for good in CI on SIGTERM): the signal's `Stopped`, raised in
    contextlib's frames as the lock was taken, left the lock's generator suspended with the lock held (kept by
    the traceback), while the run waited for its forked writer, which waited for the lock. A stop signal is
    now handled only while the lock is waited for, or once it is let go: held meanwhile, never lost."""
    import signal

    from vaultkit.edits import _vault_lock

    root = make_vault({"A.md": "x\n"})
    stops = {signal.SIGTERM, signal.SIGHUP, signal.SIGINT}
    before = signal.pthread_sigmask(signal.SIG_BLOCK, [])
    with _vault_lock(root) as locked:
        assert locked
        assert stops <= signal.pthread_sigmask(signal.SIG_BLOCK, [])
    assert signal.pthread_sigmask(signal.SIG_BLOCK, []) == before


def test_a_note_changed_and_changed_back_during_link_gets_no_relation_planned_on_another_text(
    make_vault: VaultFactory,
) -> None:
    """Regression (found with a process saving a note in place in a loop beside `link`): a note whose links
    were refused as changed since read is looked at again for its relations, but was then to be written only
    if it still held the bytes first read. Edited meanwhile (a longer frontmatter) and brought back (an
    undo), it held them, and the relation planned on the edited text was applied at that text's offsets:
    "not written: edit 83-83 is outside the note" (an offset inside the note wrote it at the wrong place,
    unless the verification refused it). A note refused as changed gets no relation in that run."""
    import dataclasses

    from vaultkit.engine import Runner, RunOptions, open_session
    from vaultkit.fixer import fix_in_rounds

    first_read = "---\ntitle: M\n---\nMeituan sells food, as Alibaba does.\n"
    longer = first_read.replace("title: M\n", "title: M\nsummary: " + "x" * 60 + "\n")
    files = {"Meituan.md": first_read, "Alibaba.md": "# Alibaba\n", "N.md": "Meituan is a company.\n"}
    root = make_vault(files)
    path = root / "Meituan.md"
    runner = Runner(open_session(root))
    opts = RunOptions(jobs=1, use_cache=False, fixing=True, preview=True, select=("VK120", "VK121"))
    first = runner.run(opts)
    assert ("Meituan.md", "VK121") in [(d.path, d.code) for d in first.diagnostics]
    path.write_text(first_read + "typed\n")  # saved as link starts: its links are refused

    def again(refused: frozenset[str]) -> Any:
        path.write_text(longer)  # saved again while link looks once more
        try:
            return runner.run(dataclasses.replace(opts, refused=refused))
        finally:
            path.write_text(first_read)  # and undone: the note holds what link first read

    outcome = fix_in_rounds(root, first, again, lambda d: d.code in ("VK120", "VK121"), "related", jobs=1)
    assert [(r.rel, r.message) for r in outcome.refused] == [
        ("Meituan.md", "not written: the note changed since vaultkit read it; run again")
    ]
    assert path.read_text() == first_read
    assert (root / "N.md").read_text() == "[[Meituan]] is a company.\n"
