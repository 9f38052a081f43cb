"""`pipe-app` sub-commands for reports (none yet)."""

from __future__ import annotations

import argparse
from typing import Any


def register(commands: Any, common: argparse.ArgumentParser) -> None:
    """Add this area's sub-commands."""
