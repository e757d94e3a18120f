"""The collection file: opening, identifying, and migrating the SQLite schema.

The schema version lives in `PRAGMA user_version`; `MIGRATIONS[n]` upgrades a file from
version n to n + 1. All pending steps run in one transaction, so a failed upgrade leaves the
file as it was. A file from a newer app is refused before anything is written to it.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from pathlib import Path

from studyapp.core import search_index
from studyapp.core.errors import CollectionError

APPLICATION_ID = 0x53545944  # "STYD": marks a SQLite file as one of our collections
SQLITE_HEADER = b"SQLite format 3\x00"  # the first 16 bytes of every SQLite database

SCHEMA_1 = """
CREATE TABLE config (
    key TEXT PRIMARY KEY,
    value TEXT NOT NULL                       -- JSON
);
CREATE TABLE decks (
    id INTEGER PRIMARY KEY,
    name TEXT NOT NULL UNIQUE,                -- full path, "Parent::Child"
    parent_id INTEGER REFERENCES decks(id),
    options TEXT NOT NULL DEFAULT '{}',       -- the student's own settings (JSON)
    file_options TEXT NOT NULL DEFAULT '{}',  -- settings suggested by the deck file (JSON)
    created INTEGER NOT NULL
);
CREATE INDEX decks_parent ON decks(parent_id);
CREATE TABLE sources (                        -- deck files imported into the collection
    uuid TEXT PRIMARY KEY,
    root_deck_id INTEGER REFERENCES decks(id) ON DELETE SET NULL,
    version TEXT NOT NULL,
    meta TEXT NOT NULL,                       -- JSON: the deck file header
    is_spreadsheet INTEGER NOT NULL DEFAULT 0,
    imported INTEGER NOT NULL
);
CREATE TABLE notes (
    id INTEGER PRIMARY KEY,
    guid TEXT NOT NULL UNIQUE,                -- stable identity, survives export and import
    source_uuid TEXT REFERENCES sources(uuid),  -- NULL: the student's own note
    source_note_id TEXT,                      -- the note's id inside its deck file
    kind TEXT NOT NULL,
    fields TEXT NOT NULL,                     -- JSON: current content
    source_fields TEXT,                       -- JSON: content as last imported
    tags TEXT NOT NULL DEFAULT '',            -- " tag1 tag2 " (spaces around for LIKE)
    sort_field TEXT NOT NULL DEFAULT '',      -- plain text of the first field, for search
    removed INTEGER NOT NULL DEFAULT 0,       -- dropped by a newer deck version
    created INTEGER NOT NULL,
    modified INTEGER NOT NULL
);
CREATE INDEX notes_source ON notes(source_uuid, source_note_id);
CREATE TABLE cards (
    id INTEGER PRIMARY KEY,
    note_id INTEGER NOT NULL REFERENCES notes(id) ON DELETE CASCADE,
    deck_id INTEGER NOT NULL REFERENCES decks(id),
    ord INTEGER NOT NULL,
    state INTEGER NOT NULL DEFAULT 0,         -- 0 new, 1 learning, 2 review, 3 relearning
    step INTEGER,
    stability REAL,
    difficulty REAL,
    due INTEGER NOT NULL DEFAULT 0,           -- epoch seconds
    last_review INTEGER,                      -- epoch seconds
    reps INTEGER NOT NULL DEFAULT 0,
    lapses INTEGER NOT NULL DEFAULT 0,
    position INTEGER NOT NULL DEFAULT 0,      -- order in which new cards are introduced
    suspended INTEGER NOT NULL DEFAULT 0,
    buried_until INTEGER NOT NULL DEFAULT 0,  -- epoch seconds; hidden until then
    UNIQUE (note_id, ord)
);
CREATE INDEX cards_queue ON cards(deck_id, state, due, buried_until) WHERE suspended = 0;
CREATE INDEX cards_new ON cards(deck_id, position) WHERE state = 0 AND suspended = 0;
CREATE TABLE revlog (
    id INTEGER PRIMARY KEY,
    card_id INTEGER NOT NULL REFERENCES cards(id) ON DELETE CASCADE,
    time INTEGER NOT NULL,                    -- epoch milliseconds
    rating INTEGER NOT NULL,                  -- 1 Again, 2 Hard, 3 Good, 4 Easy
    duration_ms INTEGER NOT NULL,
    state_before INTEGER NOT NULL,
    state_after INTEGER NOT NULL,
    stability REAL,                           -- after the answer
    difficulty REAL,                          -- after the answer
    due_after INTEGER NOT NULL,               -- epoch seconds
    card_before TEXT NOT NULL,                -- JSON snapshot of the card, for exact undo
    origin INTEGER NOT NULL DEFAULT 0         -- 0 study, 1 exam (wrong answers as lapses)
);
CREATE INDEX revlog_card ON revlog(card_id, time);
CREATE INDEX revlog_time ON revlog(time);
"""


SCHEMA_2 = """
CREATE TABLE exam_attempts (
    id INTEGER PRIMARY KEY,
    profile TEXT NOT NULL,                    -- JSON: the exam profile as chosen
    seed INTEGER NOT NULL,
    started INTEGER NOT NULL,                 -- epoch seconds
    time_limit_s INTEGER NOT NULL,
    remaining_s INTEGER NOT NULL,             -- saved every few seconds while running
    status TEXT NOT NULL DEFAULT 'in_progress',  -- 'in_progress' or 'submitted'
    submitted INTEGER,                        -- epoch seconds
    score REAL,                               -- fraction correct, 0..1
    results TEXT                              -- JSON: per-domain results
);
CREATE INDEX exam_attempts_status ON exam_attempts(status, started);
CREATE TABLE exam_questions (
    attempt_id INTEGER NOT NULL REFERENCES exam_attempts(id) ON DELETE CASCADE,
    position INTEGER NOT NULL,                -- 0-based order in the exam
    card_id INTEGER REFERENCES cards(id) ON DELETE SET NULL,
    deck_id INTEGER,                          -- the domain the question counts toward
    domain TEXT NOT NULL DEFAULT '',          -- the deck name when the exam was made
    chosen INTEGER,                           -- 1-based option; NULL: unanswered
    flagged INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (attempt_id, position)
);
CREATE TABLE drill_results (
    id INTEGER PRIMARY KEY,
    time INTEGER NOT NULL,                    -- epoch milliseconds
    chapter INTEGER NOT NULL,                 -- ICD-10-CM chapter number
    kind TEXT NOT NULL,                       -- 'chapter', 'block', 'reverse'
    code TEXT NOT NULL DEFAULT '',
    correct INTEGER NOT NULL
);
CREATE INDEX drill_results_chapter ON drill_results(chapter, time);
"""


SCHEMA_4 = """
CREATE TABLE note_search (                    -- derived from notes.fields (search_index.py)
    note_id INTEGER PRIMARY KEY REFERENCES notes(id) ON DELETE CASCADE,
    codes TEXT NOT NULL,                      -- " E119 J45909 ": code-like tokens, no dots
    text TEXT NOT NULL                        -- plain text of every field, case-folded
);
"""


def run_script(conn: sqlite3.Connection, script: str) -> None:
    """Run ;-separated statements inside the current transaction (executescript would commit)."""
    statement = ""
    for line in script.splitlines(keepends=True):
        statement += line
        if sqlite3.complete_statement(statement):
            conn.execute(statement)
            statement = ""
    if statement.strip():
        raise ValueError(f"incomplete SQL statement: {statement!r}")


def _migrate_to_1(conn: sqlite3.Connection) -> None:
    run_script(conn, SCHEMA_1)


def _migrate_to_2(conn: sqlite3.Connection) -> None:
    """Exam practice: mock-exam attempts with their questions, and code-location drills."""
    run_script(conn, SCHEMA_2)


def _migrate_to_3(conn: sqlite3.Connection) -> None:
    """Searching by deck (browser, exams) covers suspended cards too, which the partial queue
    index leaves out; a plain index on the deck makes deck: searches read only that deck."""
    conn.execute("CREATE INDEX cards_deck ON cards(deck_id)")


def _migrate_to_4(conn: sqlite3.Connection) -> None:
    """Searches read a narrow per-note index of plain text and codes instead of scanning
    every note's JSON and HTML; existing notes are indexed here."""
    run_script(conn, SCHEMA_4)
    search_index.reindex(conn)


# MIGRATIONS[n] upgrades a file from version n to n + 1.
MIGRATIONS: list[Callable[[sqlite3.Connection], None]] = [
    _migrate_to_1,
    _migrate_to_2,
    _migrate_to_3,
    _migrate_to_4,
]
SCHEMA_VERSION = len(MIGRATIONS)

# Called with (path, old_version) before a file with data is upgraded; reliability code
# sets this to make a backup first.
before_migration: list[Callable[[Path, int], None]] = []


def connect(path: Path) -> sqlite3.Connection:
    """Open (or create) a collection file, check it is ours, and bring its schema up to date."""
    path = Path(path)
    existed = path.exists() and path.stat().st_size > 0
    if existed and _header(path) != SQLITE_HEADER:
        # SQLite would treat some tiny non-database files as empty and write over them
        raise CollectionError(
            f"{path} is not a readable collection (it is not a SQLite database). It was not "
            "changed. Restore a backup or choose another data folder."
        )
    try:
        conn = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
    except sqlite3.Error as exc:
        raise CollectionError(f"Cannot open the collection {path}: {exc}.") from exc
    try:
        version = _check_identity(conn, path, existed)
        _configure(conn)
        if version < SCHEMA_VERSION:
            if existed and version > 0:
                for hook in before_migration:
                    hook(path, version)
            _migrate(conn, version)
    except sqlite3.DatabaseError as exc:
        conn.close()
        raise CollectionError(
            f"{path} is not a readable collection ({exc}). It was not changed. "
            "Restore a backup or choose another data folder."
        ) from exc
    except BaseException:
        conn.close()
        raise
    return conn


def _header(path: Path) -> bytes:
    try:
        with open(path, "rb") as fh:
            return fh.read(len(SQLITE_HEADER))
    except OSError as exc:
        raise CollectionError(f"Cannot open the collection {path}: {exc}.") from exc


def _check_identity(conn: sqlite3.Connection, path: Path, existed: bool) -> int:
    """Refuse files that are not ours or are too new, before writing anything to them."""
    app_id = conn.execute("PRAGMA application_id").fetchone()[0]
    version = conn.execute("PRAGMA user_version").fetchone()[0]
    has_tables = conn.execute("SELECT count(*) FROM sqlite_master").fetchone()[0] > 0
    if existed and has_tables and app_id != APPLICATION_ID:
        conn.close()
        raise CollectionError(
            f"{path} is a SQLite database but not a study collection. It was not changed. "
            "Choose another data folder."
        )
    if version > SCHEMA_VERSION:
        conn.close()
        raise CollectionError(
            f"{path} was written by a newer version of the app (schema {version}; this version "
            f"knows up to {SCHEMA_VERSION}). It was not changed. Update the app to open it."
        )
    return version


def _configure(conn: sqlite3.Connection) -> None:
    conn.execute("PRAGMA journal_mode = WAL")
    conn.execute("PRAGMA synchronous = FULL")  # an answer shown as recorded survives power loss
    conn.execute("PRAGMA foreign_keys = ON")
    conn.execute("PRAGMA busy_timeout = 2000")


def _migrate(conn: sqlite3.Connection, version: int) -> None:
    conn.execute("BEGIN EXCLUSIVE")
    try:
        for step in range(version, SCHEMA_VERSION):
            MIGRATIONS[step](conn)
        conn.execute(f"PRAGMA application_id = {APPLICATION_ID}")
        conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")
        conn.execute("COMMIT")
    except BaseException:
        conn.execute("ROLLBACK")
        raise
