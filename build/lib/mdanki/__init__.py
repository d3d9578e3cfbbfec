"""mdanki: Markdown cards in, a reproducible Anki package out that updates in place.

The pipeline, one stage per folder; stages never import each other:

    source     card files (Markdown + YAML front matter) -> Card
    render     Card -> HTML fields and the media they use
    math       formulas -> MathJax's verdicts, as Anki's reviewer would typeset them
    notes      rendered records + deck.lock -> Note (guid, deck, mod, ids)
    package    notes + note type + media -> .apkg (the only module that uses genanki)
    preview    rendered cards -> an offline HTML site

Below them: ``model`` (the values that cross stages), ``notetypes``, ``errors``, ``atomic``,
``anki_math``. Above them: ``builder`` (the pipeline, its worker pass, settings and render
cache), and ``cli``, the command line.
"""

__version__ = "1.0.0"
