"""MathJax's TeX parser in an embedded V8 (mini-racer): formulas in, verdicts out, no Node.

``mathjax_v8.js`` (package data, built by ``tools/build_mathjax_bundle.py`` from the pinned
mathjax-full 3.2.2) is ``check.mjs``'s check bundled for a bare V8: the same package
list, the same fresh parser for formulas that define things, the same messages. This module
loads it into V8 through the PyPI package ``mini-racer`` (module ``py_mini_racer``), so an
installed mdanki checks math with nothing but Python.

    with MathJaxV8(tex=ANKI_TEX) as mathjax:
        mathjax.verdicts([(r"\\frac{a}{b}", False), (r"\\foo", True)])  # [None, 'Undefined control sequence \\foo']

V8 starts on the first formula (or on ``start()``, which returns at once and lets it boot
on a thread while the caller goes on). A failure inside V8 (a timeout, a JavaScript error
outside MathJax's own) raises ``MathUnavailable`` and throws that V8 away; the next call
starts a fresh one.
"""

from __future__ import annotations

import asyncio
import atexit
import ctypes
import json
import os
import threading
import weakref
from collections.abc import Iterable
from contextlib import AbstractContextManager
from importlib import resources
from typing import Any

from .protocol import MathUnavailable

BUNDLE = "mathjax_v8.js"  # package data beside this module
_BATCH = 1000  # formulas per call into V8 (a timeout applies to one call)
# V8's flags, set once per process by whoever starts mini-racer first (here, unless the
# process already did). mini-racer defaults to --single-threaded, which lets a forked child
# go on using V8; mdanki never does (see _after_fork_in_child), and with its worker threads
# V8 compiles hot code on another core: the deck's formulas check about 15-20% faster.
V8_FLAGS: tuple[str, ...] = ()


def bundle_source() -> str:
    """The bundled checker's JavaScript, read from the installed package."""
    try:
        return resources.files(__package__).joinpath(BUNDLE).read_text(encoding="ascii")
    except OSError as error:
        raise MathUnavailable(f"{BUNDLE} is missing from the mdanki package ({error}); reinstall mdanki") from error


class _V8:
    """One V8 context with the checker loaded and configured, on an event loop of its own.

    mini-racer serves a context from an asyncio loop; giving it a private one (rather than
    whatever loop the caller may be running) keeps every call a plain blocking call.
    """

    def __init__(self, source: str, tex_json: str):
        try:
            from py_mini_racer import init_mini_racer, mini_racer
        except ImportError as error:
            raise MathUnavailable("mini-racer is not installed: pip install mini-racer") from error
        init_mini_racer(flags=V8_FLAGS, ignore_duplicate_init=True)
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._loop.run_forever, name="mdanki-mathjax-v8", daemon=True)
        self._thread.start()
        self._manager: AbstractContextManager[Any] | None = mini_racer(self._loop)
        try:
            self.racer = self._manager.__enter__()
            self.racer.eval(source)
            self.racer.eval(f"mdankiConfigure({json.dumps(tex_json)})")
        except BaseException:
            self.close()
            raise

    def check(self, batch_json: str, timeout: float | None) -> str:
        # a string literal, not a JS function handle: mini-racer can hang at interpreter exit
        # while a handle into a context is still alive
        return self.racer.eval(f"mdankiCheck({json.dumps(batch_json)})", timeout_sec=timeout)

    def close(self) -> None:
        manager, self._manager = self._manager, None
        try:
            if manager is not None:
                manager.__exit__(None, None, None)
        finally:
            self._loop.call_soon_threadsafe(self._loop.stop)
            self._thread.join()
            self._loop.close()


_open: weakref.WeakSet[MathJaxV8] = weakref.WeakSet()


_left_in_parent: list[_V8] = []  # a forked child's copies of its parent's V8s, never freed


@atexit.register
def _close_all() -> None:
    # a context still open when Python exits can hang the exit inside mini-racer
    for mathjax in list(_open):
        mathjax.close()


def _after_fork_in_child() -> None:
    # freeing a copied context would call into a V8 whose threads stayed in the parent (and
    # hang): the child keeps the copies for good, and its MathJaxV8s refuse to start another
    for mathjax in list(_open):
        mathjax._lock = threading.Lock()  # another thread may have held it at the fork
        v8, mathjax._v8, mathjax._starting = mathjax._v8, None, None
        if v8 is not None:
            _left_in_parent.append(v8)
            ctypes.pythonapi.Py_IncRef(ctypes.py_object(v8))  # not even freed at interpreter exit


if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_after_fork_in_child)


class MathJaxV8:
    """Verdicts (None or MathJax's message) for formulas, like the Node route gives them.

    ``tex``: Anki's TeX options (anki_math.ANKI_TEX). ``timeout``: seconds one call into V8
    may take (up to ``_BATCH`` formulas), None for no limit. Use as a context manager, or
    call ``close``.
    """

    def __init__(self, *, tex: dict, timeout: float | None = None):
        self._tex_json = json.dumps(tex)
        self._timeout = timeout
        self._lock = threading.Lock()
        self._v8: _V8 | None = None
        self._starting: threading.Thread | None = None
        self._start_problem: Exception | None = None
        self._pid = os.getpid()  # V8 cannot be used in a forked child
        _open.add(self)

    def start(self) -> None:
        """Boot V8 on a thread now, so that the first ``verdicts`` finds it ready."""
        with self._lock:
            if self._v8 is None and self._starting is None:
                self._starting = threading.Thread(target=self._boot, name="mdanki-mathjax-v8-start", daemon=True)
                self._starting.start()

    def verdicts(self, formulas: Iterable[tuple[str, bool]]) -> list[str | None]:
        """MathJax's message for each (tex, display), None when it parses; in order.

        Raises MathUnavailable when V8 cannot run the check."""
        batches = [{"tex": tex, "display": bool(display)} for tex, display in formulas]
        if not batches:
            return []
        answers: list[str | None] = []
        with self._lock:
            v8 = self._ready()
            for start in range(0, len(batches), _BATCH):
                part = batches[start:start + _BATCH]
                try:
                    answer = json.loads(v8.check(json.dumps(part), self._timeout))
                except Exception as error:  # noqa: BLE001 - anything from V8: drop this context
                    self._discard()
                    first = (str(error).strip().splitlines() or [type(error).__name__])[0]
                    raise MathUnavailable(f"the MathJax check failed: {first}") from error
                if not isinstance(answer, list) or len(answer) != len(part):
                    self._discard()
                    raise MathUnavailable("the MathJax check failed: it answered with the wrong number of verdicts")
                answers.extend(answer)
        return answers

    def close(self) -> None:
        with self._lock:
            self._join_start()
            self._discard()
        _open.discard(self)

    def __enter__(self) -> MathJaxV8:
        return self

    def __exit__(self, *_exc) -> None:
        self.close()

    def __del__(self) -> None:
        try:
            self.close()
        except Exception:  # noqa: BLE001 - interpreter teardown
            pass

    # --- under the lock (or, for _boot, on the thread start() began) -----------------------

    def _boot(self) -> None:
        try:
            v8 = _V8(bundle_source(), self._tex_json)
        except Exception as problem:  # noqa: BLE001 - handed to the caller of verdicts
            self._start_problem = problem
        else:
            self._v8 = v8

    def _join_start(self) -> None:
        if self._starting is not None:
            self._starting.join()
            self._starting = None

    def _ready(self) -> _V8:
        if os.getpid() != self._pid:
            raise MathUnavailable("MathJax in V8 cannot run in a process forked from the one that made it")
        self._join_start()
        if self._v8 is None:
            problem, self._start_problem = self._start_problem, None
            if problem is None:
                self._boot()
                problem, self._start_problem = self._start_problem, None
            if problem is not None:
                if isinstance(problem, MathUnavailable):
                    raise problem
                first = (str(problem).strip().splitlines() or [type(problem).__name__])[0]
                raise MathUnavailable(f"the MathJax check could not start: {first}") from problem
        assert self._v8 is not None
        return self._v8

    def _discard(self) -> None:
        v8, self._v8 = self._v8, None
        if v8 is not None:
            v8.close()
