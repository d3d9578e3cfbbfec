"""YAML that costs no more than its size: front matter and deck.yaml.

Aliases (``*name``) are refused before anything is built from them (eight levels of them turn
half a kilobyte into gigabytes), a key given twice in one mapping is an error at its second
line (YAML would silently keep the last), and the characters YAML alone reads as line breaks
(U+0085, U+2028, U+2029, a lone ``\\r``) are refused, so every line number means the same line.
"""

from __future__ import annotations

import re

import yaml

try:  # the C loader is several times faster; pure Python is the fallback
    from yaml import CSafeLoader as Loader
except ImportError:  # pragma: no cover - depends on how PyYAML was built
    from yaml import SafeLoader as Loader  # type: ignore[assignment]

_YAML_BREAK = re.compile(r"[\x85\u2028\u2029]|\r(?!\n)")


class YamlProblem(Exception):
    """A YAML text mdanki will not load, at a line of that text (1-based)."""

    def __init__(self, line: int, message: str):
        super().__init__(message)
        self.line, self.message = line, message


def load_yaml(text: str, first_line: int = 1) -> tuple[object, yaml.Node | None]:
    """``text``'s one document, and its node (None when empty). Raises YamlProblem, or yaml.YAMLError.

    ``first_line``: the file line ``text`` starts on, so every line a problem names is the file's.
    """
    stray = _YAML_BREAK.search(text)
    if stray:
        shown = "\\r" if stray.group() == "\r" else f"U+{ord(stray.group()):04X}"
        raise YamlProblem(text.count("\n", 0, stray.start()) + first_line, f"contains {shown}, which YAML reads as a line break and mdanki does not; remove it")
    try:
        if "*" in text:  # an alias needs a '*': only then are the events looked through
            for event in yaml.parse(text, Loader=Loader):
                if isinstance(event, yaml.AliasEvent):
                    raise YamlProblem(event.start_mark.line + first_line, f"YAML alias '*{event.anchor}' is not allowed; write the value out")
        loader = Loader(text)
        try:
            node = loader.get_single_node()
            if node is not None:
                _no_duplicate_keys(node, first_line)
            return (loader.construct_document(node) if node is not None else None), node
        finally:
            loader.dispose()
    except yaml.reader.ReaderError as exc:  # a character YAML does not allow anywhere (a form feed, say)
        line = text.count("\n", 0, exc.position) + first_line
        raise YamlProblem(line, f"contains U+{exc.character:04X}, a control character YAML does not allow; remove it") from None


def _no_duplicate_keys(root: yaml.Node, first_line: int) -> None:
    """Every mapping's keys once each (walked without recursion: nesting can be deep)."""
    pending = [root]
    while pending:
        node = pending.pop()
        if isinstance(node, yaml.MappingNode):
            seen: dict[tuple[str, str], int] = {}
            for key, value in node.value:
                if isinstance(key, yaml.ScalarNode):
                    name, line = (key.tag, key.value), key.start_mark.line + first_line
                    if name in seen:
                        raise YamlProblem(line, f"key '{key.value}' is given twice (first on line {seen[name]}); keep one")
                    seen[name] = line
                pending += (key, value)
        elif isinstance(node, yaml.SequenceNode):
            pending += node.value

