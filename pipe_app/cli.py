"""The `pipe-app` command. With no sub-command it opens the desktop app."""

from __future__ import annotations

import sys


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    print("pipe-app", args)
    return 0
