"""Where one note's parse goes: each step of the per-note pipeline timed in this process, over one vault.

    python benchmarks/per_note.py [VAULT] [--notes 3000] [--workers]

Each step runs over the same notes three times; the best round is printed, in microseconds of this process's
CPU per note (CPU, not wall: the machine is shared, and another process's work is not this step's).
`--workers` also times the whole parse through the worker pool with one and with two processes, which shows
how much a second core gives on this machine. Not a test: a profiling aid (see benchmarks/README.md).
"""

from __future__ import annotations

import argparse
import gc
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from vaultkit import markdown, note
from vaultkit.analyze import Analyzer, note_facts
from vaultkit.engine import open_session
from vaultkit.frontmatter import load, split
from vaultkit.pool import Workers
from vaultkit.vault import list_vault

DEFAULT_VAULT = Path("/tmp/vaultkit-bench/vault-10000")


def best_of_three(items: Sequence[Any], step: Callable[[Any], object]) -> float:
    """Microseconds per item, best of three rounds."""
    best = float("inf")
    for _ in range(3):
        start = time.process_time()
        for item in items:
            step(item)
        best = min(best, (time.process_time() - start) / len(items) * 1e6)
    return best


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("vault", nargs="?", type=Path, default=DEFAULT_VAULT)
    parser.add_argument("--notes", type=int, default=3000)
    parser.add_argument("--workers", action="store_true")
    args = parser.parse_args()
    gc.disable()  # as in a real run (commands.common.one_shot)
    session = open_session(args.vault.resolve())
    listing = list_vault(session.root, session.config, session.obsidian, None)
    rels = list(listing.notes)[: args.notes]
    analyzer = Analyzer(session.settings(), session.schemas)
    read = [(rel, note.read_raw(session.root / rel, 10**9)[0]) for rel in rels]
    pairs = [(rel, raw) for rel, raw in read if raw is not None]  # unreadable notes are left out
    raws = [raw for _rel, raw in pairs]
    texts = [t for t in (note.decode(r.data)[0] for r in raws) if t is not None]
    bodies = [t[split(t).body_start :] for t in texts]
    notes = [note.parse(rel, raw) for rel, raw in pairs]

    def frontmatter(text: str) -> None:
        load(text, split(text))

    def worker_parse(rel: str) -> None:
        analyzer.parse([rel])
        analyzer.drop_prose()

    steps: list[tuple[str, Sequence[Any], Callable[[Any], object]]] = [
        ("read", rels, lambda rel: note.read_raw(session.root / rel, 10**9)),
        ("decode", raws, lambda raw: note.decode(raw.data)),
        ("frontmatter", texts, frontmatter),
        ("body scan", bodies, markdown.scan),
        ("facts + note rules", notes, lambda n: note_facts(n, analyzer.ctx)),
        # decode, the line table, frontmatter and body scan together: beyond the three steps above, the
        # line table and the Note (~10 us of what looked unaccounted for)
        ("note.parse", pairs, lambda pair: note.parse(*pair)),
        ("whole parse_one", rels, analyzer.parse_one),
        # what a worker runs: parse_one, then the prose masked for the mention scan (dropped here)
        ("whole parse, worker", rels, worker_parse),
    ]
    print(f"{len(rels)} notes of {args.vault}, CPU microseconds per note (best of 3):")
    for name, items, step in steps:
        print(f"  {name:<20} {best_of_three(items, step):8.0f}")
    if args.workers:
        everything = list(listing.notes)
        for jobs in (1, 2):
            pool = Workers(session.settings(), jobs)
            start = time.perf_counter()
            pool.call("parse", everything)
            print(
                f"  parse of all {len(everything)} notes, {jobs} process(es): {time.perf_counter() - start:.2f} s"
            )
            pool.close()


if __name__ == "__main__":
    main()
