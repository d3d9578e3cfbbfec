"""Bad input: one line per problem naming path:line, all of them at once, exit 1, no package."""

from __future__ import annotations

import os

import pytest
from conftest import card_text, package_decks

from mdanki.cli import main


def run(project, capsys, *extra):
    code = main(["--cards", "cards", "--media", "media", "-o", "dist/deck.apkg", *extra])
    out, err = capsys.readouterr()
    return code, out, err


def assert_fails(project, capsys, expected: str, *, exit_code: int = 1):
    code, out, err = run(project, capsys)
    assert code == exit_code
    assert expected in err, err
    assert "Traceback" not in err
    assert not (project.root / "dist" / "deck.apkg").exists()
    assert not list((project.root / "dist").glob("*")) if (project.root / "dist").exists() else True
    return err


BAD_CARDS = {
    "unparsable YAML": (card_text("x", extra_meta="tags: [a, b"), "cards/bad.md:3: front matter is not valid YAML: "),
    "front matter not a mapping": ("---\n- id\n---\n## Question\nq\n## Answer\na\n", "cards/bad.md:2: front matter must be a mapping of keys to values (id: ..., tags: [...])"),
    "missing id": (card_text(None), "cards/bad.md:1: missing 'id' in front matter; add for example 'id: bad'"),
    "id with capitals": (card_text("Bad_Id"), "cards/bad.md:2: id 'Bad_Id' must be lowercase letters, digits and single hyphens, for example 'bad'"),
    "unknown key": (card_text("x", extra_meta="tag: [a]"), "cards/bad.md:3: unknown front-matter key 'tag'; did you mean 'tags'?"),
    "missing answer": ("---\nid: x\n---\n## Question\nq\n", "cards/bad.md:5: missing '## Answer' section"),
    "empty question": ("---\nid: x\n---\n## Question\n\n## Answer\na\n", "cards/bad.md:4: empty '## Question' section"),
    "duplicate section": ("---\nid: x\n---\n## Question\nq\n## Answer\na\n## Answer\nb\n", "cards/bad.md:8: duplicate '## Answer' section"),
    "unknown section": ("---\nid: x\n---\n## Question\nq\n## Anwser\na\n", "cards/bad.md:6: unknown section '## Anwser' (expected Question, Answer, Notes); did you mean '## Answer'?"),
    "tag with a space": (card_text("x", tags=["machine learning"]), "cards/bad.md:3: tag 'machine learning' contains a space; Anki tags cannot (use '-' or '::')"),
    "missing image": (card_text("x", answer="See\n\n![plot](nowhere.png)"), "cards/bad.md:10: image 'nowhere.png' not found next to the card or in the media folder"),
    "image outside via ..": (card_text("x", answer="![p](../../secret.png)"), "cards/bad.md:8: image path '../../secret.png' leads outside the cards and media folders"),
    "absolute image path": (card_text("x", answer="![p](/etc/hosts)"), "cards/bad.md:8: image path '/etc/hosts' is absolute; use a path relative to the card or the media folder"),
    "unbalanced $": (card_text("x", answer="Here $x + y is open."), "cards/bad.md:8: unbalanced $: inline math is never closed (write \\$ for a dollar sign)"),
    "unclosed $$": (card_text("x", answer="Text\n\n$$\nx + y\n"), "cards/bad.md:10: display math opened here is never closed with $$"),
    "inline \\[ in a paragraph": (card_text("x", answer="The rule \\[ a = b \\] holds."), "cards/bad.md:8: display math \\[ inside a paragraph; put the formula between lines of its own"),
    "blank line inside $$": (card_text("x", answer="$$\na\n\nb\n$$"), "cards/bad.md:10: blank line inside display math; remove it (Markdown splits the formula there)"),
    "$$ glued to a paragraph": (card_text("x", answer="Text\n$$\na\n$$"), "cards/bad.md:9: display math $$ must start a paragraph of its own: add a blank line before it"),
    "not UTF-8": (b"---\nid: x\n---\n## Question\ncaf\xe9\n## Answer\na\n", "cards/bad.md:5: file is not UTF-8 text; save it as UTF-8"),
    "field separator": (card_text("x", answer="One\x1ftwo"), "cards/bad.md:8: contains the control character U+001F, which Anki uses between fields; remove it"),
    "no front matter": ("## Question\nq\n## Answer\na\n", "cards/bad.md:1: missing front matter: start the file with '---', 'id: bad', '---'"),
    "front matter not closed": ("---\nid: x\n## Question\nq\n", "cards/bad.md:1: front matter is not closed: add a '---' line after it"),
    "tags not a list": (card_text("x", extra_meta="tags: {a: 1}"), "cards/bad.md:3: tags must be a list, for example 'tags: [metrics, evaluation]'"),
    "empty tag": (card_text("x", extra_meta="tags: ['', b]"), "cards/bad.md:3: tag '' must be a non-empty text"),
    "bad deck": (card_text("x", extra_meta="deck: 'A::'"), "cards/bad.md:3: deck must be a name like 'Statistics' or 'Models::Trees'"),
    "text before a section": ("---\nid: x\n---\nHello\n## Question\nq\n## Answer\na\n", "cards/bad.md:4: text before the first section; start with '## Question'"),
    "text after $$": (card_text("x", answer="$$\na\n$$ and more"), "cards/bad.md:10: text after the closing $$ of display math; put it on a new paragraph"),
    "no blank after $$": (card_text("x", answer="$$\na\n$$\nText."), "cards/bad.md:10: display math must be followed by a blank line"),
    "unbalanced \\(": (card_text("x", answer="Open \\( x here."), "cards/bad.md:8: unbalanced \\( in inline math"),
    "empty image path": (card_text("x", answer="![p](#top)"), "cards/bad.md:8: image has an empty path"),
    "image is a folder": (card_text("x", answer="![p](sub)"), "cards/bad.md:8: image path 'sub' is not a file"),
    # card types
    "unknown card type": (card_text("x", extra_meta="type: clozed"), "cards/bad.md:3: unknown card type 'clozed' (known: basic, reversed, type-in, cloze); did you mean 'cloze'?"),
    "cloze without a deletion": ("---\nid: x\ntype: cloze\n---\n## Text\nNothing hidden.\n", "cards/bad.md:5: a cloze card needs a deletion in '## Text': mark one like {{c1::answer}}"),
    "unclosed deletion": ("---\nid: x\ntype: cloze\n---\n## Text\nFine.\nAn {{c1::open one.\n", "cards/bad.md:7: '{{c1::' is never closed with '}}'"),
    "deletion c0": ("---\nid: x\ntype: cloze\n---\n## Text\nA {{c0::zero}}.\n", "cards/bad.md:6: '{{c0::' is not a cloze deletion: numbers start at c1"),
    "cloze in a basic card": (card_text("x", answer="A {{c1::hidden}} word."), "cards/bad.md:8: cloze syntax in a basic card: add 'type: cloze' to its front matter"),
    "cloze in the notes": ("---\nid: x\ntype: cloze\n---\n## Text\nA {{c1::b}}.\n\n## Notes\nNot {{c2::here}}.\n", "cards/bad.md:9: cloze deletions belong in '## Text', not '## Notes'"),
    "cloze in fenced code": ("---\nid: x\ntype: cloze\n---\n## Text\nA {{c1::b}}.\n\n```python\nx = {{c2::1}}\n```\n", "cards/bad.md:9: cloze deletions cannot go inside fenced code (its highlighting splits them); use inline code"),
    "cloze sections": ("---\nid: x\ntype: cloze\n---\n## Question\nA {{c1::b}}.\n", "cards/bad.md:5: unknown section '## Question' (expected Text, Notes)"),
    "type-in on two lines": ("---\nid: x\ntype: type-in\n---\n## Question\nq\n\n## Answer\none\ntwo\n", "cards/bad.md:9: a type-in '## Answer' is one line: what the learner types"),
    "type-in with markup": ("---\nid: x\ntype: type-in\n---\n## Question\nq\n\n## Answer\n$x^2$\n", "cards/bad.md:9: a type-in '## Answer' is plain text, without Markdown, HTML or math"),
    "type-in too long": ("---\nid: x\ntype: type-in\n---\n## Question\nq\n\n## Answer\n" + "word " * 30 + "\n", "cards/bad.md:9: a type-in '## Answer' is at most 120 characters"),
    "raw img not found": (card_text("x", answer='A\n\n<img src="gone.png">'), "cards/bad.md:10: image 'gone.png' not found next to the card or in the media folder"),
    "sound not found": (card_text("x", answer="Say [sound:gone.mp3]"), "cards/bad.md:8: sound 'gone.mp3' not found next to the card or in the media folder"),
    "sound in code, which Anki plays too": (card_text("x", answer="`[sound:gone.mp3]`"), "cards/bad.md:8: sound 'gone.mp3' not found"),
    "image of a sound not found": (card_text("x", answer="![](gone.ogg)"), "cards/bad.md:8: sound 'gone.ogg' not found"),
    "audio outside": (card_text("x", answer='<audio src="../../x.mp3"></audio>'), "cards/bad.md:8: sound path '../../x.mp3' leads outside the cards and media folders"),
    "audio with an empty path": (card_text("x", answer='<audio controls src=""></audio>'), "cards/bad.md:8: sound has an empty path"),
    "a NUL in a path": (card_text("x", answer="![p](a%00b.png)"), "cards/bad.md:8: image path 'a%00b.png' is not a file"),
    "absolute video": (card_text("x", answer='<video src="/etc/x.mp4"></video>'), "cards/bad.md:8: video path '/etc/x.mp4' is absolute; use a path relative to the card or the media folder"),
}


@pytest.mark.parametrize("case", BAD_CARDS, ids=list(BAD_CARDS))
def test_bad_card_is_reported(project, capsys, case):
    text, expected = BAD_CARDS[case]
    project.card("good.md")
    (project.cards / "sub").mkdir()
    project.write("bad.md", text)
    err = assert_fails(project, capsys, expected)
    assert err.strip().splitlines()[-1].endswith("; no package written")


def test_a_card_that_changes_type_under_the_same_id_is_refused(project, capsys):
    project.card("x.md")
    assert run(project, capsys)[0] == 0
    project.write("x.md", "---\nid: x\ntype: cloze\n---\n## Text\nA {{c1::b}}.\n")
    code, _, err = run(project, capsys)
    why = ": Anki cannot change an imported note's type, so give it a new id (the old note stays in Anki with its reviews)"
    assert code == 1 and f"cards/x.md:2: card 'x' was built as a basic card and is now cloze{why}" in err
    assert "x\t" in (project.cards / "deck.lock").read_text() and "cloze" not in (project.cards / "deck.lock").read_text()


def test_duplicate_id_names_both_files(project, capsys):
    project.card("a.md", card_id="same")
    project.card("sub/b.md", card_id="same")
    err = assert_fails(project, capsys, "cards/a.md:2: duplicate id 'same': also used by cards/sub/b.md")
    assert "cards/sub/b.md:2: duplicate id 'same': also used by cards/a.md" in err


def test_symlink_out_of_the_project_is_refused(project, capsys, tmp_path_factory):
    outside = tmp_path_factory.mktemp("outside") / "secret.png"
    outside.write_bytes(b"\x89PNG")
    os.symlink(outside, project.media / "link.png")
    project.card("a.md", answer="![x](link.png)")
    assert_fails(project, capsys, "cards/a.md:8: image path 'link.png' leads outside the cards and media folders")


def test_empty_cards_folder(project, capsys):
    assert_fails(project, capsys, "cards: no card files (*.md) in the cards folder")


def test_missing_cards_folder(project, capsys):
    code = main(["--cards", "nowhere", "-o", "dist/deck.apkg"])
    assert code == 1 and "nowhere: cards folder not found" in capsys.readouterr().err


DECK_YAML = {  # every problem on its own line
    "not YAML, noticed at the end": ("name: [a\n", "cards/deck.yaml:1: not valid YAML: "),
    "not YAML, on its line": ("name: X\ndescription: a: b\n", "cards/deck.yaml:2: not valid YAML: mapping values are not allowed"),
    "not a mapping": ("# a list\n- a\n", "cards/deck.yaml:2: must be a mapping with name, id and description"),
    "unknown key": ("name: X\n\ntitle: Y\n", "cards/deck.yaml:3: unknown key 'title' (known: name, id, description, ignore_keys, strict_html)"),
    "misspelt key": ("name: X\ndescripton: Y\n", "cards/deck.yaml:2: unknown key 'descripton'; did you mean 'description'?"),
    "id not a text": ("name: X\nid: [a]\n", "cards/deck.yaml:2: id must be a text, for example 'id: my-deck'"),
    "ignore_keys not a list": ("name: X\nignore_keys: title\n", "cards/deck.yaml:2: ignore_keys must be a list of front-matter keys, for example 'ignore_keys: [title, aliases]'"),
    "ignore_keys with a key mdanki reads": ("name: X\nignore_keys: [title, tags]\n", "cards/deck.yaml:2: ignore_keys cannot hold 'tags': mdanki reads that front-matter key"),
    "not UTF-8": (b"name: X\ndescription: caf\xe9\n", "cards/deck.yaml:2: file is not UTF-8 text; save it as UTF-8"),
    "id cannot be added": ("{name: X}\n", "cards/deck.yaml: cannot add the deck's id to this file; add the line 'id: x' yourself"),
}


@pytest.mark.parametrize("case", DECK_YAML, ids=list(DECK_YAML))
def test_bad_deck_yaml_is_reported(project, capsys, case):
    text, expected = DECK_YAML[case]
    project.card("a.md")
    project.write("deck.yaml", text)
    assert_fails(project, capsys, expected)


def test_a_damaged_lock_line_is_reported(project, capsys):
    project.card("a.md")
    project.write("deck.lock", "a\tnot-enough-columns\n")
    assert_fails(project, capsys, "cards/deck.lock:1: damaged deck.lock line (a line has 4 or 5 columns: id, content hash, mod, created and a card type); restore deck.lock from git, then rebuild")


def test_all_errors_of_a_run_are_reported_together(project, capsys):
    project.write("one.md", card_text(None))
    project.write("two.md", card_text("two", tags=["a b"]))
    project.write("three.md", card_text("three", answer="$x"))
    err = assert_fails(project, capsys, "cards/one.md:1: missing 'id'")
    assert "cards/two.md:3: tag 'a b'" in err and "cards/three.md:8: unbalanced $" in err
    assert "3 errors; no package written" in err


def test_failed_build_keeps_the_previous_package(project, capsys):
    project.card("a.md")
    assert run(project, capsys)[0] == 0
    before = (project.root / "dist" / "deck.apkg").read_bytes()
    project.write("a.md", card_text(None))
    code, _, _ = run(project, capsys)
    assert code == 1
    assert (project.root / "dist" / "deck.apkg").read_bytes() == before
    assert sorted(p.name for p in (project.root / "dist").iterdir()) == ["deck.apkg"]


def test_summary_line(project, capsys):
    project.card("topic/a.md")
    project.card("b.md")
    code, out, err = run(project, capsys)
    assert code == 0 and err == ""
    assert out.startswith("2 notes, 0 media files, 1 sub-decks -> dist/deck.apkg in ")
    assert out.rstrip().endswith(" s") and len(out.strip().splitlines()) == 1


def test_verbose_lists_changes_and_quiet_prints_nothing(project, capsys):
    project.card("a.md")
    project.card("b.md")
    run(project, capsys)
    project.card("a.md", answer="Changed.")
    project.card("c.md")
    (project.cards / "b.md").unlink()
    code, out, _ = run(project, capsys, "--verbose")
    assert out.splitlines()[:3] == ["added: c", "changed: a", "removed: b"]
    project.card("a.md", answer="Changed again.")
    code, out, err = run(project, capsys, "--quiet")
    assert (code, out, err) == (0, "", "")


def test_check_writes_nothing(project, capsys):
    project.card("a.md")
    code, out, _ = run(project, capsys, "--check")
    assert code == 0 and "checked, nothing written" in out
    assert not (project.root / "dist").exists()
    assert not (project.cards / "deck.lock").exists()


def test_check_reports_errors_like_a_build(project, capsys):
    project.write("bad.md", card_text("x", answer="$$\nopen"))
    code, _, err = run(project, capsys, "--check")
    assert code == 1 and "cards/bad.md:8: display math opened here is never closed" in err


USAGE = {
    "--no-such-option": (["--no-such-option"], "unrecognized arguments: --no-such-option"),
    "output not .apkg": (["-o", "deck.zip"], "--output must end in .apkg, not 'deck.zip'"),
    "empty deck part": (["--deck-name", "A::"], "--deck-name must not be empty or have an empty part between '::'"),
    "zero jobs": (["--jobs", "0"], "expected a whole number of at least 1, not '0'"),
    "preview and check": (["--preview", "p", "--check"], "--preview writes the site instead of a package: leave out --check and --output"),
}


@pytest.mark.parametrize("case", USAGE, ids=list(USAGE))
def test_bad_usage_exits_2_and_says_why(project, capsys, case):
    argv, expected = USAGE[case]
    with pytest.raises(SystemExit) as exit_info:
        main(argv)
    assert exit_info.value.code == 2
    assert expected in capsys.readouterr().err


@pytest.mark.parametrize("argv", [["--no-such-option"], ["-o", "deck.zip"], ["--deck-name", "A::"], ["--jobs", "0"]])
def test_bad_usage_exits_2(project, capsys, argv):
    project.card("a.md")
    with pytest.raises(SystemExit) as exit_info:
        main(argv)
    assert exit_info.value.code == 2
    assert "Traceback" not in capsys.readouterr().err


def test_version(capsys):
    with pytest.raises(SystemExit) as exit_info:
        main(["--version"])
    assert exit_info.value.code == 0
    from mdanki import __version__

    assert capsys.readouterr().out.strip().endswith(f" {__version__}")


def test_deck_name_option_names_the_top_deck(project, capsys):
    project.card("topic/a.md")
    code, out, _ = run(project, capsys, "--deck-name", "My Deck")
    assert code == 0
    assert package_decks(project.root / "dist" / "deck.apkg") == ["Default", "My Deck", "My Deck::Topic"]


def test_without_an_output_the_package_is_named_after_the_deck(project, capsys):
    project.card("a.md")
    assert main(["--cards", "cards", "--media", "media", "--deck-name", "Deep Learning: Part 2"]) == 0
    assert "-> dist/deep-learning-part-2.apkg" in capsys.readouterr().out


def test_progress_bar_draws_and_clears_on_a_terminal():
    import io

    from mdanki.progress import Progress

    stream = io.StringIO()
    bar = Progress(stream, minimum=0)
    bar.stage("rendering", 4)
    for _ in range(4):
        bar.advance()
    bar.done()
    text = stream.getvalue()
    assert "rendering  [" in text and "4/4" in text and text.endswith("\r\x1b[2K")


def test_small_stages_draw_no_bar():
    import io

    from mdanki.progress import Progress

    stream = io.StringIO()
    bar = Progress(stream)
    bar.stage("rendering", 10)
    bar.advance(10)
    bar.done()
    assert stream.getvalue() == ""


@pytest.mark.parametrize("terminal, quiet, bar", [(True, False, True), (False, False, False), (True, True, False)])
def test_a_long_build_shows_a_bar_only_on_a_terminal_and_not_with_quiet(project, monkeypatch, terminal, quiet, bar):
    import io
    import sys

    class Stderr(io.StringIO):
        def isatty(self):
            return terminal

    for index in range(600):  # more than the smallest stage that gets a bar
        project.card(f"c{index}.md", answer=f"Answer {index}.")
    stderr = Stderr()
    monkeypatch.setattr(sys, "stderr", stderr)
    code = main(["--cards", "cards", "--media", "media", "-o", "dist/deck.apkg", "--jobs", "1", *(["-q"] if quiet else [])])
    assert code == 0
    assert ("rendering  [" in stderr.getvalue()) is bar


def test_a_removed_card_is_never_forgotten_and_every_build_says_so(project, capsys):
    project.card("a.md", question="What does the F1 score combine?")
    project.card("b.md")
    assert run(project, capsys)[0] == 0
    (project.cards / "a.md").unlink()
    code, out, _ = run(project, capsys)
    assert code == 0 and "1 card removed from the source stay in Anki; 'mdanki removed' lists them" in out
    assert "-a\t" in (project.cards / "deck.lock").read_text()
    assert "What does the F1 score combine?" in (project.cards / "deck.lock").read_text()
    assert "1 card removed" in run(project, capsys)[1]  # and the next build too


def test_removing_a_card_and_adding_a_near_copy_asks_about_a_rename(project, capsys):
    project.card("old-name.md", question="Why does the F1 score use the harmonic mean?")
    assert run(project, capsys)[0] == 0
    (project.cards / "old-name.md").unlink()
    project.card("new-name.md", question="Why does the F1 score use a harmonic mean?")
    code, _, err = run(project, capsys)
    assert code == 0
    assert "warning: did you rename old-name to new-name? keep the old id to keep its history" in err


def test_cloze_numbers_have_a_ceiling(project, capsys):
    project.card("good.md")
    project.write("bad.md", "---\nid: x\ntype: cloze\n---\n## Text\nA {{c1001::b}}.\n")
    assert_fails(project, capsys, "cards/bad.md:6: cloze numbers go up to c1000, not c1001")
