"""`studyapp deck ...`: work with deck files (.toml) and spreadsheets (.csv, .tsv)."""

from __future__ import annotations

import argparse

DECK_EPILOG = """\
examples:
  studyapp deck validate decks/*.toml
  studyapp deck validate my-cards.csv
"""

VALIDATE_EPILOG = """\
Each file is read exactly as an import would read it. A good file prints
  FILE: ok (N notes, M cards)
and a file with problems prints every problem on its own line as
  FILE:LINE:COLUMN (note ID): what is wrong and what to do
The exit status is 1 if any file has a problem, 0 otherwise.
"""


def register(subparsers: argparse._SubParsersAction) -> None:
    deck = subparsers.add_parser(
        "deck",
        help="check, import and export deck files",
        description="Work with deck files (.toml) and spreadsheets (.csv, .tsv).",
        epilog=DECK_EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    commands = deck.add_subparsers(dest="deck_command", metavar="COMMAND", required=True)
    add_validate_command(commands)
    # The lead adds these two here when they are ready:
    # add_import_command(commands)
    # add_export_command(commands)


# -- deck validate ----------------------------------------------------------------------------


def add_validate_command(commands: argparse._SubParsersAction) -> None:
    validate = commands.add_parser(
        "validate",
        help="check deck files without importing them",
        description="Check deck files and spreadsheets without importing them.",
        epilog=VALIDATE_EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    validate.add_argument("files", nargs="+", metavar="FILE", help="a .toml, .csv or .tsv file")
    validate.set_defaults(func=run_validate)


def run_validate(args: argparse.Namespace) -> int:
    from studyapp.core.deckfile import load_deck_file
    from studyapp.core.errors import InvalidFile
    from studyapp.core.model import card_ords

    status = 0
    for name in args.files:
        try:
            spec = load_deck_file(name)
        except InvalidFile as exc:
            status = 1
            for problem in exc.problems:
                print(problem)
            continue
        cards = sum(len(card_ords(note.kind, note.fields)) for note in spec.notes)
        notes = len(spec.notes)
        print(
            f"{name}: ok ({notes} note{'s' if notes != 1 else ''}, {cards} card{'s' if cards != 1 else ''})"
        )
    return status


# -- deck import (not registered yet) --------------------------------------------------------


def add_import_command(commands: argparse._SubParsersAction) -> None:
    """`deck import FILE [--dry-run]`: to be written; read with deckfile.load_deck_file, then
    importing.plan_import / apply_plan (--dry-run prints UpdatePlan.describe() only)."""
    raise NotImplementedError("deck import is not written yet")


# -- deck export (not registered yet) --------------------------------------------------------


def add_export_command(commands: argparse._SubParsersAction) -> None:
    """`deck export DECK -o FILE`: to be written; exporting.export_deck_file writes the
    canonical file through deckfile.write_deck_file."""
    raise NotImplementedError("deck export is not written yet")
