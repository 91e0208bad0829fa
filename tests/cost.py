"""What a call costs, counted rather than timed.

Speed is measured by `benchmarks/run.py`, never by a test: a clock read inside the suite fails when the
machine is busy (a full garbage collection of an earlier test's objects, a neighbour on the same core),
and one such read failed CI on a linear scanner. The tests that guard against a quadratic step count the
lines of vaultkit's own code a call runs instead: the same number on every machine and every run, so a
linear-or-quadratic verdict needs no margin for noise, and small inputs show it as well as large ones.

Lines run see loops written in Python. Work done inside one C call (a regex searching ahead, `str.count`
from the text's start, a slice copying the rest of a line) is one line whatever it costs: a test guarding
such a step counts the calls or the characters at that seam (see `test_markdown.py`'s `_spaces` counter).
"""

from __future__ import annotations

import re
import sys
from collections.abc import Callable
from pathlib import Path
from types import FrameType
from typing import Any, TypeVar

import vaultkit

_PACKAGE = str(Path(vaultkit.__file__).resolve().parent)
Tracer = Callable[[FrameType, str, Any], Any]
T = TypeVar("T")


def lines_run(call: Callable[[], object]) -> int:
    """How many lines of the `vaultkit` package `call()` runs (every line event in its frames)."""
    return counted(call)[1]


def counted(call: Callable[[], T]) -> tuple[T, int]:
    """What `call()` returns, and how many lines of the `vaultkit` package it runs: for a test that asserts
    on the result of the very call it counts."""
    count = 0

    def in_vaultkit(frame: FrameType, event: str, arg: Any) -> Tracer:
        nonlocal count
        if event == "line":
            count += 1
        return in_vaultkit

    def on_call(frame: FrameType, event: str, arg: Any) -> Tracer | None:
        return in_vaultkit if frame.f_code.co_filename.startswith(_PACKAGE) else None

    previous = sys.gettrace()
    sys.settrace(on_call)
    try:
        result = call()
    finally:
        sys.settrace(previous)
    return result, count


def growth(cost: Callable[[int], int], n: int, times: int = 8) -> float:
    """How many times `cost(times * n)` is `cost(n)`: about `times` for a linear step, `times`² for a
    quadratic one. Tests assert it is below `2 * times`, which the constant part of a call cannot reach."""
    return cost(times * n) / max(1, cost(n))


class PatternCalls:
    """A stand-in for a module's compiled pattern that records what each `match` is handed, for a test to
    count the characters one C call may read (`re.Pattern` takes no subclass and no attribute, so the test
    monkeypatches the module's name with this)."""

    def __init__(self, pattern: re.Pattern[str]) -> None:
        self.pattern = pattern
        self.handed: list[tuple[str, int, int]] = []  # (text, pos, end) of each call

    def __getattr__(self, name: str) -> Any:
        return getattr(self.pattern, name)

    def match(self, text: str, pos: int = 0, endpos: int = sys.maxsize) -> re.Match[str] | None:
        self.handed.append((text, pos, min(endpos, len(text))))
        return self.pattern.match(text, pos, endpos)
