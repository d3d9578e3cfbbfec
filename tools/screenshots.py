#!/usr/bin/env python3
"""Screenshots of the deck for the README: builds the preview and photographs a few cards.

    python tools/screenshots.py [--out docs/screenshots]

Needs what the browser tests need: Chromium and Playwright for Python (the `test` extra),
and `npm ci` for MathJax. Writes light.png, night.png and phone.png; cards are picked by id
when they exist, else the first card showing the same kind of content.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from mdanki.preview.browser import chromium, wait_for_mathjax, why_unavailable  # noqa: E402
from mdanki.builder import build  # noqa: E402

DESKTOP = {"width": 960, "height": 900}
PHONE = {"width": 375, "height": 812}
# (file, preferred card id, what the card should show when that id is gone, night, phone)
SHOTS = (
    ("light.png", "f1-score-definition", ".pv-back mjx-container[display]", False, False),
    ("night.png", "accuracy-paradox-class-imbalance", ".pv-back .highlight", True, False),
    ("phone.png", "svm-hyperplane-and-margin-width", ".pv-back img", False, True),
)


def main(argv: list[str] | None = None) -> int:
    options = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    options.add_argument("--out", type=Path, default=REPO / "docs" / "screenshots", help="folder for the PNG files")
    options.add_argument("--cards", type=Path, default=REPO / "cards")
    options.add_argument("--media", type=Path, default=REPO / "media")
    args = options.parse_args(argv)
    problem = why_unavailable()
    if problem:
        print(f"screenshots.py: {problem}", file=sys.stderr)
        return 1
    args.out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as scratch:
        site = build(cards_dir=args.cards, media_dir=args.media, preview=Path(scratch) / "preview").preview
        assert site is not None
        with chromium() as browser:
            for name, card_id, feature, night, phone in SHOTS:
                page = _open(browser, site, PHONE if phone else DESKTOP, night=night, phone=phone)
                target = _find_card(page, card_id, feature)
                page.goto(target)
                wait_for_mathjax(page)
                _photograph(page, f"article#{target.split('#', 1)[1]}", args.out / name)
                print(args.out / name)
                page.context.close()
    return 0


def _open(browser, site: Path, viewport: dict, *, night: bool, phone: bool):
    """The index page in a fresh profile with the preview's switches set."""
    context = browser.new_context(viewport=viewport, device_scale_factor=2)
    page = context.new_page()
    page.goto(site.as_uri())
    wait_for_mathjax(page)
    page.evaluate("([night, phone]) => { mdankiPreview.set('night', night); mdankiPreview.set('phone', phone); }", [night, phone])
    return page


def _photograph(page, selector: str, path: Path, margin: int = 14) -> None:
    """The element with a little of the page around it, so the card's frame is not cut."""
    page.add_style_tag(content=".pv-bar { position: static; }")  # a sticky bar would cover the card
    box = page.evaluate(
        f"""(() => {{ const r = document.querySelector({selector!r}).getBoundingClientRect();
        return {{x: r.left + scrollX, y: r.top + scrollY, width: r.width, height: r.height,
                page: document.documentElement.scrollWidth}}; }})()"""
    )
    x = max(box["x"] - margin, 0)
    clip = {"x": x, "y": max(box["y"] - margin, 0), "width": min(box["width"] + 2 * margin, box["page"] - x),
            "height": box["height"] + 2 * margin}
    page.screenshot(path=str(path), clip=clip, full_page=True, animations="disabled")


def _find_card(page, card_id: str, feature: str) -> str:
    """The URL of the card with ``card_id``, else of the first card that has ``feature``."""
    link = page.locator(f'a[href$="#card-{card_id}"]')
    if link.count():
        return page.url.rsplit("/", 1)[0] + "/" + link.first.get_attribute("href")
    for href in page.eval_on_selector_all(".pv-decks a", "links => links.map(a => a.href)"):
        page.goto(href)
        found = page.evaluate(f"(() => {{ const f = document.querySelector({feature!r}); return f && f.closest('article').id; }})()")
        if found:
            return f"{href}#{found}"
    raise SystemExit(f"screenshots.py: no card shows {feature}")


if __name__ == "__main__":
    sys.exit(main())
