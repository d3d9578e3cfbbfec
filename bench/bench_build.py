"""Benchmark: this project's builds against the naive pipeline, at several deck sizes and mixes.

For each size and mix it generates synthetic cards and times, each in a fresh process so
interpreter start and imports count and peak memory is per run:

- naive: bench/naive_build.py, the straightforward pipeline (the reference);
- cold: build_deck.py with an empty cache;
- warm: again, nothing changed;
- edit 1%: after editing 1% of the cards;
- floor: bench/floor.py, reading and hashing the files, one SQLite transaction, deflate.

Two mixes: ``bench`` (this file's own: prose, inline and display math, code in one card of
three, tags, a few images; the mix the speedups were measured on) and ``varied``
(bench/mix_varied.py: questions ending in references like ``(#12)``, short and long cards,
many distinct formulas, code in several languages, front matter of several shapes, reversed
and cloze cards), which nothing here was tuned for.

It prints a table with wall seconds and CPU seconds (user + sys of the process and all its
children: a loaded machine stretches the first, not the second) and the ratios of both to
the naive pipeline of the same mix and size in the same run, peak memory and package sizes,
then the shipped deck's own cold build and one-card-edit rebuild. Usage:

    python bench/bench_build.py                           # both mixes, 200 to 100,000 cards
    python bench/bench_build.py --sizes 200 2000          # a quicker run
    python bench/bench_build.py --sizes 20000 --mixes varied
"""

from __future__ import annotations

import argparse
import os
import random
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import mix_varied  # noqa: E402  (bench/ is not a package)

ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable
WORDS = (
    "model data feature gradient loss bias variance tree forest margin kernel vector matrix "
    "sample label class score metric recall precision layer weight neuron cluster distance"
).split()


@dataclass
class Run:
    seconds: float
    peak_mib: float
    cpu: float  # user + sys seconds of the process and every child it waited for (its workers)


def _cpu_of_children() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def run(command: list[str], cwd: Path) -> Run:
    """Wall time, CPU time and peak resident memory of one command, in a fresh process."""
    cpu_before = _cpu_of_children()
    started = time.perf_counter()
    process = subprocess.Popen(command, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    _, status, usage = os.wait4(process.pid, 0)
    seconds = time.perf_counter() - started
    cpu = _cpu_of_children() - cpu_before
    process.returncode = os.waitstatus_to_exitcode(status)
    if process.returncode != 0:
        raise SystemExit(f"{' '.join(command)} failed:\n{process.stderr.read().decode()}")
    return Run(seconds, usage.ru_maxrss / 1024, cpu)


def sentence(rng: random.Random, words: int) -> str:
    return " ".join(rng.choice(WORDS) for _ in range(words)).capitalize() + "."


def card_text(index: int, rng: random.Random, edit: int = 0) -> str:
    answer = [sentence(rng, 25) + f" The weight $w_{{{index}}} = \\frac{{a_i}}{{b_i + {edit}}}$ matters."]
    if index % 5 == 0:
        answer.append("$$\n\\hat{y} = \\sigma\\left(\\sum_{j=1}^{n} w_j x_j + b\\right)\n$$")
    if index % 3 == 0:
        answer.append(f"```python\ndef f_{index}(x):\n    return sum(v * {index} for v in x)  # {edit}\n```")
    if index % 97 == 0:
        answer.append(f"![figure](figure{index % 5}.svg)")
    notes = sentence(rng, 40) + " " + sentence(rng, 30)
    return (
        f"---\nid: card-{index}\ntags: [topic{index % 20}, bench]\n---\n"
        f"## Question\n{sentence(rng, 12)[:-1]}?\n\n## Answer\n" + "\n\n".join(answer) + f"\n\n## Notes\n{notes}\n"
    )


def bench_card_path(index: int) -> str:
    return f"topic{index % 20}/card-{index}.md"


# each mix: (card text for index, rng and edit number; card file path below cards/ for index)
MIXES = {
    "bench": (card_text, bench_card_path),
    "varied": (mix_varied.card_text, mix_varied.card_path),
}


def generate(folder: Path, size: int, mix: str) -> None:
    text, where = MIXES[mix]
    rng = random.Random(size)
    (folder / "media").mkdir(parents=True)
    for number in range(5):
        (folder / "media" / f"figure{number}.svg").write_text(f'<svg xmlns="http://www.w3.org/2000/svg" id="f{number}"/>')
    for index in range(size):
        path = folder / "cards" / where(index)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text(index, rng), encoding="utf-8")
    (folder / "cards" / "deck.yaml").write_text("name: Bench\nid: bench\n")


def edit_one_percent(folder: Path, size: int, mix: str) -> None:
    text, where = MIXES[mix]
    rng = random.Random(-size)
    for index in range(0, size, 100):
        (folder / "cards" / where(index)).write_text(text(index, rng, edit=1), encoding="utf-8")


def build_command(folder: Path) -> list[str]:
    return [PYTHON, str(ROOT / "build_deck.py"), "--cards", "cards", "--media", "media", "-o", "out/deck.apkg", "-q"]


def bench_size(size: int, mix: str, scratch: Path) -> dict:
    folder = scratch / f"deck-{mix}-{size}"
    generate(folder, size, mix)
    (folder / "out").mkdir()
    os.environ["SOURCE_DATE_EPOCH"] = "1700000000"
    naive = run([PYTHON, str(ROOT / "bench" / "naive_build.py"), "cards", "media", "out/naive.apkg"], folder)
    floor = run([PYTHON, str(ROOT / "bench" / "floor.py"), "cards", "out/floor.zip"], folder)
    cold = run(build_command(folder), folder)
    warm = run(build_command(folder), folder)
    edit_one_percent(folder, size, mix)
    edited = run(build_command(folder), folder)
    result = {
        "size": size,
        "mix": mix,
        "naive": naive,
        "cold": cold,
        "warm": warm,
        "edit": edited,
        "floor": floor,
        "naive_kib": (folder / "out" / "naive.apkg").stat().st_size / 1024,
        "ours_kib": (folder / "out" / "deck.apkg").stat().st_size / 1024,
    }
    shutil.rmtree(folder)
    return result


def bench_shipped_deck(scratch: Path) -> tuple[Run, Run]:
    """The shipped deck: cold (empty cache) and after a one-card edit, interpreter start included."""
    copy = scratch / "shipped"
    shutil.copytree(ROOT / "cards", copy / "cards")
    shutil.copytree(ROOT / "media", copy / "media")
    (copy / "out").mkdir()
    cold = run(build_command(copy), copy)
    card = sorted((copy / "cards").rglob("*.md"))[-1]
    card.write_text(card.read_text(encoding="utf-8") + "\nOne more line.\n", encoding="utf-8")
    edited = run(build_command(copy), copy)
    return cold, edited


HEADER = (
    f"{'mix':>6} {'cards':>7} | {'naive s/cpu':>11} | {'cold s/cpu':>11} {'x/cpu x':>11} | {'warm s/cpu':>10} {'x/cpu x':>11}"
    f" | {'1% edit s/cpu':>13} {'x/cpu x':>11} | {'floor s':>7} | {'peak MiB naive/cold/warm':>24} | {'apkg KiB naive/ours':>19}"
)


def row(r: dict) -> str:
    """One line of the table: seconds/CPU-seconds, and both as ratios to the naive pipeline."""
    naive = r["naive"]

    def cell(run: Run, width: int) -> str:
        return f"{run.seconds:.2f}/{run.cpu:.2f}".rjust(width)

    def ratios(run: Run) -> str:
        return f"{run.seconds / naive.seconds:.3f}/{run.cpu / naive.cpu:.3f}".rjust(11)

    return (
        f"{r['mix']:>6} {r['size']:>7,} | {cell(naive, 11)} | {cell(r['cold'], 11)} {ratios(r['cold'])} |"
        f" {cell(r['warm'], 10)} {ratios(r['warm'])} | {cell(r['edit'], 13)} {ratios(r['edit'])} |"
        f" {r['floor'].seconds:>7.2f} | {naive.peak_mib:>8.0f}/{r['cold'].peak_mib:>6.0f}/{r['warm'].peak_mib:>6.0f}   |"
        f" {r['naive_kib']:>9.0f}/{r['ours_kib']:>8.0f}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[200, 2_000, 20_000, 100_000])
    parser.add_argument("--mixes", nargs="+", choices=sorted(MIXES), default=["bench", "varied"])
    parser.add_argument("--no-shipped", action="store_true", help="leave out the shipped deck's two builds")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="mdanki-bench-") as scratch_name:
        scratch = Path(scratch_name)
        print(f"{os.cpu_count()} cores; load average {' '.join(f'{x:.2f}' for x in os.getloadavg())} at the start")
        print(HEADER)
        print("-" * len(HEADER))
        for size in args.sizes:
            for mix in args.mixes:
                print(row(bench_size(size, mix, scratch)), flush=True)
        print(f"load average {' '.join(f'{x:.2f}' for x in os.getloadavg())} at the end")
        if not args.no_shipped:
            cold, edited = bench_shipped_deck(scratch)
            print(f"\nshipped deck: cold build {cold.seconds:.2f} s, rebuild after a one-card edit {edited.seconds:.2f} s"
                  " (wall, interpreter start included)")


if __name__ == "__main__":
    main()
