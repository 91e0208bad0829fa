"""Phase timings of a run, printed to stderr when VAULTKIT_TIMINGS is set (for profiling; see benchmarks/).

VAULTKIT_TIMINGS=1 vaultkit check --no-cache VAULT > /dev/null

Each phase's line gives its wall time, the CPU time this process spent on it, the CPU time of the child
processes that ended during it (the workers end after the mention scan, the cache's saving child by
"notes saved"), and the peak memory so far. Each worker process adds a line when it ends: the CPU time it
spent on each kind of request, on sending its replies, and how long it waited for work. Its times are on
the run's clock (seconds since vaultkit started), so the workers' lines show when each finished its parse.
"""

from __future__ import annotations

import os
import sys
import time

_ENABLED = bool(os.environ.get("VAULTKIT_TIMINGS"))
_START = time.perf_counter()
_last = _START
_last_cpu = time.process_time()
_last_children = 0.0


def mark(phase: str) -> None:
    """The time since the previous mark (or since import) was spent on `phase`."""
    global _last, _last_cpu, _last_children  # one clock per process
    if not _ENABLED:
        return
    now, cpu = time.perf_counter(), time.process_time()
    import resource

    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024  # kilobytes on Linux
    ended = resource.getrusage(resource.RUSAGE_CHILDREN)
    children = ended.ru_utime + ended.ru_stime
    _say(
        f"vaultkit timing: {phase:<24} {(now - _last) * 1000:8.1f} ms"
        f"   cpu {(cpu - _last_cpu) * 1000:7.1f} ms   children {(children - _last_children) * 1000:7.1f} ms"
        f"   peak {peak:5d} MB"
    )
    _last, _last_cpu, _last_children = now, cpu, children


def _say(line: str) -> None:
    """`line` on stderr in one write, its newline included: the workers end together, and a `print` (the
    text, then the newline) let another's line in between, two lines on one."""
    sys.stderr.write(line + "\n")
    sys.stderr.flush()


class Tally:
    """A worker's time by what it was doing: `to` says what it does from now on, `report` prints the CPU
    time of each activity (how often it began, and when it last ended on the run's clock). Nothing when
    timings are off."""

    def __init__(self) -> None:
        self._doing = ""
        self._since = self._since_cpu = 0.0
        self._spent: dict[str, list[float]] = {}  # activity -> [CPU seconds, wall seconds, times, last end]

    def to(self, activity: str) -> None:
        if not _ENABLED:
            return
        now, cpu = time.perf_counter(), time.process_time()
        if self._doing:
            spent = self._spent.setdefault(self._doing, [0.0, 0.0, 0, 0.0])
            spent[0] += cpu - self._since_cpu
            spent[1] += now - self._since
            spent[2] += 1
            spent[3] = now - _START
        self._doing, self._since, self._since_cpu = activity, now, cpu

    def report(self, who: str) -> None:
        if not _ENABLED:
            return
        self.to("")
        parts = [
            f"{activity} {cpu * 1000:.1f} ms cpu ({wall * 1000:.1f} ms wall, {times:.0f}x, until {end:.2f} s)"
            for activity, (cpu, wall, times, end) in self._spent.items()
        ]
        _say(f"vaultkit timing: {who}: {', '.join(parts)}")
