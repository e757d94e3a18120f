"""check_database: known kinds of damage are found, repaired after a backup, and reported."""

from __future__ import annotations

import json

from studyapp.core import scheduling
from studyapp.core.backup import backup_folder, list_backups
from studyapp.core.check import RECOVERED_DECK, check_database
from studyapp.core.options import DeckOptions
from tests.helpers import add_basic


def raw(col, *statements):
    """Damage the collection behind the app's back (foreign keys off, as a bad tool would)."""
    col.conn.execute("PRAGMA foreign_keys = OFF")
    for sql in statements:
        col.conn.execute(sql)
    col.conn.execute("PRAGMA foreign_keys = ON")


def one(col, sql, *params):
    return col.conn.execute(sql, params).fetchone()[0]


def test_clean_collection_reports_nothing_and_makes_no_backup(col):
    add_basic(col, "D", 3)
    report = check_database(col)
    assert report.clean and report.ok
    assert "No problems" in report.text()
    assert list_backups(backup_folder(col.path)) == []


def test_cards_and_reviews_without_owner_are_removed(col):
    add_basic(col, "D", 3)
    card = one(col, "SELECT min(id) FROM cards")
    scheduling.answer_card(col, card, 3, DeckOptions())
    raw(
        col,
        "INSERT INTO revlog(card_id, time, rating, duration_ms, state_before, state_after,"
        " due_after, card_before) VALUES (9999, 1, 3, 0, 0, 2, 0, '{}')",
        "INSERT INTO cards(id, note_id, deck_id, ord) VALUES (5000, 777, 1, 0)",
    )
    report = check_database(col)
    text = report.text()
    assert "1 card belongs to no note" in text
    assert "review-log entry points to cards that are gone" in text
    assert report.ok and report.backup is not None
    assert one(col, "SELECT count(*) FROM cards WHERE id = 5000") == 0
    assert one(col, "SELECT count(*) FROM revlog") == 1  # the real answer is kept
    assert col.conn.execute("PRAGMA foreign_key_check").fetchall() == []
    # the backup holds the damaged state, for the record
    [info] = list_backups(backup_folder(col.path))
    assert info.reason == "before-check" and info.cards == 4


def test_notes_without_cards_get_cards_again(col):
    [a, b] = add_basic(col, "D", 2)
    raw(col, f"DELETE FROM cards WHERE note_id = {a}")
    raw(
        col,
        "INSERT INTO notes(guid, kind, fields, created, modified)"
        f" VALUES ('x1', 'reversible', '{json.dumps({'front': 'F', 'back': 'B'})}', 0, 0)",
        "INSERT INTO notes(guid, kind, fields, created, modified)"
        " VALUES ('x2', 'cloze', '{\"text\": \"no deletions\"}', 0, 0)",
    )
    report = check_database(col)
    assert "3 notes have no cards." in report.found
    assert any("Made 3 new cards for 2 notes" in r for r in report.repaired)
    assert not report.ok
    assert "1 note still has no cards" in report.remaining[0]
    assert one(col, "SELECT count(*) FROM cards WHERE note_id = ?", a) == 1
    reversible = one(col, "SELECT id FROM notes WHERE guid = 'x1'")
    assert one(col, "SELECT count(*) FROM cards WHERE note_id = ?", reversible) == 2
    deck = one(col, "SELECT deck_id FROM cards WHERE note_id = ?", reversible)
    assert one(col, "SELECT name FROM decks WHERE id = ?", deck) == RECOVERED_DECK


def test_impossible_scheduling_is_reset_to_new(col):
    add_basic(col, "D", 6)
    ids = [r[0] for r in col.conn.execute("SELECT id FROM cards ORDER BY id")]
    for card in ids:
        scheduling.answer_card(col, card, 3, DeckOptions())
    raw(
        col,
        f"UPDATE cards SET state = 7 WHERE id = {ids[0]}",
        f"UPDATE cards SET state = 2, stability = NULL WHERE id = {ids[1]}",
        f"UPDATE cards SET state = 2, stability = -1 WHERE id = {ids[2]}",
        f"UPDATE cards SET difficulty = 11 WHERE id = {ids[3]}",
        f"UPDATE cards SET reps = -2, lapses = -1 WHERE id = {ids[4]}",
    )
    good_before = col.conn.execute("SELECT * FROM cards WHERE id = ?", (ids[5],)).fetchone()
    report = check_database(col)
    assert any("5 cards have impossible scheduling" in f for f in report.found)
    assert any("Reset 5 cards" in r and "to new" in r for r in report.repaired)
    assert report.ok
    rows = col.conn.execute(
        f"SELECT state, stability, difficulty, reps >= 0, lapses >= 0 FROM cards"
        f" WHERE id IN ({','.join(map(str, ids[:5]))})"
    ).fetchall()
    assert rows == [(0, None, None, 1, 1)] * 5
    assert col.conn.execute("SELECT * FROM cards WHERE id = ?", (ids[5],)).fetchone() == good_before
    assert one(col, "SELECT count(*) FROM revlog") == 6  # history kept
    assert check_database(col).clean


def test_cards_in_a_missing_deck_move_to_recovered(col):
    add_basic(col, "Gone", 2)
    raw(col, "DELETE FROM decks WHERE name = 'Gone'")
    report = check_database(col)
    assert "2 cards are in a deck that is gone." in report.found
    assert report.ok
    assert col.conn.execute("PRAGMA foreign_key_check").fetchall() == []


def test_no_repair_only_reports(col):
    add_basic(col, "D", 2)
    raw(col, "UPDATE cards SET state = 9")
    report = check_database(col, repair=False)
    assert not report.ok and report.remaining == report.found
    assert one(col, "SELECT count(*) FROM cards WHERE state = 9") == 2
    assert list_backups(backup_folder(col.path)) == []


def test_repairs_are_one_transaction(col, monkeypatch):
    """A failure halfway leaves the collection exactly as it was."""
    import pytest

    from studyapp.core import check

    add_basic(col, "D", 2)
    raw(
        col,
        "UPDATE cards SET state = 9",
        "INSERT INTO notes(guid, kind, fields, created,"
        ' modified) VALUES (\'x\', \'basic\', \'{"front": "a", "back": "b"}\', 0, 0)',
    )
    before = col.conn.execute("SELECT * FROM cards ORDER BY id").fetchall()

    def boom(*a, **k):
        raise RuntimeError("power cut")

    monkeypatch.setattr(check, "_regenerate_cards", boom)
    with pytest.raises(RuntimeError):
        check_database(col)
    assert col.conn.execute("SELECT * FROM cards ORDER BY id").fetchall() == before


def test_file_damage_is_reported_as_not_repairable(tmp_path, clock):
    """Overwrite index pages so integrity_check complains; check says restore a backup."""
    from studyapp.core.collection import Collection

    path = tmp_path / "c.sqlite"
    with Collection(path, clock=clock) as col:
        add_basic(col, "D", 200)
        col.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        root = one(col, "SELECT rootpage FROM sqlite_master WHERE name = 'notes_source'")
        page = col.conn.execute("PRAGMA page_size").fetchone()[0]
    with open(path, "r+b") as fh:
        fh.seek((root - 1) * page + 8)
        fh.write(b"\x00\xff" * 200)
    with Collection(path, clock=clock) as col:
        report = check_database(col, repair=False)
    assert not report.ok
    assert "damaged" in report.found[0]
    assert "restore a backup" in report.text()
