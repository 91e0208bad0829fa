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
from dataclasses import dataclass, field
from pathlib import Path

from vaultkit import frontmatter, markdown
from vaultkit.frontmatter import Frontmatter, Problem
from vaultkit.markdown import BodyScan

BOM = "\ufeff"
_UTF16_BOMS = (b"\xff\xfe", b"\xfe\xff")
_NEWLINE = re.compile(r"\n")


@dataclass(frozen=True)
class RawFile:
    """The bytes of a note as read, with what is needed to write it back unchanged."""

    data: bytes
    digest: str
    mode: int
    mtime_ns: int
    size: int


@dataclass
class Note:
    rel: str
    raw: RawFile | None
    text: str = ""  # decoded, without the BOM
    bom: bool = False
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


def read_raw(path: Path, max_bytes: int) -> tuple[RawFile | None, Problem | None]:
    """Read a file's bytes; a Problem (code VK201/VK204) instead of an exception."""
    try:
        st = os.stat(path)
        if st.st_size > max_bytes:
            mb = st.st_size / 1_000_000
            return None, Problem("VK204", 1, 1, f"note is {mb:.1f} MB, over the {max_bytes / 1e6:g} MB limit")
        with open(path, "rb") as f:
            data = f.read(max_bytes + 1)
    except OSError as e:
        return None, Problem("VK201", 1, 1, _os_reason(e, path))
    if len(data) > max_bytes:
        return None, Problem("VK204", 1, 1, f"note grew over the {max_bytes / 1e6:g} MB limit while read")
    digest = hashlib.sha256(data).hexdigest()
    return RawFile(data, digest, st.st_mode, st.st_mtime_ns, st.st_size), None


def _os_reason(e: OSError, path: Path) -> str:
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
    if data.startswith(_UTF16_BOMS):
        return None, False, Problem("VK202", 1, 1, "file is UTF-16 (it starts with a UTF-16 BOM); save it as UTF-8")
    if b"\x00" in data[:8192] or data.startswith(b"\x89PNG"):
        return None, False, Problem("VK203", 1, 1, "binary file (it contains NUL bytes): not a Markdown note")
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as e:
        line = data.count(b"\n", 0, e.start) + 1
        col = len(data[data.rfind(b"\n", 0, e.start) + 1 : e.start].decode("utf-8", "replace")) + 1
        return None, False, Problem(
            "VK202", line, col, f"not valid UTF-8 (byte 0x{data[e.start]:02x} at line {line}, column {col})"
        )
    if "\x00" in text:
        line = text.count("\n", 0, text.index("\x00")) + 1
        return None, False, Problem("VK203", line, 1, "the note contains a NUL character")
    bom = text.startswith(BOM)
    return (text[1:] if bom else text), bom, None


def parse(rel: str, raw: RawFile) -> Note:
    """Decode and parse a note's bytes; file-level failures become problems."""
    note = Note(rel, raw)
    text, bom, problem = decode(raw.data)
    if problem is not None or text is None:
        note.problems.append(problem or Problem("VK202", 1, 1, "cannot decode"))
        return note
    note.text, note.bom = text, bom
    note.line_starts = [0, *(m.end() for m in _NEWLINE.finditer(text))]
    note.fm = frontmatter.split(text)
    frontmatter.load(text, note.fm)
    note.problems.extend(note.fm.problems)
    first_body_line = note.position(note.fm.body_start)[0] if note.fm.present else 1
    note.body = markdown.scan(text[note.fm.body_start :], first_body_line)
    return note


def read_note(path: Path, rel: str, max_bytes: int) -> Note:
    raw, problem = read_raw(path, max_bytes)
    if raw is None:
        note = Note(rel, None)
        if problem is not None:
            note.problems.append(problem)
        return note
    return parse(rel, raw)


def body_digest(body: str) -> str:
    """The `sha256` property's normalisation: the body as UTF-8 with LF line endings."""
    normalised = body.replace("\r\n", "\n").replace("\r", "\n")
    return hashlib.sha256(normalised.encode("utf-8")).hexdigest()
