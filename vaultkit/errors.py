"""The one fatal error: a problem with the configuration or the command (exit 2); values in its messages.
And `Stopped`: SIGTERM or SIGHUP, answered as Ctrl-C is."""

from __future__ import annotations

import difflib
from collections.abc import Iterable


class FatalError(Exception):
    """Configuration, schema or usage error. The CLI turns it into exit code 2."""


def brief(value: object, width: int = 60) -> str:
    """A value from a configuration file or a note, as a message shows it: its repr, cut short."""
    text = repr(value)
    return text if len(text) <= width else text[: width - 3] + "..."


def closest(word: str, names: Iterable[str], cutoff: float = 0.6) -> str | None:
    """The one of `names` a message offers for `word` ("did you mean"): one that differs only in case first
    (difflib finds `Wiki` close to `wiki`, but not `WIKI` or `TITLE`, caps lock or a template's constant,
    where no letter is the same), else difflib's closest above `cutoff`; None where none is."""
    names = list(names)
    same = [name for name in names if name.casefold() == word.casefold()]
    close = same or difflib.get_close_matches(word, names, n=1, cutoff=cutoff)
    return close[0] if close else None


class Stopped(KeyboardInterrupt):
    """SIGTERM or SIGHUP (a closed terminal) during `check` or `link`: taken the way Ctrl-C is (as a
    KeyboardInterrupt: each cleanup that runs on Ctrl-C runs); the exit code is 128 + the signal's number,
    as a shell gives it."""

    def __init__(self, signum: int) -> None:
        super().__init__(signum)
        self.signum = signum
