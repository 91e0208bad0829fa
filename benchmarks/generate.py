"""Write a deterministic, realistic Obsidian vault for vaultkit's benchmarks.

    python benchmarks/generate.py OUT_DIR --notes N [--seed 1] [--script latin|cyrillic|han]

The same arguments always give byte-identical files. About 60% of the notes are raw sources (Raw/), 25%
wiki notes (Wiki/) and 15% entities (Entities/<kind>/); 2% are deliberately invalid so that checks have
something to report. Names are made of invented syllables so that no title or alias is an English word, and
bodies mention titles and aliases in plain text so that the linker has work. Standard library only.

`--script cyrillic` writes the same vault with every Latin letter of the note names, aliases, links and
bodies written as a Cyrillic one (a vault in Russian, to the scanner); `--script han` as a Han character,
with no space between two words (a vault in Chinese). URLs, folder names and property names stay as they are.
"""

from __future__ import annotations

import argparse
import hashlib
import random
import re
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

GENERATOR_VERSION = 1

RAW_SHARE = 0.60
WIKI_SHARE = 0.25
INVALID_SHARE = 0.02


def words(text: str) -> tuple[str, ...]:
    return tuple(text.split())


def phrases(text: str) -> tuple[str, ...]:
    return tuple(text.split("|"))


SOURCES = words("newsletter paper blog news social web")
FETCHERS = words("curl httpx feedparser playwright rss-bridge manual")
RECOMMENDATIONS = words("skip skip weak weak moderate moderate notable notable strong must-read must-read")
ENTITY_KINDS = words("lab company paper person publication model university")
ENTITY_WEIGHTS = (12, 20, 18, 25, 8, 12, 5)
DOMAINS = words(".com .ai .org .substack.com .io .net .dev")
TAGS = words(
    "ai ml newsletter policy research hardware open-source agents robotics safety chips startups benchmarks "
    "datasets inference training china europe llm vision rl evals compute funding infra ai/agents ai/policy "
    "ml/theory reading-list todo"
)
HEADINGS = phrases(
    "Overview|Background|Key points|How it works|Why it matters|Method|Results|Open questions|Timeline|"
    "Context|Related work|Discussion|Takeaways|Details|Caveats|Numbers|Quotes|Next steps|Reception|"
    "Limitations|Setup|Evaluation|People|Funding|Data|Costs|Comparison|History|Criticism|Summary"
)
TITLE_TAILS = words(
    "report notes thread update explained review roundup interview analysis preprint recap essay launch "
    "postmortem"
)
TOPICS = words(
    "scaling routing attention distillation alignment retrieval sparsity quantization tokenizers pretraining "
    "agents evaluation compute inference datasets robotics export controls chips memory reasoning planning "
    "search vision speech"
)
FILLER = words(
    "the of and to in is that for it as with was on be by this are from at or an have not but they which one "
    "you were all we when there can more has their if will about would what so into out up its only other "
    "new some could time these two may then first any like now such also after most over did many before "
    "must through back years where much your way well down should because each just those people how too "
    "little state good very make world still own see men work long get here between both life being under "
    "never day same another know while last might great since against right three place around however "
    "during without again small every found model models training data compute team labs paper results "
    "benchmark release weights open source research researchers engineers cluster chips policy export market "
    "funding startup product users inference latency throughput context window tokens dataset evaluation "
    "agent agents reasoning scale scaling cost costs price report analysis argument evidence claim review "
    "version update roadmap budget quarter revenue growth demand supply hardware software system systems "
    "approach method baseline ablation variant architecture layer layers attention memory parameters billion "
    "million percent week month year today recently announced said noted argued suggested showed reported "
    "estimated expected likely unclear important interesting careful detailed"
)
ONSETS = words("b d f g k l m n p r s t v z br dr kr tr st sh th gl pl sk")
VOWELS = words("a e i o u a e i o ai ei ou")
CODAS = ("", "", "", "", "n", "r", "l", "s", "k", "m", "x")
HAN = "维卡罗塔米诺斯特拉贝恩德科索尔瓦伦基泽宁杰普森奥雅琳哈顿蒙克菲格兰"
KANA = "ヴェルカロタミノスラベンドコソワルキゼニジャプセオハトモクフィグ"
CJK_NAMED = (
    "{name}在本周发布了新的开源模型。",
    "据报道，{name}正在扩大其研究团队。",
    "这篇文章讨论了{name}的训练方法和数据来源。",
    "{name}は新しい評価ベンチマークを公開した。",
    "研究者たちは{name}の結果を慎重に検証している。",
    "很多人认为{name}的路线比预期更保守。",
)
CJK_PLAIN = (
    "我们还需要更多的数据来验证这些结论。",
    "这个问题在社区里引起了广泛的讨论。",
    "詳しい内容は原文を参照してください。",
    "算力和数据仍然是最主要的瓶颈。",
    "この分野の進歩は予想よりも速い。",
)
GENERIC_WORDS = frozenset({"University", "of", "Institute", "Technology", "Labs", "Lab", "AI", "Research"})
NOT_NAMES = frozenset(
    {*FILLER, *TOPICS, "yes", "no", "on", "off", "true", "false", "null", "nan", "inf", "labs", "the"}
)


@dataclass(frozen=True)
class Note:
    """What every other note may know about one note: its names, headings and block ids."""

    kind: str  # raw | wiki | entity
    name: str  # file basename without .md
    folder: str
    aliases: tuple[str, ...]
    headings: tuple[str, ...]
    block_ids: tuple[str, ...]
    entity_kind: str
    created: date
    defect: str  # "" | review_value | bad_date | missing_key

    @property
    def path(self) -> str:
        return f"{self.folder}/{self.name}.md"


@dataclass(frozen=True)
class Plan:
    notes: tuple[Note, ...]
    entities: tuple[Note, ...]
    wikis: tuple[Note, ...]
    raws: tuple[Note, ...]
    mention_keys: tuple[str, ...]
    cjk_keys: tuple[str, ...]
    feeds: tuple[str, ...]


class Names:
    """Hands out invented names that are unique across the vault (case-insensitively)."""

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        self.taken: set[str] = set()

    def word(self, syllables: int | None = None) -> str:
        count = syllables or self.rng.choice((2, 2, 3))
        while True:
            text = "".join(
                self.rng.choice(ONSETS) + self.rng.choice(VOWELS) + self.rng.choice(CODAS)
                for _ in range(count)
            )
            if len(text) >= 4 and text not in NOT_NAMES:
                return text

    def claim(self, make: Callable[[], str]) -> str:
        """A fresh name from `make`, or after a few collisions an invented word of three syllables."""
        for attempt in range(1000):
            name = make() if attempt < 20 else self.word(3).capitalize()
            if name.casefold() not in self.taken:
                self.taken.add(name.casefold())
                return name
        raise RuntimeError("ran out of names")


ENTITY_PATTERNS = {
    "lab": ("{0} Labs", "{0} AI", "{0} Research", "{0} Lab"),
    "company": ("{0}", "{0}", "{0}", "{0} Systems", "{0} Robotics", "{0} Compute"),
    "publication": ("{0} Weekly", "{0} Review", "{0} Digest", "{0} Dispatch"),
    "university": ("University of {0}", "{0} Institute of Technology"),
    "person": ("{0} {1}",),
    "model": ("{0}-{2}", "{0}-{2}B", "{0}-{2}o", "{0}-{2}.5"),
    "paper": ("{0} {3} Transformers", "{0} {3} Networks", "{0} {3} Policies"),
}


def entity_name(names: Names, kind: str) -> str:
    rng = names.rng
    pattern = rng.choice(ENTITY_PATTERNS[kind])
    first, second = names.word().capitalize(), names.word().capitalize()
    return pattern.format(first, second, rng.randint(1, 9), rng.choice(TOPICS).capitalize())


def acronym_maker(name: str, names: Names) -> Callable[[], str]:
    """An all-capitals short name; a number is added when the plain one is taken."""
    letters = "".join(word[0] for word in name.replace("-", " ").split() if word[0].isalpha()).upper()
    if len(letters) < 3:
        letters += names.word(1)[:2].upper()
    tries = 0

    def make() -> str:
        nonlocal tries
        tries += 1
        return letters[:4] if tries == 1 else f"{letters[:4]}{names.rng.randint(2, 999)}"

    return make


def short_form(name: str, rng: random.Random) -> str:
    """The distinctive word of a longer name ("Kravo Labs" -> "Kravo"); a one-word name grows instead."""
    if " " in name:
        return next(word for word in name.split() if word not in GENERIC_WORDS)
    return f"{name} {rng.choice(('Inc', 'Project', 'Group'))}"


def cjk_alias(rng: random.Random) -> str:
    pool = HAN if rng.random() < 0.7 else KANA
    return "".join(rng.choice(pool) for _ in range(rng.randint(2, 4)))


def entity_aliases(names: Names, name: str) -> tuple[str, ...]:
    """About 1.3 aliases per entity: a short form, an acronym or a CJK name."""
    rng = names.rng
    count = rng.choices((0, 1, 2, 3), weights=(15, 50, 25, 10))[0]
    makers: list[Callable[[], str]] = [
        acronym_maker(name, names),
        lambda: cjk_alias(rng),
        lambda: short_form(name, rng),
        lambda: f"{names.word().capitalize()} {name.rsplit(maxsplit=1)[-1]}",
    ]
    rng.shuffle(makers)
    return tuple(names.claim(make) for make in makers[:count])


def wiki_aliases(names: Names, name: str) -> tuple[str, ...]:
    rng = names.rng
    count = rng.choices((0, 1, 2), weights=(52, 40, 8))[0]
    makers: list[Callable[[], str]] = [
        lambda: f"{name} {rng.choice(('overview', 'notes', 'debate', 'timeline'))}",
        lambda: cjk_alias(rng),
    ]
    return tuple(names.claim(make) for make in makers[:count])


def random_date(rng: random.Random) -> date:
    return date(2022, 1, 1) + timedelta(days=rng.randrange(1642))


def block_id(rng: random.Random) -> str:
    return "".join(rng.choice("abcdefghijklmnopqrstuvwxyz0123456789") for _ in range(6))


def headings(rng: random.Random, mentions: Sequence[str]) -> tuple[str, ...]:
    picked = rng.sample(HEADINGS, rng.randint(4, 7))
    if mentions and rng.random() < 0.3:
        picked[rng.randrange(len(picked))] = f"About {rng.choice(mentions)}"
    return tuple(picked)


def defect(rng: random.Random, kind: str) -> str:
    if rng.random() >= INVALID_SHARE:
        return ""
    choices = ("review_value", "bad_date", "missing_key") if kind == "raw" else ("bad_date", "missing_key")
    return rng.choice(choices)


def raw_title(names: Names) -> str:
    return f"{names.word()} {names.word()} {names.rng.choice(TOPICS)} {names.rng.choice(TITLE_TAILS)}"


def plan_note(names: Names, kind: str, entity_kind: str, mentions: Sequence[str]) -> Note:
    rng = names.rng
    if kind == "entity":
        name = names.claim(lambda: entity_name(names, entity_kind))
        aliases = entity_aliases(names, name)
        folder = f"Entities/{entity_kind}"
    elif kind == "wiki":
        name = names.claim(lambda: f"{names.word().capitalize()} {rng.choice(TOPICS).capitalize()}")
        aliases = wiki_aliases(names, name)
        folder = "Wiki"
    else:
        name = names.claim(lambda: raw_title(names))
        aliases = ()
        folder = "Raw"
    ids = tuple(block_id(rng) for _ in range(rng.choice((0, 0, 1, 1, 2, 3))))
    return Note(
        kind,
        name,
        folder,
        aliases,
        headings(rng, mentions),
        ids,
        entity_kind,
        random_date(rng),
        defect(rng, kind),
    )


def make_plan(count: int, seed: int) -> Plan:
    names = Names(random.Random(f"plan/{seed}"))
    rng = names.rng
    n_raw = round(count * RAW_SHARE)
    n_wiki = round(count * WIKI_SHARE)
    n_entity = count - n_raw - n_wiki
    kinds = rng.choices(ENTITY_KINDS, weights=ENTITY_WEIGHTS, k=n_entity)
    entities = tuple(plan_note(names, "entity", kind, ()) for kind in kinds)
    entity_names = [e.name for e in entities]
    wikis = tuple(plan_note(names, "wiki", "", entity_names) for _ in range(n_wiki))
    raws = tuple(plan_note(names, "raw", "", entity_names) for _ in range(n_raw))
    keys = [key for note in (*entities, *wikis) for key in (note.name, *note.aliases)]
    ascii_keys = tuple(key for key in keys if key.isascii())
    cjk = tuple(key for key in keys if not key.isascii()) or ("维卡罗",)
    feeds = tuple(e.name for e in entities if e.entity_kind == "publication") or ("Tralvo Weekly",)
    return Plan((*entities, *wikis, *raws), entities, wikis, raws, ascii_keys, cjk, feeds)


class Body:
    """Builds one note's body from its own random stream."""

    def __init__(self, plan: Plan, note: Note, rng: random.Random) -> None:
        self.plan = plan
        self.note = note
        self.rng = rng
        self.parts: list[str] = []
        self.size = 0
        self.pending_ids = list(note.block_ids)

    def add(self, text: str) -> None:
        self.parts.append(text)
        self.size += len(text.encode())

    def mention(self) -> str:
        key = self.rng.choice(self.plan.mention_keys)
        if key.upper() != key and self.rng.random() < 0.25:
            return key.lower()
        return key

    def link(self) -> str:
        """A wikilink, now and then to a heading or block, with shown text, as a Markdown link, or broken."""
        rng = self.rng
        roll = rng.random()
        target = rng.choice(self.plan.notes)
        name = target.name
        if roll < 0.03:
            name = f"{self.plan.raws[0].name.split()[0].capitalize()} Nowhere {rng.randint(1, 999)}"
        elif roll < 0.05:
            name += "#No such heading"
        elif roll < 0.20:
            name += f"#{rng.choice(target.headings)}"
        elif roll < 0.25 and target.block_ids:
            name += f"#^{rng.choice(target.block_ids)}"
        elif roll < 0.40:
            name += f"|{' '.join(rng.choices(FILLER, k=2))}"
        elif roll < 0.43:
            return f"[{rng.choice(FILLER)}]({name.replace(' ', '%20')}.md)"
        return f"[[{name}]]"

    def special(self, roll: float) -> str:
        rng = self.rng
        if roll < 0.14:
            return self.mention()
        if roll < 0.25:
            return self.link()
        if roll < 0.31:
            return f"`{rng.choice(FILLER)}_{rng.choice(FILLER)}()`"
        return f"https://{rng.choice(FILLER)}{rng.choice(DOMAINS)}/{rng.choice(TOPICS)}"

    def sentence(self, low: int = 8, high: int = 20) -> str:
        rng = self.rng
        words = rng.choices(FILLER, k=rng.randint(low, high))
        roll = rng.random()
        if roll < 0.34:
            words[rng.randrange(1, len(words))] = self.special(roll)
        if rng.random() < 0.08:
            words[rng.randrange(1, len(words))] = self.mention()
        words[0] = words[0].capitalize()
        return " ".join(words) + ("." if rng.random() < 0.9 else rng.choice("?!"))

    def paragraph(self) -> None:
        text = " ".join(self.sentence() for _ in range(self.rng.randint(3, 6)))
        if self.pending_ids and self.rng.random() < 0.4:
            text += f" ^{self.pending_ids.pop()}"
        self.add(text + "\n\n")

    def bullets(self) -> None:
        rng = self.rng
        marker = rng.choice(("-", "-", "*", "1."))
        lines = []
        for _ in range(rng.randint(3, 6)):
            lines.append(f"{marker} {self.sentence(4, 12)}")
            if rng.random() < 0.15:
                lines.append(f"  - {self.sentence(3, 8)}")
        self.add("\n".join(lines) + "\n\n")

    def code(self) -> None:
        rng = self.rng
        fence = "```" if rng.random() < 0.85 else "~~~"
        name = self.mention()
        lines = [
            f"{fence}{rng.choice(('python', 'bash', 'json', 'yaml', ''))}",
            f"# {rng.choice(FILLER)} [[{rng.choice(self.plan.notes).name}]] {name}",
        ]
        for _ in range(rng.randint(3, 9)):
            variable = f"{rng.choice(FILLER)}_{rng.choice(FILLER)}"
            lines.append(f'{variable} = fetch("{name}", {rng.randint(1, 999)})')
        lines.append(fence)
        self.add("\n".join(lines) + "\n\n")

    def table(self) -> None:
        rng = self.rng
        rows = ["| Name | Kind | Note |", "| --- | --- | ---: |"]
        for _ in range(rng.randint(3, 5)):
            target = rng.choice(self.plan.entities or self.plan.notes)
            rows.append(
                f"| {self.mention()} | [[{target.name}\\|{target.entity_kind or 'note'}]] "
                f"| {rng.randint(1, 100)} |"
            )
        self.add("\n".join(rows) + "\n\n")

    def cjk(self) -> None:
        rng = self.rng
        text = "".join(
            rng.choice(CJK_NAMED).format(name=rng.choice(self.plan.cjk_keys))
            if rng.random() < 0.7
            else rng.choice(CJK_PLAIN)
            for _ in range(rng.randint(1, 3))
        )
        self.add(text + "\n\n")

    def section(self, end: int, extras: list[Callable[[], None]]) -> None:
        self.paragraph()
        while self.size < end:
            if extras and self.rng.random() < 0.3:
                extras.pop()()
            elif self.rng.random() < 0.3:
                self.bullets()
            else:
                self.paragraph()

    def build(self) -> str:
        rng = self.rng
        target = rng.randint(3000, 6000)
        self.add(f"# {self.note.name}\n\n")
        self.paragraph()
        extras: list[Callable[[], None]] = []
        if rng.random() < 0.30:
            extras.append(self.code)
        if rng.random() < 0.10:
            extras.append(self.table)
        if rng.random() < 0.35:
            extras.extend([self.cjk] * rng.randint(1, 2))
        rng.shuffle(extras)
        start, count = self.size, len(self.note.headings)
        level = "##"
        for number, heading in enumerate(self.note.headings, 1):
            self.add(f"{level} {heading}\n\n")
            # Cumulative ends, so that one long element does not push every later section over.
            self.section(start + (target - start) * number // count, extras)
            level = "###" if level == "##" and rng.random() < 0.3 else "##"
        for leftover in extras:
            leftover()
        for ident in self.pending_ids:
            self.add(f"{self.sentence()} ^{ident}\n\n")
        return "".join(self.parts).rstrip("\n") + "\n"


def flow_list(items: Sequence[str]) -> str:
    return "[" + ", ".join(items) + "]"


def dates(rng: random.Random, note: Note) -> tuple[str, str]:
    created = note.created.isoformat()
    updated = (note.created + timedelta(days=rng.choice((0, 0, 0, 1, 3, 12, 40)))).isoformat()
    if note.defect == "bad_date":
        created = note.created.strftime("%d/%m/%Y")
    return created, updated


def raw_frontmatter(plan: Plan, note: Note, rng: random.Random, body: str) -> list[str]:
    created, updated = dates(rng, note)
    value = 11 if note.defect == "review_value" else rng.randint(0, 10)
    source = rng.choice(SOURCES)
    host = f"{note.name.split()[0]}{rng.choice(DOMAINS)}"
    lines = [
        f'title: "{note.name}"',
        f"source: {source}",
        f"source_url: https://{host}/p/{note.name.replace(' ', '-')}",
        f"tags: {flow_list(sorted(set(rng.sample(TAGS, rng.randint(1, 4))) | {source}))}",
        f"fetcher: {rng.choice(FETCHERS)}",
        f"ingested: {(note.created - timedelta(days=rng.randint(0, 2))).isoformat()}",
        f"feed_name: {rng.choice(plan.feeds)}",
        f"review_value: {value}",
        f"review_confidence: {rng.randint(0, 10)}",
        f"review_recommendation: {RECOMMENDATIONS[min(value, 10)]}",
        f"review_stars: {min(value, 10) // 2}",
        "type: raw",
        f"created: {created}",
        f"updated: {updated}",
        f"sha256: {hashlib.sha256(body.encode()).hexdigest()}",
    ]
    return drop(lines, "source: ", note)


def wiki_frontmatter(plan: Plan, note: Note, rng: random.Random) -> list[str]:
    created, updated = dates(rng, note)
    sources = rng.sample(plan.raws, min(len(plan.raws), rng.randint(1, 4)))
    lines = [
        f'title: "{note.name}"',
        "type: wiki",
        f"tier: {rng.randint(1, 3)}",
        f"tags: {flow_list(sorted(set(rng.sample(TAGS, rng.randint(1, 4)))))}",
        f"created: {created}",
        f"updated: {updated}",
        "sources: " + flow_list([f'"[[{raw.name}]]"' for raw in sources]),
    ]
    if note.aliases:
        lines.insert(4, f"aliases: {flow_list(note.aliases)}")
    return drop(lines, "tier: ", note)


def entity_frontmatter(note: Note, rng: random.Random) -> list[str]:
    created, _ = dates(rng, note)
    lines = ["type: entity", f"kind: {note.entity_kind}"]
    block = "".join(f"\n  - {alias}" for alias in note.aliases)
    lines.append(f"aliases:{block}" if note.aliases else "aliases: []")
    lines += [
        f"tags: {flow_list(sorted({note.entity_kind, *rng.sample(TAGS, rng.randint(0, 2))}))}",
        f"created: {created}",
    ]
    return drop(lines, "kind: ", note)


def drop(lines: list[str], prefix: str, note: Note) -> list[str]:
    if note.defect != "missing_key":
        return lines
    return [line for line in lines if not line.startswith(prefix)]


def render(plan: Plan, note: Note, seed: int, index: int) -> str:
    rng = random.Random(f"note/{seed}/{index}")
    body = Body(plan, note, rng).build()
    if note.kind == "raw":
        front = raw_frontmatter(plan, note, rng, body)
    elif note.kind == "wiki":
        front = wiki_frontmatter(plan, note, rng)
    else:
        front = entity_frontmatter(note, rng)
    return "---\n" + "\n".join(front) + "\n---\n" + body


# One character for each Latin letter, a to z (capitals the same way, where the script has them): distinct,
# so that no two names become one
SCRIPTS = {
    "latin": "",
    "cyrillic": "абцдефгхийклмнопщрстувшжыз",
    "han": "一丁七万丈三上下不与丐丑专且丕世丘丙业丛东丝丞丢两严",
}
_LATIN = "abcdefghijklmnopqrstuvwxyz"
# Kept as written: URLs, block ids (`^a1b2c3`: Latin letters and digits only, to Obsidian), a link's `.md`
_KEPT = re.compile(r"https?://\S+|\^[A-Za-z0-9-]+|\.md(?![A-Za-z])")
_BETWEEN_WORDS = re.compile(r"(?<=[A-Za-z])(?: |%20)(?=[A-Za-z])")  # a space, also in a Markdown link
_SHA256 = re.compile(r"^sha256: ([0-9a-f]{64})$", re.MULTILINE)
_WRITTEN = re.compile(r"^(?:aliases|related|sources): |^  - ", re.MULTILINE)


def in_script(text: str, script: str) -> str:
    """`text`'s Latin letters written in `script` (SCRIPTS), but what `_KEPT` holds; in Han, without the
    space between two words."""
    letters = SCRIPTS[script]
    if not letters:
        return text
    table = str.maketrans(_LATIN + _LATIN.upper(), letters + letters.upper())
    out, last = [], 0
    for url in [*_KEPT.finditer(text), None]:
        piece = text[last : url.start() if url else len(text)]
        if script == "han":
            piece = _BETWEEN_WORDS.sub("", piece)
        out.append(piece.translate(table))
        if url:
            out.append(url.group())
            last = url.end()
    return "".join(out)


def scripted(path: str, text: str, script: str) -> tuple[str, str]:
    """The note's path and text in `script`: its file name, body, and the frontmatter lines that name notes
    (aliases, links), not the folder names or the other properties, which the schemas check."""
    if script == "latin":
        return path, text
    folder, _, name = path.rpartition("/")
    path = f"{folder}/{in_script(name[: -len('.md')], script)}.md"
    end = text.index("\n---\n", 4) + len("\n---\n")
    lines = [
        in_script(line, script) if "[[" in line or _WRITTEN.match(line) else line
        for line in text[:end].split("\n")
    ]
    body = in_script(text[end:], script)
    head = "\n".join(lines)
    hashed = _SHA256.search(head)
    if hashed and hashed[1] == hashlib.sha256(text[end:].encode()).hexdigest():  # else a defect: kept
        head = head.replace(hashed[1], hashlib.sha256(body.encode()).hexdigest())
    return path, head + body


def write_vault(out: Path, count: int, seed: int = 1, script: str = "latin") -> int:
    """Write the vault into `out` (which must be empty or missing) in `script`; returns the bytes written."""
    if out.exists() and any(out.iterdir()):
        raise FileExistsError(f"{out} is not empty")
    plan = make_plan(count, seed)
    (out / ".obsidian").mkdir(parents=True, exist_ok=True)
    (out / ".obsidian" / "app.json").write_bytes(b"{}")
    for folder in sorted({note.folder for note in plan.notes}):
        (out / folder).mkdir(parents=True, exist_ok=True)
    total = 0
    for index, note in enumerate(plan.notes):
        path, text = scripted(note.path, render(plan, note, seed, index), script)
        data = text.encode()
        (out / path).write_bytes(data)
        total += len(data)
    return total


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("out_dir", type=Path)
    parser.add_argument("--notes", type=int, required=True)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--script", choices=sorted(SCRIPTS), default="latin")
    args = parser.parse_args(argv)
    if args.notes < 10:
        parser.error("--notes must be at least 10")
    start = time.perf_counter()
    try:
        total = write_vault(args.out_dir, args.notes, args.seed, args.script)
    except FileExistsError as exc:
        print(f"generate.py: {exc}", file=sys.stderr)
        return 2
    elapsed = time.perf_counter() - start
    print(f"{args.notes} notes, {total / 1e6:.1f} MB in {elapsed:.1f} s -> {args.out_dir}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
