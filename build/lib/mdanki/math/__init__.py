"""Rendered fields -> math errors: the formulas Anki will typeset, checked by MathJax itself."""

from .check import MathResult, MathSession, check_formulas
from .find import find_formulas, formula_line, formulas_of
from .node import MathJaxNode, run_mathjax
from .protocol import Checker, MathUnavailable

__all__ = [
    "Checker",
    "MathJaxNode",
    "MathResult",
    "MathSession",
    "MathUnavailable",
    "check_formulas",
    "find_formulas",
    "formula_line",
    "formulas_of",
    "run_mathjax",
]
