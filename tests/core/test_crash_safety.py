"""Crash safety and hostile conditions: SIGKILL while answering, a full disk, a read-only
collection, and files that are not what they claim to be."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from studyapp.core import scheduling
from studyapp.core.collection import Collection
from studyapp.core.errors import CollectionError, InvalidFile, UserError
from studyapp.core.importing import read_deck_file
from studyapp.core.options import DeckOptions
from tests.crash_child import crash_test, make_collection, verify
from tests.helpers import add_basic

ROOT = Path(__file__).resolve().parents[2]


def snapshot(path: Path) -> list:
    conn = sqlite3.connect(f"{path.as_uri()}?mode=ro", uri=True)
    try:
        return [
            conn.execute(f"SELECT * FROM {table} ORDER BY 1").fetchall()
            for table in ("notes", "cards", "revlog", "decks")
        ]
    finally:
        conn.close()


def integrity(path: Path) -> str:
    conn = sqlite3.connect(path)
    try:
        return conn.execute("PRAGMA integrity_check").fetchone()[0]
    finally:
        conn.close()


# --- SIGKILL ------------------------------------------------------------------------------
@pytest.mark.skipif(not hasattr(os, "fork"), reason="needs POSIX signals")
def test_answers_survive_sigkill_at_random_moments(tmp_path):
    path = tmp_path / "collection.sqlite"
    result = crash_test(path, kills=30, seed=20260310, max_delay=0.12)
    assert result.kills == 30
    assert result.problems == []
    assert len(result.reported) > 30  # the children did get answers recorded
    assert verify(path, result.reported) == []
    with Collection(path) as col:  # and the app opens it normally afterwards
        assert col.conn.execute("SELECT count(*) FROM revlog").fetchone()[0] >= len(result.reported)


# --- disk full ----------------------------------------------------------------------------
def test_disk_full_is_a_clear_error_and_changes_nothing(col):
    add_basic(col, "D", 5)
    before = snapshot(col.path)
    pages = col.conn.execute("PRAGMA page_count").fetchone()[0]
    col.conn.execute(f"PRAGMA max_page_count = {pages}")
    with pytest.raises(CollectionError, match="the disk is full"):
        add_basic(col, "D", 3000)
    card = col.conn.execute("SELECT min(id) FROM cards").fetchone()[0]
    # an answer is small; it may fit, but if it fails it must fail the same clean way
    try:
        scheduling.answer_card(col, card, 3, DeckOptions())
        answered = True
    except CollectionError as exc:
        assert "disk is full" in str(exc)
        answered = False
    col.conn.execute("PRAGMA max_page_count = 1073741823")
    after = snapshot(col.path)
    if not answered:
        assert after == before
    else:
        assert after[0] == before[0] and len(after[2]) == len(before[2]) + 1
    assert integrity(col.path) == "ok"
    add_basic(col, "D", 10)  # with space again, work goes on
    assert col.conn.execute("SELECT count(*) FROM notes").fetchone()[0] == 15


def test_file_size_limit_in_a_child_fails_cleanly(tmp_path):
    """A real write failure (RLIMIT_FSIZE: the OS refuses to grow files) in a child."""
    path = tmp_path / "collection.sqlite"
    make_collection(path, notes=5)
    before = snapshot(path)
    code = textwrap.dedent(
        f"""
        import resource, signal, sys
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
        from studyapp.core.collection import Collection
        from studyapp.core.errors import UserError
        from tests.helpers import add_basic
        col = Collection({str(path)!r})
        resource.setrlimit(resource.RLIMIT_FSIZE, (64 * 1024, 64 * 1024))
        try:
            add_basic(col, "Big", 5000)
        except UserError as exc:
            print("USERERROR", exc)
            sys.exit(3)
        print("WROTE")
        """
    )
    proc = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=60
    )
    assert proc.returncode == 3, proc.stdout + proc.stderr
    assert "USERERROR" in proc.stdout and "Nothing was changed" in proc.stdout
    assert integrity(path) == "ok"
    # notes, cards and reviews as they were (the deck "Big" was its own, earlier transaction)
    assert snapshot(path)[:3] == before[:3]


# --- read-only ----------------------------------------------------------------------------
def test_read_only_collection_refuses_writes_cleanly(col):
    add_basic(col, "D", 3)
    before = snapshot(col.path)
    writable = col.conn
    col.conn = sqlite3.connect(
        f"{col.path.as_uri()}?mode=ro", uri=True, isolation_level=None, check_same_thread=False
    )
    try:
        card = col.conn.execute("SELECT min(id) FROM cards").fetchone()[0]
        with pytest.raises(CollectionError, match="read-only"):
            scheduling.answer_card(col, card, 3, DeckOptions())
        with pytest.raises(UserError):
            add_basic(col, "D", 1)
    finally:
        col.conn.close()
        col.conn = writable
    assert snapshot(col.path) == before
    assert integrity(col.path) == "ok"


def test_read_only_statement_failure_mid_transaction_is_a_user_error(col):
    """Writes that start fine but hit a read-only database inside the transaction."""
    add_basic(col, "D", 2)
    before = snapshot(col.path)
    with pytest.raises(CollectionError, match="Nothing was changed"), col.transaction():
        col.conn.execute("DELETE FROM revlog")
        col.conn.execute("PRAGMA query_only = ON")
        try:
            col.conn.execute("DELETE FROM notes")
        except sqlite3.OperationalError as exc:
            # query_only says "attempt to write a readonly database"
            raise sqlite3.OperationalError(str(exc)) from exc
    col.conn.execute("PRAGMA query_only = OFF")
    assert snapshot(col.path) == before


# --- hostile files ------------------------------------------------------------------------
def _write(path: Path, data: bytes) -> Path:
    path.write_bytes(data)
    return path


@pytest.mark.parametrize(
    "name, make",
    [
        ("empty.toml", lambda: b""),
        ("binary.toml", lambda: bytes(range(256)) * 40),
        ("nul.toml", lambda: b"format = 1\n\x00\x00\x00"),
        ("picture.csv", lambda: b"\x89PNG\r\n\x1a\n" + os.urandom(4000)),
        ("huge.toml", lambda: b'a = "' + b"x" * (25 * 1024 * 1024) + b'"\n'),
        ("huge.csv", lambda: b"front,back\n" + b"q,a\n" * (25 * 1024 * 1024 // 4)),
        ("deep.toml", lambda: b"a=" + b"[" * 100000),
        ("deep-tables.toml", lambda: b"a=" + b"{b=" * 100000),
        ("utf16.csv", lambda: "front,back\nq,a\n".encode("utf-16")),
    ],
)
def test_hostile_files_give_a_clean_invalid_file(tmp_path, name, make):
    path = _write(tmp_path / name, make())
    with pytest.raises(InvalidFile) as info:
        read_deck_file(path)
    assert info.value.problems
    assert str(info.value).count("\n") < 50  # a readable message, not a dump


def test_a_directory_named_like_a_deck_is_a_clean_error(tmp_path):
    folder = tmp_path / "deck.toml"
    folder.mkdir()
    with pytest.raises(UserError):
        read_deck_file(folder)
