"""Crash-safety harness: a child process answers cards in a loop and prints each recorded
review-log id once `answer_card` has returned; the parent kills it with SIGKILL at random
moments and then checks that every answer it was told about survived.

Used by tests/core/test_crash_safety.py and `python -m benchmarks.crash_stress`.
Run as a child: `python -m tests.crash_child COLLECTION SEED`.
"""

from __future__ import annotations

import os
import random
import signal
import sqlite3
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def child_main(path: str, seed: int) -> None:
    from studyapp.core import scheduling
    from studyapp.core.collection import Collection
    from studyapp.core.options import DeckOptions

    col = Collection(path)
    opts = DeckOptions()
    ids = [r[0] for r in col.conn.execute("SELECT id FROM cards ORDER BY id")]
    rng = random.Random(seed)
    print("ready", flush=True)
    while True:
        answer = scheduling.answer_card(col, rng.choice(ids), rng.randint(1, 4), opts, 1000)
        print(answer.revlog_id, flush=True)


def make_collection(path: Path, notes: int = 20) -> None:
    from studyapp.core import decks
    from studyapp.core import notes as notes_
    from studyapp.core.collection import Collection

    with Collection(path) as col:
        deck = decks.get_or_create(col, "Crash")
        notes_.add_notes(
            col,
            [notes_.NewNote(deck, "basic", {"front": f"Q{i}", "back": "A"}) for i in range(notes)],
        )


@dataclass
class CrashResult:
    kills: int = 0
    reported: set[int] = field(default_factory=set)
    problems: list[str] = field(default_factory=list)


def run_round(path: Path, rng: random.Random, max_delay: float) -> list[int]:
    """Start a child, kill it at a random moment, return the revlog ids it reported."""
    child = subprocess.Popen(
        [sys.executable, "-m", "tests.crash_child", str(path), str(rng.randrange(1 << 30))],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    assert child.stdout is not None
    first = child.stdout.readline()
    if first.strip() != b"ready":
        child.kill()
        _, err = child.communicate()
        raise RuntimeError(f"child did not start: {first!r} {err.decode(errors='replace')}")
    time.sleep(rng.uniform(0, max_delay))
    os.kill(child.pid, signal.SIGKILL)
    out, _ = child.communicate()
    lines = out.split(b"\n")
    complete = lines[:-1]  # the last piece has no newline: cut off by the kill, not reported
    return [int(x) for x in complete if x.strip()]


def verify(path: Path, reported: set[int]) -> list[str]:
    problems = []
    conn = sqlite3.connect(path)
    try:
        integrity = [r[0] for r in conn.execute("PRAGMA integrity_check")]
        if integrity != ["ok"]:
            problems.append(f"integrity_check: {integrity[:5]}")
        have = {r[0] for r in conn.execute("SELECT id FROM revlog")}
        lost = reported - have
        if lost:
            problems.append(f"{len(lost)} reported answers are missing: {sorted(lost)[:10]}")
        rows = conn.execute(
            "SELECT c.id, c.state, c.due, r.state_after, r.due_after FROM cards c"
            " LEFT JOIN revlog r ON r.id = (SELECT max(id) FROM revlog WHERE card_id = c.id)"
        ).fetchall()
        for card, state, due, state_after, due_after in rows:
            if state_after is None:
                if state != 0:
                    problems.append(f"card {card} has state {state} but no reviews")
            elif (state, due) != (state_after, due_after):
                problems.append(
                    f"card {card}: state/due {(state, due)} != last review "
                    f"{(state_after, due_after)}"
                )
    finally:
        conn.close()
    return problems


def crash_test(
    path: Path, kills: int, seed: int = 1, max_delay: float = 0.15, verify_every: int = 0
) -> CrashResult:
    """Kill `kills` children; verify at the end (and every `verify_every` kills if set)."""
    if not path.exists():
        make_collection(path)
    rng = random.Random(seed)
    result = CrashResult()
    for n in range(1, kills + 1):
        result.reported.update(run_round(path, rng, max_delay))
        result.kills += 1
        if verify_every and n % verify_every == 0:
            result.problems += verify(path, result.reported)
            if result.problems:
                return result
    result.problems += verify(path, result.reported)
    return result


if __name__ == "__main__":
    child_main(sys.argv[1], int(sys.argv[2]))
