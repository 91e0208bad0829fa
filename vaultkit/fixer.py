"""Turn fixable diagnostics into written notes (through the one writer) or into a unified diff."""

from __future__ import annotations

import dataclasses
import difflib
import functools
import hashlib
import os
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Literal

from vaultkit.background import map_forked
from vaultkit.diagnostics import Diagnostic, Edit, Fix, RelationsFix
from vaultkit.edits import (
    RUN_AGAIN,
    WriteResult,
    apply_text,
    folders_synced_at_end,
    plan_write,
    remove_orphans,
    write_note,
)
from vaultkit.facts import NoteFacts
from vaultkit.note import BOM
from vaultkit.timing import mark
from vaultkit.verify import Cleared, check_edits

if TYPE_CHECKING:
    from vaultkit.engine import RunResult

RELATION = "VK121"  # its fixes answer links: written only once the links they answer are in the notes


FORKED_PLAN = 1000  # notes to plan from which forked processes share the work (reading and checking each)


@dataclass
class FixOutcome:
    written: list[str] = field(default_factory=list)
    refused: list[WriteResult] = field(default_factory=list)
    linked: set[str] = field(default_factory=set)  # of `written`: gained a link, not only relations
    lost: set[str] = field(default_factory=set)  # of `refused`: their writer process died before them
    # each writer process that died: how, notes lost
    deaths: list[tuple[str, int]] = field(default_factory=list)

    def then(self, later: FixOutcome) -> FixOutcome:
        """This outcome followed by a later round's: each note written once, each refusal said once."""
        refused = {(r.rel, r.message): r for r in self.refused + later.refused}
        written = sorted({*self.written, *later.written})
        return FixOutcome(
            written,
            [refused[k] for k in sorted(refused)],
            self.linked | later.linked,
            self.lost | later.lost,
            self.deaths + later.deaths,
        )


def fix_in_rounds(
    root: Path,
    first: RunResult,
    again: Callable[[frozenset[str]], RunResult],
    wanted: Callable[[Diagnostic], bool],
    managed_property: str,
    *,
    jobs: int | None = None,
) -> FixOutcome:
    """Apply the wanted safe fixes of `first`, a run that counts the links it is about to insert
    (RunOptions.preview): its relations are those of the vault once they are written.

    The links go first. A relation answers a link in another note, so it is written only once that link
    is: when a note's links were not all written (refused: read-only, changed meanwhile, unsafe), the
    relations are found again by `again(those notes)`, a run that does not count their links, on the vault
    as it now is. Otherwise `first`'s relations stand, each moved past the links written before it in its
    note. (Finding them again at every run analysed a vault a second time: a quarter of linking one.)
    A note's relations are one edit, as `link --diff` shows them. Returns what was written or refused."""
    chosen = [d for d in (*first.diagnostics, *first.beyond) if wanted(d)]
    links = edits_by_note(d for d in chosen if d.code != RELATION)
    digests = {rel: first.facts[rel].digest for rel in links}
    outcome, now = apply_fixes(root, digests, links, managed_property, cleared=first.cleared, jobs=jobs)
    outcome.linked.update(outcome.written)
    mark("write links")
    unwritten = frozenset(rel for rel in links if rel not in now)
    if unwritten:
        last = again(unwritten)
        relations = edits_by_note(
            d for d in (*last.diagnostics, *last.beyond) if wanted(d) and d.code == RELATION
        )
        # a note refused as changed since it was read stays refused: it is not written in this run, and
        # gets no relation found in the text read again (changed back by then, the note would take that
        # text's edits at the first text's offsets)
        relations = {
            rel: edits
            for rel, edits in relations.items()
            if rel not in unwritten or _digest(last, rel) == first.facts[rel].digest
        }
        read = {rel: (first if rel in unwritten else last).facts[rel] for rel in relations}
        digests = {rel: facts.digest for rel, facts in read.items()}
        kept = {rel: facts.kept for rel, facts in read.items()}
    else:  # `first`'s edits, on notes some of which now hold their new links
        relations = edits_by_note(d for d in chosen if d.code == RELATION)
        relations = {rel: _after(links.get(rel, []), edits) for rel, edits in relations.items()}
        digests = {rel: now.get(rel) or first.facts[rel].digest for rel in relations}
        kept = {rel: first.facts[rel].kept for rel in relations if rel not in now}  # of the text parsed
    # a note whose writer died is not written again in this run (it may hold its new links: unknown)
    relations = {rel: edits for rel, edits in relations.items() if rel not in outcome.lost}
    later, _ = apply_fixes(root, digests, relations, managed_property, kept=kept, jobs=jobs)
    mark("write relations")
    return outcome.then(later)


def _digest(result: RunResult, rel: str) -> str | None:
    """The digest of the note's text `result` read, if it read it."""
    facts = result.facts.get(rel)
    return None if facts is None else facts.digest


def _after(written: Sequence[Edit], edits: Sequence[Edit]) -> list[Edit]:
    """`edits`, made on a text, moved to where they fall once `written` (edits of the same text that touch
    none of them: the links in the body, a relation in the frontmatter) are applied to it."""
    moved = []
    for e in edits:
        shift = sum(
            len(w.text) - (w.end - w.start) for w in written if w.end <= e.start and w.start < e.start
        )
        moved.append(Edit(e.start + shift, e.end + shift, e.text))
    return moved


@dataclass
class Preview:
    """What fix_in_rounds would write, computed without writing."""

    texts: dict[str, str] = field(default_factory=dict)  # rel -> the note's text now ("" if not kept)
    edits: dict[str, list[Edit]] = field(default_factory=dict)  # rel -> the edits that would be written
    refused: list[WriteResult] = field(default_factory=list)
    keep_texts: bool = True  # False (link --check): only which notes would change; 250 MB less at 50k notes
    linked: set[str] = field(default_factory=set)  # of `edits`: would gain a link, not only relations
    boms: set[str] = field(default_factory=set)  # notes that start with a BOM (not in their texts): kept

    def new_text(self, rel: str) -> str:
        return apply_text(self.texts[rel], self.edits[rel])


def preview_in_rounds(
    root: Path,
    first: RunResult,
    again: Callable[[frozenset[str]], RunResult],
    wanted: Callable[[Diagnostic], bool],
    managed_property: str,
    *,
    keep_texts: bool = True,
    jobs: int | None = None,
) -> Preview:
    """fix_in_rounds, written nowhere: each round's edits go through the writer's own checks
    (edits.plan_write, with the same verification), so the preview holds exactly what would be written.
    `first` is a run that counts every new link (RunOptions.preview); when some note's links would be
    refused, the relations come from `again(those notes)`, a run that does not count their links.

    Every edit goes through the writer's whole verification, `link --check` included: a note whose link the
    second Markdown parse refuses is refused in the preview as in `link`, and the relations that answer its
    link are not shown either.
    Many notes are planned in `jobs` forked processes (see background.map_forked). Without `keep_texts`
    (`link --check`), the preview says which notes would change, without their texts.

    `first`'s diagnostics are let go once their edits are grouped by note (its `diagnostics` and `beyond`
    are emptied): nothing after needs them, and each unlinked mention's diagnostic, fix and tuple of edits
    held ~200 bytes beside its edit while the notes were planned (~45 MB of `link --check` on 50,000
    notes, where the planners forked at that size)."""
    plan = functools.partial(_plan_writes, root, managed=managed_property, jobs=jobs)
    preview = Preview(keep_texts=keep_texts)
    links, relations = _grouped(first, wanted)
    plan(first.facts, links, into=preview, cleared=first.cleared)
    preview.linked = set(preview.edits)
    del links
    first.cleared = {}  # the relations touch no body
    mark("preview links")
    last = first
    blocked = frozenset(r.rel for r in preview.refused)
    if blocked:
        relations = {}  # found again, by a run that does not count the refused notes' links
        last = again(blocked)
        relations = _grouped(last, wanted)[1]
    plan(last.facts, _edits(relations), into=preview)
    mark("preview relations")
    once = {(r.rel, r.message): r for r in preview.refused}  # a note refused in both rounds is said once
    preview.refused = [once[k] for k in sorted(once)]
    return preview


Fixes = dict[str, list[Fix | RelationsFix]]  # rel -> its wanted safe fixes


def _grouped(result: RunResult, wanted: Callable[[Diagnostic], bool]) -> tuple[dict[str, list[Edit]], Fixes]:
    """The wanted fixes' edits of the links, and the fixes of the relations, by note; `result`'s
    diagnostics are emptied, each let go as its edit or fix is taken: a fix makes its edit when asked
    (`Fix.edits`), and the edits of ~230,000 mentions made while every diagnostic was held would be a new
    peak of `link --check` on 50,000 notes. The relations' edits are made for their own round (`_edits`):
    their text is ~20 MB of it, not needed while the links are planned."""
    pending = [*result.diagnostics, *result.beyond]
    result.diagnostics, result.beyond = [], []
    pending.reverse()  # taken from the end: in order
    links: dict[str, list[Edit]] = defaultdict(list)
    relations: Fixes = defaultdict(list)
    while pending:
        d = pending.pop()
        if d.fix is None or not d.fix.safe or not wanted(d):
            continue
        if d.code == RELATION:
            relations[d.path].append(d.fix)
        else:
            links[d.path].extend(d.fix.edits)
    return dict(links), dict(relations)


def _edits(fixes: Fixes) -> dict[str, list[Edit]]:
    """The fixes' edits, by note."""
    return {rel: [e for fix in found for e in fix.edits] for rel, found in fixes.items()}


def _plan_writes(
    root: Path,
    facts: dict[str, NoteFacts],
    plan: dict[str, list[Edit]],
    *,
    managed: str,
    into: Preview,
    jobs: int | None,
    cleared: Mapping[str, Cleared] | None = None,
) -> None:
    """Add to `into` the writes `plan` would make, each checked as the writer checks it (of a relation edit,
    against what the parse recorded of the frontmatter: plan_write checks first that the note holds what
    was parsed). A note's link and relation edits are checked apart, as the two rounds write them; they
    touch different parts of the note (body, frontmatter), so the edits of both rounds apply to its text as
    it is now. `cleared`: the links of notes that the parse recorded as touching nothing it protects
    (`RunResult.cleared`): the check of a note whose digest it has need not scan it for them."""
    known = cleared or {}

    def plan_notes(rels: Sequence[str]) -> list[tuple[str, WriteResult | tuple[str, bool]]]:
        out: list[tuple[str, WriteResult | tuple[str, bool]]] = []
        for rel in rels:
            note = facts[rel]
            clear = _vouched(known, rel, note.digest)
            verify = functools.partial(check_edits, managed=managed, kept=note.kept, clear=clear)
            planned = plan_write(root, rel, note.digest, plan[rel], verify)
            if isinstance(planned, WriteResult):
                out.append((rel, planned))
            else:
                out.append((rel, (planned.text if into.keep_texts else "", planned.bom)))
        return out

    rels = sorted(plan)
    for rel, planned in map_forked(plan_notes, rels, _parts(jobs, len(rels))):
        edits = plan[rel]
        if isinstance(planned, WriteResult):
            if planned.message:
                into.refused.append(planned)
            continue
        text, bom = planned
        into.texts.setdefault(rel, text)
        if bom:
            into.boms.add(rel)
        into.edits.setdefault(rel, []).extend(edits)


def edits_by_note(diagnostics: Iterable[Diagnostic]) -> dict[str, list[Edit]]:
    out: dict[str, list[Edit]] = defaultdict(list)
    for d in diagnostics:
        if d.fix is not None and d.fix.safe:
            out[d.path].extend(d.fix.edits)
    return dict(out)


def apply_fixes(
    root: Path,
    digests: Mapping[str, str],
    plan: dict[str, list[Edit]],
    managed_property: str,
    *,
    kept: Mapping[str, str] | None = None,
    cleared: Mapping[str, Cleared] | None = None,
    jobs: int | None = None,
) -> tuple[FixOutcome, dict[str, str]]:
    """Write each note's edits through the writer, if the note still has the content hashed as `digests`
    (and whose frontmatter, parsed with that content, `kept` recorded: NoteFacts.kept); also returns the
    hash of what each note written now holds. Many notes are written by `jobs` forked
    processes, each a slice (background.map_forked): the writer's own checks (a read, a hash, a second
    Markdown parse) are most of a write's time, and the writers' final compare-and-replace is serialised by
    the vault lock as it is between any two vaultkit processes. `cleared`: as `_plan_writes` takes it."""
    recorded, known = kept or {}, cleared or {}
    outcome, now = FixOutcome(), {}

    def write(rels: Sequence[str]) -> Iterator[WriteResult]:
        with folders_synced_at_end():  # in each process: a forked writer flushes the folders it wrote to
            for rel in rels:  # one at a time: a forked writer sends each result as it has it
                verify = functools.partial(
                    check_edits,
                    managed=managed_property,
                    kept=recorded.get(rel, ""),
                    clear=_vouched(known, rel, digests[rel]),
                )
                yield _slim(write_note(root, rel, digests[rel], plan[rel], verify))

    def lost(rels: Sequence[str], why: str) -> list[WriteResult]:
        """The notes a forked writer that died had not written (as far as is known): not written again here,
        where each would be refused as changed if the writer had written it just before it died."""
        outcome.lost.update(rels)
        outcome.deaths.append((why, len(rels)))
        remove_orphans(root, rels[0])  # the note it was writing, if any: killed, it could not clean up
        return [_lost(root, rel, digests[rel], why) for rel in rels]

    rels = sorted(plan)
    for result in map_forked(write, rels, _parts(jobs, len(rels)), lost):
        if result.written:
            outcome.written.append(result.rel)
            now[result.rel] = result.digest
        elif result.message:
            outcome.refused.append(result)
    return outcome, now


def _vouched(cleared: Mapping[str, Cleared], rel: str, digest: str) -> Cleared | None:
    """The note's cleared links if they were found in the text the write expects (`digest`: the writer
    checks that the note still holds it before it checks the edits); else None, and the note is scanned."""
    found = cleared.get(rel)
    return found if found is not None and found.digest == digest else None


def _lost(root: Path, rel: str, digest: str, why: str) -> WriteResult:
    """A note a writer process that died had not reported written: untouched if it holds what was read;
    else that writer died as it wrote it, and it holds either its text as read or the new one, whole."""
    try:
        untouched = hashlib.sha256((root / rel).read_bytes()).hexdigest() == digest
    except OSError:
        untouched = False
    if untouched:
        return WriteResult(rel, False, f"not written: the process writing it {why}{RUN_AGAIN}")
    return WriteResult(
        rel, False, f"not known whether written: the process writing it {why} (the note is whole){RUN_AGAIN}"
    )


def _parts(jobs: int | None, notes: int) -> int:
    """The processes that plan or write `notes` notes: several from FORKED_PLAN notes on, else this one."""
    from vaultkit.pool import choose_jobs

    return choose_jobs(jobs, notes) if notes >= FORKED_PLAN else 1


def _slim(result: WriteResult) -> WriteResult:
    """The result without the new text (a forked writer sends it back pickled)."""
    return dataclasses.replace(result, new_text=None)


def unified_diff(preview: Preview) -> str:
    """The preview's changes as a patch whose paths are the vault's, wherever it was made: `git apply` or
    `patch -p1` at the vault's root (a name quoted as `git diff` quotes it: `_diff_name`)."""
    chunks: list[str] = []
    for rel in sorted(preview.edits):
        bom = BOM if rel in preview.boms else ""  # part of the first line, or `git apply` fails there
        old, new = _diff_lines(bom + preview.texts[rel]), _diff_lines(bom + preview.new_text(rel))
        matcher = _EditedLines(old, new, preview.texts[rel], preview.edits[rel])
        chunks.extend(_hunks(old, new, matcher, _diff_name("a/", rel), _diff_name("b/", rel)))
    return "".join(c if c.endswith("\n") else c + "\n\\ No newline at end of file\n" for c in chunks)


_Opcode = tuple[Literal["replace", "delete", "insert", "equal"], int, int, int, int]


class _EditedLines(difflib.SequenceMatcher[str]):
    """The lines the edits change, known from the edits themselves, as difflib's opcodes. difflib's own
    matching treats a line found in more than 1% of a long note as junk (`autojunk`): 500 lines of
    `- [ ] task about it` between two links made one hunk of the whole note, where `git diff` makes two."""

    def __init__(self, old: list[str], new: list[str], text: str, edits: Sequence[Edit]) -> None:
        super().__init__(None, old, new, autojunk=False)
        self._opcodes = _edited_opcodes(old, new, text, edits)

    def get_opcodes(self) -> list[_Opcode]:
        return list(self._opcodes)


def _edited_opcodes(old: list[str], new: list[str], text: str, edits: Sequence[Edit]) -> list[_Opcode]:
    """The old and new lines each run of touching edits spans, their common first and last lines trimmed,
    between runs of lines left as they were; line numbers as `_diff_lines` counts them."""
    regions: list[list[int]] = []  # [first old line, end old line, lines added]
    for e in sorted(set(edits), key=lambda e: (e.start, e.end)):
        first, last = text.count("\n", 0, e.start), text.count("\n", 0, e.end) + 1
        added = e.text.count("\n") - text.count("\n", e.start, e.end)
        if regions and first < regions[-1][1]:  # the same line as the run before: one change
            regions[-1][1] = max(regions[-1][1], last)
            regions[-1][2] += added
        else:
            regions.append([first, last, added])
    codes: list[_Opcode] = []
    at_old = at_new = 0
    for first, last, added in regions:
        i1, j1 = first, at_new + first - at_old
        i2, j2 = (last, j1 + last - first + added) if last < len(old) else (len(old), len(new))
        i1, i2, j1, j2 = _trimmed(old, new, (i1, i2, j1, j2))
        if (i1, j1) == (i2, j2):
            continue
        if codes and codes[-1][0] != "equal" and (codes[-1][2], codes[-1][4]) == (i1, j1):
            # the line after the last change: one change, as git shows it. Trimmed again: the two can undo
            # each other's lines (a line feed taken out, one put back a line on), and show none changed
            _tag, at_old, _i2, at_new, _j2 = codes.pop()
            i1, i2, j1, j2 = _trimmed(old, new, (at_old, i2, at_new, j2))
        codes.append(("equal", at_old, i1, at_new, j1))
        if (i1, j1) != (i2, j2):
            codes.append(
                ("replace" if i1 < i2 and j1 < j2 else "delete" if i1 < i2 else "insert", i1, i2, j1, j2)
            )
        at_old, at_new = i2, j2
    codes.append(("equal", at_old, len(old), at_new, len(new)))
    codes = _joined_equal_runs(codes)
    if all(old[i1:i2] == new[j1:j2] for tag, i1, i2, j1, j2 in codes if tag == "equal"):
        return codes
    return difflib.SequenceMatcher(None, old, new, autojunk=False).get_opcodes()  # not expected: still right


_Span = tuple[int, int, int, int]  # a change's old lines i1:i2 and new lines j1:j2


def _trimmed(old: list[str], new: list[str], span: _Span) -> _Span:
    """A change's lines without the first and last lines its old and new lines share."""
    i1, i2, j1, j2 = span
    while i1 < i2 and j1 < j2 and old[i1] == new[j1]:
        i1, j1 = i1 + 1, j1 + 1
    while i2 > i1 and j2 > j1 and old[i2 - 1] == new[j2 - 1]:
        i2, j2 = i2 - 1, j2 - 1
    return i1, i2, j1, j2


def _joined_equal_runs(codes: list[_Opcode]) -> list[_Opcode]:
    """The opcodes without empty runs of equal lines, and with runs of equal lines side by side made one
    (difflib's grouping would show a run between two equal ones as a hunk of its own, changing nothing)."""
    joined: list[_Opcode] = []
    for code in codes:
        if code[0] != "equal":
            joined.append(code)
        elif joined and joined[-1][0] == "equal":
            joined[-1] = ("equal", joined[-1][1], code[2], joined[-1][3], code[4])
        elif code[1] < code[2]:
            joined.append(code)
    return joined


def _diff_name(side: str, rel: str) -> str:
    """A patch's name for the note, byte for byte as `git diff` writes it by default (quote.c,
    `quote_c_style`, `core.quotePath` on): a name holding a byte outside printable ASCII, a `"` or a
    backslash in double quotes, a control character's C escape (`"a/New\\nline.md"`) or the octal of
    each other such byte (`"a/Caf\\303\\251.md"`), `"` and `\\` escaped. Spelled out unquoted, a line feed
    made a name of its own, and `git apply` refused the whole patch ("No such file"); and no byte of the
    name reaches the terminal as a control. Otherwise as it is. A tab after a name with a space: `patch`
    ends a name at its first space unless a tab ends it (`a/Reading list.md` was "can't find file to
    patch"). `git apply` and `patch -p1` read both forms."""
    name = side + rel
    tab = "\t" if " " in name else ""  # after a quoted name too, as git writes it (diff.c: `name_a_tab`)
    if name.isascii() and name.isprintable() and '"' not in name and "\\" not in name:
        return name + tab
    return '"' + "".join(map(_quoted_byte, os.fsencode(name))) + '"' + tab


# quote.c's `cq_lookup`: the bytes written as a C escape; any other byte below 0x20 or from 0x7f, octal
_C_ESCAPES = {7: "\\a", 8: "\\b", 9: "\\t", 10: "\\n", 11: "\\v", 12: "\\f", 13: "\\r", 34: '\\"', 92: "\\\\"}


def _quoted_byte(byte: int) -> str:
    escaped = _C_ESCAPES.get(byte)
    if escaped is not None:
        return escaped
    return chr(byte) if 0x20 <= byte < 0x7F else f"\\{byte:03o}"


def _hunks(
    old: list[str], new: list[str], matcher: difflib.SequenceMatcher[str], name_a: str, name_b: str
) -> Iterator[str]:
    """difflib.unified_diff's lines, from the matcher given (`git apply` and `patch -p1` read them)."""
    for i, group in enumerate(matcher.get_grouped_opcodes(3)):
        if i == 0:
            yield f"--- {name_a}\n"
            yield f"+++ {name_b}\n"
        first, last = group[0], group[-1]
        yield f"@@ -{_range(first[1], last[2])} +{_range(first[3], last[4])} @@\n"
        for tag, i1, i2, j1, j2 in group:
            if tag == "equal":
                yield from (" " + line for line in old[i1:i2])
                continue
            yield from ("-" + line for line in old[i1:i2])
            yield from ("+" + line for line in new[j1:j2])


def _range(start: int, stop: int) -> str:
    """A hunk's line range as unified diffs write it (difflib's `_format_range_unified`)."""
    length = stop - start
    if length == 1:
        return str(start + 1)
    return f"{start + 1 if length else start},{length}"


def _diff_lines(text: str) -> list[str]:
    """The lines as `patch` and `git apply` count them, ended by line feeds only. (`str.splitlines` also
    breaks at a bare CR, form feed, U+0085 or U+2028: the hunks' line numbers were then wrong, and a note of
    bare CRs got a "No newline" marker after every line.)"""
    lines = text.split("\n")
    return [line + "\n" for line in lines[:-1]] + ([lines[-1]] if lines[-1] else [])
