"""`vaultkit link`: turn unlinked mentions into links and add reciprocal relations."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import click

from vaultkit.commands.common import Progress, display, sessions
from vaultkit.engine import RunOptions, Runner
from vaultkit.fixer import apply_fixes, edits_by_note, unified_diff

LINK_CODES = ("VK120", "VK121")


def run_link(
    paths: Sequence[Path],
    vault: Path | None,
    config_dir: str,
    use_cache: bool,
    jobs: int | None,
    check_only: bool,
    diff: bool,
    exit_non_zero_on_fix: bool,
) -> int:
    progress = Progress()
    changed = refused = 0
    would = 0
    for session, targets in sessions(paths, vault, config_dir):
        result = Runner(session, progress).run(RunOptions(targets, jobs, use_cache, fixing=True, select=LINK_CODES))
        plan = edits_by_note(result.diagnostics)
        progress.done()
        names = {d.path: s.path for d, s in zip(result.diagnostics, display(session.root, result.diagnostics), strict=True)}
        if diff:
            click.echo(unified_diff(session.root, result.facts, plan, names), nl=False)
            would += len(plan)
            continue
        if check_only:
            for rel, edits in sorted(plan.items()):
                click.echo(f"would change {names.get(rel, rel)} ({len(edits)} edits)")
            would += len(plan)
            continue
        outcome = apply_fixes(session.root, result.facts, plan, session.config.relations.property)
        for rel in outcome.written:
            click.echo(f"linked {names.get(rel, rel)}")
        for r in outcome.refused:
            click.echo(f"vaultkit: {names.get(r.rel, r.rel)}: {r.message}", err=True)
        changed += len(outcome.written)
        refused += len(outcome.refused)
    progress.done()
    if diff or check_only:
        if not would:
            click.echo("vaultkit: nothing to link", err=True)
        return 1 if would else 0
    click.echo(f"vaultkit: {changed} notes changed" if changed else "vaultkit: nothing to link; no note changed", err=True)
    if refused:
        return 1
    return 1 if changed and exit_non_zero_on_fix else 0
