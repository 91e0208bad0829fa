from __future__ import annotations

from vaultkit.cli import main

if __name__ == "__main__":  # not when a spawned worker process imports it
    raise SystemExit(main())
