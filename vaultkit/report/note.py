"""The report note: current problems as a Markdown note inside the vault, readable in Obsidian.

Grouped by note; each entry links to the note, to the heading above the problem, or to the block it sits
on. Rewritten only when its content changes; never linted or linked (the vault listing leaves it out).
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Mapping, Sequence

from vaultkit.diagnostics import Diagnostic
from vaultkit.edits import write_generated
from vaultkit.engine import RunResult, Session
from vaultkit.facts import NoteFacts
from vaultkit.note import REPORT_MARKER
from vaultkit.report.text import printable
from vaultkit.vault import nameable

_LINK_UNSAFE = re.compile(r"[#|^:%\[\]\\]+")


def render(diagnostics: Sequence[Diagnostic], facts: Mapping[str, NoteFacts], notes: int) -> str:
    by_note: dict[str, list[Diagnostic]] = defaultdict(list)
    for d in diagnostics:
        by_note[d.path].append(d)
    lines = [REPORT_MARKER, "# vaultkit report", ""]
    in_notes = f"{notes} note" if notes == 1 else f"{notes} notes"  # as the summary line says it
    if not diagnostics:
        lines.append(f"No problems in {in_notes}.")
    else:
        problems = "1 problem" if len(diagnostics) == 1 else f"{len(diagnostics)} problems"
        lines.append(f"{problems} in {len(by_note)} of {in_notes}.")
    for rel in sorted(by_note):
        target = rel[:-3] if rel.endswith(".md") else rel
        linkable = rel.endswith(".md") and nameable(rel) and _NOT_A_TARGET.search(target) is None
        lines += ["", f"## [[{target}]]" if linkable else f"## {_as_text(rel)}", ""]
        for d in by_note[rel]:
            anchor = _anchor(facts.get(rel), d.line)
            where = f"[[{target}{anchor}|line {d.line}]]" if linkable else f"line {d.line}"
            lines.append(f"- {where} `{d.code}` {_escape(printable(d.message))}")
    return "\n".join(lines) + "\n"


# A name no wikilink can hold as it is (Linux allows them all): `|` and `#` and `^` end the target, `[[`
# and `]]` the link, a line break the paragraph, and a backtick or `%%` pairs with another into code or a
# comment (as `linker` will link no such name); nor one that begins or ends with a space (`vault.nameable`)
_NOT_A_TARGET = re.compile(r"[|#^\[\]`\x00-\x1f\x7f]|%%")
_MARKDOWN = re.compile(r"([\\`*_{}\[\]()#+\-.!|<>^~=%$:&])")


def _as_text(rel: str) -> str:
    """A path as plain text in Markdown: control characters spelled out, punctuation escaped."""
    return _MARKDOWN.sub(r"\\\1", printable(rel))


def _anchor(facts: NoteFacts | None, line: int) -> str:
    if facts is None:
        return ""
    for block in facts.block_ids:
        if block.line == line:
            return f"#^{block.ident}"
    above = [(ln, text) for text, ln, _level in facts.headings if ln <= line]
    if not above:
        return ""
    heading = _LINK_UNSAFE.sub(" ", max(above)[1]).strip()
    return f"#{' '.join(heading.split())}" if heading else ""


def _escape(message: str) -> str:
    """A message as text of the report: no link (`[[Meituan]]` quoted in it), and nothing that hides the
    rest. A message quotes what a note holds (`tags: '%%todo' contains '%'`), and a `%%` or `<!--` in it
    opened a comment, a `$$` a math block, that hid every note after it in Obsidian: the second `%` or `$`
    is escaped (`%\\%` reads `%%`) and the `<` written `&lt;`."""
    unlinked = message.replace("[[", "\\[\\[").replace("]]", "\\]\\]")
    return _HIDES_THE_REST.sub(lambda m: "&lt;" if m[0] == "<" else "\\" + m[0], unlinked)


_HIDES_THE_REST = re.compile(r"(?<=%)%|(?<=\$)\$|<(?=!--)")


def write_report_note(session: Session, result: RunResult, whole_vault: bool) -> str | None:
    """Write the report note of a run; what the command says of it (`vaultkit: R.md not updated: ...`), or
    None."""
    rel = session.report_note
    if rel is None:
        return None
    if not whole_vault:
        return f"vaultkit: {rel} not updated: it lists the whole vault, and this run checked part of it"
    return write_note_text(session, render(result.diagnostics, result.facts, result.notes_in_vault))


def write_note_text(session: Session, content: str) -> str | None:
    """Write the report note; why it was not written (`vaultkit: R.md: ...`), or None."""
    rel = session.report_note
    if rel is None:
        return None
    outcome = write_generated(session.root, rel, content, REPORT_MARKER)
    return f"vaultkit: {rel}: {outcome.message}" if outcome.message else None


__all__ = ("render", "write_report_note")
