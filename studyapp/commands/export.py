"""`studyapp export anki`: write decks to an Anki package (.apkg)."""

from __future__ import annotations

import argparse

from studyapp.core.errors import UserError

ANKI_EPILOG = """\
Each deck is exported with its subdecks; deck names keep their "::" hierarchy in Anki.
Exporting again later and importing into Anki updates the notes already there (edited
notes are replaced, new notes are added) instead of duplicating them.

examples:
  studyapp export anki "ICD-10-CM::Chapter 4" -o chapter4.apkg
  studyapp export anki --all -o everything.apkg
"""


def register(subparsers: argparse._SubParsersAction) -> None:
    export = subparsers.add_parser(
        "export",
        help="export decks to other programs",
        description="Export decks to other programs.",
    )
    formats = export.add_subparsers(dest="format", metavar="FORMAT", required=True)
    anki = formats.add_parser(
        "anki",
        help="write an Anki package (.apkg)",
        description="Write one or more decks (with their subdecks), or all of them, to an "
        "Anki package (.apkg) that Anki can import.",
        epilog=ANKI_EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    anki.add_argument(
        "decks",
        nargs="*",
        metavar="DECK",
        help='full deck name, e.g. "Parent::Child" (its subdecks are included)',
    )
    anki.add_argument("--all", action="store_true", help="export every deck instead of naming some")
    anki.add_argument(
        "-o", "--output", required=True, metavar="FILE", help="the .apkg file to write"
    )
    anki.set_defaults(func=run_anki)


def run_anki(args: argparse.Namespace) -> int:
    from studyapp.core import decks
    from studyapp.core.anki_export import export_apkg
    from studyapp.core.collection import Collection
    from studyapp.core.paths import collection_path

    if args.all and args.decks:
        raise UserError("Give deck names or --all, not both.")
    if not args.all and not args.decks:
        raise UserError("Name the deck to export, or use --all to export every deck.")
    with Collection(collection_path(args.data_dir)) as col:
        deck_ids = None if args.all else [decks.by_name(col, name).id for name in args.decks]
        result = export_apkg(col, deck_ids, args.output)
    print(f"Exported {result.notes} notes ({result.cards} cards) to {result.path}")
    return 0
