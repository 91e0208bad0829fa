"""Proposes link edits; never writes.

Mention keys are every note's name and its `aliases`. One Aho-Corasick automaton scans each note's prose
(the body with every protected region masked), so the cost is linear in the text, not notes × titles.
Matching follows Obsidian users' expectations: case-insensitive except all-capital acronyms, Unicode word
boundaries (Han and Kana characters count as boundaries), leftmost-longest without overlaps, a minimum key
length, no self-links, the first mention only, dates and numbers never, ambiguous keys never.
"""

from __future__ import annotations

import bisect
import functools
import hashlib
import itertools
import json
import re
import sys
import unicodedata
from collections import Counter, defaultdict
from collections.abc import Callable, Collection, Container, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, NamedTuple

from vaultkit.config import LinkConfig
from vaultkit.facts import NoteFacts, NoteLike, PropertyAnchor
from vaultkit.frontmatter import Frontmatter, Node
from vaultkit.markdown import MASK
from vaultkit.obsidian import ObsidianSettings
from vaultkit.paths import nfc
from vaultkit.vault import nameable, note_name

# A link cannot follow these: `[Meituan]` would become `[[[Meituan]]]`, which does not read as a link;
# `![[Meituan]]` is an embed; `\[[Meituan]]` an escaped bracket; `^[[Meituan]]` an inline footnote `^[...]`
# (the scanner reads it as one too). Nor precede `::`, a Dataview field's key.
_NOT_BEFORE = frozenset("[!\\^")
_BAD_KEY = re.compile(r"[#|^:\[\]/\\]|%%")
# A number or a date, also as Chinese, Japanese and Korean write one (`2024年1月5日`, `2024년 1월 5일`: the
# names of daily notes); the units alone (`月`, the moon) are words.
# A number written the Arabic way is a number too: U+066B and U+066C are the Arabic decimal and thousands
# separators (`٣٫١٤`, `١٬٠٠٠`), U+066A the Arabic percent sign (`۵۰٪`, like `50%`).
_NUMBERISH = re.compile(r"[\d\s.,:/+\-٫٬%٪]+\Z|(?=\D*\d)[\d\s.,:/+\-٫٬%٪年月日년월일]+\Z")
# A domain before a slash (`github.com/meituan`, `huggingface.co/meituan`): a path after it is no prose.
_DOMAIN = re.compile(
    r"[A-Za-z0-9-]\.(?:com|org|net|io|ai|dev|app|co|edu|gov|cn|uk|de|jp|fr|kr|in|ru|me|ly|gg|so|sh|xyz|info"
    r"|cc|tv|us|ca|au|ch|nl|eu|hk|tw|page|site|blog|tech)/",
    re.IGNORECASE,
)
_UP_TO_SPACE = re.compile(r"[\s\S]*\s")
_SPACE = re.compile(r"\s")
_NAME_REACH = 256
# The words a hyphen (or a dot inside a word) joins, from a hyphen on: `-Small-3.2` after `Mistral`. Read
# before a name too, on the reversed text (`_reversed_run`), where `ia-kees` is `-ai-keespeed` turned.
_HYPHEN_RUN = re.compile(r"(?:-[^\W_]+(?:\.[^\W_]+)*)+")
# An owner's or a repository's name, as a code host writes one: letters, digits, `-`, `.` and `_`
_REPO_NAME = re.compile(r"[\w.-]+")
_ASCII_DIGIT = re.compile(r"[0-9]")
_VERSION_REACH = 64  # characters of a hyphen-joined name read each way: `DeepSeek-R1-Distill-Qwen-32B` is 28
# Percent-encoded in a Markdown link's destination: what CommonMark does not allow there (white space,
# control characters, `<`, unbalanced parentheses), what would pair with a backtick of the link text into a
# code span (`[Foo`bar](Foo`bar.md)`), or a `$` of the link text into math (`breaks_math`), and `%` itself.
# Other characters stay as Obsidian writes them (`é`).
_UNSAFE_DESTINATION = re.compile(r"[%$\s()<>`\\\x00-\x1f\x7f]")


class Mention(NamedTuple):
    """A key found in a note's prose. A NamedTuple: a 50,000-note vault has ~200,000 of them, built in
    the workers and sent to the parent (a frozen dataclass cost twice the memory and time)."""

    start: int  # offsets into the note text
    end: int
    text: str
    key: str  # folded key that matched
    line: int
    col: int

    def __reduce__(self) -> tuple[Any, tuple[Any, ...]]:
        """Sent by a worker: rebuilt with its text and key held once in the vault (`shared_mention`)."""
        return shared_mention, tuple(self)


def shared_mention(start: int, end: int, text: str, key: str, line: int, col: int) -> Mention:  # noqa: PLR0917
    """A mention unpickled or read from the cache, its text and key the strings the vault's other mentions
    of that name hold: each arrived with strings of its own (~25 MB on 50,000 notes, kept by link, watch)."""
    intern = sys.intern
    return _new_tuple(Mention, (start, end, intern(text), intern(key), line, col))


_new_tuple = tuple.__new__


@dataclass
class KeyTable:
    """Every mention key of the vault and the notes it names (sorted: a tuple of one name takes a quarter of
    the memory of a set of it, and nearly every key names one note)."""

    targets: dict[str, tuple[str, ...]] = field(default_factory=dict)
    acronyms: dict[str, str] = field(default_factory=dict)  # folded key -> exact spelling required
    # folded keys some spelling of which is all lower case (`deep learning`, `01.ai`): a mention of any other
    # written so is a package or repository id where it is glued to a word (`_identifier`)
    lowercase: frozenset[str] = frozenset()

    @classmethod
    def build(cls, facts: Mapping[str, NoteLike], config: LinkConfig) -> KeyTable:
        table = cls()
        targets: dict[str, set[str]] = defaultdict(set)
        never = {fold(nfc(k)) for k in config.never}
        relaxed: set[str] = set()
        lowercase: set[str] = set()
        for rel, f in facts.items():
            if not f.readable or not nameable(rel):
                continue
            for name in (note_name(rel), *f.aliases):
                key = nfc(name.strip())
                folded = fold(key)
                if folded in never or not usable_key(key, config.min_length):
                    continue
                targets[folded].add(rel)
                if key.islower():
                    lowercase.add(folded)
                if not _is_acronym(key):
                    relaxed.add(folded)  # "01.ai" and "01.AI": one spelling is no acronym, so match any case
                    table.acronyms.pop(folded, None)
                elif folded not in relaxed:
                    table.acronyms[folded] = key
        table.targets = {key: tuple(sorted(rels)) for key, rels in targets.items()}
        table.lowercase = frozenset(lowercase)
        return table

    def spelling(self, key: str) -> tuple[tuple[str, ...], str | None, bool]:
        """What a mention of `key` depends on beyond its text: the notes it names, and how it must be written
        to be one. A scan's mentions of a key stay right while this stays the same."""
        return self.targets.get(key, ()), self.acronyms.get(key), key in self.lowercase

    @functools.cached_property  # a table is never changed once built (watch builds a new one)
    def fingerprint(self) -> str:
        h = hashlib.sha256()
        for key in sorted(self.targets):
            h.update(f"{key}\0{self.spelling(key)}\n".encode())
        return h.hexdigest()

    def automaton(self) -> Any:
        return build_automaton(self.targets)

    def to_json(self) -> dict[str, Any]:
        targets = {key: sorted(rels) for key, rels in self.targets.items()}
        return {
            "targets": targets,
            "acronyms": self.acronyms,
            "lowercase": sorted(self.lowercase),
            "fingerprint": self.fingerprint,
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> KeyTable:
        targets = {str(key): tuple(sorted(map(str, rels))) for key, rels in data["targets"].items()}
        table = cls(targets, dict(data["acronyms"]), frozenset(map(str, data["lowercase"])))
        table.__dict__["fingerprint"] = str(data["fingerprint"])  # where functools.cached_property keeps it
        return table

    def payload(self) -> dict[str, Any]:
        return {"keys": sorted(self.targets), "acronyms": self.acronyms, "lowercase": sorted(self.lowercase)}

    def respelled(self, old: Mapping[str, Any]) -> set[str]:
        """The keys whose spelling rules (`spelling`, but for the notes named) differ between a stored
        `payload` and this table: an acronym's spelling, or whether a spelling is all lower case. A scan's
        mentions of them may differ too."""
        was = old.get("acronyms", {})
        acronyms = {k for k in was.keys() | self.acronyms.keys() if was.get(k) != self.acronyms.get(k)}
        return acronyms | (set(old.get("lowercase", ())) ^ self.lowercase)


class KeyFacts(NamedTuple):
    """What the automaton holds for a key: facts of the key found once, when it is built, not at each of
    the key's occurrences."""

    last: int  # its length - 1: pyahocorasick reports where an occurrence ends
    key: str
    plain: bool  # `_plain_key`
    prefixes: tuple[str, ...]  # the other keys it starts with, longest first: those that start where it does


# pyahocorasick looks a character up among a trie node's children one by one, in the order they were added.
# At the root, a character that starts no key (a space, masked text, in most vaults many letters) was
# compared with the first character of every key, at each of its places in the prose: a third of the scan.
# The characters prose holds most go first, as entries that never match (a folded text holds no capital):
# the separators, then the letters the vault's names are written with, most frequent first (`_root_order`).
_SEPARATORS = " " + MASK + "\n"
_ROOT_LETTERS = 36  # letters put first: about an alphabet
_ROOT_SAMPLE = 1000  # keys whose letters are counted


def _root_order(keys: Sequence[str]) -> str:
    """The characters the automaton over these (sorted) keys lists first: the separators, the letters most
    frequent in a sample of the keys, then `.` and `,`. A fixed list of English letters served English
    vaults, but made a Russian one's scan compare each Cyrillic letter with all of them first (a third
    slower); the keys are written in the vault's languages, and their letters are the prose's."""
    sample = "".join(keys[:: max(1, len(keys) // _ROOT_SAMPLE)])
    frequent = (ch for ch, _count in Counter(sample).most_common() if ch not in _SEPARATORS)
    letters = "".join(itertools.islice(frequent, _ROOT_LETTERS))
    return _SEPARATORS + letters + "".join(ch for ch in ".," if ch not in letters)


def build_automaton(keys: Iterable[str]) -> Any:
    """An Aho-Corasick automaton over `keys`, to search folded text (`fold`); each key's value is its
    KeyFacts. (Entries of `_root_order` followed by `A` never match such a text.)"""
    import ahocorasick

    automaton = ahocorasick.Automaton()
    ordered = sorted(set(keys))
    for ch in _root_order(ordered) if ordered else ():
        automaton.add_word(ch + "A", None)
    within: list[str] = []  # the keys the current one starts with, shortest first (sorted, they come before)
    for key in ordered:
        while within and not key.startswith(within[-1]):
            within.pop()
        automaton.add_word(key, KeyFacts(len(key) - 1, key, _plain_key(key), tuple(reversed(within))))
        within.append(key)
    if len(automaton):
        automaton.make_automaton()
    return automaton


def leftmost_longest(lowered: str, automaton: Any) -> list[tuple[int, int, str]]:
    """(start, end, key) of the leftmost-longest, non-overlapping key occurrences in `lowered`.

    A function of where the keys occur in the text, and of nothing else: keys absent from the text change
    nothing, so a run on a few notes may scan them with an automaton of only the keys they contain
    (`KeyFilter`). pyahocorasick's `iter_long` is not such a function: it walks the trie greedily and
    misses a match whenever a longer key's prefix leads it astray (in about 1 note in 250 of a generated
    vault), so what it found depended on every other key of the vault.
    """
    longest = _longest(occurrences(lowered, automaton))
    out: list[tuple[int, int, str]] = []
    free = 0
    for start in sorted(longest):
        if start >= free:
            free, facts = longest[start]
            out.append((start, free, facts.key))
    return out


Occurrence = tuple[int, KeyFacts]  # as pyahocorasick yields it: (last index, the key's value)


def occurrences(lowered: str, automaton: Any) -> list[Occurrence]:
    """Every occurrence of a key in `lowered`, ordered by where it ends."""
    return list(automaton.iter(lowered)) if len(automaton) else []  # no key: pyahocorasick refuses


def _longest(found: list[Occurrence]) -> dict[int, tuple[int, KeyFacts]]:
    """start -> (end, facts) of the longest key starting there (for one start, a later one is longer)."""
    return {last - facts.last: (last + 1, facts) for last, facts in found}


class KeyFilter:
    """Which of many keys a text contains, without an automaton over all of them: a run on one note in a
    vault of 13,000 names and aliases spent more building that automaton (~80 ms) than on the rest of its
    mention scan. Keys are indexed by their first `HEAD` characters; a text's substrings of up to `HEAD`
    characters pick the candidates, and each candidate is confirmed with a substring test. A text longer than
    `LONG` characters a key is searched with the automaton over every key instead: the substrings of a 4 MB
    note took 8 s and 180 MB to gather, in a vault of three notes."""

    HEAD = 4
    LONG = 4  # characters a key: the text's substrings cost about what an automaton over every key does

    def __init__(self, keys: Iterable[str]) -> None:
        self.keys = list(keys)
        self.heads: dict[str, list[str]] = defaultdict(list)
        for key in self.keys:
            self.heads[key[: self.HEAD]].append(key)
        self._every: Any = None  # the automaton over every key, built for the first long text

    def present(self, lowered: str) -> list[str]:
        n = len(lowered)
        if n > self.LONG * len(self.keys):
            if self._every is None:
                self._every = build_automaton(self.keys)
            found = self._every.iter(lowered) if len(self._every) else ()
            return list({facts.key: None for _last, facts in found})
        grams = {lowered[i : i + size] for size in range(1, self.HEAD + 1) for i in range(n - size + 1)}
        heads = self.heads
        return [key for head in grams & heads.keys() for key in heads[head] if key in lowered]


def usable_key(key: str, min_length: int) -> bool:
    if not key or _BAD_KEY.search(key) or _NUMBERISH.match(key):
        return False
    if key.isascii():  # the common case, without a call per character
        return len(key) >= min_length
    return _length(key) >= min_length


def _length(key: str) -> int:
    """A key's length towards `min_length`, an emoji counted as one character whatever code points make
    it: `👩‍💻` (joined by a zero-width joiner), `❤️` and `1️⃣` (a variation selector, a keycap), `👍🏽` (a
    skin tone) and the flag `🇺🇦` (two regional indicators) are as short as `🍕`. Han, Kana and Hangul
    count twice. A joiner after anything but an emoji counts, as it did (a Malayalam chillu, `ന്‍`)."""
    length = 0
    previous = ""
    joined = False  # after a joiner that follows an emoji: the pictograph next is part of that emoji
    for c in key:
        o = ord(c)
        if o == 0x200D:
            joined = _emoji(previous)
            length += 0 if joined else 1
        elif _emoji_modifier(o) or (joined and unicodedata.category(c) == "So"):
            joined = False
        elif 0x1F1E6 <= o <= 0x1F1FF and 0x1F1E6 <= ord(previous or " ") <= 0x1F1FF:
            previous = ""  # the second regional indicator of a flag; a third starts the next flag
            continue
        else:
            length += 2 if _wide(c) else 1
            joined = False
        previous = c
    return length


def _emoji(ch: str) -> bool:
    """A pictograph, or what joins one (a variation selector, a keycap, a skin tone, a tag character)."""
    return bool(ch) and (unicodedata.category(ch) == "So" or _emoji_modifier(ord(ch)))


def _emoji_modifier(o: int) -> bool:
    """A variation selector, an enclosing keycap, a skin tone or a tag character."""
    return 0xFE00 <= o <= 0xFE0F or o == 0x20E3 or 0x1F3FB <= o <= 0x1F3FF or 0xE0020 <= o <= 0xE007F


def _is_acronym(key: str) -> bool:
    if not key.isupper():  # at C speed: most keys have a lower-case letter
        return False
    return sum(1 for c in key if c.isalpha()) >= 2


def is_cjk(ch: str) -> bool:
    """Han and Kana: written without spaces, so each character is a word boundary."""
    o = ord(ch)
    return (
        0x4E00 <= o <= 0x9FFF
        or 0x3400 <= o <= 0x4DBF
        or 0x3040 <= o <= 0x30FF
        or 0xF900 <= o <= 0xFAFF
        or 0x20000 <= o <= 0x2FA1F
    )


def _wide(ch: str) -> bool:
    """Counts twice towards `min_length`: Han, Kana and Hangul syllables (a two-syllable Korean name is
    as long as a two-character Chinese one). Hangul is written with spaces, so it is no boundary."""
    return is_cjk(ch) or _hangul(ch)


def _attaches(ch: str) -> bool:
    """Belongs to the character before it: a combining mark (an accent, a Devanagari or Arabic vowel sign),
    a variation selector, a zero-width joiner, an emoji skin tone or tag. A mention never ends before one:
    `[[भारत]]ीय` and `[[Cafe]]\u0301` would split a letter from its mark."""
    if ch < "\u0300":
        return False
    o = ord(ch)
    return (
        unicodedata.category(ch) in ("Mn", "Mc", "Me")
        or ch == "\u200d"
        or 0xFE00 <= o <= 0xFE0F
        or 0x1F3FB <= o <= 0x1F3FF
        or 0xE0020 <= o <= 0xE007F
    )


def _apart(prose: str, at: int) -> bool:
    """Is there a word boundary between prose[at - 1] and prose[at]? Not inside a word, and not inside one
    symbol: a mark, joiner or selector belongs to the character before it, and a letter's marks are part of
    the letter (`वि|राम`: the vowel sign ends the letter व, and the word goes on; Thai, Arabic and Hebrew
    split alike); a zero-width joiner glues an emoji sequence; two regional indicators make one flag;
    katakana next to katakana is one word (`スター|バックス`, Starbucks: loanwords are written without
    spaces); a soft hyphen, zero-width non-joiner or word joiner between two letters is inside a word
    (`Bundes­|regierung`, Persian `می‌|خواهم`), and so is an apostrophe between two Cyrillic letters
    (`Київ|'янин`). Han and hiragana stay boundaries: a particle follows a name directly (`さくらを`)."""
    if at <= 0 or at >= len(prose):
        return True
    before, after = prose[at - 1], prose[at]
    if before in _IN_WORD or after in _IN_WORD:  # between two letters: `Bundes­|regierung`, `می‌|خواهم`
        left, right = (at - 2, at) if before in _IN_WORD else (at - 1, at + 1)
        while left > 0 and unicodedata.category(prose[left]) in ("Mn", "Mc"):
            left -= 1
        return not (left >= 0 and right < len(prose) and _word(prose[left]) and _word(prose[right]))
    if before < "\u0300" and after < "\u0300":  # Latin-1: the common case, without a table lookup
        return not (_word(before) and _word(after))
    if _attaches(after) or before == "\u200d" or _in_word_apostrophe(prose, at, before, after):
        return False
    if (_regional(before) and _regional(after)) or (_katakana(before) and _katakana(after)):
        return False
    k = at - 1
    while k > 0 and unicodedata.category(prose[k]) in ("Mn", "Mc"):
        k -= 1
    return not (_word(prose[k]) and _word(after))


# Invisible, and inside a word when between two letters: a soft hyphen (text from web pages, German
# compounds), a zero-width non-joiner (Persian, Indic scripts), a word joiner.
_IN_WORD = frozenset("\u00ad\u200c\u2060")


# Ukrainian and Belarusian write an apostrophe inside a word (`п'ять`, `Київ'янин`, a person from Kyiv), as
# ' or ’ (ʼ, U+02BC, is a letter already). Between two Cyrillic letters it is no boundary; elsewhere it is
# (`l'Europe`, `Alice's`, quotes around a word).
_APOSTROPHES = frozenset("'\u2019")


def _in_word_apostrophe(prose: str, at: int, before: str, after: str) -> bool:
    return (before in _APOSTROPHES and _cyrillic_around(prose, at - 1)) or (
        after in _APOSTROPHES and _cyrillic_around(prose, at)
    )


def _cyrillic_around(prose: str, at: int) -> bool:
    """Is the apostrophe at `at` between two Cyrillic letters (the one before maybe carrying marks)?"""
    left = at - 1
    while left > 0 and unicodedata.category(prose[left]) in ("Mn", "Mc"):
        left -= 1
    return left >= 0 and at + 1 < len(prose) and _cyrillic(prose[left]) and _cyrillic(prose[at + 1])


def _cyrillic(ch: str) -> bool:
    return "\u0400" <= ch <= "\u052f" and ch.isalpha()


def _regional(ch: str) -> bool:
    return 0x1F1E6 <= ord(ch) <= 0x1F1FF


def _katakana(ch: str) -> bool:
    """A katakana letter or the long-vowel mark; not the middle dot `・`, between the words of a name."""
    o = ord(ch)
    return (0x30A1 <= o <= 0x30FF and o != 0x30FB) or 0x31F0 <= o <= 0x31FF or 0xFF66 <= o <= 0xFF9F


def _word(ch: str) -> bool:
    """A letter, digit or `_` of a word written with spaces: not Han or kana, of either width (half-width
    `ﾁｰﾑ` is kana as `チーム` is: `Qwenﾁｰﾑ` mentions Qwen)."""
    if ch < "\x80":
        return ch.isalnum() or ch == "_"
    return (ch.isalnum() or ch == "_") and not is_cjk(ch) and not _katakana(ch)


def fold(text: str) -> str:
    """Lower case, one character for one (so offsets stay valid); keys and prose are folded alike. Every
    sigma folds to σ: whether Σ lowers to the final ς depends on the text after it, past an apostrophe
    (`ΣΊΣΥΦΟΣ's` gives σ, `ΣΊΣΥΦΟΣ'[[` gives ς), so a link written beside a name changed whether it
    matched."""
    folded = text.lower()
    if len(folded) != len(text):
        # U+0130 (İ) is the one character whose lower case is two: it stays as it is
        folded = "\u0130".join(part.lower() for part in text.split("\u0130"))
    return folded.replace("ς", "σ") if "ς" in folded else folded


def scan_mentions(
    prose: str,
    acronyms: dict[str, str],
    automaton_for: Callable[[str], Any],
    lowercase: Container[str] = frozenset(),
) -> list[tuple[int, int, str]]:
    """(start, end, key) of every key match in `prose` at word boundaries: leftmost-longest, no overlaps.
    `automaton_for(lowered)` gives an automaton over the vault's keys, or over those `lowered` contains;
    `acronyms` and `lowercase` are the KeyTable's.

    Keys are NFC (`paths.nfc`). Prose that is not (`Cafe` and a combining acute accent, Hangul written as
    jamo, as text pasted from a macOS file name or a PDF can be) is scanned in its NFC form, and each match
    is mapped back to the characters it covers in `prose`, which are what a link replaces."""
    if not prose:
        return []
    if prose.isascii() or unicodedata.is_normalized("NFC", prose):
        return _scan(prose, acronyms, automaton_for, lowercase)
    composed, origin = composed_with_origins(prose)
    found = []
    for start, end, key in _scan(composed, acronyms, automaton_for, lowercase):
        first, last = origin[start], origin[end]
        if first >= 0 and last >= 0:  # a match that starts or ends inside a composed character: missed
            found.append((first, last, key))
    return found


_TOKEN = re.compile(r"\s+|\S+")
_LONG_TOKEN = 64  # characters; a longer piece that NFC changes maps only its two ends


def composed_with_origins(text: str) -> tuple[str, list[int]]:
    """`text` in NFC, and for each offset into it (and its end) the offset into `text` where the same
    point falls, or -1 where no point of `text` corresponds (inside a character NFC composed). Tokens
    between white space are normalised one at a time: NFC never composes across white space."""
    pieces: list[str] = []
    origin: list[int] = []
    for m in _TOKEN.finditer(text):
        token, base = m.group(), m.start()
        composed = unicodedata.normalize("NFC", token)
        pieces.append(composed)
        if composed == token:
            origin.extend(range(base, base + len(token)))
        elif len(token) <= _LONG_TOKEN:
            origin.extend(_points(token, composed, base))
        else:
            origin.extend(_long_points(token, composed, base))
    origin.append(len(text))
    return "".join(pieces), origin


def _points(token: str, composed: str, base: int) -> list[int]:
    """The origins of `composed`, NFC of `token` (which starts at `base`), found by trying every cut: the
    cuts NFC keeps are those where the text before composes alone. Quadratic: for short tokens."""
    points = [-1] * len(composed)
    points[0] = base
    for cut in range(1, len(token)):
        head = unicodedata.normalize("NFC", token[:cut])
        if len(head) < len(composed) and head + unicodedata.normalize("NFC", token[cut:]) == composed:
            points[len(head)] = base + cut
    return points


def _long_points(token: str, composed: str, base: int) -> list[int]:
    """`_points` of a long token, piece by piece: cut before each character that starts a new one (no
    combining mark, no Hangul vowel or final jamo), where NFC almost always composes each side alone.
    Japanese and Chinese keep no spaces, so a paragraph of NFD kana (`か` and U+3099 for `が`, as text
    from a macOS file name or a PDF holds it) is one token: mapping only its two ends lost every mention
    inside it. Where the pieces do not compose to `composed` (a cut NFC does not keep), only the ends."""
    starts = [0] + [i for i in range(1, len(token)) if _starts_piece(token[i])]
    ends = [*starts[1:], len(token)]
    pieces = [token[a:b] for a, b in zip(starts, ends, strict=True)]
    done = [unicodedata.normalize("NFC", piece) for piece in pieces]
    if "".join(done) != composed:
        return [base] + [-1] * (len(composed) - 1)
    points: list[int] = []
    for a, piece, piece_done in zip(starts, pieces, done, strict=True):
        if piece_done == piece:
            points.extend(range(base + a, base + a + len(piece)))
        elif len(piece) <= _LONG_TOKEN:
            points.extend(_points(piece, piece_done, base + a))
        else:
            points.extend([base + a] + [-1] * (len(piece_done) - 1))
    return points


def _starts_piece(ch: str) -> bool:
    return not unicodedata.combining(ch) and not 0x1160 <= ord(ch) <= 0x11FF


def _scan(
    prose: str, acronyms: dict[str, str], automaton_for: Callable[[str], Any], lowercase: Container[str]
) -> list[tuple[int, int, str]]:
    lowered = fold(prose)
    automaton = automaton_for(lowered)
    chosen: list[tuple[int, int, str]] = []
    # Leftmost first; at one start, the longest key that is a mention there. A longer key that is not
    # (`Zephyr Alias` in "Zephyr aliases") neither hides a shorter one (`Zephyr`) nor the keys that start
    # inside it (`aliases`): the text reads as if that key did not exist.
    longest = _longest(occurrences(lowered, automaton))
    free = 0
    for start in sorted(longest):
        if start < free:
            continue
        end, facts = longest[start]
        key = facts.key
        edges = _quick_edges(prose, start, end) if facts.plain else None
        if edges is None:  # the general decision
            if not _starts_word(prose, start) or (start > 0 and prose[start - 1] in _NOT_BEFORE):
                continue
            mention = _is_mention(prose, start, end, acronyms.get(key), key not in lowercase)
        elif not edges[0]:
            continue
        else:
            acronym = acronyms.get(key)
            mention = edges[1] and (acronym is None or prose[start:end] == acronym)
        if not mention:  # the keys it starts with start here too (the text here is the key)
            end, key = next(
                (
                    (start + len(k), k)
                    for k in facts.prefixes
                    if _is_mention(prose, start, start + len(k), acronyms.get(k), k not in lowercase)
                ),
                (0, ""),
            )
            if not key:
                continue
        chosen.append((start, end, key))
        free = end
    return chosen


def _plain_key(key: str) -> bool:
    """Holds no character that makes a mention's own text matter beyond its first and last: no emphasis
    delimiter (an inner run may pair with one outside, `_breaks_emphasis`), no underscore (a word character
    `_quick_edges` leaves out), no `@` (a handle, `_in_a_name`)."""
    return _UNPLAIN.isdisjoint(key)


_UNPLAIN = frozenset("*_~=@")
_ASCII_WORD = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789")
# ASCII characters that, beside a mention, mean nothing but "no letter or digit" (or are one): not `_`, an
# emphasis delimiter, `[` or `]`, `!\^` before a link, `(` after one, `:` (a Dataview key), `-` (a
# reduplicated word), nor `.`, `@` and `/` (a name, `_in_a_name`). Each is needed: the property test of
# `_quick_edges` fails without any one of them.
_ASCII_PLAIN = frozenset(map(chr, range(128))) - frozenset("_*~=[](!\\^:-.@/")


def _quick_edges(prose: str, start: int, end: int) -> tuple[bool, bool] | None:
    """For a plain key (`_plain_key`) at prose[start:end]: does a word start there where a link may go, and
    does it end there with nothing around it that a link would change? The general decision
    (`_starts_word`, `_NOT_BEFORE`, `_is_mention` but its acronym test), made at once where the characters
    at each edge are letters or digits of a script written with spaces (`_letter`), characters beside which
    a word always starts and ends (`_alone`: Han, punctuation...), or ASCII that means nothing else here
    (`_ASCII_PLAIN`). Where no word starts, the end is not decided (False): the scan goes on to the next
    place. None: the general decision must be made.

    Prose in Cyrillic, Greek, Arabic or Chinese took the general decision at each place a key occurs (in
    words too, a short name inside longer ones): its mention scan cost up to twice an English vault's."""
    before = prose[start - 1] if start else " "
    after = prose[end] if end < len(prose) else " "
    first, last = prose[start], prose[end - 1]
    if before in _ASCII_PLAIN and after in _ASCII_PLAIN and first < "\x80" and last < "\x80":
        word = _ASCII_WORD  # the commonest case, decided here: `_boundary` would agree
        return not (before in word and first in word), not (last in word and after in word)
    starts = _boundary(first, before, ending=False)
    if starts is False:
        return False, False
    ends = _boundary(last, after, ending=True)
    if ends is False and starts:
        return True, False
    if starts is None or ends is None:
        return None
    # no emphasis delimiter, `](`, `::`, hyphen, dot, `@` or `/` beside the mention, which `_is_mention`
    # would look at: those are ASCII, and not `_ASCII_PLAIN`
    return True, ends


def _boundary(inside: str, outside: str, *, ending: bool) -> bool | None:
    """Is there a word boundary between the mention's `inside` character (its first, or its last if
    `ending`) and the `outside` one beside it, as `_starts_word` (with `_NOT_BEFORE`) and `_ends_word`
    decide? None where the general decision must be made: beside an apostrophe (inside a word between two
    Cyrillic letters, `_in_word_apostrophe`), an underscore, a mark, a joiner, katakana, or a letter before
    Hangul (a Korean particle may follow)."""
    if outside in _ASCII_PLAIN:
        if inside < "\x80":
            return not (outside in _ASCII_WORD and inside in _ASCII_WORD)
        if _alone(inside):
            return True
        return outside not in _ASCII_WORD if outside != "'" and _letter(inside) else None
    if _letter(inside) and _letter(outside):
        return None if ending and _hangul(outside) else False
    known = (_letter(inside) or _alone(inside)) and (_letter(outside) or _alone(outside))
    return True if known else None


@functools.cache  # asked for the characters around every place a key occurs: a few hundred distinct ones
def _letter(ch: str) -> bool:
    """A letter or digit of a word written with spaces (`_word`, but for `_`): never a mark, which belongs
    to the letter before it, nor Han or kana, each a word of its own."""
    return ch != "_" and _word(ch)


@functools.cache
def _alone(ch: str) -> bool:
    """A character beside which a word always starts or ends (`_apart`), whatever is on its other side:
    not ASCII (whose characters `_ASCII_PLAIN` sorts), no letter or digit of a word written with spaces,
    and none that joins what is beside it: a mark or a joiner, which belong to the character before them,
    katakana (next to katakana), an apostrophe (inside a Cyrillic word), an invisible in-word character,
    a regional indicator (two make a flag). Han and hiragana, punctuation, symbols, spaces, emoji."""
    return (
        ch >= "\x80"
        and not _word(ch)
        and not _attaches(ch)
        and not _katakana(ch)
        and ch not in _APOSTROPHES
        and ch not in _IN_WORD
        and not _regional(ch)
    )


def _is_mention(prose: str, start: int, end: int, acronym: str | None, capitalised: bool = False) -> bool:
    """Is prose[start:end], which starts a word, a mention: a whole word, not inside a name, not where a
    link would change the text around it (a Dataview key, a closing bracket, an emphasis), and an acronym
    only as written? `capitalised`: no spelling of its key is all lower case (`_identifier`)."""
    if not _ends_word(prose, end) or _breaks_emphasis(prose, start, end):
        return False
    if end < len(prose) and (prose[end] in "](" or prose.startswith("::", end)):
        return False
    if _reduplicated(prose, start, end):
        return False
    if acronym is not None and prose[start:end] != acronym:
        return False
    return not _in_a_name(prose, start, end) and not _identifier(prose, start, end, capitalised)


def _reduplicated(prose: str, start: int, end: int) -> bool:
    """Is prose[start:end] one half of a word repeated around a hyphen? Indonesian and Malay write a plural so
    (`buku-buku`, books; `anak-anak`), and such a word is one word, as `Baden-Baden` is one name: a link
    around one half would split it (`[[Buku]]-buku`)."""
    word = prose[start:end].casefold()
    n = end - start
    after = end + 1 + n
    if prose[end : end + 1] == "-" and prose[end + 1 : after].casefold() == word and _apart(prose, after):
        return True
    before = start - 1 - n
    return (
        before >= 0
        and prose[start - 1] == "-"
        and prose[before : start - 1].casefold() == word
        and _apart(prose, before)
    )


def _starts_word(prose: str, start: int) -> bool:
    """A word boundary before `start`, or an underscore that opens an emphasis (`_Meituan's_`): `_` joins
    words elsewhere (`snake_case_Meituan`, and `_Meituan` that no `_` closes, shown as typed)."""
    if _apart(prose, start):
        return True
    first = start
    while first > 0 and prose[first - 1] == "_":
        first -= 1
    if first == start or not _delimits(prose, first, start)[0]:
        return False
    return _run_between(prose, "_", 1, start, _paragraph_end(prose, start))  # a closer after it


def _ends_word(prose: str, end: int) -> bool:
    """A word boundary after `end`, or an underscore that closes an emphasis (`_Ask Meituan_`), but not
    one inside a name (`Meituan_v2`)."""
    if _apart(prose, end) or _particle_after(prose, end):
        return True
    last = end
    while last < len(prose) and prose[last] == "_":
        last += 1
    if last == end or not _delimits(prose, end, last)[1]:
        return False
    return _opener_before(prose, end, "_")


# Korean particles (josa), longest first: written directly after a noun (`서울에서`, `메이투안은`, also
# after a name in Latin letters, `Python에서`), so a name followed by one ends there. Only particles:
# `서울시`, `미국인` and `중국어` are other words.
_PARTICLE_WORDS = (
    "이 가 은 는 을 를 의 에 에서 에게 께 께서 한테 와 "
    "과 도 만 로 으로 까지 부터 처럼 보다 이나 나 랑 이랑 "
    "하고 에는 에서는 에도 에서도 으로는 로는 와는 과는 이라는 "
    "라는 이란 란 이며 며 이다 이고 입니다 이에요 예요 조차 "
    "마저 밖에 에게서 한테서 로서 으로서 로써 으로써 로부터 "
    "으로부터 이라고 라고 에게는 께는 만큼 이야 야 이지만 "
    "지만 에선 에겐 이라도 라도 같이 마다 뿐 이든 든 이든지 든지 이야말로 야말로 "
    "아 요 에서부터"
)
# A particle may be followed by one that marks the phrase again (`메이투안과의 협력`, `서울에서의`,
# `까지도`, `만의`, `보다는`), one of these only: two particles of the first list would also read words
# that merely look so (`서울도로`, a road, is 도 then 로; `한국가요`, Korean songs, 가 then 요).
_SECOND_PARTICLES = "의 도 는 은 만 을 를"
_FIRST = "|".join(sorted(_PARTICLE_WORDS.split(), key=len, reverse=True))
# The honorific 님, written after a person's name as a particle is (`김민수님`, `김민수님께서`),
# may come first
_PARTICLE = re.compile(
    f"(?:님(?:{_FIRST})?|{_FIRST})(?:"
    + "|".join(_SECOND_PARTICLES.split())
    + ")?(?![\uac00-\ud7a3])"  # then no more Hangul: `과도한` (excessive) is no 과 and 도
)


def _hangul(ch: str) -> bool:
    return 0xAC00 <= ord(ch) <= 0xD7A3


def _particle_after(prose: str, end: int) -> bool:
    """Does a Korean particle follow the name that ends at `end`, and then the word end? The name may be in
    any script: Korean attaches a particle to a Latin one too (`Python에서`, `KV Cache를`)."""
    if not (
        0 < end < len(prose) and _hangul(prose[end]) and (_hangul(prose[end - 1]) or _word(prose[end - 1]))
    ):
        return False
    m = _PARTICLE.match(prose, end)
    return m is not None and _apart(prose, m.end())


def _breaks_emphasis(prose: str, start: int, end: int) -> bool:
    """Would the link change what the delimiters around the mention do? `[[` and `]]` are punctuation, and
    CommonMark lets a `*` run open only before a non-punctuation character or after a space or punctuation:
    `a*Meituan*b` is emphasis, `a*[[Meituan]]*b` shows its asterisks. (`_` never opens inside a word, so
    no link changes it; `~~` and `==` are taken to follow `*`.) A run inside the name that can open or close
    (`Q*bert` in `*Q*bert`) could pair with one outside, which it cannot from inside a link's text."""
    if any(any(_delimits(prose, *m.span())) for m in _INNER_RUN.finditer(prose, start, end)):
        return True
    first = start
    while first > 0 and prose[first - 1] in _DELIMITERS and prose[first - 1] == prose[start - 1]:
        first -= 1
    if first < start:
        old, new = _delimits(prose, first, start), _delimits(prose, first, start, after="[")
        # and a run that could only open, and before `[[` can close too, closes an opener before it:
        # `_x（ΣΊΣΥΦΟΣ）_ÄRZTE_` would show `x（ΣΊΣΥΦΟΣ）` in italics, not ÄRZTE
        if _changes(old, new, 0) or (new[1] and not old[1] and _opener_before(prose, first, prose[first])):
            return True
    last = end
    while last < len(prose) and prose[last] in _DELIMITERS and prose[last] == prose[end]:
        last += 1
    if last == end:
        return False
    old, new = _delimits(prose, end, last), _delimits(prose, end, last, before="]")
    if _changes(old, new, 1):
        return True
    # A run that could only close, and after `]]` can open too: with no opener before it, it opens an
    # emphasis (`Meituan*(a note)*` would show `(a note)` in italics); `*Meituan*,` still closes its own.
    return new[0] and not old[0] and not _opener_before(prose, end, prose[end])


def _changes(old: tuple[bool, bool], new: tuple[bool, bool], role: int) -> bool:
    """Does a delimiter run do something else once a link's bracket is beside it? Its `role` (0: opening,
    for the run before the mention; 1: closing, after it) must stay; and a run that could neither open nor
    close must not start to: `_` between a Han name and a word (`東京_Meituan_`) is shown as typed, and
    after `]]` it would open an emphasis."""
    return old[role] != new[role] or (not any(old) and any(new))


_DELIMITERS = frozenset("*_~=")  # emphasis, strikethrough, Obsidian's highlight
_INNER_RUN = re.compile(r"\*+|_+|~~+|==+")  # a single `~` or `=` is no delimiter in Obsidian
_RUNS = {ch: re.compile(re.escape(ch) + "+") for ch in _DELIMITERS}
_BLANK_LINE = re.compile(r"\n[ \t]*\n")
_EMPHASIS_REACH = 2000  # characters searched for the other side of an underscore emphasis


def _delimits(prose: str, first: int, last: int, before: str = "", after: str = "") -> tuple[bool, bool]:
    """Can the delimiter run prose[first:last] open, and can it close, an emphasis (CommonMark's flanking
    rules)? `before` and `after`: the characters around it, if not prose's own (a link's brackets)."""
    prev = before or (prose[first - 1] if first > 0 else " ")
    nxt = after or (prose[last] if last < len(prose) else " ")
    left = not nxt.isspace() and (not _punctuation(nxt) or prev.isspace() or _punctuation(prev))
    right = not prev.isspace() and (not _punctuation(prev) or nxt.isspace() or _punctuation(nxt))
    if prose[first] != "_":
        return left, right
    return left and (not right or _punctuation(prev)), right and (not left or _punctuation(nxt))


def _opener_before(prose: str, at: int, ch: str) -> bool:
    """Is there a run of `ch` before `at`, in its paragraph, that can open an emphasis? (No run of `ch`
    goes over `at`: `at` starts or ends the run beside a mention.)"""
    return _run_between(prose, ch, 0, _paragraph_start(prose, at), at)


def _run_between(prose: str, ch: str, role: int, begin: int, end: int) -> bool:
    """Does a run of `ch` that can open (`role` 0) or close (1) start in `begin:end`?"""
    starts = _runs(prose, ch, role)
    k = bisect.bisect_left(starts, begin)
    return k < len(starts) and starts[k] < end


@functools.lru_cache(maxsize=8)
def _runs(prose: str, ch: str, role: int) -> list[int]:
    """Where the runs of `ch` that can open (`role` 0) or close (1) an emphasis start, in order: found once
    per note, not searched for around each mention (20,000 mentions like `_Meituan_x` in one paragraph each
    searched up to 2,000 characters: 13 s for one note)."""
    return [m.start() for m in _RUNS[ch].finditer(prose) if _delimits(prose, *m.span())[role]]


def _punctuation(ch: str) -> bool:
    """CommonMark's punctuation: Unicode P and S categories (ASCII included). MASK (protected text, such as
    a code span or a link) counts too: what it hides starts and ends with punctuation."""
    return ch == MASK or unicodedata.category(ch)[0] in "PS"


def _paragraph_start(prose: str, at: int) -> int:
    begin = max(0, at - _EMPHASIS_REACH)
    blanks = [m.end() for m in _BLANK_LINE.finditer(prose, begin, at)]
    return blanks[-1] if blanks else begin


def _paragraph_end(prose: str, at: int) -> int:
    stop = min(len(prose), at + _EMPHASIS_REACH)
    blank = _BLANK_LINE.search(prose, at, stop)
    return blank.start() if blank else stop


def _in_a_name(prose: str, start: int, end: int) -> bool:
    """Part of a domain, a file name, a path, a handle or a versioned name, where a link would break the
    name: `meituan.com`, `Meituan.pdf`, `api.meituan`, `github.com/meituan`, `src/meituan/x.py`, `@meituan`,
    `@smith2020` (a citation, where a literature note is named `@smith2020.md`), `GPT-4o-mini`. Not a name
    ending a sentence (`Meituan.`, `_by Meituan._`, `Meituan.¹`), nor a pair or a version (`Python/Node.js`,
    `Llama 3.1/3.2`). (A URL with a scheme or `www.` is masked before the scan.)"""
    n = len(prose)
    if end + 1 < n and prose[end] == "." and _name_char(prose[end + 1]):
        return True
    if start >= 2 and prose[start - 1] == "." and _name_char(prose[start - 2]):
        return True
    if (start >= 1 and prose[start - 1] == "@") or prose[start] == "@":
        return True  # a handle, or a Pandoc citation of a note named by its key (`@smith2020`)
    if _versioned(prose, start, end):
        return True
    if (start >= 1 and prose[start - 1] == "/") or (end < n and prose[end] == "/"):
        # the token around the mention, looked at no further than _NAME_REACH: linear on a long token
        first, last = max(0, start - _NAME_REACH), min(n, end + _NAME_REACH)
        before = _UP_TO_SPACE.match(prose, first, start)
        after = _SPACE.search(prose, end, last)
        first, last = before.end() if before else first, after.start() if after else last
        slashes = prose.count("/", first, start) + prose.count("/", end, last)
        # a domain before the mention (`huggingface.co/Meituan`), or the mention itself one, then its path
        # (`01.ai/about`, where a note is named by its domain)
        domain_to = end + 1 if prose[end : end + 1] == "/" else start
        return slashes >= 2 or _DOMAIN.search(prose, first, domain_to) is not None
    return False


def _identifier(prose: str, start: int, end: int, capitalised: bool) -> bool:
    """A package or repository id: a name written all in lower case though none of its spellings is
    (`openai` for `OpenAI.md`), glued by a hyphen or a slash to a word, as a package or an account on a code
    host names it (`openai-python`, `openai/whisper-large-v3`, `huggingface/transformers`), or a repository
    named after its owner (`Qwen/Qwen2.5-Max`, where either side is a note). A link there names the lab
    inside the name of a thing it made. A name written as its note writes it (`OpenAI-compatible`,
    `OpenAI/Anthropic`) is still a mention, and so is any name whose note or alias is all lower case
    (`deep learning-based`: in a vault that names its notes so, the lower case says nothing)."""
    if not any(_glued(prose, start, end, "-/")):
        return False
    return (capitalised and prose[start:end].islower()) or _owner_repository(prose, start, end)


def _glued(prose: str, start: int, end: int, joiners: str) -> tuple[bool, bool]:
    """Does one of `joiners` join prose[start:end] to a letter or digit after it, and before it?"""
    after = end + 1 < len(prose) and prose[end] in joiners and _letter(prose[end + 1])
    before = start >= 2 and prose[start - 1] in joiners and _letter(prose[start - 2])
    return after, before


def _owner_repository(prose: str, start: int, end: int) -> bool:
    """Is prose[start:end] one side of `owner/repository` where the repository is named after its owner, as
    code hosts name models: `Qwen/Qwen2.5-Max`, `mistralai/Mistral-Large`, `meta-llama/Llama-Guard`? The
    repository begins with the owner's name, or the owner's with the repository's, or the owner's holds it
    between hyphens; and the owner's holds no digit, which a model's name does: `GPT-4/GPT-4o` is a pair of
    models, each a mention (as `OpenAI/Anthropic` is a pair of labs)."""
    name = prose[start:end].casefold()
    if prose[end : end + 1] == "/":  # the owner: the repository follows
        repository = _REPO_NAME.match(prose, end + 1, min(len(prose), end + 1 + _NAME_REACH))
        after = repository.group().casefold() if repository else ""
        return len(after) > len(name) and after.startswith(name) and not _ASCII_DIGIT.search(name)
    if start < 1 or prose[start - 1] != "/":
        return False
    owner = _REPO_NAME.match(prose[max(0, start - 1 - _NAME_REACH) : start - 1][::-1])
    if owner is None or _ASCII_DIGIT.search(owner.group()):
        return False
    mine = owner.group()[::-1].casefold()
    return name.startswith(mine) or mine.startswith(name) or name in mine.split("-")


def _versioned(prose: str, start: int, end: int) -> bool:
    """Part of a longer model or version name that hyphens join: `GPT-4o-mini` (another model than GPT-4o),
    `Kimi-K2` (a model, not the lab Kimi), `Qwen2.5-Max-0125`, `Mistral-7B`, `Mistral-Small-3.2`,
    `DeepSeek-R1-Distill-Qwen-7B`. A link there named the wrong note, and gave it a relation to every note
    about the other model. Such a name is a hyphen joining the mention to a word, where the mention or the
    words hyphens join to it hold a digit. With no digit it is still a mention (`Meituan-backed`,
    `OpenAI-compatible`, `Mistral-Modelle`), and so is the name alone (`GPT-4o`, `GPT-4o.`). The words
    are read by a regex, no further than _VERSION_REACH each way: linear however long a run (`a-b-c-…`) a
    note holds."""
    after, before = _glued(prose, start, end, "-")
    if not (after or before):
        return False
    if _ASCII_DIGIT.search(prose, start, end):
        return True
    if after:
        run = _HYPHEN_RUN.match(prose, end, min(len(prose), end + _VERSION_REACH))
        if run is not None and _ASCII_DIGIT.search(run.group()):
            return True
    if before:
        run = _HYPHEN_RUN.match(prose[max(0, start - _VERSION_REACH) : start][::-1])
        return run is not None and _ASCII_DIGIT.search(run.group()) is not None
    return False


def _name_char(ch: str) -> bool:
    """A letter or an ASCII digit: after a dot, the rest of a domain or file name (`.com`, `.pdf`, `.v2`);
    not `_` (`_by Meituan._` closes an emphasis) nor a superscript (`Meituan.¹`, a footnote mark)."""
    return ch.isalpha() or "0" <= ch <= "9"


@dataclass
class LinkPlan:
    """The mentions to link in one note, and the ambiguous ones to report."""

    link: list[tuple[Mention, str]] = field(default_factory=list)  # (mention, target rel)
    ambiguous: list[tuple[Mention, tuple[str, ...]]] = field(default_factory=list)


def plan_note(
    facts: NoteFacts, mentions: Iterable[Mention], table: KeyTable, linked: Collection[str], first_only: bool
) -> LinkPlan:
    """Pick which mentions of a note become links: first unlinked mention of each other note."""
    plan = LinkPlan()
    done = set(linked) | {facts.rel}
    reported: set[str] = set()
    for m in mentions:
        targets = table.targets.get(m.key, ())
        if len(targets) > 1:
            if facts.rel in targets or not done.isdisjoint(targets):
                # the note's own name (or alias) in its own text: never linked, nothing to choose; or a
                # note that links one of the notes it could mean already (`[[Yang Zhilin]]`, then `杨植麟`,
                # an alias two notes share): it means that one, and nothing is left to tell (VK122)
                continue
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


def destination(path: str) -> str:
    """`path` as a Markdown link's destination: each character that would end it or change what it names
    (`_UNSAFE_DESTINATION`) percent-encoded, byte by byte."""
    return _UNSAFE_DESTINATION.sub(lambda m: "".join(f"%{b:02X}" for b in m.group().encode()), path)


def render_link(path: str, text: str, obsidian: ObsidianSettings) -> str:
    """The link that replaces a mention, so that the prose reads as before. `path` is how the target is
    written from this note (Index.link_text)."""
    if obsidian.use_markdown_links:
        return f"[{text}]({destination(path)})"
    if path == text:
        return f"[[{text}]]"
    return f"[[{path}|{text}]]"


def breaks_math(path: str, text: str, markdown: bool) -> bool:
    """Would the link that replaces `text` make a `$` open or close inline math the prose did not? A `$` at
    either end of the text gets a bracket for a neighbour (`Cash$ or $x$` linked as `[[Cash$]] or $x$`
    reads `$]] or $x$` as math), and a wikilink whose path is written beside its text adds a `$` for each
    in the path (`[[A/Top $5|Top $5]]`). A Markdown link's destination has its `$` encoded."""
    if text[:1] == "$" or text[-1:] == "$":
        return True
    return not markdown and path != text and "$" in path


# -- the managed relations property ------------------------------------------------------------------


def relation_anchor(text: str, fm: Frontmatter, prop: str) -> PropertyAnchor | None:
    """Where new items of the relations property go, editing nothing else (None: no safe place)."""
    eol = "\r\n" if "\r\n" in text[: text.find("\n") + 1 or len(text)] else "\n"
    if not fm.loaded or (not fm.present and fm.problems):
        return None  # unreadable YAML, or a fence out of place (VK005/VK006): never guess
    if not fm.present:
        key = _yaml_key(prop)
        return PropertyAnchor(0, f"{eol}  - ", f"{eol}---{eol}", f"---{eol}{key}:{eol}  - ", '"')
    # the key the note keeps it under: `Related:` is `related`, as Obsidian's property types and Dataview
    # read keys without case; a second key differing only in case would split the property in two
    prop = fm.key_for(prop)
    if _flow_root(text, fm):
        return _flow_anchor(text, fm, prop)
    if prop not in fm.data:
        return PropertyAnchor(fm.yaml_end, f"{eol}  - ", eol, f"{_yaml_key(prop)}:{eol}  - ", '"')
    value, node = fm.data[prop], fm.nodes[(prop,)]
    if text.startswith("&", node.start):
        return None  # an anchored value (`&r [...]`), or an alias of one (`related: *r`): shared, not ours
    return _empty_anchor(text, node, eol) if value is None else _value_anchor(text, value, node, eol)


def _empty_anchor(text: str, node: Node, eol: str) -> PropertyAnchor:
    """`related:` gets a block list; `related: ~` or `related: null` has the null replaced by one."""
    if node.end > node.start:
        start = len(text[: node.start].rstrip(" \t"))
        return PropertyAnchor(start, f"{eol}  - ", "", f"{eol}  - ", '"', node.end)
    end = _line_end(text, node.start if node.start > 0 else 0)
    return PropertyAnchor(end, f"{eol}  - ", "", f"{eol}  - ", '"')


_ONE_LINK = re.compile(r"\s*!?\[\[[^\[\]]+\]\]\s*|\s*!?\[[^\[\]]*\]\([^()\s]+\)\s*")


def _value_anchor(text: str, value: Any, node: Node, eol: str) -> PropertyAnchor | None:
    """After the property's list, in its style; a single link becomes a flow list that keeps it."""
    if isinstance(value, str):
        return _string_anchor(text, value, node)
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        return None  # `related: [[X]]` unquoted is a list of lists: the user must fix it (VK008 says so)
    if node.items and _aliased(node):
        return None  # the last item an alias (`- *x`): its place is its anchor's, elsewhere
    if node.flow is False:
        return _block_anchor(text, node, eol)
    if node.items:
        last_start, last_end = node.items[-1]
        return PropertyAnchor(last_end, ", ", "", ", ", _quote(text, last_start))
    return PropertyAnchor(text.rfind("]", node.start, node.end), ", ", "", "", '"')


def _aliased(node: Node) -> bool:
    """Is the list's last item an alias? PyYAML gives an alias its anchor's node, and so its place: outside
    the list, or before the items that precede it there."""
    last_start, last_end = node.items[-1]
    before = (end for _, end in node.items[:-1])
    return not node.start <= last_start <= last_end <= node.end or any(end > last_start for end in before)


def _block_anchor(text: str, node: Node, eol: str) -> PropertyAnchor | None:
    """A new line after the block list's last item, written as that item's line begins (`  - `)."""
    last_start, last_end = node.items[-1]
    if text[last_start:last_end].rstrip(" \t").endswith(("\n", "\r")):
        return None  # a block scalar (`- >-`) ends past its line breaks: the next line may be the fence
    line_start = text.rfind("\n", 0, last_start) + 1
    if _ITEM_START.fullmatch(text, line_start, last_start) is None:
        return None  # the item on the line after its dash (`-⏎    "[[B]]"`): no prefix to repeat
    prefix = eol + text[line_start:last_start]
    return PropertyAnchor(_line_end(text, last_end), prefix, "", prefix, _quote(text, last_start))


_ITEM_START = re.compile(r"[ \t]*-[ \t]+")  # what a block list's item line holds before the item


def _string_anchor(text: str, value: str, node: Node) -> PropertyAnchor | None:
    """A single link (`related: "[[B]]"`) becomes a flow list that keeps it. Not text (`related: see the
    paper`, `related: ""`): made a list, it would mean something else. Nor a block or multi-line scalar,
    which cannot be turned into a list in place."""
    keep = text[node.start : node.end]
    if "\n" in keep or "\r" in keep or keep[:1] in ("|", ">") or _ONE_LINK.fullmatch(value) is None:
        return None
    return PropertyAnchor(node.start, ", ", "]", f"[{keep}, ", _quote(text, node.start), node.end)


_FLOW_ROOT = re.compile(r"(?:[ \t]*(?:#[^\n]*)?\r?\n)*[ \t]*\{")


def _flow_root(text: str, fm: Frontmatter) -> bool:
    """Is the frontmatter one flow mapping (`{"title": "x"}`, JSON), where block syntax cannot go?"""
    return _FLOW_ROOT.match(text, fm.yaml_start, fm.yaml_end) is not None


def _flow_anchor(text: str, fm: Frontmatter, prop: str) -> PropertyAnchor | None:
    if prop in fm.data:
        value, node = fm.data[prop], fm.nodes[(prop,)]
        if value is None and node.end > node.start:  # `"related": null`
            return PropertyAnchor(node.start, ", ", "]", "[", '"', node.end)
        if isinstance(value, list) and not node.flow:
            return None
        return _value_anchor(text, value, node, "\n")
    close = text.rfind("}", fm.yaml_start, fm.yaml_end)
    if close < 0:
        return None
    at = fm.yaml_start + len(text[fm.yaml_start : close].rstrip())  # after the last value, before a break
    key = json.dumps(prop, ensure_ascii=False)
    first = f"{key}: [" if text[at - 1 : at] == "{" else f", {key}: ["
    return PropertyAnchor(at, ", ", "]", first, '"')


# A key YAML reads back as the very text, written as it is: a word, or words with spaces, dots or hyphens
_PLAIN_KEY = re.compile(r"[^\W\d](?:[\w .-]*\w)?")
_YAML_WORDS = frozenset(["true", "false", "yes", "no", "on", "off", "null", "y", "n"])


def _yaml_key(prop: str) -> str:
    """The relations property as the key of a new item: as it is (`related`, `see also`), else quoted as
    `_flow_anchor` quotes one (`"#related"`, `"a: b"`, `"- x"`, `"true"`): written bare, such a key was a
    comment, a mapping or a list to YAML, and the note's check refused the edit at every `link`."""
    if _PLAIN_KEY.fullmatch(prop) and prop.lower() not in _YAML_WORDS:
        return prop
    return json.dumps(prop, ensure_ascii=False)


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
    rest = "".join(anchor.prefix + item for item in items[1:])
    text = anchor.first_prefix + items[0] + rest + anchor.suffix
    end = anchor.replace_end if anchor.replace_end >= 0 else anchor.offset
    return anchor.offset, end, text


def _quoted(link: str, quote: str) -> str:
    """A relation item in the list's quotes. A character YAML does not take as it is (a control character,
    a surrogate) or reads as a line break inside quotes, folding it into a space (NEL, U+2028, U+2029),
    is written as an escape, which only double quotes have (a note named `Bell\\x07.md`)."""
    plain = _UNQUOTABLE.search(link) is None
    if quote == "'" and plain:
        return "'" + link.replace("'", "''") + "'"
    text = link.replace("\\", "\\\\").replace('"', '\\"')
    return '"' + (text if plain else _UNQUOTABLE.sub(_yaml_escape, text)) + '"'


# YAML's printable characters are tab, line feed, carriage return, U+0020-U+007E, U+0085, U+00A0-U+D7FF,
# U+E000-U+FFFD and beyond; of those, line feed, carriage return, U+0085, U+2028 and U+2029 are line breaks
_UNQUOTABLE = re.compile("[\x00-\x08\x0a-\x1f\x7f-\x9f\u2028\u2029\ud800-\udfff\ufffe\uffff]")


def _yaml_escape(match: re.Match[str]) -> str:
    code = ord(match[0])
    return f"\\x{code:02x}" if code <= 0xFF else f"\\u{code:04x}"
