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
Left as they are: case folding (JavaScript's `i` without `u` compares upper cases, never a non-ASCII
letter with an ASCII one; Python's also matches `k` with the Kelvin sign, `s` with `ſ`, `i` with `İ`).
"""

from __future__ import annotations

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


def translate(source: str) -> str:
    """The Python pattern that matches what `new RegExp(source)` matches; NotTranslated if JavaScript
    refuses the source, NotWrittenOut if it takes it but vaultkit cannot say it for Python."""
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
        piece, i, fixed = _atom(source, i, groups)
        out.append(piece)
        quantified = False
    if groups:
        raise NotTranslated("a '(' is never closed")
    return "".join(out)


def _atom(source: str, i: int, groups: list[str]) -> tuple[str, int, bool]:
    """The piece that starts at `i` (no quantifier), where the next starts, and whether it is an assertion
    JavaScript refuses to repeat."""
    c = source[i]
    if c == "[":
        return (*_class(source, i), False)
    if c == "\\":
        piece, end = _escape(source, i + 1, in_class=False)
        return piece, end, end == i + 2 and source[i + 1] in "bB"
    if c in "()":
        return _paren(source, i, groups)
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


def _paren(source: str, i: int, groups: list[str]) -> tuple[str, int, bool]:
    """A group's opener, kept in `groups`, or its `)`: a lookbehind's is an assertion JavaScript does not
    repeat."""
    if source[i] == "(":
        piece, end = _group(source, i)
        groups.append(piece)
        return piece, end, False
    if not groups:
        raise NotTranslated("a ')' closes no group")
    return ")", i + 1, groups.pop() in ("(?<=", "(?<!")


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


def _class(source: str, i: int) -> tuple[str, int]:
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
            after_set = source[i + 1 : i + 2] in _SETS
            piece, i = _escape(source, i + 1, in_class=True)
        elif c in "[&~|" or (c == "-" and source.startswith("-", i + 1)):
            piece, i = "\\" + c, i + 1  # literal in JavaScript; Python may read them as set operations
        elif c == "-" and (was_set or (source[i + 1 : i + 2] == "\\" and source[i + 2 : i + 3] in _SETS)):
            piece, i = "\\-", i + 1  # `[\w-a]`, `[!-\d]`: a `-` and the set, never a range
        else:
            piece, i = c, i + 1
        out.append(piece)
    raise NotTranslated("a '[' is never closed")


def _escape(source: str, i: int, in_class: bool) -> tuple[str, int]:
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
            raise NotWrittenOut(f"the octal escape '\\{c}'")
        digits = re.match(r"[0-9]+", source[i:]).group()  # type: ignore[union-attr]
        return "\\" + digits, i + len(digits)  # a back-reference
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
