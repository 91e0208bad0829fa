"""A note read from disk and parsed once: text, frontmatter (with node positions), body scan, line table.

Reading never raises for a bad file: unreadable, binary, non-UTF-8 and oversized notes come back with a
file-level Problem instead of text.
"""

from __future__ import annotations

import bisect
import errno
import hashlib
import os
import re
import stat
from dataclasses import dataclass, field
from pathlib import Path

from vaultkit import frontmatter, markdown
from vaultkit.frontmatter import Frontmatter, Problem
from vaultkit.markdown import BodyScan

BOM = "\ufeff"
# The first line of the report note (`--report`): a note that starts with it is vaultkit's output, not the
# user's, and is never checked or linked, nor a source of links, also on runs not told it is the report.
REPORT_MARKER = "<!-- vaultkit-report: written by vaultkit, do not edit -->"
# The codes of a note that was not read (unreadable, not UTF-8, binary, too large): no other check ran on it.
NOT_READ = frozenset({"VK201", "VK202", "VK203", "VK204"})
_UTF16_BOMS = (b"\xff\xfe", b"\xfe\xff")
_AS_UTF8 = "; save as UTF-8"
_UTF32_BOMS = (b"\xff\xfe\x00\x00", b"\x00\x00\xfe\xff")
_NEWLINE = re.compile(r"\n")
_LONE_CR = re.compile(r"\r(?!\n)")


@dataclass(frozen=True)
class RawFile:
    """The bytes of a note as read (the writer compares the file with them before it replaces it), and
    their SHA-256."""

    data: bytes
    digest: str


@dataclass
class Note:
    rel: str
    raw: RawFile | None
    text: str = ""  # decoded, without the BOM, as analysed (see `lines_view`)
    bom: bool = False
    lone_cr: bool = False  # the file breaks lines with a bare CR (old Mac style) somewhere
    fm: Frontmatter = field(default_factory=Frontmatter)
    body: BodyScan = field(default_factory=BodyScan)
    problems: list[Problem] = field(default_factory=list)
    line_starts: list[int] = field(default_factory=list)

    @property
    def readable(self) -> bool:
        return self.raw is not None and not any(p.code.startswith("VK2") for p in self.problems)

    def position(self, offset: int) -> tuple[int, int]:
        """1-based line and column of a character offset into `text`."""
        k = bisect.bisect_right(self.line_starts, offset) - 1
        return k + 1, offset - self.line_starts[k] + 1

    @property
    def body_text(self) -> str:
        return self.text[self.fm.body_start :]


def is_report(path: Path) -> bool:
    """Is this a regular file that starts with the report marker (after a BOM, as a parse reads it: see
    analyze.py): a report vaultkit wrote, not a note? It reads the marker's length only, and opens as
    read_raw does: a named pipe does not block the open, and anything but a regular file is no report.
    engine (--report), --output-file and the report's writer (starts_with_marker) all ask this."""
    marker = REPORT_MARKER.encode()
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0))
        with open(fd, "rb", closefd=True) as f:
            if not stat.S_ISREG(os.fstat(f.fileno()).st_mode):
                return False
            head = f.read(len(marker) + 3)
    except OSError:
        return False
    return starts_with_marker(head)


def starts_with_marker(data: bytes, marker: str = REPORT_MARKER) -> bool:
    """Do these bytes start with the marker, after a BOM if there is one (an editor may save one)?"""
    return data.removeprefix(BOM.encode()).startswith(marker.encode())


def _size(n: int) -> str:
    """A size as people read it: `812 bytes`, `3.2 kB`, `5 MB` (decimal units, as file managers show)."""
    if n < 1000:
        return f"{n} byte" if n == 1 else f"{n} bytes"
    if n < 1_000_000:
        return f"{n / 1000:.3g} kB"
    return f"{n / 1_000_000:.3g} MB"


def _sizes(n: int, limit: int) -> tuple[str, str]:
    """A size and the limit it is over, as people read them, or to the byte where they would read alike
    (`5 MB, over the limit of 5 MB` said nothing of a note one byte over)."""
    size, most = _size(n), _size(limit)
    return (f"{n:,} bytes", f"{limit:,} bytes") if size == most else (size, most)


def read_raw(path: Path, max_bytes: int) -> tuple[RawFile | None, Problem | None]:
    """Read a file's bytes; a Problem (code VK201/VK204) instead of an exception."""
    try:
        # O_NONBLOCK: opening a named pipe must not wait for a writer; the type is checked on the open file,
        # so a file swapped for something else between listing and reading is seen for what it is
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0))
        try:  # the descriptor itself, not a file object around it: that cost as much as the read
            st = os.fstat(fd)
            if not stat.S_ISREG(st.st_mode):
                return None, Problem("VK201", 1, 1, f"not a regular file ({_kind(st.st_mode)}): not read")
            if st.st_size > max_bytes:
                size, limit = _sizes(st.st_size, max_bytes)
                over = f"note is {size}, over the limit of {limit} (max_note_bytes)"
                return None, Problem("VK204", 1, 1, over)
            # a read of n allocates n bytes first: asking for the size (not the limit) costs a quarter as much
            data = _read_upto(fd, st.st_size + 1)
            if len(data) > st.st_size:  # it grew since fstat (or reports no size): the rest, to the limit
                data += _read_upto(fd, max_bytes + 1 - len(data))
        finally:
            os.close(fd)
    except OSError as e:
        return None, Problem("VK201", 1, 1, _not_regular(path) or os_reason(e, path))
    if len(data) > max_bytes:
        return None, Problem("VK204", 1, 1, f"note grew over the limit of {_size(max_bytes)} while read")
    digest = hashlib.sha256(data).hexdigest()
    return RawFile(data, digest), None


def _read_upto(fd: int, size: int) -> bytes:
    """`size` bytes from the descriptor, or fewer at the end of the file (one read may return fewer)."""
    data = os.read(fd, size)
    while 0 < len(data) < size and (more := os.read(fd, size - len(data))):
        data += more
    return data


def _not_regular(path: Path) -> str | None:
    """What a file that could not be opened is, if no regular file: a socket cannot be opened at all."""
    try:
        mode = os.stat(path).st_mode
    except OSError:
        return None
    return None if stat.S_ISREG(mode) else f"not a regular file ({_kind(mode)}): not read"


def _kind(mode: int) -> str:
    if stat.S_ISFIFO(mode):
        return "a named pipe"
    if stat.S_ISSOCK(mode):
        return "a socket"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "a device"
    if stat.S_ISDIR(mode):
        return "a folder"
    return "not a file"


def os_reason(e: OSError, path: Path) -> str:
    """Why the note at `path` could not be read, in words."""
    if e.errno == errno.ENOENT and os.path.islink(path):
        return f"broken symlink: it points to '{os.readlink(path)}', which does not exist"
    if e.errno == errno.ELOOP:
        return "symlink loop: the link points back to itself"
    if e.errno == errno.ENOENT:
        return "the file disappeared while vaultkit was reading the vault"
    if e.errno in (errno.EACCES, errno.EPERM):
        return "cannot read the file: permission denied"
    if e.errno == errno.EISDIR:
        return "expected a file, found a folder"
    return f"cannot read the file: {e.strerror or e}"


def decode(data: bytes) -> tuple[str | None, bool, Problem | None]:
    """UTF-8 with an optional BOM, as Obsidian writes; anything else is a Problem."""
    for boms, name in ((_UTF32_BOMS, "UTF-32"), (_UTF16_BOMS, "UTF-16")):
        if data.startswith(boms):
            said = f"file is {name} (it starts with a {name} BOM){_AS_UTF8}{_converted_from(data, name)}"
            return None, False, Problem("VK202", 1, 1, said)
    if b"\x00" in data[:8192] or data.startswith(b"\x89PNG"):
        if (utf16 := _utf16_without_bom(data)) is not None:
            said = f"file is UTF-16 without a BOM (every other byte is zero){_AS_UTF8}"
            said += f" (iconv -f {utf16} -t UTF-8)"
            return None, False, Problem("VK202", 1, 1, said)
        return None, False, Problem("VK203", 1, 1, "binary file (it contains NUL bytes): not a Markdown note")
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as e:
        line = data.count(b"\n", 0, e.start) + 1
        col = len(data[data.rfind(b"\n", 0, e.start) + 1 : e.start].decode("utf-8", "replace")) + 1
        return (
            None,
            False,
            Problem(
                "VK202",
                line,
                col,
                f"not valid UTF-8 (byte 0x{data[e.start]:02x} at line {line}, column {col})"
                + _windows_1252_hint(data),
            ),
        )
    if "\x00" in text:
        line = text.count("\n", 0, text.index("\x00")) + 1
        return None, False, Problem("VK203", line, 1, "the note contains a NUL character")
    bom = text.startswith(BOM)
    return (text[1:] if bom else text), bom, None


def _converted_from(data: bytes, name: str) -> str:
    """How to convert a file its BOM says is UTF-16 or UTF-32, if it decodes as that (else no guess)."""
    try:
        data.decode(name.lower())
    except UnicodeDecodeError:
        return ""
    return f" (iconv -f {name} -t UTF-8)"


def _utf16_without_bom(data: bytes) -> str | None:
    """UTF-16LE or UTF-16BE if the bytes are text in it with no BOM: zero in every other byte of the first
    8 KB but for a tenth (text mostly in the first 256 characters, as Notepad's "Unicode" makes it), none
    in the others, and the whole decodes with no control character. Else None: binary."""
    if len(data) % 2 or data.startswith(b"\x89PNG"):
        return None
    head = data[:8192]
    for name, high, low in (("UTF-16LE", head[1::2], head[0::2]), ("UTF-16BE", head[0::2], head[1::2])):
        if b"\x00" not in low and high.count(0) * 10 >= len(high) * 9:
            try:
                text = data.decode(name.lower())
            except UnicodeDecodeError:
                return None
            return None if _CONTROL.search(text) else name
    return None


# A control character but tab, line feed, form feed and carriage return: no text in Windows-1252 holds one
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0e-\x1f\x7f]")


def _windows_1252_hint(data: bytes) -> str:
    """A note that is not UTF-8 said to be Windows-1252 only where nothing else is likely: it decodes as
    Windows-1252 with no control character, and neither as Shift-JIS nor as GB18030, which read any text
    whose bytes over 0x7F come in pairs (`Grüße` is a Chinese character in GB18030). Latin-1 text of one
    accented letter before a space or a comma reads only as the first. Runs on notes refused only."""
    try:
        text = data.decode("cp1252")
    except UnicodeDecodeError:
        return ""
    if _CONTROL.search(text):
        return ""
    for other in ("shift_jis", "gb18030"):
        try:
            data.decode(other)
        except UnicodeDecodeError:
            continue
        return ""
    return "; it reads as Windows-1252 (Latin-1): convert it with iconv -f WINDOWS-1252 -t UTF-8"


def parse(rel: str, raw: RawFile) -> Note:
    """Decode and parse a note's bytes; file-level failures become problems."""
    note = Note(rel, raw)
    text, bom, problem = decode(raw.data)
    if problem is not None or text is None:
        note.problems.append(problem or Problem("VK202", 1, 1, "cannot decode"))
        return note
    text, note.lone_cr = lines_view(text)
    note.text, note.bom = text, bom
    note.line_starts = [0, *map(re.Match.end, _NEWLINE.finditer(text))]
    note.fm = frontmatter.split(text)
    frontmatter.load(text, note.fm)
    note.problems.extend(note.fm.problems)
    first_body_line = note.position(note.fm.body_start)[0] if note.fm.present else 1
    note.body = markdown.scan(text[note.fm.body_start :], first_body_line)
    return note


def lines_view(text: str) -> tuple[str, bool]:
    """The text as analysed, and whether it differs from the file's: a bare CR, which Markdown and YAML
    both take for a line break (old Mac files), is read as LF. One character for one, so every offset is
    the file's own and an edit lands where it should; nothing of this view is ever written."""
    if "\r" not in text or _LONE_CR.search(text) is None:
        return text, False
    return _LONE_CR.sub("\n", text), True


def read_note(path: Path, rel: str, max_bytes: int) -> Note:
    raw, problem = read_raw(path, max_bytes)
    if raw is None:
        note = Note(rel, None)
        if problem is not None:
            note.problems.append(problem)
        return note
    return parse(rel, raw)


def body_digest(body: str) -> str:
    """The `sha256` property's normalisation: the body as UTF-8 with LF line endings (most bodies have no
    CR: not copied twice for nothing)."""
    normalised = body.replace("\r\n", "\n").replace("\r", "\n") if "\r" in body else body
    return hashlib.sha256(normalised.encode("utf-8")).hexdigest()
