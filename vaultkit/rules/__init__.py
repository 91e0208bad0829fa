"""The rule registry: one table from code to rule. Every rule lives in a module of its own."""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType
from typing import Any

from vaultkit.rules import (
    ambiguous_link,
    ambiguous_mention,
    binary_file,
    broken_link,
    collapsed_frontmatter,
    conflict_marker,
    duplicate_block_id,
    duplicate_key,
    frontmatter_not_first,
    frontmatter_not_mapping,
    internal_error,
    invalid_encoding,
    invalid_tag,
    invalid_yaml,
    missing_block,
    missing_heading,
    missing_relation,
    note_too_large,
    property_type_conflict,
    schema_violation,
    settings_not_applied,
    sha256_mismatch,
    symlinked_folder,
    unknown_note_type,
    unlinked_mention,
    unquoted_link,
    unreadable_file,
    unreadable_folder,
    unsafe_yaml,
    unused_suppression,
    updated_before_created,
)
from vaultkit.rules.base import NoteCheck, Rule, VaultCheck

_MODULES = (
    internal_error,
    invalid_yaml,
    frontmatter_not_mapping,
    duplicate_key,
    unsafe_yaml,
    frontmatter_not_first,
    collapsed_frontmatter,
    conflict_marker,
    unquoted_link,
    schema_violation,
    unknown_note_type,
    updated_before_created,
    sha256_mismatch,
    invalid_tag,
    property_type_conflict,
    settings_not_applied,
    broken_link,
    ambiguous_link,
    missing_heading,
    missing_block,
    duplicate_block_id,
    unlinked_mention,
    missing_relation,
    ambiguous_mention,
    unreadable_file,
    invalid_encoding,
    binary_file,
    note_too_large,
    symlinked_folder,
    unreadable_folder,
    unused_suppression,
)

RULES: Mapping[str, Rule[Any]] = MappingProxyType({m.RULE.code: m.RULE for m in _MODULES})
NOTE_RULES: tuple[Rule[NoteCheck], ...] = tuple(r for r in RULES.values() if r.scope == "note")
VAULT_RULES: tuple[Rule[VaultCheck], ...] = tuple(r for r in RULES.values() if r.scope == "vault")


def matches(code: str, selectors: tuple[str, ...]) -> bool:
    """`VK1` selects VK101...VK199; `VK101` selects one rule; `ALL` selects every rule."""
    return any(s == "ALL" or code.startswith(s) for s in selectors)


def unknown(selectors: tuple[str, ...]) -> list[str]:
    """The selectors that select no rule: a typo (`VK1O1`) must not silently turn a check green."""
    return [s for s in selectors if s != "ALL" and not any(code.startswith(s) for code in RULES)]
