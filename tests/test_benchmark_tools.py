"""The profiling aid in benchmarks/ still runs against the current code (the benchmark itself is smoke-run
by CI: `benchmarks/run.py --smoke`)."""

from __future__ import annotations

import subprocess
import sys

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
    for step in ("read", "decode", "frontmatter", "body scan", "facts + note rules", "whole parse_one"):
        assert f"  {step} " in done.stdout, done.stdout
