"""SARIF 2.1.0, as GitHub code scanning and other CI systems read it.

Paths are relative URI references (percent-encoded) against the base id `%SRCROOT%`, which
`originalUriBaseIds` maps to the folder vaultkit ran in: run it from the repository root, as code scanning
expects. A path outside that folder is written as an absolute `file:` URI. Columns count Unicode code points.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any
from urllib.parse import quote

from vaultkit import __version__
from vaultkit.diagnostics import Diagnostic
from vaultkit.report.summary import RunSummary
from vaultkit.rules import RULES

SCHEMA = "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json"
SRCROOT = "%SRCROOT%"
INFORMATION_URI = "https://github.com/vaultkit/vaultkit"


CHUNK = 2000  # results a piece of the text holds
_RESULTS = "\x00results\x00"  # stands for the results in the document's text, which comes in pieces


def render(diagnostics: Sequence[Diagnostic], summary: RunSummary) -> str:
    return "".join(chunks(diagnostics, summary))


def chunks(diagnostics: Sequence[Diagnostic], summary: RunSummary) -> Iterator[str]:
    """The document's text in pieces, written as they come: built whole, a dict of dicts for each result,
    200,000 problems took 830 MB (a 60 MB report)."""
    codes = sorted(RULES)
    index = {code: i for i, code in enumerate(codes)}
    doc = {
        "$schema": SCHEMA,
        "version": "2.1.0",
        "runs": [
            {
                "tool": {
                    "driver": {
                        "name": "vaultkit",
                        "version": __version__,
                        "semanticVersion": __version__,
                        "informationUri": INFORMATION_URI,
                        "rules": [_rule(code) for code in codes],
                    }
                },
                "invocations": [{"executionSuccessful": True}],
                "originalUriBaseIds": {SRCROOT: {"uri": _folder_uri(Path.cwd())}},
                "results": _RESULTS,
                "columnKind": "unicodeCodePoints",
            }
        ],
    }
    # No indent: the C encoder is used (as for --format json); SARIF is read by tools, not people.
    head, _, tail = json.dumps(doc, ensure_ascii=False).partition(json.dumps(_RESULTS))
    yield f"{head}["
    for start in range(0, len(diagnostics), CHUNK):
        part = ", ".join([_dumps(_result(d, index)) for d in diagnostics[start : start + CHUNK]])
        yield f", {part}" if start else part
    yield f"]{tail}\n"


def _dumps(value: object) -> str:
    return json.dumps(value, ensure_ascii=False)


def artifact_location(path: str) -> dict[str, str]:
    """A SARIF artifactLocation for a displayed path (relative to the current folder, or absolute)."""
    native = Path(path)
    if native.is_absolute():
        return {"uri": native.as_uri()}
    # Any surrogate (an undecodable byte of a name, as os.fsdecode keeps it) is percent-encoded as its byte.
    # None reaches here today: a name that is not UTF-8 is spelled out (`bad\xff.md`, vault.shown_bytes)
    # before any reporter sees it, and its URI is that text, valid but naming no file (VK201 says rename it).
    return {"uri": quote(path, safe="/", errors="surrogateescape"), "uriBaseId": SRCROOT}


def _folder_uri(folder: Path) -> str:
    uri = folder.resolve().as_uri()
    return uri if uri.endswith("/") else uri + "/"


def _rule(code: str) -> dict[str, Any]:
    rule = RULES[code]
    return {
        "id": code,
        "name": rule.name,
        "shortDescription": {"text": rule.summary},
        "fullDescription": {"text": rule.summary},
        "help": {"text": rule.docs, "markdown": rule.docs},
        "defaultConfiguration": {"level": _level(str(rule.severity))},
        "properties": {"fixable": rule.fixable},
    }


def _level(severity: str) -> str:
    return "error" if severity == "error" else "warning"


def _result(d: Diagnostic, index: dict[str, int]) -> dict[str, Any]:
    result: dict[str, Any] = {
        "ruleId": d.code,
        "level": _level(str(d.severity)),
        "message": {"text": d.message},
        "locations": [
            {
                "physicalLocation": {
                    "artifactLocation": artifact_location(d.path),
                    "region": {"startLine": max(d.line, 1), "startColumn": max(d.col, 1)},
                }
            }
        ],
    }
    if d.code in index:
        result["ruleIndex"] = index[d.code]
    return result
