"""The profiling aids in benchmarks/ still run against the current code (the benchmark itself is smoke-run
by CI: `benchmarks/run.py --smoke`)."""

from __future__ import annotations

import subprocess
import sys

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


@pytest.mark.parametrize("scenario", ["edited", "link-cold"])
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
