"""`studyapp backup`, `studyapp restore`, `studyapp check`, and the writer lock."""

from __future__ import annotations

import sqlite3

import pytest

from studyapp.cli import main
from studyapp.core import backup, importing, storage
from studyapp.core.backup import backup_folder, list_backups
from studyapp.core.collection import Collection
from studyapp.core.lock import acquire_writer_lock
from studyapp.core.paths import collection_path
from tests.helpers import add_basic


@pytest.fixture
def data_dir(tmp_path):
    folder = tmp_path / "data"
    with Collection(collection_path(folder)) as col:
        add_basic(col, "D", 3)
    yield folder
    backup.uninstall_hooks()


def run(data_dir, *args) -> int:
    return main(["--data-dir", str(data_dir), *args])


def count(path, sql):
    conn = sqlite3.connect(path)
    try:
        return conn.execute(sql).fetchone()[0]
    finally:
        conn.close()


def test_backup_then_list(data_dir, capsys):
    assert run(data_dir, "backup") == 0
    out = capsys.readouterr().out
    assert "Backed up to" in out
    [info] = list_backups(backup_folder(collection_path(data_dir)))
    assert info.cards == 3
    assert run(data_dir, "backup", "--list") == 0
    out = capsys.readouterr().out
    assert "3 cards, 0 reviews" in out and str(info.path) in out


def test_cli_installs_the_backup_hooks(data_dir):
    backup.uninstall_hooks()
    run(data_dir, "backup", "--list")
    assert backup._before_migration in storage.before_migration
    assert backup._before_removing_notes in importing.before_removing_notes


def test_restore_puts_back_the_old_state(data_dir, capsys):
    path = collection_path(data_dir)
    run(data_dir, "backup")
    [old] = list_backups(backup_folder(path))
    with Collection(path) as col:
        add_basic(col, "E", 4)
    capsys.readouterr()
    assert run(data_dir, "restore", str(old.path)) == 0
    out = capsys.readouterr().out
    assert "as it was is saved in" in out
    assert count(path, "SELECT count(*) FROM notes") == 3
    reasons = sorted(i.reason for i in list_backups(backup_folder(path)))
    assert "before-restore" in reasons


def test_restore_of_a_bad_file_fails_cleanly(data_dir, tmp_path, capsys):
    bad = tmp_path / "x.sqlite"
    bad.write_text("nope")
    assert run(data_dir, "restore", str(bad)) == 1
    assert "not a backup" in capsys.readouterr().err
    assert count(collection_path(data_dir), "SELECT count(*) FROM notes") == 3


def test_check_clean_and_damaged(data_dir, capsys):
    assert run(data_dir, "check") == 0
    assert "No problems found" in capsys.readouterr().out
    path = collection_path(data_dir)
    conn = sqlite3.connect(path)
    conn.execute("UPDATE cards SET state = 9")
    conn.execute(
        "INSERT INTO notes(guid, kind, fields, created, modified)"
        " VALUES ('x', 'cloze', '{\"text\": \"nothing\"}', 0, 0)"
    )
    conn.commit()
    conn.close()
    assert run(data_dir, "check", "--no-repair") == 1
    assert count(path, "SELECT count(*) FROM cards WHERE state = 9") == 3
    assert run(data_dir, "check") == 1  # the cloze without deletions cannot be repaired
    out = capsys.readouterr().out
    assert "Reset 3 cards" in out and "Not repaired" in out
    assert count(path, "SELECT count(*) FROM cards WHERE state = 9") == 0
    conn = sqlite3.connect(path)
    conn.execute("DELETE FROM notes WHERE guid = 'x'")
    conn.commit()
    conn.close()
    assert run(data_dir, "check") == 0


@pytest.mark.parametrize(
    "args",
    [["restore", "BACKUP"], ["check"], ["optimise", "--apply"]],
)
def test_writing_commands_refuse_while_the_app_holds_the_lock(data_dir, capsys, args):
    path = collection_path(data_dir)
    run(data_dir, "backup")
    [info] = list_backups(backup_folder(path))
    args = [str(info.path) if a == "BACKUP" else a for a in args]
    before = path.read_bytes()
    with acquire_writer_lock(path):  # stands in for the running app
        code = run(data_dir, *args)
    err = capsys.readouterr().err
    assert code == 1
    assert "The app has this collection open" in err
    assert path.read_bytes() == before


def test_reading_commands_work_while_the_app_holds_the_lock(data_dir, capsys):
    path = collection_path(data_dir)
    with acquire_writer_lock(path):
        assert run(data_dir, "backup") == 0
        assert run(data_dir, "backup", "--list") == 0
        assert run(data_dir, "check", "--no-repair") == 0
