"""Backups: the online copy, retention, listing, restore, and the automatic hooks."""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from studyapp.core import backup, importing, scheduling, storage
from studyapp.core.backup import (
    BackupInfo,
    backup_folder,
    backups_to_keep,
    list_backups,
    make_backup,
    maybe_backup,
    restore_backup,
)
from studyapp.core.collection import Collection
from studyapp.core.errors import CollectionError
from studyapp.core.importing import apply_plan, plan_import
from studyapp.core.model import DeckSpec, NoteSpec
from studyapp.core.options import DeckOptions
from tests.helpers import add_basic

NOW = datetime(2026, 3, 10, 12, 0, tzinfo=UTC)


@dataclass(frozen=True)
class B:
    time: datetime


@pytest.fixture
def hooks():
    backup.install_hooks()
    yield
    backup.uninstall_hooks()


def count(path: Path, table: str) -> int:
    conn = sqlite3.connect(path)
    try:
        return conn.execute(f"SELECT count(*) FROM {table}").fetchone()[0]
    finally:
        conn.close()


# --- retention ----------------------------------------------------------------------------
def test_retention_keeps_last_ten():
    items = [B(NOW - timedelta(minutes=m)) for m in range(15)]
    kept = backups_to_keep(items, NOW)
    assert kept == items[:10]


def test_retention_keeps_newest_per_day_for_a_week():
    # 12 backups today, plus three per day for the 10 days before
    today = [B(NOW - timedelta(minutes=m)) for m in range(12)]
    older = [B(NOW - timedelta(days=d, hours=h)) for d in range(1, 11) for h in (0, 1, 2)]
    kept = backups_to_keep(today + older, NOW)
    assert kept[:10] == today[:10]
    days = {b.time.date() for b in kept[10:]}
    # days 1..6 back: one each (day 0 is already represented by the last ten)
    assert days == {(NOW - timedelta(days=d)).date() for d in range(1, 7)}
    for d in range(1, 7):
        newest_that_day = max(
            (b for b in older if b.time.date() == (NOW - timedelta(days=d)).date()),
            key=lambda b: b.time,
        )
        assert newest_that_day in kept
    assert len(kept) == 16


def test_retention_small_lists_are_kept_whole():
    items = [B(NOW - timedelta(days=30)), B(NOW - timedelta(days=1))]
    assert set(backups_to_keep(items, NOW)) == set(items)
    assert backups_to_keep([], NOW) == []


def test_prune_applies_retention_on_disk(col, clock):
    add_basic(col, "D", 2)
    for _ in range(14):
        make_backup(col, "manual")
        clock.advance(minutes=1)
    files = list_backups(backup_folder(col.path))
    assert len(files) == 10
    assert all(f.reason == "manual" for f in files)


# --- making and listing -------------------------------------------------------------------
def test_backup_is_a_consistent_copy_with_counts(col, clock):
    add_basic(col, "D", 3)
    card = col.conn.execute("SELECT id FROM cards LIMIT 1").fetchone()[0]
    scheduling.answer_card(col, card, 3, DeckOptions())
    path = make_backup(col, "manual")
    assert path.parent == col.path.parent / "backups"
    assert path.name == "backup-20260310-120000-manual.sqlite"
    assert not list(path.parent.glob("*.partial"))
    infos = list_backups(path.parent)
    assert infos == [BackupInfo(path, NOW, 3, 1)]
    conn = sqlite3.connect(path)
    assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "delete"
    conn.close()


def test_backup_sees_only_committed_data(col):
    add_basic(col, "D", 2)
    with col.transaction():
        col.conn.execute("DELETE FROM notes")
        path = make_backup(col, "inside")
    assert count(path, "notes") == 2


def test_list_shows_newest_first_and_unreadable_files(col, clock):
    add_basic(col, "D", 1)
    first = make_backup(col, "a")
    clock.advance(hours=1)
    add_basic(col, "D", 1)
    second = make_backup(col, "b")
    junk = first.parent / "backup-20260101-000000-junk.sqlite"
    junk.write_bytes(b"not a database at all" * 10)
    (first.parent / "notes.txt").write_text("ignored")
    infos = list_backups(first.parent)
    assert [i.path for i in infos] == [second, first, junk]
    assert (infos[0].cards, infos[1].cards) == (2, 1)
    assert infos[2].cards is None


def test_maybe_backup_respects_interval_and_changes(col, clock):
    add_basic(col, "D", 1)
    assert maybe_backup(col) is not None
    clock.advance(minutes=10)
    add_basic(col, "D", 1)
    assert maybe_backup(col) is None  # too soon
    clock.advance(minutes=25)
    assert maybe_backup(col) is not None
    clock.advance(minutes=40)
    assert maybe_backup(col) is None  # nothing changed since
    assert len(list_backups(backup_folder(col.path))) == 2


# --- restore ------------------------------------------------------------------------------
def test_restore_brings_back_old_state_and_saves_current(tmp_path, clock):
    path = tmp_path / "data" / "collection.sqlite"
    col = Collection(path, clock=clock)
    add_basic(col, "D", 2)
    old = make_backup(col, "manual")
    add_basic(col, "D", 5)
    col.close()
    safety = restore_backup(path, old, now=NOW + timedelta(minutes=5))
    assert safety is not None and safety.name.endswith("before-restore.sqlite")
    assert count(safety, "notes") == 7
    assert not Path(str(path) + "-wal").exists()
    assert not list(path.parent.glob("*.restoring"))
    with Collection(path, clock=clock) as again:
        assert again.conn.execute("SELECT count(*) FROM notes").fetchone()[0] == 2
        assert again.conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        add_basic(again, "E", 1)  # still writable, still WAL
        assert again.conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"


def test_restore_refuses_files_that_are_not_backups(tmp_path, col):
    add_basic(col, "D", 1)
    col.close()
    before = col.path.read_bytes()
    bad = tmp_path / "bad.sqlite"
    bad.write_bytes(b"hello")
    with pytest.raises(CollectionError, match="not a backup"):
        restore_backup(col.path, bad)
    other = tmp_path / "other.sqlite"
    sqlite3.connect(other).execute("CREATE TABLE t(x)").connection.close()
    with pytest.raises(CollectionError, match="not a study collection"):
        restore_backup(col.path, other)
    with pytest.raises(CollectionError, match="no backup file"):
        restore_backup(col.path, tmp_path / "missing.sqlite")
    assert col.path.read_bytes() == before
    assert not (col.path.parent / "backups").exists()


# --- hooks --------------------------------------------------------------------------------
def test_install_hooks_is_idempotent(hooks):
    backup.install_hooks()
    assert storage.before_migration.count(backup._before_migration) == 1
    assert importing.before_removing_notes.count(backup._before_removing_notes) == 1


def test_migration_hook_copies_from_path(col, hooks):
    add_basic(col, "D", 2)
    backup._before_migration(col.path, 1)
    [info] = list_backups(backup_folder(col.path))
    assert info.reason == "before-migration-v1"
    assert info.cards == 2


def test_a_migration_makes_a_backup_first(tmp_path, monkeypatch, hooks, clock):
    path = tmp_path / "collection.sqlite"
    with Collection(path, clock=clock) as col:
        add_basic(col, "D", 3)
    steps = []
    old = storage.SCHEMA_VERSION

    def _migrate_extra(conn):
        steps.append("ran")
        conn.execute("CREATE TABLE extra (x INTEGER)")

    monkeypatch.setattr(storage, "MIGRATIONS", [*storage.MIGRATIONS, _migrate_extra])
    monkeypatch.setattr(storage, "SCHEMA_VERSION", old + 1)
    with Collection(path, clock=clock) as col:
        assert steps == ["ran"]
        assert col.conn.execute("PRAGMA user_version").fetchone()[0] == old + 1
    [info] = list_backups(backup_folder(path))
    assert info.reason == f"before-migration-v{old}"
    assert info.cards == 3
    conn = sqlite3.connect(info.path)
    assert conn.execute("PRAGMA user_version").fetchone()[0] == old  # the old schema
    conn.close()


DECK_ID = "0c7b1f4e-6f1a-4c39-9a55-2d8e8f0f1d11"


def spec(version: str, ids: list[str]) -> DeckSpec:
    return DeckSpec(
        id=DECK_ID,
        name="Course",
        version=version,
        notes=[NoteSpec(i, "basic", {"front": f"Q {i}", "back": "A"}) for i in ids],
    )


def test_an_update_removing_notes_makes_a_backup_first(col, hooks, clock):
    apply_plan(col, plan_import(col, spec("1.0", ["a", "b", "c"])))
    apply_plan(col, plan_import(col, spec("1.1", ["a", "b", "c", "d"])))
    assert list_backups(backup_folder(col.path)) == []  # nothing removed: no backup
    clock.advance(minutes=1)
    apply_plan(col, plan_import(col, spec("1.2", ["a"])))
    [info] = list_backups(backup_folder(col.path))
    assert info.reason == "before-update"
    conn = sqlite3.connect(info.path)
    assert conn.execute("SELECT count(*) FROM notes WHERE removed = 0").fetchone()[0] == 4
    conn.close()
