"""Dialogs for importing: the problems list, the update preview, and the first-start choice."""

from __future__ import annotations

from html import escape

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QCheckBox,
    QDialog,
    QDialogButtonBox,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QPlainTextEdit,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from studyapp.core.errors import Problem
from studyapp.core.importing import UpdatePlan
from studyapp.core.notes import plain_text
from studyapp.core.shipped import ShippedDeck


class ProblemsDialog(QDialog):
    """Every problem in a file, with its line; nothing was imported."""

    def __init__(self, title: str, problems: list[Problem], parent: QWidget | None = None):
        super().__init__(parent)
        self.setWindowTitle(title)
        count = len(problems)
        head = QLabel(
            f"<b>{count} problem{'s' if count != 1 else ''} found. Nothing was imported.</b><br/>"
            "Fix the file and import it again."
        )
        self.text = QPlainTextEdit("\n".join(str(p) for p in problems))
        self.text.setReadOnly(True)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        buttons.accepted.connect(self.accept)
        layout = QVBoxLayout(self)
        layout.addWidget(head)
        layout.addWidget(self.text, 1)
        layout.addWidget(buttons)
        self.resize(700, 400)


class ImportPreviewDialog(QDialog):
    """What an import will do — new, changed, removed, conflicts — before anything changes."""

    def __init__(self, plan: UpdatePlan, parent: QWidget | None = None):
        super().__init__(parent)
        self.plan = plan
        spec = plan.spec
        self.setWindowTitle(f"Import {spec.title or spec.name}")
        summary = QLabel(self._summary_html())
        summary.setWordWrap(True)
        summary.setTextFormat(Qt.TextFormat.RichText)
        self.details = QListWidget()
        for label, ids in (
            ("New", [n.id for n in plan.new]),
            ("Changed", [n.id for _, n in plan.changed]),
            ("Removed (suspended, history kept)", [s for _, s in plan.removed]),
            ("Restored", [n.id for _, n in plan.restored]),
        ):
            for note_id in ids[:500]:
                self.details.addItem(f"{label}: {note_id}")
            if len(ids) > 500:
                self.details.addItem(f"{label}: … and {len(ids) - 500} more")
        self.conflicts = QTableWidget(len(plan.conflicts), 4)
        self.conflicts.setHorizontalHeaderLabels(
            ["Take author's text", "Note / field", "Yours", "Author's"]
        )
        self.conflict_boxes: list[QCheckBox] = []
        for row, conflict in enumerate(plan.conflicts):
            box = QCheckBox()
            self.conflict_boxes.append(box)
            self.conflicts.setCellWidget(row, 0, box)
            self.conflicts.setItem(
                row, 1, QTableWidgetItem(f"{conflict.source_note_id} / {conflict.field}")
            )
            self.conflicts.setItem(row, 2, QTableWidgetItem(plain_text(str(conflict.yours))))
            self.conflicts.setItem(row, 3, QTableWidgetItem(plain_text(str(conflict.theirs))))
        self.conflicts.setVisible(bool(plan.conflicts))
        self.conflicts.resizeColumnsToContents()
        self.conflicts.horizontalHeader().setStretchLastSection(True)

        buttons = QDialogButtonBox()
        ok_text = "Close" if not plan.has_changes else "Import"
        self.ok_button = buttons.addButton(ok_text, QDialogButtonBox.ButtonRole.AcceptRole)
        if plan.has_changes:
            buttons.addButton(QDialogButtonBox.StandardButton.Cancel)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(summary)
        layout.addWidget(self.details, 1)
        if plan.conflicts:
            layout.addWidget(QLabel("You edited these fields; the author changed them too:"))
            layout.addWidget(self.conflicts, 1)
        layout.addWidget(buttons)
        self.resize(720, 480)

    def _summary_html(self) -> str:
        plan, spec = self.plan, self.plan.spec
        name = escape(spec.title or spec.name)
        if plan.installed_version is None:
            head = f"<b>{name}</b> — new deck (version {escape(spec.version)})."
        elif plan.up_to_date:
            head = f"<b>{name}</b> — version {escape(spec.version)} is already installed. Nothing to change."
        else:
            head = f"<b>{name}</b> — update from {escape(plan.installed_version)} to {escape(spec.version)}."
        counts = (
            f"<br/>New: <b>{len(plan.new)}</b> · Changed: <b>{len(plan.changed)}</b> · "
            f"Removed: <b>{len(plan.removed)}</b> · Restored: <b>{len(plan.restored)}</b> · "
            f"Unchanged: <b>{len(plan.unchanged)}</b> · Conflicts: <b>{len(plan.conflicts)}</b>"
        )
        changes = "".join(f"<li>{escape(c)}</li>" for c in plan.changelog_since_installed())
        changelog = f"<p>What changed:</p><ul>{changes}</ul>" if changes else ""
        license_ = f"<p><i>{escape(spec.license)}</i></p>" if spec.license else ""
        return head + counts + changelog + license_

    def take_theirs(self) -> set[tuple[int, str]]:
        return {
            (c.note_id, c.field)
            for c, box in zip(self.plan.conflicts, self.conflict_boxes, strict=True)
            if box.isChecked()
        }


class FirstStartDialog(QDialog):
    """Welcome, and the shipped decks to load (all ticked)."""

    def __init__(self, shipped: list[ShippedDeck], parent: QWidget | None = None):
        super().__init__(parent)
        self.setWindowTitle("Welcome to Coding Study Companion")
        intro = QLabel(
            "<h2>Welcome!</h2><p>These decks come with the app: code ranges, conventions, "
            "terminology, modifiers and specialty coding. Keep the ones you want to study; you "
            "can import more later from <i>File → Import deck…</i>.</p><p>Study with the keyboard: "
            "<b>Space</b> shows the answer, <b>1–4</b> grade it (Again, Hard, Good, Easy).</p>"
        )
        intro.setWordWrap(True)
        self.list = QListWidget()
        for deck in shipped:
            item = QListWidgetItem(f"{deck.title}  ({deck.notes} notes)")
            item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
            item.setCheckState(Qt.CheckState.Checked)
            item.setData(Qt.ItemDataRole.UserRole, str(deck.path))
            self.list.addItem(item)
        buttons = QDialogButtonBox()
        buttons.addButton("Load selected decks", QDialogButtonBox.ButtonRole.AcceptRole)
        buttons.addButton("Start empty", QDialogButtonBox.ButtonRole.RejectRole)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addWidget(self.list, 1)
        layout.addWidget(buttons)
        self.resize(680, 520)

    def chosen_paths(self) -> list[str]:
        out = []
        for row in range(self.list.count()):
            item = self.list.item(row)
            if item.checkState() == Qt.CheckState.Checked:
                out.append(item.data(Qt.ItemDataRole.UserRole))
        return out
