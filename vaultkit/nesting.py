"""A bound on how deeply configuration files (vaultkit.toml, pyproject.toml, .obsidian/app.json and
types.json, schemas) may nest. The parsers, repr and jsonschema all recurse: input nested a few thousand
levels deep (`[[[[…]]]]`) would end the run with a RecursionError. Such a file is refused as it is read, by a
check that does not recurse, with a message naming it. So is one holding an integer longer than Python reads
(`sys.get_int_max_str_digits()`, 4,300 digits), which both parsers raise as a bare ValueError."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any, TypeVar

MAX_DEPTH = 100  # levels of tables, objects and arrays; real configuration files use fewer than ten

T = TypeVar("T")


class TooDeep(ValueError):
    def __init__(self) -> None:
        super().__init__(f"nested deeper than {MAX_DEPTH} levels")


class TooLong(ValueError):
    def __init__(self, digits: str) -> None:
        super().__init__(f"a number of {digits} digits is too long to read")


_INT_LIMIT = re.compile(
    r"Exceeds the limit \(\d+ digits\) for integer string conversion(?:: value has (\d+))?"
)


def parse_bounded(parse: Callable[[T], Any], source: T) -> Any:
    """`parse(source)`, refused (TooDeep) when it nests deeper than MAX_DEPTH, or too deep to parse at all,
    or (TooLong) when it holds an integer too long to read."""
    try:
        data = parse(source)
    except RecursionError:
        raise TooDeep from None
    except ValueError as e:  # the parsers' own errors are ValueErrors too: only Python's limit is caught
        limit = _INT_LIMIT.match(str(e))
        if limit is None:
            raise
        raise TooLong(limit[1] or "more than 4300") from None
    if _depth_over(data, MAX_DEPTH):
        raise TooDeep
    return data


def _depth_over(data: object, limit: int) -> bool:
    stack = [(data, 1)]
    while stack:
        item, depth = stack.pop()
        children = item.values() if isinstance(item, dict) else item if isinstance(item, list) else None
        if children is None:
            continue
        if depth > limit:
            return True
        stack.extend((child, depth + 1) for child in children)
    return False
