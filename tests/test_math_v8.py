"""math.v8: MathJax in embedded V8 gives the Node route's verdicts, with no Node.

The bundle it runs (mdanki/mathjax_v8.js) is committed package data; a fresh build of it
from the pinned npm packages must give the same bytes.
"""

from __future__ import annotations

import importlib.util
import shutil
import sys
import tomllib

import pytest
from conftest import REPO

from mdanki.anki_math import ANKI_TEX, mathjax_package
from mdanki.math import formulas_of
from mdanki.math import v8 as mathjax_v8
from mdanki.math.node import MathJaxNode, MathUnavailable
from mdanki.math.v8 import MathJaxV8
from mdanki.model import Formula
from mdanki.preview.site import _MATHJAX_FILES, MATHJAX

needs_v8 = pytest.mark.skipif(importlib.util.find_spec("py_mini_racer") is None, reason="needs mini-racer: pip install mini-racer")
needs_node = pytest.mark.skipif(
    shutil.which("node") is None or mathjax_package() is None,
    reason="the Node route needs Node.js and the pinned MathJax: run 'npm ci' (make test does)",
)
needs_esbuild = pytest.mark.skipif(
    not (REPO / "node_modules" / ".bin" / "esbuild").exists() or mathjax_package() is None,
    reason="building the bundle needs the pinned esbuild and mathjax-full: run 'npm ci'",
)

LONG_GOOD = " + ".join(f"x_{{{i}}}^{{{i % 7}}}" for i in range(2000))
LONG_BAD = LONG_GOOD + r" + \frac{1}{"
NESTED = "{" * 200 + "x" + "}" * 200

# Checked inline and displayed, in this order, after the deck's formulas: order matters for
# the few things that are global to a MathJax (\require's loader), the same in both routes.
TRICKY = [
    # undefined control sequences
    r"\foo", r"\eps", r"\R", r"\N^2", r"\SI{3}{m}", r"\setOptions{x}", r"\bm{x}", r"x \( y",
    # missing and extra braces, arguments
    r"\frac{a}{", r"\frac{a}", r"\frac", r"\frac12 + \dfrac{1}2", r"{", r"}", r"}{", r"x^2}", r"{{x}",
    r"x^", r"x_", r"x^2^3", r"x_1_2", r"\sqrt[3]{x}", r"\sqrt[3{x}", r"\hat", r"\mathbb", r"\operatorname",
    r"\xrightarrow", r"\xrightarrow[a]{b}", r"\underset{a}", r"\overset{a}{b}",
    # environments
    r"\begin{align} a &= b", r"\begin{align} a &= b \end{aligned}", r"\end{matrix}", r"\begin{foo} x \end{foo}",
    r"\begin{array}{cc} a & b \\ c & d \end{array}", r"\begin{array} a \end{array}", r"\begin{cases} a & b \\ c",
    r"\begin{align}\begin{align} a \end{align}\end{align}", r"\begin{CD} A @>>> B \end{CD}",
    r"\begin{equation} x \end{equation}", r"\begin{gathered} a \\ b \end{gathered}", r"\begin{smallmatrix} a \end{smallmatrix}",
    r"\cases{a & b \cr c & d}", r"\matrix{a & b \cr c & d}", r"x &= y", r"a \\ b",
    # delimiters
    r"\left( x", r"x \right)", r"\left x \right)", r"\big", r"\big x", r"\bigl( x \bigr)", r"\left\{ x \right.",
    # state: definitions get a parser of their own, so uses after them fail
    r"\def\x{1}\x", r"\x", r"\newcommand{\R}{\mathbb{R}}\R^n", r"\R^n", r"\newcommand{\f}[2]{#1+#2}\f{a}{b}",
    r"\newcommand{\f}[2]{#1+#3}\f{a}{b}", r"\f{a}{b}", r"\renewcommand{\frac}{x}\frac", r"\frac{a}{b}",
    r"\newenvironment{myenv}{\left(}{\right)}\begin{myenv}x\end{myenv}", r"\begin{myenv}x\end{myenv}",
    r"\DeclareMathOperator{\sgn}{sgn}\sgn x", r"\sgn x", r"\let\a=\alpha \a", r"\a", r"\def\x{\x}\x",
    r"\gdef\y{2}\y", r"\y", r"\edef\z{3}\z", r"\providecommand{\q}{q}\q", r"\q",
    r"\Newextarrow{\xrightharpoonup}{5,10}{0x21C0}\xrightharpoonup{x}", r"\xrightharpoonup{x}",
    r"\tag{1} x", r"\tag{1}\tag{2} x", r"\label{a} x", r"\label{a}\label{b} x", r"\label{a} y", r"\ref{a}", r"\eqref{a}",
    # \require: MathJax cannot load anything without a browser
    r"\require{cancel}\cancel{x}", r"\require{nonexistent}", r"\require{cancel}",
    # text (Anki drops textmacros)
    r"\text{a \foo b}", r"\text{$x$}", r"\text{unclosed", r"\text{café}", r"\text{日本語}", r"\textbf{\textit{x}}", r"\mbox{x}",
    # mathtools, ams and the other packages of AllPackages
    r"\coloneqq", r"a \vcentcolon= b", r"\DeclarePairedDelimiter{\norm}{\lVert}{\rVert}\norm{x}", r"\mathclap{x}",
    r"\prescript{a}{b}{c}", r"\begin{dcases} a & b \end{dcases}", r"\begin{pmatrix*}[r] 1 \\ -1 \end{pmatrix*}",
    r"\shortintertext{x}", r"\mathbb{R}", r"\mathbb R", r"\mathbb{1}", r"\operatorname{Var}(X)", r"\operatorname*{arg\,max}_x f",
    r"\boldsymbol{\alpha}", r"\cancel{x}", r"\bcancel{x}", r"\enclose{circle}{x}", r"\ce{H2O}", r"\ce{A ->[x] B}",
    r"\pu{123 kJ/mol}", r"\color{red}{x}", r"\colorbox{red}{x}", r"\bbox[5px,border:2px solid red]{x}",
    r"\unicode{x41}", r"\unicode{zz}", r"\class{x}{y}", r"\style{color:red}{x}", r"\cssId{a}{b}", r"\href{http://x}{y}",
    r"\verb|x|", r"\begin{prooftree}\AxiomC{A}\UnaryInfC{B}\end{prooftree}", r"\braket{a|b}", r"\qty(x)", r"\abs{x}",
    r"\sideset{_a}{^b}\sum", r"\idotsint", r"\sum\limits_{i}", r"\limits", r"a \over b \over c", r"#1", r"\mmlToken{mi}{x}",
    # unicode, odd input, sizes
    "α + β = γ", "x ≤ y ∧ ∑_{i=1}^n", "😀", "\u00a0x\u2003y", "x\u0000y", "", "   ", "\\", "%comment", r"\$ \% \&",
    LONG_GOOD, LONG_BAD, NESTED,
]

# What the Node route answers (recorded from mdanki/math/check.mjs with mathjax-full 3.2.2)
KNOWN = {
    r"\eps": r"Undefined control sequence \eps",
    r"\frac{a}{": "Missing close brace",
    r"\frac{a}": r"Missing argument for \frac",
    "{": "Extra open brace or missing close brace",
    "x^2}": "Extra close brace or missing open brace",
    "x^": "Missing superscript or subscript argument",
    "x^2^3": "Double exponent: use braces to clarify",
    r"\sqrt[3{x}": r"Could not find closing ']' for argument to \sqrt",
    r"\begin{align} a &= b": r"Missing \end{align}",
    r"\begin{align} a &= b \end{aligned}": r"\begin{align} ended with \end{aligned}",
    r"\end{matrix}": r"Missing \begin{matrix} or extra \end{matrix}",
    r"\begin{foo} x \end{foo}": "Unknown environment 'foo'",
    r"\begin{align}\begin{align} a \end{align}\end{align}": "Erroneous nesting of equation structures",
    "x &= y": "Misplaced &",
    r"x \right)": r"Missing \left or extra \right",
    r"\left x \right)": r"Missing or unrecognized delimiter for \left",
    r"\newcommand{\f}[2]{#1+#3}\f{a}{b}": "Illegal macro parameter reference",
    r"\def\x{\x}\x": "MathJax maximum macro substitution count exceeded; is here a recursive macro call?",
    r"\tag{1}\tag{2} x": r"Multiple \tag",
    r"\label{a}\label{b} x": r"Multiple \label",
    r"\text{unclosed": "Missing close brace",
    r"\unicode{zz}": r"Argument to \unicode must be a number",
    r"\limits": r"\limits is allowed only on operators",
    r"a \over b \over c": r"Ambiguous use of \over",
    "#1": "You can't use 'macro parameter character #' in math mode",
    r"\shortintertext{x}": r"Undefined control sequence \shortintertext",
    LONG_BAD: "Missing close brace",
    "x\u0000y": "MathJax could not check this formula (Cannot read properties of null (reading '4'))",
}
GOOD = [
    r"\operatorname*{arg\,min}_{w \in \mathbb{R}^d} \lVert y - Xw \rVert_2^2 + \lambda \lVert w \rVert_1",
    r"\begin{aligned} a &= b \\ c &= d \end{aligned}", r"\coloneqq", r"\ce{H2O}", r"\text{a \foo b}",
    r"\begin{prooftree}\AxiomC{A}\UnaryInfC{B}\end{prooftree}", "α + β", LONG_GOOD, NESTED,
]


def deck_formulas() -> list[tuple[str, bool]]:
    """Every distinct formula of the shipped deck, found the way the build finds them."""
    from mdanki.notetypes import NOTE_TYPES
    from mdanki.render import Renderer
    from mdanki.source import read_cards

    cards, _ = read_cards(REPO / "cards")
    renderer = Renderer(media_dir=REPO / "media", roots=(REPO / "cards", REPO / "media"))
    rendered = [renderer.render(card, NOTE_TYPES[card.kind])[0].fields for card in cards]
    found = [f for fields in rendered for _, f in formulas_of(fields) if f.closed and "{{c" not in f.tex]
    return list(dict.fromkeys((f.tex, f.display) for f in found))


def node_verdicts(formulas: list[tuple[str, bool]]) -> list[str | None]:
    items = [Formula(tex, display) for tex, display in formulas]
    with MathJaxNode(tex=ANKI_TEX) as mathjax:  # one process: the same order as V8 sees
        mathjax.submit(items)
        verdicts = mathjax.verdicts()
    return [verdicts[f.key] for f in items]


@pytest.fixture(scope="module")
def v8():
    if importlib.util.find_spec("py_mini_racer") is None:
        pytest.skip("needs mini-racer")
    with MathJaxV8(tex=ANKI_TEX) as mathjax:
        yield mathjax


# --- the same verdicts as Node --------------------------------------------------------------


@needs_v8
@needs_node
def test_v8_and_node_agree_on_every_deck_formula_and_the_tricky_ones():
    assert len(TRICKY) >= 60
    deck = deck_formulas()
    assert len(deck) > 300
    formulas = list(dict.fromkeys(deck + [(tex, display) for tex in TRICKY for display in (False, True)]))
    with MathJaxV8(tex=ANKI_TEX) as mathjax:
        ours = mathjax.verdicts(formulas)
    theirs = node_verdicts(formulas)
    differing = [(f, o, t) for f, o, t in zip(formulas, ours, theirs) if o != t]
    assert differing == [], f"{len(differing)} of {len(formulas)} differ"
    assert sum(v is not None for v in ours) > 50  # the corpus does exercise errors
    assert all(v is None for v in ours[: len(deck)])  # and the deck is clean


@needs_v8
@needs_node
def test_the_recorded_messages_are_what_node_says():
    assert node_verdicts([(tex, False) for tex in KNOWN]) == list(KNOWN.values())


def test_the_entry_point_keeps_check_mjs_logic():
    check = (REPO / "mdanki" / "math" / "check.mjs").read_text(encoding="utf-8")
    entry = (REPO / "tools" / "mathjax-v8-entry.mjs").read_text(encoding="utf-8")

    def core(text: str, end: str) -> str:
        return text[text.index("const REPORTERS"):text.index(end)].rstrip()

    assert core(entry, "// check.mjs's stdin loop") == core(check, "for await")
    requires = [line for line in check.splitlines() if "require(" in line and "createRequire" not in line]
    assert requires == [line for line in entry.splitlines() if "require(" in line and not line.startswith("//")]


# --- without Node ---------------------------------------------------------------------------


@needs_v8
def test_broken_formulas_get_mathjax_messages(v8):
    assert v8.verdicts([(tex, False) for tex in KNOWN]) == list(KNOWN.values())


@needs_v8
def test_good_formulas_pass_inline_and_displayed(v8):
    assert v8.verdicts([(tex, display) for tex in GOOD for display in (False, True)]) == [None] * (2 * len(GOOD))


@needs_v8
def test_definitions_do_not_leak_into_later_formulas(v8):
    formulas = [
        (r"\def\x{1}\x", False), (r"\x", False),
        (r"\newcommand{\R}{\mathbb{R}}\R", True), (r"\R", True),
        (r"\DeclareMathOperator{\sgn}{sgn}\sgn x", False), (r"\sgn x", False),
        (r"\newenvironment{myenv}{[}{]}\begin{myenv}x\end{myenv}", False), (r"\begin{myenv}x\end{myenv}", False),
        (r"\let\a=\alpha \a", False), (r"\a", False),
        (r"\label{a} x", True), (r"\label{a} y", True),  # no "multiply defined": each has its own parser
    ]
    assert v8.verdicts(formulas) == [
        None, r"Undefined control sequence \x", None, r"Undefined control sequence \R",
        None, r"Undefined control sequence \sgn", None, "Unknown environment 'myenv'",
        None, r"Undefined control sequence \a", None, None,
    ]
    # nor across calls
    assert v8.verdicts([(r"\x", False), (r"\R", False)]) == [r"Undefined control sequence \x", r"Undefined control sequence \R"]


@needs_v8
def test_a_formula_that_breaks_mathjax_leaves_the_next_ones_unharmed(v8):
    deep = "{" * 50_000 + "x" + "}" * 50_000  # deeper than V8's stack (Node's too)
    verdicts = v8.verdicts([
        (r"\begin{aligned} a &= ", False), ("a", False),  # an error mid-equation: the shared parser is replaced
        (deep, False), (r"\frac{a}{b}", False),
        ("x\u0000y", True), ("y", True),
        (r"\left( x", False), (r"\right)", False),  # the \left's state is gone: a fresh error, not a match
    ])
    assert verdicts == [
        r"Missing \end{aligned}", None,
        "MathJax could not check this formula (Maximum call stack size exceeded)", None,
        KNOWN["x\u0000y"], None,
        r"Extra \left or missing \right", r"Missing \left or extra \right",
    ]


@needs_v8
def test_a_javascript_failure_raises_and_the_next_call_starts_a_fresh_v8():
    with MathJaxV8(tex=ANKI_TEX) as mathjax:
        assert mathjax.verdicts([(r"\foo", False)]) == [r"Undefined control sequence \foo"]
        mathjax._v8.racer.eval("globalThis.mdankiCheck = () => { throw new Error('sabotaged') }")
        with pytest.raises(MathUnavailable, match="the MathJax check failed: .*sabotaged"):
            mathjax.verdicts([("x", False)])
        assert mathjax._v8 is None
        assert mathjax.verdicts([("x", False), (r"\foo", False)]) == [None, r"Undefined control sequence \foo"]


@needs_v8
def test_a_runaway_call_is_stopped_by_the_timeout_and_recovers():
    with MathJaxV8(tex=ANKI_TEX, timeout=1) as mathjax:
        mathjax.verdicts([("x", False)])
        mathjax._v8.racer.eval("globalThis.mdankiCheck = () => { for (;;) {} }")
        with pytest.raises(MathUnavailable, match="failed"):
            mathjax.verdicts([("x", False)])
        assert mathjax.verdicts([(r"\eps", False)]) == [r"Undefined control sequence \eps"]


@needs_v8
def test_many_formulas_cross_batches_in_order(monkeypatch):
    monkeypatch.setattr(mathjax_v8, "_BATCH", 7)
    formulas = [(f"x_{{{n}}}" if n % 3 else rf"\foo{chr(97 + n % 26)}", n % 2 == 0) for n in range(50)]
    with MathJaxV8(tex=ANKI_TEX) as mathjax:
        verdicts = mathjax.verdicts(formulas)
    assert verdicts == [None if n % 3 else rf"Undefined control sequence \foo{chr(97 + n % 26)}" for n in range(50)]


@needs_v8
def test_nothing_to_check_starts_no_v8_and_start_boots_it_early():
    mathjax = MathJaxV8(tex=ANKI_TEX)
    assert mathjax.verdicts([]) == [] and mathjax._v8 is None
    mathjax.start()
    mathjax.start()  # once
    assert mathjax.verdicts([("a", False)]) == [None]
    mathjax.close()
    mathjax.close()
    assert mathjax._v8 is None


@needs_v8
def test_a_forked_child_leaves_the_parents_v8_alone():
    import gc
    import os

    with MathJaxV8(tex=ANKI_TEX) as mathjax:
        assert mathjax.verdicts([("x", False)]) == [None]
        child = os.fork()
        if child == 0:
            code = 1
            try:
                with pytest.raises(MathUnavailable, match="MathJax in V8 cannot run in a process forked from the one that made it"):
                    mathjax.verdicts([("x", False)])
                mathjax.close()  # what a child's exit may do: close, the atexit hook, the collector
                mathjax_v8._close_all()
                del mathjax
                gc.collect()
                code = 0
            finally:
                os._exit(code)
        _, status = os.waitpid(child, 0)
        assert os.waitstatus_to_exitcode(status) == 0
        assert mathjax.verdicts([(r"\eps", False)]) == [r"Undefined control sequence \eps"]


def test_without_mini_racer_the_reason_is_given(monkeypatch):
    monkeypatch.setitem(sys.modules, "py_mini_racer", None)  # import fails
    with MathJaxV8(tex=ANKI_TEX) as mathjax, pytest.raises(MathUnavailable, match="mini-racer is not installed: pip install mini-racer"):
        mathjax.verdicts([("x", False)])


@needs_v8
def test_a_broken_bundle_is_reported_not_raised_raw(monkeypatch):
    monkeypatch.setattr(mathjax_v8, "bundle_source", lambda: "this is not JavaScript(")
    with MathJaxV8(tex=ANKI_TEX) as mathjax, pytest.raises(MathUnavailable, match="the MathJax check could not start:"):
        mathjax.verdicts([("x", False)])


def test_a_missing_bundle_says_to_reinstall(monkeypatch):
    from importlib import resources

    class Missing:
        def joinpath(self, name):
            return self

        def read_text(self, encoding):
            raise FileNotFoundError("gone")

    monkeypatch.setattr(resources, "files", lambda package: Missing())
    with pytest.raises(MathUnavailable) as raised:
        mathjax_v8.bundle_source()
    assert str(raised.value) == "mathjax_v8.js is missing from the mdanki package (gone); reinstall mdanki"


@needs_v8
def test_an_answer_of_the_wrong_length_is_not_trusted(monkeypatch):
    with MathJaxV8(tex=ANKI_TEX) as mathjax:
        mathjax.verdicts([("x", False)])
        monkeypatch.setattr(mathjax._v8, "check", lambda batch, timeout: "[null, null]")
        with pytest.raises(MathUnavailable, match="the MathJax check failed: it answered with the wrong number of verdicts"):
            mathjax.verdicts([("x", False)])


@needs_v8
def test_the_bundle_runs_in_a_bare_v8_without_node_or_browser_apis():
    from py_mini_racer import MiniRacer

    with MiniRacer() as racer:
        # mini-racer defines setTimeout (with var: it cannot be deleted) and V8 a silent console
        racer.eval("globalThis.setTimeout = globalThis.clearTimeout = undefined; delete globalThis.console;")
        assert racer.eval("[typeof require, typeof process, typeof console, typeof setTimeout].join()") == (
            "undefined,undefined,undefined,undefined")
        racer.eval(mathjax_v8.bundle_source())
        racer.eval(f"mdankiConfigure({json_literal(ANKI_TEX)})")
        batch = [{"tex": r"\eps", "display": False}, {"tex": "x", "display": True}]
        answer = racer.eval(f"mdankiCheck({json_literal(batch)})")
        assert answer == '["Undefined control sequence \\\\eps",null]'


def json_literal(value) -> str:
    import json

    return json.dumps(json.dumps(value))


# --- the bundle and the preview's files -----------------------------------------------------


def test_the_bundle_names_its_origin_license_and_how_to_rebuild_it():
    head = (REPO / "mdanki" / "math" / "mathjax_v8.js").read_text(encoding="ascii")[:2000]
    assert head.startswith("/*!")
    for needed in ("mathjax-full 3.2.2", "The MathJax Consortium", "Apache License", "mhchemparser",
                   "npm ci && python tools/build_mathjax_bundle.py", "esbuild 0.28.2"):
        assert needed in head


def load_build_script():
    spec = importlib.util.spec_from_file_location("build_mathjax_bundle", REPO / "tools" / "build_mathjax_bundle.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_esbuild_is_pinned_exactly():
    import json

    package = json.loads((REPO / "package.json").read_text(encoding="utf-8"))
    assert package["devDependencies"]["esbuild"] == "0.28.2"
    assert "0.28.2" in (REPO / "mdanki" / "math" / "mathjax_v8.js").read_text(encoding="ascii")[:2000]


@needs_esbuild
def test_the_committed_bundle_and_assets_are_a_fresh_build():
    build = load_build_script()
    assert build.differences(REPO) == []
    assert build.bundle(REPO) == build.bundle(REPO)  # same bytes every run


def test_the_packaged_browser_mathjax_is_found():
    folder = MATHJAX
    assert (folder / "tex-chtml-full.js").stat().st_size > 1_000_000
    assert len(list((folder / "output" / "chtml" / "fonts" / "woff-v2").glob("*.woff"))) > 20
    assert "Apache License" in (folder / "LICENSE").read_text(encoding="utf-8")
    package = mathjax_package()
    if package is not None:  # the very files Anki's version ships
        assert (folder / "tex-chtml-full.js").read_bytes() == (package / "es5" / "tex-chtml-full.js").read_bytes()


def test_pip_installs_the_bundle_and_the_preview_files():
    config = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))
    data = config["tool"]["setuptools"]["package-data"]
    covered = {
        path for package, patterns in data.items() for pattern in patterns
        for path in (REPO / package.replace(".", "/")).glob(pattern) if path.is_file()
    }
    wanted = {REPO / "mdanki" / "math" / "mathjax_v8.js", *(p for p in MATHJAX.rglob("*") if p.is_file())}
    assert wanted <= covered
    assert any(d.startswith("mini-racer") for d in config["project"]["dependencies"])
    total = sum(path.stat().st_size for path in wanted)
    assert total < 4_000_000, f"package data is {total:,} bytes"


def test_the_preview_copies_what_is_packaged():
    assert all((MATHJAX / name).exists() for name in _MATHJAX_FILES)
