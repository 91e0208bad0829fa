"""The profiling aids in benchmarks/ still run against the current code (the benchmark itself is smoke-run
by CI: `benchmarks/run.py --smoke`)."""

from __future__ import annotations

import json
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest
from conftest import EXAMPLE_VAULT, REPO


def test_per_note_breakdown_runs_on_the_example_vault() -> None:
    done = subprocess.run(
        [sys.executable, str(REPO / "benchmarks" / "per_note.py"), str(EXAMPLE_VAULT), "--notes", "20"],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    steps = ("read", "decode", "frontmatter", "body scan", "facts + note rules", "note.parse")
    for step in (*steps, "whole parse_one", "whole parse, worker"):
        assert f"  {step} " in done.stdout, done.stdout


@pytest.mark.parametrize("scenario", ["edited", "link-cold", "schema-edited", "types-edited"])
def test_the_a_b_comparison_runs_on_the_example_vault(scenario: str) -> None:
    vaultkit = f"{sys.executable} -m vaultkit"
    ab = [sys.executable, str(REPO / "benchmarks" / "ab.py"), "--a", vaultkit, "--b", vaultkit]
    done = subprocess.run(
        [*ab, "--vault", str(EXAMPLE_VAULT), "--rounds", "1", "--scenario", scenario],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert [line.split(":")[0] for line in done.stdout.splitlines()] == [f"{scenario} A", f"{scenario} B"], (
        done.stdout
    )
    cpu = [float(line.rsplit("cpu median ", 1)[1].removesuffix(" ms")) for line in done.stdout.splitlines()]
    assert all(ms > 0 for ms in cpu), done.stdout  # the command's own CPU time, and its workers'


def _codes(vault: Path) -> Counter[str]:
    from conftest import run_cli

    result = run_cli("check", "--no-cache", "--format", "json", vault)
    return Counter(d["code"] for d in json.loads(result.stdout)["diagnostics"])


def test_a_vault_generated_in_another_script_links_and_fails_as_the_latin_one(tmp_path: Path) -> None:
    """`generate.py --script cyrillic|han` writes the same vault in another script, to measure vaults not
    in English: every link still resolves where it did (a link's `.md`, a block id, a Markdown link's
    `%20` and a raw note's `sha256` kept right), so every code but the mentions' comes out as often."""
    sys.path.insert(0, str(REPO / "benchmarks"))
    try:
        import generate
    finally:
        sys.path.pop(0)
    found = {}
    for script in ("latin", "cyrillic", "han"):
        generate.write_vault(tmp_path / script, 150, 1, script)
        (tmp_path / script / "vaultkit.toml").write_text("")
        found[script] = _codes(tmp_path / script)
    assert found["latin"]["VK101"] and found["latin"]["VK121"], found
    for script in ("cyrillic", "han"):
        assert +found[script] - Counter(VK120=found[script]["VK120"]) == +found["latin"] - Counter(
            VK120=found["latin"]["VK120"]
        ), (script, found)
        assert found[script]["VK120"] > 0
    names = sorted(p.name for p in (tmp_path / "cyrillic" / "Wiki").iterdir())
    assert names and all(not n.removesuffix(".md").isascii() for n in names), names
