"""check and link run with the cyclic garbage collector off (a third of a large run's serial time went to
it), and give it back as they found it: vaultkit may run inside another program's process."""

from __future__ import annotations

import gc
from pathlib import Path

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
