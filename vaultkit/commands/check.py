"""`vaultkit check`: report problems; with --fix, apply the safe fixes first."""

from __future__ import annotations

import contextlib
import os
import stat
import sys
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING

import click

from vaultkit import quick
from vaultkit.commands.common import Shown, dumb_terminal, emit, emit_bytes, one_shot, say_unread_config

if TYPE_CHECKING:
    from collections.abc import Iterable

    from vaultkit.background import Deferred
    from vaultkit.commands.common import Progress
    from vaultkit.diagnostics import Diagnostic
    from vaultkit.engine import Runner, RunOptions, RunResult, Session


@dataclass(frozen=True)
class CheckRequest:
    """`vaultkit check` as asked on the command line."""

    paths: tuple[Path, ...]
    vault: Path | None
    config_dir: str
    use_cache: bool
    jobs: int | None
    fmt: str
    output_file: Path | None
    select: tuple[str, ...]
    ignore: tuple[str, ...]
    fix: bool
    exit_zero: bool
    statistics: bool
    report_note: str | None


@one_shot
def run_check(req: CheckRequest) -> int:
    from vaultkit.timing import mark

    # colour on a terminal, unless NO_COLOR is set to anything but "" (no-color.org) or it is a dumb one
    color = (
        req.output_file is None
        and sys.stdout.isatty()
        and not os.environ.get("NO_COLOR")
        and not dumb_terminal()
    )
    eligible = (
        req.use_cache
        and not req.fix
        and not req.report_note
        and not (req.statistics and req.fmt != "text")
        and not _markdown(req.output_file)  # a run that may be told not to overwrite a note (below)
    )
    request = quick.request_id(
        "check",
        req.fmt,
        req.select,
        req.ignore,
        req.exit_zero,
        req.statistics,
        color,
        [str(p) for p in req.paths],
    )
    # file lists (pre-commit) change every time: no point looking
    whole = all(os.path.isdir(p) for p in req.paths)
    hit = quick.lookup(list(req.paths), req.vault, req.config_dir, request) if eligible and whole else None
    if hit is not None and hit.text is not None:
        assert hit.cache is not None  # the text was read from it
        say_unread_config(hit.cache.folder.parent)  # as the run that stored the text said it
        _refuse_a_setting(req.output_file, hit.cache.folder.parent, req.config_dir)
        emit_bytes(hit.text, req.output_file)
        return hit.code
    pieces, code, writing, checked = _run(req, color, request if hit is not None else None)
    # Whole-folder runs are the ones repeated unchanged (CI, a second check): the output is remembered,
    # spooled to the cache as it is printed
    spool = hit.cache.spool() if hit is not None and hit.cache is not None else None
    try:
        emit(pieces, req.output_file, spool)
    except BaseException:
        if spool is not None:
            spool.discard()
        raise
    finally:
        for work in writing:  # the reports' cache writes, done by children while the text was printed
            work.finish()
    mark("output")
    if spool is not None:
        # keyed with the vault as the run read it: looking again (a stat of every note) took 0.1 s on 10,000
        # notes, and a vault checked under another configuration than the lookup's is not stored
        assert hit is not None and hit.cache is not None
        key = checked[0][1] if len(checked) == 1 and checked[0][0] == hit.cache.fingerprint else ""
        quick.store(replace(hit, key=key), spool, code)
        mark("output stored")
    return code


def _run(
    req: CheckRequest, color: bool, request: str | None
) -> tuple[Iterable[str], int, list[Deferred], list[tuple[str, str]]]:
    """The report's text, the exit code, the cache writes under way, and with `request`, each vault's
    fingerprint and the key its output is stored under (`quick.output_key`)."""
    from vaultkit.commands.common import Progress, keep, sessions
    from vaultkit.report import RunSummary, reporter
    from vaultkit.timing import mark

    progress = Progress()
    found = _Found(request=request)
    try:
        for session, targets in sessions(req.paths, req.vault, req.config_dir, req.report_note):
            keep()  # the vault before's facts and vault state are let go before this one is read
            _check_vault(req, session, targets, progress, found)  # and this one's kept (see `keep`)
    except BaseException:
        for work in found.writing:  # a later vault failed: no child outlives the command
            work.abandon()
        raise
    progress.done()
    summary = RunSummary(
        found.notes,
        found.vault_notes,
        color=color,
        statistics=req.statistics,
        checked=tuple(found.checked),
        not_notes=frozenset(found.not_notes),
    )
    shown = found.shown
    text = reporter(req.fmt)(shown, summary)  # written as it is made, by emit
    mark("report")
    if req.statistics and req.fmt != "text":
        from vaultkit.report.text import statistics as stats

        click.echo("\n".join(stats(shown)), err=True)
    if found.failed_writes:
        return text, 1, found.writing, found.keys
    return text, 0 if req.exit_zero or not shown else 1, found.writing, found.keys


@dataclass
class _Found:
    """What the vaults of one `check` add up to."""

    shown: Shown = field(default_factory=Shown)  # paths as shown, made as they are read
    checked: list[str] = field(default_factory=list)  # the notes reported on, for JUnit's one case per note
    not_notes: set[str] = field(default_factory=set)  # paths with problems that are not notes reported on
    notes: int = 0
    vault_notes: int = 0
    failed_writes: bool = False
    writing: list[Deferred] = field(default_factory=list)  # cache writes under way (RunResult.writing)
    request: str | None = None  # given (quick.request_id), each vault's output key is made (quick.output_key)
    keys: list[tuple[str, str]] = field(default_factory=list)  # each vault's fingerprint and output key


def _check_vault(
    req: CheckRequest, session: Session, targets: tuple[str, ...] | None, progress: Progress, found: _Found
) -> None:
    from vaultkit.commands.common import (
        display_paths,
        keep,
        tell_no_notes,
        tell_unchecked,
        unfixable_when_read_only,
    )
    from vaultkit.engine import Runner, RunOptions

    runner = Runner(session, progress)
    opts = RunOptions(
        targets,
        req.jobs,
        req.use_cache,
        fixing=req.fix,
        preview=req.fix,  # the new links counted: the relations they call for are written with them
        select=req.select,
        ignore=req.ignore,
        defer_writes=True,
    )
    # before the run: with --fix, before any note is written
    _refuse_a_note(req.output_file, session.root, session.report_note)
    _refuse_a_setting(req.output_file, session.root, session.obsidian.config_dir)
    if req.fix:
        session.obsidian.refuse_writes(session.root)
    result = runner.run(opts)
    if req.fix:
        result = _fix(req, runner, opts, result, found)
    if result.writing is not None:
        found.writing.append(result.writing)
    told = tell_no_notes(result)
    if found.request is not None and result.checked is not None and not told:  # told: said at every run
        key = quick.output_key(session.root, *result.checked, found.request, session.report_basis)
        found.keys.append((session.cache_fingerprint, key))
    if session.report_note:
        from vaultkit.report.note import write_report_note

        said = write_report_note(session, result, targets is None)
        if said is not None:
            click.echo(said, err=True)
    checked = tell_unchecked(session, targets, result.scope, set(result.reports))
    found.notes += len(checked)
    found.vault_notes += result.notes_in_vault
    keep(runner, result)
    diagnostics = unfixable_when_read_only(session.root, result.diagnostics)
    found.shown.add(session.root, diagnostics)
    scope = set(result.scope)
    found.not_notes.update(display_paths(session.root, sorted({d.path for d in diagnostics} - scope)))
    if req.fmt == "junit":
        found.checked.extend(display_paths(session.root, checked))


def _fix(req: CheckRequest, runner: Runner, opts: RunOptions, result: RunResult, found: _Found) -> RunResult:
    """`--fix`: write the safe fixes `result` offers, say what was refused, and the result of the vault as
    it is now (the links that were not written not counted)."""
    from vaultkit.commands.common import display_paths, tell_deaths
    from vaultkit.fixer import fix_in_rounds
    from vaultkit.report.text import printable

    root = runner.session.root
    outcome = fix_in_rounds(
        root,
        result,
        lambda refused: runner.run(replace(opts, refused=refused)),
        _safe,
        runner.session.config.relations.property,
        jobs=req.jobs,
    )
    # as `link` names them: a note named `a\nb.md` starts no line of its own
    names = map(printable, display_paths(root, [r.rel for r in outcome.refused]))
    for refused, name in zip(outcome.refused, names, strict=True):
        click.echo(f"vaultkit: {name}: {refused.message}", err=True)
    tell_deaths(outcome)
    found.failed_writes |= bool(outcome.refused)
    if outcome.written:
        from vaultkit.report.text import counted

        click.echo(f"vaultkit: fixed {counted(len(outcome.written), 'note')}", err=True)
    if outcome.written or outcome.refused:
        return runner.run(replace(opts, fixing=False, preview=False))
    return result


def _markdown(path: Path | None) -> bool:
    """Is `path` a note's name, or an existing file that may be a note under another name: a symlink to a
    `.md` file, or a hard link (a note's own bytes under any name)?"""
    if path is None:
        return False
    if path.suffix.lower() == ".md":
        return True
    try:
        st = path.stat()
    except (OSError, ValueError):
        return False
    return path.resolve().suffix.lower() == ".md" or st.st_nlink > 1


def _refuse_a_note(output: Path | None, root: Path, report_note: str | None) -> None:
    """`--output-file` never overwrites a note of a vault checked: a report must not cost a note, nor one
    reached through a symlink or a hard link. (A report note vaultkit wrote may be overwritten, but for the
    one this run keeps: written over, it would lose its marker and be a note of the user's, which every later
    run keeping it refuses to take over; a new file, or one outside the vaults, is written.)"""
    from vaultkit.errors import FatalError

    if output is not None and report_note is not None and _same_path(output, root / report_note):
        raise FatalError(
            f"--output-file {output}: that is the report note this run keeps ({report_note}, by --report or "
            "`report` in vaultkit.toml); give another file"
        )
    # os.path: Path.is_file raised on a name too long for the file system; the write says why it cannot be
    if output is None or not _markdown(output) or not os.path.isfile(output):
        return
    from vaultkit.note import is_report  # here: the parser it brings costs every other run its import

    real = output.resolve()
    inside = real.suffix.lower() == ".md" and real.is_relative_to(root.resolve())
    if (inside or _hard_link_into(real, root)) and not is_report(real):
        raise FatalError(
            f"--output-file {output}: that is a note of the vault checked, and vaultkit overwrites no note; "
            "give another file, or keep a report note with --report"
        )


def _refuse_a_setting(output: Path | None, root: Path, config_dir: str) -> None:
    """`--output-file` never overwrites a file of the vault's Obsidian settings folder: `-o
    vault/.obsidian/app.json`, a slip of the shell's completion, replaced Obsidian's settings with the
    report (its templates folder, its ignore filters, then read by the next run as invalid JSON). A new
    file there is refused too: Obsidian keeps that folder."""
    from vaultkit.errors import FatalError

    if output is None:
        return
    try:
        settings = (root / config_dir).resolve()
        inside = output.resolve().is_relative_to(settings)
    except (OSError, ValueError, RuntimeError):
        return  # the write says why it cannot be
    if inside:
        raise FatalError(
            f"--output-file {output}: that is in {config_dir}/, where Obsidian keeps its settings, and "
            "vaultkit overwrites none of them; give another file"
        )


def _same_path(path: Path, other: Path) -> bool:
    """Do both name one file, existing or not yet (`sub/../R.md`, a symlinked folder, a hard link)?"""
    try:
        return path.resolve() == other.resolve() or os.path.samefile(path, other)
    except (OSError, ValueError):
        return False


def _hard_link_into(path: Path, root: Path) -> bool:
    """Is `path` (with more than one name) the same file as a `.md` file in the vault? Looked for only then:
    a file with one name is no other file."""
    try:
        st = path.stat()
    except OSError:
        return False
    if st.st_nlink < 2 or st.st_dev != root.stat().st_dev:
        return False
    folders = [str(root)]  # a stack, not os.walk: it recurses, and a vault may be nested 1,000 deep
    while folders:
        with contextlib.suppress(OSError), os.scandir(folders.pop()) as entries:
            for entry in entries:
                if entry.is_dir(follow_symlinks=False):
                    folders.append(entry.path)
                elif entry.name.lower().endswith(".md") and entry.inode() == st.st_ino:
                    found = entry.stat(follow_symlinks=False)
                    if found.st_dev == st.st_dev and stat.S_ISREG(found.st_mode):
                        return True
    return False


def _safe(d: Diagnostic) -> bool:
    return d.fix is not None and d.fix.safe
