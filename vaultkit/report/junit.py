"""JUnit XML (Jenkins, GitLab, Azure Pipelines read it): one test case per note, failing with its problems.

A note with problems is a test case with one `<failure>` (several `<failure>` elements in one test case
are outside the JUnit schema most readers follow): the message counts them, the text lists them one per
line as `path:line:col: CODE message`. Notes without problems are test cases of their own when the run
lists them (`RunSummary.checked`), else one test case stands for all of them. `tests` and `failures` always
equal the number of test cases and of failing ones.
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from collections.abc import Sequence
from xml.etree import ElementTree as ET

from vaultkit.diagnostics import Diagnostic
from vaultkit.report.summary import RunSummary
from vaultkit.report.text import counted

CLASSNAME = "vaultkit"
# Characters XML 1.0 cannot hold, even escaped; lone surrogates come from undecodable file names.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def _xml(text: str) -> str:
    return _NOT_XML.sub("\ufffd", text)


def render(diagnostics: Sequence[Diagnostic], summary: RunSummary) -> str:
    by_note: dict[str, list[Diagnostic]] = defaultdict(list)
    for d in diagnostics:
        by_note[d.path].append(d)
    suite = ET.Element("testsuite", name="vaultkit")
    for path, found in sorted(by_note.items()):
        case = ET.SubElement(suite, "testcase", classname=CLASSNAME, name=_xml(path), file=_xml(path))
        codes = Counter(d.code for d in found)
        what = ", ".join(f"{code} x{n}" if n > 1 else code for code, n in sorted(codes.items()))
        noun = "problem" if len(found) == 1 else "problems"
        failure = ET.SubElement(case, "failure", type=found[0].code, message=f"{len(found)} {noun}: {what}")
        failure.text = _xml("\n".join(f"{d.path}:{d.line}:{d.col}: {d.code} {d.message}" for d in found))
    passed = [p for p in summary.checked if p not in by_note]
    for path in sorted(passed):
        ET.SubElement(suite, "testcase", classname=CLASSNAME, name=_xml(path), file=_xml(path))
    others = summary.notes - len(by_note) - len(passed)
    if not summary.checked and others > 0:
        ET.SubElement(
            suite,
            "testcase",
            classname=CLASSNAME,
            name=f"{counted(others, 'other note')}: no problems",
        )
    tests = str(len(suite))
    failures = str(len(by_note))
    suite.attrib.update(tests=tests, failures=failures, errors="0", skipped="0")
    suites = ET.Element("testsuites", name="vaultkit", tests=tests, failures=failures, errors="0")
    suites.append(suite)
    ET.indent(suites)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(suites, encoding="unicode") + "\n"
