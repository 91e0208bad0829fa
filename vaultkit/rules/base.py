"""What a rule is: a code, a name, docs in fixed sections, and one check function."""

from __future__ import annotations

import dataclasses
import functools
import inspect
from collections.abc import Callable, Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from types import ModuleType
from typing import TYPE_CHECKING, Any, Generic, Literal, TypeVar

from vaultkit.diagnostics import Diagnostic, Fix, Severity
from vaultkit.obsidian import ObsidianSettings

if TYPE_CHECKING:
    from vaultkit.config import Config
    from vaultkit.facts import LinkLike, NoteFacts
    from vaultkit.linker import Mention
    from vaultkit.note import Note
    from vaultkit.schemas import SchemaSet
    from vaultkit.vault import Index, Resolution

DOC_SECTIONS = ("## What it does", "## Why is this bad?", "## Example", "## Use instead")


@dataclass(frozen=True)
class NoteContext:
    """What a note rule may look at besides the note: passed in, never global."""

    config: Config
    schemas: SchemaSet
    obsidian: ObsidianSettings


# In a wikilink's target these end it, or open what the scanner reads first (a code span, a comment); and `^`,
# which Obsidian says links do not work with, and which the bundled schemas' wikilink refuses
_WIKI_BREAKERS = frozenset("#|[]^`\n\r")
_WIKI_OPENERS = ("%%", "<!--")


@dataclass
class VaultContext:
    """What a vault rule may look at: the whole index, and the mentions found in this run."""

    config: Config
    obsidian: ObsidianSettings
    index: Index
    mentions: dict[str, list[tuple[Mention, str]]] = field(default_factory=dict)  # rel -> (mention, target)
    ambiguous: dict[str, list[tuple[Mention, tuple[str, ...]]]] = field(default_factory=dict)
    backlinks: dict[str, Collection[str]] = field(default_factory=dict)  # rel -> notes linking to it
    outlinks: dict[str, Collection[str]] = field(default_factory=dict)  # rel -> notes it links to
    # False in a run that only reports: a fix is described, its edits not worked out (see engine._diagnostics)
    edits: bool = True
    # such a run's fixes, one for each (description, safe): `described`, and engine._without_edits
    fixes: dict[tuple[str, bool], Fix] = field(default_factory=dict)
    _memo: dict[tuple[str, str, str], Resolution] = field(default_factory=dict)
    _by_name: dict[str, Resolution] = field(default_factory=dict)  # wikilinks by name: `resolve_from`
    _texts: dict[tuple[str, str, bool], str] = field(default_factory=dict)
    _writable: dict[tuple[str, str, bool], str | None] = field(default_factory=dict)
    _relations: dict[str, str | None] = field(default_factory=dict)  # `relation_link`, by target alone
    # a note's headings and block ids, indexed once per note for the links to it (as long as they are its
    # current ones: watch mode replaces a note's facts)
    _headings: dict[str, tuple[object, dict[str, list[tuple[int, int]]]]] = field(default_factory=dict)
    _blocks: dict[str, tuple[object, frozenset[str]]] = field(default_factory=dict)

    @functools.cached_property
    def wiki_settings(self) -> ObsidianSettings:
        """The Obsidian settings, but for wikilinks: relations properties always hold wikilinks."""
        return dataclasses.replace(self.obsidian, use_markdown_links=False)

    def described(self, description: str) -> Fix:
        """A safe fix only described, as a run that only reports gives it (`edits` False): the one of that
        description its report shares (`engine._without_edits`, which then has no diagnostic to make anew:
        the ~46,000 unlinked mentions of the 10k bench vault each had one)."""
        key = (description, True)
        fix = self.fixes.get(key)
        if fix is None:
            fix = self.fixes[key] = Fix(description)
        return fix

    def link_text(self, target: str, source: str, settings: ObsidianSettings) -> str:
        """Index.link_text, remembered: a shortest-path link to a note is the same from every note."""
        folder = source.rpartition("/")[0] if settings.new_link_format == "relative" else ""
        key = (target, folder, settings.use_markdown_links)
        text = self._texts.get(key)
        if text is None:
            text = self._texts[key] = self.index.link_text(target, source, settings)
        return text

    def writable_link(self, target: str, source: str, settings: ObsidianSettings) -> str | None:
        """`link_text`, if a link written with it from `source` names `target` again; else None: vaultkit
        writes no link its own check would call broken or ambiguous. A note at the vault root whose name
        another note shares has no such link (`[[Toyota]]` could mean either), nor a note whose path must be
        written and holds a `#` or `|` (`[[C#/Notes]]` links to a heading of `C`)."""
        markdown = settings.use_markdown_links
        # A wikilink by name or by its path from the vault root (newLinkFormat shortest or absolute) is
        # written and resolved alike in every note: one answer for all (asked ~100,000 times on 10k notes)
        relative = markdown or settings.new_link_format == "relative"
        key = (target, source.rpartition("/")[0] if relative else "", markdown)
        if key not in self._writable:
            text = self.link_text(target, source, settings)
            self._writable[key] = text if self._names_again(text, target, source, settings) else None
        return self._writable[key]

    def relation_link(self, target: str, source: str) -> str | None:
        """The text of the wikilink to `target` that `source`'s relations property gets (`writable_link`
        with wikilinks), or None where no link vaultkit writes can name `target` (`vault.nameable`).
        Remembered by `target` alone unless `newLinkFormat` is relative: the link is then the same from
        every note, and VK121 asks it for each backlink of each note (~63,000 times on the 10k bench
        vault, where each answer went through `nameable` and `writable_link`'s key again)."""
        wiki = self.wiki_settings
        if wiki.new_link_format == "relative":
            return self._relation_link(target, source, wiki)
        try:
            return self._relations[target]
        except KeyError:
            text = self._relations[target] = self._relation_link(target, source, wiki)
            return text

    def _relation_link(self, target: str, source: str, wiki: ObsidianSettings) -> str | None:
        from vaultkit.vault import nameable

        return self.writable_link(target, source, wiki) if nameable(target) else None

    def _names_again(self, text: str, target: str, source: str, settings: ObsidianSettings) -> bool:
        """Does the link vaultkit writes with `text` in `source` resolve to `target`?"""
        from vaultkit.facts import LinkTarget

        if not settings.use_markdown_links:  # `[[text|shown]]`: the target is what comes before `#` or `|`
            if (
                _WIKI_BREAKERS.intersection(text)
                or any(o in text for o in _WIKI_OPENERS)
                or text != text.strip()
            ):
                return False
            return self.resolve_from(source, LinkTarget("wiki", text, "")).target == target
        from vaultkit.linker import render_link  # a Markdown link's destination is encoded: parse it back
        from vaultkit.markdown import scan

        links = scan(render_link(text, "x", settings)).links
        if len(links) != 1 or links[0].subpath:
            return False
        return self.resolve_from(source, LinkTarget("markdown", links[0].target, "")).target == target

    def heading_lines(self, target: NoteFacts) -> Mapping[str, Sequence[tuple[int, int]]]:
        """`heading_key` -> (line, level) of the target's headings with that key, by line. Indexed once for a
        note of many headings, not compared with every heading for each link: 8,000 links to the 8,000
        headings of a note took 11 s. A note of a few is looked up afresh: indexing every linked note held
        ~20 MB on 50,000 notes, for look-ups that cost no more than building the index did."""
        if len(target.headings) <= FEW_HEADINGS:
            return _heading_lines(target.headings)
        hit = self._headings.get(target.rel)
        if hit is None or hit[0] is not target.headings:
            hit = self._headings[target.rel] = (target.headings, _heading_lines(target.headings))
        return hit[1]

    def block_idents(self, target: NoteFacts) -> frozenset[str]:
        """The target's block ids, lower case (as a link's `#^id` matches them), gathered once per note."""
        hit = self._blocks.get(target.rel)
        if hit is None or hit[0] is not target.block_ids:
            hit = self._blocks[target.rel] = (
                target.block_ids,
                frozenset(b.ident.lower() for b in target.block_ids),
            )
        return hit[1]

    def resolve(self, facts: NoteFacts, link: LinkLike) -> Resolution:
        return self.resolve_from(facts.rel, link)

    def resolve_from(self, rel: str, link: LinkLike) -> Resolution:
        """Index.resolve, remembered: a link by name resolves the same from every note. A wikilink by name
        (most links) is remembered by its name alone, not by a tuple of its own (~3 MB of `link` on 50,000
        notes)."""
        if link.kind == "wiki" and link.target and "/" not in link.target:
            found = self._by_name.get(link.target)
            if found is None:
                found = self._by_name[link.target] = self.index.resolve(link, rel)
            return found
        folder = rel.rpartition("/")[0] if link.kind == "markdown" or "/" in link.target else ""
        key = (link.kind, link.target, folder if link.target else rel)
        hit = self._memo.get(key)
        if hit is None:
            hit = self._memo[key] = self.index.resolve(link, rel)
        return hit


FEW_HEADINGS = 16  # a note of more headings has them indexed for the links to it (`heading_lines`)


def _heading_lines(headings: Iterable[tuple[str, int, int]]) -> dict[str, list[tuple[int, int]]]:
    from vaultkit.vault import heading_key

    lines: dict[str, list[tuple[int, int]]] = {}
    for text, line, level in headings:
        lines.setdefault(heading_key(text), []).append((line, level))
    for found in lines.values():
        found.sort()
    return lines


NoteCheck = Callable[["Note", NoteContext], Iterable[Diagnostic]]
VaultCheck = Callable[["NoteFacts", VaultContext], Iterable[Diagnostic]]
C = TypeVar("C")  # the check's type, by scope: NoteCheck, VaultCheck, or None for a "run" rule


@dataclass(frozen=True)
class Rule(Generic[C]):
    """A rule module's code, name and docs, and its check: a NoteCheck for "note", a VaultCheck for
    "vault"; "run" rules have none, the engine applies them (`rules.NOTE_RULES`, `rules.VAULT_RULES` are
    typed by it)."""

    code: str
    name: str
    summary: str
    scope: Literal["note", "vault", "run"]
    check: C
    docs: str
    fixable: bool = False
    severity: Severity = Severity.ERROR


def rule(
    module: ModuleType,
    code: str,
    name: str,
    scope: Literal["note", "vault", "run"],
    *,
    fixable: bool = False,
    severity: Severity = Severity.ERROR,
) -> Rule[Any]:
    """Build a module's Rule: its summary is the docstring's first line, its docs the rest."""
    doc = inspect.cleandoc(module.__doc__ or "")
    summary, _, docs = doc.partition("\n")
    check = getattr(module, "check", None)
    return Rule(code, name, summary.strip(), scope, check, docs.strip(), fixable, severity)


SHOWN_CANDIDATES = 5


def candidate_names(candidates: Sequence[str]) -> str:
    """The notes a name could mean, the first few by name and the rest counted: a name 2,000 notes share
    (a `README.md` in every project folder) made each diagnostic about it 54 KB long, and the report and
    the cache grow with the square of that count."""
    if len(candidates) <= SHOWN_CANDIDATES + 1:
        return " and ".join(f"'{c}'" for c in candidates)
    shown = " and ".join(f"'{c}'" for c in candidates[:SHOWN_CANDIDATES])
    return f"{shown} and {len(candidates) - SHOWN_CANDIDATES:,} more"


def problems(note: Note, code: str, severity: Severity = Severity.ERROR) -> Iterable[Diagnostic]:
    """The parser's problems of one code, as diagnostics (for the rules that document them). Ten rules
    ask this of every note, and most notes have no problem: no generator is made for those."""
    if not note.problems:
        return ()
    return [
        Diagnostic(note.rel, p.line, p.col, code, p.message, severity)
        for p in note.problems
        if p.code == code
    ]
