"""MathJax in Node answers every formula in order, on as many processes as the work needs,
and a Node that fails or is left running never hangs or outlives the build."""

from __future__ import annotations

import json
import shutil

import pytest

from mdanki.anki_math import ANKI_TEX, mathjax_package
from mdanki.math import node as mathjax_node
from mdanki.math.node import MathJaxNode, MathUnavailable
from mdanki.model import Formula

needs_mathjax = pytest.mark.skipif(
    shutil.which("node") is None or mathjax_package() is None,
    reason="MathJax check needs Node.js and the pinned MathJax: run 'npm ci' (make test does)",
)


@needs_mathjax
def test_verdicts_arrive_for_every_formula_across_batches_and_processes(monkeypatch):
    monkeypatch.setattr(mathjax_node, "_BATCH", 7)
    monkeypatch.setattr(mathjax_node, "_BEHIND", 10)  # a second process starts early
    good = [Formula(f"x_{{{n}}}", False) for n in range(60)]
    bad = [Formula(rf"\foo{chr(97 + n)}", True) for n in range(20)]
    formulas = [f for pair in zip(good, bad) for f in pair] + good[20:]
    with MathJaxNode(tex=ANKI_TEX, processes=2) as mathjax:
        mathjax.submit(formulas[:33])
        assert len(mathjax._processes) == 2
        mathjax.submit(formulas[33:] + formulas[:5])  # repeats are sent once
        verdicts = mathjax.verdicts()
    assert len(verdicts) == len(formulas)
    assert all(verdicts[f.key] is None for f in good)
    assert [verdicts[f.key] for f in bad] == [rf"Undefined control sequence \foo{chr(97 + n)}" for n in range(20)]


def fake_mathjax(tmp_path, script: str):
    """A root with a mathjax-full of the right version and a check.mjs that does ``script``."""
    package = tmp_path / "node_modules" / "mathjax-full"
    package.mkdir(parents=True)
    (package / "package.json").write_text(json.dumps({"version": mathjax_node.MATHJAX_VERSION}))
    (tmp_path / "check.mjs").write_text(script)
    return {"root": tmp_path, "script": tmp_path / "check.mjs"}


@pytest.mark.skipif(shutil.which("node") is None, reason="needs Node.js")
def test_a_node_that_dies_is_reported_with_its_last_words(tmp_path):
    root = fake_mathjax(tmp_path, "console.error('first'); console.error('out of memory'); process.exit(3);\n")
    with MathJaxNode(tex=ANKI_TEX, **root) as mathjax:
        mathjax.submit([Formula("x", False)])
        with pytest.raises(MathUnavailable, match="the MathJax check failed: out of memory"):
            mathjax.verdicts()


@pytest.mark.skipif(shutil.which("node") is None, reason="needs Node.js")
def test_a_node_that_answers_short_is_reported_not_trusted(tmp_path):
    script = (
        "import { createInterface } from 'node:readline';\n"
        "for await (const line of createInterface({ input: process.stdin })) {\n"
        "  if (line.startsWith('[')) process.stdout.write('[null]\\n');\n"
        "}\n"
    )
    root = fake_mathjax(tmp_path, script)
    with MathJaxNode(tex=ANKI_TEX, **root) as mathjax:
        mathjax.submit([Formula("x", False), Formula("y", False)])
        with pytest.raises(MathUnavailable, match="failed"):
            mathjax.verdicts()


@pytest.mark.skipif(shutil.which("node") is None, reason="needs Node.js")
def test_close_stops_node_even_mid_work(tmp_path):
    root = fake_mathjax(tmp_path, "setInterval(() => {}, 1000);\n")  # never answers, never exits
    mathjax = MathJaxNode(tex=ANKI_TEX, **root)
    mathjax.submit([Formula("x", False)] * 1 + [Formula(f"y{n}", False) for n in range(300)])
    process = mathjax._processes[0]._popen
    mathjax.close()
    assert process.poll() is not None


def test_without_node_nothing_starts_and_the_reason_is_given(tmp_path):
    with MathJaxNode(tex=ANKI_TEX, root=tmp_path, node=None) as mathjax:
        mathjax.submit([])
        assert mathjax.verdicts() == {}
        mathjax.submit([Formula("x", False)])
        with pytest.raises(MathUnavailable, match="npm ci"):
            mathjax.verdicts()


def test_each_reason_math_cannot_be_checked_is_named(tmp_path, monkeypatch):
    def reason(**options):
        with MathJaxNode(tex=ANKI_TEX, **options) as mathjax:
            mathjax.submit([Formula("x", False)])
            with pytest.raises(MathUnavailable) as raised:
                mathjax.verdicts()
        return str(raised.value)

    monkeypatch.setenv("PATH", "")
    assert reason(root=tmp_path) == "node not found; install Node.js 18+ and run 'npm ci'"
    node = str(tmp_path / "node")  # any file will do: the checks before starting it come first
    (tmp_path / "node").write_text("")
    assert reason(root=tmp_path, node=node) == f"MathJax 3.2.2 is not installed; run 'npm ci' in {tmp_path}"
    package = tmp_path / "node_modules" / "mathjax-full"
    package.mkdir(parents=True)
    (package / "package.json").write_text(json.dumps({"version": "3.1.0"}))
    assert reason(root=tmp_path, node=node) == f"MathJax 3.1.0 is installed, Anki uses 3.2.2; run 'npm ci' in {tmp_path}"
    (package / "package.json").write_text(json.dumps({"version": "3.2.2"}))
    assert reason(root=tmp_path, node=str(tmp_path)).startswith("the MathJax check did not run ([Errno 13] Permission denied")
