"""Import with preview, import errors, export (deck file and Anki), and the first start."""

from __future__ import annotations

from PySide6.QtCore import QMimeData, QPoint, Qt, QUrl
from PySide6.QtGui import QDropEvent

from studyapp.core import decks
from studyapp.gui.dialogs import FirstStartDialog, ImportPreviewDialog, ProblemsDialog
from tests.cli.test_deck_commands import write
from tests.gui.conftest import add_study_notes


def wait_for_task(qtbot, window):
    qtbot.waitUntil(lambda: window.task is None, timeout=20000)


def note_count(col):
    return col.conn.execute("SELECT count(*) FROM notes").fetchone()[0]


def test_import_shows_preview_then_applies(window, col, qtbot, tmp_path, shoot):
    path = write(tmp_path)
    window.import_file(path)
    qtbot.waitUntil(lambda: isinstance(window.dialog, ImportPreviewDialog), timeout=20000)
    preview = window.dialog
    assert note_count(col) == 0  # nothing changes before OK
    assert preview.plan.installed_version is None and len(preview.plan.new) == 2
    shoot(preview, "import-preview")
    preview.accept()
    qtbot.waitUntil(lambda: note_count(col) == 2, timeout=20000)
    wait_for_task(qtbot, window)
    assert window.deck_list.model.item(0, 0).text() == "Course"


def test_update_preview_lists_changes_and_conflict_choice(window, col, qtbot, tmp_path, shoot):
    from studyapp.core import notes

    window.import_file(write(tmp_path))
    qtbot.waitUntil(lambda: isinstance(window.dialog, ImportPreviewDialog), timeout=20000)
    window.dialog.accept()
    qtbot.waitUntil(lambda: note_count(col) == 2, timeout=20000)
    wait_for_task(qtbot, window)
    note_id = col.conn.execute("SELECT id FROM notes WHERE source_note_id = 'a'").fetchone()[0]
    notes.update(col, note_id, {"front": "NEC", "back": "my wording"})

    window.import_file(write(tmp_path, "1.1.0", back="Not elsewhere classified"))
    qtbot.waitUntil(
        lambda: (
            isinstance(window.dialog, ImportPreviewDialog) and bool(window.dialog.plan.conflicts)
        ),
        timeout=20000,
    )
    preview = window.dialog
    assert [n.id for _, n in preview.plan.changed] == ["a"]
    assert preview.conflicts.rowCount() == 1
    shoot(preview, "import-update-preview")
    preview.conflict_boxes[0].setChecked(True)  # take the author's text
    preview.accept()
    qtbot.waitUntil(
        lambda: notes.get(col, note_id).fields["back"] == "Not elsewhere classified", timeout=20000
    )
    wait_for_task(qtbot, window)


def test_import_with_errors_lists_them_and_changes_nothing(window, col, qtbot, tmp_path, shoot):
    bad = tmp_path / "bad.csv"
    bad.write_text("front,back\nE11.9,diabetes\n,missing front\n", encoding="utf-8")
    window.import_file(bad)
    qtbot.waitUntil(lambda: isinstance(window.dialog, ProblemsDialog), timeout=20000)
    text = window.dialog.text.toPlainText()
    assert "bad.csv:3" in text
    shoot(window.dialog, "import-errors")
    assert note_count(col) == 0


def test_drop_a_deck_file_imports_it(window, col, qtbot, tmp_path):
    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(str(write(tmp_path)))])
    event = QDropEvent(
        QPoint(10, 10),
        Qt.DropAction.CopyAction,
        mime,
        Qt.MouseButton.LeftButton,
        Qt.KeyboardModifier.NoModifier,
    )
    window.dropEvent(event)
    qtbot.waitUntil(lambda: isinstance(window.dialog, ImportPreviewDialog), timeout=20000)


def test_export_deck_file_and_anki(window, col, qtbot, tmp_path):
    add_study_notes(col)
    deck_id = decks.by_name(col, "Practice").id
    target = tmp_path / "practice.toml"
    window.export_deck_to(deck_id, target)
    wait_for_task(qtbot, window)
    assert target.exists() and "Practice" in target.read_text()
    apkg = tmp_path / "practice.apkg"
    window.export_anki_to([deck_id], apkg)
    wait_for_task(qtbot, window)
    assert apkg.exists() and apkg.stat().st_size > 0


def test_export_to_unwritable_place_shows_error(window, col, qtbot, tmp_path):
    add_study_notes(col)
    blocker = tmp_path / "file"
    blocker.write_text("x")
    window.export_anki_to(None, blocker / "out.apkg")
    wait_for_task(qtbot, window)
    assert "Cannot write" in window.dialog.text()
    assert not (tmp_path / "file").is_dir()


def test_first_start_offers_all_shipped_decks(window, col, qtbot, shoot):
    window.first_start()
    dialog = window.dialog
    assert isinstance(dialog, FirstStartDialog)
    assert dialog.list.count() >= 12 and len(dialog.chosen_paths()) == dialog.list.count()
    shoot(dialog, "first-start")
    dialog.accept()
    qtbot.waitUntil(lambda: window.deck_list.model.rowCount() >= 5, timeout=30000)
    wait_for_task(qtbot, window)
    assert "Your decks are ready" in window.deck_list.message.text()
    shoot(window, "deck-list-shipped")
