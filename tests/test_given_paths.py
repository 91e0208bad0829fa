"""What `check` and `link` do with the paths they are given: files beside the vault, symlink loops, notes in
folders that cannot be read."""

from __future__ import annotations

import errno
import os
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from conftest import VaultFactory, run_cli, snapshot


@pytest.mark.parametrize("command", ["check", "link"])
def test_only_files_outside_any_vault_are_skipped(
    make_vault: VaultFactory, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, command: str
) -> None:
    """A commit touching only the README beside the vault: the hook said "not inside an Obsidian vault"
    and exited 2; there is nothing to check, so it says what it skipped and passes."""
    make_vault({"A.md": "See [[B]].\n"}, name="repo/vault")
    repo = tmp_path / "repo"
    (repo / "README.md").write_text("# The repository\n")
    monkeypatch.chdir(repo)
    before = snapshot(repo)
    result = run_cli(command, "README.md")
    assert result.exit_code == 0, result.output
    assert "skipped README.md: not inside a vault" in result.stderr
    assert "Traceback" not in result.output
    assert snapshot(repo) == before


@pytest.mark.parametrize(
    ("command", "args"),
    [
        ("check", ()),
        ("link", ()),
        ("check", (".",)),
        ("watch", ()),
        ("clean", ()),
        ("obsidian-types", ()),
        ("check", ("repo",)),
        ("watch", ("repo",)),
    ],
)
def test_a_folder_holding_a_vault_names_it(
    make_vault: VaultFactory,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    command: str,
    args: tuple[str, ...],
) -> None:
    """At the top of a repository whose vault is one folder of it (`repo/notes/`), `vaultkit check` said
    "not inside an Obsidian vault ...; pass --vault DIR, or create an empty vaultkit.toml at the vault's root",
    and `vaultkit watch` "open it in Obsidian once, or create an empty vaultkit.toml in it": a vaultkit.toml
    there would make the whole repository (its README, its docs) one vault. It names the vault below."""
    make_vault({"A.md": "See [[B]].\n"}, name="repo/notes")
    (tmp_path / "repo" / "docs").mkdir()
    (tmp_path / "repo" / "README.md").write_text("# The repository\n")
    monkeypatch.chdir(tmp_path if args == ("repo",) else tmp_path / "repo")
    before = snapshot(tmp_path / "repo")
    result = run_cli(command, *args)
    assert result.exit_code == 2, result.output
    assert "not inside an Obsidian vault" in result.stderr
    assert "but its folder notes/ is one: give that folder" in result.stderr, result.stderr
    assert "vaultkit.toml in it" not in result.stderr and "--vault" not in result.stderr
    assert snapshot(tmp_path / "repo") == before


def test_a_folder_holding_two_vaults_names_both(
    make_vault: VaultFactory, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    make_vault({"A.md": "x\n"}, name="repo/notes")
    (tmp_path / "repo" / "journal").mkdir()
    (tmp_path / "repo" / "journal" / "vaultkit.toml").write_text("")
    (tmp_path / "repo" / ".hidden" / ".obsidian").mkdir(parents=True)  # not a folder Obsidian would open
    monkeypatch.chdir(tmp_path / "repo")
    result = run_cli("check")
    assert result.exit_code == 2, result.output
    assert "but its folders journal/ and notes/ are vaults: give one of them" in result.stderr, result.stderr


def test_a_folder_holding_many_vaults_names_the_first_five(
    make_vault: VaultFactory, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Run in a folder of many vaults (~/Vaults, /tmp), the error named every one of them, in one line of any
    length (83 in /tmp on a test machine); as an ambiguous link's notes, the first five and how many more."""
    for i in range(1, 9):
        make_vault({"A.md": "x\n"}, name=f"many/v{i}")
    monkeypatch.chdir(tmp_path / "many")
    result = run_cli("check")
    assert result.exit_code == 2, result.output
    said = "but its folders v1/, v2/, v3/, v4/, v5/ and 3 more are vaults: give one of them"
    assert said in result.stderr, result.stderr


def test_a_vault_two_folders_down_is_named_too(
    make_vault: VaultFactory, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Regression: at the top of a code repository whose vault is `docs/vault/`, the error named no vault
    (only the folders right below were looked at): it said "pass --vault DIR, or create an empty
    vaultkit.toml at the vault's root", or, beside a `notes/` vault, named `notes/` alone. A vault one folder
    deeper is named too, but not inside a vault found, a hidden folder or node_modules."""
    make_vault({"A.md": "x\n"}, name="repo/docs/vault")
    (tmp_path / "repo" / "src" / "pkg").mkdir(parents=True)
    (tmp_path / "repo" / "node_modules" / "x" / ".obsidian").mkdir(parents=True)  # Obsidian skips it
    monkeypatch.chdir(tmp_path / "repo")
    result = run_cli("check")
    assert result.exit_code == 2, result.output
    assert "but its folder docs/vault/ is one: give that folder" in result.stderr, result.stderr
    make_vault({"A.md": "x\n"}, name="repo/notes")
    make_vault({"A.md": "x\n"}, name="repo/notes/Inner")  # inside notes/: a vault in a vault, not named
    result = run_cli("check")
    assert result.exit_code == 2, result.output
    said = "but its folders docs/vault/ and notes/ are vaults: give one of them"
    assert said in result.stderr, result.stderr


def test_a_symlinked_folder_is_not_looked_into_for_vaults_two_folders_down(
    make_vault: VaultFactory, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Regression: a symlink in the repository leading back to it (`loop -> .`) was looked into as a folder,
    and its vaults named again under its name: "loop/notes/ and notes/ are vaults". A symlinked
    folder is not looked into (vaultkit enters none in a vault); one that is a vault is still named."""
    make_vault({"A.md": "x\n"}, name="repo/notes")
    repo = tmp_path / "repo"
    (repo / "src").mkdir()
    (repo / "loop").symlink_to(".")
    (repo / "linked").symlink_to("notes")
    monkeypatch.chdir(repo)
    result = run_cli("check")
    assert result.exit_code == 2, result.output
    said = "but its folders linked/ and notes/ are vaults: give one of them"
    assert said in result.stderr, result.stderr


@pytest.mark.skipif(sys.platform != "linux", reason="names with newlines and bytes that are not UTF-8")
def test_a_vault_below_is_named_on_one_line_whatever_its_name(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Regression: the vaults named in the "not inside an Obsidian vault" error were written as their folders
    are named: one whose name holds a newline (two folders down, `x/v<newline>l/`) split the error over two
    lines, the second reading as a line of its own. Each is spelled out (`\\n`, `\\xff`), as a note's path is."""
    top = tmp_path / "top"
    os.makedirs(os.fsencode(top) + b"/bad\xff\ndir/.obsidian")
    os.makedirs(os.fsencode(top) + b"/x/v\nl/.obsidian")
    monkeypatch.chdir(top)
    result = run_cli("check")
    assert result.exit_code == 2, result.output
    assert result.stderr.count("\n") == 1, result.stderr
    assert "its folders bad\\xff\\ndir/ and x/v\\nl/ are vaults" in result.stderr, result.stderr


def test_the_folders_looked_into_for_a_vault_below_are_bounded(
    make_vault: VaultFactory, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Regression: the look two folders down for a vault to name asked every folder of each folder looked
    into whether it was a vault (a stat or two each): at the top of a repository whose `data/` held 220,000
    folders, `check` took 7 seconds to say "not inside an Obsidian vault". At most _LOOKED_AT folders are
    asked, in the order of their names (the same on every machine), and a vault among them is named."""
    import vaultkit.vault as vault_module

    monkeypatch.setattr(vault_module, "_LOOKED_AT", 30, raising=False)
    asked: list[Path] = []
    is_root = vault_module._is_root
    monkeypatch.setattr(vault_module, "_is_root", lambda p, c: asked.append(p) or is_root(p, c))
    repo = tmp_path / "repo"
    for i in range(200):
        (repo / "data" / f"{i:03}").mkdir(parents=True)
    make_vault({"A.md": "x\n"}, name="repo/a/vault")
    monkeypatch.chdir(repo)
    result = run_cli("check")
    assert result.exit_code == 2, result.output
    assert "but its folder a/vault/ is one: give that folder" in result.stderr, result.stderr
    data = [p for p in asked if p.parent.name == "data"]
    assert len(data) <= 2 * 30, data  # the error is made twice (200 each before)


@pytest.mark.parametrize("command", ["check", "link"])
def test_a_folder_outside_any_vault_is_still_an_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, command: str
) -> None:
    """No vault found from the current folder, or from a folder given: exit 2, never a clean run."""
    folder = tmp_path / "notes"
    folder.mkdir()
    (folder / "A.md").write_text("x\n")
    monkeypatch.chdir(folder)
    for args in ((), (".",), (".", "A.md")):
        result = run_cli(command, *args)
        assert result.exit_code == 2, (args, result.output)
        assert "not inside an Obsidian vault" in result.stderr


@pytest.mark.parametrize("command", ["check", "link"])
def test_outside_a_vault_check_and_link_say_how_to_make_one(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, command: str
) -> None:
    """A clone of a vault whose `.obsidian/` is not in git (many ignore it) has no vault marker: `check` said
    only "pass --vault DIR", which helps this run but not the pre-commit hook or CI, which find the vault
    from the files' paths. The lasting remedy, as `watch` says it, is named too: a vaultkit.toml."""
    (tmp_path / "A.md").write_text("x\n")
    monkeypatch.chdir(tmp_path)
    result = run_cli(command)
    assert result.exit_code == 2, result.output
    assert "pass --vault DIR, or create an empty vaultkit.toml at the vault's root" in result.stderr, (
        result.stderr
    )


@pytest.mark.parametrize(
    "args",
    [
        ["check", "--", ""],
        ["link", "--", ""],
        ["link", "--vault", "", "N.md"],
        ["watch", "--", ""],
        ["clean", "--", ""],
        ["obsidian-types", "--", ""],
        ["check", "--output-file", "", "."],
        ["check", "--report", "", "."],
        ["watch", "--report", "", "."],
    ],
)
def test_an_empty_path_is_refused_not_read_as_the_current_folder(
    make_vault: VaultFactory, monkeypatch: pytest.MonkeyPatch, args: list[str]
) -> None:
    """Regression: `vaultkit link -- "$NOTE"` in a script whose NOTE came out empty linked the whole vault
    (click makes "" the path `.`, the current folder). An empty path names no file: exit 2, nothing read or
    written; `.` still names the current folder. So is an empty `--output-file` (refused as the folder `.`)
    or `--report` (read as none given: the run went on, without its report)."""
    root = make_vault({"Meituan.md": "# Meituan\n", "N.md": "Meituan is a company.\n"})
    monkeypatch.chdir(root)
    before = snapshot(root)
    result = run_cli(*args)
    assert result.exit_code == 2, result.output
    assert "an empty path names no file" in result.stderr and "Traceback" not in result.output
    assert snapshot(root) == before and not (root / ".vaultkit_cache").exists()


def test_a_symlink_loop_given_is_reported_on_that_note(make_vault: VaultFactory) -> None:
    """Regression: `vaultkit check loop.md` ended in "internal error: RuntimeError: Symlink loop" (Path.resolve
    while finding the vault); a whole-vault run already reported the loop as VK201."""
    root = make_vault({"A.md": "x\n"})
    (root / "loop.md").symlink_to("loop.md")
    check = run_cli("check", root / "loop.md")
    assert check.exit_code == 1, check.output
    assert "loop.md:1:1: VK201 symlink loop" in check.stdout
    link = run_cli("link", root / "loop.md")
    assert link.exit_code == 1, link.output
    assert "VK201 symlink loop" in link.stderr and "not linked" in link.stderr
    for result in (check, link):
        assert "internal error" not in result.output


def _deny_folder(monkeypatch: pytest.MonkeyPatch, folder: Path) -> None:
    """Simulate `chmod 000 folder` (tests may run as root, where chmod does not stop reads): the folder can be
    looked at, but not read or listed, and nothing inside it can be looked at or opened."""
    inside = str(folder) + os.sep

    def denied(real: Callable[..., Any], listing: bool) -> Callable[..., Any]:
        def call(path: Any, *args: Any, **kwargs: Any) -> Any:
            if isinstance(path, (str, bytes, os.PathLike)):
                full = os.path.abspath(os.fsdecode(path))
                if full.startswith(inside) or (listing and full == str(folder)):
                    raise PermissionError(errno.EACCES, os.strerror(errno.EACCES), full)
            return real(path, *args, **kwargs)

        return call

    for name, listing in (("stat", False), ("lstat", False), ("open", False), ("scandir", True)):
        monkeypatch.setattr(os, name, denied(getattr(os, name), listing))
    real_access = os.access
    monkeypatch.setattr(
        os, "access", lambda p, mode, **kw: os.path.abspath(p) != str(folder) and real_access(p, mode, **kw)
    )


def _chmod_000(monkeypatch: pytest.MonkeyPatch, folder: Path) -> None:
    folder.chmod(0)


DENIALS = [
    pytest.param(_deny_folder, id="simulated"),
    pytest.param(
        _chmod_000,
        id="chmod-000",
        marks=pytest.mark.skipif(
            hasattr(os, "geteuid") and os.geteuid() == 0,
            reason="running as root: chmod 000 does not stop root from reading (the simulated case covers it)",
        ),
    ),
]


def test_a_symlinked_note_given_by_name_is_checked_in_the_vault_holding_the_link(
    make_vault: VaultFactory, tmp_path: Path
) -> None:
    """Regression: a note that is a symlink to a file outside the vault (git keeps symlinks, and pre-commit
    passes them by name), or to /dev/zero, was 'skipped: not inside a vault' and passed, where the run on
    the whole vault reported it: the vault was looked for above the link's target, not above the link."""
    root = make_vault({"A.md": "x\n"})
    (tmp_path / "Real.md").write_text("See [[Nope]].\n", encoding="utf-8")
    (root / "Link.md").symlink_to(tmp_path / "Real.md")
    (root / "Zero.md").symlink_to("/dev/zero")
    check = run_cli("check", "--no-cache", root / "Link.md", root / "Zero.md")
    assert check.exit_code == 1, check.output
    assert "Link.md:1:5: VK101 broken link: 'Nope'" in check.stdout
    assert "Zero.md:1:1: VK201 not a regular file (a device)" in check.stdout
    assert "not inside a vault" not in check.output


def test_a_symlinked_folder_given_by_name_is_reported_in_the_vault_holding_the_link(
    make_vault: VaultFactory, tmp_path: Path
) -> None:
    """Regression: a symlink to a folder, given by name (git keeps it as a file, and pre-commit passes it),
    was looked for above its target: pointing outside any vault it was 'skipped: not inside a vault' and
    passed (alone: 'not inside an Obsidian vault', exit 2), pointing into another vault 'not inside the vault'
    (exit 2), where the run on the whole vault reported it (VK205). A symlink to a vault, outside any vault,
    still names that vault."""
    root = make_vault({"A.md": "x\n"})
    other = make_vault({"B.md": "See [[Nope]].\n"}, name="other")
    (tmp_path / "outside").mkdir()
    (root / "Out").symlink_to(tmp_path / "outside")
    (root / "Vault").symlink_to(other)
    check = run_cli("check", "--no-cache", root / "Out", root / "Vault")
    assert check.exit_code == 1, check.output
    assert "Out:1:1: VK205 symlinked folder not entered" in check.stdout
    assert "Vault:1:1: VK205 symlinked folder not entered" in check.stdout
    (tmp_path / "elsewhere").mkdir()
    (tmp_path / "elsewhere" / "notes").symlink_to(other)
    via = run_cli("check", "--no-cache", tmp_path / "elsewhere" / "notes")
    assert via.exit_code == 1, via.output
    assert "B.md:1:5: VK101 broken link: 'Nope'" in via.stdout


@pytest.mark.parametrize("deny", DENIALS)
@pytest.mark.parametrize("command", ["check", "link"])
def test_a_note_in_an_unreadable_folder_is_reported_on_that_note(
    make_vault: VaultFactory,
    monkeypatch: pytest.MonkeyPatch,
    command: str,
    deny: Callable[[pytest.MonkeyPatch, Path], None],
) -> None:
    """Regression: `vaultkit check Locked/Note.md` with Locked/ unreadable ended in "internal error:
    PermissionError" (Path.exists raised); the note, given by name, must be reported, not skipped silently."""
    root = make_vault({"A.md": "x\n", "Locked/Note.md": "See A here.\n"})
    before = snapshot(root)
    monkeypatch.chdir(root)
    deny(monkeypatch, root / "Locked")
    try:
        result = run_cli(command, "Locked/Note.md")
        folder = run_cli(command, "Locked")
    finally:
        monkeypatch.undo()
        (root / "Locked").chmod(0o755)
    assert result.exit_code == 1, result.output
    assert "Locked/Note.md:1:1: VK201 cannot read the file: permission denied" in result.output
    if command == "check":  # the note given is reported on, as a note that could be read would be
        assert "in 1 of 1 note." in result.stdout
    assert folder.exit_code == 2, folder.output  # click's own check of the arguments
    assert "Path 'Locked' is not readable" in folder.output
    for run in (result, folder):
        assert "internal error" not in run.output and "Traceback" not in run.output
    assert snapshot(root) == before


@pytest.mark.parametrize("given", ["..", "sub/..", "sub/../.", "./sub/../"])
def test_a_path_through_dot_dot_names_the_folder_it_leads_to(
    make_vault: VaultFactory, monkeypatch: pytest.MonkeyPatch, given: str
) -> None:
    """`vaultkit check ..` from a subfolder checks the vault (it checked nothing and passed: a CI step
    that could never fail)."""
    root = make_vault({"Broken.md": "[[Missing note]]\n", "sub/Ok.md": "fine\n"})
    monkeypatch.chdir(root / "sub" if given == ".." else root)
    result = run_cli("check", "--no-cache", given)
    assert result.exit_code == 1, result.output
    assert "VK101" in result.stdout and "of 2 notes" in result.stdout


def test_a_file_given_that_is_not_checked_is_named_with_the_reason(
    make_vault: VaultFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`vaultkit check image.png` (or a note in an excluded folder) said '0 notes checked, no problems' and
    nothing else: it now says which file was not checked, and why. A configuration file given is no such
    file: it has the whole vault checked."""
    root = make_vault(
        {
            "A.md": "fine\n",
            "pic.png": "x",
            "Templates/T.md": "[[Missing]]\n",
            ".hidden/H.md": "x\n",
            "Sub/.draft.md": "x\n",
            "vaultkit.toml": 'exclude = ["Templates/**"]\n',
        }
    )
    monkeypatch.chdir(root)
    given = ["pic.png", "Templates/T.md", ".hidden/H.md", "Sub/.draft.md", "A.md", "vaultkit.toml"]
    for command in ("check", "link"):
        result = run_cli(command, "--no-cache", *given)
        assert result.exit_code == 0, result.output
        lines = [line for line in result.stderr.splitlines() if "not checked" in line]
        assert lines == [
            "vaultkit: not checked: pic.png: not a Markdown note",
            "vaultkit: not checked: Templates/T.md: excluded by `exclude` in vaultkit.toml",
            "vaultkit: not checked: .hidden/H.md: in a hidden folder, which Obsidian does not show",
            # it said "in a hidden folder" of a file whose own name starts with a dot
            "vaultkit: not checked: Sub/.draft.md: a hidden file (its name starts with a dot), which Obsidian"
            " does not show",
        ], result.stderr


def test_a_note_given_that_is_excluded_is_said_excluded_by_the_setting_that_does_it(
    make_vault: VaultFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A staged template or note of an excluded folder was 'excluded (`exclude` in vaultkit.toml, Obsidian's
    excluded files, or a template folder)' whichever it was: the user had to look in three places. It now
    names the one setting, also when it names a folder above the note."""
    import json

    root = make_vault(
        {
            "Tpl/Meeting.md": "{{date}}\n",
            "Old/Deep/N.md": "x\n",
            "Drafts/D.md": "x\n",
            "Daily.md": "x\n",
            "vaultkit.toml": 'exclude = ["Drafts/**"]\n',
            ".obsidian/templates.json": json.dumps({"folder": "Tpl"}),
            ".obsidian/daily-notes.json": json.dumps({"template": "Daily"}),
        },
        app={"userIgnoreFilters": ["Old/"]},
    )
    monkeypatch.chdir(root.parent)  # as a hook runs, at the top of the repository: paths shown from there
    given = [f"v/{rel}" for rel in ("Tpl/Meeting.md", "Old/Deep/N.md", "Drafts/D.md", "Daily.md")]
    result = run_cli("check", "--no-cache", *given)
    assert result.exit_code == 0, result.output
    lines = [line for line in result.stderr.splitlines() if "not checked" in line]
    template = "a template (Obsidian's template settings), which vaultkit leaves alone"
    assert lines == [
        f"vaultkit: not checked: v/Tpl/Meeting.md: {template}",
        "vaultkit: not checked: v/Old/Deep/N.md: in Obsidian's excluded files (userIgnoreFilters in"
        " v/.obsidian/app.json)",
        "vaultkit: not checked: v/Drafts/D.md: excluded by `exclude` in vaultkit.toml",
        f"vaultkit: not checked: v/Daily.md: {template}",
    ], result.stderr


def test_a_folder_given_whose_notes_are_not_checked_is_named_with_the_reason(
    make_vault: VaultFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`vaultkit check .trash` or `check Archive` (excluded) said '0 notes checked, no problems found' and
    nothing else (review37): a folder given is named with the reason, as a file given is. A folder with a
    note checked, or one that holds none, is not."""
    root = make_vault(
        {
            "A.md": "fine\n",
            ".trash/T.md": "[[Gone]]\n",
            "Archive/Old.md": "[[Gone]]\n",
            "Drafts/D.md": "[[Gone]]\n",
            "Wiki/W.md": "fine\n",
            "Empty/pic.png": "x",
            "vaultkit.toml": 'exclude = ["Archive/**"]\n',
        },
        app={"userIgnoreFilters": ["Drafts/"]},
    )
    monkeypatch.chdir(root)
    result = run_cli("check", "--no-cache", ".trash", "Archive", "Drafts/", "Wiki", "Empty")
    assert result.exit_code == 0, result.output
    lines = [line for line in result.stderr.splitlines() if "not checked" in line]
    assert lines == [
        "vaultkit: not checked: .trash: a hidden folder, which Obsidian does not show: its notes are not checked",
        "vaultkit: not checked: Archive: excluded by `exclude` in vaultkit.toml",
        "vaultkit: not checked: Drafts: in Obsidian's excluded files (userIgnoreFilters in .obsidian/app.json)",
    ], result.stderr


def test_watch_outside_a_vault_says_how_to_make_one(tmp_path: Path) -> None:
    """watch has no --vault option: its error must not tell the user to pass one."""
    result = run_cli("watch", tmp_path)
    assert result.exit_code == 2, result.output
    assert "not inside an Obsidian vault" in result.stderr and "--vault" not in result.stderr
    assert "create an empty vaultkit.toml in it" in result.stderr


@pytest.mark.parametrize("command", ["clean", "obsidian-types"])
def test_clean_and_obsidian_types_outside_a_vault_name_their_own_argument(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, command: str
) -> None:
    """Run outside a vault, `clean` and `obsidian-types` said "pass --vault DIR", an option neither has (both
    take the vault as an argument): the advice they give must be one they accept."""
    monkeypatch.chdir(tmp_path)
    result = run_cli(command)
    assert result.exit_code == 2, result.output
    assert "not inside an Obsidian vault" in result.stderr and "--vault" not in result.stderr, result.stderr
    assert f"vaultkit {command} VAULT" in result.stderr, result.stderr
    given = run_cli(command, tmp_path)  # the folder named is not a vault: say how to make it one
    assert given.exit_code == 2, given.output
    assert "--vault" not in given.stderr and "create an empty vaultkit.toml in it" in given.stderr, (
        given.stderr
    )


@pytest.mark.parametrize("command", ["check", "link", "clean", "obsidian-types"])
def test_a_name_too_long_for_any_file_names_nothing(
    make_vault: VaultFactory, monkeypatch: pytest.MonkeyPatch, command: str
) -> None:
    """Regression: a name the file system cannot hold (over 255 bytes, or a path over PATH_MAX) was taken for
    something there that could not be looked at, and its vault looked up from the folder above it: the
    current folder's. `check` and `link` ended with an internal error (OSError: File name too long), `clean`
    removed the cache of the vault the user stood in, and `obsidian-types` wrote that vault's types.json."""
    root = make_vault({"A.md": "See [[Missing]].\n"})
    run_cli("check", root)  # a cache `clean` must not remove
    monkeypatch.chdir(root)
    before = snapshot(root)
    for name in ("a" * 300, "/".join(["b" * 200] * 30)):
        result = run_cli(command, name)
        assert result.exit_code == 2, result.output
        assert result.stderr.endswith(f"{name}: no such file or folder\n"), result.stderr[-200:]
    assert snapshot(root) == before and (root / ".vaultkit_cache").is_dir()


@pytest.mark.skipif(sys.platform == "darwin", reason="macOS file systems refuse names that are not UTF-8")
@pytest.mark.parametrize("fmt", ["text", "json", "sarif", "junit", "github"])
def test_a_name_that_is_not_utf8_is_reported_not_a_crash(make_vault: VaultFactory, fmt: str) -> None:
    """A note or folder named with bytes that are not UTF-8 (`bad\\xff.md`) made every check stop with an
    internal error (a lone surrogate cannot be written out). Such a file or folder is reported (VK201), with
    its name spelled printably, and the rest of the vault is checked."""
    root = make_vault({"Good.md": "See [[Missing]].\n"})
    (Path(os.fsdecode(bytes(root) + b"/bad\xff.md"))).write_text("x\n")
    sub = Path(os.fsdecode(bytes(root) + b"/d\xfe"))
    sub.mkdir()
    (sub / "n.md").write_text("x\n")
    result = run_cli("check", "--no-cache", "--format", fmt, root)
    assert result.exit_code == 1, result.output
    assert "internal error" not in result.stderr
    name = {"json": "bad\\\\xff.md", "sarif": "bad%5Cxff.md"}.get(fmt, "bad\\xff.md")  # as each escapes `\\`
    for shown in (name, "VK201", "VK101"):
        assert shown in result.stdout, (shown, result.stdout)
    linked = run_cli("link", "--no-cache", root)
    assert "internal error" not in linked.stderr and "bad\\xff.md" in linked.stderr


@pytest.mark.skipif(sys.platform == "darwin", reason="macOS file systems refuse names that are not UTF-8")
def test_a_name_that_is_not_utf8_given_by_name_is_reported(
    make_vault: VaultFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Given by name (a hook, an editor), `caf\\xe9.md` was "not checked: ... excluded (`exclude` in
    vaultkit.toml, ...)", shown as `caf\\udce9.md`, and both commands exited 0; the whole vault's run reports
    it (VK201). Now the file given is reported the same way, and `link` says it was not linked (exit 1)."""
    root = make_vault({"Good.md": "x\n"})
    bad = Path(os.fsdecode(bytes(root) + b"/caf\xe9.md"))
    bad.write_text("Mentions Good.\n")
    monkeypatch.chdir(root)
    checked = run_cli("check", "--no-cache", "--", bad.name)
    assert checked.exit_code == 1, checked.output
    assert "caf\\xe9.md:1:1: VK201 not read: its name is not valid UTF-8 (rename it)" in checked.stdout
    assert "excluded" not in checked.stderr and "udce9" not in checked.output, checked.output
    linked = run_cli("link", "--no-cache", "--exit-non-zero-on-fix", "--", bad.name)
    assert linked.exit_code == 1, linked.output
    assert "caf\\xe9.md:1:1: VK201" in linked.stderr and "not linked" in linked.stderr, linked.output
    assert bad.read_text() == "Mentions Good.\n"
