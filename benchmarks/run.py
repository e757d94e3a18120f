"""Performance at scale, measured side by side with the real Anki library.

    python -m benchmarks.run [--quick] [--repeat N] [--workdir DIR] [--cards N]

Builds (or reuses) a synthetic collection for us and the same one for Anki
(benchmarks/synth.py), runs each operation several times on both, and prints one table:
operation, our median/min/max, Anki's median/min/max, and the ratio of the medians
(ours / Anki; below 1 means we are faster). Times are milliseconds, memory megabytes.

--quick uses a 10,000-card collection; --cards sets any size (the smoke test uses 2,000).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

# benchmarks.synth is imported only where needed, so child processes load nothing extra
ROOT_DECK = "ICD-10-CM"  # the same as synth.ROOT_DECK
IMPORT_NOTES = 10_000
ANSWERS = 200
GOOD = 3
ROOT = Path(__file__).resolve().parent.parent

# (our query, Anki's query) for the search rows
SEARCHES = {
    "search: deck": ('deck:"ICD-10-CM::Chapter 01"', '"deck:ICD-10-CM::Chapter 01"'),
    "search: code prefix J45*": ("J45*", "J45*"),
    "search: free text 'asthma'": ("asthma", "asthma"),
}


# --- child processes (open, app start, memory) ------------------------------------------------


def _child(argv: list[str]) -> None:
    """Entry point inside a fresh interpreter; prints one JSON line."""
    kind, path = argv[0], argv[1]
    t0 = time.perf_counter()
    out: dict[str, float] = {}
    if kind == "open-ours":
        from studyapp.core.collection import Collection

        t1 = time.perf_counter()
        col = Collection(path)
        out["open"] = time.perf_counter() - t1
        out["import_and_open"] = time.perf_counter() - t0
        col.close()
    elif kind == "open-anki":
        from anki.collection import Collection as AnkiCollection

        t1 = time.perf_counter()
        col = AnkiCollection(path)
        out["open"] = time.perf_counter() - t1
        out["import_and_open"] = time.perf_counter() - t0
        col.close(downgrade=False)
    elif kind == "app-ours":
        from studyapp.core.collection import Collection
        from studyapp.gui.app import make_application
        from studyapp.gui.main_window import MainWindow

        app = make_application([])
        col = Collection(path)
        window = MainWindow(col)
        window.show()
        app.processEvents()
        out["shown_at"] = time.time()
        out["in_process"] = time.perf_counter() - t0
        col.close()
        sys.stdout.write(json.dumps(out) + "\n")
        sys.stdout.flush()
        os._exit(0)  # skip Qt teardown (and the window's close handler)
    elif kind == "mem-ours":
        from studyapp.core import queue
        from studyapp.core.collection import Collection
        from studyapp.core.review import ReviewSession

        col = Collection(path)
        queue.due_tree(col)
        session = ReviewSession(col, _our_root(col))
        for _ in range(ANSWERS):
            if session.current is None:
                break
            session.answer(GOOD)
        col.close()
        out["maxrss_mb"] = _maxrss_mb()
    elif kind == "mem-anki":
        from anki.collection import Collection as AnkiCollection

        col = AnkiCollection(path)
        col.sched.deck_due_tree()
        _anki_answers(col)
        col.close(downgrade=False)
        out["maxrss_mb"] = _maxrss_mb()
    else:
        raise SystemExit(f"unknown child {kind}")
    print(json.dumps(out))


def _maxrss_mb() -> float:
    """Peak resident memory of this process in MB.

    On Linux, ru_maxrss survives exec(): a child forked from the (large) benchmark process
    reports at least the parent's size. VmHWM in /proc belongs to the new program's memory
    map only, so it is used when available; ru_maxrss elsewhere.
    """
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    import resource

    kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss  # kilobytes on Linux
    return kb / (1024 * 1024) if sys.platform == "darwin" else kb / 1024


def _spawn(kind: str, path: Path, env: dict[str, str] | None = None) -> tuple[dict, float]:
    """Run a child; returns (its JSON, the wall time of the whole process in seconds)."""
    started = time.time()
    t0 = time.perf_counter()
    proc = subprocess.run(
        [sys.executable, "-m", "benchmarks.run", "--child", kind, str(path)],
        cwd=ROOT,
        env={**os.environ, **(env or {})},
        capture_output=True,
        text=True,
        timeout=600,
    )
    wall = time.perf_counter() - t0
    if proc.returncode != 0:
        raise RuntimeError(f"child {kind} failed:\n{proc.stderr[-3000:]}")
    data = json.loads(proc.stdout.strip().splitlines()[-1])
    data["_started"] = started
    return data, wall


# --- shared helpers ---------------------------------------------------------------------------


def _our_root(col) -> int:
    from studyapp.core import decks

    return decks.by_name(col, ROOT_DECK).id


def _anki_answers(col, count: int = ANSWERS, timer: list[float] | None = None) -> int:
    """Answer Good `count` times on the root deck (answer + fetch and show the next card)."""
    from anki.cards import Card

    col.decks.select(col.decks.id(ROOT_DECK))

    def fetch():
        queued = col.sched.get_queued_cards()
        if not queued.cards:
            return None
        top = queued.cards[0]
        card = Card(col)
        card._load_from_backend_card(top.card)
        card.start_timer()
        card.question()  # what the reviewer shows ...
        col.sched.describe_next_states(top.states)  # ... with the button labels
        return card, top.states

    current = fetch()
    done = 0
    while current is not None and done < count:
        t0 = time.perf_counter()
        card, states = current
        col.sched.answer_card(col.sched.build_answer(card=card, states=states, rating=GOOD))
        current = fetch()
        if timer is not None:
            timer.append(time.perf_counter() - t0)
        done += 1
    return done


def _copy(src: Path, dst: Path) -> Path:
    for suffix in ("", "-wal", "-shm"):
        Path(f"{dst}{suffix}").unlink(missing_ok=True)
    shutil.copyfile(src, dst)
    return dst


def _timed(fn: Callable[[], object], repeat: int, warmup: int = 1) -> list[float]:
    for _ in range(warmup):
        fn()
    out = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        out.append(time.perf_counter() - t0)
    return out


def _timed_pair(
    ours: Callable[[], object], anki: Callable[[], object], repeat: int
) -> tuple[list[float], list[float]]:
    """Time two operations taking turns, so that a slow spell of a shared machine falls on
    both sides instead of on whichever happened to be running."""
    ours(), anki()
    times: tuple[list[float], list[float]] = ([], [])
    for _ in range(repeat):
        for fn, out in ((ours, times[0]), (anki, times[1])):
            t0 = time.perf_counter()
            fn()
            out.append(time.perf_counter() - t0)
    return times


def _pct(values: list[float], p: float) -> float:
    ordered = sorted(values)
    k = min(len(ordered) - 1, max(0, round(p / 100 * (len(ordered) - 1))))
    return ordered[k]


# --- the operations ---------------------------------------------------------------------------


# --only names -> the Bench method that runs the step, in the order they run
STEPS = {
    "open": "bench_open",
    "due": "bench_due_tree",
    "answers": "bench_answers",
    "search": "bench_search",
    "stats": "bench_stats",
    "import-export": "bench_import_export",
    "memory": "bench_memory",
}


class Bench:
    def __init__(
        self, workdir: Path, n_cards: int, repeat: int, log=print, only: list[str] | None = None
    ):
        self.workdir = workdir
        self.only = only
        self.n_cards = n_cards
        self.repeat = repeat
        self.log = log
        self.rows: list[tuple[str, str, list[float] | None, list[float] | None, str]] = []
        self.notes: list[str] = []
        self.scratch = Path(tempfile.mkdtemp(prefix="scratch-", dir=workdir))

    def add(self, name, unit, ours, anki, note=""):
        self.rows.append((name, unit, ours, anki, note))
        self.log(f"  {name}: ours {_fmt(ours, unit)} / Anki {_fmt(anki, unit)}")

    def run(self) -> None:
        from benchmarks import synth

        assert synth.ROOT_DECK == ROOT_DECK
        t0 = time.perf_counter()
        self.ours_path, self.anki_path = synth.collections(self.workdir, self.n_cards)
        self.log(f"collections ready in {time.perf_counter() - t0:.1f} s")
        try:
            for name, method in STEPS.items():
                if self.only is None or name in self.only:
                    getattr(self, method)()
        finally:
            shutil.rmtree(self.scratch, ignore_errors=True)

    # 1. open -------------------------------------------------------------------------------
    def bench_open(self) -> None:
        ours_open, ours_wall, anki_open, anki_wall, app_wall, app_in = [], [], [], [], [], []
        qt_env = {
            "QT_QPA_PLATFORM": "offscreen",
            "XDG_CONFIG_HOME": str(self.scratch / "config"),  # keep QSettings out of ~
        }
        our_copy = _copy(self.ours_path, self.scratch / "open-ours.sqlite")
        anki_copy = _copy(self.anki_path, self.scratch / "open-anki.anki2")
        for i in range(self.repeat + 1):  # the first round warms the OS file cache
            data, wall = _spawn("open-ours", our_copy)
            if i:
                ours_open.append(data["open"])
                ours_wall.append(wall)
            data, wall = _spawn("open-anki", anki_copy)
            if i:
                anki_open.append(data["open"])
                anki_wall.append(wall)
            data, wall = _spawn("app-ours", our_copy, qt_env)
            if i:
                app_wall.append(data["shown_at"] - data["_started"])
                app_in.append(data["in_process"])
        self.add("open collection (in child)", "ms", ours_open, anki_open)
        self.add(
            "new process: start, import, open, exit",
            "ms",
            ours_wall,
            anki_wall,
            "wall time of the whole child process",
        )
        self.add(
            "app start to main window shown",
            "ms",
            app_wall,
            None,
            "offscreen Qt; from spawning the process (in-process part: "
            f"{statistics.median(app_in) * 1000:.0f} ms); Anki's GUI (aqt) is not installed",
        )

    # 2. due counts -------------------------------------------------------------------------
    def bench_due_tree(self) -> None:
        from anki.collection import Collection as AnkiCollection

        from studyapp.core import queue
        from studyapp.core.collection import Collection

        col = Collection(self.ours_path)
        ours = _timed(lambda: queue.due_tree(col), self.repeat * 3)
        col.close()
        acol = AnkiCollection(str(self.anki_path))
        anki = _timed(lambda: acol.sched.deck_due_tree(), self.repeat * 3)
        acol.close(downgrade=False)
        self.add("due counts, all decks", "ms", ours, anki)

    # 3. answering --------------------------------------------------------------------------
    def bench_answers(self) -> None:
        from anki.collection import Collection as AnkiCollection

        from studyapp.core.collection import Collection
        from studyapp.core.review import ReviewSession

        ours_p50, ours_p99, anki_p50, anki_p99, start_ours, start_anki = [], [], [], [], [], []
        counts = set()
        for _ in range(self.repeat):
            col = Collection(_copy(self.ours_path, self.scratch / "answer.sqlite"))
            t0 = time.perf_counter()
            session = ReviewSession(col, _our_root(col))
            start_ours.append(time.perf_counter() - t0)
            times = []
            for _ in range(ANSWERS):
                if session.current is None:
                    break
                t0 = time.perf_counter()
                session.answer(GOOD)
                times.append(time.perf_counter() - t0)
            col.close()
            ours_p50.append(_pct(times, 50))
            ours_p99.append(_pct(times, 99))
            counts.add(("ours", len(times)))

            acol = AnkiCollection(str(_copy(self.anki_path, self.scratch / "answer.anki2")))
            times = []
            t0 = time.perf_counter()
            acol.decks.select(acol.decks.id(ROOT_DECK))
            acol.sched.get_queued_cards()
            start_anki.append(time.perf_counter() - t0)
            _anki_answers(acol, ANSWERS, times)
            acol.close(downgrade=False)
            anki_p50.append(_pct(times, 50))
            anki_p99.append(_pct(times, 99))
            counts.add(("anki", len(times)))
        note = ", ".join(f"{who}: {n} answers" for who, n in sorted(counts))
        self.add("start studying the root deck", "ms", start_ours, start_anki)
        self.add("answer + next card, p50", "ms", ours_p50, anki_p50, note)
        self.add("answer + next card, p99", "ms", ours_p99, anki_p99, note)

    # 4. search -----------------------------------------------------------------------------
    def bench_search(self) -> None:
        from anki.collection import Collection as AnkiCollection

        from studyapp.core.collection import Collection

        try:
            from studyapp.core.search import search_cards

            def ours_search(col, query):
                return search_cards(col, query)

            how = "studyapp.core.search.search_cards"
        except ImportError:  # before the search module existed: the SQL it would run
            how = "direct SQL (no studyapp.core.search yet)"

            def ours_search(col, query):
                if query.startswith("deck:"):
                    return [
                        r[0]
                        for r in col.conn.execute(
                            "SELECT c.id FROM cards c JOIN decks d ON d.id = c.deck_id"
                            " WHERE d.name = ? OR d.name LIKE ?",
                            ("ICD-10-CM::Chapter 01", "ICD-10-CM::Chapter 01::%"),
                        )
                    ]
                term = query.rstrip("*")
                return [
                    r[0]
                    for r in col.conn.execute(
                        "SELECT c.id FROM cards c JOIN notes n ON n.id = c.note_id"
                        " WHERE n.fields LIKE ?",
                        (f"%{term}%",),
                    )
                ]

        col = Collection(self.ours_path)
        acol = AnkiCollection(str(self.anki_path))
        for name, (ours_q, anki_q) in SEARCHES.items():
            hits = [len(ours_search(col, ours_q)), len(acol.find_cards(anki_q))]
            ours = _timed(lambda q=ours_q: ours_search(col, q), self.repeat * 3)
            anki = _timed(lambda q=anki_q: acol.find_cards(q), self.repeat * 3)
            self.add(
                name, "ms", ours, anki, f"hits: ours {hits[0]}, Anki {hits[1]}; ours via {how}"
            )
        col.close()
        acol.close(downgrade=False)

    # 5. statistics -------------------------------------------------------------------------
    def bench_stats(self) -> None:
        from anki.collection import Collection as AnkiCollection

        from studyapp.core import stats
        from studyapp.core.collection import Collection

        col = Collection(self.ours_path)

        def ours_stats():
            stats.reviews_per_day(col, days=365)
            stats.due_forecast(col, days=365)

        ours = _timed(ours_stats, self.repeat)
        col.close()
        acol = AnkiCollection(str(self.anki_path))
        anki = _timed(lambda: acol._backend.graphs(search="", days=365), self.repeat)
        acol.close(downgrade=False)
        self.add(
            "statistics, whole collection, 1 year",
            "ms",
            ours,
            anki,
            "ours: reviews_per_day(365) + due_forecast(365); Anki: all stats-screen graphs",
        )

    # 6 + 7. import and export --------------------------------------------------------------
    def bench_import_export(self) -> None:
        from anki.collection import (
            Collection as AnkiCollection,
        )
        from anki.collection import (
            ExportAnkiPackageOptions,
            ImportAnkiPackageOptions,
            ImportAnkiPackageRequest,
        )

        from studyapp.core import anki_export, deckfile, importing
        from studyapp.core.collection import Collection

        n = min(IMPORT_NOTES, self.n_cards)
        spec = _import_spec(self.ours_path, n)
        deck_file = self.scratch / "import.toml"
        deckfile.write_deck_file(spec, deck_file)
        source = Collection(self.scratch / "source.sqlite")
        importing.apply_plan(source, importing.plan_import(source, spec))
        apkg = self.scratch / "import.apkg"
        anki_export.export_apkg(source, None, apkg)

        counter = iter(range(10**6))

        def ours_import():
            col = Collection(self.scratch / f"imp-{next(counter)}.sqlite")
            importing.apply_plan(
                col, importing.plan_import(col, importing.read_deck_file(deck_file))
            )
            col.close()

        def anki_import():
            acol = AnkiCollection(str(self.scratch / f"imp-{next(counter)}.anki2"))
            acol.import_anki_package(
                ImportAnkiPackageRequest(
                    package_path=str(apkg),
                    options=ImportAnkiPackageOptions(with_scheduling=False),
                )
            )
            acol.close(downgrade=False)

        ours, anki = _timed_pair(ours_import, anki_import, self.repeat)
        self.add(
            f"import {n:,} notes into an empty collection",
            "ms",
            ours,
            anki,
            "ours: deck file read+plan+apply; Anki: the same notes as .apkg",
        )

        acol = AnkiCollection(str(self.scratch / "export-source.anki2"))
        acol.import_anki_package(
            ImportAnkiPackageRequest(package_path=str(apkg), options=ImportAnkiPackageOptions())
        )
        ours, anki = _timed_pair(
            lambda: anki_export.export_apkg(source, None, self.scratch / "o.apkg"),
            lambda: acol.export_anki_package(
                out_path=str(self.scratch / "a.apkg"),
                options=ExportAnkiPackageOptions(
                    with_scheduling=False, with_deck_configs=False, with_media=False, legacy=False
                ),
                limit=None,
            ),
            self.repeat,
        )
        acol.close(downgrade=False)
        source.close()
        self.add(f"export {n:,} notes to .apkg", "ms", ours, anki)

    # 8. memory -----------------------------------------------------------------------------
    def bench_memory(self) -> None:
        ours, anki = [], []
        for _ in range(max(1, min(self.repeat, 3))):
            ours.append(
                _spawn("mem-ours", _copy(self.ours_path, self.scratch / "m.sqlite"))[0]["maxrss_mb"]
            )
            anki.append(
                _spawn("mem-anki", _copy(self.anki_path, self.scratch / "m.anki2"))[0]["maxrss_mb"]
            )
        self.add(
            "peak memory: open + due tree + 200 answers",
            "MB",
            ours,
            anki,
            "peak RSS of a fresh child process (VmHWM; ru_maxrss where /proc is missing)",
        )


def _import_spec(ours_path: Path, n: int):
    """A deck file with the first `n` notes of the synthetic collection (new ids, own deck)."""
    import sqlite3

    from studyapp.core.model import DeckSpec, NoteSpec

    conn = sqlite3.connect(ours_path)
    rows = conn.execute(
        "SELECT n.id, n.fields, d.name FROM notes n JOIN cards c ON c.note_id = n.id"
        " JOIN decks d ON d.id = c.deck_id ORDER BY n.id LIMIT ?",
        (n,),
    ).fetchall()
    conn.close()
    notes = [
        NoteSpec(
            id=f"n{note_id}",
            kind="basic",
            fields=json.loads(fields),
            tags=["icd10cm"],
            deck=deck.split("::", 1)[1] if "::" in deck else "",
        )
        for note_id, fields, deck in rows
    ]
    return DeckSpec(
        id="6f1c2a4e-0000-4000-8000-0000000be4c7",
        name="Benchmark Import",
        version="1.0.0",
        title="Benchmark import deck",
        notes=notes,
    )


# --- the table --------------------------------------------------------------------------------


def _scale(unit: str) -> float:
    return 1000.0 if unit == "ms" else 1.0


def _number(value: float) -> str:
    """One decimal, two below 10 (sub-millisecond figures would otherwise all read 0.5)."""
    return f"{value:.2f}" if value < 10 else f"{value:.1f}"


def _fmt(values: list[float] | None, unit: str) -> str:
    if not values:
        return "n/a"
    return f"{_number(statistics.median(values) * _scale(unit))} {unit}"


def table(rows, header: str) -> str:
    lines = [header, ""]
    head = (
        f"| {'operation':<50} | {'ours median':>11} | {'ours min':>9} | {'ours max':>9} |"
        f" {'Anki median':>11} | {'Anki min':>9} | {'Anki max':>9} | {'ratio':>6} |"
    )
    lines += [head, "|" + "|".join("-" * (len(c)) for c in head.split("|")[1:-1]) + "|"]
    notes = []
    for i, (name, unit, ours, anki, note) in enumerate(rows, 1):
        s = _scale(unit)

        def cells(values, s=s, unit=unit):
            if not values:
                return [f"{'n/a':>11}", f"{'n/a':>9}", f"{'n/a':>9}"]
            return [
                f"{_number(statistics.median(values) * s):>8} {unit:<2}",
                f"{_number(min(values) * s):>9}",
                f"{_number(max(values) * s):>9}",
            ]

        ratio = (
            f"{statistics.median(ours) / statistics.median(anki):>6.2f}"
            if ours and anki and statistics.median(anki) > 0
            else f"{'n/a':>6}"
        )
        label = f"{name} [{i}]" if note else name
        lines.append(f"| {label:<50} | " + " | ".join([*cells(ours), *cells(anki), ratio]) + " |")
        if note:
            notes.append(f"[{i}] {note}")
    return "\n".join(lines + [""] + notes)


def main(argv: list[str] | None = None) -> None:
    argv = sys.argv[1:] if argv is None else argv
    if argv and argv[0] == "--child":
        _child(argv[1:])
        return
    from benchmarks import synth

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="a 10,000-card collection")
    parser.add_argument("--cards", type=int, help="collection size (default 100,000)")
    parser.add_argument("--repeat", type=int, default=5, help="runs per operation")
    parser.add_argument("--workdir", type=Path, default=synth.default_workdir())
    parser.add_argument(
        "--only",
        type=lambda text: text.split(","),
        metavar="STEP[,STEP...]",
        help="run only these steps: " + ", ".join(STEPS),
    )
    args = parser.parse_args(argv)
    if args.only and set(args.only) - set(STEPS):
        parser.error(f"unknown step in --only; the steps are: {', '.join(STEPS)}")
    n_cards = args.cards or (10_000 if args.quick else 100_000)
    repeat = max(1, args.repeat)

    from anki.buildinfo import version as anki_version

    bench = Bench(
        args.workdir, n_cards, repeat, log=lambda m: print(m, file=sys.stderr), only=args.only
    )
    bench.run()
    header = (
        f"studyapp vs anki {anki_version} — {n_cards:,} cards,"
        f" ~{n_cards * synth.REVLOG_PER_CARD:,} review-log rows, repeat {repeat};"
        f" {platform.python_implementation()} {platform.python_version()},"
        f" {os.cpu_count()} cores, {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}."
        " ratio = ours median / Anki median (below 1: we are faster)."
    )
    print(table(bench.rows, header))


if __name__ == "__main__":
    main()
