#!/usr/bin/env python3
"""Writes the MathJax files an installed mdanki needs without Node, from the pinned npm packages.

    npm ci && python tools/build_mathjax_bundle.py           # write them
    python tools/build_mathjax_bundle.py --check             # exit 1 if the committed ones differ

1. ``mdanki/math/mathjax_v8.js``: esbuild bundles ``tools/mathjax-v8-entry.mjs`` (check.mjs's logic) with
   mathjax-full 3.2.2's TeX input into one script for a bare V8 (``mdanki/math/v8.py`` runs it
   in mini-racer). The same bytes every run: fixed esbuild options, no timestamps, no paths.
2. ``mdanki/preview/mathjax/``: the browser component Anki loads (``es5/tex-chtml-full.js``)
   and its CommonHTML fonts, copied byte for byte, with MathJax's license, for the HTML preview.

Both are committed: they are package data (``pip install`` users have no Node).
"""

from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
ENTRY = "tools/mathjax-v8-entry.mjs"
BUNDLE = Path("mdanki") / "math" / "mathjax_v8.js"
ASSETS = Path("mdanki") / "preview" / "mathjax"
MATHJAX_VERSION = "3.2.2"  # what Anki ships; package.json pins the same
# what the preview copies (preview.py's _MATHJAX_FILES), relative to mathjax-full/es5
BROWSER_FILES = ("tex-chtml-full.js", "output/chtml/fonts/woff-v2")
# the only sources the bundle may contain (checked against esbuild's metafile)
ALLOWED_INPUTS = ("node_modules/mathjax-full/", "node_modules/mhchemparser/", ENTRY)
COMMAND = "npm ci && python tools/build_mathjax_bundle.py"

# Every option that decides the output, spelled out: esbuild is deterministic for fixed
# inputs, options and version, and nothing here depends on the machine or the time.
ESBUILD_OPTIONS = (
    "--bundle",
    "--format=iife",  # one classic script; the entry assigns the two global functions
    "--platform=neutral",  # no Node built-ins, no browser assumptions
    "--target=es2020",
    "--minify",
    "--legal-comments=none",  # the header below names the licenses instead
    "--charset=ascii",  # non-ASCII as \u escapes: the file reads the same in any encoding
    "--define:global=globalThis",  # components/global.js names Node's `global`
    '--define:__dirname="/mathjax-full/js/components"',  # loader.js's default root, never loaded from
    "--log-level=warning",
)


class BuildProblem(Exception):
    pass


def _package_version(root: Path, name: str) -> str | None:
    try:
        return json.loads((root / "node_modules" / name / "package.json").read_text(encoding="utf-8"))["version"]
    except (OSError, ValueError, KeyError):
        return None


def _require_packages(root: Path) -> dict[str, str]:
    wanted = json.loads((root / "package.json").read_text(encoding="utf-8"))["devDependencies"]
    versions = {}
    for name in ("mathjax-full", "esbuild", "mhchemparser"):
        installed = _package_version(root, name)
        if installed is None:
            raise BuildProblem(f"{name} is not installed: run 'npm ci' in {root}")
        if name in wanted and installed != wanted[name]:
            raise BuildProblem(f"{name} {installed} is installed, package.json pins {wanted[name]}: run 'npm ci'")
        versions[name] = installed
    if versions["mathjax-full"] != MATHJAX_VERSION:
        raise BuildProblem(f"mathjax-full {versions['mathjax-full']} is installed; Anki uses {MATHJAX_VERSION}")
    return versions


def header(versions: dict[str, str]) -> str:
    return (
        "/*!\n"
        " * mdanki/math/mathjax_v8.js - generated, do not edit. Regenerate with:\n"
        f" *   {COMMAND}\n"
        f" * (esbuild {versions['esbuild']}: esbuild {ENTRY} {' '.join(ESBUILD_OPTIONS)})\n"
        " *\n"
        f" * MathJax's TeX parser from mathjax-full {versions['mathjax-full']} (https://github.com/mathjax/MathJax-src),\n"
        " * Copyright (c) 2009-2022 The MathJax Consortium, licensed under the Apache License,\n"
        " * Version 2.0 (http://www.apache.org/licenses/LICENSE-2.0; a copy is in\n"
        " * mdanki/preview/mathjax/LICENSE), with the mhchem parser it uses, mhchemparser\n"
        f" * {versions['mhchemparser']}, Copyright (c) 2015-2023 Martin Hensel, Apache License 2.0.\n"
        " * Around them, mdanki's tools/mathjax-v8-entry.mjs (MIT): defines mdankiConfigure(texOptionsJson)\n"
        " * and mdankiCheck(batchJson) -> verdictsJson for an embedded V8 without Node.\n"
        " */\n"
    )


def bundle(root: Path = ROOT) -> str:
    """The text of mdanki/math/mathjax_v8.js, built now from ``root``'s node_modules."""
    versions = _require_packages(root)
    esbuild = root / "node_modules" / ".bin" / "esbuild"
    with tempfile.TemporaryDirectory() as temp:
        out, meta = Path(temp) / "bundle.js", Path(temp) / "meta.json"
        command = [str(esbuild), ENTRY, *ESBUILD_OPTIONS, f"--outfile={out}", f"--metafile={meta}"]
        result = subprocess.run(command, cwd=root, capture_output=True, text=True)
        if result.returncode != 0 or result.stderr.strip():
            raise BuildProblem(f"esbuild failed or warned:\n{result.stderr.strip()}")
        inputs = sorted(json.loads(meta.read_text(encoding="utf-8"))["inputs"])
        foreign = [name for name in inputs if not name.startswith(ALLOWED_INPUTS)]
        if foreign:
            raise BuildProblem(f"the bundle would contain code from outside MathJax: {foreign}")
        code = out.read_text(encoding="ascii")
    return header(versions) + code


def assets(root: Path = ROOT) -> dict[str, bytes]:
    """The preview's files: relative path under preview/mathjax -> bytes."""
    _require_packages(root)
    package = root / "node_modules" / "mathjax-full"
    files = {"LICENSE": (package / "LICENSE").read_bytes()}
    for name in BROWSER_FILES:
        source = package / "es5" / name
        for path in sorted(source.rglob("*")) if source.is_dir() else [source]:
            if path.is_file():
                files[path.relative_to(package / "es5").as_posix()] = path.read_bytes()
    return files


def _committed(root: Path) -> tuple[str | None, dict[str, bytes]]:
    path = root / BUNDLE
    text = path.read_text(encoding="ascii") if path.exists() else None
    folder = root / ASSETS
    files = {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()} if folder.is_dir() else {}
    return text, files


def write(root: Path = ROOT) -> None:
    text, files = bundle(root), assets(root)
    (root / BUNDLE).write_bytes(text.encode("ascii"))
    folder = root / ASSETS
    if folder.exists():
        shutil.rmtree(folder)  # a file MathJax no longer has must not linger
    for name, data in files.items():
        (folder / name).parent.mkdir(parents=True, exist_ok=True)
        (folder / name).write_bytes(data)


def differences(root: Path = ROOT) -> list[str]:
    """What the committed files lack or have of a fresh build (empty: identical)."""
    text, files = _committed(root)
    fresh_text, fresh_files = bundle(root), assets(root)
    found = [] if text == fresh_text else [BUNDLE.as_posix()]
    for name in sorted(files.keys() | fresh_files.keys()):
        if files.get(name) != fresh_files.get(name):
            found.append((ASSETS / name).as_posix())
    return found


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--check", action="store_true", help="compare with the committed files, write nothing")
    args = parser.parse_args(argv)
    try:
        if args.check:
            found = differences()
            for name in found:
                print(f"differs from a fresh build: {name}", file=sys.stderr)
            return 1 if found else 0
        write()
    except BuildProblem as problem:
        print(f"build_mathjax_bundle: {problem}", file=sys.stderr)
        return 2
    size = (ROOT / BUNDLE).stat().st_size
    total = sum(p.stat().st_size for p in (ROOT / ASSETS).rglob("*") if p.is_file())
    print(f"{BUNDLE}: {size:,} bytes; {ASSETS}/: {total:,} bytes")
    return 0


if __name__ == "__main__":
    sys.exit(main())
