"""Dossier actions for `lienthong dossier` (filled in by the feature)."""

from __future__ import annotations

import argparse


def add_commands(subparsers: argparse._SubParsersAction) -> None:
    """Register this area's actions on `lienthong dossier`."""
