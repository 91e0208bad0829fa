"""Rules the test suite keeps to itself."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

TESTS = Path(__file__).resolve().parent
# clocks that measure how long code took; `time.monotonic` (a deadline for a process to answer) and
# `time.time` (a file's mtime set in the past) measure nothing of vaultkit's speed
MEASURING = {"process_time", "perf_counter", "thread_time", "process_time_ns", "perf_counter_ns",
             "thread_time_ns", "timeit", "repeat", "default_timer"}  # fmt: skip


def _clock_reads(source: str) -> list[int]:
    """Lines of `source` that call a measuring clock, as `time.x()`, `timeit.x()` or a name imported, or
    read the CPU time `resource.getrusage` tells (its peak memory measures no speed)."""
    tree = ast.parse(source)
    imported = {
        alias.asname or alias.name
        for node in ast.walk(tree)
        if isinstance(node, ast.ImportFrom) and node.module in {"time", "timeit"}
        for alias in node.names
        if alias.name in MEASURING
    }
    lines = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Attribute) and node.attr in {"ru_utime", "ru_stime"}:  # CPU time spent
            lines.append(node.lineno)
        if not isinstance(node, ast.Call):
            continue
        f = node.func
        if (
            isinstance(f, ast.Attribute)
            and isinstance(f.value, ast.Name)
            and f.value.id in {"time", "timeit"}
            and f.attr in MEASURING
        ) or (isinstance(f, ast.Name) and f.id in imported):
            lines.append(node.lineno)
    return lines


@pytest.mark.parametrize("module", sorted(p.name for p in TESTS.glob("*.py")))
def test_no_test_times_vaultkit(module: str) -> None:
    """Speed is measured by benchmarks/run.py, never by a test: a clock read in the suite fails when the
    machine is busy (a CPU-time ratio of a linear scanner failed CI so). A test that guards against a
    quadratic step counts instead (tests/cost.py)."""
    assert _clock_reads((TESTS / module).read_text(encoding="utf-8")) == [], module


@pytest.mark.parametrize(
    "source",
    [
        "import time\nstart = time.process_time()\n",
        "import time\nt = time.perf_counter_ns()\n",
        "from time import perf_counter as clock\nclock()\n",
        "import timeit\ntimeit.timeit('x')\n",
        "import resource\nspent = resource.getrusage(resource.RUSAGE_CHILDREN).ru_utime\n",
    ],
)
def test_a_clock_read_is_seen(source: str) -> None:
    assert _clock_reads(source) == [len(source.splitlines())]
