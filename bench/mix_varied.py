"""A second benchmark mix, not tuned for: what the speedups were not written against.

Compared with bench_build.py's own mix, every question ends in a reference like ``(#12)`` (so a
``#`` is in almost every question), cards are short and long, formulas are many and distinct
(a dozen shapes, each with the card's own numbers), code comes in several languages (and
sometimes none named), and the front matter takes several shapes: flow and block tag lists,
quoted ids, comments, a ``deck:`` key, reversed and cloze cards.

The cards are valid for mdanki and for bench/naive_build.py alike (every card has an ``id``).
"""

from __future__ import annotations

import random

WORDS = (
    "the a of to in model data feature gradient loss bias variance tree forest margin kernel vector "
    "matrix sample label class score metric recall precision layer weight neuron cluster distance "
    "entropy prior posterior likelihood batch epoch dropout residual attention token embedding"
).split()

FORMULAS = (
    "\\frac{{x_{{{a}}}}}{{y + {b}}}",
    "\\sum_{{k=1}}^{{{a}}} k^{{{b}}}",
    "\\sqrt{{a^2 + {a} b^2}}",
    "\\mathbb{{E}}[X_{{{a}}}] = {b}",
    "\\int_0^{{{a}}} x^{{{b}}} \\, dx",
    "\\lVert w \\rVert_{{{b}}} \\le {a}",
    "p(y \\mid x) = \\sigma(w^\\top x + {a})",
    "\\binom{{{a}}}{{{b}}}",
    "\\hat{{\\theta}}_{{{a}}} = \\arg\\max_\\theta \\ell(\\theta) - {b}\\lambda",
    "\\log \\prod_{{i={b}}}^{{{a}}} p_i",
    "\\nabla_w L = {a} \\cdot (\\hat{{y}} - y) x",
    "e^{{-{a} t}} \\cos({b} \\omega t)",
)

DISPLAYS = (
    "\\begin{{aligned}}\nf(x) &= {a} x^2 + {b} \\\\\nf'(x) &= {c} x\n\\end{{aligned}}",
    "\\operatorname{{softmax}}(z)_i = \\frac{{e^{{z_i / {a}}}}}{{\\sum_j e^{{z_j / {a}}}}}",
    "\\mathcal{{L}} = -\\sum_{{i=1}}^{{{a}}} y_i \\log \\hat{{y}}_i + {b} \\lVert w \\rVert^2",
)

CODE = (
    ("python", "def f_{i}(xs):\n    return [x * {i} for x in xs if x > {j}]"),
    ("javascript", "const f{i} = (xs) => xs.map((x) => x * {i}).filter((x) => x > {j});"),
    ("rust", "fn f{i}(xs: &[i64]) -> i64 {{\n    xs.iter().map(|x| x * {i}).sum()\n}}"),
    ("sql", "SELECT label, COUNT(*) AS n\nFROM samples\nWHERE score > {j}\nGROUP BY label;"),
    ("bash", "for f in data/*.csv; do\n  wc -l \"$f\" | awk '{{print $1 + {i}}}'\ndone"),
    ("", "plain text block {i}\n  indented {j}"),
    ("c", "int f{i}(int x) {{ return x * {i} + {j}; }}"),
)


def _words(rng: random.Random, count: int) -> str:
    return " ".join(rng.choice(WORDS) for _ in range(count))


def _sentence(rng: random.Random, count: int) -> str:
    return _words(rng, count).capitalize() + "."


def _formula(rng: random.Random, index: int) -> str:
    shape = rng.choice(FORMULAS)
    return shape.format(a=index % 997 + 2, b=rng.randrange(1, 50))


def _front_matter(index: int, rng: random.Random, kind: str) -> str:
    shape = index % 6
    tags = [f"topic{index % 17}", f"level{rng.randrange(3)}"] + (["ml::deep"] if index % 4 == 0 else [])
    lines = []
    if shape == 0:
        lines += [f"id: v-{index}", f"tags: [{', '.join(tags)}]"]
    elif shape == 1:
        lines += [f'id: "v-{index}"', "tags:"] + [f"  - {tag}" for tag in tags]
    elif shape == 2:
        lines += ["# generated", f"id: v-{index}  # stable", f"deck: Part{index % 5}::Sub{index % 3}"]
    elif shape == 3:
        lines += [f"tags: [{', '.join(tags)}]", f"id: 'v-{index}'"]
    elif shape == 4:
        lines += [f"id: v-{index}", "tags: []"]
    else:
        lines += [f"id: v-{index}", f"tags: {tags[0]}" if index % 2 else f"tags: [{tags[0]}]"]
    if kind != "basic":
        lines.append(f"type: {kind}")
    return "---\n" + "\n".join(lines) + "\n---\n"


def _answer(index: int, rng: random.Random, edit: int) -> str:
    length = rng.choice((1, 1, 2, 3, 6))  # short and long cards
    parts = []
    for number in range(length):
        text = _sentence(rng, rng.randrange(5, 40))
        if rng.random() < 0.6:
            text += f" Here ${_formula(rng, index + number)}$ holds"
            text += f" (edit {edit})." if edit else "."
        if rng.random() < 0.2:
            text += " Use `x[" + str(number) + "]`, **not** *this* one."
        parts.append(text)
    if index % 4 == 0:
        display = rng.choice(DISPLAYS).format(a=index % 89 + 2, b=rng.randrange(9), c=rng.randrange(2, 20))
        parts.append(f"$$\n{display}\n$$")
    if index % 3 == 1:
        language, code = CODE[(index // 3) % len(CODE)]
        parts.append(f"```{language}\n" + code.format(i=index, j=rng.randrange(100)) + "\n```")
    if index % 11 == 0:
        parts.append("\n".join(f"- {_words(rng, rng.randrange(2, 9))} (#{rng.randrange(200)})" for _ in range(rng.randrange(2, 6))))
    if index % 13 == 0:
        parts.append("| a | b |\n|---|---|\n" + "\n".join(f"| {n} | {_words(rng, 2)} |" for n in range(3)))
    if index % 97 == 0:
        parts.append(f"![figure](figure{index % 5}.svg)")
    if edit and len(parts) == 1 and "edit" not in parts[0]:
        parts[0] += f" Edited {edit}."
    return "\n\n".join(parts)


def card_text(index: int, rng: random.Random, edit: int = 0) -> str:
    kind = "cloze" if index % 23 == 0 else "reversed" if index % 19 == 0 else "basic"
    question = _sentence(rng, rng.choice((3, 6, 12, 30)))[:-1] + f"? (#{index % 500})"
    if rng.random() < 0.3:
        question = f"For ${_formula(rng, index * 7)}$: " + question
    head = _front_matter(index, rng, kind)
    if kind == "cloze":
        body = f"## Text\n{question} The {{{{c1::{rng.choice(WORDS)}}}}} of $x_{{{index}}}$ and {{{{c2::{rng.choice(WORDS)}}}}}.\n"
        body += "\n## Notes\n" + _answer(index, rng, edit) + "\n"
        return head + body
    body = f"## Question\n{question}\n\n## Answer\n{_answer(index, rng, edit)}\n"
    if rng.random() < 0.5:
        body += f"\n## Notes\n{_sentence(rng, rng.randrange(4, 60))} See (#{rng.randrange(999)}).\n"
    return head + body


def card_path(index: int) -> str:
    return f"part{index % 7}/sub{index % 3}/v-{index}.md" if index % 2 else f"part{index % 7}/v-{index}.md"
