"""Markdown source -> the HTML that goes into the note's field, as exact pairs."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from mdanki.model import Card, Section
from mdanki.notetypes import BASIC
from mdanki.render import EXTENSIONS, Renderer, fingerprint


def make_card(tmp_path: Path, answer: str) -> Card:
    return Card(
        id="x", id_line=2, name="x.md", file=tmp_path / "cards" / "x.md", folder=(), tags=(), deck=None,
        sections={"question": Section("Q?\n", 5, 4), "answer": Section(answer, 8, 7)},
    )


class RenderCase:
    """Like pymdown's MdCase: one renderer configuration, many source -> HTML pairs."""

    @pytest.fixture(autouse=True)
    def _renderer(self, tmp_path):
        (tmp_path / "cards").mkdir()
        (tmp_path / "media").mkdir()
        self.tmp_path = tmp_path
        self.renderer = Renderer(media_dir=tmp_path / "media", roots=(tmp_path / "cards", tmp_path / "media"))

    def assert_renders(self, source: str, expected: str) -> None:
        rendered, errors = self.renderer.render(make_card(self.tmp_path, textwrap.dedent(source)), BASIC)
        assert errors == []
        assert rendered.fields["Answer"] == textwrap.dedent(expected).strip("\n")


class TestMath(RenderCase):
    def test_inline_dollar_becomes_paren_delimiters(self):
        self.assert_renders("$a_i * b_i$", '<p><span class="arithmatex">\\(a_i * b_i\\)</span></p>')

    def test_markdown_never_touches_math(self):
        self.assert_renders(
            r"$x_1 < y_* \\ \{a\} & _b_$",
            r'<p><span class="arithmatex">\(x_1 &lt; y_* \\ \{a\} &amp; _b_\)</span></p>',
        )

    def test_paren_delimiters_are_kept(self):
        self.assert_renders(r"\(e^{i\pi}\)", r'<p><span class="arithmatex">\(e^{i\pi}\)</span></p>')

    def test_display_dollars_become_brackets(self):
        self.assert_renders(
            """
            $$
            \\sum_{i=1}^{n} x_i^2
            $$
            """,
            """
            <div class="arithmatex">\\[
            \\sum_{i=1}^{n} x_i^2
            \\]</div>
            """,
        )

    def test_bracket_display_is_kept(self):
        self.assert_renders("\\[ a \\\\ b \\]", '<div class="arithmatex">\\[ a \\\\ b \\]</div>')

    def test_prices_escaped_dollars_and_code_are_not_math(self):
        self.assert_renders(
            r"It costs $5 and $10, or \$3; `echo $HOME$`.",
            "<p>It costs $5 and $10, or $3; <code>echo $HOME$</code>.</p>",
        )


class TestCode(RenderCase):
    def test_fenced_code_is_highlighted_with_classes(self):
        self.assert_renders(
            """
            ```python
            x = 1  # $not math$
            ```
            """,
            '<div class="highlight"><pre><span></span><code><span class="n">x</span> <span class="o">=</span> '
            '<span class="mi">1</span>  <span class="c1"># $not math$</span>\n</code></pre></div>',
        )

    def test_unknown_language_is_plain(self):
        self.assert_renders("```\na < b\n```", '<div class="highlight"><pre><span></span><code>a &lt; b\n</code></pre></div>')

    def test_attribute_classes_pass_through(self):
        rendered, _ = self.renderer.render(make_card(self.tmp_path, "```{.python .illustrative}\npass\n```"), BASIC)
        assert rendered.fields["Answer"].startswith('<div class="illustrative highlight">')


class TestMarkdown(RenderCase):
    def test_table(self):
        self.assert_renders(
            """
            | a | b |
            |---|---|
            | 1 | 2 |
            """,
            """
            <table>
            <thead>
            <tr>
            <th>a</th>
            <th>b</th>
            </tr>
            </thead>
            <tbody>
            <tr>
            <td>1</td>
            <td>2</td>
            </tr>
            </tbody>
            </table>
            """,
        )

    def test_lists_quotes_links(self):
        self.assert_renders(
            """
            - one
            - two

            > quoted [link](https://example.org)
            """,
            """
            <ul>
            <li>one</li>
            <li>two</li>
            </ul>
            <blockquote>
            <p>quoted <a href="https://example.org">link</a></p>
            </blockquote>
            """,
        )


class TestImages(RenderCase):
    def test_image_gets_a_content_hash_name(self):
        (self.tmp_path / "media" / "plot.svg").write_text("<svg/>")
        rendered, errors = self.renderer.render(make_card(self.tmp_path, "![a plot](plot.svg)"), BASIC)
        assert errors == []
        (media,) = rendered.media
        assert media.name == "plot-d4dc56669143.svg"
        assert rendered.fields["Answer"] == '<p><img alt="a plot" src="plot-d4dc56669143.svg"></p>'

    def test_image_next_to_the_card_wins(self):
        (self.tmp_path / "cards" / "plot.svg").write_text("<svg id='near'/>")
        (self.tmp_path / "media" / "plot.svg").write_text("<svg/>")
        rendered, _ = self.renderer.render(make_card(self.tmp_path, "![a plot](plot.svg)"), BASIC)
        assert rendered.media[0].path == (self.tmp_path / "cards" / "plot.svg").resolve()

    def test_remote_images_are_left_alone(self):
        self.assert_renders("![x](https://example.org/x.png)", '<p><img alt="x" src="https://example.org/x.png"></p>')


class TestReferences(RenderCase):
    """Raw HTML and sound: packaged like Markdown images, never a broken reference."""

    @pytest.fixture(autouse=True)
    def _files(self, _renderer):
        media = self.tmp_path / "media"
        (media / "plot.svg").write_text("<svg/>")
        (media / "word.mp3").write_bytes(b"ID3 sound")
        (media / "clip.mp4").write_bytes(b"video")
        self.plot, self.word, self.clip = "plot-d4dc56669143.svg", "word-41629c0f3145.mp3", "clip-0cab1c961740.mp4"

    def render(self, source: str):
        rendered, errors = self.renderer.render(make_card(self.tmp_path, textwrap.dedent(source)), BASIC)
        assert errors == []
        return rendered

    def test_names(self):
        from mdanki.render import media_file

        media = self.tmp_path / "media"
        assert [media_file(media / n).name for n in ("plot.svg", "word.mp3", "clip.mp4")] == [self.plot, self.word, self.clip]

    def test_raw_img_inline_and_in_a_block(self):
        self.assert_renders(
            'See <img src="plot.svg" width="50"> here.\n\n<div class="fig"><img alt=\'src="x"\' src=plot.svg /></div>\n',
            f'<p>See <img src="{self.plot}" width="50"> here.</p>\n<div class="fig"><img alt=\'src="x"\' src={self.plot} /></div>',
        )

    def test_sound_tags_audio_and_an_image_of_a_sound_become_anki_sound(self):
        rendered = self.render(
            "Say [sound:word.mp3], hear ![](word.mp3)\n\n"
            '<audio controls src="word.mp3">no audio</audio>\n\n'
            '<audio controls><source src="https://example.org/w.ogg"><source src="word.mp3"></audio>\n'
        )
        sound = f"[sound:{self.word}]"
        assert rendered.fields["Answer"] == f"<p>Say {sound}, hear {sound}</p>\n<p>{sound}</p>\n<p>{sound}</p>"
        assert [m.name for m in rendered.media] == [self.word]
        assert rendered.lookups == (("word.mp3", str((self.tmp_path / "media" / "word.mp3").resolve())),)

    def test_video_keeps_its_element_and_an_image_of_a_video_plays(self):
        self.assert_renders(
            '<video controls src="clip.mp4"></video>\n\n![](clip.mp4)\n',
            f'<video controls src="{self.clip}"></video>\n\n<p>[sound:{self.clip}]</p>',
        )

    def test_what_code_and_math_show_is_not_a_reference(self):
        rendered = self.render('`<img src="nowhere.png">` and $a<b$\n\n```html\n<img src="nowhere.png">\n```\n')
        assert rendered.media == () and "nowhere.png" in rendered.fields["Answer"]

    def test_remote_references_are_left_alone(self):
        source = '<img src="https://example.org/x.png"> <audio src="https://example.org/a.mp3"></audio> [sound:https://example.org/b.mp3]\n'
        self.assert_renders(source, f"<p>{source.strip()}</p>")


def test_fingerprint_is_stable_and_follows_the_configuration(monkeypatch):
    first = fingerprint()
    assert fingerprint() == first
    monkeypatch.setitem(EXTENSIONS, "pymdownx.highlight", {"use_pygments": False})
    assert fingerprint() != first


class TestCloze(RenderCase):
    """Deletions pass through Markdown whole; inside math they are written so Anki ends them where TeX does."""

    def test_markdown_inside_a_deletion_stays_inside_it(self):
        self.assert_renders("A *{{c1::convex::shape}}* {{c2::snake_case **name**}}.",
                            "<p>A <em>{{c1::convex::shape}}</em> {{c2::snake_case <strong>name</strong>}}.</p>")

    def test_emphasis_cannot_cross_a_deletion_edge(self):
        self.assert_renders("*a {{c1::b* c}}", "<p>*a {{c1::b* c}}</p>")

    def test_a_tex_brace_before_the_closing_marker_gets_a_space(self):
        self.assert_renders("$x = {{c1::\\frac{a}{b}}}$",
                            '<p><span class="arithmatex">\\(x = {{c1::\\frac{a}{b} }}\\)</span></p>')

    def test_display_math_keeps_its_deletions(self):
        self.assert_renders("$$\ny = {{c2::x^{a^{b}}}}\n$$",
                            '<div class="arithmatex">\\[\ny = {{c2::x^{a^{b} } }}\n\\]</div>')


def test_a_type_in_answer_is_the_text_a_learner_types(tmp_path):
    from mdanki.notetypes import TYPE_IN

    (tmp_path / "cards").mkdir()
    renderer = Renderer(media_dir=None, roots=(tmp_path / "cards",))
    rendered, errors = renderer.render(make_card(tmp_path, "k < 5 & more\n"), TYPE_IN)
    assert errors == [] and rendered.fields["Answer"] == "k &lt; 5 &amp; more"
