"""How long loading every shipped deck takes on first start, and that it never loads the
ICD-10-CM package: `python -m benchmarks.first_start [--repeat N]`."""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path


def one_run() -> tuple[float, int]:
    from studyapp.core import shipped
    from studyapp.core.collection import Collection

    with tempfile.TemporaryDirectory() as folder, Collection(Path(folder) / "c.sqlite") as col:
        start = time.perf_counter()
        notes = shipped.load_shipped(col)
        return time.perf_counter() - start, notes


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args(argv)
    times, notes = [], 0
    for _ in range(args.repeat):
        seconds, notes = one_run()
        times.append(seconds)
    print(
        f"first start: {notes} notes from every shipped deck in "
        f"median {statistics.median(times) * 1000:.0f} ms (min {min(times) * 1000:.0f}, "
        f"max {max(times) * 1000:.0f}, target < 2000 ms)"
    )
    print(f"simple_icd_10_cm imported: {'simple_icd_10_cm' in sys.modules}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
