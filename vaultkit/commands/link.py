"""`vaultkit link`: turn unlinked mentions into links and add reciprocal relations."""

from __future__ import annotations

import dataclasses
import functools
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

import click

from vaultkit.commands.common import (
    Progress,
    display_paths,
    keep,
    one_shot,
    sessions,
    tell_deaths,
    tell_no_notes,
    tell_unchecked,
)
from vaultkit.diagnostics import Diagnostic
from vaultkit.engine import Runner, RunOptions, RunResult, Session
from vaultkit.fixer import fix_in_rounds, preview_in_rounds, unified_diff
from vaultkit.note import NOT_READ
from vaultkit.report.text import counted, printable
from vaultkit.timing import mark

LINK_CODES = ("VK120", "VK121")
# Notes link cannot read or parse, and folders it did not enter: said on stderr, never skipped silently,
# whatever the configuration's `ignore` says (RunOptions.always)
SKIPPED_CODES = (
    *("VK000", "VK001", "VK002", "VK004", "VK005", "VK006", "VK007"),
    *sorted(NOT_READ),
    *("VK205", "VK206"),
)


@dataclass(frozen=True)
class LinkRequest:
    """`vaultkit link` as asked on the command line."""

    paths: tuple[Path, ...]
    vault: Path | None
    config_dir: str
    use_cache: bool
    jobs: int | None
    check_only: bool
    diff: bool
    exit_non_zero_on_fix: bool


@one_shot
def run_link(req: LinkRequest) -> int:
    progress = Progress()
    totals = _Totals()
    diff, jobs = req.diff, req.jobs
    preview = diff or req.check_only
    for session, targets in sessions(req.paths, req.vault, req.config_dir):
        keep()  # the vault before's facts and vault state are let go before this one is read
        if not preview:
            session.obsidian.refuse_writes(session.root)
        # the new links counted: their relations are found with them, and written once they are
        select = (*_selected(session, LINK_CODES), *SKIPPED_CODES)
        opts = RunOptions(
            targets, jobs, req.use_cache, fixing=True, preview=True, select=select, always=SKIPPED_CODES
        )
        runner = Runner(session, progress)
        result = runner.run(opts)
        progress.done()
        tell_unchecked(session, targets, result.scope, set(result.reports))
        tell_no_notes(result)
        _tell_skipped(session, result, totals)
        again = functools.partial(_without_links_of, runner, opts)
        if preview:
            _preview_vault(session, result, again, totals, diff=diff, jobs=jobs)
        else:
            _link_vault(session, result, again, totals, jobs=jobs)
            progress.done()
        keep(runner, result)  # till the process leaves: freeing them object by object only took time
        del runner, result, again  # held by `keep` alone, let go before the next vault is read
    progress.done()
    if preview:
        click.echo(_summary(totals, preview=True), err=True)
        return 1 if totals.would or totals.skipped or totals.refused else 0
    click.echo(_summary(totals, preview=False), err=True)
    if totals.refused or totals.skipped:
        return 1
    return 1 if totals.changed and req.exit_non_zero_on_fix else 0


def _selected(session: Session, codes: Sequence[str]) -> tuple[str, ...]:
    """The codes of `codes` that the configuration's `select` selects, as `check` and `check --fix` take them
    (its `ignore` applies to the run as to any). Link's own codes replace `select` for the run, so it is
    applied here: with `select = ["VK0"]`, `link` linked the mentions `check` did not report."""
    from vaultkit.rules import matches

    chosen = session.config.select
    return tuple(c for c in codes if not chosen or matches(c, chosen))


def _summary(totals: _Totals, *, preview: bool) -> str:
    """`3 notes changed: 2 linked, 1 given relations only` (a note given only relations was not linked), or,
    of a preview, `3 notes would change: ...`: the diff of a first `link` is long, and its last lines do not
    say how many notes it touches, nor that some only gain a `related` property."""
    changed, linked = (totals.would, totals.would_link) if preview else (totals.changed, totals.linked)
    if not changed:
        return _unchanged(totals, preview=preview)
    parts = [f"{linked} linked"] if linked else []
    if changed > linked:
        parts.append(f"{changed - linked} given relations only")
    verb = "would change" if preview else "changed"
    return f"vaultkit: {counted(changed, 'note')} {verb}: {', '.join(parts)}"


def _unchanged(totals: _Totals, *, preview: bool) -> str:
    """The last line of a run that changed nothing. A refused write, or a note skipped (not UTF-8, invalid
    YAML), was named above and is not "nothing to link": the run exits 1 for it."""
    said = "no note would change" if preview else "no note changed"
    if totals.skipped:
        return f"vaultkit: {said}: {totals.skipped} skipped (named above)"
    if totals.refused:
        return f"vaultkit: {said}"
    return "vaultkit: nothing to link" if preview else "vaultkit: nothing to link; no note changed"


@dataclass
class _Totals:
    changed: int = 0
    linked: int = 0  # of those changed, the notes that gained a link; the others only gained relations
    refused: int = 0
    skipped: int = 0  # notes (and folders) not read or parsed, each named on stderr
    would: int = 0
    would_link: int = 0  # of those that would change, the notes that would gain a link


def _preview_vault(
    session: Session,
    result: RunResult,
    again: Callable[[frozenset[str]], RunResult],
    totals: _Totals,
    *,
    diff: bool,
    jobs: int | None,
) -> None:
    preview = preview_in_rounds(
        session.root,
        result,
        again,
        _linking(result),
        session.config.relations.property,
        keep_texts=diff,
        jobs=jobs,
    )
    names = _names(session, [*preview.edits, *(r.rel for r in preview.refused)])
    if diff:
        click.echo(unified_diff(preview), nl=False)
    else:
        for rel, edits in sorted(preview.edits.items()):
            click.echo(f"would change {names[rel]} ({counted(len(edits), 'edit')})")
    for r in preview.refused:  # as `link` would say it
        click.echo(
            f"vaultkit: {names[r.rel]}: {r.message.replace('not written', 'would not be written', 1)}",
            err=True,
        )
    totals.would += len(preview.edits)
    totals.would_link += len(preview.linked)
    totals.refused += len(preview.refused)
    mark("link output")


def _without_links_of(runner: Runner, opts: RunOptions, refused: frozenset[str]) -> RunResult:
    return runner.run(dataclasses.replace(opts, refused=refused))


def _link_vault(
    session: Session,
    first: RunResult,
    again: Callable[[frozenset[str]], RunResult],
    totals: _Totals,
    *,
    jobs: int | None,
) -> None:
    outcome = fix_in_rounds(
        session.root, first, again, _linking(first), session.config.relations.property, jobs=jobs
    )
    names = _names(session, [*outcome.written, *(r.rel for r in outcome.refused)])
    for rel in outcome.written:  # a note that only gained relations was not linked: said as it is
        click.echo(f"linked {names[rel]}" if rel in outcome.linked else f"added relations to {names[rel]}")
    for r in outcome.refused:
        click.echo(f"vaultkit: {names[r.rel]}: {r.message}", err=True)
    tell_deaths(outcome)
    mark("link output")
    totals.changed += len(outcome.written)
    totals.linked += len(outcome.linked)
    totals.refused += len(outcome.refused)


def _linking(result: RunResult) -> Callable[[Diagnostic], bool]:
    """A link or relation in a note given, and the relation back in each note a given note links to
    (RunResult.beyond): the relation shows from both sides, as `check --fix` and `watch --fix` make it.
    Under pre-commit, a note written that was not staged fails the hook like any other write: its change is
    there to review and stage (and pre-commit rolls the writes back if they clash with unstaged changes)."""
    inside = set(result.scope)
    return lambda d: d.code in LINK_CODES and (d.path in inside or d.code == "VK121")


def _tell_skipped(session: Session, result: RunResult, totals: _Totals) -> None:
    skipped = [d for d in result.diagnostics if d.code in SKIPPED_CODES]
    names = _names(session, [d.path for d in skipped])
    for d in skipped:
        click.echo(f"vaultkit: {names[d.path]}:{d.line}:{d.col}: {d.code} {d.message}; not linked", err=True)
    totals.skipped += len(names)


def _names(session: Session, rels: Iterable[str]) -> dict[str, str]:
    """Vault-relative paths as shown: relative to the current folder when inside it, and with control
    characters spelled out (a note named `a\nb.md` must not start a line of its own)."""
    unique = sorted(set(rels))
    shown = display_paths(session.root, unique)
    return {rel: printable(name) for rel, name in zip(unique, shown, strict=True)}
