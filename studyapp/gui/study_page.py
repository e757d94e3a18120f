"""The study screen: a passive view over the core review controller (studyapp.core.review)."""

from __future__ import annotations

from html import escape

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from studyapp.core.codes import Verdict
from studyapp.core.collection import Collection
from studyapp.core.review import ANSWER, FINISHED, QUESTION, WAITING, ReviewSession
from studyapp.core.scheduling import RATING_NAMES, RATINGS
from studyapp.gui.card_view import CardView


def diff_html(verdict: Verdict) -> str:
    """The typed answer against the right one: matches plain, extra struck out, missing marked."""
    parts = []
    for op, text in verdict.diff:
        t = escape(text)
        if op == "same":
            parts.append(f"<b>{t}</b>")
        elif op == "extra":
            parts.append(f'<s style="color:#c0392b">{t}</s>')
        else:
            parts.append(f'<u style="color:#1e8449">{t}</u>')
    return "".join(parts)


MAX_OPTIONS = 5  # choice cards have 3-5 options


class AnswerLine(QLineEdit):
    """The typed-answer field. It keeps its Enter press, so Enter checks the answer and the same
    press does not also reach the page (where Enter in the answer state would grade)."""

    def keyPressEvent(self, event: QKeyEvent) -> None:  # noqa: N802 (Qt API)
        super().keyPressEvent(event)
        if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
            event.accept()


class StudyPage(QWidget):
    """Shows one card at a time; keys: Space/Enter reveal, 1-4 grade, Esc back, Ctrl+Z undo."""

    back_requested = Signal()
    answered = Signal()  # the collection changed (deck counts need a refresh)

    def __init__(self, col: Collection, parent: QWidget | None = None):
        super().__init__(parent)
        self.col = col
        self.session: ReviewSession | None = None
        self.font_size = 18

        self.title = QLabel()
        self.title.setObjectName("studyTitle")
        self.counts = QLabel()
        self.counts.setObjectName("studyCounts")
        self.clock_label = QLabel()
        top = QHBoxLayout()
        top.addWidget(self.title, 1)
        top.addWidget(self.counts)
        top.addSpacing(16)
        top.addWidget(self.clock_label)

        self.view = CardView()
        self.typed = AnswerLine()
        self.typed.setPlaceholderText("Type the answer, then press Enter")
        self.typed.returnPressed.connect(self.check_typed)
        self.feedback = QLabel()
        self.feedback.setWordWrap(True)
        self.feedback.setTextFormat(Qt.TextFormat.RichText)
        self.feedback.setObjectName("feedback")

        self.choices = QWidget()
        self.choice_layout = QVBoxLayout(self.choices)
        self.choice_layout.setContentsMargins(0, 0, 0, 0)
        self.choice_buttons: list[QPushButton] = []
        for number in range(1, MAX_OPTIONS + 1):
            button = QPushButton()
            button.setObjectName("choiceOption")
            button.clicked.connect(lambda _=False, n=number: self.choose(n))
            self.choice_layout.addWidget(button)
            self.choice_buttons.append(button)

        self.show_button = QPushButton("Show answer  (Space)")
        self.show_button.clicked.connect(self.reveal)
        self.grade_buttons: dict[int, QPushButton] = {}
        grades = QHBoxLayout()
        for rating in RATINGS:
            button = QPushButton()
            button.setObjectName(f"grade{RATING_NAMES[rating]}")
            button.clicked.connect(lambda _=False, r=rating: self.grade(r))
            self.grade_buttons[rating] = button
            grades.addWidget(button)
        self.grade_row = QWidget()
        self.grade_row.setLayout(grades)

        card_page = QWidget()
        card_layout = QVBoxLayout(card_page)
        card_layout.addLayout(top)
        card_layout.addWidget(self.view, 1)
        card_layout.addWidget(self.choices)
        card_layout.addWidget(self.typed)
        card_layout.addWidget(self.feedback)
        card_layout.addWidget(self.show_button)
        card_layout.addWidget(self.grade_row)

        self.end_label = QLabel()
        self.end_label.setObjectName("summary")
        self.end_label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.end_label.setWordWrap(True)
        back = QPushButton("Back to decks  (Esc)")
        back.clicked.connect(self.back_requested)
        end_page = QWidget()
        end_layout = QVBoxLayout(end_page)
        end_layout.addStretch(1)
        end_layout.addWidget(self.end_label)
        end_layout.addWidget(back, 0, Qt.AlignmentFlag.AlignCenter)
        end_layout.addStretch(1)

        self.pages = QStackedWidget()
        self.pages.addWidget(card_page)
        self.pages.addWidget(end_page)
        layout = QVBoxLayout(self)
        layout.addWidget(self.pages)

        self.timer = QTimer(self)
        self.timer.setInterval(1000)
        self.timer.timeout.connect(self._tick)
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)

    # --- starting and stopping --------------------------------------------------------------
    def start(self, deck_id: int, deck_name: str) -> None:
        self.session = ReviewSession(self.col, deck_id)
        self.title.setText(escape(deck_name))
        self.timer.start()
        self.refresh()

    def stop(self) -> None:
        self.timer.stop()
        self.session = None

    # --- actions (also called by tests) -----------------------------------------------------
    def reveal(self) -> None:
        s = self.session
        if not s or s.state != QUESTION or not s.current:
            return
        if s.current.content.kind == "typed":
            self.check_typed()
            return
        s.reveal()
        self.refresh()

    def check_typed(self) -> None:
        s = self.session
        if not s or s.state != QUESTION or not s.current or s.current.content.kind != "typed":
            return
        s.check_typed(self.typed.text())
        self.refresh()

    def choose(self, option: int) -> None:
        s = self.session
        if not s or s.state != QUESTION or not s.current or s.current.content.kind != "choice":
            return
        if 1 <= option <= len(s.current.content.options):
            s.choose(option)
            self.refresh()

    def grade(self, rating: int) -> None:
        s = self.session
        if not s or s.state != ANSWER:
            return
        s.answer(rating)
        self.answered.emit()
        self.refresh()

    def undo(self) -> bool:
        if not self.session or not self.session.undo():
            return False
        self.answered.emit()
        self.refresh()
        return True

    # --- drawing ----------------------------------------------------------------------------
    def refresh(self) -> None:
        s = self.session
        if s is None:
            return
        if s.state in (WAITING, FINISHED):
            self._show_end(s)
            return
        self.pages.setCurrentIndex(0)
        new, learning, review = s.counts()
        self.counts.setText(f"New {new} · Learning {learning} · Review {review}")
        content = s.current.content  # type: ignore[union-attr]
        is_question = s.state == QUESTION
        question = content.stem if content.kind == "choice" else content.question
        self.view.show_html(question if is_question else content.answer, self.font_size)
        self._draw_typed(s, content.kind, is_question)
        self._draw_choices(s, content, is_question)
        self.show_button.setVisible(is_question and content.kind != "choice")
        self.show_button.setText(
            "Check  (Enter)" if content.kind == "typed" else "Show answer  (Space)"
        )
        self.grade_row.setVisible(not is_question)
        suggested = s.suggested_rating()
        for rating, button in self.grade_buttons.items():
            label = s.current.interval_labels[rating]  # type: ignore[union-attr]
            button.setText(f"{rating}  {RATING_NAMES[rating]}\n{label}")
            button.setDefault(rating == suggested)
            button.setProperty("suggested", rating == suggested)
            button.style().unpolish(button)
            button.style().polish(button)
        if is_question and content.kind == "typed":
            self.typed.setFocus()
        else:
            self.setFocus()
        self._tick()

    def _draw_typed(self, s: ReviewSession, kind: str, is_question: bool) -> None:
        self.typed.setVisible(kind == "typed")
        self.typed.setReadOnly(not is_question)
        if is_question:
            self.typed.clear()
            self.feedback.clear()
        self.feedback.setVisible(
            not is_question and (s.verdict is not None or s.chosen is not None)
        )
        if not is_question and s.verdict is not None:
            v = s.verdict
            if v.correct:
                self.feedback.setText('<b style="color:#1e8449">Correct.</b>')
            else:
                self.feedback.setText(
                    f"<b>Not quite.</b> {escape(v.closeness)}<br/>Difference: {diff_html(v)}"
                    ' &nbsp; (<s style="color:#c0392b">typed but wrong</s>,'
                    ' <u style="color:#1e8449">missing</u>)'
                )

    def _draw_choices(self, s: ReviewSession, content, is_question: bool) -> None:
        self.choices.setVisible(content.kind == "choice")
        if content.kind != "choice":
            return
        for i, button in enumerate(self.choice_buttons, start=1):
            button.setVisible(i <= len(content.options))
            if i > len(content.options):
                continue
            mark = ""
            if not is_question:
                mark = "correct" if i == content.correct else ("wrong" if i == s.chosen else "")
            sign = {"correct": "✓ ", "wrong": "✗ "}.get(mark, "")
            button.setText(f"{sign}{i}.  {_plain(content.options[i - 1])}")
            button.setEnabled(is_question)
            button.setProperty("mark", mark)
            button.style().unpolish(button)
            button.style().polish(button)
        if not is_question and s.chosen is not None:
            right = s.chosen == content.correct
            self.feedback.setText(
                "Correct." if right else f"Not quite: the answer is option {content.correct}."
            )

    def _show_end(self, s: ReviewSession) -> None:
        self.pages.setCurrentIndex(1)
        summary = s.summary
        minutes, seconds = divmod(int(summary.seconds), 60)
        if s.state == WAITING:
            due = s.queue.next_learning_due()
            head = "Nothing more is due right now."
            if due:
                from datetime import datetime

                when = datetime.fromtimestamp(due).astimezone().strftime("%H:%M")
                head += f" Learning cards come back at {when}."
        else:
            head = "Congratulations! You have finished this deck for today."
        self.end_label.setText(
            f"<h2>{head}</h2><p>Cards studied: <b>{summary.cards}</b> &nbsp; "
            f"Time: <b>{minutes}m {seconds:02d}s</b> &nbsp; Correct: <b>{summary.correct_percent:.0f}%</b></p>"
        )

    def _tick(self) -> None:
        if self.session and self.session.current:
            seconds = int(self.session.seconds_on_card())
            self.clock_label.setText(f"{seconds // 60}:{seconds % 60:02d}")

    # --- keyboard ---------------------------------------------------------------------------
    def keyPressEvent(self, event: QKeyEvent) -> None:  # noqa: N802 (Qt API)
        key = event.key()
        s = self.session
        if key == Qt.Key.Key_Escape:
            self.back_requested.emit()
            return
        if s is None:
            return
        if s.state == QUESTION and key in (Qt.Key.Key_Space, Qt.Key.Key_Return, Qt.Key.Key_Enter):
            self.reveal()
        elif s.state == QUESTION and s.current and s.current.content.kind == "choice":
            number = key - Qt.Key.Key_0
            if 1 <= number <= 9:
                self.choose(number)
        elif s.state == ANSWER and Qt.Key.Key_1 <= key <= Qt.Key.Key_4:
            self.grade(key - Qt.Key.Key_0)
        elif s.state == ANSWER and key in (Qt.Key.Key_Space, Qt.Key.Key_Return, Qt.Key.Key_Enter):
            self.grade(s.suggested_rating() or 3)
        else:
            super().keyPressEvent(event)


def _plain(html: str) -> str:
    from studyapp.core.notes import plain_text

    return plain_text(html)
