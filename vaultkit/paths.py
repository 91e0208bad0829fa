"""Vault-relative path helpers: glob matching and the folders vaultkit never enters; reading a file that
must be a regular one, and whether a note is read-only. Light to import: runs answered from the cache use
it without loading the parser."""

from __future__ import annotations

import errno
import functools
import os
import re
import stat
import unicodedata
from pathlib import Path

ALWAYS_SKIPPED = frozenset({".git", ".trash", ".vaultkit_cache", "node_modules"})


@functools.lru_cache(maxsize=256)
def glob_to_regex(pattern: str) -> re.Pattern[str]:
    """A vault-relative glob: `*` within a folder name, `**` across folders, `/`-suffix for a folder.

    A pattern without a `/` matches a file or folder name at any depth, as in .gitignore.
    """
    pat = nfc(pattern.strip())  # names are compared in NFC (glob_match)
    folder = pat.endswith("/")
    pat = pat.strip("/")
    anywhere = "/" not in pat
    out = []
    i = 0
    while i < len(pat):
        if pat.startswith("**/", i):
            out.append("(?:.*/)?")
            i += 3
        elif pat[i] == "*":
            wide = pat.startswith("**", i)
            piece, i = _star(pat, i + (2 if wide else 1), wide, len(out))
            out.append(piece)
        elif pat[i] == "?":
            out.append("[^/]")
            i += 1
        else:
            out.append(re.escape(pat[i]))
            i += 1
    body = "".join(out)
    prefix = "(?:.*/)?" if anywhere else ""
    suffix = "/.*" if folder else "(?:/.*)?"
    return re.compile(f"{prefix}{body}{suffix}", re.IGNORECASE | re.DOTALL)


def _star(pat: str, i: int, wide: bool, n: int) -> tuple[str, int]:
    """A star (`**` if `wide`) whose fixed part (letters, `?`) starts at `i`. Followed by a star that takes
    as much (a `*` after a `*`, anything after a `**`), the star takes the fixed part's first occurrence
    once, as fnmatch translates it (a group it cannot backtrack into): `*a*a*a...` read as `[^/]*a[^/]*a...`
    backtracked over every way the stars can share a name of many a's."""
    any_char = ".*" if wide else "[^/]*"
    end = i
    while end < len(pat) and pat[end] not in "*/":
        end += 1
    if end == i or end == len(pat) or pat[end] != "*" or (wide and not pat.startswith("**", end)):
        return any_char, i
    if pat.startswith("**/", end):
        return any_char, i  # `**/` may match nothing: the part may need a later occurrence
    fixed = "".join("[^/]" if c == "?" else re.escape(c) for c in pat[i:end])
    return f"(?=(?P<g{n}>{any_char}?{fixed}))(?P=g{n})", end


def glob_match(pattern: str, rel_path: str) -> bool:
    """Does the glob match the path? Both are compared in NFC, as link names are: a folder name written
    in NFD (as macOS file systems have written them) is still `Archivé/**`."""
    return glob_to_regex(pattern).fullmatch(nfc(rel_path)) is not None


def nfc(text: str) -> str:
    return unicodedata.normalize("NFC", text)


# The largest settings file (vaultkit.toml, pyproject.toml, .obsidian/*.json) and schema read: one of
# gigabytes was read whole, twice its size in memory
SETTINGS_LIMIT = 16 << 20
SCHEMA_LIMIT = 64 << 20


def read_regular(path: Path, limit: int | None = None) -> bytes:
    """A file's bytes, opened without blocking; OSError if it is no regular file, or larger than `limit`
    bytes. A named pipe would wait for a writer that may never come (where the report note goes, or in the
    cache), and a symlink to a device read until memory runs out (git keeps symlinks: a cache committed by
    mistake comes back with them)."""
    fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0))
    with open(fd, "rb", closefd=True) as f:
        st = os.fstat(f.fileno())
        if not stat.S_ISREG(st.st_mode):
            raise OSError(errno.EINVAL, "it is not a regular file")
        if limit is None:
            return f.read()
        data = f.read(limit + 1) if st.st_size <= limit else b""  # it may grow as it is read
        if st.st_size > limit or len(data) > limit:
            raise OSError(errno.EFBIG, f"it is larger than {limit >> 20} MB")
        return data


def not_a_folder(folder: Path) -> str | None:
    """Why `folder` is no folder ("is not a folder", "does not exist"), or None if it is one. os.path, not
    Path.is_dir: that raises on a name too long for the file system, or in a folder one cannot search."""
    if os.path.isdir(folder):
        return None
    return "is not a folder" if os.path.exists(folder) else "does not exist"


def read_only_stat(path: str | Path, st: os.stat_result) -> bool:
    """Would the writer refuse this note as read-only? No write permission bit at all (even root keeps its
    hands off), or none for this user. `st` is the note's own stat, which its caller already holds."""
    return not st.st_mode & (stat.S_IWUSR | stat.S_IWGRP | stat.S_IWOTH) or not os.access(path, os.W_OK)


def relative_names(message: str) -> str:
    """The files an error names, relative to the current folder when inside it, as diagnostics show them (a
    hook runs at the top of the repository: `notes/vaultkit.toml`, not `/home/ada/repo/notes/vaultkit.toml`);
    a schema folder reached through `..` (`notes/../schemas/raw.schema.json`) by its own path."""
    try:
        cwd = os.getcwd()
    except OSError:
        return message
    base = cwd.rstrip(os.sep) + os.sep

    def shown(match: re.Match[str]) -> str:
        path = os.path.normpath(match.group(0))
        return path[len(base) :] if path.startswith(base) else match.group(0)

    return re.sub(re.escape(base) + r"[^:\n'\"]*", shown, message) if base in message else message
