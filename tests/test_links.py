"""Link resolution as Obsidian does it, and the link diagnostics (VK101-VK105), on fixture vaults.

`tests/fixtures/vaults/links/` holds every kind of link; `links.expected.txt` is the exact output of
`vaultkit check --no-cache --select VK1` inside it (`UPDATE_EXPECTED=1` rewrites it).
"""

from __future__ import annotations

import json
import os
import shutil
import unicodedata
from pathlib import Path
from types import SimpleNamespace

import pytest
from conftest import FIXTURES, VaultFactory, run_cli
from cost import counted, growth

from vaultkit.vault import Index

VAULTS = FIXTURES / "vaults"
UPDATE = os.environ.get("UPDATE_EXPECTED") == "1"


def report(root: Path, monkeypatch: pytest.MonkeyPatch, *args: str) -> list[str]:
    monkeypatch.chdir(root)
    result = run_cli("check", "--no-cache", *args, ".")
    assert result.exit_code in (0, 1), result.output
    return result.stdout.splitlines()[:-1]


def test_links_vault_report(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    root = tmp_path / "links"
    shutil.copytree(VAULTS / "links", root)
    monkeypatch.chdir(root)
    result = run_cli("check", "--no-cache", "--select", "VK1", ".")
    expected = VAULTS / "links.expected.txt"
    if UPDATE:
        expected.write_text(result.stdout, encoding="utf-8")
    assert result.stdout == expected.read_text(encoding="utf-8")


def test_links_vault_every_valid_link_resolves(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Each line of the report is one of the deliberately bad links, named in Source.md as such."""
    root = tmp_path / "links"
    shutil.copytree(VAULTS / "links", root)
    lines = report(root, monkeypatch, "--select", "VK1")
    source = (root / "Source.md").read_text().splitlines()
    for line in lines:
        path, number = line.split(":")[:2]
        if path != "Source.md":
            continue
        text = source[int(number) - 1]
        assert text.startswith(
            (
                "Ambiguous",
                "Missing",
                "Bad",
                "Blocks",
                "Attachments",
                "Markdown",
                "CJK",
                "| ",
                "---",
                "sources",
            )
        ), line


# -- resolution, one rule at a time ---------------------------------------------------------------------


def test_duplicate_basenames_name_both_and_a_path_resolves(
    make_vault: VaultFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = make_vault(
        {
            "Labs/Overview.md": "# A\n",
            "Papers/Overview.md": "# B\n",
            "Overview.md": "# Root\n",
            "S.md": (
                "[[Overview]] [[Labs/Overview]] [[labs/overview.md]] [[Papers/Overview#B]] "
                "[[/Papers/Overview]]\n"
            ),
            "vaultkit.toml": "[relations]\nenabled = false\n",
        }
    )
    assert report(root, monkeypatch) == [
        "S.md:1:1: VK102 ambiguous link 'Overview': it could mean 'Labs/Overview.md' and 'Overview.md' and "
        "'Papers/Overview.md' (Obsidian opens 'Overview.md', at the vault root); write the folder too"
    ]


def test_an_ambiguous_link_says_which_note_obsidian_opens_where_it_is_sure(
    make_vault: VaultFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A hub note beside the notes that link it (`Home/Projects.md` and `Stack/Projects.md`, each linked
    bare from its own folder, as a personal vault's home folder does twenty times in one note): Obsidian
    opens the note at the vault root, else the one in the linking note's own folder, and VK102 said only
    'it could mean either', so the owner could not tell a link that works from one that does not. It now
    names the note Obsidian opens where one of those two rules decides, and nothing where neither does."""
    root = make_vault(
        {
            "Home/Projects.md": "# hub\n",
            "Stack/Projects.md": "# stack\n",
            "Home/Today.md": "[[Projects]] and [[projects.md]]\n",
            "Other/Log.md": "[[Projects]]\n",
            "vaultkit.toml": "[relations]\nenabled = false\n",
        }
    )
    both = "it could mean 'Home/Projects.md' and 'Stack/Projects.md'"
    assert report(root, monkeypatch) == [
        f"Home/Today.md:1:1: VK102 ambiguous link 'Projects': {both} (Obsidian opens 'Home/Projects.md', "
        "in this note's folder); write the folder too",
        f"Home/Today.md:1:18: VK102 ambiguous link 'projects.md': {both} (Obsidian opens 'Home/Projects.md', "
        "in this note's folder); write the folder too",
        f"Other/Log.md:1:1: VK102 ambiguous link 'Projects': {both}; write the folder too",
    ]


def test_an_ambiguous_link_counts_an_excluded_note_at_the_root_as_the_one_obsidian_opens(
    make_vault: VaultFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Regression: a root `Hub.md` left out by Obsidian's excluded files (which Obsidian still opens a link
    to) was not found at the root, so VK102 of `[[Hub]]` in `Home/` said Obsidian opens `Home/Hub.md`, in
    the linking note's folder: the one it does not open."""
    root = make_vault(
        {
            "Hub.md": "# root hub\n",
            "Home/Hub.md": "# home hub\n",
            "Home/Today.md": "[[Hub]]\n",
            "vaultkit.toml": "[relations]\nenabled = false\n",
        },
        app={"userIgnoreFilters": ["/^Hub\\.md$/"]},
    )
    assert report(root, monkeypatch) == [
        "Home/Today.md:1:1: VK102 ambiguous link 'Hub': it could mean 'Home/Hub.md' and 'Hub.md' "
        "(Obsidian opens 'Hub.md', at the vault root); write the folder too"
    ]


def test_a_name_many_notes_share_names_the_first_few_and_counts_the_rest(
    make_vault: VaultFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    """2,000 project folders each holding `README.md`: naming every candidate made each of the 2,000 links
    to `[[README]]` a 54 KB line, a 180 MB report, and a cache of 360 MB (quadratic in the notes sharing it)."""
    root = make_vault(
        {
            **{f"p{i}/README.md": "x\n" for i in range(8)},
            "S.md": "[[README]]\n",
            "vaultkit.toml": "[relations]\nenabled = false\n",
        }
    )
    assert report(root, monkeypatch) == [
        "S.md:1:1: VK102 ambiguous link 'README': it could mean 'p0/README.md' and 'p1/README.md' and "
        "'p2/README.md' and 'p3/README.md' and 'p4/README.md' and 3 more; write the folder too"
    ]


def test_links_to_a_name_thousands_of_notes_share_test_their_paths_once(
    make_vault: VaultFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    """VK102 tested every candidate of each link for paths that differ only in case: 2,000 links to
    `[[README]]`, which 2,000 notes share, normalised 4,000,000 paths (0.6 s of CPU, quadratic in the notes
    sharing the name). Counted, not timed: once per candidate and a few per note is linear."""
    import vaultkit.rules.ambiguous_link
    import vaultkit.vault

    n = 2000
    root = make_vault(
        {
            **{f"p{i}/README.md": "[[README]]\n" for i in range(n)},
            "vaultkit.toml": "[relations]\nenabled = false\n",
        }
    )
    calls = 0

    def counted(text: str) -> str:
        nonlocal calls
        calls += 1
        return unicodedata.normalize("NFC", text)

    monkeypatch.setattr(vaultkit.vault, "nfc", counted)
    monkeypatch.setattr(vaultkit.rules.ambiguous_link, "nfc", counted, raising=False)
    lines = report(root, monkeypatch, "--jobs", "1", "--select", "VK102")
    assert len(lines) == n and lines[0].endswith(
        "and 1,995 more (Obsidian opens 'p0/README.md', in this note's folder); write the folder too"
    ), lines[:1]
    assert calls < 10 * n, f"{calls:,} paths normalised for {n:,} links"


def test_resolution_ignores_case_and_optional_md(
    make_vault: VaultFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = make_vault(
        {
            "Deep/Folder/Meituan.md": "# Company\n",
            "S.md": (
                "[[meituan]] [[MEITUAN.md]] [[deep/folder/meituan]] [[Meituan#company]] "
                "[x](Deep/Folder/Meituan.md)\n"
            ),
            "vaultkit.toml": "[relations]\nenabled = false\n",
        }
    )
    assert report(root, monkeypatch) == []


def test_a_vault_of_no_note_but_md_files_in_another_case_says_why(
    make_vault: VaultFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A Windows export whose notes end in `.MD` (or notes named `.markdown`): Obsidian opens only `.md`, in
    lower case, as notes (help.obsidian.md, "Accepted file formats"). Regression: `check` said "0 notes
    checked" and nothing else, and `link` "nothing to link". Both now say how many such files they saw, once,
    on stderr; a second, cached check says it again; a vault with a note does not."""
    root = make_vault({"A.MD": "See [[B]].\n", "B.MD": "b\n", "Sub/C.Markdown": "c\n", "D.Md.txt": "d\n"})
    monkeypatch.chdir(root)
    why = (
        "vaultkit: no notes: Obsidian opens as notes only files ending in `.md`, in lower case, and this vault "
        "has 2 ending in `.MD`, 1 ending in `.Markdown`: rename them to end in `.md`\n"
    )
    for args in (["check", "."], ["check", "."], ["link", "--check", "."]):
        result = run_cli(*args)
        assert result.stderr.startswith(why) and result.stderr.count(why) == 1, (args, result.stderr)
    (root / "E.md").write_text("e\n", encoding="utf-8")
    assert "no notes" not in run_cli("check", ".").stderr


def test_a_name_ending_in_upper_case_md_is_a_file_not_a_note(
    make_vault: VaultFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Regression: `Upper.MD` was listed as a note (the suffix was compared in lower case): its YAML and links
    were checked, other notes' mentions of `Upper` were linked to it, and `link` wrote `related:` into it.
    Obsidian matches extensions as written (a plugin registering `rmd` gets no `.Rmd` file: its extension
    is `Rmd`), so `Upper.MD` is a file of the unknown extension `MD`, not a note. Links still find it, as
    they find any file, ignoring case; none is broken."""
    upper = "---\ntitle: [unclosed\n---\nSee [[Gone]] and Beta.\n"
    root = make_vault(
        {
            "Upper.MD": upper,
            "A.md": "Upper is here: [[Upper]], [[upper.md]], [x](Upper.MD).\n",
            "Beta.md": "b\n",
        }
    )
    assert report(root, monkeypatch) == []
    monkeypatch.chdir(root)
    result = run_cli("link", "--no-cache", ".")
    assert result.exit_code == 0, result.output
    assert (root / "Upper.MD").read_text(encoding="utf-8") == upper
    assert (root / "A.md").read_text(encoding="utf-8").startswith("Upper is here")  # no mention of a note
    given = run_cli("check", "--no-cache", "Upper.MD")
    assert given.exit_code == 0, given.output
    assert "not checked: Upper.MD: not a note: Obsidian opens as notes only names ending in `.md`" in (
        given.stderr
    )


def test_a_folder_path_matches_the_end_of_a_deeper_path(
    make_vault: VaultFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`[[Folder/Note]]` with no `Folder/Note.md` at the root resolves to the one note whose path ends with
    `Folder/Note.md`, as Obsidian's resolver does. Two such notes make it ambiguous. Regression: the link was
    reported broken."""
    line = "[[b/Note]] [[B/note.md#H]] [x](b/Note.md) [[c/Dup]] ![[img/p.png]]"
    root = make_vault(
        {
            "a/b/Note.md": "# H\n",
            "x/c/Dup.md": "x\n",
            "y/c/Dup.md": "x\n",
            "deep/img/p.png": b"png",
            "S.md": line + "\n",
            "vaultkit.toml": "[relations]\nenabled = false\n",
        }
    )
    assert report(root, monkeypatch) == [
        f"S.md:1:{line.index('[[c/') + 1}: VK102 ambiguous link 'c/Dup': it could mean 'x/c/Dup.md' and "
        "'y/c/Dup.md'; write the folder too",
    ]


def test_a_path_link_is_matched_as_obsidian_matches_it(
    make_vault: VaultFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Obsidian 1.12.7's `getLinkpathDest` (de-minified: clintonthegeek/Corbomite,
    docs/obsidian-audit/VAULT-FORMAT.md section 7 and domains/metadata.md section 8) compares the end of a
    path as text, `path.endsWith(linkpath)`: `[[b/Other]]` opens `Xb/Other.md`. A link starting with `/` is
    the vault path or nothing: `[[/Toyota]]` is broken when only `Cars/Toyota.md` exists. A `./` or `../`
    link that names no file is matched as the path it makes: `[[./Toyota]]` in a note at the vault root opens
    `Cars/Toyota.md`, and in `A/S.md` names `A/Toyota.md`, which no path ends with. Regression: the first and
    the third were reported broken, the second resolved to `Cars/Toyota.md`, and `[[../Toyota]]` in `A/S.md`,
    which opens `Cars/Toyota.md`, was reported broken."""
    line = "[[b/Other]] [[/Toyota]] [x](/Cars/Toyota.md) [[/Cars/Toyota]] [[./Toyota]] [y](./Toyota.md)"
    root = make_vault(
        {
            "Xb/Other.md": "x\n",
            "Cars/Toyota.md": "x\n",
            "S.md": line + "\n",
            "A/S.md": "[[./Toyota]] [[../Toyota]] [[../Cars/Toyota]]\n",
            "vaultkit.toml": "[relations]\nenabled = false\n",
        }
    )
    assert report(root, monkeypatch) == [
        "A/S.md:1:1: VK101 broken link: './Toyota' matches no note or file",
        f"S.md:1:{line.index('[[/T') + 1}: VK101 broken link: '/Toyota' matches no note or file",
    ]


def test_a_bare_markdown_link_takes_the_root_note_then_the_one_beside_it(
    make_vault: VaultFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Obsidian's getFirstLinkpathDest, observed on 1.13.7 (pvliesdonk/markdown-vault-mcp#1380): an exact
    vault path wins, then the note in the linking note's own folder. `[x](Note.md)` in `Sub/S.md` is the root
    `Note.md` when there is one (its heading `R`, not `Sub/Note.md`'s `S`), else `Sub/Note.md`."""
    root = make_vault(
        {
            "Note.md": "# R\n",
            "Sub/Note.md": "# S\n",
            "Sub/S.md": "[x](Note.md#R) [y](Note.md#S)\n",
            "Two/Other.md": "# T\n",
            "Dir/Other.md": "# D\n",
            "Dir/S.md": "[z](Other.md#D)\n",
            "vaultkit.toml": "[relations]\nenabled = false\n",
        }
    )
    assert report(root, monkeypatch) == ["Sub/S.md:1:16: VK103 'Note.md' has no heading 'S'"]


def test_a_link_names_the_file_of_its_own_name_before_the_note_that_adds_md(
    make_vault: VaultFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Obsidian's `getLinkpathDest` looks the link path up as written (`_getLinkpathDest(t)`: the vault
    path, then the end of a path), and only when no file matches, with `.md` added. `[[report.pdf]]` is
    `report.pdf`, not the note `report.pdf.md` beside it (whose headings it then does not check), and
    `[[Note.md]]` is `Note.md`, not `Note.md.md`. Regression: `report.pdf.md` was taken, and
    `[[report.pdf#Missing]]` reported as a missing heading of the note."""
    line = "[[report.pdf#Missing]] [[Docs/plan.pdf#Missing]] [[Note.md#H]] [[Note.md.md#G]]"
    root = make_vault(
        {
            "report.pdf": b"%PDF",
            "report.pdf.md": "# Notes\n",
            "Docs/plan.pdf": b"%PDF",
            "Docs/plan.pdf.md": "# Notes\n",
            "Docs/S.md": "[x](plan.pdf#Missing) [y](./plan.pdf#Missing)\n",
            "Note.md": "# H\n",
            "Note.md.md": "# G\n",
            "S.md": line + "\n",
            "vaultkit.toml": "[relations]\nenabled = false\n",
        }
    )
    assert report(root, monkeypatch) == []


def test_case_is_ignored_as_javascript_lower_cases(
    make_vault: VaultFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Obsidian compares `toLowerCase()` forms, not Unicode case folds: STRASSE is not Straße, and İ lower-cases
    to i plus a combining dot, so [[İSTANBUL]] names İstanbul.md and [[istanbul]] does not."""
    root = make_vault(
        {
            "Straße.md": "x\n",
            "İstanbul.md": "x\n",
            "S.md": "[[straße]] [[STRASSE]] [[İSTANBUL]] [[istanbul]]\n",
            "vaultkit.toml": "[relations]\nenabled = false\n",
        }
    )
    lines = report(root, monkeypatch, "--select", "VK1")
    assert [line.split(": ", 1)[1].split(" ", 1)[0] + " " + line.split(":")[2] for line in lines] == [
        "VK101 12",
        "VK101 37",
    ]


def test_a_path_two_notes_hold_in_other_cases_is_ambiguous(
    make_vault: VaultFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A Linux clone can hold `Note.md` and `note.md` (Windows and macOS cannot), or an NFC and an NFD
    `Café.md`; Obsidian looks a path up ignoring case, by its NFC form, so a path to either is ambiguous. Regression: the note listed last took every path link
    silently, and `link` added the relation to it, whichever note the link was written for."""
    root = make_vault(
        {
            "Note.md": "x\n",
            "note.md": "y\n",
            "Pic.png": "x",
            "pic.png": "y",
            unicodedata.normalize("NFC", "Café.md"): "x\n",
            unicodedata.normalize("NFD", "Café.md"): "y\n",
            "Folder/A.md": "[a](../Note.md) [[/Note]] ![[/pic.png]] [[/Café]]\n",
        }
    )
    lines = report(root, monkeypatch, "--select", "VK1")
    assert lines[0].endswith(
        "it could mean 'Note.md' and 'note.md'; their paths differ only in case or Unicode form, which "
        "Obsidian does not tell apart: rename one"
    )
    assert [line.split(" it could")[0] for line in lines] == [
        "Folder/A.md:1:1: VK102 ambiguous link '../Note.md':",
        "Folder/A.md:1:17: VK102 ambiguous link '/Note':",
        "Folder/A.md:1:27: VK102 ambiguous link '/pic.png':",
        "Folder/A.md:1:41: VK102 ambiguous link '/Café':",
    ]
    assert lines[-1].endswith("Obsidian does not tell apart: rename one")


def test_a_code_that_names_no_rule_is_refused(make_vault: VaultFactory) -> None:
    root = make_vault({"S.md": "[[Nope]]\n"})
    result = run_cli("check", "--select", "VK1O1", root)
    assert result.exit_code == 2
    assert "VK1O1: no rule has such a code" in result.output
    root = make_vault({"S.md": "[[Nope]]\n", "vaultkit.toml": 'ignore = ["VK99"]\n'}, name="v2")
    result = run_cli("check", root)
    assert result.exit_code == 2
    assert "ignore: VK99: no rule has such a code" in result.output


def test_a_hint_gives_a_markdown_link_where_no_wikilink_can_name_the_note(
    make_vault: VaultFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Regression (final39): the alias hint said "write [[C# notes/Index|handbook]]" for a note whose path
    holds a `#`, a wikilink that is itself broken (its `#` starts a heading). Where the name or path the
    hint writes holds what no wikilink can, it gives the Markdown link (`#` encoded), as `[[C# Tips]]` is
    told; otherwise the wikilink, as before."""
    root = make_vault(
        {
            "C# notes/Index.md": "---\naliases: [Handbook]\n---\nx\n",
            "b/Index.md": "y\n",
            "Q#A.md": "---\naliases: [Guide]\n---\nz\n",
            "Plain.md": "---\naliases: [Other]\n---\nw\n",
            "S.md": "[[handbook]] [[guide]] [[other]]\n",
            "vaultkit.toml": "[relations]\nenabled = false\n",
        }
    )
    assert [line.split("links go by name, ")[1] for line in report(root, monkeypatch)] == [
        "write [handbook](C%23%20notes/Index.md))",
        "write [guide](Q%23A.md))",
        "write [[Plain|other]])",
    ]


def test_an_empty_select_is_refused_not_read_as_every_rule(make_vault: VaultFactory) -> None:
    """Regression: `--select "$CODES"` of a script whose variable came out empty (or `--select ,`) checked
    every rule, silently. Refused (exit 2); an empty `--ignore` ignores nothing, as it says."""
    root = make_vault({"S.md": "[[Nope]]\n"})
    for value in ("", " , "):
        result = run_cli("check", "--select", value, root)
        assert result.exit_code == 2, result.output
        assert "--select: no code given" in result.output
    assert run_cli("check", "--ignore", "", root).exit_code == 1  # the broken link still reported


def test_attachments_need_their_extension_and_must_exist(
    make_vault: VaultFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    line = "![[map.png]] ![[files/map.png|300]] ![[doc.pdf#page=2]] [[doc.pdf]] ![[map]] ![[gone.png]]"
    root = make_vault({"files/map.png": b"\x89PNG", "files/doc.pdf": b"%PDF", "S.md": line + "\n"})
    assert report(root, monkeypatch) == [
        f"S.md:1:{line.index('![[map]]') + 1}: VK101 broken embed: 'map' matches no note or file "
        "(attachments need their extension: 'files/map.png'?)",
        f"S.md:1:{line.index('![[gone') + 1}: VK101 broken embed: 'gone.png' matches no note or file",
    ]


def test_a_link_to_an_alias_is_broken_with_a_hint(
    make_vault: VaultFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = make_vault(
        {
            "美团.md": "---\naliases: [Meituan]\n---\n",
            "S.md": "[[Meituan]] and [[美团|Meituan]]\n",
            "vaultkit.toml": "[relations]\nenabled = false\n",
        }
    )
    assert report(root, monkeypatch) == [
        "S.md:1:1: VK101 broken link: 'Meituan' matches no note or file "
        "(it is an alias of '美团.md': links go by "
        "name, write [[美团|Meituan]])"
    ]


def test_a_link_to_a_moved_notes_old_name_is_broken_with_a_hint(
    make_vault: VaultFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A vault published with Obsidian Publish keeps a moved or renamed note's old path among its aliases,
    for Publish's redirects (Obsidian's own help does: *Redirect old notes*). A link still written with the
    old name resolves to nothing, and was reported with no word of the note it meant; the alias holding
    the old path is no alias a link could be written as, so the alias hint did not name it either."""
    root = make_vault(
        {
            "Tutorials/How to make friends.md": "---\naliases:\n  - Guides/Making friends\n---\nx\n",
            "S.md": "See [[Making friends]].\n",
            "vaultkit.toml": "[relations]\nenabled = false\n",
        }
    )
    assert report(root, monkeypatch) == [
        "S.md:1:5: VK101 broken link: 'Making friends' matches no note or file "
        "('Tutorials/How to make friends.md' has the alias 'Guides/Making friends', which ends in this name: "
        "if that is the path the note had before it was moved or renamed, kept for Obsidian Publish's "
        "redirects, write [[How to make friends|Making friends]])"
    ]


def test_a_hint_writes_a_note_another_shares_the_name_of_by_its_path(
    make_vault: VaultFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Regression: the hints of a broken link said to write the note by its name, `[[Index|Guide]]`, where
    `a/Index.md` holds the alias and `b/Index.md` shares its name: the link written as told was ambiguous
    (VK102, an error too). Such a note is written by its path from the root."""
    root = make_vault(
        {
            "a/Index.md": "---\naliases: [Old/Guide, Handbook]\n---\nx\n",
            "b/Index.md": "x\n",
            "S.md": "See [[Guide]], [[handbook]].\n",
            "T.md": "See [[a/Index|Guide]], [[a/Index|handbook]].\n",
            "vaultkit.toml": "[relations]\nenabled = false\n",
        }
    )
    assert report(root, monkeypatch) == [
        "S.md:1:5: VK101 broken link: 'Guide' matches no note or file ('a/Index.md' has the alias "
        "'Old/Guide', which ends in this name: if that is the path the note had before it was moved or "
        "renamed, kept for Obsidian Publish's redirects, write [[a/Index|Guide]])",
        "S.md:1:16: VK101 broken link: 'handbook' matches no note or file (it is an alias of 'a/Index.md': "
        "links go by name, write [[a/Index|handbook]])",
    ]


@pytest.mark.parametrize("other", ["Archive/Index.md", "c/Index"])
def test_a_hint_writes_a_note_by_its_path_where_an_excluded_note_or_a_file_shares_its_name(
    make_vault: VaultFactory, monkeypatch: pytest.MonkeyPatch, other: str
) -> None:
    """Regression: the hint counted only the files named `Index` with no extension as sharing the name, not
    an excluded note (`Archive/Index.md`, which `[[Index]]` reaches in Obsidian: VK102), so it said to write
    `[[Index|Guide]]`, ambiguous as written; a file named `Index`, which that link names before the note,
    is counted too."""
    root = make_vault(
        {
            "a/Index.md": "---\naliases: [Handbook]\n---\nx\n",
            other: "x\n",
            "S.md": "See [[handbook]].\n",
            "vaultkit.toml": 'exclude = ["Archive"]\n[relations]\nenabled = false\n',
        }
    )
    assert report(root, monkeypatch) == [
        "S.md:1:5: VK101 broken link: 'handbook' matches no note or file (it is an alias of 'a/Index.md': "
        "links go by name, write [[a/Index|handbook]])",
    ]


def test_a_link_to_a_folder_is_broken_with_a_hint(
    make_vault: VaultFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Obsidian links files, never folders: `[[Plugins]]`, where `Plugins/` is a folder of notes and no
    `Plugins.md` exists, is an unresolved link. It was reported as if nothing of that name were in the
    vault, which a user looking at the folder reads as vaultkit's error."""
    root = make_vault(
        {
            "Plugins/Search.md": "x\n",
            "Help/Attachments/icons/cog.svg": "",
            "S.md": "[[Plugins]] [[Help/Attachments/]] [[Search]]\n",
            "vaultkit.toml": "[relations]\nenabled = false\n",
        }
    )
    assert report(root, monkeypatch) == [
        "S.md:1:1: VK101 broken link: 'Plugins' matches no note or file ('Plugins/' is a folder: Obsidian "
        "links name files, never folders; link a note in it)",
        "S.md:1:13: VK101 broken link: 'Help/Attachments/' matches no note or file ('Help/Attachments/' is a "
        "folder: Obsidian links name files, never folders; link a note in it)",
    ]


def test_a_markdown_link_to_a_folder_is_broken_with_a_hint(
    make_vault: VaultFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    """As a wikilink's: a Markdown link's path that names a folder (`[papers](Papers/)`, from the root or
    from the note's folder) says so; one that names no folder by its path (a folder's name only, which a
    Markdown link does not look up) does not (vaults39 found a map of content listing its folders so)."""
    root = make_vault(
        {
            "Lab/Papers/P.md": "x\n",
            "Lab/Index.md": "[a](Papers/) [b](../Lab/Papers)\n",
            "S.md": "[d](Lab/Papers) [e](Papers)\n",
            "vaultkit.toml": "[relations]\nenabled = false\n",
        }
    )
    hint = " ('Lab/Papers/' is a folder: Obsidian links name files, never folders; link a note in it)"
    assert report(root, monkeypatch) == [
        f"Lab/Index.md:1:1: VK101 broken link: 'Papers/' matches no note or file{hint}",
        f"Lab/Index.md:1:14: VK101 broken link: '../Lab/Papers' matches no note or file{hint}",
        f"S.md:1:1: VK101 broken link: 'Lab/Papers' matches no note or file{hint}",
        "S.md:1:17: VK101 broken link: 'Papers' matches no note or file",
    ]


def test_markdown_links_decode_and_resolve_relative_then_from_the_root(
    make_vault: VaultFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    line = (
        "[1](../Note%20name.md) [2](<../Note name.md>) [3](A/Note%20name.md#Part%20one) "
        "[4](../Note%20name.md#Part%20two) [5](../../../x.md) [6](https://x.y/z.md) [7](#Local)"
    )
    root = make_vault(
        {
            "A/Note name.md": "# Part one\n",
            "A/B/S.md": line + "\n\n# Local\n",
            "vaultkit.toml": "[relations]\nenabled = false\n",
        }
    )
    assert report(root, monkeypatch) == [
        f"A/B/S.md:1:{line.index('[4]') + 1}: VK103 'A/Note name.md' has no heading 'Part two'",
        f"A/B/S.md:1:{line.index('[5]') + 1}: VK101 broken link: '../../../x.md' matches no note or file",
    ]


def test_an_encoded_number_sign_is_part_of_a_markdown_links_path(
    make_vault: VaultFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    """In a URL only a literal `#` starts the fragment; `%23` is a `#` of the path (a Markdown link to
    `C# Tips.md` is written `C%23%20Tips.md`). Regression: the destination was decoded before it was split,
    so the link was reported broken, as a link to a note `C` and its heading ` Tips.md`."""
    line = (
        "[1](../F/C%23%20Tips.md) [2](../F/C%23%20Tips.md#Intro%20one) [3](<../C%23/In.md>) "
        "[4](../F/C%23%20Tips.md#Nope) [5](../F/Note.md%23Intro%20one)"
    )
    root = make_vault(
        {
            "F/C# Tips.md": "# Intro one\n",
            "C#/In.md": "x\n",
            "F/Note.md": "# Intro one\n",
            "G/S.md": line + "\n",
            "vaultkit.toml": "[relations]\nenabled = false\n",
        }
    )
    assert report(root, monkeypatch) == [
        f"G/S.md:1:{line.index('[4]') + 1}: VK103 'F/C# Tips.md' has no heading 'Nope'",
        f"G/S.md:1:{line.index('[5]') + 1}: VK101 broken link: '../F/Note.md#Intro one' matches no note or file",
    ]


def test_a_markdown_links_escapes_and_entities_are_read_as_commonmark_reads_them(
    make_vault: VaultFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    """CommonMark reads backslash escapes and entity references in a link's destination: `Note%20\\(1\\).md`
    is `Note (1).md`, `R&amp;D.md` is `R&D.md` (an `&` without its `;` stays as typed). Regression: both
    were reported broken, as links to `Note \\(1\\).md` and `R&amp;D.md`."""
    line = "[a](Note%20\\(1\\).md) [b](R&amp;D.md) [c](R&#38;D.md#Part) [d](R&ampD.md)"
    root = make_vault(
        {
            "Note (1).md": "x\n",
            "R&D.md": "# Part\n",
            "S.md": line + "\n",
            "vaultkit.toml": "[relations]\nenabled = false\n",
        }
    )
    assert report(root, monkeypatch) == [
        f"S.md:1:{line.index('[d]') + 1}: VK101 broken link: 'R&ampD.md' matches no note or file",
    ]


def test_a_markdown_links_destination_may_stand_between_spaces(
    make_vault: VaultFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    """CommonMark (and Obsidian's editor, and mistune) reads `[a]( Gone.md )` as a link to `Gone.md`: spaces or
    tabs, and one line break, may stand between the `(` and the destination, between it and its title, and
    before the `)`. Regression: vaultkit read no link there, so a broken one went unreported and a working
    one counted for no backlink or relation. A blank line ends the paragraph, and the link with it."""
    text = (
        '[a]( Gone.md ) [b](\tNote.md#Nope) [c](  <Note.md>  "t" ) [d]( Note.md )\n'
        '[e](\nGone2.md) [f](Gone3.md\n"t") [g](Gone4.md\n) [h](\n\nGone5.md)\n'
    )
    root = make_vault({"Note.md": "x\n", "S.md": text, "vaultkit.toml": ""})
    lines = text.splitlines()
    assert report(root, monkeypatch) == [
        "Note.md:1:1: VK121 [*] [[S]] links here, but 'related' does not list it",
        f"S.md:1:{lines[0].index('[a]') + 1}: VK101 broken link: 'Gone.md' matches no note or file",
        f"S.md:1:{lines[0].index('[b]') + 1}: VK103 'Note.md' has no heading 'Nope'",
        "S.md:2:1: VK101 broken link: 'Gone2.md' matches no note or file",
        f"S.md:3:{lines[2].index('[f]') + 1}: VK101 broken link: 'Gone3.md' matches no note or file",
        f"S.md:4:{lines[3].index('[g]') + 1}: VK101 broken link: 'Gone4.md' matches no note or file",
    ]


@pytest.mark.parametrize(
    ("link", "problem"),
    [
        ("[[T#Method]]", None),
        ("[[T#METHOD]]", None),
        ("[[T#Method#Details]]", None),
        ("[[T#Results: 2026]]", None),
        ("[[T#Results 2026]]", None),  # `:` cannot be in a link, Obsidian matches without it
        ("[[T#Details#Method]]", "'T.md' has no heading 'Method' after 'Details'"),
        ("[[T#Nope]]", "'T.md' has no heading 'Nope'"),
        ("[[T#Method#Nope]]", "'T.md' has no heading 'Nope'"),
        ("[[T#In code]]", "'T.md' has no heading 'In code'"),
        ("[[T#^claim]]", None),
        ("[[T#^gone]]", "'T.md' has no block '^gone'"),
        ("[[T#^coded]]", "'T.md' has no block '^coded'"),
        ("![[T#^claim]]", None),
        ("[[T#Use `foo` here]]", None),  # a code span inside a link is part of the link's text
        ("[[T#Nope `x|y`]]", "'T.md' has no heading 'Nope `x|y`'"),
        ("| a |\n|---|\n| [[T#Use `foo` here\\|shown]] |", None),
    ],
)
def test_heading_and_block_subpaths(
    make_vault: VaultFactory, monkeypatch: pytest.MonkeyPatch, link: str, problem: str | None
) -> None:
    target = (
        "# Method\n\n## Details\n\nA claim ^claim\n\n## Results: 2026\n\n```\n# In code\nx ^coded\n```\n"
        "\n## Use `foo` here\n"
    )
    root = make_vault(
        {"T.md": target, "S.md": f"{link}\n", "vaultkit.toml": "[relations]\nenabled = false\n"}
    )
    lines = report(root, monkeypatch)
    assert [line.split(" ", 2)[2] for line in lines] == ([problem] if problem else [])


@pytest.mark.parametrize(
    ("link", "problem"),
    [
        ("[[T#Can it be done]]", None),  # Obsidian's help links its FAQ questions without their '?'
        ("[[T#Can it be done?]]", None),
        ("[[T#Costs 2025]]", None),
        ("[[T#Done at last]]", None),
        ("[[T#Tea & cake]]", None),
        ("[[T#Tea cake]]", None),
        (
            "[[T#Can it be undone]]",
            "'T.md' has no heading 'Can it be undone'; did you mean 'Can it be done?'?",
        ),
    ],
)
def test_a_heading_link_ignores_the_punctuation_obsidian_ignores(
    make_vault: VaultFactory, monkeypatch: pytest.MonkeyPatch, link: str, problem: str | None
) -> None:
    """Obsidian matches a link's heading after replacing punctuation and symbols (`? ! . , ( ) & / ...`)
    with spaces on both sides, not only the characters a link cannot hold (`# | ^ : %% [ ]`)."""
    target = "## Can it be done?\n\n## Costs (2025)\n\n## Done, at last.\n\n## Tea & cake\n"
    root = make_vault(
        {"T.md": target, "S.md": f"{link}\n", "vaultkit.toml": "[relations]\nenabled = false\n"}
    )
    lines = report(root, monkeypatch)
    assert [line.split(" ", 2)[2] for line in lines] == ([problem] if problem else [])


@pytest.mark.parametrize(
    ("link", "problem"),
    [
        ("[[T#Release_notes]]", None),
        ("[[T#release_NOTES]]", None),
        ("[[T#Release notes]]", "'T.md' has no heading 'Release notes'; did you mean 'Release_notes'?"),
        ("[[T#Plan_B]]", "'T.md' has no heading 'Plan_B'; did you mean 'Plan B'?"),
        ("[[T#_Draft_]]", None),
        ("[[T#Draft]]", "'T.md' has no heading 'Draft'; did you mean '_Draft_'?"),
        ("[[T#Final]]", None),
        ("[[T#STRASSE]]", "'T.md' has no heading 'STRASSE'"),
        ("[[T#STRAßE]]", None),
    ],
)
def test_a_heading_link_keeps_the_underscore_as_obsidian_does(
    make_vault: VaultFactory, monkeypatch: pytest.MonkeyPatch, link: str, problem: str | None
) -> None:
    """Obsidian's heading comparison blanks out punctuation but keeps `_` (also around emphasised text),
    and ignores case as JavaScript's toLowerCase does, not by Unicode case folding (`ß` is not `ss`)."""
    target = "## Release_notes\n\n## Plan B\n\n## _Draft_\n\n## *Final*\n\n## Straße\n"
    root = make_vault(
        {"T.md": target, "S.md": f"{link}\n", "vaultkit.toml": "[relations]\nenabled = false\n"}
    )
    lines = report(root, monkeypatch)
    assert [line.split(" ", 2)[2] for line in lines] == ([problem] if problem else [])


@pytest.mark.parametrize(
    ("link", "problem"),
    [
        # a heading renumbered since the link was written (a community vault's `[[#04 - CSS Snippets]]`)
        (
            "[[T#04 - CSS Snippets]]",
            "'T.md' has no heading '04 - CSS Snippets'; did you mean '05 - CSS Snippets'?",
        ),
        # a heading that holds a link is shown as a link names it
        ("[[T#Plugin index]]", "'T.md' has no heading 'Plugin index'; did you mean 'Plugins index'?"),
        # nothing alike: nothing meant
        ("[[T#Roadmap]]", "'T.md' has no heading 'Roadmap'"),
        # a nested link is not guessed at, though `Intros` reads almost as `Intro`
        ("[[T#05 - CSS Snippets#Intros]]", "'T.md' has no heading 'Intros'"),
    ],
)
def test_a_missing_heading_names_the_heading_it_may_mean(
    make_vault: VaultFactory, monkeypatch: pytest.MonkeyPatch, link: str, problem: str
) -> None:
    """A link to a heading renamed or renumbered since (the usual cause of VK103) names the heading of the
    note that reads almost alike. Regression: it said only "has no heading", and the user had to compare the
    link with each heading of the note to see that `04` had become `05`."""
    target = "## 05 - CSS Snippets\n\n### Intro\n\n## [[Plugins index]]\n"
    root = make_vault(
        {"T.md": target, "S.md": f"{link}\n", "vaultkit.toml": "[relations]\nenabled = false\n"}
    )
    lines = report(root, monkeypatch)
    assert [line.split(" ", 2)[2] for line in lines if "VK103" in line] == [problem]


def test_a_missing_heading_of_a_note_of_many_headings_guesses_none(
    make_vault: VaultFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A note of hundreds of headings is not compared heading by heading for each broken link to it."""
    target = "".join(f"## Section {n}\n" for n in range(200))
    root = make_vault(
        {"T.md": target, "S.md": "[[T#Section 2000]]\n", "vaultkit.toml": "[relations]\nenabled = false\n"}
    )
    assert report(root, monkeypatch) == ["S.md:1:1: VK103 'T.md' has no heading 'Section 2000'"]


def test_a_link_to_a_block_id_obsidian_cannot_read_says_why(
    make_vault: VaultFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Obsidian's block ids are Latin letters, digits and `-` (`^([a-zA-Z0-9-]+)$`): `^日本語` or `^ürün` at a
    line's end is text, so `[[T#^日本語]]` shows nothing. Regression: VK104 said only 'has no block', though
    the target's line ends with the id the link names, and did not say why."""
    root = make_vault(
        {
            "T.md": "研究の段落 ^日本語\n\nÜrün ^ürün-1\n\nOk ^ok-1\n",
            "S.md": "[[T#^日本語]] [[T#^ürün-1]] [[T#^ok-1]] [[T#^ok-2]]\n",
            "vaultkit.toml": "[relations]\nenabled = false\n",
        }
    )
    why = "a block id is Latin letters, digits and '-' only: Obsidian reads"
    assert report(root, monkeypatch, "--select", "VK104") == [
        f"S.md:1:1: VK104 'T.md' has no block '^日本語' ({why} '^日本語' at the end of a line as text)",
        f"S.md:1:12: VK104 'T.md' has no block '^ürün-1' ({why} '^ürün-1' at the end of a line as text)",
        "S.md:1:38: VK104 'T.md' has no block '^ok-2'",
    ]


def _subpath_check_lines(
    make_vault: VaultFactory, monkeypatch: pytest.MonkeyPatch, n: int, block: bool
) -> int:
    if block:
        target = "".join(f"Para {i} ^b{i}\n\n" for i in range(n))
        source = "".join(f"[[T#^b{i}]] " for i in range(n))
    else:
        target = "".join(f"## Heading {i}\n" for i in range(n))
        source = "".join(f"[[T#Heading {i}]] " for i in range(n))
    files = {
        "T.md": target,
        "S.md": source + "[[T#Nope]]\n",
        "vaultkit.toml": "[relations]\nenabled = false\n",
    }
    root = make_vault(files, name=f"v{n}")
    lines, count = counted(lambda: report(root, monkeypatch, "--select", "VK103,VK104"))
    assert len(lines) == 1 and "'T.md' has no" in lines[0], lines
    return count


@pytest.mark.parametrize("block", [False, True], ids=["headings", "block-ids"])
def test_subpath_links_are_checked_in_linear_time(
    make_vault: VaultFactory, monkeypatch: pytest.MonkeyPatch, block: bool
) -> None:
    """VK103 and VK104 compared each link with every heading or block id of its target: one note linking to
    each of 8,000 headings of another took 11 s to check (a generated table of contents, an index note).
    Counted, not timed: the lines a check runs for 1,600 links to 1,600 headings or block ids are 4.9 times
    those for 200 (under 8: a run's fixed part), where comparing with each made them 32 or 19 times."""
    growth_ = growth(lambda n: _subpath_check_lines(make_vault, monkeypatch, n, block), 200)
    assert growth_ < 2 * 8, growth_


def _folder_path_links_lines(n: int) -> int:
    rels = [f"proj/p{i}/index.md" for i in range(n)]
    index = Index.build(dict.fromkeys(rels), {}, ())  # type: ignore[arg-type]
    links = [SimpleNamespace(kind="wikilink", target=f"p{i}/index", source="") for i in range(n)]
    found, count = counted(lambda: [index.resolve(link, "S.md").target for link in links])
    assert found == rels
    return count


def test_path_links_to_a_name_thousands_of_notes_share_resolve_in_linear_time() -> None:
    """`[[p0001/index]]` was matched against the path of every note named `index`: with an `index.md` in
    each of 2,000 project folders, each linking to the next, resolving took 8 of a check's 32 s (profiled).
    Counted, not timed: the lines run to resolve 800 such links among 800 notes are 8 times those for 100
    (8.0), where matching each against every path made them 49 times."""
    rels = [f"proj/p{i}/index.md" for i in range(20)] + ["x/XP3/Index.md", "p3/index.md/a.png"]
    index = Index.build(dict.fromkeys(rels[:-1]), {}, rels[-1:])  # type: ignore[arg-type]
    link = SimpleNamespace(kind="wikilink", target="P3/index", source="")
    assert index.resolve(link, "S.md").candidates == ("proj/p3/index.md", "x/XP3/Index.md")  # ends as text
    growth_ = growth(_folder_path_links_lines, 100)
    assert growth_ < 2 * 8, growth_


@pytest.mark.parametrize(
    ("link", "problem"),
    [
        ("[[T#Method#Details]]", None),
        ("[[T#Method#Deep]]", None),  # any level below the one before, not only the next
        ("[[T#Details#Deep]]", None),
        ("[[T#Details#Stray]]", None),  # below it in level, though another chapter opened between
        (
            "[[T#Details#Results]]",
            "'T.md' has no heading 'Results' under 'Details' (the 'Details' taken is the heading at line 3; the "
            "next 'Results', at line 5, is not below it)",
        ),
        (
            "[[T#Deep#Other]]",
            "'T.md' has no heading 'Other' under 'Deep' (the 'Deep' taken is the heading at line 7; the next "
            "'Other', at line 9, is not below it)",
        ),
        ("[[T#Results#Method]]", "'T.md' has no heading 'Method' after 'Results'"),
    ],
)
def test_a_heading_path_names_each_heading_below_the_one_before(
    make_vault: VaultFactory, monkeypatch: pytest.MonkeyPatch, link: str, problem: str | None
) -> None:
    """`[[T#A#B]]` opens a heading B after A and of a lower level than A, as Obsidian resolves a subpath
    (its `resolveSubpath` takes each part's heading only where its level is greater than the part's before).
    Regression: a sibling `## Results` after `## Details` was taken for `[[T#Details#Results]]`, a link
    Obsidian opens at the top of the note."""
    target = "# Method\n\n## Details\n\n## Results\n\n### Deep\n\n# Other\n\n### Stray\n"
    root = make_vault(
        {"T.md": target, "S.md": f"{link}\n", "vaultkit.toml": "[relations]\nenabled = false\n"}
    )
    lines = report(root, monkeypatch, "--select", "VK103")
    assert [line.split(" ", 2)[2] for line in lines] == ([problem] if problem else [])


def test_a_heading_path_whose_first_part_matches_an_earlier_heading_says_which(
    make_vault: VaultFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Regression (Obsidian's help, its Functions page): `[[F#Date#date()]]` where `` ### `date()` `` comes
    before `## Date` takes that heading for `Date` (the same letters), and was told "'date()' under 'Date'
    (line 7 is not below it)": line 7 is the `## Date` the user meant. The message names the heading taken."""
    target = "## Global\n\n### `date()`\n\nx\n\n## Date\n\n### `date()`\n"
    files = {"F.md": target, "S.md": "[[F#Date#date()]]\n", "vaultkit.toml": "[relations]\nenabled = false\n"}
    root = make_vault(files)
    assert report(root, monkeypatch, "--select", "VK103") == [
        "S.md:1:1: VK103 'F.md' has no heading 'date()' under 'Date' (the 'Date' taken is the heading at line 3,"
        " as headings are matched whatever their case and punctuation; the next 'date()', at line 7, is not"
        " below it)"
    ]


@pytest.mark.parametrize("filler", [2, 40], ids=["few-headings", "indexed-headings"])
def test_heading_paths_read_alike_in_notes_of_few_and_many_headings(
    make_vault: VaultFactory, monkeypatch: pytest.MonkeyPatch, filler: int
) -> None:
    """A note of many headings is indexed once for the links to it, one of a few is looked up afresh (the
    index of every linked note held ~20 MB on 50,000 notes): `#A#B` reads the same either way, also where
    the heading after A is no subheading of it (`#A#C`, of the same level)."""
    target = "## B\n## A\n" + "".join(f"## Filler {i}\n" for i in range(filler)) + "## C\n"
    line = "[[T#A#B]] [[T#A#C]] [[T#C#A]] [[T#a]]\n"
    files = {"T.md": target, "S.md": line, "vaultkit.toml": "[relations]\nenabled = false\n"}
    root = make_vault(files)
    assert report(root, monkeypatch, "--select", "VK103") == [
        "S.md:1:1: VK103 'T.md' has no heading 'B' after 'A'",
        f"S.md:1:{line.index('[[T#A#C]]') + 1}: VK103 'T.md' has no heading 'C' under 'A'"
        f" (the 'A' taken is the heading at line 2; the next 'C', at line {filler + 3}, is not below it)",
        f"S.md:1:{line.index('[[T#C#A]]') + 1}: VK103 'T.md' has no heading 'A' after 'C'",
    ]


def test_a_link_that_splits_a_heading_holding_a_hash_says_how_to_link_it(
    make_vault: VaultFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`[[T#C# tips]]` for `## C# tips` looks for a heading `C` (a `#` in a link starts a subheading): it was
    told only "has no heading 'C'", with `## C# tips` right there. It now says how that heading is linked;
    a `#` that splits no heading's name (`[[T#C#Nope]]`) is told as before."""
    line = "[[T#C# tips]] [x](T.md#C%23%20tips) [[T#C  tips]] [[T#C#Nope]]\n"
    files = {"T.md": "## C# tips\n", "S.md": line, "vaultkit.toml": "[relations]\nenabled = false\n"}
    root = make_vault(files)
    hint = "(a '#' in a link starts a subheading: the heading 'C# tips' is linked as '#C tips')"
    assert report(root, monkeypatch, "--select", "VK103") == [
        f"S.md:1:1: VK103 'T.md' has no heading 'C' {hint}",
        f"S.md:1:{line.index('[x]') + 1}: VK103 'T.md' has no heading 'C' {hint}",
        f"S.md:1:{line.index('[[T#C#Nope]]') + 1}: VK103 'T.md' has no heading 'C'",
    ]


def test_a_percent_encoded_wikilink_says_it_is_read_as_written(
    make_vault: VaultFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`[[Other%20Note]]` (a Notion export's Markdown link made a wikilink) names a note `Other%20Note`: Obsidian
    decodes a Markdown link's path, never a wikilink's. VK101 said only "matches no note or file"; it now says
    how to write it. The Markdown link resolves; an escape that decodes to no note gets no hint."""
    line = "[[Other%20Note]] [x](Other%20Note.md) [[Caf%C3%A9#Top|c]] [[No%20Such]]\n"
    files = {"Other Note.md": "x\n", "Café.md": "# Top\n", "S.md": line}
    root = make_vault({**files, "vaultkit.toml": "[relations]\nenabled = false\n"})
    how = "(a wikilink is not URL-decoded, as a Markdown link's path is: write"
    assert report(root, monkeypatch, "--select", "VK101") == [
        f"S.md:1:1: VK101 broken link: 'Other%20Note' matches no note or file {how} [[Other Note]])",
        f"S.md:1:{line.index('[[Caf') + 1}: VK101 broken link: 'Caf%C3%A9' matches no note or file {how} [[Café]])",
        f"S.md:1:{line.index('[[No%20') + 1}: VK101 broken link: 'No%20Such' matches no note or file",
    ]


def test_duplicate_block_ids(make_vault: VaultFactory, monkeypatch: pytest.MonkeyPatch) -> None:
    root = make_vault({"N.md": "One ^a\n\nTwo ^b\n\n- three ^a\n\n```\nfour ^a\n```\n"})
    assert report(root, monkeypatch) == ["N.md:5:9: VK105 block id '^a' is already used on line 1"]


def test_block_ids_of_a_crlf_note_are_found_and_one_inside_a_paragraph_is_text(
    make_vault: VaultFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Regression (unseen38): no block id of a note with CRLF line endings (saved on Windows) was found, so
    every `[[B#^a]]` into one was VK104; and `^x` at the end of a line its paragraph goes on after was an
    id, though Obsidian reads an id only where it ends its block (there the link opens nothing), and two
    such lines of one paragraph were VK105."""
    root = make_vault(
        {
            "B.md": "One ^a\r\n\r\n- item ^b\r\n",
            "C.md": "line one ^x\nline two ^x\nline three ^y\n",
            "S.md": "[[B#^a]] [[B#^b]] [[C#^x]] [[C#^y]]\n",
            "vaultkit.toml": "[relations]\nenabled = false\n",
        }
    )
    assert report(root, monkeypatch) == ["S.md:1:19: VK104 'C.md' has no block '^x'"]


def test_links_in_properties_are_checked_at_the_property(
    make_vault: VaultFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = make_vault(
        {
            "A.md": "x\n",
            "S.md": '---\nsources:\n  - "[[A]]"\n  - "[[Gone]]"\n---\n',
            "vaultkit.toml": "[relations]\nenabled = false\n",
        }
    )
    assert report(root, monkeypatch) == ["S.md:4:6: VK101 broken link: 'Gone' matches no note or file"]


def test_a_broken_relation_says_vaultkit_leaves_it_to_the_user(
    make_vault: VaultFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Regression (an entity note deleted after a week of `vaultkit link`): each note it had linked kept the
    relation `link` added, reported as a bare `broken link` in a list the user never wrote, with no word of
    whether vaultkit would take it out. Under the relations property (`Related:` too) it says `link` never
    removes one; a broken link under any other property is told as before."""
    root = make_vault(
        {
            "A.md": '---\nRelated:\n  - "[[Cursor]]"\nsources: ["[[Gone]]"]\n---\n',
            "B.md": '---\nup: "[[Cursor]]"\n---\n',
        }
    )
    assert report(root, monkeypatch) == [
        "A.md:3:6: VK101 broken link: 'Cursor' matches no note or file (in 'Related', the relations `vaultkit "
        "link` adds and never removes: if the note was deleted, remove the item)",
        "A.md:4:12: VK101 broken link: 'Gone' matches no note or file",
        "B.md:2:6: VK101 broken link: 'Cursor' matches no note or file",
    ]


def test_a_link_inside_a_text_property_is_reported_where_it_is_written(
    make_vault: VaultFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Obsidian reads a link anywhere in a text property (help: Properties, "Text and List type properties
    can contain ... internal links") and shows it in backlinks; a broken one is VK101. Regression: it was
    reported at the value's start, so `title: "See [[Gone]] here"` pointed at the quote and a folded value
    (`summary: >`) at the line before the link. Where the link is not written as it reads (an escape in
    it), the value's own place is kept."""
    head = (
        '---\ntitle: "See [[Gone]] and [[Lost]]"\nsummary: >\n  folded, see [[Away]]\n'
        'plain: a [[Nowhere]] b\nescaped: "\\x41 [[Hidden]] [[Hid\\x64en2]]"\n---\n'
    )
    root = make_vault({"S.md": head, "vaultkit.toml": "[relations]\nenabled = false\n"})
    assert [line.split(": VK101")[0] for line in report(root, monkeypatch)] == [
        "S.md:2:13",
        "S.md:2:26",
        "S.md:4:15",
        "S.md:5:10",
        "S.md:6:10",  # `[[Hidden2]]`, written with an escape in it
        "S.md:6:16",
    ]


def test_a_link_a_yaml_alias_repeats_is_reported_once_at_the_anchor(
    make_vault: VaultFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`a: &x "[[Gone]]"` and `b: *x`: Obsidian reads the link in both properties, but it is written once, at
    the anchor, and mended there for both. Regression: VK101 (and VK103 for a heading) was reported twice,
    both times at the anchor. Two links written apart are still two findings."""
    head = '---\na: &x "[[Gone]]"\nb: *x\nc: &y "[[A#Nope]]"\nd: [*y, *y]\ne: "[[Gone]]"\n---\n'
    root = make_vault({"A.md": "x\n", "S.md": head, "vaultkit.toml": "[relations]\nenabled = false\n"})
    assert [line.split(" ")[:2] for line in report(root, monkeypatch)] == [
        ["S.md:2:8:", "VK101"],
        ["S.md:4:8:", "VK103"],
        ["S.md:6:5:", "VK101"],
    ]


def test_a_wikilink_as_a_markdown_links_path_is_reported_with_the_forms_that_link(
    make_vault: VaultFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`[text]([[Note]])`: CommonMark reads `[[Note]]` as the link's path, which names no file. The bare
    'matches no note or file' left the writer puzzled (Note.md is there); the message now says why, and
    how to write the link."""
    root = make_vault(
        {
            "Note.md": "x\n",
            "My Note.md": "x\n",
            "S.md": "[a]([[Note]]) [b](<[[My Note]]>)\n",
            "vaultkit.toml": "[relations]\nenabled = false\n",
        }
    )
    assert report(root, monkeypatch) == [
        "S.md:1:1: VK101 broken link: '[[Note]]' matches no note or file (a wikilink as a Markdown link's "
        "path, a file name as CommonMark reads it: write [[Note|text]] or [text](Note.md))",
        "S.md:1:15: VK101 broken link: '[[My Note]]' matches no note or file (a wikilink as a Markdown link's "
        "path, a file name as CommonMark reads it: write [[My Note|text]] or [text](<My Note.md>))",
    ]


def test_nothing_in_code_or_comments_is_a_link(
    make_vault: VaultFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    body = (
        "`[[A]]` ``[[B]] ` x`` %% [[C]] %% <!-- [[D]] --> $[[E]]$\n\n```\n[[F]]\n```\n\n    [[G]]\n\n"
        "~~~\n[[H]]\n~~~\n\n- ```\n  [[I]]\n  ```\n\n> ```\n> [[J]]\n> ```\n\n<div>\n[[K]]\n</div>\n"
    )
    root = make_vault({"S.md": body})
    assert report(root, monkeypatch) == []


def test_a_footnotes_links_are_links(make_vault: VaultFactory, monkeypatch: pytest.MonkeyPatch) -> None:
    """A footnote's text is Markdown, in Obsidian a link there is a link: in a definition (`[^1]: see
    [[Gone]]`) and in an inline footnote (`^[see [[Gone]]]`, `^[[[Gone]]]`). Regression: a definition was
    read as a reference definition, and masked whole; an inline footnote ended at the first `]`, that of its
    link; its lines indented 4 spaces (`[^1]: a` then `    b`), its text too, were read as indented code.
    No link was reported broken, or counted as a link to its note (VK121 was not asked for). Indented code
    after the footnote's end, or outside the quote it is in, is still code."""
    body = (
        "a[^1] ^[see [[Gone1]] here] ^[[[Gone2]]]\n\n[^1]: see [[Gone3]] and [b](Note.md)\n"
        "    more [[Gone4]]\n\n    and [[Gone5]]\n\nprose\n\n    code [[Code1]]\n\n"
        "> [^2]: quoted [[Gone6]]\n\n    code [[Code2]]\n"
    )
    root = make_vault({"Note.md": "x\n", "S.md": body, "vaultkit.toml": ""})
    assert report(root, monkeypatch) == [
        "Note.md:1:1: VK121 [*] [[S]] links here, but 'related' does not list it",
        f"S.md:1:{body.index('[[Gone1') + 1}: VK101 broken link: 'Gone1' matches no note or file",
        f"S.md:1:{body.index('[[Gone2') + 1}: VK101 broken link: 'Gone2' matches no note or file",
        "S.md:3:11: VK101 broken link: 'Gone3' matches no note or file",
        "S.md:4:10: VK101 broken link: 'Gone4' matches no note or file",
        "S.md:6:9: VK101 broken link: 'Gone5' matches no note or file",
        "S.md:12:16: VK101 broken link: 'Gone6' matches no note or file",
    ]


def test_a_table_link_with_an_escaped_pipe(make_vault: VaultFactory, monkeypatch: pytest.MonkeyPatch) -> None:
    root = make_vault(
        {
            "A.md": "# H\n",
            "S.md": "| a | b |\n|---|---|\n| [[A#H\\|shown]] | [[Gone\\|x]] |\n",
            "vaultkit.toml": "[relations]\nenabled = false\n",
        }
    )
    assert report(root, monkeypatch) == ["S.md:3:20: VK101 broken link: 'Gone' matches no note or file"]


def test_checking_one_file_still_knows_the_whole_vault(
    make_vault: VaultFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = make_vault(
        {
            "Deep/A.md": "x\n",
            "S.md": "[[A]] [[Gone]]\n",
            "T.md": "[[Also gone]]\n",
            "vaultkit.toml": "[relations]\nenabled = false\n",
        }
    )
    monkeypatch.chdir(root)
    result = run_cli("check", "--no-cache", "S.md")
    assert result.stdout.splitlines()[:-1] == ["S.md:1:7: VK101 broken link: 'Gone' matches no note or file"]


def test_excluded_files_are_link_targets_but_trash_is_not(
    make_vault: VaultFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Obsidian's "Excluded files" are hidden from search and unlinked mentions, but links to them resolve;
    `.trash` is outside the vault. Regression: links into an excluded folder were reported broken."""
    root = make_vault(
        {
            "Templates/T.md": "---\ntitle: [broken\n---\n# Only heading\n",
            "Templates/Sub/Deep.md": "x\n",
            "Archive/Old paper.md": "x\n",
            "Archive/figure.png": b"\x89PNG",
            ".trash/Old.md": "x\n",
            "S.md": "[[T]] [[Old]] [[T#Anything]] [[Templates/Sub/Deep]] [[Deep]] [[Old paper]] "
            "[fig](Archive/figure.png) [d](Templates/Sub/Deep.md)\n",
            "U.md": "Old paper, an excluded note, is not linked where it is mentioned.\n",
            "vaultkit.toml": 'exclude = ["Archive/"]\n',
        },
        app={"userIgnoreFilters": ["Templates/"]},
    )
    assert report(root, monkeypatch) == ["S.md:1:7: VK101 broken link: 'Old' matches no note or file"]
    assert run_cli("check", ".").stdout == run_cli("check", ".").stdout  # the cached listing agrees
    assert "VK101" in run_cli("check", ".").stdout


def test_an_excluded_note_sharing_a_name_makes_a_bare_link_ambiguous(
    make_vault: VaultFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Excluded files and templates are still files to Obsidian's link resolution: `[[Meeting]]` with
    `Templates/Meeting.md` beside `Notes/Meeting.md` could open either. Regression: the excluded one was
    not counted, so the link passed as naming `Notes/Meeting.md`."""
    root = make_vault(
        {
            "Templates/Meeting.md": "x\n",
            "Notes/Meeting.md": "x\n",
            "Archive/Budget.md": "x\n",
            "Notes/Budget.md": "x\n",
            "S.md": "[[Meeting]] [[Notes/Meeting]] [Budget](Budget.md) [[Archive/Budget]]\n",
            ".obsidian/templates.json": '{"folder": "Templates"}\n',
            "vaultkit.toml": "[relations]\nenabled = false\n",
        },
        app={"userIgnoreFilters": ["Archive/"]},
    )
    assert report(root, monkeypatch) == [
        "S.md:1:1: VK102 ambiguous link 'Meeting': it could mean 'Notes/Meeting.md' and 'Templates/Meeting.md'; "
        "write the folder too",
        "S.md:1:31: VK102 ambiguous link 'Budget.md': it could mean 'Archive/Budget.md' and 'Notes/Budget.md'; "
        "write the folder too",
    ]


@pytest.mark.parametrize(
    "filters",
    [
        ["/^(?<top>Archive)\\/\\d+\\//"],  # a named group as JavaScript writes it, and `\/`
        ["/^Archive[^]2024/"],  # `[^]`: any character, in JavaScript
        ["/^archive\\//"],  # Obsidian compiles a filter ignoring case
        ["archive/"],  # a path too
        ["2024/"],  # a path is found anywhere in the path, not only at its start
        ["  Archive/ "],  # each filter is trimmed
    ],
)
def test_ignore_filters_are_read_as_obsidian_reads_them(
    make_vault: VaultFactory, monkeypatch: pytest.MonkeyPatch, filters: list[str]
) -> None:
    """Obsidian's `updateUserIgnoreFilters`: `new RegExp(inner, "i")` for `/…/`, else
    `new RegExp("^.*" + escaped + ".*$", "i")`. Regression: read by Python's `re`, as path prefixes, with
    case: each filter here either stopped the run (exit 2) or left `Archive/2024/Old.md` checked."""
    root = make_vault(
        {"Archive/2024/Old.md": "[[Missing]]\n", "N.md": "x\n"}, app={"userIgnoreFilters": filters}
    )
    assert report(root, monkeypatch) == []


def test_a_filter_is_trimmed_of_spaces_only(
    make_vault: VaultFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Trimmed as JavaScript's `trim()` trims (an em space, a BOM), and of nothing else. Regression: the
    trim took `-` off the ends too, and `Archive-` hid the folder `Archive`."""
    root = make_vault(
        {"Archive/Old.md": "[[Missing]]\n", "Drafts/D.md": "[[Missing]]\n"},
        app={"userIgnoreFilters": ["Archive-", "\u2003Drafts/\ufeff"]},
    )
    assert [line.partition(":")[0] for line in report(root, monkeypatch)] == ["Archive/Old.md"]


def test_a_filter_digit_is_an_ascii_digit_as_in_javascript(
    make_vault: VaultFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    """JavaScript's `\\d` (no `u` flag) is 0-9; Python's took Arabic-Indic digits too, and so hid a note
    Obsidian shows. And `"userIgnoreFilters": null`, as Obsidian may write none, is no filter (was exit 2)."""
    files = {"١٢/Old.md": "[[Missing]]\n", "12/Old.md": "[[Missing]]\n"}
    root = make_vault(files, app={"userIgnoreFilters": ["/^\\d+\\//"]})
    assert [line.partition(":")[0] for line in report(root, monkeypatch)] == ["١٢/Old.md"]
    (root / ".obsidian/app.json").write_text('{"userIgnoreFilters": null}')
    assert len(report(root, monkeypatch)) == 2


def test_a_filter_class_beside_a_dash_reads_as_in_javascript(
    make_vault: VaultFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    """In JavaScript, `[!-\\d]` is `!`, `-` and the digits, and `[\\w-.]` a word character, `-` or `.`.
    Regression: written out for Python as ranges, `[!-0-9]` hid `(Drafts)/` (`(` is between `!` and `0`),
    and `[A-Za-z0-9_-.]` was refused (VK024), leaving `Archive-2024/` checked."""
    files = {
        "(Drafts)/Old.md": "[[Missing]]\n",
        "-Old/Old.md": "[[Missing]]\n",
        "Archive-2024/O.md": "[[Missing]]\n",
    }
    root = make_vault(files, app={"userIgnoreFilters": ["/^[!-\\d]/", "/^Archive[\\w-.]2024/"]})
    assert [line.partition(":")[0] for line in report(root, monkeypatch)] == ["(Drafts)/Old.md"]


def test_a_control_escape_in_a_filter_class_reads_as_in_javascript(
    make_vault: VaultFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    """In a class, JavaScript (Annex B, checked with node 20) reads `\\c` before a digit or `_` as a control
    character: `[\\c1]` is U+0011, `[\\c_]` U+001F. Regression: read as a backslash, `c` and `1`, the filter
    hid `1994/` and `Cars/`, which Obsidian shows."""
    files = {"1994/N.md": "[[Missing]]\n", "Cars/N.md": "[[Missing]]\n", "\x11x/N.md": "[[Missing]]\n"}
    root = make_vault(files, app={"userIgnoreFilters": ["/^[\\c1]9/", "/^[\\c_]ars/", "/^[\\c1]x/"]})
    assert [line.partition(":")[0] for line in report(root, monkeypatch)] == ["1994/N.md", "Cars/N.md"]


@pytest.mark.parametrize("pattern", ["/^Archive$/", "/Archive$/", "/^Archive\\/?$/"])
def test_a_filter_that_names_a_folder_but_not_its_files_hides_none_of_them(
    make_vault: VaultFactory, monkeypatch: pytest.MonkeyPatch, pattern: str
) -> None:
    """Obsidian tests each file's own path (`isUserIgnored(file.path)`): `/^Archive$/` matches the folder
    `Archive` and none of the files in it. Regression: the folder's match hid every note in it."""
    files = {"Archive/Old.md": "[[Missing]]\n", "Archive/Sub/Deep.md": "[[Missing]]\n", "Archive.md": "x\n"}
    root = make_vault(files, app={"userIgnoreFilters": [pattern]})
    assert [line.partition(":")[0] for line in report(root, monkeypatch)] == [
        "Archive/Old.md",
        "Archive/Sub/Deep.md",
    ]


def nfd(text: str) -> str:
    return unicodedata.normalize("NFD", text)


def test_a_link_whose_quotes_alone_differ_from_a_name_says_so(
    make_vault: VaultFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Regression: iOS and Android keyboards curl quotes as they are typed (Smart Punctuation), so a link
    typed on a phone, `[[Alice’s notes]]`, names no file when the note is `Alice's notes.md` (and a note
    named on a phone, `Bob’s plan.md`, no link typed on a computer): VK101 said only 'matches no note'."""
    root = make_vault(
        {
            "Alice's notes.md": "x\n",
            "Bob’s plan.md": "x\n",
            "S.md": "[[Alice’s notes]] and [[Bob's plan#Goals]] and [[Carol’s]]\n",
            "vaultkit.toml": "[relations]\nenabled = false\n",
        }
    )
    assert report(root, monkeypatch) == [
        "S.md:1:1: VK101 broken link: 'Alice’s notes' matches no note or file (only its quotes differ from "
        "'Alice's notes': type them as the name has them; a phone's keyboard curls them as you type)",
        "S.md:1:23: VK101 broken link: 'Bob's plan' matches no note or file (only its quotes differ from "
        "'Bob’s plan': type them as the name has them; a phone's keyboard curls them as you type)",
        "S.md:1:48: VK101 broken link: 'Carol’s' matches no note or file",
    ]


def test_a_link_with_an_input_methods_full_width_pipe_or_hash_says_so(
    make_vault: VaultFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Regression: a Chinese or Japanese input method in full-width mode types `｜` and `＃` for a link's `|`
    and `#`, so `[[東京大学｜東大]]` names a note `東京大学｜東大`, which Obsidian shows as broken: VK101 said
    only 'matches no note'. Where the text before it names a note, it says which character to retype."""
    root = make_vault(
        {
            "東京大学.md": "# 歴史\n",
            "S.md": "[[東京大学｜東大]]の[[東京大学＃歴史]]と[[京都｜大学]]\n",
            "vaultkit.toml": "[relations]\nenabled = false\n",
        }
    )
    how = "as a Chinese or Japanese input method types it"
    assert report(root, monkeypatch) == [
        "S.md:1:1: VK101 broken link: '東京大学｜東大' matches no note or file "
        f"('｜' is a full-width '|', {how}: write [[東京大学|東大]])",
        "S.md:1:13: VK101 broken link: '東京大学＃歴史' matches no note or file "
        f"('＃' is a full-width '#', {how}: write [[東京大学#歴史]])",
        "S.md:1:25: VK101 broken link: '京都｜大学' matches no note or file",
    ]


def test_a_link_with_a_tables_escaped_pipe_outside_a_table_says_so(
    make_vault: VaultFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Regression: `[[Note\\|text]]`, the escape a table's cell needs, copied into prose names a note `Note\\`
    (nothing unescapes the pipe outside a table), and VK101 said only 'matches no note'. Where the name
    without its backslash is a note's, it says how to write the link there; in a table the link resolves."""
    root = make_vault(
        {
            "Note.md": "x\n",
            "S.md": "[[Note\\|text]] [[Gone\\|text]]\n\n| a |\n|---|\n| [[Note\\|text]] |\n",
            "vaultkit.toml": "[relations]\nenabled = false\n",
        }
    )
    how = "a '\\|' is a link's '|' only in a table, whose cells it would end"
    assert report(root, monkeypatch) == [
        f"S.md:1:1: VK101 broken link: 'Note\\' matches no note or file ({how}: elsewhere write [[Note|text]])",
        "S.md:1:16: VK101 broken link: 'Gone\\' matches no note or file",
    ]


def test_a_wikilink_to_a_file_whose_name_holds_a_hash_says_how_to_link_it(
    make_vault: VaultFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Regression: `[[C# Tips]]` for `C# Tips.md` is a link to a note `C` and its heading ` Tips`, in Obsidian
    too, and VK101 said only that 'C' matches no note: no wikilink can name such a file. Where the link's
    parts, joined again at their `#`, name a file, it shows the Markdown link that does (`#` encoded)."""
    root = make_vault(
        {
            "C# Tips.md": "x\n",
            "F/Q# (1).png": "x\n",
            "S.md": "[[C# Tips]] [[F/Q# (1).png]] [[C# Nope]]\n",
            "vaultkit.toml": "[relations]\nenabled = false\n",
        }
    )
    how = "a '#' in a wikilink starts a heading, so no wikilink names"
    assert report(root, monkeypatch) == [
        f"S.md:1:1: VK101 broken link: 'C' matches no note or file ({how} 'C# Tips.md': "
        "write a Markdown link, [C# Tips](C%23%20Tips.md))",
        f"S.md:1:13: VK101 broken link: 'F/Q' matches no note or file ({how} 'F/Q# (1).png': "
        "write a Markdown link, [Q# (1).png](F/Q%23%20%281%29.png))",
        "S.md:1:30: VK101 broken link: 'C' matches no note or file",
    ]


def test_a_wikilink_to_a_name_with_a_space_before_its_hash_says_how_to_link_it(
    make_vault: VaultFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Regression (unseen38): `[[Issue #42]]` for `Issue #42.md` (notes numbered as issues, episodes and
    meetings are) is a note `Issue` and its heading `42`, both read trimmed, and VK101 said only that
    'Issue' matches no note: the space before the `#` was never tried back, as the one after it was."""
    root = make_vault(
        {
            "Issue #42.md": "x\n",
            "Episode # 3 recap.md": "x\n",
            "S.md": "[[Issue #42]] [[Episode # 3 recap]]\n",
            "vaultkit.toml": "[relations]\nenabled = false\n",
        }
    )
    how = "a '#' in a wikilink starts a heading, so no wikilink names"
    assert report(root, monkeypatch) == [
        f"S.md:1:1: VK101 broken link: 'Issue' matches no note or file ({how} 'Issue #42.md': "
        "write a Markdown link, [Issue #42](Issue%20%2342.md))",
        f"S.md:1:15: VK101 broken link: 'Episode' matches no note or file ({how} 'Episode # 3 recap.md': "
        "write a Markdown link, [Episode # 3 recap](Episode%20%23%203%20recap.md))",
    ]


def test_a_link_to_a_file_whose_name_begins_or_ends_with_a_space_says_so(
    make_vault: VaultFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Regression: a link's target is read trimmed, so `[[ Lead]]` names `Lead`, never ` Lead.md` (a name a
    sync tool or a script gave the file: Obsidian would not), and VK101 said only that 'Lead' matches no
    note. Where the name with the space back names a file, it says so and to rename the file."""
    root = make_vault(
        {
            " Lead.md": "x\n",
            "Trail .md": "x\n",
            "S.md": "[[ Lead]] [[Trail ]] [[Gone ]]\n",
            "vaultkit.toml": "[relations]\nenabled = false\n",
        }
    )
    how = "with a space, and a link's target is read trimmed: rename the file"
    assert report(root, monkeypatch) == [
        f"S.md:1:1: VK101 broken link: 'Lead' matches no note or file (' Lead.md' begins {how})",
        f"S.md:1:11: VK101 broken link: 'Trail' matches no note or file ('Trail .md' ends {how})",
        "S.md:1:22: VK101 broken link: 'Gone' matches no note or file",
    ]


def test_a_link_that_differs_from_a_name_in_look_alike_letters_says_which(
    make_vault: VaultFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A name can hold a letter of another script that looks the same (a note of Obsidian's Russian help
    begins with a Latin `C`, as a keyboard left in English types it). A link typed in
    one script (`[[Справка]]`) names no note, in Obsidian too, and VK101 said only 'matches no note': the
    two read the same. It now says which letter differs; a link that names nothing alike is told as before."""
    root = make_vault(
        {
            "Cправка.md": "x\n",  # its first letter is a Latin C
            "Ελλάδα.md": "x\n",
            "S.md": "[[Справка]] [[EΛΛΆΔΑ]] [[Справочник]]\n",
            "vaultkit.toml": "[relations]\nenabled = false\n",
        }
    )
    assert report(root, monkeypatch) == [
        "S.md:1:1: VK101 broken link: 'Справка' matches no note or file (it looks like the name of "
        "'Cправка.md', whose 'C' is a Latin letter where the link has a Cyrillic 'С': write [[Cправка]])",
        "S.md:1:13: VK101 broken link: 'EΛΛΆΔΑ' matches no note or file (it looks like the name of "
        "'Ελλάδα.md', whose 'Ε' is a Greek letter where the link has a Latin 'E': write [[Ελλάδα]])",
        "S.md:1:24: VK101 broken link: 'Справочник' matches no note or file",
    ]


def test_a_link_that_is_an_alias_or_an_attachments_name_is_told_so_before_a_look_alike(
    make_vault: VaultFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A link written exactly as a note's alias, or as an attachment's name without its extension, was told
    so; the look-alike hint, asked first, sent it to a note whose name only looks like it (`Cправка.md`,
    its `C` Latin), though the link names the alias letter for letter."""
    root = make_vault(
        {
            "Cправка.md": "x\n",  # its first letter is a Latin C
            "Help.md": "---\naliases: [Справка]\n---\nx\n",
            "Cхема.md": "x\n",  # its first letter is a Latin C
            "Схема.png": "",
            "S.md": "[[Справка]] [[Схема]]\n",
            "vaultkit.toml": "[relations]\nenabled = false\n",
        }
    )
    assert report(root, monkeypatch) == [
        "S.md:1:1: VK101 broken link: 'Справка' matches no note or file (it is an alias of 'Help.md': "
        "links go by name, write [[Help|Справка]])",
        "S.md:1:13: VK101 broken link: 'Схема' matches no note or file (attachments need their extension: "
        "'Схема.png'?)",
    ]


def test_a_link_is_compared_as_written_with_the_nfc_name_of_each_file(
    make_vault: VaultFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Obsidian names each file by its NFC path (a macOS vault's NFD `Résumé.md` is `Résumé` there, on
    Linux too), and looks a link up as written, lower-cased and not normalised (`getLinkpathDest`): an NFC
    `[[Résumé]]` opens the NFD-named file, an NFD `[[Résumé]]` (pasted from a Finder name) opens no file,
    whichever form the name has on disk (the obsidian-bridge.nvim fix for NFD paths Obsidian's
    `openLinkText` did not match: oflisback/obsidian-bridge.nvim#43). Regression: the NFD link was taken
    as resolved, and Obsidian shows it broken."""
    line = f"[[Résumé]] [[{nfd('Résumé')}]] [[Plan]] [[{nfd('Équipe/Plan')}]] [x]({nfd('Café')}.md)"
    root = make_vault(
        {
            f"{nfd('Résumé')}.md": "x\n",
            f"{nfd('Équipe')}/Plan.md": "x\n",
            "Café.md": "x\n",
            f"{nfd('Équipe')}/S.md": "[[./Plan]] [[Équipe/Plan]] [y](../Café.md)\n",
            "S.md": line + "\n",
            "vaultkit.toml": "[relations]\nenabled = false\n",
        }
    )
    assert [
        entry.split(": ", 1)[1].split(" ", 1)[0] + " " + entry.split(":")[2]
        for entry in report(root, monkeypatch)
    ] == [
        f"VK101 {line.index('[[' + nfd('Résumé')) + 1}",
        f"VK101 {line.index('[[' + nfd('Équipe')) + 1}",
        f"VK101 {line.index('[x]') + 1}",
    ]
    assert "written in Unicode NFD" in report(root, monkeypatch)[0]


@pytest.mark.parametrize(
    ("filters", "toml"),
    [(["Archivé/"], ""), ([], 'exclude = ["Archivé/"]\n'), (["/^Archivé/"], "")],
)
def test_filters_hide_a_folder_whose_name_is_written_in_nfd(
    make_vault: VaultFactory, monkeypatch: pytest.MonkeyPatch, filters: list[str], toml: str
) -> None:
    """A folder named on macOS can be NFD on disk; the user typed the filter in NFC, and both read alike.
    Regression: the folder's notes were checked."""
    root = make_vault(
        {f"{nfd('Archivé')}/Old.md": "[[Missing]]\n", "N.md": "x\n", "vaultkit.toml": toml},
        app={"userIgnoreFilters": filters},
    )
    assert report(root, monkeypatch) == []


def test_a_heading_link_in_nfd_names_the_nfc_heading(
    make_vault: VaultFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Both read the same on screen. Regression: VK103 'N.md' has no heading 'Café'."""
    root = make_vault({"N.md": f"# Café\n\n## {nfd('Résumé')}\n\n[[N#{nfd('Café')}]] [[N#Résumé]]\n"})
    assert report(root, monkeypatch) == []


@pytest.mark.parametrize(
    ("setting", "content"),
    [
        (".obsidian/templates.json", '{"folder": "Meta/Templates/", "dateFormat": "YYYY-MM-DD"}'),
        (".obsidian/plugins/templater-obsidian/data.json", '{"templates_folder": "Meta/Templates"}'),
        (".obsidian/daily-notes.json", '{"folder": "Daily", "template": "Meta/Templates/Project"}'),
        # normalised as Obsidian's normalizePath does: backslashes, doubled, leading and trailing slashes
        (".obsidian/templates.json", '{"folder": "Meta\\\\Templates\\\\"}'),
        (".obsidian/templates.json", '{"folder": "//Meta//Templates"}'),
        (".obsidian/plugins/templater-obsidian/data.json", '{"templates_folder": "/Meta/Templates/"}'),
        # Templater's folder and file templates: files by path
        (
            ".obsidian/plugins/templater-obsidian/data.json",
            '{"folder_templates": [{"folder": "Projects", "template": "Meta/Templates/Project.md"}]}',
        ),
        (
            ".obsidian/plugins/templater-obsidian/data.json",
            '{"file_templates": [{"regex": ".*", "template": "/Meta/Templates/Project.md"}]}',
        ),
        # Templater's hotkey templates (text, or objects in its settings of data_version 2) and startup
        # templates: files by path, found in a real vault outside the template folder (regression)
        (
            ".obsidian/plugins/templater-obsidian/data.json",
            '{"enabled_templates_hotkeys": ["Meta/Templates/Project.md"]}',
        ),
        (
            ".obsidian/plugins/templater-obsidian/data.json",
            '{"data_version": 2, "enabled_templates_hotkeys": [{"template": "Meta/Templates/Project.md", '
            '"insert_enabled": true}]}',
        ),
        (
            ".obsidian/plugins/templater-obsidian/data.json",
            '{"startup_templates": ["Meta/Templates/Project.md"]}',
        ),
        # the Periodic Notes plugin, and a template named by its name alone: found as a link finds it
        (
            ".obsidian/plugins/periodic-notes/data.json",
            '{"weekly": {"enabled": true, "template": "Project"}}',
        ),
        (".obsidian/daily-notes.json", '{"template": "project"}'),
        # QuickAdd's template folder and its Template choices (in a Multi choice too), and the Kanban plugin's
        # template for new card notes: `title: {{VALUE:title}}` was reported as VK004 (regression)
        (".obsidian/plugins/quickadd/data.json", '{"templateFolderPath": "Meta/Templates"}'),
        (
            ".obsidian/plugins/quickadd/data.json",
            '{"choices": [{"type": "Capture", "name": "Log"}, {"type": "Multi", "choices": '
            '[{"type": "Template", "templatePath": "Meta/Templates/Project.md"}]}]}',
        ),
        (".obsidian/plugins/obsidian-kanban/data.json", '{"new-note-template": "Meta/Templates/Project.md"}'),
        # QuickAdd nests Multi choices to any depth (regression: only one Multi deep was read)
        (
            ".obsidian/plugins/quickadd/data.json",
            '{"choices": [{"type": "Multi", "choices": [{"type": "Multi", "choices": [{"type": "Template", '
            '"templatePath": "Meta/Templates/Project.md"}]}]}]}',
        ),
    ],
)
def test_template_folder_is_not_checked_or_linked_but_resolves(
    make_vault: VaultFactory, monkeypatch: pytest.MonkeyPatch, setting: str, content: str
) -> None:
    """A template holds placeholders: `created: {{date}}` is a YAML error, `[[<% tp.date.now() %>]]` a broken
    link, and a mention linked in it is copied into every new note. Regression: the folder that the core
    Templates plugin or Templater names was checked and linked, and prose saying "this project" was linked
    to the template `Project.md`. Regression too: a folder written `Meta\\Templates\\` or `//Meta//Templates`,
    Templater's folder_templates and file_templates, the Periodic Notes plugin's templates, and a template
    named without its folder (resolved as a link is) named no template."""
    root = make_vault(
        {
            "Meta/Templates/Project.md": "---\ncreated: {{date}}\ntitle: {{VALUE:title}}\n---\n"
            "# <% tp.file.title %>\n"
            "[[<% tp.date.now() %>]] about Anthropic\n",
            "Anthropic.md": "x\n",
            "Note.md": "It links [[Project]] and [[Meta/Templates/Project#Anything]].\n",
            "Other.md": "This project is new.\n",
            setting: content,
        }
    )
    assert report(root, monkeypatch) == []
    assert run_cli("link", "--check", ".").exit_code == 0


def test_template_paths_are_normalised_as_obsidian_does() -> None:
    """Obsidian's normalizePath: slashes and backslashes collapse, leading and trailing ones go, and
    non-breaking spaces become spaces. It keeps `.` segments: `./Templates` names no folder in Obsidian."""
    from vaultkit.obsidian import normalize_path

    assert normalize_path("\\Meta\\\\My\u00a0Templates//") == "Meta/My Templates"
    assert normalize_path("Meta/Narrow\u202fspace") == "Meta/Narrow space"
    assert normalize_path("/") == "" and normalize_path("./Templates") == "./Templates"


def test_a_template_named_by_name_is_the_root_note_when_there_is_one(
    make_vault: VaultFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The daily note's template `Day` is looked up as a link from the vault root: Day.md at the root is it,
    and a Day.md elsewhere is an ordinary note."""
    root = make_vault(
        {
            "Day.md": "---\ncreated: {{date}}\n---\n",
            "Notes/Day.md": "[[Gone]]\n",
            ".obsidian/daily-notes.json": '{"template": "Day"}',
        }
    )
    assert report(root, monkeypatch) == [
        "Notes/Day.md:1:1: VK101 broken link: 'Gone' matches no note or file"
    ]


def test_a_template_named_longer_than_a_file_name_can_be_is_no_crash(
    make_vault: VaultFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Regression: a template named by name alone is looked for at the vault root, and a name longer than
    the file system takes (86 Japanese characters are 258 bytes) ended every run with an internal error
    (Path.is_file raised OSError: File name too long). No note has that name: no note is a template."""
    name = "日" * 86
    root = make_vault(
        {"Notes/A.md": "[[Gone]]\n", ".obsidian/daily-notes.json": json.dumps({"template": name})}
    )
    assert report(root, monkeypatch) == ["Notes/A.md:1:1: VK101 broken link: 'Gone' matches no note or file"]


def test_template_folder_at_the_vault_root_names_none(
    make_vault: VaultFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Templater's templates_folder "/" (or "") is no folder: the vault is still checked."""
    root = make_vault(
        {
            "Note.md": "[[Gone]]\n",
            ".obsidian/templates.json": '{"folder": ""}',
            ".obsidian/plugins/templater-obsidian/data.json": '{"templates_folder": "/"}',
        }
    )
    assert report(root, monkeypatch) == ["Note.md:1:1: VK101 broken link: 'Gone' matches no note or file"]


def test_a_template_folder_setting_that_names_no_folder_is_said(
    make_vault: VaultFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A template folder renamed or renumbered since the setting was written (`Meta/Templates 2` for the
    folder `Meta/templates 1`) names no folder, so nothing is a template: the notes meant as templates are
    checked, linked and given relations as notes, and a link `link` writes into one is copied into every
    note made from it. Regression (found on a community vault whose `templates.json` named a folder since
    renumbered, in other capitals): nothing said so. Now VK024 does, at the setting, with the folder meant;
    the run goes on, and `link` still writes (the setting is applied as Obsidian applies it)."""
    root = make_vault(
        {
            "Meta/templates 1/Project.md": "# {{title}}\nAbout Alpha.\n",
            "Alpha.md": "x\n",
            ".obsidian/templates.json": '{\n  "folder": "Meta/Templates 2"\n}',
        }
    )
    assert report(root, monkeypatch, "--ignore", "VK121") == [
        ".obsidian/templates.json:2:13: VK024 'folder': no folder 'Meta/Templates 2' in the vault, so no note "
        "is left alone as a template by it; did you mean 'Meta/templates 1'?",
        "Meta/templates 1/Project.md:2:7: VK120 [*] 'Alpha' mentions [[Alpha]] but is not linked",
    ]
    assert run_cli("link", ".").exit_code == 0
    assert (root / "Meta/templates 1/Project.md").read_text(
        encoding="utf-8"
    ) == "# {{title}}\nAbout [[Alpha]].\n"


@pytest.mark.parametrize(
    ("folder", "made"),
    [
        ("Meta\\\\Templates/", "Meta/Templates"),  # the folder, as normalizePath reads the setting
        ("Templates", "Notes"),  # a folder not made yet, or kept out of git: no template to leave alone
    ],
)
def test_a_template_folder_setting_says_nothing_of_a_folder_there_or_nowhere_near(
    make_vault: VaultFactory, monkeypatch: pytest.MonkeyPatch, folder: str, made: str
) -> None:
    """No VK024 where the folder is there, nor where no folder reads like it: a vault whose template folder
    is set but not made yet (or not committed) has no template for the setting to keep."""
    root = make_vault({f"{made}/Project.md": "x\n", ".obsidian/templates.json": f'{{"folder": "{folder}"}}'})
    assert report(root, monkeypatch) == []


def test_a_canvas_is_a_link_target_and_is_never_read(
    make_vault: VaultFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    """JSON Canvas files are attachments to vaultkit: a link to one resolves, and none is opened, so a canvas
    that is malformed, binary or a named pipe never disturbs a run. (vaultkit has no rule that counts the
    links into a note, such as orphan notes, so a canvas's own links would change no diagnostic: they are
    not read.)"""
    root = make_vault(
        {
            "Board.canvas": '{"nodes": [{"type": "file", "file": "Gone.md"',
            "Bin.canvas": "\x00\x01",
            "Note.md": "See [[Board.canvas]], [[Bin.canvas]] and [[Pipe.canvas]].\n",
        }
    )
    os.mkfifo(root / "Pipe.canvas")
    assert report(root, monkeypatch) == []
    linked = run_cli("link", "--no-cache", ".")
    assert linked.exit_code == 0, linked.output
