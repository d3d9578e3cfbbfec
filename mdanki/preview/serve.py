"""The preview served on this machine, pages that reload themselves when the deck is rebuilt.

Each HTML page goes out with one extra script (the site on disk stays as ``write_preview``
wrote it). The script asks ``/__mdanki/state`` a few times a second: a new version reloads
the page; errors are drawn over it until a build succeeds again.
"""

from __future__ import annotations

import json
import threading
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

_STATE_PATH = "/__mdanki/state"
_LIVE = """<script>
(function () {
  var seen = null;
  function show(errors) {
    var box = document.getElementById('mdanki-errors');
    if (!errors.length) { if (box) box.remove(); return; }
    if (!box) {
      box = document.createElement('pre');
      box.id = 'mdanki-errors';
      box.style.cssText = 'position:fixed;inset:auto 0 0 0;max-height:60vh;overflow:auto;margin:0;padding:1em;' +
        'background:#3b0d0d;color:#ffd7d7;font:13px/1.4 monospace;white-space:pre-wrap;z-index:99';
      document.body.appendChild(box);
    }
    box.textContent = errors.join('\\n');
  }
  function poll() {
    fetch('%s', {cache: 'no-store'}).then(function (r) { return r.json(); }).then(function (state) {
      if (seen !== null && state.version !== seen) { location.reload(); return; }
      seen = state.version;
      show(state.errors);
    }).catch(function () {}).then(function () { setTimeout(poll, 250); });
  }
  poll();
})();
</script>""" % _STATE_PATH


class PreviewServer:
    """Serves ``folder`` on ``127.0.0.1:port`` (0: any free port) until ``close``."""

    def __init__(self, folder: Path, *, port: int = 0):
        self.folder = folder
        self._state = {"version": 0, "errors": []}
        self._lock = threading.Lock()
        handler = partial(_Handler, server_state=self._read, directory=str(folder))
        self._server = ThreadingHTTPServer(("127.0.0.1", port), handler)
        self._thread = threading.Thread(target=self._server.serve_forever, name="mdanki-preview", daemon=True)

    @property
    def address(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}/"

    def start(self) -> None:
        self._thread.start()

    def publish(self, *, errors: list[str]) -> None:
        """A build finished: reload the pages (it succeeded) or show its errors over them."""
        with self._lock:
            if not errors:
                self._state = {"version": self._state["version"] + 1, "errors": []}
            else:
                self._state = {**self._state, "errors": list(errors)}

    def _read(self) -> dict:
        with self._lock:
            return dict(self._state)

    def close(self) -> None:
        self._server.shutdown()
        self._server.server_close()


class _Handler(SimpleHTTPRequestHandler):
    def __init__(self, *args, server_state, **kwargs):
        self._state = server_state
        super().__init__(*args, **kwargs)

    def do_GET(self) -> None:  # noqa: N802 - http.server's name
        if self.path.split("?")[0] == _STATE_PATH:
            self._send(json.dumps(self._state()).encode(), "application/json")
            return
        path = Path(self.translate_path(self.path))
        if path.is_dir():
            path = path / "index.html"
        if path.suffix == ".html" and path.is_file():
            page = path.read_text(encoding="utf-8").replace("</body>", _LIVE + "\n</body>", 1)
            self._send(page.encode(), "text/html; charset=utf-8")
            return
        super().do_GET()

    def _send(self, body: bytes, kind: str) -> None:
        self.send_response(200)
        self.send_header("Content-Type", kind)
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Cache-Control", "no-store")
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *_args) -> None:  # quiet: the terminal shows builds, not requests
        pass
