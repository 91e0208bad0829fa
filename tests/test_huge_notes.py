"""Single huge notes of the shapes people keep (a reading log, a task list, clippings): linked whole, and in
time linear in their size."""

from __future__ import annotations

import pytest
from conftest import HALF_TOO_MUCH_MARKUP, VaultFactory, link_to_other, run_cli

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


_HALF = HALF_TOO_MUCH_MARKUP


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
    assert link_to_other(body) == (None, False), verify.unverifiable(body)


@pytest.mark.parametrize(
    "body",
    [
        pytest.param(f"{_HALF}\n    - {_HALF} See Other.\n", id="indented-item-is-continuation"),
        pytest.param(f"{_HALF}\n-{_HALF} See Other.\n", id="no-space-no-item"),
    ],
)
def test_what_is_no_bullet_item_still_masks_the_paragraph(body: str) -> None:
    """A line that does not start a bullet item is read as the paragraph's continuation: still masked."""
    refused, masked = link_to_other(body)
    assert refused is not None and "characters of Markdown markup" in refused, refused
    assert masked, verify.unverifiable(body)


def test_verifying_a_link_in_a_long_list_parses_only_the_item_it_is_in() -> None:
    """Regression: the writer's second opinion (mistune) parsed every item of a list to find the one marker
    that stands in for a link: half of the 3.5 s a 5 MB clippings list took to verify. Items without a
    marker are left unparsed now; the item holding it is read as before."""
    items = "".join(f"- [clip {i}](https://example.com/{i}) note\n" for i in range(1_000))
    marker = chr(verify._MARK_BASE)
    tokens = verify._markdown("marked")(items + f"- See {marker} here\n" + items)
    (listed,) = [t for t in tokens if t["type"] == "list"]
    parsed = [item for item in listed["children"] if item["children"]]
    assert len(listed["children"]) == 2_001 and len(parsed) == 1, len(parsed)
    assert list(verify._marks_in(tokens, True)) == [marker]


@pytest.mark.parametrize(
    "definition",
    [
        pytest.param("- [ref]: https://example.com\n", id="reference-in-an-item"),
        pytest.param("> [ref]: https://example.com\n", id="reference-in-a-quote"),
    ],
)
def test_a_definition_in_an_item_without_an_edit_still_makes_its_links(definition: str) -> None:
    """An item or quote without an edit is parsed all the same when it may define a reference: then
    `[Other words][ref]` elsewhere is a link, and no place for another."""
    text = f"See [Other words][ref] here.\n\n- item\n{definition}"
    at = text.index("Other")
    edit = Edit(at, at + 3, "[[Oth]]")
    assert verify._check_body(text, 0, [edit]) is not None


def test_a_note_one_byte_over_the_limit_says_by_how_much(make_vault: VaultFactory) -> None:
    """Regression: a note of 5,000,001 bytes was 'note is 5 MB, over the limit of 5 MB': the sizes are
    given to the byte where the rounded ones read alike. A note at the limit is read and checked."""
    at = b"Mentions Other. " * 62_500  # 1,000,000 bytes
    root = make_vault(
        {
            "vaultkit.toml": b"max_note_bytes = 1_000_000\n",
            "At.md": at,
            "Over.md": at + b"\n",
            "Other.md": b"Text.\n",
        }
    )
    result = run_cli("check", root, "--no-cache")
    over = "Over.md:1:1: VK204 note is 1,000,001 bytes, over the limit of 1,000,000 bytes (max_note_bytes)"
    assert over in result.output, result.output
    assert "At.md:1:10: VK120" in result.output and "At.md:1:1: VK204" not in result.output, result.output
