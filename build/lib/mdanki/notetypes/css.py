"""The look every note type shares: readable on a 375 px phone, in light and night mode.

Night mode is a class Anki puts on the card: ``nightMode`` on desktop and AnkiMobile,
``night_mode`` on AnkiDroid; every colour has a rule for both.
"""

from __future__ import annotations

from pygments.formatters import HtmlFormatter

LIGHT_CODE_STYLE = "friendly"
DARK_CODE_STYLE = "github-dark"

BASE_CSS = """\
.card {
  font-family: -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif;
  font-size: 19px;
  line-height: 1.45;
  text-align: left;
  color: #1d1d1f;
  background-color: #ffffff;
  max-width: 42em;
  margin: 0 auto;
  padding: 0 0.6em;
  overflow-wrap: break-word;
}
.card.nightMode, .card.night_mode, .nightMode .card, .night_mode .card {
  color: #e6e6e6;
  background-color: #1e1e1e;
}
.question { font-weight: 600; }
.notes {
  margin-top: 1.2em;
  padding-top: 0.6em;
  border-top: 1px dashed #9a9a9a;
  font-size: 0.88em;
  color: #444444;
}
.nightMode .notes, .night_mode .notes { color: #bdbdbd; }
.card-id { margin-top: 1.5em; font-size: 0.7em; color: #8a8a8a; text-align: right; }
a { color: #0a58ca; }
.nightMode a, .night_mode a { color: #8ab4f8; }
img { max-width: 100%; height: auto; }
/* long code lines scroll inside the block instead of widening the card on a phone */
.highlight { max-width: 100%; overflow-x: auto; border-radius: 6px; margin: 0.6em 0; }
.highlight pre {
  margin: 0;
  padding: 0.6em 0.8em;
  overflow-x: auto;
  white-space: pre;
  word-wrap: normal;
  font-size: 0.8em;
  line-height: 1.4;
}
code { font-family: "SFMono-Regular", Menlo, Consolas, "Liberation Mono", monospace; font-size: 0.9em; }
:not(pre) > code { padding: 0.1em 0.3em; border-radius: 4px; background: #f0f0f0; }
.nightMode :not(pre) > code, .night_mode :not(pre) > code { background: #333333; }
table { border-collapse: collapse; display: block; max-width: 100%; overflow-x: auto; margin: 0.6em 0; }
th, td { border: 1px solid #b0b0b0; padding: 0.25em 0.6em; }
blockquote { margin: 0.6em 0; padding-left: 0.8em; border-left: 3px solid #b0b0b0; color: inherit; }
/* wide formulas scroll too */
mjx-container[display="true"] { max-width: 100%; overflow-x: auto; overflow-y: hidden; padding: 2px 0; }
"""


def code_css() -> str:
    """Pygments colours: a light style, and a dark one under both night-mode classes."""
    light = HtmlFormatter(style=LIGHT_CODE_STYLE).get_style_defs(".highlight")
    dark = HtmlFormatter(style=DARK_CODE_STYLE).get_style_defs([".nightMode .highlight", ".night_mode .highlight"])
    return f"/* code, light */\n{light}\n/* code, night mode (Anki desktop, AnkiMobile: .nightMode; AnkiDroid: .night_mode) */\n{dark}\n"


def card_css() -> str:
    return BASE_CSS + code_css()
