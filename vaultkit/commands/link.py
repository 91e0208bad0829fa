"""`vaultkit link`: turn unlinked mentions into links and add reciprocal relations."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import click

from vaultkit.commands.common import Progress, display, one_shot, sessions
from vaultkit.engine import Runner, RunOptions, RunResult, Session
from vaultkit.fixer import apply_fixes, edits_by_note, unified_diff

LINK_CODES = ("VK120", "VK121")
# Notes link cannot read or parse, and folders it did not enter: said on stderr, never skipped silently.
SKIPPED_CODES = ("VK000", "VK001", "VK002", "VK004", "VK201", "VK202", "VK203", "VK204", "VK205")


@one_shot
def run_link(  # noqa: PLR0917 - the command's options, passed through from click
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
    totals = _Totals()
    for session, targets in sessions(paths, vault, config_dir):
        opts = RunOptions(targets, jobs, use_cache, fixing=True, select=LINK_CODES + SKIPPED_CODES)
        result = Runner(session, progress).run(opts)
        progress.done()
        _link_vault(session, result, totals, check_only=check_only, diff=diff)
    progress.done()
    if diff or check_only:
        if not totals.would:
            click.echo("vaultkit: nothing to link", err=True)
        return 1 if totals.would or totals.skipped else 0
    summary = (
        f"vaultkit: {totals.changed} notes changed"
        if totals.changed
        else "vaultkit: nothing to link; no note changed"
    )
    click.echo(summary, err=True)
    if totals.refused or totals.skipped:
        return 1
    return 1 if totals.changed and exit_non_zero_on_fix else 0


@dataclass
class _Totals:
    changed: int = 0
    refused: int = 0
    skipped: int = 0
    would: int = 0


def _link_vault(
    session: Session, result: RunResult, totals: _Totals, *, check_only: bool, diff: bool
) -> None:
    inside = set(result.scope)
    plan = edits_by_note(d for d in result.diagnostics if d.code in LINK_CODES and d.path in inside)
    names = {
        d.path: s.path
        for d, s in zip(result.diagnostics, display(session.root, result.diagnostics), strict=True)
    }
    _tell_skipped(result, inside, names, totals)
    if diff or check_only:
        if diff:
            click.echo(unified_diff(session.root, result.facts, plan, names), nl=False)
        else:
            for rel, edits in sorted(plan.items()):
                click.echo(f"would change {names.get(rel, rel)} ({len(edits)} edits)")
        totals.would += len(plan)
        return
    outcome = apply_fixes(session.root, result.facts, plan, session.config.relations.property)
    for rel in outcome.written:
        click.echo(f"linked {names.get(rel, rel)}")
    for r in outcome.refused:
        click.echo(f"vaultkit: {names.get(r.rel, r.rel)}: {r.message}", err=True)
    totals.changed += len(outcome.written)
    totals.refused += len(outcome.refused)


def _tell_skipped(result: RunResult, inside: set[str], names: dict[str, str], totals: _Totals) -> None:
    # A command writes only the files it is given (pre-commit stashes everything else): the notes these
    # files now link to are named, for a whole-vault `vaultkit link` to give them the relation back.
    elsewhere = sorted({d.path for d in result.diagnostics if d.code == "VK121" and d.path not in inside})
    for rel in elsewhere:
        where = names.get(rel, rel)
        click.echo(
            f"vaultkit: {where} should list the notes now linking to it; run `vaultkit link` on the vault",
            err=True,
        )
    for d in result.diagnostics:
        if d.code in SKIPPED_CODES:
            where = names.get(d.path, d.path)
            click.echo(f"vaultkit: {where}:{d.line}:{d.col}: {d.code} {d.message}; not linked", err=True)
            totals.skipped += 1
