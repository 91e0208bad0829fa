"""Reporters turn a list of diagnostics into text for people or for CI systems, chosen by name."""

from __future__ import annotations

import importlib
from collections.abc import Callable, Iterable, Sequence

from vaultkit.diagnostics import Diagnostic
from vaultkit.report.summary import RunSummary

# The report's text, in pieces written as they come (the large formats) or in one (the others)
Reporter = Callable[[Sequence[Diagnostic], RunSummary], Iterable[str]]

# name -> the module whose `render` it is, imported when chosen: a run prints one format
REPORTER_MODULES = {
    "text": "text",
    "json": "json_report",
    "github": "github",
    "sarif": "sarif",
    "junit": "junit",
}


def as_found(diagnostics: Sequence[Diagnostic]) -> Iterable[Diagnostic]:
    """The diagnostics for a count that reads no path: their paths as found, if the sequence has them
    (commands.common.Shown makes each shown path as it is read)."""
    unshown: Callable[[], Iterable[Diagnostic]] | None = getattr(diagnostics, "unshown", None)
    return diagnostics if unshown is None else unshown()


PathShown = Callable[[str], str]  # a vault-relative path as the report shows it


def shown_runs(diagnostics: Sequence[Diagnostic]) -> Sequence[tuple[Sequence[Diagnostic], PathShown | None]]:
    """The diagnostics as found, in runs (a vault's each) whose paths are shown alike: by the function given,
    or as they are (None). A reporter that shows each path once reads them so: the diagnostics
    commands.common.Shown makes as they are read, a copy for each with its path as shown, were a quarter of
    the text report's time on the 60,000 of the 10k bench vault, though only their paths differ."""
    runs: Callable[[], Sequence[tuple[Sequence[Diagnostic], PathShown | None]]] | None = getattr(
        diagnostics, "runs", None
    )
    return [(diagnostics, None)] if runs is None else runs()


def shown_paths(diagnostics: Sequence[Diagnostic]) -> set[str]:
    """The paths the diagnostics are shown at, each made once (see `shown_runs`)."""
    out: set[str] = set()
    for found, shown in shown_runs(diagnostics):
        paths = {d.path for d in found}
        out.update(paths if shown is None else map(shown, paths))
    return out


def reporter(name: str) -> Reporter:
    module = importlib.import_module(f"vaultkit.report.{REPORTER_MODULES[name]}")
    if hasattr(module, "chunks"):
        chunks: Reporter = module.chunks
        return chunks
    render: Callable[[Sequence[Diagnostic], RunSummary], str] = module.render
    return lambda diagnostics, summary: (render(diagnostics, summary),)


__all__ = ("REPORTER_MODULES", "PathShown", "RunSummary", "as_found", "reporter", "shown_paths", "shown_runs")
