"""The one fatal error: a problem with the configuration or the command (exit 2); values in its messages.
And `Stopped`: SIGTERM or SIGHUP, answered as Ctrl-C is."""

from __future__ import annotations


class FatalError(Exception):
    """Configuration, schema or usage error. The CLI turns it into exit code 2."""


def brief(value: object, width: int = 60) -> str:
    """A value from a configuration file or a note, as a message shows it: its repr, cut short."""
    text = repr(value)
    return text if len(text) <= width else text[: width - 3] + "..."


class Stopped(KeyboardInterrupt):
    """SIGTERM or SIGHUP (a closed terminal) during `check` or `link`: taken the way Ctrl-C is (as a
    KeyboardInterrupt: each cleanup that runs on Ctrl-C runs); the exit code is 128 + the signal's number,
    as a shell gives it."""

    def __init__(self, signum: int) -> None:
        super().__init__(signum)
        self.signum = signum
