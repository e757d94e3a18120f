"""Code-location drills: a setup dialog and a keyboard-driven drill window.

The ICD-10-CM data takes seconds to load, so practice.py loads it through the main window's
run_task before the drill window opens (studyapp.core.drills caches it for the process).

Keys: 1-4 choose an option; type a range and press Enter; Enter or Space for the next question;
Esc closes.
"""

from __future__ import annotations

import random
from html import escape

from PySide6.QtCore import Qt
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from studyapp.core import drills
from studyapp.core.collection import Collection
from studyapp.gui.study_page import AnswerLine

WEAK = "weak"
ANY = "any"


class DrillSetupDialog(QDialog):
    """Which chapters to lean toward, and which kind of question."""

    def __init__(self, col: Collection, data: drills.DrillData, parent: QWidget | None = None):
        super().__init__(parent)
        self.setWindowTitle("Code-location drill")
        self.focus_box = QComboBox()
        self.focus_box.addItem("All chapters evenly", ANY)
        weak = drills.weak_chapters(col)
        label = "My weak chapters"
        if weak:
            label += f" (now: {', '.join(str(c) for c in weak)})"
        self.focus_box.addItem(label, WEAK)
        for chapter in data.chapters:
            self.focus_box.addItem(f"{chapter.label} ({chapter.range})", chapter.number)
        self.kind_box = QComboBox()
        self.kind_box.addItem("Mixed", "mixed")
        for kind in drills.KINDS:
            self.kind_box.addItem(drills.KIND_NAMES[kind], kind)
        form = QFormLayout()
        form.addRow("Focus:", self.focus_box)
        form.addRow("Questions:", self.kind_box)
        hint = QLabel(
            "Codes and ranges come from the CDC ICD-10-CM FY2026 tabular list. A chosen chapter "
            "gets about 70% of the questions; weak chapters are those where your drill "
            "accuracy is lowest."
        )
        hint.setWordWrap(True)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        buttons.button(QDialogButtonBox.StandardButton.Ok).setText("Start drill")
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(hint)
        layout.addWidget(buttons)
        self.setMinimumWidth(520)

    def choice(self) -> tuple[object, str]:
        return self.focus_box.currentData(), self.kind_box.currentData()


class DrillWindow(QWidget):
    """One question at a time; the answer is checked, shown, and recorded."""

    def __init__(
        self,
        col: Collection,
        data: drills.DrillData,
        focus: object = ANY,
        kind: str = "mixed",
        seed: int | None = None,
        parent: QWidget | None = None,
    ):
        super().__init__(parent, Qt.WindowType.Window)
        self.setWindowTitle("Code-location drill — Coding Study Companion")
        self.col, self.data, self.focus, self.kind = col, data, focus, kind
        self.rng = random.Random(seed)
        self.question: drills.DrillQuestion | None = None
        self.answered = False
        self.right = self.total = 0

        self.score = QLabel()
        self.prompt = QLabel()
        self.prompt.setWordWrap(True)
        self.prompt.setTextFormat(Qt.TextFormat.RichText)
        font = self.prompt.font()
        font.setPointSize(15)
        self.prompt.setFont(font)
        self.option_buttons: list[QPushButton] = []
        layout = QVBoxLayout(self)
        layout.addWidget(self.score)
        layout.addWidget(self.prompt)
        for i in range(4):
            button = QPushButton()
            button.setFocusPolicy(Qt.FocusPolicy.NoFocus)
            button.setStyleSheet("text-align: left; padding: 6px;")
            button.clicked.connect(lambda _=False, n=i + 1: self.give(n))
            self.option_buttons.append(button)
            layout.addWidget(button)
        self.typed = AnswerLine()  # keeps its Enter, so one press does not also skip ahead
        self.typed.setPlaceholderText("Block range, e.g. E08-E13 — Enter to check")
        self.typed.returnPressed.connect(self._typed_entered)
        layout.addWidget(self.typed)
        self.feedback = QLabel()
        self.feedback.setWordWrap(True)
        self.feedback.setTextFormat(Qt.TextFormat.RichText)
        layout.addWidget(self.feedback)
        self.next_button = QPushButton("Next question (Enter)")
        self.next_button.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.next_button.clicked.connect(self.next_question)
        layout.addWidget(self.next_button)
        layout.addStretch(1)
        self.resize(760, 460)
        self.next_question()

    def _accuracy(self) -> dict[int, tuple[int, int]] | None:
        return drills.accuracy_by_chapter(self.col) if self.focus == WEAK else None

    def next_question(self) -> None:
        focus = self.focus if isinstance(self.focus, int) else None
        self.question = drills.generate(self.data, self.rng, self.kind, focus, self._accuracy())
        self.answered = False
        q = self.question
        lines = escape(q.prompt).split("\n")
        rest = "<br/>".join(lines[1:])
        self.prompt.setText(f'<b>{lines[0]}</b><br/><span style="font-size:12pt">{rest}</span>')
        for i, button in enumerate(self.option_buttons):
            if q.is_choice and i < len(q.options):
                button.setText(f"&{i + 1}  {q.options[i]}")
                button.setEnabled(True)
                button.setStyleSheet("text-align: left; padding: 6px;")
                button.show()
            else:
                button.hide()
        self.typed.setVisible(not q.is_choice)
        self.typed.clear()
        self.typed.setEnabled(True)
        if not q.is_choice:
            self.typed.setFocus()
        else:
            self.setFocus()
        self.feedback.clear()
        self.next_button.hide()
        self._update_score()

    def _update_score(self) -> None:
        pct = f" ({100 * self.right / self.total:.0f}%)" if self.total else ""
        self.score.setText(f"This session: {self.right} of {self.total} right{pct}")

    def _typed_entered(self) -> None:
        if self.answered:
            self.next_question()
        else:
            self.give(self.typed.text())

    def give(self, given: int | str) -> bool | None:
        q = self.question
        if q is None or self.answered:
            return None
        if isinstance(given, str) and not given.strip():
            return None
        correct = drills.check(q, given)
        drills.record(self.col, q, correct)
        self.answered = True
        self.total += 1
        self.right += int(correct)
        if q.is_choice:
            for i, button in enumerate(self.option_buttons[: len(q.options)]):
                if i + 1 == q.correct:
                    button.setStyleSheet(
                        "text-align: left; padding: 6px; background: #d4efdf; font-weight: bold;"
                    )
                elif i + 1 == given:
                    button.setStyleSheet("text-align: left; padding: 6px; background: #f5b7b1;")
        else:
            self.typed.setEnabled(False)
        head = (
            '<span style="color:#1e8449"><b>Right.</b></span>'
            if correct
            else f'<span style="color:#c0392b"><b>Not quite</b></span> — the answer is '
            f"<b>{escape(q.answer_text)}</b>."
        )
        self.feedback.setText(f"{head}<br/>{escape(q.explanation)}")
        self.next_button.show()
        self.setFocus()
        self._update_score()
        return correct

    def keyPressEvent(self, event: QKeyEvent) -> None:  # noqa: N802 (Qt API)
        key = event.key()
        q = self.question
        if key == Qt.Key.Key_Escape:
            self.close()
            return
        if self.answered and key in (Qt.Key.Key_Return, Qt.Key.Key_Enter, Qt.Key.Key_Space):
            self.next_question()
            return
        choosing = q is not None and q.is_choice and not self.answered
        if choosing and Qt.Key.Key_1 <= key <= Qt.Key.Key_4:
            self.give(key - Qt.Key.Key_1 + 1)
            return
        super().keyPressEvent(event)
