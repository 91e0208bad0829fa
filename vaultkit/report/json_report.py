"""JSON: a stable, documented document (see README "Output formats").

{"version": 1, "tool": "vaultkit", "summary": {...}, "diagnostics": [{"path", "line", "column", "code",
"rule", "severity", "message", "fixable", "fix"?}]}
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Sequence

from vaultkit import __version__
from vaultkit.diagnostics import Diagnostic
from vaultkit.report.summary import RunSummary
from vaultkit.rules import RULES

SCHEMA_VERSION = 1


def render(diagnostics: Sequence[Diagnostic], summary: RunSummary) -> str:
    items = []
    for d in diagnostics:
        item = d.to_json()
        rule = RULES.get(d.code)
        item["rule"] = rule.name if rule else ""
        items.append(item)
    doc = {
        "version": SCHEMA_VERSION,
        "tool": {"name": "vaultkit", "version": __version__},
        "summary": {
            "notes_checked": summary.notes,
            "problems": len(diagnostics),
            "errors": sum(1 for d in diagnostics if d.severity == "error"),
            "warnings": sum(1 for d in diagnostics if d.severity == "warning"),
            "fixable": sum(1 for d in diagnostics if d.fix is not None),
            "by_code": dict(sorted(Counter(d.code for d in diagnostics).items())),
        },
        "diagnostics": items,
    }
    return json.dumps(doc, indent=2, ensure_ascii=False) + "\n"
