"""math: every formula Anki will typeset is found as MathJax finds it and checked by MathJax 3.2.2 itself."""

from __future__ import annotations

import importlib.util
import sys

import pytest
from conftest import REPO, card_text

from mdanki.anki_math import ANKI_TEX
from mdanki.cli import main
from mdanki.math import EmbeddedMathJax, MathSession, check_formulas, find_formulas, formulas_of
from mdanki.math import find as mathfind
from mdanki.math.v8 import MathJaxV8
from mdanki.model import CardRecord, Formula

# the build's MathJax runs in the embedded V8 of the mini-racer wheel, a declared dependency
needs_mathjax = pytest.mark.skipif(importlib.util.find_spec("py_mini_racer") is None, reason="needs mini-racer")


class NoMathJax:
    """A checker that must not be needed: everything it is asked comes from the verdict cache."""

    key = EmbeddedMathJax(tex=ANKI_TEX).key
    submitted = False

    def submit(self, formulas):
        assert list(formulas) == [], "MathJax was asked although every verdict was cached"

    def verdicts(self):
        raise AssertionError("MathJax was started")

    def close(self):
        pass

GOOD = [
    r"\begin{aligned} \hat\beta &= (X^\top X)^{-1} X^\top y \\ \operatorname{Var}(\hat\beta) &= \sigma^2 (X^\top X)^{-1} \end{aligned}",
    r"\operatorname*{arg\,min}_{w \in \mathbb{R}^d} \lVert y - Xw \rVert_2^2 + \lambda \lVert w \rVert_1",
    r"\underbrace{\mathbb{E}[(\hat f - \mathbb{E}\hat f)^2]}_{\text{variance}} + \text{bias}^2",
    r"P(A \mid B) = \frac{P(B \mid A)\,P(A)}{P(B)}",
    r"\begin{cases} 1 & x > 0 \\ 0 & \text{otherwise} \end{cases}",
    r"\sigma(z) = \dfrac{1}{1 + e^{-z}}, \quad \binom{n}{k}, \quad \boldsymbol{\theta}, \quad \mathcal{L}",
    r"\coloneqq \quad \begin{pmatrix} a & b \\ c & d \end{pmatrix} \quad \ce{H2O}",  # mathtools, ams, mhchem
    r"x < y \;\&\; a > b",  # what HTML unescaping gives back
]

BAD = {
    "unclosed brace": (r"\frac{1}{2", "Missing close brace"),
    "extra brace": ("x^2}", "Extra close brace or missing open brace"),
    "undefined macro": (r"\foo", r"Undefined control sequence \foo"),
    "unknown environment": (r"\begin{foo} x \end{foo}", "Unknown environment 'foo'"),
    "unbalanced left": (r"\left( x", r"Extra \left or missing \right"),
    "double subscript": ("x_1_2", "Double subscripts: use braces to clarify"),
}


def run_mathjax(formulas):
    with MathJaxV8(tex=ANKI_TEX) as mathjax:
        return mathjax.verdicts((f.tex, f.display) for f in formulas)


# --- finding formulas the way MathJax finds them --------------------------------------------


def test_formulas_come_from_the_rendered_html_unescaped():
    html = '<p>If <span class="arithmatex">\\(x &lt; y &amp; z\\)</span> then</p>\n<div class="arithmatex">\\[\na^2\n\\]</div>'
    assert find_formulas(html) == [Formula("x < y & z", False), Formula("\na^2\n", True)]


def test_code_is_not_math():
    html = "<pre><code>re.sub(r'\\(x\\)', s)</code></pre><p><code>\\(y\\)</code> and \\(z\\)</p>"
    assert find_formulas(html) == [Formula("z", False)]


def test_a_closing_delimiter_inside_braces_does_not_close():
    assert find_formulas(r"<p>\(a_{\)} + b\)</p>") == [Formula(r"a_{\)} + b", False)]
    # no closer outside braces: MathJax would skip it and Anki show TeX; the check still sees it
    assert find_formulas(r"<p>\(\frac{1}{2\) more</p>") == [Formula(r"\frac{1}{2", False)]
    assert find_formulas(r"<p>\(x + 1 and more</p>") == [Formula("x + 1 and more", False, closed=False)]


def test_math_does_not_cross_elements():
    # MathJax finds no closer in the text before <b>: Anki shows TeX, so it is reported unclosed
    assert find_formulas(r"<p>\(a <b>b</b> c\)</p>") == [Formula("a ", False, closed=False)]
    assert find_formulas(r"<p>\(a<br>b\)</p>") == [Formula("a\nb", False)]


# --- MathJax's verdicts ---------------------------------------------------------------------


@needs_mathjax
def test_formulas_of_the_deck_kind_pass():
    assert run_mathjax([Formula(tex, display) for tex in GOOD for display in (False, True)]) == [None] * (2 * len(GOOD))


@needs_mathjax
def test_broken_formulas_fail_with_mathjax_messages():
    errors = run_mathjax([Formula(tex, False) for tex, _ in BAD.values()])
    assert errors == [message for _, message in BAD.values()]


@needs_mathjax
def test_each_formula_is_checked_on_its_own():
    errors = run_mathjax([Formula(r"\newcommand{\R}{\mathbb{R}} \R", False), Formula(r"\R", False)])
    assert errors == [None, r"Undefined control sequence \R"]


@needs_mathjax
def test_anki_packages_textmacros_is_off():
    # Anki drops textmacros: inside \text a macro is plain text, not an undefined control sequence
    assert run_mathjax([Formula(r"\text{a \foo b}", False)]) == [None]


@needs_mathjax
def test_verdicts_are_cached_so_an_unchanged_deck_starts_no_node(tmp_path):
    cache = tmp_path / "mathjax.json"
    formulas = [Formula("a + b", False), Formula(r"\foo", True)]
    first, started = check_formulas(formulas, checker=EmbeddedMathJax(tex=ANKI_TEX), cache=cache)
    assert started and cache.exists()
    again, started = check_formulas(formulas, checker=NoMathJax(), cache=cache)
    assert not started and again == first
    assert first[formulas[1]] == r"Undefined control sequence \foo"


# --- through the command line ---------------------------------------------------------------


def run(capsys, *extra):
    code = main(["--cards", "cards", "--media", "media", "-o", "dist/deck.apkg", *extra])
    return code, *capsys.readouterr()


@needs_mathjax
@pytest.mark.parametrize("case", BAD, ids=list(BAD))
def test_broken_inline_formula_fails_the_build_at_its_line(project, capsys, case):
    tex, message = BAD[case]
    project.card("good.md", answer="Fine: $a^2 + b^2 = c^2$.")
    project.write("bad.md", card_text("bad", answer=f"First line.\n\nThen ${tex}$ here."))
    code, _, err = run(capsys)
    assert code == 1
    assert f"cards/bad.md:10: math error: {message} in {tex}" in err.splitlines()
    assert "1 error; no package written" in err
    assert not (project.root / "dist" / "deck.apkg").exists()


@needs_mathjax
def test_broken_display_formula_points_at_its_line(project, capsys):
    answer = "Text.\n\n$$\n\\begin{aligned}\na &= b \\\\\nc &= x_1_2\n\\end{aligned}\n$$\n\nMore."
    project.write("bad.md", card_text("bad", question=r"Is $\foo$ defined?", answer=answer, notes=r"And \(\left( x\)."))
    code, _, err = run(capsys, "--check")
    assert code == 1
    lines = err.splitlines()
    assert r"cards/bad.md:5: math error: Undefined control sequence \foo in \foo" in lines
    assert r"cards/bad.md:11: math error: Double subscripts: use braces to clarify in \begin{aligned} a &= b \\ c &= x_1_2 \end{aligned}" in lines
    assert r"cards/bad.md:20: math error: Extra \left or missing \right in \left( x" in lines


@needs_mathjax
def test_cached_results_still_fail_the_build_without_node(project, capsys, monkeypatch):
    project.write("bad.md", card_text("bad", answer=r"$\foo$"))
    assert run(capsys)[0] == 1
    monkeypatch.setenv("PATH", "")
    code, _, err = run(capsys)
    assert code == 1 and r"math error: Undefined control sequence \foo" in err
    assert "not validated" not in err


@needs_mathjax
def test_math_is_checked_with_no_node_on_the_path(project, capsys, monkeypatch):
    monkeypatch.setenv("PATH", "")
    project.card("a.md", answer=r"$\foo$")
    code, _, err = run(capsys)
    assert code == 1 and r"cards/a.md:8: math error: Undefined control sequence \foo in \foo" in err


def test_without_mini_racer_the_build_warns_once_and_goes_on(project, capsys, monkeypatch):
    monkeypatch.setitem(sys.modules, "py_mini_racer", None)  # as if the wheel were missing
    project.card("a.md", answer="$\\foo$ and\n\n$$\nx\n$$\n")
    project.card("b.md", answer=r"$y$")
    code, out, err = run(capsys)
    assert code == 0 and "-> dist/deck.apkg" in out
    assert err.count("warning: math not validated: mini-racer is not installed: pip install mini-racer") == 1


@needs_mathjax
def test_the_shipped_deck_has_no_math_errors(capsys, monkeypatch):
    monkeypatch.chdir(REPO)
    main(["--check", "--quiet"])
    err = capsys.readouterr().err
    assert "not validated" not in err
    assert [line for line in err.splitlines() if "math error" in line] == []


@needs_mathjax
def test_an_unchanged_deck_starts_no_mathjax_and_an_edit_checks_only_its_formulas(project, monkeypatch):
    project.card("a.md", answer=r"$a^2$ and $\sqrt{b}$")
    project.card("b.md", answer=r"$c_1$")
    project.build()
    sent = []
    check = MathJaxV8.verdicts

    def recording(self, formulas):
        formulas = list(formulas)
        sent.extend(tex for tex, _ in formulas)
        return check(self, formulas)

    monkeypatch.setattr(MathJaxV8, "verdicts", recording)
    project.build()
    assert sent == []
    project.card("b.md", answer=r"$c_1$ and $c_2$")
    project.build()
    assert sent == ["c_2"]


def test_a_formula_that_is_never_closed_is_an_error(tmp_path):
    fields = {"Answer": "<p>Intro.</p>\n<p>See \\(x + 1 here.</p>"}
    formulas = tuple(Formula(f.tex, f.display, f.closed, line=10) for _, f in formulas_of(fields))
    record = CardRecord("k", "x", 2, "x.md", (), (), None, "d", (), formulas)
    session = MathSession(checker=NoMathJax(), cache=None, cards_dir=tmp_path)
    result = session.finish([record])
    assert [(e.path, e.line, e.message) for e in result.errors] == [
        (str(tmp_path / "x.md"), 10, r"math error: \( is never closed, so Anki shows the formula as text in x + 1 here.")
    ]


# --- the fast splitter agrees with the full HTML parser ----------------------------------

FRAGMENTS = [
    "<p>", "</p>", "<span class=\"arithmatex\">", "</span>", "<br>", "<br />", "<wbr>", "<pre>", "</pre>",
    "<code>", "</code>", "<img src=\"a.svg\" alt=\"x\" />", "<div class=\"highlight\">", "</div>", "<B>", "</b>", "</B>", "<PRE>",
    "<span/>", "<td align=center>", "<!-- c -->", "<a href='x'>", "</a>", "<textarea>", "</textarea>",
    r"\(", r"\)", r"\[", r"\]", "$", "{", "}", "x", " ", "\n", "&lt;", "&amp;", "&#92;", "&bsol;", "<", ">", "a < b",
    "<span class=\"mathjax_ignore\">", "<script>", "</script>",
]


def test_the_fast_splitter_gives_what_the_html_parser_gives():
    import random

    rng = random.Random(5)
    for _ in range(20_000):
        html = "".join(rng.choice(FRAGMENTS) for _ in range(rng.randint(0, 14)))
        assert mathfind.text_strings(html) == mathfind._parsed_strings(html), repr(html)


def test_the_fast_splitter_handles_what_python_markdown_writes():
    from mdanki.notetypes import BASIC
    from mdanki.render import Renderer
    from mdanki.source import read_cards

    cards, _ = read_cards(REPO / "cards")
    renderer = Renderer(media_dir=REPO / "media", roots=(REPO / "cards", REPO / "media"))
    fields = [html for card in cards for html in renderer.render(card, BASIC)[0].fields.values() if html]
    for html in fields:
        assert mathfind.text_strings(html) == mathfind._parsed_strings(html)
    plain = [html for html in fields if not mathfind._NOT_PLAIN.search(html) and "<" not in mathfind._PLAIN_TAG.sub("", html)]
    assert len(plain) > 0.9 * len(fields)  # nearly every field takes the fast path


@needs_mathjax
def test_a_failed_math_check_leaves_the_old_package_and_no_temporary_file(project, capsys):
    project.card("good.md", answer="$a + b$")
    assert run(capsys)[0] == 0
    before = (project.root / "dist" / "deck.apkg").read_bytes()
    project.card("bad.md", answer=r"$\foo$")
    assert run(capsys)[0] == 1  # the package is written whole, then dropped when the math fails
    assert [p.name for p in (project.root / "dist").iterdir()] == ["deck.apkg"]
    assert (project.root / "dist" / "deck.apkg").read_bytes() == before
    assert "bad" not in (project.cards / "deck.lock").read_text()


@needs_mathjax
def test_a_cloze_formula_is_checked_as_each_card_shows_it(project, capsys):
    project.write("c.md", "---\nid: c\ntype: cloze\n---\n## Text\nFine {{c2::word}}.\n\nThen $x = {{c1::\\foo}} + 1$ here.\n")
    code, _, err = run(capsys, "--check")
    assert code == 1
    # the question side ([...]) is valid TeX; the answer side, with the deletion revealed, is not
    assert r"cards/c.md:8: math error: Undefined control sequence \foo in x = \foo + 1" in err.splitlines()
    assert err.count("math error") == 1
