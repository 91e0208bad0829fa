"""Turn fixable diagnostics into written notes (through the one writer) or into a unified diff."""

from __future__ import annotations

import difflib
import functools
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from vaultkit.diagnostics import Diagnostic, Edit
from vaultkit.edits import WriteResult, apply_text, write_note
from vaultkit.facts import NoteFacts
from vaultkit.note import decode
from vaultkit.verify import check_edits


@dataclass
class FixOutcome:
    written: list[str] = field(default_factory=list)
    refused: list[WriteResult] = field(default_factory=list)


def edits_by_note(diagnostics: Iterable[Diagnostic]) -> dict[str, list[Edit]]:
    out: dict[str, list[Edit]] = defaultdict(list)
    for d in diagnostics:
        if d.fix is not None and d.fix.safe:
            out[d.path].extend(d.fix.edits)
    return dict(out)


def apply_fixes(
    root: Path, facts: dict[str, NoteFacts], plan: dict[str, list[Edit]], managed_property: str
) -> FixOutcome:
    outcome = FixOutcome()
    verify = functools.partial(_verify, managed=managed_property)
    for rel, edits in sorted(plan.items()):
        result = write_note(root, rel, facts[rel].digest, edits, verify)
        if result.written:
            outcome.written.append(rel)
        elif result.message:
            outcome.refused.append(result)
    return outcome


def _verify(old: str, new: str, edits: Sequence[Edit], managed: str) -> str | None:
    return check_edits(old, new, edits, managed)


def unified_diff(
    root: Path, facts: dict[str, NoteFacts], plan: dict[str, list[Edit]], display: dict[str, str]
) -> str:
    chunks: list[str] = []
    for rel, edits in sorted(plan.items()):
        try:
            data = (root / rel).read_bytes()
        except OSError:
            continue
        text, _bom, problem = decode(data)
        if text is None or problem is not None:
            continue
        new = apply_text(text, edits)
        name = display.get(rel, rel)
        chunks.extend(
            difflib.unified_diff(
                text.splitlines(keepends=True),
                new.splitlines(keepends=True),
                fromfile=f"a/{name}",
                tofile=f"b/{name}",
            )
        )
    return "".join(c if c.endswith("\n") else c + "\n\\ No newline at end of file\n" for c in chunks)
