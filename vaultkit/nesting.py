"""A bound on how deeply configuration files (vaultkit.toml, pyproject.toml, .obsidian/app.json and
types.json, schemas) may nest. The parsers, repr and jsonschema all recurse: input nested a few thousand
levels deep (`[[[[…]]]]`) would end the run with a RecursionError. Such a file is refused as it is read, by a
check that does not recurse, with a message naming it."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

MAX_DEPTH = 100  # levels of tables, objects and arrays; real configuration files use fewer than ten

T = TypeVar("T")


class TooDeep(ValueError):
    def __init__(self) -> None:
        super().__init__(f"nested deeper than {MAX_DEPTH} levels")


def parse_bounded(parse: Callable[[T], Any], source: T) -> Any:
    """`parse(source)`, refused (TooDeep) when it nests deeper than MAX_DEPTH, or too deep to parse at all."""
    try:
        data = parse(source)
    except RecursionError:
        raise TooDeep from None
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
