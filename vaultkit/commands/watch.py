"""`vaultkit watch`: see vaultkit/watch.py."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import click

from vaultkit.commands.common import say_cache_refused, say_unread_config

if TYPE_CHECKING:
    from vaultkit.watch import WatchOptions


def run_watch(vault: Path | None, options: WatchOptions) -> int:
    from vaultkit.watch import Watcher

    watcher = Watcher(vault, options, click.echo)
    say_unread_config(watcher.root)
    say_cache_refused(watcher.root)
    return watcher.run()
