"""Reporters turn a list of diagnostics into text for people or for CI systems, chosen by name."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from types import MappingProxyType

from vaultkit.diagnostics import Diagnostic
from vaultkit.report import github, json_report, junit, sarif, text
from vaultkit.report.summary import RunSummary

Reporter = Callable[[Sequence[Diagnostic], RunSummary], str]

REPORTER_BY_NAME: Mapping[str, Reporter] = MappingProxyType(
    {
        "text": text.render,
        "json": json_report.render,
        "github": github.render,
        "sarif": sarif.render,
        "junit": junit.render,
    }
)

__all__ = ("REPORTER_BY_NAME", "RunSummary")
