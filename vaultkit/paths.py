"""Vault-relative path helpers: glob matching and the folders vaultkit never enters."""

from __future__ import annotations

import functools
import re
import unicodedata

ALWAYS_SKIPPED = frozenset({".git", ".trash", ".vaultkit_cache", "node_modules"})


@functools.lru_cache(maxsize=256)
def glob_to_regex(pattern: str) -> re.Pattern[str]:
    """A vault-relative glob: `*` within a folder name, `**` across folders, `/`-suffix for a folder.

    A pattern without a `/` matches a file or folder name at any depth, as in .gitignore.
    """
    pat = pattern.strip()
    folder = pat.endswith("/")
    pat = pat.strip("/")
    anywhere = "/" not in pat
    out = []
    i = 0
    while i < len(pat):
        if pat.startswith("**/", i):
            out.append("(?:.*/)?")
            i += 3
        elif pat.startswith("**", i):
            out.append(".*")
            i += 2
        elif pat[i] == "*":
            out.append("[^/]*")
            i += 1
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


def glob_match(pattern: str, rel_path: str) -> bool:
    return glob_to_regex(pattern).fullmatch(rel_path) is not None


def nfc(text: str) -> str:
    return unicodedata.normalize("NFC", text)
