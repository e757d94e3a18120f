"""Synthetic collections for the performance benchmark: ours and the same one for Anki.

Both collections hold the same notes (one basic card each, ICD-10-CM-like codes in the
fields so that a `J45*` search finds some), in the same ~20 hierarchical decks
("ICD-10-CM::Chapter NN"), with the same card states, due dates and a review log of
about ten rows per card spread over two years. Rows are written directly with
executemany in one transaction (ours through our own schema; Anki's through its tables
after the `anki` library created the collection), which is much faster than adding notes
one by one.

Built collections are cached under the work folder, keyed by size; a rerun reuses them.

    python -m benchmarks.synth --cards 100000 --workdir /tmp/bench
"""

from __future__ import annotations

import argparse
import hashlib
import json
import random
import sqlite3
import tempfile
import time
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

ROOT_DECK = "ICD-10-CM"
CHAPTERS = 20
REVLOG_PER_CARD = 10  # 100,000 cards -> about 1,000,000 review-log rows
HISTORY_DAYS = 730
SEED = 20260901

# Code stems per chapter (the first is the chapter's usual letter); J45 is asthma.
_STEMS = "ABCDEFGHIJKLMNOPQRST"
_WORDS = [
    "acute",
    "chronic",
    "unspecified",
    "bilateral",
    "left",
    "right",
    "recurrent",
    "initial",
    "subsequent",
    "sequela",
    "encounter",
    "with",
    "without",
    "complication",
    "mild",
    "moderate",
    "severe",
    "persistent",
    "intermittent",
    "infection",
    "disorder",
    "syndrome",
    "fracture",
    "injury",
    "neoplasm",
    "malignant",
    "benign",
    "asthma",
    "diabetes",
    "hypertension",
    "pneumonia",
    "bronchitis",
    "anemia",
]


@dataclass(frozen=True)
class SynthCard:
    """One note with one card; times are epoch seconds."""

    index: int
    chapter: int  # 1..CHAPTERS
    code: str
    description: str
    state: int  # 0 new, 1 learning, 2 review
    due: int  # epoch seconds (new cards: 0)
    last_review: int | None
    stability: float | None
    difficulty: float | None
    reps: int
    lapses: int


def _code(rng: random.Random, chapter: int, index: int) -> str:
    if index % 97 == 0:  # about 1 % asthma codes
        return f"J45.{rng.randint(20, 998)}"
    letter = _STEMS[chapter - 1]
    return f"{letter}{rng.randint(0, 99):02d}.{rng.randint(0, 9999)}"


def plan_cards(n_cards: int, now: float, day_start: float) -> list[SynthCard]:
    """The same deterministic cards for both apps.

    About 35 % new, 0.1 % learning, the rest review cards; review due dates spread from two
    weeks ago to a year ahead, shaped so that a few thousand (per 100,000) are due today.
    """
    rng = random.Random(SEED + n_cards)
    cards = []
    day_end = day_start + 86400
    for i in range(n_cards):
        chapter = i % CHAPTERS + 1
        code = _code(rng, chapter, i)
        words = " ".join(rng.choice(_WORDS) for _ in range(rng.randint(4, 9)))
        roll = rng.random()
        if roll < 0.35:
            cards.append(SynthCard(i, chapter, code, words, 0, 0, None, None, None, 0, 0))
            continue
        if roll < 0.351:  # in learning since yesterday, due again now
            last = int(day_start - rng.randint(60, 7200))
            due = last + 600
            cards.append(SynthCard(i, chapter, code, words, 1, due, last, 1.0, 6.0, 1, 0))
            continue
        stability = round(rng.lognormvariate(2.5, 1.2), 3)
        difficulty = round(rng.uniform(2.0, 9.0), 3)
        if rng.random() < 0.045:  # due today or overdue (~3,000 of 100,000)
            due = int(day_start - rng.randint(0, 14) * 86400 + rng.randint(0, 86399))
            due = min(due, int(day_end) - 1)
        else:
            due = int(day_end + rng.randint(0, 365) * 86400 + rng.randint(0, 86399))
        ivl_days = max(1, int(stability))
        last = max(int(now - HISTORY_DAYS * 86400), due - ivl_days * 86400)
        last = min(last, int(day_start) - 60)  # nothing studied yet today
        reps = rng.randint(2, 2 * REVLOG_PER_CARD)
        lapses = rng.randint(0, 3)
        cards.append(
            SynthCard(i, chapter, code, words, 2, due, last, stability, difficulty, reps, lapses)
        )
    return cards


def plan_revlog(cards: list[SynthCard], now: float, n_rows: int):
    """(card index, time ms, rating, duration ms, state before, state after) rows in time
    order, about n_rows in all, spread over the two years before today (none today, so
    today's limits are untouched)."""
    rng = random.Random(SEED + 7)
    studied = [c for c in cards if c.state != 0]
    if not studied:
        return []
    per_card = max(1, round(n_rows / len(studied)))
    start = now - HISTORY_DAYS * 86400
    rows = []
    for c in studied:
        end = c.last_review or int(now) - 86400
        times = sorted(rng.uniform(start, end) for _ in range(per_card))
        for k, t in enumerate(times):
            before = 0 if k == 0 else (1 if k == 1 else 2)
            rating = 1 if rng.random() < 0.1 else (3 if rng.random() < 0.8 else rng.choice((2, 4)))
            after = 1 if before == 0 else (3 if before == 2 and rating == 1 else 2)
            rows.append((c.index, int(t * 1000), rating, rng.randint(2000, 30000), before, after))
    # a real log grows one answer at a time, so its rows sit on disk in time order
    rows.sort(key=lambda r: r[1])
    return rows


def _clock_bounds() -> tuple[float, float]:
    """now and the start of today's study day (rollover at 4 am local), both epoch seconds."""
    from studyapp.core.clock import day_start

    moment = datetime.now().astimezone()
    return moment.timestamp(), day_start(moment, 4).timestamp()


def _deck_names() -> list[str]:
    return [ROOT_DECK] + [f"{ROOT_DECK}::Chapter {n:02d}" for n in range(1, CHAPTERS + 1)]


def _front(c: SynthCard) -> str:
    return f"What is the ICD-10-CM code for <b>{c.description}</b>?"


def _back(c: SynthCard) -> str:
    return f"{c.code} — {c.description}"


# --- ours -------------------------------------------------------------------------------------


def build_ours(path: Path, n_cards: int, n_revlog: int | None = None) -> Path:
    """Write our synthetic collection to `path` (replacing it)."""
    from studyapp.core import search_index
    from studyapp.core.collection import Collection

    n_revlog = n_cards * REVLOG_PER_CARD if n_revlog is None else n_revlog
    for suffix in ("", "-wal", "-shm"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)
    now, today = _clock_bounds()
    cards = plan_cards(n_cards, now, today)
    col = Collection(path)
    conn = col.conn
    created = int(now) - HISTORY_DAYS * 86400
    conn.execute("PRAGMA synchronous = OFF")
    with col.transaction():
        deck_ids: dict[str, int] = {}
        for name in _deck_names():
            parent = deck_ids.get(name.rsplit("::", 1)[0]) if "::" in name else None
            deck_ids[name] = conn.execute(
                "INSERT INTO decks(name, parent_id, created) VALUES (?,?,?)",
                (name, parent, created),
            ).lastrowid
        chapter_deck = [0] + [deck_ids[n] for n in _deck_names()[1:]]
        conn.executemany(
            "INSERT INTO notes(id, guid, kind, fields, tags, sort_field, created, modified)"
            " VALUES (?,?,?,?,?,?,?,?)",
            (
                (
                    c.index + 1,
                    f"synth-{c.index}",
                    "basic",
                    json.dumps(
                        {"front": _front(c), "back": _back(c)}, ensure_ascii=False, sort_keys=True
                    ),
                    f" chapter{c.chapter:02d} icd10cm ",
                    f"What is the ICD-10-CM code for {c.description}?",
                    created,
                    created,
                )
                for c in cards
            ),
        )
        search_index.reindex(conn)  # as notes.add_notes would have done
        conn.executemany(
            "INSERT INTO cards(id, note_id, deck_id, ord, state, step, stability, difficulty,"
            " due, last_review, reps, lapses, position) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?)",
            (
                (
                    c.index + 1,
                    c.index + 1,
                    chapter_deck[c.chapter],
                    0,
                    c.state,
                    0 if c.state == 1 else None,
                    c.stability,
                    c.difficulty,
                    c.due,
                    c.last_review,
                    c.reps,
                    c.lapses,
                    c.index + 1,
                )
                for c in cards
            ),
        )
        by_index = {c.index: c for c in cards}

        def revlog_rows():
            for idx, t_ms, rating, dur, before, after in plan_revlog(cards, now, n_revlog):
                c = by_index[idx]
                snapshot = {
                    "id": idx + 1, "note_id": idx + 1, "deck_id": chapter_deck[c.chapter],
                    "ord": 0, "state": before, "step": None if before == 2 else 0,
                    "stability": c.stability, "difficulty": c.difficulty,
                    "due": t_ms // 1000, "last_review": (t_ms // 1000 - 86400) if before else None,
                    "reps": 0, "lapses": 0, "position": idx + 1, "suspended": 0,
                    "buried_until": 0,
                }  # fmt: skip
                yield (
                    idx + 1, t_ms, rating, dur, before, after, c.stability, c.difficulty,
                    t_ms // 1000 + 86400, json.dumps(snapshot),
                )  # fmt: skip

        conn.executemany(
            "INSERT INTO revlog(card_id, time, rating, duration_ms, state_before, state_after,"
            " stability, difficulty, due_after, card_before) VALUES (?,?,?,?,?,?,?,?,?,?)",
            revlog_rows(),
        )
        col.config_set("next_position", n_cards + 1)
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    col.close()  # no ANALYZE: the app never runs it, so real collections have no statistics
    return path


# --- Anki -------------------------------------------------------------------------------------


def build_anki(path: Path, n_cards: int, n_revlog: int | None = None) -> Path:
    """Write the same collection for Anki: created by the library, filled by direct SQL.

    Anki's only bulk path for notes through its API is col.add_notes, which renders every
    card and is far slower than the 100k-row executemany used for our side; review-log rows
    have no API at all. So the library creates the collection, decks and FSRS setting, and
    the notes, cards and revlog rows go straight into its tables.
    """
    from anki.collection import Collection as AnkiCollection

    n_revlog = n_cards * REVLOG_PER_CARD if n_revlog is None else n_revlog
    for suffix in ("", "-wal", "-shm"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)
    now, today_start = _clock_bounds()
    cards = plan_cards(n_cards, now, today_start)
    col = AnkiCollection(str(path))
    try:
        col.set_config("fsrs", True)
        chapter_deck = [0]
        col.decks.id(ROOT_DECK)
        for name in _deck_names()[1:]:
            chapter_deck.append(int(col.decks.id(name)))
        model_id = int(col.models.by_name("Basic")["id"])
        today = col.sched.today
    finally:
        col.close()

    def day_number(epoch: int) -> int:  # Anki review due: days relative to today
        return today + int((epoch - today_start) // 86400)

    base_id = int(now * 1000) - HISTORY_DAYS * 86_400_000 - 10 * n_cards
    mod = int(now) - HISTORY_DAYS * 86400
    conn = sqlite3.connect(path)
    conn.execute("PRAGMA synchronous = OFF")
    with conn:
        note_rows = []
        card_rows = []
        for c in cards:
            nid = base_id + c.index
            sfld = f"What is the ICD-10-CM code for {c.description}?"
            csum = int(hashlib.sha1(sfld.encode()).hexdigest()[:8], 16)
            note_rows.append(
                (
                    nid, f"s{c.index:09d}", model_id, mod, -1,
                    f" chapter{c.chapter:02d} icd10cm ", f"{_front(c)}\x1f{_back(c)}",
                    sfld, csum, 0, "",
                )
            )  # fmt: skip
            if c.state == 0:
                ctype, queue, due, ivl, data = 0, 0, c.index + 1, 0, ""
            elif c.state == 1:
                ctype, queue, due, ivl = 1, 1, c.due, 0
                data = json.dumps({"s": c.stability, "d": c.difficulty, "dr": 0.9})
            else:
                ivl = max(1, int(c.stability or 1))
                ctype, queue, due = 2, 2, day_number(c.due)
                data = json.dumps(
                    {"s": c.stability, "d": c.difficulty, "dr": 0.9, "lrt": c.last_review}
                )
            card_rows.append(
                (
                    nid, nid, chapter_deck[c.chapter], 0, mod, -1, ctype, queue, due, ivl,
                    2500 if ctype == 2 else 0, c.reps, c.lapses, 1 if ctype == 1 else 0,
                    0, 0, 0, data,
                )
            )  # fmt: skip
        conn.executemany("INSERT INTO notes VALUES (?,?,?,?,?,?,?,?,?,?,?)", note_rows)
        conn.executemany(
            "INSERT INTO cards VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)", card_rows
        )
        used: set[int] = set()

        def revlog_rows():
            for idx, t_ms, rating, dur, before, _after in plan_revlog(cards, now, n_revlog):
                rid = t_ms
                while rid in used:
                    rid += 1
                used.add(rid)
                rtype = {0: 0, 1: 0, 2: 1, 3: 2}[before]
                yield (rid, base_id + idx, -1, rating, 1, 1, 2500, dur, rtype)

        conn.executemany("INSERT INTO revlog VALUES (?,?,?,?,?,?,?,?,?)", revlog_rows())
    conn.close()
    return path


# --- the cache --------------------------------------------------------------------------------


def default_workdir() -> Path:
    return Path(tempfile.gettempdir()) / "studyapp-bench"


def collections(workdir: Path, n_cards: int, rebuild: bool = False) -> tuple[Path, Path]:
    """(ours, Anki) collection paths for `n_cards`, built unless cached today.

    Due dates are relative to the day they were built, so a cache from another day is rebuilt;
    so is ours after a schema change.
    """
    from studyapp.core.storage import SCHEMA_VERSION

    workdir.mkdir(parents=True, exist_ok=True)
    stamp = time.strftime("%Y%m%d")
    ours = workdir / f"ours-{n_cards}-v{SCHEMA_VERSION}-{stamp}.sqlite"
    anki = workdir / f"anki-{n_cards}-{stamp}.anki2"
    if rebuild or not ours.exists():
        tmp = ours.with_suffix(".building")
        build_ours(tmp, n_cards)
        tmp.replace(ours)
    if rebuild or not anki.exists():
        tmp = anki.with_suffix(".building")
        build_anki(tmp, n_cards)
        tmp.replace(anki)
    return ours, anki


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cards", type=int, default=100_000)
    parser.add_argument("--workdir", type=Path, default=default_workdir())
    parser.add_argument("--rebuild", action="store_true")
    args = parser.parse_args(argv)
    t0 = time.perf_counter()
    ours, anki = collections(args.workdir, args.cards, args.rebuild)
    print(f"{ours}\n{anki}\nready in {time.perf_counter() - t0:.1f} s")


if __name__ == "__main__":
    main()
