"""What one note contributes to the vault, in plain data: cached per content, shipped between processes.

A NoteFacts is everything later stages need without reading the note again: its names, links (with
line and column), headings, block ids, suppressions, where a managed property can be edited, and the
diagnostics that depend on the note alone.
"""

from __future__ import annotations

import bisect
import functools
import heapq
import json
import sys
from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal, NamedTuple, Protocol

from vaultkit.diagnostics import Diagnostic
from vaultkit.paths import nfc


class LinkFact(NamedTuple):
    kind: str  # "wiki" | "markdown"
    target: str
    subpath: str
    embed: bool
    line: int
    col: int
    source: str = "body"  # "body", or the frontmatter property holding the link

    def __reduce__(self) -> tuple[Any, tuple[Any, ...]]:
        """Sent by a worker: rebuilt with the strings the vault repeats held once (`shared_links`), at no
        cost beyond the call a NamedTuple's unpickling makes anyway."""
        return _shared_link, tuple(self)


class BlockFact(NamedTuple):
    ident: str
    line: int
    col: int


class SuppressionFact(NamedTuple):
    codes: tuple[str, ...]
    first_line: int
    last_line: int  # 0: to the end of the note
    line: int
    col: int
    ends: tuple[int, ...] = ()  # each code's last line (0: the note's end), when they differ; else last_line


# NamedTuples, not dataclasses: a run builds ~100,000 of these (or rebuilds them from the cache), at C speed.


class PropertyAnchor(NamedTuple):
    """Where a new value can be added to the managed relations property without touching anything else."""

    offset: int  # where to insert
    prefix: str  # text before each new item ("\n  - " for a block list, ", " for a flow list, ...)
    suffix: str  # text after the items (e.g. a closing fence when there was no frontmatter)
    first_prefix: str  # the prefix for the first new item when it differs (empty flow list, new key)
    quote: str  # the quote character items are written with
    replace_end: int = -1  # >= 0: replace text[offset:replace_end] (a single value turned into a list)
    keep: str = ""  # the original text put back inside the new list when a single value is replaced

    def __reduce__(self) -> tuple[Any, tuple[Any, ...]]:
        return shared_anchor, tuple(self)  # as LinkFact's


def shared_anchor(  # noqa: PLR0917 - a PropertyAnchor's fields, as pickled or cached
    offset: int,
    prefix: str,
    suffix: str,
    first_prefix: str,
    quote: str,
    replace_end: int = -1,
    keep: str = "",
) -> PropertyAnchor:
    """An anchor whose texts (the same few in every note: `"\\n  - "`) are held once in the vault."""
    intern = sys.intern
    return PropertyAnchor(
        offset, intern(prefix), intern(suffix), intern(first_prefix), intern(quote), replace_end, keep
    )


# An Excalidraw drawing (`*.excalidraw.md`): the plugin reads its `## Text Elements` back into the drawing,
# so a link written there changes the text drawn (and leaves the scene's JSON out of step). Not linked, and
# not asked to list the notes linking to it (VK121): the frontmatter of a drawing is the plugin's.
DRAWING_PROPERTY = "excalidraw-plugin"


@dataclass(slots=True)  # no per-note __dict__: 50,000 notes' facts take 10 MB less
class NoteFacts:
    rel: str
    digest: str = ""
    readable: bool = False
    editable: bool = False  # decoded and frontmatter loaded: safe for the writer
    note_type: str | None = None
    aliases: tuple[str, ...] = ()
    opt_out: bool = False
    disabled: tuple[str, ...] = ()
    links: tuple[LinkFact, ...] = ()
    headings: tuple[tuple[str, int, int], ...] = ()  # (text as written, line, level)
    block_ids: tuple[BlockFact, ...] = ()
    suppressions: tuple[SuppressionFact, ...] = ()
    anchor: PropertyAnchor | None = None
    diagnostics: tuple[Diagnostic, ...] = ()
    properties: tuple[str, ...] = field(default=())  # frontmatter keys, for property-type checks
    kept: str = ""  # what an edit of the relations property must keep of the frontmatter (verify.kept_digest)
    report: bool = False  # a report vaultkit wrote (note.REPORT_MARKER): not read, not counted as checked
    # What the schema findings (VK010-VK012) in `diagnostics` depend on, so that editing one schema re-reads
    # only the notes it concerns (`schemas.findings_key`): the note's `$schema` (None: not set; False: no
    # schema file changes this note's findings), the key, and the schema folder's fingerprint it was made
    # under (the key holds without being made again while the folder is the same)
    schema_input: str | Literal[False] | None = None
    schema_key: str = ""
    schemas: str = ""
    relations_line: int = 0  # the line of the relations property's key (0: none), where VK121 is reported
    relations_col: int = 1  # and its column: not 1 in a flow mapping (`{title: A, related: []}`)
    # `suppressions` indexed for look-ups, built when first needed (never cached nor compared)
    _suppression_index: SuppressionIndex | None = field(default=None, init=False, repr=False, compare=False)

    def suppression_index(self) -> SuppressionIndex:
        index = self._suppression_index
        if index is None or index.items is not self.suppressions:
            index = self._suppression_index = SuppressionIndex(self.suppressions)
        return index

    def links_to(self, keys: Collection[str]) -> list[LinkFact]:
        """The links whose target has one of these names (`link_key`)."""
        return [x for x in self.links if link_key(x.target) in keys]


def facts_to_json(facts: NoteFacts) -> dict[str, Any]:
    """A note's facts as the cache's JSON holds them. Written out by hand: dataclasses.asdict deep-copies
    every value and was a third of a warm run. Tuples go as they are: JSON writes a tuple, and a NamedTuple
    (`LinkFact`, `BlockFact`, `SuppressionFact`, `PropertyAnchor`), as the list of its items in order, the
    list each was copied into before (copying every link and heading of 10,000 notes was about 15% of the
    cost of encoding their facts)."""
    return {
        "rel": facts.rel,
        "digest": facts.digest,
        "readable": facts.readable,
        "editable": facts.editable,
        "note_type": facts.note_type,
        "aliases": facts.aliases,
        "opt_out": facts.opt_out,
        "disabled": facts.disabled,
        "links": facts.links,
        "headings": facts.headings,
        "block_ids": facts.block_ids,
        "suppressions": facts.suppressions,
        "anchor": facts.anchor,
        "diagnostics": [d.to_row() for d in facts.diagnostics],
        "properties": facts.properties,
        "kept": facts.kept,
        "report": facts.report,
        "schema_input": facts.schema_input,
        "schema_key": facts.schema_key,
        "schemas": facts.schemas,
        "relations_line": facts.relations_line,
        "relations_col": facts.relations_col,
    }


def facts_from_json(data: dict[str, Any]) -> NoteFacts:
    anchor = data.get("anchor")
    return NoteFacts(
        rel=data["rel"],
        digest=data["digest"],
        readable=data["readable"],
        editable=data["editable"],
        note_type=data["note_type"],
        aliases=tuple(data["aliases"]),
        opt_out=data["opt_out"],
        disabled=tuple(data["disabled"]),
        links=shared_links(data["links"]),
        headings=tuple((h[0], h[1], h[2]) for h in data["headings"]),
        block_ids=tuple(map(BlockFact._make, data["block_ids"])),
        suppressions=tuple(
            SuppressionFact(tuple(x[0]), x[1], x[2], x[3], x[4], tuple(x[5])) for x in data["suppressions"]
        ),
        anchor=shared_anchor(*anchor) if anchor else None,
        diagnostics=tuple(Diagnostic.from_row(x) for x in data["diagnostics"]),
        properties=tuple(data["properties"]),
        kept=data["kept"],
        report=data["report"],
        schema_input=_schema_input(data["schema_input"]),
        schema_key=str(data["schema_key"]),
        schemas=str(data["schemas"]),
        relations_line=int(data["relations_line"]),
        relations_col=int(data["relations_col"]),
    )


def _schema_input(value: object) -> str | Literal[False] | None:
    if value is None or isinstance(value, str):
        return value
    if value is False:
        return False
    raise ValueError(f"schema_input {value!r}")  # a cache entry of another shape: parsed again


def key_as_written(keys: Iterable[str], name: str) -> str:
    """The key Obsidian reads `name` from: the first one equal to it but for case, as it finds `aliases`
    and `tags` (`/^aliases$/i` in parseFrontMatterAliases, `/^tags$/i` in parseFrontMatterTags), and as
    vaultkit finds the relations property (`Related:` too); `name` itself when there is none."""
    wanted = name.lower()
    for key in keys:  # a plain loop: next() over a generator cost twice as much, four times a note
        if key.lower() == wanted:
            return key
    return name


class LinkTarget(NamedTuple):
    """A link as the link graph sees it: what it names, not where it is written."""

    kind: str
    target: str
    source: str


@functools.lru_cache(maxsize=1 << 17)  # a vault links to the same notes again and again
def link_key(target: str) -> str:
    """The name a link's resolution depends on: its target's last path segment, without `.md`, folded."""
    return nfc(target.rpartition("/")[2].removesuffix(".md")).lower()  # as `vault._key`


class NoteSummary(NamedTuple):
    """What a run on a few notes needs of every other note: its names and the names it links to.

    A whole-vault run has every note's full facts; `vaultkit check NOTE` (the pre-commit case) loads full
    facts only for the notes it reports on and the notes they link to, and a summary for the rest. Its
    links stay as cached, as the JSON text of a map `link_key -> [kind, target, source, ...]`: a run asks
    every note whether it links to the few checked notes, and a substring test answers for almost all of
    them without decoding anything (decoding every note's links was a fifth of a one-note run)."""

    rel: str
    digest: str
    readable: bool
    aliases: tuple[str, ...]
    links: str  # JSON: {link_key: [kind, target, source, kind, target, source, ...]}
    report: bool = False  # a report vaultkit wrote: not counted among the vault's notes

    def links_to(self, keys: Collection[str]) -> list[LinkTarget]:
        wanted = [key for key in keys if _json_key(key) in self.links]
        if not wanted:
            return []
        found = []
        try:
            by_key = json.loads(self.links)
            for key in wanted:
                flat = by_key.get(key, ())
                found += [LinkTarget(*map(str, flat[i : i + 3])) for i in range(0, len(flat) - 2, 3)]
        except (ValueError, TypeError, AttributeError, RecursionError):
            return []  # a cache entry that passed its checksum but is not ours: it names no note
        return found


@functools.lru_cache(maxsize=1 << 12)
def _json_key(key: str) -> str:
    """How `key` is written as a key of the summary's JSON map (a test that never misses it)."""
    return _dumps(key) + ":"


def _dumps(value: object) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


class LinkLike(Protocol):
    @property
    def kind(self) -> str: ...
    @property
    def target(self) -> str: ...
    @property
    def source(self) -> str: ...


class NoteLike(Protocol):
    """A note's full facts or its summary: what names, keys and backlinks are built from."""

    @property
    def rel(self) -> str: ...
    @property
    def digest(self) -> str: ...
    @property
    def readable(self) -> bool: ...
    @property
    def aliases(self) -> tuple[str, ...]: ...
    @property
    def report(self) -> bool: ...
    def links_to(self, keys: Collection[str]) -> Sequence[LinkLike]: ...


def summary_row(f: NoteFacts) -> list[Any]:
    """A note's summary as cached: each distinct link once, grouped by the name it links to, in one flat list
    per name (a 50,000-note vault holds 300,000 links: a list for each would double the summaries' memory)."""
    by_key: dict[str, dict[tuple[str, str, str], None]] = {}
    for x in f.links:
        by_key.setdefault(link_key(x.target), {})[x.kind, x.target, x.source] = None
    return [
        f.digest,
        f.readable,
        list(f.aliases),
        _dumps({k: [v for t in ts for v in t] for k, ts in by_key.items()}),
        f.report,
    ]


def summary_from_row(rel: str, row: list[Any]) -> NoteSummary:
    digest, readable, aliases, links, report = row
    if not isinstance(digest, str) or not isinstance(readable, bool) or not isinstance(links, str):
        raise TypeError("not a summary")
    if not links.startswith("{"):
        raise ValueError("not a summary's links")
    return NoteSummary(rel, digest, readable, tuple(aliases), links, report is True)


class SuppressionIndex:
    """Which body suppression of a note covers a code on a line, looked up by bisection. Asked for each of
    a note's diagnostics and mentions, a walk through every suppression made a note of 8,000
    `disable-next-line` comments take 80 s to check."""

    def __init__(self, items: tuple[SuppressionFact, ...]) -> None:
        self.items = items
        # code -> where the covering suppressions change (lines, ascending), and from each of those lines
        # on, the first two suppressions that cover the code (indexes; -1: none)
        self._by_code: dict[str, tuple[list[int], list[tuple[int, int]]]] = {}

    def first(self, code: str, line: int, exclude: int = -1) -> int:
        """The index of the first suppression (in the note's order) that covers `code` on `line` and is not
        `exclude`; -1 if none does."""
        table = self._by_code.get(code)
        if table is None:
            table = self._by_code[code] = _coverage(
                [(i, s, last) for i, s in enumerate(self.items) if (last := _last_line(s, code)) is not None]
            )
        points, firsts = table
        k = bisect.bisect_right(points, line) - 1
        if k < 0:
            return -1
        first, second = firsts[k]
        return second if first == exclude else first


def _last_line(s: SuppressionFact, code: str) -> int | None:
    """The last line on which `s` covers `code` (sys.maxsize: to the note's end); None if it never does."""
    if not s.codes:
        return s.last_line or sys.maxsize
    if not s.ends:
        return (s.last_line or sys.maxsize) if any(map(code.startswith, s.codes)) else None
    lasts = [end or sys.maxsize for c, end in zip(s.codes, s.ends, strict=True) if code.startswith(c)]
    return max(lasts) if lasts else None


def _coverage(found: list[tuple[int, SuppressionFact, int]]) -> tuple[list[int], list[tuple[int, int]]]:
    """A sweep over the lines where these suppressions start or end, with the ones covering each line in a
    heap by index: the first two of them, from each such line on."""
    spans = sorted((s.first_line, last, i) for i, s, last in found)
    points = sorted(
        {first for first, _last, _i in spans} | {last + 1 for _f, last, _i in spans if last < sys.maxsize}
    )
    heap: list[tuple[int, int]] = []  # (index, last line); ended ones are dropped when they come to the top
    firsts: list[tuple[int, int]] = []
    k = 0
    for point in points:
        while k < len(spans) and spans[k][0] <= point:
            heapq.heappush(heap, (spans[k][2], spans[k][1]))
            k += 1
        while heap and heap[0][1] < point:
            heapq.heappop(heap)
        if not heap:
            firsts.append((-1, -1))
            continue
        top = heapq.heappop(heap)
        while heap and heap[0][1] < point:
            heapq.heappop(heap)
        firsts.append((top[0], heap[0][0] if heap else -1))
        heapq.heappush(heap, top)
    return points, firsts


def suppressed(facts: NoteFacts, code: str, line: int) -> bool:
    return any(code.startswith(c) for c in facts.disabled) or (
        bool(facts.suppressions) and facts.suppression_index().first(code, line) >= 0
    )


def shared_links(links: Iterable[Sequence[Any]]) -> tuple[LinkFact, ...]:
    """Links read back from the cache, each string the vault repeats held once. JSON gives every occurrence
    of `"wiki"` or `"Meituan"` a string of its own, and a worker's pickle one per chunk of notes (see
    `LinkFact.__reduce__`): a linked 50,000-note vault (22 links a note) took 250 MB more for them, an
    unlinked one 20 MB."""
    intern, make = sys.intern, LinkFact._make
    return tuple(
        [
            make((intern(k), intern(t), sub and intern(sub), embed, line, col, intern(src)))
            for k, t, sub, embed, line, col, src in links
        ]
    )


def _shared_link(  # noqa: PLR0917 - a LinkFact's fields, as pickled
    kind: str, target: str, subpath: str, embed: bool, line: int, col: int, source: str
) -> LinkFact:
    """A link unpickled, its target and subpath held once (its kind and source are, within each pickle)."""
    intern = sys.intern
    return _new_tuple(LinkFact, (kind, intern(target), subpath and intern(subpath), embed, line, col, source))


_new_tuple = tuple.__new__
