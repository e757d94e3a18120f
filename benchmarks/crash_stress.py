"""Crash stress: kill a studying process with SIGKILL many times and check nothing is lost.

    python -m benchmarks.crash_stress --kills 300 [--seed 1] [--max-delay 0.15] [--keep DIR]

Each round starts a child that answers cards in a loop (tests/crash_child.py), kills it at a
random moment, and at the end checks PRAGMA integrity_check, that every answer the child
reported as recorded is in the review log, and that every card matches its last review.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

from tests.crash_child import crash_test


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.crash_stress")
    parser.add_argument("--kills", type=int, default=300)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--max-delay", type=float, default=0.15, help="seconds, per round")
    parser.add_argument("--verify-every", type=int, default=50)
    parser.add_argument("--keep", metavar="DIR", help="keep the collection in DIR")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(args.keep) if args.keep else Path(tmp)
        folder.mkdir(parents=True, exist_ok=True)
        start = time.monotonic()
        result = crash_test(
            folder / "collection.sqlite",
            args.kills,
            seed=args.seed,
            max_delay=args.max_delay,
            verify_every=args.verify_every,
        )
        seconds = time.monotonic() - start
    print(
        f"{result.kills} kills, {len(result.reported)} answers reported as recorded, {seconds:.1f}s"
    )
    if result.problems:
        print("PROBLEMS:")
        for problem in result.problems:
            print(f"  {problem}")
        return 1
    print("OK: integrity ok, no reported answer lost, every card matches its last review.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
