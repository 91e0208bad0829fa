"""The body scanner: one pass over a note's Markdown that records offsets.

It finds what the rest of vaultkit needs — headings, block ids, links of every kind, suppression comments —
and every region the linker must never edit (code, math, comments, HTML, links, URLs, tags, footnotes,
headings, callout headers, tables). It errs on the side of protecting: text it is unsure of is never edited.

mistune (see `verify.py`) is the second opinion the writer asks before it changes a note; this scanner is the
fast path that runs on every note, because mistune has no source positions and costs ~1 ms a note.
"""

from __future__ import annotations

import bisect
import functools
import html
import html.entities
import re
import unicodedata
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field, replace
from typing import NamedTuple
from urllib.parse import unquote

MASK = "\x01"  # stands in for protected text: not a word character, never part of a key


# Link and Heading are named tuples, not frozen dataclasses: a note holds dozens of each, and a frozen
# dataclass is built an attribute at a time through object.__setattr__ (0.75 µs a link, against 0.2 µs)
class Link(NamedTuple):
    kind: str  # "wiki" or "markdown"
    target: str  # as written, before '#' (decoded for markdown links)
    subpath: str  # after the first '#', without it ("" if none)
    display: str | None
    embed: bool
    start: int
    end: int
    in_table: bool = False


class Heading(NamedTuple):
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
    # where each of `codes` stops being disabled when an `enable` ended only some of them (as last_line);
    # empty: every code at last_line
    ends: tuple[int, ...] = ()


@dataclass
class BodyScan:
    links: list[Link] = field(default_factory=list)
    headings: list[Heading] = field(default_factory=list)
    block_ids: list[BlockId] = field(default_factory=list)
    suppressions: list[Suppression] = field(default_factory=list)
    protected: list[tuple[int, int]] = field(default_factory=list)  # (start, end) ranges, sorted
    # what is shown as written, not read as Markdown: code, math and HTML blocks, code spans, comments (a
    # subset of `protected`, which also holds headings, tables, links...); sorted
    literal: list[tuple[int, int]] = field(default_factory=list, repr=False, compare=False)
    body: str = field(default="", repr=False, compare=False)

    @property
    def prose(self) -> str:
        """The body with protected regions replaced by MASK (same length, same line breaks)."""
        return mask(self.body, self.protected)


_LINE = re.compile(r"[^\r\n]*(?:\r\n|\r|\n|\Z)")  # Markdown's line endings only (not U+2028, form feed...)
_QUOTE_MARK = re.compile(r"[ ]{0,3}>[ ]?")
_SPACES = re.compile(r"[ ]*")
_LIST_MARK = re.compile(r"[ ]{0,3}(?:[-*+]|(\d{1,9})[.)])(?= |\Z)")
_HR = re.compile(r"[ ]{0,3}(?:(?:\*[ ]*+){3,}+|(?:-[ ]*+){3,}+|(?:_[ ]*+){3,}+)\Z")  # `+`: see _ATTRIBUTES
_FENCE_OPEN = re.compile(r"[ ]{0,3}(`{3,}|~{3,})(.*)\Z")
# The heading's text is cut from its closing sequence (` ##`) in code (`_atx_text`): a lazy `(.*?)` before
# `(?:[ ]+#+)?[ ]*\Z` scanned the rest of the line's spaces at each of them, and `# a`, 20,000 spaces and `b`
# took 4 s (quadratic).
_ATX = re.compile(r"[ ]{0,3}(#{1,6})(?:[ ]++(.*))?\Z")
_SETEXT = re.compile(r"[ ]{0,3}(=+|-+)[ ]*\Z")
# Possessive (`*+`, `++`): nothing after a run can match into it, and with runs of `[ \t]` side by side a
# line of 2,000 spaces under a line holding `|` took 30 s (each way of sharing the spaces was tried).
_TABLE_DELIM = re.compile(
    r"[ \t]*+(?:>[ \t]?+)*+[ \t]*+\|?[ \t]*+:?-++:?[ \t]*+(?:\|[ \t]*+:?-++:?[ \t]*+)*+\|?[ \t]*+\Z"
)
_CALLOUT = re.compile(r"[ ]{0,3}\[![^\]\n]*\]")
# The Admonition plugin's block without a code fence, `!!! ad-<type> Title` (its body is Markdown, up to a
# `--- admonition` line): the header is its type and title, as a callout's is, and no prose
_ADMONITION = re.compile(r"[ ]{0,3}!!![ \t]+ad-")
_REFDEF = re.compile(r"[ ]{0,3}\[([^\]\n]+)\]:[ ]*\S")
_REFDEF_HEAD = r"[ ]{0,3}\[[^\]\n]+\]:[ ]*(?:<[^<>\n]*>|\S+)"  # a definition's label and destination
_REFDEF_UNTITLED = re.compile(_REFDEF_HEAD + r"[ \t]*\Z")  # its title may follow
_REFDEF_BARE = re.compile(r"[ ]{0,3}\[([^\]\n]+)\]:[ \t]*\Z")  # its destination on the line after
_DESTINATION_LINE = re.compile(
    r"""[ \t]*(?:<[^<>\n]*>|[^\s<]\S*)(?:[ \t]+(?:"[^"\n]*"|'[^'\n]*'|\([^()\n]*\)))?[ \t]*\r?\n?\Z"""
)
_TITLE_LINE = re.compile(r"""[ \t]*(?:"[^"\n]*"|'[^'\n]*'|\([^()\n]*\))[ \t]*\r?\n?\Z""")
# a title that opens on the definition's line, or on the line after, and goes on over the line break
_TITLE_OPENS = re.compile(_REFDEF_HEAD + r"""[ \t]+(?:(")[^"]*|(')[^']*|(\()[^()]*)\Z""")
_TITLE_OPENS_NEXT = re.compile(r"""[ \t]*(?:(")[^"\r\n]*|(')[^'\r\n]*|(\()[^()\r\n]*)\r?\n?\Z""")
_TITLE_CLOSER = {'"': '"', "'": "'", "(": ")"}
_MATH_OPEN = re.compile(r"[ ]{0,3}\$\$")
_PLAIN_START = r"[^\s>*+\-#`~$<\[=_0-9|]"  # a character no block can start with
# ... or a `[` that opens no reference definition (`[label]:`): a task's `[ ]`, a link, a wikilink. Lists of
# `- [ ] task` and `- [title](url)` lines were read one line at a time by the general path, a third of a
# 5 MB task list's scan.
_SIMPLE_START = _PLAIN_START + r"|\[(?![^\]\n]+\]:)"
_NOT_PLAIN = frozenset(">*+-#`~$<[=_0123456789|")  # the same, as a set (with str.isspace for `\s`)
# The lines `_Blocks._simple` handles: blank, prose, a one-line list item whose text is prose, a '#' line.
_SIMPLE = re.compile(
    rf"(?P<blank>[ ]*\Z)|(?P<indent>[ ]{{0,3}})"
    rf"(?:(?P<hash>\#)|(?P<item>(?:[-*+]|(?P<number>\d{{1,9}})[.)])[ ]{{1,4}}(?={_SIMPLE_START}))"
    rf"|(?P<plain>(?={_SIMPLE_START})))"
)
# CommonMark's HTML blocks. Raw-text elements end at their closing tag, comments and declarations at their
# closing marker, the other kinds at a blank line (see `_Blocks._html`).
_HTML_RAW = re.compile(r"[ ]{0,3}<(?:pre|script|style|textarea)(?:[ >]|\Z)", re.IGNORECASE)
_HTML_RAW_END = re.compile(r"</(?:pre|script|style|textarea)>", re.IGNORECASE)
_HTML_SPECIAL = re.compile(r"[ ]{0,3}(<!--|<\?|<!\[CDATA\[|<![A-Za-z])")
_HTML_SPECIAL_END = {"<!--": "-->", "<?": "?>", "<![CDATA[": "]]>"}
_HTML_BLOCK_TAGS = (
    "address|article|aside|base|basefont|blockquote|body|caption|center|col|colgroup|dd|details|dialog|dir|"
    "div|dl|dt|fieldset|figcaption|figure|footer|form|frame|frameset|h[1-6]|head|header|hr|html|iframe|legend|"
    "li|link|main|menu|menuitem|nav|noframes|ol|optgroup|option|p|param|search|section|summary|table|tbody|td|"
    "tfoot|th|thead|title|tr|track|ul"
)
_HTML_BLOCK = re.compile(rf"[ ]{{0,3}}</?(?:{_HTML_BLOCK_TAGS})(?:[ >]|/>|\Z)", re.IGNORECASE)
_HTML_TAG_LINE = re.compile(  # any complete tag alone on its line (cannot interrupt a paragraph)
    r"""[ ]{0,3}(?:<[A-Za-z][A-Za-z0-9-]*"""
    r"""(?:[ ]+[A-Za-z_:][\w.:-]*(?:[ ]*=[ ]*(?:[^\s"'=<>`]+|'[^']*'|"[^"]*"))?)*"""
    r"""[ ]*/?>|</[A-Za-z][A-Za-z0-9-]*[ ]*>)[ ]*\Z"""
)
# What starts a line's block structure, wherever it may stand: block quote and list markers (one after the
# other: `> - 1.`), and thematic breaks. Protected, so that no link swallows one: a note named
# "1. Introduction" must not turn the list item `1. Introduction` into a paragraph, nor an alias `***` a
# thematic break into a link.
_LINE_MARKERS = re.compile(
    r"[ \t]*(?:(?:\*[ \t]*+){3,}+|(?:-[ \t]*+){3,}+|(?:_[ \t]*+){3,}+)(?=\r?$)"
    r"|[ \t]*(?:>[ \t]*|(?:[-*+]|\d{1,9}[.)])(?:[ \t]+|(?=\r?$)))++",
    re.MULTILINE,
)
# A literal first: C speed. Then the characters a marker line can start with, at once: most lines start with
# a letter, which failed each branch of the pattern in turn (a quarter of this search's time)
_MARKER_LINE = re.compile(rf"\n(?=[ \t*+\->_\d])({_LINE_MARKERS.pattern})", re.MULTILINE)
# At a line's end, whatever ends the line: `$` is before a `\n` only, and no id of a CRLF note was found
_BLOCK_ID = re.compile(r"\^([A-Za-z0-9-]+)[ \t]*(?=[\r\n]|\Z)")
# A line of nothing (but maybe the `>` of a quote); or one that starts hidden (`%% a comment %%`), a list
# item (`2. second`, which ends the item before it in a list, and goes on a paragraph outside one), a
# footnote's definition or a setext underline (`---`): ids before those are taken as ones, as they always were
_BLANK_REST = re.compile(
    rf"[ \t>]*(?:[\r\n{MASK}]|\Z|(?:[-*+]|\d{{1,9}}[.)])(?:[ \t\r\n]|\Z)|\[\^[^\]\s]+\]:"
    r"|(?:=+|-+)[ \t]*(?:[\r\n]|\Z))"
)
_TICKS = re.compile(r"`(?:`*)")  # a literal first character: fast search
# Obsidian and HTML comments in one pattern: read in order (a region opened by one kind can be closed by the
# other), and the one that opens first contains the other (`<!-- %% -->` is one HTML comment).
_COMMENTS = re.compile(r"%%.*?(?:%%|\Z)|<!--.*?(?:-->|\Z)", re.DOTALL)
_URL_SCHEME_END = re.compile(r"://")
_URL_WWW = re.compile(r"www\.")  # a literal first: fast search; the character before is checked in code
_SCHEME = re.compile(r"[A-Za-z][A-Za-z0-9+.-]{0,31}\Z")
# A URL ends before trailing punctuation; parentheses belong to it when balanced (`.../Meituan_(company)`).
# Possessive (`*+`), the punctuation given back in code: a repeated group that may backtrack costs the regex
# engine a saved state per character, hundreds of MB for a URL of a few MB.
_URL_REST = re.compile(r"(?:[^\s<>()]++|\([^\s<>()]*+\))*+")
_URL_TRAILING = ".,;:!?'\"]*_~"
_EMAIL_LOCAL = re.compile(r"[\w.+-]+\Z")
_EMAIL_DOMAIN = re.compile(r"[\w-]++(?:\.[\w-]++)++")  # `+`: see _ATTRIBUTES
_NOT_NEWLINE = re.compile(r"[^\r\n]")
_LINE_BREAK = re.compile(r"[\r\n]")
# What opens a code span, math, a link's destination or an HTML tag, found where nothing closed it (a
# backtick inside a word, as in a note named `Foo`bar`, opens nothing being typed; a `$` before a digit is a
# price, not math). A `$` may still open math that wraps onto the next line of its
# paragraph (`_WRAPPED_MATH`; mistune reads none, Obsidian's renderer may: either way, no prose to link).
# where to look for one: a `](` is looked for at its `(`, rarer than the `]` of every wikilink
_OPENER_START = re.compile(r"[`$<(]")
_OPENERS = ("`", "$", "<", "](")
_OPENER = re.compile(r"(?<![\w`])`+|\$(?=[^\s$\d])|\]\(|<[A-Za-z][A-Za-z0-9-]*(?!\S)")
_WRAPPED_MATH = re.compile(r"\$(?:[^$\n]|\n(?![ \t\r]*(?:\n|\Z))){1,2000}?(?<=[^\s\\])\$(?!\d)")
# Dataview's inline fields: `key:: value` filling a line (the key is words, spaces, `/` and `-`, after any
# markup: `- **Rating**:: 9`), and `[key:: value]` or `(key:: value)` anywhere. A value is data, as a property
# is: a query comparing it to text would no longer match once it became a link. (`C++ std::x` is no field.)
# Dataview reads an emoji in a key as a letter (`🏢 Lab:: x`, `⭐:: x`): the emoji blocks, and the joiner and
# variation selector inside a sequence. Possessive: no run is tried twice (a line of emoji stays linear).
_EMOJI = "\u00a9\u00ae\u203c\u2049\u2122\u2139\u2194-\u21aa\u231a-\u23ff\u24c2\u25aa-\u27bf\u2934\u2935" + (
    "\u2b05-\u2b55\u3030\u303d\u3297\u3299\U0001f000-\U0001faff\u200d\ufe0f\u20e3"
)
# An ordered list item's number is its marker, not part of the key: Dataview reads a list item's text after
# its marker (`1. Lab:: x`, `2) Lab:: x`; `LIST_ITEM_REGEX` in its markdown-file.ts).
_FIELD_LINE = re.compile(
    rf"^[^\w\n{_EMOJI}]*+(?:[0-9]{{1,9}}[.)][ \t]+[^\w\n{_EMOJI}]*+)?"
    rf"[\w{_EMOJI}][\w \t/{_EMOJI}-]*+[*~`]*::[^\n]*",
    re.MULTILINE,
)
_FIELD_INLINE = re.compile(
    r"\[[^\[\]\n:]+::(?:[^\[\]\n]|\[\[[^\[\]\n]*\]\])*\]|\([^()\n:]+::(?:[^()\n]|\([^()\n]*\))*\)"
)
# Dataview takes a whole line for a field only where the line holds no bracketed field, and a list item's
# text only where the item is no task and holds no Tasks date (`parseMarkdown` and `parseLists` in its
# markdown-file.ts): in `[due:: 2024-05-06] call Meituan` and `- [ ] Call:: Meituan`, Meituan is prose.
_LIST_ITEM = re.compile(r"[ \t>]*+(?:[-*+]|[0-9]{1,9}[.)])[ \t]")
_TASK_BOX = re.compile(r"[ \t]*+\[[^\]\n]\][ \t]")
_TASKS_DATE = re.compile(
    "[\u2795\U0001f6eb\u23f3\u231b\U0001f4c5\U0001f4c6\U0001f5d3\ufe0f\u2705]" r"\s*\d{4}-\d{2}-\d{2}"
)
_ENTITY_REFERENCE = re.compile(r"&[A-Za-z][A-Za-z0-9]{1,31};")
_ENTITY_NAMES = frozenset(name for name in html.entities.html5 if name.endswith(";"))
# The Tasks plugin's fields that hold words (its dates are never linked): the recurrence rule after 🔁, read
# only if it is letters, digits, spaces, commas and `!` (`🔁 every week on Monday`: a link there turns the
# rule into description text), and the task ids after 🆔 and ⛔.
_TASK_FIELDS = re.compile(r"🔁\ufe0f? ?[A-Za-z0-9, !]+|(?:🆔|⛔)\ufe0f? *[\w-]+(?: *, *[\w-]+)*")
# Template placeholders on one line: `{{title}}`, `{{date:YYYY-MM-DD}}` (core Templates, Daily and Periodic
# Notes), `{{VALUE:a,b}}` (QuickAdd), `{{ title }}` and `{% for a in b %}` (Zotero Integration's Nunjucks).
# Those plugins keep templates anywhere, not only in the template folder: `{{[[date]]}}` breaks the template.
_PLACEHOLDER = re.compile(r"\{\{[^{}\n]+\}\}|\{%[^\n]*?%\}")
# Furigana on one line, as the Markdown Furigana plugins write it: `{東京|とう|きょう}`,
# `[東京]^(とうきょう)`. They find it in the rendered text, which a link inside splits:
# `{[[東京]]|とう|きょう}` shows as typed. As the plugins read it: braces hold a base of CJK ideographs,
# kana or bopomofo and readings of no ASCII space or punctuation (steven-kraft/obsidian-markdown-furigana),
# so `{a|b}` or a set `{1|2}` is prose; brackets hold any base and a reading (obsidian-markdown-furigana-2).
_FURIGANA = re.compile(
    r"\{[\u4e00-\u9fff\u3105-\u3129\u3041-\u3093\u30a1-\u30f3\u30fc]+(?:\|[^ -/:-@\[-`{-~\n]*)+\}"
    r"|\[[^\[\]\n]+\]\^\([^()\n]+\)"
)
# a whole word: `vaultkit-disable-line` (no such directive) is not `vaultkit-disable` to the end of the note
_SUPPRESS = re.compile(r"vaultkit-(disable-next-line|disable|enable)(?![\w-])[ \t]*([A-Za-z0-9, \t]*)")
# Every inline construct starts with one of these characters. Searching for them first, then matching the
# alternation only there, skips plain prose at C speed: 5x faster than letting `finditer` try every position.
# One character class, nothing else: an alternation (a '#' only where a tag can start) makes `re` try every
# position again, and cost six times as much; a '#' where no tag starts simply fails `_INLINE.match`.
# A tag goes on to white space or punctuation, not only over word characters: a vowel sign or an accent
# (`#ดีมาก`, `#नमस्ते`, an NFD `#café`), an emoji (`#🚀launch`) or a variation selector is part of it, and a
# link written after one (`#ดี[[มาก]]`) would cut the tag. Only ASCII punctuation other than `_-/` and the
# General (but its joiners) and Supplemental Punctuation blocks end it (masking too much loses a link, too
# little breaks a tag).
_TAG_CHAR = r"[^\s\x00-\x2c.:-@\[-^`{-\x7f\u2000-\u200b\u200e-\u206f\u2e00-\u2e7f]"
# where a #tag can start (the only construct with '#'): some character of it is no digit, `/` or `-`
_TAG_START = r"(?<![^\s(\[{,;])\#(?=" + _TAG_CHAR + r"*?(?![\d/-])" + _TAG_CHAR + ")"
# The lookahead after the class (not before it: the class first keeps the fast search) skips the characters
# that open nothing where they stand: a '#' before another '#' or white space (a heading's marks: no tag
# starts so), a '!' or '^' before no '['. Each cost a failed `_INLINE.match` (a tenth of `_inline`).
_INLINE_START = re.compile(r"[\\<$!\[\]^#](?!(?<=\#)[\#\s]|(?<=[!^])[^\[])")
# Link text, a link's label, an inline footnote and a quoted HTML attribute may go on over a line break, but
# not over a blank line (a paragraph's end): `⏎` below.
_BREAK = r"(?:\n(?![ \t\r]*(?:\n|\Z)))"
# Elements whose text is not prose (`<a>`, `<code>`, ...): from the opening tag to the first closing tag that
# starts within _ELEMENT_REACH characters. Where none does, `_inline_no_element` is tried instead of
# `_INLINE`, so that 100,000 unclosed `<code>` do not each search 4,000 characters ahead.
_ELEMENT_TAGS = r"(?i:a|code|kbd|samp|tt|var|pre|script|style|textarea|svg|math)"
_ELEMENT_REACH = 4000
# A repetition whose pieces start with different characters and that nothing after it can match into is
# possessive (`*+`, `++`): giving back changes no match, and a repeated group that may give back costs the
# regex engine a saved state per character (600 MB for an unclosed `[` before 1 MB of prose).
_ATTRIBUTES = r"""(?:[^<>"']|"(?:[^"<\n]|⏎)*+"|'(?:[^'<\n]|⏎)*+')*+"""
_INLINE_SOURCE = (
    (
        r"""
    (?:(?P<esc>\\[!-/:-@\[-`{-~])
    |(?P<templater><%.*?(?:%>|\Z))
    |(?P<math>\$\$.*?(?:\$\$|\Z)|\$(?=[^\s$])[^$\n]*?(?<=[^\s\\])\$(?!\d))
    |(?P<wiki>!?\[\[(?P<wbody>[^\[\]\n]*?)\]\])
    |(?P<md>!?\[(?P<mtext>(?:[^\[\]\n]|⏎|\[(?:[^\[\]\n]|⏎)*+\])*+)\]
        \([ \t]*(?:\r?⏎[ \t]*)?(?P<dest><[^<>\n]*>|[^\s()<>]*(?:\([^\s()]*\)[^\s()<>]*)*)
        (?:(?:[ \t]+|[ \t]*\r?⏎[ \t]*)(?:"[^"\n]*"|'[^'\n]*'|\([^)\n]*\)))?[ \t]*(?:\r?⏎[ \t]*)?\))
    |(?P<ref>!?\[(?:[^\[\]\n]|⏎)++\]\[[^\[\]\n]*\])
    |(?P<footnote>\[\^[^\[\]\n]+\]|\^\[(?:\[\[[^\[\]\n]*\]\]|[^\]\n^]|\^(?!\[)|⏎)*+\])
    |(?P<autolink><[A-Za-z][A-Za-z0-9+.-]{1,31}:[^\s<>]*>|<[^\s<>@]+@[^\s<>@]+>)
    |(?P<element><(?P<etag>TAGS)(?=[\s>])ATTRIBUTES>.{0,REACH}?(?i:</(?P=etag)\s*>))
    |(?P<html></?[A-Za-z][A-Za-z0-9-]*(?:\sATTRIBUTES)?/?>)
    |(?P<tag>"""
        + _TAG_START
        + _TAG_CHAR
        + r"""+)
    |(?P<shortcut>!?\[(?P<label>(?:[^\[\]\n]|⏎)++)\](?!\())  # a link only if a definition has that label
    |(?P<brackets>\[\[|\]\]))
    """
    )
    .replace("TAGS", _ELEMENT_TAGS)
    .replace("ATTRIBUTES", _ATTRIBUTES)
    .replace("REACH", str(_ELEMENT_REACH))
    .replace("⏎", _BREAK)
)
_INLINE = re.compile(_INLINE_SOURCE, re.VERBOSE | re.DOTALL)
_ELEMENT_OPEN = re.compile(("<(" + _ELEMENT_TAGS + r")(?=[\s>])" + _ATTRIBUTES + ">").replace("⏎", _BREAK))
_ELEMENT_CLOSE = re.compile("</(" + _ELEMENT_TAGS + r")\s*>")


def scan(body: str, first_line: int = 1, *, fast: bool = True) -> BodyScan:
    """Scan a note body. Offsets are into `body`; `first_line` is the note line where the body starts.
    `fast=False` turns off the shortcut for simple lines (for the test that compares both)."""
    out = BodyScan(body=body)
    blocks = _Blocks(body, out, fast=fast)
    blocks.run()
    masked = mask(body, blocks.masked)
    spans: list[tuple[int, int]] = []
    _code_spans(masked, blocks.breaks, spans)
    masked = mask(masked, spans)
    comments: list[tuple[int, int]] = []
    _comments(body, masked, comments, out, first_line)
    if comments:  # a heading inside a comment is no heading: Obsidian hides the whole comment
        out.headings = [h for h in out.headings if not _inside_any(comments, h.start)]
    masked = mask(masked, comments)
    inline: list[tuple[int, int]] = []
    _inline(body, masked, inline, out, tables=blocks.tables, labels=blocks.labels, breaks=blocks.breaks)
    typed = _still_typed(masked, blocks.breaks)
    markers = _line_markers(body)
    literal = blocks.masked + spans + comments + blocks.late
    out.literal = sorted(literal)
    out.protected = sorted(literal + inline + typed + blocks.no_insert + markers)
    return out


def _line_markers(body: str) -> list[tuple[int, int]]:
    """Where `_LINE_MARKERS` match at the start of a line: searched for after a line break, the literal
    that lets `re` find them at C speed (matching the pattern at every position cost a quarter of the whole
    scan, and matching it again where a search had found a line starting with a marker character, a sixth
    of this pass)."""
    found = []
    first = _LINE_MARKERS.match(body)  # every match holds a marker: never empty
    if first is not None:
        found.append(_marker_span(first))
    for m in _MARKER_LINE.finditer(body):
        found.append(_marker_span(m, 1))
    return found


def _marker_span(m: re.Match[str], group: int = 0) -> tuple[int, int]:
    """The markers matched, without the white space after the last one: that is white space to the text
    after it, as CommonMark reads a line's content. Masked, it read as punctuation (MASK), and a `**`
    after `- ` seemed able to close an emphasis of the item above once a link's `[[` followed it."""
    start = m.start(group)
    return start, start + len(m.group(group).rstrip(" \t"))


def mask(text: str, ranges: Sequence[tuple[int, int]]) -> str:
    """`text` with every range replaced by MASK characters (line breaks kept, so lines stay lines)."""
    if not ranges:
        return text
    pieces = []
    last = 0
    for first, end in sorted(ranges):
        start = first if first > last else last
        if end <= start:
            continue
        pieces.append(text[last:start])
        chunk = text[start:end]
        pieces.append(_masked(chunk) if "\n" in chunk or "\r" in chunk else MASK * len(chunk))
        last = end
    pieces.append(text[last:])
    return "".join(pieces)


def _masked(chunk: str) -> str:
    """The chunk as MASK characters, its line breaks kept: a line at a time (one substitution for each
    character, as a code block needed, cost a third of the scanner's masking)."""
    if "\r" in chunk:
        return _NOT_NEWLINE.sub(MASK, chunk)
    if "\n" in chunk:
        return "\n".join(MASK * len(line) for line in chunk.split("\n"))
    return MASK * len(chunk)


_PROBES = 8  # places of a probe `_holds` compares the needle at before it searches for the needle itself


def _holds(text: str, needle: str, probe: str = "") -> bool:
    """`needle in text`, asked after `probe` (its first character by default), a part of it most texts do not
    hold: `in` finds one character at memchr speed, where a longer needle costs 0.7 ns a character, 3.5 µs
    of a 5 KB body, and each note's body is asked several. Where the probe is there, the needle is compared
    at its first few places before the whole text is searched: a text holds a `:` or a `(` a few times
    (a URL's, a time's), and `::` (Dataview's field) nowhere, in most notes."""
    probe = probe or needle[0]
    at = text.find(probe)
    if at < 0 or probe == needle:
        return at >= 0
    lead = needle.index(probe)
    for _ in range(_PROBES):
        if at >= lead and text.startswith(needle, at - lead):
            return True
        at = text.find(probe, at + 1)
        if at < 0:
            return False
    return needle in text


def _inside_any(ranges: list[tuple[int, int]], pos: int) -> bool:
    return any(start <= pos < end for start, end in ranges)


class _Blocks:
    """CommonMark's block structure, line by line: the open containers (block quotes, list items) are
    matched and new ones opened first, then the rest of the line joins or starts a leaf block. Records what
    must be masked, which lines are headings, tables and callout titles, and where paragraphs break.

    A line at a time, on purpose: most lines cost a look at their first character and a `str` search for `|`
    and tabs. Reading a whole stretch of simple lines with one regex (`(?:line\n)+`, then one match per line
    that is not blank) made this pass 45% slower on 2,000 of the 10k benchmark's notes: `re` tries a character
    class at 5-10 ns a character, where `str.find` and `in` take under 1, and prose lines are long."""

    def __init__(self, body: str, out: BodyScan, *, fast: bool = True) -> None:
        self.body = body
        self.fast = fast  # take the shortcut for simple lines (False only to test it against the rest)
        self.out = out
        self.masked: list[tuple[int, int]] = []  # code, math and HTML blocks, reference definitions
        self.late: list[tuple[int, int]] = []  # HTML comment blocks: masked after suppressions are read
        self.tables: list[tuple[int, int]] = []
        self.no_insert: list[tuple[int, int]] = []  # headings, tables, callout titles: links, but no edits
        self.breaks: list[int] = []  # where inline content starts anew: a code span never crosses one
        self.containers: list[int] = []  # -1: a block quote; n >= 0: a list item with content at column n
        self.mode = ""  # the open leaf block: "para", "fence", "math", "html", "comment", "table", "code", ""
        self.depth = 0  # how many containers the open fence, math or HTML block lives in
        self.closer: re.Pattern[str] | str | None = None  # what ends it (None: a blank line)
        self.para_start = 0
        self.para_text: list[str] = []
        self.table_start = 0
        self.labels: set[str] = set()  # of link reference definitions
        # inside a footnote's definition, the depth of containers it is in: its lines indented 4 spaces are
        # its text (`[^1]: a` then `    b`), not indented code
        self.footnote: int | None = None
        self.title_opener_line = False  # the next line opens the title a definition leaves to it
        self.title_whole = False  # ... and closes it there
        # the line before was a callout's title, `> [!note] Title`: to CommonMark a paragraph, which an
        # unquoted line after it continues lazily (`[x]: url` there is prose, no definition)
        self.callout_title = False

    def run(self) -> None:
        pos = 0
        lines = _lines(self.body)
        fast = self.fast
        # a fence or math block at the top level is skipped to its closing line in one search, where lines
        # end only in \n or \r\n (a lone \r ends a line for Markdown, not for the search)
        skips = fast and _no_lone_cr(self.body)
        containers = self.containers
        k, count = 0, len(lines)
        while k < count:
            line = lines[k]
            if skips and self.mode in ("fence", "math") and not containers and not self.depth:
                ahead, pos = self._skip_block(pos)
                if ahead:
                    k += ahead
                    continue
            if (
                fast
                and line == "\n"
                and self.mode in ("", "para")
                and (not containers or (len(containers) == 1 and containers[0] >= 0))
            ):
                self.mode = ""  # a blank line, as `_simple` takes it: ends a paragraph, keeps a list item
            elif not (fast and self._simple(pos, line)):
                self.line(pos, line, lines[k + 1] if k + 1 < count else "")
            pos += len(line)
            k += 1
        self._close(pos)

    def _skip_block(self, start: int) -> tuple[int, int]:
        """The open top-level fence or math block, from the line at `start` through its closing line (or to
        the end of the body), masked at once as `line` would mask it line by line. Returns how many lines
        that is, and where the next line starts."""
        body, closer = self.body, self.closer
        if isinstance(closer, re.Pattern):  # a fence: a line of its character, at least as long
            m = closer.search(body, start)
            last = m.start() if m else -1
        else:  # math: the first line holding `$$`
            last = body.find("$$", start)
        if last < 0:  # never closed: the block goes on to the end of the body
            stop = len(body)
            end = stop - (2 if body.endswith("\r\n") else 1 if body.endswith("\n") else 0)
        else:
            self.mode = ""
            newline = body.find("\n", last)
            stop = len(body) if newline < 0 else newline + 1
            end = stop if newline < 0 else newline - (body[newline - 1] == "\r")
        if stop <= start:
            return 0, start
        _extend(self.masked, start, max(start, end))
        return body.count("\n", start, stop) + (not body.endswith("\n") and stop == len(body)), stop

    def _simple(self, start: int, line: str) -> bool:
        """The lines most notes are made of — prose, blank lines, one-line list items and ATX headings, at
        the top level or directly in one list item — handled without the general machinery below, with
        the same result (tests/test_markdown.py compares the two). False: not such a line, use `line`."""
        containers = self.containers
        if (
            self.mode not in ("", "para")
            or self.footnote is not None  # its lines are read by `line`, which knows where it ends
            or (containers and (len(containers) > 1 or containers[0] < 0))
            or "|" in line
            or "\t" in line
        ):
            return False
        first = line[:1]
        # `_plain_start(first)`, written out: most lines end here, and the call cost more than the test
        if first and first not in _NOT_PLAIN and not first.isspace():  # most lines: read without `_SIMPLE`
            return self._prose(start, line)
        if first == "#":
            return self._hash(start, line)
        if first in _BULLETS and line[1:2] == " " and _plain_start(line[2:3]):
            return self._bullet(start, line)
        return self._marked(start, line)

    def _marked(self, start: int, line: str) -> bool:
        """`_simple` of the other lines: blank, indented, a list item's, or no simple line at all."""
        containers = self.containers
        content = line.rstrip("\r\n")
        first = content[:1]
        if first == " " and content.lstrip(" ").startswith("!!!"):
            return False  # an Admonition header (`_ADMONITION`)
        m = _SIMPLE.match(content)
        if m is None:
            return False
        kind, indent = m.lastgroup or "", m.end("indent")
        if kind != "blank" and containers and indent >= containers[0]:
            return False  # content inside the list item: nested blocks are for the general path
        if kind == "blank":
            self.mode = ""  # ends a paragraph; a list item stays open across blank lines
        elif kind == "hash" and (h := _ATX.match(content)):
            containers.clear()
            self._heading(h, start, start + len(content))
        elif kind == "item" and not (self.mode == "para" and m.group("number") not in (None, "1")):
            containers[:] = [m.end()]  # a new item: the list item's content starts after the marker
            self.mode, self.para_start, self.para_text = "para", start, [content[m.end() :]]
            self.breaks.append(start)
        elif self.mode == "para":
            self.para_text.append(content)  # a continuation line (lazy, when in a list item)
        else:
            containers.clear()
            self.mode, self.para_start, self.para_text = "para", start, [content]
            self.breaks.append(start)
        return True

    def _prose(self, start: int, line: str) -> bool:
        """`_simple` of a line whose first character starts no block: a paragraph's line (False: an
        Admonition header)."""
        if line.startswith("!!!"):
            return False  # `_ADMONITION`
        if self.mode == "para":  # a continuation line (lazy, when in a list item)
            self.para_text.append(line.rstrip("\r\n"))
        else:  # a list item's content starts after its marker: text at column 0 is none of it
            self.containers.clear()
            self.mode, self.para_start, self.para_text = "para", start, [line.rstrip("\r\n")]
            self.breaks.append(start)
        return True

    def _bullet(self, start: int, line: str) -> bool:
        """`_simple` of a bullet list item whose text starts with prose (`- text`), as `_SIMPLE` reads it:
        a new item, its content two columns in."""
        self.containers[:] = [2]
        self.mode, self.para_start, self.para_text = "para", start, [line[2:].rstrip("\r\n")]
        self.breaks.append(start)
        return True

    def _hash(self, start: int, line: str) -> bool:
        """`_simple` of a line starting with `#`, as `_SIMPLE` reads it: an ATX heading, else (`#tag`,
        `#######`) a paragraph's line."""
        content = line.rstrip("\r\n")
        h = _ATX.match(content)
        if h is None:
            return self._prose(start, line)
        self.containers.clear()
        self._heading(h, start, start + len(content))
        return True

    def line(self, start: int, line: str, nxt: str) -> None:
        content = line.rstrip("\r\n")
        end = start + len(content)
        text = content.expandtabs(4) if "\t" in content else content
        col, matched = self._match(text)
        if self.mode in ("fence", "math", "html", "comment", "title"):
            lazy = matched < self.depth and self.mode == "title" and bool(self._lazy(text, col))
            if (matched >= self.depth or lazy) and self._continue_block(text[col:], start, end):
                return
            self.mode = ""
        col, opened = self._open(text, col)
        leaf = text[col:]
        blank = not leaf.strip()
        title, self.callout_title = self.callout_title, False
        if matched < len(self.containers):
            if not opened and (self.mode == "para" or title) and not blank and not _starts_block(leaf):
                if self.mode != "para":  # after a callout's title: its paragraph goes on from here
                    self.mode, self.para_start, self.para_text = "para", start, []
                self.para_text.append(leaf)  # a lazy continuation line
                return
            del self.containers[matched:]
            self._close(start)
        if opened:
            self.containers.extend(opened)
            self._close(start)
        self._leaf(leaf, blank, start, end, quote_opened=bool(opened) and opened[-1] < 0, nxt=nxt)

    def _match(self, text: str) -> tuple[int, int]:
        """How far the open containers continue on this line: (column after their markers, how many)."""
        col = 0
        content_end = len(text.rstrip())  # each level asked the rest of the line: quadratic in its markers
        space_end = -1  # where the spaces from `col` end (-1: not counted since `col` moved past a `>`)
        for k, width in enumerate(self.containers):
            if width < 0:
                m = _QUOTE_MARK.match(text, col)
                if m is None:
                    return col, k
                col, space_end = m.end(), -1
            elif col < content_end:  # a blank line continues a list item
                if space_end < 0:  # counted once for the items nested in one another, not at each
                    space_end = col + _spaces(text, col)
                if space_end < width:
                    return col, k
                col = width
        return col, len(self.containers)

    def _open(self, text: str, col: int) -> tuple[int, list[int]]:
        """Block quotes and list items that start on this line. What each marker asks of the rest of the line
        (is it blank, a thematic break?) is read from where its content and its last other character end:
        asked of the rest itself, a line of 16,000 `- ` markers took 20 s."""
        opened: list[int] = []
        content_end = len(text.rstrip())
        hr_from = len(text.rstrip(" -*_"))  # a thematic break holds nothing else: it can start only here on
        while True:
            m = _QUOTE_MARK.match(text, col)
            if m is not None:
                opened.append(-1)
                col = m.end()
                continue
            m = _LIST_MARK.match(text, col)
            if m is None or (col >= hr_from and _HR.match(text, col)):
                return col, opened
            empty = m.end() >= content_end
            if self.mode == "para" and not opened and (empty or m.group(1) not in (None, "1")):
                return col, opened  # an empty item, or a list not starting at 1, cannot interrupt a paragraph
            gap = _spaces(text, m.end())
            width = m.end() + (1 if empty or gap > 4 else gap)
            opened.append(width)
            col = min(width, len(text))

    def _continue_block(self, leaf: str, start: int, end: int) -> bool:
        """Add this line to the open fence, math or HTML block (False: a blank line ended an HTML block), or
        to a reference definition's title that goes on over a line break (a blank line ends it)."""
        closer = self.closer
        if self.mode == "title":
            if not leaf.strip():
                self.mode = ""
                return False
            if self.title_opener_line:  # the line the title opens on: its quote opens, not closes
                self.title_opener_line = False
                if self.title_whole:
                    self.mode = ""
            elif isinstance(closer, str) and closer in leaf:
                self.mode = ""
            _extend(self.masked, start, end)
            return True
        if closer is None:
            if not leaf.strip():
                self.mode = ""
                return True
        elif isinstance(closer, str):
            if closer in leaf:
                self.mode = ""
        elif closer.match(leaf) if self.mode == "fence" else closer.search(leaf):
            self.mode = ""
        ranges = self.late if self.mode == "comment" or closer == "-->" else self.masked
        _extend(ranges, start, end)
        return True

    def _leaf(self, leaf: str, blank: bool, start: int, end: int, *, quote_opened: bool, nxt: str) -> None:
        indented = not blank and _spaces(leaf, 0) >= 4
        self._footnote_goes_on(blank or indented)
        if blank:
            self._close(start)
        elif indented and self.mode != "para":
            self._indented(start, end)
        elif self._open_block(leaf, start, end):
            pass
        elif self.mode == "para" and (m := _SETEXT.match(leaf)):
            text = " ".join(" ".join(self.para_text).split())
            self.out.headings.append(Heading(1 if m.group(1)[0] == "=" else 2, text, self.para_start))
            self.no_insert.append((self.para_start, end))
            self.mode = ""
        elif _HR.match(leaf):
            self._close(start)
            self.breaks.append(start)
        elif self.mode == "table":
            self.breaks.append(start)  # a row; GFM ends a table only at a blank line or another block
        elif "|" in leaf and _TABLE_DELIM.match(nxt.rstrip("\r\n")):
            self._close(start)
            self.mode, self.table_start = "table", start
            self.breaks.append(start)
        elif self.mode != "para" and leaf.lstrip(" ")[:1] == "[" and (m := _REFDEF.match(leaf)):
            self._definition(m.group(1), leaf, start, end, nxt)
        elif (
            self.mode != "para"
            and leaf.lstrip(" ")[:1] == "["
            and (m := _REFDEF_BARE.match(leaf))
            and _DESTINATION_LINE.match(self._continuation(nxt))
        ):  # `[a]:` with the destination on the line after (maybe a lazy one, in a quote or list item)
            self.labels.add(_label(m.group(1)))
            self._begin("", start, end, done=True)
            self._open_title('"', opener_line=True, whole=True)
        elif quote_opened and _CALLOUT.match(leaf):
            self._close(start)
            self.no_insert.append((start, end))
            self.breaks.append(start)
            self.callout_title = True
        elif _ADMONITION.match(leaf):  # `!!! ad-note Title`: `ad-[[note]]` would be no admonition type
            self._close(start)
            self.no_insert.append((start, end))
            self.breaks.append(start)
        else:
            self._para_line(leaf, start)

    def _footnote_goes_on(self, may: bool) -> None:
        """A footnote's definition goes on over blank and indented lines in its own containers, no further."""
        if not may or self.footnote != len(self.containers):
            self.footnote = None

    def _indented(self, start: int, end: int) -> None:
        """Indented code, or the text of the footnote whose definition it follows: Markdown whose links are
        links, where no link is inserted."""
        if self.footnote is None:
            self._begin("code", start, end, done=True)
        else:
            self._footnote_text(start, end)

    def _definition(self, label: str, leaf: str, start: int, end: int, nxt: str) -> None:
        """A reference definition (`[a]: url`), masked: no prose. A footnote's (`[^1]: text`) is Markdown
        text, whose links are links (Obsidian indexes them) but where no link is inserted."""
        self.labels.add(_label(label))
        if label[0] == "^":
            self._close(start)
            self._footnote_text(start, end)
            self.footnote = len(self.containers)
        else:
            self._begin("", start, end, done=True)
        self._title(leaf, end, nxt)

    def _footnote_text(self, start: int, end: int) -> None:
        """A line of a footnote's text: links there are links, but none is inserted, and inline content
        starts anew with it."""
        self.no_insert.append((start, end))
        self.breaks.append(start)

    def _title(self, leaf: str, end: int, nxt: str) -> None:
        """A reference definition's title on the lines after it: masked (it is no prose). One that opens on
        this line or the next and is not closed there goes on, as a `title` block, to its closing quote."""
        opens = _TITLE_OPENS.match(leaf)
        if opens is None and _REFDEF_UNTITLED.match(leaf):
            nxt = self._continuation(nxt)
            if _TITLE_LINE.match(nxt):  # the whole title, on the line after: that line is taken whole
                self._open_title(nxt.lstrip(" \t")[0], opener_line=True, whole=True)
            elif opens_next := _TITLE_OPENS_NEXT.match(nxt):  # it opens there and goes on
                self._open_title(next(q for q in opens_next.groups() if q), opener_line=True)
        elif opens is not None:
            self._open_title(next(q for q in opens.groups() if q), opener_line=False)

    def _continuation(self, line: str) -> str:
        """A line's content inside the open block quotes and list items, or, where it leaves them, its text
        if it continues lazily the paragraph a reference definition is read from; "" otherwise."""
        if not self.containers:
            return line
        text = line.expandtabs(4) if "\t" in line else line
        col, matched = self._match(text.rstrip("\r\n"))
        if matched == len(self.containers):
            return text[col:]
        return self._lazy(text, col) if line.strip() else ""

    def _lazy(self, text: str, col: int) -> str:
        """The line's text from `col` if it could continue a paragraph lazily (it opens no block), else ""."""
        col, opened = self._open(text, col)
        leaf = text[col:]
        return leaf if not opened and leaf.strip() and not _starts_block(leaf) else ""

    def _open_title(self, opener: str, *, opener_line: bool, whole: bool = False) -> None:
        """The title goes on from the line after; `opener_line`: it opens there (its first quote opens, not
        closes), and `whole`: it also closes there, so the line after it is read afresh (a definition may
        follow: a title is no paragraph it would continue)."""
        self.mode, self.closer, self.depth = "title", _TITLE_CLOSER[opener], len(self.containers)
        self.title_opener_line, self.title_whole = opener_line, whole

    def _para_line(self, leaf: str, start: int) -> None:
        if self.mode == "para":
            self.para_text.append(leaf)
        else:
            self._close(start)
            self.mode, self.para_start, self.para_text = "para", start, [leaf]
            self.breaks.append(start)

    def _open_block(self, leaf: str, start: int, end: int) -> bool:
        """A fence, math block, ATX heading or HTML block starting on this line."""
        first = leaf.lstrip(" ")[:1]
        if first in "`~" and (m := _FENCE_OPEN.match(leaf)) and not (first == "`" and "`" in m.group(2)):
            fence = m.group(1)
            self.closer = _closing_fence(fence[0], len(fence))
            return self._begin("fence", start, end)
        if first == "$" and _MATH_OPEN.match(leaf) and leaf.count("$$") == 1:
            self.closer = "$$"
            return self._begin("math", start, end)
        if first == "#" and (h := _ATX.match(leaf)):
            self._heading(h, start, end)
            return True
        if first == "<":
            return self._html(leaf, start, end)
        return False

    def _heading(self, h: re.Match[str], start: int, end: int) -> None:
        self._close(start)
        self.out.headings.append(Heading(len(h.group(1)), _atx_text(h), start))
        self.no_insert.append((start, end))
        self.breaks.append(start)

    def _html(self, leaf: str, start: int, end: int) -> bool:
        if _HTML_RAW.match(leaf):
            self.closer = _HTML_RAW_END
            return self._begin("html", start, end, done=_HTML_RAW_END.search(leaf) is not None)
        if m := _HTML_SPECIAL.match(leaf):
            opener = m.group(1)
            self.closer = _HTML_SPECIAL_END.get(opener, ">")
            done = self.closer in leaf[m.end() :]
            if opener == "<!--":  # masked only after the suppression comments are read
                self._begin("comment", start, end, done, into=self.late)
                return True
            return self._begin("html", start, end, done)
        if _HTML_BLOCK.match(leaf) or (self.mode != "para" and _HTML_TAG_LINE.match(leaf)):
            self.closer = None
            return self._begin("html", start, end)
        return False

    def _begin(
        self, mode: str, start: int, end: int, done: bool = False, into: list[tuple[int, int]] | None = None
    ) -> bool:
        self._close(start)
        self.mode, self.depth = ("" if done else mode), len(self.containers)
        _extend(self.masked if into is None else into, start, end)
        self.breaks.append(start)
        return True

    def _close(self, start: int) -> None:
        if self.mode == "table":
            self.tables.append((self.table_start, start))
            self.no_insert.append((self.table_start, start))
        self.mode = ""


_BULLETS = frozenset("-*+")


def _plain_start(char: str) -> bool:
    """Is this a character no block can start with (`_PLAIN_START`)? Not "", the line's end."""
    return bool(char) and char not in _NOT_PLAIN and not char.isspace()


@functools.cache
def _closing_fence(char: str, length: int) -> re.Pattern[str]:
    """The line that closes a fence of `length` `char`s: matched against one line's content (`line`, tabs
    expanded), or searched for in a whole body (`_Blocks._skip_block`: a trailing tab, and the line's CR)."""
    return re.compile(rf"^[ ]{{0,3}}{re.escape(char)}{{{length},}}[ \t]*\r?$", re.MULTILINE)


def _lines(body: str) -> list[str]:
    """The body's lines with their endings, split at Markdown's line endings only: `str.splitlines` (fast)
    when the body has no other character it splits at (form feed, U+2028...), else a regex."""
    lines = body.splitlines(keepends=True)
    endings = body.count("\n")
    if "\r" in body:  # most bodies have none: counting the two-character `\r\n` costs as much as the split
        endings += body.count("\r") - body.count("\r\n")
    if len(lines) == endings + (body[-1:] not in ("\n", "\r", "")):
        return lines
    return [line for line in _LINE.findall(body) if line]


def _no_lone_cr(body: str) -> bool:
    """Does every CR in the body start a CRLF (a search for the rare CR first: most bodies have none)?"""
    return "\r" not in body or body.count("\r") == body.count("\r\n")


def _atx_text(h: re.Match[str]) -> str:
    """An ATX heading's text: without its closing sequence, a run of `#` after a space or tab (or after the
    opening sequence's, when it is all there is: `### ###` is empty) followed by spaces or tabs only
    (CommonMark 0.31.2, 4.2, examples 62-79)."""
    text = (h.group(2) or "").rstrip(" \t")
    bare = text.rstrip("#")
    if bare != text and (not bare or bare.endswith((" ", "\t"))):
        text = bare
    return text.strip()


def _starts_block(leaf: str) -> bool:
    """Does this line start a block of its own, rather than continue a paragraph lazily?"""
    return bool(
        _HR.match(leaf)
        or _FENCE_OPEN.match(leaf)
        or _ATX.match(leaf)
        or _MATH_OPEN.match(leaf)
        or _HTML_RAW.match(leaf)
        or _HTML_SPECIAL.match(leaf)
        or _HTML_BLOCK.match(leaf)
    )


def _extend(ranges: list[tuple[int, int]], start: int, end: int) -> None:
    """Add a line to the ranges, merged with the line before when they touch."""
    if ranges and ranges[-1][1] >= start - 2:
        ranges[-1] = (ranges[-1][0], end)
    else:
        ranges.append((start, end))


def _spaces(text: str, col: int) -> int:
    """The spaces from `col` on, counted without copying the rest of the line."""
    m = _SPACES.match(text, col)
    return m.end() - col if m else 0


def _mask(ranges: list[tuple[int, int]], start: int, end: int) -> None:
    ranges.append((start, end))


def _code_spans(masked: str, breaks: list[int], spans: list[tuple[int, int]]) -> None:
    """Pair backtick runs of equal length within one paragraph or other leaf block (CommonMark's rule)."""
    runs = [(m.start(), m.end()) for m in _TICKS.finditer(masked)]
    by_width: dict[int, list[int]] = {}  # run width -> indexes into runs, ascending: no quadratic search
    for k, (start, end) in enumerate(runs):
        by_width.setdefault(end - start, []).append(k)
    k = 0
    while k < len(runs):
        start, end = runs[k]
        if _escaped(masked, start):  # an escaped backtick is literal; the rest of the run may open a span
            start += 1
            if start == end:
                k += 1
                continue
        limit_idx = bisect.bisect_right(breaks, start)
        limit = breaks[limit_idx] if limit_idx < len(breaks) else len(masked)
        same = by_width.get(end - start, [])
        at = bisect.bisect_right(same, k)
        j = same[at] if at < len(same) else len(runs)
        if j < len(runs) and runs[j][0] < limit:
            spans.append((start, runs[j][1]))
            k = j + 1
        else:
            k += 1


def _comments(body: str, masked: str, chars: list[tuple[int, int]], out: BodyScan, first_line: int) -> None:
    if not _holds(masked, "%%") and not _holds(masked, "<!--"):
        return
    lines = _LineCounter(body, first_line)
    regions = _OpenRegions()
    for m in _COMMENTS.finditer(masked):
        _suppression(m, out, lines, regions)
        _mask(chars, m.start(), m.end())
    regions.finish(out.suppressions)


class _LineCounter:
    """Line and column of offsets asked in increasing order, each counted on from the one before (counted
    from the body's start, and the column from the line's, 20,000 comments on a line or on 20,000 lines
    took seconds)."""

    def __init__(self, body: str, first_line: int) -> None:
        self.body, self.first_line = body, first_line
        self.pos, self.line, self.line_start = 0, first_line, 0

    def at(self, pos: int) -> tuple[int, int]:
        """(line, 1-based column) of `pos`."""
        if pos < self.pos:
            self.pos, self.line, self.line_start = 0, self.first_line, 0
        body = self.body
        self.line += body.count("\n", self.pos, pos)
        newline = body.rfind("\n", self.pos, pos)
        if newline >= 0:
            self.line_start = newline + 1
        self.pos = pos
        return self.line, pos - self.line_start + 1


class _OpenRegions:
    """The `disable` regions not yet ended (indexes into `BodyScan.suppressions`), found by code: an
    `enable` looks only at the regions and codes it ends, each once. An `enable` of some of a region's codes
    ends those codes there, and the region's other codes stay disabled: recorded as each code's last line
    (`Suppression.ends`), not as a new region of the other codes (a `disable` of k codes ended one by one
    stored k * k / 2 codes)."""

    def __init__(self) -> None:
        self.every: set[int] = set()  # regions of every code
        self.by_code: dict[str, dict[int, list[int]]] = {}  # code -> region -> where in its codes
        self.ends: dict[int, list[int]] = {}  # region -> each code's last line so far (0: not ended)
        self.open: dict[int, int] = {}  # region -> how many of its codes are not ended

    def add(self, index: int, codes: tuple[str, ...]) -> None:
        if not codes:
            self.every.add(index)
            return
        for k, code in enumerate(codes):
            self.by_code.setdefault(code, {}).setdefault(index, []).append(k)
        self.ends[index] = [0] * len(codes)
        self.open[index] = len(codes)

    def end(self, codes: tuple[str, ...], line: int, suppressions: list[Suppression]) -> None:
        """An `enable` of `codes` (none: every code) on `line`."""
        ended = set(self.every)
        self.every.clear()
        for code in codes or list(self.by_code):
            for n, places in self.by_code.pop(code, {}).items():
                ends = self.ends[n]
                for k in places:
                    ends[k] = line
                self.open[n] -= len(places)
                if self.open[n] == 0:
                    ended.add(n)
        for n in ended:  # every code ended: the region ends at its last `enable`
            ends_n = self.ends.pop(n, None)
            self.open.pop(n, None)
            whole = ends_n is None or len(set(ends_n)) == 1
            suppressions[n] = replace(
                suppressions[n], last_line=line, ends=() if whole else tuple(ends_n or ())
            )

    def finish(self, suppressions: list[Suppression]) -> None:
        """At the end of the note: the regions some of whose codes were ended, and others not."""
        for n, ends in self.ends.items():
            if self.open[n] < len(ends):
                suppressions[n] = replace(suppressions[n], ends=tuple(ends))


def _suppression(m: re.Match[str], out: BodyScan, lines: _LineCounter, regions: _OpenRegions) -> None:
    s = _SUPPRESS.search(m.group(0))
    if s is None:
        return
    line, col = lines.at(m.start())
    codes = tuple(c.upper() for c in re.split(r"[,\s]+", s.group(2).strip()) if c)
    end_line = lines.at(m.end())[0]
    kind = s.group(1)
    if kind == "disable-next-line":
        out.suppressions.append(Suppression(codes, end_line + 1, end_line + 1, line, col))
    elif kind == "disable":
        regions.add(len(out.suppressions), codes)
        out.suppressions.append(Suppression(codes, line, 0, line, col))
    else:  # enable: end these codes of the open regions; a region's other codes stay disabled
        regions.end(codes, line, out.suppressions)


def _inline(
    body: str,
    masked: str,
    chars: list[tuple[int, int]],
    out: BodyScan,
    *,
    tables: list[tuple[int, int]],
    labels: set[str],
    breaks: list[int],
) -> None:
    table_starts = [t[0] for t in tables]
    covered = 0  # where the last range protected by an unbalanced `[[` or `]]` ends
    tags: list[re.Match[str]] = []
    for m in _inline_matches(masked, labels, breaks, tags):
        kind = m.lastgroup
        if kind == "wiki":
            link = _wikilink(body, m, bool(tables) and _inside(tables, table_starts, m.start()))
            if link is not None:
                out.links.append(link)
            chars.append(m.span())  # no word before it to protect (`_word_before_link`): most matches
            continue
        if kind in ("md", "footnote"):
            _links_of(body, masked, m, out)
        elif kind == "brackets":  # a `[[` never closed (a link being typed) or a stray `]]`: no link goes in
            start, covered = _unbalanced(masked, m.start(), m.end(), covered)
            _mask(chars, start, covered)
            continue
        elif kind == "esc" and masked[m.start() + 1] in "[]":  # `\[Meituan\]` is literal text: the bracket
            _mask(chars, m.start(), m.start() + 1)  # stays in the prose, where no mention may touch it
            continue
        _word_before_link(masked, m, chars)
        chars.append(m.span())
    _element_text(masked, tags, breaks, chars)
    _bare_urls(masked, chars)
    _label_after_bracket(masked, labels, chars)
    _dataview_fields(masked, chars)
    _task_fields(masked, chars)
    _placeholders(masked, chars)
    _entity_references(masked, chars)
    at = masked.find("@")
    while at >= 0:  # bare e-mail addresses: `bob@meituan.com` must not become `bob@[[Meituan|meituan]].com`
        local = _EMAIL_LOCAL.search(masked, max(0, at - 64), at)
        domain = _EMAIL_DOMAIN.match(masked, at + 1)
        if local is not None and domain is not None:
            _mask(chars, local.start(), domain.end())
        at = masked.find("@", at + 1)
    for bm in _BLOCK_ID.finditer(masked):
        start = bm.start()
        if start == 0 or masked[start - 1] in " \t\n":
            if _ends_its_block(body, masked, bm.end(), breaks):
                out.block_ids.append(BlockId(bm.group(1), start))
            _mask(chars, start, bm.end(1))


def _ends_its_block(body: str, masked: str, end: int, breaks: Sequence[int]) -> bool:
    """Whether the line ending at `end` is its block's last: an id ends a block, as Obsidian reads one, and
    `^a` at the end of a line a paragraph goes on after (a soft break) is text there, so a link to it opens
    nothing. The next line is blank (but for a quote's `>`), or another block starts there (`_BLANK_REST`);
    not a code span, masked as a comment is, which the paragraph goes on with (a fence is in `breaks`)."""
    after = end + 2 if masked.startswith("\r\n", end) else end + 1
    if after > len(masked):
        return True
    rest = _BLANK_REST.match(masked, after)
    if rest is not None and body[rest.end() - 1 : rest.end()] != "`":
        return True
    at = bisect.bisect_left(breaks, after)
    return at < len(breaks) and breaks[at] == after


def _links_of(body: str, masked: str, m: re.Match[str], out: BodyScan) -> None:
    """A Markdown link, or the links of an inline footnote's text (`^[see [[Note]]]`), which Obsidian renders
    as Markdown: links, though no link is inserted there. A footnote's reference (`[^1]`) holds none."""
    if m.lastgroup == "md":
        link = _mdlink(m)
        if link is not None:
            out.links.append(link)
        return
    if masked[m.start()] != "^":
        return
    for inner in _INLINE.finditer(masked, m.start() + 2, m.end() - 1):
        kind = inner.lastgroup
        found = _wikilink(body, inner, False) if kind == "wiki" else _mdlink(inner) if kind == "md" else None
        if found is not None:
            out.links.append(found)


def _element_text(
    masked: str, tags: list[re.Match[str]], breaks: Sequence[int], chars: list[tuple[int, int]]
) -> None:
    """Protect the text of inline HTML elements (`<span>`, `<b>`, `<u>`, `<mark>`, `<font>`...): from an
    opening tag to its closing tag in the same paragraph. Obsidian renders no Markdown inside HTML: a link
    written there shows as `[[...]]` in the editor. An opening tag nothing closes in its paragraph is a tag
    and no more (CommonMark 6.6, raw HTML: the text after it is ordinary inline content): the rest of
    `List<String> holds ResRL`, `Vec<T> and ResRL` or `a <b> c ResRL` is prose, linked as any. But not after
    an unclosed element whose text is no prose (`_NOT_PROSE`: code, a link, raw text that a browser reads
    to its closing tag, as `<textarea>`): protected to the paragraph's end, as before. Links already
    there stay links (the tags alone are matched, so `_inline` still finds them). Linear: each opening tag
    is pushed and popped once, and each paragraph's end is looked up once."""
    stack: list[tuple[str, int]] = []  # the open elements: name, where the opening tag starts
    open_names: dict[str, int] = {}  # how many of each name are on the stack
    para_end = 0  # where the paragraph of the stack's elements ends
    for m in tags:
        start, end = m.span()
        if stack and start >= para_end:  # elements nothing closed in their paragraph
            _unclosed(stack, para_end, chars)
            stack.clear()
            open_names.clear()
        text = m.group()
        name = _TAG_NAME.match(text, 2 if text[1] == "/" else 1)
        tag = name.group().lower() if name is not None else ""
        if text[1] == "/":
            if open_names.get(tag):
                while True:
                    top, opened = stack.pop()
                    open_names[top] -= 1
                    if top == tag:
                        break
                chars.append((opened, end))
        elif not text.endswith("/>") and tag not in _VOID_TAGS:
            if not stack:
                para_end = _paragraph_end(masked, end, breaks)
            stack.append((tag, start))
            open_names[tag] = open_names.get(tag, 0) + 1
    _unclosed(stack, para_end, chars)


def _unclosed(stack: list[tuple[str, int]], para_end: int, chars: list[tuple[int, int]]) -> None:
    """Elements nothing closed in their paragraph are their tags alone, but from the first whose text is no
    prose (`<code>`, `<a>`, `<textarea>`...) the rest of the paragraph is protected."""
    opened = next((start for tag, start in stack if tag in _NOT_PROSE), None)
    if opened is not None:
        chars.append((opened, para_end))


# the elements of `_ELEMENT_TAGS`: code, a link, raw text (a browser reads `<script>`, `<style>` and
# `<textarea>` to their closing tag), drawings and formulas
_NOT_PROSE = frozenset(
    ("a", "code", "kbd", "samp", "tt", "var", "pre", "script", "style", "textarea", "svg", "math")
)
_TAG_NAME = re.compile(r"[A-Za-z][A-Za-z0-9-]*")
_VOID_TAGS = frozenset(  # elements that have no text and no closing tag
    (
        "area",
        "base",
        "br",
        "col",
        "embed",
        "hr",
        "img",
        "input",
        "link",
        "meta",
        "param",
        "source",
        "track",
        "wbr",
    )
)
_BLANK_LINE = re.compile(r"(?>\r\n?|\n)[ \t]*(?:\r|\n|\Z)")


def _paragraph_end(masked: str, pos: int, breaks: Sequence[int]) -> int:
    """Where the paragraph holding `pos` ends: at its next blank line, or where the next block starts."""
    blank = _BLANK_LINE.search(masked, pos)
    end = blank.start() if blank is not None else len(masked)
    k = bisect.bisect_right(breaks, pos)
    return min(end, breaks[k]) if k < len(breaks) else end


def _still_typed(masked: str, breaks: Sequence[int]) -> list[tuple[int, int]]:
    """The text after an opener nothing closes (a backtick run, `$`, `](`, `<tag`): the rest of its line,
    which is not linked. Most often the construct is being typed (watch --fix links a note the user paused
    in): a link inserted there now would be inside code, math, a URL or a tag once the user closes it. Math
    wrapped onto the next line of its paragraph is protected whole. Only protected, never masked: the link
    checks read such text as CommonMark does. (`masked` has its code spans masked: a backtick left opens
    nothing that closes. A `](` or `<tag` closed later on its line is taken as closed.) Linear: the next line
    end and the next closers are looked up once per line, not once per opener."""
    if not any(_holds(masked, opener, opener[-1]) for opener in _OPENERS):  # most notes: no regex scan
        return []
    typed: list[tuple[int, int]] = []
    covered = eol = 0  # where the last protected range ends; the end of the current opener's line
    closers = {")": -1, ">": -1}  # the next of each at or after the current opener
    pos = 0
    while (c := _OPENER_START.search(masked, max(pos, covered))) is not None:
        pos = at = c.start()
        pos += 1
        if masked[at] == "(":
            at -= 1
            if at < covered or masked[at] != "]":
                continue
        m = _OPENER.match(masked, at)
        if m is None:
            continue
        start, end = m.span()
        pos = end
        if at and masked[at - 1] == "\\" and masked[at] in "`$" and _escaped(masked, at):
            start += 1  # `\`` and `\$` are literal; after `\\`, an escaped backslash, the opener opens
            if start == end or masked[at] == "$":
                continue  # the rest of a backtick run may open a code span, as in _code_spans
        if end > eol:
            after = _LINE_BREAK.search(masked, end)
            eol = after.start() if after else len(masked)
        kind = masked[start]
        if kind in "]<":
            want = ")" if kind == "]" else ">"
            if closers[want] < end:
                found = masked.find(want, end)
                closers[want] = len(masked) if found < 0 else found
            if closers[want] < eol:
                continue
        math = _WRAPPED_MATH.match(masked, start) if kind == "$" else None
        covered = math.end() if math is not None and not _crosses(start, math.end(), breaks) else eol
        typed.append((start, covered))
    return typed


def _escaped(text: str, at: int) -> bool:
    """Is the character at `at` escaped: after an odd number of backslashes? (Each opener or backtick run
    counts the backslashes just before it, which no other one does: linear in all.)"""
    k = at
    while k and text[k - 1] == "\\":
        k -= 1
    return (at - k) % 2 == 1


def _crosses(start: int, end: int, breaks: Sequence[int]) -> bool:
    """Does a block (a list item, a heading, a fence) start inside start:end (`_Blocks.breaks`)?"""
    k = bisect.bisect_right(breaks, start)
    return k < len(breaks) and breaks[k] < end


_AFTER_BRACKET = re.compile(r"\](?=[^\s\[\]()!\\\x01])")
_TOKEN = re.compile(r"[^\s\[\]]{1,999}")


def _label_after_bracket(masked: str, labels: set[str], chars: list[tuple[int, int]]) -> None:
    """The word right after a `]` that begins a reference definition's label: a Markdown link written there,
    `[note][Meituan](Meituan.md)` with `[meituan]: url` defined, makes `[note][Meituan]` a full reference
    link to the definition and `(Meituan.md)` text. Protected whenever some label starts with the word: a
    mention of a longer name there is lost, never misread. Linear: the words after two `]` never overlap, and
    each is looked up where a name could end in it (before a character that is no letter or digit)."""
    if not labels:
        return
    firsts = {label.split(" ", 1)[0] for label in labels}
    for m in _AFTER_BRACKET.finditer(masked):
        token = _TOKEN.match(masked, m.end())
        if token is None:
            continue
        word = token.group().casefold()
        ends = (k for k in range(1, len(word) + 1) if k == len(word) or not word[k].isalnum())
        if any(word[:k] in firsts for k in ends):
            _mask(chars, token.start(), token.end())


_WORD_REACH = 256  # characters: no name is longer


def _word_before_link(masked: str, m: re.Match[str], chars: list[tuple[int, int]]) -> None:
    """The word right before a Markdown or reference link (`Canvas[1]`, `[1]` defined): a wikilink written
    there, `[[Canvas]][1]`, would be the text of that link, as CommonMark lets balanced brackets into a
    link's text. Protected, so that no mention ends there (the linker's `_is_mention` says the same of a
    `(`). A `[` that is neither (`Canvas[@cite]`, `Canvas[^1]`) leaves `[[Canvas]]` a wikilink."""
    at = m.start()
    if m.lastgroup not in ("md", "ref", "shortcut") or masked[at] != "[":
        return
    start, stop = at, max(0, at - _WORD_REACH)
    while start > stop and not masked[start - 1].isspace() and masked[start - 1] not in "[]" + MASK:
        start -= 1
        if unicodedata.east_asian_width(masked[start]) in "WF":
            break  # Chinese or Japanese has no spaces: the sentence before the last character keeps its names
    if start < at:
        _mask(chars, start, at)


def _dataview_fields(masked: str, chars: list[tuple[int, int]]) -> None:
    if _holds(masked, "::"):
        chars.extend(m.span() for m in _FIELD_LINE.finditer(masked) if _whole_line_field(masked, *m.span()))
        chars.extend(m.span() for m in _FIELD_INLINE.finditer(masked))


def _whole_line_field(masked: str, start: int, end: int) -> bool:
    """Whether Dataview reads the line at start:end as one `key:: value` field (see `_LIST_ITEM`)."""
    if _FIELD_INLINE.search(masked, start, end):
        return False
    item = _LIST_ITEM.match(masked, start, end)
    if item is None:
        return True
    return not _TASK_BOX.match(masked, item.end(), end) and not _TASKS_DATE.search(masked, item.end(), end)


def _task_fields(masked: str, chars: list[tuple[int, int]]) -> None:
    if "🔁" in masked or "🆔" in masked or "⛔" in masked:
        chars.extend(m.span() for m in _TASK_FIELDS.finditer(masked))


def _placeholders(masked: str, chars: list[tuple[int, int]]) -> None:
    if "{" in masked:
        chars.extend(m.span() for m in _PLACEHOLDER.finditer(masked))
    if "{" in masked or _holds(masked, "]^(", "("):
        chars.extend(m.span() for m in _FURIGANA.finditer(masked))


def _entity_references(masked: str, chars: list[tuple[int, int]]) -> None:
    """`&Delta;` and `&euro;` render as one character (CommonMark's entity references, HTML5's names): a
    link inside would show `&`, the link and `;`. A name HTML does not know (`&Gamma2;`) shows as typed."""
    if "&" in masked:
        chars.extend(m.span() for m in _ENTITY_REFERENCE.finditer(masked) if m.group()[1:] in _ENTITY_NAMES)


def _unbalanced(masked: str, start: int, end: int, covered: int) -> tuple[int, int]:
    """The range an unbalanced `[[` or `]]` at start:end protects: the rest of its line, or its line up to
    it. `covered` is where the last such range ended: no search goes over it twice (20,000 `[[` on one line
    stay linear)."""
    if masked[start] == "[":
        if start < covered:
            return start, covered
        after = _LINE_BREAK.search(masked, end)
        return start, after.start() if after else len(masked)
    line = max(masked.rfind("\n", covered, start), masked.rfind("\r", covered, start)) + 1
    return max(line, covered), max(end, covered)


def _bare_urls(masked: str, chars: list[tuple[int, int]]) -> None:
    covered = 0  # a `://` or `www.` inside a URL already masked starts nothing (linear on glued URLs)
    for um in _URL_SCHEME_END.finditer(masked):
        if um.start() < covered:
            continue
        scheme = _SCHEME.search(masked, max(0, um.start() - 32), um.start())
        if scheme is not None:
            covered = _url_end(masked, um.end())
            _mask(chars, scheme.start(), covered)
    covered = 0
    for um in _URL_WWW.finditer(masked):
        before = masked[um.start() - 1 : um.start()]
        if um.start() < covered or (before and (before.isalnum() or before in "_.")):
            continue
        covered = _url_end(masked, um.end())
        _mask(chars, um.start(), covered)


def _url_end(masked: str, start: int) -> int:
    """Where the URL whose rest starts at `start` ends: before its trailing punctuation."""
    rest = _URL_REST.match(masked, start)
    assert rest is not None  # it matches the empty string
    return start + len(rest.group().rstrip(_URL_TRAILING))


def _inline_matches(
    masked: str, labels: set[str], breaks: Sequence[int], tags: list[re.Match[str]]
) -> Iterator[re.Match[str]]:
    """The inline constructs, in order; each HTML tag among them also added to `tags`."""
    pos = 0
    find, match = _INLINE_START.search, _INLINE.match
    closers: dict[str, list[int]] | None = None  # where each element's closing tags start, found once
    while (c := find(masked, pos)) is not None:
        if masked[c.start()] == "<" and (opening := _ELEMENT_OPEN.match(masked, c.start())) is not None:
            if closers is None:
                closers = _closing_tags(masked)
            reached = _closed_within_reach(closers.get(opening[1].lower(), []), opening.end())
            m = (match if reached else _inline_no_element().match)(masked, c.start())
        else:
            m = match(masked, c.start())
        # a wikilink, most matches, is taken whatever `_not_taken` asks: not asked (a call each)
        if (
            m is None
            or m.end() == m.start()
            or (m.lastgroup != "wiki" and _not_taken(m, masked, labels, breaks))
        ):
            pos = c.start() + 1
            continue
        if m.lastgroup == "html":
            tags.append(m)
        yield m
        pos = m.end()


def _not_taken(m: re.Match[str], masked: str, labels: set[str], breaks: Sequence[int]) -> bool:
    """Is the construct matched no link after all: a shortcut reference of no definition, a full reference
    `[x][y]` read as text and a link, or one that runs into another block? (Asked of its kind first: most
    matches are wikilinks, which none of them can be.)"""
    kind = m.lastgroup
    if kind == "shortcut" and _label(m["label"]) not in labels:
        return True
    if kind == "ref" and _inline_after(m, masked, labels):
        return True
    return kind in _WRAPPING and _crosses_a_block(m, masked, breaks)


@functools.cache
def _inline_no_element() -> re.Pattern[str]:
    """`_INLINE` with an element never matching (compiled when first needed: most notes never need it)."""
    return re.compile(_INLINE_SOURCE.replace("(?P<element>", "(?P<element>(?!)"), re.VERBOSE | re.DOTALL)


def _closing_tags(masked: str) -> dict[str, list[int]]:
    found: dict[str, list[int]] = {}
    for m in _ELEMENT_CLOSE.finditer(masked):
        found.setdefault(m[1].lower(), []).append(m.start())
    return found


def _closed_within_reach(starts: list[int], opened: int) -> bool:
    """Does a closing tag start within _ELEMENT_REACH characters after the opening tag that ends at
    `opened`?"""
    k = bisect.bisect_left(starts, opened)
    return k < len(starts) and starts[k] - opened <= _ELEMENT_REACH


def _inline_after(m: re.Match[str], masked: str, labels: set[str]) -> bool:
    """Is `m` a full reference `[x][y]` whose label no definition has, and `[y]` an inline link (`[y](z)`)?
    CommonMark then reads `[x]` as text and `[y](z)` as a link, as vaultkit writes one after a `]` in a
    vault of Markdown links (`[k:: Meituan][Meituan](Meituan.md)`): the link was missed."""
    if m.lastgroup != "ref" or not masked.startswith("(", m.end()):
        return False
    label = m.group()[m.group().rindex("[") + 1 : -1]
    return bool(label.strip()) and _label(label) not in labels


_WRAPPING = frozenset(("md", "ref", "footnote", "html", "shortcut"))  # the constructs `⏎` lets wrap


def _crosses_a_block(m: re.Match[str], masked: str, breaks: Sequence[int]) -> bool:
    """Does a construct that wraps onto more lines run into another block (a list item, a heading, a fence)?
    Those lines are one paragraph only if no block starts among them (`_Blocks.breaks`)."""
    start, end = m.span()
    if m.lastgroup not in _WRAPPING or masked.find("\n", start, end) < 0:
        return False
    return _crosses(start, end, breaks)


def _label(text: str) -> str:
    """Link labels match case-insensitively, with runs of white space as one space."""
    return " ".join(text.split()).casefold()


def _inside(ranges: list[tuple[int, int]], starts: list[int], pos: int) -> bool:
    k = bisect.bisect_right(starts, pos) - 1
    return k >= 0 and ranges[k][0] <= pos < ranges[k][1]


def _wikilink(body: str, m: re.Match[str], in_table: bool) -> Link | None:
    # Where `|` and `#` split it is read from the masked text (a `|` inside a code span splits nothing); the
    # parts are the note's own text: `[[T#Use `foo` here]]` links to the heading "Use `foo` here"
    shape = m.group("wbody")
    start, end = m.span("wbody")
    inner = body[start:end]
    cut = shape.find("|")  # in a table, the pipe is escaped: `[[Target\|text]]`
    if cut < 0:
        target, display = inner, ""
    else:
        escaped = in_table and cut > 0 and shape[cut - 1] == "\\"
        target, display = inner[: cut - 1 if escaped else cut], inner[cut + 1 :]
    if in_table:
        display = display.replace("\\|", "|")
    cut = shape.find("#", 0, len(target))
    target, subpath = (target, "") if cut < 0 else (target[:cut], target[cut + 1 :])
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


_ESCAPE_OR_ENTITY = re.compile(
    r"\\([!-/:-@\[-`{-~])|&(?:#[0-9]{1,7}|#[xX][0-9a-fA-F]{1,6}|[A-Za-z][A-Za-z0-9]{1,31});"
)


def _unescape(m: re.Match[str]) -> str:
    """A backslash-escaped punctuation character, or an entity reference (with its `;`, as CommonMark
    requires; an unknown name stays as typed)."""
    if m.group(1) is not None:
        return m.group(1)
    text = html.unescape(m.group())
    return m.group() if text == m.group() else text


def _mdlink(m: re.Match[str]) -> Link | None:
    dest = m.group("dest")
    if dest.startswith("<"):
        dest = dest[1:-1]
    if not dest or re.match(r"[A-Za-z][A-Za-z0-9+.-]{1,31}:", dest):
        return None  # external URL (http:, mailto:, obsidian:) — not a vault link
    if "\\" in dest or "&" in dest:  # as CommonMark reads a destination: `Note%20\\(1\\).md`, `R&amp;D.md`
        dest = _ESCAPE_OR_ENTITY.sub(_unescape, dest)
    # split, then decode: only a literal `#` starts the fragment, `%23` is a `#` of the path (`C%23.md`)
    path, _, subpath = dest.partition("#")
    path, subpath = unquote(path), unquote(subpath)
    if not path and not subpath:
        return None
    return Link("markdown", path, subpath, m.group("mtext"), m.group(0).startswith("!"), m.start(), m.end())
