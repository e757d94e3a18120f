"""The Browse window: search every card, edit notes, manage decks, undo edits (Ctrl+Z).

All queries go through studyapp.core.search and every change through studyapp.core.editing;
this module only shows them. The undo stack lives as long as the window.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from PySide6.QtCore import (
    QAbstractTableModel,
    QItemSelectionModel,
    QModelIndex,
    QPersistentModelIndex,
    Qt,
    QTimer,
)
from PySide6.QtGui import QAction, QCloseEvent, QColor, QKeySequence
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QGridLayout,
    QHBoxLayout,
    QHeaderView,
    QInputDialog,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QMainWindow,
    QPlainTextEdit,
    QPushButton,
    QSpinBox,
    QSplitter,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from studyapp.core import decks, notes, search
from studyapp.core.collection import Collection
from studyapp.core.editing import Editor, NoteProblems, field_text
from studyapp.core.errors import UserError
from studyapp.core.model import INT_FIELDS, KIND_FIELDS, KINDS, LIST_FIELDS, allowed_fields
from studyapp.core.search import CardRow
from studyapp.gui.ask import confirm, reuse_or_create

if TYPE_CHECKING:
    from studyapp.gui.main_window import MainWindow

PAGE = 500
SEARCH_DELAY_MS = 250
COLUMNS: tuple[tuple[str, str], ...] = (
    ("Front", "front"),
    ("Answer / code", "answer"),
    ("Deck", "deck"),
    ("Kind", "kind"),
    ("Due", "due"),
    ("Interval", "interval_days"),
    ("Difficulty", "difficulty"),
    ("Lapses", "lapses"),
    ("Tags", "tags"),
)
CARD_ID_ROLE = Qt.ItemDataRole.UserRole + 1
ERROR_STYLE = "color: #c0392b;"


class CardTableModel(QAbstractTableModel):
    """Search results: ids fetched in pages of PAGE rows, row data loaded a page at a time."""

    def __init__(self, col: Collection, parent: QWidget | None = None):
        super().__init__(parent)
        self.col = col
        self.ids: list[int] = []
        self.shown = 0
        self._cache: dict[int, CardRow] = {}

    def set_ids(self, ids: list[int]) -> None:
        self.beginResetModel()
        self.ids = ids
        self.shown = min(PAGE, len(ids))
        self._cache.clear()
        self.endResetModel()

    def forget(self) -> None:
        """Drop cached rows (after an edit) and repaint."""
        self._cache.clear()
        if self.shown:
            self.dataChanged.emit(self.index(0, 0), self.index(self.shown - 1, len(COLUMNS) - 1))

    # --- lazy fetching ----------------------------------------------------------------------
    def rowCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:  # noqa: B008, N802
        return 0 if parent.isValid() else self.shown

    def columnCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:  # noqa: B008, N802
        return 0 if parent.isValid() else len(COLUMNS)

    def canFetchMore(self, parent: QModelIndex | QPersistentModelIndex) -> bool:  # noqa: N802
        return not parent.isValid() and self.shown < len(self.ids)

    def fetchMore(self, parent: QModelIndex | QPersistentModelIndex) -> None:  # noqa: N802
        if parent.isValid():
            return
        more = min(PAGE, len(self.ids) - self.shown)
        if more <= 0:
            return
        self.beginInsertRows(QModelIndex(), self.shown, self.shown + more - 1)
        self.shown += more
        self.endInsertRows()

    def row(self, row: int) -> CardRow | None:
        if not 0 <= row < len(self.ids):
            return None
        card_id = self.ids[row]
        if card_id not in self._cache:
            start = row - row % PAGE
            page = self.ids[start : start + PAGE]
            for item in search.card_rows(self.col, page):
                self._cache[item.card_id] = item
        return self._cache.get(card_id)

    def data(self, index: QModelIndex | QPersistentModelIndex, role: int = 0) -> Any:
        if not index.isValid():
            return None
        item = self.row(index.row())
        if item is None:
            return None
        if role == CARD_ID_ROLE:
            return item.card_id
        if role == Qt.ItemDataRole.DisplayRole:
            value = getattr(item, COLUMNS[index.column()][1])
            if value is None:
                return ""
            if isinstance(value, float):
                return f"{value:.1f}"
            if COLUMNS[index.column()][1] == "interval_days":
                return f"{value} d"
            return str(value)
        if role == Qt.ItemDataRole.ForegroundRole and item.suspended:
            return QColor("#999999")
        if role == Qt.ItemDataRole.ToolTipRole and index.column() < 2:
            return getattr(item, COLUMNS[index.column()][1])
        return None

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = 0) -> Any:  # noqa: N802
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return COLUMNS[section][0]
        return None


class NoteForm(QWidget):
    """Editable fields for one kind of note, and its tags; shows validation problems."""

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.kind = ""
        self.inputs: dict[str, QWidget] = {}
        self.form = QFormLayout()
        self.form.setRowWrapPolicy(QFormLayout.RowWrapPolicy.WrapAllRows)
        self.tags = QLineEdit()
        self.tags.setPlaceholderText("tags separated by spaces")
        self.errors = QLabel()
        self.errors.setWordWrap(True)
        self.errors.setStyleSheet(ERROR_STYLE)
        self.errors.hide()
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(self.form)
        layout.addWidget(self.errors)

    def set_kind(self, kind: str) -> None:
        while self.form.rowCount():
            self.form.removeRow(0)
        self.tags = QLineEdit()
        self.tags.setPlaceholderText("tags separated by spaces")
        self.inputs = {}
        self.kind = kind
        required, _ = KIND_FIELDS[kind]
        for name in allowed_fields(kind):
            widget: QWidget
            if name in INT_FIELDS:
                spin = QSpinBox()
                spin.setRange(1, 5)
                widget = spin
            else:
                edit = QPlainTextEdit()
                edit.setTabChangesFocus(True)
                edit.setMaximumHeight(90 if name in required else 60)
                if name in LIST_FIELDS:
                    edit.setPlaceholderText("one per line")
                widget = edit
            widget.setObjectName(f"field_{name}")
            label = name.capitalize() + ("" if name in required else " (optional)")
            self.form.addRow(label, widget)
            self.inputs[name] = widget
        self.form.addRow("Tags", self.tags)
        self.show_problems([])

    def set_note(self, kind: str, fields: dict[str, Any], tags: list[str]) -> None:
        self.set_kind(kind)
        for name, widget in self.inputs.items():
            value = fields.get(name)
            if isinstance(widget, QSpinBox):
                widget.setValue(int(value) if isinstance(value, int) else 1)
            elif isinstance(widget, QPlainTextEdit):
                widget.setPlainText(field_text(value))
        self.tags.setText(" ".join(tags))

    def values(self) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for name, widget in self.inputs.items():
            if isinstance(widget, QSpinBox):
                out[name] = widget.value()
            elif isinstance(widget, QPlainTextEdit):
                out[name] = widget.toPlainText()
        return out

    def set_text(self, name: str, text: str) -> None:
        widget = self.inputs[name]
        if isinstance(widget, QSpinBox):
            widget.setValue(int(text))
        elif isinstance(widget, QPlainTextEdit):
            widget.setPlainText(text)

    def show_problems(self, problems: list[tuple[str | None, str]]) -> None:
        bad = {key for key, _ in problems}
        for name, widget in self.inputs.items():
            if isinstance(widget, QPlainTextEdit):  # a spin box loses its arrows with a border
                widget.setStyleSheet("border: 2px solid #c0392b;" if name in bad else "")
        self.tags.setStyleSheet("border: 2px solid #c0392b;" if "tags" in bad else "")
        self.errors.setText("\n".join(f"• {message}" for _, message in problems))
        self.errors.setVisible(bool(problems))


class AddNoteDialog(QDialog):
    """Choose a deck and a kind, fill in the fields; OK saves through the editor."""

    def __init__(self, browser: BrowserWindow, deck_id: int | None = None):
        super().__init__(browser)
        self.browser = browser
        self.note_id: int | None = None
        self.setWindowTitle("Add note")
        self.deck = QComboBox()
        for deck in decks.all_decks(browser.col):
            self.deck.addItem(deck.name, deck.id)
        if deck_id is not None:
            self.deck.setCurrentIndex(max(0, self.deck.findData(deck_id)))
        self.kind = QComboBox()
        self.kind.addItems(list(KINDS))
        self.form = NoteForm()
        self.form.set_kind(KINDS[0])
        self.kind.currentTextChanged.connect(self.form.set_kind)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel
        )
        buttons.accepted.connect(self.save)
        buttons.rejected.connect(self.reject)
        top = QFormLayout()
        top.addRow("Deck", self.deck)
        top.addRow("Kind", self.kind)
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(self.form)
        layout.addWidget(buttons)
        self.resize(480, 520)

    def save(self) -> None:
        deck_id = self.deck.currentData()
        if deck_id is None:
            self.form.show_problems(
                [(None, "Create a deck first (New deck… in the Browse window).")]
            )
            return
        try:
            self.note_id = self.browser.editor.add_note(
                int(deck_id), self.kind.currentText(), self.form.values(), self.form.tags.text()
            )
        except NoteProblems as exc:
            self.form.show_problems(exc.problems)
            return
        except UserError as exc:
            self.form.show_problems([(None, str(exc))])
            return
        self.accept()


class BrowserWindow(QMainWindow):
    """Decks on the left, search results in the middle, the selected note on the right."""

    def __init__(self, main: MainWindow):
        super().__init__(main)
        self.setWindowFlag(Qt.WindowType.Window, True)
        self.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose, True)
        self.setWindowTitle("Browse cards")
        self.main = main
        self.col = main.col
        self.editor = Editor(self.col)
        self.note_id: int | None = None
        self.last_error = ""

        # decks
        self.deck_list = QListWidget()
        self.deck_list.itemClicked.connect(self._deck_clicked)
        new_deck = QPushButton("New…")
        new_deck.setToolTip("Create a deck")
        new_deck.clicked.connect(self.ask_create_deck)
        rename_deck = QPushButton("Rename…")
        rename_deck.clicked.connect(self.ask_rename_deck)
        delete_deck = QPushButton("Delete…")
        delete_deck.clicked.connect(self.ask_delete_deck)
        deck_buttons = QGridLayout()
        deck_buttons.addWidget(new_deck, 0, 0)
        deck_buttons.addWidget(rename_deck, 0, 1)
        deck_buttons.addWidget(delete_deck, 1, 0)
        deck_panel = QWidget()
        deck_layout = QVBoxLayout(deck_panel)
        deck_layout.addWidget(QLabel("<b>Decks</b>"))
        deck_layout.addWidget(self.deck_list)
        deck_layout.addLayout(deck_buttons)

        # search and table
        self.search = QLineEdit()
        self.search.setPlaceholderText('Search: J45*  deck:"ICD-10-CM"  tag:x  is:due  -is:new …')
        self.search.setClearButtonEnabled(True)
        self.order = QComboBox()
        for label, key in (
            ("Added", "created"),
            ("Front", "sort"),
            ("Due", "due"),
            ("Deck", "deck"),
            ("Interval", "interval"),
            ("Lapses", "lapses"),
        ):
            self.order.addItem(label, key)
        self.message = QLabel()
        self.message.setWordWrap(True)
        self.model = CardTableModel(self.col, self)
        self.table = QTableView()
        self.table.setModel(self.model)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.table.setAlternatingRowColors(True)
        self.table.verticalHeader().hide()
        self.table.verticalHeader().setDefaultSectionSize(24)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        header.setStretchLastSection(True)
        for column, width in enumerate((160, 105, 160, 50, 75, 55, 65, 50)):
            self.table.setColumnWidth(column, width)
        self.table.selectionModel().selectionChanged.connect(self._selection_changed)
        self.timer = QTimer(self)
        self.timer.setSingleShot(True)
        self.timer.setInterval(SEARCH_DELAY_MS)
        self.timer.timeout.connect(self.run_search)
        self.search.textChanged.connect(lambda _text: self.timer.start())
        self.search.returnPressed.connect(self.run_search)
        self.order.currentIndexChanged.connect(lambda _i: self.run_search())
        search_row = QHBoxLayout()
        search_row.addWidget(self.search, 1)
        search_row.addWidget(QLabel("Order"))
        search_row.addWidget(self.order)
        middle = QWidget()
        middle_layout = QVBoxLayout(middle)
        middle_layout.addLayout(search_row)
        middle_layout.addWidget(self.message)
        middle_layout.addWidget(self.table, 1)

        # note editor
        self.note_title = QLabel("Select a card to edit its note.")
        self.note_title.setWordWrap(True)
        self.form = NoteForm()
        self.save_button = QPushButton("Save")
        self.save_button.setShortcut(QKeySequence("Ctrl+S"))
        self.save_button.clicked.connect(self.save_note)
        self.add_button = QPushButton("Add note…")
        self.add_button.clicked.connect(self.ask_add_note)
        self.suspend_button = QPushButton("Suspend")
        self.suspend_button.clicked.connect(self.toggle_suspend)
        self.move_button = QPushButton("Move to deck…")
        self.move_button.clicked.connect(self.ask_move)
        self.delete_button = QPushButton("Delete…")
        self.delete_button.clicked.connect(self.ask_delete_notes)
        self.undo_button = QPushButton("Undo")
        self.undo_button.clicked.connect(self.undo)
        row1 = QHBoxLayout()
        row1.addWidget(self.save_button)
        row1.addWidget(self.add_button)
        row1.addWidget(self.undo_button)
        row2 = QHBoxLayout()
        row2.addWidget(self.suspend_button)
        row2.addWidget(self.move_button)
        row2.addWidget(self.delete_button)
        side = QWidget()
        side.setMinimumWidth(320)
        side_layout = QVBoxLayout(side)
        side_layout.addWidget(self.note_title)
        side_layout.addWidget(self.form)
        side_layout.addStretch(1)
        side_layout.addLayout(row1)
        side_layout.addLayout(row2)

        splitter = QSplitter()
        splitter.addWidget(deck_panel)
        splitter.addWidget(middle)
        splitter.addWidget(side)
        splitter.setStretchFactor(1, 1)
        splitter.setSizes([170, 850, 320])
        self.setCentralWidget(splitter)

        self.undo_action = QAction("Undo", self)
        self.undo_action.setShortcut(QKeySequence.StandardKey.Undo)
        self.undo_action.setShortcutContext(Qt.ShortcutContext.WindowShortcut)
        self.undo_action.triggered.connect(self.undo)
        self.addAction(self.undo_action)
        self.resize(1340, 760)
        self._emitting = False
        main.collection_changed.connect(self._on_collection_changed)
        self.refresh_decks()
        self.run_search()
        self._update_buttons()

    def _on_collection_changed(self) -> None:
        """Another screen changed the collection (an answer, an import): show it."""
        if not self._emitting:
            self.refresh_decks()
            self.run_search()
            self.model.forget()

    # --- decks ------------------------------------------------------------------------------
    def refresh_decks(self) -> None:
        current = self.selected_deck()
        self.deck_list.clear()
        for deck in decks.all_decks(self.col):
            item = QListWidgetItem("    " * deck.depth + deck.short_name)
            item.setData(Qt.ItemDataRole.UserRole, deck.id)
            item.setToolTip(deck.name)
            self.deck_list.addItem(item)
        if current is not None:
            self.select_deck(current)

    def selected_deck(self) -> int | None:
        item = self.deck_list.currentItem()
        return None if item is None else int(item.data(Qt.ItemDataRole.UserRole))

    def select_deck(self, deck_id: int) -> None:
        for i in range(self.deck_list.count()):
            if self.deck_list.item(i).data(Qt.ItemDataRole.UserRole) == deck_id:
                self.deck_list.setCurrentRow(i)

    def _deck_clicked(self, item: QListWidgetItem) -> None:
        name = decks.get(self.col, int(item.data(Qt.ItemDataRole.UserRole))).name
        self.search.setText(f'deck:"{name}"')
        self.run_search()

    def ask_text(self, title: str, label: str, text: str = "") -> str | None:
        value, ok = QInputDialog.getText(self, title, label, text=text)
        return value if ok else None

    def confirm(self, title: str, text: str) -> bool:
        return confirm(self, title, text)

    def ask_create_deck(self) -> None:
        name = self.ask_text("New deck", 'Name (use "::" for a subdeck):')
        if name:
            self._do(lambda: self.editor.create_deck(name), "Deck created.")

    def ask_rename_deck(self) -> None:
        deck_id = self.selected_deck()
        if deck_id is None:
            self.show_message("Choose a deck in the list first.", error=True)
            return
        name = self.ask_text("Rename deck", "New name:", decks.get(self.col, deck_id).name)
        if name:
            self._do(lambda: self.editor.rename_deck(deck_id, name), "Deck renamed.")

    def ask_delete_deck(self) -> None:
        deck_id = self.selected_deck()
        if deck_id is None:
            self.show_message("Choose a deck in the list first.", error=True)
            return
        name = decks.get(self.col, deck_id).name
        count = decks.card_count(self.col, deck_id)
        text = (
            f"Delete the deck “{name}” and its subdecks? {count} card"
            f"{'' if count == 1 else 's'} and their review history will be deleted."
            " You can undo this with Ctrl+Z while this window is open."
        )
        if self.confirm("Delete deck", text):
            self._do(lambda: self.editor.delete_deck(deck_id), f"Deleted {count} cards.")

    # --- search -----------------------------------------------------------------------------
    def run_search(self) -> None:
        self.timer.stop()
        keep = self.current_card()
        try:
            ids = search.search_cards(self.col, self.search.text(), order=self.order.currentData())
        except UserError as exc:
            self.show_message(str(exc), error=True)
            return
        self.model.set_ids(ids)
        self.show_message(f"{len(ids):,} card{'' if len(ids) == 1 else 's'}")
        if keep is not None and keep in ids:
            self.select_card(keep)
        elif ids:
            self.select_row(0)
        else:
            self._show_note(None)

    def show_message(self, text: str, error: bool = False) -> None:
        self.last_error = text if error else ""
        self.message.setText(text)
        self.message.setStyleSheet(ERROR_STYLE if error else "color: palette(mid);")

    def select_card(self, card_id: int) -> None:
        row = self.model.ids.index(card_id)
        while row >= self.model.shown and self.model.canFetchMore(QModelIndex()):
            self.model.fetchMore(QModelIndex())
        self.select_row(row)

    def select_row(self, row: int) -> None:
        """Select one row, whatever modifier keys are held (selectRow would toggle with Ctrl)."""
        index = self.model.index(row, 0)
        flags = (
            QItemSelectionModel.SelectionFlag.ClearAndSelect
            | QItemSelectionModel.SelectionFlag.Rows
        )
        self.table.selectionModel().setCurrentIndex(index, flags)
        self.table.scrollTo(index)

    def selected_cards(self) -> list[int]:
        rows = sorted({i.row() for i in self.table.selectionModel().selectedRows()})
        return [self.model.ids[r] for r in rows if r < len(self.model.ids)]

    def current_card(self) -> int | None:
        cards = self.selected_cards()
        return cards[0] if cards else None

    def _selection_changed(self, *_args: object) -> None:
        card_id = self.current_card()
        row = self.model.row(self.model.ids.index(card_id)) if card_id is not None else None
        self._show_note(row.note_id if row else None)

    def _show_note(self, note_id: int | None) -> None:
        self.note_id = note_id
        if note_id is None:
            self.note_title.setText("Select a card to edit its note.")
            self.form.set_kind("basic")
            self.form.setEnabled(False)
        else:
            note = notes.get(self.col, note_id)
            self.form.setEnabled(True)
            self.form.set_note(note.kind, note.fields, note.tags)
            where = "your own note" if note.source_uuid is None else "from a deck file"
            self.note_title.setText(f"<b>{note.kind.capitalize()} note</b> · {where}")
        self._update_buttons()

    def _update_buttons(self) -> None:
        cards = self.selected_cards()
        has = bool(cards)
        for button in (self.save_button, self.suspend_button, self.move_button):
            button.setEnabled(has)
        self.delete_button.setEnabled(has)
        if has:
            rows = [self.model.row(self.model.ids.index(c)) for c in cards]
            all_suspended = all(r is not None and r.suspended for r in rows)
            self.suspend_button.setText("Unsuspend" if all_suspended else "Suspend")
        self.undo_button.setEnabled(self.editor.can_undo)
        label = self.editor.undo_label
        self.undo_button.setToolTip(f"Undo: {label} (Ctrl+Z)" if label else "Nothing to undo")

    # --- edits ------------------------------------------------------------------------------
    def _do(self, change: Any, done_message: str) -> bool:
        try:
            change()
        except UserError as exc:
            self.show_message(str(exc), error=True)
            return False
        self._after_change()
        self.main.statusBar().showMessage(done_message, 3000)
        self.statusBar().showMessage(done_message, 3000)
        return True

    def _after_change(self) -> None:
        self.refresh_decks()
        self.run_search()
        self.model.forget()
        self._selection_changed()
        self._emitting = True
        try:
            self.main.collection_changed.emit()
        finally:
            self._emitting = False

    def save_note(self) -> bool:
        if self.note_id is None:
            return False
        note_id = self.note_id
        try:
            self.editor.save_note(note_id, self.form.values(), self.form.tags.text())
        except NoteProblems as exc:
            self.form.show_problems(exc.problems)
            self.statusBar().showMessage("Not saved: fix the marked fields.", 5000)
            return False
        except UserError as exc:
            self.form.show_problems([(None, str(exc))])
            return False
        self._after_change()
        self.statusBar().showMessage("Note saved.", 3000)
        return True

    def ask_add_note(self) -> AddNoteDialog:
        dialog = AddNoteDialog(self, self.selected_deck())
        dialog.accepted.connect(lambda: self._note_added(dialog))
        self.add_dialog = dialog
        dialog.open()
        return dialog

    def _note_added(self, dialog: AddNoteDialog) -> None:
        self._after_change()
        if dialog.note_id is not None:
            card_ids = notes.card_ids(self.col, dialog.note_id)
            if card_ids and card_ids[0] not in self.model.ids:
                self.search.setText(f'deck:"{dialog.deck.currentText()}"')
                self.run_search()
            if card_ids and card_ids[0] in self.model.ids:
                self.select_card(card_ids[0])
        self.statusBar().showMessage("Note added.", 3000)

    def toggle_suspend(self) -> None:
        cards = self.selected_cards()
        if not cards:
            return
        suspend = self.suspend_button.text() == "Suspend"
        self._do(
            lambda: self.editor.set_suspended(cards, suspend),
            "Suspended." if suspend else "Unsuspended.",
        )

    def ask_move(self) -> None:
        cards = self.selected_cards()
        if not cards:
            return
        all_decks = decks.all_decks(self.col)
        name, ok = QInputDialog.getItem(
            self,
            "Move cards",
            f"Move {len(cards)} card(s) to:",
            [d.name for d in all_decks],
            0,
            False,
        )
        if ok:
            self.move_to(decks.by_name(self.col, name).id)

    def move_to(self, deck_id: int) -> None:
        cards = self.selected_cards()
        self._do(lambda: self.editor.move_cards(cards, deck_id), "Moved.")

    def ask_delete_notes(self) -> None:
        cards = self.selected_cards()
        if not cards:
            return
        note_ids = sorted({r.note_id for r in search.card_rows(self.col, cards)})
        count = sum(len(notes.card_ids(self.col, n)) for n in note_ids)
        text = (
            f"Delete {len(note_ids)} note{'' if len(note_ids) == 1 else 's'} with {count} card"
            f"{'' if count == 1 else 's'} and their review history? Ctrl+Z undoes this while"
            " this window is open."
        )
        if self.confirm("Delete notes", text):
            self._do(lambda: self.editor.delete_notes(note_ids), "Deleted.")

    def undo(self) -> None:
        if not self.editor.can_undo:
            self.statusBar().showMessage("Nothing to undo.", 3000)
            return
        label = ""

        def change() -> None:
            nonlocal label
            label = self.editor.undo()

        if self._do(change, "Undone."):
            self.statusBar().showMessage(f"Undone: {label}.", 3000)

    def closeEvent(self, event: QCloseEvent) -> None:  # noqa: N802 (Qt API)
        self.timer.stop()
        super().closeEvent(event)


def open_browser(window: MainWindow) -> BrowserWindow:
    """Show the Browse window (one per main window), creating it if needed."""
    return reuse_or_create(window, "browser_window", BrowserWindow, lambda: BrowserWindow(window))
