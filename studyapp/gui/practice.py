"""The Practice menu: mock exams, code-location drills, resuming an unfinished exam, history.

MainWindow calls `add_practice_actions(self)` once; everything else lives here, in
exam_page.py and drill_page.py, in windows of their own.
"""

from __future__ import annotations

from PySide6.QtGui import QAction
from PySide6.QtWidgets import QMenu, QMessageBox

from studyapp.core import drills, exams
from studyapp.core.errors import UserError


class Practice:
    """The Practice menu's actions and the windows they open (kept alive here)."""

    def __init__(self, window):
        self.window = window
        self.col = window.col
        self.exam_window = None
        self.drill_window = None
        self.dialog = None  # the last dialog opened (tests look at it)
        bar = window.menuBar()
        self.menu = QMenu("&Practice", bar)
        help_menu = next((a for a in bar.actions() if a.text().replace("&", "") == "Help"), None)
        if help_menu is not None:  # keep Help last
            bar.insertMenu(help_menu, self.menu)
        else:
            bar.addMenu(self.menu)
        self.exam_action = self._add("&Mock exam…", self.ask_exam, "Ctrl+Shift+M")
        self.resume_action = self._add("&Resume exam", self.resume_exam, None)
        self.drill_action = self._add("Code-location &drill…", self.ask_drill, "Ctrl+Shift+D")
        self.menu.addSeparator()
        self.history_action = self._add("Exam &history…", self.show_history, None)
        self.menu.aboutToShow.connect(self.refresh)
        self.refresh()

    def _add(self, text: str, slot, shortcut) -> QAction:
        action = QAction(text, self.window)
        if shortcut:
            action.setShortcut(shortcut)
        action.triggered.connect(lambda _=False: slot())
        self.menu.addAction(action)
        return action

    def refresh(self) -> None:
        resumable = exams.resumable_attempt(self.col)
        self.resume_action.setVisible(resumable is not None)
        self.resume_action.setEnabled(resumable is not None)

    # --- exams --------------------------------------------------------------------------
    def ask_exam(self) -> None:
        """Open the setup dialog, first offering to resume an unfinished exam if there is one."""
        if exams.resumable_attempt(self.col) is None:
            self._exam_setup()
            return
        box = QMessageBox(
            QMessageBox.Icon.Question,
            "Unfinished exam",
            "You have an unfinished exam. Resume it, or discard it and start a new one?",
            QMessageBox.StandardButton.Yes
            | QMessageBox.StandardButton.Discard
            | QMessageBox.StandardButton.Cancel,
            self.window,
        )
        box.button(QMessageBox.StandardButton.Yes).setText("Resume")
        box.button(QMessageBox.StandardButton.Discard).setText("Discard and start new")
        self.dialog = box

        def answered(_code: int) -> None:
            clicked = box.clickedButton()
            if clicked is box.button(QMessageBox.StandardButton.Yes):
                self.resume_exam()
            elif clicked is box.button(QMessageBox.StandardButton.Discard):
                attempt = exams.resumable_attempt(self.col)
                if attempt is not None:
                    exams.abandon(self.col, attempt)
                self.refresh()
                self._exam_setup()

        box.finished.connect(answered)
        box.open()

    def _exam_setup(self) -> None:
        from studyapp.gui.exam_page import ExamSetupDialog

        dialog = ExamSetupDialog(self.col, self.window)
        self.dialog = dialog
        dialog.accepted.connect(lambda: self.start_exam(dialog.profile()))
        dialog.open()

    def start_exam(self, profile: exams.Profile, seed: int | None = None):
        from studyapp.gui.exam_page import start_exam

        try:
            attempt = start_exam(self.col, profile, seed)
        except UserError as error:
            self.window.show_error("Cannot start the exam", error)
            return None
        return self.open_exam(attempt)

    def open_exam(self, attempt_id: int):
        from studyapp.gui.exam_page import ExamWindow

        if self.exam_window is not None and self.exam_window.isVisible():
            self.exam_window.close()
        # a child of the main window (as a separate window), so it closes with the app
        self.exam_window = ExamWindow(self.col, attempt_id, self.window)
        self.exam_window.finished.connect(lambda _r: self._exam_finished())
        self.exam_window.resize(1000, 700)
        self.exam_window.show()
        self.exam_window.activateWindow()
        self.refresh()
        return self.exam_window

    def _exam_finished(self) -> None:
        self.refresh()
        self.window.collection_changed.emit()

    def resume_exam(self):
        attempt = exams.resumable_attempt(self.col)
        if attempt is None:
            self.window.statusBar().showMessage("There is no unfinished exam.", 3000)
            return None
        win = self.open_exam(attempt)
        if win.remaining() <= 0:
            win.submit(auto=True)
        return win

    def show_history(self) -> None:
        from studyapp.gui.exam_page import HistoryDialog

        self.dialog = HistoryDialog(self.col, self.window)
        self.dialog.resize(700, 560)
        self.dialog.open()

    # --- drills -------------------------------------------------------------------------
    def ask_drill(self) -> None:
        if drills.data_loaded():
            self._drill_setup(drills.load_data())
            return

        def work(col, progress, cancelled):
            return drills.load_data()

        def done(data, error):
            if error is not None:
                self.window.show_error("Cannot load the ICD-10-CM data", error)
            elif data is not None:
                self._drill_setup(data)

        self.window.run_task("Loading the ICD-10-CM code set…", work, done)

    def _drill_setup(self, data: drills.DrillData) -> None:
        from studyapp.gui.drill_page import DrillSetupDialog

        dialog = DrillSetupDialog(self.col, data, self.window)
        self.dialog = dialog

        def start() -> None:
            focus, kind = dialog.choice()
            self.open_drill(data, focus, kind)

        dialog.accepted.connect(start)
        dialog.open()

    def open_drill(self, data: drills.DrillData, focus=None, kind: str = "mixed", seed=None):
        from studyapp.gui.drill_page import ANY, DrillWindow

        if self.drill_window is not None and self.drill_window.isVisible():
            self.drill_window.close()
        self.drill_window = DrillWindow(self.col, data, focus or ANY, kind, seed, self.window)
        self.drill_window.show()
        self.drill_window.activateWindow()
        return self.drill_window


def add_practice_actions(window) -> Practice:
    """Add the Practice menu to a MainWindow; the Practice object is kept on window.practice."""
    practice = Practice(window)
    window.practice = practice
    return practice
