"""Find the vault, list its files the way Obsidian does, and build the index that links resolve against.

Obsidian ignores dot-files and dot-folders (`.obsidian`, `.git`, `.trash`). The paths matched by
`userIgnoreFilters` and the config's `exclude` are not checked, but links to them resolve, as in Obsidian.
Symlinked folders are not entered (a loop or a folder outside the vault must never be walked, and never
written to); symlinked files are read, not written.
"""

from __future__ import annotations

import bisect
import errno
import functools
import os
import re
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import NamedTuple

from vaultkit.cache import RACY_NS, Cache, now_ns
from vaultkit.config import CONFIG_NAME, Config
from vaultkit.errors import FatalError
from vaultkit.facts import LinkLike, NoteFacts, NoteLike
from vaultkit.obsidian import ObsidianSettings, check_config_dir
from vaultkit.paths import ALWAYS_SKIPPED, glob_match, nfc

NOTE_SUFFIX = ".md"


def is_note_name(rel: str) -> bool:
    """Does Obsidian open a file of this name as a note? Only a name ending in `.md`, in lower case: its view
    registry matches an extension as written (a plugin registering `rmd` gets no `.Rmd` file), so `Note.MD`
    is a file of the unknown extension `MD`, like an attachment. A link may still name it, as it may name any
    file (`[[Note]]` finds `Note.MD` as Obsidian finds files, ignoring case), but it holds no note."""
    return rel.endswith(NOTE_SUFFIX)


def find_root(start: Path, config_dir: str) -> Path | None:
    """The nearest folder at or above `start` holding the Obsidian config folder or a vaultkit.toml."""
    # os.path, not Path.resolve() or Path.is_dir(), which raise on a symlink loop or in a folder this user may
    # not search
    here = Path(os.path.realpath(start))
    folder = os.path.isdir(here)
    if start.name not in ("", "..") and (not folder or os.path.islink(start)):
        # a file, or a symlink given by name (pre-commit passes one to a folder too: git keeps it as a file):
        # in the folder holding it, as the whole-vault run lists it (VK205 for a symlinked folder)
        found = _root_at_or_above(Path(os.path.realpath(start.parent)), config_dir)
        if found is not None or not folder:
            return found
    # a folder, or a symlink to one outside any vault (`~/notes` -> the vault): at or above where it leads
    return _root_at_or_above(here if folder else here.parent, config_dir)


def _root_at_or_above(here: Path, config_dir: str) -> Path | None:
    return next((folder for folder in (here, *here.parents) if _is_root(folder, config_dir)), None)


def _is_root(folder: Path, config_dir: str) -> bool:
    return os.path.isdir(folder / config_dir) or os.path.isfile(folder / CONFIG_NAME)


def is_present(path: Path) -> bool:
    """Whether there is something at `path`, even something this user may not look at (in a folder without
    search permission): the run then says why it cannot read it. A broken symlink is present. A name longer
    than the file system takes names nothing: taken as present, it was looked up from the folder above it,
    the current folder's vault, whose cache `clean` removed and which `check` ended with an internal error."""
    try:
        os.lstat(path)
    except (FileNotFoundError, NotADirectoryError):
        return False
    except OSError as e:
        return e.errno != errno.ENAMETOOLONG
    return True


# What a folder holds, as os.scandir saw it: each entry's name and kind. A symlink's kind is looked up at
# every listing (its target may change while the folder holding it does not).
DIR, FILE, LINK = "d", "f", "l"


def folder_stamp(path: Path | str) -> int:
    """What changes whenever an entry of the folder is added, removed or renamed, in ns. On POSIX, its
    ctime: it changes then, and also when its permissions do (a folder made readable again must be listed
    again), which mtime does not. On Windows, ctime is when the folder was made: its mtime."""
    st = os.stat(path)
    return st.st_mtime_ns if os.name == "nt" else st.st_ctime_ns


class Folder(NamedTuple):
    stamp: int  # its folder_stamp when listed
    entries: tuple[tuple[str, str], ...]
    error: str = ""  # why it could not be read (then it has no entries)


@dataclass(frozen=True)
class Listing:
    notes: tuple[str, ...]  # vault-relative POSIX paths of Markdown notes
    files: tuple[str, ...]  # every other file: attachments, excluded notes, the report note
    skipped_links: tuple[str, ...]  # symlinked folders not entered
    folders: Mapping[str, int] = field(default_factory=dict)  # every folder walked, with its stamp then
    unreadable: tuple[tuple[str, str], ...] = ()  # folders that could not be listed, with the reason
    # what each folder held, for the next listing to reuse; only in a listing just made by list_vault
    contents: Mapping[str, Folder] = field(default_factory=dict)

    @functools.cached_property
    def note_set(self) -> frozenset[str]:
        """The notes, for membership tests (watch asks at every save: a set made each time was a pass over
        the vault)."""
        return frozenset(self.notes)

    def unlisted_folders(self) -> set[str]:
        """The folders whose notes are not checked: symlinked (VK205) or unreadable (VK206)."""
        return {*self.skipped_links, *(rel for rel, _reason in self.unreadable)}


def list_vault(
    root: Path,
    config: Config,
    obsidian: ObsidianSettings,
    report_note: str | None,
    known: Mapping[str, Folder] | None = None,
) -> Listing:
    """Every note to check, and every other file a link may name. Files hidden by `userIgnoreFilters` or
    the config's `exclude` (notes included), and the report note, are not checked but are listed with the
    attachments: Obsidian still resolves links to excluded files, it only hides them from search, the
    graph and unlinked mentions.

    `known`: folders as an earlier listing saw them. A folder whose stamp (`folder_stamp`) has not changed
    since is not read again (10,000 notes in a few folders take ~50 ms to list, their folders' stamps a
    few); every folder is still walked, so the result is the one a full listing gives."""
    known = known or {}
    notes: list[str] = []
    files: list[str] = []
    skipped: list[str] = []
    folders: dict[str, Folder] = {}
    unreadable: list[tuple[str, str]] = []
    stack = [("", root, False)]
    filtered = bool(config.exclude) or obsidian.filters
    while stack:
        prefix, folder, hidden_folder = stack.pop()
        try:
            seen = folders[prefix] = _folder(folder, known.get(prefix))
        except OSError as e:  # not even its stamp: nothing to record
            seen = Folder(0, (), e.strerror or type(e).__name__)
        if seen.error:  # its notes cannot be checked: said (VK206), never skipped silently
            if not hidden_folder and not (filtered and prefix and _excluded(prefix, config, obsidian)):
                unreadable.append((prefix.rstrip("/") or ".", seen.error))
            continue
        for name, kind in seen.entries:
            rel = prefix + name
            # Obsidian tests each file's own path against userIgnoreFilters: a folder they match does not
            # hide the files in it that they do not match (`/Archive$/`); the config's `exclude` does
            excluded = _excluded_folder if kind == DIR else _excluded
            hidden = hidden_folder or (filtered and excluded(rel, config, obsidian))
            # no link can name it, and no report can print it: said (VK201), not listed
            if not utf8_name(name):
                if not hidden:
                    unreadable.append((shown_bytes(rel), BAD_NAME))
                continue
            if kind == DIR:
                stack.append((rel + "/", folder / name, hidden))
            elif kind == LINK and os.path.isdir(folder / name):
                if not hidden and not (filtered and _excluded(rel + "/", config, obsidian)):
                    skipped.append(rel)  # excluded (`Shared/**`, say), there is nothing to say about it
            elif not hidden and rel != report_note and is_note_name(name):
                notes.append(rel)
            else:
                files.append(rel)
    stamps = {rel: f.stamp for rel, f in folders.items()}
    return Listing(
        tuple(sorted(notes)),
        tuple(sorted(files)),
        tuple(sorted(skipped)),
        stamps,
        tuple(sorted(unreadable)),
        folders,
    )


BAD_NAME = "its name is not valid UTF-8"  # the reason `list_vault` gives for such a file or folder


def utf8_name(name: str) -> bool:
    """Is this file name valid UTF-8? (os.scandir decodes other bytes as lone surrogates.)"""
    try:
        name.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def shown_bytes(rel: str) -> str:
    """A path whose name is not UTF-8, printable: the bytes that are not spelled as `\\xff`."""
    return rel.encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace")


def _folder(path: Path, known: Folder | None) -> Folder:
    """A folder's entries (or why it cannot be read): as `known` has them if its stamp is the same (and was
    not racy when recorded: `known` is only given then), else read. Raises OSError if it has no stamp."""
    stamp = folder_stamp(path)
    if known is not None and known.stamp == stamp:
        return known
    entries = []
    try:
        for entry in os.scandir(path):
            name = entry.name
            if name.startswith(".") or name in ALWAYS_SKIPPED:
                continue
            if entry.is_symlink():
                entries.append((name, LINK))
            else:
                entries.append((name, DIR if entry.is_dir(follow_symlinks=False) else FILE))
    except OSError as e:
        return Folder(stamp, (), e.strerror or type(e).__name__)
    return Folder(stamp, tuple(entries))


def listing_to_json(listing: Listing) -> dict[str, object]:
    return {
        "notes": list(listing.notes),
        "files": list(listing.files),
        "skipped": list(listing.skipped_links),
        "folders": dict(listing.folders),
        "unreadable": [list(u) for u in listing.unreadable],
    }


def current_listing(
    cache: Cache, root: Path, config: Config, obsidian: ObsidianSettings, report_note: str | None
) -> Listing:
    """The vault's files: as the last run listed them if no folder changed since; else listed again, reading
    only the folders that changed, and recorded.

    Two records: the listing (`listing`), all a run reads while no folder changes, and what each folder
    held (`folders`), read only when some folder did change."""
    stored = cache.read("listing")
    if isinstance(stored, dict) and stored.get("report") == report_note:
        found = unchanged_listing(root, stored.get("listing"), stored.get("at", 0), RACY_NS)
        if found is not None:
            return found
    at = now_ns()
    listing = list_vault(root, config, obsidian, report_note, _known_folders(cache.read("folders"), RACY_NS))
    cache.write("listing", {"at": at, "report": report_note, "listing": listing_to_json(listing)})
    contents = {rel: [f.stamp, [list(e) for e in f.entries], f.error] for rel, f in listing.contents.items()}
    cache.write("folders", {"at": at, "folders": contents})
    return listing


def unchanged_listing(root: Path, stored: object, recorded_at: int, racy_ns: int) -> Listing | None:
    """The stored listing, if no folder it walked changed since (see `folder_stamp`). A folder changed within
    `racy_ns` of the recording is not trusted (an entry added in the same clock tick would not show in its
    stamp)."""
    if not isinstance(stored, dict):
        return None
    try:
        folders = {str(rel): int(stamp) for rel, stamp in stored["folders"].items()}
        base = str(root) + os.sep
        for rel, stamp in folders.items():
            now = folder_stamp(base + rel if rel else root)
            if now != stamp or recorded_at - now <= racy_ns:
                return None
        unreadable = tuple((str(rel), str(reason)) for rel, reason in stored["unreadable"])
        notes, files, skipped = tuple(stored["notes"]), tuple(stored["files"]), tuple(stored["skipped"])
        return Listing(notes, files, skipped, folders, unreadable)
    except (KeyError, TypeError, ValueError, AttributeError, OSError):
        return None


def _known_folders(stored: object, racy_ns: int) -> dict[str, Folder]:
    """What each folder held when last listed, for the folders that had been quiet for `racy_ns` by then
    (see `list_vault`); nothing if the record is unusable."""
    if not isinstance(stored, dict):
        return {}
    try:
        recorded_at = int(stored["at"])
        return {
            str(rel): Folder(
                int(stamp), tuple((str(name), _kind(kind)) for name, kind in entries), str(error)
            )
            for rel, (stamp, entries, error) in stored["folders"].items()
            if recorded_at - int(stamp) > racy_ns
        }
    except (KeyError, TypeError, ValueError, AttributeError):
        return {}


def _kind(kind: object) -> str:
    if kind not in (DIR, FILE, LINK):
        raise ValueError(kind)
    return str(kind)


def is_unlisted(rel: str) -> bool:
    """Whether this vault-relative path is invisible to Obsidian (a dot-file, `.git`, `node_modules`)."""
    return any(part.startswith(".") or part in ALWAYS_SKIPPED for part in rel.split("/"))


def is_excluded(rel: str, config: Config, obsidian: ObsidianSettings) -> bool:
    """Whether list_vault would not check this vault-relative path (for paths met one at a time)."""
    return is_unlisted(rel) or _excluded(rel, config, obsidian)


def _excluded(rel: str, config: Config, obsidian: ObsidianSettings) -> bool:
    """Is this file excluded? As a folder would be, or by `userIgnoreFilters`, tested on its own path."""
    return _excluded_folder(rel, config, obsidian) or obsidian.is_filtered(nfc(rel))


def _excluded_folder(rel: str, config: Config, obsidian: ObsidianSettings) -> bool:
    """Is everything in this folder excluded? By a template setting or the config's `exclude`; not by
    `userIgnoreFilters`, which Obsidian tests on each file's path (`_excluded` then does)."""
    rel = nfc(rel)  # settings are NFC too: `Archivé/` hides the folder whichever form its name has on disk
    return obsidian.is_template(rel) or any(glob_match(p, rel) for p in config.exclude)


def exclusion(rel: str, config: Config, obsidian: ObsidianSettings, app_json: str) -> str:
    """Why list_vault leaves out this note that `is_excluded`: the setting that names it or a folder above it,
    as the listing meets them (`Templates/` hides `Templates/T.md`). `app_json`: that file's path as shown."""
    parts = nfc(rel).split("/")
    for path in [*("/".join(parts[:i]) + "/" for i in range(1, len(parts))), "/".join(parts)]:
        if obsidian.is_template(path):
            return "a template (Obsidian's template settings), which vaultkit leaves alone"
        if obsidian.is_filtered(path):
            return f"in Obsidian's excluded files (userIgnoreFilters in {app_json})"
        if any(glob_match(p, path) for p in config.exclude):
            return "excluded by `exclude` in vaultkit.toml"
    return "excluded (`exclude` in vaultkit.toml, Obsidian's excluded files, or a template folder)"


def note_name(rel: str) -> str:
    """A note's name as links use it: the basename without `.md`."""
    return rel.rpartition("/")[2][: -len(NOTE_SUFFIX)]


def nameable(rel: str) -> bool:
    """Can a link vaultkit writes name this note? Not when its name begins or ends with white space: a
    link's target is read trimmed (`[[ Lead]]` names `Lead`), so a link to ` Lead.md` would be broken.
    vaultkit neither links mentions of such a note nor asks other notes to list it in their relations."""
    name = note_name(rel)
    return name == name.strip()


def _key(text: str) -> str:
    """Links resolve ignoring case as Obsidian's JavaScript does (`toLowerCase`, not Unicode case
    folding): `[[STRASSE]]` does not name `Straße.md`; `[[İSTANBUL]]` names `İstanbul.md`, `[[istanbul]]`
    does not."""
    return nfc(text).lower()


# Letters of Cyrillic and Greek that look like Latin ones, each as the Latin letter it passes for (a name
# typed with a keyboard left in another layout: `Cоздать` with a Latin `C`), for hints
_LOOK_ALIKE = str.maketrans(
    "АВЕКМНОРСТХУІЈЅаеорсухіјѕԁһԛԝΑΒΕΖΗΙΚΜΝΟΡΤΥΧαοιν",
    "ABEKMHOPCTXYIJSaeopcyxijsdhqwABEZHIKMNOPTYXaoiv",
)


def look_alike_key(text: str) -> str:
    """`_key` of the text with each letter that passes for a Latin one written as that one: two names that
    read the same, in whichever scripts their letters are, have one."""
    return _key(text.translate(_LOOK_ALIKE))


def _link_key(text: str) -> str:
    """A link's path as Obsidian looks it up: lower-cased (`toLowerCase`), not normalised. Obsidian names
    each file by its NFC path (`_key`), but compares a link's text as written: an NFD `[[Café]]` (pasted
    from a macOS file name) names no file in Obsidian, whichever form the file's name has on disk."""
    return text.lower()


# The ASCII punctuation and symbols Obsidian replaces with a space on both sides before it compares a link's
# heading with a note's: all but `'`, `-` and `_` (its `stripHeading`). `_` stays, also around emphasised
# text: Obsidian's heading `_Draft_` is `_draft_`, which `[[N#Draft]]` does not name (`*Draft*` it does).
_HEADING_NOISE = re.compile(r"""[!"#$%&()*+,./:;<=>?@\[\\\]^`{|}~]""")
_SPACES = re.compile(r"\s+")


# Headings repeat across a vault ("Method", "Notes"), and so do the links to them: remember their keys.
@functools.lru_cache(maxsize=1 << 16)
def heading_key(text: str) -> str:
    """Headings as link subpaths match them: case, Unicode normal form (an NFD `Café` typed on macOS) and
    punctuation are ignored. Obsidian blanks out `? ! . , ( ) & /` and the like, not only what a link
    cannot hold (`# | ^ : %% [ ]`): its own help links `[[Frequently asked questions#How large can each
    remote vault be]]` to the heading `How large can each remote vault be?`. Case as JavaScript's
    `toLowerCase` ignores it, not Unicode case folding: `#STRASSE` does not name the heading `Straße`."""
    return _SPACES.sub(" ", _HEADING_NOISE.sub(" ", nfc(text))).strip().lower()


@dataclass(frozen=True)
class Resolution:
    target: str | None = None  # vault-relative path of the note or file
    candidates: tuple[str, ...] = ()  # more than one: ambiguous
    is_note: bool = False

    @functools.cached_property
    def case_twins(self) -> bool:
        """Whether two candidates' paths differ only in case or Unicode form (`Note.md`, `note.md`). Asked
        once per resolution, which the vault rules remember per link target: asked per link, 2,000 links
        to a name 2,000 notes share tested 4,000,000 paths."""
        return len({_key(c) for c in self.candidates}) < len(self.candidates)


@dataclass
class Index:
    """Names, paths, headings and block ids of the whole vault, for resolving links and mentions.

    `names` holds every note (full facts or a summary); `facts` the full facts of the notes whose headings
    and block ids a run needs: every note in a whole-vault run, the link targets of the notes reported on
    in a run on a few notes."""

    names: Mapping[str, NoteLike]
    facts: Mapping[str, NoteFacts]
    files: tuple[str, ...]
    by_name: dict[str, list[str]] = field(default_factory=lambda: defaultdict(list))
    by_path: dict[str, str] = field(default_factory=dict)
    file_by_name: dict[str, list[str]] = field(default_factory=lambda: defaultdict(list))
    file_by_path: dict[str, str] = field(default_factory=dict)
    twins: set[str] = field(default_factory=set)  # path keys two notes or files hold (`Note.md`, `note.md`)
    _stems: dict[str, str] | None = None
    _aliases: dict[str, str] | None = None
    _old_paths: dict[str, tuple[str, str]] | None = None
    _folders: dict[str, str] | None = None
    _look_alikes: dict[str, str] | None = None
    _backwards: tuple[list[tuple[str, str]], list[tuple[str, str]]] | None = None  # notes, files

    @classmethod
    def build(
        cls, names: Mapping[str, NoteLike], facts: Mapping[str, NoteFacts], files: Iterable[str]
    ) -> Index:
        index = cls(names, facts, tuple(files))
        by_name, by_path = index.by_name, index.by_path
        for rel in names:  # a path's key ends with its name's key: "/" neither composes nor cases
            key = _key(rel[: -len(NOTE_SUFFIX)])
            if by_path.setdefault(key, rel) != rel:
                index.twins.add(key + NOTE_SUFFIX)
            by_name[key.rpartition("/")[2]].append(rel)
        for rel in index.files:
            key = _key(rel)
            if index.file_by_path.setdefault(key, rel) != rel:
                index.twins.add(key)
            index.file_by_name[key.rpartition("/")[2]].append(rel)
        return index

    def link_name(self, rel: str) -> str:
        """What a link a hint says to write names note `rel` by: its name, or its path from the root (without
        `.md`) where another note or file has that name too, as `[[Index]]` beside `a/Index.md` and
        `b/Index.md` is ambiguous (VK102): the hint must not lead to another error. The files counted are
        those `[[Index]]` could reach (`_resolve_name`): an excluded note (`Archive/Index.md`, a file here)
        and a file named `Index` with no extension, which that link names before any note."""
        name = note_name(rel)
        key = _key(name)
        files = self.file_by_name
        if (
            len(self.by_name.get(key, ())) + len(files.get(key + NOTE_SUFFIX, ())) + len(files.get(key, ()))
            <= 1
        ):
            return name
        return rel[: -len(NOTE_SUFFIX)]

    def same_stem(self, target: str) -> str | None:
        """An attachment named like `target` plus an extension (`diagram` -> `diagram.png`), for hints."""
        if self._stems is None:
            self._stems = {}
            for rel in self.files:
                stem = _key(rel.rpartition("/")[2]).rpartition(".")[0]
                self._stems.setdefault(stem, rel)
        return self._stems.get(_key(target.rpartition("/")[2]))

    def alias_of(self, target: str) -> str | None:
        """The note that has `target` among its aliases (links do not resolve by alias), for hints."""
        if self._aliases is None:
            self._aliases = {}
            for rel, f in self.names.items():
                for alias in f.aliases:
                    self._aliases.setdefault(_key(alias), rel)
        return self._aliases.get(_key(target))

    def at_path(self, path: str) -> str | None:
        """The file, else the note, at the vault path `path` as a link writes it (`.md` optional, case
        ignored), if any: a few lookups, where `resolve` by name gathers every note of that name. An excluded
        note is a file here (`Hub.md` in `file_by_path`), and Obsidian opens it as any note: missed, the
        note of the linking note's folder was said to be opened where the root's excluded one is."""
        key = _link_key(path)
        found = self.file_by_path.get(key) or self.by_path.get(key)
        if found is None and key.endswith(NOTE_SUFFIX):
            found = self.by_path.get(key[: -len(NOTE_SUFFIX)])
        return found or self.file_by_path.get(key + NOTE_SUFFIX)

    def old_path_of(self, target: str) -> tuple[str, str] | None:
        """The note, and its alias, whose alias is a path ending in `target` (`Guides/Making friends` for
        `Making friends`): the old path Obsidian Publish redirects from, kept among the aliases of a note
        moved or renamed since (its help, *Redirect old notes*), for hints."""
        if self._old_paths is None:
            self._old_paths = {}
            for rel, f in self.names.items():
                for alias in f.aliases:
                    if "/" in alias.strip("/"):
                        self._old_paths.setdefault(_key(alias.rstrip("/").rpartition("/")[2]), (rel, alias))
        return self._old_paths.get(_key(target))

    def folder_named(self, target: str, source: str | None = None) -> str | None:
        """The folder a link's target names (`Plugins`, anywhere, by its name; `Help/Attachments/`, by its
        path from the root), of the folders that hold a note or a file: a link never names one, for hints.
        A Markdown link's path (given its note, `source`) is read as `_resolve_path` reads it: from the
        vault root, or from the note's folder (`[x](Papers/)`, `[x](../Lab)`), not by a folder's name."""
        if self._folders is None:
            self._folders = {}
            for rel in (*self.names, *self.files):
                folder = rel.rpartition("/")[0]
                while folder and _key(folder) not in self._folders:
                    self._folders[_key(folder)] = folder
                    folder = folder.rpartition("/")[0]
            for key, folder in list(self._folders.items()):
                self._folders.setdefault(key.rpartition("/")[2], folder)
        if source is None:
            return self._folders.get(_key(target.strip("/")))
        here = PurePosixPath(nfc(source)).parent
        tried = [] if target.startswith(("./", "../")) else [target.lstrip("/")]
        if not target.startswith("/"):
            tried.append(_normpath(here / target) or "")
        keys = [_key(path.strip("/")) for path in tried if path.strip("/")]
        # a folder by its path, not by its name (which the table also holds)
        return next((self._folders[k] for k in keys if _key(self._folders.get(k, "")) == k), None)

    def look_alike(self, target: str) -> str | None:
        """The note whose name reads as `target` but differs from it in letters of another script (`Cправка`,
        its `C` Latin, for a link typed `Справка`), for hints."""
        if self._look_alikes is None:
            self._look_alikes = {}
            for rel in self.names:
                self._look_alikes.setdefault(look_alike_key(note_name(rel)), rel)
        found = self._look_alikes.get(look_alike_key(target))
        return found if found is not None and _key(note_name(found)) != _key(target) else None

    def resolve(self, link: LinkLike, source: str) -> Resolution:
        target = link.target
        if not target:
            return Resolution(source, is_note=True)
        if link.kind == "markdown":
            return self._resolve_path(target, source)
        if "/" in target:
            return self._resolve_path(target, source)
        return self._resolve_name(target)

    def _resolve_name(self, target: str) -> Resolution:
        """A name, as written, then with `.md` added (`getLinkpathDest` tries `.md` only when the name as
        written matches no file): `[[report.pdf]]` is `report.pdf`, not the note `report.pdf.md`."""
        key = _link_key(target)
        return self._ending(key) or self._ending(key + NOTE_SUFFIX) or Resolution()

    def _resolve_path(self, target: str, source: str) -> Resolution:
        """A path, as Obsidian's `getLinkpathDest` reads one: from the vault root, or relative to the linking
        note when it starts with `./` or `../`; then, unless it starts with `/`, by the end of a path. All of
        that with the path as written first, then with `.md` added."""
        here = PurePosixPath(nfc(source)).parent  # as Obsidian names it; the link's part stays as written
        relative = _normpath(here / target) if target.startswith(("./", "../")) else None
        paths = [p for p in (target.lstrip("/"), relative or _normpath(here / target)) if p is not None]
        # a relative path that names no file is then matched as the path it makes; rooted: the path or nothing
        ending = None if target.startswith("/") else _link_key(relative if relative is not None else target)
        if ending is not None and (ending.startswith("./") or "/../" in "/" + ending):
            ending = None
        for suffix in ("", NOTE_SUFFIX):
            for path in paths:
                found = self._exact(_link_key(path) + suffix)
                if found is not None:
                    return found
            if ending is not None:
                found = self._ending(ending + suffix)
                if found is not None:
                    return found
        return Resolution()

    def _exact(self, key: str) -> Resolution | None:
        """The note or file at the vault path `key` (lower-cased), if any. Obsidian looks a path up ignoring
        case, so two notes whose paths differ only in case (`Note.md` and `note.md`, which a Linux clone can
        hold and Windows or macOS cannot) are both at it: the link is ambiguous, whichever case it is
        written in."""
        stem = key[: -len(NOTE_SUFFIX)] if key.endswith(NOTE_SUFFIX) else None
        note = self.by_path.get(stem) if stem is not None else None
        if note is not None and key not in self.twins:
            return Resolution(note, is_note=True)
        if note is not None:
            same = self.by_name.get(key.rpartition("/")[2][: -len(NOTE_SUFFIX)], ())
            return _at([rel for rel in same if _key(rel[: -len(NOTE_SUFFIX)]) == stem], is_note=True)
        file = self.file_by_path.get(key)
        if file is not None and key not in self.twins:
            return Resolution(file)
        if file is not None:
            same = self.file_by_name.get(key.rpartition("/")[2], ())
            return _at([rel for rel in same if _key(rel) == key], is_note=False)
        return None

    def _ending(self, key: str) -> Resolution | None:
        """The notes and files named as `key` (lower-cased) ends, and, for a path, whose lower-cased path
        ends with it, as text, the way Obsidian's `getLinkpathDest` compares them (`path.endsWith(linkpath)`):
        `folder/note.md` is `X/Folder/Note.md`, and `XFolder/Note.md` too. An excluded note or a template is
        a file Obsidian resolves the link to as well. Two matches make the link ambiguous (Obsidian takes the
        one in the linking note's folder, else the shortest path); none: None."""
        name = key.rpartition("/")[2]
        notes: Sequence[str] = (
            self.by_name.get(name[: -len(NOTE_SUFFIX)], ()) if name.endswith(NOTE_SUFFIX) else ()
        )
        files: Sequence[str] = self.file_by_name.get(name, ())
        if "/" in key and len(notes) + len(files) > _SCANNED:
            notes, files = self._ending_with(key, bool(notes))
        elif "/" in key and (notes or files):
            notes = [rel for rel in notes if _key(rel).endswith(key)]
            files = [rel for rel in files if _key(rel).endswith(key)]
        count = len(notes) + len(files)
        if count == 0:  # a bare name is looked up first as written: most find nothing, at no more cost
            return None
        if count == 1:
            return Resolution(notes[0], is_note=True) if notes else Resolution(files[0])
        return Resolution(None, tuple(sorted((*notes, *files))), is_note=bool(notes))

    def _ending_with(self, key: str, notes: bool) -> tuple[list[str], list[str]]:
        """The notes (when `notes`) and files whose lower-cased path ends with `key`, by bisecting their
        paths written backwards: testing each note of that name took time in their number for every link,
        and a vault with an `index.md` in each of 2,000 folders, each linking to the next
        (`[[p0001/index]]`), spent 8 of its 32 s checked there."""
        if self._backwards is None:
            self._backwards = (_backwards(self.names), _backwards(self.files))
        found = [_starting(table, key[::-1]) for table in self._backwards]
        return found[0] if notes else [], found[1]

    def link_text(self, target: str, source: str, obsidian: ObsidianSettings) -> str:
        """How a new link to `target` is written from `source`, following newLinkFormat. In NFC: Obsidian
        names every file by its NFC path (a macOS file system's NFD `Árbol.md` is `Árbol` there), and does
        not normalise a link's text before looking it up, so an NFD link would be broken in Obsidian."""
        return nfc(self._link_path(target, source, obsidian))

    def _link_path(self, target: str, source: str, obsidian: ObsidianSettings) -> str:
        name = note_name(target)
        fmt = obsidian.new_link_format
        if fmt == "absolute":
            return target[: -len(NOTE_SUFFIX)] if not obsidian.use_markdown_links else target
        key = _key(name)  # unique among every file Obsidian resolves a name to, excluded notes too
        unique = len(self.by_name.get(key, ())) == 1 and not self.file_by_name.get(key + NOTE_SUFFIX)
        if fmt == "relative":
            rel = _relative(target, source)
            if "/" not in rel and not unique:
                # Obsidian writes a note in the same folder by its name alone (`Index`), which another
                # `Index.md` makes ambiguous (or, as a Markdown link, the vault root's `Index.md`): `./`
                # names this folder's, so the link is written rather than left unlinked and unreported
                rel = "./" + rel
            return rel if obsidian.use_markdown_links else rel[: -len(NOTE_SUFFIX)]
        if obsidian.use_markdown_links:
            return PurePosixPath(target).name if unique else target
        return name if unique else target[: -len(NOTE_SUFFIX)]


def _relative(target: str, source: str) -> str:
    """The vault path `target` from the folder of the vault path `source`, as `os.path.relpath` writes it
    (`../Projects/Alpha.md`), by comparing folder names: relpath took 30 times as long as the rest of the
    link's text (2 of the 12 s of CPU of a `link --check` of 20,000 notes each in a folder of its own), and
    asked the system for the current folder, which fails when that folder was deleted."""
    here = source.split("/")[:-1]
    there = target.split("/")
    common = 0
    while common < len(here) and common < len(there) - 1 and here[common] == there[common]:
        common += 1
    return "/".join([".."] * (len(here) - common) + there[common:])


_SCANNED = 16  # notes and files of one name tested one by one; more are found in `Index._backwards`


def _backwards(rels: Iterable[str]) -> list[tuple[str, str]]:
    return sorted((_key(rel)[::-1], rel) for rel in rels)


def _starting(table: list[tuple[str, str]], prefix: str) -> list[str]:
    """The paths of `table` whose backwards key starts with `prefix`: a run of it, since it is sorted."""
    found = []
    for i in range(bisect.bisect_left(table, (prefix,)), len(table)):
        if not table[i][0].startswith(prefix):
            break
        found.append(table[i][1])
    return found


def _at(rels: Sequence[str], is_note: bool) -> Resolution:
    """The one note or file at a path, or the several whose paths differ only in case."""
    if len(rels) == 1:
        return Resolution(rels[0], is_note=is_note)
    return Resolution(None, tuple(sorted(rels)), is_note=is_note)


def _normpath(path: PurePosixPath) -> str | None:
    parts: list[str] = []
    for part in path.parts:
        if part == "..":
            if not parts:
                return None
            parts.pop()
        elif part != ".":
            parts.append(part)
    return "/".join(parts)


class Vaults(NamedTuple):
    roots: dict[Path, list[Path]]  # vault root -> the paths given inside it (none: the whole vault)
    skipped: list[Path]  # paths given that are in no vault


MAKE_A_VAULT = "open it in Obsidian once, or create an empty vaultkit.toml in it"  # watch has no --vault
# check and link: --vault helps this run; a vaultkit.toml the hook and CI too (they find a vault by its paths)
GIVE_A_VAULT = "pass --vault DIR, or create an empty vaultkit.toml at the vault's root"


def vault_argument_hint(command: str, vault: Path | None) -> str:
    """The advice of a command that takes the vault as its argument (no --vault): name it, or make one."""
    return MAKE_A_VAULT if vault else f"run it in the vault, or name its folder: `vaultkit {command} VAULT`"


def resolve_vault(
    paths: Iterable[Path], vault: Path | None, config_dir: str, hint: str = GIVE_A_VAULT
) -> dict[Path, list[Path]]:
    """The vault roots of the given paths, each with the paths inside it (see `find_vaults`)."""
    return find_vaults(paths, vault, config_dir, hint).roots


def find_vaults(
    paths: Iterable[Path], vault: Path | None, config_dir: str, hint: str = GIVE_A_VAULT
) -> Vaults:
    """Group the given paths by vault root; with --vault every path belongs to that vault.

    Files outside any vault are skipped (the caller says so): a commit may touch files beside the vault (a
    README), and one touching only those has nothing to check. A folder outside any vault, or the current
    folder when no path is given, is an error when nothing else is checked: a vault not found there (its
    `.obsidian/` not checked out, say) must not pass as a clean run."""
    check_config_dir(config_dir)  # before it is looked for: a path there would name another folder's vault
    groups: dict[Path, list[Path]] = defaultdict(list)
    given = list(paths)
    if vault is not None:
        root = Path(os.path.realpath(vault))
        if not os.path.isdir(root):
            raise FatalError(f"--vault {vault}: not a folder")
        groups[root] = given
        return Vaults(groups, [])
    outside: list[Path] = []
    for path in given or [Path.cwd()]:
        if not is_present(path):
            raise FatalError(f"{path}: no such file or folder")
        found = find_root(path, config_dir)
        if found is None:
            outside.append(path)
        else:
            groups[found].append(path)
    folder = next((p for p in outside if os.path.isdir(p)), None)
    if folder is not None and not groups:
        raise FatalError(
            f"{folder}: not inside an Obsidian vault (no {config_dir}/ folder or {CONFIG_NAME} found in "
            f"{folder.resolve()} or above){_vaults_below_or(folder, config_dir, hint)}"
        )
    return Vaults(groups, outside)


def _vaults_below_or(folder: Path, config_dir: str, hint: str) -> str:
    """The end of the "not inside a vault" error: the vaults one or two levels below the folder (a repository
    whose vault is `notes/` or `docs/vault/`), or else the hint. A vaultkit.toml made there, as the hint
    says, would make the whole repository (its README, its docs) one vault. Only on this error path: a
    listing of the folder and of the folders in it that are no vault (at most _LOOKED_INTO of them), and at
    most _LOOKED_AT folders asked whether they are a vault, each a stat or two, in the order of their names:
    a folder of a data set below can hold 100,000 folders, which took seconds before the error. The
    names are the folder's own (`notes/`), whatever path it was given by: the error's paths are shown from
    the current folder, and a list of several would not read as paths."""
    names: list[str] = []
    below: list[tuple[str, Path]] = []
    looked = _subfolders(folder, _LOOKED_AT)
    for name, path, linked in looked:
        if _is_root(path, config_dir):
            names.append(f"{name}/")
        elif len(below) < _LOOKED_INTO and not linked:  # `loop -> .` named `loop/notes/` beside `notes/`
            below.append((name, path))
    left = _LOOKED_AT - len(looked)
    for name, path in below:
        if left <= 0:
            break
        inner = _subfolders(path, left)
        left -= len(inner)
        names += (f"{name}/{n}/" for n, p, _ in inner if _is_root(p, config_dir))
    names.sort()
    if not names:
        return f"; {hint}"
    names = [_shown_name(name) for name in names]
    if len(names) == 1:
        return f", but its folder {names[0]} is one: give that folder"
    if len(names) > _SHOWN_VAULTS + 1:  # a folder of many vaults (~/Vaults, /tmp): the first few, a count
        names = [*names[:_SHOWN_VAULTS], f"{len(names) - _SHOWN_VAULTS:,} more"]
    return f", but its folders {', '.join(names[:-1])} and {names[-1]} are vaults: give one of them"


_SHOWN_VAULTS = 5  # as many as an ambiguous link's notes (rules.base.SHOWN_CANDIDATES)
_LOOKED_INTO = 100  # the folders of a folder whose own folders are looked at (~/ or /tmp holds thousands)
_LOOKED_AT = 2_000  # the folders asked whether they are a vault, in all (a stat or two each)


def _shown_name(name: str) -> str:
    """A folder's name as the error shows it: a newline in it would start a line of its own (the error is
    shown line by line), a byte that is not UTF-8 is spelled as `\\xff`, as a note's path is."""
    from vaultkit.report.text import printable

    return printable(shown_bytes(name))


def _subfolders(folder: Path, most: int) -> list[tuple[str, Path, bool]]:
    """The first `most` folders in `folder`, by name, that Obsidian would enter (`is_unlisted`: not hidden,
    not node_modules), and whether each is a symlink (not looked into, as `list_vault` enters none: one
    leading back up named its parent's vaults again under its name); none if it cannot be listed (a folder
    this user may not read). By name, not in the order the file system lists them: the same folders are
    looked at on every machine."""
    try:
        with os.scandir(folder) as entries:
            found = [
                (entry.name, Path(entry.path), entry.is_symlink())
                for entry in entries
                if not is_unlisted(entry.name) and entry.is_dir()
            ]
    except OSError:
        return []
    return sorted(found)[:most]
