"""The benchmark runs end to end on a tiny collection and prints every row with numbers.

No timing is asserted: this only guards against the benchmark rotting.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

pytest.importorskip("anki")

ROOT = Path(__file__).resolve().parent.parent
ROWS = [
    "open collection (in child)",
    "new process: start, import, open, exit",
    "app start to main window shown",
    "due counts, all decks",
    "start studying the root deck",
    "answer + next card, p50",
    "answer + next card, p99",
    "search: deck",
    "search: code prefix J45*",
    "search: free text 'asthma'",
    "statistics, whole collection, 1 year",
    "import 2,000 notes into an empty collection",
    "export 2,000 notes to .apkg",
    "peak memory: open + due tree + 200 answers",
]
NUMBER = r"\d+\.\d"


def test_quick_benchmark_prints_every_row(tmp_path):
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "benchmarks.run",
            "--quick",
            "--cards",
            "2000",
            "--repeat",
            "1",
            "--workdir",
            str(tmp_path),
        ],
        cwd=ROOT,
        env={**os.environ, "QT_QPA_PLATFORM": "offscreen"},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert proc.returncode == 0, proc.stderr[-3000:]
    lines = [line for line in proc.stdout.splitlines() if line.startswith("| ")]
    for name in ROWS:
        row = next((line for line in lines if line[2:].startswith(name)), None)
        assert row is not None, f"missing row {name!r} in:\n{proc.stdout}"
        cells = [c.strip() for c in row.strip("|").split("|")]
        ours, anki, ratio = cells[1:4], cells[4:7], cells[7]
        assert all(re.search(NUMBER, c) for c in ours), row
        if name == "app start to main window shown":  # Anki's GUI is not measured
            assert anki == ["n/a"] * 3 and ratio == "n/a", row
        else:
            assert all(re.search(NUMBER, c) for c in anki), row
            assert re.fullmatch(r"\d+\.\d\d", ratio), row
    # the searches find the same cards as Anki's on the same collection
    hits = re.findall(r"hits: ours (\d+), Anki (\d+)", proc.stdout)
    assert len(hits) == 3, proc.stdout
    for ours_hits, anki_hits in hits:
        assert ours_hits == anki_hits and int(ours_hits) > 0, proc.stdout
