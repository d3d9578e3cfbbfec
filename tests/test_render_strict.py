"""strict_html: true refuses card HTML that would run code in Anki; without it, HTML arrives as written."""

from __future__ import annotations

import pytest

from mdanki.errors import BuildError

SCRIPT = "<script> runs code in Anki; strict_html refuses it: remove the script"
LINK = "a javascript: link runs code in Anki; strict_html refuses it: link to a page instead"

UNSAFE = {
    "a script block": ("Text.\n\n<script>alert(1)</script>\n", 10, SCRIPT),
    "a script in a line": ("Text <SCRIPT src=x.js></SCRIPT> more.\n", 8, SCRIPT),
    "an event handler": ("Some <b onclick=\"steal()\">bold</b> text.\n", 8,
                         "event handler 'onclick' runs code in Anki; strict_html refuses it: remove the attribute"),
    "an event handler in a block": ("First.\n\n<div><img onerror=alert(1)></div>\n", 10, "event handler 'onerror'"),
    "a Markdown javascript: link": ("Line.\n[click](javascript:alert(1))\n", 9, LINK),
    "an HTML javascript: link": ('<a href=" JavaScript:alert(1)">x</a>\n', 8, LINK),
    "an encoded javascript: link": ('<a href="jav&#x61;script:alert(1)">x</a>\n', 8, LINK),
    "a javascript: form": ('<form action="javascript:go()"></form>\n', 8, LINK),
}


def _strict(project):
    project.write("deck.yaml", "name: Test Deck\nid: test-deck\nstrict_html: true\n")


@pytest.mark.parametrize("answer, line, message", UNSAFE.values(), ids=UNSAFE.keys())
def test_strict_html_refuses_code_at_its_line(project, answer, line, message):
    _strict(project)
    path = project.card("a.md", answer=answer)
    with pytest.raises(BuildError) as caught:
        project.build()
    assert str(caught.value).startswith(f"{path}:{line}: {message}")
    assert not project.output.exists()


def test_without_strict_html_card_html_reaches_anki_as_written(project):
    project.card("a.md", answer="Text <b onclick=\"x()\">bold</b>.\n\n<script>alert(1)</script>\n")
    project.build()
    assert project.output.exists()


def test_strict_html_lets_harmless_html_and_words_through(project):
    _strict(project)
    project.card("a.md", answer="<b title=\"javascript: the language\">JS</b>, javascript: a word, [a page](https://example.org).\n")
    project.build()


def test_the_cache_does_not_hide_a_script_when_strict_html_is_turned_on(project):
    project.card("a.md", answer="<script>alert(1)</script>\n")
    project.build()
    _strict(project)
    with pytest.raises(BuildError, match="strict_html refuses it"):
        project.build()


def test_the_deck_description_is_checked_too(project):
    project.write("deck.yaml", "name: Test Deck\nid: test-deck\nstrict_html: true\ndescription: '<script>x()</script>'\n")
    project.card("a.md")
    with pytest.raises(BuildError, match="strict_html refuses it"):
        project.build()


def test_strict_html_must_be_true_or_false(project):
    project.write("deck.yaml", "name: Test Deck\nid: test-deck\nstrict_html: yes please\n")
    project.card("a.md")
    with pytest.raises(BuildError) as caught:
        project.build()
    assert str(caught.value) == f"{project.cards / 'deck.yaml'}:3: strict_html must be true or false"
