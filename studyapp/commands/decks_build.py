"""`studyapp decks build`: regenerate the decks that are built from code-set data.

Not to be confused with `studyapp deck ...` (singular), which checks, imports and exports deck
files. The generators read the ICD-10-CM tabular list through `simple-icd-10-cm`, which is slow
to import, so nothing is imported until the command runs.
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

BUILD_EPILOG = """\
writes:
  icd10cm-chapters-blocks.toml   every ICD-10-CM chapter and block (range <-> title)
  icd10cm-code-locations.toml    which chapter and block hold a few hundred billable codes
Each file is written whole (temporary file, then rename); the output is the same every run
for the same code-set data, so a rebuild gives a clean diff.
"""


def default_out_dir() -> Path:
    import studyapp

    return Path(studyapp.__file__).resolve().parent.parent / "decks"


def register(subparsers: argparse._SubParsersAction) -> None:
    decks = subparsers.add_parser(
        "decks",
        help="generate the shipped decks from code-set data",
        description="Generate the shipped decks from code-set data.",
    )
    commands = decks.add_subparsers(dest="decks_command", metavar="COMMAND", required=True)
    build = commands.add_parser(
        "build",
        help="write the generated deck files",
        description="Build the ICD-10-CM decks from the CDC FY2026 tabular list.",
        epilog=BUILD_EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    build.add_argument(
        "--out",
        metavar="DIR",
        type=Path,
        default=None,
        help="folder to write into (default: the repository's decks/ folder)",
    )
    build.set_defaults(func=run_build)


def run_build(args: argparse.Namespace) -> int:
    from studyapp.core.content.icd10cm import write_decks
    from studyapp.core.deckfile import load_deck_file

    out_dir = args.out if args.out is not None else default_out_dir()
    started = time.perf_counter()
    paths = write_decks(out_dir)
    elapsed = time.perf_counter() - started
    for path in paths:
        spec = load_deck_file(path)
        print(f"{path}: {len(spec.notes)} notes")
    print(f"built {len(paths)} decks in {elapsed:.1f} s")
    return 0
