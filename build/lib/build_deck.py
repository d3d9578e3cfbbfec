#!/usr/bin/env python3
"""Build the deck: ``python build_deck.py --help`` lists the options."""

import sys

from mdanki.cli import main

if __name__ == "__main__":
    sys.exit(main())
