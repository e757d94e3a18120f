"""File → Restore backup…, Tools → Check database, automatic backups, single instance."""

from __future__ import annotations

from PySide6.QtWidgets import QMessageBox, QWidget

from studyapp.core.backup import backup_folder, list_backups, make_backup
from studyapp.gui.maintenance import RestoreDialog, add_maintenance_actions
from studyapp.gui.single_instance import SingleInstance, forward_to_running, server_name
from tests.helpers import add_basic


def menu_texts(menu):
    return [a.text().replace("&", "") for a in menu.actions()]


def backups(col):
    return list_backups(backup_folder(col.path))


def test_actions_are_added_once(window):
    m = add_maintenance_actions(window)
    assert add_maintenance_actions(window) is m
    file_menu = window.menuBar().actions()[0].menu()
    texts = menu_texts(file_menu)
    assert texts.count("Restore backup…") == 1
    assert texts[-1] == "Quit"
    assert menu_texts(window.tools_menu).count("Check database") == 1
    assert window.tools_menu.menuAction().isVisible()
    assert m.timer.isActive() and m.timer.interval() == 30 * 60 * 1000


def test_periodic_and_close_backups(window, col, clock):
    m = add_maintenance_actions(window)
    add_basic(col, "D", 2)
    assert m.periodic_backup() is not None
    clock.advance(minutes=5)
    assert m.periodic_backup() is None  # too soon
    add_basic(col, "D", 1)
    window.close()  # closing backs up what changed since
    infos = backups(col)
    assert [i.reason for i in infos] == ["close", "periodic"]
    assert infos[0].cards == 3
    assert not m.timer.isActive()


def test_restore_dialog_lists_counts_and_restores(window, col, clock, qtbot, shoot):
    m = add_maintenance_actions(window)
    add_basic(col, "D", 2)
    old = make_backup(col, "manual")
    clock.advance(hours=2)
    add_basic(col, "D", 5)
    make_backup(col, "periodic")
    dialog = m.ask_restore()
    assert isinstance(dialog, RestoreDialog)
    items = [dialog.tree.topLevelItem(i) for i in range(dialog.tree.topLevelItemCount())]
    assert [(it.text(1), it.text(2), it.text(3)) for it in items] == [
        ("periodic", "7", "0"),
        ("manual", "2", "0"),
    ]
    shoot(dialog, "restore-backup-dialog")
    dialog.tree.setCurrentItem(items[1])
    dialog.accept()
    box = window.dialog
    assert isinstance(box, QMessageBox) and "2 cards" in box.text()
    box.button(QMessageBox.StandardButton.Yes).click()
    assert col.conn is None  # the window let go of the collection
    assert not window.isVisible()
    assert "start it again" in m.done_box.text()
    assert m.backup_on_close() is None
    from studyapp.core.collection import Collection

    with Collection(col.path, clock=clock) as again:
        assert again.conn.execute("SELECT count(*) FROM notes").fetchone()[0] == 2
    reasons = [i.reason for i in backups(col)]
    assert "before-restore" in reasons
    assert old.exists()
    m.done_box.close()


def test_restore_cancelled_changes_nothing(window, col):
    m = add_maintenance_actions(window)
    add_basic(col, "D", 2)
    make_backup(col, "manual")
    add_basic(col, "D", 1)
    m.ask_restore().accept()
    window.dialog.button(QMessageBox.StandardButton.Cancel).click()
    assert col.conn.execute("SELECT count(*) FROM notes").fetchone()[0] == 3


def test_empty_backup_list(window):
    m = add_maintenance_actions(window)
    dialog = m.ask_restore()
    assert not dialog.ok_button.isEnabled()
    dialog.reject()


def test_check_database_runs_in_background_and_shows_report(window, col, qtbot):
    m = add_maintenance_actions(window)
    add_basic(col, "D", 3)
    col.conn.execute("UPDATE cards SET state = 9")
    with qtbot.waitSignal(window.task_finished, timeout=10000):
        m.check_action.trigger()
    box = window.dialog
    assert isinstance(box, QMessageBox)
    assert "Reset 3 cards" in box.text()
    assert m.last_report is not None and m.last_report.ok
    assert col.conn.execute("SELECT count(*) FROM cards WHERE state = 9").fetchone()[0] == 0
    box.close()


def test_single_instance_raises_the_running_window(qtbot, tmp_path):
    path = tmp_path / "collection.sqlite"
    assert server_name(path) == server_name(tmp_path / "." / "collection.sqlite")
    assert server_name(path) != server_name(tmp_path / "other.sqlite")
    assert not forward_to_running(path)  # nobody running yet
    widget = QWidget()
    qtbot.addWidget(widget)
    widget.show()
    widget.showMinimized()
    running = SingleInstance(path)
    assert running.listen(widget)
    try:
        with qtbot.waitSignal(running.raise_requested, timeout=5000):
            assert forward_to_running(path)
        assert not widget.isMinimized()
    finally:
        running.close()
    assert not forward_to_running(path)
