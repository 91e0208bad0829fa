from __future__ import annotations

from pathlib import Path

from conftest import run_cli, snapshot


def test_example_vault_links_then_is_clean(example_vault: Path) -> None:
    first = run_cli("check", example_vault)
    assert first.exit_code == 1
    assert "VK120" in first.stdout
    assert "'Meituan' mentions [[Meituan]]" in first.stdout

    linked = run_cli("link", example_vault)
    assert linked.exit_code == 0, linked.output
    resrl = (example_vault / "Entities/Papers/ResRL.md").read_text()
    meituan = (example_vault / "Entities/Companies/Meituan.md").read_text()
    assert "[[Meituan]]" in resrl
    assert '"[[ResRL]]"' in meituan

    before = snapshot(example_vault)
    again = run_cli("link", example_vault)
    assert again.exit_code == 0
    assert "nothing to link" in again.stderr
    assert snapshot(example_vault) == before

    clean = run_cli("check", example_vault)
    assert clean.exit_code == 0, clean.stdout
    assert "no problems found" in clean.stdout
