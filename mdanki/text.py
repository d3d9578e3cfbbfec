"""A rendered field as plain text: for the preview's index, deck.lock and messages."""

from __future__ import annotations

import html
import re

_PRE = re.compile(r"<pre\b.*?</pre>", re.S)
_TAG = re.compile(r"<[^>]+>")


def plain_text(fragment: str) -> str:
    """The text without tags on one line (code blocks become an ellipsis; math stays TeX)."""
    text = _PRE.sub(" … ", fragment)  # inline code stays
    return " ".join(html.unescape(_TAG.sub(" ", text)).split())
