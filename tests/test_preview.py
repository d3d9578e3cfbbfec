"""The preview site: the note type's own templates and CSS, local files only, written safely."""

from __future__ import annotations

import re

import pytest
from conftest import card_text

from mdanki.cli import main
from mdanki.notetypes import BASIC
from mdanki.notetypes import basic as notetype
from mdanki.preview import MARKER, faces, fill


def test_templates_are_filled_like_anki():
    fields = {"Question": "<p>Q</p>", "Answer": "<p>A</p>", "Notes": "", "CardId": "x"}
    front, back = faces(BASIC.templates[0], fields)
    assert front == notetype.FRONT.replace("{{Question}}", "<p>Q</p>")
    assert back == (
        notetype.BACK.replace("{{Question}}", "<p>Q</p>").replace("{{Answer}}", "<p>A</p>")
        .replace("{{#Notes}}<div class=\"notes\">{{Notes}}</div>{{/Notes}}", "").replace("{{CardId}}", "x")
    )
    with_notes = faces(BASIC.templates[0], {**fields, "Notes": "<p>N</p>"})[1]
    assert '<div class="notes"><p>N</p></div>' in with_notes
    assert fill("{{^Notes}}none{{/Notes}}", {"Notes": " "}) == "none"


def build_preview(project, capsys, *extra):
    code = main(["--cards", "cards", "--media", "media", "--preview", "preview", *extra])
    return code, *capsys.readouterr()


def sample_deck(project):
    (project.media / "fig.svg").write_text('<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"/>')
    project.card("topic/a.md", answer="$x^2$ and\n\n![fig](fig.svg)", tags=["alpha", "beta"])
    project.card("topic/sub/b.md", answer="```python\nprint(1)\n```", notes="A note.", tags=["beta"])
    project.card("c.md")


def test_preview_writes_a_site_of_every_card(project, capsys):
    sample_deck(project)
    code, out, err = build_preview(project, capsys)
    assert code == 0, err
    assert out.startswith("3 notes, 1 media files, 2 sub-decks previewed -> preview/index.html")
    site = project.root / "preview"
    pages = sorted(p.name for p in site.glob("*.html"))
    assert pages == ["deck-top.html", "deck-topic-sub.html", "deck-topic.html", "index.html"]
    index = (site / "index.html").read_text()
    for deck in ("Topic", "Topic › Sub"):
        assert deck in index
    assert 'id="tag-alpha"' in index and 'id="tag-beta"' in index
    assert index.count('href="deck-topic.html#card-a"') == 2  # under both of its tags
    topic = (site / "deck-topic.html").read_text()
    assert '<body class="card">' in topic  # the page is the card, as in Anki's reviewer
    assert '<div class="question"><p>What is asked?</p></div>' in topic
    assert '<span class="arithmatex">\\(x^2\\)</span>' in topic
    image = re.search(r'<img alt="fig" src="(fig-[0-9a-f]{12}\.svg)"', topic).group(1)
    assert (site / image).read_bytes() == (project.media / "fig.svg").read_bytes()
    assert (site / "assets" / "card.css").read_text() == BASIC.css
    assert not (project.root / "dist").exists() and not (project.cards / "deck.lock").exists()


def test_preview_is_offline(project, capsys):
    sample_deck(project)
    build_preview(project, capsys)
    for page in (project.root / "preview").glob("*.html"):
        text = page.read_text()
        assert not re.search(r"""(src|href)=["']?(https?:)?//""", text), page.name
        assert "fetch(" not in text and "XMLHttpRequest" not in text
        assert '<script id="MathJax-script" async src="mathjax/tex-chtml-full.js"></script>' in text
    fonts = project.root / "preview" / "mathjax" / "output" / "chtml" / "fonts" / "woff-v2"
    assert (fonts / "MathJax_Main-Regular.woff").exists()  # the packaged MathJax: no Node, no npm


def test_mathjax_is_configured_like_anki(project, capsys):
    sample_deck(project)
    build_preview(project, capsys)
    page = (project.root / "preview" / "index.html").read_text()
    assert '"inlineMath": [["\\\\(", "\\\\)"]], "displayMath": [["\\\\[", "\\\\]"]]' in page
    assert '"processEscapes": false' in page and '"[-]": ["textmacros"]' in page


def test_a_second_preview_replaces_the_first(project, capsys):
    sample_deck(project)
    build_preview(project, capsys)
    (project.cards / "topic" / "sub" / "b.md").unlink()
    code, _, _ = build_preview(project, capsys)
    assert code == 0
    assert not (project.root / "preview" / "deck-topic-sub.html").exists()
    assert (project.root / "preview" / MARKER).exists()


def test_a_folder_that_is_not_a_preview_is_never_emptied(project, capsys):
    project.card("a.md")
    (project.root / "preview").mkdir()
    (project.root / "preview" / "precious.txt").write_text("keep me")
    code, _, err = build_preview(project, capsys)
    assert code == 1
    assert "preview: preview is not empty and holds no earlier preview; choose an empty or new folder" in err
    assert (project.root / "preview" / "precious.txt").read_text() == "keep me"


def test_a_file_where_the_preview_would_go_is_refused(project, capsys):
    project.card("a.md")
    (project.root / "preview").write_text("a file")
    code, _, err = build_preview(project, capsys)
    assert code == 1 and "preview: preview is a file, not a folder" in err


def test_card_errors_stop_the_preview_too(project, capsys):
    project.write("bad.md", card_text(None))
    code, _, err = build_preview(project, capsys)
    assert code == 1 and "cards/bad.md:1: missing 'id'" in err
    assert not (project.root / "preview").exists()


@pytest.mark.parametrize("extra", [["--check"], ["-o", "x.apkg"]])
def test_preview_takes_no_package_options(project, capsys, extra):
    project.card("a.md")
    with pytest.raises(SystemExit) as exit_info:
        build_preview(project, capsys, *extra)
    assert exit_info.value.code == 2


def test_without_mathjax_the_preview_says_so(project, capsys, monkeypatch):
    import mdanki.preview.site

    monkeypatch.setattr(mdanki.preview.site, "MATHJAX", project.root / "no-mathjax-here")
    project.card("a.md", answer="$x$")
    code, _, err = build_preview(project, capsys)
    assert code == 0
    assert "warning: preview without MathJax: formulas show as TeX; reinstall mdanki (its MathJax files are missing)" in err
    assert not (project.root / "preview" / "mathjax").exists()


def test_cloze_and_type_in_templates_are_filled_like_anki():
    from mdanki.notetypes import CLOZE, TYPE_IN
    from mdanki.preview.pages import card_faces

    fields = {"Text": '<p>A {{c1::b::hint}} and \\(x = {{c2::y}}\\)</p>', "Notes": "", "CardId": "c"}
    (one, front1, back1), (two, front2, back2) = card_faces(CLOZE, fields)
    assert (one, two) == ("Cloze 1", "Cloze 2")
    assert '<span class="cloze" data-ordinal="1">[hint]</span>' in front1 and "\\(x = y\\)" in front1
    assert "\\(x = [...]\\)" in front2 and '<span class="cloze" data-ordinal="1">b</span>' not in back2
    (_, front, back), = card_faces(TYPE_IN, {"Question": "<p>Q</p>", "Answer": "5", "Notes": "", "CardId": "t"})
    assert '<input id="typeans"' in front and "<code>5</code>" in back
