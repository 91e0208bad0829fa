"""The package as a user gets it: a wheel installed in a fresh virtualenv, run outside the repository."""

from __future__ import annotations

import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
from conftest import EXAMPLE_VAULT, REPO

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def installed(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """bin/ of a fresh venv with vaultkit installed from a freshly built wheel."""
    work = tmp_path_factory.mktemp("install")
    src = work / "src"
    shutil.copytree(
        REPO,
        src,
        ignore=shutil.ignore_patterns(
            ".git", ".venv*", "*.egg-info", "__pycache__", ".vaultkit_cache", "build", "dist"
        ),
    )
    wheels = work / "wheels"
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", str(wheels), str(src)],
        check=True,
        capture_output=True,
    )
    venv = work / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
    (wheel,) = wheels.glob("vaultkit-*.whl")
    subprocess.run([str(venv / "bin" / "pip"), "install", "-q", str(wheel)], check=True, capture_output=True)
    return venv / "bin"


def test_wheel_carries_the_bundled_schemas(installed: Path, tmp_path: Path) -> None:
    (wheel,) = (installed.parent.parent / "wheels").glob("*.whl")
    names = zipfile.ZipFile(wheel).namelist()
    for schema in ("raw", "wiki", "entity", "default", "defs"):
        assert f"vaultkit/_schemas/{schema}.schema.json" in names


def test_installed_command_checks_a_vault_outside_the_repo(installed: Path, tmp_path: Path) -> None:
    vault = tmp_path / "my vault"
    shutil.copytree(EXAMPLE_VAULT, vault, ignore=shutil.ignore_patterns(".vaultkit_cache"))
    note = vault / "Entities/Papers/ResRL.md"
    note.write_text(note.read_text(encoding="utf-8").replace("kind: paper", "kind: papr"), encoding="utf-8")
    proc = subprocess.run(
        [str(installed / "vaultkit"), "check", "."], cwd=vault, capture_output=True, text=True, check=False
    )
    assert proc.returncode == 1, proc.stderr
    assert "Entities/Papers/ResRL.md:" in proc.stdout
    assert "VK010" in proc.stdout and '"papr" is not one of' in proc.stdout  # the bundled entity schema
    assert "VK120" in proc.stdout
    assert "Traceback" not in proc.stdout + proc.stderr


def test_python_dash_m_and_version(installed: Path, tmp_path: Path) -> None:
    proc = subprocess.run(
        [str(installed / "python"), "-m", "vaultkit", "--version"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        check=False,
    )
    assert proc.returncode == 0
    assert "vaultkit, version 0.1.0" in proc.stdout
    rules = subprocess.run(
        [str(installed / "vaultkit"), "rules"], cwd=tmp_path, capture_output=True, text=True, check=False
    )
    assert rules.returncode == 0 and "VK120" in rules.stdout


def test_link_then_clean_from_the_installed_command(installed: Path, tmp_path: Path) -> None:
    vault = tmp_path / "v"
    shutil.copytree(EXAMPLE_VAULT, vault, ignore=shutil.ignore_patterns(".vaultkit_cache"))
    linked = subprocess.run(
        [str(installed / "vaultkit"), "link", str(vault)], capture_output=True, text=True, check=False
    )
    assert linked.returncode == 0, linked.stderr
    assert "[[Meituan]]" in (vault / "Entities/Papers/ResRL.md").read_text(encoding="utf-8")
    assert '"[[ResRL]]"' in (vault / "Entities/Companies/Meituan.md").read_text(encoding="utf-8")
    again = subprocess.run(
        [str(installed / "vaultkit"), "check", str(vault)], capture_output=True, text=True, check=False
    )
    assert again.returncode == 0, again.stdout
