"""A vault's file names are UTF-8, whatever the locale: a command started without UTF-8 starts again with it.

Obsidian (an Electron app) reads a name's bytes as UTF-8. Python decodes them with its file-system encoding,
which is the locale's unless UTF-8 mode is on: where that is not UTF-8 (`PYTHONUTF8=0` with `LC_ALL=C`, which
leaves ASCII; a legacy locale such as `en_US.ISO-8859-1`), `Café.md` was listed as a name of lone surrogates
(VK201 "its name is not valid UTF-8", `[[Café]]` broken) or as `CafÃ©`, and the listing cached so was read
by the next run in a UTF-8 locale too. Every path, argument and output of the process would need decoding
again; starting the interpreter again in UTF-8 mode (`-X utf8`) reads them all as Obsidian does. Nothing
has been read or written when it happens.
"""

from __future__ import annotations

import codecs
import contextlib
import os
import sys


def restart_in_utf8(head: list[str]) -> None:
    """Replace this process by the same command (`head`: the script, or `-m vaultkit`, then this process's
    arguments) in UTF-8 mode, where the file-system encoding is not UTF-8. Where the exec fails, the command
    goes on as it is."""
    if os.name != "posix" or sys.flags.utf8_mode:
        return
    if codecs.lookup(sys.getfilesystemencoding()).name == "utf-8":
        return
    with contextlib.suppress(OSError):  # the arguments round-trip: os.execv encodes them as they were decoded
        os.execv(sys.executable, [sys.executable, "-X", "utf8", *head, *sys.argv[1:]])
