"""Suppressions: body comments (`<!-- -->` and Obsidian's `%% %%`), the `vaultkit_disable` property, and VK301
(a suppression that suppresses nothing). Tests marked xfail(strict) describe known bugs in files this suite
does not own (engine._suppress, markdown._suppression); they start passing, and must be unmarked, when fixed.
"""

from __future__ import annotations

import itertools
import json
from pathlib import Path
from typing import Any

import pytest
from conftest import VaultFactory, run_cli
from cost import counted, growth, lines_run
from hypothesis import given, settings
from hypothesis import strategies as st

from vaultkit.facts import SuppressionFact, SuppressionIndex

HEAD = "---\ntype: entity\nkind: lab\n---\n# A\n\n"  # the body starts on line 5, the first text on line 7
TARGET = {
    f"{name}.md": f"---\ntype: entity\nkind: lab\n---\n# {name}\n" for name in ("Target", "Alpha", "Beta")
}
_names = (f"v{n}" for n in itertools.count())  # several vaults per test


def found(
    make_vault: VaultFactory, text: str, *args: str, extra: dict[str, str] | None = None
) -> list[tuple[int, str]]:
    """(line, code) of every diagnostic in A.md, whose text is `text`."""
    root = make_vault({**TARGET, **(extra or {}), "A.md": text}, name=next(_names))
    result = run_cli("check", "--no-cache", "--format", "json", root, *args)
    assert result.exit_code in (0, 1), result.output
    data: dict[str, Any] = json.loads(result.stdout)
    return sorted((d["line"], d["code"]) for d in data["diagnostics"] if Path(d["path"]).name == "A.md")


def messages(make_vault: VaultFactory, text: str, *args: str) -> list[str]:
    root = make_vault({**TARGET, "A.md": text}, name=next(_names))
    result = run_cli("check", "--no-cache", "--format", "json", root, *args)
    return [d["message"] for d in json.loads(result.stdout)["diagnostics"] if d["code"] == "VK301"]


def test_baseline_without_suppressions(make_vault: VaultFactory) -> None:
    assert found(make_vault, HEAD + "[[Nope]]\nTarget here.\n") == [(7, "VK101"), (8, "VK120")]


# --- disable-next-line ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "comment",
    [
        "<!-- vaultkit-disable-next-line VK101 -->",
        "%% vaultkit-disable-next-line VK101 %%",
        "<!--vaultkit-disable-next-line vk101-->",  # no spaces, lower case
        "<!-- vaultkit-disable-next-line VK1 -->",  # a prefix
        "<!-- vaultkit-disable-next-line -->",  # no code: every code
    ],
)
def test_disable_next_line_forms(make_vault: VaultFactory, comment: str) -> None:
    text = HEAD + f"{comment}\n[[Nope]]\n[[Gone]]\n"
    assert found(make_vault, text) == [(9, "VK101")]  # the line after next is not covered


def test_disable_next_line_covers_only_its_codes(make_vault: VaultFactory) -> None:
    text = HEAD + "<!-- vaultkit-disable-next-line VK120 -->\n[[Nope]] and Target.\n"
    assert found(make_vault, text) == [(8, "VK101")]


@pytest.mark.parametrize("sep", [", ", ",", " ", " , "])
def test_disable_next_line_with_several_codes(make_vault: VaultFactory, sep: str) -> None:
    text = HEAD + f"%% vaultkit-disable-next-line VK101{sep}VK120 %%\n[[Nope]] and Target.\n"
    assert found(make_vault, text) == []


def test_disable_next_line_after_a_multiline_comment(make_vault: VaultFactory) -> None:
    text = HEAD + "<!--\nvaultkit-disable-next-line VK101\nbecause the note was archived\n-->\n[[Nope]]\n"
    assert found(make_vault, text) == []


def test_a_suppression_inside_code_is_text(make_vault: VaultFactory) -> None:
    text = HEAD + "```markdown\n<!-- vaultkit-disable-next-line VK101 -->\n```\n[[Nope]]\n"
    assert found(make_vault, text) == [(10, "VK101")]


# --- disable ... enable regions -----------------------------------------------------------------------


def test_region_until_enable(make_vault: VaultFactory) -> None:
    text = (
        HEAD + "%% vaultkit-disable VK101 %%\n[[Nope]]\n\n[[Gone]]\n%% vaultkit-enable VK101 %%\n[[Lost]]\n"
    )
    assert found(make_vault, text) == [(12, "VK101")]


def test_region_without_enable_runs_to_the_end(make_vault: VaultFactory) -> None:
    text = HEAD + "[[Before]]\n%% vaultkit-disable VK101 %%\n[[Nope]]\n\n\n[[Gone]]\n"
    assert found(make_vault, text) == [(7, "VK101")]


def test_region_without_code_and_html_form(make_vault: VaultFactory) -> None:
    text = HEAD + "<!-- vaultkit-disable -->\n[[Nope]] Alpha\n<!-- vaultkit-enable -->\n[[Gone]] Beta\n"
    assert found(make_vault, text) == [(10, "VK101"), (10, "VK120")]


def test_region_with_several_codes(make_vault: VaultFactory) -> None:
    text = HEAD + "%% vaultkit-disable VK101, VK120 %%\n[[Nope]] Target\n%% vaultkit-enable %%\n[[Gone]]\n"
    assert found(make_vault, text) == [(10, "VK101")]


def test_enable_of_one_code_keeps_the_others_disabled(make_vault: VaultFactory) -> None:
    text = (
        HEAD
        + "%% vaultkit-disable VK101, VK120 %%\n[[Nope]] Alpha\n%% vaultkit-enable VK101 %%\n[[Gone]] Beta\n"
    )
    assert found(make_vault, text) == [(10, "VK101")]


def test_region_opened_with_html_and_closed_with_percent(make_vault: VaultFactory) -> None:
    text = HEAD + "<!-- vaultkit-disable VK101 -->\n[[Nope]]\n%% vaultkit-enable VK101 %%\n[[Gone]]\n"
    assert found(make_vault, text) == [(10, "VK101")]


# --- the frontmatter property ----------------------------------------------------------------------------


def test_note_wide_property(make_vault: VaultFactory) -> None:
    text = "---\ntype: entity\nkind: lab\nvaultkit_disable: [VK101, VK120]\n---\n# A\n\n[[Nope]] Target\n"
    assert found(make_vault, text) == []
    # in any case, as the comments, --ignore and the config's codes: the bundled schema refused it (VK010)
    lower = text.replace("VK120]", "vk120]")
    assert found(make_vault, lower) == []


def test_note_wide_property_in_any_case(make_vault: VaultFactory) -> None:
    """`Vaultkit_Disable:` is the same property to Obsidian, as `Aliases:` is `aliases` (and read so):
    regression, its codes were still reported."""
    text = "---\ntype: entity\nkind: lab\nVaultkit_Disable: [VK101]\n---\n# A\n\n[[Nope]]\n"
    assert found(make_vault, text) == []


def test_note_wide_property_leaves_other_codes(make_vault: VaultFactory) -> None:
    text = "---\ntype: entity\nkind: lab\nvaultkit_disable: [VK120]\n---\n# A\n\n[[Nope]] Target\n"
    assert found(make_vault, text) == [(8, "VK101")]


def test_note_wide_property_as_a_block_list(make_vault: VaultFactory) -> None:
    text = "---\ntype: entity\nkind: lab\nvaultkit_disable:\n  - VK101\n---\n# A\n\n[[Nope]]\n"
    assert found(make_vault, text) == []


def test_note_wide_property_prefix(make_vault: VaultFactory) -> None:
    """defs.schema.json documents it: "VK1 disables every VK1xx rule, VK every rule"."""
    text = "---\ntype: entity\nkind: lab\nvaultkit_disable: [VK1]\n---\n# A\n\n[[Nope]] Target\n"
    assert found(make_vault, text) == []


def test_suppressed_mentions_are_not_linked(make_vault: VaultFactory) -> None:
    root = make_vault(
        {
            **TARGET,
            "A.md": HEAD + "<!-- vaultkit-disable-next-line VK120 -->\nTarget, as a word.\nAlpha here.\n",
            "B.md": "---\ntype: entity\nkind: lab\nvaultkit_disable: [VK120]\n---\n# B\n\nTarget here.\n",
        }
    )
    result = run_cli("link", "--no-cache", root)
    assert result.exit_code == 0, result.output
    a = (root / "A.md").read_text(encoding="utf-8")
    assert "Target, as a word.\n[[Alpha]] here.\n" in a
    assert "[[" not in (root / "B.md").read_text(encoding="utf-8")


def test_a_suppressed_first_mention_leaves_the_next_one_to_link(make_vault: VaultFactory) -> None:
    text = HEAD + "<!-- vaultkit-disable-next-line VK120 -->\nTarget, as a word.\nTarget again.\n"
    assert found(make_vault, text) == [(9, "VK120")]


def test_a_suppressed_mention_stays_used_once_the_next_one_is_linked(make_vault: VaultFactory) -> None:
    """`link` links the second mention; the suppression of the first still does its job (no VK301)."""
    text = HEAD + "<!-- vaultkit-disable-next-line VK120 -->\nTarget first.\n\nTarget second.\n"
    region = (
        HEAD + "[[Target]] here.\n%% vaultkit-disable VK120 %%\nTarget again.\n%% vaultkit-enable VK120 %%\n"
    )
    assert found(make_vault, text.replace("Target second", "[[Target]] second")) == []
    assert found(make_vault, region) == []


def test_each_suppression_holding_back_a_mention_is_in_use(make_vault: VaultFactory) -> None:
    """The first mention is suppressed for the line, a later one by a region: without the region that later
    mention would be linked, so the region is in use (it was reported unused: VK301). A third mention after
    the region's is held back by nothing; it is the one reported."""
    region = "%% vaultkit-disable VK120 %%\nTarget in region.\n%% vaultkit-enable VK120 %%\n"
    held = HEAD + "<!-- vaultkit-disable-next-line VK120 -->\nTarget first.\n\n" + region
    assert found(make_vault, held) == []
    assert found(make_vault, held + "Target third.\n") == [(13, "VK120")]


@pytest.mark.parametrize(
    "text",
    [
        HEAD + "<!-- vaultkit-disable-next-line VK120 -->\nTarget here.\n",
        HEAD + "%% vaultkit-disable VK120 %%\nTarget here.\n",
        "---\ntype: entity\nkind: lab\nvaultkit_disable: [VK120]\n---\n# A\n\nTarget here.\n",
    ],
    ids=["next-line", "region", "property"],
)
def test_a_suppressed_mention_plans_no_relation(make_vault: VaultFactory, text: str) -> None:
    """`link --check` and `--diff` show only what `link` writes: no relation in Target for a link that a
    suppression keeps from being written (before, `link --check` failed for ever on it)."""
    root = make_vault({**TARGET, "A.md": text}, name=next(_names))
    before = (root / "Target.md").read_bytes()
    for args in (("--check",), ("--diff",), ()):
        result = run_cli("link", "--no-cache", *args, root)
        assert result.exit_code == 0, (args, result.output)
        assert "[[A]]" not in result.stdout
    assert (root / "Target.md").read_bytes() == before


@pytest.mark.parametrize("word", ["vaultkit-disable-line", "vaultkit-disabled", "vaultkit-enable-all"])
def test_a_word_that_only_begins_like_a_directive_suppresses_nothing(
    make_vault: VaultFactory, word: str
) -> None:
    """`<!-- vaultkit-disable-line -->` (ESLint's name; vaultkit has none) was read as `vaultkit-disable`:
    every later problem in the note vanished, silently."""
    assert found(make_vault, HEAD + f"<!-- {word} -->\n[[Nope]]\nTarget here.\n") == [
        (8, "VK101"),
        (9, "VK120"),
    ]


# --- VK301 unused suppression ----------------------------------------------------------------------------


def test_unused_next_line_suppression(make_vault: VaultFactory) -> None:
    text = HEAD + "<!-- vaultkit-disable-next-line VK101 -->\n[[Target]] is fine now.\n"
    assert found(make_vault, text) == [(7, "VK301")]
    assert messages(make_vault, text) == ["suppression of VK101 suppresses nothing"]


def test_unused_region_and_unused_no_code_suppression(make_vault: VaultFactory) -> None:
    text = HEAD + "%% vaultkit-disable VK101 %%\nfine\n%% vaultkit-enable VK101 %%\n"
    text += "%% vaultkit-disable-next-line %%\nok\n"
    assert found(make_vault, text) == [(7, "VK301"), (10, "VK301")]


def test_unused_note_wide_code(make_vault: VaultFactory) -> None:
    text = "---\ntype: entity\nkind: lab\nvaultkit_disable: [VK101, VK120]\n---\n# A\n\n[[Nope]]\n"
    assert found(make_vault, text) == [(1, "VK301")]
    assert messages(make_vault, text) == ["vaultkit_disable: VK120 suppresses nothing in this note"]


def test_a_note_wide_entry_that_is_no_text_is_vk010s_alone(make_vault: VaultFactory) -> None:
    """Regression: `vaultkit_disable: [VK101, 5, {a: 1}]` had its entries that are no text turned into codes
    with str().upper(): besides VK010 'is not a string', VK301 said "vaultkit_disable: {'A': 1} suppresses
    nothing", a value the note does not hold (a Python dict's repr, in capitals)."""
    text = "---\ntype: entity\nkind: lab\nvaultkit_disable: [VK101, 5, {a: 1}]\n---\n# A\n\n[[Nope]]\n"
    assert messages(make_vault, text) == []
    assert found(make_vault, text) == [(4, "VK010"), (4, "VK010")]


def test_a_used_suppression_is_not_reported(make_vault: VaultFactory) -> None:
    text = HEAD + "%% vaultkit-disable-next-line VK101, VK120 %%\n[[Nope]]\n"
    assert found(make_vault, text) == []  # used for one of its codes: not stale


def test_codes_enabled_one_by_one_are_judged_as_one_comment(make_vault: VaultFactory) -> None:
    """A comment is reported unused only if it suppressed nothing: an `enable` of one of its codes split
    it in two, and the part before was reported (twice, when both parts were unused), though the comment
    went on suppressing its other code."""
    text = HEAD + "%% vaultkit-disable VK101, VK120 %%\nfine\n%% vaultkit-enable VK101 %%\nTarget here.\n"
    assert found(make_vault, text) == []  # the VK120 after the enable is suppressed by this comment
    text = HEAD + "%% vaultkit-disable VK101, VK120 %%\nfine\n%% vaultkit-enable VK101 %%\nok\n"
    assert messages(make_vault, text) == ["suppression of VK101, VK120 suppresses nothing"]


@pytest.mark.parametrize(
    "args",
    [
        ("--select", "VK120,VK301"),  # VK101 not selected
        ("--ignore", "VK101"),  # VK101 ignored
        ("--select", "VK1,VK3", "--ignore", "VK101"),
    ],
)
def test_suppression_of_an_unselected_code_is_not_judged(
    make_vault: VaultFactory, args: tuple[str, ...]
) -> None:
    body = HEAD + "<!-- vaultkit-disable-next-line VK101 -->\n[[Nope]]\n"
    assert found(make_vault, body, *args) == []
    wide = "---\ntype: entity\nkind: lab\nvaultkit_disable: [VK101]\n---\n# A\n\n[[Nope]]\n"
    assert found(make_vault, wide, *args) == []


def test_vk301_is_reported_only_when_selected(make_vault: VaultFactory) -> None:
    text = HEAD + "<!-- vaultkit-disable-next-line VK101 -->\nfine\n"
    assert found(make_vault, text, "--ignore", "VK301") == []
    assert found(make_vault, text, "--select", "VK101") == []
    assert found(make_vault, text, "--select", "VK3") == []  # VK101 not selected: not judged
    assert found(make_vault, text, "--select", "VK1,VK3") == [(7, "VK301")]


def test_config_ignore_counts_as_not_selected(make_vault: VaultFactory) -> None:
    body = HEAD + "<!-- vaultkit-disable-next-line VK101 -->\n[[Nope]]\n"
    assert found(make_vault, body, extra={"vaultkit.toml": 'ignore = ["VK101"]\n'}) == []


def test_no_code_suppression_is_not_judged_under_a_partial_selection(make_vault: VaultFactory) -> None:
    text = HEAD + "<!-- vaultkit-disable-next-line -->\n[[Nope]]\n"
    assert found(make_vault, text, "--select", "VK120,VK301") == []


def test_vk301_itself_can_be_disabled_for_a_note(make_vault: VaultFactory) -> None:
    text = "---\ntype: entity\nkind: lab\nvaultkit_disable: [VK301]\n---\n# A\n\n"
    text += "<!-- vaultkit-disable-next-line VK101 -->\nok\n"
    assert found(make_vault, text) == []


def test_vk301_itself_can_be_disabled_in_a_region(make_vault: VaultFactory) -> None:
    text = HEAD + "%% vaultkit-disable VK301 %%\n<!-- vaultkit-disable-next-line VK101 -->\nfine\n"
    assert found(make_vault, text) == []


def test_suppressions_survive_the_cache(make_vault: VaultFactory) -> None:
    root = make_vault({**TARGET, "A.md": HEAD + "<!-- vaultkit-disable-next-line VK101 -->\n[[Nope]]\nok\n"})
    for _ in range(2):  # the second run reads facts (suppressions included) from .vaultkit_cache
        result = run_cli("check", root)
        assert result.exit_code == 0, result.output
    (root / "A.md").write_text(
        HEAD + "<!-- vaultkit-disable-next-line VK101 -->\nok\n[[Nope]]\n", encoding="utf-8"
    )
    result = run_cli("check", root)
    assert result.exit_code == 1
    assert "A.md:7:1: VK301" in result.stdout and "A.md:9:1: VK101" in result.stdout


# --- cost: many suppressions (counted, not timed) ------------------------------------------------------------


def _many_suppressions_lines(make_vault: VaultFactory, n: int) -> int:
    """Lines of vaultkit run checking a note of `n` used and `n` unused suppressions, `n` diagnostics and
    `n` mentions."""
    piece = "<!-- vaultkit-disable-next-line VK101 -->\n[[Nope]] and Target\n%% vaultkit-disable VK104 %%\n\n"
    got, lines = counted(lambda: messages(make_vault, HEAD + piece * n))
    assert got == ["suppression of VK104 suppresses nothing"] * n
    return lines


def test_many_suppressions_are_applied_in_linear_time(make_vault: VaultFactory) -> None:
    """Each diagnostic and each mention was looked up in every suppression of its note, and each unused
    suppression in every other one: 8,000 `disable-next-line` comments took 80 s to check. Counted, not
    timed (lines of vaultkit run, the same on every machine): 8 times the suppressions run about 6 times
    the lines (a run's fixed part included), the walk through every suppression about 48 times."""
    assert growth(lambda n: _many_suppressions_lines(make_vault, n), 100) < 2 * 8


def _codes_enabled_one_by_one_lines(make_vault: VaultFactory, k: int) -> int:
    """Lines of vaultkit run checking a note of one `disable` of `k` codes, then `k` comments each enabling
    one of them."""
    codes = ["VK101"] + [f"VK9{n:05d}" for n in range(k - 1)]
    text = HEAD + f"%% vaultkit-disable {', '.join(codes)} %%\n[[Nope]]\n"
    text += "".join(f"%% vaultkit-enable {code} %%\n" for code in codes)
    return lines_run(lambda: messages(make_vault, text))


def test_a_disable_of_many_codes_enabled_one_by_one_is_linear(make_vault: VaultFactory) -> None:
    """Each `enable` of one code stored the comment's other codes again as a new suppression: a `disable`
    of k codes ended one by one stored k * k / 2 codes, and k = 8,000 (a 300 kB note) took 13.7 s. Counted,
    not timed (lines of vaultkit run): 8 times the codes run about 3 times the lines, storing them again
    about 32 times."""
    assert growth(lambda k: _codes_enabled_one_by_one_lines(make_vault, k), 100) < 2 * 8


def _covers(s: SuppressionFact, code: str, line: int) -> bool:
    """What a suppression covers, read from its fields one by one (the index must agree)."""
    if s.codes and not any(code.startswith(c) for c in s.codes):
        return False
    if s.ends:  # each code up to its own last line
        return any(
            code.startswith(c) and s.first_line <= line and (end == 0 or line <= end)
            for c, end in zip(s.codes, s.ends, strict=True)
        )
    return s.first_line <= line and (s.last_line == 0 or line <= s.last_line)


@st.composite
def _suppression(draw: st.DrawFn) -> SuppressionFact:
    codes = tuple(draw(st.lists(st.sampled_from(["VK1", "VK101", "VK120", "VK3", "V"]), max_size=2)))
    first, last = draw(st.integers(1, 12)), draw(st.integers(0, 12))
    ends = tuple(draw(st.lists(st.integers(0, 12), min_size=len(codes), max_size=len(codes))))
    return SuppressionFact(codes, first, last, 1, 1, draw(st.sampled_from([(), ends])) if codes else ())


_SUPPRESSION = _suppression()


@settings(max_examples=300, derandomize=True, deadline=None)
@given(
    st.lists(_SUPPRESSION, max_size=12),
    st.sampled_from(["VK101", "VK120", "VK301", "VK004"]),
    st.integers(0, 14),
    st.integers(-1, 12),
)
def test_the_suppression_index_finds_the_first_covering_suppression(
    items: list[SuppressionFact], code: str, line: int, exclude: int
) -> None:
    expected = next((i for i, s in enumerate(items) if i != exclude and _covers(s, code, line)), -1)
    assert SuppressionIndex(tuple(items)).first(code, line, exclude) == expected
