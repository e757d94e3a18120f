"""The main window: deck list and study screen, menus, import/export, first start."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QByteArray, QSettings, Qt, Signal
from PySide6.QtGui import QAction, QCloseEvent, QDragEnterEvent, QDropEvent, QKeySequence
from PySide6.QtWidgets import QFileDialog, QMainWindow, QMessageBox, QStackedWidget, QToolBar

from studyapp import __version__
from studyapp.core import decks
from studyapp.core.collection import Collection
from studyapp.core.errors import InvalidFile, UserError
from studyapp.core.importing import Cancelled, UpdatePlan, apply_plan, plan_import, read_deck_file
from studyapp.core.paths import resources_dir
from studyapp.gui.deck_list import DeckListPage
from studyapp.gui.dialogs import FirstStartDialog, ImportPreviewDialog, ProblemsDialog
from studyapp.gui.study_page import StudyPage
from studyapp.gui.tasks import BackgroundTask

DECK_FILE_FILTER = "Deck files (*.toml *.csv *.tsv);;All files (*)"
IMPORTABLE = (".toml", ".csv", ".tsv")

SHORTCUTS_HTML = """
<h3>Keyboard shortcuts</h3>
<table>
<tr><td><b>Enter</b> / double-click</td><td>study the selected deck</td></tr>
<tr><td><b>Space</b> or <b>Enter</b></td><td>show the answer (typed cards: check)</td></tr>
<tr><td><b>1 2 3 4</b></td><td>Again, Hard, Good, Easy (choice cards: pick an option)</td></tr>
<tr><td><b>Ctrl+Z</b></td><td>undo the last answer</td></tr>
<tr><td><b>Esc</b></td><td>back to the deck list</td></tr>
<tr><td><b>Ctrl+O</b> / <b>Ctrl+E</b></td><td>import / export a deck file</td></tr>
<tr><td><b>Ctrl+Shift+E</b></td><td>export to Anki</td></tr>
</table>
"""


class MainWindow(QMainWindow):
    collection_changed = Signal()
    task_finished = Signal(object, object)  # result, error of the last background task

    def __init__(self, col: Collection):
        super().__init__()
        self.col = col
        self.setWindowTitle("Coding Study Companion")
        self.setAcceptDrops(True)
        self.deck_list = DeckListPage(col)
        self.study = StudyPage(col)
        self.pages = QStackedWidget()
        self.pages.addWidget(self.deck_list)
        self.pages.addWidget(self.study)
        self.setCentralWidget(self.pages)
        self.deck_list.study_requested.connect(self.start_study)
        self.study.back_requested.connect(self.show_decks)
        self.study.answered.connect(self.collection_changed)
        self.collection_changed.connect(self._on_changed)
        self.task: BackgroundTask | None = None
        self.dialog = None  # the last dialog opened (tests look at it)
        self._build_actions()
        self._add_feature_menus()
        self._restore_window()
        self.deck_list.refresh()

    # --- menus ------------------------------------------------------------------------------
    def _action(self, text: str, slot, shortcut=None, menu=None) -> QAction:
        action = QAction(text, self)
        if shortcut is not None:
            action.setShortcut(QKeySequence(shortcut))
        action.triggered.connect(slot)
        if menu is not None:
            menu.addAction(action)
        return action

    def _build_actions(self) -> None:
        bar = self.menuBar()
        file_menu = bar.addMenu("&File")
        self.import_action = self._action(
            "&Import deck…", self.ask_import, QKeySequence.StandardKey.Open, file_menu
        )
        self.export_action = self._action(
            "&Export deck…", self.ask_export_deck, "Ctrl+E", file_menu
        )
        self.anki_action = self._action(
            "Export to &Anki…", self.ask_export_anki, "Ctrl+Shift+E", file_menu
        )
        file_menu.addSeparator()
        self._action("&Quit", self.close, QKeySequence.StandardKey.Quit, file_menu)
        edit_menu = bar.addMenu("&Edit")
        self.undo_action = self._action(
            "&Undo answer", self.undo_answer, QKeySequence.StandardKey.Undo, edit_menu
        )
        self.tools_menu = bar.addMenu("&Tools")
        self.tools_menu.menuAction().setVisible(False)  # filled by later screens
        help_menu = bar.addMenu("&Help")
        self._action("&Keyboard shortcuts", self.show_shortcuts, "F1", help_menu)
        self._action("&Deck format…", self.show_format_help, None, help_menu)
        self._action("&About", self.show_about, None, help_menu)
        toolbar = QToolBar("Main")
        toolbar.setObjectName("mainToolbar")
        self.study_action = self._action("Study", self.deck_list._study_selected)
        for action in (self.study_action, self.import_action, self.export_action, self.anki_action):
            toolbar.addAction(action)
        self.addToolBar(toolbar)

    def _add_feature_menus(self) -> None:
        from studyapp.gui.maintenance import add_maintenance_actions
        from studyapp.gui.practice import add_practice_actions
        from studyapp.gui.tools import add_tools_actions

        add_tools_actions(self)
        add_practice_actions(self)
        add_maintenance_actions(self)

    # --- pages ------------------------------------------------------------------------------
    def start_study(self, deck_id: int) -> None:
        self.study.start(deck_id, decks.get(self.col, deck_id).name)
        self.pages.setCurrentWidget(self.study)
        self.study.setFocus()

    def show_decks(self) -> None:
        self.study.stop()
        self.pages.setCurrentWidget(self.deck_list)
        self.deck_list.refresh()
        self.deck_list.tree.setFocus()

    def undo_answer(self) -> None:
        if self.pages.currentWidget() is self.study and self.study.undo():
            self.statusBar().showMessage("Answer undone.", 3000)
        else:
            self.statusBar().showMessage("Nothing to undo.", 3000)

    def _on_changed(self) -> None:
        if self.pages.currentWidget() is self.deck_list:
            self.deck_list.refresh()

    # --- background work --------------------------------------------------------------------
    def run_task(self, label: str, work, on_done) -> BackgroundTask:
        task = BackgroundTask(self, self.col, label, work)

        def finished(result, error):
            self.task = None
            on_done(result, error)
            self.task_finished.emit(result, error)

        task.done.connect(finished)
        self.task = task
        task.start()
        return task

    def show_error(self, title: str, error: BaseException) -> None:
        if isinstance(error, InvalidFile):
            self.dialog = ProblemsDialog(title, error.problems, self)
            self.dialog.open()
        elif isinstance(error, UserError):
            self.dialog = QMessageBox(QMessageBox.Icon.Warning, title, str(error), parent=self)
            self.dialog.open()
        else:
            raise error

    # --- import -----------------------------------------------------------------------------
    def ask_import(self) -> None:
        path, _ = QFileDialog.getOpenFileName(self, "Import deck", "", DECK_FILE_FILTER)
        if path:
            self.import_file(path)

    def import_file(self, path: str | Path) -> None:
        """Read and plan in the background, then show the preview; nothing changes until OK."""

        def work(col, progress, cancelled):
            return plan_import(col, read_deck_file(path))

        def done(plan: UpdatePlan | None, error):
            if error is not None:
                self.show_error(f"Cannot import {Path(path).name}", error)
                return
            self.dialog = ImportPreviewDialog(plan, self)
            self.dialog.accepted.connect(
                lambda d=self.dialog: self._apply_import(d.plan, d.take_theirs())
            )
            self.dialog.open()

        self.run_task(f"Reading {Path(path).name}…", work, done)

    def _apply_import(self, plan: UpdatePlan, take_theirs: set[tuple[int, str]]) -> None:
        if not plan.has_changes:
            return

        def work(col, progress, cancelled):
            return apply_plan(
                col, plan, take_theirs=take_theirs, progress=progress, cancelled=cancelled
            )

        def done(result, error):
            if isinstance(error, Cancelled):
                self.statusBar().showMessage(str(error), 5000)
            elif error is not None:
                self.show_error("Import failed", error)
            else:
                self.statusBar().showMessage(
                    f"Imported {plan.spec.name}: {len(plan.new)} new, {len(plan.changed)} changed.",
                    5000,
                )
            self.collection_changed.emit()

        self.run_task(f"Importing {plan.spec.name}…", work, done)

    def dragEnterEvent(self, event: QDragEnterEvent) -> None:  # noqa: N802 (Qt API)
        if any(url.toLocalFile().lower().endswith(IMPORTABLE) for url in event.mimeData().urls()):
            event.acceptProposedAction()

    def dropEvent(self, event: QDropEvent) -> None:  # noqa: N802 (Qt API)
        for url in event.mimeData().urls():
            if url.toLocalFile().lower().endswith(IMPORTABLE):
                self.import_file(url.toLocalFile())
                break

    # --- export -----------------------------------------------------------------------------
    def _selected_deck(self) -> int | None:
        deck_id = self.deck_list.selected_deck_id()
        if deck_id is None:
            self.dialog = QMessageBox(
                QMessageBox.Icon.Information,
                "Export",
                "Select a deck in the deck list first.",
                parent=self,
            )
            self.dialog.open()
        return deck_id

    def ask_export_deck(self) -> None:
        deck_id = self._selected_deck()
        if deck_id is None:
            return
        name = decks.get(self.col, deck_id).name.replace("::", " - ")
        path, _ = QFileDialog.getSaveFileName(
            self, "Export deck", f"{name}.toml", "Deck files (*.toml)"
        )
        if path:
            self.export_deck_to(deck_id, path)

    def export_deck_to(self, deck_id: int, path: str | Path) -> None:
        from studyapp.core.exporting import export_deck_file

        def work(col, progress, cancelled):
            return export_deck_file(col, deck_id, path)

        def done(spec, error):
            if error is not None:
                self.show_error("Export failed", error)
            else:
                self.statusBar().showMessage(f"Exported {len(spec.notes)} notes to {path}", 5000)

        self.run_task("Exporting…", work, done)

    def ask_export_anki(self) -> None:
        deck_id = self._selected_deck()
        if deck_id is None:
            return
        name = decks.get(self.col, deck_id).name.replace("::", " - ")
        path, _ = QFileDialog.getSaveFileName(
            self, "Export to Anki", f"{name}.apkg", "Anki packages (*.apkg)"
        )
        if path:
            self.export_anki_to([deck_id], path)

    def export_anki_to(self, deck_ids: list[int] | None, path: str | Path) -> None:
        def work(col, progress, cancelled):
            from studyapp.core.anki_export import export_apkg

            return export_apkg(col, deck_ids, path, progress=progress, cancelled=cancelled)

        def done(result, error):
            if error is not None:
                self.show_error("Export to Anki failed", error)
            else:
                self.statusBar().showMessage(f"Exported {result.notes} notes to {path}", 5000)

        self.run_task("Exporting to Anki…", work, done)

    # --- first start ------------------------------------------------------------------------
    def first_start(self) -> None:
        from studyapp.core import shipped

        self.dialog = FirstStartDialog(shipped.list_shipped(), self)

        def load(dialog=self.dialog):
            paths = [Path(p) for p in dialog.chosen_paths()]

            def work(col, progress, cancelled):
                return shipped.load_shipped(col, paths, progress=progress)

            def done(result, error):
                if error is not None:
                    self.show_error("Loading the decks failed", error)
                self.deck_list.welcome_text = (
                    "<b>Your decks are ready.</b> Select one and press <b>Study</b> or Enter. "
                    "Space shows the answer; 1–4 grade it."
                )
                self.collection_changed.emit()

            self.run_task("Loading decks…", work, done)

        self.dialog.accepted.connect(load)
        self.dialog.rejected.connect(lambda: self.col.config_set(shipped.OFFERED_KEY, True))
        self.dialog.open()

    # --- help -------------------------------------------------------------------------------
    def show_shortcuts(self) -> None:
        self.dialog = QMessageBox(
            QMessageBox.Icon.NoIcon, "Keyboard shortcuts", SHORTCUTS_HTML, parent=self
        )
        self.dialog.open()

    def show_format_help(self) -> None:
        spec = resources_dir() / "deck-format.md"
        text = (
            spec.read_text(encoding="utf-8")
            if spec.exists()
            else "The deck format guide is missing."
        )
        self.dialog = QMessageBox(QMessageBox.Icon.NoIcon, "Deck format", "", parent=self)
        self.dialog.setTextFormat(Qt.TextFormat.MarkdownText)
        self.dialog.setText(text)
        self.dialog.open()

    def show_about(self) -> None:
        self.dialog = QMessageBox(
            QMessageBox.Icon.Information,
            "About",
            f"<b>Coding Study Companion</b> {__version__}<br/>Spaced-repetition study for medical "
            "coding exams.<br/>ICD-10-CM, ICD-10-PCS and HCPCS Level II are public-domain code sets. "
            "CPT® is a registered trademark of the American Medical Association; this app ships CPT "
            "section names and ranges only.",
            parent=self,
        )
        self.dialog.open()

    # --- window state -----------------------------------------------------------------------
    def _restore_window(self) -> None:
        settings = QSettings()
        geometry = settings.value("window/geometry")
        if isinstance(geometry, QByteArray) and not geometry.isEmpty():
            self.restoreGeometry(geometry)
        else:
            self.resize(1100, 720)
        state = settings.value("window/state")
        if isinstance(state, QByteArray) and not state.isEmpty():
            self.restoreState(state)

    def closeEvent(self, event: QCloseEvent) -> None:  # noqa: N802 (Qt API)
        settings = QSettings()
        settings.setValue("window/geometry", self.saveGeometry())
        settings.setValue("window/state", self.saveState())
        super().closeEvent(event)


def load_stylesheet() -> str:
    path = resources_dir() / "app.qss"
    return path.read_text(encoding="utf-8") if path.exists() else ""
