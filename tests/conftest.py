"""Shared fixtures: temporary vaults built from dicts or copied from `vault/`, and the CLI as a function."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, settings

from vaultkit.cli import main

REPO = Path(__file__).resolve().parent.parent
EXAMPLE_VAULT = REPO / "vault"
FIXTURES = Path(__file__).resolve().parent / "fixtures"

# Every property test, with or without its own @settings, runs the same examples on every machine and has no
# per-example deadline: a busy CI machine must not turn a slow example into a failure (speed is measured by
# benchmarks/run.py, not by tests).
settings.register_profile(
    "vaultkit", derandomize=True, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)
settings.load_profile("vaultkit")


@dataclass
class Result:
    exit_code: int
    stdout: str
    stderr: str

    @property
    def output(self) -> str:
        return self.stdout + self.stderr


def run_cli(*args: str | Path) -> Result:
    """Run vaultkit in-process through click's runner, with main()'s exit-code handling."""
    runner = CliRunner()
    with runner.isolation() as streams:
        code = main([str(a) for a in args])
        stdout = streams[0].getvalue().decode("utf-8", "replace")
        stderr = streams[1].getvalue().decode("utf-8", "replace")
    return Result(code, stdout, stderr)


def run_installed(*args: str | Path, cwd: Path | None = None, timeout: float = 120) -> Result:
    """Run the installed `vaultkit` as a real process (python -m vaultkit, same interpreter)."""
    proc = subprocess.run(
        [sys.executable, "-m", "vaultkit", *map(str, args)],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )
    return Result(proc.returncode, proc.stdout, proc.stderr)


VaultFactory = Callable[..., Path]


@pytest.fixture
def make_vault(tmp_path: Path) -> VaultFactory:
    """make_vault({"Note.md": "text", ...}, app={...}) -> a vault root with .obsidian/app.json."""

    def build(
        files: Mapping[str, str | bytes], app: Mapping[str, object] | None = None, name: str = "v"
    ) -> Path:
        import json

        root = tmp_path / name
        (root / ".obsidian").mkdir(parents=True)
        (root / ".obsidian" / "app.json").write_text(json.dumps(dict(app or {})))
        for rel, content in files.items():
            path = root / rel
            path.parent.mkdir(parents=True, exist_ok=True)
            if isinstance(content, bytes):
                path.write_bytes(content)
            else:
                path.write_bytes(content.encode("utf-8"))
        return root

    return build


@pytest.fixture
def run_elsewhere(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The test runs from a folder that holds none of its vaults, so that vaultkit names their files by their
    whole paths, as the test expects. Run from a folder that holds the temporary folder (pytest started in
    /tmp, or a TMPDIR inside the checkout), vaultkit named them relative to it and such tests failed."""
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    monkeypatch.chdir(elsewhere)


@pytest.fixture
def example_vault(tmp_path: Path) -> Path:
    """A fresh copy of the example vault."""
    dest = tmp_path / "vault"
    shutil.copytree(EXAMPLE_VAULT, dest, ignore=shutil.ignore_patterns(".vaultkit_cache"))
    return dest


def deny_listing(monkeypatch: pytest.MonkeyPatch, name: str = "Private") -> None:
    """Folders called `name` cannot be listed, as another user's chmod 700 folder (tests may run as root,
    who lists anything)."""
    real = os.scandir

    def scandir(path: Any) -> Any:
        if os.path.basename(os.fspath(path)) == name:
            raise PermissionError(13, "Permission denied", os.fspath(path))
        return real(path)

    monkeypatch.setattr(os, "scandir", scandir)


def snapshot(root: Path) -> dict[str, bytes]:
    """Every file under root (no cache), for byte-identity assertions."""
    return {
        p.relative_to(root).as_posix(): p.read_bytes()
        for p in sorted(root.rglob("*"))
        if p.is_file() and not p.is_symlink() and ".vaultkit_cache" not in p.parts
    }


@pytest.fixture(autouse=True)
def no_thread_left(request: pytest.FixtureRequest) -> Any:
    """A watch test leaves no thread behind (an observer not stopped and joined, a reader of a watch process
    not finished): a thread alive makes `background.can_fork` refuse to fork in every later test of the same
    process (tests/test_background.py failed after tests/test_watch.py). Threads get a moment to end."""
    import threading
    import time

    if request.module.__name__ != "test_watch":
        yield
        return
    before = set(threading.enumerate())
    yield
    deadline = time.monotonic() + 5
    left = [t for t in threading.enumerate() if t not in before]
    for thread in left:
        thread.join(timeout=max(0.0, deadline - time.monotonic()))
    alive = [t for t in left if t.is_alive()]
    assert not alive, f"threads left alive by the test: {alive}"


# 60,000 markup characters: two in one paragraph make it hold more than verify.MAX_MARKUP
HALF_TOO_MUCH_MARKUP = "*a" * 60_000


def link_to_other(body: str) -> tuple[str | None, bool]:
    """What the verifier says of a link written on the first "Other" of `body` (None: accepted), and whether
    the planner masks that place as a paragraph too big to verify (`verify.unverifiable`)."""
    from vaultkit import verify
    from vaultkit.diagnostics import Edit

    at = body.index("Other")
    edit = Edit(at, at + 5, "[[Other]]")
    refused = verify.check_edits(body, body[:at] + edit.text + body[at + 5 :], [edit], "related")
    return refused, any(start <= at < end for start, end in verify.unverifiable(body))
