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


def reporter(name: str) -> Reporter:
    module = importlib.import_module(f"vaultkit.report.{REPORTER_MODULES[name]}")
    if hasattr(module, "chunks"):
        chunks: Reporter = module.chunks
        return chunks
    render: Callable[[Sequence[Diagnostic], RunSummary], str] = module.render
    return lambda diagnostics, summary: (render(diagnostics, summary),)


__all__ = ("REPORTER_MODULES", "RunSummary", "as_found", "reporter")
