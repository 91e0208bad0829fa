"""JUnit XML: one test case per note checked, a failure per diagnostic (Jenkins, GitLab, Azure read it)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from xml.etree import ElementTree as ET

from vaultkit.diagnostics import Diagnostic
from vaultkit.report.summary import RunSummary


def render(diagnostics: Sequence[Diagnostic], summary: RunSummary) -> str:
    by_note: dict[str, list[Diagnostic]] = defaultdict(list)
    for d in diagnostics:
        by_note[d.path].append(d)
    suite = ET.Element(
        "testsuite",
        name="vaultkit",
        tests=str(max(summary.notes, len(by_note))),
        failures=str(len(by_note)),
        errors="0",
    )
    for path, found in sorted(by_note.items()):
        case = ET.SubElement(suite, "testcase", classname="vaultkit", name=path, file=path)
        for d in found:
            failure = ET.SubElement(case, "failure", type=d.code, message=f"{d.line}:{d.col}: {d.code} {d.message}")
            failure.text = f"{d.path}:{d.line}:{d.col}: {d.code} {d.message}"
    passed = summary.notes - len(by_note)
    if passed > 0:
        ET.SubElement(suite, "testcase", classname="vaultkit", name=f"{passed} other notes")
    suites = ET.Element("testsuites", name="vaultkit", tests=suite.get("tests", "0"), failures=str(len(by_note)))
    suites.append(suite)
    ET.indent(suites)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(suites, encoding="unicode") + "\n"
