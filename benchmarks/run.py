"""Time vaultkit's scenarios as whole processes on generated vaults, against the targets of issue 6.

    python benchmarks/run.py [--sizes 1000,10000,50000] [--repeat 5] [--workdir /tmp/vaultkit-bench]
                             [--vaultkit 'vaultkit'] [--json FILE] [--smoke] [--profile]

Vaults are generated once into the work folder by generate.py and reused while they match its version
and seed. Each scenario runs --repeat times, rounds interleaved so that the floor and vaultkit see the same
machine state; the table gives the median, min and max wall time and the peak RSS of each child
(os.wait4's ru_maxrss: the largest single process among the child and the workers it waited for).
Standard library only; the floor needs PyYAML with libyaml in the interpreter given by --python.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import pstats
import queue
import re
import shlex
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import IO

import generate

TARGET_NOTES = 10_000
TIME_TARGETS = {  # seconds, for the 10,000-note vault
    "cold check": 2.5,
    "warm check": 0.35,
    "one file, warm": 0.5,
    "one edited note, warm": 0.5,
    "link --check, cold": 3.0,
}
COLD_OVER_FLOOR = 2.5
WATCH_P95_MS = 50.0
MEMORY_MB = 400.0
SCALING_PER_5X = 5.5  # 50k notes may take 5.5x the 10k time: 1.1x linear
WATCH_SAVES = 30
WATCH_DEBOUNCE_MS = 20
WATCH_SAVE_TIMEOUT = 10.0
WATCH_READY_TIMEOUT = 180.0
CACHE_DIR = ".vaultkit_cache"
CRASHED = re.compile(r"^Traceback \(most recent call last\)|internal error", re.M)
VALID_REVIEW = re.compile(r"^review_value: (?!11$)\d+$", re.M)

# The floor: list, read, decode, split with str.find and load every frontmatter with libyaml. One process.
FLOOR = """
import os, sys, yaml
SKIP = {'.obsidian', '.vaultkit_cache'}
def walk(folder):
    with os.scandir(folder) as entries:
        for entry in entries:
            if entry.is_dir(follow_symlinks=False):
                if entry.name not in SKIP:
                    yield from walk(entry.path)
            elif entry.name.endswith('.md'):
                yield entry.path
loaded = 0
for path in walk(sys.argv[1]):
    with open(path, 'rb') as handle:
        text = handle.read().decode('utf-8')
    if text.startswith('\\ufeff'):
        text = text[1:]
    if not text.startswith('---\\n'):
        continue
    end = text.find('\\n---\\n', 3)
    if end == -1:
        continue
    try:
        yaml.load(text[4:end + 1], Loader=yaml.CSafeLoader)
        loaded += 1
    except yaml.YAMLError:
        pass
print(loaded, 'frontmatters')
"""


class BenchFailure(Exception):
    """A scenario crashed (exit 2, a signal or a traceback): the numbers would mean nothing."""


@dataclass
class Sample:
    seconds: float
    rss_kb: int
    exit_code: int


@dataclass
class WatchResult:
    latencies_ms: list[float] = field(default_factory=list)
    rss_kb: int = 0
    error: str = ""


@dataclass
class SizeResult:
    notes: int
    vault_bytes: int
    samples: dict[str, list[Sample]] = field(default_factory=dict)
    watch: WatchResult | None = None


@dataclass(frozen=True)
class Setup:
    vaultkit: tuple[str, ...]
    python: str
    workdir: Path
    seed: int
    repeat: int
    watch: bool


# -- processes -----------------------------------------------------------------------------------------------


def child_env(**extra: str) -> dict[str, str]:
    """This environment, but letting children keep .pyc files as an installed vaultkit would.

    They go to a folder of their own (PYTHONPYCACHEPREFIX), not into the source tree of an editable install.
    """
    env = {key: value for key, value in os.environ.items() if key != "PYTHONDONTWRITEBYTECODE"}
    pycache = str(Path(tempfile.gettempdir()) / "vaultkit-bench-pycache")
    return {
        **env,
        "PYTHONPYCACHEPREFIX": pycache,
        "VAULTKIT_DEBUG": "1",
        **extra,
    }  # VAULTKIT_DEBUG: tracebacks


def run_child(argv: Sequence[str], accept: Sequence[int] = (0,)) -> Sample:
    """Run one whole process; wall time from spawn to reap, peak RSS from wait4."""
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        start = time.perf_counter()
        proc = subprocess.Popen(list(argv), stdin=subprocess.DEVNULL, stdout=out, stderr=err, env=child_env())
        _, status, usage = os.wait4(proc.pid, 0)
        elapsed = time.perf_counter() - start
        proc.returncode = code = os.waitstatus_to_exitcode(status)
        out.seek(0)
        err.seek(0)
        stdout, stderr = out.read().decode(errors="replace"), err.read().decode(errors="replace")
    if code not in accept or CRASHED.search(stderr):
        shown = f"--- stderr\n{stderr}--- stdout (end)\n{stdout[-2000:]}"
        raise BenchFailure(f"`{shlex.join(argv)}` exited {code}\n{shown}")
    return Sample(elapsed, usage.ru_maxrss, code)


def drop_cache(vault: Path) -> None:
    shutil.rmtree(vault / CACHE_DIR, ignore_errors=True)


def default_vaultkit() -> tuple[str, ...]:
    """vaultkit of this interpreter's environment, else the one on PATH, else `python -m vaultkit`."""
    beside = Path(sys.executable).with_name("vaultkit")
    if beside.exists():
        return (str(beside),)
    found = shutil.which("vaultkit")
    return (found,) if found else (sys.executable, "-m", "vaultkit")


# -- vaults --------------------------------------------------------------------------------------------------


def ensure_vault(workdir: Path, notes: int, seed: int) -> tuple[Path, int]:
    """The cached vault of `notes` notes, generated again if missing or made by another generator version."""
    vault = workdir / f"vault-{notes}"
    stamp = workdir / f"vault-{notes}.json"
    wanted = {"generator": generate.GENERATOR_VERSION, "notes": notes, "seed": seed}
    if vault.is_dir() and stamp.exists():
        known = json.loads(stamp.read_text())
        if {key: known.get(key) for key in wanted} == wanted:
            return vault, int(known["bytes"])
    shutil.rmtree(vault, ignore_errors=True)
    staging = workdir / f"vault-{notes}.partial"
    shutil.rmtree(staging, ignore_errors=True)
    start = time.perf_counter()
    total = generate.write_vault(staging, notes, seed)
    staging.rename(vault)
    stamp.write_text(json.dumps({**wanted, "bytes": total}))
    log(f"generated {vault} ({notes} notes, {total / 1e6:.1f} MB) in {time.perf_counter() - start:.1f} s")
    return vault, total


def first_note(folder: Path, accept: Callable[[str], bool] = lambda _text: True) -> Path:
    for path in sorted(folder.glob("*.md")):
        if accept(path.read_text(encoding="utf-8")):
            return path
    raise BenchFailure(f"no suitable note in {folder}")


# -- scenarios -----------------------------------------------------------------------------------------------


def scenarios(setup: Setup, vault: Path) -> dict[str, Callable[[], Sample]]:
    """Each scenario as a callable, in the order one round runs them."""
    vk = setup.vaultkit
    check = [*vk, "check", "--vault", str(vault), "--format", "json", "--output-file", os.devnull]
    one = [*vk, "check", "--format", "json", "--output-file", os.devnull, str(first_note(vault / "Wiki"))]
    link = [*vk, "link", "--check", "--vault", str(vault)]

    def cold(argv: list[str]) -> Callable[[], Sample]:
        def run() -> Sample:
            drop_cache(vault)
            return run_child(argv, accept=(0, 1))

        return run

    def edited(argv: list[str]) -> Callable[[], Sample]:
        """The real pre-commit case: the note given was just saved, the rest of the cache is warm."""
        note = Path(argv[-1])

        def run() -> Sample:
            original = note.read_bytes()
            atomic_write(note, original + b"\nA line the benchmark adds, then takes out again.\n")
            try:
                return run_child(argv, accept=(0, 1))
            finally:
                atomic_write(note, original)

        return run

    return {
        "floor": lambda: run_child([setup.python, "-c", FLOOR, str(vault)]),
        "cold check": cold(check),
        "warm check": lambda: run_child(check, accept=(0, 1)),
        "one file, warm": lambda: run_child(one, accept=(0, 1)),
        "one edited note, warm": edited(one),
        "link --check, cold": cold(link),
    }


def bench_size(setup: Setup, notes: int, first: bool) -> SizeResult:
    vault, size = ensure_vault(setup.workdir, notes, setup.seed)
    result = SizeResult(notes, size)
    runs = scenarios(setup, vault)
    runs["floor"]()  # untimed: fills the page cache
    if first:
        runs["cold check"]()  # untimed: writes vaultkit's .pyc files
    for round_number in range(1, setup.repeat + 1):
        for name, run in runs.items():
            sample = run()
            result.samples.setdefault(name, []).append(sample)
            mb = sample.rss_kb / 1024
            log(f"{notes} notes, round {round_number}: {name} {sample.seconds:.3f} s, {mb:.0f} MB")
    if setup.watch:
        result.watch = watch_latency(setup.vaultkit, vault)
    return result


# -- watch ---------------------------------------------------------------------------------------------------


Line = tuple[float, str | None]  # (perf_counter when read, text or None at end of output)


def read_lines(stream: IO[bytes], lines: queue.Queue[Line]) -> None:
    for raw in iter(stream.readline, b""):
        lines.put((time.perf_counter(), raw.decode(errors="replace")))
    lines.put((time.perf_counter(), None))


def wait_line(
    lines: queue.Queue[Line], want: Callable[[str], bool], after: float, timeout: float
) -> float | None:
    """The time the first wanted line read after `after` arrived, or None on time-out or end of output."""
    deadline = time.monotonic() + timeout
    while (left := deadline - time.monotonic()) > 0:
        try:
            stamp, text = lines.get(timeout=left)
        except queue.Empty:
            return None
        if text is None:
            return None
        if stamp >= after and want(text):
            return stamp
    return None


def drain(lines: queue.Queue[Line]) -> None:
    while not lines.empty():
        lines.get_nowait()


def atomic_write(path: Path, data: bytes) -> float:
    """Save like an editor: temp file in the same folder, then os.replace; returns the time the save began.
    Not the time it returned: this process may be scheduled out between the rename and reading the clock,
    while the watcher sees the rename, and a save's latency came out below zero (-8.9 ms at 50k notes)."""
    began = time.perf_counter()
    temp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    temp.write_bytes(data)
    os.replace(temp, path)
    return began


def toggled(original: str, number: int) -> bytes:
    value = 11 if number % 2 == 0 else 7
    return re.sub(r"^review_value: \d+$", f"review_value: {value}", original, count=1, flags=re.M).encode()


def vm_hwm_kb(pid: int) -> int:
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return 0
    found = re.search(r"^VmHWM:\s+(\d+) kB", status, re.M)
    return int(found.group(1)) if found else 0


def stop(proc: subprocess.Popen[bytes]) -> None:
    if proc.poll() is None:
        proc.send_signal(signal.SIGINT)
        try:
            proc.wait(timeout=5)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def measure_saves(
    proc: subprocess.Popen[bytes], lines: queue.Queue[Line], note: Path, original: str
) -> WatchResult:
    result = WatchResult()
    if wait_line(lines, lambda text: "watching" in text, 0.0, WATCH_READY_TIMEOUT) is None:
        result.error = "never said it was watching"
        return result
    for number in range(WATCH_SAVES):
        time.sleep(0.3)
        drain(lines)
        saved = atomic_write(note, toggled(original, number))
        seen = wait_line(lines, lambda text: text.startswith("vaultkit:"), saved, WATCH_SAVE_TIMEOUT)
        if seen is None:
            result.error = f"no result within {WATCH_SAVE_TIMEOUT:.0f} s of save {number + 1}"
            return result
        result.latencies_ms.append((seen - saved) * 1000 - WATCH_DEBOUNCE_MS)
    result.rss_kb = vm_hwm_kb(proc.pid)
    return result


def watch_latency(vaultkit: Sequence[str], vault: Path) -> WatchResult:
    """Save one raw note WATCH_SAVES times and time each save until the watcher prints its summary line."""
    note = first_note(vault / "Raw", lambda text: VALID_REVIEW.search(text) is not None)
    original = note.read_bytes()
    env = child_env(PYTHONUNBUFFERED="1")
    argv = [*vaultkit, "watch", str(vault), "--debounce-ms", str(WATCH_DEBOUNCE_MS)]
    with tempfile.TemporaryFile() as err:
        proc = subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=err, env=env)
        assert proc.stdout is not None
        lines: queue.Queue[Line] = queue.Queue()
        threading.Thread(target=read_lines, args=(proc.stdout, lines), daemon=True).start()
        try:
            result = measure_saves(proc, lines, note, original.decode())
        finally:
            stop(proc)
            atomic_write(note, original)
        if result.error:
            err.seek(0)
            log(f"watch: n/a ({result.error}); stderr:\n{err.read().decode(errors='replace')[-2000:]}")
    return result


# -- report --------------------------------------------------------------------------------------------------


def seconds(value: float) -> str:
    return f"{value * 1000:.0f} ms" if value < 1 else f"{value:.2f} s"


def verdict(ok: bool) -> str:
    return "ok" if ok else "**MISS**"


def target_text(limit: str, notes: int) -> str:
    return limit if notes == TARGET_NOTES else f"({limit} at 10k)"


def percentile(values: Sequence[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def scenario_row(name: str, samples: list[Sample], notes: int) -> str:
    times = [s.seconds for s in samples]
    peak_mb = max(s.rss_kb for s in samples) / 1024
    target = TIME_TARGETS.get(name)
    checks = [peak_mb <= MEMORY_MB]
    if target is not None and notes == TARGET_NOTES:
        checks.append(statistics.median(times) <= target)
    shown = target_text(f"≤ {seconds(target)}", notes) if target is not None else ""
    return (
        f"| {name} | {seconds(statistics.median(times))} | {seconds(min(times))} | {seconds(max(times))} "
        f"| {peak_mb:.0f} MB | {shown} | {verdict(all(checks))} |"
    )


def watch_row(watch: WatchResult, notes: int) -> str:
    if watch.error or not watch.latencies_ms:
        limit = target_text(f"p95 ≤ {WATCH_P95_MS:.0f} ms", notes)
        return f"| watch: save → result | n/a | | | | {limit} | {watch.error} |"
    values = watch.latencies_ms
    p95 = percentile(values, 0.95)
    mb = watch.rss_kb / 1024
    ok = mb <= MEMORY_MB and (notes != TARGET_NOTES or p95 <= WATCH_P95_MS)
    return (
        f"| watch: save → result (median, p95 {p95:.1f} ms) | {statistics.median(values):.1f} ms "
        f"| {min(values):.1f} ms | {max(values):.1f} ms | {mb:.0f} MB "
        f"| {target_text(f'p95 ≤ {WATCH_P95_MS:.0f} ms', notes)} "
        f"| {verdict(ok)} |"
    )


def median_of(result: SizeResult, name: str) -> float:
    return statistics.median(s.seconds for s in result.samples[name])


def size_table(result: SizeResult, repeat: int) -> list[str]:
    lines = [
        f"### {result.notes:,} notes ({result.vault_bytes / 1e6:.1f} MB), {repeat} run(s) each",
        "",
        "| scenario | median | min | max | peak RSS | target | |",
        "|---|---|---|---|---|---|---|",
    ]
    lines += [scenario_row(name, samples, result.notes) for name, samples in result.samples.items()]
    if result.watch is not None:
        lines.append(watch_row(result.watch, result.notes))
    ratio = median_of(result, "cold check") / median_of(result, "floor")
    ok = verdict(ratio <= COLD_OVER_FLOOR) if result.notes == TARGET_NOTES else ""
    limit = target_text(f"≤ {COLD_OVER_FLOOR}×", result.notes)
    lines.append(f"| cold check / floor | {ratio:.2f}× | | | | {limit} | {ok} |")
    return [*lines, ""]


def scaling_table(results: Sequence[SizeResult]) -> list[str]:
    base = next((r for r in results if r.notes == TARGET_NOTES), None)
    largest = max(results, key=lambda r: r.notes)
    if base is None or largest.notes <= TARGET_NOTES:
        return []
    factor = largest.notes / TARGET_NOTES
    limit = SCALING_PER_5X / 5 * factor
    lines = [
        f"### Scaling: {largest.notes:,} / {TARGET_NOTES:,} notes ({factor:g}× the notes)",
        "",
        "| scenario | time ratio | target | |",
        "|---|---|---|---|",
    ]
    for name in largest.samples:
        ratio = median_of(largest, name) / median_of(base, name)
        shown = verdict(ratio <= limit) if name == "cold check" else ""
        lines.append(f"| {name} | {ratio:.2f}× | ≤ {limit:.2f}× | {shown} |")
    return [*lines, ""]


def report(results: Sequence[SizeResult], setup: Setup) -> str:
    lines = [
        f"## vaultkit benchmark ({platform.python_implementation()} {platform.python_version()}, "
        f"{os.cpu_count()} CPUs, `{shlex.join(setup.vaultkit)}`)",
        "",
        f"Time targets apply to the {TARGET_NOTES:,}-note vault; peak RSS ≤ {MEMORY_MB:.0f} MB to every "
        "size (the last column checks both).",
        "",
    ]
    for result in results:
        lines += size_table(result, setup.repeat)
    lines += scaling_table(results)
    return "\n".join(lines)


def dump_json(path: Path, results: Sequence[SizeResult], setup: Setup) -> None:
    data = {
        "python": sys.version,
        "platform": platform.platform(),
        "cpus": os.cpu_count(),
        "vaultkit": list(setup.vaultkit),
        "repeat": setup.repeat,
        "seed": setup.seed,
        "generator": generate.GENERATOR_VERSION,
        "sizes": [asdict(result) for result in results],
    }
    path.write_text(json.dumps(data, indent=2) + "\n")


# -- profile -------------------------------------------------------------------------------------------------


def profile(setup: Setup, notes: int) -> None:
    """Cold check of one vault under cProfile, one process: top 25 by cumulative time, top 15 by own time."""
    vault, _ = ensure_vault(setup.workdir, notes, setup.seed)
    out = setup.workdir / f"cold-{notes}.prof"
    drop_cache(vault)
    run_child(
        [
            setup.python,
            "-m",
            "cProfile",
            "-o",
            str(out),
            "-m",
            "vaultkit",
            "check",
            "--vault",
            str(vault),
            "--format",
            "json",
            "--output-file",
            os.devnull,
            "--jobs",
            "1",
        ],
        accept=(0, 1),
    )
    stats = pstats.Stats(str(out), stream=sys.stdout)
    stats.sort_stats("cumulative").print_stats(25)
    stats.sort_stats("tottime").print_stats(15)
    print(f"profile kept in {out}")


# -- main ----------------------------------------------------------------------------------------------------


def log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--sizes", default="1000,10000,50000", help="comma-separated note counts")
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--workdir", type=Path, default=Path(tempfile.gettempdir()) / "vaultkit-bench")
    parser.add_argument("--vaultkit", help="command that runs vaultkit (default: the one beside this python)")
    parser.add_argument("--python", default=sys.executable, help="interpreter for the floor and --profile")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--json", type=Path, help="also write the raw numbers to this file")
    parser.add_argument("--smoke", action="store_true", help="1k vault, one run, no watch: do scenarios run?")
    parser.add_argument("--no-watch", action="store_true", help="skip the watch scenario")
    parser.add_argument("--profile", action="store_true", help="profile a cold check under cProfile instead")
    parser.add_argument("--profile-notes", type=int, default=TARGET_NOTES)
    parser.add_argument("--generate-only", action="store_true", help="make the vaults for --sizes and stop")
    return parser.parse_args(argv)


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    sizes = [1000] if args.smoke else [int(size) for size in args.sizes.split(",")]
    vaultkit = tuple(shlex.split(args.vaultkit)) if args.vaultkit else default_vaultkit()
    setup = Setup(
        vaultkit,
        args.python,
        args.workdir,
        args.seed,
        1 if args.smoke else args.repeat,
        not (args.smoke or args.no_watch),
    )
    setup.workdir.mkdir(parents=True, exist_ok=True)
    try:
        if args.profile:
            profile(setup, args.profile_notes)
            return 0
        if args.generate_only:
            for notes in sizes:
                log(f"{ensure_vault(setup.workdir, notes, setup.seed)[0]} is ready")
            return 0
        results = [bench_size(setup, notes, number == 0) for number, notes in enumerate(sizes)]
    except BenchFailure as exc:
        log(f"benchmark stopped: {exc}")
        return 1
    print(report(results, setup))
    if args.json:
        dump_json(args.json, results, setup)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
