"""Benchmark: this project's builds against the naive pipeline, at several deck sizes.

For each size it generates synthetic cards (prose, inline and display math, code in one
card of three, tags, a few images) and times, each in a fresh process so interpreter start
and imports count and peak memory is per run:

- naive: bench/naive_build.py, the straightforward pipeline (the reference);
- cold: build_deck.py with an empty cache;
- warm: again, nothing changed;
- edit 1%: after editing 1% of the cards;
- floor: bench/floor.py, reading and hashing the files, one SQLite transaction, deflate.

It prints a table with the ratios to the naive pipeline (they hold on a noisy machine
better than seconds do), peak memory and package sizes, then the shipped deck's own
cold build and one-card-edit rebuild. Usage:

    python bench/bench_build.py                  # 200, 2,000, 20,000 and 100,000 cards
    python bench/bench_build.py --sizes 200 2000 # a quicker run
"""

from __future__ import annotations

import argparse
import os
import random
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

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


def run(command: list[str], cwd: Path) -> Run:
    """Wall time and peak resident memory of one command, in a fresh process."""
    started = time.perf_counter()
    process = subprocess.Popen(command, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    _, status, usage = os.wait4(process.pid, 0)
    seconds = time.perf_counter() - started
    process.returncode = os.waitstatus_to_exitcode(status)
    if process.returncode != 0:
        raise SystemExit(f"{' '.join(command)} failed:\n{process.stderr.read().decode()}")
    return Run(seconds, usage.ru_maxrss / 1024)


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


def generate(folder: Path, size: int) -> None:
    rng = random.Random(size)
    (folder / "media").mkdir(parents=True)
    for number in range(5):
        (folder / "media" / f"figure{number}.svg").write_text(f'<svg xmlns="http://www.w3.org/2000/svg" id="f{number}"/>')
    for index in range(size):
        path = folder / "cards" / f"topic{index % 20}" / f"card-{index}.md"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(card_text(index, rng), encoding="utf-8")
    (folder / "cards" / "deck.yaml").write_text("name: Bench\nid: bench\n")


def edit_one_percent(folder: Path, size: int) -> None:
    rng = random.Random(-size)
    for index in range(0, size, 100):
        path = folder / "cards" / f"topic{index % 20}" / f"card-{index}.md"
        path.write_text(card_text(index, rng, edit=1), encoding="utf-8")


def build_command(folder: Path) -> list[str]:
    return [PYTHON, str(ROOT / "build_deck.py"), "--cards", "cards", "--media", "media", "-o", "out/deck.apkg", "-q"]


def bench_size(size: int, scratch: Path) -> dict:
    folder = scratch / f"deck-{size}"
    generate(folder, size)
    (folder / "out").mkdir()
    env_date = {"SOURCE_DATE_EPOCH": "1700000000"}
    os.environ.update(env_date)
    naive = run([PYTHON, str(ROOT / "bench" / "naive_build.py"), "cards", "media", "out/naive.apkg"], folder)
    floor = run([PYTHON, str(ROOT / "bench" / "floor.py"), "cards", "out/floor.zip"], folder)
    cold = run(build_command(folder), folder)
    warm = run(build_command(folder), folder)
    edit_one_percent(folder, size)
    edited = run(build_command(folder), folder)
    result = {
        "size": size,
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


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[200, 2_000, 20_000, 100_000])
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="mdanki-bench-") as scratch_name:
        scratch = Path(scratch_name)
        header = (
            f"{'cards':>7} | {'naive s':>8} | {'cold s':>7} {'x':>5} | {'warm s':>7} {'x':>5} | {'1% edit s':>9} {'x':>5}"
            f" | {'floor s':>7} {'warm/floor':>10} | {'peak MiB naive/cold/warm':>24} | {'apkg KiB naive/ours':>19}"
        )
        print(header)
        print("-" * len(header))
        for size in args.sizes:
            r = bench_size(size, scratch)
            n = r["naive"].seconds
            print(
                f"{size:>7,} | {n:>8.2f} | {r['cold'].seconds:>7.2f} {r['cold'].seconds / n:>5.2f} |"
                f" {r['warm'].seconds:>7.2f} {r['warm'].seconds / n:>5.2f} | {r['edit'].seconds:>9.2f}"
                f" {r['edit'].seconds / n:>5.2f} | {r['floor'].seconds:>7.2f} {r['warm'].seconds / r['floor'].seconds:>10.2f} |"
                f" {r['naive'].peak_mib:>8.0f}/{r['cold'].peak_mib:>6.0f}/{r['warm'].peak_mib:>6.0f}   |"
                f" {r['naive_kib']:>9.0f}/{r['ours_kib']:>8.0f}",
                flush=True,
            )
        cold, edited = bench_shipped_deck(scratch)
        print(f"\nshipped deck: cold build {cold.seconds:.2f} s, rebuild after a one-card edit {edited.seconds:.2f} s"
              " (wall, interpreter start included)")


if __name__ == "__main__":
    main()
