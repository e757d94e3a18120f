"""The collection file: WAL and foreign keys, schema version, refusing files that are not
ours or too new (without changing a byte), migrations, and the Collection façade."""

from __future__ import annotations

import json
import os
import shutil
import sqlite3
from collections.abc import Callable
from pathlib import Path

import pytest

from studyapp.core import decks, notes, scheduling, search, storage
from studyapp.core.check import check_database
from studyapp.core.collection import Collection
from studyapp.core.errors import CollectionError, UserError
from studyapp.core.storage import APPLICATION_ID, MIGRATIONS, SCHEMA_VERSION


def pragma(path: Path, name: str):
    conn = sqlite3.connect(path)
    try:
        return conn.execute(f"PRAGMA {name}").fetchone()[0]
    finally:
        conn.close()


def make_closed_collection(tmp_path: Path, clock, name: str = "made.sqlite") -> Path:
    """A collection file with a deck and a note in it, closed (no -wal file left)."""
    path = tmp_path / name
    with Collection(path, clock) as col:
        deck_id = decks.get_or_create(col, "Existing")
        notes.add_note(col, notes.NewNote(deck_id, "basic", {"front": "E11.9", "back": "T2DM"}))
    return path


# --- a new file ----------------------------------------------------------------------------


def test_new_collection_uses_wal_and_foreign_keys(col):
    assert col.conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert col.conn.execute("PRAGMA foreign_keys").fetchone()[0] == 1
    # WAL is a property of the file: another connection sees it too
    assert pragma(col.path, "journal_mode") == "wal"


def test_foreign_keys_are_enforced(col):
    with pytest.raises(sqlite3.IntegrityError):
        col.conn.execute("INSERT INTO cards(note_id, deck_id, ord) VALUES (999, 999, 0)")


def test_new_collection_stores_schema_version_and_application_id(col):
    assert SCHEMA_VERSION == len(MIGRATIONS) >= 1
    assert pragma(col.path, "user_version") == SCHEMA_VERSION
    assert pragma(col.path, "application_id") == APPLICATION_ID
    tables = {r[0] for r in col.conn.execute("SELECT name FROM sqlite_master WHERE type='table'")}
    assert {"config", "decks", "sources", "notes", "cards", "revlog"} <= tables


def test_missing_folders_are_created(tmp_path, clock):
    path = tmp_path / "a" / "b" / "collection.sqlite"
    with Collection(path, clock):
        pass
    assert path.is_file()
    assert pragma(path, "user_version") == SCHEMA_VERSION


def test_an_empty_file_becomes_a_collection(tmp_path, clock):
    path = tmp_path / "empty.sqlite"
    path.write_bytes(b"")
    with Collection(path, clock):
        pass
    assert pragma(path, "application_id") == APPLICATION_ID


def test_reopening_keeps_data_and_version(tmp_path, clock):
    path = make_closed_collection(tmp_path, clock)
    with Collection(path, clock) as col:
        assert decks.find(col, "Existing") is not None
        assert col.conn.execute("SELECT count(*) FROM cards").fetchone()[0] == 1
        assert col.conn.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION


# --- files we must refuse, unchanged --------------------------------------------------------


def test_file_from_a_newer_version_is_refused_and_unchanged(tmp_path, clock):
    original = make_closed_collection(tmp_path, clock)
    newer = tmp_path / "newer.sqlite"
    shutil.copyfile(original, newer)
    conn = sqlite3.connect(newer)
    conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 7}")
    conn.close()
    before = newer.read_bytes()

    with pytest.raises(CollectionError) as info:
        Collection(newer, clock)

    message = str(info.value)
    assert "newer version" in message
    assert str(newer) in message
    assert str(SCHEMA_VERSION + 7) in message
    assert newer.read_bytes() == before
    assert pragma(newer, "user_version") == SCHEMA_VERSION + 7


def test_newer_file_does_not_run_the_backup_hook(tmp_path, clock, monkeypatch):
    calls: list = []
    monkeypatch.setattr(storage, "before_migration", [lambda p, v: calls.append((p, v))])
    path = make_closed_collection(tmp_path, clock)
    conn = sqlite3.connect(path)
    conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 1}")
    conn.close()
    with pytest.raises(CollectionError):
        Collection(path, clock)
    assert calls == []


def test_other_sqlite_database_is_refused_and_unchanged(tmp_path, clock):
    path = tmp_path / "someone-elses.db"
    conn = sqlite3.connect(path)
    conn.execute("CREATE TABLE patients (id INTEGER PRIMARY KEY, name TEXT)")
    conn.execute("INSERT INTO patients(name) VALUES ('x')")
    conn.commit()
    conn.close()
    before = path.read_bytes()

    with pytest.raises(CollectionError) as info:
        Collection(path, clock)

    assert "not a study collection" in str(info.value)
    assert str(path) in str(info.value)
    assert path.read_bytes() == before
    assert pragma(path, "journal_mode") != "wal"  # not even the journal mode was switched


def test_sqlite_database_with_another_application_id_is_refused(tmp_path, clock):
    path = tmp_path / "other-app.db"
    conn = sqlite3.connect(path)
    conn.execute("PRAGMA application_id = 1234")
    conn.execute("CREATE TABLE things (x)")
    conn.commit()
    conn.close()
    before = path.read_bytes()
    with pytest.raises(CollectionError, match="not a study collection"):
        Collection(path, clock)
    assert path.read_bytes() == before


@pytest.mark.parametrize("size", [1, 7, 100, 4096, 20000])
def test_random_bytes_are_refused_and_never_overwritten(tmp_path, clock, size):
    path = tmp_path / f"garbage-{size}.sqlite"
    data = os.urandom(size)
    if data.startswith(b"SQLite format 3"):  # vanishingly unlikely, but keep it garbage
        data = b"X" + data[1:]
    path.write_bytes(data)

    with pytest.raises(CollectionError) as info:
        Collection(path, clock)

    assert str(path) in str(info.value)
    assert "not a readable collection" in str(info.value)
    assert isinstance(info.value, UserError)
    assert path.read_bytes() == data


def test_text_file_is_refused_and_unchanged(tmp_path, clock):
    path = tmp_path / "notes.txt"
    text = "E11.9 Type 2 diabetes mellitus without complications\n" * 50
    path.write_text(text)
    with pytest.raises(CollectionError, match="not a readable collection"):
        Collection(path, clock)
    assert path.read_text() == text


def test_truncated_collection_is_refused_and_unchanged(tmp_path, clock):
    path = make_closed_collection(tmp_path, clock)
    data = path.read_bytes()
    broken = tmp_path / "broken.sqlite"
    # keep the header (so it looks like SQLite) but damage every page after the first
    broken.write_bytes(data[:100] + b"\xff" * (len(data) - 100))
    before = broken.read_bytes()
    with pytest.raises(CollectionError) as info:
        Collection(broken, clock)
    assert str(broken) in str(info.value)
    assert broken.read_bytes() == before


# --- migrations -----------------------------------------------------------------------------
#
# MIGRATIONS[n] upgrades a file from version n to n + 1. To test an upgrade from version N,
# build a file as version N of the app left it: run only MIGRATIONS[:N], stamp it, then fill
# it using that version's schema. VERSION_DATA holds, for every released schema version, a
# function that inserts data with that version's columns and a function that checks the data
# through today's API. When you add MIGRATIONS[N] (so SCHEMA_VERSION becomes N + 1), add an
# entry for version N + 1 here; test_every_schema_version_has_data_fixtures reminds you, and
# test_file_from_each_version_opens_with_data_intact then upgrades every older version.


def build_file_at_version(path: Path, version: int) -> sqlite3.Connection:
    """A collection file exactly as schema `version` created it (no data yet)."""
    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute("BEGIN")
    for step in MIGRATIONS[:version]:
        step(conn)
    conn.execute(f"PRAGMA application_id = {APPLICATION_ID}")
    conn.execute(f"PRAGMA user_version = {version}")
    conn.execute("COMMIT")
    return conn


def _insert_v1(conn: sqlite3.Connection) -> None:
    conn.execute("BEGIN")
    conn.execute("INSERT INTO config(key, value) VALUES ('day_start_hour', '5')")
    conn.execute(
        "INSERT INTO decks(id, name, parent_id, options, created) VALUES (1, 'ICD', NULL, '{}', 1)"
    )
    conn.execute(
        "INSERT INTO decks(id, name, parent_id, options, created)"
        " VALUES (2, 'ICD::Endocrine', 1, '{\"new_per_day\": 7}', 1)"
    )
    conn.execute(
        "INSERT INTO notes(id, guid, kind, fields, tags, sort_field, created, modified)"
        " VALUES (1, 'guid-1', 'typed', ?, ' diabetes ', 'Type 2 diabetes', 1, 1)",
        (json.dumps({"front": "Type 2 diabetes", "answer": "E11.9", "accept": ["E119"]}),),
    )
    conn.execute(
        "INSERT INTO cards(id, note_id, deck_id, ord, state, step, stability, difficulty, due,"
        " last_review, reps, lapses, position) VALUES (1, 1, 2, 0, 2, NULL, 12.5, 4.25,"
        " 1773500000, 1772400000, 3, 1, 1)"
    )
    conn.execute(
        "INSERT INTO revlog(card_id, time, rating, duration_ms, state_before, state_after,"
        " stability, difficulty, due_after, card_before) VALUES (1, 1772400000000, 3, 4200, 1,"
        " 2, 12.5, 4.25, 1773500000, '{}')"
    )
    conn.execute("COMMIT")


def _check_v1(col: Collection) -> None:
    assert col.rollover_hour == 5
    child = decks.by_name(col, "ICD::Endocrine")
    assert child.parent_id == decks.by_name(col, "ICD").id
    assert decks.effective_options(col, child.id).new_per_day == 7
    note = notes.get(col, 1)
    assert note.fields["answer"] == "E11.9" and note.fields["accept"] == ["E119"]
    assert note.tags == ["diabetes"]
    card = scheduling.load_card(col, 1)
    assert (card.state, card.stability, card.difficulty) == (scheduling.REVIEW, 12.5, 4.25)
    assert (card.due, card.last_review, card.reps, card.lapses) == (1773500000, 1772400000, 3, 1)
    row = col.conn.execute("SELECT rating, duration_ms FROM revlog WHERE card_id = 1").fetchone()
    assert row == (3, 4200)


def _insert_v2(conn: sqlite3.Connection) -> None:
    _insert_v1(conn)
    conn.execute("BEGIN")
    conn.execute(
        "INSERT INTO exam_attempts(id, profile, seed, started, time_limit_s, remaining_s, status)"
        " VALUES (1, ?, 42, 1772400000, 600, 321, 'in_progress')",
        (json.dumps({"name": "Custom", "count": 1, "minutes": 10, "pass_percent": 70}),),
    )
    conn.execute(
        "INSERT INTO exam_questions(attempt_id, position, card_id, deck_id, domain, chosen,"
        " flagged) VALUES (1, 0, 1, 2, 'ICD::Endocrine', 3, 1)"
    )
    conn.execute(
        "INSERT INTO drill_results(time, chapter, kind, code, correct)"
        " VALUES (1772400000000, 4, 'chapter', 'E11.9', 1)"
    )
    conn.execute("COMMIT")


def _check_v2(col: Collection) -> None:
    _check_v1(col)
    row = col.conn.execute(
        "SELECT seed, remaining_s, status FROM exam_attempts WHERE id = 1"
    ).fetchone()
    assert row == (42, 321, "in_progress")
    q = col.conn.execute(
        "SELECT card_id, domain, chosen, flagged FROM exam_questions WHERE attempt_id = 1"
    ).fetchone()
    assert q == (1, "ICD::Endocrine", 3, 1)
    assert col.conn.execute("SELECT chapter, correct FROM drill_results").fetchall() == [(4, 1)]


def _insert_v3(conn: sqlite3.Connection) -> None:
    _insert_v2(conn)


def _check_v3(col: Collection) -> None:
    _check_v2(col)
    plan = col.conn.execute(
        "EXPLAIN QUERY PLAN SELECT id FROM cards WHERE deck_id = 2"
    ).fetchall()
    assert any("cards_deck" in row[-1] for row in plan)


def _insert_v4(conn: sqlite3.Connection) -> None:
    _insert_v3(conn)
    conn.execute(
        "INSERT INTO note_search(note_id, codes, text)"
        " VALUES (1, ' 2 E119 ', 'e119' || char(10) || 'e11.9' || char(10) || 'type 2 diabetes')"
    )


def _check_v4(col: Collection) -> None:
    _check_v3(col)
    assert search.search_cards(col, "E119") == [1]
    assert search.search_cards(col, "E11*") == [1]
    assert search.search_cards(col, "DIABETES") == [1]
    assert check_database(col, repair=False).clean  # the index matches the note


Inserter = Callable[[sqlite3.Connection], None]
Checker = Callable[[Collection], None]
VERSION_DATA: dict[int, tuple[Inserter, Checker]] = {
    1: (_insert_v1, _check_v1),
    2: (_insert_v2, _check_v2),
    3: (_insert_v3, _check_v3),
    4: (_insert_v4, _check_v4),
}


def test_every_schema_version_has_data_fixtures():
    assert set(VERSION_DATA) == set(range(1, SCHEMA_VERSION + 1)), (
        "add an entry to VERSION_DATA for the new schema version (see the comment above)"
    )


def test_migrations_upgrade_an_empty_version_0_file(tmp_path, clock):
    path = tmp_path / "v0.sqlite"
    conn = sqlite3.connect(path)
    conn.execute("PRAGMA user_version = 0")
    conn.execute("VACUUM")  # make sure the file exists with a header
    conn.close()
    assert pragma(path, "user_version") == 0

    with Collection(path, clock) as col:
        assert col.conn.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
        deck_id = decks.get_or_create(col, "Works")
        notes.add_note(col, notes.NewNote(deck_id, "basic", {"front": "a", "back": "b"}))
    assert pragma(path, "application_id") == APPLICATION_ID


def test_migrations_give_the_same_schema_as_a_new_collection(tmp_path, col):
    conn = build_file_at_version(tmp_path / "built.sqlite", SCHEMA_VERSION)
    built = conn.execute("SELECT type, name, sql FROM sqlite_master ORDER BY name").fetchall()
    conn.close()
    fresh = col.conn.execute("SELECT type, name, sql FROM sqlite_master ORDER BY name").fetchall()
    assert built == fresh


@pytest.mark.parametrize("version", sorted(VERSION_DATA))
def test_file_from_each_version_opens_with_data_intact(tmp_path, clock, monkeypatch, version):
    calls: list = []
    monkeypatch.setattr(storage, "before_migration", [lambda p, v: calls.append((p, v))])
    path = tmp_path / f"v{version}.sqlite"
    conn = build_file_at_version(path, version)
    insert, _ = VERSION_DATA[version]
    insert(conn)
    conn.close()

    with Collection(path, clock) as col:
        assert col.conn.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
        # the data of this version and everything later versions can read must survive
        _, check = VERSION_DATA[version]
        check(col)
    # a backup hook runs only when there is something to upgrade
    assert calls == ([(path, version)] if version < SCHEMA_VERSION else [])


def test_failed_migration_leaves_the_file_as_it_was(tmp_path, clock, monkeypatch):
    path = tmp_path / "current.sqlite"
    conn = build_file_at_version(path, SCHEMA_VERSION)
    VERSION_DATA[SCHEMA_VERSION][0](conn)
    conn.close()
    schema_before = pragma(path, "schema_version")

    def broken_step(conn: sqlite3.Connection) -> None:
        conn.execute("CREATE TABLE half_done (x)")
        conn.execute("DELETE FROM cards")
        raise sqlite3.OperationalError("disk full (simulated)")

    hook_calls: list = []
    monkeypatch.setattr(storage, "MIGRATIONS", [*MIGRATIONS, broken_step])
    monkeypatch.setattr(storage, "SCHEMA_VERSION", SCHEMA_VERSION + 1)
    monkeypatch.setattr(storage, "before_migration", [lambda p, v: hook_calls.append(v)])

    with pytest.raises(CollectionError) as info:
        Collection(path, clock)
    assert str(path) in str(info.value)
    assert hook_calls == [SCHEMA_VERSION]

    conn = sqlite3.connect(path)
    assert conn.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
    assert conn.execute("SELECT count(*) FROM cards").fetchone()[0] == 1
    assert (
        conn.execute("SELECT count(*) FROM sqlite_master WHERE name = 'half_done'").fetchone()[0]
        == 0
    )
    conn.close()
    assert pragma(path, "schema_version") == schema_before


# --- the Collection façade ------------------------------------------------------------------


def test_config_survives_reopening(tmp_path, clock):
    path = tmp_path / "cfg.sqlite"
    with Collection(path, clock) as col:
        col.config_set("day_start_hour", 6)
        col.config_set("nested", {"a": [1, 2]})
        assert col.config_get("missing", "dflt") == "dflt"
    with Collection(path, clock) as col:
        assert col.config_get("day_start_hour") == 6
        assert col.rollover_hour == 6
        assert col.config_get("nested") == {"a": [1, 2]}


def test_transaction_rolls_back_everything_on_error(col):
    decks.get_or_create(col, "Kept")
    with pytest.raises(RuntimeError), col.transaction():
        decks.get_or_create(col, "Lost")  # nested transaction joins the outer one
        col.config_set("flag", True)
        raise RuntimeError("boom")
    assert decks.find(col, "Lost") is None
    assert decks.find(col, "Kept") is not None
    assert col.config_get("flag") is None  # the cached value was dropped too
    assert not col.conn.in_transaction


def test_nested_transactions_commit_once(col):
    with col.transaction():
        with col.transaction():
            decks.get_or_create(col, "Inner")
        assert col.conn.in_transaction  # still inside the outer transaction
    assert not col.conn.in_transaction
    other = sqlite3.connect(col.path)
    assert other.execute("SELECT count(*) FROM decks WHERE name = 'Inner'").fetchone()[0] == 1
    other.close()
