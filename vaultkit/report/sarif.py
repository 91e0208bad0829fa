"""SARIF 2.1.0, as GitHub code scanning and other CI systems read it."""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from vaultkit import __version__
from vaultkit.diagnostics import Diagnostic
from vaultkit.report.summary import RunSummary
from vaultkit.rules import RULES

SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"


def render(diagnostics: Sequence[Diagnostic], summary: RunSummary) -> str:
    codes = sorted(RULES)
    rules = [_rule(code) for code in codes]
    results = [_result(d, codes) for d in diagnostics]
    doc = {
        "$schema": SCHEMA,
        "version": "2.1.0",
        "runs": [
            {
                "tool": {
                    "driver": {
                        "name": "vaultkit",
                        "version": __version__,
                        "informationUri": "https://github.com/vaultkit/vaultkit",
                        "rules": rules,
                    }
                },
                "results": results,
                "columnKind": "unicodeCodePoints",
            }
        ],
    }
    return json.dumps(doc, indent=2, ensure_ascii=False) + "\n"


def _rule(code: str) -> dict[str, Any]:
    rule = RULES[code]
    return {
        "id": code,
        "name": rule.name,
        "shortDescription": {"text": rule.summary},
        "fullDescription": {"text": rule.summary},
        "help": {"text": rule.docs, "markdown": rule.docs},
        "defaultConfiguration": {"level": "error" if rule.severity == "error" else "warning"},
    }


def _result(d: Diagnostic, codes: list[str]) -> dict[str, Any]:
    result: dict[str, Any] = {
        "ruleId": d.code,
        "level": "error" if d.severity == "error" else "warning",
        "message": {"text": d.message},
        "locations": [
            {
                "physicalLocation": {
                    "artifactLocation": {"uri": d.path.replace(" ", "%20")},
                    "region": {"startLine": d.line, "startColumn": d.col},
                }
            }
        ],
    }
    if d.code in codes:
        result["ruleIndex"] = codes.index(d.code)
    return result
