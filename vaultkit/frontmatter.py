"""Split a note's frontmatter and load it the way Obsidian reads it.

libyaml composes the node tree (fast, with positions); vaultkit types the scalars itself by the YAML 1.2
core schema, so dates stay strings and only true/false are booleans. Duplicate keys, unsafe tags,
alias bombs and nesting deep enough to crash libyaml are reported instead of loaded.
"""

from __future__ import annotations

import itertools
import json
import math
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

import yaml

from vaultkit.facts import key_as_written

try:
    from yaml import CSafeLoader as _BaseLoader
except ImportError:  # pragma: no cover - PyYAML built without libyaml
    from yaml import SafeLoader as _BaseLoader  # type: ignore[assignment]


_PLAIN = "tag:vaultkit,2026:plain"  # a plain scalar with no tag: typed by vaultkit (`resolve_plain`)


class _ComposeLoader(_BaseLoader):
    """Compose only; no implicit typing (vaultkit applies YAML 1.2 rules itself). Every untagged plain
    scalar gets the tag `_PLAIN`, so one tagged `!!str` explicitly (`title: !!str 5`) stays a string.
    PyYAML also gives `_PLAIN` to any scalar tagged with the non-specific `!` (`! 5`, `! '5'`): it calls
    `resolve` exactly as for an untagged plain scalar, so the walker tells the two apart (`_non_specific`)."""

    def resolve(self, kind: type[yaml.Node], value: Any, implicit: tuple[bool, bool]) -> str:
        """The tag of a node written without one (or with the non-specific `!`)."""
        if kind is yaml.ScalarNode:
            return _PLAIN if implicit[0] else _STD + "str"
        return _STD + ("seq" if kind is yaml.SequenceNode else "map")


JsonPath = tuple[str | int, ...]
MAX_NODES = 200_000  # expanded nodes; a billion-laughs document hits this within milliseconds
MAX_DEPTH = 500  # libyaml recurses in C: a 100,000-deep flow list crashes the interpreter
MAX_VALUE_DEPTH = 100  # nesting of the loaded value: the walker (and jsonschema after it) recurse in Python

_BOMB = f"YAML aliases expand to more than {MAX_NODES} values (an alias bomb?)"
_STD = "tag:yaml.org,2002:"
_SAFE_TAGS = frozenset(
    [_PLAIN, *(_STD + t for t in ("str", "int", "float", "bool", "null", "seq", "map", "timestamp"))]
)
_COLLECTION_TAGS: dict[str, type[yaml.Node]] = {
    _STD + "seq": yaml.SequenceNode,
    _STD + "map": yaml.MappingNode,
}
_KIND_NAME: dict[type[yaml.Node], str] = {
    yaml.ScalarNode: "a single value",
    yaml.SequenceNode: "a list",
    yaml.MappingNode: "a mapping",
}
# what an explicit scalar tag accepts (as YAML 1.2 core types the text), and how a message names it
_TAGGED: dict[str, tuple[tuple[type, ...], str]] = {
    "int": ((int,), "an integer"),
    "float": ((int, float), "a number"),
    "bool": ((bool,), "true or false"),
    "null": ((type(None),), "null"),
}
# a scalar's properties up to a tag: `!`, `&anchor !`, `&anchor # comment <line break> !` (anchors are
# letters, digits, `-` and `_` in PyYAML and libyaml)
_TAG_AFTER_ANCHOR = re.compile(r"(?:&[0-9A-Za-z_-]+(?:[ \t\r\n]+|#[^\r\n]*)+)?!")
_INT = re.compile(r"[-+]?[0-9]+\Z")
_OCT = re.compile(r"0o[0-7]+\Z")
_HEX = re.compile(r"0x[0-9a-fA-F]+\Z")
_INF = re.compile(r"[-+]?\.(?:inf|Inf|INF)\Z")
_FLOAT = re.compile(r"[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?\Z")
_NUMBER_START = frozenset("+-.0123456789")  # the first character of every match of the five above
_YAML11_BOOL = frozenset(["yes", "Yes", "YES", "no", "No", "NO", "on", "On", "ON", "off", "Off", "OFF"])
_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}\Z")  # no number to `resolve_plain`, nor to `_NUMBER11`
# the plain scalars not starting as a number that `resolve_plain` or YAML 1.1 reads as something but text
_WORDS = _YAML11_BOOL | {"", "~", "null", "Null", "NULL", "true", "True", "TRUE", "false", "False", "FALSE"}
# An integer YAML 1.1 reads otherwise (`010`: 8, `08` and `0o17`: text); not `-0` nor `0x1F`, read alike
_LEADING_ZERO = re.compile(r"[-+]?0[0-9o]")
_OCTAL11 = re.compile(r"[-+]?0[0-7_]+\Z")
_SEXAGESIMAL = re.compile(r"[-+]?[0-9][0-9_]*(?::[0-5]?[0-9])+(?:\.[0-9_]*)?\Z")
# PyYAML's YAML 1.1 numbers (its resolver's int and float, less base 60, said apart): `1_000`, `0b101` and
# `+0x1F` are numbers there and text in YAML 1.2; `1e3` (no dot) and `1.0e3` (no sign) are the reverse
_NUMBER11 = re.compile(
    r"[-+]?(?:0b[01_]+|0[0-7_]+|0|[1-9][0-9_]*|0x[0-9a-fA-F_]+)\Z"
    r"|[-+]?[0-9][0-9_]*\.[0-9_]*(?:[eE][-+][0-9]+)?\Z|\.[0-9_]+(?:[eE][-+][0-9]+)?\Z"
    r"|[-+]?\.(?:inf|Inf|INF)\Z|\.(?:nan|NaN|NAN)\Z"
)
_FENCE = re.compile(r"---[ \t]*(?:\r\n|\n|\r|\Z)")
# Only `---` closes Obsidian's frontmatter (getFrontMatterInfo); YAML's document end `...`, which Pandoc and
# Jekyll accept, does not: Obsidian shows no properties, and reads the whole note as its body.
_CLOSE = re.compile(r"^---[ \t]*\r?$", re.MULTILINE)
_DOTS = re.compile(r"^\.\.\.[ \t]*\r?$", re.MULTILINE)
_COLLAPSED = re.compile(r"---[ \t]+[^\s:]+:[ \t].*?[ \t]---(?:[ \t]|$)")


@dataclass(frozen=True)
class Problem:
    code: str
    line: int  # 1-based, in the note
    col: int
    message: str


@dataclass(frozen=True)
class Node:
    """Where a frontmatter value sits in the note: offsets are into the note text."""

    key_line: int
    key_col: int
    line: int
    col: int
    start: int
    end: int
    flow: bool | None  # for sequences: flow style `[a, b]` or block `- a`
    items: tuple[tuple[int, int], ...] = ()  # (start, end) of each sequence item


def path_name(path: JsonPath) -> str:
    """A property's path as messages name it: `related[0]`, `author.name`."""
    out = ""
    for part in path:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out


_WIKILINK = re.compile(r"\[\[[^\[\]\n]+\]\]")


def unquoted_link(text: str, node: Node | None) -> str | None:
    """`related: [[Other]]` written without quotes: YAML reads a list holding the list ["Other"], and
    Obsidian shows no link. The wikilink as written in `text` (the note), where `node` (the outer or the
    inner of those two lists) is one."""
    if node is None or not node.flow:
        return None
    for start, end in ((node.start, node.end), (node.start - 1, node.end + 1)):
        written = text[max(start, 0) : end]
        if _WIKILINK.fullmatch(written) and written[2] not in "\"'":  # `[["a"]]`: a list meant, quoted
            return written
    return None


class Positions(Mapping[JsonPath, Node]):
    """Where each property's key and value are, by path: built on first use from the composed nodes
    (most notes never need a position, and recording them all was a tenth of the parse)."""

    def __init__(self, base_line: int = 1, offset: int = 0) -> None:
        self._base_line = base_line
        self._offset = offset
        self._raw: dict[JsonPath, tuple[yaml.Node, yaml.Node]] = {}
        self._built: dict[JsonPath, Node] = {}

    def add(self, path: JsonPath, key_node: yaml.Node, value_node: yaml.Node) -> None:
        self._raw[path] = (key_node, value_node)
        if self._built:  # a path read, then added again: read anew
            self._built.pop(path, None)

    def __getitem__(self, path: JsonPath) -> Node:
        node = self._built.get(path)
        if node is None:
            key_node, value_node = self._raw[path]
            node = self._built[path] = self._node(key_node, value_node)
        return node

    def __iter__(self) -> Iterator[JsonPath]:
        return iter(self._raw)

    def __len__(self) -> int:
        return len(self._raw)

    def _node(self, key_node: yaml.Node, value_node: yaml.Node) -> Node:
        base, offset = self._base_line, self._offset
        items: tuple[tuple[int, int], ...] = ()
        flow: bool | None = None
        if isinstance(value_node, yaml.SequenceNode):
            flow = bool(value_node.flow_style)
            items = tuple((offset + i.start_mark.index, offset + i.end_mark.index) for i in value_node.value)
        return Node(
            *_place(key_node.start_mark, base),
            *_place(value_node.start_mark, base),
            offset + value_node.start_mark.index,
            offset + value_node.end_mark.index,
            flow,
            items,
        )


@dataclass
class Frontmatter:
    present: bool = False
    start: int = 0  # offset of the opening fence
    yaml_start: int = 0  # offset of the first YAML character
    yaml_end: int = 0  # offset of the closing fence
    body_start: int = 0  # offset just after the closing fence line
    data: dict[str, Any] = field(default_factory=dict)
    nodes: Positions = field(default_factory=Positions)
    yaml11: dict[JsonPath, str] = field(default_factory=dict)  # where YAML 1.1 would read it differently
    problems: list[Problem] = field(default_factory=list)
    loaded: bool = True  # False when the YAML could not be read at all
    shared: bool = False  # an alias repeats a value: spelling every value out may take far more than the YAML

    def key_for(self, name: str) -> str:
        """The key Obsidian reads `name` from (`facts.key_as_written`): `Aliases:` for `aliases`."""
        return key_as_written(self.data, name)


def split(text: str) -> Frontmatter:
    """Find the frontmatter block. `text` carries no BOM, and its lines end in LF or CRLF: a bare CR is read
    as LF before (`note.lines_view`)."""
    fm = Frontmatter()
    fence = _FENCE.match(text)
    if fence is None:
        _check_misplaced(text, fm)
        return fm
    yaml_start = fence.end()
    close = _CLOSE.search(text, yaml_start)
    if close is None:
        message = "frontmatter opened on line 1 is never closed with '---'"
        if dots := _DOTS.search(text, yaml_start):
            line = text.count("\n", 0, dots.start()) + 1
            message += f"; the '...' on line {line} ends a YAML document, not Obsidian's frontmatter"
        fm.problems.append(Problem("VK001", 1, 1, message))
        fm.loaded = False
        return fm
    end = close.end()
    if text.startswith("\r\n", end):
        end += 2
    elif end < len(text) and text[end] in "\r\n":
        end += 1
    fm.present, fm.yaml_start, fm.yaml_end, fm.body_start = True, yaml_start, close.start(), end
    return fm


def _check_misplaced(text: str, fm: Frontmatter) -> None:
    head = text[:2000]
    first_line = head.split("\n", 1)[0]
    if _COLLAPSED.match(first_line):
        fm.problems.append(
            Problem(
                "VK006",
                1,
                1,
                "frontmatter collapsed onto one line ('--- key: value ... ---'): the line breaks between "
                "keys were lost, so Obsidian sees no properties; put '---', each key and the closing '---' "
                "on lines of their own",
            )
        )
        return
    stripped = head.lstrip(" \t\r\n")
    if stripped != head and _FENCE.match(stripped) and _CLOSE.search(stripped, 4):
        skipped = head[: len(head) - len(stripped)]
        line = skipped.count("\n") + 1
        fm.problems.append(
            Problem(
                "VK005",
                line,
                1,
                "frontmatter does not start on the first line: whitespace before '---' makes Obsidian "
                "read it as body text",
            )
        )


def load(text: str, fm: Frontmatter) -> None:
    """Parse fm's YAML into fm.data and fm.nodes; every failure becomes a Problem."""
    if not fm.present:
        return
    base_line = text.count("\n", 0, fm.yaml_start) + 1 if "\n" in text[: fm.yaml_start] else 2
    composed = _compose(text[fm.yaml_start : fm.yaml_end], base_line)
    if isinstance(composed, Problem):
        fm.problems.append(composed)
        fm.loaded = False
        return
    src, root = composed
    if root is None:
        return  # empty, or only comments: no properties
    if not isinstance(root, yaml.MappingNode):
        kind = "a list" if isinstance(root, yaml.SequenceNode) else "a single value"
        line, col = _place(root.start_mark, base_line)
        hint = full_width_hint(src, len(src), base_line)  # `type：wiki`, a single value
        message = f"frontmatter must be a mapping of properties, not {kind}{hint}"
        fm.problems.append(Problem("VK002", line, col, message))
        fm.loaded = False
        return
    fm.nodes = Positions(base_line, fm.yaml_start)
    walker = _Walker(fm, src, base_line)
    try:
        if "&" in src and "*" in src:  # no anchor and alias, no expansion: skip the walk
            fm.shared = _check_expansion(root, base_line)
        data = walker.value(root, ())
    except RecursionError:
        fm.problems.append(Problem("VK004", base_line, 1, "YAML nested too deeply to be read"))
        fm.loaded = False
        return
    except _Refused as e:
        fm.problems.append(Problem(e.code, e.line, e.col, e.message))
        fm.loaded = False
        return
    fm.data = data


def _compose(src: str, base_line: int) -> tuple[str, yaml.Node | None] | Problem:
    """The node tree of the YAML, and the text its marks index into; a Problem where it cannot be read."""
    if _too_deep(src):
        return Problem("VK004", base_line, 1, f"YAML nested deeper than {MAX_DEPTH} levels refused")
    hidden = _hide_odd_breaks(src)
    if hidden is None:
        return Problem("VK001", base_line, 1, _NO_STAND_IN)
    src, restore = hidden
    try:
        root = yaml.compose(src, Loader=_ComposeLoader)
    except yaml.MarkedYAMLError as e:
        return _syntax_problem(e, src, base_line)
    except yaml.reader.ReaderError as e:  # a character YAML does not allow; its message spans two lines
        return _reader_problem(e, src, base_line)
    except (yaml.YAMLError, RecursionError, ValueError) as e:
        return Problem("VK001", base_line, 1, f"invalid YAML: {' '.join(str(e).split())}")
    if root is not None and restore:
        _restore(root, restore)
    return src, root


_DEEP_INDENT_CHARS = 2 * (MAX_DEPTH + 1)
_DEEP_INDENT = re.compile(rf"^[ \t\-?:]{{{_DEEP_INDENT_CHARS}}}", re.MULTILINE)


def _too_deep(src: str) -> bool:
    """Nested deeper than MAX_DEPTH, by its brackets or by its indentation (two characters a level)? Checked
    before libyaml sees the text; the bracket walk runs only when there are enough brackets to matter."""
    if src.count("[") + src.count("{") > MAX_DEPTH:
        depth = 0
        for ch in re.findall(r"[\[\]{}]", src):
            depth = depth + 1 if ch in "[{" else max(depth - 1, 0)
            if depth > MAX_DEPTH:
                return True
    return len(src) > _DEEP_INDENT_CHARS and _DEEP_INDENT.search(src) is not None  # (most are shorter)


_ODD_BREAKS = "\x85\u2028\u2029"
# characters libyaml reads as ordinary (not a break, a space, an indicator or a BOM), to stand in for them
_STAND_INS = (range(0xE000, 0xFEFF), range(0xFF00, 0xFFFE), range(0x10000, 0x110000))
_UNICODE_ESCAPE = re.compile(r"\\(?:u([0-9A-Fa-f]{4})|U([0-9A-Fa-f]{8}))")
_NO_STAND_IN = (
    "invalid YAML: NEL, U+2028 or U+2029 (a line break in YAML 1.1, an ordinary character in YAML 1.2 and "
    "Obsidian) cannot be read here: the frontmatter leaves no character free to stand in for it"
)


def _hide_odd_breaks(src: str) -> tuple[str, dict[int, int]] | None:
    """`src` with NEL, U+2028 and U+2029 replaced one for one by stand-ins, and the table that puts them back
    (empty when there are none); None when no stand-in is free. libyaml and PyYAML (YAML 1.1) break lines at
    them too, so the rest of a comment became YAML and a plain value was cut in two; YAML 1.2, which Obsidian
    follows, breaks lines at LF and CR only. A stand-in occurs nowhere in `src`, not even as an escape
    (`"\\ue000"`), and the offsets and marks stay those of the note."""
    if not any(c in src for c in _ODD_BREAKS):  # most frontmatter: three quick scans, no regex scan
        return src, {}
    taken = set(src) | {
        chr(int(a or b, 16)) for a, b in _UNICODE_ESCAPE.findall(src) if int(a or b, 16) < 0x110000
    }
    free = (c for c in map(chr, itertools.chain(*_STAND_INS)) if c not in taken)
    stand_ins = "".join(itertools.islice(free, len(_ODD_BREAKS)))
    if len(stand_ins) < len(_ODD_BREAKS):
        return None
    return src.translate(str.maketrans(_ODD_BREAKS, stand_ins)), str.maketrans(stand_ins, _ODD_BREAKS)


def _restore(root: yaml.Node, table: dict[int, int]) -> None:
    """Put the characters `_hide_odd_breaks` stood in for back into every scalar (keys too), once per node."""
    seen: set[int] = set()
    stack = [root]
    while stack:
        node = stack.pop()
        if id(node) in seen:
            continue
        seen.add(id(node))
        if isinstance(node, yaml.ScalarNode):
            node.value = node.value.translate(table)
        else:
            stack.extend(_children(node))


def _place(mark: Any, base_line: int) -> tuple[int, int]:
    """The note line and column of a libyaml mark in YAML that starts on `base_line`."""
    return base_line + mark.line, mark.column + 1


def _syntax_problem(e: yaml.MarkedYAMLError, src: str, base_line: int) -> Problem:
    mark = e.problem_mark or e.context_mark
    line, col = _place(mark, base_line) if mark else (base_line, 1)
    what = e.problem or "syntax error"
    if mark is not None and src[mark.index : mark.index + 1] == "\t":
        what = "a tab character cannot be used for indentation in YAML"
    context = f" ({e.context})" if e.context and e.context not in what else ""
    if context and e.context_mark is not None and e.problem_mark is not None:
        opens = _place(e.context_mark, base_line)
        if opens[0] != line:  # found at the closing fence, say, far from the `[` or `{` left open
            context = f" ({e.context} that opens at {opens[0]}:{opens[1]})"
    hint = (
        (
            _conflict_hint(src, base_line)
            or _quote_links(src, mark.index)
            or _placeholder_hint(src, mark.index)
            or full_width_hint(src, mark.index, base_line)
            or _unquoted_value_hint(src, mark.index)
            or _comment_in_list_hint(src, mark.index)
            or _quote_inside_hint(src, mark.index)
        )
        if mark is not None
        else ""
    )
    return Problem("VK001", line, col, f"invalid YAML: {what}{context}{hint}")


def _conflict_hint(src: str, base_line: int) -> str:
    """`; line 3 holds '<<<<<<< HEAD', a conflict marker ...` where YAML (starting on note line `base_line`)
    that cannot be read holds a line git writes where a merge stopped, or "": YAML's own error names the
    line after the marker ("could not find expected ':'"), and such notes get committed (`git commit -a`,
    obsidian-git's commit on a timer)."""
    found = _CONFLICT.search(src) if ("<<<<<<<" in src or "=======" in src or ">>>>>>>" in src) else None
    if found is None:
        return ""
    line = base_line + src.count("\n", 0, found.start())
    text = found.group().rstrip("\r")
    shown = text if len(text) <= 40 else text[:37] + "..."
    return (
        f"; line {line} holds {shown!r}, a conflict marker git writes where a merge stopped: keep the lines "
        "meant and delete the marker lines"
    )


def _line_span(src: str, at: int) -> tuple[int, int]:
    """Where the line holding src[at] starts and ends (before its line break)."""
    end = src.find("\n", at)
    return src.rfind("\n", 0, at) + 1, end if end >= 0 else len(src)


def _placeholder_hint(src: str, at: int) -> str:
    """What broke YAML where the line holds a template's placeholder (`created: {{date}}T{{time}}`): a
    template checked as a note."""
    start, end = _line_span(src, at)
    line = src[start:end]
    return placeholder_hint(line) or curled_quotes_hint(line)


def placeholder_hint(text: str) -> str:
    """For a problem in text that holds a template's placeholder, what it is and what to do, as
    ` (<% tp.date.now() %> is a Templater command, not run: ...)`; "" where `text` holds none. A template
    vaultkit is not told of (settings not committed, a template kept outside the template folder) is checked
    as a note, and in a note, a placeholder left means the template was never applied (Templater not run),
    or applied by a plugin that fills in only its own (core Templates: `{{date}}`, `{{time}}`, `{{title}}`).
    Which of the two the note is, only its owner knows: the message says what to do in either, as telling
    a note of its folder's `exclude` alone would leave every note of the folder unchecked."""
    found = _PLACEHOLDER.search(text) if ("<%" in text or "{{" in text) else None
    if found is None:
        return ""
    shown = found.group() if len(found.group()) <= 40 else found.group()[:37] + "..."
    kind = "a Templater command, not run" if shown.startswith("<%") else "a template variable, not filled in"
    return (
        f" ({shown} is {kind}: in a note made from a template, write what it stands for; a template itself is"
        " checked as a note unless vaultkit.toml's `exclude` or Obsidian's template settings in .obsidian/"
        " name its folder)"
    )


def curled_quotes_hint(text: str) -> str:
    """`; “ and ” are no YAML quotes ...` where `text` holds a value in curled quotes, as a phone's keyboard
    types them (`related: [“[[Alpha]]”]`), or "": YAML reads them as text, and stops at the `[` inside."""
    found = _CURLED.search(text)
    if found is None:
        return ""
    straight = json.dumps(found.group(2), ensure_ascii=False)
    why = "a phone's keyboard curls quotes as you type"
    return f"; {found.group(1)} and {found.group(3)} are no YAML quotes ({why}): write {straight}"


def full_width_hint(src: str, at: int, base_line: int) -> str:
    """`; line 2 holds '：' ...` where YAML (starting on note line `base_line`) that stopped at `at` has, on
    that line or one above it, a property written with the full-width punctuation a Chinese or Japanese
    input method types: a colon `：` after its key (`title：中国`), an ideographic space (U+3000) after its
    `:` (`title:　中国`) or in its indentation (`　- メモ`). YAML reads each as text, so the property is no
    property, and the error it reports is often on a later line. "" where there is none."""
    end = src.find("\n", at)
    before = src[: end if end >= 0 else len(src)]
    found = next((f for f in _FULL_WIDTH.finditer(before) if not _open_quote(before[: f.start()])), None)
    if found is None:
        return ""
    line = base_line + before.count("\n", 0, found.start())
    text = found.group().strip()
    if found.group("indent") is not None:
        what, fix = "is indented with an ideographic space (U+3000", "indent with spaces"
    elif found.group("colon") == "：":
        what, fix = "holds '：' (a full-width colon", f"write {text.replace('：', ': ', 1)!r}"
    else:
        what, fix = (
            "holds ':' and an ideographic space (U+3000",
            f"write {text.replace(_IDEOGRAPHIC, ' ', 1)!r}",
        )
    who = "as a Chinese or Japanese input method types it"
    return f"; line {line} {what}, {who}), which YAML reads as text: {fix}"


def _open_quote(lines: str) -> str:
    """The quote (`"` or `'`) of a quoted value that `lines` leave open at their end, or "": a line inside
    one (`title: "注意` then `ポイント：重要"`) is the value's text, so no property written with full-width
    punctuation. A cheap scan, not YAML's: only a value that starts with its quote (after a key's `: ` or a
    list item's `- `) is followed, through `\\"` and `''`, the escapes of each kind."""
    quote = ""
    for line in lines.split("\n"):
        at = 0
        if not quote:
            opens = _QUOTE_OPENS.match(line)
            if opens is None:
                continue
            quote, at = opens.group(1), opens.end()
        quote = _still_open(line, at, quote)
    return quote


def _still_open(line: str, at: int, quote: str) -> str:
    """`quote` where the quoted value open at `line[at]` does not end on the line, else ""."""
    while at < len(line):
        char = line[at]
        if quote == '"' and char == "\\":
            at += 2
            continue
        if char == quote:
            if quote == "'" and line.startswith("''", at):
                at += 2
                continue
            return ""
        at += 1
    return quote


_IDEOGRAPHIC = "\u3000"  # the ideographic space, as wide as a Han character
# A top-level property written with an input method's full-width punctuation: a key, then `：` or `:` and an
# ideographic space (the key holds no `:`, so `title: 注意：重要` is no such line); or a list item or a key
# indented with an ideographic space (`　- メモ`; not a block scalar's paragraph indented so,
# `  　日本語の段落`, as Japanese prose starts one: that is text, as meant)
_FULL_WIDTH = re.compile(
    r"^(?:(?P<key>[^\s:#：\-\[\]{}][^:\n：]{0,100}?)(?P<colon>：|:\u3000)"
    r"|(?P<indent>[ \t]*\u3000[ \t\u3000]*)(?=-(?:\s|$)|[^\s:#\-][^:\n]{0,100}:(?:\s|$)))[^\n]*$",
    re.MULTILINE,
)
# A value that starts with a quote: after a key's `: ` (the key's first `: `), a list item's `- `, or alone
_QUOTE_OPENS = re.compile(r"[ \t]*(?:-[ \t]+)*(?:[^\s:#'\"][^\n]*?:[ \t]+)?([\"'])")
# A value in curled quotes: they open it (at the line's start, after white space, `[`, `{` or `,`) and close
# it (before its end, white space, `]`, `}`, `,` or `:`); not apostrophes inside words (`It‘s Bob’s`)
_CURLED = re.compile(r"(?<![^\s\[{,])([“‘])([^“”‘’\n]{1,200})([”’])(?![^\s\]},:])")
# A Templater command (`<% tp.date.now() %>`, `<%* let t = 1 %>`) or a variable of the core Templates plugin,
# Periodic Notes or QuickAdd (`{{date}}`, `{{time:HH:mm}}`, `{{VALUE:tag}}`): what a template holds where the
# note made from it holds a value
# a line git writes in a file where a merge stopped: `<<<<<<< HEAD`, `|||||||` (diff3), `=======`, `>>>>>>> b`
_CONFLICT = re.compile(r"^(?:<{7}|\|{7}|={7}|>{7})(?:[ \t][^\n]*)?\r?$", re.M)
_PLACEHOLDER = re.compile(r"\{\{[^{}\n]{1,200}\}\}|<%[^\n]{0,200}?%>")
# `authors: [[Peize Sun]], [[Yi Jiang]]`: the value starts with an unquoted wikilink
_UNQUOTED_LINK = re.compile(r"[ \t]*(?:-[ \t]+)?[^\s:#][^:]*:[ \t]+\[\[[^\[\]\n]+\]\]")
_WIKILINK = re.compile(r"\[\[[^\[\]\n]+\]\]")


def _quote_links(src: str, at: int) -> str:
    """What to write where YAML stopped on a line whose value is wikilinks left unquoted, as Zotero
    literature notes and Logseq exports write them: YAML reads `[[A]]` as a list, then stops at the comma."""
    start, end = _line_span(src, at)
    line = src[start:end]
    if not _UNQUOTED_LINK.match(line):
        return ""
    links = _WIKILINK.findall(line)
    # as JSON strings, which YAML reads: a `"` or a backslash in a link is escaped
    shown = ", ".join(json.dumps(link, ensure_ascii=False) for link in links[:3]) + (
        ", …" if len(links) > 3 else ""
    )
    return f"; a [[link]] in a property needs quotes: write [{shown}]"


# A key as typed by hand, on a line of its own (maybe a list item's), and the `: ` after it
_KEY_TYPED = r"[ \t]*(?:-[ \t]+)?([^\s:#'\"\[\]{},&*!|>%@`-][^:\n]*?):[ \t]+"
# A property on one line, its value typed as it reads (no quote, block scalar, anchor or tag opens it): the
# indentation or list marker, the key, the value up to a comment
_PLAIN_PROPERTY = re.compile(_KEY_TYPED + r"([^\s'\"&!|>%#][^\n]*?)(?:[ \t]+#.*)?[ \t]*\r?")


def _unquoted_value_hint(src: str, at: int) -> str:
    """`; a ': ' in a value ...: write title: "Re: meeting notes"` where YAML stopped on a property whose
    value needs quotes, as typed by hand (a title with a colon, a handle, a title starting `[Draft]`), or "":
    libyaml's own words ("mapping values are not allowed in this context", "found character that cannot
    start any token") tell a note's author nothing of what to write."""
    found = _PLAIN_PROPERTY.fullmatch(src, *_line_span(src, at))
    if found is None:
        return ""
    key, value = found.group(1), found.group(2)
    if value[0] in "[{" and value[-1] in "]}":
        return ""  # a list or mapping written as one, its mistake elsewhere (`{a: 1}}`): its ': ' is YAML's
    if ": " in value or value.endswith(":"):
        why = "a ': ' in a value reads as a property inside it"
    elif value[0] in "@`":
        why = f"no YAML value starts with '{value[0]}'"
    elif value[0] == "*":  # `*bold*`, Markdown's emphasis
        why = "a value that starts with '*' names an anchor to YAML"
    elif value[0] in "[{" and value[-1] not in "]}":
        why = f"a value that starts with '{value[0]}' is a {'list' if value[0] == '[' else 'mapping'}"
    else:
        return ""
    return f"; {why}: write the value in quotes, {key}: {json.dumps(value, ensure_ascii=False)}"


# A property on one line whose value opens with a quote and ends with the same quote, after more of it
_QUOTED_PROPERTY = re.compile(_KEY_TYPED + r"(['\"])(.*)\2[ \t]*\r?")


def _quote_inside_hint(src: str, at: int) -> str:
    """`; the value's quote ends at the ' inside it: write title: "It's mine"` where YAML stopped on a
    property whose quoted value holds its own quote (`title: 'It's mine'`, `title: "He said "hi""`), or "":
    YAML ends the value there, and says only "did not find expected key" at the text after it."""
    found = _QUOTED_PROPERTY.fullmatch(src, *_line_span(src, at))
    if found is None or found.group(2) not in found.group(3):
        return ""
    key, quote, value = found.groups()
    other = "'" if quote == '"' else '"'
    if other not in value:
        written = f"{other}{value}{other}"
    elif quote == "'":
        written = "'" + value.replace("'", "''") + "'"
    else:
        written = json.dumps(value, ensure_ascii=False)
    return f"; the value's {quote} ends at the {quote} inside it: write {key}: {written}"


# A property whose value opens a list on its line, then holds a `#` where YAML starts a comment: not one
# inside a quoted item (`tags: [a, "b # c"]` is a closed list, whatever error comes below it)
_LIST_WITH_HASH = re.compile(
    r"^[ \t]*([^\s:#'\"\[\]{},&*!|>%@`-][^:\n]*?):[ \t]+\["
    r"((?:(?:[^\n\]'\"]|\"[^\"\n]*\"|'[^'\n]*')*?[ \t])?#[^\n]*)",
    re.MULTILINE,
)


def _comment_in_list_hint(src: str, at: int) -> str:
    """`; a '#' after a space or a '[' starts a comment ...: write tags: [book, fiction]` where YAML ran out
    at `at`, or below, a list opened on a line holding such a `#` (`tags: [#book, #fiction]`: the rest of
    the line is a comment, and the `]` with it), or "": YAML says only "did not find expected node
    content", at a line after it."""
    end = src.find("\n", at)
    lines = list(_LIST_WITH_HASH.finditer(src, 0, end if end >= 0 else len(src)))
    if not lines:
        return ""
    found = lines[-1]  # the last such line at or above where YAML ran out
    key = found.group(1)
    items = [item.strip() for item in found.group(2).rstrip().removesuffix("]").split(",")]
    if key.lower() == "tags":
        written = "[" + ", ".join(item.lstrip("#") for item in items) + "]"
    else:
        written = "[" + ", ".join(json.dumps(item, ensure_ascii=False) for item in items) + "]"
    why = "a '#' after a space or a '[' starts a comment in YAML, which ends the list unclosed"
    return f"; {why}: write {key}: {written}"


def _reader_problem(e: yaml.reader.ReaderError, src: str, base_line: int) -> Problem:
    at = min(max(e.position, 0), len(src))
    line = base_line + src.count("\n", 0, at)
    col = at - src.rfind("\n", 0, at)
    char = e.character if isinstance(e.character, int) else ord(str(e.character)[:1] or "?")
    return Problem("VK001", line, col, f"invalid YAML: the character U+{char:04X} is not allowed in YAML")


class _Refused(Exception):
    """The frontmatter is not loaded: unsafe (VK004, the default) or unreadable (VK001)."""

    def __init__(self, line: int, col: int, message: str, code: str = "VK004") -> None:
        super().__init__(message)
        self.line, self.col, self.message, self.code = line, col, message, code


def _check_expansion(root: yaml.Node, base_line: int) -> bool:
    """Refuse an alias bomb before expanding it: the expanded size of every node, computed once per distinct
    node (iteratively, so no depth can exhaust the stack); an alias that contains itself is refused too.
    True if some node is reached twice: an alias repeats it."""
    shared = False
    sizes: dict[int, int] = {}
    open_: set[int] = set()
    stack: list[tuple[yaml.Node, bool]] = [(root, False)]
    while stack:
        node, done = stack.pop()
        key = id(node)
        if done:
            children = _children(node)
            sizes[key] = 1 + sum(sizes[id(c)] for c in children)
            open_.discard(key)
            if sizes[key] > MAX_NODES:
                raise _Refused(*_place(node.start_mark, base_line), _BOMB)
            continue
        if key in sizes:
            shared = True
            continue
        if key in open_:
            raise _Refused(*_place(node.start_mark, base_line), "a YAML alias refers to itself")
        open_.add(key)
        stack.append((node, True))
        children = _children(node)
        fresh = [(c, False) for c in children if id(c) not in sizes]
        shared = shared or len(fresh) < len(children)
        stack.extend(fresh)
    return shared


def _children(node: yaml.Node) -> list[yaml.Node]:
    if isinstance(node, yaml.SequenceNode):
        return list(node.value)
    if isinstance(node, yaml.MappingNode):
        return [n for pair in node.value for n in pair]
    return []


class _Walker:
    """Turns composed nodes into JSON-like values, recording positions and YAML traps."""

    def __init__(self, fm: Frontmatter, src: str, base_line: int) -> None:
        self.fm = fm
        self.src = src  # the YAML the nodes were composed from: their marks index into it
        self.properties = "!" in src or "&" in src  # could a scalar have a tag or an anchor at all?
        self.base_line = base_line
        self.budget = MAX_NODES
        self.active: set[int] = set()
        self.depth = 0

    def pos(self, mark: Any) -> tuple[int, int]:
        return _place(mark, self.base_line)

    def typed(self, node: yaml.ScalarNode) -> Any:
        """`resolve_plain` of the node's text; an integer of more digits than Python converts (4,300) is
        refused as unreadable (it was a VK000 'please report it')."""
        try:
            return resolve_plain(node.value)
        except ValueError as e:
            digits = sum(c.isdigit() for c in node.value)
            raise self.unreadable(node, f"a number of {digits} digits is too long to read") from e

    def unreadable(self, node: yaml.Node, message: str) -> _Refused:
        return _Refused(*self.pos(node.start_mark), f"invalid YAML: {message}", "VK001")

    def value(self, node: yaml.Node, path: JsonPath) -> Any:
        self.budget -= 1
        if self.budget < 0:
            line, col = self.pos(node.start_mark)
            raise _Refused(line, col, _BOMB)
        if node.tag == _PLAIN and type(node) is yaml.ScalarNode:  # most values: checked as below, at once
            return self.scalar(node, path)  # (only collections are ever `active`)
        if id(node) in self.active:
            line, col = self.pos(node.start_mark)
            raise _Refused(line, col, "a YAML alias refers to itself")
        if node.tag not in _SAFE_TAGS:
            line, col = self.pos(node.start_mark)
            raise _Refused(line, col, f"YAML tag '{_short_tag(node.tag)}' is not allowed in frontmatter")
        kind = _COLLECTION_TAGS.get(node.tag, yaml.ScalarNode)
        if type(node) is not kind:
            tag, want, got = _short_tag(node.tag), _KIND_NAME[kind], _KIND_NAME[type(node)]
            raise self.unreadable(node, f"the tag {tag} is for {want}, not {got}")
        if isinstance(node, yaml.ScalarNode):
            return self.scalar(node, path)
        if self.depth >= MAX_VALUE_DEPTH:
            line, col = self.pos(node.start_mark)
            raise _Refused(line, col, f"YAML nested deeper than {MAX_VALUE_DEPTH} levels refused")
        self.active.add(id(node))
        self.depth += 1
        try:
            if isinstance(node, yaml.SequenceNode):
                out = []
                for i, item in enumerate(node.value):
                    self.record(item, item, (*path, i))
                    out.append(self.value(item, (*path, i)))
                return out
            assert isinstance(node, yaml.MappingNode)
            return self.mapping(node, path)
        finally:
            self.depth -= 1
            self.active.discard(id(node))

    def mapping(self, node: yaml.MappingNode, path: JsonPath) -> dict[str, Any]:
        out: dict[str, Any] = {}
        seen: dict[str, yaml.Node] = {}  # each key's last node: where it is, asked for a duplicate only
        for key_node, value_node in node.value:
            if not isinstance(key_node, yaml.ScalarNode):
                line, col = self.pos(key_node.start_mark)
                refused = _Refused(line, col, "a frontmatter key must be a plain name, not a list or mapping")
                raise self.placeholder(node) or refused
            key = str(key_node.value)
            if key in seen:
                first_line = self.pos(seen[key].start_mark)[0]
                kline, kcol = self.pos(key_node.start_mark)
                self.fm.problems.append(
                    Problem(
                        "VK003",
                        kline,
                        kcol,
                        f"duplicate key '{key}' (first on line {first_line}, again on line {kline}); "
                        "YAML keeps only the last value",
                    )
                )
            seen[key] = key_node
            child = (*path, key)
            self.record(key_node, value_node, child)
            out[key] = self.value(value_node, child)
        return out

    def placeholder(self, node: yaml.MappingNode) -> _Refused | None:
        """`{{date}}`, a template's placeholder, is a mapping whose key is a mapping to YAML: said as what it
        is, since a template kept outside the template folders vaultkit knows is checked as a note."""
        found = _PLACEHOLDER.match(self.src, node.start_mark.index)
        if found is None:
            return None
        line, col = self.pos(node.start_mark)
        return _Refused(
            line,
            col,
            f"YAML reads '{found.group()}' as a mapping inside a mapping" + placeholder_hint(found.group()),
        )

    def record(self, key_node: yaml.Node, value_node: yaml.Node, path: JsonPath) -> None:
        self.fm.nodes.add(path, key_node, value_node)

    def scalar(self, node: yaml.ScalarNode, path: JsonPath) -> Any:
        text = node.value
        if node.tag != _PLAIN:
            return self.explicit(node)
        if node.style or (self.properties and self.non_specific(node)):
            return text  # tagged `!`: a string, whatever it looks like
        if read_as_text(text):
            return text
        return self.plain(node, path)

    def plain(self, node: yaml.ScalarNode, path: JsonPath) -> Any:
        """A plain scalar typed by YAML 1.2, and where YAML 1.1 would read it otherwise."""
        text = node.value
        value = self.typed(node)
        if text in _YAML11_BOOL:
            self.fm.yaml11[path] = f"YAML 1.1 would read {text!r} as a boolean; vaultkit reads YAML 1.2"
        elif text[:1] in _NUMBER_START and _SEXAGESIMAL.match(text):
            reading = f"YAML 1.1 would read {text!r} as a base-60 number"
            self.fm.yaml11[path] = f"{reading}; vaultkit reads a string"
        elif isinstance(value, int) and _LEADING_ZERO.match(text):
            octal = _OCTAL11.match(text) is not None  # 010 is 8 in YAML 1.1; 08 is no number there at all
            self.fm.yaml11[path] = (
                f"YAML 1.1 would read {text!r} as {'an octal number' if octal else 'a string'}"
            )
        elif text[:1] in _NUMBER_START:
            hint = _number_hint(text, value)
            if hint:
                self.fm.yaml11[path] = hint
        return value

    def non_specific(self, node: yaml.ScalarNode) -> bool:
        """Is this plain scalar tagged `!`? Its start mark is at its first property (tag or anchor), and a
        plain scalar cannot itself start with `!` or `&`."""
        start = node.start_mark.index
        if self.src[start : start + 1] not in ("!", "&"):
            return False
        return _TAG_AFTER_ANCHOR.match(self.src, start) is not None

    def explicit(self, node: yaml.ScalarNode) -> Any:
        """A scalar with a standard tag (`!!int '7'`), or a quoted or block one (composed as `!!str`). A
        value its tag cannot read is refused, as YAML 1.2 readers refuse it (PyYAML raises ValueError)."""
        tag = node.tag.removeprefix(_STD)
        if tag in ("str", "timestamp"):
            return node.value
        value = self.typed(node)
        types, what = _TAGGED[tag]
        if type(value) in types:
            return float(value) if tag == "float" else value
        hint = " (YAML 1.1 would read a boolean)" if tag == "bool" and node.value in _YAML11_BOOL else ""
        raise self.unreadable(node, f"{_quoted(node.value)} is not {what}, as its tag !!{tag} says{hint}")


def read_as_text(text: str) -> bool:
    """Is this plain scalar one of most values, text to YAML 1.2 and 1.1 alike: a word (it does not start as
    a number does, nor is it a null, a boolean or a YAML 1.1 boolean), or a date? Such a value needs neither
    the five number patterns of `resolve_plain` nor the YAML 1.1 ones of `_Walker.plain`
    (tests/test_frontmatter.py compares them)."""
    return (text not in _WORDS and text[:1] not in _NUMBER_START) or _DATE.match(text) is not None


def _number_hint(text: str, value: Any) -> str | None:
    """Said where YAML 1.1 (PyYAML; js-yaml, which reads `1_000` and `0b101` as numbers too) and YAML 1.2
    (what vaultkit and Obsidian read) disagree on whether a plain value is a number."""
    number11 = _NUMBER11.match(text) is not None
    number12 = isinstance(value, (int, float)) and not isinstance(value, bool)
    if number11 == number12:
        return None
    reading = ("a number", "a string") if number11 else ("a string", "a number")
    return f"YAML 1.1 would read {text!r} as {reading[0]}; vaultkit reads {reading[1]}, as YAML 1.2 does"


def _quoted(text: str, limit: int = 60) -> str:
    return repr(text if len(text) <= limit else text[: limit - 3] + "...")


def resolve_plain(text: str) -> Any:  # noqa: PLR0911
    """Type a plain scalar by the YAML 1.2 core schema (dates stay strings)."""
    if text in ("", "~", "null", "Null", "NULL"):
        return None
    if text in ("true", "True", "TRUE"):
        return True
    if text in ("false", "False", "FALSE"):
        return False
    if text[0] not in _NUMBER_START:  # most values are words: five regexes that could not match, skipped
        return text
    if _INT.match(text):
        return int(text)
    if _OCT.match(text):
        return int(text[2:], 8)
    if _HEX.match(text):
        return int(text[2:], 16)
    if _FLOAT.match(text):
        return float(text)
    if _INF.match(text):  # in the core schema's three spellings only: `.iNf` and `.nAn` are text
        return -math.inf if text.startswith("-") else math.inf
    if text in (".nan", ".NaN", ".NAN"):
        return math.nan
    return text


def _short_tag(tag: str) -> str:
    return "!!" + tag.removeprefix(_STD) if tag.startswith(_STD) else tag
