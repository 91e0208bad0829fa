"""The cache: per-note results keyed by content, plus the last whole-vault report.

Lives in `.vaultkit_cache/` at the vault root (git-ignored by a `.gitignore` it writes inside itself).
Every file is written to a temporary file and renamed into place, and carries a header with the format,
the vaultkit version, the fingerprint of the config and Obsidian settings, and a SHA-256 of its payload.
The schemas are not in it: a note's facts record what its schema findings depend on, so that editing one
schema re-reads only the notes it concerns, and the stored report and outputs are keyed on the schemas.
A file that is corrupted, truncated, foreign or from another version is ignored and rebuilt, never trusted.
Concurrent runs are safe: each file is replaced whole, and entries are keyed by content.

A note's stat signature (mtime, size, inode, ctime) only saves re-hashing it: the key is the SHA-256 of its
bytes. A signature recorded within two seconds of the file's last change is "racy" (a same-second edit
could hide behind it, as git's index knows) and is never trusted.
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import json
import os
import shutil
import stat
import tempfile
import time
import zlib
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from vaultkit import __version__
from vaultkit.paths import read_regular

if TYPE_CHECKING:
    from vaultkit.obsidian import ObsidianSettings

CACHE_DIR = ".vaultkit_cache"
# 2: 64 facts shards and the notes summaries; 3: flat link lists in summaries; 4: keys lower-cased; 5: a
# $schema that is not text is VK011 in the facts; 6: sharded state, the listing apart, summaries as text;
# 7: the listing records folders' ctimes and the folders it could not read; 8: facts of `!!str` values, of
# notes broken by bare CRs and of notes whose frontmatter is never closed or out of place, read anew;
# 9: mentions, protected regions and relation anchors read anew; 10: the listing records each folder's
# entries, so that a changed folder alone is read again; 11: facts of `!`-tagged values, of frontmatter
# holding NEL/U+2028/U+2029, protected regions (Dataview fields, wrapped link text) and mentions beside
# emphasis underscores and asterisks, read anew; 12: tags holding marks or emoji, mentions beside soft
# hyphens, non-joiners and emphasis delimiters, keys that are CJK dates or hold a final sigma, VK022 of
# tags with marks, and Markdown links after an undefined full reference, read anew; 13: Korean names
# followed by a particle read as mentions, report notes marked as such (not counted as checked) in the facts
# and the cached report, constructs still being typed and lazy-line reference definitions read anew; 14:
# protected regions without the white space after a list or quote marker (mentions beside it), VK010
# messages of values failing every branch of an anyOf (said by the branch of the value's type), summaries
# that say which notes are reports (not counted among the vault's notes), and bodies (a lazy line after a
# callout's title, openers after backslashes), read anew; 15: Markdown links split at a literal `#` before
# they are decoded (`C%23.md` names `C#.md`), read anew; 16: the word after a `]` that begins a reference
# definition's label protected, read anew; 17: mentions holding a `*`, `_`, `~~` or `==` that can open or
# close, read anew (no longer mentions); 18: backslash escapes and entity references in Markdown links'
# destinations read as CommonMark reads them, read anew; 19: the text of inline HTML elements (`<span>`,
# `<b>`, `<mark>`...) protected, read anew (and reports: `Folder/Note` now also matches
# `X/Folder/Note.md`); 20: names in other scripts followed by a Korean particle (`Python에서`) read as
# mentions, read anew; 21: VK010 of an unquoted wikilink (`related: [[X]]`) says to quote it, read anew;
# 22: a Dataview field in an ordered list item (`1. Lab:: x`) protected, read anew; 23: a tags string split
# at commas and white space (undone in 25); 24: mentions beside an apostrophe between Cyrillic letters
# (`Київ'янин`, inside a word), read anew; 25: a tags string is one tag again, as Obsidian reads it, read anew
# 29: a `disable` comment whose codes `enable` comments end one at a time is one suppression with each code's
# last line (`SuppressionFact.ends`), not one more suppression per `enable`, read anew; 30: mentions right
# before `(` or `[` (`Canvas(1)`: `[[Canvas]](1)` is a Markdown link) no longer mentions, and the word before
# a Markdown or reference link protected (in Chinese or Japanese text only its last character), read anew;
# 31: names that are numbers with Arabic separators or a percent sign (`٣٫١٤`, `50%`) no keys, read anew;
# 32: no YAML 1.1 hint in VK010 for `-0`, `+0` or `0x1F`, which YAML 1.1 reads as 1.2 does, read anew;
# 33: YAML 1.1 hints in VK010 for `1_000`, `0b101`, `+0x1F` (numbers in 1.1) and `1e3` (a number in 1.2 only);
# 34: a Pandoc citation of a note named by its key (`@smith2020`) no longer a mention, and template
# placeholders (`{{date:YYYY}}`, `{% if x %}`) protected, read anew; 35: the relation anchor under the key
# as the note cases it (`Related:`); 36: a word repeated around a hyphen (`buku-buku`) no mention of its half;
# 37: an Admonition header (`!!! ad-note Title`) no prose, read anew; 38: an emoji one character towards
# min_length (`👩‍💻`, `1️⃣` no longer mention keys at 3), mention keys and mentions read anew; 39: the text
# after an HTML opening tag nothing closes in its paragraph (`List<String> holds X`) is prose again, and
# VK022 of YAML numbers in `tags`, read anew; 40: a zero-width joiner after anything but an emoji counts
# towards min_length again (a Malayalam chillu), mention keys and mentions read anew; 41: no mention in a
# run of lines holding more markup than verify.MAX_MARKUP, mentions read anew; 42: an ATX heading that is
# only a closing sequence (`### ###`) is empty, one closed after a tab loses its `#`s, headings read anew;
# 43: VK102 and VK122 name five of the notes a name could mean and count the rest, a stored report printed
# anew; 44: a name ending in `.MD` (or `.Md`...) is a file, not a note, as Obsidian lists it: listed anew;
# 45: a link in a property placed at its `[[`, not at the value's start, read anew; 46: what a relation edit
# must keep of the frontmatter (NoteFacts.kept), read anew; 47: furigana (`{東京|とう|きょう}`,
# `[東京]^(とうきょう)`) no prose, and VK001/VK022 of unquoted wikilinks and `#tags` in YAML, read anew;
# 48: a bullet list item ends a run of lines masked as too big to verify, mentions read anew; 49: no mention
# on a line above one that could be a table's delimiter row (a link's `|` could make it a table), read anew;
# 50: VK020 where one of created and updated has an offset and the other none, with the offset kept, and
# VK010 `did you mean` of a key unevaluatedProperties refuses, read anew; 51: furigana in braces only with a
# CJK or kana base, as the plugin reads it (`{a|b}` is prose), read anew; 52: VK001's quoted wikilinks to
# write escape a `"` or a backslash, read anew; 53: VK010 of a name a false propertyNames refuses names it,
# read anew; 54: a note's `$schema` not refused by the schema it chose when that schema is closed, read anew;
# 55: a tag YAML reads as a comment is VK022's alone (no VK010 of its null), one of digits not suggested,
# a finding a YAML alias repeats at its anchor (`b: *x`) is reported once, and a problem in text holding a
# template placeholder (`<% tp.date.now() %>`, `{{date}}`) says what it is, and a note's `$schema` is not
# refused by propertyNames, read anew;
# 56: a line holding a bracketed Dataview field, or a task, is no whole-line field, and an entity reference
# (`&Delta;`) no prose: mentions read anew; VK001, VK004 and VK010 of a `{{placeholder}}` name it as one,
# and VK101 says where only a link's quotes differ from a name's; VK001 and VK010 name curled quotes in YAML;
# 57: VK022 of tags written as comments on the lines below `tags:`, read anew;
# 58: the hint of a template's placeholder (VK001, VK004, VK010, VK022, VK101) says why a template is checked
# and which settings leave it out; a `vaultkit_disable` entry that is no text is no code, read anew;
# 59: a uri urlsplit refuses (`https://[::1/x`) is VK010's "not a valid uri", not a VK000 crash, read anew;
# 60: NaN passes every numeric bound in the schema gate, as in jsonschema (`not: {maximum: 0}` refuses it);
# VK022 of tags commented below `tags:` names only the comments written as tags, also after one of prose;
# 61: a Korean name followed by two particles (`메이투안과의`, `서울에서의`) is a mention, and so is a name
# before half-width katakana (`Qwenﾁｰﾑ`) or inside NFD prose of over 64 characters between spaces
# (Japanese): mentions read anew; VK001 and VK002 name an input method's full-width colon or ideographic
# space in YAML, VK010 a value's full-width or Arabic-Indic digits, VK101 a link's full-width `｜` or `＃`,
# and VK104 a block id of other characters than Obsidian's (`^日本語`);
# 62: VK022 of a tag in curled quotes (`tags: [“meeting”]`); VK010 of an anyOf/oneOf no branch holds says
# what the other branches refused (constants: one list); VK022 reads the comment lines below `tags:` by line
# feeds only
# 63: VK103 of a link whose `#`s split a heading that holds one (`[[T#C# tips]]`) says how it is linked;
# VK101 of a wikilink that names a note once URL-decoded (`[[Other%20Note]]`) says it is read as written
# 64: VK001 and VK002 no longer blame a block scalar's paragraph indented with an ideographic space (字下げ),
# and VK001 no curled apostrophes inside words (`It‘s Bob’s`) as quotes
# 65: VK001's full-width-colon hint no longer names a line inside a quoted value continued from the line above
# (and a tag both VK010 and VK022 reject at one place is VK022's, not VK010's)
# 66: a note's headings record their level, and VK103 takes `#A#B` as Obsidian's resolveSubpath does: B below
#     A's level, not any heading B after A (`[[T#Details#Results]]` for two `##` headings is reported)
# 67: VK101 of a wikilink that reads as a note's name but differs in a letter of another script (`[[Справка]]`
#     for `Cправка.md`, its `C` Latin) names that letter
# 68: no relation-edit digest is recorded for a frontmatter where an alias repeats a value (its spelling could
# be the YAML's many times over)
# 69: VK202 names the encoding of a note in Windows-1252 (or Latin-1), and how to convert one in UTF-16 or -32
# 70: a note in UTF-16 without a BOM is VK202 (its encoding named), not VK203 (binary)
# 71: VK101 of a link written as a note's alias or an attachment's name says so before a look-alike name
# 72: with newLinkFormat relative, a note of the linking note's folder whose name another note shares is
#     written `./Index` (VK120 and VK121 then offer it; before, neither was reported)
# 73: VK022 of one string of tags with commas gives the list to write (`tags: [meeting, draft]`)
# 74: VK001 of frontmatter that holds a git conflict marker (`<<<<<<< HEAD`) names its line
# 75: VK007 reports a merge conflict git left in a note's body
# 76: VK010 of a then/else says which value asked for it, of a oneOf more than one branch takes and of an
#     empty enum says so in words, of a `not: {required: [k]}` is at k's key; VK011 of a `$schema` URL names
#     the file whose `$id` it is; VK023 types a property given by its values (`enum: [1, 2]`: number); and
#     schemas trusted by an earlier run are checked again (two files with one `$id`, draft-07 keywords); VK023
#     of types.json names the schema files
# 77: a Markdown link's destination may stand after spaces, tabs and one line break, as CommonMark reads it
#     (`[a]( Note.md )` is a link, checked and counted); a footnote's links (`[^1]: see [[X]]`,
#     `^[see [[X]]]`, and its lines indented below) are links; VK101 of `[[Note\|text]]` outside a table
#     says how to write it there, of `[[C# Tips]]` for `C# Tips.md` shows the Markdown link that names it,
#     and of `[[ Lead]]` for ` Lead.md` says why
# 78: VK008 reports a wikilink left unquoted in any property (`up: [[X]]`), where VK010 said it again
# 79: VK007 also in a paragraph or a table (only code and comments hide a conflict), and `link` leaves the
#     note alone (NoteFacts.editable); VK008 also of `[[2024]]`, not of `[["a"]]`, and its quotes escaped
# 80: entries tied to the configuration but the schemas; each note's facts say which schema files its
#     findings depend on (NoteFacts.schema_key), and the stored report and outputs are keyed on the schemas
# 81: VK010 of a list that repeats an item names the item and is at its line (`related[3]: "[[X]]" repeats
#     related[1]`), where it showed the whole list at its first item
# 82: a name that hyphens join into a longer versioned name (`GPT-4o-mini`, `Kimi-K2`) is no mention
# 83: VK010 of a pattern shows the title's own description where a description is written beside the `$ref`
#     (`ingested: "2026-5-16" is not a valid date: A calendar date as Obsidian writes it: YYYY-MM-DD.`)
# 84: VK010 of an enum names the allowed value a text differs from only in case or by a typo
# 85: a note named by its domain (`01.ai`) is no mention before a path on it (`01.ai/about`)
# 86: VK011 of a type that is not text (`type: [wiki]`), which names no schema
# 87: VK101 of a relation says `link` never removes one
# 88: VK010 of `.nan`, `.inf` or an integer of over 308 digits under a `multipleOf` that is a fraction
#     (`0.01`), where it was a VK000
# 89: a relations property YAML cannot take bare (`#related`, `a: b`, `yes`) written quoted as a new key
# 90: `"format": "time"` is RFC 3339's full-time (`10:30:00Z` passes, `10:30:00` does not), not draft 3's;
#     only the formats the README lists are checked, whatever optional packages are installed (idna's
#     `idn-hostname` was checked where idna was)
# 91: no VK122 in a note that links one of the notes an ambiguous mention could mean (a stored report)
# 92: VK121 names the relations key as the note writes it (`Related`) (a stored report)
# 93: a `$schema` ending in `/` (a folder's path) names no schema (VK011)
# 94: VK121 at the line of the note's relations key (NoteFacts.relations_line), where it has one
# 95: a name in lower case glued to a word (`openai-python`), or a repository named after its owner
#     (`Qwen/Qwen2.5-Max`), is no mention (`linker._identifier`); KeyTable.lowercase
# 96: VK103 names the heading of the note a missing one may mean (`; did you mean '05 - CSS Snippets'?`)
# 97: a `$schema` ending in `/.` (a folder's path, as one ending in `/`) names no schema (VK011)
# 98: file names are read as UTF-8 whatever the locale (utf8_mode): a listing cached by a run whose
#     file-system encoding was not UTF-8 named `Café.md` as not UTF-8 (VK201) to every later run
# 99: a relations list whose last item is a block scalar (`- >-`) takes no relation in place (VK121
#     without its fix): the items went past the closing fence, into the body
# 100: nor does a list whose last item is an alias (`- *x`) or sits on the line after its dash: the fix
#     offered there was refused at every `link`
# 101: nor one whose last item is an alias of an item of the same list (`- &x ...` then `- *x`)
# 102: a versioned name's digit is looked for in every word hyphens join to the name (`Mistral-Small-3.2`),
#     and a repository named after its owner is found as code hosts name them (`mistralai/Mistral-Large`)
# 103: VK101 of `[[Issue #42]]` for `Issue #42.md` shows the Markdown link that names it (a space before
#     the `#`), as it did for `[[C# Tips]]`
# 104: VK011 of `type: WIKI` or `type: wiki.schema.json`, and VK010 of a refused key `TITLE`, name the one
#     meant
# 105: a block id is found in a CRLF note, and only where it ends its block (not at the end of a line its
#     paragraph goes on after)
# 106: a Korean name followed by 같이, 뿐, 이든, 이야말로, 에서부터 (and a few more particles),
#     or by the honorific 님 (`김민수님께서`), is a mention
# 107: VK001 of a value that needs quotes (`title: Re: meeting notes`, `author: @karpathy`) shows it quoted
# 108: VK001 of a list whose `#` YAML reads as a comment (`tags: [#book, #fiction]`) says so
# 109: VK001 of a quoted value holding its own quote (`title: 'It's mine'`) shows it quoted otherwise
# 110: VK121 lists the notes that link by their NFC names (a stored report)
# 111: VK011 of a type the bundled schemas lack, none close to it, says to let another property pick them
# 112: VK001 gives no hint for a closed list whose `#` is quoted, nor to quote a flow value closed twice;
#      a block id before a line that starts with a code span is text (the paragraph goes on)
# 113: VK010 gives every error of the anyOf/oneOf branch it reports (each bad item of a list), not one
# 114: VK101 of a link by a note's old name names the note that keeps its old path among its aliases
#      (`[[Making friends]]`, `Guides/Making friends`, as for Obsidian Publish's redirects), and VK101 of a
#      link to a folder (`[[Plugins]]`) says it is one
# 115: VK103 of a heading not below the one before it names the line of the heading taken for that one
# 116: a problem in text holding a template's placeholder says what to do in a note made from a template
# 117: VK102 names the note Obsidian opens where the vault root or the linking note's own folder holds one
# 118: the opt-out and disable properties are read whatever their case (`Vaultkit_Link: false`), as
#      Obsidian names a property
# 119: VK121 at the column of the relations key, not 1 where the frontmatter is a flow mapping
# 120: a type naming a schema file of definitions only (`type: defs`) is VK011, not that file's note
# 121: the type property written in other capitals (`Type: wiki`) is VK011
# 122: VK121 is a warning, as VK120 is: what `link` would do, nothing broken
# 123: VK101's hints write a note by its path where another note has its name (`[[a/Index|Guide]]`, not
#      `[[Index|Guide]]`, an ambiguous link)
# 124: VK010 of an item a union inside a union's branch refuses gives that union's own reasons
# 125: VK101's hints write a note by its path also where an excluded note shares its name (`Archive/Index.md`)
# 126: VK102 names an excluded note at the root (or in the note's folder) as the one Obsidian opens
# 127: VK101's hints give a Markdown link where the note's name or path holds what no wikilink can (`#`)
FORMAT = 127
RACY_NS = 2_000_000_000
CACHE_FILE_LIMIT = 1 << 30  # bytes: a cache file larger is not read (as settings files beyond SETTINGS_LIMIT)

Sig = tuple[int, int, int, int]


def signature(st: os.stat_result) -> Sig:
    return (st.st_mtime_ns, st.st_size, st.st_ino, st.st_ctime_ns)


class Cache:
    def __init__(self, root: Path, fingerprint: str, enabled: bool = True) -> None:
        self.folder = root / CACHE_DIR
        self.fingerprint = fingerprint
        self.enabled = enabled and refused(root) is None
        self._swept = False  # whether this run has swept the temporaries killed runs left (`_sweep`)

    def read(self, name: str) -> Any:
        """The payload of a cache file, or None when missing, corrupt or foreign."""
        framed = self._read_framed(f"{name}.json")
        if framed is None or framed[0] != self._header(framed[1]):
            return None
        try:
            return json.loads(framed[1])
        except (ValueError, TypeError, RecursionError):
            return None

    def _read_framed(self, filename: str) -> tuple[Any, bytes] | None:
        """(header, body) of a cache file: one JSON header line, then the body. None if unreadable."""
        if not self.enabled:
            return None
        try:
            # vaultkit writes only regular files here, none near the limit (a 100 MB report on the largest
            # vaults): a shard replaced by a link to a huge file is refused unread, as a cache miss
            blob = read_regular(self.folder / filename, CACHE_FILE_LIMIT)
        except OSError:
            return None
        head, _, body = blob.partition(b"\n")
        try:
            return json.loads(head), body
        except (ValueError, RecursionError):  # a torn or foreign file, however it is broken
            return None

    def write(self, name: str, payload: Any) -> None:
        if not self.enabled:
            return
        body = json.dumps(payload, separators=(",", ":"), ensure_ascii=False).encode(
            "utf-8", "surrogateescape"
        )
        self._write_blob(f"{name}.json", json.dumps(self._header(body)).encode() + b"\n" + body)

    def _write_blob(self, filename: str, blob: bytes) -> None:
        if not self.enabled:
            return
        with contextlib.suppress(OSError):  # a read-only vault still gets checked, just not cached
            self._ensure_folder()
            self._sweep()
            fd, tmp = tempfile.mkstemp(prefix=f".{filename}.", suffix=".tmp", dir=self.folder)
            try:
                with os.fdopen(fd, "wb") as f:
                    f.write(blob)
                os.replace(tmp, self.folder / filename)
            except BaseException:  # Ctrl-C and SIGTERM (Stopped) too: no temporary file is left behind
                with contextlib.suppress(OSError):
                    os.unlink(tmp)
                raise

    def read_text(self, name: str, key: str) -> bytes | None:
        """A stored text (a rendered report), as bytes, if stored under exactly this key. Checked with its
        length and CRC-32: enough to catch a torn or foreign file, and ten times faster than SHA-256 on
        the 15 MB a large vault's JSON report takes."""
        framed = self._read_framed(f"{name}.txt")
        if framed is None or framed[0] != self._text_header(len(framed[1]), zlib.crc32(framed[1]), key):
            return None
        return framed[1]

    def write_text(self, name: str, key: str, text: str) -> None:
        body = text.encode("utf-8", "surrogateescape")
        header = self._text_header(len(body), zlib.crc32(body), key)
        self._write_blob(f"{name}.txt", json.dumps(header).encode() + b"\n" + body)

    def spool(self) -> Spool | None:
        """A text to store written a piece at a time, as it is printed (a large vault's report is 100 MB:
        never whole in memory); None where the cache cannot be written."""
        if not self.enabled:
            return None
        try:
            self._ensure_folder()
            self._sweep()
            fd, tmp = tempfile.mkstemp(prefix=SPOOL_PREFIX, suffix=".tmp", dir=self.folder)
        except OSError:
            return None
        spool = Spool(os.fdopen(fd, "wb"), tmp)
        try:
            spool.file.write(b" " * HEADER_ROOM)  # the header goes here once the text is complete (`keep`)
        except OSError:
            spool.discard()
            return None
        return spool

    def _sweep(self) -> None:
        """Remove the temporaries killed runs left behind, once they are an hour old: a SIGKILL (the
        pre-commit hook's timeout, the OOM killer, a laptop's lid) runs no handler, so its half-written cache
        file or its spooled output (a large vault's is 100 MB) stayed for good, and the folder grew. A live
        run's temporary is younger: a cache file is written and renamed at once, and a spool's mtime moves
        as the report is printed. Once a run, at its first write: a warm run, which writes nothing, pays
        nothing."""
        if self._swept:
            return
        self._swept = True
        limit = time.time() - TEMP_LIFE
        with contextlib.suppress(OSError), os.scandir(self.folder) as entries:
            for entry in entries:
                if entry.name.startswith(".") and entry.name.endswith(".tmp"):  # mkstemp's, as named here
                    with contextlib.suppress(OSError):
                        st = entry.stat(follow_symlinks=False)
                        if not stat.S_ISDIR(st.st_mode) and st.st_mtime < limit:
                            os.unlink(entry.path)

    def keep(self, spool: Spool, name: str, key: str) -> bool:
        """Store the spooled text under `key`: its header (the text's size and CRC) written in the room
        left for it, padded with spaces (JSON allows them), then the file renamed into place."""
        header = json.dumps(self._text_header(spool.size, spool.crc, key)).encode()
        try:
            if spool.failed or len(header) >= HEADER_ROOM:
                raise OSError("not stored")
            spool.file.seek(0)
            spool.file.write(header.ljust(HEADER_ROOM - 1) + b"\n")
            spool.file.close()
            os.replace(spool.path, self.folder / f"{name}.txt")
        except OSError:
            spool.discard()
            return False
        return True

    def _text_header(self, size: int, crc: int, key: str) -> dict[str, Any]:
        return {
            "format": FORMAT,
            "vaultkit": __version__,
            "fingerprint": self.fingerprint,
            "key": key,
            "size": size,
            "crc32": crc,
        }

    def _header(self, body: bytes) -> dict[str, Any]:
        return {
            "format": FORMAT,
            "vaultkit": __version__,
            "fingerprint": self.fingerprint,
            "sha256": hashlib.sha256(body).hexdigest(),
        }

    def prepare(self) -> None:
        if self.enabled:
            with contextlib.suppress(OSError):
                self._ensure_folder()

    def _ensure_folder(self) -> None:
        self.folder.mkdir(exist_ok=True)
        ignore = self.folder / ".gitignore"
        if not ignore.exists():
            ignore.write_text("# written by vaultkit: the cache is local to this machine\n*\n")
            (self.folder / "CACHEDIR.TAG").write_text(
                "Signature: 8a477f597d28d172789f06886806bc55\n# vaultkit cache: safe to delete\n"
            )


HEADER_ROOM = 1024  # bytes a spooled text keeps for its header line (about 300 are used)
SPOOL_PREFIX = ".spool."
TEMP_LIFE = 3600  # seconds: an older temporary is no live run's (one whose temporary is swept stores nothing)


@dataclass
class Spool:
    """A text being written to a temporary file of the cache folder; see `Cache.spool` and `Cache.keep`."""

    file: Any
    path: str
    size: int = 0
    crc: int = 0
    failed: bool = False  # a write failed (a full disk): the text is not stored

    def write(self, data: bytes) -> None:
        if self.failed:
            return
        try:
            self.file.write(data)
        except OSError:
            self.failed = True
            return
        self.size += len(data)
        self.crc = zlib.crc32(data, self.crc)

    def discard(self) -> None:
        with contextlib.suppress(OSError):
            self.file.close()
        with contextlib.suppress(OSError):
            os.unlink(self.path)


def refused(root: Path) -> str | None:
    """Why the vault's cache folder is not vaultkit's to use, if it is not: a real folder, or none yet.

    A symlink there (which a clone can bring: a hostile one could point it at ~/.ssh, or at another
    project, where vaultkit would write a `.gitignore` of `*`) or a file turns the cache off."""
    try:
        st = os.lstat(root / CACHE_DIR)
    except FileNotFoundError:
        return None
    except OSError as e:
        return f"cannot be read ({e.strerror})"
    if stat.S_ISLNK(st.st_mode):
        return "is a symlink"
    return None if stat.S_ISDIR(st.st_mode) else "is not a folder"


def trusted(sig: Sig, recorded_at: int) -> bool:
    """A signature is trusted only if the file had been quiet for a while when it was recorded."""
    return recorded_at - sig[0] > RACY_NS and recorded_at - sig[3] > RACY_NS


def now_ns() -> int:
    return time.time_ns()


def clean(root: Path) -> bool:
    folder = root / CACHE_DIR
    if not folder.is_dir() or folder.is_symlink():
        return False
    shutil.rmtree(folder)
    return True


SHARDS = 64  # the per-note cache files (facts, summaries, signatures, mentions, report) are split in as many


# A run asks for the shard of every note several times. An unbounded cache is a plain dict (an LRU's
# bookkeeping took 2.7 MB more on 50,000 notes); it holds the notes a process has seen, as its facts do.
@functools.cache
def shard_of(rel: str) -> int:
    return zlib.crc32(rel.encode("utf-8", "surrogateescape")) % SHARDS


@dataclass
class NoteState:
    """Every note's stat signature and digest as the last runs recorded them, in `SHARDS` files, each with
    the time it was written: a run that changed one note rewrites one small file, not the whole record."""

    entries: dict[int, dict[str, Any]] = field(default_factory=dict)
    at: dict[int, int] = field(default_factory=dict)
    stale: set[int] = field(default_factory=set)  # shards that do not match the vault as it is now
    unmatched: list[str] = field(default_factory=list)  # notes whose recorded signature was missing or off


def read_state(cache: Cache) -> NoteState:
    state = NoteState()
    for n in range(SHARDS):
        part = cache.read(f"state-{n:02d}")
        if isinstance(part, dict) and isinstance(part.get("at"), int) and isinstance(part.get("notes"), dict):
            state.entries[n], state.at[n] = part["notes"], part["at"]
    return state


def known_digests(
    root: Path, notes: Iterable[str], state: NoteState
) -> tuple[dict[str, str], dict[str, Sig]]:
    """The content hash of every note whose stat signature is unchanged (and trusted) since the last run,
    and the signatures store_state will write (`_to_store`). Marks as stale the state shards that need
    rewriting: a note changed, added or gone, or untrusted.

    Run on every note at every run: the loop does no more than the stat and one dict lookup per note."""
    digests: dict[str, str] = {}
    sigs: dict[str, Sig] = {}
    base = str(root) + os.sep
    stored: dict[str, Any] = {}
    for part in state.entries.values():
        stored.update(part)
    # a signature trusted by the oldest shard's time is trusted by its own shard's, which is no older
    oldest = min(state.at.values(), default=0)
    unmatched: list[str] = []
    stat = os.stat
    for rel in notes:
        try:
            st = stat(base + rel)  # a string join: pathlib here was a third of a warm run
        except OSError:
            continue
        sig = sigs[rel] = signature(st)
        entry = stored.get(rel)
        try:
            old, digest = entry  # type: ignore[misc]  # JSON: anything may be there
        except (TypeError, ValueError):
            unmatched.append(rel)
            continue
        if (
            old == [*sig]
            and type(digest) is str
            and (trusted(sig, oldest) or trusted(sig, state.at.get(shard_of(rel), 0)))
        ):
            digests[rel] = digest
        else:
            unmatched.append(rel)
    state.unmatched = unmatched
    state.stale.update(shard_of(rel) for rel in unmatched)
    state.stale.update(n for n, part in state.entries.items() if not part.keys() <= digests.keys())
    state.stale.update(n for n in range(SHARDS) if n not in state.at)
    return digests, _to_store(state, sigs)


def _to_store(state: NoteState, sigs: dict[str, Sig]) -> dict[str, Sig]:
    """Keep only what store_state will write, the stale shards' entries and signatures, and return those
    signatures: the state is saved at the end of the run, and the rest, held to then for nothing (all of it
    on a warm run, where no shard is stale), was ~30 MB of the peak of a 50,000-note vault's watch."""
    if len(state.stale) == SHARDS:
        return sigs
    state.entries = {n: part for n, part in state.entries.items() if n in state.stale}
    return {rel: sig for rel, sig in sigs.items() if shard_of(rel) in state.stale} if state.stale else {}


def store_state(cache: Cache, state: NoteState, sigs: dict[str, Sig], digests: Mapping[str, str]) -> None:
    """Rewrite the stale state shards (see known_digests) with every note's signature and digest."""
    if not state.stale:
        return
    now = now_ns()
    fresh: dict[int, dict[str, Any]] = {n: {} for n in state.stale}
    # A stale shard's notes: those it held, and those known_digests found unrecorded (new, or recorded in
    # another shard); not every note of the vault, a one-note run rewrites one or two shards
    members: dict[int, list[str]] = {n: list(state.entries.get(n, ())) for n in state.stale}
    for rel in state.unmatched:
        members.setdefault(shard_of(rel), []).append(rel)
    for n, part in fresh.items():
        for rel in members.get(n, ()):
            sig, digest = sigs.get(rel), digests.get(rel)
            if sig is not None and digest is not None and shard_of(rel) == n:
                part[rel] = [list(sig), digest]
    for n, notes in sorted(fresh.items()):
        if notes == state.entries.get(n) and not any(trusted(e[0], now) for e in notes.values()):
            continue  # only racy signatures, still racy: rewriting would not make them trusted
        cache.write(f"state-{n:02d}", {"at": now, "notes": notes})
        state.entries[n], state.at[n] = notes, now
    state.stale.clear()


def state_key(notes: Sequence[str], files: Sequence[str], digests: dict[str, str], extra: object) -> str:
    """One hash for "the vault exactly as it is": every note's content, every other file's name, options."""
    h = hashlib.sha256()
    h.update(json.dumps([extra, list(files)], default=str).encode("utf-8", "surrogateescape"))
    for rel in notes:
        h.update(f"{rel}\0{digests.get(rel, '')}\n".encode("utf-8", "surrogateescape"))
    return h.hexdigest()


def report_basis(schemas_fp: str, obsidian: ObsidianSettings) -> str:
    """What a stored report or output depends on beyond the cache's entries: the schemas (each note's facts
    say which of them its findings read) and the settings only a whole run reads (`run_fingerprint`)."""
    return f"{schemas_fp}\0{obsidian.run_fingerprint()}"


def run_fingerprint(config_fp: str, schemas_fp: str, obsidian_fp: str) -> str:
    """The configuration in use, as one hash: vaultkit's version, config, schemas (`""`: left out, as in the
    cache's headers) and Obsidian settings."""
    return hashlib.sha256("\0".join([__version__, config_fp, schemas_fp, obsidian_fp]).encode()).hexdigest()
