"""The `vaultkit` command's entry point: Ctrl-C while Python loads vaultkit ends it quietly.

Loading the command (click, the reporters, their imports) takes a few hundred milliseconds, before `main()`
can catch anything: a Ctrl-C then, as a user who started `vaultkit watch` on the wrong folder gives it,
printed Python's KeyboardInterrupt traceback and died by the signal. Nothing is written while modules load,
so leaving at once with 130 (the exit code of an interrupted run) is safe.
"""

from __future__ import annotations

import os
import signal
from types import FrameType
from typing import NoReturn

INTERRUPTED = 130


def _leave(signum: int, frame: FrameType | None) -> None:
    os._exit(INTERRUPTED)


# As soon as the command's script imports this module: it does nothing else before it calls run().
signal.signal(signal.SIGINT, _leave)


def run() -> NoReturn:
    """`vaultkit.cli.run`, with Ctrl-C answered by a quiet exit until it is loaded, in UTF-8 mode."""
    import sys

    from vaultkit.utf8_mode import restart_in_utf8

    restart_in_utf8([sys.argv[0]] if os.path.isfile(sys.argv[0]) else ["-m", "vaultkit"])
    from vaultkit.cli import run as run_command

    signal.signal(signal.SIGINT, signal.default_int_handler)  # from here on, main() turns it into 130
    run_command()
