"""JSON: a stable document for scripts, described by tests/data/vaultkit-report.schema.json (and the README).

{"version": 1, "tool": {"name", "version"}, "summary": {"notes_checked", "notes_in_vaults", "problems",
"errors", "warnings", "fixable", "by_code": {CODE: count}}, "diagnostics": [{"path", "line", "column",
"code", "rule", "severity", "message", "fixable", "fix"?: {"description", "safe"}}]}

`version` changes only when a field is removed or changes meaning; new fields may appear at any time.
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


CHUNK = 1000  # diagnostics encoded at a time


def render(diagnostics: Sequence[Diagnostic], summary: RunSummary) -> str:
    head = {
        "version": SCHEMA_VERSION,
        "tool": {"name": "vaultkit", "version": __version__},
        "summary": {
            "notes_checked": summary.notes,
            "notes_in_vaults": summary.vault_notes,
            "problems": len(diagnostics),
            "errors": sum(1 for d in diagnostics if d.severity == "error"),
            "warnings": sum(1 for d in diagnostics if d.severity == "warning"),
            "fixable": sum(1 for d in diagnostics if d.fix is not None),
            "by_code": dict(sorted(Counter(d.code for d in diagnostics).items())),
        },
    }
    # The text of json.dumps({**head, "diagnostics": [...]}), built a chunk of diagnostics at a time: a
    # dict for every diagnostic at once took 240 MB on a 50,000-note vault. No indent: the C encoder is
    # used, ten times faster on large vaults. Pipe through `jq` to read it.
    pieces = [_dumps(head)[:-1], ', "diagnostics": [']
    for start in range(0, len(diagnostics), CHUNK):
        items = [_item(d) for d in diagnostics[start : start + CHUNK]]
        pieces.extend((", " if start else "", _dumps(items)[1:-1]))
    pieces.append("]}\n")
    return "".join(pieces)


def _item(d: Diagnostic) -> dict[str, object]:
    item = d.to_json()
    rule = RULES.get(d.code)
    item["rule"] = rule.name if rule else ""
    return item


def _dumps(value: object) -> str:
    return json.dumps(value, ensure_ascii=False)
