"""Coverage-guided fuzzing of the deck-file and spreadsheet parsers with atheris.

    pip install atheris
    python -m benchmarks.fuzz_parsers [-atheris_runs=200000] [-max_len=4096]

Every input must give a deck or InvalidFile; anything else is a crash and atheris stops with
the input that caused it. (The test suite runs the same property with hypothesis.)
"""

from __future__ import annotations

import contextlib
import sys

from studyapp.core.errors import InvalidFile


def test_one_input(data: bytes) -> None:
    from studyapp.core.csvfile import parse_table
    from studyapp.core.deckfile import parse_deck

    for parse, name in (
        (parse_deck, "fuzz.toml"),
        (parse_table, "fuzz.csv"),
        (parse_table, "fuzz.tsv"),
    ):
        with contextlib.suppress(InvalidFile):
            parse(data, name)


def main() -> None:
    try:
        import atheris
    except ImportError:
        sys.exit("atheris is not installed: pip install atheris")
    with atheris.instrument_imports():
        import studyapp.core.csvfile  # noqa: F401
        import studyapp.core.deckfile  # noqa: F401
    argv = list(sys.argv)
    if not any(arg.startswith("-atheris_runs") for arg in argv):
        argv.append("-atheris_runs=100000")
    atheris.Setup(argv, test_one_input)
    atheris.Fuzz()


if __name__ == "__main__":
    main()
