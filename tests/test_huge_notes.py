"""Single huge notes of the shapes people keep (a reading log, a task list, clippings): linked whole, and in
time linear in their size."""

from __future__ import annotations

import pytest
from conftest import VaultFactory, run_cli

from vaultkit import verify
from vaultkit.diagnostics import Edit


def test_a_long_task_list_without_blank_lines_is_linked(
    make_vault: VaultFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Regression: a list of 100,000 `- [ ] task` items (a real task log) holds more markup than
    verify.MAX_MARKUP between two blank lines, and the whole list was masked as too big to verify: not one
    mention in it was linked, and nothing said why. Each item is a paragraph of its own. (Here the limit is
    lowered to 1,000 and the list is 1,200 items: the same shape, at a size a test runs in a second.)"""
    monkeypatch.setattr(verify, "MAX_MARKUP", 1_000)
    tasks = "".join(f"- [ ] task {i} to file\n" for i in range(600))  # 1,200 `[ ]` over both halves
    text = tasks + "- [ ] ask Other about it\n" + tasks
    root = make_vault({"Log.md": text.encode(), "Other.md": b"Text.\n"})
    result = run_cli("link", root, "--no-cache", "--jobs", "1")
    assert result.exit_code == 0 and "not written" not in result.output, result.output
    linked = tasks + "- [ ] ask [[Other]] about it\n" + tasks
    assert (root / "Log.md").read_bytes() == linked.encode()


_HALF = "*a" * 60_000  # 60,000 markup characters: two make a paragraph over verify.MAX_MARKUP


@pytest.mark.parametrize(
    "body",
    [
        pytest.param(f"- {_HALF}\n- {_HALF} See Other.\n", id="two-items"),
        pytest.param(f"{_HALF}\n* {_HALF} See Other.\n", id="paragraph-then-item"),
        pytest.param(f"> {_HALF}\n+ {_HALF} See Other.\n", id="quote-then-item"),
        pytest.param(f"- a\n  {_HALF}\n  - {_HALF} See Other.\n", id="nested-item"),
        pytest.param(f"- {_HALF}\r\n-\t{_HALF} See Other.\r\n", id="crlf-and-tab"),
    ],
)
def test_a_bullet_item_ends_a_run_the_verifier_reads_apart(body: str) -> None:
    """A bullet list item ends the paragraph before it for the verifier (mistune) too: a link after it is
    verified, and the planner does not mask it."""
    at = body.index("Other")
    edit = Edit(at, at + 5, "[[Other]]")
    new = body[:at] + edit.text + body[at + 5 :]
    assert verify.check_edits(body, new, [edit], "related") is None
    assert not any(start <= at < end for start, end in verify.unverifiable(body)), verify.unverifiable(body)


@pytest.mark.parametrize(
    "body",
    [
        pytest.param(f"{_HALF}\n    - {_HALF} See Other.\n", id="indented-item-is-continuation"),
        pytest.param(f"{_HALF}\n-{_HALF} See Other.\n", id="no-space-no-item"),
    ],
)
def test_what_is_no_bullet_item_still_masks_the_paragraph(body: str) -> None:
    """A line that does not start a bullet item is read as the paragraph's continuation: still masked."""
    at = body.index("Other")
    edit = Edit(at, at + 5, "[[Other]]")
    new = body[:at] + edit.text + body[at + 5 :]
    refused = verify.check_edits(body, new, [edit], "related")
    assert refused is not None and "characters of Markdown markup" in refused, refused
    assert any(start <= at < end for start, end in verify.unverifiable(body)), verify.unverifiable(body)
