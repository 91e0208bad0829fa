"""Proposes link edits; never writes.

Mention keys are every note's name and its `aliases`. One Aho-Corasick automaton scans each note's prose
(the body with every protected region masked), so the cost is linear in the text, not notes × titles.
Matching follows Obsidian users' expectations: case-insensitive except all-capital acronyms, Unicode word
boundaries (Han and Kana characters count as boundaries), leftmost-longest without overlaps, a minimum key
length, no self-links, the first mention only, dates and numbers never, ambiguous keys never.
"""

from __future__ import annotations

import hashlib
import re
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from vaultkit.config import LinkConfig
from vaultkit.facts import NoteFacts, PropertyAnchor
from vaultkit.frontmatter import Frontmatter
from vaultkit.obsidian import ObsidianSettings
from vaultkit.paths import nfc
from vaultkit.vault import Index, note_name

_BAD_KEY = re.compile(r"[#|^:\[\]/\\]|%%")
_NUMBERISH = re.compile(r"[\d\s.,:/+-]+\Z")


@dataclass(frozen=True)
class Mention:
    start: int  # offsets into the note text
    end: int
    text: str
    key: str  # casefolded key that matched
    line: int
    col: int


@dataclass
class KeyTable:
    """Every mention key of the vault and the notes it names."""

    targets: dict[str, set[str]] = field(default_factory=lambda: defaultdict(set))
    acronyms: dict[str, str] = field(default_factory=dict)  # casefolded -> exact spelling required
    _automaton: Any = None

    @classmethod
    def build(cls, facts: Mapping[str, NoteFacts], config: LinkConfig) -> KeyTable:
        table = cls()
        never = {nfc(k).casefold() for k in config.never}
        for rel, f in facts.items():
            if not f.readable:
                continue
            for key in (note_name(rel), *f.aliases):
                key = nfc(key.strip())
                folded = key.casefold()
                if folded in never or not usable_key(key, config.min_length) or len(folded) != len(key):
                    continue
                table.targets[folded].add(rel)
                if _is_acronym(key):
                    table.acronyms[folded] = key
        return table

    @property
    def fingerprint(self) -> str:
        h = hashlib.sha256()
        for key in sorted(self.targets):
            h.update(f"{key}\0{sorted(self.targets[key])}\0{self.acronyms.get(key, '')}\n".encode())
        return h.hexdigest()

    def automaton(self) -> Any:
        if self._automaton is None:
            import ahocorasick

            automaton = ahocorasick.Automaton()
            for key in self.targets:
                automaton.add_word(key, key)
            if self.targets:
                automaton.make_automaton()
            self._automaton = automaton
        return self._automaton

    def payload(self) -> dict[str, Any]:
        return {"keys": sorted(self.targets), "acronyms": self.acronyms}


def usable_key(key: str, min_length: int) -> bool:
    if not key or _BAD_KEY.search(key) or _NUMBERISH.match(key):
        return False
    return sum(2 if is_cjk(c) else 1 for c in key) >= min_length


def _is_acronym(key: str) -> bool:
    letters = [c for c in key if c.isalpha()]
    return len(letters) >= 2 and all(c.isupper() for c in letters)


def is_cjk(ch: str) -> bool:
    o = ord(ch)
    return (
        0x4E00 <= o <= 0x9FFF
        or 0x3400 <= o <= 0x4DBF
        or 0x3040 <= o <= 0x30FF
        or 0xF900 <= o <= 0xFAFF
        or 0x20000 <= o <= 0x2FA1F
    )


def _word(ch: str) -> bool:
    return (ch.isalnum() or ch == "_") and not is_cjk(ch)


def _lower_same_length(text: str) -> str:
    folded = text.lower()
    if len(folded) == len(text):
        return folded
    return "".join(c if len(low := c.lower()) != 1 else low for c in text)


def scan_mentions(prose: str, keys: list[str], acronyms: dict[str, str], automaton: Any) -> list[tuple[int, int, str]]:
    """(start, end, key) of every key match in `prose` at word boundaries: leftmost-longest, no overlaps."""
    if not keys or not prose:
        return []
    lowered = _lower_same_length(prose)
    found: list[tuple[int, int, str]] = []
    n = len(prose)
    for end_index, key in automaton.iter(lowered):
        end = end_index + 1
        start = end - len(key)
        if start > 0 and _word(prose[start - 1]) and _word(prose[start]):
            continue
        if end < n and _word(prose[end]) and _word(prose[end - 1]):
            continue
        exact = acronyms.get(key)
        if exact is not None and prose[start:end] != exact:
            continue
        found.append((start, end, key))
    found.sort(key=lambda m: (m[0], m[0] - m[1]))
    chosen: list[tuple[int, int, str]] = []
    last_end = -1
    for m in found:
        if m[0] >= last_end:
            chosen.append(m)
            last_end = m[1]
    return chosen


@dataclass
class LinkPlan:
    """The mentions to link in one note, and the ambiguous ones to report."""

    link: list[tuple[Mention, str]] = field(default_factory=list)  # (mention, target rel)
    ambiguous: list[tuple[Mention, tuple[str, ...]]] = field(default_factory=list)


def plan_note(
    facts: NoteFacts, mentions: Iterable[Mention], table: KeyTable, linked: set[str], first_only: bool
) -> LinkPlan:
    """Pick which mentions of a note become links: first unlinked mention of each other note."""
    plan = LinkPlan()
    done = set(linked) | {facts.rel}
    reported: set[str] = set()
    for m in mentions:
        targets = table.targets.get(m.key, set())
        if len(targets) > 1:
            if m.key not in reported:
                reported.add(m.key)
                plan.ambiguous.append((m, tuple(sorted(targets))))
            continue
        if len(targets) != 1:
            continue
        (target,) = targets
        if target in done:
            continue
        plan.link.append((m, target))
        if first_only:
            done.add(target)
    return plan


def render_link(target: str, text: str, source: str, index: Index, obsidian: ObsidianSettings) -> str:
    """The link that replaces a mention, so that the prose reads as before."""
    path = index.link_text(target, source, obsidian)
    if obsidian.use_markdown_links:
        encoded = path.replace("%", "%25").replace(" ", "%20").replace("(", "%28").replace(")", "%29")
        return f"[{text}]({encoded})"
    if path == text:
        return f"[[{text}]]"
    return f"[[{path}|{text}]]"


# -- the managed relations property ------------------------------------------------------------------


def relation_anchor(text: str, fm: Frontmatter, prop: str) -> PropertyAnchor | None:
    """Where new items of the relations property go, editing nothing else."""
    eol = "\r\n" if "\r\n" in text[: text.find("\n") + 1 or len(text)] else "\n"
    if not fm.present:
        if fm.problems:
            return None
        return PropertyAnchor(0, f"{eol}  - ", f"{eol}---{eol}", f"---{eol}{prop}:{eol}  - ", '"')
    if not fm.loaded:
        return None
    if prop not in fm.data:
        return PropertyAnchor(fm.yaml_end, f"{eol}  - ", eol, f"{prop}:{eol}  - ", '"')
    value = fm.data[prop]
    node = fm.nodes[(prop,)]
    if value is None:
        end = _line_end(text, node.start if node.start > 0 else 0)
        return PropertyAnchor(end, f"{eol}  - ", "", f"{eol}  - ", '"')
    if isinstance(value, list) and node.flow is False:
        last_start, last_end = node.items[-1]
        line_start = text.rfind("\n", 0, last_start) + 1
        prefix = eol + text[line_start:last_start]
        return PropertyAnchor(_line_end(text, last_end), prefix, "", prefix, _quote(text, last_start))
    if isinstance(value, list) and node.flow:
        if node.items:
            last_start, last_end = node.items[-1]
            return PropertyAnchor(last_end, ", ", "", ", ", _quote(text, last_start))
        close = text.rfind("]", node.start, node.end)
        return PropertyAnchor(close, ", ", "", "", '"')
    if isinstance(value, str):
        keep = text[node.start : node.end]
        return PropertyAnchor(node.start, ", ", "]", f"[{keep}, ", _quote(text, node.start), node.end)
    return None


def _line_end(text: str, pos: int) -> int:
    end = text.find("\n", pos)
    if end < 0:
        return len(text)
    return end - 1 if end > 0 and text[end - 1] == "\r" else end


def _quote(text: str, start: int) -> str:
    return text[start] if text[start : start + 1] in ("'", '"') else '"'


def relation_insert(anchor: PropertyAnchor, links: list[str]) -> tuple[int, int, str]:
    """(start, end, text) of the edit adding `links` (already rendered, e.g. `[[ResRL]]`)."""
    items = [_quoted(link, anchor.quote) for link in links]
    text = anchor.first_prefix + items[0] + "".join(anchor.prefix + item for item in items[1:]) + anchor.suffix
    end = anchor.replace_end if anchor.replace_end >= 0 else anchor.offset
    return anchor.offset, end, text


def _quoted(link: str, quote: str) -> str:
    if quote == "'":
        return "'" + link.replace("'", "''") + "'"
    return '"' + link.replace("\\", "\\\\").replace('"', '\\"') + '"'
