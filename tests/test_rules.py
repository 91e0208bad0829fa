"""Every rule: registered, documented, and checked against fixture vaults of its own (ruff-style).

`tests/fixtures/rules/<CODE>/bad/` and `ok/` are tiny vaults. `expected.txt` is the exact output of
`vaultkit check --no-cache --select <CODE>` run inside `bad/`; for fixable rules, `expected.diff` is the
output of `vaultkit link --diff` there. `UPDATE_EXPECTED=1 pytest tests/test_rules.py` rewrites both from
the current output: review the change with `git diff tests/fixtures` before committing it.
"""

from __future__ import annotations

import os
import re
import shutil
from collections.abc import Callable
from pathlib import Path

import pytest
from conftest import FIXTURES, Result, deny_listing, run_cli

from vaultkit import markdown
from vaultkit.diagnostics import Severity
from vaultkit.rules import RULES
from vaultkit.rules.base import DOC_SECTIONS

RULE_FIXTURES = FIXTURES / "rules"
CODES = sorted(RULES)
UPDATE = os.environ.get("UPDATE_EXPECTED") == "1"
# Suppressions of codes outside the selection are not judged (VK301's docs): judge the VK101 ones too.
SELECT = {"VK301": "VK101,VK301"}

Setup = Callable[[Path, pytest.MonkeyPatch], None]


def _crash_on_boom(root: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """VK000: make the body scanner fail on one note, as a bug in vaultkit would."""
    real = markdown.scan

    def scan(body: str, first_line: int = 1) -> markdown.BodyScan:
        if "BOOM" in body:
            raise RuntimeError("boom")
        return real(body, first_line)

    monkeypatch.setattr(markdown, "scan", scan)


def _broken_symlinks(root: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """VK201: root can read a chmod 000 file, so unreadable means a broken symlink or a loop here."""
    (root / "Gone.md").symlink_to("nowhere/Gone.md")
    (root / "Loop.md").symlink_to("Loop.md")


def _good_symlink(root: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (root / "Alias.md").symlink_to("Present.md")


def _symlinked_folder(root: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    outside = root.parent / "outside"
    outside.mkdir()
    (outside / "Elsewhere.md").write_text("A note outside the vault.\n")
    (root / "Shared").symlink_to("../outside", target_is_directory=True)


def _unreadable_folder(root: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """VK206: listing `Private` fails, as it would for another user's folder."""
    deny_listing(monkeypatch)


SETUP: dict[tuple[str, str], Setup] = {
    ("VK000", "bad"): _crash_on_boom,
    ("VK000", "ok"): _crash_on_boom,
    ("VK201", "bad"): _broken_symlinks,
    ("VK201", "ok"): _good_symlink,
    ("VK205", "bad"): _symlinked_folder,
    ("VK206", "bad"): _unreadable_folder,
    ("VK206", "ok"): _unreadable_folder,
}


def _vault(code: str, kind: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A copy of the fixture vault (symlinks are made at test time), as the current folder."""
    root = tmp_path / kind
    shutil.copytree(RULE_FIXTURES / code / kind, root, symlinks=True)
    if (code, kind) in SETUP:
        SETUP[(code, kind)](root, monkeypatch)
    monkeypatch.chdir(root)
    return root


def _normalise(text: str) -> str:
    """Hide what changes between machines: where an internal error was raised."""
    return re.sub(r" at [\w.-]+\.py:\d+\)", " at <source>)", text)


def _compare(result: Result, expected: Path) -> None:
    actual = _normalise(result.stdout)
    if UPDATE:
        expected.write_text(actual, encoding="utf-8")
    assert expected.is_file(), f"{expected} is missing: run with UPDATE_EXPECTED=1 to create it"
    assert actual == expected.read_text(encoding="utf-8"), result.stderr


def _codes(output: str) -> set[str]:
    return set(re.findall(r"^.+?:\d+:\d+: (VK\d{3})\b", output, re.MULTILINE))


# -- registry and docs ----------------------------------------------------------------------------------


@pytest.mark.parametrize("code", CODES)
def test_rule_is_registered_named_and_documented(code: str) -> None:
    rule = RULES[code]
    assert rule.code == code and re.fullmatch(r"VK\d{3}", code)
    assert re.fullmatch(r"[a-z][a-z0-9]*(?:-[a-z0-9]+)*", rule.name), rule.name
    assert rule.summary and "\n" not in rule.summary and rule.summary.endswith(".")
    positions = [rule.docs.find(section) for section in DOC_SECTIONS]
    assert all(p >= 0 for p in positions), f"{code} docs lack {DOC_SECTIONS}"
    assert positions == sorted(positions), f"{code}: sections out of order"
    assert ("## Fix safety" in rule.docs) == rule.fixable
    assert rule.severity in (Severity.ERROR, Severity.WARNING)
    assert rule.scope in ("note", "vault", "run")
    assert (rule.check is None) == (rule.scope == "run")


def test_rule_names_are_unique() -> None:
    names = [rule.name for rule in RULES.values()]
    assert len(names) == len(set(names))


@pytest.mark.parametrize("code", CODES)
def test_rule_has_fixtures(code: str) -> None:
    folder = RULE_FIXTURES / code
    for kind in ("bad", "ok"):
        assert (folder / kind / ".obsidian" / "app.json").is_file(), f"{folder / kind} is not a fixture vault"
    assert (folder / "expected.txt").is_file()
    assert (folder / "expected.diff").is_file() == RULES[code].fixable


def test_no_fixture_for_an_unknown_code() -> None:
    assert sorted(p.name for p in RULE_FIXTURES.iterdir() if p.is_dir()) == CODES


def test_rules_command_lists_every_rule_from_its_docs() -> None:
    result = run_cli("rules")
    assert result.exit_code == 0
    lines = result.stdout.splitlines()
    assert len(lines) == len(RULES)
    for line, rule in zip(lines, RULES.values(), strict=True):
        assert line.startswith(rule.code) and f" {rule.name} " in line and line.endswith(rule.summary)
        assert ("[*]" in line) == rule.fixable


@pytest.mark.parametrize("code", CODES)
def test_explain_prints_the_rule_docs(code: str) -> None:
    rule = RULES[code]
    by_code, by_name = run_cli("explain", code.lower()), run_cli("explain", rule.name)
    # a name in any case, as a code is: `explain Unlinked-Mention` said "no rule" where `explain vk120` did not
    by_other_case = run_cli("explain", rule.name.title())
    assert by_code.exit_code == by_name.exit_code == by_other_case.exit_code == 0
    assert by_code.stdout == by_name.stdout == by_other_case.stdout
    fixable = "fixable" if rule.fixable else "not fixable"
    assert (
        by_code.stdout
        == f"# {code} {rule.name} ({rule.severity}, {fixable})\n\n{rule.summary}\n\n{rule.docs}\n"
    )


def test_explain_an_unknown_rule_is_a_usage_error() -> None:
    result = run_cli("explain", "VK999")
    assert result.exit_code == 2
    assert "no rule 'VK999'" in result.stderr


# -- fixtures ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize("code", CODES)
def test_bad_fixture_gives_the_expected_report(
    code: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _vault(code, "bad", tmp_path, monkeypatch)
    result = run_cli("check", "--no-cache", "--select", SELECT.get(code, code), ".")
    assert result.exit_code == 1, result.output
    assert _codes(result.stdout) == {code}
    _compare(result, RULE_FIXTURES / code / "expected.txt")


@pytest.mark.parametrize("code", CODES)
def test_bad_fixture_shows_only_its_own_rule(
    code: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _vault(code, "bad", tmp_path, monkeypatch)
    result = run_cli("check", "--no-cache", ".")
    assert _codes(result.stdout) == {code}, result.stdout


@pytest.mark.parametrize("code", CODES)
def test_ok_fixture_is_clean_for_its_rule(code: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    _vault(code, "ok", tmp_path, monkeypatch)
    result = run_cli("check", "--no-cache", "--select", SELECT.get(code, code), ".")
    assert result.exit_code == 0, result.stdout
    assert "no problems found" in result.stdout


@pytest.mark.parametrize("code", [c for c in CODES if RULES[c].fixable])
def test_fixable_rule_diff(code: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    root = _vault(code, "bad", tmp_path, monkeypatch)
    before = {p: p.read_bytes() for p in root.rglob("*.md")}
    result = run_cli("link", "--diff", "--no-cache", ".")
    assert result.exit_code == 1, result.output
    _compare(result, RULE_FIXTURES / code / "expected.diff")
    assert {p: p.read_bytes() for p in root.rglob("*.md")} == before, "--diff must write nothing"


@pytest.mark.parametrize("code", [c for c in CODES if RULES[c].fixable])
def test_fixable_rule_is_fixed_by_link_and_stays_fixed(
    code: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _vault(code, "bad", tmp_path, monkeypatch)
    assert run_cli("link", "--no-cache", ".").exit_code == 0
    after = run_cli("check", "--no-cache", "--select", code, ".")
    assert after.exit_code == 0, after.stdout
    again = run_cli("link", "--check", "--no-cache", ".")
    assert again.exit_code == 0, again.output


_CONFLICT = "<<<<<<< HEAD{eol}ours{eol}======={eol}theirs{eol}>>>>>>> research{eol}"


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        ("# T\n\n" + _CONFLICT.format(eol="\n"), ["N.md:3:1 '>>>>>>> research' on line 7"]),
        ("# T\r\n\r\n" + _CONFLICT.format(eol="\r\n"), ["N.md:3:1 '>>>>>>> research' on line 7"]),  # Windows
        ("- a\n" + _CONFLICT.format(eol="\n"), ["N.md:2:1 '>>>>>>> research' on line 6"]),  # a lazy line
        ("> a\n" + _CONFLICT.format(eol="\n"), ["N.md:2:1 '>>>>>>> research' on line 6"]),  # in a quote
        (  # diff3 style, and two conflicts
            "<<<<<<< HEAD\na\n||||||| base\nb\n=======\nc\n>>>>>>> x\n\n" + _CONFLICT.format(eol="\n"),
            ["N.md:1:1 '>>>>>>> x' on line 7", "N.md:9:1 '>>>>>>> research' on line 13"],
        ),
        ("```text\n" + _CONFLICT.format(eol="\n") * 2 + "```\n", []),  # shown in a code block
        ("%%\n" + _CONFLICT.format(eol="\n") + "%%\n", []),  # in a comment
        ("<<<<<<< HEAD\nours\n=======\n", []),  # no closing marker: no conflict git wrote
        ("<<<<<<<< eight\nx\n=======\n>>>>>>>> eight\n", []),  # not git's markers
        ("Release notes\n=======\n\n<<<<<<< old arrows\n", []),  # a setext heading, a line of `<`
        (
            "line one\n" + _CONFLICT.format(eol="\n"),
            ["N.md:2:1 '>>>>>>> research' on line 6"],
        ),  # in a paragraph
        (  # in a table
            "| a | b |\n|---|---|\n| 1 | 2 |\n<<<<<<< HEAD\n| 3 | 4 |\n=======\n| 5 | 6 |\n>>>>>>> x\n",
            ["N.md:4:1 '>>>>>>> x' on line 8"],
        ),
    ],
)
def test_a_merge_conflict_left_in_the_body_is_reported(
    body: str, expected: list[str], tmp_path: Path
) -> None:
    """Regression: a note committed with a merge's conflict left in its body (`git commit -a`, a plugin's
    timed commit) passed every check and both hooks; git's markers are now VK007, at the opening one, outside
    code and comments, with Windows line endings too."""
    (tmp_path / "vaultkit.toml").write_text("")
    (tmp_path / "N.md").write_bytes(body.encode())
    result = run_cli("check", "--no-cache", "--select", "VK007", tmp_path / "N.md")
    found = re.findall(r"/(N\.md:\d+:\d+): VK007 .*?, '<<<<<<<[^']*' to ('[^']*' on line \d+)", result.stdout)
    assert [f"{place} {closer}" for place, closer in found] == expected, result.stdout
    assert result.exit_code == (1 if expected else 0)


def test_link_leaves_a_note_with_a_merge_conflict_alone(tmp_path: Path) -> None:
    """A link written into the side of a conflict the user then deletes is lost, and the relation it gave
    the linked note with it: `link` skips such a note, as one it cannot parse, and says so on stderr.
    Regression: it linked `Meituan` in both sides and gave Meituan.md a relation to the note."""
    (tmp_path / "vaultkit.toml").write_text("")
    (tmp_path / "Meituan.md").write_text("# Meituan\n")
    note = tmp_path / "N.md"
    note.write_text("Notes.\n\n" + _CONFLICT.format(eol="\n").replace("ours", "Meituan made it"))
    before = {p.name: p.read_bytes() for p in tmp_path.glob("*.md")}
    result = run_cli("link", "--no-cache", tmp_path)
    assert {p.name: p.read_bytes() for p in tmp_path.glob("*.md")} == before
    assert "N.md:3:1: VK007 a merge conflict git left here" in result.stderr, result.stderr
    assert result.stderr.rstrip().endswith("no note changed: 1 skipped (named above)"), result.stderr
