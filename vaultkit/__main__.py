from __future__ import annotations

from vaultkit.cli import main

if __name__ == "__main__":  # not when a spawned worker process imports it
    from vaultkit.utf8_mode import restart_in_utf8

    restart_in_utf8(["-m", "vaultkit"])
    raise SystemExit(main())
