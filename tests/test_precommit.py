"""The pre-commit hooks, for real: a git repository holding a vault, this checkout as the hook repository,
the real `pre-commit` (and `git commit` through the installed hook), and the messages a person would see.

The hook repository is a copy of this working tree (uncommitted files included) committed into a temporary
git repository, so the tests never depend on what has been committed here. Installing the hook environment
needs pip and PyPI (once per session: PRE_COMMIT_HOME is shared by the tests of a session; set
VAULTKIT_TEST_PRE_COMMIT_HOME to a folder to keep it between sessions).
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

import pytest
import yaml
from conftest import run_cli

pytest.importorskip("pre_commit")
tags_from_filename = pytest.importorskip("identify.identify").tags_from_filename  # pre-commit's file typing
pytestmark = pytest.mark.slow  # the first test of a session installs the hook environment (~20 s)

HERE = Path(__file__).resolve().parent
CHECKOUT = HERE.parent  # the vaultkit checkout these tests belong to
EXAMPLE_VAULT = CHECKOUT / "vault"
HOOKS_FILE = CHECKOUT / ".pre-commit-hooks.yaml"

COPY_IGNORE = shutil.ignore_patterns(
    ".git",
    "__pycache__",
    ".vaultkit_cache",
    ".venv",
    "venv",
    "build",
    "dist",
    "*.egg-info",
    ".pytest_cache",
    ".mypy_cache",
    ".ruff_cache",
    ".hypothesis",
    ".tox",
    ".nox",
)
FIXED_DATE = "2026-01-01T00:00:00+00:00"

RAW_NOTE = "vault/Raw/2026-05-08 01.AI - About page.md"  # has `review_value: 3` in the example vault
GOOD_NOTE = "vault/Entities/Companies/Foo Robotics.md"
GOOD_TEXT = (
    "---\ntype: entity\nkind: company\ntags: [entity/company]\ncreated: 2026-05-12\n---\n# Foo Robotics\n\n"
    "Foo Robotics builds sidewalk robots and competes with [[Meituan]] on last-mile delivery.\n"
)
LEGACY_NOTE = "vault/Entities/Legacy.md"  # committed broken, never staged again: must never be reported
LEGACY_TEXT = "---\ntype: entity\nkind: spaceship\n---\n# Legacy\n"


def _git_env(pre_commit_home: Path) -> dict[str, str]:
    """The environment of every git and pre-commit call: no user or system git config, no outer hook state."""
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("GIT_", "PRE_COMMIT")) and k not in ("SKIP", "VIRTUAL_ENV")
    }
    env.update(
        GIT_CONFIG_NOSYSTEM="1",
        GIT_CONFIG_GLOBAL=os.devnull,
        GIT_AUTHOR_NAME="vaultkit tests",
        GIT_AUTHOR_EMAIL="tests@vaultkit.invalid",
        GIT_COMMITTER_NAME="vaultkit tests",
        GIT_COMMITTER_EMAIL="tests@vaultkit.invalid",
        GIT_AUTHOR_DATE=FIXED_DATE,
        GIT_COMMITTER_DATE=FIXED_DATE,
        PRE_COMMIT_HOME=str(pre_commit_home),
        PRE_COMMIT_COLOR="never",
        PIP_DISABLE_PIP_VERSION_CHECK="1",
        NO_COLOR="1",
    )
    return env


def _run(
    args: list[str], cwd: Path, env: Mapping[str, str], timeout: float = 600
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        args, cwd=cwd, env=dict(env), capture_output=True, text=True, timeout=timeout, check=False
    )


def _git(cwd: Path, env: Mapping[str, str], *args: str) -> str:
    proc = _run(["git", *args], cwd, env, timeout=60)
    assert proc.returncode == 0, f"git {' '.join(args)} failed:\n{proc.stdout}{proc.stderr}"
    return proc.stdout


@dataclass(frozen=True)
class HookRepo:
    path: Path
    rev: str


@pytest.fixture(scope="session")
def pre_commit_home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    keep = os.environ.get("VAULTKIT_TEST_PRE_COMMIT_HOME")
    return Path(keep) if keep else tmp_path_factory.mktemp("pre-commit-home")


@pytest.fixture(scope="session")
def hook_repo(tmp_path_factory: pytest.TempPathFactory, pre_commit_home: Path) -> HookRepo:
    """This working tree, uncommitted changes included, committed into a temporary repository.

    Author, committer and dates are fixed, so the same tree gives the same commit (and a kept
    PRE_COMMIT_HOME stays valid until the code changes)."""
    if shutil.which("git") is None:
        pytest.skip("git is not installed")
    assert HOOKS_FILE.is_file(), "the checkout has no .pre-commit-hooks.yaml"
    base = tmp_path_factory.getbasetemp().resolve()

    def ignore(folder: str, names: list[str]) -> set[str]:
        """COPY_IGNORE, and the temporary folder when it is inside the checkout (TMPDIR=./tmp): copied
        into itself, the copy grew until the disk was full (29 GB)."""
        inside = {name for name in names if base.is_relative_to(Path(folder, name).resolve())}
        return set(COPY_IGNORE(folder, names)) | inside

    dest = tmp_path_factory.mktemp("hook-repo") / "vaultkit"
    shutil.copytree(CHECKOUT, dest, ignore=ignore, symlinks=True)
    env = _git_env(pre_commit_home)
    _git(dest, env, "init", "-q", "-b", "main")
    _git(dest, env, "add", "-A")
    _git(dest, env, "commit", "-q", "--no-verify", "-m", "vaultkit under test")
    return HookRepo(dest, _git(dest, env, "rev-parse", "HEAD").strip())


class VaultRepo:
    """A git repository whose `vault/` folder is a (linked, clean) copy of the example vault."""

    def __init__(self, root: Path, env: Mapping[str, str]) -> None:
        self.root = root
        self.env = env

    def git(self, *args: str) -> str:
        return _git(self.root, self.env, *args)

    def write(self, rel: str, text: str) -> None:
        path = self.root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(text.encode("utf-8"))

    def read(self, rel: str) -> str:
        return (self.root / rel).read_bytes().decode("utf-8")

    def replace(self, rel: str, old: str, new: str) -> None:
        text = self.read(rel)
        assert old in text, f"{rel} does not contain {old!r}"
        self.write(rel, text.replace(old, new, 1))

    def pre_commit(self, *args: str) -> subprocess.CompletedProcess[str]:
        return _run([sys.executable, "-m", "pre_commit", *args], self.root, self.env)

    def run_hook(self, hook: str) -> subprocess.CompletedProcess[str]:
        """`pre-commit run HOOK` on the staged files, as `git commit` would run it."""
        return self.pre_commit("run", hook, "--color", "never")

    def commit(self, message: str) -> subprocess.CompletedProcess[str]:
        return _run(["git", "commit", "-m", message], self.root, self.env)

    def head(self) -> str:
        return self.git("rev-parse", "HEAD").strip()


@pytest.fixture
def vault_repo(tmp_path: Path, hook_repo: HookRepo, pre_commit_home: Path) -> VaultRepo:
    root = tmp_path / "repo"
    root.mkdir()
    repo = VaultRepo(root, _git_env(pre_commit_home))
    repo.git("init", "-q", "-b", "main")
    shutil.copytree(EXAMPLE_VAULT, root / "vault", ignore=shutil.ignore_patterns(".vaultkit_cache"))
    linked = run_cli("link", root / "vault", "--no-cache")
    assert linked.exit_code == 0, linked.output
    repo.write(LEGACY_NOTE, LEGACY_TEXT)
    repo.write(".pre-commit-config.yaml", _hook_config(hook_repo))
    repo.git("add", "-A")
    repo.git("commit", "-q", "--no-verify", "-m", "vault")
    return repo


def _hook_config(hook_repo: HookRepo) -> str:
    config = {
        "repos": [
            {
                "repo": hook_repo.path.as_posix(),
                "rev": hook_repo.rev,
                "hooks": [{"id": "vaultkit"}, {"id": "vaultkit-link"}],
            }
        ]
    }
    return yaml.safe_dump(config, sort_keys=False)


def _output(proc: subprocess.CompletedProcess[str]) -> str:
    return proc.stdout + proc.stderr


def test_check_hook_fails_on_the_bad_note_then_passes_after_the_fix(vault_repo: VaultRepo) -> None:
    repo = vault_repo
    repo.replace(RAW_NOTE, "review_value: 3\n", "review_value: 11\n")
    repo.write(GOOD_NOTE, GOOD_TEXT)
    repo.git("add", RAW_NOTE, GOOD_NOTE)

    failed = repo.run_hook("vaultkit")
    out = _output(failed)
    assert failed.returncode == 1, out
    assert "- exit code: 1" in out  # vaultkit's own status, as pre-commit reports it
    message = re.escape(RAW_NOTE) + r":\d+:\d+: VK010 review_value: 11 is greater than the maximum 10"
    assert re.search(message, out), out
    assert "Foo Robotics" not in out  # the good note (its [[Meituan]] resolves against the whole vault)
    assert "Legacy" not in out  # only the staged files are reported
    assert "1 of 2 notes" in out, out

    head = repo.head()
    repo.pre_commit("install")
    refused = repo.commit("add notes")
    assert refused.returncode != 0
    assert re.search(message, _output(refused)), _output(refused)
    assert repo.head() == head

    repo.replace(RAW_NOTE, "review_value: 11\n", "review_value: 10\n")
    repo.git("add", RAW_NOTE)
    passed = repo.run_hook("vaultkit")
    assert passed.returncode == 0, _output(passed)
    assert re.search(r"vaultkit check\.+Passed", _output(passed)), _output(passed)

    # The link hook gives Meituan, which the new note links to, its relation back: staged, the commit passes
    relation = repo.commit("add notes")
    assert relation.returncode != 0
    assert "added relations to vault/Entities/Companies/Meituan.md" in _output(relation), _output(relation)
    repo.git("add", "vault/Entities/Companies/Meituan.md")
    committed = repo.commit("add notes")
    assert committed.returncode == 0, _output(committed)
    assert repo.head() != head


def test_check_hook_handles_files_of_two_vaults_in_one_commit(vault_repo: VaultRepo) -> None:
    repo = vault_repo
    repo.write("other/.obsidian/app.json", "{}\n")
    repo.write("other/Lab.md", "---\ntype: entity\nkind: spaceship\n---\n# Lab\n")
    repo.replace(RAW_NOTE, "review_value: 3\n", "review_value: 11\n")
    repo.git("add", "-A")

    failed = repo.run_hook("vaultkit")
    out = _output(failed)
    assert failed.returncode == 1, out
    assert re.search(re.escape(RAW_NOTE) + r":\d+:\d+: VK010 review_value: 11 is greater", out), out
    assert re.search(r"other/Lab\.md:3:\d+: VK010 kind: \"spaceship\" is not one of", out), out
    assert "Legacy" not in out


def _schemas_committed_then_tightened(repo: VaultRepo, folder: str, schema_dir: str) -> None:
    """The bundled schemas copied to `folder` (the vault's `schema_dir`) and committed, then the raw notes'
    `review_value` maximum lowered to 2 in the working tree (not staged)."""
    for schema in (CHECKOUT / "schemas").glob("*.schema.json"):
        repo.write(f"{folder}/{schema.name}", schema.read_text(encoding="utf-8"))
    repo.write("vault/vaultkit.toml", f'schema_dir = "{schema_dir}"\n')
    repo.git("rm", "-q", LEGACY_NOTE)
    repo.git("add", "-A")
    repo.git("commit", "-q", "--no-verify", "-m", f"schemas in {folder}")
    raw = json.loads(repo.read(f"{folder}/raw.schema.json"))
    raw["properties"]["review_value"]["maximum"] = 2
    repo.write(f"{folder}/raw.schema.json", json.dumps(raw, indent=2) + "\n")


def test_a_staged_schema_change_checks_the_whole_vault(vault_repo: VaultRepo) -> None:
    """A schema among the files means every note may have changed verdict: the whole vault is checked."""
    repo = vault_repo
    _schemas_committed_then_tightened(repo, "vault/schemas", "schemas")
    repo.git("add", "vault/schemas/raw.schema.json")

    failed = repo.run_hook("vaultkit")
    out = _output(failed)
    assert failed.returncode == 1, out
    assert re.search(
        re.escape(RAW_NOTE) + r":\d+:\d+: VK010 review_value: 3 is greater than the maximum 2", out
    )


def test_link_hook_links_the_mention_fails_then_passes(vault_repo: VaultRepo) -> None:
    repo = vault_repo
    note = "vault/Entities/Companies/Bar Delivery.md"
    repo.write(
        note, "---\ntype: entity\nkind: company\n---\n# Bar Delivery\n\nBar Delivery competes with Meituan.\n"
    )
    repo.git("add", note)

    failed = repo.run_hook("vaultkit-link")
    out = _output(failed)
    assert failed.returncode == 1, out
    assert "files were modified by this hook" in out
    assert f"linked {note}" in out
    assert repo.read(note).endswith("Bar Delivery competes with [[Meituan]].\n")
    # the relation shows from both sides: Meituan, which the staged note now links to, lists it
    meituan = "vault/Entities/Companies/Meituan.md"
    assert f"added relations to {meituan}" in out
    assert '  - "[[Bar Delivery]]"\n---\n' in repo.read(meituan)
    assert repo.read(LEGACY_NOTE) == LEGACY_TEXT  # neither staged nor linked to: not touched

    repo.git("add", note, meituan)  # what the hook changed, reviewed and staged
    again = repo.run_hook("vaultkit-link")
    assert again.returncode == 0, _output(again)
    assert re.search(r"vaultkit link\.+Passed", _output(again)), _output(again)
    check = repo.run_hook("vaultkit")
    assert check.returncode == 0, _output(check)


def test_hooks_take_a_note_whose_name_starts_with_a_dash(
    tmp_path: Path, hook_repo: HookRepo, pre_commit_home: Path
) -> None:
    """pre-commit appends the staged files to the hook's entry. With the vault at the top of the repository,
    `-draft.md` reached click as an option ("No such option '-d'", exit 2) before the entries ended in `--`."""
    root = tmp_path / "repo"
    root.mkdir()
    repo = VaultRepo(root, _git_env(pre_commit_home))
    repo.git("init", "-q", "-b", "main")
    repo.write(".obsidian/app.json", "{}\n")
    repo.write("Meituan.md", "# Meituan\n")
    repo.write(".pre-commit-config.yaml", _hook_config(hook_repo))
    repo.git("add", "-A")
    repo.git("commit", "-q", "--no-verify", "-m", "vault")
    repo.write("-draft.md", "A draft about Meituan.\n")
    repo.git("add", "--", "-draft.md")

    checked = repo.run_hook("vaultkit")
    out = _output(checked)
    assert checked.returncode == 1, out
    assert "-draft.md:1:15: VK120" in out, out
    assert "No such option" not in out

    linked = repo.run_hook("vaultkit-link")
    out = _output(linked)
    assert linked.returncode == 1, out
    assert "linked -draft.md" in out, out
    assert repo.read("-draft.md") == "A draft about [[Meituan]].\n"


# --- the file filters of the manifest, as pre-commit applies them (types_or AND files) ---


def _hooks() -> dict[str, dict[str, object]]:
    hooks = yaml.safe_load(HOOKS_FILE.read_text(encoding="utf-8"))
    return {h["id"]: h for h in hooks}


def test_manifest_declares_both_hooks_serial_python() -> None:
    hooks = _hooks()
    assert set(hooks) == {"vaultkit", "vaultkit-link"}
    assert hooks["vaultkit"]["entry"] == "vaultkit check --"
    assert hooks["vaultkit-link"]["entry"] == "vaultkit link --exit-non-zero-on-fix --"
    for hook in hooks.values():
        assert hook["language"] == "python"
        assert hook["require_serial"] is True


@pytest.mark.parametrize(
    ("path", "selected"),
    [
        ("Note.md", True),
        ("Note.MD", True),  # vaultkit reads it as a note, so a whole-vault check does: the hook must too
        ("Note.Md", True),
        ("vault/Entities/Labs/Z.ai.md", True),
        ("vault/Raw/2026-05-08 01.AI - About page.md", True),
        ("schemas/raw.schema.json", True),
        ("vault/vaultkit.toml", True),
        ("vaultkit.toml", True),
        (".obsidian/app.json", True),
        ("vault/.obsidian/types.json", True),
        ("vault/.obsidian/templates.json", True),
        ("vault/.obsidian/daily-notes.json", True),
        (".obsidian/plugins/templater-obsidian/data.json", True),
        ("vault/.obsidian/plugins/periodic-notes/data.json", True),
        (".obsidian/plugins/quickadd/data.json", True),
        ("vault/.obsidian/plugins/obsidian-kanban/data.json", True),
        (".obsidian/plugins/dataview/data.json", False),
        ("vault/.obsidian/workspace.json", False),
        ("vault/attachments/lab-map.png", False),
        ("package.json", False),
        ("pyproject.toml", False),
        ("notes.md.orig", False),
    ],
)
def test_manifest_file_filters(path: str, selected: bool) -> None:
    for hook_id, hook in _hooks().items():
        types_or = set(hook.get("types_or", []))  # type: ignore[call-overload]
        files = re.compile(str(hook.get("files", "")))
        tags = tags_from_filename(path)
        chosen = bool(files.search(path)) and (not types_or or bool(types_or & tags))
        assert chosen is selected, f"{hook_id}: {path} (tags {sorted(tags)})"


def test_a_staged_schema_kept_beside_the_vault_checks_the_whole_vault(
    vault_repo: VaultRepo, hook_repo: HookRepo
) -> None:
    """`schema_dir = "../schemas"`: the staged schema is in no vault. Staged beside a note of the vault, it was
    skipped as "not inside a vault" and only that note was checked: the commit passed with every other note
    now failing the schema. With `--vault` (the way to name the vault when only the schema is staged) it was
    "not inside the vault" (exit 2)."""
    repo = vault_repo
    _schemas_committed_then_tightened(repo, "schemas", "../schemas")
    repo.write(GOOD_NOTE, GOOD_TEXT)
    repo.git("add", "schemas/raw.schema.json", GOOD_NOTE)
    bad = re.escape(RAW_NOTE) + r":\d+:\d+: VK010 review_value: 3 is greater than the maximum 2"

    failed = repo.run_hook("vaultkit")
    out = _output(failed)
    assert failed.returncode == 1, out
    assert re.search(bad, out), out
    assert "not inside a vault" not in out, out

    repo.git("reset", "-q", GOOD_NOTE)  # the schema alone: the hook is told the vault
    config = yaml.safe_load(repo.read(".pre-commit-config.yaml"))
    config["repos"][0]["hooks"] = [{"id": "vaultkit", "entry": "vaultkit check --vault vault --"}]
    repo.write(".pre-commit-config.yaml", yaml.safe_dump(config, sort_keys=False))
    repo.git("add", ".pre-commit-config.yaml")
    alone = repo.run_hook("vaultkit")
    out = _output(alone)
    assert alone.returncode == 1, out
    assert re.search(bad, out), out


def test_a_staged_workspace_json_checks_only_the_staged_notes(vault_repo: VaultRepo) -> None:
    """With `files: ^vault/`, as the README suggests, pre-commit also passes `.obsidian/workspace.json`, which
    Obsidian rewrites all the time. Any file of `.obsidian/` counted as a setting, so the commit checked the
    whole vault (failing on notes committed broken long ago) and linked it (writing notes nobody staged)."""
    repo = vault_repo
    config = yaml.safe_load(repo.read(".pre-commit-config.yaml"))
    config["repos"][0]["hooks"] = [
        {"id": "vaultkit", "files": "^vault/"},
        {"id": "vaultkit-link", "files": "^vault/"},
    ]
    repo.write(".pre-commit-config.yaml", yaml.safe_dump(config, sort_keys=False))
    repo.write("vault/.obsidian/workspace.json", '{"main": {}, "active": "4f1e"}\n')
    repo.write(GOOD_NOTE, GOOD_TEXT)
    repo.git("add", ".pre-commit-config.yaml", "vault/.obsidian/workspace.json", GOOD_NOTE)
    repo.replace(LEGACY_NOTE, "# Legacy\n", "# Legacy\n\nLegacy mentions Meituan.\n")
    repo.git("commit", "-q", "--no-verify", "-m", "legacy", "--", LEGACY_NOTE)

    checked = repo.run_hook("vaultkit")
    out = _output(checked)
    assert checked.returncode == 0, out
    assert "Legacy" not in out, out

    linked = repo.run_hook("vaultkit-link")
    out = _output(linked)
    assert "Legacy" not in out, out
    assert "Legacy mentions Meituan." in repo.read(LEGACY_NOTE)


CHAIN = 1500  # notes, each mentioning the next: `link` writes every one, long enough to be interrupted


def _chain_note(i: int) -> str:
    return f"# Note{i:04d}\n\nSee Note{(i + 1) % CHAIN:04d} here.\n"


def _group_alive(pgid: int) -> list[int]:
    alive = []
    for entry in Path("/proc").iterdir():
        with contextlib.suppress(OSError, ValueError):
            stat = (entry / "stat").read_text()
            fields = stat[stat.rindex(")") + 2 :].split()  # state, ppid, pgrp, ...
            if int(fields[2]) == pgid and fields[0] not in "ZX":
                alive.append(int(entry.name))
    return alive


@pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="needs /proc to list a process group")
def test_ctrl_c_during_the_link_hook_leaves_every_note_whole(vault_repo: VaultRepo) -> None:
    """Ctrl-C in the terminal running `git commit` sends SIGINT to the whole process group: pre-commit,
    vaultkit and its forked writers and workers. Every note is as it was or has its edits whole, no
    temporary file and no process is left once pre-commit exits, the exit is non-zero, no traceback is
    shown (regression: a worker's KeyboardInterrupt printed one), and the next run finishes the job."""
    repo = vault_repo
    for i in range(CHAIN):
        repo.write(f"vault/Chain/Note{i:04d}.md", _chain_note(i))
    repo.git("add", "-A")
    hook = subprocess.Popen(
        [sys.executable, "-m", "pre_commit", "run", "vaultkit-link", "--color", "never"],
        cwd=repo.root,
        env=dict(repo.env),
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,  # its own group: the terminal's Ctrl-C reaches the group, not pytest
    )
    chain = sorted((repo.root / "vault/Chain").glob("*.md"))
    deadline = time.monotonic() + 120
    while not any(b"[[" in p.read_bytes() for p in chain[::25]) and time.monotonic() < deadline:
        time.sleep(0.005)
    # writing under way: at once, not a fixed time after (a machine fast enough wrote every note within it)
    os.killpg(hook.pid, signal.SIGINT)
    out, _ = hook.communicate(timeout=60)
    left = _group_alive(hook.pid)
    assert not left, f"processes of the interrupted run are left: {left}"
    assert hook.returncode != 0, out
    assert "Traceback" not in out, out
    assert not list(repo.root.rglob("*.vaultkit-tmp"))
    linked = 0
    for p in chain:
        i = int(p.stem[4:])
        text = p.read_bytes().decode("utf-8")
        body = text.split("---\n", 2)[2] if text.startswith("---\n") else text
        if text.startswith("---\n"):
            assert text.startswith(f'---\nrelated:\n  - "[[Note{(i - 1) % CHAIN:04d}]]"\n---\n'), p.name
        assert body in (
            _chain_note(i),
            _chain_note(i).replace("See Note", "See [[Note").replace(" here", "]] here"),
        )
        linked += "[[" in body
    assert 0 < linked < CHAIN, "interrupted while writing"
    repo.git("add", "-A")
    again = repo.run_hook("vaultkit-link")
    assert again.returncode == 1 and "files were modified by this hook" in _output(again), _output(again)
    assert all(f"See [[Note{(int(p.stem[4:]) + 1) % CHAIN:04d}]] here." in p.read_text() for p in chain)
    assert not list(repo.root.rglob("*.vaultkit-tmp"))
