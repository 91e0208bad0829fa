"""GitHub Actions workflow commands: `::error file=…,line=…,col=…,title=…::message`."""

from __future__ import annotations

from collections.abc import Sequence

from vaultkit.diagnostics import Diagnostic
from vaultkit.report.summary import RunSummary
from vaultkit.report.text import printable
from vaultkit.rules import RULES


def _escape_data(text: str) -> str:
    escaped = text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")
    return printable(escaped)  # and no raw ESC or NUL reaches the log


def _escape_property(text: str) -> str:
    return _escape_data(text).replace(":", "%3A").replace(",", "%2C")


def render(diagnostics: Sequence[Diagnostic], summary: RunSummary) -> str:
    lines = []
    for d in diagnostics:
        level = "error" if d.severity == "error" else "warning"
        rule = RULES.get(d.code)
        title = f"{d.code} {rule.name}" if rule else d.code
        props = f"file={_escape_property(d.path)},line={d.line},col={d.col},title={_escape_property(title)}"
        lines.append(f"::{level} {props}::{_escape_data(d.code + ' ' + d.message)}")
    return "".join(line + "\n" for line in lines)
