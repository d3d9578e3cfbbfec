"""Benchmark: the math check in embedded V8 (mdanki.math.v8) against MathJax in Node.

Both check the shipped deck's formulas (every distinct closed formula of cards/, found with
mdanki's own formulas_of over the rendered fields). Each timing runs in a fresh Python
process, so the routes' imports, the V8 library's loading and Node's start all count:

- cold: from nothing (before ``import mdanki.math.v8`` / ``MathJaxNode``) to every verdict
  of the deck's formulas back;
- start: the same for a single formula (what any check costs at least);
- per formula: (time for the deck's formulas repeated ``--repeat`` times - start) / formulas,
  the marginal cost once running (made distinct by trailing spaces, which MathJax ignores).

Medians of ``--runs`` runs. The two routes' verdicts are compared too. Usage:

    npm ci && python bench/bench_math.py            # needs node and mathjax-full for the Node column
    python bench/bench_math.py --runs 9 --repeat 20
"""

from __future__ import annotations

import argparse
import json
import shutil
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

CHILD = r"""
import json, sys, time
started = time.perf_counter()
route, path = sys.argv[1], sys.argv[2]
formulas = [tuple(f) for f in json.load(open(path, encoding="utf-8"))]
if route == "v8":
    from mdanki.math.v8 import MathJaxV8
    from mdanki.anki_math import ANKI_TEX
    with MathJaxV8(tex=ANKI_TEX) as mathjax:
        verdicts = mathjax.verdicts(formulas)
else:
    from mdanki.math.node import MathJaxNode
    from mdanki.anki_math import ANKI_TEX
    from mdanki.model import Formula
    items = [Formula(tex, display) for tex, display in formulas]
    with MathJaxNode(tex=ANKI_TEX) as mathjax:
        mathjax.submit(items)
        answers = mathjax.verdicts()
    verdicts = [answers[f.key] for f in items]
seconds = time.perf_counter() - started
json.dump({"seconds": seconds, "verdicts": verdicts}, sys.stdout)
"""


def deck_formulas() -> tuple[list[tuple[str, bool]], int]:
    from mdanki.math import formulas_of
    from mdanki.notetypes import NOTE_TYPES
    from mdanki.render import Renderer
    from mdanki.source import read_cards

    cards, _ = read_cards(ROOT / "cards")
    renderer = Renderer(media_dir=ROOT / "media", roots=(ROOT / "cards", ROOT / "media"))
    rendered = [renderer.render(card, NOTE_TYPES[card.kind])[0].fields for card in cards]
    found = [f for fields in rendered for _, f in formulas_of(fields) if f.closed and "{{c" not in f.tex]
    return list(dict.fromkeys((f.tex, f.display) for f in found)), len(cards)


def timed(route: str, formulas: list[tuple[str, bool]], folder: Path) -> dict:
    path = folder / "formulas.json"
    path.write_text(json.dumps(formulas), encoding="utf-8")
    # imports from the checkout, with preloaded modules (mdanki, markdown, ...) out of the way
    result = subprocess.run([sys.executable, "-c", CHILD, route, str(path)], cwd=ROOT, capture_output=True,
                            text=True, env={"PYTHONPATH": str(ROOT), "PATH": "/usr/local/bin:/usr/bin:/bin"})
    if result.returncode != 0:
        raise SystemExit(f"{route} failed:\n{result.stderr}")
    return json.loads(result.stdout)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--repeat", type=int, default=10)
    args = parser.parse_args()

    from mdanki.anki_math import mathjax_package

    formulas, cards = deck_formulas()
    many = [(tex + " " * k, display) for k in range(args.repeat) for tex, display in formulas]
    routes = ["v8"]
    if shutil.which("node") and mathjax_package() is not None:
        routes.append("node")
    else:
        print("node or mathjax-full missing: only the V8 route is timed (run 'npm ci')", file=sys.stderr)

    figures: dict[str, dict[str, float]] = {}
    verdicts: dict[str, list] = {}
    with tempfile.TemporaryDirectory() as temp:
        folder = Path(temp)
        for route in routes:
            timed(route, formulas, folder)  # warm the file cache
        runs = {route: {"cold": [], "start": [], "bulk": []} for route in routes}
        for _ in range(args.runs):  # interleaved, so both routes see the same machine load
            for route in routes:
                answer = timed(route, formulas, folder)
                runs[route]["cold"].append(answer["seconds"])
                verdicts[route] = answer["verdicts"]
                runs[route]["start"].append(timed(route, formulas[:1], folder)["seconds"])
                runs[route]["bulk"].append(timed(route, many, folder)["seconds"])
        for route, times in runs.items():
            figures[route] = {
                "start": statistics.median(times["start"]),
                "cold": statistics.median(times["cold"]),
                "cold_min": min(times["cold"]),
                "per": (statistics.median(times["bulk"]) - statistics.median(times["start"])) / len(many),
            }

    print(f"shipped deck: {cards} cards, {len(formulas)} distinct formulas; medians of {args.runs} runs")
    print(f"{'route':<8}{'start (1 formula)':>20}{'cold (deck)':>14}{'fastest cold':>14}{'per formula':>14}{'formulas/s':>12}")
    for route, f in figures.items():
        print(f"{route:<8}{f['start'] * 1000:>17.0f} ms{f['cold'] * 1000:>11.0f} ms{f['cold_min'] * 1000:>11.0f} ms"
              f"{f['per'] * 1e6:>11.0f} µs{1 / f['per'] if f['per'] > 0 else float('inf'):>12,.0f}")
    if "node" in figures:
        v8, node = figures["v8"], figures["node"]
        print(f"V8 / Node: start {v8['start'] / node['start']:.2f}x, cold {v8['cold'] / node['cold']:.2f}x, "
              f"per formula {v8['per'] / node['per']:.2f}x (below 1: V8 is faster)")
        same = verdicts["v8"] == verdicts["node"]
        print(f"verdicts: {'identical' if same else 'DIFFERENT'} ({sum(v is not None for v in verdicts['v8'])} errors)")
        if not same:
            return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
