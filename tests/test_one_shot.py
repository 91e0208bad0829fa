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
