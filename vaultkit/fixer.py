"""Turn fixable diagnostics into written notes (through the one writer) or into a unified diff."""

from __future__ import annotations

import difflib
import functools
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from vaultkit.diagnostics import Diagnostic, Edit
from vaultkit.edits import WriteResult, apply_text, write_note
from vaultkit.facts import NoteFacts
from vaultkit.note import decode
from vaultkit.verify import check_edits

if TYPE_CHECKING:
    from vaultkit.engine import RunResult

RELATION = "VK121"  # its fixes answer links: written only once the links they answer are in the notes


@dataclass
class FixOutcome:
    written: list[str] = field(default_factory=list)
    refused: list[WriteResult] = field(default_factory=list)

    def then(self, later: FixOutcome) -> FixOutcome:
        """This outcome followed by a later round's: each note written once, each refusal said once."""
        refused = {(r.rel, r.message): r for r in self.refused + later.refused}
        return FixOutcome(sorted({*self.written, *later.written}), [refused[k] for k in sorted(refused)])


def fix_in_rounds(
    root: Path,
    first: RunResult,
    again: Callable[[], RunResult],
    wanted: Callable[[Diagnostic], bool],
    managed_property: str,
) -> tuple[FixOutcome, RunResult]:
    """Apply the wanted safe fixes of `first`, a run (RunOptions.fixing, no preview) on the vault as it is.

    The links go first. A relation answers a link in another note, so the relations are found again by
    `again()`, a second run, once new links are written: a link that was refused (a read-only note, a note
    changed meanwhile) leaves no relation behind, and a note's relations are one edit, as `link --diff`
    shows them. Returns what was written or refused, and the run the relations were taken from."""
    chosen = [d for d in (*first.diagnostics, *first.beyond) if wanted(d)]
    links = edits_by_note(d for d in chosen if d.code != RELATION)
    outcome = apply_fixes(root, first.facts, links, managed_property)
    last = first
    if outcome.written:
        last = again()
        chosen = [d for d in (*last.diagnostics, *last.beyond) if wanted(d)]
    relations = edits_by_note(d for d in chosen if d.code == RELATION)
    return outcome.then(apply_fixes(root, last.facts, relations, managed_property)), last


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
