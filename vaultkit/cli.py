"""Command line: parse options, build the parts, call the core, pick the exit code. Nothing else lives here.

Exit codes: 0 clean (or fixed), 1 problems found (or, with --check/--diff, changes needed), 2 a problem with
the configuration, the schemas or the command itself.
"""

from __future__ import annotations

import contextlib
import errno
import io
import math
import os
import signal
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any, NoReturn

import click

from vaultkit import __version__
from vaultkit.config import DEBOUNCE_MS_MAX, SETTLE_SECONDS_MAX
from vaultkit.errors import FatalError, Stopped
from vaultkit.obsidian import DEFAULT_CONFIG_DIR
from vaultkit.paths import relative_names
from vaultkit.report import REPORTER_MODULES

FORMATS = tuple(REPORTER_MODULES)
INTERRUPTED = 130  # the exit code a shell gives a process Ctrl-C ended
CONFIG_DIR_HELP = "Obsidian's config folder name."


def _codes(value: str | None, option: str) -> tuple[str, ...]:
    codes = tuple(c.strip().upper() for c in (value or "").split(",") if c.strip())
    if not codes and value is not None and option == "--select":
        # `--select "$CODES"` of a script whose variable came out empty checked every rule, silently
        raise click.BadParameter("no code given: leave the option out to check every rule", param_hint=option)
    if not codes:
        return ()  # nothing to check: the rule registry (and every rule module) stays unloaded
    from vaultkit.rules import unknown

    bad = unknown(codes)
    if bad:
        raise click.BadParameter(
            f"{', '.join(bad)}: no rule has such a code (see `vaultkit rules`)", param_hint=option
        )
    return codes


class _GivenPath(click.Path):
    """A path given on the command line. An empty one names no file: click made "" the path `.`, and
    `vaultkit link -- "$NOTE"` in a script whose NOTE came out empty linked the whole vault."""

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> Any:
        if value == "":
            _refuse_empty(param)
        return super().convert(value, param, ctx)


def _refuse_empty(param: click.Parameter | None) -> NoReturn:
    """An empty path, said as one whether it is an argument or an option's value (`--report "$NOTE"`)."""
    if isinstance(param, click.Option):
        raise FatalError(f"{param.opts[0]}: an empty path names no file")
    raise FatalError("an empty path names no file (give . for the current folder)")


def _report_note(ctx: click.Context, param: click.Parameter, value: str | None) -> str | None:
    """An empty --report names no note: it was read as none given, and the run went on without its report."""
    if value == "":
        _refuse_empty(param)
    return value


GIVEN_PATH = _GivenPath(path_type=Path)


def _folder(ctx: click.Context, param: click.Parameter, value: Path | None) -> Path | None:
    """A vault given that is a file is said as vaultkit says every bad path (`vaultkit: error: ...`, exit 2),
    not in click's words: click's `file_okay=False` answered `Error: Invalid value for '[VAULT]'` where a
    missing folder got vaultkit's line. A missing one is left to the vault lookup, which names it."""
    if value is not None and os.path.exists(value) and not os.path.isdir(value):
        option = "--vault " if param.name == "vault" and isinstance(param, click.Option) else ""
        raise FatalError(f"{option}{value}: not a folder")
    return value


def _file(ctx: click.Context, param: click.Parameter, value: Path | None) -> Path | None:
    """An --output-file that is a folder, said before the run as a failed write of it is said after one."""
    if value is not None and os.path.isdir(value):
        raise FatalError(f"cannot write --output-file {value}: it is a folder")
    return value


def _common(f: click.decorators.FC) -> click.decorators.FC:
    f = click.option(
        "--vault",
        type=GIVEN_PATH,
        callback=_folder,
        help="Vault root (default: found upward from the paths).",
    )(f)
    f = click.option("--config-dir", default=DEFAULT_CONFIG_DIR, show_default=True, help=CONFIG_DIR_HELP)(f)
    f = click.option("--no-cache", is_flag=True, help="Neither read nor write .vaultkit_cache/.")(f)
    f = click.option(
        "--jobs",
        "-j",
        type=click.IntRange(1, 64),
        default=None,
        help="Worker processes (default: cores, for large runs).",
    )(f)
    return f


class _Halted(Exception):
    """A stop signal that ended a command, on its way out past click (see `_Commands`)."""

    def __init__(self, signum: int) -> None:
        super().__init__(signum)
        self.signum = signum


class _Commands(click.Group):
    """The command group. A stop signal that ends a command (`Stopped`, a KeyboardInterrupt, so that every
    cleanup Ctrl-C runs runs) leaves it as `_Halted`. Regression: as a KeyboardInterrupt it reached click's
    main, which first wrote a blank line (the end of a terminal's `^C` echo, which no SIGTERM or SIGHUP
    leaves), where the README promises one line, `vaultkit: stopped by SIGTERM`."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except Stopped as e:
            raise _Halted(e.signum) from None


@click.group(cls=_Commands, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="vaultkit")
def cli() -> None:
    """Keep an Obsidian vault healthy: schemas, links, mentions, relations."""


@cli.command()
@click.argument("paths", nargs=-1, type=GIVEN_PATH)
@_common
@click.option("--format", "fmt", type=click.Choice(FORMATS), default="text", show_default=True)
@click.option(
    "--output-file",
    "-o",
    type=GIVEN_PATH,
    callback=_file,
    help="Write the report here.",
)
@click.option("--select", help="Only these codes or prefixes (comma-separated), e.g. VK0,VK101.")
@click.option("--ignore", help="Skip these codes or prefixes (comma-separated).")
@click.option(
    "--fix", is_flag=True, help="Apply all safe fixes (links, relations), then report what is left."
)
@click.option("--exit-zero", is_flag=True, help="Exit 0 even when problems are found.")
@click.option("--statistics", is_flag=True, help="Also print counts per rule.")
@click.option(
    "--report",
    "report_note",
    callback=_report_note,
    help="Also write this vault-relative note listing the problems.",
)
def check(
    paths: tuple[Path, ...],
    vault: Path | None,
    config_dir: str,
    no_cache: bool,
    jobs: int | None,
    fmt: str,
    output_file: Path | None,
    select: str | None,
    ignore: str | None,
    fix: bool,
    exit_zero: bool,
    statistics: bool,
    report_note: str | None,
) -> int:
    """Check notes: frontmatter against the schemas, links, mentions, relations."""
    from vaultkit.commands.check import CheckRequest, run_check

    return run_check(
        CheckRequest(
            paths=paths,
            vault=vault,
            config_dir=config_dir,
            use_cache=not no_cache,
            jobs=jobs,
            fmt=fmt,
            output_file=output_file,
            select=_codes(select, "--select"),
            ignore=_codes(ignore, "--ignore"),
            fix=fix,
            exit_zero=exit_zero,
            statistics=statistics,
            report_note=report_note,
        )
    )


@cli.command()
@click.argument("paths", nargs=-1, type=GIVEN_PATH)
@_common
@click.option("--check", "check_only", is_flag=True, help="Write nothing; exit 1 if anything would change.")
@click.option(
    "--diff", is_flag=True, help="Print a unified diff; write nothing; exit 1 if anything would change."
)
@click.option("--exit-non-zero-on-fix", is_flag=True, help="Exit 1 when notes were changed (for pre-commit).")
def link(
    paths: tuple[Path, ...],
    vault: Path | None,
    config_dir: str,
    no_cache: bool,
    jobs: int | None,
    check_only: bool,
    diff: bool,
    exit_non_zero_on_fix: bool,
) -> int:
    """Link unlinked mentions and add reciprocal relations."""
    from vaultkit.commands.link import LinkRequest, run_link

    return run_link(
        LinkRequest(
            paths=paths,
            vault=vault,
            config_dir=config_dir,
            use_cache=not no_cache,
            jobs=jobs,
            check_only=check_only,
            diff=diff,
            exit_non_zero_on_fix=exit_non_zero_on_fix,
        )
    )


class _Seconds(click.FloatRange):
    """A range of seconds that refuses NaN, which compares false with both ends and so passed the range."""

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> Any:
        seconds: float = super().convert(value, param, ctx)
        if math.isnan(seconds):
            self.fail(f"{value!r} is not a number of seconds", param, ctx)
        return seconds


@cli.command()
@click.argument("vault", required=False, type=GIVEN_PATH, callback=_folder)
@click.option("--config-dir", default=DEFAULT_CONFIG_DIR, show_default=True, help=CONFIG_DIR_HELP)
@click.option(
    "--fix", is_flag=True, help="Also link mentions in a note once it has been quiet for --settle seconds."
)
@click.option(
    "--debounce-ms",
    type=click.IntRange(0, DEBOUNCE_MS_MAX),
    default=None,
    help="Quiet time before a re-check (default: [watch] debounce_ms, else 250).",
)
@click.option(
    "--settle",
    type=_Seconds(0, SETTLE_SECONDS_MAX),
    default=None,
    help="Quiet time before --fix writes (default: [watch] settle_seconds, else 3 s).",
)
@click.option(
    "--report",
    "report_note",
    callback=_report_note,
    help="Keep this vault-relative note listing current problems.",
)
@click.option("--polling", is_flag=True, help="Poll the disk instead of using inotify/FSEvents.")
def watch(
    vault: Path | None,
    config_dir: str,
    fix: bool,
    debounce_ms: int | None,
    settle: float | None,
    report_note: str | None,
    polling: bool,
) -> int:
    """Re-check notes as they are saved (Ctrl-C to stop)."""
    from vaultkit.commands.watch import run_watch
    from vaultkit.watch import WatchOptions

    return run_watch(vault, WatchOptions(config_dir, fix, debounce_ms, settle, report_note, polling))


@cli.command()
def rules() -> int:
    """List every rule."""
    from vaultkit.rules import RULES

    for rule in RULES.values():
        fix = "[*]" if rule.fixable else "   "
        click.echo(f"{rule.code}  {fix} {rule.name:26} {rule.summary}")
    return 0


@cli.command()
@click.argument("code")
def explain(code: str) -> int:
    """Print the documentation of a rule."""
    from vaultkit.rules import RULES

    rule = RULES.get(code.upper()) or next((r for r in RULES.values() if r.name == code.lower()), None)
    if rule is None:
        raise FatalError(f"no rule '{code}'; `vaultkit rules` lists them")
    fixable = "fixable" if rule.fixable else "not fixable"
    click.echo(f"# {rule.code} {rule.name} ({rule.severity}, {fixable})\n\n{rule.summary}\n\n{rule.docs}")
    return 0


@cli.command()
@click.argument("vault", required=False, type=GIVEN_PATH, callback=_folder)
@click.option("--config-dir", default=DEFAULT_CONFIG_DIR, show_default=True, help=CONFIG_DIR_HELP)
def clean(vault: Path | None, config_dir: str) -> int:
    """Delete the vault's .vaultkit_cache/."""
    from vaultkit.cache import CACHE_DIR
    from vaultkit.cache import clean as clean_cache
    from vaultkit.vault import resolve_vault, vault_argument_hint

    hint = vault_argument_hint("clean", vault)
    status = 0
    for root in resolve_vault([vault] if vault else [], None, config_dir, hint):
        folder = root / CACHE_DIR
        if folder.is_symlink() or (folder.exists() and not folder.is_dir()):  # not a folder vaultkit made
            what = "a symlink" if folder.is_symlink() else "not a folder"
            click.echo(f"vaultkit: {folder} left alone: it is {what}, so no cache of vaultkit's", err=True)
            status = 1
            continue
        try:
            removed = clean_cache(root)
        except OSError as e:  # read-only, another user's: what is left is said, as a bad path is
            click.echo(f"vaultkit: {folder} not removed: {e.filename}: {e.strerror}", err=True)
            status = 1
            continue
        click.echo(f"{'removed' if removed else 'no cache in'} {folder}")
    return status


@cli.command("obsidian-types")
@click.argument("vault", required=False, type=GIVEN_PATH, callback=_folder)
@click.option("--config-dir", default=DEFAULT_CONFIG_DIR, show_default=True, help=CONFIG_DIR_HELP)
@click.option("--check", "check_only", is_flag=True, help="Write nothing; exit 1 if types.json would change.")
@click.option("--no-cache", is_flag=True, help="Neither read nor write .vaultkit_cache/.")
def obsidian_types(vault: Path | None, config_dir: str, check_only: bool, no_cache: bool) -> int:
    """Write .obsidian/types.json from the schemas, keeping your other entries."""
    from vaultkit.commands.types import run_types

    return run_types(vault, config_dir, check_only, use_cache=not no_cache)


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command; a Ctrl-C wherever it lands ends it with 130 and no traceback.

    Regression: one that landed before the command's own handling (in `_streams_ready`, `os.getcwd`) or
    while an error was being said escaped as Python's KeyboardInterrupt traceback."""
    try:
        return _main(argv)
    except Stopped as e:  # SIGTERM, SIGHUP in the same places
        return _stopped(e)
    except KeyboardInterrupt:
        return INTERRUPTED


def _main(argv: Sequence[str] | None) -> int:  # noqa: PLR0911 - one exit code per kind of failure
    _streams_ready()
    try:  # output names are relative to the current folder: without one (deleted), there are none to give
        os.getcwd()
    except FileNotFoundError:
        click.echo("vaultkit: error: the current folder no longer exists: cd to one that does", err=True)
        return 2
    try:
        result = cli.main(
            args=list(argv) if argv is not None else None, prog_name="vaultkit", standalone_mode=False
        )
    except click.exceptions.Exit as e:
        return e.exit_code
    except click.ClickException as e:
        from vaultkit.report.text import printable_lines

        shown = io.StringIO()  # an option's value is quoted in it as given
        e.show(file=shown)
        click.echo(printable_lines(shown.getvalue()), err=True, nl=False)
        return 2 if e.exit_code == 1 else e.exit_code
    except click.exceptions.Abort as e:  # click's word for a KeyboardInterrupt in a command
        if isinstance(e.__context__, Stopped):
            return _stopped(e.__context__)
        click.echo("vaultkit: aborted", err=True)
        return INTERRUPTED
    except FatalError as e:
        from vaultkit.report.text import printable_lines

        click.echo(f"vaultkit: error: {printable_lines(relative_names(str(e)))}", err=True)
        return 2
    except (Stopped, _Halted) as e:
        return _stopped(e)
    except KeyboardInterrupt:
        return INTERRUPTED
    except Exception as e:
        if os.environ.get("VAULTKIT_DEBUG"):
            raise
        if isinstance(e, OSError) and e.filename is None and e.errno in _WRITE_ERRORS:  # the output's
            from vaultkit.commands.common import output_failed

            click.echo(f"vaultkit: error: {output_failed(None, e)}", err=True)
            return 2
        from vaultkit.report.text import printable_lines

        said = printable_lines(f"{type(e).__name__}: {e}")
        click.echo(f"vaultkit: internal error: {said} (set VAULTKIT_DEBUG=1 for details)", err=True)
        return 2
    return result if isinstance(result, int) else 0


def _stopped(e: Stopped | _Halted) -> int:
    """SIGTERM, SIGHUP: everything under way was stopped as on Ctrl-C; said in one line (a closed terminal,
    SIGHUP's, hears nothing), and the exit code a shell gives a process the signal ended (143 for SIGTERM)."""
    with contextlib.suppress(OSError, ValueError):
        click.echo(f"vaultkit: stopped by {signal.Signals(e.signum).name}", err=True)
    return 128 + e.signum


_WRITE_ERRORS = (errno.ENOSPC, errno.EDQUOT, errno.EFBIG, errno.EIO)


def _streams_ready() -> None:
    """Standard output and error as vaultkit can always write them.

    Started with one closed (`vaultkit check >&-`), Python has None for it: what would be written there goes
    nowhere, as the caller asked, and the exit code still tells. One in an encoding that cannot spell a
    note's name (`PYTHONIOENCODING=latin-1`, a legacy locale) shows what it cannot spell escaped (`\\u4eac`),
    where writing it raised UnicodeEncodeError."""
    for name in ("stdout", "stderr"):
        stream = getattr(sys, name)
        if stream is None:
            setattr(sys, name, open(os.devnull, "w", encoding="utf-8"))  # noqa: SIM115 - for the process
        elif isinstance(stream, io.TextIOWrapper) and stream.errors == "strict":
            stream.reconfigure(errors="backslashreplace")


def run() -> NoReturn:
    """The `vaultkit` command: main(), then an exit that skips tearing the interpreter down.

    A run on a large vault ends holding every note's facts; freeing them object by object at exit took
    30 ms of a 0.6 s pre-commit run, and nothing needs it: every file vaultkit writes is closed (and renamed
    into place) before main() returns, and no worker outlives it. Only the output streams need flushing.
    `python -m vaultkit` exits normally (profilers and coverage tools write their results at exit)."""
    code = INTERRUPTED  # what a Ctrl-C between main()'s return and its code's keeping leaves
    try:
        code = main()
        sys.stdout.flush()
        sys.stderr.flush()
    except OSError:  # the reader went away (`vaultkit check | head`): nothing more can be said
        code = code or 1
    except KeyboardInterrupt:  # a Ctrl-C while the output drains (a slow terminal): what is out, is out
        code = INTERRUPTED
    os._exit(code)
