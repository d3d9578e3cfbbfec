"""MathJax's TeX parser in Node processes: formulas in, verdicts out, while the build goes on.

``check.mjs`` beside this module (run on the pinned npm package ``mathjax-full``) reads batches of formulas
as lines of JSON and answers each batch with a line of verdicts. ``MathJaxNode`` starts it
on the first formula and starts more processes (up to ``processes``, the build's jobs) only
while the ones running fall behind, so a small edit costs one Node start and a big deck uses every core.
Each process is fed by a writer thread and read by a reader thread: ``submit`` never
blocks, and only ``verdicts`` waits.
"""

from __future__ import annotations

import hashlib
import json
import os
import queue
import shutil
import subprocess
import threading
from collections import deque
from collections.abc import Iterable
from pathlib import Path

from ..anki_math import DEV_ROOT, MATHJAX_VERSION, installed_version
from ..model import Formula
from .protocol import MathUnavailable

SCRIPT = Path(__file__).with_name("check.mjs")
_BATCH = 256  # formulas per line sent to Node
_BEHIND = 2000  # formulas waiting in every running process before another one starts


def find_node(root: Path, node: str | None, script: Path = SCRIPT) -> str:
    """The Node executable to run the checker with; MathUnavailable says what is missing."""
    node = node or shutil.which("node")
    if node is None:
        raise MathUnavailable("node not found; install Node.js 18+ and run 'npm ci'")
    installed = installed_version(root)
    if installed is None or not script.exists():
        raise MathUnavailable(f"MathJax {MATHJAX_VERSION} is not installed; run 'npm ci' in {root}")
    if installed != MATHJAX_VERSION:
        raise MathUnavailable(f"MathJax {installed} is installed, Anki uses {MATHJAX_VERSION}; run 'npm ci' in {root}")
    return node


def run_mathjax(formulas: list[Formula], *, tex: dict, root: Path = DEV_ROOT, node: str | None = None) -> list[str | None]:
    """MathJax's error message (None when fine) for each formula. Raises MathUnavailable."""
    with MathJaxNode(tex=tex, root=root, node=node) as mathjax:
        mathjax.submit(formulas)
        verdicts = mathjax.verdicts()
    return [verdicts[formula.key] for formula in formulas]


class MathJaxNode:
    """A ``Checker``: verdicts (None or MathJax's message) for formulas, keyed by ``formula.key``.

    ``tex``: Anki's TeX options (anki_math.ANKI_TEX); ``root``: where node_modules is. Use as
    a context manager, or call ``close``: a build that stops early must not leave Node running.
    """

    def __init__(
        self, *, tex: dict, root: Path = DEV_ROOT, node: str | None = None, processes: int = 1, script: Path = SCRIPT
    ):
        self._tex, self._root, self._node, self._script = tex, root, node, script
        self._most = max(1, processes)
        self._processes: list[_Process] = []
        self._pending: list[Formula] = []
        self._sent: set[str] = set()
        self._verdicts: dict[str, str | None] = {}
        self._problem: MathUnavailable | None = None

    @property
    def key(self) -> str:
        """Changes whenever a verdict could: MathJax's version, the TeX options, the Node script."""
        source = self._script.read_bytes() if self._script.exists() else b""
        blob = json.dumps([MATHJAX_VERSION, self._tex]).encode() + source
        return hashlib.sha256(blob).hexdigest()[:16]

    @property
    def submitted(self) -> bool:
        """Whether any formula was submitted (and so Node is, or was, needed)."""
        return bool(self._sent)

    def submit(self, formulas: Iterable[Formula]) -> None:
        """Queue formulas for checking (each key once); sends them in batches as they fill."""
        for formula in formulas:
            if formula.key not in self._sent:
                self._sent.add(formula.key)
                self._pending.append(formula)
        while len(self._pending) >= _BATCH:
            self._send(self._pending[:_BATCH])
            del self._pending[:_BATCH]

    def verdicts(self) -> dict[str, str | None]:
        """Every submitted formula's verdict; waits for Node. Raises MathUnavailable."""
        if self._pending:
            self._send(self._pending)
            self._pending = []
        for process in self._processes:
            process.finish()
        for process in self._processes:
            problem = process.wait(self._verdicts)
            self._problem = self._problem or problem
        self._processes = []
        if self._problem is not None:
            raise self._problem
        return self._verdicts

    def close(self) -> None:
        for process in self._processes:
            process.kill()
        self._processes = []

    def __enter__(self) -> MathJaxNode:
        return self

    def __exit__(self, *_exc) -> None:
        self.close()

    def _send(self, batch: list[Formula]) -> None:
        if self._problem is not None:
            return
        try:
            if not self._processes or (
                len(self._processes) < self._most and all(p.waiting >= _BEHIND for p in self._processes)
            ):
                node = find_node(self._root, self._node, self._script)
                self._processes.append(_Process([node, str(self._script)], cwd=self._root, tex=self._tex))
        except (MathUnavailable, OSError) as problem:
            self._problem = problem if isinstance(problem, MathUnavailable) else MathUnavailable(
                f"the MathJax check did not run ({problem})"
            )
            return
        min(self._processes, key=lambda p: p.waiting).send(batch)


class _Process:
    """One ``check.mjs`` process with its writer, reader and stderr threads."""

    def __init__(self, command: list[str], *, cwd: Path, tex: dict):
        self._popen = subprocess.Popen(
            command, cwd=cwd, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE
        )
        # the lowest priority: while cards render, Node takes only spare cycles, and it catches
        # up while the package is written, when one core would otherwise sit idle
        try:
            os.setpriority(os.PRIO_PROCESS, self._popen.pid, 19)
        except (AttributeError, OSError):  # pragma: no cover - not Unix
            pass
        self._outbox: queue.SimpleQueue[bytes | None] = queue.SimpleQueue()
        self._expected: deque[list[str]] = deque()  # keys of the batches sent, oldest first
        self._answers: dict[str, str | None] = {}
        self._sent = self._answered = 0  # each counted by one thread only
        self._stderr: list[bytes] = []
        self._threads = [
            threading.Thread(target=self._write, daemon=True),
            threading.Thread(target=self._read, daemon=True),
            threading.Thread(target=lambda: self._stderr.extend(self._popen.stderr), daemon=True),
        ]
        for thread in self._threads:
            thread.start()
        self._outbox.put(json.dumps({"tex": tex}).encode() + b"\n")

    @property
    def waiting(self) -> int:
        """Formulas sent and not yet answered."""
        return self._sent - self._answered

    def send(self, batch: list[Formula]) -> None:
        self._expected.append([f.key for f in batch])
        self._sent += len(batch)
        line = json.dumps([{"tex": f.tex, "display": f.display} for f in batch], ensure_ascii=False)
        self._outbox.put(line.encode("utf-8") + b"\n")

    def finish(self) -> None:
        self._outbox.put(None)

    def wait(self, into: dict[str, str | None]) -> MathUnavailable | None:
        """Collect the answers into ``into``; what went wrong, if anything."""
        for thread in self._threads:
            thread.join()
        code = self._popen.wait()
        into.update(self._answers)
        if code != 0 or self._expected:
            last = (b"".join(self._stderr).decode("utf-8", "replace").strip().splitlines() or ["no message"])[-1]
            return MathUnavailable(f"the MathJax check failed: {last}")
        return None

    def kill(self) -> None:
        self._popen.kill()
        self._outbox.put(None)
        for thread in self._threads:
            thread.join()
        self._popen.wait()

    def _write(self) -> None:
        stdin = self._popen.stdin
        try:
            while (data := self._outbox.get()) is not None:
                stdin.write(data)
                stdin.flush()
        except OSError:  # Node died; the reader reports it
            pass
        finally:
            try:
                stdin.close()
            except OSError:
                pass

    def _read(self) -> None:
        stdout = self._popen.stdout
        try:
            for line in stdout:
                answers = json.loads(line)
                if not self._expected or len(answers) != len(self._expected[0]):
                    break  # left in _expected: wait() reports the failure
                keys = self._expected.popleft()
                self._answers.update(zip(keys, answers))
                self._answered += len(keys)
        except ValueError:
            pass  # not JSON: Node failed mid-line; wait() reports it
        finally:
            stdout.close()
