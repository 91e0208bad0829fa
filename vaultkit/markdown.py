"""The body scanner: one pass over a note's Markdown that records offsets.

It finds what the rest of vaultkit needs — headings, block ids, links of every kind, suppression comments —
and every region the linker must never edit (code, math, comments, HTML, links, URLs, tags, footnotes,
headings, callout headers, tables). It errs on the side of protecting: text it is unsure of is never edited.

mistune (see `verify.py`) is the second opinion the writer asks before it changes a note; this scanner is the
fast path that runs on every note, because mistune has no source positions and costs ~1 ms a note.
"""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass, field
from urllib.parse import unquote

MASK = "\x01"  # stands in for protected text: not a word character, never part of a key


@dataclass(frozen=True)
class Link:
    kind: str  # "wiki" or "markdown"
    target: str  # as written, before '#' (decoded for markdown links)
    subpath: str  # after the first '#', without it ("" if none)
    display: str | None
    embed: bool
    start: int
    end: int
    in_table: bool = False


@dataclass(frozen=True)
class Heading:
    level: int
    text: str
    start: int


@dataclass(frozen=True)
class BlockId:
    ident: str
    start: int


@dataclass(frozen=True)
class Suppression:
    codes: tuple[str, ...]  # empty: every code
    first_line: int  # 1-based, inclusive, in the note
    last_line: int  # inclusive; 0 means to the end of the note
    line: int  # where the comment is
    col: int


@dataclass
class BodyScan:
    links: list[Link] = field(default_factory=list)
    headings: list[Heading] = field(default_factory=list)
    block_ids: list[BlockId] = field(default_factory=list)
    suppressions: list[Suppression] = field(default_factory=list)
    prose: str = ""  # the body with protected regions replaced by MASK (same length as the body)


_FENCE_OPEN = re.compile(r"[ \t]*(?:>[ \t]?)*[ \t]*(?:(?:[-*+]|\d{1,9}[.)])[ \t]+)*[ \t]*(`{3,}|~{3,})(.*)")
_ATX = re.compile(r"[ ]{0,3}(#{1,6})(?:[ \t]+(.*?))?(?:[ \t]+#+)?[ \t]*\Z")
_SETEXT = re.compile(r"[ ]{0,3}(=+|-+)[ \t]*\Z")
_TABLE_DELIM = re.compile(r"[ \t]*(?:>[ \t]?)*[ \t]*\|?[ \t]*:?-+:?[ \t]*(?:\|[ \t]*:?-+:?[ \t]*)*\|?[ \t]*\Z")
_CALLOUT = re.compile(r"[ \t]*(?:>[ \t]*)+\[![^\]\n]*\]")
_REFDEF = re.compile(r"[ ]{0,3}\[[^\]\n]+\]:[ \t]*\S")
_HTML_BLOCK = re.compile(r"[ ]{0,3}<(?:\?|![A-Za-z]|!\[CDATA\[|/?[A-Za-z][A-Za-z0-9-]*(?:[\s/>]|\Z))")
_MATH_BLOCK = re.compile(r"[ \t]*(?:>[ \t]?)*[ \t]*\$\$")
_BLOCK_ID = re.compile(r"(?:^|[ \t])\^([A-Za-z0-9-]+)[ \t]*$", re.MULTILINE)
_BLANK_LINE = re.compile(r"\n[ \t]*(?=\n)")
_TICKS = re.compile(r"`+")
_COMMENT = re.compile(r"%%.*?(?:%%|\Z)", re.DOTALL)
_HTML_COMMENT = re.compile(r"<!--.*?(?:-->|\Z)", re.DOTALL)
_SUPPRESS = re.compile(r"vaultkit-(disable-next-line|disable|enable)\b[ \t]*([A-Za-z0-9, \t]*)")
_INLINE = re.compile(
    r"""
    (?P<esc>\\[!-/:-@\[-`{-~])
    |(?P<templater><%.*?(?:%>|\Z))
    |(?P<math>\$\$.*?(?:\$\$|\Z)|\$(?=[^\s$])[^$\n]*?(?<=[^\s\\])\$(?!\d))
    |(?P<wiki>!?\[\[(?P<wbody>[^\[\]\n]*?)\]\])
    |(?P<md>!?\[(?P<mtext>(?:[^\[\]\n]|\[[^\[\]\n]*\])*)\]
        \((?P<dest><[^<>\n]*>|[^\s()<>]*(?:\([^\s()]*\)[^\s()<>]*)*)(?:[ \t]+(?:"[^"\n]*"|'[^'\n]*'|\([^)\n]*\)))?[ \t]*\))
    |(?P<ref>!?\[[^\[\]\n]+\]\[[^\[\]\n]*\])
    |(?P<footnote>\[\^[^\]\n]+\]|\^\[[^\]\n]*\])
    |(?P<autolink><[A-Za-z][A-Za-z0-9+.-]{1,31}:[^\s<>]*>|<[^\s<>@]+@[^\s<>@]+>)
    |(?P<url>(?:[A-Za-z][A-Za-z0-9+.-]{1,31}://|www\.)[^\s<>]*[^\s<>.,;:!?'")\]*_~])
    |(?P<html></?[A-Za-z][A-Za-z0-9-]*(?:\s[^<>]*)?/?>)
    |(?P<tag>(?<![^\s(\[{,;])\#(?=[\w/-]*[^\W\d])[\w/-]+)
    |(?P<brackets>\[\[|\]\])
    """,
    re.VERBOSE | re.DOTALL,
)


def scan(body: str, first_line: int = 1) -> BodyScan:
    """Scan a note body. Offsets are into `body`; `first_line` is the note line where the body starts."""
    out = BodyScan()
    chars = list(body)
    code_spans: list[tuple[int, int]] = []
    tables: list[tuple[int, int]] = []
    no_insert: list[tuple[int, int]] = []  # headings, tables, callout headers: links count, edits don't
    _block_pass(body, out, chars, tables, no_insert)
    masked = "".join(chars)
    _code_spans(masked, code_spans)
    for start, end in code_spans:
        chars[start:end] = MASK * (end - start)
    masked = "".join(chars)
    _comments(body, masked, chars, out, first_line)
    masked = "".join(chars)
    _inline(body, masked, chars, out, tables)
    for start, end in no_insert:
        _mask(chars, start, end)
    out.prose = "".join(chars)
    return out


def _block_pass(  # noqa: C901, PLR0912, PLR0915 - one branch per block kind, in CommonMark's order
    body: str,
    out: BodyScan,
    chars: list[str],
    tables: list[tuple[int, int]],
    no_insert: list[tuple[int, int]],
) -> None:
    lines = body.splitlines(keepends=True)
    pos = 0
    i = 0
    prev_blank = True
    prev_para_start = -1  # start of the paragraph line before this one, for setext headings
    n = len(lines)
    while i < n:
        line = lines[i]
        content = line.rstrip("\r\n")
        start = pos
        stripped = content.lstrip(" \t>")
        first = stripped[:1]
        if not stripped:
            prev_blank, prev_para_start = True, -1
            pos += len(line)
            i += 1
            continue
        if first in "`~" and (m := _FENCE_OPEN.match(content)):
            i, pos = _skip_fence(lines, i, pos, m, chars)
            prev_blank, prev_para_start = True, -1
            continue
        indent = _indent_width(content)
        if indent >= 4 and prev_blank and not content.lstrip(" \t").startswith(">"):
            i, pos = _skip_indented(lines, i, pos, chars)
            prev_blank, prev_para_start = True, -1
            continue
        if first == "$" and _MATH_BLOCK.match(content) and content.count("$$") == 1:
            i, pos = _skip_until(lines, i, pos, "$$", chars)
            prev_blank, prev_para_start = True, -1
            continue
        if first == "<" and not stripped.startswith("<!--") and _HTML_BLOCK.match(content):
            i, pos = _skip_html(lines, i, pos, chars)
            prev_blank, prev_para_start = True, -1
            continue
        end = start + len(content)
        if first == "#" and (h := _ATX.match(content)):
            out.headings.append(Heading(len(h.group(1)), (h.group(2) or "").strip(), start))
            no_insert.append((start, end))
        elif first in "=-" and prev_para_start >= 0 and _SETEXT.match(content):
            text = body[prev_para_start:start].strip()
            out.headings.append(Heading(1 if first == "=" else 2, " ".join(text.split()), prev_para_start))
            no_insert.append((prev_para_start, end))
            prev_para_start = -1
            prev_blank, pos, i = False, pos + len(line), i + 1
            continue
        elif first == "[" and prev_blank and _REFDEF.match(content):
            _mask(chars, start, end)
        elif "|" in content and i + 1 < n and _TABLE_DELIM.match(lines[i + 1].rstrip("\r\n")):
            i, pos = _skip_table(lines, i, pos, tables)
            no_insert.append(tables[-1])
            prev_blank, prev_para_start = True, -1
            continue
        elif first == "[" and _CALLOUT.match(content):
            no_insert.append((start, end))
        if prev_para_start < 0:
            prev_para_start = start
        prev_blank = False
        pos += len(line)
        i += 1


def _indent_width(line: str) -> int:
    width = 0
    for ch in line:
        if ch == " ":
            width += 1
        elif ch == "\t":
            width += 4 - width % 4
        else:
            break
    return width


def _mask(chars: list[str], start: int, end: int) -> None:
    for k in range(start, end):
        if chars[k] not in "\r\n":
            chars[k] = MASK


def _skip_fence(lines: list[str], i: int, pos: int, m: re.Match[str], chars: list[str]) -> tuple[int, int]:
    fence = m.group(1)
    start = pos
    pos += len(lines[i])
    i += 1
    close = re.compile(r"[ \t]*(?:>[ \t]?)*[ \t]*" + re.escape(fence[0]) + "{" + str(len(fence)) + r",}[ \t]*\Z")
    while i < len(lines):
        line = lines[i]
        pos += len(line)
        i += 1
        if close.match(line.rstrip("\r\n")):
            break
    _mask(chars, start, pos)
    return i, pos


def _skip_indented(lines: list[str], i: int, pos: int, chars: list[str]) -> tuple[int, int]:
    start = pos
    end = pos
    while i < len(lines):
        content = lines[i].rstrip("\r\n")
        if content.strip() and _indent_width(content) < 4:
            break
        pos += len(lines[i])
        if content.strip():
            end = pos
        i += 1
    _mask(chars, start, end)
    return i, pos


def _skip_until(lines: list[str], i: int, pos: int, marker: str, chars: list[str]) -> tuple[int, int]:
    start = pos
    pos += len(lines[i])
    i += 1
    while i < len(lines):
        line = lines[i]
        pos += len(line)
        i += 1
        if marker in line:
            break
    _mask(chars, start, pos)
    return i, pos


def _skip_html(lines: list[str], i: int, pos: int, chars: list[str]) -> tuple[int, int]:
    start = pos
    first = lines[i]
    ender = "-->" if first.lstrip().startswith("<!--") else None
    while i < len(lines):
        line = lines[i]
        if ender is None and not line.strip():
            break
        pos += len(line)
        i += 1
        if ender is not None and ender in line:
            break
    _mask(chars, start, pos)
    return i, pos


def _skip_table(lines: list[str], i: int, pos: int, tables: list[tuple[int, int]]) -> tuple[int, int]:
    start = pos
    while i < len(lines) and "|" in lines[i] and lines[i].strip():
        pos += len(lines[i])
        i += 1
    tables.append((start, pos))
    return i, pos


def _code_spans(masked: str, spans: list[tuple[int, int]]) -> None:
    """Pair backtick runs of equal length within a paragraph (CommonMark's rule)."""
    breaks = [m.start() for m in _BLANK_LINE.finditer(masked)]
    runs = [(m.start(), m.end()) for m in _TICKS.finditer(masked)]
    k = 0
    while k < len(runs):
        start, end = runs[k]
        backslashes = 0
        while start - backslashes - 1 >= 0 and masked[start - backslashes - 1] == "\\":
            backslashes += 1
        if backslashes % 2:
            start += 1
            if start == end:
                k += 1
                continue
        width = end - start
        limit_idx = bisect.bisect_left(breaks, end)
        limit = breaks[limit_idx] if limit_idx < len(breaks) else len(masked)
        j = k + 1
        while j < len(runs) and runs[j][0] < limit and runs[j][1] - runs[j][0] != width:
            j += 1
        if j < len(runs) and runs[j][0] < limit:
            spans.append((start, runs[j][1]))
            k = j + 1
        else:
            k += 1


def _comments(body: str, masked: str, chars: list[str], out: BodyScan, first_line: int) -> None:
    for regex in (_COMMENT, _HTML_COMMENT):
        for m in regex.finditer(masked):
            _suppression(body, m, out, first_line)
            _mask(chars, m.start(), m.end())


def _suppression(body: str, m: re.Match[str], out: BodyScan, first_line: int) -> None:
    s = _SUPPRESS.search(m.group(0))
    if s is None:
        return
    line = first_line + body.count("\n", 0, m.start())
    col = m.start() - body.rfind("\n", 0, m.start())
    codes = tuple(c.upper() for c in re.split(r"[,\s]+", s.group(2).strip()) if c)
    end_line = first_line + body.count("\n", 0, m.end())
    kind = s.group(1)
    if kind == "disable-next-line":
        out.suppressions.append(Suppression(codes, end_line + 1, end_line + 1, line, col))
    elif kind == "disable":
        out.suppressions.append(Suppression(codes, line, 0, line, col))
    else:  # enable: close the open regions for these codes
        for n, sup in enumerate(out.suppressions):
            if sup.last_line == 0 and (not codes or set(codes) & set(sup.codes) or not sup.codes):
                out.suppressions[n] = Suppression(sup.codes, sup.first_line, line, sup.line, sup.col)


def _inline(
    body: str, masked: str, chars: list[str], out: BodyScan, tables: list[tuple[int, int]]
) -> None:
    table_starts = [t[0] for t in tables]
    for m in _INLINE.finditer(masked):
        kind = m.lastgroup
        if kind == "wiki":
            link = _wikilink(body, m, _inside(tables, table_starts, m.start()))
            if link is not None:
                out.links.append(link)
        elif kind == "md":
            link = _mdlink(m)
            if link is not None:
                out.links.append(link)
        _mask(chars, m.start(), m.end())
    for bm in _BLOCK_ID.finditer(masked):
        out.block_ids.append(BlockId(bm.group(1), bm.start(1) - 1))
        _mask(chars, bm.start(1) - 1, bm.end(1))


def _inside(ranges: list[tuple[int, int]], starts: list[int], pos: int) -> bool:
    k = bisect.bisect_right(starts, pos) - 1
    return k >= 0 and ranges[k][0] <= pos < ranges[k][1]


def _wikilink(body: str, m: re.Match[str], in_table: bool) -> Link | None:
    inner = m.group("wbody")
    if in_table:
        inner = inner.replace("\\|", "|")
    target, _, display = inner.partition("|")
    target, _, subpath = target.partition("#")
    target = target.strip()
    if not target and not subpath:
        return None
    return Link(
        "wiki",
        target,
        subpath.strip(),
        display or None,
        m.group(0).startswith("!"),
        m.start(),
        m.end(),
        in_table,
    )


def _mdlink(m: re.Match[str]) -> Link | None:
    dest = m.group("dest")
    if dest.startswith("<"):
        dest = dest[1:-1]
    if not dest or re.match(r"[A-Za-z][A-Za-z0-9+.-]{1,31}:", dest):
        return None  # external URL (http:, mailto:, obsidian:) — not a vault link
    path, _, subpath = unquote(dest).partition("#")
    if not path and not subpath:
        return None
    return Link("markdown", path, subpath, m.group("mtext"), m.group(0).startswith("!"), m.start(), m.end())
