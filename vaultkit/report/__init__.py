"""Reporters turn a list of diagnostics into text for people or for CI systems, chosen by name."""

from __future__ import annotations

import importlib
from collections.abc import Callable, Sequence

from vaultkit.diagnostics import Diagnostic
from vaultkit.report.summary import RunSummary

Reporter = Callable[[Sequence[Diagnostic], RunSummary], str]

# name -> the module whose `render` it is, imported when chosen: a run prints one format
REPORTER_MODULES = {
    "text": "text",
    "json": "json_report",
    "github": "github",
    "sarif": "sarif",
    "junit": "junit",
}


def reporter(name: str) -> Reporter:
    render: Reporter = importlib.import_module(f"vaultkit.report.{REPORTER_MODULES[name]}").render
    return render


__all__ = ("REPORTER_MODULES", "RunSummary", "reporter")
