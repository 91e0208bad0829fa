"""Mention linking and reciprocal relations (`vaultkit link`), on fixture vaults.

`tests/fixtures/vaults/linker/` is linked in a copy; `linker.expected.diff` is the exact
`vaultkit link --diff` output and `linker.expected/` the vault after `vaultkit link`
(`UPDATE_EXPECTED=1` rewrites both). The smaller tests build their vaults inline, one behaviour each.
"""

from __future__ import annotations

import base64
import json
import os
import random
import re
import shutil
import sys
import unicodedata
from collections.abc import Mapping, Sequence
from pathlib import Path

import pytest
from conftest import FIXTURES, Result, VaultFactory, run_cli, snapshot
from cost import growth, lines_run
from hypothesis import example, given, settings
from hypothesis import strategies as st

from vaultkit import frontmatter, linker, verify
from vaultkit.config import LinkConfig
from vaultkit.diagnostics import Edit
from vaultkit.facts import NoteFacts
from vaultkit.linker import (
    KeyFacts,
    KeyFilter,
    KeyTable,
    build_automaton,
    composed_with_origins,
    fold,
    leftmost_longest,
    scan_mentions,
)
from vaultkit.obsidian import ObsidianSettings
from vaultkit.vault import Index

VAULTS = FIXTURES / "vaults"
UPDATE = os.environ.get("UPDATE_EXPECTED") == "1"
_LINK = re.compile(r"\[\[(?:[^|\]]*\|)?([^\]]*)\]\]")


def _body(text: str) -> str:
    if text.startswith("---"):
        end = text.find("\n---", 3)
        return text[text.index("\n", end + 1) + 1 :] if end >= 0 else text
    return text


def _unlinked(text: str) -> str:
    """The text with every wikilink replaced by what it shows."""
    return _LINK.sub(lambda m: m.group(1) or "", text)


# -- the fixture vault, end to end ------------------------------------------------------------------------


@pytest.fixture
def linker_vault(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    root = tmp_path / "linker"
    shutil.copytree(VAULTS / "linker", root)
    monkeypatch.chdir(root)
    return root


def test_link_diff_of_the_fixture_vault(linker_vault: Path) -> None:
    before = snapshot(linker_vault)
    result = run_cli("link", "--diff", "--no-cache", ".")
    assert result.exit_code == 1
    expected = VAULTS / "linker.expected.diff"
    if UPDATE:
        expected.write_bytes(result.stdout.encode())
    assert result.stdout == expected.read_bytes().decode()  # bytes: the CRLF note's diff keeps its CRs
    assert snapshot(linker_vault) == before


def test_link_the_fixture_vault_then_nothing_changes(linker_vault: Path) -> None:
    original = snapshot(linker_vault)
    result = run_cli("link", "--no-cache", ".")
    assert result.exit_code == 0, result.output
    linked = snapshot(linker_vault)
    expected_dir = VAULTS / "linker.expected"
    if UPDATE:
        shutil.rmtree(expected_dir, ignore_errors=True)
        shutil.copytree(linker_vault, expected_dir, ignore=shutil.ignore_patterns(".vaultkit_cache"))
    assert linked == snapshot(expected_dir)

    for rel, data in linked.items():  # the bodies only gained link syntax, and CRLF stayed CRLF
        if rel.endswith(".md"):
            old, new = original[rel].decode(), data.decode()
            assert _unlinked(_body(new)) == _unlinked(_body(old)), rel
            assert old.count("\r\n") == new.count("\r\n") or "\r\n" not in old, rel

    again = run_cli("link", "--no-cache", ".")
    assert again.exit_code == 0 and "nothing to link" in again.stderr
    assert snapshot(linker_vault) == linked
    assert run_cli("link", "--check", "--no-cache", ".").exit_code == 0
    left = run_cli("check", "--no-cache", "--select", "VK120,VK121", ".")
    assert left.exit_code == 0, left.stdout


# -- matching: one behaviour per test ---------------------------------------------------------------------


def link_diff(root: Path) -> list[str]:
    """The changed lines `vaultkit link --diff` proposes (`+` lines without the file headers)."""
    result = run_cli("link", "--diff", "--no-cache", root)
    return [
        line[1:] for line in result.stdout.splitlines() if line.startswith("+") and not line.startswith("+++")
    ]


NO_RELATIONS = {"vaultkit.toml": "[relations]\nenabled = false\n"}


def vault(make_vault: VaultFactory, files: Mapping[str, str | bytes], **kw: object) -> Path:
    return make_vault({**NO_RELATIONS, **files}, **kw)


def test_cjk_mention_inside_a_sentence(make_vault: VaultFactory) -> None:
    root = vault(make_vault, {"美团.md": "x\n", "月.md": "x\n", "N.md": "我们访问了美团。月亮很美。\n"})
    assert link_diff(root) == ["我们访问了[[美团]]。月亮很美。"]


def test_cjk_alias_and_kana(make_vault: VaultFactory) -> None:
    root = vault(
        make_vault,
        {
            "Meituan.md": "---\naliases: [美团]\n---\n",
            "Sony.md": "---\naliases: [ソニー]\n---\n",
            "N.md": "美团とソニーの話。\n",
        },
    )
    assert link_diff(root) == ["[[Meituan|美团]]と[[Sony|ソニー]]の話。"]


def test_half_width_katakana_is_kana_beside_a_latin_name(make_vault: VaultFactory) -> None:
    """Half-width katakana (ｱﾌﾟﾘ, as older Japanese text and some input methods write it) is kana: a name in
    Latin letters right before it ends there, as before full-width katakana (`Qwenチーム`). Regression: it
    read as letters of the same word, so `Qwenﾁｰﾑ` was no mention; a katakana run stays one word, of
    either width (`ソフトバンクｸﾞﾙｰﾌﾟ` does not mention ソフトバンク)."""
    root = vault(
        make_vault,
        {
            "Qwen.md": "x\n",
            "DeepSeek.md": "x\n",
            "ソフトバンク.md": "x\n",
            "N.md": "Qwenﾁｰﾑ、ｱﾌﾟﾘDeepSeek。ソフトバンクｸﾞﾙｰﾌﾟ。\n",
        },
    )
    assert link_diff(root) == ["[[Qwen]]ﾁｰﾑ、ｱﾌﾟﾘ[[DeepSeek]]。ソフトバンクｸﾞﾙｰﾌﾟ。"]


def _nfd(text: str) -> str:
    return unicodedata.normalize("NFD", text)


def test_prose_in_nfd_mentions_notes_named_in_nfc(make_vault: VaultFactory) -> None:
    """Names are NFC; prose pasted from a macOS file name or a PDF may be NFD (an accent as a combining
    mark, Hangul as jamo). Such a mention is linked, and the link keeps the prose's own characters."""
    prose = f"Lunch at {_nfd('Café')} in {_nfd('서울')}; {_nfd('Cafés')} are not {_nfd('Café')}x.\n"
    root = vault(make_vault, {"Café.md": "x\n", "서울.md": "x\n", "N.md": prose})
    assert link_diff(root) == [
        f"Lunch at [[Café|{_nfd('Café')}]] in [[서울|{_nfd('서울')}]]; {_nfd('Cafés')} are not {_nfd('Café')}x."
    ]
    before = (root / "N.md").read_bytes()
    assert run_cli("link", root).exit_code == 0
    after = (root / "N.md").read_bytes()
    assert (
        after.replace(f"[[Café|{_nfd('Café')}]]".encode(), _nfd("Café").encode(), 1).replace(
            f"[[서울|{_nfd('서울')}]]".encode(), _nfd("서울").encode(), 1
        )
        == before
    ), "only the links are inserted; the NFD text stays NFD"


def test_relations_are_listed_in_the_order_of_nfc_names(make_vault: VaultFactory) -> None:
    """Regression (unseen38): a note's new relations were sorted by the paths on disk, so a macOS vault's NFD
    `İzmir.md` (I, then a combining dot) came before `Node.js.md`, and the same vault on Linux (NFC) put it
    after: the first `link` wrote them in another order on each. Now by NFC names, as Obsidian names files."""
    files = {
        _nfd("İzmir.md"): "See Hub.\n",
        "Node.js.md": "See Hub.\n",
        "Hub.md": "x\n",
    }
    root = make_vault(files)
    assert link_diff(root)[:4] == ["---", "related:", '  - "[[Node.js]]"', '  - "[[İzmir]]"']


def test_a_long_paragraph_of_nfd_kana_mentions_notes_named_in_nfc(make_vault: VaultFactory) -> None:
    """Japanese keeps no spaces, so a paragraph is one token between white space, and in NFD (`か` and
    U+3099 for `が`, as text from a macOS file name or a PDF holds it) NFC changes it. Regression: a token
    over 64 characters was mapped back only at its two ends, so no mention inside it was found."""
    sentence = "データベースの研究では、ディープシークが新しいモデルを発表した。"
    prose = _nfd(sentence * 3)
    root = vault(make_vault, {"ディープシーク.md": "x\n", "N.md": prose + "\n"})
    linked = f"[[ディープシーク|{_nfd('ディープシーク')}]]"
    assert link_diff(root) == [prose.replace(_nfd("ディープシーク"), linked, 1)]


@pytest.mark.parametrize(
    ("app", "link"),
    [
        ({}, "[[Árbol]]"),
        ({"newLinkFormat": "absolute"}, "[[Bosque/Árbol|Árbol]]"),
        ({"useMarkdownLinks": True}, "[Árbol](Árbol.md)"),
    ],
)
def test_a_note_named_in_nfd_is_linked_by_its_nfc_name(
    make_vault: VaultFactory, app: dict[str, object], link: str
) -> None:
    """A macOS file system names `Árbol.md` in NFD; Obsidian names the note by its NFC path and looks a link
    up without normalising it. The mention (typed in NFC) becomes the plain link to the NFC name, not an
    alias link that repeats the name with the path's combining accent; the relation written back is NFC."""
    root = make_vault(
        {f"{_nfd('Bosque')}/{_nfd('Árbol')}.md": "x\n", f"{_nfd('Señal')}.md": "El Árbol crece.\n"}, app=app
    )
    added = link_diff(root)
    assert f"El {link} crece." in added
    assert all(unicodedata.is_normalized("NFC", line) for line in added)
    assert run_cli("link", root).exit_code == 0
    assert '  - "[[Señal]]"' in (root / _nfd("Bosque") / f"{_nfd('Árbol')}.md").read_text()
    assert link_diff(root) == [], "the NFC link resolves: a second run changes nothing"


@given(st.text(alphabet="ae\u0301\u0308 \u1100\u1161\u11a8한Cé-", max_size=30))
@settings(max_examples=300, derandomize=True, deadline=None)
def test_composed_offsets_map_back_to_the_same_text(text: str) -> None:
    _assert_origins_map_back(text)


@given(st.text(alphabet="かはテ\u3099\u309a。e\u0301\u1100\u1161\u11a8한\uf900", min_size=65, max_size=200))
@settings(max_examples=100, derandomize=True, deadline=None)
def test_composed_offsets_of_a_long_token_map_back_to_the_same_text(text: str) -> None:
    """As above, for a token too long to try every cut (`linker._long_points`)."""
    _assert_origins_map_back(text)


def _assert_origins_map_back(text: str) -> None:
    """Each offset `composed_with_origins` maps back is where the text before it composes to the same."""
    composed, origin = composed_with_origins(text)
    assert composed == unicodedata.normalize("NFC", text)
    assert len(origin) == len(composed) + 1
    assert origin[0] == 0 and origin[-1] == len(text)
    for k, at in enumerate(origin):
        if at >= 0:
            assert unicodedata.normalize("NFC", text[:at]) == composed[:k]


@pytest.mark.parametrize(
    ("aliases", "text", "line"),
    [
        ("[Meituan Dianping, 美团]", "Meituan Dianping grew.", "[[Meituan|Meituan Dianping]] grew."),
        ("Meituan Dianping", "Meituan Dianping grew.", "[[Meituan|Meituan Dianping]] grew."),
        ("['M#T', 'a|b', 'x/y', '  ']", "M#T a|b x/y grew.", None),
    ],
)
def test_aliases_list_or_single_string(
    make_vault: VaultFactory, aliases: str, text: str, line: str | None
) -> None:
    root = vault(make_vault, {"Meituan.md": f"---\naliases: {aliases}\n---\n", "N.md": text + "\n"})
    assert link_diff(root) == ([line] if line else [])


@pytest.mark.parametrize(
    "front",
    [
        "Aliases: [Meituan Dianping]",
        "ALIASES: Meituan Dianping",
        "Aliases: [Meituan Dianping]\naliases: [Other]",
    ],
)
def test_aliases_key_in_any_case(make_vault: VaultFactory, front: str) -> None:
    """Obsidian reads aliases from the first key that matches `/^aliases$/i` (parseFrontMatterAliases, in a
    de-minified audit of Obsidian 1.12.7: clintonthegeek/Corbomite docs/obsidian-audit/domains/parsing.md,
    section 1). Regression: `Aliases:` was not read, and its mentions were not linked."""
    root = vault(make_vault, {"Meituan.md": f"---\n{front}\n---\n", "N.md": "Meituan Dianping grew.\n"})
    assert link_diff(root) == ["[[Meituan|Meituan Dianping]] grew."]


def test_acronym_matches_only_in_capitals(make_vault: VaultFactory) -> None:
    root = vault(make_vault, {"NASA.md": "x\n", "N.md": "nasa, Nasa and NASA.\n"})
    assert link_diff(root) == ["nasa, Nasa and [[NASA]]."]


def test_case_insensitive_keeps_the_prose(make_vault: VaultFactory) -> None:
    root = vault(make_vault, {"Meituan.md": "x\n", "N.md": "MEITUAN's and meituan's.\n"})
    assert link_diff(root) == ["[[Meituan|MEITUAN]]'s and meituan's."]


def test_leftmost_longest(make_vault: VaultFactory) -> None:
    root = vault(
        make_vault, {"DeepSeek.md": "x\n", "DeepSeek V4.md": "x\n", "N.md": "DeepSeek V4 beats DeepSeek.\n"}
    )
    assert link_diff(root) == ["[[DeepSeek V4]] beats [[DeepSeek]]."]


def test_word_boundaries(make_vault: VaultFactory) -> None:
    # `Qwen-2` is the model Qwen2 written with a hyphen, a longer name as `Qwen2` is (see
    # test_a_name_inside_a_longer_versioned_name_is_not_a_mention); `Qwen-based` would be a mention
    root = vault(make_vault, {"Qwen.md": "x\n", "N.md": "Qwenlike QwenQwen _Qwen Qwen2 Qwen-2 (Qwen)\n"})
    assert link_diff(root) == ["Qwenlike QwenQwen _Qwen Qwen2 Qwen-2 ([[Qwen]])"]


@pytest.mark.parametrize(
    ("prose", "linked"),
    [
        ("Not snake_Qwen_case, but _Qwen_.", "Not snake_Qwen_case, but _[[Qwen]]_."),
        ("Only __Qwen__ here.", "Only __[[Qwen]]__ here."),
    ],
)
def test_a_name_in_underscore_emphasis_is_a_mention(
    make_vault: VaultFactory, prose: str, linked: str
) -> None:
    root = vault(make_vault, {"Qwen.md": "x\n", "N.md": prose + "\n"})
    assert link_diff(root) == [linked]


def _rendered(markdown: str) -> str:
    """HTML as a CommonMark reader (mistune, with strikethrough and highlight) renders it, links shown as their
    text: the linked note must render as the original did, with `[[` and `]]` around the name."""
    import mistune

    html = mistune.create_markdown(plugins=["strikethrough", "mark"])(markdown)
    assert isinstance(html, str)
    return html.replace("[[", "").replace("]]", "")


@pytest.mark.parametrize(
    ("prose", "linked"),
    [
        ("_Meituan's_ results.", "_[[Meituan]]'s_ results."),
        ("__Meituan's__ results.", "__[[Meituan]]'s__ results."),
        ("*Meituan's* results.", "*[[Meituan]]'s* results."),
        ("**Meituan**'s results.", "**[[Meituan]]**'s results."),
        ("_Ask Meituan_ now.", "_Ask [[Meituan]]_ now."),
        ("_Meituan and snake_case_ too.", "_[[Meituan]] and snake_case_ too."),
        ("(_Meituan_) and (__Meituan__).", "(_[[Meituan]]_) and (__Meituan__)."),
        ("Once _Meituan_, now *Meituan*.", "Once _[[Meituan]]_, now *Meituan*."),
        ("~~Meituan~~ is gone.", "~~[[Meituan]]~~ is gone."),
        ("==Meituan== is marked.", "==[[Meituan]]== is marked."),
        ("_Meituan_v2 is out_, and Meituan.", "_Meituan_v2 is out_, and [[Meituan]]."),
    ],
)
def test_emphasis_punctuation_is_a_word_boundary(make_vault: VaultFactory, prose: str, linked: str) -> None:
    """`_` joins words (`snake_case`), but an underscore that opens or closes an emphasis is punctuation: in
    `_Meituan's_` the word is `Meituan's`. The link keeps the emphasis as it renders, and a second run
    changes nothing."""
    root = vault(make_vault, {"Meituan.md": "x\n", "N.md": prose + "\n"})
    result = run_cli("link", "--no-cache", root)
    assert result.exit_code == 0, result.output
    text = (root / "N.md").read_text(encoding="utf-8")
    assert text == linked + "\n"
    assert _rendered(text) == _rendered(prose + "\n")
    assert link_diff(root) == []


@pytest.mark.parametrize(
    "prose",
    [
        "東京_Meituan_ here.",
        "_Meituan_東京 here.",
        "東京__Meituan__ here.",
        "Meituan*(a note)* here.",
        "東京**🚀 Launch** here.",
        "_x（y）_Meituan_ here.",
        "*x (*Meituan* y",
    ],
)
def test_no_link_changes_which_delimiters_pair_up(make_vault: VaultFactory, prose: str) -> None:
    """Regressions, each rendered before and after by a CommonMark reader:
    - an underscore between a Han name and a word can neither open nor close an emphasis, so it shows as
      typed; beside a link's bracket it could (`[[東京]]_Meituan_` showed Meituan in italics), and the next
      run linked the new emphasis' text;
    - a `*` after a name, before punctuation or a symbol, can only close an emphasis, and with no opener
      before it is shown as typed; after a link's `]]` it can open one, so `[[Meituan]]*(a note)*` showed
      `(a note)` in italics (`*Meituan*,` still closes its own);
    - a run that could only open can close before `[[`, and closed an earlier opener (`*x (*[[Meituan]]* y`).
    """
    root = vault(
        make_vault, {"東京.md": "x\n", "Meituan.md": "x\n", "🚀 Launch.md": "x\n", "N.md": prose + "\n"}
    )
    run_cli("link", "--no-cache", root)
    text = (root / "N.md").read_text(encoding="utf-8")
    assert _rendered(text) == _rendered(prose + "\n"), text
    assert link_diff(root) == []


@pytest.mark.parametrize("app", [{}, {"useMarkdownLinks": True}])
@pytest.mark.parametrize("prose", ["Rate *Q*bert now.", "See _the C_(x) note."])
def test_no_link_takes_a_delimiter_inside_the_name_away_from_its_partner(
    make_vault: VaultFactory, app: dict[str, object], prose: str
) -> None:
    """A `*` or `_` inside a name can pair with one outside it: `*Q*bert` shows `Q` in italics. Inside a link's
    text it no longer can. Regression: `Rate *Q*bert now.` became `Rate *[Q*bert](Q*bert.md) now.`, shown
    as `*Q*bert` with a stray asterisk. A name holding a delimiter run that can open or close is not
    linked, in either link style (Obsidian reads a wikilink whole as well)."""
    root = vault(make_vault, {"Q*bert.md": "x\n", "C_(x).md": "x\n", "N.md": prose + "\n"}, app=app)
    run_cli("link", "--no-cache", root)
    assert (root / "N.md").read_text(encoding="utf-8") == prose + "\n"


@pytest.mark.parametrize(
    "prose",
    [
        "- **Cost**: how much it takes.\n- **Meituan**: who runs it.",
        "1. **Cost**: how much it takes.\n2. **Meituan**: who runs it.",
        "> **Cost**: how much it takes.\n> **Meituan**: who runs it.",
        "- [ ] **Cost** first\n- [ ] **Meituan** next",
    ],
)
def test_a_bold_name_after_a_list_or_quote_marker_is_a_mention(make_vault: VaultFactory, prose: str) -> None:
    """Regression (found on Obsidian's help, a list of `**Term**: meaning` items): the marker was masked
    with its space, and the mask reads as punctuation, so a `**` after `- ` seemed able to close the `**`
    of an item above once `[[` followed it, and the name was never linked. The space after a marker is
    white space, as CommonMark reads it; the link keeps the emphasis as it renders."""
    root = vault(make_vault, {"Meituan.md": "x\n", "N.md": prose + "\n"})
    assert run_cli("link", "--no-cache", root).exit_code == 0
    text = (root / "N.md").read_text(encoding="utf-8")
    assert "**[[Meituan]]**" in text, text
    assert _rendered(text) == _rendered(prose + "\n")
    assert link_diff(root) == []


@pytest.mark.parametrize(
    "prose",
    [
        "Not snake_case_Meituan here.",
        "Not Meituan_v2 here.",
        "Not snake_Meituan_case here.",
        "Not the _Meituan prefix here.",  # an underscore no emphasis closes: shown as typed
        "Not __Meituan here.",
        "Not a*Meituan*b here.",  # emphasis inside a word: `a*[[Meituan]]*b` would show its asterisks
        "Not x**Meituan**y here.",
        "Not a~~Meituan~~b here.",
        "Not a==Meituan==b here.",
    ],
)
def test_identifier_underscores_and_emphasis_inside_a_word_block_a_mention(
    make_vault: VaultFactory, prose: str
) -> None:
    assert _links_nothing(make_vault, prose)


@pytest.mark.parametrize(
    "prose",
    [
        "See meituan.com/about for more.",  # a domain without a scheme
        "The api.meituan host.",
        "Code at github.com/meituan/resrl today.",
        "Weights at huggingface.co/Meituan now.",
        "Read src/meituan/model.py first.",  # a path
        "Follow @meituan for news.",  # a handle
        "Read Meituan.pdf first.",  # a file name
        "Literal \\[\\[Meituan\\]\\] text.",  # escaped brackets: shown as typed
        "Literal \\[Meituan\\] text.",
    ],
)
def test_no_link_inside_a_domain_a_file_name_a_handle_or_escaped_brackets(
    make_vault: VaultFactory, prose: str
) -> None:
    assert _links_nothing(make_vault, prose)


def test_a_name_inside_a_longer_versioned_name_is_not_a_mention(make_vault: VaultFactory) -> None:
    """Regression (a week of notes on Chinese open-weight models): `GPT-4o-mini` became `[[GPT-4o]]-mini`,
    `Kimi-K2` `[[Moonshot AI|Kimi]]-K2`, `Qwen2.5-Max-0125` `[[Qwen2.5-Max]]-0125`: each a link to another
    model than the one named, and a relation on that note to every note about the other one. A name that
    hyphens join into a run holding a digit is part of that longer name; joined with no digit
    (`Meituan-backed`, `OpenAI-compatible`, German's `Mistral-Modelle`) it is still a mention."""
    files = {
        "GPT-4o.md": "x\n",
        "Moonshot AI.md": "---\naliases: [Kimi]\n---\nx\n",
        "Qwen2.5-Max.md": "x\n",
        "DeepSeek.md": "x\n",
        "Mistral.md": "x\n",
        "Meituan.md": "x\n",
        "OpenAI.md": "x\n",
    }
    skipped = {
        "A.md": "Cheaper: GPT-4o-mini, and later GPT-4o.\n",
        "B.md": "Try moonshotai/Kimi-K2-Instruct or Kimi itself.\n",
        "C.md": "Pin Qwen2.5-Max-0125, not Qwen2.5-Max.\n",
        "D.md": "Run DeepSeek-R1-Distill-Qwen-7B and Mistral-7B, then DeepSeek and Mistral.\n",
    }
    kept = {"E.md": "Meituan-backed, OpenAI-compatible: die Mistral-Modelle.\n"}
    root = vault(make_vault, {**files, **skipped, **kept})
    assert link_diff(root) == [
        "Cheaper: GPT-4o-mini, and later [[GPT-4o]].",
        "Try moonshotai/Kimi-K2-Instruct or [[Moonshot AI|Kimi]] itself.",
        "Pin Qwen2.5-Max-0125, not [[Qwen2.5-Max]].",
        "Run DeepSeek-R1-Distill-Qwen-7B and Mistral-7B, then [[DeepSeek]] and [[Mistral]].",
        "[[Meituan]]-backed, [[OpenAI]]-compatible: die [[Mistral]]-Modelle.",
    ]


def test_a_name_inside_a_package_or_repository_id_is_not_a_mention(make_vault: VaultFactory) -> None:
    """Regression: notes on open-weight models name packages and Hugging Face repositories, and
    `openai-python` became `[[OpenAI|openai]]-python`, `openai/gpt-oss-20b` `[[OpenAI|openai]]/gpt-oss-20b`
    and `Qwen/Qwen2.5-Max` `[[Qwen]]/Qwen2.5-Max`: a link inside the name of a thing the lab made, which took
    the note's one link (`first_only`) from the mention after it. A name in lower case that none of its
    spellings is, glued to a word by a hyphen or a slash, or one side of a repository named after its owner,
    is part of that id (`mistralai/Mistral-Large`, `meta-llama/Llama-Guard` too). Written as the note writes it
    (`OpenAI-compatible`, `OpenAI/Anthropic`, a pair of models `GPT-4/GPT-4o`), or where the note's own name
    is in lower case (`deep learning-based`), it is still a mention. And `Mistral-Small-3.2`, a model whose
    digit is two words from the name, became `[[Mistral]]-Small-3.2`: only the word beside it was read."""
    files = {
        "OpenAI.md": "x\n",
        "Qwen.md": "x\n",
        "Qwen2.5-Max.md": "x\n",
        "Meta.md": "x\n",
        "Anthropic.md": "x\n",
        "Mistral.md": "x\n",
        "Llama.md": "x\n",
        "GPT-4.md": "x\n",
        "GPT-4o.md": "x\n",
        "deep learning.md": "x\n",
    }
    skipped = {
        "A.md": "Install openai-python, load openai/gpt-oss-20b; OpenAI ships both.\n",
        "B.md": "Pull Qwen/Qwen2.5-Max from Qwen, the Qwen2.5-Max card.\n",
        "C.md": "See meta-llama/Llama-3.1-8B and facebook/meta by Meta.\n",
        "E.md": "Try mistralai/Mistral-Large, meta-llama/Llama-Guard, Mistral-Small-3.2; then Llama, Mistral.\n",
    }
    kept = {
        "D.md": "OpenAI-compatible, the OpenAI/Anthropic race, deep learning-based.\n",
        "F.md": "The GPT-4/GPT-4o gap.\n",  # a pair of models: an owner's name holds no digit
    }
    root = vault(make_vault, {**files, **skipped, **kept})
    assert link_diff(root) == [
        "Install openai-python, load openai/gpt-oss-20b; [[OpenAI]] ships both.",
        "Pull Qwen/Qwen2.5-Max from [[Qwen]], the [[Qwen2.5-Max]] card.",
        "See meta-llama/Llama-3.1-8B and facebook/meta by [[Meta]].",
        "[[OpenAI]]-compatible, the OpenAI/[[Anthropic]] race, [[deep learning]]-based.",
        "Try mistralai/Mistral-Large, meta-llama/Llama-Guard, Mistral-Small-3.2; then [[Llama]], [[Mistral]].",
        "The [[GPT-4]]/[[GPT-4o]] gap.",
    ]


def test_a_note_named_by_its_domain_is_not_mentioned_by_a_path_on_it(make_vault: VaultFactory) -> None:
    """Regression: labs are named by their domains (`01.ai`, `Z.ai`), and `see 01.ai/about` became
    `see [[01.ai]]/about`, a link inside an address with no scheme, where `huggingface.co/Meituan` was
    already left alone. The name alone, or after a slash that pairs it (`Qwen/01.ai`), is still a mention."""
    files = {"01.ai.md": "x\n", "Z.ai.md": "x\n", "Qwen.md": "x\n"}
    prose = "See 01.ai/about and z.ai/blog/post. Then 01.ai, Qwen/Z.ai.\n"
    root = vault(make_vault, {**files, "N.md": prose})
    assert link_diff(root) == ["See 01.ai/about and z.ai/blog/post. Then [[01.ai]], [[Qwen]]/[[Z.ai]]."]


@pytest.mark.parametrize(
    "prose",
    [
        "Open Meituan(1) now.",  # `[[Meituan]](1)`: a Markdown link to `1` whose text is `[Meituan]`
        "Open Meituan() now.",
        "Open Meituan[1] now.\n\n[1]: https://example.com",  # `[[Meituan]][1]`: a reference link
        "Open Meituan[site](https://example.com) now.",
        "Open Big Meituan[1] now.\n\n[1]: https://example.com",  # nor a longer name ending there
    ],
)
def test_no_wikilink_where_commonmark_reads_it_as_a_link_text(make_vault: VaultFactory, prose: str) -> None:
    """CommonMark lets balanced brackets into a link's text: a wikilink right before `(` or `[` would be
    read (by mistune, GitHub, any CommonMark renderer) as the text of a Markdown or reference link."""
    files = {"Big Meituan.md": "x\n"} if "Big" in prose else {}
    root = vault(make_vault, {"Meituan.md": "x\n", **files, "N.md": prose + "\n"})
    assert link_diff(root) == []


def test_only_the_name_ending_at_a_markdown_link_is_left_in_cjk_text(make_vault: VaultFactory) -> None:
    """Han text has no spaces: the protection before a Markdown link covers its last character, not the
    whole sentence, so a name earlier in it is still linked, and the one ending at the link is not."""
    prose = "我们在北京见面[地图](https://example.com)。\n"
    root = vault(make_vault, {"北京.md": "x\n", "见面.md": "x\n", "N.md": prose})
    assert link_diff(root) == ["我们在[[北京]]见面[地图](https://example.com)。"]


def test_a_mention_before_a_bracket_that_opens_no_link_is_still_linked(make_vault: VaultFactory) -> None:
    """A `[` that opens no link (a footnote, a Pandoc citation, an undefined label) leaves a wikilink."""
    prose = "Meituan[^1], Canvas (1) and Lumen[@key, p. 8].\n\n[^1]: A note.\n"
    root = vault(make_vault, {"Meituan.md": "x\n", "Canvas.md": "x\n", "Lumen.md": "x\n", "N.md": prose})
    assert link_diff(root) == ["[[Meituan]][^1], [[Canvas]] (1) and [[Lumen]][@key, p. 8]."]


@pytest.mark.parametrize(
    "prose",
    [
        "As @smith2020 shows.",  # an author-in-text citation
        "See [see @smith2020, p. 3] and [-@smith2020].",  # in a citation's brackets; author suppressed
        "Both [@doe2019; @smith2020] agree.",
    ],
)
def test_a_pandoc_citation_is_not_a_mention_of_the_literature_note_named_by_its_key(
    make_vault: VaultFactory, prose: str
) -> None:
    """Regression: Zotero and Citations plugins name literature notes `@citekey.md`; `@smith2020` in prose is
    a Pandoc citation (which the Pandoc and Citations plugins read), and `[[@smith2020]]` turned it into a
    wikilink, so the exported document lost the citation."""
    root = vault(make_vault, {"@smith2020.md": "x\n", "@doe2019.md": "x\n", "N.md": prose + "\n"})
    assert link_diff(root) == []
    assert "VK120" not in run_cli("check", "--no-cache", root).stdout


def test_an_entity_reference_is_not_a_mention(make_vault: VaultFactory) -> None:
    """Regression: `&Delta;` renders as Δ (a CommonMark entity reference, which Obsidian renders), and a note
    named Delta turned it into `&[[Delta]];`, an ampersand, a link and a semicolon. A name that is no HTML
    entity (`&Gamma2;`, shown as typed) and a name after a whole entity (`&amp;Delta`) are still mentions."""
    prose = "A change &Delta; of 5&euro;, then &Gamma2; and &amp;Delta.\n"
    root = vault(make_vault, {"Delta.md": "x\n", "Euro.md": "x\n", "Gamma2.md": "x\n", "N.md": prose})
    assert link_diff(root) == ["A change &Delta; of 5&euro;, then &[[Gamma2]]; and &amp;[[Delta]]."]


def _links_nothing(make_vault: VaultFactory, prose: str) -> bool:
    """`link --diff` proposes nothing for a note of this prose, in a vault that has Meituan.md."""
    root = vault(make_vault, {"Meituan.md": "x\n", "N.md": prose + "\n"})
    return link_diff(root) == []


def test_list_markers_and_rules_are_never_part_of_a_mention(make_vault: VaultFactory) -> None:
    """Regression: a note named "1. Introduction" turned the list item `1. Introduction` into a paragraph
    `[[1. Introduction]]`, and an alias `***` a thematic break into a link."""
    body = "Plan:\n\n1. Introduction\n2. Setup and tools\n\n***\n\nRead 1. Introduction and 2. Setup.\n"
    rule = "---\naliases: ['***']\n---\n"
    root = vault(
        make_vault, {"1. Introduction.md": "x\n", "2. Setup.md": "x\n", "Rule.md": rule, "N.md": body}
    )
    assert link_diff(root) == ["Read [[1. Introduction]] and [[2. Setup]]."]


@pytest.mark.parametrize(
    ("prose", "linked"),
    [
        ("The ResRL/Meituan work.", "The ResRL/[[Meituan]] work."),
        ("_Delivered by Meituan._", "_Delivered by [[Meituan]]._"),  # the `_` closes the emphasis
        ("Revenue grew at Meituan.\u00b9", "Revenue grew at [[Meituan]].\u00b9"),  # a footnote mark
        ("Our stack is Node.js/Meituan.", "Our stack is Node.js/[[Meituan]]."),  # a pair, not a path
        ("Meituan/Node.js pairs.", "[[Meituan]]/Node.js pairs."),
    ],
)
def test_a_name_beside_a_slash_or_ending_a_sentence_is_still_a_mention(
    make_vault: VaultFactory, prose: str, linked: str
) -> None:
    """Regressions of the domain and file-name rule: a sentence's end, a footnote mark, an emphasis closed
    with `_` and a pair of names around a slash read as `meituan.com`, so the name was never linked."""
    root = vault(make_vault, {"Meituan.md": "x\n", "N.md": prose + "\n"})
    assert link_diff(root) == [linked]


def test_first_mention_only_counting_existing_links(make_vault: VaultFactory) -> None:
    root = vault(
        make_vault,
        {
            "Aaa.md": "x\n",
            "Bbb.md": "x\n",
            "Ccc.md": "x\n",
            "N.md": "---\nrelated: ['[[Bbb]]']\n---\n[[Aaa]] then Aaa, Bbb, Ccc and Ccc.\n",
        },
    )
    assert link_diff(root) == ["[[Aaa]] then Aaa, Bbb, [[Ccc]] and Ccc."]


def test_every_mention_when_first_only_is_off(make_vault: VaultFactory) -> None:
    root = make_vault(
        {
            "vaultkit.toml": "[link]\nfirst_only = false\n[relations]\nenabled = false\n",
            "Alpha.md": "x\n",
            "N.md": "Alpha and Alpha.\n",
        }
    )
    assert link_diff(root) == ["[[Alpha]] and [[Alpha]]."]


def test_no_self_links(make_vault: VaultFactory) -> None:
    root = vault(make_vault, {"Alpha.md": "---\naliases: [Al Pha]\n---\nAlpha and Al Pha are this note.\n"})
    assert link_diff(root) == []


@pytest.mark.parametrize(
    "name",
    [
        *("2026-05-08", "42", "3.14", "10:30", "1,000", "2026年05月08日", "5月8日", "2026년 5월 8일"),
        *("٣٫١٤", "١٬٠٠٠", "۵۰٪", "50%", "۱۴۰۲-۰۵-۱۲"),
    ],
)
def test_dates_and_numbers_are_never_keys(make_vault: VaultFactory, name: str) -> None:
    """Also dates as Chinese, Japanese and Korean daily notes are named (a regression: they were linked), and
    numbers written with the Arabic decimal and thousands separators or a percent sign (Arabic or Persian
    prose: `٣٫١٤`, `۵۰٪` were linked as names)."""
    root = vault(make_vault, {f"{name}.md": "x\n", "N.md": f"On {name} we met.\n"})
    assert link_diff(root) == []


def test_a_date_unit_alone_is_a_word(make_vault: VaultFactory) -> None:
    config = NO_RELATIONS["vaultkit.toml"] + "[link]\nmin_length = 2\n"
    root = vault(make_vault, {"vaultkit.toml": config, "月.md": "x\n", "N.md": "月が綺麗ですね。\n"})
    assert link_diff(root) == ["[[月]]が綺麗ですね。"]


def test_a_note_whose_name_begins_or_ends_with_a_space_is_never_linked_to(make_vault: VaultFactory) -> None:
    """`[[ Lead]]` names `Lead`, not ` Lead.md` (a link's target is read trimmed): link wrote links that its
    own check then reported broken, and relations that it then asked for again (helper's report)."""
    files = {
        " Lead.md": "x\n",
        "Trail .md": "See [[T]].\n",
        "T.md": "# T\n",
        "P.md": "About Lead and Trail.\n",
    }
    root = make_vault(files)
    assert link_diff(root) == []
    result = run_cli("check", "--no-cache", root)
    assert result.exit_code == 0, result.stdout


@pytest.mark.parametrize(
    "files",
    [
        {  # the path must be written (Alice is shared) and holds '#': `[[and #hash/Alice]]` names `and`
            "and #hash/Alice.md": "---\naliases: [Alicia]\n---\nSee [[Bob]].\n",
            "other/Alice.md": "x\n",
            "Bob.md": "---\nrelated: []\n---\nBob here.\n",
            "N.md": "Met Alicia today.\n",
        },
        {  # a root note whose name another note shares: `[[Toyota]]` could mean either
            "Toyota.md": "---\naliases: [Toyota Motor]\n---\nSee [[Writer]]. Root Toyota.\n",
            "sub/Toyota.md": "x\n",
            "Writer.md": "---\nrelated: []\n---\nWriter.\n",
            "N.md": "We drove a Toyota Motor car.\n",
        },
        {  # `%%` in the path opens a comment: the link, and the prose after it, would vanish into it
            "p%%q/Kappa.md": "---\naliases: [Kappa Corp]\n---\nx\n",
            "sub/Kappa.md": "x\n",
            "N.md": "We met Kappa Corp today.\n\nLater text with a %% comment %% here.\n",
        },
        {  # a backtick in the path pairs with a later one: a code span, not a link
            "a`b/Kappa.md": "---\naliases: [Kappa Corp]\n---\nx\n",
            "sub/Kappa.md": "x\n",
            "N.md": "We met Kappa Corp, then ran `make`.\n",
        },
        {  # a '^' in the name: Obsidian warns links will not work with it, and the schemas' wikilink refuses it
            "car^et.md": "See [[Bob]].\n",
            "Bob.md": "---\nrelated: []\n---\nBob here.\n",
        },
    ],
    ids=[
        "hash-in-the-path",
        "shared-name-at-the-root",
        "comment-in-the-path",
        "backtick-in-the-path",
        "caret-in-the-name",
    ],
)
def test_a_note_no_written_link_can_name_is_never_linked_to(
    make_vault: VaultFactory, files: dict[str, str]
) -> None:
    """link wrote links that its own check called broken (VK101) or ambiguous (VK102), and relations that it
    did not recognise and appended again on every run (helper's report). A link vaultkit writes must name
    its target again; where none can, the mention stays as it is, unreported, and no relation is asked."""
    root = make_vault(files)
    before = snapshot(root)
    assert link_diff(root) == []
    for command in (("check",), ("link", "--check")):
        result = run_cli(*command, "--no-cache", root)
        assert result.exit_code == 0, (command, result.output)
    assert run_cli("link", "--no-cache", root).exit_code == 0
    assert snapshot(root) == before


def test_link_spells_out_a_newline_in_a_note_name(make_vault: VaultFactory) -> None:
    """Regression: `linked New` and `line.md` on two lines: a note's name started a line of its own."""
    root = make_vault({"New\nline.md": "About Rust today.\n", "Rust.md": "x\n"})
    for command in (("link", "--check"), ("link",)):
        result = run_cli(*command, "--no-cache", root)
        assert "New\\nline.md" in result.output and "New\nline" not in result.output, (command, result.output)


def test_check_fix_spells_out_a_newline_in_the_name_of_a_note_it_could_not_write(
    make_vault: VaultFactory,
) -> None:
    """Regression: `check --fix` named a read-only note it did not write as `link` did before it spelled
    names out: a note named 'New<newline>line.md' printed a line 'line.md: not written …' of its own."""
    root = make_vault({"New\nline.md": "About Rust today.\n", "Rust.md": "x\n"})
    (root / "New\nline.md").chmod(0o444)
    result = run_cli("check", "--fix", "--no-cache", root)
    assert "New\\nline.md: not written" in result.output and "New\nline" not in result.output, result.output


def test_a_notes_own_name_in_its_text_is_not_ambiguous(make_vault: VaultFactory) -> None:
    """'Toyota' in Toyota.md is the note itself, never linked: not 'could mean Toyota.md and sub/Toyota.md'
    (VK122). In another note it is ambiguous."""
    root = vault(make_vault, {"Toyota.md": "Toyota here.\n", "sub/Toyota.md": "x\n", "N.md": "A Toyota.\n"})
    result = run_cli("check", "--no-cache", "--format", "json", root)
    found = [(Path(d["path"]).name, d["code"]) for d in json.loads(result.stdout)["diagnostics"]]
    assert found == [("N.md", "VK122")]


def test_a_name_two_notes_share_is_not_ambiguous_in_a_note_that_links_one_of_them(
    make_vault: VaultFactory,
) -> None:
    """Two notes share the alias `Lambert`. A note that links one of them already means that one by it: it
    got "'Lambert' could mean …; not linked" (VK122) all the same (realuse37, after merging two entities).
    A note that links neither still gets it."""
    files = {
        "Nathan Lambert.md": "---\naliases: [Lambert]\n---\nx\n",
        "Lambert Labs.md": "---\naliases: [Lambert]\n---\nx\n",
        "Visit.md": "[[Nathan Lambert]] wrote it. Lambert then left.\n",
        "Other.md": "Lambert then left.\n",
    }
    root = vault(make_vault, files)
    result = run_cli("check", "--no-cache", "--format", "json", root)
    found = [(Path(d["path"]).name, d["code"]) for d in json.loads(result.stdout)["diagnostics"]]
    assert found == [("Other.md", "VK122")]


def test_minimum_key_length(make_vault: VaultFactory) -> None:
    root = vault(make_vault, {"AI.md": "x\n", "Go.md": "x\n", "Rust.md": "x\n", "N.md": "AI, Go and Rust.\n"})
    assert link_diff(root) == ["AI, Go and [[Rust]]."]
    root2 = make_vault(
        {
            "vaultkit.toml": "[link]\nmin_length = 2\n[relations]\nenabled = false\n",
            "AI.md": "x\n",
            "N.md": "AI rules.\n",
        },
        name="v2",
    )
    assert link_diff(root2) == ["[[AI]] rules."]


def test_link_never(make_vault: VaultFactory) -> None:
    root = make_vault(
        {
            "vaultkit.toml": '[link]\nnever = ["kimi"]\n[relations]\nenabled = false\n',
            "Moonshot.md": "---\naliases: [Kimi]\n---\n",
            "N.md": "Kimi and Moonshot.\n",
        }
    )
    assert link_diff(root) == ["Kimi and [[Moonshot]]."]


@pytest.mark.parametrize("key", ["vaultkit_link", "Vaultkit_Link", "VAULTKIT_LINK"])
def test_opt_out_property(make_vault: VaultFactory, key: str) -> None:
    """In any case, as Obsidian names a property (`Aliases:`, `Related:` are read so). Regression:
    `Vaultkit_Link: false` was not read, and `vaultkit link` wrote links into the note that opted out."""
    root = vault(make_vault, {"Alpha.md": "x\n", "N.md": f"---\n{key}: false\n---\nAlpha.\n"})
    assert link_diff(root) == []


def test_raw_notes_are_skipped(make_vault: VaultFactory) -> None:
    root = vault(make_vault, {"Alpha.md": "x\n", "N.md": "---\ntype: raw\n---\nAlpha.\n"})
    assert link_diff(root) == []


def test_skip_types_is_configurable(make_vault: VaultFactory) -> None:
    root = make_vault(
        {
            "vaultkit.toml": '[link]\nskip_types = ["log"]\n[relations]\nenabled = false\n',
            "Alpha.md": "x\n",
            "Raw.md": "---\ntype: raw\n---\nAlpha.\n",
            "Log.md": "---\ntype: log\n---\nAlpha.\n",
        }
    )
    assert link_diff(root) == ["[[Alpha]]."]
    diff = run_cli("link", "--diff", "--no-cache", root).stdout
    assert "Raw.md" in diff and "Log.md" not in diff


def test_ambiguous_key_is_reported_not_linked(
    make_vault: VaultFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = vault(make_vault, {"A/Overview.md": "x\n", "B/Overview.md": "x\n", "N.md": "An Overview.\n"})
    assert link_diff(root) == []
    monkeypatch.chdir(root)
    assert run_cli("check", "--no-cache", ".").stdout.splitlines()[0] == (
        "N.md:1:4: VK122 'Overview' could mean 'A/Overview.md' and 'B/Overview.md'; not linked"
    )


def test_an_ambiguous_key_many_notes_share_names_the_first_few_and_counts_the_rest(
    make_vault: VaultFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`index` in 2,000 daily notes, with an `index.md` in each of 2,000 folders: each VK122 named them all."""
    files = {f"p{i}/index.md": "x\n" for i in range(7)}
    root = vault(make_vault, {**files, "N.md": "An index.\n"})
    monkeypatch.chdir(root)
    assert run_cli("check", "--no-cache", ".").stdout.splitlines()[0] == (
        "N.md:1:4: VK122 'index' could mean 'p0/index.md' and 'p1/index.md' and 'p2/index.md' and "
        "'p3/index.md' and 'p4/index.md' and 2 more; not linked"
    )


def test_never_inside_protected_regions(make_vault: VaultFactory) -> None:
    body = (
        "# Alpha\n\n> [!note] Alpha\n\n`Alpha` $Alpha$ %% Alpha %% <!-- Alpha --> https://a.b/Alpha "
        "bob@alpha.io #Alpha "
        "[[X|Alpha]] [Alpha](x.md) [^Alpha] ^[Alpha] <% Alpha %> [Alpha] <a href='x'>Alpha</a>\n\n"
        "```\nAlpha\n```\n\n    Alpha\n\n| Alpha | b |\n|---|---|\n| Alpha | c |\n\n<div>\nAlpha\n</div>\n"
    )
    root = vault(make_vault, {"Alpha.md": "x\n", "X.md": "x\n", "N.md": body})
    assert link_diff(root) == []


def test_never_inside_a_footnote_that_holds_a_link(make_vault: VaultFactory) -> None:
    """A footnote's links are links (`test_a_footnotes_links_are_links`), but no link goes into its text: not
    in a definition, whose line the scan no longer masks, nor in an inline footnote after the link it holds.
    A guard for that change: it held before too, when both were masked or cut short."""
    body = "a[^1] ^[see [[X]] about Alpha]\n\n[^1]: see [[X]] about Alpha\n    and Alpha\n"
    root = vault(make_vault, {"Alpha.md": "x\n", "X.md": "x\n", "N.md": body})
    assert link_diff(root) == []


def test_a_comment_across_the_lines_of_a_quote_hides_only_what_it_holds(make_vault: VaultFactory) -> None:
    """The Annotator plugin keeps each highlight in a quote, its JSON in a `>%%` ... `>%%` comment, and the
    highlighted text after it. Regression: the text after the comment was linked, then the write refused
    (mistune's quotes knew no block comment, so it read the rest of the quote as an unclosed one)."""
    body = (
        '>%%\n>```annotation-json\n>{"text": "Alpha"}\n>```\n>%%\n'
        ">*%%PREFIX%%before%%HIGHLIGHT%% ==the Alpha method== %%POSTFIX%%after*\n"
        ">%%LINK%%[[#^ab12|show annotation]]\n>%%COMMENT%%\n>\n>%%TAGS%%\n>\n^ab12\n"
    )
    root = vault(make_vault, {"Alpha.md": "x\n", "N.md": body})
    result = run_cli("link", "--no-cache", root)
    assert result.exit_code == 0, result.output
    assert (root / "N.md").read_text() == body.replace("==the Alpha", "==the [[Alpha]]")


@pytest.mark.parametrize(
    "prose",
    [
        '<span style="color: red">Alpha</span> is read.',
        "<u>Alpha</u>, <b>Alpha</b>, <mark>Alpha</mark> and <font color=red>Alpha</font>.",
        "A <span>long\nline about Alpha</span>.",
    ],
)
def test_no_link_inside_an_inline_html_element(make_vault: VaultFactory, prose: str) -> None:
    """Obsidian renders no Markdown inside HTML elements (help: Obsidian Flavored Markdown, "Markdown inside
    HTML"): a link written inside `<span>` would show as `[[Alpha]]`. Nor is the mention reported (VK120)."""
    root = vault(make_vault, {"Alpha.md": "x\n", "N.md": prose + "\n"})
    assert link_diff(root) == []
    assert "VK120" not in run_cli("check", "--no-cache", str(root)).stdout


def test_a_mention_after_an_inline_html_element_is_linked(make_vault: VaultFactory) -> None:
    root = vault(make_vault, {"Alpha.md": "x\n", "N.md": "<mark>Alpha</mark> and Alpha.\n"})
    assert link_diff(root) == ["<mark>Alpha</mark> and [[Alpha]]."]


@pytest.mark.parametrize(
    ("prose", "linked"),
    [
        ("A List<String> holds Alpha.", "A List<String> holds [[Alpha]]."),
        ("Vec<T> and Alpha.", "Vec<T> and [[Alpha]]."),
        ("a <b> c Alpha", "a <b> c [[Alpha]]"),
        ("An unclosed <mark>Alpha", "An unclosed <mark>[[Alpha]]"),
        ("Map<Alpha> and Alpha.", "Map<Alpha> and [[Alpha]]."),
    ],
)
def test_a_mention_after_a_tag_nothing_closes_is_linked(
    make_vault: VaultFactory, prose: str, linked: str
) -> None:
    """CommonMark (6.6, raw HTML) reads `<String>` as the tag alone: the text after it is ordinary inline
    content, rendered as Markdown. Code-like prose hid every mention after it in its paragraph. The tag
    itself is never edited (`Map<Alpha>`)."""
    root = vault(make_vault, {"Alpha.md": "x\n", "N.md": prose + "\n"})
    assert link_diff(root) == [linked]


def test_a_link_inside_an_inline_html_element_still_counts(make_vault: VaultFactory) -> None:
    root = vault(make_vault, {"Alpha.md": "x\n", "N.md": "<span>[[Alpha]]</span> and Alpha.\n"})
    assert link_diff(root) == []


@pytest.mark.parametrize(
    ("name", "prose"),
    [
        ("भारत", "भारतीय संस्कृति।"),  # a Devanagari vowel sign follows: another word
        ("القاهرة", "زرت القاهرةَ أمس."),  # an Arabic vowel mark belongs to the last letter
        ("Cafe", "Le Cafe\u0301 est ouvert."),  # a decomposed é: the accent sits on the e
        ("Launch ❤", "Launch ❤\ufe0f today."),  # a variation selector belongs to the heart
        ("Ankara", "Wow!Ankara is great."),  # `![[Ankara]]` would embed the note
        ("Ankara", "C:\\Users\\Ankara."),  # `\\[[Ankara]]` would be an escaped bracket
        ("Ankara", "Raise 2^Ankara to it."),  # `^[[Ankara]]` would open an inline footnote `^[...]`
        ("Istanbul", "Istanbul:: a Dataview field."),  # the field's key, not prose
    ],
)
def test_no_link_that_would_split_a_character_or_change_the_syntax(
    make_vault: VaultFactory, name: str, prose: str
) -> None:
    root = vault(make_vault, {f"{name}.md": "x\n", "N.md": prose + "\n"})
    assert link_diff(root) == []


@pytest.mark.parametrize(
    ("name", "prose", "linked"),
    [
        ("राम", "विराम लगाओ। राम आए।", "विराम लगाओ। [[राम]] आए।"),  # a vowel sign ends the letter before it
        ("นอน", "ซื้อที่นอน ดีมาก นอน", "ซื้อที่นอน ดีมาก [[นอน]]"),  # Thai: tone marks, no spaces
        ("كتاب", "قرأت الْكتاب اليوم كتاب", "قرأت الْكتاب اليوم [[كتاب]]"),  # the article's sukun
        ("ספר", "קראתי את הַספר ספר", "קראתי את הַספר [[ספר]]"),  # the prefix's vowel point
        ("スター", "スターバックス、スターが光る", "スターバックス、[[スター]]が光る"),  # katakana runs
        ("ジョン", "ジョン・スミス", "[[ジョン]]・スミス"),  # the middle dot parts a name
        # regional indicators pair up (a flag counts as one character towards min_length: with a word)
        ("🇺🇸 US", "🇦🇺🇸 US and 🇺🇸 US", "🇦🇺🇸 US and [[🇺🇸 US]]"),
        ("خواهم", "می\u200cخواهم. خواهم رفت", "می\u200cخواهم. [[خواهم]] رفت"),  # a non-joiner inside a word
        ("کتاب", "کتاب\u200cها و کتاب", "کتاب\u200cها و [[کتاب]]"),  # ... before a suffix
        ("क्षेत्र", "उप\u200cक्षेत्र। क्षेत्र", "उप\u200cक्षेत्र। [[क्षेत्र]]"),
        (
            "Regierung",
            "Bundes\u00adregierung, Regierung",
            "Bundes\u00adregierung, [[Regierung]]",
        ),  # soft hyphen
        (
            "Regierung",
            "Bundes\u2060regierung, Regierung",
            "Bundes\u2060regierung, [[Regierung]]",
        ),  # word joiner
        # Ukrainian and Belarusian write an apostrophe inside a word (`п'ять`, `Київ'янин`), as ' or ’
        ("Київ", "Київ'янин, київ’яни. Київ", "Київ'янин, київ’яни. [[Київ]]"),
        ("ясо", "м'ясо. ясо", "м'ясо. [[ясо]]"),
        ("Москва", "'Москва' ту", "'[[Москва]]' ту"),  # quotes around a word are no apostrophes
        # Indonesian and Malay make a plural by repeating a word around a hyphen (`buku-buku`, books): one
        # word, as `Baden-Baden` is one name
        ("Buku", "Buku-buku itu, buku-buku. Buku", "Buku-buku itu, buku-buku. [[Buku]]"),
        ("Baden", "Baden-Baden und Baden", "Baden-Baden und [[Baden]]"),
        ("Anak", "anak-anak-anak, anak", "anak-anak-anak, [[Anak|anak]]"),
    ],
)
def test_no_mention_inside_a_word_or_a_symbol_of_another_script(
    make_vault: VaultFactory, name: str, prose: str, linked: str
) -> None:
    """Regression: a mark, joiner or regional indicator before a name counted as a word boundary, so the
    first mention linked was inside a word (`वि[[राम]]`, full stop), and the real one after it never was."""
    config = NO_RELATIONS["vaultkit.toml"] + "[link]\nmin_length = 2\n"
    root = vault(make_vault, {"vaultkit.toml": config, f"{name}.md": "x\n", "N.md": prose + "\n"})
    assert link_diff(root) == [linked]


def test_no_mention_splits_an_emoji_sequence(make_vault: VaultFactory) -> None:
    root = vault(make_vault, {"👩\u200d👧.md": "x\n", "N.md": "👨\u200d👩\u200d👧 family\n"})
    assert link_diff(root) == []


def test_an_emoji_is_one_character_towards_min_length(make_vault: VaultFactory) -> None:
    """Regression: min_length counted code points, so of notes named with one emoji, `🍕` was too short to
    link but `👩‍💻` (three code points, joined by a zero-width joiner), `1️⃣` (a digit, a variation selector
    and a keycap) and `🏳️‍🌈` were linked at every use of that emoji. A name holding one goes on counting."""
    names = ["🍕", "👩\u200d💻", "1\ufe0f\u20e3", "🏳\ufe0f\u200d🌈", "🇺🇦", "👍🏽", "❤\ufe0f", "🇺🇦 UA"]
    files = {f"{name}.md": "x\n" for name in names}
    prose = "Team 👩\u200d💻 and 🍕, 1\ufe0f\u20e3, 🏳\ufe0f\u200d🌈, 🇺🇦, 👍🏽, ❤\ufe0f. Then 🇺🇦 UA"
    root = vault(make_vault, {**files, "N.md": prose + "\n"})
    assert link_diff(root) == [prose.replace("🇺🇦 UA", "[[🇺🇦 UA]]")]


def test_a_mark_after_the_name_and_a_name_after_a_mark_still_link_where_the_word_ends(
    make_vault: VaultFactory,
) -> None:
    root = vault(make_vault, {"भारत.md": "x\n", "N.md": "भारत देश।\n"})
    assert link_diff(root) == ["[[भारत]] देश।"]


def test_two_syllable_hangul_names_are_long_enough(make_vault: VaultFactory) -> None:
    """Hangul counts twice towards min_length, like Han; it keeps word boundaries (Korean uses spaces)."""
    root = vault(make_vault, {"서울.md": "x\n", "N.md": "서울 좋아요. 서울에서 만나요.\n"})
    assert link_diff(root) == ["[[서울]] 좋아요. 서울에서 만나요."]


@pytest.mark.parametrize(
    ("prose", "linked"),
    [
        ("서울에서 만나요.", "[[서울]]에서 만나요."),
        ("메이투안은 큰 회사.", "[[Meituan|메이투안]]은 큰 회사."),
        ("메이투안이, 그리고", "[[Meituan|메이투안]]이, 그리고"),
        ("미국으로부터 왔다.", "[[미국]]으로부터 왔다."),
        ("서울시에서 서울대학교 미국인 중국어.", ""),  # other words, not a name and a particle
        ("서울이다음", ""),  # the word goes on after the particle
        # a name in Latin letters takes its particle directly too
        ("Python에서 실행하고 KV Cache를 쓴다.", "[[Python]]에서 실행하고 [[KV Cache]]를 쓴다."),
        ("GPT4의 구조.", "[[GPT4]]의 구조."),
        ("Python스크립트 Pythonic이 KV Caches를", ""),  # another word, in Hangul or in Latin letters
        # particles stack: a case particle, then 의, 도, 는, 만... (`메이투안과의 협력`, with Meituan)
        ("메이투안과의 협력.", "[[Meituan|메이투안]]과의 협력."),
        ("서울에서의 생활.", "[[서울]]에서의 생활."),
        ("서울까지도 멀다.", "[[서울]]까지도 멀다."),
        ("미국에게도 좋다.", "[[미국]]에게도 좋다."),
        ("Python만의 장점.", "[[Python]]만의 장점."),
        ("서울보다는 작다.", "[[서울]]보다는 작다."),
        ("서울에선 비싸다.", "[[서울]]에선 비싸다."),
        ("서울이라도 좋다.", "[[서울]]이라도 좋다."),
        ("서울도로 서울과자 서울과도한 한국가요 중국도가", ""),  # words that only look like two particles
        # unseen38: particles the list lacked, and the honorific 님 after a person's name
        ("서울같이 큰 도시.", "[[서울]]같이 큰 도시."),
        ("미국뿐 아니라", "[[미국]]뿐 아니라"),
        ("서울이든 부산이든", "[[서울]]이든 부산이든"),
        ("한국이야말로 좋다.", "[[한국]]이야말로 좋다."),
        ("서울에서부터 걸었다.", "[[서울]]에서부터 걸었다."),
        ("김민수님께서 오셨다.", "[[김민수]]님께서 오셨다."),
        ("김민수님의 메모.", "[[김민수]]님의 메모."),
        ("김민수님 안녕하세요.", "[[김민수]]님 안녕하세요."),
        ("서울요리 서울아이 김민수님들", ""),  # the word goes on after what looks like a particle
    ],
)
def test_a_korean_name_followed_by_a_particle_is_a_mention(
    make_vault: VaultFactory, prose: str, linked: str
) -> None:
    """Korean writes particles directly after a noun: `서울에서` mentions 서울, `서울시` does not. Regression:
    a name in Latin letters (`Python에서`, common in Korean technical notes) was never a mention."""
    files = {
        "서울.md": "x\n",
        "미국.md": "x\n",
        "한국.md": "x\n",
        "중국.md": "x\n",
        "Meituan.md": "---\naliases: [메이투안]\n---\n",
        "Python.md": "x\n",
        "KV Cache.md": "x\n",
        "GPT4.md": "x\n",
        "김민수.md": "x\n",
        "N.md": prose + "\n",
    }
    root = vault(make_vault, files)
    assert link_diff(root) == ([linked] if linked else [])


def test_final_sigma_beside_a_dotted_capital_i(make_vault: VaultFactory) -> None:
    root = vault(make_vault, {"Οδός.md": "x\n", "N.md": "İ dotted then ΟΔΌΣ street.\n"})
    assert link_diff(root) == ["İ dotted then [[Οδός|ΟΔΌΣ]] street."]


def test_greek_final_sigma(make_vault: VaultFactory) -> None:
    root = vault(make_vault, {"Σίσυφος.md": "x\n", "N.md": "Ο ΣΊΣΥΦΟΣ και ο σίσυφος.\n"})
    assert link_diff(root) == ["Ο [[Σίσυφος|ΣΊΣΥΦΟΣ]] και ο σίσυφος."]


@pytest.mark.parametrize(
    ("prose", "linked"),
    [
        ("ΣΊΣΥΦΟΣ's story.", "[[Σίσυφος|ΣΊΣΥΦΟΣ]]'s story."),
        ("Ο ΣΊΣΥΦΟΣ'Ζεύς.", "Ο [[Σίσυφος|ΣΊΣΥΦΟΣ]]'[[Ζεύς]]."),
    ],
)
def test_a_final_sigma_before_an_apostrophe(make_vault: VaultFactory, prose: str, linked: str) -> None:
    """Regression: Python lowers a final Σ to σ, not ς, when a letter follows past an apostrophe, so the name
    did not match; once the word after it was linked (`'[[`), it did, and a second run linked it."""
    root = vault(make_vault, {"Σίσυφος.md": "x\n", "Ζεύς.md": "x\n", "N.md": prose + "\n"})
    run_cli("link", "--no-cache", root)
    assert (root / "N.md").read_text(encoding="utf-8") == linked + "\n"
    assert link_diff(root) == []


def test_scan_mentions_directly() -> None:
    facts = {
        "Meituan.md": NoteFacts("Meituan.md", readable=True, aliases=("美团",)),
        "NASA.md": NoteFacts("NASA.md", readable=True),
    }
    table = KeyTable.build(facts, LinkConfig())
    prose = "美团 NASA nasa [Meituan] Meituan"
    automaton = table.automaton()
    found = scan_mentions(prose, table.acronyms, lambda _lowered: automaton)
    assert [prose[s:e] for s, e, _k in found] == ["美团", "NASA", "Meituan"]
    assert fold("ΣΊΣΥΦΟΣ") == fold("σίσυφος")
    keys = KeyFilter(table.targets)
    assert (
        scan_mentions(prose, table.acronyms, lambda lowered: build_automaton(keys.present(lowered))) == found
    )


@pytest.mark.parametrize(
    ("prose", "mentioned"),
    [
        ("We discussed Zephyr aliases today.", ["Zephyr"]),  # `Zephyr Alias` is no whole word here
        ("Zephyr aliases1 and more", ["Zephyr", "aliases1"]),  # nor does it hide a key starting inside it
        ("We discussed Zephyr Alias today.", ["Zephyr Alias"]),  # the longest that is a mention wins
        ("Zephyr_Alias", []),
    ],
)
def test_a_longer_key_that_is_no_mention_hides_no_shorter_one(prose: str, mentioned: list[str]) -> None:
    facts = {
        "Zephyr.md": NoteFacts("Zephyr.md", readable=True, aliases=("Zephyr Alias",)),
        "aliases1.md": NoteFacts("aliases1.md", readable=True),
    }
    table = KeyTable.build(facts, LinkConfig())
    automaton = table.automaton()
    found = scan_mentions(prose, table.acronyms, lambda _lowered: automaton)
    assert [prose[s:e] for s, e, _k in found] == mentioned
    keys = KeyFilter(table.targets)
    assert (
        scan_mentions(prose, table.acronyms, lambda lowered: build_automaton(keys.present(lowered))) == found
    )


@pytest.mark.parametrize(
    # and one run of hyphen-joined words or of `owner/repository` names as long as the note (`_versioned`,
    # `_owner_repository` read no further than _NAME_REACH)
    "piece",
    [
        "_Meituan_x ",
        "x_Meituan_ ",
        "Meituan*(x) ",
        "Meituan**x ",
        "==Meituan==( ",
        "Meituan-x-",
        "x/Meituan-",
    ],
)
def test_the_checks_beside_emphasis_delimiters_are_linear(piece: str) -> None:
    """Whether a `_` or `*` beside a mention opens or closes an emphasis asked for the runs of its paragraph
    (up to 2,000 characters) at every mention: 20,000 of `_Meituan_x` in one paragraph took 13 s. The runs
    are found once per note. Counted, not timed: the lines run for 200 pieces (2,200 to 2,600 characters,
    about that reach) are 8 times those for 25, where asking at every mention made them 43 (`Meituan*(x)`)
    and 56 (`_Meituan_x`) times."""
    facts = {"Meituan.md": NoteFacts("Meituan.md", readable=True)}
    table = KeyTable.build(facts, LinkConfig())
    automaton = table.automaton()

    def cost(n: int) -> int:
        prose = piece * n
        return lines_run(lambda: scan_mentions(prose, table.acronyms, lambda _lowered: automaton))

    assert growth(cost, 25) < 2 * 8


def test_a_mention_at_the_end_of_a_longer_names_prefix_is_found() -> None:
    """pyahocorasick's iter_long walked "longcat meituan" towards the longer key, met the end of the
    text and gave nothing: the mention of Meituan was found only in vaults without that other note."""
    keys = ["meituan", "longcat meituan flash"]
    text = "we read about longcat meituan"
    assert leftmost_longest(text, build_automaton(keys)) == [(22, 29, "meituan")]


def _leftmost_longest_by_hand(keys: list[str], text: str) -> list[tuple[int, int, str]]:
    out, i = [], 0
    while i < len(text):
        here = [k for k in keys if text.startswith(k, i)]
        if here:
            key = max(here, key=len)
            out.append((i, i + len(key), key))
            i += len(key)
        else:
            i += 1
    return out


words = st.sampled_from(["moon", "shot", "ai", "lab", "x", "美团", "a"])
phrases = st.lists(words, min_size=1, max_size=3).map(" ".join)


@settings(max_examples=400, derandomize=True, deadline=None)
@given(keys=st.lists(phrases, min_size=1, max_size=6, unique=True), text=st.lists(phrases, max_size=5))
def test_leftmost_longest_depends_only_on_the_keys_the_text_holds(keys: list[str], text: list[str]) -> None:
    """The scan agrees with leftmost-longest done by hand, and a run on a few notes, which builds its
    automaton from the keys each note contains (KeyFilter), finds what the whole vault's automaton finds."""
    prose = " ".join(text)
    expected = _leftmost_longest_by_hand(keys, prose)
    automaton = build_automaton(keys)
    assert leftmost_longest(prose, automaton) == expected
    for key in keys:  # the shorter keys the scan tries where a longer one is no mention
        within = sorted((k for k in keys if key.startswith(k) and k != key), key=len, reverse=True)
        assert automaton.get(key).prefixes == tuple(within)
    present = KeyFilter(keys).present(prose)
    assert sorted(present) == sorted(k for k in keys if k in prose)
    assert leftmost_longest(prose, build_automaton(present)) == expected


def test_the_keys_a_long_text_holds_are_found_by_one_search() -> None:
    """The keys a text holds were picked by gathering each of its substrings of up to four characters: a
    4 MB note of base64 (one line) given to `vaultkit check` in a vault of three notes took 8 s and 180 MB
    there. A long text is searched with the automaton over every key; it finds the same keys. Counted, not
    timed: the lines run do not grow with the text (111, most of them building the automaton; the search
    is one call into it), where gathering its substrings ran 8 times as many for a text 8 times as long."""

    def cost(n: int) -> int:
        keys = KeyFilter(["target", "other"])
        text = base64.b64encode(random.Random(7).randbytes(n)).decode().lower() + " other"
        found: list[list[str]] = []
        lines = lines_run(lambda: found.append(keys.present(text)))
        assert found == [["other"]]
        return lines

    assert growth(cost, 3_000) < 2


# -- link style: .obsidian/app.json ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("app", "line", "relation"),
    [
        ({}, "ResRL came from [[Meituan Inc|Meituan]].", '"[[ResRL]]"'),
        (
            {"newLinkFormat": "absolute"},
            "ResRL came from [[Companies/Meituan Inc|Meituan]].",
            '"[[Papers/ResRL]]"',
        ),
        (
            {"newLinkFormat": "relative"},
            "ResRL came from [[../Companies/Meituan Inc|Meituan]].",
            '"[[../Papers/ResRL]]"',
        ),
        ({"useMarkdownLinks": True}, "ResRL came from [Meituan](Meituan%20Inc.md).", '"[[ResRL]]"'),
        (
            {"useMarkdownLinks": True, "newLinkFormat": "shortest"},
            "ResRL came from [Meituan](Meituan%20Inc.md).",
            '"[[ResRL]]"',
        ),
        (
            {"useMarkdownLinks": True, "newLinkFormat": "absolute"},
            "ResRL came from [Meituan](Companies/Meituan%20Inc.md).",
            '"[[Papers/ResRL]]"',
        ),
        (
            {"useMarkdownLinks": True, "newLinkFormat": "relative"},
            "ResRL came from [Meituan](../Companies/Meituan%20Inc.md).",
            '"[[../Papers/ResRL]]"',
        ),
    ],
)
def test_link_style_follows_app_json(
    make_vault: VaultFactory, app: dict[str, object], line: str, relation: str
) -> None:
    root = make_vault(
        {
            "Companies/Meituan Inc.md": "---\naliases: [Meituan]\n---\n",
            "Papers/ResRL.md": "ResRL came from Meituan.\n",
        },
        app=app,
    )
    assert link_diff(root) == ["related:", f"  - {relation}", line]


@pytest.mark.parametrize(
    ("app", "line"),
    [
        ({"newLinkFormat": "relative"}, "Also [[./Index|Alpha start]]."),
        ({"newLinkFormat": "relative", "useMarkdownLinks": True}, "Also [Alpha start](./Index.md)."),
    ],
)
def test_a_relative_link_to_a_shared_name_in_the_same_folder_starts_with_dot_slash(
    make_vault: VaultFactory, app: dict[str, object], line: str
) -> None:
    """With newLinkFormat relative, Obsidian writes a note of the linking note's folder by its name alone
    (`Index`), which a second `Index.md` makes ambiguous, and a Markdown link `Index.md` names the vault
    root's: the mention of `A/Index.md` in `A/Page.md` was neither linked nor reported, and the relation
    `A/Index` owes `A/Page` was dropped too. `./Index` names this folder's note."""
    root = make_vault(
        {
            "Index.md": "# root\n",
            "A/Index.md": "---\naliases: [Alpha start]\n---\nSee [[Page]].\n",
            "A/Page.md": "Also Alpha start.\n",
            "B/Index.md": "# b\n",
            "B/Other.md": "See [[../A/Page]] once.\n",
        },
        app=app,
    )
    assert link_diff(root) == ["---", "related:", '  - "[[../B/Other]]"', "---", line]
    result = run_cli("check", "--no-cache", "--select", "VK121", root / "A/Page.md")
    assert "[[./Index]], [[../B/Other]] link here" in result.stdout, result.stdout


def _link_texts(index: Index, rels: list[str], fmt: str) -> list[str]:
    obsidian = ObsidianSettings(new_link_format=fmt)
    return [index.link_text(rels[i], rels[-1 - i], obsidian) for i in range(len(rels))]


def test_a_relative_link_costs_about_what_a_shortest_one_does(monkeypatch: pytest.MonkeyPatch) -> None:
    """`os.path.relpath` made a relative link's text 30 times as slow as a shortest one's: `link --check` of
    20,000 notes each in a folder of its own took 12 s of CPU with newLinkFormat relative, 10 s once fixed,
    8 s with shortest. It also asked the system for the current folder, which fails in a deleted folder.
    Counted, not timed: a relative link's text runs about as many lines of vaultkit as a shortest one's (14
    and 13 a link). relpath's own lines are not vaultkit's and go uncounted, so the texts are also written
    in a deleted folder, where relpath, which asks for it, fails."""
    rels = [f"a{i % 7}/b{i % 11}/c{i}/Zettel {i}.md" for i in range(300)]
    index = Index.build(dict.fromkeys(rels), {}, ())  # type: ignore[arg-type]
    shortest = lines_run(lambda: _link_texts(index, rels, "shortest"))
    relative = lines_run(lambda: _link_texts(index, rels, "relative"))
    assert relative < 2 * shortest, f"{relative} lines relative, {shortest} shortest"

    from vaultkit.vault import _relative

    for target, source in [
        ("a/b/T.md", "a/b/S.md"),
        ("T.md", "a/b/S.md"),
        ("a/b/T.md", "S.md"),
        ("a/bc/T.md", "a/b/S.md"),
        ("a/b/c/T.md", "a/S.md"),
        ("x/y/T.md", "a/b/S.md"),
        ("a/a/T.md", "a/S.md"),
    ]:
        expected = os.path.relpath(target, os.path.dirname(source) or ".").replace(os.sep, "/")
        assert _relative(target, source) == expected, (target, source)

    texts = [os.path.relpath(rels[i], os.path.dirname(rels[-1 - i]))[: -len(".md")] for i in range(300)]

    def deleted() -> str:
        raise FileNotFoundError(2, "No such file or directory")  # what the system says in a deleted folder

    monkeypatch.setattr(os, "getcwd", deleted)
    assert _link_texts(index, rels, "relative") == texts


@pytest.mark.parametrize(
    ("app", "line"),
    [
        ({}, "The [[Notes/Meeting|Meeting]] and the [[Notes/Budget|Budget]]."),
        ({"useMarkdownLinks": True}, "The [Meeting](Notes/Meeting.md) and the [Budget](Notes/Budget.md)."),
    ],
)
def test_a_shortest_link_counts_excluded_notes_of_the_same_name(
    make_vault: VaultFactory, app: dict[str, object], line: str
) -> None:
    """newLinkFormat "shortest" writes the name alone only when no other file has it, and excluded notes and
    templates are files Obsidian resolves links to. Regression: with `Templates/Meeting.md` beside
    `Notes/Meeting.md`, link wrote `[[Meeting]]`, which Obsidian may open as the template."""
    root = vault(
        make_vault,
        {
            "Templates/Meeting.md": "x\n",
            "Notes/Meeting.md": "x\n",
            "Archive/Budget.md": "x\n",
            "Notes/Budget.md": "x\n",
            "A/Src.md": "The Meeting and the Budget.\n",
            ".obsidian/templates.json": '{"folder": "Templates"}\n',
        },
        app={**app, "userIgnoreFilters": ["Archive/"]},
    )
    assert link_diff(root) == [line]
    run_cli("link", "--no-cache", root)
    assert run_cli("check", "--no-cache", root).exit_code == 0
    assert link_diff(root) == []


def test_a_markdown_link_written_after_a_bracket_counts_as_a_link(make_vault: VaultFactory) -> None:
    """Regression: `[lab:: x][Meituan](Meituan.md)` was read as a reference link `[lab:: x][Meituan]` (no
    definition has that label, so CommonMark reads text and an inline link): the link written was not seen,
    and a second run linked the next mention as if it were the first."""
    root = vault(
        make_vault,
        {"Meituan.md": "x\n", "N.md": "See [lab:: x]Meituan, then Meituan.\n"},
        app={"useMarkdownLinks": True},
    )
    run_cli("link", "--no-cache", root)
    assert (root / "N.md").read_text(
        encoding="utf-8"
    ) == "See [lab:: x][Meituan](Meituan.md), then Meituan.\n"
    assert link_diff(root) == []


@pytest.mark.parametrize("app", [{"useMarkdownLinks": True}, {}])
def test_no_link_after_a_bracket_where_its_text_would_name_a_reference_definition(
    make_vault: VaultFactory, app: dict[str, object]
) -> None:
    """Regression: with `[meituan]: https://meituan.com` defined in the note, `See [note]Meituan` became
    `See [note][Meituan](Meituan.md)`, which CommonMark reads as the reference link `[note][Meituan]` (to
    meituan.com, showing "note") and the text "(Meituan.md)": the prose changed and no link to the note was
    made. A name right after a `]` that spells a definition's label is left alone, in either link style."""
    root = vault(
        make_vault,
        {
            "Meituan.md": "x\n",
            "Space Name.md": "x\n",
            "N.md": "See [note]Meituan and [x]space name.\n\n[meituan]: https://meituan.com\n"
            "[Space Name]: https://example.com\n",
            "M.md": "See [note]Meituan here.\n",
        },
        app=app,
    )
    before = (root / "N.md").read_bytes()
    run_cli("link", "--no-cache", root)
    assert (root / "N.md").read_bytes() == before
    markdown = app.get("useMarkdownLinks")
    assert (root / "M.md").read_text(encoding="utf-8") == (
        "See [note][Meituan](Meituan.md) here.\n" if markdown else "See [note][[Meituan]] here.\n"
    )


def test_markdown_link_to_a_name_with_parentheses(make_vault: VaultFactory) -> None:
    root = vault(
        make_vault,
        {"Qwen (model).md": "---\naliases: [Qwen]\n---\n", "N.md": "Qwen.\n"},
        app={"useMarkdownLinks": True},
    )
    assert link_diff(root) == ["[Qwen](Qwen%20%28model%29.md)."]


@pytest.mark.parametrize(
    ("name", "linked"),
    [
        ("Foo`bar", "We use [Foo`bar](Foo%60bar.md) daily."),  # two backticks would make a code span
        ("Tab\tName", "We use [Tab\tName](Tab%09Name.md) daily."),  # no white space in a destination
    ],
)
def test_markdown_link_destinations_are_encoded_so_the_link_renders(
    make_vault: VaultFactory, name: str, linked: str
) -> None:
    root = vault(
        make_vault, {f"{name}.md": "x\n", "N.md": f"We use {name} daily.\n"}, app={"useMarkdownLinks": True}
    )
    assert link_diff(root) == [linked]
    run_cli("link", "--no-cache", root)
    assert run_cli("check", "--no-cache", "--select", "VK1", root).exit_code == 0  # the link resolves


@pytest.mark.parametrize(
    ("app", "linked"),
    [
        ({}, "[[Top $5 list]]"),
        ({"useMarkdownLinks": True}, "[Top $5 list](Top%20%245%20list.md)"),
        ({"newLinkFormat": "absolute"}, "Top $5 list"),
        ({"useMarkdownLinks": True, "newLinkFormat": "absolute"}, "[Top $5 list](A/Top%20%245%20list.md)"),
    ],
)
def test_no_link_adds_a_dollar_that_opens_or_closes_math(
    make_vault: VaultFactory, app: dict[str, object], linked: str
) -> None:
    """A `$` that no longer has the prose's neighbours, or one more `$`, can open or close inline math.
    Regression: `Cash$ or $x$` became `[[Cash$]] or $x$` (or `[Cash$](Cash$.md) or $x$`), where `$]] or $x$`
    reads as math: the link and the formula were both lost. A mention starting or ending with `$` is not
    linked; a Markdown link's destination has its `$` encoded, and a wikilink whose path is written beside
    its text (`[[A/Top $5 list|Top $5 list]]`, two `$` where the prose had one) is not written."""
    root = vault(
        make_vault,
        {"A/Cash$.md": "x\n", "A/Top $5 list.md": "x\n", "N.md": "In Cash$ or $x$ later, the Top $5 list.\n"},
        app=app,
    )
    run_cli("link", "--no-cache", root)
    assert (root / "N.md").read_text(encoding="utf-8") == f"In Cash$ or $x$ later, the {linked}.\n"
    assert run_cli("check", "--no-cache", "--select", "VK10", root).exit_code == 0


# -- relations from both sides ----------------------------------------------------------------------------


def relation_edit(make_vault: VaultFactory, target: str | bytes, **app: object) -> tuple[str, Result]:
    """Link [[T]] from another note; return T's text after `vaultkit link`, and the run."""
    root = make_vault({"T.md": target, "A.md": "See [[T]].\n"}, app=app or None)
    result = run_cli("link", "--no-cache", root)
    return (root / "T.md").read_bytes().decode(), result


@pytest.mark.parametrize(
    ("before", "after"),
    [
        ("Body.\n", '---\nrelated:\n  - "[[A]]"\n---\nBody.\n'),
        ("", '---\nrelated:\n  - "[[A]]"\n---\n'),
        ("---\ntitle: x\n---\nBody.\n", '---\ntitle: x\nrelated:\n  - "[[A]]"\n---\nBody.\n'),
        ("---\n---\nBody.\n", '---\nrelated:\n  - "[[A]]"\n---\nBody.\n'),
        ("---\nrelated:\n---\n", '---\nrelated:\n  - "[[A]]"\n---\n'),
        ("---\nrelated: ~ # none yet\n---\n", '---\nrelated:\n  - "[[A]]" # none yet\n---\n'),
        ("---\nrelated: []\n---\n", '---\nrelated: ["[[A]]"]\n---\n'),
        ("---\nrelated: ['[[B]]']\n---\n", "---\nrelated: ['[[B]]', '[[A]]']\n---\n"),
        ('---\nrelated: "[[B]]"\n---\n', '---\nrelated: ["[[B]]", "[[A]]"]\n---\n'),
        (
            "---\n# keep me\nrelated:  # and me\n- '[[B]]'  # me too\nz: 1\n---\n",
            "---\n# keep me\nrelated:  # and me\n- '[[B]]'  # me too\n- '[[A]]'\nz: 1\n---\n",
        ),
        ('---\n{"title": "x"}\n---\n', '---\n{"title": "x", "related": ["[[A]]"]}\n---\n'),
        ('---\n{"related": null}\n---\n', '---\n{"related": ["[[A]]"]}\n---\n'),
        # the key as the user cased it is the property, as Obsidian and Dataview read it: no second key
        ('---\nRelated:\n  - "[[B]]"\n---\n', '---\nRelated:\n  - "[[B]]"\n  - "[[A]]"\n---\n'),
        ("---\nRELATED: []\n---\n", '---\nRELATED: ["[[A]]"]\n---\n'),
    ],
)
def test_relation_is_added_surgically(make_vault: VaultFactory, before: str, after: str) -> None:
    text, result = relation_edit(make_vault, before)
    assert result.exit_code == 0, result.output
    assert text == after


def test_relations_under_a_differently_cased_key_are_relations(make_vault: VaultFactory) -> None:
    """`Related:` is the relations property, as `Aliases:` is the aliases: the notes it lists are not asked
    to list this one back (VK121), and a second `link` changes nothing."""
    root = make_vault({"T.md": '---\nRelated:\n  - "[[B]]"\n---\nBody.\n', "B.md": "Body.\n"})
    result = run_cli("check", "--no-cache", root)
    assert "VK121" not in result.output, result.output
    run_cli("link", "--no-cache", root)
    assert (root / "B.md").read_text() == "Body.\n"
    assert run_cli("link", "--check", "--no-cache", root).exit_code == 0


def test_a_missing_relation_names_the_key_as_the_note_writes_it(make_vault: VaultFactory) -> None:
    """VK121 of a note whose relations are under `Related:` said "'related' does not list it", a key the
    note does not have (realuse37); it names `Related`."""
    root = make_vault(
        {"T.md": '---\nRelated:\n  - "[[C]]"\n---\nBody.\n', "B.md": "See [[T]].\n", "C.md": "x\n"}
    )
    result = run_cli("check", "--no-cache", root)
    assert "[[B]] links here, but 'Related' does not list it" in result.stdout, result.stdout


def test_relation_keeps_crlf(make_vault: VaultFactory) -> None:
    text, _ = relation_edit(make_vault, b"---\r\ntitle: x\r\n---\r\nBody.\r\n")
    assert text == '---\r\ntitle: x\r\nrelated:\r\n  - "[[A]]"\r\n---\r\nBody.\r\n'


@pytest.mark.parametrize(
    ("name", "item"),
    [
        pytest.param("Bell\x07", '"[[Bell\\x07]]"', id="BEL"),
        pytest.param("Esc\x1bname", '"[[Esc\\x1bname]]"', id="ESC"),
        pytest.param("Del\x7f", '"[[Del\\x7f]]"', id="DEL"),
        pytest.param("Next\x85line", '"[[Next\\x85line]]"', id="NEL"),
        pytest.param("Line\u2028sep", '"[[Line\\u2028sep]]"', id="LINE-SEPARATOR"),
        pytest.param("Tab\tname", '"[[Tab\tname]]"', id="TAB-as-it-is"),
    ],
)
@pytest.mark.parametrize("style", ["block", "flow-single"])
def test_a_relation_to_a_note_whose_name_holds_a_control_character_is_written_escaped(
    make_vault: VaultFactory, name: str, item: str, style: str
) -> None:
    """Regression: a note named with a control character (`Bell\x07.md`) that links to T was owed in T's
    relations, but the item was written as it is (`"[[Bell<BEL>]]"`), which YAML refuses: the writer's
    check refused the edit ("the frontmatter edit would not load as YAML") and T got none of its
    relations, run after run. The character is written as a YAML escape (in double quotes: single-quoted
    YAML has none), which loads back as the name."""
    front = "related: ['[[Old]]']\n" if style == "flow-single" else ""
    root = make_vault(
        {"T.md": f"---\ntype: entity\nkind: x\n{front}---\nBody.\n", f"{name}.md": "See [[T]].\n"}
    )
    root.joinpath("Old.md").write_text("[[T]]\n", encoding="utf-8")
    result = run_cli("link", "--no-cache", root)
    assert "not written" not in result.stderr, result.stderr
    text = (root / "T.md").read_text(encoding="utf-8")
    if style == "flow-single" and "\\" not in item:  # nothing to escape: the list's own quotes
        item = item.replace('"', "'")
    assert item in text, text
    fm = frontmatter.split(text)
    frontmatter.load(text, fm)
    assert fm.loaded and f"[[{name}]]" in fm.data["related"], (fm.problems, fm.data)


def test_relation_added_to_a_crlf_note_without_frontmatter(make_vault: VaultFactory) -> None:
    text, _ = relation_edit(make_vault, b"Body.\r\nMore.\r\n")
    assert text == '---\r\nrelated:\r\n  - "[[A]]"\r\n---\r\nBody.\r\nMore.\r\n'


@pytest.mark.parametrize(
    "draft",
    [
        b"---\ntitle: Zeta notes\n",  # frontmatter being typed: not closed yet
        b"\n---\ntitle: Zeta notes\n---\nZeta.\n",  # a frontmatter below a blank line (VK005)
        b"See [[Old|the Zeta\n",  # a wikilink being typed
        b"Zeta]] was here\n",  # a stray closer
    ],
)
def test_what_the_user_is_still_typing_is_never_linked(make_vault: VaultFactory, draft: bytes) -> None:
    """Linked now, `title: [[Zeta]] notes` would break the YAML once the user closes the frontmatter, and
    `[[Old|the [[Zeta]]` the link they are typing; `watch --fix` would do it between two keystrokes."""
    root = make_vault({"Draft.md": draft, "Zeta.md": "Zeta.\n", "Old.md": "Old.\n"})
    result = run_cli("link", "--no-cache", root)
    assert (root / "Draft.md").read_bytes() == draft, result.output
    assert (root / "Zeta.md").read_bytes() == b"Zeta.\n"


def test_a_note_with_old_mac_line_endings_gets_its_mentions_linked_and_keeps_every_cr(
    make_vault: VaultFactory,
) -> None:
    """Bare CRs break the lines (as Markdown and YAML read them): the frontmatter is found, the mention in
    the body is linked and reported on its own line, every CR stays, and no relation line is inserted (it
    would need a bare CR; the missing relation is reported without a fix)."""
    before = b"---\rtitle: Old\r---\rIntro.\r\rThis cites Zeta.\r"
    root = make_vault({"Old.md": before, "Zeta.md": "See [[Old]].\n"})
    checked = run_cli("check", "--no-cache", root)
    assert "Old.md:6:12: VK120 [*] 'Zeta' mentions [[Zeta]] but is not linked" in checked.stdout
    assert "Old.md:1:1: VK121" in checked.stdout
    assert "VK001" not in checked.stdout
    run_cli("link", "--no-cache", root)
    after = (root / "Old.md").read_bytes()
    assert after == before.replace(b"Zeta", b"[[Zeta]]")
    run_cli("link", "--no-cache", root)
    assert (root / "Old.md").read_bytes() == after


@pytest.mark.parametrize(
    "before",
    [
        "---\nrelated: |\n  text\n---\n",  # a block scalar
        # a list whose last item is a block scalar, which ends past its own line break: the items went after
        # the closing fence, into the body
        '---\nrelated:\n  - "[[B]]"\n  - >-\n    folded\n---\nBody.\n',
        "---\nrelated:\n  - |\n    kept\n\n---\n",
        # an item an alias (its place is its anchor's), an item on the line after its dash: the edit was made
        # where it cannot load, offered as a fix (`[*]`) and refused at every `link` (exit 1)
        '---\nx: &x "[[B]]"\nrelated:\n  - *x\n---\n',
        '---\nx: &x "[[B]]"\nrelated: [*x]\n---\n',
        '---\nrelated:\n  - &x "[[B]]"\n  - *x\n---\n',  # the alias of an item of the same list
        '---\nrelated:\n  -\n    "[[B]]"\n---\n',
        "---\nrelated: [[B]]\n---\n",  # unquoted: a list of lists
        "---\nrelated:\n  - [[B]]\n---\n",
        "---\nrelated: 5\n---\n",
        "---\nrelated: {a: 1}\n---\n",
        "---\ntitle: [unclosed\n---\n",
        '---\nbase: &r ["[[B]]"]\nrelated: *r\n---\n',  # an alias: its items belong to `base` too
        '---\nrelated: &r ["[[B]]"]\nother: *r\n---\n',
        "---\nrelated: see the paper\n---\n",  # text: made a list, it would mean something else
        '---\nrelated: ""\n---\n',
        "---\ntitle: My Target\n---\n",  # with `relations.property = "title"` below
    ],
)
def test_relation_is_reported_but_not_fixed_where_an_edit_would_be_unsafe(
    make_vault: VaultFactory, monkeypatch: pytest.MonkeyPatch, before: str
) -> None:
    files = {"T.md": before, "A.md": "See [[T]].\n"}
    if "title: My" in before:
        files["vaultkit.toml"] = '[relations]\nproperty = "title"\n'
    root = make_vault(files)
    monkeypatch.chdir(root)
    linked = run_cli("link", "--no-cache", ".")
    unreadable = "unclosed" in before  # `vaultkit link` reports a note whose YAML it cannot read
    assert linked.exit_code == (1 if unreadable else 0), linked.output
    assert (root / "T.md").read_text() == before
    check = run_cli("check", "--no-cache", "--select", "VK121", ".").stdout
    key = "title:" if "title: My" in before else "related:"  # reported at the key, where it has one
    line = next((n for n, text in enumerate(before.splitlines(), 1) if text.startswith(key)), 1)
    assert f"T.md:{line}:1: VK121 [[A]] links here" in check and "[*]" not in check
    assert unreadable or "cannot add it safely" in check, check


@pytest.mark.parametrize(
    ("before", "where"),
    [
        ('---\n{title: T, related: ["[[C]]"]}\n---\n', "2:12"),
        ("---\n{title: T,\n   Related: []}\n---\n", "3:4"),
        ('---\nrelated: ["[[C]]"]\n---\n', "2:1"),
        ("x\n", "1:1"),
    ],
)
def test_a_relation_is_reported_at_the_column_of_the_relations_key(
    make_vault: VaultFactory, monkeypatch: pytest.MonkeyPatch, before: str, where: str
) -> None:
    """Where the frontmatter is a flow mapping, the key is not at the start of its line. Regression: VK121
    was reported at column 1 of the key's line, wherever the key was on it."""
    root = make_vault({"T.md": before, "C.md": "x\n", "A.md": "See [[T]].\n"})
    monkeypatch.chdir(root)
    check = run_cli("check", "--no-cache", "--select", "VK121", "T.md").stdout
    assert f"T.md:{where}: VK121 [*] [[A]] links here" in check, check


@pytest.mark.parametrize("known", [False, True])
def test_a_relation_edit_that_lands_past_the_yaml_is_refused(known: bool) -> None:
    """The writer's second opinion: an edit of the frontmatter that would land on its closing fence (a
    relation placed after a block scalar's line breaks) was checked as the frontmatter alone, which it
    leaves as it was, and passed: the items went into the body. Whether or not what the parse keeps of the
    YAML is known (`kept_digest`), such an edit is refused; one before the fence is not."""
    from vaultkit.edits import apply_text

    old = '---\nrelated:\n  - "[[B]]"\n---\nBody.\n'
    fm = frontmatter.split(old)
    frontmatter.load(old, fm)
    kept = verify.kept_digest(fm, "related") if known else ""
    before_fence = Edit(fm.yaml_end, fm.yaml_end, '  - "[[A]]"\n')
    after_fence = Edit(fm.yaml_end + 3, fm.yaml_end + 3, '\n  - "[[A]]"')  # as it was written
    assert verify.check_edits(old, apply_text(old, [before_fence]), [before_fence], "related", kept) is None
    refused = verify.check_edits(old, apply_text(old, [after_fence]), [after_fence], "related", kept)
    assert refused is not None and "outside its YAML" in refused


def test_relations_off_or_restricted(make_vault: VaultFactory) -> None:
    off = make_vault({"vaultkit.toml": "[relations]\nenabled = false\n", "T.md": "x\n", "A.md": "[[T]]\n"})
    assert link_diff(off) == []
    some = make_vault(
        {
            "vaultkit.toml": '[relations]\ntypes = ["entity"]\nproperty = "see_also"\n',
            "T.md": "---\ntype: entity\n---\n",
            "U.md": "---\ntype: wiki\n---\n",
            "A.md": "[[T]] [[U]]\n",
        },
        name="v2",
    )
    assert link_diff(some) == ["see_also:", '  - "[[A]]"']


def test_links_in_a_skipped_property_ask_no_relation_back(make_vault: VaultFactory) -> None:
    """A vault built on properties (`categories: ["[[Books]]"]` in every book, kepano39's) had each category
    note asked to list all its members in `related`: 500 lines for 500 books, which the category's `.base`
    view and Obsidian's backlinks already show. `[relations] skip_properties` names the properties whose
    links ask no relation back (any case); the others still do (`author`)."""
    files = {
        "Categories/Books.md": "Books\n",
        "Kevin Kelly.md": "x\n",
        "Out of Control.md": '---\ncategories: ["[[Books]]"]\nauthor: "[[Kevin Kelly]]"\n---\nA book.\n',
    }
    root = make_vault({**files, "vaultkit.toml": '[relations]\nskip_properties = ["Categories"]\n'})
    result = run_cli("check", "--no-cache", root)
    assert [line.split(": ")[0] for line in result.stdout.splitlines()[:-1]] == [
        f"{root / 'Kevin Kelly.md'}:1:1"
    ], result.stdout
    assert run_cli("link", "--no-cache", root).exit_code == 0
    assert (root / "Categories/Books.md").read_text() == "Books\n"
    assert '"[[Out of Control]]"' in (root / "Kevin Kelly.md").read_text()
    asked = make_vault(files, name="v2")  # without the option, as before: the category note too
    assert "Categories/Books.md:1:1: VK121" in run_cli("check", "--no-cache", asked).stdout


def test_relation_shows_from_both_sides_after_linking(make_vault: VaultFactory) -> None:
    root = make_vault(
        {
            "Papers/ResRL.md": "ResRL came out of Meituan's research team.\n",
            "Companies/Meituan.md": "---\ntype: entity\nkind: company\n---\n# Meituan\n",
        }
    )
    assert run_cli("link", "--no-cache", root).exit_code == 0
    assert "[[Meituan]]'s research" in (root / "Papers/ResRL.md").read_text()
    assert '"[[ResRL]]"' in (root / "Companies/Meituan.md").read_text()
    before = snapshot(root)
    again = run_cli("link", "--no-cache", root)
    assert "nothing to link" in again.stderr and snapshot(root) == before


def test_link_says_which_notes_were_linked_and_which_only_gained_relations(make_vault: VaultFactory) -> None:
    """Regression: `link` printed `linked Meituan.md` for a note that only gained a `related:` item, so its
    output claimed a link that no one could find in the note."""
    root = make_vault(
        {
            "Papers/ResRL.md": "ResRL came out of Meituan's research team.\n",
            "Companies/Meituan.md": "---\ntype: entity\nkind: company\n---\n# Meituan\n",
        }
    )
    # the preview says it first, as the last line of a long diff did not (it said nothing on stderr)
    for preview in ("--diff", "--check"):
        previewed = run_cli("link", preview, "--no-cache", root)
        assert previewed.exit_code == 1, previewed.output
        assert previewed.stderr == "vaultkit: 2 notes would change: 1 linked, 1 given relations only\n"
    result = run_cli("link", "--no-cache", root)
    assert result.exit_code == 0, result.output
    said = {line.rpartition("/")[2]: line.split(" ")[0] for line in result.stdout.splitlines()}
    assert said == {"ResRL.md": "linked", "Meituan.md": "added"}, result.stdout
    assert "added relations to " in result.stdout
    assert "vaultkit: 2 notes changed: 1 linked, 1 given relations only" in result.stderr


def test_json_output_marks_the_mention_fixable(make_vault: VaultFactory) -> None:
    root = vault(make_vault, {"Alpha.md": "x\n", "N.md": "Alpha.\n"})
    data = json.loads(run_cli("check", "--no-cache", "--format", "json", root).stdout)
    (diag,) = [d for d in data["diagnostics"] if d["code"] == "VK120"]
    assert diag["fixable"] and (diag["line"], diag["column"]) == (1, 1)


def test_mentions_from_kept_prose_equal_mentions_from_the_file(example_vault: Path) -> None:
    """A batch parse keeps each linkable note's masked prose for the mention scan; a later scan (watch)
    rebuilds it from the file. Both must find the same mentions, at the same lines and columns."""
    from vaultkit.analyze import Analyzer
    from vaultkit.engine import open_session
    from vaultkit.state import VaultState
    from vaultkit.vault import list_vault

    session = open_session(example_vault)
    analyzer = Analyzer(session.settings(), session.schemas)
    listing = list_vault(session.root, session.config, session.obsidian, None)
    facts = {f.rel: f for f in analyzer.parse(listing.notes)}
    analyzer.set_keys(VaultState(session.config, session.obsidian, facts, listing.files).table.payload())
    kept = analyzer.mentions(listing.notes)
    assert sum(map(len, kept.values())) > 10
    assert analyzer.mentions(listing.notes) == kept  # the kept prose is used once: now from the files


def test_check_fix_of_given_notes_honours_select(make_vault: VaultFactory) -> None:
    """Regression: the relations due in the notes that given notes link to were applied whatever --select
    said (`check --fix --select VK0 A.md` wrote Lone's relation)."""
    root = make_vault({"A.md": "See [[Lone]].\n", "Lone.md": "Lone.\n"})
    before = snapshot(root)
    result = run_cli("check", "--fix", "--select", "VK0", root / "A.md")
    assert result.exit_code == 0, result.output
    assert snapshot(root) == before
    fixed = run_cli("check", "--fix", root / "A.md")
    assert fixed.exit_code == 0, fixed.output
    assert (root / "Lone.md").read_text() == '---\nrelated:\n  - "[[A]]"\n---\nLone.\n'


def _diffed(diff: str) -> set[str]:
    return {line[len("+++ b/") :] for line in diff.splitlines() if line.startswith("+++ b/")}


def test_diff_shows_only_what_link_writes_when_related_is_an_alias(
    make_vault: VaultFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Regression: with `related: *b` (a YAML alias), `link --diff` showed an edit of B's anchored list that
    `link` then refused ("would change other properties"). Such a relation is now reported without a fix, so
    the diff, the check and the write agree, and nothing is refused."""
    root = make_vault(
        {
            "B.md": '---\nother: &b ["[[C]]"]\nrelated: *b\n---\nB note.\n',
            "A.md": "See [[B]].\n",
            "C.md": "c\n",
        }
    )
    monkeypatch.chdir(root)
    diff = run_cli("link", "--diff")
    assert diff.exit_code == 1, diff.output
    assert _diffed(diff.stdout) == {"C.md"}, diff.stdout
    assert "B.md" not in diff.stderr
    check = run_cli("link", "--check")
    assert check.exit_code == 1 and check.stdout == "would change C.md (1 edit)\n", check.output
    before = snapshot(root)
    linked = run_cli("link")
    assert linked.exit_code == 0 and "B.md" not in linked.stderr, linked.output
    changed = {rel for rel, data in snapshot(root).items() if before.get(rel) != data}
    assert changed == _diffed(diff.stdout)
    left = run_cli("check", "--select", "VK121").stdout
    assert "B.md:3:1: VK121 [[A]] links here" in left and "[*]" not in left  # at `related:`


@pytest.mark.parametrize(
    ("note", "diff"),
    [
        (
            "one\u2028two\x85three\x0cfour\nMeituan here\n",
            "@@ -1,2 +1,2 @@\n one\u2028two\x85three\x0cfour\n-Meituan here\n+[[Meituan]] here\n",
        ),
        (
            "Intro.\r\rMeituan here.\r",
            "@@ -1 +1 @@\n-Intro.\r\rMeituan here.\r\n\\ No newline at end of file\n"
            "+Intro.\r\r[[Meituan]] here.\r\n\\ No newline at end of file\n",
        ),
    ],
    ids=["unicode-line-separators", "bare-crs"],
)
def test_diff_counts_lines_as_patch_does(make_vault: VaultFactory, note: str, diff: str) -> None:
    """Regression: the diff split lines where `str.splitlines` does (U+2028, U+0085, form feed, a bare CR),
    so its line numbers were not those of `patch` or `git apply`, and a note of bare CRs had a "No newline at
    end of file" marker after each of its lines."""
    root = vault(make_vault, {"Meituan.md": "x\n", "N.md": note})
    result = run_cli("link", "--diff", "--no-cache", root)
    assert result.stdout.rpartition("N.md\n")[2] == diff, result.output


def test_diff_leaves_out_the_relation_of_a_link_that_would_be_refused(
    make_vault: VaultFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A's link would be refused (a read-only note): the relation Lone would get for it is not shown either,
    as `link` does not write it."""
    root = make_vault({"A.md": "See Lone here.\n", "Lone.md": "Lone.\n", "Z.md": "See Lone too.\n"})
    (root / "A.md").chmod(0o444)
    monkeypatch.chdir(root)
    diff = run_cli("link", "--diff")
    assert diff.exit_code == 1, diff.output
    assert _diffed(diff.stdout) == {"Lone.md", "Z.md"}, diff.stdout
    assert '+  - "[[Z]]"\n' in diff.stdout and "[[A]]" not in diff.stdout
    assert "A.md: would not be written: the note is read-only" in diff.stderr
    before = snapshot(root)
    linked = run_cli("link")
    changed = {rel for rel, data in snapshot(root).items() if before.get(rel) != data}
    assert changed == {"Lone.md", "Z.md"}, linked.output
    assert (root / "Lone.md").read_text() == '---\nrelated:\n  - "[[Z]]"\n---\nLone.\n'


def test_check_reports_exactly_what_link_writes_when_verification_refuses_a_link(
    make_vault: VaultFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Big's link is refused by the writer's second parse of the body (here made to refuse it: a reading
    mistune and vaultkit's scanner disagree on). Regression: `link --check` skipped that parse, so it said
    Big and Other would change (Other gaining the relation back to Big), where `link` and `link --diff`
    refused Big's link and changed neither."""
    checked = verify._check_body

    def disagreeing(old: str, boundary: int, edits: Sequence[Edit]) -> str | None:
        return "mistune reads it otherwise" if "Disagree" in old else checked(old, boundary, edits)

    monkeypatch.setattr(verify, "_check_body", disagreeing)
    root = make_vault(
        {"Big.md": "Disagree: see Other here.\n", "Small.md": "See Other here too.\n", "Other.md": "Text.\n"}
    )
    monkeypatch.chdir(root)
    check = run_cli("link", "--check", "--no-cache")
    assert check.exit_code == 1, check.output
    assert check.stdout == "would change Other.md (1 edit)\nwould change Small.md (1 edit)\n", check.output
    assert "Big.md: would not be written: mistune reads it otherwise" in check.stderr, check.stderr
    diff = run_cli("link", "--diff", "--no-cache")
    assert _diffed(diff.stdout) == {"Other.md", "Small.md"}, diff.output
    before = snapshot(root)
    linked = run_cli("link", "--no-cache")
    assert "Big.md: not written: mistune reads it otherwise" in linked.stderr, linked.output
    changed = {rel for rel, data in snapshot(root).items() if before.get(rel) != data}
    assert changed == {"Other.md", "Small.md"}, linked.output


def _readme_exit_codes(command: str) -> dict[str, str]:
    text = (FIXTURES.parent.parent / "README.md").read_text(encoding="utf-8")
    table = text.split("## Exit codes", 1)[1].split("\n\n", 2)[1]
    header, _rule, *rows = ([c.strip() for c in line.strip("|").split(" | ")] for line in table.splitlines())
    column = header.index(f"`vaultkit {command}`")
    return {row[0]: row[column] for row in rows}


def test_link_exit_codes_are_as_the_readme_says(make_vault: VaultFactory) -> None:
    """Regression: `link` exits 1 when it skips a note it cannot parse (invalid YAML), which the README's
    exit-code table did not say (it listed only --check/--diff, --exit-non-zero-on-fix and refused writes)."""
    documented = _readme_exit_codes("link")
    root = make_vault({"Bad.md": "---\ntitle: [unclosed\n---\nSee Good here.\n", "Good.md": "Fine.\n"})
    skipped = run_cli("link", root)
    assert skipped.exit_code == 1, skipped.output
    assert (
        "Bad.md:" in skipped.stderr
        and "VK001" in skipped.stderr
        and skipped.stderr.count("; not linked") == 1
    )
    assert (
        "skipped" in documented["1"] and "invalid YAML" in documented["1"] and "not linked" in documented["1"]
    )
    assert "no note skipped" in documented["0"]
    for option in ("--check", "--diff"):
        assert run_cli("link", option, root).exit_code == 1
    # the configuration's `ignore` hides VK001 from reports, not the note `link` leaves unlinked: it said
    # "nothing to link" and exited 0 (review38)
    (root / "vaultkit.toml").write_text('ignore = ["VK001"]\n')
    ignored = run_cli("link", root)
    assert ignored.exit_code == 1 and ignored.stderr.count("; not linked") == 1, ignored.output
    assert "VK001" not in run_cli("check", root).stdout


def test_excalidraw_drawings_are_not_linked(make_vault: VaultFactory) -> None:
    """Excalidraw reads a drawing's `## Text Elements` back into the scene: a link written there changes the
    text drawn. Regression: `Alpha vs Beta ^abc1234` became `[[Alpha]] vs [[Beta]] ^abc1234`."""
    drawing = (
        "---\n\nexcalidraw-plugin: parsed\ntags: [excalidraw]\n\n---\n"
        "==⚠  Switch to EXCALIDRAW VIEW in the MORE OPTIONS menu of this document. ⚠==\n\n\n"
        "# Excalidraw Data\n\n## Text Elements\nAlpha vs Beta ^abc1234\n\n"
        '%%\n## Drawing\n```json\n{"type": "excalidraw", "elements": [{"text": "Alpha vs Beta"}]}\n```\n%%\n'
    )
    root = vault(make_vault, {"Alpha.md": "x\n", "Beta.md": "x\n", "Sketch.excalidraw.md": drawing})
    assert link_diff(root) == []


def test_an_excalidraw_drawing_is_not_asked_to_list_the_notes_linking_to_it(make_vault: VaultFactory) -> None:
    """A drawing's frontmatter is the plugin's: no `related` goes in. The drawing's own links still ask."""
    drawing = "---\nexcalidraw-plugin: parsed\n---\n## Text Elements\nsee [[B]] ^abc1234\n"
    root = make_vault(
        {"Sketch.excalidraw.md": drawing, "A.md": "See [[Sketch.excalidraw]].\n", "B.md": "x\n"}
    )
    assert link_diff(root) == ["---", "related:", '  - "[[Sketch.excalidraw]]"', "---"]


def test_link_diff_shows_no_relation_for_a_link_that_link_will_not_write(make_vault: VaultFactory) -> None:
    """A note whose frontmatter is never closed is not linked, so the note it mentions owes it no relation.
    Regression: `link --diff` showed Meituan gaining `related: "[[Open]]"`, which `link` never wrote."""
    root = make_vault({"Open.md": "---\ntitle: x\nSee Meituan here.\n", "Meituan.md": "# Meituan\n"})
    assert link_diff(root) == []
    assert run_cli("link", "--no-cache", root).stderr.count("not linked") == 1
    assert (root / "Meituan.md").read_text() == "# Meituan\n"


def test_link_diff_shows_no_relation_for_a_mention_whose_rule_is_ignored(make_vault: VaultFactory) -> None:
    """With `ignore = ["VK120"]` in vaultkit.toml, `link` writes no mention's link, so the note mentioned owes
    no relation. Regression: `link --diff` and `--check` showed Lone gaining `related: "[[A]]"` (they counted
    every mention as about to be linked), which `link` never wrote: on the example vault, 21 notes would
    change, where `link` changed 11."""
    root = make_vault(
        {"vaultkit.toml": 'ignore = ["VK120"]\n', "A.md": "See Lone here.\n", "Lone.md": "# Lone\n"}
    )
    diff = run_cli("link", "--diff", "--no-cache", root)
    assert (diff.exit_code, diff.stdout) == (0, ""), diff.output
    assert run_cli("link", "--check", "--no-cache", root).exit_code == 0
    before = snapshot(root)
    assert run_cli("link", "--no-cache", root).exit_code == 0
    assert snapshot(root) == before


@pytest.mark.parametrize("select", ['["VK0"]', '["VK121"]'])
def test_link_fixes_only_the_rules_the_configuration_selects(make_vault: VaultFactory, select: str) -> None:
    """`select` in vaultkit.toml limits `link` as it limits `check` and `check --fix`. Regression: with
    `select = ["VK0"]` (frontmatter only), `check` found no problem and `check --fix` changed nothing, but
    `link` (and the pre-commit hook vaultkit-link) linked every mention and added relations."""
    root = make_vault(
        {
            "vaultkit.toml": f"select = {select}\n",
            "A.md": "See Lone here, and [[B]].\n",
            "Lone.md": "# Lone\n",
            "B.md": "# B\n",
        }
    )
    assert run_cli("check", "--fix", "--no-cache", root).exit_code == 0
    fixed = snapshot(root)
    (root / "A.md").write_text("See Lone here, and [[B]].\n")
    (root / "B.md").write_text("# B\n")
    diff = run_cli("link", "--diff", "--no-cache", root)
    assert run_cli("link", "--no-cache", root).exit_code == 0
    assert snapshot(root) == fixed, diff.stdout
    assert "[[Lone]]" not in (root / "A.md").read_text()


def test_diff_of_a_note_starting_with_a_bom_applies_as_link_writes_it(make_vault: VaultFactory) -> None:
    """Regression: `link --diff` showed a note that starts with a BOM without it (the text as read), so its
    first line was not the file's, and `git apply` of the diff failed there ("patch does not apply"). The
    diff now shows the BOM that `link` keeps; applied, it gives the bytes `link` writes."""
    root = vault(make_vault, {"Meituan.md": "x\n", "N.md": "\ufeffMeituan here\r\nmore\r\n"})
    diff = run_cli("link", "--diff", "--no-cache", root).stdout
    copy = _applied_as_link_writes(root, diff)
    assert (copy / "N.md").read_bytes() == b"\xef\xbb\xbf[[Meituan]] here\r\nmore\r\n"


def _applied_as_link_writes(root: Path, diff: str) -> Path:
    """A copy of the vault `diff` applies to with `git apply` at its root, after which it holds the same bytes
    as the vault once `link` has written it."""
    import subprocess

    copy = root.parent / "copy"
    shutil.copytree(root, copy)
    applied = subprocess.run(
        ["git", "apply", "-"], cwd=copy, input=diff.encode(), capture_output=True, check=False
    )
    assert applied.returncode == 0, applied.stderr.decode()
    run_cli("link", "--no-cache", root)
    assert snapshot(copy) == snapshot(root)
    return copy


def _applied_with_git_and_patch(root: Path, diff: str) -> None:
    """`diff` applies at the root of a copy of the vault with `git apply` and with `patch -p1` (each where
    installed), and each copy then holds the bytes the vault holds once `link` has written it."""
    import subprocess

    tools = [
        tool
        for tool in (["git", "apply", "-"], ["patch", "-p1", "--batch", "--silent"])
        if shutil.which(tool[0])
    ]
    for tool in tools:
        shutil.copytree(root, root.parent / f"copy-{tool[0]}")
    run_cli("link", "--no-cache", root)
    for tool in tools:
        copy = root.parent / f"copy-{tool[0]}"
        applied = subprocess.run(tool, cwd=copy, input=diff.encode(), capture_output=True, check=False)
        assert applied.returncode == 0, (tool, applied.stdout.decode(), applied.stderr.decode())
        assert snapshot(copy) == snapshot(root), tool


def _headers(diff: str) -> list[str]:
    """The names a unified diff's `---` and `+++` lines give, in order."""
    return re.findall(r"^(?:---|\+\+\+) (.*)$", diff, flags=re.M)


@pytest.mark.parametrize("where", ["outside", "subfolder"])
def test_a_diff_names_the_notes_by_their_path_in_the_vault(
    make_vault: VaultFactory, monkeypatch: pytest.MonkeyPatch, where: str
) -> None:
    """Regression: run from outside the vault, `link --diff` headed each note `a//tmp/.../Gamma.md`, and from
    one of its folders `a/../Gamma.md` or the full path: `git apply` took neither. The paths of a diff are
    the vault's, as `git diff` gives the repository's, so it applies at the vault's root."""
    root = vault(make_vault, {"Gamma.md": "Beta here.\n", "Sub/Beta.md": "Gamma there.\n"})
    monkeypatch.chdir(root / "Sub" if where == "subfolder" else root.parent)
    diff = run_cli("link", "--diff", "--no-cache", root).stdout
    assert _headers(diff) == [
        "a/Gamma.md",
        "b/Gamma.md",
        "a/Sub/Beta.md",
        "b/Sub/Beta.md",
    ], diff
    _applied_as_link_writes(root, diff)


def test_a_diff_of_notes_with_spaces_in_their_paths_applies_with_patch(make_vault: VaultFactory) -> None:
    """Regression: `link --diff` headed a note `--- a/My Notes/Beta Note.md`, and `patch -p1` (which the README
    offers beside `git apply`) read the name up to its first space: "can't find file to patch". A name with a
    space now ends with a tab, as `git diff` writes it (diff.c: `name_a_tab`); both tools take it."""

    root = vault(make_vault, {"Gamma.md": "Beta Note here.\n", "My Notes/Beta Note.md": "Gamma there.\n"})
    diff = run_cli("link", "--diff", "--no-cache", root).stdout
    assert _headers(diff) == [
        "a/Gamma.md",
        "b/Gamma.md",
        "a/My Notes/Beta Note.md\t",
        "b/My Notes/Beta Note.md\t",
    ], diff
    _applied_with_git_and_patch(root, diff)


def test_a_diff_of_a_long_note_of_repeated_lines_has_hunks_as_small_as_git_makes(
    make_vault: VaultFactory,
) -> None:
    """Regression: difflib treats a line found in more than 1% of a long note as junk (`autojunk`), so 500
    lines of `- [ ] task about it` between two links made one hunk of the whole note (-1,505 +1,505: a
    thousand lines to read for two links). The edits say which lines change: one hunk for each, with three
    lines of context, as `git diff` makes them; and the diff still applies."""
    lines = ["# Tasks", "", "- [ ] call Meituan", *["- [ ] task about it"] * 500, "- [ ] call Baidu", "end"]
    files = {"Meituan.md": "x\n", "Baidu.md": "x\n", "Tasks.md": "\n".join(lines) + "\n"}
    root = vault(make_vault, files)
    diff = run_cli("link", "--diff", "--no-cache", root).stdout
    assert re.findall(r"^@@.*", diff.rpartition("b/Tasks.md\n")[2], flags=re.M) == [
        "@@ -1,6 +1,6 @@",
        "@@ -501,5 +501,5 @@",
    ], diff
    _applied_as_link_writes(root, diff)


def _patched(old: str, diff: str) -> str:
    """The text a unified diff of one file makes of `old`, each hunk's context and removed lines checked."""
    lines = re.findall(r"[^\n]*\n|[^\n]+", old)
    rows: list[str] = []
    for row in re.findall(r"[^\n]*\n|[^\n]+", diff)[2:]:  # after the --- and +++ lines
        if row.startswith("\\ No newline"):
            rows[-1] = rows[-1][:-1]
        else:
            rows.append(row)
    out: list[str] = []
    at = 0
    for row in rows:
        hunk = re.match(r"@@ -(\d+)(?:,(\d+))? ", row)
        if hunk:
            start = int(hunk.group(1)) - (hunk.group(2) != "0")
            out.extend(lines[at:start])
            at = start
            continue
        if row[0] in " -":
            assert lines[at] == row[1:], (at, row)
            at += 1
        if row[0] in " +":
            out.append(row[1:])
    return "".join(out + lines[at:])


@settings(max_examples=200, derandomize=True, deadline=None)
@given(
    st.lists(st.sampled_from(["a", "b", "", "a b", "\r"]), min_size=1, max_size=40),
    st.booleans(),
    st.lists(
        st.tuples(st.integers(0, 200), st.integers(0, 3), st.sampled_from(["", "x", "\n", "y\nz", "\n\n"]))
    ),
)
def test_a_diff_made_from_the_edits_gives_the_new_text(
    lines: list[str], final_newline: bool, wanted: list[tuple[int, int, str]]
) -> None:
    """The hunks are worked out from the edits, not by difflib's matching: applied, they give the text the
    edits make, at the end of a note with or without its last line feed too."""
    from vaultkit.fixer import Preview, unified_diff

    text = "\n".join(lines) + ("\n" if final_newline else "")
    edits, last = [], -1
    for start, length, insert in sorted(wanted):
        if start > last and start + length <= len(text):
            edits.append(Edit(start, start + length, insert))
            last = start + length
    preview = Preview(texts={"N.md": text}, edits={"N.md": edits})
    new = preview.new_text("N.md")
    diff = unified_diff(preview)
    assert (diff == "") == (new == text)
    assert _patched(text, diff) == new


def test_a_diff_of_edits_that_undo_each_others_lines_is_empty() -> None:
    """Regression (found by the property above, whose examples were random: CI could fail on it by chance):
    a line feed taken out and another put in a line further on leave the text as it was, but the two
    changes, made one as git shows neighbours, kept the line both touched: a hunk taking out an empty line
    and putting the same one back."""
    from vaultkit.fixer import Preview, unified_diff

    no_lf = "\\ No newline at end of file"
    text = "a\na\n\n\na b\na b\n\na"
    preview = Preview(texts={"N.md": text}, edits={"N.md": [Edit(13, 14, ""), Edit(15, 15, "\n")]})
    assert preview.new_text("N.md") == text
    assert unified_diff(preview) == ""
    moved = Preview(texts={"N.md": text}, edits={"N.md": [Edit(13, 14, ""), Edit(15, 15, "\nx")]})
    assert unified_diff(moved).splitlines()[2:6] == ["@@ -5,4 +5,4 @@", " a b", " a b", " "]
    assert unified_diff(moved).splitlines()[6:] == ["-a", no_lf, "+xa", no_lf]


def test_a_state_not_kept_holds_its_link_graph_compactly_and_a_fixing_plan_still_counts(
    make_vault: VaultFactory,
) -> None:
    """A run's link graph is held as tuples (sets of names took six times the memory), kept for watch mode
    or not; a fixing plan adds the links it is about to write to it (as lists: as sets, they took back the
    memory), and a state kept up to date makes sets of the entries an update changes, and nothing else."""
    from vaultkit.analyze import Analyzer
    from vaultkit.engine import open_session
    from vaultkit.state import VaultState
    from vaultkit.vault import list_vault

    files = {"A.md": "[[B]] [[C]] [[D]] [[E]] [[F]] and Gamma.\n", "Gamma.md": "x\n"}
    root = vault(make_vault, {**files, **{f"{n}.md": "[[A]]\n" for n in "BCDEF"}})
    session = open_session(root)
    analyzer = Analyzer(session.settings(), session.schemas)
    listing = list_vault(session.root, session.config, session.obsidian, None)

    def state(kept: bool) -> VaultState:
        facts = {f.rel: f for f in analyzer.parse(listing.notes)}
        made = VaultState(session.config, session.obsidian, facts, listing.files, kept=kept)
        analyzer.set_keys(made.table.payload())
        made.candidates.update(analyzer.mentions(listing.notes))
        return made

    once = state(kept=False)
    assert isinstance(once.out["A.md"], tuple) and sorted(once.out["A.md"]) == [f"{n}.md" for n in "BCDEF"]
    assert isinstance(once.back["A.md"], tuple) and sorted(once.back["A.md"]) == [f"{n}.md" for n in "BCDEF"]
    once.plan(["A.md"], fixing=True)
    assert [t for _m, t in once.ctx.mentions["A.md"]] == ["Gamma.md"]
    assert sorted(once.out["A.md"]) == ["B.md", "C.md", "D.md", "E.md", "F.md", "Gamma.md"]
    assert isinstance(once.out["A.md"], list) and once.back["Gamma.md"] == ["A.md"]
    assert isinstance(once.out["B.md"], tuple)  # a note that gains no link keeps its tuple

    built: list[type] = []  # the graph as built, before `_compact`: never a set of names for each note

    def record(made: VaultState) -> None:
        built.extend(type(v) for graph in (made.out, made.back, made.into) for v in graph.values())

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(VaultState, "_compact", record)
        state(kept=True)
    assert built and set not in built

    watched = state(kept=True)
    graphs = (watched.out, watched.back, watched.into)
    assert all(isinstance(v, tuple) for graph in graphs for v in graph.values())
    assert sorted(watched.into["A.md"]) == [f"{n}.md" for n in "BCDEF"]

    def save(text: str) -> set[str]:
        (root / "B.md").write_text(text)
        return watched.update({f.rel: f for f in analyzer.parse(["B.md"])}, listing.files, lambda _r, _t: {})

    assert "A.md" in save("no links now\n")
    assert (
        "B.md" not in watched.back["A.md"]
        and "B.md" not in watched.into["A.md"]
        and "B.md" not in watched.out
    )
    assert isinstance(watched.into["C.md"], tuple)  # untouched by the update
    assert "A.md" in save("[[A]] again\n")
    assert (
        "B.md" in watched.back["A.md"]
        and "B.md" in watched.into["A.md"]
        and set(watched.out["B.md"]) == {"A.md"}
    )


def test_mentions_sent_by_a_worker_or_read_from_the_cache_share_their_text_and_key() -> None:
    """Each mention arrives from a worker's pickle or the cache's JSON with strings of its own; the vault
    mentions the same names over and over (link and watch hold them all: ~25 MB on 50,000 notes)."""
    import pickle
    import sys

    from vaultkit.engine import _cached_mentions
    from vaultkit.linker import Mention

    text, key = sys.intern("Meituan"), sys.intern("meituan")
    row = json.loads('[4, 11, "Meituan", "meituan", 2, 5]')
    sent = pickle.loads(pickle.dumps(Mention(*row)))
    cached = _cached_mentions(["d", [row]], "d")
    assert sent == Mention(*row) and cached == [sent]
    for m in (sent, *(cached or ())):
        assert m.text is text and m.key is key
    assert _cached_mentions(["d", [[4, 11, 7, "meituan", 2, 5]]], "d") is None  # not ours: found again


def test_a_run_that_only_reports_lets_go_of_the_key_table_once_planned(make_vault: VaultFactory) -> None:
    """Nothing plans again in a run that only reports: the key table (~10 MB on 50,000 notes), the mentions
    found and the notes' plans are let go before or as the notes are checked, not held to the run's peak.
    The report is the same: VK120 and VK122 as before."""
    from vaultkit.engine import Runner, RunOptions, open_session

    root = vault(
        make_vault,
        {"A/Overview.md": "x\n", "B/Overview.md": "x\n", "Rust.md": "x\n", "N.md": "An Overview of Rust.\n"},
    )
    runner = Runner(open_session(root))
    result = runner.run(RunOptions(jobs=1, use_cache=False))
    assert [(d.path, d.code) for d in result.diagnostics] == [("N.md", "VK122"), ("N.md", "VK120")]
    state = runner.state
    assert state is not None
    assert not state.table.targets and not state.candidates
    assert not state.ctx.mentions and not state.ctx.ambiguous
    kept = Runner(open_session(root))
    assert kept.run(RunOptions(jobs=1, use_cache=False, keep_state=True)).diagnostics[0].code == "VK122"
    assert kept.state is not None and kept.state.table.targets, "watch plans again: its state keeps them"


def test_link_check_lets_go_of_the_diagnostics_once_their_edits_are_grouped(make_vault: VaultFactory) -> None:
    """Memory: `link --check` held every diagnostic of its first run (each unlinked mention's own, with its
    fix and tuple of edits: ~200 bytes beside the edit) while it planned the notes, and forked its planners
    at that size (~45 MB of a 50,000-note vault). Once their edits are grouped by note they are let go; the
    preview is the same: the link, and the relation it calls for."""
    import dataclasses

    from vaultkit.engine import Runner, RunOptions, open_session
    from vaultkit.fixer import preview_in_rounds

    root = make_vault({"Meituan.md": "# Meituan\n", "N.md": "Meituan is a company.\n"})
    runner = Runner(open_session(root))
    opts = RunOptions(jobs=1, use_cache=False, fixing=True, preview=True, select=("VK120", "VK121"))
    first = runner.run(opts)
    assert sorted((d.path, d.code) for d in first.diagnostics) == [("Meituan.md", "VK121"), ("N.md", "VK120")]

    def again(refused: frozenset[str]) -> object:
        return runner.run(dataclasses.replace(opts, refused=refused))

    wanted = lambda d: d.code in ("VK120", "VK121")  # noqa: E731 - as link's own filter
    preview = preview_in_rounds(root, first, again, wanted, "related", keep_texts=True)  # type: ignore[arg-type]
    assert preview.new_text("N.md") == "[[Meituan]] is a company.\n"
    assert preview.new_text("Meituan.md") == '---\nrelated:\n  - "[[N]]"\n---\n# Meituan\n'
    assert first.diagnostics == [] and first.beyond == []


def test_relation_fixes_of_the_same_count_share_their_description(make_vault: VaultFactory) -> None:
    """Memory: each note's VK121 fix had a description of its own ("add 1 link to related"), ~70 bytes a
    note of `link` though a vault says it in a handful of ways. Equal ones are one string."""
    from vaultkit.engine import Runner, RunOptions, open_session

    root = make_vault({"A.md": "# A\n", "B.md": "# B\n", "N.md": "See [[A]] and [[B]].\n"})
    opts = RunOptions(jobs=1, use_cache=False, fixing=True, select=("VK121",))
    found = Runner(open_session(root)).run(opts).diagnostics
    fixes = [d.fix for d in found]
    assert [d.path for d in found] == ["A.md", "B.md"]
    assert fixes[0] is not None and fixes[1] is not None
    assert fixes[0].description == "add 1 link to related"
    assert fixes[0].description is fixes[1].description


def test_a_fix_holds_its_one_edit_in_its_own_fields(make_vault: VaultFactory) -> None:
    """Memory: each unlinked mention's fix was a Fix holding a tuple holding an Edit, three objects (~190
    bytes) where one does: ~27 MB at the peak of link --check on 50,000 notes. A link's fix holds its edit
    itself; a note's relations' fix, the names it adds (its edit's text: ~420 bytes a note, ~20 MB). Each
    makes its edit when asked, and goes to the cache and back with the same edit."""
    import gc

    from vaultkit.diagnostics import Diagnostic, Fix, RelationsFix
    from vaultkit.engine import Runner, RunOptions, open_session

    root = make_vault({"Meituan.md": "# Meituan\n", "N.md": "Meituan is a company.\n"})
    opts = RunOptions(jobs=1, use_cache=False, fixing=True, preview=True, select=("VK120", "VK121"))
    found = {d.code: d for d in Runner(open_session(root)).run(opts).diagnostics}
    link, relation = found["VK120"].fix, found["VK121"].fix
    assert link is not None and relation is not None
    assert link.edits == (Edit(0, 7, "[[Meituan]]"),)
    assert relation.edits == (Edit(0, 0, '---\nrelated:\n  - "[[N]]"\n---\n'),)
    assert not any(isinstance(x, tuple) for x in gc.get_referents(link))
    row = found["VK120"].to_row()
    assert Diagnostic.from_row(json.loads(json.dumps(row))) == found["VK120"]
    # the relations' edit is made when asked: the fix holds the note's anchor and the names it adds
    assert isinstance(relation, RelationsFix) and relation.names == ("N",)
    assert all(not isinstance(x, str) or x is relation.description for x in gc.get_referents(relation))
    again = Diagnostic.from_row(json.loads(json.dumps(found["VK121"].to_row())))
    assert again.fix is not None and again.fix.edits == relation.edits
    assert again._replace(fix=None) == found["VK121"]._replace(fix=None)
    described = Fix("link 'Meituan' to Meituan")
    assert (
        described.edits == ()
        and Diagnostic.from_row(
            ["N.md", 1, 1, "VK120", "m", "warning", [described.description, True, []]]
        ).fix
        == described
    )


def test_link_check_lets_each_diagnostic_go_as_its_edit_is_taken(make_vault: VaultFactory) -> None:
    """Memory: a fix makes its edit when asked (`Fix.edits`); grouping the edits by note while every
    diagnostic was held made ~230,000 edits beside ~230,000 diagnostics, a new peak of link --check on
    50,000 notes. Each diagnostic goes as its edit is taken; the preview is the same."""
    import dataclasses

    from vaultkit.diagnostics import Diagnostic
    from vaultkit.engine import Runner, RunOptions, open_session
    from vaultkit.fixer import preview_in_rounds

    names = ["Meituan", "Alibaba", "Tencent", "Baidu"]
    notes = {f"{n}.md": f"# {n}\n" for n in names} | {"N.md": " and ".join(names) + ".\n"}
    root = make_vault(notes)
    runner = Runner(open_session(root))
    opts = RunOptions(jobs=1, use_cache=False, fixing=True, preview=True, select=("VK120", "VK121"))
    first = runner.run(opts)
    gone: list[int] = []

    class Tracked(Diagnostic):  # a tuple subclass with a __dict__: says when it goes
        def __del__(self) -> None:
            gone.append(self.col)

    first.diagnostics = [Tracked(*d) for d in first.diagnostics]
    held = len(first.diagnostics)
    assert held == 8
    alive: list[int] = []

    def wanted(d: Diagnostic) -> bool:
        alive.append(held - len(gone))
        return d.code in ("VK120", "VK121")

    def again(refused: frozenset[str]) -> object:
        return runner.run(dataclasses.replace(opts, refused=refused))

    preview = preview_in_rounds(root, first, again, wanted, "related", keep_texts=True)  # type: ignore[arg-type]
    assert alive == list(range(8, 0, -1)), "the diagnostics taken before this one are gone"
    assert preview.new_text("N.md") == " and ".join(f"[[{n}]]" for n in names) + ".\n"
    assert preview.new_text("Baidu.md") == '---\nrelated:\n  - "[[N]]"\n---\n# Baidu\n'


def test_a_wikilink_by_name_is_remembered_by_its_name(make_vault: VaultFactory) -> None:
    """Memory: the rules remember how each link resolves; a wikilink by name resolves the same from every
    note, and was remembered under a tuple of its own (kind, name, "") (~3 MB of `link` on 50,000 notes).
    It is remembered by its name; a link by path from its folder, as before. The diagnostics are the same."""
    from vaultkit.engine import Runner, RunOptions, open_session

    root = make_vault(
        {"Sub/Meituan.md": "# Meituan\n", "N.md": "See [[Meituan]], [[Sub/Meituan]] and [[Gone]].\n"}
    )
    runner = Runner(open_session(root))
    found = runner.run(RunOptions(jobs=1, use_cache=False, keep_state=True)).diagnostics
    assert [(d.path, d.code) for d in found if d.code == "VK101"] == [("N.md", "VK101")]
    assert runner.state is not None
    ctx = runner.state.ctx
    assert ctx._by_name["Meituan"].target == "Sub/Meituan.md"
    assert ctx._by_name["Gone"].target is None
    assert ("wiki", "Sub/Meituan", "") in ctx._memo
    assert not any(kind == "wiki" and "/" not in target for kind, target, _ in ctx._memo)


# -- the scan's ASCII fast path ------------------------------------------------------------------------

_NEIGHBOURS = [
    *"aZ09 \n\t,;?!)(\"'\u2019_*~=[]\\^:-.@/#$%&+<>|{}`\x01",
    *"\u00e9\u00c9\u00df\u00ad\u200c\u2060\u200d\u0301\ufe0f",  # Latin-1 letters, invisible joiners, marks
    *"\u7f8e\u56e2\u3092\u30a2\u30fc\u30fb\uff0c\u3002",  # Han, hiragana, katakana, CJK punctuation
    *"\u043f\u0457\u041a\ud55c\uc5d0\uc11c\u0e01\u0627",  # Cyrillic, Hangul (a particle), Thai, Arabic
    *"\u00ab\u2014\u00a0\U0001f600\U0001f3fb\U0001f1e9\u3001\u300c\u302a\u3099\u309d\uff10\uff71",  # punctuation, emoji, marks
    "~~",
    "==",
    "::",
    "**",
    "__",
    "-meituan",
    ".com",
    "/x/",
]
# names in other scripts, each with its key in the scan's automaton
_SCRIPTS = [
    "\u041a\u0438\u0457\u0432",  # Київ: Cyrillic, as the scan of a Ukrainian or Russian vault decides it
    "\u03a3\u03af\u03c3\u03c5\u03c6\u03bf\u03c2",  # Σίσυφος: Greek, with a final sigma
    "caf\u00e9",
    "\u00c9clair",
    "\u0130stanbul",  # folds to one character more: the general path
    "\u0645\u064a\u062a\u0648\u0627\u0646",  # Arabic
    "\u092d\u093e\u0930\u0924\u0940",  # भारती: Devanagari, ending in a vowel sign (a mark)
    "\u092d\u093e\u0930\u0924",  # भारत: ending in a letter
    "\uba54\uc774\ud22c\uc548",  # 메이투안: Hangul, which a particle may follow
    "\u0e01\u0e23\u0e38\u0e07",  # Thai
    "Qwen\u56e2\u961f",  # ending in Han
    "\u30e1\u30a4\u30c8\u30a5\u30a2\u30f3",  # katakana
    "GPT\u0664",  # an Arabic-Indic digit last
    "Stra\u00dfe",
    "\u7f8e\u56e2",  # 美团: Han
    "\u3055\u304f\u3089",  # さくら: hiragana
    "\U0001f1e9\U0001f1ea team",  # a flag first
]
_SPELLINGS = [
    "Meituan",
    "meituan",
    "NASA",
    "nasa",
    "c++",
    "Q*bert",
    "x_y",
    "a~~b",
    "@smith",
    "KV Cache",
    "\u212av",
    *_SCRIPTS,
]


@settings(max_examples=1500, derandomize=True, deadline=None)
@given(
    left=st.lists(st.sampled_from(_NEIGHBOURS), max_size=4).map("".join),
    name=st.sampled_from(_SPELLINGS),
    right=st.lists(st.sampled_from(_NEIGHBOURS), max_size=4).map("".join),
)
@example(left="\u043f'", name=_SCRIPTS[0], right=" ")  # an apostrophe inside a Cyrillic word: no start
@example(left=" ", name=_SCRIPTS[0], right="'\u043f")  # ... and no end
@example(left="a", name=_SCRIPTS[2], right=" ")  # an ASCII letter before: no start
@example(left="\u043f", name=_SCRIPTS[0], right="\u043f")  # inside a Cyrillic word
@example(left=" ", name=_SCRIPTS[10], right="a")  # ending in Han: an end before a Latin letter too
@example(left=" ", name="Meituan", right="\uc5d0\uc11c ")  # a Korean particle after it: an end
@example(left="\uff71", name="Meituan", right=" ")  # after half-width katakana, a word of its own: a start
@example(left="\u043f\u2019", name=_SCRIPTS[0], right="\u3001")  # a typographic apostrophe in a Cyrillic word
@example(left="\u30a2", name=_SCRIPTS[11], right="\u30fc")  # katakana next to katakana: one word
@example(left="\U0001f1e9", name=_SCRIPTS[-1], right=" ")  # a regional indicator before a flag: one flag
@example(left="a\u00ad", name="Meituan", right="\u00ad" + "a")  # soft hyphens inside a word
def test_the_fast_path_decides_as_the_general_one(left: str, name: str, right: str) -> None:
    """Where the characters beside a key are plain ASCII, the scan decides at once whether a word starts
    and ends there (`_quick_edges`), for a key in ASCII or in another script written with spaces; that
    decision is the general one's (`_starts_word`, `_NOT_BEFORE`, `_is_mention`), around ASCII and other
    neighbours, emphasis delimiters, hyphens, dots, handles, and apostrophes inside Cyrillic words."""
    prose = left + name + right
    start, end = len(left), len(left) + len(name)
    if not linker._plain_key(fold(name)):
        return  # never asked: such a key takes the general path
    edges = linker._quick_edges(prose, start, end)
    if edges is not None:
        starts = linker._starts_word(prose, start) and not (
            start > 0 and prose[start - 1] in linker._NOT_BEFORE
        )
        assert edges[0] == starts
        if starts:  # else the scan goes on to the next place, whatever the end
            assert edges[1] == linker._is_mention(prose, start, end, None)
    keys = ["meituan", "nasa", "c++", "q*bert", "x_y", "a~~b", "@smith", "kv cache", "kv", "cache"]
    automaton = build_automaton([*keys, *map(fold, _SCRIPTS)])
    acronyms = {"nasa": "NASA"}
    fast = scan_mentions(prose, acronyms, lambda _lowered: automaton)
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(linker, "_quick_edges", lambda _prose, _start, _end: None)
        assert scan_mentions(prose, acronyms, lambda _lowered: automaton) == fast


@settings(max_examples=500, derandomize=True, deadline=None)
@given(
    st.one_of(
        st.text(
            alphabet=st.sampled_from([" ", "\n", "\x01", "e", "E", "A", "a", ".", "\u0130", "\u03a3", "K"])
        ),
        st.text(),
    )
)
def test_what_orders_the_automaton_never_matches_folded_text(text: str) -> None:
    """The automaton starts with entries that put the commonest characters of prose first (pyahocorasick
    looks a character up among them in order); no folded text holds one."""
    automaton = build_automaton(["meituan", "e", "\u043a\u0438\u0457\u0432", "\u0130stanbul", "\u7f8e\u56e2"])
    assert all(isinstance(facts, KeyFacts) for _last, facts in automaton.iter(fold(text)))


@pytest.mark.parametrize(
    ("keys", "first"),
    [
        (["meituan", "moonshot ai", "deepseek v4", "resrl"], "e"),
        (
            [
                "\u0440\u043e\u0441\u0442\u043e\u0432",
                "\u043c\u043e\u0441\u043a\u0432\u0430",
                "\u043e\u043c\u0441\u043a",
            ],
            "\u043e",  # Ростов, Москва, Омск: о
        ),
        (
            [
                "\u03b1\u03b8\u03ae\u03bd\u03b1",
                "\u03c3\u03c0\u03ac\u03c1\u03c4\u03b7",
                "\u03b8\u03ae\u03b2\u03b1",
            ],
            "\u03b1",
        ),
    ],
)
def test_the_automaton_lists_first_the_letters_the_keys_are_written_in(keys: list[str], first: str) -> None:
    """pyahocorasick compares a character with a node's children in the order they were added, so the root
    lists the separators first, then the letters of the vault's own names, most frequent first (here
    `first`), `.` and `,` last. A fixed list of English letters made each Cyrillic letter of a Russian vault's
    prose wait behind 36 of them: its mention scan took a third longer than an English vault's."""
    order = linker._root_order(sorted(keys))
    assert order.startswith(linker._SEPARATORS + first)
    letters = order[len(linker._SEPARATORS) : -2]
    assert set(letters) == set("".join(keys)) - set(linker._SEPARATORS)
    assert order.endswith(".,")


def test_a_joiner_after_anything_but_an_emoji_counts_towards_min_length() -> None:
    """Regression: counting an emoji as one character counted every zero-width joiner as none, so a name
    ending in a Malayalam chillu (a letter, a virama and a joiner: `അവ്‍`) fell one short of `min_length`."""
    from vaultkit.linker import usable_key

    assert usable_key("അവ്\u200d", 4)
    assert not usable_key("👩\u200d💻", 2)
    assert not usable_key("🏳\ufe0f\u200d🌈", 2)


@pytest.mark.parametrize(
    "lines",
    [
        pytest.param(["Foo bar", "---|---"], id="paragraph"),
        pytest.param(["- Foo bar", "  :--|--:"], id="list"),
        pytest.param(["> Foo bar", "> ---|---"], id="quote"),
    ],
)
@pytest.mark.parametrize("eol", ["\n", "\r\n"])
def test_a_mention_above_a_line_that_could_be_a_delimiter_row_is_left_and_the_rest_linked(
    make_vault: VaultFactory, lines: list[str], eol: str
) -> None:
    """Regression: `Foo bar` over `---|---` is a paragraph (one cell against two); the planner planned
    `[[Target|Foo]] bar` there for an alias Foo, two cells against two, a table, which verify refuses, and
    with it every other link of the note. The mention is left as written; the note's other links are."""
    body = eol.join([*lines, "", "See Other here.", ""])
    root = vault(
        make_vault, {"Target.md": "---\naliases: [Foo]\n---\n", "Other.md": "x\n", "N.md": body.encode()}
    )
    result = run_cli("link", "--no-cache", root)
    assert result.exit_code == 0, result.output
    assert (root / "N.md").read_bytes() == body.replace("Other", "[[Other]]").encode()
    assert run_cli("link", "--check", "--no-cache", root).exit_code == 0


def test_a_relation_refused_after_yamls_document_end_says_why(make_vault: VaultFactory) -> None:
    """`...` before the closing `---` (YAML's document end, as Pandoc's YAML blocks may write it) loads, but a
    relation added where the YAML ends would start a second document: it is refused. Regression: the refusal
    said only "the frontmatter edit would not load as YAML", not which line to delete (review31)."""
    root = make_vault(
        {"Alpha.md": "---\ntitle: Alpha\n...\n---\nAlpha.\n", "Beta.md": "Beta and [[Alpha]].\n"}
    )
    before = snapshot(root)
    result = run_cli("link", "--no-cache", root)
    assert snapshot(root) == before
    assert (
        "Alpha.md: not written: the frontmatter edit would not load as YAML: its YAML ends its document "
        "with '...' on line 3, so a property added after it would start a second one (delete that line)"
    ) in result.stderr, result.output


_GUARDED = {
    "Gamma.md": "Beta here, and `Beta` in code.\n",
    "Beta.md": "---\ntitle: b\n---\n> [!note] Gamma title\n> Gamma in the callout.\n",
    "Delta.md": "\ufeff# Gamma\r\nGamma and Beta, [[Omega]].\r\n",
    "Omega.md": "Delta\rGamma\r",  # bare CRs: read as line breaks
    "Psi.md": "```\nGamma\n```\nAfter: Beta, Delta.\n",
}


@pytest.mark.usefixtures("run_elsewhere")
@pytest.mark.parametrize("args", [("--check",), ("--diff",), ()])
def test_links_are_checked_against_the_parse_the_mention_scan_recorded(
    make_vault: VaultFactory, monkeypatch: pytest.MonkeyPatch, args: tuple[str, ...]
) -> None:
    """The check behind the planner (verify._check_protected) scanned every note it was about to link again,
    a sixth of `link --check` on the 10,000-note bench vault: it now reads the protected ranges the mention
    scan's parse recorded (RunResult.protected). What `link --check`, `--diff` and `link` say and write is
    what the scan of the note as it is says."""
    from vaultkit import fixer, markdown

    def run(carried: bool) -> tuple[Result, dict[str, bytes], int]:
        root = make_vault(_GUARDED, name=f"v{carried}")
        scans = 0
        real = markdown.scan

        def counted(*a: object, **kw: object) -> object:
            nonlocal scans
            scans += sys._getframe(1).f_code.co_name == "_check_protected"
            return real(*a, **kw)  # type: ignore[arg-type]

        with monkeypatch.context() as m:
            m.setattr(markdown, "scan", counted)
            if not carried:
                m.setattr(fixer, "_vouched", lambda *_a: None)
            result = run_cli("link", *args, "--no-cache", "--jobs", "1", root)
        notes = {p.name: p.read_bytes() for p in sorted(root.glob("*.md"))}
        said = Result(result.exit_code, result.stdout.replace(str(root), "ROOT"), result.stderr)
        return said, notes, scans

    carried, general = run(True), run(False)
    assert general[2] > 0  # the general path scans each note it links
    assert carried[2] == 0
    assert carried[:2] == general[:2]


@pytest.mark.parametrize(
    "name",
    [
        "New\nline.md",
        'Say "hi".md',
        "Back\\slash.md",
        "Tab\tand space.md",
        "Rtl\u202e.md",
        "Café.md",
        "한국어 노트.md",
    ],
)
def test_a_diff_of_a_note_whose_name_git_quotes_applies(make_vault: VaultFactory, name: str) -> None:
    """Regression: `link --diff` spelled a note named `New<newline>line.md` out as `a/New\\nline.md`, a
    name of its own to `git apply`, which refused the whole patch ("No such file or directory"). A name
    holding a `"`, a backslash or any character outside printable ASCII is quoted as `git diff` quotes it;
    both `git apply` and `patch -p1` take it, and nothing of the name reaches the terminal unspelled."""

    root = vault(make_vault, {"Gamma.md": "x\n", name: "About Gamma.\n"})
    diff = run_cli("link", "--diff", "--no-cache", root).stdout
    assert _headers(diff)[0].startswith('"a/') and "\n" not in _headers(diff)[0].strip('"\t'), diff
    assert "\u202e" not in diff and "\t" not in diff.replace('"\t', '"'), diff
    _applied_with_git_and_patch(root, diff)


# What `git diff` (2.39, its default `core.quotePath`) heads a note of each name with: every byte outside
# printable ASCII, and `"` and `\\`, quoted as quote.c's `quote_c_style` quotes them
_GIT_DIFF_NAMES = [
    ("Plain.md", "a/Plain.md"),
    ("With space.md", "a/With space.md\t"),
    ("Café.md", '"a/Caf\\303\\251.md"'),
    (
        "한국어 노트.md",
        '"a/\\355\\225\\234\\352\\265\\255\\354\\226\\264 \\353\\205\\270\\355\\212\\270.md"\t',
    ),
    ("Nbsp\u00a0x.md", '"a/Nbsp\\302\\240x.md"'),
    ("Ls\u2028x.md", '"a/Ls\\342\\200\\250x.md"'),
    ("Rlo\u202ex.md", '"a/Rlo\\342\\200\\256x.md"'),
    ("C1\x85x.md", '"a/C1\\302\\205x.md"'),
    ("Del\x7fx.md", '"a/Del\\177x.md"'),
    ("Esc\x1bx.md", '"a/Esc\\033x.md"'),
    ("Tab\tx.md", '"a/Tab\\tx.md"'),
    ('Quo"te.md', '"a/Quo\\"te.md"'),
    ("Back\\slash.md", '"a/Back\\\\slash.md"'),
]


@pytest.mark.parametrize(("name", "header"), _GIT_DIFF_NAMES)
def test_a_diff_heads_a_note_as_git_diff_does_byte_for_byte(name: str, header: str) -> None:
    """Regression: `link --diff` left `Café.md`, a Korean name or one holding U+2028 unquoted, where `git diff`
    quotes every byte outside printable ASCII, and quoted a C1 control or a bidi override in octal, which
    `git diff -c core.quotePath=false` leaves as it is: a header neither form of git's writes. Now the
    name is git's default byte for byte (the table is git 2.39's own output, checked against `git diff`
    below where git is installed)."""
    from vaultkit.fixer import _diff_name

    assert _diff_name("a/", name) == header
    if shutil.which("git") is None:
        return
    assert _git_diff_header(name) == header


def _git_diff_header(name: str) -> str:
    """The `--- ` header `git diff` writes for a file of this name changed, by git's defaults: the user's
    own settings (`diff.noprefix`, `diff.mnemonicPrefix`, `commit.gpgSign` in ~/.gitconfig) changed the
    header or failed the commit."""
    import subprocess
    import tempfile

    env = {**os.environ, "GIT_CONFIG_GLOBAL": os.devnull, "GIT_CONFIG_NOSYSTEM": "1"}
    with tempfile.TemporaryDirectory() as repo:
        git = ["git", "-C", repo, "-c", "user.name=t", "-c", "user.email=t@t", "-c", "core.quotePath=true"]
        subprocess.run([*git, "init", "-q"], check=True, env=env)
        (Path(repo) / name).write_text("a\n", encoding="utf-8")
        subprocess.run([*git, "add", "-A"], check=True, env=env)
        subprocess.run([*git, "commit", "-qm", "x"], check=True, env=env)
        (Path(repo) / name).write_text("b\n", encoding="utf-8")
        out = subprocess.run([*git, "diff"], check=True, capture_output=True, env=env).stdout
    return next(line for line in out.split(b"\n") if line.startswith(b"--- "))[4:].decode()


def test_a_relation_a_plugin_dropped_is_added_again_once_unless_the_note_opts_out(
    make_vault: VaultFactory,
) -> None:
    """A plugin that writes a note's whole frontmatter again at each sync (Zotero Integration, Readwise)
    drops `related`: the next `link` adds it again, once, and nothing else of the note changes; with
    `vaultkit_disable: [VK121]` in the plugin's template, vaultkit leaves the note alone (README, Relations)."""
    synced = "---\ntitle: paper\ncitekey: x\n---\nBody.\n"
    root = make_vault({"A.md": "See [[Paper]].\n", "Paper.md": synced})
    assert run_cli("link", "--no-cache", root).exit_code == 0
    linked = (root / "Paper.md").read_text(encoding="utf-8")
    assert linked == '---\ntitle: paper\ncitekey: x\nrelated:\n  - "[[A]]"\n---\nBody.\n'
    (root / "Paper.md").write_text(synced, encoding="utf-8")  # the plugin's next sync
    assert run_cli("link", "--no-cache", root).exit_code == 0
    assert (root / "Paper.md").read_text(encoding="utf-8") == linked
    before = snapshot(root)
    assert run_cli("link", "--no-cache", root).exit_code == 0
    assert snapshot(root) == before
    opted_out = synced.replace("citekey: x\n", "citekey: x\nvaultkit_disable: [VK121]\n")
    (root / "Paper.md").write_text(opted_out, encoding="utf-8")
    assert run_cli("link", "--no-cache", root).exit_code == 0
    assert (root / "Paper.md").read_text(encoding="utf-8") == opted_out


@pytest.mark.parametrize("fmt", ["shortest", "absolute", "relative"])
def test_a_relation_link_remembered_by_its_target_is_the_one_asked_afresh(
    make_vault: VaultFactory, fmt: str
) -> None:
    """VK121 asks the text of the relation to each note linking to a note (~63,000 times on the 10k bench
    vault): `VaultContext.relation_link` remembers it by the linking note alone, as `writable_link` does,
    but where newLinkFormat is relative. Every note to every note, as a fresh context answers each pair."""
    from vaultkit.analyze import Analyzer
    from vaultkit.engine import open_session
    from vaultkit.rules.base import VaultContext
    from vaultkit.state import VaultState
    from vaultkit.vault import list_vault, nameable

    files = {
        "Top.md": "x\n",
        "A/Meeting.md": "x\n",
        "B/Meeting.md": "x\n",
        "A/B/Deep.md": "x\n",
        "B/ Lead.md": "x\n",
        "C#/Notes.md": "x\n",
        "A/Top.md": "x\n",
        "Only/Once.md": "x\n",
    }
    root = make_vault(files, app={"newLinkFormat": fmt})
    session = open_session(root)
    listing = list_vault(session.root, session.config, session.obsidian, None)
    facts = {f.rel: f for f in Analyzer(session.settings(), session.schemas).parse(listing.notes)}
    ctx = VaultState(session.config, session.obsidian, facts, listing.files).context()
    answers: dict[str, set[str | None]] = {}
    for target in listing.notes:
        for source in listing.notes:
            fresh = VaultContext(ctx.config, ctx.obsidian, ctx.index)
            expected = fresh.writable_link(target, source, fresh.wiki_settings) if nameable(target) else None
            assert ctx.relation_link(target, source) == expected, (target, source)
            answers.setdefault(target, set()).add(expected)
    assert answers["B/ Lead.md"] == {None}
    assert (max(map(len, answers.values())) > 1) == (fmt == "relative")  # else one answer a target


@pytest.mark.parametrize(
    ("prop", "written"),
    [
        ("see also", "see also:"),
        ("#related", '"#related":'),
        ("a: b", '"a: b":'),
        ("- x", '"- x":'),
        ("yes", '"yes":'),
        ("2024", '"2024":'),
    ],
)
def test_a_relations_property_yaml_cannot_take_bare_is_written_quoted(
    make_vault: VaultFactory, prop: str, written: str
) -> None:
    """`relations.property = "#related"` was written bare (`#related:`, a comment to YAML), and so were
    `a: b` and `- x`: check offered the relation (VK121) and every `link` refused the note's edit."""
    toml = f"[relations]\nproperty = {json.dumps(prop)}\n"
    files = {
        "vaultkit.toml": toml,
        "Meituan.md": "---\ntype: entity\n---\nA lab.\n",
        "ResRL.md": "---\ntype: entity\n---\nBy [[Meituan]].\n",
        "Bare.md": "By [[ResRL]].\n",
    }
    root = make_vault(files)
    assert run_cli("link", root).exit_code == 0
    text = (root / "Meituan.md").read_text(encoding="utf-8")
    assert f'\n{written}\n  - "[[ResRL]]"\n' in text, text
    assert f'\n{written}\n  - "[[Bare]]"\n---\n' in (root / "ResRL.md").read_text(encoding="utf-8")
    assert "VK121" not in run_cli("check", root).stdout
    assert "nothing to link" in run_cli("link", root).stderr
