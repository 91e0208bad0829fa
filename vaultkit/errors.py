"""The one fatal error: a problem with the configuration or the command (exit 2); values in its messages.
And `Stopped`: SIGTERM or SIGHUP, answered as Ctrl-C is."""

from __future__ import annotations

import difflib
from collections.abc import Iterable, Sequence


class FatalError(Exception):
    """Configuration, schema or usage error. The CLI turns it into exit code 2."""


SHOWN = 20  # errors given in one FatalError (`several`); the rest are counted


def several(messages: Sequence[str], more: int = 0) -> str:
    """One FatalError's message for several errors (a schema with three mistakes): each on a line of its
    own, after the `vaultkit: error: ` the CLI and the watch print before a FatalError's first line, so
    each reads as an error of its own and a log or an editor jumps to each `path:line:col`. A user mends
    them all at once, where one at a time took a run per mistake. Past SHOWN, how many more there are:
    `more` errors found but not given in `messages` count too (-1: some, how many not known). A line break
    inside one (a key `"a\\nb"` of vaultkit.toml or of a schema, named in its error) is spelled out: it
    made one error read as two, the second a `vaultkit: error:` line of the file's choosing."""
    lines = [_one_line(message) for message in messages[:SHOWN]]
    rest = max(0, len(messages) - SHOWN)
    if more < 0:
        lines.append("and more")
    elif rest + more:
        lines.append(f"and {rest + more} more")
    return _NEXT.join(lines)


_NEXT = "\nvaultkit: error: "


def _one_line(message: str) -> str:
    """A message of `several` on its line: a line break in it (a schema file named with one) spelled out,
    where it started a line that read as an error of its own, or as one faked (`a<newline>vaultkit: error:
    ...`)."""
    return message.replace("\r", "\\r").replace("\n", "\\n")


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
