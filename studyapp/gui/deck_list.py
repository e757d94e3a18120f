"""The deck list: the deck tree with New / Learning / Due counts, today's totals, Study."""

from __future__ import annotations

from PySide6.QtCore import QItemSelectionModel, QModelIndex, Qt, Signal
from PySide6.QtGui import QColor, QKeyEvent, QStandardItem, QStandardItemModel
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QTreeView,
    QVBoxLayout,
    QWidget,
)

from studyapp.core import queue
from studyapp.core.collection import Collection
from studyapp.core.queue import DeckCounts

DECK_ID_ROLE = Qt.ItemDataRole.UserRole + 1
COLUMNS = ("Deck", "New", "Learning", "Due")
COUNT_COLOURS = {"new": "#2874a6", "learning": "#c0392b", "review": "#1e8449"}


class DeckTree(QTreeView):
    activated_deck = Signal(int)

    def keyPressEvent(self, event: QKeyEvent) -> None:  # noqa: N802 (Qt API)
        if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter) and self.currentIndex().isValid():
            deck_id = self.currentIndex().siblingAtColumn(0).data(DECK_ID_ROLE)
            self.activated_deck.emit(int(deck_id))
            return
        super().keyPressEvent(event)


class DeckListPage(QWidget):
    study_requested = Signal(int)  # deck id

    def __init__(self, col: Collection, parent: QWidget | None = None):
        super().__init__(parent)
        self.col = col
        self.model = QStandardItemModel(0, len(COLUMNS), self)
        self.model.setHorizontalHeaderLabels(list(COLUMNS))
        self.tree = DeckTree()
        self.tree.setModel(self.model)
        self.tree.setObjectName("deckTree")
        self.tree.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.tree.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.tree.setAlternatingRowColors(True)
        self.tree.setUniformRowHeights(True)
        header = self.tree.header()
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        for column in range(1, len(COLUMNS)):
            header.setSectionResizeMode(column, QHeaderView.ResizeMode.ResizeToContents)
        header.setStretchLastSection(False)
        self.tree.doubleClicked.connect(self._on_double_click)
        self.tree.activated_deck.connect(self.study_requested)

        self.message = QLabel()
        self.message.setObjectName("welcome")
        self.message.setWordWrap(True)
        self.message.setTextFormat(Qt.TextFormat.RichText)
        self.totals = QLabel()
        self.totals.setObjectName("totals")
        self.study_button = QPushButton("Study")
        self.study_button.setObjectName("studyButton")
        self.study_button.setDefault(True)
        self.study_button.clicked.connect(self._study_selected)

        bottom = QHBoxLayout()
        bottom.addWidget(self.totals, 1)
        bottom.addWidget(self.study_button)
        layout = QVBoxLayout(self)
        layout.addWidget(self.message)
        layout.addWidget(self.tree, 1)
        layout.addLayout(bottom)
        self.welcome_text = ""

    def refresh(self) -> None:
        selected = self.selected_deck_id()
        expanded = self._expanded_ids()
        first_fill = self.model.rowCount() == 0
        tree = queue.due_tree(self.col)
        self.model.removeRows(0, self.model.rowCount())
        for node in tree:
            self._add(self.model.invisibleRootItem(), node)
        if first_fill:
            self.tree.expandToDepth(0)
        else:
            self._restore_expanded(expanded)
        new = sum(n.new for n in tree)
        learning = sum(n.learning for n in tree)
        review = sum(n.review for n in tree)
        self.totals.setText(f"Today: {new} new · {learning} learning · {review} due")
        self.study_button.setEnabled(bool(tree))
        self._update_message(tree, new + learning + review)
        self.select_deck(selected if selected is not None else (tree[0].deck_id if tree else None))

    def _add(self, parent: QStandardItem, node: DeckCounts) -> None:
        name = QStandardItem(node.short_name)
        name.setData(node.deck_id, DECK_ID_ROLE)
        name.setToolTip(node.name)
        row = [name]
        for value, role in (
            (node.new, "new"),
            (node.learning, "learning"),
            (node.review, "review"),
        ):
            item = QStandardItem(str(value) if value else "–")
            if value:
                item.setForeground(QColor(COUNT_COLOURS[role]))
            item.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
            item.setData(role, Qt.ItemDataRole.AccessibleDescriptionRole)
            row.append(item)
        parent.appendRow(row)
        for child in node.children:
            self._add(name, child)

    def _update_message(self, tree: list[DeckCounts], due: int) -> None:
        if not tree:
            text = (
                "<b>No decks yet.</b> Use <i>File → Import deck…</i> (Ctrl+O) or drop a deck file "
                "(.toml, .csv, .tsv) on this window."
            )
        elif due == 0:
            text = (
                "<b>Nothing is due right now.</b> Come back tomorrow, or raise a deck's daily "
                "new-card limit to learn more today."
            )
        else:
            text = self.welcome_text or "Pick a deck and press <b>Study</b> (or Enter)."
        self.message.setText(text)

    # --- selection --------------------------------------------------------------------------
    def selected_deck_id(self) -> int | None:
        index = self.tree.currentIndex()
        if not index.isValid():
            return None
        value = index.siblingAtColumn(0).data(DECK_ID_ROLE)
        return int(value) if value is not None else None

    def select_deck(self, deck_id: int | None) -> None:
        if deck_id is None:
            return
        match = self._find(self.model.invisibleRootItem(), deck_id)
        if match is not None:
            index = match.index()
            self.tree.selectionModel().setCurrentIndex(
                index,
                QItemSelectionModel.SelectionFlag.ClearAndSelect
                | QItemSelectionModel.SelectionFlag.Rows,
            )

    def _find(self, parent: QStandardItem, deck_id: int) -> QStandardItem | None:
        for row in range(parent.rowCount()):
            child = parent.child(row, 0)
            if child.data(DECK_ID_ROLE) == deck_id:
                return child
            found = self._find(child, deck_id)
            if found is not None:
                return found
        return None

    def _expanded_ids(self) -> set[int]:
        out: set[int] = set()

        def walk(parent: QStandardItem) -> None:
            for row in range(parent.rowCount()):
                child = parent.child(row, 0)
                if self.tree.isExpanded(child.index()):
                    out.add(child.data(DECK_ID_ROLE))
                walk(child)

        walk(self.model.invisibleRootItem())
        return out

    def _restore_expanded(self, ids: set[int]) -> None:
        for deck_id in ids:
            item = self._find(self.model.invisibleRootItem(), deck_id)
            if item is not None:
                self.tree.setExpanded(item.index(), True)

    def _on_double_click(self, index: QModelIndex) -> None:
        self.study_requested.emit(int(index.siblingAtColumn(0).data(DECK_ID_ROLE)))

    def _study_selected(self) -> None:
        deck_id = self.selected_deck_id()
        if deck_id is not None:
            self.study_requested.emit(deck_id)
