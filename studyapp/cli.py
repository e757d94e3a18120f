"""The `studyapp` command: no arguments opens the desktop app; subcommands work headless."""

from __future__ import annotations

import argparse
import importlib
import sys

from studyapp import __version__
from studyapp.core.errors import UserError

# Each module in studyapp.commands has `register(subparsers)`; it adds its subcommands and sets
# `func(args) -> int` on each. Modules are imported lazily so start-up stays fast.
COMMAND_MODULES = [
    "studyapp.commands.deck",
    "studyapp.commands.export",
    "studyapp.commands.optimise",
    "studyapp.commands.decks_build",
    "studyapp.commands.maintenance",
]


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="studyapp",
        description="Coding Study Companion. Without a command, opens the desktop app.",
    )
    parser.add_argument("--version", action="version", version=f"studyapp {__version__}")
    parser.add_argument(
        "--data-dir",
        metavar="DIR",
        help="folder holding the collection (default: the platform's user-data folder, "
        "or $STUDYAPP_DATA_DIR)",
    )
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name in COMMAND_MODULES:
        importlib.import_module(name).register(subparsers)
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    from studyapp.core.backup import install_hooks

    install_hooks()
    if args.command is None:
        from studyapp.gui.app import run_app

        return run_app(data_dir=args.data_dir)
    try:
        return int(args.func(args) or 0)
    except UserError as exc:
        print(f"studyapp: {exc}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    raise SystemExit(main())
