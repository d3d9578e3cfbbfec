"""mdanki: Markdown question/answer cards in, a reproducible Anki package out.

The pipeline, one module per stage:

    cardfile   card files (Markdown + YAML front matter) -> Card
    render     Card -> RenderedCard (HTML fields, media it uses)
    notes      RenderedCard + deck.lock -> Note (guid, deck, mod, ids)
    package    Notes + note type + media -> .apkg (the only module that uses genanki)

`build` strings the stages together; `cli` is the command line.
"""

__version__ = "1.0.0"
