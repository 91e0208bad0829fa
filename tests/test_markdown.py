"""The body scanner (`vaultkit.markdown.scan`) on CommonMark's and Obsidian's tricky cases.

For each case: which links, headings and block ids it finds, and that `prose` masks exactly the protected
regions: every `Meituan` in a case is either protected (masked) or plain prose (left as it is), and the number
left is asserted. Where the case is plain CommonMark, mistune 3 (AST mode, no positions) is asked too, as an
independent oracle: its text tokens in prose (paragraphs, lists, quotes, emphasis) must hold as many.
"""

from __future__ import annotations

import functools
import re
from typing import Any

import mistune
import pytest
from cost import PatternCalls, growth, lines_run
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from vaultkit import markdown
from vaultkit.markdown import MASK, BodyScan, _Blocks, _lines, mask, scan

WORD = "Meituan"
_PROSE = frozenset(
    {"paragraph", "list", "list_item", "block_text", "block_quote", "emphasis", "strong", "strikethrough"}
)


@functools.cache
def _mistune() -> Any:
    return mistune.create_markdown(
        renderer=None, plugins=["table", "footnotes", "math", "strikethrough", "url"]
    )


def _oracle_text(tokens: Any, prose: bool = True) -> list[str]:
    out: list[str] = []
    for token in tokens if isinstance(tokens, list) else []:
        kind = token.get("type", "")
        if kind == "text" and prose:
            out.append(token.get("raw", ""))
        if token.get("children"):
            out.extend(_oracle_text(token["children"], prose and kind in _PROSE))
    return out


def oracle_count(body: str) -> int:
    """How many times mistune sees WORD as plain prose."""
    return sum(text.count(WORD) for text in _oracle_text(_mistune()(body)))


def prose_count(result: BodyScan) -> int:
    return result.prose.count(WORD)


def check_prose_shape(body: str, result: BodyScan) -> None:
    """`prose` is the body with some characters replaced by MASK: same length, same line breaks."""
    assert len(result.prose) == len(body)
    for kept, original in zip(result.prose, body, strict=True):
        assert kept == original or (kept == MASK and original not in "\r\n")


# (id, body, how many WORDs stay prose, whether mistune is a fair judge of the case)
CASES: list[tuple[str, str, int, bool]] = [
    # code spans: backtick runs pair only with runs of the same length, within one paragraph
    ("span", "a `Meituan` b", 0, True),
    ("span-double", "a ``Meituan ` x`` b", 0, True),
    # a backtick run nothing closes is literal to CommonMark, but most likely a code span being typed (watch
    # --fix links a note the user paused in): the rest of its line is not linked
    ("span-unequal-runs", "a ``Meituan` b", 0, False),
    ("span-holds-backtick", "`` ` `` Meituan", 1, True),
    ("span-triple-inline", "x ```Meituan``` y", 0, True),
    ("span-two-lines", "a `code\nMeituan` b", 0, True),
    ("span-not-across-paragraphs", "a `code\n\nMeituan` b", 1, True),
    ("span-escaped-opener", "\\`Meituan` x", 1, True),
    ("span-not-across-heading", "# title `x\nMeituan `", 1, True),
    ("span-unmatched", "a ` b Meituan", 0, False),
    ("span-unmatched-only-its-line", "a ` b Meituan\nMeituan", 1, False),
    ("span-unmatched-after-the-mention", "Meituan `b", 1, True),
    ("span-backtick-inside-a-word", "Foo`bar Meituan", 1, True),
    # fenced code: ``` and ~~~, longer closers, inside lists and block quotes
    ("fence", "```\nMeituan\n```\nMeituan", 1, True),
    ("fence-tilde", "~~~\nMeituan\n~~~", 0, True),
    ("fence-longer-closer-needed", "````\nMeituan\n```\nMeituan\n````\nMeituan", 1, True),
    ("fence-other-char-does-not-close", "~~~\nMeituan\n```\nMeituan\n~~~\nMeituan", 1, True),
    ("fence-unclosed", "```\nMeituan\n\nMeituan", 0, True),
    ("fence-interrupts-paragraph", "para\n```\nMeituan\n```", 0, True),
    ("fence-info-with-backtick-is-no-fence", "``` a`b\nMeituan\n", 1, True),
    ("fence-on-list-marker", "- ```\n  Meituan\n  ```\n- Meituan", 1, True),
    ("fence-on-ordered-marker", "1. ```\n   Meituan\n   ```\n", 0, True),
    ("fence-in-list-item", "- item\n\n  ```\n  Meituan\n  ```\n- Meituan", 1, True),
    ("fence-in-quote", "> ```\n> Meituan\n> ```\n\nMeituan", 1, True),
    ("fence-in-list-in-quote", "> - ```\n>   Meituan\n>   ```\n", 0, True),
    ("fence-in-quote-in-list", "- > ```\n  > Meituan\n  > ```\n", 0, True),
    # CommonMark closes a fence with its container (spec: "> ```\n> aaa\n\nbbb"); mistune keeps it open
    ("fence-ends-with-its-list-item", "- ```\n  code\nMeituan\n", 1, False),
    ("fence-ends-with-its-quote", "> ```\n> code\nMeituan\n", 1, False),
    ("tilde-fence-on-marker", "* ~~~\n  Meituan\n  ~~~", 0, True),
    # indented code, and what is not indented code
    ("indented", "para\n\n    Meituan code\n\nafter", 0, True),
    ("indented-tab", "para\n\n\tMeituan code\n", 0, True),
    ("indented-is-lazy-continuation", "para\n    Meituan continued", 1, True),
    ("indented-list-continuation", "- item\n\n    Meituan continued\n", 1, True),
    ("indented-code-in-list-item", "- item\n\n      Meituan code\n", 0, True),
    ("indented-after-heading", "# H\n    Meituan code\n", 0, True),
    ("indented-after-fence", "```\nx\n```\n    Meituan code\n", 0, True),
    ("indented-in-quote", ">     Meituan code\n", 0, True),
    # HTML blocks
    ("html-div", "<div>\nMeituan\n</div>\n\nMeituan", 1, True),
    ("html-div-interrupts-paragraph", "Text\n<div>\nMeituan\n", 0, True),
    ("html-pre-holds-blank-lines", "<pre>\nMeituan\n\nMeituan\n</pre>\nMeituan", 1, True),
    ("html-script", "<script>\nvar Meituan;\n\nMeituan();\n</script>\n", 0, True),
    ("html-comment-block", "<!--\nMeituan\n\nMeituan\n-->\nMeituan", 1, True),
    ("html-comment-inline", "a <!-- Meituan --> b", 0, True),
    ("html-processing-instruction", "<?php\n\nMeituan\n?>\n", 0, True),
    # Obsidian renders no Markdown inside HTML elements: an inline element's text is no prose (mistune, as
    # CommonMark, reads it as prose), to its closing tag in its paragraph
    ("html-inline-element-text", "<span>Meituan</span> Meituan", 1, False),
    ("html-inline-elements-of-any-name", "<u>Meituan</u>, <b>Meituan</b>, <mark>Meituan</mark>", 0, False),
    ("html-inline-font", '<font color="red">a Meituan</font> Meituan', 1, False),
    ("html-inline-nested", "<span>a <span>b</span> Meituan</span> Meituan", 1, False),
    ("html-inline-wraps-lines", "a <mark>b\nMeituan</mark> Meituan", 1, False),
    # an opening tag nothing closes in its paragraph is the tag alone (CommonMark 6.6, raw HTML): the text
    # after it is prose, code-like text (`List<String>`, `Vec<T>`) included
    ("html-inline-unclosed-is-a-tag", "a <b>Meituan\nMeituan\n\nMeituan</b> Meituan", 4, True),
    ("html-inline-unclosed-crlf", "a <b>Meituan\r\n\r\nMeituan", 2, True),
    ("html-inline-not-across-list-items", "- <mark>Meituan\n- Meituan", 2, True),
    ("html-inline-generic-type", "A List<String> holds Meituan, Vec<T> and Meituan.", 2, True),
    ("html-inline-unclosed-then-element", "a <b> c <span>Meituan</span> Meituan", 1, False),
    ("html-inline-tag-named-as-note", "Map<Meituan> and Meituan", 1, True),
    # but an unclosed element whose text is no prose (code, a link, raw text) protects to its paragraph's end
    ("html-inline-unclosed-code", "a <code>Meituan\nMeituan\n\nMeituan", 1, False),
    ("html-inline-unclosed-textarea-after-b", "a <b>Meituan <textarea>Meituan", 1, False),
    ("html-inline-void-elements", "a<br>Meituan<img src=x> Meituan<hr/>", 2, True),
    ("html-inline-stray-closing-tag", "a</span> Meituan", 1, False),
    ("html-in-list-item", "- <div>\n  Meituan\n  </div>", 0, True),
    ("html-anchor-text-is-a-link", '<a href="https://meituan.com">Meituan</a> Meituan', 1, False),
    ("html-code-element", "<code>Meituan</code> and <kbd>Meituan</kbd> Meituan", 1, False),
    ("html-var-and-tt", "<var>Meituan</var>, <TT>Meituan</TT> and Meituan", 1, False),  # code-like text
    ("html-attribute-with-gt", '<a title="a>b">Meituan</a> Meituan', 1, False),
    # link reference definitions
    ("refdef", '[foo]: https://meituan.com "Meituan"\n\nMeituan', 1, True),
    ("refdef-cannot-interrupt-paragraph", "Para\n[foo]: /url Meituan", 1, True),
    # the destination on the line after the label, and lines of a definition that continue it lazily
    ("refdef-destination-next-line", "[a]:\nMeituan.md\n\n[a] Meituan", 1, True),
    ("refdef-destination-on-a-lazy-line-in-a-quote", "> [a]:\nMeituan.md\n\n[a] Meituan", 1, True),
    ("refdef-destination-on-a-lazy-line-in-a-list", "- [a]:\nMeituan.md\n\n[a] Meituan", 1, True),
    ("refdef-label-defined-on-a-lazy-line", "> [Meituan]:\n/x\n\n[Meituan] b", 0, True),
    ("refdef-title-on-a-lazy-line-in-a-quote", '> [a]: /x\n"Meituan title"\n\n[a] Meituan', 1, True),
    ("refdef-destination-not-after-a-blank-line", "> [Meituan]:\n\nMeituan", 2, True),
    ("refdef-destination-not-a-heading", "> [Meituan]:\n# h\n\nMeituan", 2, True),
    ("reference-link-text", "[Meituan][ref] and [Meituan]\n\n[ref]: /url\n[meituan]: /other", 0, True),
    ("reference-link-undefined", "[Meituan][] is kept, to be safe", 0, False),
    # headings
    ("atx", "# Meituan\nMeituan", 1, True),
    ("atx-closing-hashes", "## Meituan ##\n", 0, True),
    ("atx-needs-space", "#Meituan is a tag", 0, False),
    ("atx-seven-hashes", "####### Meituan", 1, True),
    ("atx-in-quote", "> # Meituan\n\nMeituan", 1, True),
    ("atx-in-list", "- ## Meituan\n\nMeituan", 1, True),
    ("setext", "Meituan\n=======\n\nMeituan", 1, True),
    ("setext-dash", "Meituan\n---\n", 0, True),
    ("setext-in-quote", "> Meituan\n> ---\n", 0, True),
    ("hr-after-lazy-list-line", "- a\nMeituan\n---", 1, True),
    ("hr-is-no-heading", "Meituan\n\n---\n", 1, True),
    # tables: never linked into (an inserted `|` would split a cell)
    ("table", "| a | b |\n|---|---|\n| Meituan | c |\n\nMeituan", 1, True),
    ("table-without-outer-pipes", "a | b\n--|--\nMeituan | c\n\nMeituan", 1, True),
    # GFM tables work inside quotes and lists (and Obsidian renders them); mistune's plugin does not see them
    ("table-in-quote", "> | a | b |\n> |---|---|\n> | Meituan | c |", 0, False),
    ("table-in-list", "- | a | b |\n  |---|---|\n  | Meituan | c |", 0, False),
    ("table-escaped-pipe-link", "| [[X\\|Meituan]] | c |\n|---|---|\n| Meituan | d |", 0, False),
    ("table-row-without-pipe", "| a | b |\n|---|---|\n| x | y |\nMeituan\n\nMeituan", 1, False),
    # Obsidian's own syntax: comments, callouts, math, footnotes, tags, block ids, Templater
    ("comment-inline", "a %% Meituan %% b Meituan", 1, False),
    ("comment-block", "%%\nMeituan\n\nMeituan\n%%\nMeituan", 1, False),
    ("comment-unclosed", "%% Meituan\n\nMeituan", 0, False),
    ("comment-block-in-quote", ">%%\n>```json\n>Meituan\n>```\n>%%\n>Meituan", 1, False),
    ("comment-markers-in-code", "`%%` Meituan `%%`", 1, False),
    ("html-comment-holds-percent-signs", "a <!-- %% --> Meituan %% x %%", 1, False),
    ("percent-comment-holds-html-opener", "%% <!-- %% Meituan --> x", 1, False),
    ("callout-title", "> [!note] Meituan title\n> Meituan body", 1, False),
    # the Admonition plugin's block without a code fence: `!!! ad-<type> Title`, its body Markdown
    ("admonition-header", "!!! ad-Meituan Meituan.\n\nMeituan body\n\n--- admonition", 1, False),
    ("admonition-header-in-paragraph", "Text\n!!! ad-note Meituan\nMeituan body", 1, False),
    ("callout-foldable", "> [!tip]- Meituan\n> body", 0, False),
    ("callout-in-list", "- > [!note] Meituan\n  > body", 0, False),
    # a callout's title is a paragraph to CommonMark: an unquoted line after it continues it lazily, and a
    # reference definition cannot interrupt a paragraph, so `[Meituan]: url` there is prose, and defines no
    # `[Meituan]` (regression: it was read as a definition)
    ("callout-lazy-line-is-no-definition", "> [!note] Title\n[Meituan]: /url\n\nSee [Meituan].", 2, True),
    ("callout-bare-lazy-line-is-no-definition", "> [!note]\n[Meituan]: /url\n[x]: /y\n\nSee [x].", 1, True),
    ("math-inline", "$x = Meituan$ and Meituan", 1, True),
    ("math-block", "$$\nMeituan\n$$\nMeituan", 1, True),
    ("math-dollars-are-money", "costs $5 and Meituan $10", 1, True),
    # math wrapped onto the next line of its paragraph: never linked (mistune reads no math there)
    ("math-wrapped", "a $x +\nMeituan$ b\n\nMeituan", 1, False),
    ("math-wrapped-not-across-paragraphs", "a $x\n\nMeituan$ b", 1, True),
    ("math-wrapped-not-across-list-items", "- a $x\n- Meituan$ b", 1, False),
    # an opener nothing closes, being typed: the rest of its line is not linked
    ("math-unclosed", "a $Meituan\nMeituan", 1, False),
    # after an escaped backslash `\\`, a backtick or `$` opens (regression: read as escaped); `\`` and `\$` do not
    ("span-unclosed-after-escaped-backslash", "a \\\\`Meituan b\nMeituan", 1, False),
    ("span-unclosed-after-three-backslashes", "a \\\\\\`Meituan b", 1, False),
    ("math-unclosed-after-escaped-backslash", "a \\\\$Meituan b\nMeituan", 1, False),
    ("dollar-escaped-opens-nothing", "a \\$Meituan b", 1, False),
    ("span-after-escaped-backtick", "a \\``Meituan b\nMeituan", 1, False),
    ("destination-unclosed", "a [x](Meituan\nMeituan", 1, False),
    ("destination-closed-text-not", "[a\n\nb](x.md) Meituan", 1, True),
    ("tag-unclosed", 'a <span title="Meituan\nMeituan', 1, False),
    ("math-block-in-quote", "> $$\n> Meituan\n> $$\nMeituan", 1, False),
    ("math-block-in-list", "- $$\n  Meituan\n  $$", 0, False),
    ("footnotes", "text[^Meituan] and ^[inline Meituan] Meituan", 1, False),
    ("tags", "#Meituan and #lab/Meituan and Meituan", 1, False),
    # a mark or an emoji is part of a tag: `#ดี[[Meituan]]` or `#🚀[[Meituan]]` would cut it
    ("tag-with-marks", "#ดีMeituan #नमस्तेMeituan #e\u0301Meituan Meituan", 1, False),
    ("tag-with-emoji", "#🚀Meituan #❤\ufe0fMeituan #👩\u200d💻Meituan Meituan", 1, False),
    ("tag-ends-at-punctuation", "#lab—Meituan, #lab’Meituan and #lab.Meituan", 3, False),
    ("block-id", "Meituan ^Meituan", 1, False),
    ("templater", "<% tp.file.title %> Meituan <%* Meituan %>", 1, False),
    ("templater-block", "<%*\nMeituan\n%>\nMeituan", 1, False),
    # template placeholders, outside the template folder too (QuickAdd, Periodic Notes, Zotero Integration
    # templates kept elsewhere): `{{date:YYYY}}` became `{{[[date]]:YYYY}}` (regression)
    (
        "template-placeholders",
        "{{title}} {{Meituan}} {{date:Meituan}} {{ Meituan | x }} {%Meituan%} Meituan",
        1,
        False,
    ),
    ("template-placeholder-one-line", "{{a\nMeituan}} {{}} Meituan", 2, False),
    # furigana as the Markdown Furigana plugins write it, found in the rendered text: a link inside splits
    # that text, and `{[[東京]]|とう|きょう}` showed as typed, its reading lost
    ("furigana", "{美团|Meituan} {美团|Meituan|x} [Meituan]^(Meituan) Meituan", 1, False),
    # the plugins' own syntax only: braces need a CJK or kana base and readings without ASCII punctuation or
    # space, brackets a reading; `{Meituan|M}`, a set `{1|Meituan}` or `[x]^()` in math-like text is prose
    (
        "furigana-not-any-braces",
        "{Meituan|めい|とぅあん} {Meituan|M} {1|Meituan} {x | Meituan} {美团|Meituan Inc} [Meituan]^()",
        6,
        False,
    ),
    ("furigana-one-line", "{Meituan\n|x} {a|\nMeituan} Meituan", 3, False),
    # Dataview inline fields: a value is data (a query compares it to text), never made a link
    ("dataview-line", "company:: Meituan\nMeituan", 1, False),
    ("dataview-line-marked-up", "- **Lab**:: Meituan\n> Owner / team:: Meituan\n\nMeituan", 1, False),
    ("dataview-bracketed", "See [lab:: Meituan] and (owner:: [[X]] Meituan) Meituan", 1, False),
    ("dataview-not-a-key", "C++ uses std::Meituan and Meituan, a:b:: Meituan", 3, False),
    ("dataview-in-code", "`lab:: x` Meituan", 1, False),
    # Dataview reads a whole line as a field only where it holds no bracketed field, and a list item only
    # where it is no task and holds no Tasks date: the words after `[due:: x]` are prose
    ("dataview-bracketed-then-prose", "[due:: 2024-05-06] call Meituan\n> (lab:: x) Meituan", 2, False),
    ("dataview-item-bracketed-then-prose", "- [due:: x] call Meituan\n1. (lab:: x) Meituan", 2, False),
    ("dataview-line-beside-a-bracketed-one", "Owner:: Meituan [lab:: x]\nLab:: Meituan", 1, False),
    ("dataview-task-is-no-line-field", "- [ ] Call:: Meituan\n> - [x] Lab:: Meituan", 2, False),
    (
        "dataview-item-with-a-tasks-date",
        "- Lab:: Meituan 📅 2024-05-06\nLab:: Meituan 📅 2024-05-06",
        1,
        False,
    ),
    # Dataview reads an emoji as part of a key (`🏢 Lab:: x`, `⭐:: x`), as a letter is
    ("dataview-emoji-key", "🏢 Lab:: Meituan\n- ⭐:: Meituan\n> Rating ⭐️:: Meituan\n\nMeituan", 1, False),
    # Dataview reads a list item's text after its marker, an ordered one's too (`1. Lab:: x`, `2) Lab:: x`)
    (
        "dataview-ordered-list",
        "1. Lab:: Meituan\n2) **Owner**:: Meituan\n> 3. Team:: Meituan\n\nMeituan",
        1,
        False,
    ),
    # Tasks: the recurrence rule is read only as letters, digits, `, !` (a link there ends the task's
    # recurrence), and ids as words; the description before them is prose
    ("tasks-recurrence", "- [ ] Meituan call 🔁 every week on Meituan when done 📅 2024-05-06", 1, False),
    ("tasks-ids", "- [ ] Meituan 🆔 Meituan ⛔ abc, Meituan ⛔\ufe0fMeituan", 1, False),
    # links of every kind, URLs and e-mail addresses
    ("wikilinks", "[[Meituan]] [[X|Meituan]] ![[Meituan.png]] [[Meituan#Meituan]] Meituan", 1, False),
    ("markdown-links", "[Meituan](x.md) [x](Meituan.md) ![Meituan](img.png) Meituan", 1, True),
    ("markdown-link-title", '[a](x.md "Meituan") Meituan', 1, True),
    ("markdown-link-nested-brackets", "[a [Meituan] b](x.md) Meituan", 1, True),
    # link text, labels, inline footnotes and quoted attributes go on over a line break (not a blank line)
    ("markdown-link-text-wrapped", "Read [the guide to\nMeituan setup](https://x.y) Meituan", 1, True),
    ("image-alt-wrapped", "Para ![alt text\nMeituan more](pic.png) Meituan", 1, True),
    ("link-text-stops-at-a-blank-line", "[the guide to\n\nMeituan setup](https://x.y) Meituan", 2, True),
    ("reference-link-text-wrapped", "[a\nMeituan][ref] Meituan\n\n[ref]: /url", 1, True),
    ("refdef-title-on-the-next-line", '[ref]: https://x.y\n  "Meituan title"\n\nUse [ref]. Meituan', 1, True),
    ("refdef-title-wrapped", '[r]: https://x.y "a long\nMeituan title"\n\nUse [r]. Meituan', 1, True),
    (
        "refdef-title-next-line-wrapped",
        "[r]: https://x.y\n  'a long\nMeituan title'\n\nUse [r]. Meituan",
        1,
        True,
    ),
    (
        "refdef-title-in-parentheses-wrapped",
        "[r]: https://x.y (a long\nMeituan title)\n\n[r] Meituan",
        1,
        True,
    ),
    # a title alone on the line after its definition is no paragraph: a definition may follow it
    ("refdef-after-a-title-on-its-own-line", '[a]: /x\n"t"\n[b]: Meituan\n\nUse [a] [b]. Meituan', 1, True),
    (
        "refdef-title-on-the-next-line-in-a-quote",
        '> [a]: /x\n> "Meituan title"\n> [b]: Meituan\n>\n> Use [a] [b].\n\nMeituan',
        1,
        True,
    ),
    ("html-attribute-wrapped", '<span title="a\nMeituan b">x</span> Meituan', 1, True),
    ("inline-footnote-wrapped", "A claim.^[Source: the\nMeituan team.] Meituan", 1, False),
    # ... within one paragraph: not into the next list item, heading, fence, break or quote
    ("link-text-not-across-list-items", "- [a Meituan\n- b](x.md) Meituan", 2, True),
    ("link-text-not-across-a-heading", "[a Meituan\n# H\nb](x.md) Meituan", 2, True),
    ("link-text-not-across-a-fence", "[a Meituan\n```\nx\n```\nb](x.md) Meituan", 2, True),
    ("link-text-not-across-a-break", "[a Meituan\n***\nb](x.md) Meituan", 2, True),
    ("link-text-not-out-of-a-quote", "> [a Meituan\n- b](x.md) Meituan", 2, True),
    ("reference-not-across-list-items", "- [a Meituan\n- b][ref] Meituan\n\n[ref]: /url", 2, True),
    ("attribute-not-across-list-items", '- <span title="a Meituan\n- b">x</span> Meituan', 1, False),
    ("footnote-not-across-list-items", "- ^[a Meituan\n- b] Meituan", 2, False),
    # an unbalanced [[ or ]] (a link being typed, or a stray closer): nothing goes inside it
    ("wikilink-unclosed", "See [[Qwen|the Meituan\nMeituan", 1, False),
    ("wikilink-unclosed-embed", "![[Meituan\r\nMeituan", 1, False),
    ("wikilink-stray-closer", "Meituan]] and Meituan", 1, False),
    ("wikilink-unclosed-after-a-link", "[[A]] Meituan [[ Meituan", 1, False),
    ("urls", "https://meituan.com/Meituan and <https://x.y/Meituan> and Meituan", 1, True),
    ("url-www", "www.meituan.com/Meituan Meituan", 1, False),
    ("url-balanced-parentheses", "https://en.wikipedia.org/wiki/Meituan_(company) Meituan", 1, False),
    ("email", "bob@Meituan.com Meituan", 1, False),
    ("email-autolink", "<bob@Meituan.com> Meituan", 1, True),
    ("escapes", "\\#Meituan \\*Meituan\\*", 2, False),
    ("entity", "&amp;Meituan", 1, True),
    # line endings: only \n, \r\n and \r end lines
    ("crlf", "```\r\nMeituan\r\n```\r\nMeituan\r\n", 1, True),
    ("unicode-line-separator-is-no-line-end", "text\u2028# Meituan", 1, False),
]


@pytest.mark.parametrize(("body", "expected"), [(c[1], c[2]) for c in CASES], ids=[c[0] for c in CASES])
def test_prose_masks_exactly_the_protected_regions(body: str, expected: int) -> None:
    result = scan(body)
    check_prose_shape(body, result)
    assert prose_count(result) == expected, result.prose.replace(MASK, "█")


@settings(max_examples=300, derandomize=True, deadline=None)
@given(
    text=st.text(alphabet="ab \n\r\t\x0b\x0c\u2028\u2029\x85é", max_size=40),
    cuts=st.lists(st.tuples(st.integers(0, 45), st.integers(0, 45)), max_size=6),
)
def test_mask_replaces_each_character_in_the_ranges_but_line_breaks(
    text: str, cuts: list[tuple[int, int]]
) -> None:
    """Masked a line at a time now (not a character at a time): \\n and \\r stay, every other character
    in a range becomes MASK (U+2028 and form feed too: Markdown ends no line there), overlapping, empty
    and unsorted ranges included."""
    ranges = [(min(a, b), max(a, b)) for a, b in cuts]
    inside = {k for start, end in ranges for k in range(start, min(end, len(text)))}
    expected = "".join(c if k not in inside or c in "\r\n" else MASK for k, c in enumerate(text))
    assert mask(text, ranges) == expected


@pytest.mark.parametrize(
    ("body", "expected"), [(c[1], c[2]) for c in CASES if c[3]], ids=[c[0] for c in CASES if c[3]]
)
def test_mistune_agrees_on_what_is_prose(body: str, expected: int) -> None:
    assert oracle_count(body) == expected


# -- random documents made of the cases above, against mistune -----------------------------------------

_ORACLE_CASES = [c[1] for c in CASES if c[3]]


@settings(max_examples=150, derandomize=True, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.sampled_from(_ORACLE_CASES), min_size=1, max_size=6), st.sampled_from(["\n\n", "\n\n\n"]))
def test_documents_of_many_blocks_agree_with_mistune(pieces: list[str], gap: str) -> None:
    body = gap.join(p.rstrip("\n") for p in pieces) + "\n"
    result = scan(body)
    check_prose_shape(body, result)
    assert prose_count(result) == oracle_count(body), result.prose.replace(MASK, "█")


# -- the shortcut for simple lines against the general block machinery ----------------------------------

_LINES = [
    "",
    " ",
    "   ",
    "\t",
    "Meituan wrote `a",
    "b` Meituan",
    "prose Meituan",
    "#tag Meituan",
    "# Meituan",
    "## H ##",
    "####### seven",
    "#",
    "- Meituan",
    "* Meituan",
    "+ x `y",
    "1. Meituan",
    "1) x",
    "2. Meituan",
    "10. x",
    "-  two",
    "-    four",
    "-     five",
    "-\tTab",
    "- [[Meituan]]",
    "- - x",
    "- 1. x",
    "  continued",
    "   three",
    "    code Meituan",
    "  - nested",
    "   - x",
    "  # h",
    "> quote Meituan",
    "> - x",
    "---",
    "===",
    "- - -",
    "* * *",
    "```",
    "````",
    "```py",
    "``` x ```",
    "  ```",
    "   ```\t",
    "\t```",
    "~~~",
    "~~~~ ",
    "$$",
    "x $$ y",
    "$$ a $$",
    "<div>",
    "<!-- x",
    "-->",
    "| a | b |",
    "|---|---|",
    "[x]: /u",
    "- [ ] task Meituan",
    "- [x] done `a",
    "* [Meituan](https://example.com) clip",
    "[[Meituan]] starts",
    "[ ] box",
    "- [x]: /u",
    "- [a]:",
    "[a]:\tb",
    "- [^1]: note",
    "1. [Meituan]",
    "Meituan | pipe",
    "1.x",
    "-x",
    "\u3000wide",
    "Meituan\r",
    "a \\",
    "^blk",
    "text ^blk",
]


def _block_state(body: str, *, fast: bool) -> dict[str, Any]:
    blocks = _Blocks(body, BodyScan(), fast=fast)
    blocks.run()
    return {k: v for k, v in vars(blocks).items() if k != "fast"}


@settings(max_examples=1500, derandomize=True, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.sampled_from(_LINES), min_size=1, max_size=12), st.sampled_from(["\n", "\r\n"]))
def test_the_simple_line_shortcut_changes_nothing(lines: list[str], newline: str) -> None:
    """Same scan, and the same block state at the end (open list items, paragraph text): what the next
    line would see."""
    body = newline.join(lines) + newline
    assert scan(body) == scan(body, fast=False)
    assert _block_state(body, fast=True) == _block_state(body, fast=False)


@pytest.mark.parametrize(
    "body",
    ["", "a", "a\n", "a\r\nb", "a\rb\r", "a\x0cb\n", "a\u2028b\n", "a\x85b", "\n\n", "x\r\n\r\n", "\r\n\n\r"],
)
def test_lines_split_at_markdown_line_endings_only(body: str) -> None:
    assert _lines(body) == [line for line in re.findall(r"[^\r\n]*(?:\r\n|\r|\n|\Z)", body) if line]


# -- what the scanner finds -------------------------------------------------------------------------------


def _links(body: str) -> list[tuple[str, str, str, str | None, bool]]:
    return [(x.kind, x.target, x.subpath, x.display, x.embed) for x in scan(body).links]


@pytest.mark.parametrize(
    ("body", "links"),
    [
        ("[[Note]]", [("wiki", "Note", "", None, False)]),
        ("[[Note|shown text]]", [("wiki", "Note", "", "shown text", False)]),
        ("[[Note#Heading]]", [("wiki", "Note", "Heading", None, False)]),
        ("[[Note#A#B|x]]", [("wiki", "Note", "A#B", "x", False)]),
        ("[[Note#^block-1]]", [("wiki", "Note", "^block-1", None, False)]),
        ("[[#Own heading]]", [("wiki", "", "Own heading", None, False)]),
        ("![[image.png|100x145]]", [("wiki", "image.png", "", "100x145", True)]),
        ("![[doc.pdf#page=3]]", [("wiki", "doc.pdf", "page=3", None, True)]),
        ("[[Folder/Note]]", [("wiki", "Folder/Note", "", None, False)]),
        ("[text](Note%20name.md)", [("markdown", "Note name.md", "", "text", False)]),
        ("[text](<Note name.md>)", [("markdown", "Note name.md", "", "text", False)]),
        (
            "[text](Folder/Note.md#Some%20heading)",
            [("markdown", "Folder/Note.md", "Some heading", "text", False)],
        ),
        ("![alt](img.png)", [("markdown", "img.png", "", "alt", True)]),
        ("[web](https://example.com/a.md) [mail](mailto:a@b.c) [app](obsidian://open?x)", []),
        ("| [[Note\\|text]] | x |\n|---|---|\n", [("wiki", "Note", "", "text", False)]),
        ("```\n[[Code]]\n```\n`[[Span]]` %% [[Comment]] %% <!-- [[Html]] --> $[[Math]]$", []),
        ("    [[Indented]]\n", []),
        ("[[]] and [[|x]]", []),
        # no definition of `Note`: `[k:: v]` is text, then an inline link (as link writes one after a `]`)
        ("[k:: v][Note](Note.md)", [("markdown", "Note.md", "", "Note", False)]),
        ("[k:: v][Note](Note.md)\n\n[note]: https://x.y", []),
    ],
)
def test_links_found(body: str, links: list[tuple[str, str, str, str | None, bool]]) -> None:
    assert _links(body) == links


def test_link_offsets_and_table_flag() -> None:
    body = "See [[A|b]] and\n| [[C\\|d]] | e |\n|---|---|\n"
    a, c = scan(body).links
    assert body[a.start : a.end] == "[[A|b]]" and not a.in_table
    assert body[c.start : c.end] == "[[C\\|d]]" and c.in_table


@pytest.mark.parametrize(
    ("body", "headings"),
    [
        ("# One\n## Two ##\n###### Six", [(1, "One"), (2, "Two"), (6, "Six")]),
        ("Title\n=====\n\nSub\ntitle\n---", [(1, "Title"), (2, "Sub title")]),
        ("> ## Quoted\n- ### Listed", [(2, "Quoted"), (3, "Listed")]),
        ("> [!note]\n> ## In a callout", [(2, "In a callout")]),
        ("#tag\n####### seven\n\\# escaped", []),
        ("```\n# code\n```\n    # indented code", []),
        ("%%\n# commented out\n%%\n<!--\n# also\n-->", []),
        ("Meituan\n\n---\n\n- a\n---", []),
    ],
)
def test_headings_found(body: str, headings: list[tuple[int, str]]) -> None:
    assert [(h.level, h.text) for h in scan(body).headings] == headings


# CommonMark 0.31.2, 4.2 (ATX headings), examples 62-79: the heading's text as written (inline content
# unparsed, escapes kept), without the opening and closing sequences and the spaces or tabs around it
_SPEC_ATX = [
    ("# foo\n## foo\n### foo\n#### foo\n##### foo\n###### foo", [(n, "foo") for n in range(1, 7)]),
    ("####### foo", []),
    ("#5 bolt\n\n#hashtag", []),
    ("\\## foo", []),
    ("# foo *bar* \\*baz\\*", [(1, "foo *bar* \\*baz\\*")]),
    ("#                  foo                     ", [(1, "foo")]),
    (" ### foo\n  ## foo\n   # foo", [(3, "foo"), (2, "foo"), (1, "foo")]),
    ("    # foo", []),
    ("foo\n    # bar", []),
    ("## foo ##\n  ###   bar    ###", [(2, "foo"), (3, "bar")]),
    ("# foo ##################################\n##### foo ##", [(1, "foo"), (5, "foo")]),
    ("### foo ###     ", [(3, "foo")]),
    ("### foo ### b", [(3, "foo ### b")]),
    ("# foo#", [(1, "foo#")]),
    ("### foo \\###\n## foo #\\##\n# foo \\#", [(3, "foo \\###"), (2, "foo #\\##"), (1, "foo \\#")]),
    ("****\n## foo\n****", [(2, "foo")]),
    ("Foo bar\n# baz\nBar foo", [(1, "baz")]),
    ("## \n#\n### ###", [(2, ""), (1, ""), (3, "")]),
    ("# #\n## foo\t##\t", [(1, ""), (2, "foo")]),  # a closing sequence alone; after a tab, before one
    ("#\tFoo\n- a\n  ##\tBar\n> ###\tBaz", [(1, "Foo"), (2, "Bar"), (3, "Baz")]),  # 2.2 Tabs, example 10
]


@pytest.mark.parametrize(
    ("body", "headings"),
    _SPEC_ATX,
    ids=[f"example-{62 + i}" for i in range(18)] + ["tabs", "tab-after-the-marks"],
)
def test_atx_headings_read_as_commonmark_does(body: str, headings: list[tuple[int, str]]) -> None:
    """Regression: `### ###` was a heading whose text was `###`; the spec reads an empty heading (example
    79): a closing sequence may be all there is."""
    assert [(h.level, h.text) for h in scan(body).headings] == headings


def test_heading_offsets() -> None:
    body = "intro\n\n## Method\n\nSetext\n---\n"
    method, setext = scan(body).headings
    assert body[method.start :].startswith("## Method")
    assert body[setext.start :].startswith("Setext")


@pytest.mark.parametrize(
    ("body", "ids"),
    [
        ("A claim. ^claim-1", ["claim-1"]),
        ("- an item ^item\n- other ^Other-2", ["item", "Other-2"]),
        ("para\n\n^solo", ["solo"]),
        ("a^b and x ^ y and [^1] and ^[inline]", []),
        ("```\ncode ^in-code\n```\n`span ^in-span` %% ^in-comment %%", []),
        ("text ^abc trailing", []),
        # unseen38: a CRLF note's ids, which `$` never found before a `\r`
        ("One ^a\r\n\r\nTwo ^b\r\n", ["a", "b"]),
        ("- item ^a\r\n- other ^b", ["a", "b"]),
        # unseen38: an id ends its block; at the end of a line its paragraph goes on after, it is text
        ("line one ^a\nline two ^b", ["b"]),
        ("> quoted ^a\n> more ^b\n>\n> next ^c", ["b", "c"]),
        ("- item ^a\n  lazy ^b\n- other ^c\n", ["b", "c"]),
        ("para ^a\n## Heading\n\npara ^b\n```\ncode\n```\n", ["a", "b"]),
        ("para ^a\n%% vaultkit-enable VK101 %%\n", ["a"]),
        ("1. first ^a\n2. second ^b\n* three ^c\n+ four ^d\n3) five ^e", ["a", "b", "c", "d", "e"]),
        ("> [!note] T\n> body ^c1\n> - item ^c2\n> more ^c3", ["c1", "c3"]),
        ("text ^a\n---\n\ntext ^b\n===\n\nline ^c\n    indented, the same paragraph\n", ["a", "b"]),
        ("para ^a\n[^1]: a footnote\n\npara ^b\n![[image.png]]\n", ["a"]),
        # diffrev38: a code span starting the next line goes on the paragraph, as a comment there does not
        ("para ^a\n`code` goes on\n\npara ^b\n%% hidden %%\n", ["b"]),
    ],
)
def test_block_ids_found(body: str, ids: list[str]) -> None:
    result = scan(body)
    assert [b.ident for b in result.block_ids] == ids
    for block in result.block_ids:
        assert body[block.start : block.start + len(block.ident) + 1] == "^" + block.ident


# -- speed: one pass, no quadratic corner -----------------------------------------------------------------
# Counted, not timed (tests/cost.py): the lines of vaultkit a scan runs, and where a step was one C call (a
# regex run to the line's end), what is handed to it. Speed itself is measured by benchmarks/run.py.


@pytest.mark.parametrize(
    "piece",
    [
        "^[",
        "[^a",
        "http://a",
        "www.a",
        "`a``a```a",
        '<a x="',
        "a@b.c",
        "[",
        "[[",
        "$a ",
        "\\`a",
        "\\\\$a ",
        "<%",
        "- ```\n",
        "> > ",
        "| a |\n",
        "# `\n",
        "<pre>\n",
        "%%\n",
        "<!--\n",
        "    x\n",
        "1. a\n  - b\n",
    ],
)
def test_scanner_is_linear_on_repeated_openers(piece: str) -> None:
    """A run of one opener repeated: 8 times as many run 8 times as many lines of the scanner, not 64 (a
    scan that goes back over the openers before each one). A regex that reads ahead from each opener is one
    line whatever it reads: such a step is guarded where it was fixed (`<code>`, list markers, headings)."""

    def lines(n: int) -> int:
        return lines_run(lambda: scan("Other " + piece * n + "\n"))

    assert growth(lines, 100) < 2 * 8


_REACH = (
    4000  # markdown._ELEMENT_REACH, pinned by test_an_elements_text_is_protected_however_far_its_closing_tag
)
_ELEMENT_OPENING = re.compile(r"<(?i:a|code|kbd|samp|tt|var|pre|script|style|textarea|svg|math)(?=[\s>])")


@pytest.mark.parametrize("piece", ["<code>", "<a href='x'>", "<KBD>x", "<span>", "<b>x</i>", "</b>"])
def test_scanner_is_linear_on_unclosed_elements(piece: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """The text of `<a>`, `<code>` and the like is protected up to a closing tag within 4,000 characters:
    200,000 characters of unclosed `<code>` each searched that far ahead, and took 3 s. Counted, not timed:
    the characters `_INLINE` (the pattern with the element alternative) may search ahead from an opening
    element tag (up to 4,000 each, inside one regex call) stay within the body's length (1,869,332 for 800
    `<code>`, 4,801 characters, before 1591809; none now), and the lines run grow as the body does."""
    inline = PatternCalls(markdown._INLINE)
    monkeypatch.setattr(markdown, "_INLINE", inline)
    for n in (100, 800):
        inline.handed.clear()
        body = piece * n + "\n"
        scan(body)
        searched = sum(
            min(_REACH, len(text) - pos)
            for text, pos, _end in inline.handed
            if _ELEMENT_OPENING.match(text, pos)
        )
        assert searched <= len(body), f"{searched:,} characters searched in {len(body):,}"
    assert growth(lambda n: lines_run(lambda: scan(piece * n + "\n")), 100) < 2 * 8


@pytest.mark.parametrize("piece", ["- ", "* ", "- > ", "1. "])
def test_scanner_is_linear_on_a_line_of_nested_list_markers(
    piece: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Each list marker that opens an item asked the rest of its line whether it is a thematic break (`- - -`;
    a regex run to the line's end), and copied the rest to see if it is blank and to count the spaces after
    the marker: a line of 16,000 `- ` markers (32 kB) took 20 s to check, 160,000 `1. ` markers minutes.
    Counted, not timed: the lines run plus the characters handed to the thematic-break pattern `_HR` (one C
    call each, which lines run cannot see) grow 7 times for 8 times the markers; before 5876482, 54 to 57
    times (646,407 characters handed for 800 `- `)."""
    hr = PatternCalls(markdown._HR)
    monkeypatch.setattr(markdown, "_HR", hr)

    def cost(n: int) -> int:
        hr.handed.clear()
        lines = lines_run(lambda: scan(piece * n + "Meituan\n"))
        return lines + sum(end - pos for _text, pos, end in hr.handed)

    assert growth(cost, 100) < 2 * 8


def test_scanner_counts_the_spaces_of_a_deeply_nested_list_once_a_line(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Each line of a list nested 1,000 deep counted, for each item it continues, the spaces before it anew
    (copying the rest of the line each time): 500,000 counts, 8 times as slow as flat lines of the same
    size, and 8.5 s for a list nested 2,000 deep (4 MB). They are counted once for the items nested in one
    another. (Counted, not timed: the difference is a constant factor, and times vary on a busy machine.)"""
    calls = 0
    spaces = markdown._spaces

    def counting(text: str, col: int) -> int:
        nonlocal calls
        calls += 1
        return spaces(text, col)

    monkeypatch.setattr(markdown, "_spaces", counting)
    body = "".join("  " * k + "- Meituan\n" for k in range(1000))
    assert [h for h in scan(body).prose.split() if h == "Meituan"] == ["Meituan"] * 1000
    assert calls < 5 * 1000, calls


def _suppressions_lines(n: int) -> int:
    # comments glued on one line (each column was counted from the line's start), on many lines (each line
    # number from the body's start), and regions of one code still open at each `enable` of another
    line = "%% vaultkit-disable VK120 %%%% vaultkit-enable VK101 %%<!-- x -->" * 20 + "\n"
    body = line * (n // 20)
    out = BodyScan()

    def run() -> None:
        nonlocal out
        out = scan(body)

    lines = lines_run(run)
    assert len(out.suppressions) == (n // 20) * 20 and all(s.last_line == 0 for s in out.suppressions)
    return lines


def test_scanner_is_linear_on_many_suppressions() -> None:
    """Each suppression comment counted the lines from the body's start, and each `enable` went through
    every suppression before it: 8,000 pairs took seconds to scan. Counted, not timed (a CPU-time ratio
    failed CI on a busy machine): 800 pairs run 7.9 times the lines of 100 (81,885 and 10,380); before
    dea311b, 47 times (1,010,156 and 21,371)."""
    assert growth(_suppressions_lines, 100) < 2 * 8


_ELEMENT_ATOMS = ["<a href='x'>", "<a>", "</a>", "</A >", "<code>", "</code\n>", '<CODE x="1">', "<kbd>", "</kbd>",
                  "<span>", "</span>", "<a\nhref='y'>", "<a:b>", "<%", "Meituan", " ", "\n", "\n\n", "[[L]]", "`c`",
                  "</code>", "<code>" + "x" * 3500, "x" * 60, "x" * 490, "x" * 3990, "'", '"', "<", ">", "- ",
                  "> "]  # fmt: skip


@settings(max_examples=400, derandomize=True, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.sampled_from(_ELEMENT_ATOMS), min_size=1, max_size=30))
def test_an_element_closed_out_of_reach_reads_as_with_one_pattern(atoms: list[str]) -> None:
    """Where no closing tag is within reach, the scanner skips the element alternative up front; the result
    is the single pattern's, which tries it everywhere (`_ELEMENT_OPEN` never matching turns the shortcut
    off)."""
    body = "".join(atoms)
    quick = scan(body)
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(markdown, "_ELEMENT_OPEN", re.compile(r"(?!)"))
        single = scan(body)
    assert (quick.protected, quick.links) == (single.protected, single.links)


@pytest.mark.parametrize("gap", [4000, 4001])
def test_an_elements_text_is_protected_however_far_its_closing_tag(gap: int) -> None:
    """Within reach, the element pattern protects `<code>`'s text; beyond it, the pairing of tags that
    protects any element's text does (links inside are found only there, as before)."""
    body = "<code>" + "x" * (gap - 8) + "Meituan " + "</code>\n"
    assert "Meituan" not in mask(body, scan(body).protected)


def test_scanner_cost_per_line_of_a_realistic_note() -> None:
    """What a note of every common construct costs the scanner, counted, not timed (its time is
    benchmarks/run.py's to measure): 46,420 lines of vaultkit run for its 720 lines (64 a line, 10.6 kB);
    the bound, 96 a line, leaves half as much again for new rules before it asks to be looked at."""
    paragraph = (
        "ResRL came out of Meituan's research team; see [[ResRL#Method]] and `code` and $x^2$ and "
        "https://example.com/a_(b) and #tag and a footnote[^1]. ^blk\n\n"
    )
    blocks = [
        paragraph,
        "## Heading\n\n",
        "- item [[A|b]]\n  - nested\n\n",
        "```python\nx = 1\n```\n\n",
        "> [!note] Title\n> body\n\n",
        "| a | b |\n|---|---|\n| 1 | 2 |\n\n",
    ]
    body = "".join(blocks) * 40  # 10.6 kB, 240 blocks, 720 lines
    per_line = lines_run(lambda: scan(body)) / body.count("\n")
    assert per_line < 96, f"{per_line:.1f} lines run a line of the note"
    assert re.search(r"\bMeituan\b", scan(body).prose)


# -- suppression comments ----------------------------------------------------------------------------------


def _regions(body: str) -> list[tuple[tuple[str, ...], int, int]]:
    return [(x.codes, x.first_line, x.last_line) for x in scan(body).suppressions]


def test_suppressions_are_read_in_order_across_comment_kinds() -> None:
    body = "<!-- vaultkit-disable VK101 -->\nA\n%% vaultkit-enable VK101 %%\nB\n"
    assert _regions(body) == [(("VK101",), 1, 3)]


def test_enabling_one_code_keeps_the_others_disabled() -> None:
    body = "%% vaultkit-disable VK101, VK120 %%\nA\n%% vaultkit-enable VK101 %%\nB\n"
    assert _regions(body) == [(("VK101", "VK120"), 1, 0)]
    assert scan(body).suppressions[0].ends == (3, 0)


def test_enable_without_codes_ends_every_region() -> None:
    body = "%% vaultkit-disable VK101 %%\n<!-- vaultkit-disable -->\nA\n%% vaultkit-enable %%\n"
    assert _regions(body) == [(("VK101",), 1, 4), ((), 2, 4)]


def test_next_line_suppression_and_its_position() -> None:
    result = scan("x\n<!-- vaultkit-disable-next-line VK101, vk120 -->\n[[Nope]]\n", first_line=5)
    (only,) = result.suppressions
    assert (only.codes, only.first_line, only.last_line, only.line, only.col) == (
        ("VK101", "VK120"),
        7,
        7,
        6,
        1,
    )


@given(st.text(alphabet=" \t\n\r>*+-_.)1234567890ab٣", max_size=200))
@settings(max_examples=500, derandomize=True, deadline=None)
def test_line_markers_are_the_patterns_matches_at_every_line_start(body: str) -> None:
    """`_line_markers` tries the pattern only where a line starts with a marker character (a digit of any
    script: `\\d` is Unicode's, `٣.` a list marker to it): the same as trying it at every line start (each
    match without the white space after its last marker)."""
    from vaultkit.markdown import _LINE_MARKERS, _line_markers, _marker_span

    starts = [0, *(i + 1 for i, ch in enumerate(body) if ch == "\n")]
    matches = (_LINE_MARKERS.match(body, s) for s in starts)
    expected = [_marker_span(m) for m in matches if m and m.end() > m.start()]
    assert _line_markers(body) == expected


@given(
    st.text(alphabet=":%(]^<!-a\n", max_size=120),
    st.sampled_from([("::", ""), ("%%", ""), ("<!--", ""), ("]^(", "("), ("](", "("), ("<%", "%")]),
)
@settings(max_examples=2000, derandomize=True, deadline=None)
def test_holds_answers_as_in_does(text: str, asked: tuple[str, str]) -> None:
    """`_holds` looks for a needle's probe first and compares the needle at its first few places
    (`_PROBES`) before it searches for the whole needle: it answers as `needle in text`, for texts holding
    the probe more often than it compares too."""
    from vaultkit.markdown import _PROBES, _holds

    needle, probe = asked
    assert _holds(text, needle, probe) == (needle in text)
    crowded = (probe or needle[0]) * (_PROBES + 2) + text
    assert _holds(crowded, needle, probe) == (needle in crowded)


def test_task_and_link_list_lines_take_the_simple_path(monkeypatch: pytest.MonkeyPatch) -> None:
    """Regression: a line whose text starts with `[` (a task's `[ ]`, a link, a wikilink) went through the
    general path, one line at a time, in case it was a reference definition: a third of the scan of a 5 MB
    task list. Only a `[label]:` does now (and reads as before: the shortcut test above)."""
    general: list[int] = []
    line = markdown._Blocks.line

    def counted(self: markdown._Blocks, start: int, text: str, nxt: str) -> None:
        general.append(start)
        line(self, start, text, nxt)

    monkeypatch.setattr(markdown._Blocks, "line", counted)
    scan("- [ ] task one\n- [x] done\n* [clip](https://example.com) note\n[[Wiki]] line\n1. [ ] first\n")
    assert general == []
    scan("[x]: /url\n")
    assert general == [0]


@given(
    st.text(alphabet=":(]^%<!-ab\n", max_size=120), st.sampled_from(["::", "](", "]^(", "%%", "<!--", "$"])
)
@settings(max_examples=2000, derandomize=True, deadline=None)
def test_holds_is_in(text: str, needle: str) -> None:
    """`_holds` compares the needle at the probe's first few places before it searches the whole text: the
    answer is still `needle in text`, with the probes the scanner gives (a part of the needle other than its
    first character too: `(` of `](`)."""
    from vaultkit.markdown import _holds

    probe = needle[-1] if needle in ("](", "]^(") else ""
    assert _holds(text, needle, probe) == (needle in text)
    assert _holds(text * 5, needle) == (needle in text * 5)
