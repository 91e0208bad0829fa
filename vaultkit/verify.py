"""A second opinion before a note is written.

Body edits: each edited span is replaced by a private-use character and the body is parsed with mistune
(tables, footnotes, math, strikethrough, URLs, and small plugins for wikilinks and `%%` comments). Every
marker must come out in plain prose — a text token under paragraphs, lists, quotes or emphasis — and never
in code, math, HTML, a heading, a table, a link or a comment; nor may vaultkit's own parse of the note protect
the edited span (a callout's title, an Admonition header: prose to mistune). Frontmatter edits: the new
YAML must load, and every property except the managed one must be exactly as before. A failure refuses the
whole write.

What a frontmatter edit must keep of the old YAML can be recorded when the note is parsed (`kept_digest`,
NoteFacts.kept): the check then loads the new YAML only, and loads the old one too only when the two differ.
A note's first relations (the property, which it lacks, added where its YAML ends) and more relations (items
added to the end of its block list) are not loaded at all where the YAML's grammar says what the load would
find (`_appends_property`, `_extends_list`).
"""

from __future__ import annotations

import array
import bisect
import functools
import hashlib
import itertools
import re
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Sequence
from typing import Any, Literal

from vaultkit import frontmatter
from vaultkit.diagnostics import Edit
from vaultkit.note import lines_view

# Supplementary Private Use Areas: the edit markers are taken from there, among the characters a note lacks
_MARK_BASE = 0xF0000
_PROSE = frozenset(
    {
        "paragraph",
        "list",
        "list_item",
        "block_text",
        "block_quote",
        "emphasis",
        "strong",
        "strikethrough",
        "text",
        "mark",
        "insert",
    }
)


# Which blocks' inline content a parse reads: mistune spends most of its time there (~6 ms of a 5 KB note's
# ~8), and a check needs it only where a marker is ("marked"), or nowhere, for the block structure ("none")
Inline = Literal["all", "marked", "none"]
_MARKS = re.compile(f"[{chr(_MARK_BASE)}-\U0010ffff]")
# mistune makes a token of about every markup character of a paragraph it reads inline, near a kilobyte
# apiece: a paragraph of 400,000 `*a` (800 kB) took 500 MB and 17 s to check, a 5 MB one would take 3 GB.
# A paragraph holding an edit and more markup than this is not checked, and the note is not written; the
# mention scan masks such paragraphs (`unverifiable`), so that no link is planned there.
MAX_MARKUP = 100_000
_MARKUP = "*_[]<>`$!\\~=^%&("
# Where a run of lines that a paragraph cannot span ends: a blank line as mistune reads it, once it has made
# every CRLF an LF (nothing but `[ \t\v\f]`), or before a line that starts a bullet list item (`- x`,
# `* [ ] task`: a non-empty bullet item interrupts a paragraph, and ends the list item before it). Indented
# four spaces or more, such a line may be a paragraph's continuation: no run ends there, the safe side.
_RUN_BREAK = re.compile(r"^[ \t\v\f\r]*\n|^(?= {0,3}[-+*][ \t]+\S)", re.MULTILINE)


def unverifiable(body: str) -> list[tuple[int, int]]:
    """Where in `body` no link can be verified, and so none is planned: each run of lines (between blank
    lines and bullet list items, `_RUN_BREAK`) that holds more than MAX_MARKUP markup characters. mistune's
    paragraphs (and headings, list items' text, table cells) never span a blank line or a bullet item, so
    each lies within one run and holds no more markup than it (`_markup`): a run under the limit never holds
    a paragraph over it. (A run may hold several small paragraphs, of a quote say: those go unlinked too,
    the safe side.) A list of 100,000 `- [ ] task` items without a blank line is many small runs, not one
    run too big to link."""
    if len(body) <= MAX_MARKUP or sum(map(body.count, _MARKUP)) <= MAX_MARKUP:
        return []
    out = []
    start = 0
    for brk in itertools.chain(_RUN_BREAK.finditer(body), [None]):  # a run before each break, and last
        end = len(body) if brk is None else brk.start()
        if end - start > MAX_MARKUP and _markup(body[start:end]) > MAX_MARKUP:
            out.append((start, end))
        start = 0 if brk is None else brk.end()
    return out


# The block quote markers that open a line (`>`, up to three spaces before each and one after): mistune
# strips them before it reads the paragraph inside. Possessive: a line of 200,000 `>` keeps no state.
_QUOTE_MARKERS = re.compile(r"^(?:[ ]{0,3}+>[ ]?+)++", re.MULTILINE)


def _markup(run: str) -> int:
    """The markup characters of a run of lines, as many as any paragraph mistune reads in it can hold: not
    the `>` that open block quotes (500 nested quotes hold 125,000, and their paragraphs none). A `>`
    after a tab, or after four spaces, is counted: the side that plans fewer links."""
    count = sum(map(run.count, _MARKUP))
    if count > MAX_MARKUP and ">" in run:
        count -= sum(m.group().count(">") for m in _QUOTE_MARKERS.finditer(run))
    return count


class _TooMuchMarkup(Exception):
    pass


@functools.lru_cache(maxsize=3)
def _markdown(inline: Inline) -> Any:
    import mistune

    md = mistune.create_markdown(
        renderer=None, plugins=["table", "footnotes", "strikethrough", "math", "url", "mark", "insert"]
    )
    _linear_block_quotes(md)
    md.block.register("obsidian_comment_block", r"^ {0,3}%%", _block_comment, before="raw_html")
    # Inside a quote or a list item, mistune parses with rule lists of its own: a comment there (as the
    # Annotator plugin writes one, `>%%` ... `>%%`, around its JSON) must run to its `%%` there too.
    # A table too: GFM (and Obsidian) read one in a quote, a callout or a list item, where an aliased link's
    # `|` over a delimiter row (`> [[Target|Foo]] bar` over `> ---|---`) makes one.
    for rules in (md.block.block_quote_rules, md.block.list_rules):
        md.block.insert_rule(rules, "obsidian_comment_block", before="raw_html")
        md.block.insert_rule(rules, "table", before="paragraph")
        md.block.insert_rule(rules, "nptable", before="paragraph")
    _register_inline(md, "wikilink", r"!?\[\[[^\[\]\n]+\]\]", _raw_token("wikilink"), "![")
    _register_inline(md, "obsidian_comment", r"%%", _until("%%"), "%")
    _register_inline(md, "templater", r"<%", _until("%>"), "<")
    if inline != "all":
        md.before_render_hooks.append(_inline_only_where(inline))
    _linear_paragraphs(md)
    _lean_rules(md)
    if inline == "marked":
        _skip_unmarked_containers(md)
    _trigger_compiled_once(md)
    return md


def _trigger_compiled_once(md: Any) -> None:
    """mistune (3.4) finds where plain text ends with a regex of the characters its inline rules start with,
    which it looks up anew for each piece of text: the set sorted, a tuple of it made and compared, ~100,000
    times for 4,000 notes, an eighth of their check. Here it is given the regex it made for the set it
    holds once every rule is registered; for any other set (a rule registered later makes a new one) it
    makes one as before. Older mistunes have no such regex, and nothing changes."""
    inline = md.inline
    chars_of, regex_of = (getattr(inline, name, None) for name in _TRIGGER)
    if chars_of is None or regex_of is None:
        return
    chars = chars_of()
    if chars is None:
        return
    compiled = _url_trigger(inline, chars) or regex_of(chars)
    inline._get_fast_trigger_re = lambda asked: compiled if asked is chars else regex_of(asked)


_TRIGGER = ("_get_fast_trigger_chars", "_get_fast_trigger_re")
# The url plugin's rule, the only one starting with `h`: where an `h` is not followed by `ttp://` or
# `ttps://`, no rule can match, and mistune reads the `h` as text
_URL_RULE = ("url_link", r"https?:\/\/")


def _url_trigger(inline: Any, chars: set[str]) -> re.Pattern[str] | None:
    """The regex of where plain text ends, stopping at an `h` only where a URL starts: mistune stops at every
    `h` (the url plugin's start character), asks every rule there, and reads the `h` as text when none
    matches, which split a paragraph of prose at each `h`, half the inline parse of a note's check. Text
    tokens side by side are joined once the paragraph is read (`finalize_tokens`), so the tokens are the
    same; `test_the_url_trigger_reads_as_mistunes_own` compares both. None (mistune's own regex) unless
    the url rule, its pattern as known, is the only one whose start characters hold `h`."""
    starts = getattr(inline, "_rule_start_chars", None)
    specification = getattr(inline, "specification", None)
    if "h" not in chars or not isinstance(starts, dict) or not isinstance(specification, dict):
        return None
    if getattr(inline, "sc_flag", re.IGNORECASE) & re.IGNORECASE:  # `HTTP://` would start one too
        return None
    import mistune.inline_parser

    known = getattr(mistune.inline_parser, "_KNOWN_RULE_START_CHARS", None)  # the rules' own, unless given
    if not isinstance(known, dict):
        return None
    name, prefix = _URL_RULE
    with_h = [rule for rule in inline.rules if "h" in (starts.get(rule) or known.get(rule) or "")]
    if with_h != [name] or not str(specification.get(name, "")).startswith(prefix):
        return None
    others = "".join(sorted(chars - {"h"}))
    return re.compile(f"[{re.escape(others)}]|h(?=ttps?://)")


def _skip_unmarked_containers(md: Any) -> None:
    """Where only markers matter, a list item's or a quote's content is not parsed unless it holds one: a
    5 MB list of 100,000 items spent half its check parsing items nothing was inserted in. Their tokens are
    not read (no marker can be in them); only the list's tight or loose reading may change, which makes a
    paragraph a `block_text`, prose either way. A content holding `]:` is parsed all the same: a reference
    or footnote definition there makes a `[label]` a link (or a footnote) anywhere in the note."""
    block = md.block
    parse = block.parse

    def parse_marked(state: Any, rules: Any = None) -> None:
        if state.parent is None or "]:" in state.src or _MARKS.search(state.src) is not None:
            parse(state, rules)

    block.parse = parse_marked


# mistune reads a run of blank lines with `(^[ \t\v\f]*\n)+` and a thematic break with `(?:-[ \t]*){3,}` (and
# `_`, `*`): repeated groups for which the regex engine saves a state at every line or marker. 400 kB of empty
# lines took 535 MB to check (a 5 MB note, 6 GB); a line of 200,000 `- `, 150 MB. Possessive, each matches
# the same text (nothing after it in its rule can match into it) and keeps no state.
_LEAN_RULES = {
    "blank_line": r"(?:^[ \t\v\f]*+\n)++",
    "thematic_break": r"^ {0,3}((?:-[ \t]*+){3,}+|(?:_[ \t]*+){3,}+|(?:\*[ \t]*+){3,}+)$",
}
_LEAN_PROBES = (
    "\n\n\na\n \n\t\n\nb\n",
    "- a\n\n  \n- b\n\n\n  c\n",
    "> a\n>\n\n> b\n",
    "```\n\n\n```\n\n    x\n\n    y\n",
    "a\n---\n- - -\n* * *x\n___ \n - - - -\n> ***\n- ---\n  * * *\n",
)


def _lean_rules(md: Any) -> None:
    block = md.block
    originals = {name: block.specification.get(name) for name in _LEAN_RULES}
    if None in originals.values() or not all(hasattr(block, f"parse_{name}") for name in _LEAN_RULES):
        return  # a mistune of another shape

    def parse(name: str) -> Any:
        return lambda parser, m, state: getattr(parser, f"parse_{name}")(m, state)

    def install() -> None:
        for name, pattern in _LEAN_RULES.items():
            block.register(name, pattern, parse(name))

    def undo() -> None:
        for name, pattern in originals.items():
            block.register(name, pattern, parse(name))

    _keep_if_read_alike(md, _LEAN_PROBES, install, undo)


def _register_inline(md: Any, name: str, pattern: str, parse: Any, start_chars: str) -> None:
    """An inline rule, with the characters it can start with where mistune takes them (3.4): without them,
    its inline parse cannot skip plain text, and asks every rule at each line of a paragraph (a 2.9 MB
    paragraph took 6 s to verify). Older mistunes take no such characters, and parse as before."""
    try:
        md.inline.register(name, pattern, parse, before="link", start_chars=tuple(start_chars))
    except TypeError:
        md.inline.register(name, pattern, parse, before="link")


# Paragraphs that mistune's own block state and `_linear_paragraphs` must read alike before the latter is
# used: lines that cannot interrupt a paragraph (HTML, indented, a list not starting at 1), a setext heading
# under them, a table, lazy lines in a list and a quote, a footnote, a comment, a paragraph in each of these
_PARAGRAPH_PROBES = (
    "a\n<a\n    b\n2. c\n",
    "a\n    b\n===\nc\n<d\n",
    "a\n<b\n| x |\n|---|\n| 1 |\n",
    "- a\n  <b\nc\n    d\n- e\n",
    "> a\n<b\nc\n> 2. d\n\ne\n",
    "a[^1]\n\n[^1]: x\n    <y\n    z\n",
    "a\n%%\nb\n%%\n<c\n",
)


def _linear_paragraphs(md: Any) -> None:
    """mistune grows a paragraph with `+=` on its token's text for each line that looks as if it could start
    a block but cannot interrupt a paragraph (`<a`, an indented line, `2.`): a copy of the whole paragraph
    for each line, and minutes for a 5 MB note of them (CPython grows a string in place only while nothing
    else holds it, which a dict's value never is). Here a paragraph's lines are gathered in a list on the
    block state and joined once, when its block parse ends; but only where mistune reads the probes above
    alike (a mistune that read a paragraph's text before its parse ended would read it otherwise); else
    mistune's own state is kept, as slow as it was and as correct."""
    block = md.block
    original = block.state_cls

    def install() -> None:
        block.state_cls = type("LinearBlockState", (original,), _GATHERING)
        block.parse = functools.partial(_parse_and_join, block.parse)

    def undo() -> None:
        block.state_cls = original
        block.__dict__.pop("parse", None)

    _keep_if_read_alike(md, _PARAGRAPH_PROBES, install, undo)


def _keep_if_read_alike(
    md: Any, probes: tuple[str, ...], install: Callable[[], None], undo: Callable[[], None]
) -> None:
    """`install()` a change to mistune, kept only if mistune then reads every probe as it did before; else,
    or if anything fails on the way (a mistune of another shape), `undo()` it."""
    try:
        before = [md(probe) for probe in probes]
        install()
        if [md(probe) for probe in probes] == before:
            return
    except Exception:  # any mistune that reads otherwise keeps its own parse
        pass
    undo()


def _add_paragraph(state: Any, text: str) -> None:
    last = state.last_token()
    if last and last["type"] == "paragraph":
        _gather(state, last, text)
    else:
        state.tokens.append({"type": "paragraph", "text": text})


def _append_paragraph(state: Any) -> int | None:
    last = state.last_token()
    if last and last["type"] == "paragraph":
        pos: int = state.find_line_end()
        _gather(state, last, state.get_text(pos))
        return pos
    return None


# The paragraph token being grown on a block state, and its text's pieces (None: none)
_GATHERING: dict[str, Any] = {
    "add_paragraph": _add_paragraph,
    "append_paragraph": _append_paragraph,
    "gathering": None,
}


def _gather(state: Any, token: dict[str, Any], more: str) -> None:
    gathering: tuple[dict[str, Any], list[str]] | None = state.gathering
    if gathering is None or gathering[0] is not token:
        _join(state)
        gathering = state.gathering = (token, [token["text"]])
    gathering[1].append(more)


def _join(state: Any) -> None:
    """The text of the paragraph grown on `state`, joined once into its token."""
    gathering: tuple[dict[str, Any], list[str]] | None = state.gathering
    if gathering is not None:
        token, pieces = gathering
        token["text"] = "".join(pieces)
        state.gathering = None


def _parse_and_join(parse: Any, state: Any, rules: Any = None) -> None:
    """mistune's block parse of `state` (the note, a quote, a list item, a footnote), its last paragraph's
    text then joined: nothing reads a paragraph's text before the parse that holds it ends."""
    parse(state, rules)
    _join(state)


# Block quotes that mistune's own extraction and `_extract_block_quote` must read alike before the latter is
# used: laziness, blank lines, code that needs every `>`, a break by a list or a fence, tabs, nesting
_QUOTE_PROBES = (
    "> a\nb\n> c\n\n>\n> d\n",
    ">\n>\n> x\ny\n- item\n",
    ">     code\n> more\nlazy\n",
    "> ```\n> f\n```\n> q\n",
    "> a\n>\nb\n",
    "> a\n---\n> b\n<div>\n",
    ">\ta\n>\t\tb\n\tc\n",
    "> > a\n> b\nc\n>> d\n",
    "  > a\n   > b\n    > c\n",
    "> a\n1. b\n> c\n2) d\n# e\n",
    "> a\n<!-- c\n-->\n> b",
)


def _linear_block_quotes(md: Any) -> None:
    """mistune (3.4) gathers a block quote's text with `+=`, one line at a time: a copy of the quote so far
    for each line when CPython cannot grow the string in place, and minutes for a 5 MB quote. Its extraction
    is replaced by `_extract_block_quote`, which joins the lines once, but only where the two read the probes
    above alike (mistune's extraction differs across versions); otherwise mistune's own is kept, as slow as
    it was and as correct."""
    block = md.block
    original = block.extract_block_quote

    def install() -> None:
        block.extract_block_quote = functools.partial(_extract_block_quote, block)

    def undo() -> None:
        block.extract_block_quote = original

    _keep_if_read_alike(md, _QUOTE_PROBES, install, undo)


def _extract_block_quote(block: Any, m: Any, state: Any) -> tuple[str, int | None, set[int]]:
    """A block quote's text (its `>` markers taken off), where a block that ends it starts (when that block
    was parsed here), and where its lazy lines start in the text: as mistune 3.4 extracts it, with the
    pieces joined once."""
    from mistune import block_parser, util

    strip = block_parser._parse_block_quote_line
    line = state.get_line(state.cursor)
    first: str = strip(line) or ""  # the block quote rule matched this line: never None
    pieces, size, lazy = [first], len(first), set[int]()
    require_marker = bool(block.compile_sc(["blank_line", "indent_code", "fenced_code"]).match(first))
    breaks = block.compile_sc(["blank_line", "thematic_break", "fenced_code", "list", "block_html"])
    state.cursor += len(line)
    end_pos = None
    prev_blank = False
    while state.cursor < state.cursor_max:
        line = state.get_line(state.cursor)
        quote = strip(line)
        if quote is not None:
            pieces.append(quote)
            size += len(quote)
            state.cursor += len(line)
            prev_blank = not quote.strip()
            continue
        if require_marker or prev_blank:  # a lazy line needs prose before it (CommonMark example 249)
            break
        found = breaks.match(state.src, state.cursor)
        if found:
            end_pos = block.parse_method(found, state)
            if end_pos:
                break
        line = state.get_line(state.cursor)
        lazy.add(size)
        more = util.expand_leading_tab(line, 3)
        pieces.append(more)
        size += len(more)
        state.cursor += len(line)
    return util.expand_tab("".join(pieces)), end_pos, lazy


def _inline_only_where(inline: Inline) -> Any:
    """A hook between mistune's block parse and its inline parse: a block's text is left unparsed (no inline
    children) unless `inline` asks for it. Skipping it changes no other block: the inline parse of one block
    reads only the reference definitions the block parse collected. Only footnote references are found
    inline, so a footnote is not listed unless referenced from a parsed block, and no marker can be in prose
    there either way (`footnote_item` is not prose)."""

    def wanted(text: str) -> bool:
        if inline != "marked" or _MARKS.search(text) is None:
            return False
        markup = sum(map(text.count, _MARKUP))
        if markup > MAX_MARKUP:
            raise _TooMuchMarkup(markup)
        return True

    def hook(md: Any, state: Any) -> None:
        stack = list(state.tokens)
        while stack:
            token = stack.pop()
            children = token.get("children")
            if children is not None:
                stack.extend(children)
            elif "text" in token and not wanted(token["text"]):
                del token["text"]
                token["children"] = []

    return hook


def _raw_token(kind: str) -> Any:
    def parse(inline: Any, m: re.Match[str], state: Any) -> int:
        state.append_token({"type": kind, "raw": m.group(0)})
        return m.end()

    return parse


def _block_comment(block: Any, m: re.Match[str], state: Any) -> int:
    """A `%%` comment opened at the start of a line runs to the next `%%`, across blank lines (an inline rule
    sees one paragraph at a time), or to the end of the note when never closed, as Obsidian reads it."""
    src = state.src
    close = src.find("%%", m.end())
    end = len(src) if close < 0 else close + 2
    state.append_token({"type": "comment", "raw": src[m.start() : end]})
    return end


def _until(closer: str) -> Any:
    """A comment from its opener to `closer`, or to the end of the paragraph when never closed (as the scanner
    reads it). Found with str.find, not a lazy regex: a regex would rescan the rest of the paragraph for every
    unclosed opener, quadratic in a paragraph of them."""

    def parse(inline: Any, m: re.Match[str], state: Any) -> int:
        src = m.string
        close = src.find(closer, m.end())
        end = len(src) if close < 0 else close + len(closer)
        state.append_token({"type": "comment", "raw": src[m.start() : end]})
        return end

    return parse


def check_edits(
    old: str,
    new: str,
    edits: Sequence[Edit],
    managed: str,
    kept: str = "",
    *,
    clear: Cleared | None = None,
) -> str | None:
    """None if the edits are safe; otherwise why the note must not be written. `kept`: `kept_digest` of
    `old`'s frontmatter, if known (recorded when `old` was parsed); `clear`: spans that vaultkit's own parse
    of `old` protects no part of (`cleared`), if the caller knows it is of `old` (its digest is the
    note's)."""
    old, new = lines_view(old)[0], lines_view(new)[0]  # read as the analysis read them (same offsets)
    old_fm = frontmatter.split(old)  # where the body starts; the YAML is loaded only for head edits
    boundary = old_fm.body_start if old_fm.present else 0
    body_edits = [e for e in edits if e.start >= boundary and (old_fm.present or e.start > 0 or e.end > 0)]
    head_edits = [e for e in edits if e not in body_edits]
    if old_fm.present and any(e.start < old_fm.yaml_start or e.end > old_fm.yaml_end for e in head_edits):
        return "the frontmatter edit would fall outside its YAML (on a fence, or past it into the body)"
    if head_edits and not (kept and _derived(old, old_fm, head_edits, managed, kept)):
        problem = _check_frontmatter(old, old_fm, new, managed, kept)
        if problem:
            return problem
    if body_edits:
        return (
            _check_body(old, boundary, body_edits)
            or _check_blocks(old, boundary, new, body_edits)
            or _check_protected(old, boundary, body_edits, clear)
        )
    return None


def _derived(
    old: str, old_fm: frontmatter.Frontmatter, edits: Sequence[Edit], managed: str, kept: str
) -> bool:
    """Does the YAML's grammar say what loading the new YAML would: a note's first relations, or more?"""
    return _appends_property(old, old_fm, edits, managed, kept) or _extends_list(
        old, old_fm, edits, managed, kept
    )


class _Recorded(bytes):
    """Offsets recorded of one note's text, valid only for the text whose SHA-256 is `digest`: one bytes
    object, the SHA-256, then an array of RANGE_TYPECODE holding the body's offset in the text and pairs
    of offsets into the body, flat (start, end, start, end...)."""

    __slots__ = ()

    @property
    def digest(self) -> str:
        """Of the note's bytes, as NoteFacts.digest."""
        return self[:_DIGEST].hex()

    def offsets(self) -> array.array[int]:
        flat = array.array(RANGE_TYPECODE)
        flat.frombytes(self[_DIGEST:])
        return flat


class Protected(_Recorded):
    """What vaultkit's own parse of a note protects (`markdown.scan`'s protected ranges, merged), recorded
    where the note was parsed: the mention scan's worker holds them (a note's ~25 ranges, ~270 bytes)."""

    __slots__ = ()


class Cleared(_Recorded):
    """The spans of a note's body that no range its parse protects touches (`cleared`): the links planned
    there (~100 bytes a note). The check of an edit of one of them need not scan the note again (a sixth
    of `link --check`'s verification)."""

    __slots__ = ()


_DIGEST = 32  # bytes of a SHA-256
RANGE_TYPECODE = "I"  # unsigned, at least 4 bytes: a body of 4 GB or more is not recorded (scanned again)


def protected_ranges(digest: str, body_start: int, found: Iterable[tuple[int, int]]) -> Protected | None:
    """The ranges vaultkit's parse of a body protects (`BodyScan.protected`), merged as `_check_protected`
    reads them; None if an offset is too large to record."""
    pairs = _recorded(digest, body_start, (r for pair in _merged(found) for r in pair))
    return None if pairs is None else Protected(pairs)


def cleared(known: Protected, spans: Iterable[tuple[int, int]]) -> Cleared:
    """Those of `spans` (offsets into the note's text, as edits give them) that touch no range of `known`,
    as `_check_protected` decides it."""
    flat = known.offsets()
    body_start, starts, ends = flat[0], flat[1::2], flat[2::2]
    clear: list[int] = []
    for start, end in spans:
        if start >= body_start and not _touches(starts, ends, start - body_start, end - body_start):
            clear.extend((start - body_start, end - body_start))
    pairs = _recorded(known.digest, body_start, clear)
    assert pairs is not None  # offsets of `known`'s note: each fits as its ranges do
    return Cleared(pairs)


def _recorded(digest: str, body_start: int, pairs: Iterable[int]) -> bytes | None:
    flat = array.array(RANGE_TYPECODE, [])
    limit = 1 << (8 * flat.itemsize)
    if body_start >= limit or len(digest) != 2 * _DIGEST:
        return None
    flat.append(body_start)
    for offset in pairs:
        if not 0 <= offset < limit:
            return None
        flat.append(offset)
    return bytes.fromhex(digest) + flat.tobytes()


def _merged(found: Iterable[tuple[int, int]]) -> list[list[int]]:
    """Ranges sorted by start, overlapping or touching ones joined, empty ones left out."""
    merged: list[list[int]] = []
    for start, end in found:  # sorted by start
        if merged and start <= merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], end)
        elif end > start:
            merged.append([start, end])
    return merged


def _touches(starts: Sequence[int], ends: Sequence[int], start: int, end: int) -> bool:
    """Does the span [start, end) (or the insertion at `start`) touch one of the merged ranges?"""
    k = bisect.bisect_left(starts, start) - 1  # the last range starting before the edit
    inside = k >= 0 and ends[k] > start
    after = k + 1 < len(starts) and starts[k + 1] < end  # a range starting within a replaced span
    return inside or (end > start and after)


def _check_protected(
    old: str, boundary: int, edits: Sequence[Edit], known: Cleared | None = None
) -> str | None:
    """No edit may touch what vaultkit's own parse of the text as it is now protects: code, links, comments,
    and the lines that take no link (a heading, a table row, a callout's or an Admonition block's header:
    mistune reads the last two as prose). The planner reads the same parse; this is the check behind it.
    `known`: spans found clear of that parse's ranges where the note was parsed (the caller vouches for
    the text); unless every edit is one of them, the body is scanned here."""
    if known is not None and _all_cleared(known, boundary, edits):
        return None
    from vaultkit.markdown import scan

    merged = _merged(scan(old[boundary:]).protected)
    starts, ends = [r[0] for r in merged], [r[1] for r in merged]
    for e in edits:
        if _touches(starts, ends, e.start - boundary, e.end - boundary):
            snippet = old[e.start : e.end]
            return f"vaultkit's own parse protects '{snippet}' (code, a link, a heading, a callout title...)"
    return None


def _all_cleared(known: Cleared, boundary: int, edits: Sequence[Edit]) -> bool:
    flat = known.offsets()
    if flat[0] != boundary:
        return False
    spans = set(zip(flat[1::2], flat[2::2], strict=True))
    return all((e.start - boundary, e.end - boundary) in spans for e in edits)


# YAML's document end marker on a line of its own, which Pandoc's YAML blocks may close with
_DOCUMENT_END = re.compile(r"^\.\.\.[ \t]*\r?$", re.MULTILINE)


def _document_end(old: str, old_fm: frontmatter.Frontmatter) -> str:
    """Why a property added where the YAML ends would not load, where its YAML ends its document with `...`
    before the closing `---`: what follows would be a second document."""
    found = _DOCUMENT_END.search(old, old_fm.yaml_start, old_fm.yaml_end)
    if found is None:
        return ""
    line = old.count("\n", 0, found.start()) + 1
    return (
        f": its YAML ends its document with '...' on line {line}, so a property added after it would start "
        "a second one (delete that line)"
    )


def _check_frontmatter(
    old: str, old_fm: frontmatter.Frontmatter, new: str, managed: str, kept: str
) -> str | None:
    new_fm = frontmatter.split(new)
    frontmatter.load(new, new_fm)
    if not new_fm.present or not new_fm.loaded:
        return "the frontmatter edit would not load as YAML" + _document_end(old, old_fm)
    if kept and _keeps(new_fm, managed, kept):
        return None  # what the comparisons below would find, without loading the old YAML
    frontmatter.load(old, old_fm)
    managed = old_fm.key_for(managed)  # `Related:` too
    added = Counter(p.code for p in new_fm.problems) - Counter(p.code for p in old_fm.problems)
    if added:  # problems the note already had (a duplicate key, say) are not the edit's doing
        first = next(p for p in new_fm.problems if p.code in added)
        return f"the frontmatter edit would add a problem ({first.code}: {first.message})"
    before = {k: v for k, v in old_fm.data.items() if k != managed}
    after = {k: v for k, v in new_fm.data.items() if k != managed}
    if before != after:
        return "the frontmatter edit would change other properties"
    old_items = old_fm.data.get(managed)
    old_list = [old_items] if isinstance(old_items, str) else list(old_items or [])
    new_list = new_fm.data.get(managed)
    if not isinstance(new_list, list) or new_list[: len(old_list)] != old_list:
        return f"the frontmatter edit would change the existing values of '{managed}'"
    return None


def kept_digest(fm: frontmatter.Frontmatter, managed: str) -> str:
    """What an edit of the `managed` property must keep of this loaded frontmatter, as `_check_frontmatter`
    compares it: `N:digest`, N the property's values and the digest of the key it is under, the problems'
    codes, every other property and those N values. "" where none is recorded (no frontmatter; a value no
    relation edit is planned in; a value an alias repeats, whose spelling could be the YAML's many times
    over: 2 MB aliased 200 times spelled 400 MB)."""
    if not fm.present or not fm.loaded or fm.shared:
        return ""
    key = fm.key_for(managed)
    value = fm.data.get(key)
    if value is not None and not isinstance(value, (str, list)):
        return ""
    values = [value] if isinstance(value, str) else list(value or [])
    digest = _digest(fm, key, values)
    return f"{len(values)}:{digest}" if digest else ""


def _keeps(new_fm: frontmatter.Frontmatter, managed: str, kept: str) -> bool:
    """Does the new frontmatter keep what `kept` (`kept_digest` of the old one) says: the same key, codes
    and other properties, and the old values first in a list? Only if equal digests say so; any difference
    is left to the full comparison, which says what it is."""
    items, _, digest = kept.partition(":")
    key = new_fm.key_for(managed)
    values = new_fm.data.get(key)
    if not items.isdigit() or not isinstance(values, list):
        return False
    return _digest(new_fm, key, values[: int(items)]) == digest


def _digest(fm: frontmatter.Frontmatter, key: str, values: list[Any]) -> str:
    """A hash of the spelling (repr) of what the frontmatter check compares. Equal spellings mean equal
    values: a loaded value is None, a bool, int, float, str, list or dict of str keys, whose repr tells
    `True` from `1` and `1.0`, and each NaN is `math.nan`, equal to itself in a list or dict as the full
    comparison finds it. "" for an integer of more digits than Python spells (`0x` and 4,000 digits)."""
    others = {k: v for k, v in fm.data.items() if k != key}
    try:
        spelled = repr((key, sorted(p.code for p in fm.problems), others, values))
    except ValueError:
        return ""
    return hashlib.blake2b(spelled.encode(), digest_size=16).hexdigest()


# A property written where the YAML ends, one double-quoted item a line, its key a plain ASCII name: how the
# linker gives a note that lacks it the relations property (`linker.relation_anchor`). An item holds no line
# break, and a quote or a backslash only escaped.
_APPENDED = re.compile(
    r'(?P<key>[A-Za-z][A-Za-z0-9_-]*):(?P<eol>\r?\n)(?:  - "(?:[^"\\\r\n]|\\["\\])*"(?P=eol))+\Z'
)
# What could read a line at column 0 otherwise than as the root mapping's next key, or the key otherwise than
# as written: a document marker or a directive opening a line, an escape (a key spelled otherwise than it
# reads), an anchor or alias (a shared value; the alias bomb check), YAML 1.1's line breaks
_NOT_APPENDABLE = re.compile(r"^(?:---|\.\.\.|%)|[\\&*\x85\u2028\u2029]", re.MULTILINE)
# The first line that is neither blank nor a comment opens the root mapping at column 0 with a key (or none)
_ROOT_KEY = re.compile(r"(?:[ \t]*(?:#[^\n]*)?\r?\n)*(?:[\w\"']|\Z)")


def _appends_property(
    old: str, old_fm: frontmatter.Frontmatter, edits: Sequence[Edit], managed: str, kept: str
) -> bool:
    """Does the YAML's grammar alone say that `_check_frontmatter` accepts the edit? It does for the managed
    property, which the note lacks, added where the YAML ends (a note's first relations); the new YAML is
    then not loaded: ~60 µs a note, a third of the relations round of a vault's first `link --check`.

    Why it is sound: the parse loaded the old YAML (`kept` is recorded only then) as a mapping, or nothing,
    and the property holds no value there (`0:`). That mapping opens at column 0, and the old YAML ends
    with a line break and holds nothing that could read a line at column 0 as anything but the mapping's
    next key (`_NOT_APPENDABLE`). A value ends where such a line starts (a plain, quoted or block scalar,
    a block collection), so the new YAML is the old mapping with one more key, written at column 0: the
    same values, and the same problems, the new key being none of the old ones (its name, case aside, is
    nowhere in the old YAML, which escapes no character). Its value is a block list of double-quoted
    printable strings (`_APPENDED`), and the whole stays within the load's limits (brackets counted for
    nesting, nodes). Anything else is checked by loading the new YAML."""
    if not kept.startswith("0:") or len(edits) != 1 or not old_fm.present:
        return False
    e = edits[0]
    if e.start != old_fm.yaml_end or e.end != e.start:
        return False
    added = _APPENDED.match(e.text)
    if added is None or added["key"] != managed or not e.text.replace(added["eol"], "").isprintable():
        return False
    head = old[old_fm.yaml_start : old_fm.yaml_end]
    return (
        (not head or head.endswith("\n"))
        and _within_limits(head, e.text)
        and _plain_root(head)
        and managed.lower() not in head.lower()
    )


def _plain_root(head: str) -> bool:
    """The YAML opens its root mapping at column 0 and holds nothing that could read a line at column 0 as
    anything but that mapping's next key, or a key otherwise than as written (`_NOT_APPENDABLE`)."""
    return _NOT_APPENDABLE.search(head) is None and _ROOT_KEY.match(head) is not None


def _within_limits(head: str, added: str) -> bool:
    """The YAML with `added` stays within the load's limits: nodes (a node is a character or more) and
    nesting (brackets counted)."""
    brackets = sum(map(head.count, "[{")) + sum(map(added.count, "[{"))
    return len(head) + len(added) < frontmatter.MAX_NODES // 2 and brackets <= frontmatter.MAX_DEPTH


# An item of a block list as the linker writes one and `_extends_list` reads one: `- ` after spaces, and a
# one-line quoted string holding no escape (a double-quoted one no `\`, a single-quoted one `''` only)
_ITEM = re.compile(r"""(?P<prefix> *+-[ ]++)(?:"[^"\\\r\n]*+"|'(?:[^'\r\n]|'')*+')""")
_NAME = re.compile(r"[A-Za-z][A-Za-z0-9_-]*")
# After the list: the root mapping's next key at column 0, or the YAML's end
_NEXT_KEY = re.compile(r"[\w\"']|\Z")


def _extends_list(
    old: str, old_fm: frontmatter.Frontmatter, edits: Sequence[Edit], managed: str, kept: str
) -> bool:
    """Does the YAML's grammar alone say that `_check_frontmatter` accepts the edit? It does for items added
    to the end of the managed property's block list (`related:` then `  - "[[A]]"` a line): the usual edit
    once a vault has been linked, whose new YAML is then not loaded (~60 µs a note).

    Why it is sound: the parse loaded the old YAML (`kept` is recorded only then) and found the property's
    key in its root mapping with N values (`N:`, N > 0). The key's name, case aside, is written once in the
    YAML, which escapes no character and holds no anchor, alias, document marker or directive
    (`_NOT_APPENDABLE`): that one place, a line `Key:` at column 0 with nothing after the colon but
    spaces, is the key's, and its value is what follows: N lines `- ` and a one-line quoted string without
    escapes, at one indentation (a block list; at column 0 too), the last ending where the edit inserts,
    followed by a line break and the root mapping's next key at column 0 or the YAML's end, which ends the
    list. The edit adds lines spelled as the last item's, line break and prefix alike, of printable
    characters: the new YAML is the old one with the list's new values after the old ones, and every other
    node, key and problem as it was; and it stays within the load's limits (brackets counted for nesting,
    nodes; an indentation the old YAML had). Anything else is checked by loading the new YAML."""
    items, _, _ = kept.partition(":")
    if len(edits) != 1 or not old_fm.present or not items.isdigit() or _NAME.fullmatch(managed) is None:
        return False
    e, head = edits[0], old[old_fm.yaml_start : old_fm.yaml_end]
    if e.end != e.start or head.lower().count(managed.lower()) != 1 or not _plain_root(head):
        return False
    key = re.search(rf"^{managed}:[ \t]*(\r?\n)", head, re.MULTILINE | re.IGNORECASE | re.ASCII)
    listed = None if key is None else _block_list(head, key.end(), key[1], e.start - old_fm.yaml_start)
    if key is None or listed is None:
        return False
    eol, (prefix, at, count) = key[1], listed
    first, *lines = e.text.split(eol)
    return (
        count == int(items)
        and _NEXT_KEY.match(head, at + len(eol)) is not None
        and first == ""
        and all(_spelled_as(line, prefix) for line in lines)
        and e.text.replace(eol, "").isprintable()
        and _within_limits(head, e.text)
    )


def _block_list(head: str, at: int, eol: str, end: int) -> tuple[str, int, int] | None:
    """The block list's items from `at` to `end`, one a line (`_ITEM`) after the same prefix and ending
    in `eol`, the last at `end`: their prefix, where the last ends, and how many; None if it is not so."""
    prefix, count = "", 0
    while (item := _ITEM.match(head, at)) is not None and (not prefix or item["prefix"] == prefix):
        prefix, at, count = item["prefix"], item.end(), count + 1
        if not head.startswith(eol, at):
            return None
        if at == end:
            return prefix, at, count
        at += len(eol)
    return None


def _spelled_as(line: str, prefix: str) -> bool:
    item = _ITEM.fullmatch(line)
    return item is not None and item["prefix"] == prefix


def _check_body(old: str, boundary: int, edits: Sequence[Edit]) -> str | None:
    pieces = []
    last = boundary
    marks = {}
    free = _free_marks(old, len(edits))
    if free is None:
        return "it holds too many private-use characters to be checked"
    for mark, e in zip(free, sorted(edits, key=lambda e: e.start), strict=True):
        marks[mark] = e
        pieces.append(old[last : e.start])
        pieces.append(mark)
        last = e.end
    pieces.append(old[last:])
    try:
        tokens = _markdown("marked")("".join(pieces))
    except _TooMuchMarkup as refused:
        return (
            f"a paragraph to link in holds {refused.args[0]:,} characters of Markdown markup, more than "
            f"a second parser (mistune) is asked to check ({MAX_MARKUP:,})"
        )
    in_prose = set(_marks_in(tokens, True))
    for mark, e in marks.items():
        if mark not in in_prose:
            snippet = old[e.start : e.end]
            return f"a second parser (mistune) does not see '{snippet}' as plain prose"
    return None


def _free_marks(text: str, count: int) -> list[str] | None:
    """`count` private-use characters (U+F0000 and up) that `text` does not hold, each to stand in for one
    edit; None if there are not so many. A note may hold some (Nerd Fonts' icons are there): a marker the
    note also holds in its prose would be found there, wherever its edit is."""
    used = set(_MARKS.findall(text))
    marks: list[str] = []
    for code in range(_MARK_BASE, 0x10FFFE):
        if len(marks) == count:
            break
        if chr(code) not in used:
            marks.append(chr(code))
    return marks if len(marks) == count else None


# Replaced text that holds no block syntax: word characters and spaces, and a hyphen or a dot between two
# word characters (`Gainglu-9.5 Inc`: no list marker, rule, setext line or table row has one so placed), with
# a letter among them: `\w` holds `_` and digits too, and `___` alone is a rule, `1` before `.` or `)` a list
# item's number (a letter there makes the line neither)
_PLAIN = re.compile(r"(?=[\w \u00a0.-]*?[^\W\d_])[\w \u00a0]*(?:\w[-.](?=\w)[\w \u00a0]*)*\Z")
# a table's delimiter row, in block quotes or not (loosely); \x01 (markdown.MASK) for a quote's masked `>`
_DELIMITER_ROW = re.compile(r"[ \t>|:\x01-]*+\r?")
_BLOCK_TYPES = frozenset(
    {
        "paragraph",
        "heading",
        "thematic_break",
        "block_code",
        "block_quote",
        "list",
        "list_item",
        "block_text",
        "block_html",
        "blank_line",
        "table",
        "table_head",
        "table_body",
        "table_row",
        "table_cell",
        "block_math",
    }
)


def _check_blocks(old: str, boundary: int, new: str, edits: Sequence[Edit]) -> str | None:
    """The blocks (paragraphs, lists, quotes, rules, headings...) must stay as they were. A marker stands in
    for the replaced text in `_check_body`, so the syntax that text held goes unseen: a note named
    "1. Introduction" linked at `1. Introduction` turns a list item into a paragraph. Parsed only when some
    replaced text holds more than letters, digits, spaces, and hyphens or dots inside a word, or no letter
    (most mentions do neither)."""
    if all(_plain(old, e) for e in edits):
        return None
    new_fm = frontmatter.split(new)
    new_body = new[new_fm.body_start if new_fm.present else 0 :]
    if _blocks(_markdown("none")(old[boundary:])) != _blocks(_markdown("none")(new_body)):
        return "a second parser (mistune) reads the note's blocks differently once linked"
    return None


def _plain(old: str, e: Edit) -> bool:
    """Can the edit change no block? Its replaced text holds no block syntax (`_PLAIN`), and an aliased
    link's `|` makes no table: `Foo bar` over `---|---` is a paragraph (one cell against two), and
    `[[Target|Foo]] bar` over it a table's header (two and two)."""
    if not _PLAIN.match(old, e.start, e.end):
        return False
    return "|" not in e.text or not above_delimiter_row(old, e.end)


def above_delimiter_row(text: str, at: int) -> bool:
    """Is the line holding text[at] above a line that could be a table's delimiter row (`---|---`, in a quote
    or a list item too)? A `|` written on it could make it a table's header row (`mentions` leaves it)."""
    newline = text.find("\n", at)
    if newline < 0:
        return False  # the last line: no line below it
    end = text.find("\n", newline + 1)
    below = text[newline + 1 : end if end >= 0 else len(text)]
    return "|" in below and "-" in below and _DELIMITER_ROW.fullmatch(below) is not None


def _blocks(tokens: Any) -> list[Any]:
    """The block structure: each block's type and its children's, without the inline content."""
    out: list[Any] = []
    for token in tokens if isinstance(tokens, list) else []:
        kind = token.get("type", "")
        if kind not in _BLOCK_TYPES:
            continue
        attrs = token.get("attrs") or {}
        out.append((kind, attrs.get("level"), attrs.get("ordered"), _blocks(token.get("children"))))
    return out


def _marks_in(tokens: Any, allowed: bool) -> Iterator[str]:
    for token in tokens if isinstance(tokens, list) else []:
        kind = token.get("type", "")
        ok = allowed and kind in _PROSE
        if kind == "text" and ok:
            yield from _MARKS.findall(token.get("raw", ""))  # at C speed: a loop over each character was 6%
        children = token.get("children")
        if children:
            yield from _marks_in(children, ok)
