"""`vaultkit watch`: see vaultkit/watch.py."""

from __future__ import annotations

from pathlib import Path


def run_watch(  # noqa: PLR0917 - the command's options, passed through from click
    vault: Path | None,
    config_dir: str,
    fix: bool,
    debounce_ms: int | None,
    settle: float | None,
    report_note: str | None,
    polling: bool,
) -> int:
    from vaultkit.watch import Watcher, WatchOptions

    options = WatchOptions(config_dir, fix, debounce_ms, settle, report_note, polling)
    return Watcher(vault, options).run()
