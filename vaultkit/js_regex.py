"""A JavaScript regular expression, as Obsidian reads one, in the syntax of Python's `re`.

Obsidian compiles each `/…/` entry of `userIgnoreFilters` with `new RegExp(source, "i")`: no `u` flag, so
the syntax is ECMAScript's with the leniencies of its Annex B. Where the two languages read the same text
differently, the JavaScript meaning is written out for Python: `\\d`, `\\w` and `\\b` are ASCII-only, `\\s` is
JavaScript's set of spaces, `.` stops at any line terminator, `$` is the end of the text only (not before a
last newline), `[^]` is any character and `[]` none, `(?<name>…)` and `\\k<name>` name a group, `\\/` and
an unknown letter escape (`\\e`) are the character itself, and a `{` that starts no quantifier is literal.
In a class, `\\c` before a digit or `_` is a control character too (`[\\c1]` is U+0011). Syntax JavaScript
refuses and Python takes (`(?P<n>…)`, `(?i)`, `a*+`, a repeated assertion: `\\b+`, `^*`, `(?<=a)+`) is
refused, as Obsidian refuses it, and so is what both refuse (`a)`, `(a`), so that it hides nothing.
With `unicode=True` the source is read as `new RegExp(source, "u")` reads it, as JSON Schema reads the
`pattern` keywords (2020-12, section 6.4: ECMA-262 "built with the u flag"; ajv does the same): `\\p{…}`
and `\\P{…}` name a General_Category (built from `unicodedata`, whose Unicode version is Python's),
`\\u{…}` and a surrogate pair are one code point, and the leniencies of Annex B are syntax errors: an
escape of a character that is not syntax (`\\-` outside a class, `\\_`, `\\e`), a lone `{`, `}` or `]`,
a repeated lookahead, `\\c` before no letter, a class escape in a range (`[\\w-a]`).
Left as they are: case folding (JavaScript's `i` without `u` compares upper cases, never a non-ASCII
letter with an ASCII one; Python's also matches `k` with the Kelvin sign, `s` with `ſ`, `i` with `İ`).
"""

from __future__ import annotations

import functools
import re

# JavaScript's white space and line terminators (`\s`, and what `trim()` removes), each written out: the
# same text serves a character class and `str.strip`
JS_SPACE = (
    "\t\n\v\f\r \u00a0\u1680"
    + "".join(map(chr, range(0x2000, 0x200B)))
    + "\u2028\u2029\u202f\u205f\u3000\ufeff"
)
_WORD = "A-Za-z0-9_"
_ANY = "(?s:.)"
_BOUNDARY = f"(?:(?<=[{_WORD}])(?![{_WORD}])|(?<![{_WORD}])(?=[{_WORD}]))"
_NOT_BOUNDARY = f"(?:(?<=[{_WORD}])(?=[{_WORD}])|(?<![{_WORD}])(?![{_WORD}]))"
# the escapes that mean a set, outside a class and inside one (None: not written out inside a class)
_SETS: dict[str, tuple[str, str | None]] = {
    "d": ("[0-9]", "0-9"),
    "D": ("[^0-9]", None),
    "w": (f"[{_WORD}]", _WORD),
    "W": (f"[^{_WORD}]", None),
    "s": (f"[{JS_SPACE}]", JS_SPACE),
    "S": (f"[^{JS_SPACE}]", None),
}
_QUANTIFIER = re.compile(r"\{[0-9]+(?:,[0-9]*)?\}")
_GROUP_OPENERS = ("(?:", "(?=", "(?!", "(?<=", "(?<!")
_GROUP_NAME = re.compile(r"\(\?<([^>=!]*)>")
_HEX2 = re.compile(r"[0-9A-Fa-f]{2}")
_HEX4 = re.compile(r"[0-9A-Fa-f]{4}")


class NotTranslated(ValueError):
    """The source is not a JavaScript regular expression: Obsidian's `new RegExp` throws, and the filter
    hides nothing there."""


class NotWrittenOut(ValueError):
    """JavaScript that Obsidian compiles and applies, but that is not written out for Python (`[\\W]`,
    `[\\1]`, `\\01`): what it hides is unknown to vaultkit."""


def translate(source: str, *, unicode: bool = False) -> str:
    """The Python pattern that matches what `new RegExp(source)` matches (with `unicode`, `new RegExp(source,
    "u")`); NotTranslated if JavaScript refuses the source, NotWrittenOut if it takes it but vaultkit cannot
    say it for Python."""
    out: list[str] = []
    groups: list[str] = []  # the openers of the groups open here
    # quantified: the last piece is a repeat; fixed: it is an assertion JavaScript repeats not (`^`, `$`,
    # `\b`, `\B`, a lookbehind: `\b+` and `(?<=a)*` are syntax errors there, not repeats)
    i, quantified, fixed = 0, False, False
    while i < len(source):
        c = source[i]
        if c in "*+?" or (c == "{" and _QUANTIFIER.match(source, i)):
            end = _QUANTIFIER.match(source, i).end() if c == "{" else i + 1  # type: ignore[union-attr]
            if quantified or fixed:
                raise NotTranslated(f"nothing to repeat at '{source[i:end]}'")
            if end < len(source) and source[end] == "?":
                end += 1  # lazy
            out.append(source[i:end])
            i, quantified, fixed = end, True, False
            continue
        if unicode and (c in "}]" or c == "{"):
            raise NotTranslated(f"a lone '{c}' (write '\\{c}')")
        piece, i, fixed = _atom(source, i, groups, unicode)
        out.append(piece)
        quantified = False
    if groups:
        raise NotTranslated("a '(' is never closed")
    return "".join(out)


def _atom(source: str, i: int, groups: list[str], u: bool) -> tuple[str, int, bool]:
    """The piece that starts at `i` (no quantifier), where the next starts, and whether it is an assertion
    JavaScript refuses to repeat."""
    c = source[i]
    if c == "[":
        return (*_class(source, i, u), False)
    if c == "\\":
        piece, end = _escape(source, i + 1, in_class=False, u=u)
        return piece, end, end == i + 2 and source[i + 1] in "bB"
    if c in "()":
        return _paren(source, i, groups, u)
    if c in _PLAIN:
        piece, fixed = _PLAIN[c]
        return piece, i + 1, fixed
    return c, i + 1, False


# The one-character pieces Python reads otherwise: what each is in Python, and whether it is an assertion
_PLAIN = {
    "^": ("^", True),
    "$": (r"\Z", True),
    "{": ("\\{", False),  # Annex B: a brace that starts no quantifier is itself (`{,3}` too)
    ".": ("[^\n\r\u2028\u2029]", False),
}


def _paren(source: str, i: int, groups: list[str], u: bool) -> tuple[str, int, bool]:
    """A group's opener, kept in `groups`, or its `)`: a lookbehind's is an assertion JavaScript does not
    repeat, and with the u flag a lookahead's too."""
    if source[i] == "(":
        piece, end = _group(source, i)
        groups.append(piece)
        return piece, end, False
    if not groups:
        raise NotTranslated("a ')' closes no group")
    return ")", i + 1, groups.pop() in (("(?<=", "(?<!", "(?=", "(?!") if u else ("(?<=", "(?<!"))


def _group(source: str, i: int) -> tuple[str, int]:
    if not source.startswith("(?", i):
        return "(", i + 1
    opener = next((o for o in _GROUP_OPENERS if source.startswith(o, i)), None)
    if opener:
        return opener, i + len(opener)
    named = _GROUP_NAME.match(source, i)
    if named:
        return f"(?P<{named.group(1)}>", named.end()
    raise NotTranslated(f"'{source[i : i + 3]}' is not JavaScript syntax")


def _class(source: str, i: int, u: bool) -> tuple[str, int]:
    """A character class from its `[` to its `]`."""
    if source.startswith("[^]", i):
        return _ANY, i + 3
    if source.startswith("[]", i):
        return "(?!)", i + 2
    out = ["["]
    i += 1
    if source.startswith("^", i):
        out.append("^")
        i += 1
    after_set = False  # the last piece was a set (`\w`): a `-` next to one is no range (Annex B)
    while i < len(source):
        c = source[i]
        if c == "]":
            return "".join(out) + "]", i + 1
        was_set, after_set = after_set, False
        if c == "\\":
            after_set = _is_set(source, i, u)
            piece, i = _escape(source, i + 1, in_class=True, u=u)
        elif c in "[&~|" or (c == "-" and source.startswith("-", i + 1)):
            piece, i = "\\" + c, i + 1  # literal in JavaScript; Python may read them as set operations
        elif c == "-" and (was_set or _is_set(source, i + 1, u)):
            if u and _range_of_a_set(out, was_set, source, i):
                raise NotTranslated("a class escape such as '\\d' in a range (write '\\-' for a '-')")
            piece, i = "\\-", i + 1  # `[\w-a]`, `[!-\d]`: a `-` and the set, never a range
        else:
            piece, i = c, i + 1
        out.append(piece)
    raise NotTranslated("a '[' is never closed")


def _range_of_a_set(out: list[str], was_set: bool, source: str, i: int) -> bool:
    """Is the `-` at `i`, next to a class escape, a range (a syntax error with the u flag)? Not when it
    comes first (`[-\\d]`), last (`[\\d-]`) or just after a range (`[a-z-\\d]`)."""
    if was_set:
        return not source.startswith("]", i + 1)
    first = out[-1] == "[" or (out == ["[", "^"])
    return not first and not (len(out) >= 3 and out[-2] == "-")


def _is_set(source: str, i: int, u: bool) -> bool:
    """Does a class escape (`\\d`, and with the u flag `\\p{…}`) start at `i`?"""
    return source.startswith("\\", i) and source[i + 1 : i + 2] in (("p", "P", *_SETS) if u else _SETS)


def _escape(source: str, i: int, in_class: bool, u: bool = False) -> tuple[str, int]:
    """The escape whose letter is at `i` (after the backslash)."""
    if i >= len(source):
        raise NotTranslated("it ends with a backslash")
    c = source[i]
    simple = _simple(c, in_class)
    if simple is not None:
        return simple, i + 1
    if c == "0" and not source[i + 1 : i + 2].isdigit():
        return "\\x00", i + 1
    if c.isdigit():
        if in_class or c == "0":
            if u:  # with the u flag an octal escape is a syntax error
                raise NotTranslated(f"the octal escape '\\{c}' (refused with the u flag)")
            raise NotWrittenOut(f"the octal escape '\\{c}'")
        digits = re.match(r"[0-9]+", source[i:]).group()  # type: ignore[union-attr]
        return "\\" + digits, i + len(digits)  # a back-reference
    if u:
        return _coded_unicode(source, i, in_class)
    return _coded(source, i, in_class)


def _simple(c: str, in_class: bool) -> str | None:
    """A one-letter escape that means a set, a boundary or a control character; None for any other."""
    if c in _SETS:
        outside, inside = _SETS[c]
        if in_class and inside is None:
            raise NotWrittenOut(f"'\\{c}' inside a class")
        return inside if in_class else outside
    if c == "b":
        return "\\x08" if in_class else _BOUNDARY
    if c == "B" and not in_class:
        return _NOT_BOUNDARY
    if c in "fnrtv":
        return "\\" + c
    return None


def _coded(source: str, i: int, in_class: bool) -> tuple[str, int]:
    """`\\xHH`, `\\uHHHH`, `\\cX`, `\\k<name>`, or an identity escape (the character itself)."""
    c, after = source[i], source[i + 1 : i + 2]
    if c == "x" and _HEX2.match(source, i + 1):
        return "\\x" + source[i + 1 : i + 3], i + 3
    if c == "u" and _HEX4.match(source, i + 1):
        return "\\u" + source[i + 1 : i + 5], i + 5
    # Annex B: a control character before a letter, and in a class before a digit or `_` too (`[\\c1]` is
    # U+0011); elsewhere a backslash and a `c`
    if c == "c":
        control = after.isascii() and (after.isalpha() or (in_class and (after.isdigit() or after == "_")))
        return (f"\\x{ord(after) % 32:02x}", i + 2) if control else ("\\\\c", i + 1)
    name = re.match(r"<([^>]*)>", source[i + 1 :]) if c == "k" and not in_class else None
    if name and _GROUP_NAME.search(source):  # Annex B: without named groups, `\k` is a `k`
        return f"(?P={name.group(1)})", i + 1 + name.end()
    return re.escape(c), i + 1  # an identity escape: `\/`, `\.`, and (Annex B) `\e` is `e`


# With the u flag an identity escape is only of a syntax character, `/`, and in a class `-`
_SYNTAX = frozenset("^$\\.*+?()[]{}|/")
_CODE_POINT = re.compile(r"u\{([0-9A-Fa-f]+)\}")
_PROPERTY = re.compile(r"[pP]\{([A-Za-z_]+)(?:=([A-Za-z_]+))?\}")


def _coded_unicode(source: str, i: int, in_class: bool) -> tuple[str, int]:
    """An escape the u flag reads (`\\u{…}`, a surrogate pair, `\\p{…}`) or refuses (Annex B's)."""
    c, after = source[i], source[i + 1 : i + 2]
    point = _CODE_POINT.match(source, i)
    if point and int(point.group(1), 16) <= 0x10FFFF:
        return f"\\U{int(point.group(1), 16):08x}", point.end()
    if (
        c == "u"
        and _HEX4.match(source, i + 1)
        and source.startswith("\\u", i + 5)
        and _HEX4.match(source, i + 7)
    ):
        high, low = int(source[i + 1 : i + 5], 16), int(source[i + 7 : i + 11], 16)
        if 0xD800 <= high < 0xDC00 <= low < 0xE000:
            return f"\\U{0x10000 + (high - 0xD800) * 0x400 + low - 0xDC00:08x}", i + 11
    prop = _PROPERTY.match(source, i)
    if prop:
        ranges = _property(prop.group(1), prop.group(2))
        if c == "P":
            ranges = _complement(ranges)
        text = "".join(f"\\U{a:08x}-\\U{b:08x}" if a < b else f"\\U{a:08x}" for a, b in ranges)
        return (text if in_class else f"[{text}]" if text else "(?!)"), prop.end()
    if (
        (c == "x" and not _HEX2.match(source, i + 1))
        or (c == "u" and not _HEX4.match(source, i + 1))
        or c in "pP"
    ):
        raise NotTranslated(f"'\\{c}' is an incomplete escape")
    if c == "c" and not (after.isascii() and after.isalpha()):
        raise NotTranslated("'\\c' before no letter")
    if c == "k":
        name = re.match(r"<([^>]*)>", source[i + 1 :])
        if in_class or not name or not _GROUP_NAME.search(source):
            raise NotTranslated("'\\k' names no group")
    if c in "xucpPk" or c in _SYNTAX or (in_class and c == "-"):
        return _coded(source, i, in_class)
    raise NotTranslated(f"'\\{c}' is no escape with the u flag (write the character itself)")


# General_Category values, short name: long name (ECMA-262 takes either, alone or after `General_Category=`
# or `gc=`); a one-letter category is the union of those that start with its letter (LC: Lu, Ll, Lt)
_CATEGORIES = {
    "L": "Letter", "LC": "Cased_Letter", "Lu": "Uppercase_Letter", "Ll": "Lowercase_Letter",
    "Lt": "Titlecase_Letter", "Lm": "Modifier_Letter", "Lo": "Other_Letter", "M": "Mark",
    "Mn": "Nonspacing_Mark", "Mc": "Spacing_Mark", "Me": "Enclosing_Mark", "N": "Number",
    "Nd": "Decimal_Number", "Nl": "Letter_Number", "No": "Other_Number", "P": "Punctuation",
    "Pc": "Connector_Punctuation", "Pd": "Dash_Punctuation", "Ps": "Open_Punctuation",
    "Pe": "Close_Punctuation", "Pi": "Initial_Punctuation", "Pf": "Final_Punctuation",
    "Po": "Other_Punctuation", "S": "Symbol", "Sm": "Math_Symbol", "Sc": "Currency_Symbol",
    "Sk": "Modifier_Symbol", "So": "Other_Symbol", "Z": "Separator", "Zs": "Space_Separator",
    "Zl": "Line_Separator", "Zp": "Paragraph_Separator", "C": "Other", "Cc": "Control", "Cf": "Format",
    "Cs": "Surrogate", "Co": "Private_Use", "Cn": "Unassigned",
}  # fmt: skip
_ALIASES = {"Combining_Mark": "M", "digit": "Nd", "punct": "P", "cntrl": "Cc"}
_SHORT = {**{long: short for short, long in _CATEGORIES.items()}, **_ALIASES, **{s: s for s in _CATEGORIES}}


def _property(name: str, value: str | None) -> list[tuple[int, int]]:
    """The code point ranges of `\\p{name}` or `\\p{name=value}`."""
    if value is None and name in ("Any", "ASCII", "Assigned"):
        return {"Any": [(0, 0x10FFFF)], "ASCII": [(0, 0x7F)], "Assigned": _complement(_ranges("Cn"))}[name]
    short = _SHORT.get(value if value is not None and name in ("General_Category", "gc") else name)
    if short is None or (value is not None and name not in ("General_Category", "gc")):
        raise NotTranslated(
            f"'\\p{{{name}{'=' + value if value else ''}}}' is no property vaultkit can read: only a "
            "General_Category (\\p{L}, \\p{Letter}, \\p{gc=Lu}), Any, ASCII and Assigned; "
            "Python's unicodedata knows no Script (\\p{Script=Han}) and no other binary property"
        )
    return _ranges(short)


def _ranges(short: str) -> list[tuple[int, int]]:
    members = [c for c in _CATEGORIES if len(c) == 2 and c != "LC" and c.startswith(short)]
    if short == "LC":
        members = ["Lu", "Ll", "Lt"]
    merged: list[tuple[int, int]] = []
    for a, b in sorted(r for c in members for r in _category_table().get(c, [])):
        if merged and merged[-1][1] + 1 == a:
            merged[-1] = (merged[-1][0], b)
        else:
            merged.append((a, b))
    return merged


def _complement(ranges: list[tuple[int, int]]) -> list[tuple[int, int]]:
    out, start = [], 0
    for a, b in ranges:
        if a > start:
            out.append((start, a - 1))
        start = b + 1
    return out + ([(start, 0x10FFFF)] if start <= 0x10FFFF else [])


@functools.cache
def _category_table() -> dict[str, list[tuple[int, int]]]:
    """Each two-letter General_Category's code point ranges: one pass over Unicode, once a process."""
    import unicodedata

    table: dict[str, list[tuple[int, int]]] = {}
    start, current = 0, unicodedata.category("\0")
    for point in range(1, 0x110001):
        category = unicodedata.category(chr(point)) if point <= 0x10FFFF else ""
        if category != current:
            table.setdefault(current, []).append((start, point - 1))
            start, current = point, category
    return table


@functools.lru_cache(maxsize=1024)  # bounded: notes' values of format "regex" come here too
def schema_regex(source: str) -> re.Pattern[str]:
    """A JSON Schema `pattern` (or a key of `patternProperties`, or a "regex" value) compiled as ECMA-262
    reads it with the u flag: once a process. NotTranslated, with the reason, if it is no such regex or
    Python's `re` cannot run it (a lookbehind of varying width)."""
    try:
        translated = translate(source, unicode=True)
    except NotWrittenOut as e:  # valid ECMA-262, but not said for Python: refused, not guessed
        raise NotTranslated(f"vaultkit cannot write it out for Python's re: {e}") from e
    try:
        return re.compile(translated)
    except re.error as e:
        raise NotTranslated(f"Python's re cannot run it: {e}") from e
