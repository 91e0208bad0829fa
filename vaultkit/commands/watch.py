"""`vaultkit watch`: see vaultkit/watch.py."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from vaultkit.watch import WatchOptions


def run_watch(vault: Path | None, options: WatchOptions) -> int:
    from vaultkit.watch import Watcher

    return Watcher(vault, options).run()
