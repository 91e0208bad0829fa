"""Phase timings of a run, printed to stderr when VAULTKIT_TIMINGS is set (for profiling; see benchmarks/).

VAULTKIT_TIMINGS=1 vaultkit check --no-cache VAULT > /dev/null
"""

from __future__ import annotations

import os
import sys
import time

_ENABLED = bool(os.environ.get("VAULTKIT_TIMINGS"))
_last = time.perf_counter()


def mark(phase: str) -> None:
    """The time since the previous mark (or since import) was spent on `phase`."""
    global _last  # noqa: PLW0603 - one clock per process
    if not _ENABLED:
        return
    now = time.perf_counter()
    import resource

    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024  # kilobytes on Linux
    print(
        f"vaultkit timing: {phase:<24} {(now - _last) * 1000:8.1f} ms   peak {peak:5d} MB",
        file=sys.stderr,
        flush=True,
    )
    _last = now
