"""JSON: a stable document for scripts, described by tests/data/vaultkit-report.schema.json (and the README).

{"version": 1, "tool": {"name", "version"}, "summary": {"notes_checked", "notes_in_vaults", "problems",
"errors", "warnings", "fixable", "by_code": {CODE: count}}, "diagnostics": [{"path", "line", "column",
"code", "rule", "severity", "message", "fixable", "fix"?: {"description", "safe"}}]}

`version` changes only when a field is removed or changes meaning; new fields may appear at any time.
"""

from __future__ import annotations

import json
import operator
from collections import Counter
from collections.abc import Callable, Iterator, Sequence

from vaultkit import __version__
from vaultkit.diagnostics import Diagnostic
from vaultkit.report import PathShown, as_found, shown_runs
from vaultkit.report.summary import RunSummary
from vaultkit.rules import RULES

SCHEMA_VERSION = 1
CHUNK = 2000  # diagnostics a piece of the text holds


def render(diagnostics: Sequence[Diagnostic], summary: RunSummary) -> str:
    return "".join(chunks(diagnostics, summary))


def chunks(diagnostics: Sequence[Diagnostic], summary: RunSummary) -> Iterator[str]:
    """The report's text in pieces, to be written as they come: a 50,000-note vault's report is 100 MB, and
    holding its parts, their join and its encoding at once took 300 MB."""
    # each code with its severity counted at C speed: a pass over the ~60,000 diagnostics of a large vault
    # for each count took 0.1 s
    kinds: Counter[tuple[str, str]] = Counter(map(_kind, as_found(diagnostics)))
    by_code: Counter[str] = Counter()
    severities: Counter[str] = Counter()
    for (code, severity), n in kinds.items():
        by_code[code] += n
        severities[severity] += n
    head = {
        "version": SCHEMA_VERSION,
        "tool": {"name": "vaultkit", "version": __version__},
        "summary": {
            "notes_checked": summary.notes,
            "notes_in_vaults": summary.vault_notes,
            "problems": len(diagnostics),
            "errors": severities["error"],
            "warnings": severities["warning"],
            "fixable": sum(1 for d in as_found(diagnostics) if d.fix is not None),
            "by_code": dict(sorted(by_code.items())),
        },
    }
    # The text of json.dumps({**head, "diagnostics": [...]}), built a diagnostic at a time: a dict for every
    # diagnostic at once took 240 MB on a 50,000-note vault, and json.dumps of 60,000 dicts 0.4 s (this
    # takes a quarter of that). No indent: pipe through `jq` to read it.
    rule_names = {code: _string(rule.name) for code, rule in RULES.items()}
    yield f'{_dumps(head)[:-1]}, "diagnostics": ['
    first = True
    for found, shown in shown_runs(diagnostics):  # each vault's as found, each path made as shown once
        paths: dict[str, str] = {}
        for start in range(0, len(found), CHUNK):
            part = ", ".join([_item(d, rule_names, paths, shown) for d in found[start : start + CHUNK]])
            yield part if first else f", {part}"
            first = False
    yield "]}\n"


def _item(d: Diagnostic, rule_names: dict[str, str], paths: dict[str, str], shown: PathShown | None) -> str:
    """`json.dumps(d.to_json() | {"rule": name})`, spelled out: the same text, tests/test_reporters.py.
    `paths`: each path as shown, as JSON, made once (a note has several diagnostics)."""
    rule = rule_names.get(d.code, '""')  # a code no rule has: the empty name, as before
    path = paths.get(d.path)
    if path is None:
        path = paths[d.path] = _string(d.path if shown is None else shown(d.path))
    fix = d.fix
    fixed = (
        "false"
        if fix is None
        else (f'true, "fix": {{"description": {_string(fix.description)}, "safe": {_BOOL[fix.safe]}}}')
    )
    return (
        f'{{"path": {path}, "line": {d.line:d}, "column": {d.col:d}, "code": {_string(d.code)}, '
        f'"severity": {_string(str(d.severity))}, "message": {_string(d.message)}, "fixable": {fixed}, '
        f'"rule": {rule}}}'
    )


_BOOL = {True: "true", False: "false"}
_kind: Callable[[Diagnostic], tuple[str, str]] = operator.itemgetter(3, 5)  # code, severity
_string: Callable[[str], str] = json.encoder.encode_basestring


def _dumps(value: object) -> str:
    return json.dumps(value, ensure_ascii=False)
