"""Start the desktop app."""

from __future__ import annotations

import sys

from PySide6.QtWidgets import QApplication, QMessageBox

from studyapp.core.collection import Collection
from studyapp.core.errors import UserError
from studyapp.core.paths import collection_path

APP_NAME = "studyapp"
ORG_NAME = "CodingStudyCompanion"


def make_application(argv: list[str] | None = None) -> QApplication:
    app = QApplication.instance() or QApplication(argv if argv is not None else sys.argv)
    app.setApplicationName(APP_NAME)
    app.setOrganizationName(ORG_NAME)
    app.setApplicationDisplayName("Coding Study Companion")
    from studyapp.gui.main_window import load_stylesheet

    app.setStyleSheet(load_stylesheet())
    return app  # type: ignore[return-value]


def run_app(data_dir: str | None = None) -> int:
    app = make_application()
    from studyapp.core.backup import install_hooks
    from studyapp.core.lock import acquire_writer_lock
    from studyapp.gui.single_instance import SingleInstance, forward_to_running

    install_hooks()
    path = collection_path(data_dir)
    if forward_to_running(path):  # already open: the running app comes to the front
        return 0
    lock = None
    try:
        lock = acquire_writer_lock(path)  # held for the app's lifetime: one writer
        col = Collection(path)
    except UserError as exc:
        if lock is not None:
            lock.release()
        QMessageBox.critical(None, "Cannot open your collection", str(exc))
        return 1
    from studyapp.core import shipped
    from studyapp.gui.main_window import MainWindow

    window = MainWindow(col)
    window.show()
    instance = SingleInstance(path)
    instance.listen(window)
    if shipped.needs_first_start(col):
        window.first_start()
    try:
        return app.exec()
    finally:
        instance.close()
        col.close()
        lock.release()
