"""check and link run with the cyclic garbage collector off (a third of a large run's serial time went to
it), and give it back as they found it: vaultkit may run inside another program's process."""

from __future__ import annotations

import gc
import io
import sys
from pathlib import Path
from typing import Any, NoReturn

import pytest
from conftest import run_cli

from vaultkit.commands.common import one_shot


def test_the_collector_is_off_while_a_command_runs() -> None:
    assert gc.isenabled()
    assert one_shot(gc.isenabled)() is False
    assert gc.isenabled()


def test_check_and_link_give_the_collector_back(example_vault: Path) -> None:
    assert gc.isenabled()
    assert run_cli("check", example_vault).exit_code == 1
    assert gc.isenabled()
    assert run_cli("link", "--check", example_vault).exit_code == 1
    assert gc.isenabled()


def test_a_disabled_collector_stays_disabled() -> None:
    gc.disable()
    try:
        one_shot(lambda: None)()
        assert not gc.isenabled()
    finally:
        gc.enable()


def test_a_run_answered_from_the_cache_loads_no_parser(example_vault: Path) -> None:
    """A warm run reads the report the cache holds for this very vault state: loading YAML, the Markdown
    scanner or the linker (all imported by the rule modules once) cost a fifth of it."""
    import subprocess
    import sys
    import time

    time.sleep(2.1)  # past the cache's two-second racy window since the copy: signatures are trusted
    script = (
        "import sys; from vaultkit.cli import main\n"
        f"code = main(['check', {str(example_vault)!r}])\n"
        "heavy = ('yaml', 'vaultkit.markdown', 'vaultkit.frontmatter', 'vaultkit.linker', 'vaultkit.analyze', 'vaultkit.rules')\n"
        "print(code, sorted(m for m in sys.modules if m in heavy))\n"
    )
    runs = [
        subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True)
        for _ in "12"
    ]
    cold, warm = (run.stdout.splitlines()[-1] for run in runs)
    assert cold.startswith("1 ['vaultkit.analyze'"), cold  # a run that parses loads them
    assert warm == "1 []", warm


def _command() -> Path:
    """The installed `vaultkit` script (pip puts it beside the interpreter), which exits without tearing
    the interpreter down (`cli.run`)."""
    import sys

    script = Path(sys.executable).parent / "vaultkit"
    assert script.is_file(), f"vaultkit is not installed in {sys.prefix}: pip install -e '.[test]'"
    return script


def test_the_command_flushes_everything_before_its_quick_exit(make_vault: Any) -> None:
    """`vaultkit` ends with os._exit: what it printed must all be out first, however much, with its code."""
    import json
    import subprocess

    notes = {
        f"Note {n}.md": f"---\nreview_value: [{n}\n---\nNote {n + 1} and Note {n - 1}.\n" for n in range(300)
    }
    root = make_vault(notes)
    for args, code in ((["check", "--format", "json"], 1), (["check", "--exit-zero", "--format", "json"], 0)):
        run = subprocess.run([_command(), *args, root], capture_output=True, text=True, check=False)
        assert run.returncode == code, run.stderr
        assert len(json.loads(run.stdout)["diagnostics"]) > 600, (
            "every diagnostic is printed, none lost at exit"
        )
        assert run.stderr == ""


def test_a_reader_that_goes_away_gets_no_traceback(make_vault: Any) -> None:
    import subprocess

    root = make_vault({f"Note {n}.md": f"Note {n + 1} and Note {n - 1}.\n" * 20 for n in range(2000)})
    with subprocess.Popen(
        [_command(), "check", root], stdout=subprocess.PIPE, stderr=subprocess.PIPE
    ) as proc:
        assert proc.stdout is not None and proc.stderr is not None
        assert proc.stdout.read(10)
        proc.stdout.close()  # as `vaultkit check | head -c 10` does
        assert proc.wait(timeout=120) == 1
        assert "Traceback" not in proc.stderr.read().decode()


@pytest.mark.parametrize("fmt", ["text", "json", "sarif"])
def test_a_warm_run_prints_the_output_stored_as_it_was_printed(make_vault: Any, fmt: str) -> None:
    """The output is spooled to the cache a piece at a time as it is printed (a large vault's is 100 MB):
    the run answered from the cache prints it byte for byte, however many pieces it was written in."""
    import subprocess
    import sys
    import time

    root = make_vault(
        {f"Note {n}.md": f"---\nreview_value: [{n}\n---\nNote {n + 1}, Note {n - 1}.\n" for n in range(40)}
    )
    time.sleep(2.1)  # past the cache's two-second racy window: signatures are trusted
    script = (
        "import sys; from vaultkit.cli import main\n"
        "from vaultkit.report import json_report, text\n"
        "json_report.CHUNK = text.CHUNK = 7  # many pieces, the last one short\n"
        f"code = main(['check', '--format', {fmt!r}, {str(root)!r}])\n"
        "print('\\n', code, 'vaultkit.analyze' in sys.modules, sep='', file=sys.stderr)\n"
    )
    runs = [
        subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True)
        for _ in "12"
    ]
    (cold, warm) = runs
    assert cold.stderr.splitlines()[-1] == "1True"
    assert warm.stderr.splitlines()[-1] == "1False", "the second run is answered from the stored output"
    assert warm.stdout == cold.stdout
    assert cold.stdout.count("VK120") > 14, "the output spans several pieces"


def test_a_check_with_no_output_stored_looks_at_no_note_for_one(
    example_vault: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A cold check (no output stored in the cache) has no stored output to find: it goes straight to the
    run, which lists the vault itself. Looking first (the listing, a stat of every note) was 50 ms of a
    cold 10,000-note check, done twice. Once an output is stored, the next check looks for it."""
    from vaultkit import quick

    asked: list[int] = []
    real = quick.known_digests

    def known_digests(*args: Any) -> Any:
        asked.append(1)
        return real(*args)

    monkeypatch.setattr(quick, "known_digests", known_digests)
    first = run_cli("check", example_vault)
    assert first.exit_code == 1 and asked == []
    assert run_cli("check", example_vault).output == first.output
    assert asked == [1]


def test_standard_output_closed_is_no_traceback(example_vault: Path) -> None:
    """`vaultkit check >&-`: Python starts with no sys.stdout; the run goes on, its code tells the result."""
    import subprocess

    for args, code in ((["check"], 1), (["link", "--check"], 1)):
        run = subprocess.run(
            ["sh", "-c", '"$0" "$@" >&-', _command(), *args, example_vault],
            capture_output=False,
            stderr=subprocess.PIPE,
            text=True,
            check=False,
        )
        assert run.returncode == code, run.stderr
        assert "error" not in run.stderr and "Traceback" not in run.stderr, run.stderr


@pytest.mark.skipif(not Path("/dev/full").exists(), reason="needs /dev/full (Linux)")
@pytest.mark.parametrize("args", [["check"], ["check", "--no-cache", "--format", "json"], ["link"]])
def test_a_full_disk_under_the_output_is_a_clear_error(example_vault: Path, args: list[str]) -> None:
    import subprocess

    with open("/dev/full", "w") as full:
        run = subprocess.run(
            [_command(), *args, example_vault], stdout=full, stderr=subprocess.PIPE, text=True, check=False
        )
    assert run.returncode == 2, run.stderr
    # worded alike whichever path the failed write takes (a fresh report, a cached one, link's lines)
    assert run.stderr == "vaultkit: error: cannot write the output: No space left on device\n", run.stderr


def test_an_output_encoding_that_cannot_spell_a_name_escapes_it(make_vault: Any) -> None:
    """`PYTHONIOENCODING=latin-1` (or a legacy locale): a name it cannot spell is shown escaped, not a crash."""
    import os
    import subprocess

    root = make_vault({"北京.md": "Beijing.\n", "Trip.md": "Went to 北京 and to [[Nowhere 京]].\n"})
    env = {**os.environ, "PYTHONIOENCODING": "latin-1"}
    for args, code in ((["check"], 1), (["link", "--diff"], 1), (["check", "--format", "json"], 1)):
        run = subprocess.run([_command(), *args, root], capture_output=True, env=env, check=False)
        assert run.returncode == code, run.stderr
        assert b"internal error" not in run.stderr, run.stderr
        assert b"\\u5317\\u4eac" in run.stdout or b"\\u4eac" in run.stdout, run.stdout


@pytest.mark.parametrize("how", ["script", "module"])
def test_a_locale_that_is_not_utf_8_still_reads_names_as_utf_8(make_vault: Any, how: str) -> None:
    """Regression: run where Python's file-system encoding is not UTF-8 (`PYTHONUTF8=0` with `LC_ALL=C`, or a
    legacy locale such as `en_US.ISO-8859-1`), `Café.md` was listed as a name of lone surrogates: "VK201 not
    read: its name is not valid UTF-8 (rename it)", `[[Café]]` broken, and the cached listing kept saying so
    to every later run in a UTF-8 locale. Obsidian reads a name's bytes as UTF-8 whatever the locale."""
    import os
    import subprocess
    import sys

    root = make_vault({"Café.md": '---\nrelated: ["[[Trip]]"]\n---\nA café.\n', "Trip.md": "See [[Café]].\n"})
    head = [str(_command())] if how == "script" else [sys.executable, "-m", "vaultkit"]
    legacy = {**os.environ, "LC_ALL": "C", "LANG": "C", "PYTHONUTF8": "0"}
    for env in (legacy, {**os.environ, "PYTHONUTF8": "1"}):  # the second run reads the first one's cache
        run = subprocess.run([*head, "check", root], capture_output=True, env=env, check=False)
        out = run.stdout.decode("utf-8", "replace") + run.stderr.decode("utf-8", "replace")
        assert run.returncode == 0, out
        assert "Traceback" not in out and "VK" not in out, out


def test_ctrl_c_while_the_command_loads_is_no_traceback(example_vault: Path) -> None:
    """Ctrl-C in the first few hundred milliseconds (`vaultkit watch` started on the wrong folder), while the
    command's modules load: it printed Python's KeyboardInterrupt traceback and died by the signal. The
    script pip writes does `from MODULE import FUNC; sys.exit(FUNC())` for the entry point in pyproject.toml;
    here the Ctrl-C comes as click is imported."""
    import subprocess
    import sys
    import tomllib

    from conftest import REPO

    entry = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))["project"]["scripts"]
    module, func = entry["vaultkit"].split(":")
    script = (
        "import importlib.abc, os, signal, sys\n"
        "class CtrlC(importlib.abc.MetaPathFinder):\n"
        "    def find_spec(self, name, path=None, target=None):\n"
        "        if name == 'click':\n"
        "            os.kill(os.getpid(), signal.SIGINT)\n"
        "        return None\n"
        "sys.meta_path.insert(0, CtrlC())\n"
        f"from {module} import {func}\n"
        f"sys.exit({func}())\n"
    )
    proc = subprocess.run(
        [sys.executable, "-c", script, "watch", str(example_vault)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert "Traceback" not in proc.stderr, proc.stderr
    assert (proc.returncode, proc.stdout) == (130, "")


@pytest.mark.parametrize("args", [["check"], ["link"], ["check", "--format", "json"]])
def test_a_deleted_current_folder_is_a_clear_error(
    example_vault: Path, tmp_path: Path, args: list[str]
) -> None:
    """Regression: run from a folder deleted meanwhile (a shell left in a removed checkout), every command
    on a vault given by its full path ended in "internal error: FileNotFoundError". Output names are relative
    to the current folder, so there is none to give: a one-line error, exit 2, and no note touched."""
    import subprocess

    before = {p: p.read_bytes() for p in example_vault.rglob("*.md")}
    gone = tmp_path / "gone"
    gone.mkdir()
    run = subprocess.run(
        [
            "sh",
            "-c",
            'cd "$1" && rmdir "$1" && shift && exec "$0" "$@"',
            _command(),
            gone,
            *args,
            example_vault,
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    assert run.returncode == 2, run.stderr
    assert run.stderr == "vaultkit: error: the current folder no longer exists: cd to one that does\n"
    assert {p: p.read_bytes() for p in example_vault.rglob("*.md")} == before


def _ctrl_c(*args: object, **kwargs: object) -> NoReturn:
    raise KeyboardInterrupt


@pytest.mark.parametrize(
    "where",
    ["vaultkit.cli._streams_ready", "vaultkit.cli.os.getcwd", "vaultkit.report.text.printable_lines"],
    ids=["streams", "getcwd", "saying-an-error"],
)
def test_ctrl_c_before_or_after_the_command_is_no_traceback(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], where: str
) -> None:
    """Regression: a Ctrl-C that landed in main() outside its command's handling (while the output streams
    were made ready, the current folder looked up, or an error said) escaped as Python's traceback."""
    from vaultkit import cli

    monkeypatch.setattr(where, _ctrl_c)
    assert cli.main(["explain", "VK999"]) == cli.INTERRUPTED  # an unknown rule: an error to say
    assert len(capsys.readouterr().err.splitlines()) <= 1


class _Interrupted(io.StringIO):
    def flush(self) -> None:
        raise KeyboardInterrupt


def test_ctrl_c_while_the_output_drains_is_no_traceback(monkeypatch: pytest.MonkeyPatch) -> None:
    """Regression: `vaultkit` flushes its output before its quick exit (`cli.run`); a Ctrl-C there (a slow
    terminal) escaped as Python's traceback, and the run's os._exit never came."""
    from vaultkit import cli

    exits: list[int] = []

    def leave(code: int) -> NoReturn:
        exits.append(code)
        raise SystemExit(code)

    monkeypatch.setattr(cli, "main", lambda: 1)
    monkeypatch.setattr(cli.os, "_exit", leave)
    monkeypatch.setattr(sys, "stdout", _Interrupted())
    with pytest.raises(SystemExit):
        cli.run()
    assert exits == [cli.INTERRUPTED]


@pytest.mark.parametrize("command", [["check"], ["link", "--check"]])
def test_a_command_keeps_its_last_vault_and_holds_one_at_a_time(
    make_vault: Any, monkeypatch: pytest.MonkeyPatch, command: list[str]
) -> None:
    """A command leaves its last vault's facts and state to the process's end (`commands.common.keep`), not
    freed object by object before the report; a run of several vaults lets each go before the next is read,
    and the next command lets go of the one kept."""
    import weakref

    from vaultkit.engine import Runner

    notes = {"A.md": "Links to [[B]].\n", "B.md": "B mentions A.\n"}
    roots = [make_vault(notes, name=name) for name in ("one", "two")]
    runners: list[weakref.ref[Runner]] = []
    alive_at_start: list[int] = []
    run = Runner.run

    def recorded(self: Runner, opts: Any) -> Any:
        if not any(ref() is self for ref in runners):
            alive_at_start.append(sum(ref() is not None for ref in runners))
            runners.append(weakref.ref(self))
        return run(self, opts)

    monkeypatch.setattr(Runner, "run", recorded)
    assert run_cli(*command, *roots).exit_code == 1
    assert len(runners) == 2 and alive_at_start == [0, 0], "one vault's run held at a time"
    last = runners[-1]
    assert last() is not None, "the last vault's run is kept to the process's end"
    assert run_cli("check", roots[0]).exit_code == 1
    assert last() is None, "and let go by the next command"
