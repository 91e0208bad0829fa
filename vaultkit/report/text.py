"""`path:line:col: CODE message`, then a summary line. Colour only on a terminal."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterator, Sequence

from vaultkit.diagnostics import Diagnostic, Severity
from vaultkit.report import PathShown, as_found, shown_paths, shown_runs
from vaultkit.report.summary import RunSummary
from vaultkit.rules import RULES


def render(diagnostics: Sequence[Diagnostic], summary: RunSummary) -> str:
    return "".join(chunks(diagnostics, summary))


def chunks(diagnostics: Sequence[Diagnostic], summary: RunSummary) -> Iterator[str]:
    """The report's text in pieces of CHUNK lines, to be written as they come (see json_report.chunks)."""
    for found, shown in shown_runs(diagnostics):
        paths: dict[str, str] = {}  # each path made printable once: a note has several diagnostics
        for start in range(0, len(found), CHUNK):
            part = found[start : start + CHUNK]
            yield "".join([_line(d, summary.color, paths, shown) + "\n" for d in part])
    tail = statistics(diagnostics) if summary.statistics else []
    yield "".join(line + "\n" for line in [*tail, _summary(diagnostics, summary)])


CHUNK = 2000
# C0 but the tab, DEL, C1, and the bidi embeddings, overrides and isolates (not the marks RTL text uses)
_CONTROL = re.compile(r"[\x00-\x08\x0a-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")


def printable(text: str) -> str:
    """`text` with its control characters spelled out (`\\r`, `\\x1b`, `\\u202e`): a value quoted in a
    message, or a file name, must not move the cursor, colour the terminal, start a line of its own, or
    show the rest of its line reversed (a right-to-left override never closed)."""
    if _CONTROL.search(text) is None:
        return text
    return _CONTROL.sub(lambda m: repr(m.group())[1:-1], text)


def printable_lines(text: str) -> str:
    """`text` made printable line by line: a message of several lines keeps its line breaks."""
    return "\n".join(printable(line) for line in text.split("\n"))


def _line(d: Diagnostic, color: bool, paths: dict[str, str], shown: PathShown | None) -> str:
    path = paths.get(d.path)
    if path is None:
        path = paths[d.path] = printable(d.path if shown is None else shown(d.path))
    where = f"{path}:{d.line}:{d.col}:"
    code = d.code
    fix = " [*]" if d.fix is not None else ""
    if color:
        where = _styled(where, _BOLD)
        code = _styled(code, _RED if d.severity == Severity.ERROR else _YELLOW, _BOLD)
        fix = _styled(fix, _CYAN)
    return f"{where} {code}{fix} {printable(d.message)}"


# SGR escapes, as click.style writes them: the report is plain text; click belongs to cli.py and commands/
_BOLD, _RED, _YELLOW, _CYAN, _RESET = "\x1b[1m", "\x1b[31m", "\x1b[33m", "\x1b[36m", "\x1b[0m"


def _styled(text: str, *styles: str) -> str:
    return "".join(styles) + text + _RESET


def statistics(diagnostics: Sequence[Diagnostic]) -> list[str]:
    counts = Counter(d.code for d in as_found(diagnostics))
    out = []
    for code, n in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0])):
        rule = RULES.get(code)
        name = rule.name if rule else ""
        fix = "[*]" if rule and rule.fixable else ""
        out.append(f"{n:6d}  {code}  {name} {fix}".rstrip())
    return out


def _summary(diagnostics: Sequence[Diagnostic], summary: RunSummary) -> str:
    if not diagnostics:
        return f"vaultkit: {counted(summary.notes, 'note')} checked, no problems found."
    errors = sum(1 for d in as_found(diagnostics) if d.severity == Severity.ERROR)
    warnings = len(diagnostics) - errors
    fixable = sum(1 for d in as_found(diagnostics) if d.fix is not None)
    text = (
        f"vaultkit: {counted(len(diagnostics), 'problem')} ({counted(errors, 'error')}, "
        f"{counted(warnings, 'warning')}) in {_where(diagnostics, summary)}."
    )
    if fixable:
        text += f" {fixable} fixable with `vaultkit link` (or `vaultkit check --fix`)."
    return text


def _where(diagnostics: Sequence[Diagnostic], summary: RunSummary) -> str:
    """`1 of 2 notes`, and the paths with problems that are not notes (a symlinked folder, types.json)."""
    paths = shown_paths(diagnostics)
    notes = len(paths - summary.not_notes)
    others = len(paths & summary.not_notes)
    checked = f"{notes} of {counted(summary.notes, 'note')}"
    if not others:
        return checked
    other = "1 path that is not a note" if others == 1 else f"{others} paths that are not notes"
    return f"{checked} and {other}" if notes else f"{other} ({counted(summary.notes, 'note')} checked)"


def counted(n: int, noun: str) -> str:
    """`1 note`, `2 notes`."""
    return f"{n} {noun}" if n == 1 else f"{n} {noun}s"
