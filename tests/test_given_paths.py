"""What `check` and `link` do with the paths they are given: files beside the vault, symlink loops, notes in
folders that cannot be read."""

from __future__ import annotations

from pathlib import Path

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
