"""File → Restore backup…, Tools → Check database, and automatic backups while the window
is open (every 30 minutes when something changed) and when it closes.

`add_maintenance_actions(window)` wires everything into a MainWindow without editing it.

Restoring closes the app: the restored file replaces the collection the window has open, so
the window closes its collection, the backup is put in place, and the user is told to start
the app again (nothing is reopened in place).
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QEvent, QObject, QTimer
from PySide6.QtGui import QAction
from PySide6.QtWidgets import (
    QAbstractItemView,
    QApplication,
    QDialog,
    QDialogButtonBox,
    QLabel,
    QMenu,
    QMessageBox,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from studyapp.core.backup import (
    BackupInfo,
    backup_folder,
    list_backups,
    maybe_backup,
    restore_backup,
)
from studyapp.core.check import CheckReport, check_database
from studyapp.core.errors import UserError

BACKUP_INTERVAL_MINUTES = 30


class RestoreDialog(QDialog):
    """The backups, newest first, with their date and card/review counts."""

    def __init__(self, backups: list[BackupInfo], parent: QWidget | None = None):
        super().__init__(parent)
        self.setWindowTitle("Restore backup")
        self.backups = backups
        layout = QVBoxLayout(self)
        if backups:
            text = (
                "Choose a backup to restore. Your collection as it is now is backed up "
                "first, so this can be undone. The app closes after restoring."
            )
        else:
            text = "There are no backups yet."
        layout.addWidget(QLabel(text, wordWrap=True))
        self.tree = QTreeWidget()
        self.tree.setHeaderLabels(["Date", "Made", "Cards", "Reviews"])
        self.tree.setRootIsDecorated(False)
        self.tree.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        for info in backups:
            cards = "unreadable" if info.cards is None else str(info.cards)
            reviews = "" if info.reviews is None else str(info.reviews)
            when = info.time.astimezone().strftime("%Y-%m-%d %H:%M")
            item = QTreeWidgetItem([when, info.reason.replace("-", " "), cards, reviews])
            self.tree.addTopLevelItem(item)
        if backups:
            self.tree.setCurrentItem(self.tree.topLevelItem(0))
        for column in range(4):
            self.tree.resizeColumnToContents(column)
        layout.addWidget(self.tree)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        self.ok_button = buttons.button(QDialogButtonBox.StandardButton.Ok)
        self.ok_button.setText("Restore…")
        self.ok_button.setEnabled(bool(backups))
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        self.tree.itemDoubleClicked.connect(self.accept)
        layout.addWidget(buttons)
        self.resize(560, 360)

    def chosen(self) -> BackupInfo | None:
        index = self.tree.indexOfTopLevelItem(self.tree.currentItem())
        return self.backups[index] if 0 <= index < len(self.backups) else None


class Maintenance(QObject):
    """Owns the actions, the backup timer and the close hook of one main window."""

    def __init__(self, window):
        super().__init__(window)
        self.window = window
        self.restored = False
        self.last_report: CheckReport | None = None
        file_menu = _find_menu(window, "File")
        self.restore_action = QAction("&Restore backup…", window)
        self.restore_action.triggered.connect(self.ask_restore)
        if file_menu is not None:
            actions = file_menu.actions()
            # before the separator that precedes Quit
            before = actions[-2] if len(actions) >= 2 else None
            file_menu.insertAction(before, self.restore_action)
        self.check_action = QAction("&Check database", window)
        self.check_action.triggered.connect(self.run_check)
        window.tools_menu.addAction(self.check_action)
        window.tools_menu.menuAction().setVisible(True)
        self.timer = QTimer(self)
        self.timer.setInterval(BACKUP_INTERVAL_MINUTES * 60 * 1000)
        self.timer.timeout.connect(self.periodic_backup)
        self.timer.start()
        window.installEventFilter(self)

    # --- automatic backups ------------------------------------------------------------------
    def _col_open(self) -> bool:
        col = self.window.col
        return col is not None and col.conn is not None and not self.restored

    def periodic_backup(self) -> Path | None:
        if not self._col_open():
            return None
        try:
            return maybe_backup(self.window.col, BACKUP_INTERVAL_MINUTES)
        except UserError as exc:
            self.window.statusBar().showMessage(f"Backup failed: {exc}", 10000)
            return None

    def backup_on_close(self) -> Path | None:
        if not self._col_open():
            return None
        try:
            return maybe_backup(self.window.col, 0, reason="close")
        except Exception:  # noqa: BLE001 - closing must never be blocked by a failed backup
            return None

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 (Qt API)
        if watched is self.window and event.type() == QEvent.Type.Close:
            self.timer.stop()
            self.backup_on_close()
        return False

    # --- restore ----------------------------------------------------------------------------
    def ask_restore(self) -> RestoreDialog:
        dialog = RestoreDialog(list_backups(backup_folder(self.window.col.path)), self.window)
        dialog.accepted.connect(lambda: self._confirm_restore(dialog.chosen()))
        self.window.dialog = dialog
        dialog.open()
        return dialog

    def _confirm_restore(self, info: BackupInfo | None) -> None:
        if info is None:
            return
        when = info.time.astimezone().strftime("%Y-%m-%d %H:%M")
        box = QMessageBox(
            QMessageBox.Icon.Question,
            "Restore backup",
            f"Replace your collection with the backup from {when} "
            f"({info.cards} cards, {info.reviews} reviews)?\n\n"
            "Your collection as it is now is backed up first. The app will close; start "
            "it again to continue with the restored collection.",
            QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.Cancel,
            self.window,
        )
        box.buttonClicked.connect(
            lambda button: (
                box.standardButton(button) == QMessageBox.StandardButton.Yes
                and self.restore(info.path)
            )
        )
        self.window.dialog = box
        box.open()

    def restore(self, backup_path: Path) -> Path | None:
        """Close the collection, put the backup in place, tell the user, close the app."""
        window = self.window
        if window.task is not None:
            window.show_error(
                "Cannot restore now", UserError("Wait for the running task to finish first.")
            )
            return None
        col = window.col
        now = col.now()
        path = col.path
        if hasattr(window, "study"):
            window.study.stop()
        col.close()
        self.restored = True
        try:
            safety = restore_backup(path, backup_path, now=now)
        except UserError as exc:
            # the collection is untouched: open it again so the window keeps working
            self.restored = False
            from studyapp.core.collection import Collection

            fresh = Collection(path, clock=col.clock)
            col.conn, col.db = fresh.conn, fresh.db
            col._config_cache.clear()
            window.show_error("Restore failed", exc)
            return None
        text = "The backup was restored. The app will now close; start it again to continue." + (
            f"\n\nYour collection as it was is saved in {safety}." if safety else ""
        )
        box = QMessageBox(QMessageBox.Icon.Information, "Backup restored", text)
        box.finished.connect(_quit_app)
        self.done_box = window.dialog = box
        window.close()
        box.open()
        return safety

    # --- check ------------------------------------------------------------------------------
    def run_check(self) -> None:
        def work(col, progress, cancelled):
            return check_database(col, repair=True)

        self.window.run_task("Checking the database…", work, self._check_done)

    def _check_done(self, report: CheckReport | None, error: BaseException | None) -> None:
        if error is not None:
            self.window.show_error("Check database", error)
            return
        assert report is not None
        self.last_report = report
        icon = QMessageBox.Icon.Information if report.ok else QMessageBox.Icon.Warning
        box = QMessageBox(icon, "Check database", report.text(), parent=self.window)
        self.window.dialog = box
        box.open()
        if report.repaired:
            self.window.collection_changed.emit()


def _quit_app() -> None:
    app = QApplication.instance()
    if app is not None:
        app.quit()


def _find_menu(window, name: str) -> QMenu | None:
    for action in window.menuBar().actions():
        menu = action.menu()
        if menu is not None and action.text().replace("&", "") == name:
            return menu
    return None


def add_maintenance_actions(window) -> Maintenance:
    """Add Restore backup…, Check database, the backup timer and the close backup."""
    existing = getattr(window, "maintenance", None)
    if isinstance(existing, Maintenance):
        return existing
    window.maintenance = Maintenance(window)
    return window.maintenance
