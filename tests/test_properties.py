"""Issue 7: property-based tests of the linker and the readers (hypothesis, deterministic).

Notes are generated from building blocks whose protected regions the generator knows (code fences of every
length and kind, also in lists and quotes; inline code; links of every kind; math; `%%` and HTML comments;
HTML blocks; tables; callouts; headings; CJK; CRLF), in a small vault whose target notes carry generated
frontmatter.
The linker runs through the engine (for its edits) and `vaultkit link` (for the writes), and:

(a) the output minus the inserted link syntax is the input, byte for byte;
(b) a second run changes nothing;
(c) no insertion lands in a protected region: by the generator's own ground truth and by an independent
    reading with mistune 3 (this file's own plugins, rendered to HTML; not vaultkit's scanner nor verify.py);
(d) the relations edit in a target's frontmatter is a pure insertion that leaves every other key, comment and
    quote as it was, and the new list is the old one plus the new links;
(e) parsing never raises. The readers are also fuzzed with arbitrary bytes and text.
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import html.parser
import os
import re
import shutil
import unicodedata
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import mistune
import pytest
from conftest import VaultFactory, run_cli, snapshot
from cost import growth
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from vaultkit import frontmatter, markdown, note, verify
from vaultkit.commands.link import LINK_CODES
from vaultkit.diagnostics import Edit
from vaultkit.edits import apply_text
from vaultkit.engine import Runner, RunOptions, open_session
from vaultkit.linker import relation_anchor, relation_insert, usable_key
from vaultkit.verify import check_edits

SCALE = float(os.environ.get("VAULTKIT_FUZZ_SCALE", "1"))  # e.g. 20 for a long, still deterministic, hunt
SETTINGS = settings(
    derandomize=True,
    max_examples=int(100 * SCALE),
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
FUZZ = settings(derandomize=True, max_examples=int(400 * SCALE), deadline=None)

# -- the vault around the generated note ---------------------------------------------------------------------

TARGETS = {
    "Alpha Beta": "Alpha Beta.md",
    "Gamma": "Gamma.md",
    "東京大学": "Places/東京大学.md",
    "ResRL": "ResRL.md",
    "NASA": "NASA.md",
    "Delta": "Delta.md",  # alias Δέλτα
}
# how a mention may be spelled in prose (case-insensitive except the acronym)
SPELLINGS = ["Alpha Beta", "alpha beta", "Gamma", "GAMMA", "東京大学", "ResRL", "NASA", "Δέλτα", "Delta"]
WORDS = [
    "the",
    "notes",
    "say",
    "that",
    "we",
    "met",
    "about",
    "it",
    "again",
    "research",
    "café",
    "naïve",
    "value",
    "and",
    "or",
    "also",
    "Alphabet",
    "Gammas",
    "nasa",
    "résumé",
    "2024-01-05",
    "42",
]
CJK = ["私は", "に行った", "研究", "。", "について", "中文"]

Piece = tuple[str, bool]  # (text, protected)


def words(draw: st.DrawFn, k: int = 3) -> str:
    return " ".join(draw(st.lists(st.sampled_from(WORDS), min_size=1, max_size=k)))


def mention(draw: st.DrawFn) -> str:
    return draw(st.sampled_from(SPELLINGS))


@st.composite
def inline_piece(draw: st.DrawFn) -> Piece:  # noqa: PLR0911 - one branch per construct
    kind = draw(
        st.sampled_from(
            [
                "prose",
                "prose",
                "prose",
                "cjk",
                "code",
                "wiki",
                "md",
                "math",
                "comment",
                "html_comment",
                "url",
                "tag",
                "footnote",
                "emphasis",
                "currency",
                "escaped",
                "code_across_lines",
            ]
        )
    )
    name = mention(draw)
    if kind == "prose":
        return f"{words(draw)} {name} {words(draw)}", False
    if kind == "cjk":
        return draw(st.sampled_from(CJK)) + draw(st.sampled_from(["東京大学", "研究所"])) + draw(
            st.sampled_from(CJK)
        ), False
    if kind == "currency":  # not math: the closing `$` follows a space, and a digit follows it
        return f"costs $5 and {name} $10", False
    if kind == "escaped":
        return f"\\`{name}\\` and", False
    if kind == "code_across_lines":
        return f"``code\n{name} ``", True
    if kind == "emphasis":
        mark = draw(st.sampled_from(["*", "**", "_"]))
        return f"{mark}{words(draw, 2)} {name}{mark}", False
    if kind == "code":
        ticks = "`" * draw(st.integers(1, 3))
        inner = f"{name} {'` x' if len(ticks) > 1 else 'x'} {name}"
        return f"{ticks}{inner}{ticks}", True
    if kind == "wiki":
        return draw(
            st.sampled_from(
                [
                    f"[[{name}]]",
                    f"[[Gamma|{name}]]",
                    f"[[Gamma#Heading {name}]]",
                    "![[Gamma]]",
                    f"[[Gamma#^blk-1|{name}]]",
                    f"[[Missing {name}]]",
                    "[[ResRL#A#B]]",
                ]
            )
        ), True
    if kind == "md":
        return draw(
            st.sampled_from(
                [
                    f"[{name}](Gamma.md)",
                    f"[{name}](Alpha%20Beta.md)",
                    f"![{name}](pic.png)",
                    f"[{name}](https://example.com/{name.replace(' ', '_')})",
                ]
            )
        ), True
    if kind == "math":
        return draw(st.sampled_from([f"$x + {name}$", f"$$ {name} $$", "$a_1$"])), True
    if kind == "comment":
        return f"%%{name} hidden%%", True
    if kind == "html_comment":
        return f"<!-- {name} -->", True
    if kind == "url":
        return f"https://example.com/{name.replace(' ', '')}/page", True
    if kind == "tag":
        return "#" + draw(st.sampled_from(["Gamma", "ResRL", "topic/NASA"])), True
    return "[^1]", True


@st.composite
def paragraph(draw: st.DrawFn) -> list[Piece]:
    pieces: list[Piece] = [(words(draw, 2), False)]  # a word first: a line never opens a block construct
    for piece in draw(st.lists(inline_piece(), min_size=1, max_size=5)):
        sep = "\n" if not piece[1] and draw(st.booleans()) else " "
        pieces.append((sep, False))
        pieces.append(piece)
    return pieces


def prefixed(pieces: list[Piece], prefix: str) -> list[Piece]:
    """Put `prefix` (a list marker or `> `) before every line of the paragraph."""
    out: list[Piece] = [(prefix, False)]
    for text, protected in pieces:
        if "\n" in text and not protected:
            out.append((text.replace("\n", "\n" + prefix), False))
        else:
            out.append((text, protected))
    return out


@st.composite
def block(draw: st.DrawFn) -> list[Piece]:  # noqa: PLR0911 - one branch per construct
    kind = draw(
        st.sampled_from(
            [
                "para",
                "para",
                "para",
                "list",
                "quote",
                "heading",
                "setext",
                "fence",
                "fence_list",
                "fence_quote",
                "indented",
                "math",
                "html",
                "comment_block",
                "table",
                "callout",
                "quote_list",
                "nested_callout",
                "heading_in_quote",
                "heading_in_list",
                "fence_long_close",
                "html_comment_block",
                "table_bare",
            ]
        )
    )
    name = mention(draw)
    if kind == "para":
        return draw(paragraph())
    if kind == "list":
        marker = draw(st.sampled_from(["- ", "* ", "1. ", "  - "]))
        return [*prefixed(draw(paragraph()), marker), ("\n", False), *prefixed(draw(paragraph()), marker)]
    if kind == "quote":
        return prefixed(draw(paragraph()), draw(st.sampled_from(["> ", ">> ", "> > "])))
    if kind == "heading":
        return [(f"{'#' * draw(st.integers(1, 6))} Heading {name}", True)]
    if kind == "setext":
        return [(f"Title {name}\n{draw(st.sampled_from(['===', '---']))}", True)]
    fence = draw(st.sampled_from(["```", "````", "~~~", "~~~~~"]))
    info = draw(st.sampled_from(["", "python", " dataview"]))
    code = f"print('{name}')\n{name} = 1\n{fence[0] * 3 if len(fence) > 3 else ''}"
    if kind == "fence":
        return [(f"{fence}{info}\n{code}\n{fence}", True)]
    if kind == "fence_list":
        lines = f"{fence}{info}\n{code}\n{fence}".split("\n")
        return [("- item\n\n", False), ("\n".join("  " + line for line in lines), True)]
    if kind == "fence_quote":
        lines = f"{fence}{info}\n{code}\n{fence}".split("\n")
        return [("\n".join("> " + line for line in lines), True)]
    if kind == "indented":
        return [("Before code.\n\n", False), (f"    {name} in indented code\n    more {name}", True)]
    if kind == "math":
        return [(f"$$\n{name} = \\frac{{1}}{{2}}\n$$", True)]
    if kind == "html":
        return [(f'<div class="x">\n{name} inside html\n</div>', True)]
    if kind == "comment_block":
        return [(f"%%\n{name} in a comment\n\nstill {name} in it\n%%", True)]
    if kind == "quote_list":
        return prefixed(draw(paragraph()), "> - ")
    if kind == "nested_callout":
        return [(f"> > [!tip] Nested {name}\n", True), *prefixed(draw(paragraph()), "> > ")]
    if kind == "heading_in_quote":
        return [(f"> ## Quoted heading {name}", True)]
    if kind == "heading_in_list":
        return [(f"- ## Listed heading {name}", True)]
    if kind == "fence_long_close":  # a shorter fence does not close a longer one
        return [(f"````\n{name}\n```\n{name} still code\n`````", True)]
    if kind == "html_comment_block":
        return [(f"<!--\n{name}\n\n{name} again\n-->", True)]
    if kind == "table_bare":
        return [(f"{name} | b\n--- | ---\nc | {name}", True)]
    if kind == "table":
        return [(f"| {name} | b |\n| --- | --- |\n| c | {name} |", True)]
    body = draw(paragraph())
    header: Piece = (f"> [!{draw(st.sampled_from(['note', 'tip', 'warning']))}] Title {name}\n", True)
    return [header, *prefixed(body, "> ")]


@st.composite
def related_value(draw: st.DrawFn) -> str:
    kind = draw(
        st.sampled_from(
            ["block", "block0", "block_comment", "flow", "flow_empty", "single", "null", "null_comment"]
        )
    )
    quote = draw(st.sampled_from(['"', "'"]))
    item = f"{quote}[[Omega]]{quote}"
    return {
        "block": f"related:\n  - {item}\n",
        "block0": f"related:\n- {item}\n- {quote}[[Psi]]{quote}\n",
        "block_comment": f"related:   # the relations\n    - {item}   # first\n",
        "flow": f"related: [{item}, {quote}[[Psi]]{quote}]\n",
        "flow_empty": "related: []\n",
        "single": f"related: {item}\n",
        "null": "related:\n",
        "null_comment": "related: # none yet\n",
    }[kind]


OTHER_KEYS = [
    'title: "A title # not a comment"\n',
    "# a comment line\n",
    "tags: [demo, 'quoted']\n",
    "created: 2024-01-05\n",
    "count: 010\n",
    "flag: yes\n",
    "empty:\n",
    "multi: |\n  line one\n  line two\n",
    "aliases:\n  - Other name\n",
]


@st.composite
def target_frontmatter(draw: st.DrawFn) -> str:
    if draw(st.integers(0, 4)) == 0:
        return ""
    keys = draw(st.lists(st.sampled_from(OTHER_KEYS), max_size=4, unique=True))
    if draw(st.integers(0, 3)):
        keys.insert(draw(st.integers(0, len(keys))), draw(related_value()))
    return "---\n" + "".join(keys) + "---\n"


@dataclass
class Generated:
    subject: bytes
    protected: list[tuple[int, int]]  # character ranges of the decoded subject text (without BOM)
    body_start: int
    targets: dict[str, bytes]
    eol: str


@st.composite
def vaults(draw: st.DrawFn) -> Generated:
    eol = draw(st.sampled_from(["\n", "\r\n"]))
    bom = draw(st.integers(0, 5)) == 0
    pieces: list[Piece] = []
    for i, blk in enumerate(draw(st.lists(block(), min_size=2, max_size=8))):
        if i:
            pieces.append(("\n\n", False))
        pieces.extend(blk)
    pieces.append(("\n", False))
    head = draw(st.sampled_from(["", "---\ntitle: Subject\n---\n", "---\ntags: [a]\nrelated: []\n---\n"]))
    text = head.replace("\n", eol)
    protected = []
    for raw, is_protected in pieces:
        piece = raw.replace("\n", eol)
        if is_protected:
            protected.append((len(text), len(text) + len(piece)))
        text += piece
    targets = {}
    for i, rel in enumerate(sorted(TARGETS.values())):
        fm = draw(target_frontmatter())
        t_eol = draw(st.sampled_from(["\n", "\r\n"]))
        extra = "aliases: [Δέλτα]\n" if rel == "Delta.md" else ""
        if extra and fm:
            fm = fm.replace("---\n", "---\n" + extra, 1)
        elif extra:
            fm = "---\n" + extra + "---\n"
        targets[rel] = (fm + f"Target note {i}.\n").replace("\n", t_eol).encode()
    data = ("\ufeff" if bom else "").encode() + text.encode()
    return Generated(data, protected, len(head.replace("\n", eol)), targets, eol)


# -- running the linker --------------------------------------------------------------------------------------


def build(root: Path, g: Generated) -> None:
    if root.exists():
        shutil.rmtree(root)
    (root / ".obsidian").mkdir(parents=True)
    (root / ".obsidian" / "app.json").write_text("{}")
    # a one-line schema folder: the bundled schemas are not the subject here, and compiling them is most of
    # a run
    (root / "vaultkit.toml").write_text('schema_dir = "schemas"\n')
    (root / "schemas").mkdir()
    (root / "schemas" / "default.schema.json").write_text('{"type": "object"}')
    (root / "Subject.md").write_bytes(g.subject)
    (root / "Omega.md").write_bytes(b"Omega.\n")
    (root / "Psi.md").write_bytes(b"Psi.\n")
    for rel, data in g.targets.items():
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_bytes(data)


def planned_edits(root: Path) -> dict[str, list[Edit]]:
    session = open_session(root)
    result = Runner(session).run(RunOptions(None, 1, False, fixing=True, preview=True, select=LINK_CODES))
    plan: dict[str, list[Edit]] = {}
    for d in result.diagnostics:
        if d.fix is not None and d.fix.safe:
            plan.setdefault(d.path, []).extend(d.fix.edits)
    return plan


def decode(data: bytes) -> str:
    text = data.decode("utf-8")
    return text[1:] if text.startswith("\ufeff") else text


_OPEN = re.compile(r"\[\[(?:[^\[\]|\r\n]+\|)?\Z")


def check_body_edit(old: str, e: Edit) -> None:
    """(a) for one edit: it wraps the mention, and stripping the wrapper gives the mention back."""
    mention_text = old[e.start : e.end]
    assert e.end > e.start and mention_text.strip() == mention_text
    assert e.text.endswith(mention_text + "]]"), (e, mention_text)
    assert _OPEN.match(e.text[: len(e.text) - len(mention_text) - 2]), e


# -- the independent reading: mistune 3 with this file's own Obsidian plugins, rendered to HTML --------------

SENTINEL = 0xE000  # BMP private use; never in generated notes


def _obsidian_plugins(md: Any) -> None:
    def wikilink(inline: Any, m: re.Match[str], state: Any) -> int:
        state.append_token({"type": "obsidian_link", "raw": m.group(0)})
        return m.end()

    def comment(inline: Any, m: re.Match[str], state: Any) -> int:
        state.append_token({"type": "obsidian_comment", "raw": m.group(0)})
        return m.end()

    md.inline.register("obsidian_link", r"!?\[\[[^\[\]\n]+?\]\]", wikilink, before="link")
    md.inline.register("obsidian_comment", r"%%[\s\S]+?%%", comment, before="link")
    if md.renderer is not None:
        md.renderer.register("obsidian_link", lambda r, raw: f'<a class="wikilink">{html.escape(raw)}</a>')
        md.renderer.register("obsidian_comment", lambda r, raw: f"<!--{raw}-->")


INDEPENDENT = mistune.create_markdown(
    escape=False, plugins=["table", "math", "footnotes", "strikethrough", "url", _obsidian_plugins]
)
FORBIDDEN = {
    "code",
    "pre",
    "a",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "table",
    "th",
    "td",
    "div",
    "script",
    "style",
    "img",
}
VOID = {"br", "hr", "img", "input", "meta", "link", "source", "wbr", "col", "area", "base", "embed"}


class _Where(html.parser.HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.stack: list[tuple[str, str]] = []
        self.bad: dict[str, str] = {}

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag not in VOID:
            self.stack.append((tag, dict(attrs).get("class") or ""))

    def handle_endtag(self, tag: str) -> None:
        for k in range(len(self.stack) - 1, -1, -1):
            if self.stack[k][0] == tag:
                del self.stack[k:]
                break

    def _see(self, data: str, where: str | None) -> None:
        for ch in data:
            if ord(ch) >= SENTINEL and ord(ch) < SENTINEL + 0x1000:
                inside = where or next(
                    (f"<{t} class={c!r}>" for t, c in self.stack if t in FORBIDDEN or "math" in c), None
                )
                if inside:
                    self.bad[ch] = inside

    def handle_data(self, data: str) -> None:
        self._see(data, None)

    def handle_comment(self, data: str) -> None:
        self._see(data, "a comment")


def independent_verdict(text: str, body_start: int, edits: list[Edit]) -> dict[str, str]:
    """Where mistune puts each edited span: {span text: forbidden container} for the bad ones."""
    body = text[body_start:]
    pieces, last = [], 0
    names = {}
    for i, e in enumerate(sorted(edits, key=lambda e: e.start)):
        mark = chr(SENTINEL + i)
        names[mark] = text[e.start : e.end]
        pieces += [body[last : e.start - body_start], mark]
        last = e.end - body_start
    pieces.append(body[last:])
    parser = _Where()
    parser.feed(INDEPENDENT("".join(pieces)))
    return {names[m]: where for m, where in parser.bad.items()}


# -- the properties ------------------------------------------------------------------------------------------


@SETTINGS
@given(g=vaults())
def test_linker_properties(g: Generated, tmp_path: Path) -> None:
    root = tmp_path / "vault"
    build(root, g)
    before = snapshot(root)
    plan = planned_edits(root)  # (e): parsing every note raised nothing
    result = run_cli("link", root)
    assert "Traceback" not in result.output
    assert result.exit_code == 0, result.output  # the writer's second opinion refused nothing
    after = snapshot(root)

    for rel, old_bytes in before.items():
        new_bytes = after[rel]
        edits = plan.get(rel, [])
        if not edits:
            assert new_bytes == old_bytes, rel
            continue
        old = decode(old_bytes)
        expected = apply_text(old, edits)
        assert decode(new_bytes) == expected, rel
        assert new_bytes.startswith(b"\xef\xbb\xbf") == old_bytes.startswith(b"\xef\xbb\xbf")
        fm = frontmatter.split(old)
        body_edits = [e for e in edits if is_link_edit(e)]
        for e in body_edits:
            check_body_edit(old, e)  # (a)
            assert e.start >= (fm.body_start if fm.present else 0), e
            if rel == "Subject.md":
                for start, end in g.protected:  # (c), by the generator's ground truth
                    assert e.end <= start or e.start >= end, (old[start:end], e)
        if rel == "Subject.md" and body_edits:
            assert independent_verdict(old, fm.body_start if fm.present else 0, body_edits) == {}  # (c)
        check_relations_edit(old, decode(new_bytes), [e for e in edits if not is_link_edit(e)])  # (d)

    event(f"link edits in Subject: {min(len([e for e in plan.get('Subject.md', []) if is_link_edit(e)]), 3)}")
    event(f"relations edits: {min(sum(1 for es in plan.values() for e in es if not is_link_edit(e)), 3)}")
    assert planned_edits(root) == {}  # (b)
    again = run_cli("link", root)
    assert again.exit_code == 0, again.output
    assert snapshot(root) == after  # (b)


def is_link_edit(e: Edit) -> bool:
    return e.end > e.start and e.text.startswith("[[")


def check_relations_edit(old: str, new: str, edits: list[Edit]) -> None:
    """(d): pure insertions (or a single value wrapped into a list, kept verbatim) inside the frontmatter, so
    every byte of the old frontmatter (comments, quotes, other keys) is still there; every other key loads to
    the same value; the related list is the old one plus new items."""
    if not edits:
        return
    old_fm = frontmatter.split(old)
    for e in edits:
        assert e.start <= (old_fm.yaml_end if old_fm.present else 0), e
        replaced = old[e.start : e.end]
        assert replaced == "" or replaced in e.text, e  # nothing of the user's is removed
    frontmatter.load(old, old_fm)
    new_fm = frontmatter.split(new)
    frontmatter.load(new, new_fm)
    assert new_fm.loaded and not [p for p in new_fm.problems if p.code != "VK003"], new_fm.problems
    assert {k: v for k, v in new_fm.data.items() if k != "related"} == {
        k: v for k, v in old_fm.data.items() if k != "related"
    }
    old_related = old_fm.data.get("related")
    old_list = [old_related] if isinstance(old_related, str) else list(old_related or [])
    new_list = new_fm.data["related"]
    assert new_list[: len(old_list)] == old_list and len(new_list) > len(old_list)


# -- deterministic regressions found while building this suite -----------------------------------------------


def test_independent_reader_sees_protected_regions() -> None:
    """The mistune oracle itself must flag what it is there to flag."""
    text = "Gamma in `code Gamma` and [[Gamma]] and %%Gamma%% and $Gamma$\n\n# Gamma\n"
    spans = [m.start() for m in re.finditer("Gamma", text)]
    verdicts = independent_verdict(text, 0, [Edit(s, s + 5, "[[Gamma]]") for s in spans])
    assert len(verdicts) == 1  # all five forbidden spans share the text 'Gamma': one key
    only_prose = independent_verdict(text, 0, [Edit(0, 5, "[[Gamma]]")])
    assert only_prose == {}


# -- fuzzing the readers -------------------------------------------------------------------------------------

MD_ALPHABET = st.sampled_from(list("-:#>`~$%![]()|*_^{}<>\"'\\ \t\r\n\x00aZ0é東\ufeff&/=+.,?;@"))
YAML_ALPHABET = st.sampled_from(
    [*"-:?[]{},&*!|>'\"#%@` \t\r\nab01.~\\", "---\n", "...\n", "!!python/", "&a ", "*a", "<<: "]
)


def _parse_bytes(data: bytes) -> None:
    parsed = note.parse("Fuzz.md", note.RawFile(data, hashlib.sha256(data).hexdigest()))
    if parsed.readable:
        assert parsed.fm.body_start <= len(parsed.text)
        assert len(parsed.body.prose) == len(parsed.text) - parsed.fm.body_start


@FUZZ
@given(st.binary(max_size=2000))
def test_fuzz_note_parse_bytes(data: bytes) -> None:
    _parse_bytes(data)


@FUZZ
@given(st.text(MD_ALPHABET, max_size=400).map(lambda s: s.encode("utf-8")))
def test_fuzz_note_parse_markdownish(data: bytes) -> None:
    _parse_bytes(data)


@FUZZ
@given(st.lists(YAML_ALPHABET, max_size=120).map("".join))
def test_fuzz_frontmatter(src: str) -> None:
    text = "---\n" + src + "\n---\nbody\n"
    fm = frontmatter.split(text)
    frontmatter.load(text, fm)
    if fm.present:
        assert fm.yaml_start <= fm.yaml_end <= fm.body_start <= len(text)
    for problem in fm.problems:
        assert problem.line >= 1 and problem.col >= 1 and problem.message


@FUZZ
@given(st.text(max_size=600))
def test_fuzz_frontmatter_split_any_text(text: str) -> None:
    fm = frontmatter.split(text)
    frontmatter.load(text, fm)


@FUZZ
@given(st.text(MD_ALPHABET, max_size=600), st.integers(1, 50))
def test_fuzz_markdown_scan(body: str, first_line: int) -> None:
    scan = markdown.scan(body, first_line)
    assert len(scan.prose) == len(body)
    for link in scan.links:
        assert 0 <= link.start < link.end <= len(body)


@pytest.mark.parametrize("form", ["NFC", "NFD"])
def test_unicode_forms_parse(form: str) -> None:
    text = unicodedata.normalize(form, "---\ntitle: Café\n---\nSee Café and 東京大学.\n")
    _parse_bytes(text.encode())


# -- regressions for defects fixed in verify.py --------------------------------------------------------------


def test_verify_is_linear_on_unclosed_templater_openers(monkeypatch: pytest.MonkeyPatch) -> None:
    """The `<%...%>` rule was a lazy regex: every unclosed `<%` rescanned the rest of the paragraph, so 20,000
    of them took about 3 s (40,000: 11 s) before a single link could be written. Counted, not timed: the
    rescan was inside one regex search, which no count of lines sees, so what is counted is what keeps the
    read linear. An unclosed `<%` is one comment to the paragraph's end (as the scanner reads it), so no
    opener after it is tried again: the rule's searches are handed fewer characters than the note has."""
    searched: list[int] = []
    until = verify._until

    def counting(closer: str) -> Any:
        parse = until(closer)

        def counted(inline: Any, m: re.Match[str], state: Any) -> int:
            end: int = parse(inline, m, state)
            searched.append(end - m.end())
            return end

        return counted

    monkeypatch.setattr(verify, "_until", counting)
    text = "Gamma " + "<%" * 20_000 + "\n"
    (paragraph,) = verify._markdown.__wrapped__("all")(text)
    assert paragraph["children"][1:] == [{"type": "comment", "raw": "<%" * 20_000}]
    assert sum(searched) < len(text), searched[:5]
    _verifies(text)


def _verifies(text: str) -> None:
    """The writer's check accepts a link on the `Gamma` that `text` starts with."""
    assert check_edits(text, "[[Gamma]]" + text[5:], [Edit(0, 5, "[[Gamma]]")], "related") is None


def _paragraph_text_looked_up(
    monkeypatch: pytest.MonkeyPatch, hold: bool = False
) -> Callable[[Callable[[], object]], int]:
    """How many characters of a paragraph's text its token holds each time mistune looks the token up to add
    a line to it, added up over a call: what mistune's own `+=` on that text copies (a dict's value is never
    grown in place), and 0 past the first line where the lines are gathered and joined once. `hold`: the
    token's text is held elsewhere too, as a plugin, a tracer or a debugger looking at it may."""
    import mistune.core

    original = mistune.core.BlockState.last_token
    chars = 0

    def last_token(state: Any) -> Any:
        nonlocal chars
        token = original(state)
        if token and token.get("type") == "paragraph":
            chars += len(token.get("text", ""))
        if hold:
            state.held = token.get("text") if token else None
        return token

    monkeypatch.setattr(mistune.core.BlockState, "last_token", last_token)

    def counted(call: Callable[[], object]) -> int:
        nonlocal chars
        chars = 0
        call()
        return chars

    return counted


@pytest.mark.parametrize("piece", ["<a\n", "    a\n", "2. a\n"])
def test_verify_is_linear_on_a_paragraph_of_lines_that_start_no_block(
    piece: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """mistune grows a paragraph with `+=` on its token's text for each line that looks as if it could
    start a block but cannot interrupt a paragraph (an HTML tag, an indented line, a list not starting at
    1): each such line copied the paragraph so far, and a 5 MB note of them took minutes to verify. Counted,
    not timed (the copies are inside `+=`, which no count of lines sees): the paragraph's text in its token
    each time a line is added, about 8 times as much for 8 times the lines, 64 times with mistune's own
    `+=`. (The lines follow a line of prose: after a blank line, indented ones are code and `2. a` a list.)"""
    copied = _paragraph_text_looked_up(monkeypatch)
    assert growth(lambda n: copied(lambda: _verifies("Gamma here.\n\nText\n" + piece * n)), 125) < 2 * 8


def test_verify_grows_a_paragraph_in_linear_time_while_its_text_is_held(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A paragraph grew with `+=` on its text, in place only while nothing else held the text (CPython's
    optimisation; not PyPy's): here mistune's `last_token` holds the last paragraph's text, as a plugin, a
    tracer or a debugger looking at it may, and each line copied the paragraph so far. Counted, not timed:
    the paragraph's text in its token each time a line is added (what a `+=` on held text copies), about
    8 times as much for 8 times the lines, 64 times where the text was grown in its token."""
    copied = _paragraph_text_looked_up(monkeypatch, hold=True)
    md = verify._markdown.__wrapped__("none")

    def parse(lines: int) -> None:
        (paragraph,) = md("Gamma\n" + ("<a" + "x" * 300 + "\n") * lines)
        assert paragraph["type"] == "paragraph"

    assert growth(lambda n: copied(lambda: parse(n)), 125) < 2 * 8


def test_verify_keeps_mistunes_paragraphs_where_they_read_otherwise(monkeypatch: pytest.MonkeyPatch) -> None:
    """The gathered paragraphs are used only where they read the probes as the installed mistune does: one
    whose text is never joined reads them otherwise, and leaves mistune's own block state in place."""
    assert verify._markdown.__wrapped__("all").block.state_cls.__name__ == "LinearBlockState"
    monkeypatch.setattr(verify, "_join", lambda state: None)
    md = verify._markdown.__wrapped__("all")
    assert md.block.state_cls.__name__ != "LinearBlockState"
    assert md("a\n<b\n")[0]["children"][-1] == {"type": "text", "raw": "<b"}


def test_verify_skips_plain_text_in_its_inline_parse() -> None:
    """vaultkit's inline rules (wikilinks, `%%` and `<%` comments) were registered without the characters
    they start with, so mistune 3.4 could not skip plain text: it asked every rule at each line of a paragraph,
    and linking a mention in a 2.9 MB paragraph (an unclosed `$$`, say) took 12 s and 540 MB to `vaultkit
    link`, 6 s of it in this parse."""
    import inspect

    md = verify._markdown.__wrapped__("all")
    if "start_chars" not in inspect.signature(md.inline.register).parameters:
        pytest.skip("this mistune takes no start characters")
    assert md.inline._get_fast_trigger_chars() is not None
    assert md("a [[b]] %% c %% <% d %> e")[0]["children"][1:6:2] == [
        {"type": "wikilink", "raw": "[[b]]"},
        {"type": "comment", "raw": "%% c %%"},
        {"type": "comment", "raw": "<% d %>"},
    ]


def test_verify_makes_mistunes_plain_text_regex_once(monkeypatch: pytest.MonkeyPatch) -> None:
    """mistune 3.4 looks up the regex that finds where plain text ends anew for each piece of text (the
    characters its rules start with sorted, a tuple made and compared): an eighth of the check of the links
    of 4,000 notes. The check makes it once, and reads every note as mistune does."""
    md = verify._markdown.__wrapped__("all")
    if not hasattr(type(md.inline), "_get_fast_trigger_re"):
        pytest.skip("this mistune has no such regex")
    text = (
        "# A *title*\n\nSee [[Alpha]], `code`, **bold** and <b>html</b> at https://x.org %% c %% <% t %>.\n"
        "Line two with $math$, ~~gone~~, ==mark== and [a link](u) then\\\nmore  \nand [^1].\n\n"
        "- item *one*\n- item [[Beta|two]]\n\n> quote `x`\n\n| a | b |\n|---|---|\n| *c* | d |\n\n[^1]: note\n"
    )
    looked_up: list[object] = []
    real = type(md.inline)._get_fast_trigger_re

    def lookup(self: Any, chars: Any) -> Any:
        looked_up.append(chars)
        return real(self, chars)

    monkeypatch.setattr(type(md.inline), "_get_fast_trigger_re", lookup)
    tokens = md(text)
    assert looked_up == []
    monkeypatch.setattr(verify, "_trigger_compiled_once", lambda md: None)
    assert tokens == verify._markdown.__wrapped__("all")(text)
    assert looked_up  # mistune's own way: a lookup for each piece of text


# Pieces of text around an `h`: URLs, near-URLs, entities (a text token ending in `&` is not joined with one
# starting `hellip;`), emphasis, links, code, breaks, and markers
_H_PIECES = [
    *("h", "H", "ht", "http", "https", "http:", "http:/", "http://", "https://", "HTTP://", "hTTp://"),
    *("x.org", "a.b/c?d=e", "h.co)", "hh", "th", "&", "&h", "hellip;", ";", "&#104;", "\\", "\\h"),
    *(" ", "  ", "\n", "  \n", "\\\n", "*", "**", "_", "[", "]", "](", ")", "`", "<", ">", "<h", "~~"),
    *("==", "^^", "$", "%%", "!", "[[", "]]", "|", "word", "the hat", chr(0xF0000), chr(0xF0001)),
]


@FUZZ
@given(st.lists(st.sampled_from(_H_PIECES), max_size=40).map("".join))
def test_the_url_trigger_reads_as_mistunes_own(text: str) -> None:
    """The check's inline parse stops at an `h` only where a URL starts (`verify._url_trigger`); mistune's own
    stops at every `h`. Both read every text alike: the same tokens (docs/DESIGN.md: a fast path is
    compared with the general code on generated input), and so the same markers in prose."""
    if verify._url_trigger(verify._markdown("all").inline, {"h", "["}) is None:
        pytest.skip("this mistune's url rule is not the one the trigger knows")
    own = _mistunes_own_trigger()
    for inline in ("all", "marked"):
        md = verify._markdown(inline)
        for body in (text, f"- {text}\n", f"> {text}\n\n# {text}\n"):
            ours, theirs = md(body), own[inline](body)
            assert ours == theirs
            assert list(verify._marks_in(ours, True)) == list(verify._marks_in(theirs, True))


@functools.cache
def _mistunes_own_trigger() -> dict[str, Any]:
    """The check's parsers as they were with mistune's own regex of where plain text ends."""
    real = verify._url_trigger
    verify._url_trigger = lambda inline, chars: None
    try:
        return {inline: verify._markdown.__wrapped__(inline) for inline in ("all", "marked")}
    finally:
        verify._url_trigger = real


def test_verify_is_linear_on_a_long_block_quote(monkeypatch: pytest.MonkeyPatch) -> None:
    """mistune 3.4 gathers a block quote's text with `+=`, one line at a time, and CPython copied the quote
    so far for each line (a quote of empty `>` lines shows it most): linking one mention in a 4.9 MB note of
    them took 139 s. Counted, not timed (the copies are inside `+=`, which no count of lines sees): each
    line mistune's `_parse_block_quote_line` hands out counts the characters of the text a `+=` adds it
    to. Gathering the lines copies none (mistune's own: 499,499 characters for 1,000 lines)."""
    from mistune import block_parser

    _verifies("Gamma here.\n\n" + ">\n" * 1000)  # the writer reads such a quote
    copied = 0

    class Line(str):
        def __radd__(self, other: str) -> str:
            nonlocal copied
            copied += len(other)
            return other + str(self)

    def counted(line: str) -> str | None:
        quote = strip(line)
        return None if quote is None else Line(quote)

    strip = block_parser._parse_block_quote_line
    monkeypatch.setattr(block_parser, "_parse_block_quote_line", counted)
    md = verify._markdown.__wrapped__("none")
    text = ">\n" * 1000
    assert md(text)[0]["type"] == "block_quote"
    assert copied < len(text), copied


def test_verify_keeps_mistunes_block_quotes_where_they_read_otherwise(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The linear extraction is used only where it reads the probes as the installed mistune does; one that
    reads them otherwise (or fails) leaves mistune's own in place."""

    def wrong(block: Any, m: Any, state: Any) -> Any:
        raise ValueError("a mistune of another shape")

    assert isinstance(verify._markdown.__wrapped__("all").block.extract_block_quote, functools.partial)
    monkeypatch.setattr(verify, "_extract_block_quote", wrong)
    md = verify._markdown.__wrapped__("all")
    assert not isinstance(md.block.extract_block_quote, functools.partial)
    assert md("> a\nb\n")[0]["type"] == "block_quote"


@FUZZ
@given(st.text(MD_ALPHABET, max_size=600), st.data())
def test_fuzz_verify_parses_inline_only_where_it_looks(body: str, data: st.DataObject) -> None:
    """The writer's second opinion parses inline only the blocks that hold a marker (for where the markers
    are), and no block inline (for the block structure): mistune spent most of a link run there. Both must
    read as a whole parse reads."""
    places = sorted(data.draw(st.lists(st.integers(0, len(body)), max_size=4, unique=True)))
    text = body
    for i, at in enumerate(reversed(places)):
        text = text[:at] + chr(verify._MARK_BASE + i) + text[at:]
    whole = verify._markdown("all")(text)
    marked = verify._markdown("marked")(text)
    assert sorted(verify._marks_in(marked, True)) == sorted(verify._marks_in(whole, True))
    assert verify._blocks(verify._markdown("none")(text)) == verify._blocks(whole)


def test_verify_takes_no_marker_the_note_holds() -> None:
    """Regression: the markers that stand in for the edits were U+F0000, U+F0001...; a note holding one in
    its prose (Nerd Fonts' icons are there) let the edit that marker stood for pass wherever it was: a link
    inside a code span was taken for prose."""
    text = "Alpha here, \U000f0001 an icon.\n\n`Beta` in code.\n"
    alpha, beta = text.index("Alpha"), text.index("Beta")
    edits = [Edit(alpha, alpha + 5, "[[Alpha]]"), Edit(beta, beta + 4, "[[Beta]]")]
    reason = check_edits(text, apply_text(text, edits), edits, "related")
    assert reason is not None and "'Beta'" in reason


def _verdict(text: str, name: str) -> str | None:
    """What verify says of linking the first `name` in `text` as `[[name]]`: None, or why not."""
    start = text.index(name)
    edit = Edit(start, start + len(name), f"[[{name}]]")
    return check_edits(text, apply_text(text, [edit]), [edit], "related")


@pytest.mark.parametrize("opener", ["<%", "%%"])
def test_verify_reads_an_unclosed_comment_to_the_end_of_the_paragraph(opener: str) -> None:
    """As the scanner does (and Obsidian, for `%%`): text after an unclosed opener is not prose."""
    text = f"Words {opener} and Gamma here.\n"
    assert _verdict(text, "Gamma") is not None


def test_verify_allows_a_relation_edit_in_a_note_with_a_duplicate_key() -> None:
    """A duplicate key (reported as VK003, loads with the last value) made every relations edit of that note
    fail with 'the frontmatter edit would not load as YAML': the problem was the note's, not the edit's."""
    old = '---\ntitle: a\ntitle: b\nrelated:\n  - "[[Omega]]"\n---\nBody.\n'
    at = old.index("\n---\nBody")
    edit = Edit(at, at, '\n  - "[[Subject]]"')
    assert check_edits(old, apply_text(old, [edit]), [edit], "related") is None


def test_verify_refuses_an_edit_that_adds_a_problem() -> None:
    old = "---\ntitle: a\n---\nBody.\n"
    at = old.index("\n---\nBody")
    edit = Edit(at, at, '\ntitle: a\nrelated:\n  - "[[Subject]]"')
    reason = check_edits(old, apply_text(old, [edit]), [edit], "related")
    assert reason is not None and "VK003" in reason


def _kept(text: str) -> str:
    """What the parse of `text` records for the check of a relation edit (NoteFacts.kept)."""
    fm = frontmatter.split(text)
    frontmatter.load(text, fm)
    return verify.kept_digest(fm, "related")


_BIG_HEX = "0x" + "f" * 4000  # an integer of ~4,800 digits: loaded, but more than repr spells


@pytest.mark.parametrize(
    ("old", "edited", "inserted"),
    [
        ('---\ntitle: a\nrelated:\n  - "[[Omega]]"\n---\nBody.\n', '  - "[[Omega]]"', '\n  - "[[New]]"'),
        ("---\ntitle: a\nRelated: [x]\n---\nBody.\n", "[x", ', "[[New]]"'),
        ("---\ntitle: a\n---\nBody.\n", "title: a", '\nrelated:\n  - "[[New]]"'),
        ("---\ntitle: a\ntitle: b\n---\nBody.\n", "title: b", '\nrelated:\n  - "[[New]]"'),
        ("---\nn: .nan\nf: 1.0\nt: true\n---\nBody.\n", "t: true", '\nrelated:\n  - "[[New]]"'),
        (f"---\nbig: {_BIG_HEX}\n---\nBody.\n", _BIG_HEX, '\nrelated:\n  - "[[New]]"'),
        # each edit below changes what the digest spells: the full comparison decides (`1.0` equals `1`)
        ("---\ntitle: a\n---\nBody.\n", "title: a", "\ntitle: b"),
        ("---\ntitle: 1\nrelated: []\n---\nBody.\n", "title: 1", ".0"),
        ("---\ntitle: a\nrelated: [x]\n---\nBody.\n", "related: [", '"[[New]]", '),
        ("---\ntitle: a\nrelated: x\n---\nBody.\n", "related: x", "\nextra: 1"),
        ("---\ntitle: a\n---\nBody.\n", "title: a", "\nrelated: [x]\nRelated: [y]"),
    ],
)
def test_verify_of_a_relation_edit_says_the_same_with_what_the_parse_recorded(
    old: str, edited: str, inserted: str
) -> None:
    """The check of a frontmatter edit loads only the new YAML when the parse recorded what the old one
    holds (NoteFacts.kept): every verdict and message is the one the full comparison gives."""
    at = old.index(edited) + len(edited)
    edit = Edit(at, at, inserted)
    new = apply_text(old, [edit])
    full = check_edits(old, new, [edit], "related")
    assert check_edits(old, new, [edit], "related", kept=_kept(old)) == full
    assert check_edits(old, new, [edit], "related", kept="0:0") == full  # a digest that matches nothing


def test_verify_of_a_relation_edit_records_nothing_it_cannot_spell() -> None:
    assert _kept(f"---\nbig: {_BIG_HEX}\n---\n") == ""
    assert _kept("No frontmatter.\n") == ""
    assert _kept("---\nrelated: 5\n---\n") == ""  # no relation edit is planned there
    assert _kept("---\nrelated: x\n---\n").startswith("1:")


def _first_relations(old: str, *items: str) -> tuple[str, Edit]:
    """`old` given the relations property where its YAML ends, as the linker adds a note's first relations
    (`linker.relation_anchor`), one item a line as given (quoted), and the edit that does it."""
    at = frontmatter.split(old).yaml_end
    eol = "\r\n" if "\r\n" in old else "\n"
    edit = Edit(at, at, f"related:{eol}" + "".join(f"  - {item}{eol}" for item in items))
    return apply_text(old, [edit]), edit


@contextlib.contextmanager
def _loads() -> Iterator[list[str]]:
    """The YAML texts the frontmatter's loader is given while the block runs."""
    calls: list[str] = []
    real = frontmatter.load

    def load(text: str, fm: frontmatter.Frontmatter) -> None:
        calls.append(text[fm.yaml_start : fm.yaml_end])
        real(text, fm)

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(frontmatter, "load", load)
        yield calls


def test_a_notes_first_relations_are_checked_without_loading_its_yaml_again() -> None:
    """The relations property added where the YAML ends is checked by the YAML's grammar, not by a load: a
    third of the relations round of a vault's first `link --check` (verify._appends_property)."""
    old = "---\ntitle: a\ntags: [x, y]\n---\nBody.\n"
    new, edit = _first_relations(old, '"[[New]]"', '"[[Other \\"quoted\\"]]"')
    kept = _kept(old)
    with _loads() as loads:
        assert check_edits(old, new, [edit], "related", kept=kept) is None
    assert loads == []


_ONE = ('"[[New]]"',)


@pytest.mark.parametrize(
    ("old", "items", "derived"),
    [
        ("---\ntitle: a\n...\n---\nBody.\n", _ONE, False),  # a document's end: the property in a second one
        ("---\n  title: a\n  tags: [x]\n---\n", _ONE, False),  # the root mapping at column 2
        ('---\n"rel\\u0061ted":\n---\n', _ONE, False),  # the property, spelled with an escape
        ("---\nRelated:\n---\n", _ONE, False),
        ('---\ntitle: "' + "[" * 499 + '"\n---\n', _ONE, False),  # brackets enough to be counted
        ("---\na: &x 1\nb: *x\n---\n", _ONE, False),
        ("---\ntitle: a\u2028b\n---\n", _ONE, False),
        ("---\ntitle: a\n---\n", ('"[[a\x01b]]"',), False),  # no control character in YAML
        ("---\ntitle: a\n---\n", ('"[[a\x85b]]"',), False),  # NEL: a line break to YAML 1.1
        ("---\ntitle: a\n---\n", ("'[[New]]'",), False),
        ("---\n? a\n: b\n---\n", _ONE, False),
        ('---\n{"title": "x"}\n---\n', _ONE, False),
        ("---\n!!map\ntitle: a\n---\n", _ONE, False),
        ("---\n# only a comment\n---\n", _ONE, True),
        ("---\n---\nBody.\n", _ONE, True),
        ("---\r\ntitle: a\r\n\r\n# c\r\n---\r\nBody.\r\n", _ONE, True),
        ("---\nnote: |\n  text\n---\n", _ONE, True),
        ("---\nnote: |+\n  text\n\n---\n", _ONE, True),
        ("---\nnote: >-\n---\n", _ONE, True),
        ("---\ntags:\n- a\n- b\n---\n", _ONE, True),
        ("---\ntitle: a\n  b\n---\n", _ONE, True),
        ('---\ntitle: "a\n  b"\n---\n', _ONE, True),
        ('---\n"title": x\n---\n', _ONE, True),
        ("---\ntitle: a # c\nnested:\n  deep:\n    - x\n---\n", _ONE, True),
        ("---\ntitle: a\ntitle: b\n---\n", _ONE, True),  # its duplicate key, a problem before and after
        ("---\nt: yes\nn: 010\n---\n", _ONE, True),
        ("---\ntitle: a\n---\n", ('"[[a \\"b\\" c\\\\d]]"', '"[[R&D *x*]]"', '"[[東京]]"'), True),
    ],
)
def test_first_relations_checked_by_the_grammar_say_what_a_load_says(
    old: str, items: tuple[str, ...], derived: bool
) -> None:
    """Where the check of a note's first relations does without loading the new YAML, the verdict is the
    full comparison's; where the old YAML could read the added lines otherwise, the new YAML is loaded."""
    new, edit = _first_relations(old, *items)
    _says_what_a_load_says(old, new, edit, derived=derived)


_HEAD_LINES = st.sampled_from(
    [
        "title: a",
        "  b",
        "- x",
        "  - y",
        "tags: [a, b]",
        "note: |",
        "note: |+",
        "note: >-",
        "  text",
        "",
        "# comment",
        "...",
        "%YAML 1.2",
        "? k",
        ": v",
        "Related:",
        "related: x",
        "  related: x",
        '"q": "a',
        '  b"',
        "'s': 'x'",
        "a: &x [1]",
        "b: *x",
        "c: {d: [",
        "  e]}",
        "t:\tyes",
        "\ttab: x",
        "k: [[[",
        "list:",
        "x: 1",
        "y:",
        "z: [a, b]",
        "  - w",
    ]
) | st.text(alphabet=" \t-:?#[]{}&*!|>'\"aR\\%.\u2028", max_size=6)


@FUZZ
@given(lines=st.lists(_HEAD_LINES, max_size=8), crlf=st.booleans())
def test_first_relations_checked_by_the_grammar_say_what_a_load_says_of_any_frontmatter(
    lines: list[str], crlf: bool
) -> None:
    eol = "\r\n" if crlf else "\n"
    old = "---" + eol + "".join(line + eol for line in lines) + "---" + eol + "Body." + eol
    kept = _kept(old)
    new, edit = _first_relations(old, *_ONE)
    with _loads() as loads:
        verdict = check_edits(old, new, [edit], "related", kept=kept)
    event("derived" if kept and not loads else "loaded")
    assert verdict == check_edits(old, new, [edit], "related")


@contextlib.contextmanager
def _keeps_asked() -> Iterator[list[str]]:
    """The digests `verify._keeps` is asked about while the block runs (each relation check given one)."""
    calls: list[str] = []
    real = verify._keeps

    def keeps(*args: Any) -> bool:
        calls.append(args[2])
        return real(*args)

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(verify, "_keeps", keeps)
        yield calls


def test_link_check_verifies_relations_against_what_the_parse_recorded(make_vault: VaultFactory) -> None:
    """`link --check` gives each note's recorded frontmatter to the check of its relation edit, from the
    parse and from the cache alike; and the same notes would change as without it."""
    root = make_vault(
        {
            "Alpha.md": "---\ntitle: A\nRelated: [x]\n---\nSee Beta here.\n",
            # a list to add to: a note's first relations are checked by the grammar (_appends_property)
            "Beta.md": "---\ntags: [b]\nrelated: []\n---\nBeta.\n",
            "Gamma.md": "Gamma mentions Alpha.\n",
        }
    )
    with _keeps_asked() as calls:
        cold = run_cli("link", "--check", "--jobs", "1", root)
        warm = run_cli("link", "--check", "--jobs", "1", root)
    assert cold.output == warm.output
    assert "Alpha.md (2 edits)" in cold.stdout and "Beta.md (1 edit)" in cold.stdout
    assert len(calls) == 4 and all(calls), calls  # Alpha's and Beta's relations, twice (Gamma has no YAML)


def test_link_writes_relations_checked_against_what_the_parse_recorded(make_vault: VaultFactory) -> None:
    """`link` gives the recorded frontmatter to the check of a relation edit in a note it did not link (one
    it linked holds another text than the parse read), and writes what the full comparison lets it write;
    a note's first relations, checked by the YAML's grammar, too."""
    files = {
        "Alpha.md": "---\ntitle: A\nRelated: [x]\n---\nSee Beta here.\n",
        "Beta.md": "---\ntags: [b]  # kept\nrelated: []\n---\nBeta.\n",
        "Gamma.md": "Gamma mentions Alpha and Delta.\n",
        "Delta.md": "---\ntitle: D  # kept\n---\nDelta.\n",  # its first relations
    }
    roots = [make_vault(files, name="fast"), make_vault(files, name="full")]
    with _keeps_asked() as calls:
        assert run_cli("link", "--jobs", "1", roots[0]).exit_code == 0
    assert len(calls) == 1 and calls[0], calls  # Beta's relation; Alpha was linked first, Delta's derived
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(verify, "_keeps", lambda *args: False)  # the full comparison, every time
        patch.setattr(verify, "_appends_property", lambda *args: False)
        patch.setattr(verify, "_extends_list", lambda *args: False)
        assert run_cli("link", "--jobs", "1", roots[1]).exit_code == 0
    assert snapshot(roots[0]) == snapshot(roots[1])
    assert '"[[Alpha]]"' in (roots[0] / "Beta.md").read_text()
    delta = (roots[0] / "Delta.md").read_text()
    assert delta == '---\ntitle: D  # kept\nrelated:\n  - "[[Gamma]]"\n---\nDelta.\n'


def _more_relations(old: str, *links: str) -> tuple[str, Edit] | None:
    """`old` given more relations where the linker puts them (`linker.relation_anchor`), and the edit that
    does it; None where the linker adds none (YAML it cannot read, a value not its own)."""
    fm = frontmatter.split(old)
    frontmatter.load(old, fm)
    anchor = relation_anchor(old, fm, "related")
    if anchor is None:
        return None
    edit = Edit(*relation_insert(anchor, list(links)))
    return apply_text(old, [edit]), edit


def test_more_relations_in_a_block_list_are_checked_without_loading_its_yaml_again() -> None:
    """Items added to the end of a note's relations block list, the usual edit once a vault has been linked,
    are checked by the YAML's grammar, not by a load (verify._extends_list)."""
    old = '---\ntitle: a\nrelated:\n  - "[[Old]]"\ntags: [x]\n---\nBody.\n'
    more = _more_relations(old, "[[New]]", "[[Other]]")
    assert more is not None
    new, edit = more
    assert (
        new
        == '---\ntitle: a\nrelated:\n  - "[[Old]]"\n  - "[[New]]"\n  - "[[Other]]"\ntags: [x]\n---\nBody.\n'
    )
    kept = _kept(old)
    with _loads() as loads:
        assert check_edits(old, new, [edit], "related", kept=kept) is None
    assert loads == []


def test_link_adds_relations_to_a_block_list_as_the_full_comparison_would(make_vault: VaultFactory) -> None:
    """A vault linked once, then a new mention: `link` adds the relation to the note's block list, checked
    by the YAML's grammar (no frontmatter comparison), and writes what the full comparison writes."""
    files = {
        "Alpha.md": "Alpha.\n",
        "Beta.md": '---\ntitle: B  # kept\nrelated:\n  - "[[Alpha]]"\ntags: [b]\n---\nBeta.\n',
        "Gamma.md": "Gamma mentions Beta.\n",
    }
    roots = [make_vault(files, name="fast"), make_vault(files, name="full")]
    compared: list[str] = []
    real = verify._check_frontmatter
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(verify, "_check_frontmatter", lambda *args: compared.append(args[0]) or real(*args))
        assert run_cli("link", "--jobs", "1", roots[0]).exit_code == 0
    assert compared == []
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(verify, "_appends_property", lambda *args: False)
        patch.setattr(verify, "_extends_list", lambda *args: False)
        assert run_cli("link", "--jobs", "1", roots[1]).exit_code == 0
    assert snapshot(roots[0]) == snapshot(roots[1])
    beta = (roots[0] / "Beta.md").read_text()
    assert (
        beta == '---\ntitle: B  # kept\nrelated:\n  - "[[Alpha]]"\n  - "[[Gamma]]"\ntags: [b]\n---\nBeta.\n'
    )


_LIST = '---\nrelated:\n  - "[[A]]"\n---\n'


@pytest.mark.parametrize(
    ("old", "derived"),
    [
        (_LIST, True),
        ("---\ntitle: a\nrelated:\n  - \"[[A]]\"\n  - '[[B''s]]'\ntags: [x]\n---\nBody.\n", True),
        ('---\nrelated:\n- "[[A]]"\nnext: 1\n---\n', True),  # a list at column 0
        ('---\nrelated:\n      -   "[[A]]"\n      -   "[[B]]"\n"q": 1\n---\n', True),
        ('---\r\nrelated:\r\n  - "[[A]]"\r\ntitle: a\r\n---\r\nBody.\r\n', True),
        ('---\nrelated:\n  - "[[A]]"\n---', True),  # the closing fence ends the note
        ('---\nRelated: \t\n  - "[[A]]"\n---\n', True),  # the property in another case, spaces after it
        ('---\ntitle: a\ntitle: b\nt:\tyes\nrelated:\n  - "[[A]]"\n---\n', True),  # a duplicate key, a tab
        ('---\nnote: |\n  text\nrelated:\n  - "[[A]]"\n---\n', True),
        ('---\nrelated: ["[[A]]"]\n---\n', False),  # a flow list
        ('---\nrelated: "[[A]]"\n---\n', False),
        ('---\nrelated:\n  - "[[A]]"\n  # c\n  - "[[B]]"\n---\n', False),  # a comment between items
        ('---\nrelated:\n  - "[[A]]"\n# c\n---\n', False),
        ('---\nrelated:\n  - "[[A]]" # c\n---\n', False),
        ('---\nrelated: # c\n  - "[[A]]"\n---\n', False),
        # a block scalar as an item (not the last: after one, the linker adds none, as it ends past its line
        # breaks: test_relation_is_reported_but_not_fixed_where_an_edit_would_be_unsafe)
        ('---\nrelated:\n  - |\n    [[A]]\n  - "[[B]]"\n---\n', False),
        ('---\nrelated:\n  - "[[A]]"\n  - |\n    [[B]]\n  - "[[C]]"\n---\n', False),
        ('---\nrelated:\n  - "[[A]]"\n  -  "[[B]]"\n---\n', False),  # another spacing after the dash
        ('---\nrelated:\n  - "[[A]]"\n\nnext: 1\n---\n', False),  # a blank line after the list
        ('---\nrelated:\n  - "[[A]]"\nrelated:\n  - "[[B]]"\n---\n', False),  # a duplicate key
        ('---\nRelated:\n  - "[[A]]"\nrelated:\n  - "[[B]]"\n---\n', False),
        ('---\nrelated:\n  - "[[Related work]]"\n---\n', False),  # the name twice
        ('---\n"related":\n  - "[[A]]"\n---\n', False),
        ('---\nnote: "a\nrelated:\n  - b"\nrelated:\n  - "[[A]]"\n---\n', False),
        ('---\nrelated:\n  - "[[A\\u0042]]"\n---\n', False),  # an escape
        ('---\nx: &a 1\ny: *a\nrelated:\n  - "[[A]]"\n---\n', False),  # an anchor, an alias
        ('---\nrelated:\n  - "[[A]]"\n...\n---\n', False),
        ('---\n  related:\n    - "[[A]]"\n---\n', False),  # the root mapping indented
        ('---\nrelated:\n  - "' + "[" * 499 + '"\n---\n', False),  # brackets enough to be counted
        ('---\nrelated:\n  - "[[A]]"\n  - "[[A\u2028B]]"\n---\n', False),
    ],
)
def test_more_relations_checked_by_the_grammar_say_what_a_load_says(old: str, derived: bool) -> None:
    """Where the check of items added to a relations block list does without loading the new YAML, the
    verdict is the full comparison's; where the YAML could read the added lines otherwise, it is loaded."""
    more = _more_relations(old, "[[New]]", "[[It's]]")
    assert more is not None
    new, edit = more
    _says_what_a_load_says(old, new, edit, derived=derived)


def _says_what_a_load_says(old: str, new: str, edit: Edit, *, derived: bool) -> None:
    """The relations edit's check with what the parse recorded (`kept`) has the full comparison's verdict, and
    loads no YAML exactly where the grammar's argument takes it (`derived`), which it takes only to accept."""
    full, kept = check_edits(old, new, [edit], "related"), _kept(old)
    with _loads() as loads:
        assert check_edits(old, new, [edit], "related", kept=kept) == full
    assert (loads == []) == derived, loads
    if derived:
        assert full is None


_LIST_LINES = _HEAD_LINES | st.sampled_from(
    [
        "related:",
        "Related:",
        "related: ",
        '  - "[[A]]"',
        "  - '[[B]]'",
        '- "[[C]]"',
        '    - "[[D]]"',
        '  -  "[[E]]"',
        '  - "[[F]]" # c',
        "  - |",
        '  - "[[G',
        '  H]]"',
        "  # c",
        "next: 1",
        '"q": 1',
    ]
)


@FUZZ
@given(lines=st.lists(_LIST_LINES, max_size=8), crlf=st.booleans(), quote=st.sampled_from("\"'"))
def test_more_relations_checked_by_the_grammar_say_what_a_load_says_of_any_frontmatter(
    lines: list[str], crlf: bool, quote: str
) -> None:
    eol = "\r\n" if crlf else "\n"
    old = "---" + eol + "".join(line + eol for line in lines) + "---" + eol + "Body." + eol
    more = _more_relations(old, "[[New]]", f"[[It{quote}s]]")
    kept = _kept(old)
    if more is None or not kept:
        return
    new, edit = more
    with _loads() as loads:
        verdict = check_edits(old, new, [edit], "related", kept=kept)
    event("derived" if not loads else "loaded")
    assert verdict == check_edits(old, new, [edit], "related")


@pytest.mark.parametrize(
    "text",
    ["%%\nstart\n\nGamma here\n%%\nafter\n", "Prose.\n\n%% never closed\n\nGamma here\n"],
    ids=["closed", "unclosed"],
)
def test_verify_sees_a_comment_that_spans_paragraphs(text: str) -> None:
    """The `%%` rule was inline only, and mistune parses inline text one paragraph at a time: the second
    opinion read a mention inside a multi-paragraph comment as prose (the scanner alone protected it)."""
    assert _verdict(text, "Gamma") is not None


def test_verify_block_comment_does_not_swallow_code_or_later_prose() -> None:
    for text in ["```\n%%\n```\n\nGamma here\n", "%%c%% and Gamma\n", "%%\nc\n%%\n\nGamma here\n"]:
        assert _verdict(text, "Gamma") is None, text


@pytest.mark.parametrize(
    ("text", "mention"),
    [
        ("The course:\n\n1. Introduction\n2. Setup\n", "1. Introduction"),  # a list item becomes a paragraph
        ("Before.\n\n***\n\nAfter.\n", "***"),  # a thematic break becomes a link
        ("> > Quoted twice\n", "> Quoted"),  # a block quote loses a level
    ],
)
def test_verify_refuses_a_link_that_swallows_block_syntax(text: str, mention: str) -> None:
    """The marker that stands in for an edit hid the syntax the replaced text held: a note named
    "1. Introduction" turned the numbered list into a paragraph, and the second opinion saw plain prose."""
    reason = _verdict(text, mention)
    assert reason is not None and "blocks" in reason


def test_verify_allows_a_mention_with_punctuation_that_keeps_the_blocks() -> None:
    text = "- See the U.S. Navy here.\n- And more.\n"
    assert _verdict(text, "U.S. Navy") is None


@pytest.mark.parametrize(
    "text",
    [
        "> [!note] About Gamma\n> Body.\n",  # a callout's title
        "> [!tip]- Gamma, folded\n> Body.\n",
        "!!! ad-note Gamma notes\nBody.\n--- admonition\n",  # an Admonition block without a fence
        "| Gamma | x |\n| --- | --- |\n| a | b |\n",  # a table's header row
        "## Gamma\n",  # a heading
    ],
)
def test_verify_refuses_an_edit_on_a_line_that_takes_no_link(text: str) -> None:
    """Regression: verify let through a link inserted into a callout's title or an Admonition header, which
    mistune reads as prose (the planner never plans one there; verify is the check behind it). It now asks
    vaultkit's own parse, which marks such lines as taking no link."""
    reason = _verdict(text, "Gamma")
    assert reason is not None and "'Gamma'" in reason


def test_verify_lets_a_link_in_prose_beside_a_callout_through() -> None:
    text = "> [!note] Title\n> About Gamma.\n"
    assert _verdict(text, "Gamma") is None


_SEGMENT = st.text("aZé東09", min_size=1, max_size=3)
# Names as mentions spell them: words, with a hyphen or a dot between two word characters (`Gainglu-9.5 Inc`)
_DOTTED_NAME = st.builds(
    lambda first, rest: first + "".join(sep + seg for sep, seg in rest),
    _SEGMENT,
    st.lists(st.tuples(st.sampled_from(["-", ".", " "]), _SEGMENT), max_size=3),
)


@pytest.mark.parametrize(
    ("text", "name"),
    [
        pytest.param("Intro.\n\n___\n\nAfter.\n", "___", id="a-rule-of-underscores"),
        pytest.param("Intro.\n\n_ _ _\n", "_ _ _", id="a-spaced-rule"),
        pytest.param("2020. A year\n", "2020", id="an-ordered-list-number"),
        pytest.param("- a\n- 42) b\n", "42", id="a-nested-list-number"),
    ],
)
def test_verify_compares_the_blocks_of_a_replaced_text_of_no_letter(
    text: str, name: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Regression: the second parser's block comparison was skipped for a replaced text of word characters
    and spaces alone, and `\\w` holds `_` and digits: linked on its own, a line `___` (a thematic break) or
    a number before `.` (an ordered list's) passed. vaultkit's own parse protects both, so the planner never
    plans them; the second opinion must refuse them without it."""
    monkeypatch.setattr(verify, "_check_protected", lambda *_args: None)  # as if the scan missed them
    reason = _verdict(text, name)
    assert reason is not None and "blocks differently" in reason, reason


@pytest.mark.parametrize(
    "text",
    [
        pytest.param("Foo bar\n---|---\n", id="paragraph"),
        pytest.param("Foo bar\r\n:--|--:\r\nafter\r\n", id="crlf"),
    ],
)
def test_verify_refuses_an_aliased_link_that_makes_a_table(text: str) -> None:
    """Regression: `Foo bar` over `---|---` is a paragraph (one cell against two), and `link` wrote
    `[[Target|Foo]] bar` there (an alias of Target): two cells against two, a table's header, and the
    paragraph gone. The block comparison was skipped for a replaced text of words, whatever was written."""
    at = text.index("Foo")
    edit = Edit(at, at + 3, "[[Target|Foo]]")
    reason = check_edits(text, apply_text(text, [edit]), [edit], "related")
    assert reason is not None and "blocks differently" in reason, reason
    plain = "Foo bar\n-|- is a dash, a bar, a dash\n"  # no delimiter row: no table, no parse
    edit = Edit(0, 3, "[[Target|Foo]]")
    assert check_edits(plain, apply_text(plain, [edit]), [edit], "related") is None


@pytest.mark.parametrize(
    "text",
    [
        pytest.param("> Foo bar\n> ---|---\n", id="quote"),
        pytest.param("> [!note]\n> Foo bar\n> ---|---\n", id="callout"),
        pytest.param("- Foo bar\n  :--|--:\n", id="list-item"),
        pytest.param("1. Foo bar\r\n   ---|---\r\n", id="ordered-crlf"),
    ],
)
def test_verify_refuses_an_aliased_link_that_makes_a_table_in_a_quote_or_a_list(text: str) -> None:
    """Regression: the second parser read tables only at the top level (mistune's quote and list items
    parse with rule lists of their own), so an aliased link written over a delimiter row in a quote, a
    callout or a list item passed, though it makes a table there as GFM and Obsidian read it."""
    at = text.index("Foo")
    edit = Edit(at, at + 3, "[[Target|Foo]]")
    reason = check_edits(text, apply_text(text, [edit]), [edit], "related")
    assert reason is not None and "blocks differently" in reason, reason


@FUZZ
@given(st.text(MD_ALPHABET, max_size=300), st.integers(0, 300), _DOTTED_NAME)
def test_fuzz_a_hyphen_or_dot_inside_a_word_never_holds_block_syntax(body: str, at: int, name: str) -> None:
    """verify._check_blocks parses the note twice, before and after, only when a replaced text holds more
    than word characters, spaces, and hyphens or dots between two word characters: a name like
    `Gainglu-9.5 Inc` starts no list, rule or table wherever it is. Wherever the marker check lets such a
    name be linked, the blocks are the same before and after."""
    at = min(at, len(body))
    if not usable_key(name, 1):
        return  # a number (`0`, `9.5`) is never linked
    if (at and re.match(r"\w", body[at - 1])) or re.match(r"\w", body[at : at + 1]):
        return  # a mention starts and ends at a word boundary
    old = body[:at] + name + body[at:]
    edit = Edit(at, at + len(name), f"[[{name}]]")
    assert bool(verify._PLAIN.match(old, edit.start, edit.end)) == bool(re.search(r"[^\W\d_]", name))
    if verify._check_body(old, 0, [edit]) is not None:
        return  # refused before the blocks are compared
    new = apply_text(old, [edit])
    none = verify._markdown("none")
    assert verify._blocks(none(old)) == verify._blocks(none(new))


_FRONTMATTERS = st.sampled_from(
    ["", "---\ntitle: a\n---\n", "---\r\nrelated: []\r\n---\r\n", "\ufeff---\n---\n"]
)


# Pieces of what vaultkit protects, mixed with generated text
_PROTECTED_PIECES = st.sampled_from(
    [
        *("`Gamma`", "[[Gamma]]", "[Gamma](G.md)", "https://g.example/Gamma", "$Gamma$", "%%Gamma%%"),
        *("<b>Gamma</b>", "<!-- Gamma -->", "#Gamma", "^gamma", "[^1]", "Gamma:: x"),
        *(
            "```\nGamma\n```\n",
            "    Gamma\n",
            "# Gamma\n",
            "> [!note] Gamma\n> x\n",
            "| a | b |\n|---|---|\n",
        ),
        *("\n", "\r\n", "\r", " Gamma "),
    ]
)
_PROTECTED_BODY = st.lists(st.one_of(_PROTECTED_PIECES, st.text(MD_ALPHABET, max_size=12)), max_size=30).map(
    "".join
)


@FUZZ
@given(
    _FRONTMATTERS,
    _PROTECTED_BODY,
    st.lists(st.tuples(st.integers(0, 340), st.integers(0, 12)), min_size=1, max_size=4),
)
def test_the_protected_ranges_a_parse_records_decide_as_a_scan_of_the_note(
    head: str, body: str, spans: list[tuple[int, int]]
) -> None:
    """`link` checks each link against the spans the mention scan's parse found clear of what it protects
    (verify.Protected, then verify.cleared: RunResult.cleared) instead of scanning the note again: for any
    note and any edits, some of them found clear and some not, the check says what it says with the scan."""
    data = (head + body).encode("utf-8", "surrogatepass")
    parsed = note.parse("N.md", note.RawFile(data, hashlib.sha256(data).hexdigest()))
    if not parsed.readable:
        return
    text, base = parsed.text, parsed.fm.body_start
    recorded = verify.protected_ranges(parsed.raw.digest, base, parsed.body.protected)  # as analyze.py does
    assert recorded is not None and recorded.digest == parsed.raw.digest
    edits, at = [], base
    for gap, length in spans:  # in order, apart
        start = min(at + gap % 40, len(text))
        end = min(start + length, len(text))
        edits.append(Edit(start, end, "[[Gamma]]"))
        at = end + 1
        if at > len(text):
            break
    new = apply_text(text, edits)
    scanned = verify._check_protected(text, base, edits)
    event("refused: protected" if scanned else "passes the protected check")
    for planned in (edits, edits[1:]):  # every edit planned there, or one not (checked by a scan)
        clear = verify.cleared(recorded, [(e.start, e.end) for e in planned])
        if scanned is None and planned is edits:
            assert verify._all_cleared(clear, base, edits)  # the scan is not needed
        assert verify._check_protected(text, base, edits, clear) == scanned
        general = check_edits(text, new, edits, "related")
        assert check_edits(text, new, edits, "related", clear=clear) == general
