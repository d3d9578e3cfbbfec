"""errors: a user's mistake is one line naming file and line; every message the code can print is tested."""

from __future__ import annotations

import ast
import re

from conftest import REPO

from mdanki.errors import BuildError, CardError

# calls whose first text argument is a message a person reads
_MESSAGE_CALLS = {"CardError", "MathUnavailable", "MediaProblem", "PreviewProblem", "YamlProblem", "warn", "_warn", "error", "problem"}


def test_an_error_reads_path_line_message_and_a_whole_file_has_no_line():
    assert str(CardError("cards/a.md", 3, "bad")) == "cards/a.md:3: bad"
    assert str(CardError("cards", 0, "empty")) == "cards: empty"


def test_a_build_error_holds_every_problem_once_in_file_order():
    errors = [CardError("b.md", 1, "x"), CardError("a.md", 9, "y"), CardError("b.md", 1, "x")]
    assert BuildError(errors).errors == [CardError("a.md", 9, "y"), CardError("b.md", 1, "x")]


def messages() -> list[tuple[str, str]]:
    """(module, the longest literal piece) of every message string in mdanki/."""
    found = []
    for path in sorted((REPO / "mdanki").rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not isinstance(node, ast.Call):
                continue
            name = getattr(node.func, "id", None) or getattr(node.func, "attr", None)
            if name not in _MESSAGE_CALLS:
                continue
            for argument in node.args:
                pieces = [argument.value] if isinstance(argument, ast.Constant) else [
                    part.value for part in getattr(argument, "values", []) if isinstance(part, ast.Constant)
                ]
                pieces = [p for p in pieces if isinstance(p, str) and len(p.strip()) > 8]
                if pieces:
                    found.append((str(path.relative_to(REPO)), max(pieces, key=len).strip()))
    return found


def test_every_message_the_code_can_print_appears_in_a_test():
    tests = "\n".join(p.read_text(encoding="utf-8") for p in (REPO / "tests").glob("test_*.py") if p.name != "test_errors.py")
    tests = tests.replace("\\\\", "\\")
    found = messages()
    assert len(found) > 40
    untested = [f"{module}: {text}" for module, text in found if text not in tests and re.escape(text) not in tests]
    assert untested == []
