from __future__ import annotations

import json
import signal
from pathlib import Path

import pytest
from conftest import VaultFactory, run_cli, snapshot


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


def test_a_report_note_left_by_an_earlier_run_is_never_checked_or_linked(example_vault: Path) -> None:
    """`check --report R.md` writes R.md; a later run not told about it (`check`, `link`) still knows it by
    its first line: its mentions are not linked, and the notes it names are not asked to list it."""
    plain = run_cli("check", "--format", "json", example_vault)
    run_cli("check", "--report", "vaultkit report.md", example_vault)
    report = example_vault / "vaultkit report.md"
    assert "## [[" in report.read_text(encoding="utf-8")  # it links to the notes with problems
    after = run_cli("check", "--format", "json", example_vault)
    assert json.loads(after.stdout)["diagnostics"] == json.loads(plain.stdout)["diagnostics"]
    written = report.read_bytes()
    assert run_cli("link", example_vault).exit_code == 0
    assert report.read_bytes() == written
    assert not [
        p for p in example_vault.rglob("*.md") if "[[vaultkit report]]" in p.read_text(encoding="utf-8")
    ]


def test_a_report_note_given_by_name_is_named_not_counted_as_checked(example_vault: Path) -> None:
    """`check R.md` on such a report said "1 note checked, no problems found": nothing in it is checked, so
    it is named on stderr with the reason and not counted, as an excluded note given by name is."""
    run_cli("check", "--report", "R.md", example_vault)
    (example_vault / "Plain.md").write_text("nothing here\n", encoding="utf-8")
    why = "R.md: a report an earlier run wrote (it starts with vaultkit's report marker)"
    for args in (("check",), ("check", "--format", "junit"), ("link", "--check")):
        result = run_cli(*args, example_vault / "R.md", example_vault / "Plain.md")
        assert result.exit_code == 0, result.output
        assert why in result.stderr, result.stderr
    result = run_cli("check", example_vault / "R.md", example_vault / "Plain.md")
    assert "1 note checked" in result.stdout, result.stdout
    junit = run_cli("check", "--format", "junit", example_vault / "R.md", example_vault / "Plain.md")
    assert 'tests="1"' in junit.stdout and "R.md" not in junit.stdout, junit.stdout


def test_a_report_note_is_not_counted_as_checked_in_a_whole_vault_or_folder_run(example_vault: Path) -> None:
    """Regression: `check` on the whole vault (or a folder holding a report an earlier run wrote) counted
    the report among the notes checked; only a report given by name was left out. Cold and from the cache."""
    plain = json.loads(run_cli("check", "--format", "json", example_vault).stdout)["summary"]["notes_checked"]
    run_cli("check", "--report", "Wiki/R.md", example_vault)
    wiki = len(list((example_vault / "Wiki").glob("*.md"))) - 1
    for _ in range(2):  # the second run answers from the cached report
        after = run_cli("check", "--format", "json", example_vault)
        assert json.loads(after.stdout)["summary"]["notes_checked"] == plain, after.stdout
        folder = run_cli("check", "--format", "json", example_vault / "Wiki")
        assert json.loads(folder.stdout)["summary"]["notes_checked"] == wiki, folder.stdout
    assert f"of {plain} notes" in run_cli("check", "--no-cache", example_vault).stdout


def test_an_option_shared_by_commands_reads_the_same_in_each_help() -> None:
    """`vaultkit clean --help` and `vaultkit obsidian-types --help` showed `--config-dir` with no description,
    where check, link and watch say "Obsidian's config folder name.": an option several commands share is
    described, and described alike, in each."""
    import click

    from vaultkit.cli import cli

    helps: dict[str, set[str | None]] = {}
    for command in cli.commands.values():
        for param in command.params:
            if isinstance(param, click.Option) and not param.hidden:
                helps.setdefault(max(param.opts, key=len), set()).add(param.help)
    shared = {"--config-dir", "--jobs", "--no-cache", "--vault"}
    assert {opt: helps[opt] for opt in shared if len(helps[opt]) != 1 or None in helps[opt]} == {}


def test_watch_help_says_its_times_default_to_the_watch_settings() -> None:
    """`vaultkit watch --help` gave "(default 250)" and "(default 3 s)", where the defaults are the vault's
    `[watch]` settings, `debounce_ms` and `settle_seconds` (README, Watch beside Obsidian), and 250 and 3 s
    only without them."""
    text = " ".join(run_cli("watch", "--help").stdout.split())
    assert "(default: [watch] debounce_ms, else 250)" in text, text
    assert "(default: [watch] settle_seconds, else 3 s)" in text, text


@pytest.mark.parametrize(("signum", "code"), [(signal.SIGTERM, 143), (signal.SIGHUP, 129)])
def test_a_stop_signal_is_said_in_one_line(
    make_vault: VaultFactory, monkeypatch: pytest.MonkeyPatch, signum: int, code: int
) -> None:
    """SIGTERM or SIGHUP during `check`: exit 143 (129) and one line, `vaultkit: stopped by SIGTERM`, as the
    README's exit codes say. Regression: click's handling of a KeyboardInterrupt, which the stop is, wrote
    a blank line first (the end of a terminal's `^C` echo, which only Ctrl-C leaves)."""
    from vaultkit.commands import check
    from vaultkit.errors import Stopped

    def stopped(*args: object) -> int:
        raise Stopped(signum)

    monkeypatch.setattr(check, "run_check", stopped)
    result = run_cli("check", make_vault({"A.md": "x\n"}))
    assert (result.exit_code, result.stderr) == (
        code,
        f"vaultkit: stopped by {signal.Signals(signum).name}\n",
    )
