"""Check the collection for damage and inconsistencies, and repair what can be repaired.

Checks: SQLite's integrity_check and foreign_key_check, cards without notes or with a missing
deck, notes without cards, review-log rows for missing cards, and scheduling values that
cannot happen (unknown state, a review card without stability, difficulty outside 1-10,
negative counters, no due date), and search-index rows that are missing, out of date or
left over. Repairs run in one transaction after a backup; cards with
impossible scheduling are reset to new. Every finding and repair is reported in plain words.
"""

from __future__ import annotations

import json
import sqlite3
from dataclasses import dataclass, field
from pathlib import Path

from studyapp.core import search_index
from studyapp.core.collection import Collection
from studyapp.core.model import KIND_FIELDS, card_ords

RECOVERED_DECK = "Recovered"

BAD_SCHEDULING = """
    state NOT IN (0, 1, 2, 3)
    OR (state = 2 AND (stability IS NULL OR stability <= 0))
    OR (difficulty IS NOT NULL AND (difficulty < 1 OR difficulty > 10))
    OR reps < 0 OR lapses < 0 OR due IS NULL
"""


@dataclass
class CheckReport:
    found: list[str] = field(default_factory=list)  # problems seen
    repaired: list[str] = field(default_factory=list)  # what was done about them
    remaining: list[str] = field(default_factory=list)  # problems left as they are
    backup: Path | None = None  # the backup made before repairing

    @property
    def ok(self) -> bool:
        """True when nothing is left to fix."""
        return not self.remaining

    @property
    def clean(self) -> bool:
        """True when nothing was wrong at all."""
        return not self.found

    def text(self) -> str:
        if self.clean:
            return "No problems found. Your collection is in good shape."
        lines = ["Found:", *(f"  - {f}" for f in self.found)]
        if self.repaired:
            lines += ["Repaired:", *(f"  - {r}" for r in self.repaired)]
        if self.backup is not None:
            lines.append(f"A backup was made first: {self.backup}")
        if self.remaining:
            lines += ["Not repaired:", *(f"  - {r}" for r in self.remaining)]
        else:
            lines.append("Everything found was repaired.")
        return "\n".join(lines)


def _plural(n: int, word: str) -> str:
    return f"{n} {word}{'' if n == 1 else 's'}"


def _subject(n: int, word: str, verb_one: str, verb_many: str) -> str:
    return f"{_plural(n, word)} {verb_one if n == 1 else verb_many}"


def _ids(conn: sqlite3.Connection, sql: str) -> list[int]:
    return [r[0] for r in conn.execute(sql)]


def check_database(col: Collection, repair: bool = True) -> CheckReport:
    report = CheckReport()
    conn = col.conn
    integrity = [r[0] for r in conn.execute("PRAGMA integrity_check")]
    if integrity != ["ok"]:
        report.found.append(
            "The database file is damaged (SQLite integrity check: "
            + "; ".join(integrity[:5])
            + ("; ..." if len(integrity) > 5 else "")
            + ")."
        )
        report.remaining.append(
            "File damage cannot be repaired here: restore a backup (File → Restore backup…, "
            "or `studyapp restore`)."
        )

    orphan_cards = _ids(conn, "SELECT id FROM cards WHERE note_id NOT IN (SELECT id FROM notes)")
    lost_deck_cards = _ids(
        conn,
        "SELECT id FROM cards WHERE deck_id NOT IN (SELECT id FROM decks)"
        " AND note_id IN (SELECT id FROM notes)",
    )
    orphan_reviews = _ids(conn, "SELECT id FROM revlog WHERE card_id NOT IN (SELECT id FROM cards)")
    cardless = conn.execute(
        "SELECT n.id, n.kind, n.fields, s.root_deck_id FROM notes n"
        " LEFT JOIN sources s ON s.uuid = n.source_uuid"
        " WHERE NOT EXISTS (SELECT 1 FROM cards c WHERE c.note_id = n.id)"
    ).fetchall()
    bad_sched = _ids(conn, f"SELECT id FROM cards WHERE {BAD_SCHEDULING}")
    bad_sched = [c for c in bad_sched if c not in set(orphan_cards)]
    fk_rows = conn.execute("PRAGMA foreign_key_check").fetchall()
    unindexed = search_index.stale_note_ids(conn)
    index_orphans = search_index.orphan_rows(conn)
    handled_tables = {"cards", "revlog", "note_search"}
    other_fk = [r for r in fk_rows if r[0] not in handled_tables]

    if orphan_cards:
        report.found.append(
            f"{_subject(len(orphan_cards), 'card', 'belongs', 'belong')} to no note (the note is gone)."
        )
    if lost_deck_cards:
        report.found.append(
            f"{_subject(len(lost_deck_cards), 'card', 'is', 'are')} in a deck that is gone."
        )
    if orphan_reviews:
        n = len(orphan_reviews)
        report.found.append(
            f"{n} review-log {'entry points' if n == 1 else 'entries point'} to cards that "
            "are gone."
        )
    if cardless:
        report.found.append(f"{_subject(len(cardless), 'note', 'has', 'have')} no cards.")
    if unindexed or index_orphans:
        report.found.append(
            f"The search index is out of date for {_plural(len(unindexed) + len(index_orphans), 'note')} "
            "(searches could miss or wrongly find them)."
        )
    if bad_sched:
        report.found.append(
            f"{_subject(len(bad_sched), 'card', 'has', 'have')} impossible scheduling values "
            "(unknown state, missing stability, difficulty outside 1-10, negative counts "
            "or no due date)."
        )
    if other_fk:
        tables = sorted({r[0] for r in other_fk})
        report.found.append(
            f"{_subject(len(other_fk), 'row', 'refers', 'refer')} to missing rows ({', '.join(tables)})."
        )

    fixable = (
        orphan_cards
        or lost_deck_cards
        or orphan_reviews
        or cardless
        or bad_sched
        or unindexed
        or index_orphans
    )
    if not fixable and not other_fk:
        return report
    if not repair:
        report.remaining.extend(f for f in report.found if f not in report.remaining)
        return report

    from studyapp.core.backup import make_backup

    report.backup = make_backup(col, "before-check")
    with col.transaction():
        if orphan_cards:
            conn.executemany("DELETE FROM cards WHERE id = ?", [(c,) for c in orphan_cards])
            report.repaired.append(
                f"Deleted {_plural(len(orphan_cards), 'card')} without a note "
                "(with their review history)."
            )
        if lost_deck_cards:
            deck_id = _recovered_deck(col)
            conn.executemany(
                "UPDATE cards SET deck_id = ? WHERE id = ?", [(deck_id, c) for c in lost_deck_cards]
            )
            report.repaired.append(
                f"Moved {_plural(len(lost_deck_cards), 'card')} to the deck “{RECOVERED_DECK}”."
            )
        orphan_reviews = _ids(
            conn, "SELECT id FROM revlog WHERE card_id NOT IN (SELECT id FROM cards)"
        )
        if orphan_reviews:
            conn.executemany("DELETE FROM revlog WHERE id = ?", [(r,) for r in orphan_reviews])
            report.repaired.append(
                f"Deleted {len(orphan_reviews)} review-log "
                f"{'entry' if len(orphan_reviews) == 1 else 'entries'} for missing cards."
            )
        if cardless:
            made, unfixable = _regenerate_cards(col, cardless)
            if made:
                report.repaired.append(
                    f"Made {_plural(made, 'new card')} for "
                    f"{_plural(len(cardless) - len(unfixable), 'note')} that had none."
                )
            if unfixable:
                report.remaining.append(
                    f"{_subject(len(unfixable), 'note', 'still has', 'still have')} no cards (the content "
                    f"gives none; note ids {', '.join(map(str, unfixable[:10]))})."
                )
        if bad_sched:
            conn.execute(
                "UPDATE cards SET state = 0, step = NULL, stability = NULL, difficulty = NULL,"
                " due = 0, last_review = NULL, reps = max(coalesce(reps, 0), 0),"
                " lapses = max(coalesce(lapses, 0), 0)"
                f" WHERE id IN ({','.join('?' * len(bad_sched))})",
                bad_sched,
            )
            report.repaired.append(
                f"Reset {_plural(len(bad_sched), 'card')} with impossible scheduling to new; "
                "they will be studied again from the start (their review history is kept)."
            )
        if unindexed or index_orphans:
            conn.executemany(
                "DELETE FROM note_search WHERE note_id = ?", [(n,) for n in index_orphans]
            )
            search_index.reindex(conn, unindexed)
            report.repaired.append(
                f"Rebuilt the search index for {_plural(len(unindexed) + len(index_orphans), 'note')}."
            )
        if other_fk:
            report.remaining.append(
                f"{_plural(len(other_fk), 'row')} with broken references were left as they are."
            )
    return report


def _recovered_deck(col: Collection) -> int:
    from studyapp.core import decks

    return decks.get_or_create(col, RECOVERED_DECK)


def _regenerate_cards(
    col: Collection, cardless: list[tuple[int, str, str, int | None]]
) -> tuple[int, list[int]]:
    made = 0
    unfixable = []
    position = int(col.config_get("next_position", 1))
    deck_exists = {r[0] for r in col.conn.execute("SELECT id FROM decks")}
    for note_id, kind, fields_json, root_deck in cardless:
        try:
            fields = json.loads(fields_json)
        except (TypeError, ValueError):
            fields = None
        ords = card_ords(kind, fields) if kind in KIND_FIELDS and isinstance(fields, dict) else []
        if not ords:
            unfixable.append(note_id)
            continue
        deck_id = root_deck if root_deck in deck_exists else _recovered_deck(col)
        col.conn.executemany(
            "INSERT INTO cards(note_id, deck_id, ord, position) VALUES (?,?,?,?)",
            [(note_id, deck_id, o, position) for o in ords],
        )
        made += len(ords)
        position += 1
    col.config_set("next_position", position)
    return made, unfixable
