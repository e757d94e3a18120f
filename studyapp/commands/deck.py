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
    add_import_command(commands)
    add_export_command(commands)
    add_list_command(commands)


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


def _open(args: argparse.Namespace, write: bool = False):
    from studyapp.commands.common import open_collection

    return open_collection(args, write)


# -- deck import ------------------------------------------------------------------------------


def add_import_command(commands: argparse._SubParsersAction) -> None:
    parser = commands.add_parser(
        "import",
        help="import a deck file or spreadsheet, or update a deck from a newer version",
        description="Import a deck. A newer version of a deck already in the collection updates it: "
        "changed notes keep their progress, removed notes are suspended, your own edits are kept.",
    )
    parser.add_argument("file", metavar="FILE", help="a .toml, .csv or .tsv file")
    parser.add_argument(
        "--dry-run", action="store_true", help="print what would change and change nothing"
    )
    parser.add_argument(
        "--take-theirs",
        action="store_true",
        help="where you edited a field the author also changed, take the author's text",
    )
    parser.set_defaults(func=run_import)


def run_import(args: argparse.Namespace) -> int:
    from studyapp.core.errors import InvalidFile
    from studyapp.core.importing import apply_plan, plan_import, read_deck_file

    try:
        spec = read_deck_file(args.file)
    except InvalidFile as exc:
        for problem in exc.problems:
            print(problem)
        print("Nothing was imported.")
        return 1
    with _open(args, write=not args.dry_run) as col:
        plan = plan_import(col, spec)
        print(plan.describe())
        if args.dry_run:
            print("Dry run: nothing was changed.")
            return 0
        apply_plan(col, plan, take_theirs=args.take_theirs)
    if plan.has_changes:
        print("Imported.")
    return 0


# -- deck export ------------------------------------------------------------------------------


def add_export_command(commands: argparse._SubParsersAction) -> None:
    parser = commands.add_parser(
        "export",
        help="write a deck and its subdecks to a deck file",
        description="Write a deck and its subdecks to a canonical deck file (stable order and "
        "formatting, so versions diff cleanly in git).",
    )
    parser.add_argument("deck", metavar="DECK", help='deck name, e.g. "ICD-10-CM::Chapters"')
    parser.add_argument(
        "-o", "--output", required=True, metavar="FILE", help="the .toml file to write"
    )
    parser.set_defaults(func=run_export)


def run_export(args: argparse.Namespace) -> int:
    from studyapp.core import decks
    from studyapp.core.exporting import export_deck_file

    with _open(args) as col:
        spec = export_deck_file(col, decks.by_name(col, args.deck).id, args.output)
    print(f"Exported {len(spec.notes)} notes of {spec.name} to {args.output}")
    return 0


# -- deck list --------------------------------------------------------------------------------


def add_list_command(commands: argparse._SubParsersAction) -> None:
    parser = commands.add_parser("list", help="list the decks with their due counts")
    parser.set_defaults(func=run_list)


def run_list(args: argparse.Namespace) -> int:
    from studyapp.core.queue import due_tree

    def show(nodes, depth: int) -> None:
        for node in nodes:
            print(
                f"{'  ' * depth}{node.short_name:<{48 - 2 * depth}} "
                f"new {node.new:>4}  learning {node.learning:>4}  due {node.review:>4}"
            )
            show(node.children, depth + 1)

    with _open(args) as col:
        tree = due_tree(col)
        show(tree, 0)
        if not tree:
            print("No decks yet. Import one with `studyapp deck import FILE`.")
    return 0
