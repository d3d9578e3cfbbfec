"""Rendered fields -> math errors: every formula Anki will typeset, checked by MathJax itself.

Anki's reviewer renders math with MathJax 3.2.2 (the ``tex-chtml-full`` component with the
options in ``ANKI_TEX``). With ``noerrors`` loaded it draws a broken formula in red instead of
failing, so the only way to know a deck is clean is to ask the same MathJax. The formulas are
found in the rendered HTML the way MathJax finds them (``find_formulas``), sent to MathJax
in Node (``mathjax_node``) as soon as a card is rendered (``EarlyMath``), and the verdicts
cached by formula hash, so an unchanged deck re-checks without starting Node.

Node is a development tool: without it (or without ``npm ci``) the math is not validated and
``MathCheck.warning`` says so; the build goes on.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from functools import cached_property, lru_cache
from html import unescape
from html.parser import HTMLParser
from pathlib import Path

from .atomic import replacing
from .cardfile import Card, Section, read_card
from .errors import CardError
# MATHJAX_VERSION, MathUnavailable and mathjax_package are also this module's: the preview uses them
from .mathjax_node import MATHJAX_VERSION, ROOT, SCRIPT, MathJaxNode, MathUnavailable, mathjax_package  # noqa: F401
from .render import FIELD_SECTIONS

# Anki's MathJax configuration (ts/mathjax/ in Anki's sources) on top of tex-chtml-full.
# The checker and the preview both use it, so they agree with Anki and with each other.
ANKI_TEX: dict = {
    "inlineMath": [["\\(", "\\)"]],  # MathJax's default, spelled out for the preview
    "displayMath": [["\\[", "\\]"]],
    "processEscapes": False,
    "processEnvironments": False,
    "processRefs": False,
    "packages": {"[+]": ["noerrors", "mathtools"], "[-]": ["textmacros"]},
}

# MathJax's HTMLDomStrings defaults: math is not looked for inside these, nor across other tags
_SKIP_TAGS = {"script", "noscript", "style", "textarea", "pre", "code", "annotation", "annotation-xml"}
_INCLUDE_TAGS = {"br": "\n", "wbr": ""}
_IGNORE_CLASS = re.compile(r"(?:^| )mathjax_ignore(?: |$)")
_PROCESS_CLASS = re.compile(r"(?:^| )mathjax_process(?: |$)")
_PRE = re.compile(r"<pre\b[^>]*>.*?</pre>", re.S | re.I)
_VOID_TAGS = {"area", "base", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track"}


@dataclass(frozen=True)
class Formula:
    """One piece of TeX as MathJax receives it (HTML entities already decoded)."""

    tex: str
    display: bool
    closed: bool = True  # False: no closing delimiter at all, so Anki shows the TeX as text

    @cached_property
    def key(self) -> str:
        return hashlib.sha256(f"{'D' if self.display else 'I'}{self.tex}".encode()).hexdigest()[:32]


@dataclass(frozen=True)
class CardMath:
    """What the check needs of one card: its identity, where its file is, its rendered fields."""

    key: str  # changes whenever the rendered fields can (the render cache's key)
    path: str  # as shown in messages
    file: Callable[[], Path]  # asked only for a card with a broken formula, to find its line
    formulas: Callable[[], list[tuple[str, Formula]]]  # (field name, formula); see formulas_of


@dataclass(frozen=True, slots=True)
class MathCheck:
    """The outcome for a deck: an error per broken formula, or why nothing was checked."""

    errors: tuple[CardError, ...]
    warning: str | None = None  # set when the math could not be validated


class _Strings(HTMLParser):
    """The text strings MathJax searches for delimiters: any tag but <br>/<wbr> ends one."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.strings: list[str] = []
        self._current: list[str] = []
        self._stack: list[tuple[str, bool]] = []  # (tag, ignoring its content)

    @property
    def _ignoring(self) -> bool:
        return bool(self._stack) and self._stack[-1][1]

    def _push(self) -> None:
        text = "".join(self._current)
        if text.strip():
            self.strings.append(text)
        self._current = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _INCLUDE_TAGS:
            if not self._ignoring:
                self._current.append(_INCLUDE_TAGS[tag])
            return
        self._push()
        if tag in _VOID_TAGS:
            return
        classes = dict(attrs).get("class") or ""
        process = bool(_PROCESS_CLASS.search(classes))
        skip = tag in _SKIP_TAGS and not process
        ignore = skip or ((self._ignoring or bool(_IGNORE_CLASS.search(classes))) and not process)
        self._stack.append((tag, ignore))

    def handle_endtag(self, tag: str) -> None:
        if tag in _INCLUDE_TAGS or tag in _VOID_TAGS:
            return
        self._push()
        for depth in range(len(self._stack) - 1, -1, -1):
            if self._stack[depth][0] == tag:
                del self._stack[depth:]
                break

    def handle_data(self, data: str) -> None:
        if not self._ignoring:
            self._current.append(data)

    def close(self) -> None:
        super().close()
        self._push()


# Plain tags only: a lower-case-able name, double-quoted attribute values without < or >
_PLAIN_TAG = re.compile(
    r'<(?:([a-zA-Z][a-zA-Z0-9]*)((?:[ \t\n\r\f]+[a-zA-Z_:][-a-zA-Z0-9_:.]*(?:="[^"<>]*")?)*)[ \t\n\r\f]*(/?)'
    r'|/([a-zA-Z][a-zA-Z0-9]*)[ \t\n\r\f]*)>'
)
_NOT_PLAIN = re.compile(r"<[!?]|mathjax_|<(?:script|style)", re.I)


def text_strings(html: str) -> list[str]:
    """The strings of ``html`` that MathJax searches, as ``_Strings`` finds them.

    HTML made only of plain tags and text (what Python-Markdown writes) is split with one
    regex, several times faster; anything else (comments, script, mathjax_* classes,
    unusual attributes, a stray <) goes through the full parser.
    """
    if _NOT_PLAIN.search(html):
        return _parsed_strings(html)
    strings: list[str] = []
    current: list[str] = []
    stack: list[tuple[str, bool]] = []  # (tag, ignoring its content)
    position = 0

    def push() -> None:
        text = "".join(current)
        if text.strip():
            strings.append(text)
        current.clear()

    for match in _PLAIN_TAG.finditer(html):
        text = html[position:match.start()]
        if "<" in text:
            return _parsed_strings(html)
        if text and not (stack and stack[-1][1]):
            current.append(unescape(text) if "&" in text else text)
        position = match.end()
        start, _, self_closing, end = match.groups()
        if start is not None:
            tag = start.lower()
            if tag in _INCLUDE_TAGS:
                if not (stack and stack[-1][1]):
                    current.append(_INCLUDE_TAGS[tag])
                continue
            push()
            if tag in _VOID_TAGS:
                continue
            stack.append((tag, tag in _SKIP_TAGS or bool(stack and stack[-1][1])))
            if not self_closing:
                continue
            end = tag  # <x/> is a start and an end, as for HTMLParser
        tag = end.lower()
        if tag in _INCLUDE_TAGS or tag in _VOID_TAGS:
            continue
        push()
        for depth in range(len(stack) - 1, -1, -1):
            if stack[depth][0] == tag:
                del stack[depth:]
                break
    text = html[position:]
    if "<" in text:
        return _parsed_strings(html)
    if text and not (stack and stack[-1][1]):
        current.append(unescape(text) if "&" in text else text)
    push()
    return strings


def _parsed_strings(html: str) -> list[str]:
    parser = _Strings()
    parser.feed(html)
    parser.close()
    return parser.strings


def _quote(text: str) -> str:
    return re.escape(text)


def formulas_of(fields: dict[str, str]) -> list[tuple[str, Formula]]:
    """Every formula of a card's rendered fields, with the field it is in."""
    return [(name, f) for name, html in fields.items() if _may_hold_math(html) for f in find_formulas(html)]


@lru_cache(maxsize=8)
def _delimiters(inline: tuple, display: tuple):
    """The start pattern and, per opening delimiter, its closer, kind and end pattern (compiled once)."""
    ends: dict[str, tuple[str, bool]] = {}
    for open_, close in inline:
        ends[open_] = (close, False)
    for open_, close in display:
        ends[open_] = (close, True)
    starts = re.compile("|".join(_quote(o) for o in sorted(ends, key=lambda o: (-len(o), o))))
    end_patterns = {o: re.compile(_quote(c) + r"|\\(?:[a-zA-Z]|.)|[{}]") for o, (c, _) in ends.items()}
    return starts, ends, end_patterns


def find_formulas(html: str, *, tex: dict = ANKI_TEX) -> list[Formula]:
    """Every formula MathJax's FindTeX finds in ``html``, in order (a port of FindTeX.findMath).

    With processEscapes, processEnvironments and processRefs off (Anki), only the delimiter
    pairs count; a closing delimiter inside braces does not close the formula.
    """
    starts, ends, end_patterns = _delimiters(
        tuple(map(tuple, tex["inlineMath"])), tuple(map(tuple, tex["displayMath"]))
    )

    if "mathjax_process" not in html:  # then nothing inside <pre> is searched: skip parsing it
        html = _PRE.sub("<pre></pre>", html)
    found = []
    for text in text_strings(html):
        position = 0
        while (start := starts.search(text, position)) is not None:
            close, display = ends[start.group()]
            braces = 0
            position = start.end()
            for match in end_patterns[start.group()].finditer(text, start.end()):
                token = match.group()
                if token == close and braces == 0:
                    found.append(Formula(text[start.end():match.start()], display))
                    position = match.end()
                    break
                if token == "{":
                    braces += 1
                elif token == "}" and braces:
                    braces -= 1
            else:
                # MathJax skips a formula it cannot close and Anki shows it as text; still a broken
                # formula: up to a closer hidden by an open brace it goes to MathJax ("Missing close brace")
                hidden = text.find(close, start.end())
                found.append(Formula(text[start.end():hidden if hidden >= 0 else len(text)], display, closed=hidden >= 0))
                position = hidden + len(close) if hidden >= 0 else len(text)
    return found


def checker_key(root: Path = ROOT) -> str:
    """Changes whenever a verdict could: MathJax's version, Anki's options, the Node script."""
    script = root / SCRIPT
    source = script.read_bytes() if script.exists() else b""
    blob = json.dumps([MATHJAX_VERSION, ANKI_TEX]).encode() + source
    return hashlib.sha256(blob).hexdigest()[:16]


def run_mathjax(formulas: list[Formula], *, root: Path = ROOT, node: str | None = None) -> list[str | None]:
    """MathJax's error message (None when fine) for each formula. Raises MathUnavailable."""
    with MathJaxNode(tex=ANKI_TEX, root=root, node=node) as mathjax:
        mathjax.submit(formulas)
        verdicts = mathjax.verdicts()
    return [verdicts[formula.key] for formula in formulas]


class _Verdicts:
    """The cache file: MathJax's verdict per formula, and the formulas of each card already checked.

    A card is known by the render cache's key (its file's bytes, path and the renderer), so an
    unchanged card whose formulas all passed costs neither its fields nor a parse on the next run.
    """

    def __init__(self, path: Path | None, checker: str):
        self.path, self.checker = path, checker
        self.formulas: dict[str, str | None] = {}
        self.cards: dict[str, list[str]] = {}
        data = None
        if path is not None and path.exists():
            try:
                data = json.loads(path.read_text(encoding="utf-8"))
            except (OSError, ValueError):
                data = None  # a damaged cache only costs a re-check
        if isinstance(data, dict) and data.get("checker") == checker:
            if isinstance(data.get("formulas"), dict) and isinstance(data.get("cards"), dict):
                self.formulas, self.cards = data["formulas"], data["cards"]
        self._saved = (dict(self.formulas), dict(self.cards))

    def clean(self, card_key: str) -> bool:
        """Checked before, with these very bytes, and every formula passed."""
        keys = self.cards.get(card_key)
        return keys is not None and all(k in self.formulas and self.formulas[k] is None for k in keys)

    def save(self, cards: dict[str, list[str]], seen: set[str]) -> None:
        """Keep what this run's cards use; write only when something changed."""
        used = seen | {key for keys in cards.values() for key in keys}
        self.cards = cards
        self.formulas = {key: error for key, error in self.formulas.items() if key in used}
        if self.path is None or (self.formulas, self.cards) == self._saved:
            return
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            with replacing(self.path) as out:  # piece by piece: a big deck's verdicts are megabytes of JSON
                for start, part in (('{"cards":', self.cards), (',"checker":', self.checker), (',"formulas":', self.formulas)):
                    out.write(start.encode() + json.dumps(part, sort_keys=True, separators=(",", ":")).encode("utf-8"))
                out.write(b"}")
        except OSError:
            pass  # a read-only checkout still builds; it just re-checks next time


class EarlyMath:
    """The verdict cache, and MathJax for what it lacks: fed while the deck is still rendering.

    ``submit`` sends a just-rendered card's new formulas to Node at once, so MathJax works
    alongside the renderer; ``check_math`` then only collects the verdicts. Close it when done.
    """

    def __init__(self, *, cache: Path | None, root: Path = ROOT, node: str | None = None, processes: int = 1):
        self.cache, self.root = cache, root
        self.mathjax = MathJaxNode(tex=ANKI_TEX, root=root, node=node, processes=processes)
        self._store: _Verdicts | None = None
        self.cards: dict[str, list[str]] = {}  # card key -> its formulas' keys, as submitted

    @property
    def store(self) -> _Verdicts:
        if self._store is None:
            self._store = _Verdicts(self.cache, checker_key(self.root))
        return self._store

    def submit(self, formulas: Iterable[Formula], *, card: str | None = None) -> None:
        """Send the formulas MathJax has no verdict for; with ``card`` (its key), remember
        which formulas that card has, so ``check_math`` need not find them again."""
        formulas = list(formulas)
        if card is not None and all(f.closed for f in formulas):
            self.cards[card] = [f.key for f in formulas]
        known = self.store.formulas
        self.mathjax.submit([f for f in formulas if f.closed and f.key not in known])

    def wait(self) -> bool:
        """A verdict in the store for every formula submitted; True when Node had to run.

        Raises MathUnavailable."""
        if not self.mathjax.submitted:
            return False  # all cached: no Node needed, not even installed
        self.store.formulas.update(self.mathjax.verdicts())
        return True

    def close(self) -> None:
        self.mathjax.close()


def check_formulas(
    formulas: Iterable[Formula], *, cache: Path | None, root: Path = ROOT, node: str | None = None
) -> tuple[dict[Formula, str | None], bool]:
    """Verdicts for ``formulas`` (cached ones from ``cache``), and whether Node had to run."""
    wanted = list(dict.fromkeys(formulas))
    early = EarlyMath(cache=cache, root=root, node=node)
    try:
        early.submit(wanted)
        started = early.wait()
    finally:
        early.close()
    early.store.save(early.store.cards, {f.key for f in wanted})
    return {f: early.store.formulas[f.key] for f in wanted}, started


def check_math(
    cards: Iterable[CardMath] | Callable[[set[str]], Iterable[CardMath]],
    *,
    cards_dir: Path,
    cache: Path | None,
    root: Path = ROOT,
    node: str | None = None,
    keys: Iterable[str] | None = None,
    early: EarlyMath | None = None,
) -> MathCheck:
    """Every formula of every rendered field, checked; errors point at the card file's line.

    ``cards`` may be a function that yields the cards with the given keys: with ``keys`` (every
    card's key) given, only cards not known to pass are built, and an unchanged deck that
    passed last time is recognised without building any.
    ``early``: the session the build fed while rendering (its ``cache`` wins); closed here.
    """
    early = early or EarlyMath(cache=cache, root=root, node=node)
    try:
        if not callable(cards):
            cards = list(cards)  # gone through twice
        if keys is None:
            cards = list(cards(None) if callable(cards) else cards)
            keys = [card.key for card in cards]
        # fast path: the very same cards passed last time (a small file beside the cache says so)
        clean_file = early.cache.with_name(early.cache.name + ".clean") if early.cache is not None else None
        deck_key = hashlib.sha256("\n".join([checker_key(early.root), *sorted(keys)]).encode()).hexdigest()
        if clean_file is not None and clean_file.exists() and clean_file.read_text(encoding="utf-8") == deck_key:
            return MathCheck(errors=())
        result = _check_cards(cards, keys, early=early, cards_dir=cards_dir)
    finally:
        early.close()
    if clean_file is not None:
        if result.errors or result.warning:
            clean_file.unlink(missing_ok=True)
        else:
            try:
                clean_file.write_text(deck_key, encoding="utf-8")
            except OSError:
                pass  # a read-only checkout re-checks next time
    return result


def _check_cards(cards, keys: Iterable[str], *, early: EarlyMath, cards_dir: Path) -> MathCheck:
    store = early.store
    memo: dict[str, list[str]] = {}  # card key -> its formulas' keys, for the cache
    unclosed: set[str] = set()  # cards with a formula Anki would show as text
    seen: set[str] = set()  # keys of the formulas checked now
    unclean = set()
    for key in keys:
        if store.clean(key):
            memo[key] = store.cards[key]
        else:
            unclean.add(key)
    # cards the build submitted as they rendered: their formulas are known and on their way
    for key in unclean & early.cards.keys():
        memo[key] = early.cards[key]
        seen.update(memo[key])
    # the rest in one pass that keeps only keys (a first build of 100,000 cards checks them all);
    # the few cards with a broken formula are built again below, for their messages
    for card in _some(cards, unclean - early.cards.keys()):
        found = [formula for _, formula in card.formulas()]
        formula_keys = [formula.key for formula in found]
        seen.update(formula_keys)
        early.submit(found)
        if all(formula.closed for formula in found):
            memo[card.key] = formula_keys
        else:
            unclosed.add(card.key)
    warning = None
    try:
        early.wait()
    except MathUnavailable as why:
        warning = f"math not validated: {why}"
        memo = {key: keys for key, keys in memo.items() if all(k in store.formulas for k in keys)}
    store.save(memo, seen)

    broken = {key for key in unclean if key in unclosed or any(store.formulas.get(k) for k in memo.get(key, ()))}
    parsed: dict[Path, Card | None] = {}
    errors = []
    for card in _some(cards, broken):
        for name, formula in card.formulas():
            error = store.formulas.get(formula.key) if formula.closed else f"{_opener(formula)} is never closed, so Anki shows the formula as text"
            if error is None:
                continue
            file = card.file()
            if file not in parsed:  # parse again only the few files with a broken formula
                parsed[file] = read_card(file, cards_dir)[0]
            section = getattr(parsed[file], FIELD_SECTIONS.get(name, ""), None)
            line = formula_line(formula.tex, section) if section is not None else 0
            errors.append(CardError(card.path, line, f"math error: {error} in {_shown(formula.tex)}"))
    return MathCheck(errors=tuple(errors), warning=warning)


def _some(cards, keys: set[str]) -> Iterator[CardMath]:
    """The cards with these keys, in deck order."""
    if not keys:
        return
    for card in cards(keys) if callable(cards) else cards:
        if card.key in keys:
            yield card


def _may_hold_math(html: str) -> bool:
    """Cheap test before parsing: an opening delimiter, or an entity that could spell one."""
    return "&#" in html or "&bsol;" in html or any(open_ in html for open_, _ in (*ANKI_TEX["inlineMath"], *ANKI_TEX["displayMath"]))


def _opener(formula: Formula) -> str:
    delimiters = ANKI_TEX["displayMath"] if formula.display else ANKI_TEX["inlineMath"]
    return delimiters[0][0]


def formula_line(tex: str, section: Section) -> int:
    """The file line a formula starts on, found in the section's source; else its first line."""
    index = section.text.find(tex.strip()) if tex.strip() else -1
    if index < 0:  # Markdown may have re-indented a multi-line formula: look for its first line
        first = next((line.strip() for line in tex.split("\n") if line.strip()), "")
        index = section.text.find(first) if first else -1
    return section.line + section.text.count("\n", 0, index) if index >= 0 else section.line


def _shown(tex: str, limit: int = 120) -> str:
    """A formula on one line, shortened when long, for a message."""
    flat = " ".join(tex.split())
    return flat if len(flat) <= limit else flat[: limit - 1] + "…"
