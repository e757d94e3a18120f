"""Mock exams: a setup dialog, the timed exam window, results with review, and score history.

The exam window is its own top-level window. It is a passive view over studyapp.core.exams:
every answer and flag is written at once, and the time left is saved every few seconds, so a
crash or a closed window loses nothing (Practice ▸ Resume exam picks it up).

Keys in the exam: 1-5 choose an option, Left/Right (or P/N) previous/next, F flag.
"""

from __future__ import annotations

import random
from html import escape

from PySide6.QtCharts import QChart, QChartView, QLineSeries, QValueAxis
from PySide6.QtCore import QElapsedTimer, QMargins, Qt, QTimer, Signal
from PySide6.QtGui import QKeyEvent, QPainter
from PySide6.QtWidgets import (
    QAbstractItemView,
    QButtonGroup,
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QGridLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QMessageBox,
    QPushButton,
    QRadioButton,
    QSpinBox,
    QStackedWidget,
    QTableWidget,
    QTableWidgetItem,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from studyapp.core import decks, exams
from studyapp.core.collection import Collection
from studyapp.core.errors import UserError
from studyapp.gui.card_view import CardView

SAVE_EVERY_S = 5
MAX_OPTIONS = 5


def format_time(seconds: int) -> str:
    seconds = max(0, int(seconds))
    h, rest = divmod(seconds, 3600)
    m, s = divmod(rest, 60)
    return f"{h}:{m:02d}:{s:02d}" if h else f"{m:02d}:{s:02d}"


# --- setup -----------------------------------------------------------------------------------


class ExamSetupDialog(QDialog):
    """Choose a profile and decks; count, minutes and pass mark are editable for Custom."""

    def __init__(self, col: Collection, parent: QWidget | None = None):
        super().__init__(parent)
        self.col = col
        self.setWindowTitle("Mock exam")
        self.profile_box = QComboBox()
        for profile in exams.PROFILES:
            self.profile_box.addItem(profile.name, profile)
        self.profile_box.addItem("Custom", None)
        self.description = QLabel()
        self.description.setWordWrap(True)
        self.description.setMinimumWidth(420)
        self.deck_list = QListWidget()
        self.deck_list.setMinimumHeight(160)
        for deck in decks.all_decks(col):
            if deck.parent_id is None:
                item = QListWidgetItem(deck.name)
                item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
                item.setCheckState(Qt.CheckState.Checked)
                self.deck_list.addItem(item)
        self.count = QSpinBox()
        self.count.setRange(1, 500)
        self.minutes = QSpinBox()
        self.minutes.setRange(1, 600)
        self.minutes.setSuffix(" min")
        self.pass_mark = QSpinBox()
        self.pass_mark.setRange(0, 100)
        self.pass_mark.setSuffix(" %")
        self.available = QLabel()
        form = QFormLayout()
        form.addRow("Exam:", self.profile_box)
        form.addRow("", self.description)
        form.addRow("Decks:", self.deck_list)
        form.addRow("", self.available)
        form.addRow("Questions:", self.count)
        form.addRow("Time:", self.minutes)
        form.addRow("Pass mark:", self.pass_mark)
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        self.buttons.button(QDialogButtonBox.StandardButton.Ok).setText("Start exam")
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.buttons)
        self.profile_box.currentIndexChanged.connect(self._profile_changed)
        self.deck_list.itemChanged.connect(self._update_available)
        self._profile_changed()

    def _profile_changed(self) -> None:
        profile = self.profile_box.currentData()
        custom = profile is None
        if custom:
            profile = exams.custom_profile(count=min(20, self.count.value() or 20), minutes=30)
        self.description.setText(
            "Your own exam: choose the decks, the number of questions, the time and the pass mark."
            if custom
            else profile.description
        )
        self.count.setValue(profile.count)
        self.minutes.setValue(profile.minutes)
        self.pass_mark.setValue(profile.pass_percent)
        for box in (self.count, self.minutes, self.pass_mark):
            box.setEnabled(custom)
        self._update_available()

    def chosen_decks(self) -> list[str]:
        return [
            self.deck_list.item(i).text()
            for i in range(self.deck_list.count())
            if self.deck_list.item(i).checkState() == Qt.CheckState.Checked
        ]

    def _update_available(self) -> None:
        names = self.chosen_decks()
        if not names:
            self.available.setText("Tick at least one deck.")
            self.buttons.button(QDialogButtonBox.StandardButton.Ok).setEnabled(False)
            return
        probe = exams.custom_profile(names, count=10**6)
        try:
            n = len(exams.draw(self.col, probe, 0))
        except UserError:
            n = 0
        self.available.setText(f"{n} multiple-choice questions available in these decks.")
        self.buttons.button(QDialogButtonBox.StandardButton.Ok).setEnabled(n > 0)

    def profile(self) -> exams.Profile:
        chosen = self.profile_box.currentData()
        names = self.chosen_decks()
        if chosen is None:
            return exams.custom_profile(
                names, self.count.value(), self.minutes.value(), self.pass_mark.value()
            )
        return exams.with_decks(chosen, names)


# --- the exam --------------------------------------------------------------------------------


class QuestionPanel(QWidget):
    """One question with its options as radio buttons."""

    chosen = Signal(int)  # 1-based option

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.header = QLabel()
        self.header.setObjectName("examQuestionHeader")
        self.view = CardView()
        self.view.setMinimumHeight(120)
        self.view.setMaximumHeight(260)
        self.group = QButtonGroup(self)
        self.group.setExclusive(True)
        self.buttons: list[QRadioButton] = []
        layout = QVBoxLayout(self)
        layout.addWidget(self.header)
        layout.addWidget(self.view)
        for i in range(MAX_OPTIONS):
            button = QRadioButton()
            button.setFocusPolicy(Qt.FocusPolicy.NoFocus)
            font = button.font()
            font.setPointSize(font.pointSize() + 2)
            button.setFont(font)
            button.setStyleSheet("padding: 4px;")
            self.group.addButton(button, i + 1)
            self.buttons.append(button)
            layout.addWidget(button)
        layout.addStretch(1)
        self.group.idClicked.connect(self.chosen.emit)

    def show_question(self, q: exams.Question, total: int) -> None:
        flag = "  ⚑ flagged" if q.flagged else ""
        self.header.setText(f"Question {q.position + 1} of {total}{flag}")
        self.view.show_html(q.text, 15)
        self.group.setExclusive(False)
        for i, button in enumerate(self.buttons):
            if i < len(q.options):
                button.setText(f"&{i + 1}  {_plain(q.options[i])}")
                button.setChecked(q.chosen == i + 1)
                button.show()
            else:
                button.setChecked(False)
                button.hide()
        self.group.setExclusive(True)


def _plain(html: str) -> str:
    from studyapp.core.notes import plain_text

    return plain_text(html)


class ExamWindow(QWidget):
    """The timed exam, then its results. Closing mid-exam keeps the attempt for later."""

    finished = Signal(object)  # ExamResult

    def __init__(self, col: Collection, attempt_id: int, parent: QWidget | None = None):
        super().__init__(parent, Qt.WindowType.Window)
        self.col = col
        self.attempt_id = attempt_id
        attempt = exams.get_attempt(col, attempt_id)
        self.profile = attempt.profile
        self.setWindowTitle(f"{attempt.profile.name} — Coding Study Companion")
        self.questions = exams.questions(col, attempt_id)
        self.position = 0
        self.remaining_at_start = attempt.remaining_s
        self.elapsed = QElapsedTimer()
        self.result: exams.ExamResult | None = None
        self.dialog: QMessageBox | None = None

        self.stack = QStackedWidget()
        self.stack.addWidget(self._build_exam())
        self.results = ResultsPage()
        self.stack.addWidget(self.results)
        layout = QVBoxLayout(self)
        layout.addWidget(self.stack)

        self.ticker = QTimer(self)
        self.ticker.setInterval(1000)
        self.ticker.timeout.connect(self._tick)
        self._last_saved = attempt.remaining_s
        self._show()
        self.elapsed.start()
        self.ticker.start()
        self._tick()

    def _build_exam(self) -> QWidget:
        page = QWidget()
        self.timer_label = QLabel()
        self.timer_label.setObjectName("examTimer")
        font = self.timer_label.font()
        font.setPointSize(16)
        font.setBold(True)
        self.timer_label.setFont(font)
        self.status_label = QLabel()
        top = QHBoxLayout()
        top.addWidget(QLabel(f"<b>{escape(self.profile.name)}</b>"))
        top.addStretch(1)
        top.addWidget(self.status_label)
        top.addSpacing(20)
        top.addWidget(self.timer_label)

        self.panel = QuestionPanel()
        self.panel.chosen.connect(self.choose)
        self.navigator = QWidget()
        grid = QGridLayout(self.navigator)
        grid.setSpacing(3)
        self.nav_buttons: list[QPushButton] = []
        for q in self.questions:
            button = QPushButton(str(q.position + 1))
            button.setFixedSize(40, 30)
            button.setFocusPolicy(Qt.FocusPolicy.NoFocus)
            button.clicked.connect(lambda _=False, p=q.position: self.go(p))
            grid.addWidget(button, q.position // 5, q.position % 5)
            self.nav_buttons.append(button)
        grid.setRowStretch(grid.rowCount(), 1)
        nav_box = QVBoxLayout()
        nav_box.addWidget(QLabel("Questions"))
        nav_box.addWidget(self.navigator, 1)
        legend = QLabel(
            '<span style="color:#2e86c1">■</span> answered &nbsp; ⚑ flagged &nbsp; '
            '<span style="color:#f39c12">□</span> current'
        )
        legend.setWordWrap(True)
        nav_box.addWidget(legend)

        self.prev_button = QPushButton("← Previous")
        self.next_button = QPushButton("Next →")
        self.flag_button = QPushButton("⚑ Flag (F)")
        self.flag_button.setCheckable(True)
        self.submit_button = QPushButton("Submit exam…")
        for button in (self.prev_button, self.next_button, self.flag_button, self.submit_button):
            button.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.prev_button.clicked.connect(lambda: self.go(self.position - 1))
        self.next_button.clicked.connect(lambda: self.go(self.position + 1))
        self.flag_button.clicked.connect(self.toggle_flag)
        self.submit_button.clicked.connect(self.ask_submit)
        bottom = QHBoxLayout()
        bottom.addWidget(self.prev_button)
        bottom.addWidget(self.next_button)
        bottom.addWidget(self.flag_button)
        bottom.addStretch(1)
        bottom.addWidget(self.submit_button)

        middle = QHBoxLayout()
        middle.addWidget(self.panel, 1)
        middle.addLayout(nav_box)
        layout = QVBoxLayout(page)
        layout.addLayout(top)
        layout.addLayout(middle, 1)
        layout.addLayout(bottom)
        return page

    # --- state --------------------------------------------------------------------------
    def remaining(self) -> int:
        return max(0, self.remaining_at_start - self.elapsed.elapsed() // 1000)

    def _tick(self) -> None:
        if self.result is not None:
            return
        left = self.remaining()
        self.timer_label.setText(f"Time left {format_time(left)}")
        low = left <= 300
        self.timer_label.setStyleSheet("color: #c0392b;" if low else "")
        if abs(self._last_saved - left) >= SAVE_EVERY_S:
            self.save_time()
        if left <= 0:
            self.submit(auto=True)

    def save_time(self) -> None:
        left = self.remaining()
        exams.save_remaining(self.col, self.attempt_id, left)
        self._last_saved = left

    def _show(self) -> None:
        q = self.questions[self.position]
        self.panel.show_question(q, len(self.questions))
        self.flag_button.setChecked(q.flagged)
        self.prev_button.setEnabled(self.position > 0)
        self.next_button.setEnabled(self.position < len(self.questions) - 1)
        answered = sum(1 for x in self.questions if x.chosen is not None)
        self.status_label.setText(f"{answered} of {len(self.questions)} answered")
        for question, button in zip(self.questions, self.nav_buttons, strict=True):
            mark = "⚑" if question.flagged else ""
            button.setText(f"{question.position + 1}{mark}")
            style = []
            if question.chosen is not None:
                style.append("background: #2e86c1; color: white;")
            if question.position == self.position:
                style.append("border: 2px solid #f39c12; font-weight: bold;")
            button.setStyleSheet(" ".join(style))

    def _replace(self, position: int, **changes) -> None:
        from dataclasses import replace

        self.questions[position] = replace(self.questions[position], **changes)

    def go(self, position: int) -> None:
        if 0 <= position < len(self.questions):
            self.position = position
            self._show()

    def choose(self, option: int) -> None:
        q = self.questions[self.position]
        if self.result is not None or not 1 <= option <= len(q.options):
            return
        exams.answer(self.col, self.attempt_id, self.position, option)
        self._replace(self.position, chosen=option)
        self._show()

    def toggle_flag(self) -> None:
        q = self.questions[self.position]
        exams.flag(self.col, self.attempt_id, self.position, not q.flagged)
        self._replace(self.position, flagged=not q.flagged)
        self._show()

    def keyPressEvent(self, event: QKeyEvent) -> None:  # noqa: N802 (Qt API)
        key = event.key()
        if self.stack.currentIndex() == 0 and self.result is None:
            if Qt.Key.Key_1 <= key <= Qt.Key.Key_5:
                self.choose(key - Qt.Key.Key_1 + 1)
                return
            if key in (Qt.Key.Key_Right, Qt.Key.Key_N):
                self.go(self.position + 1)
                return
            if key in (Qt.Key.Key_Left, Qt.Key.Key_P):
                self.go(self.position - 1)
                return
            if key == Qt.Key.Key_F:
                self.toggle_flag()
                return
        super().keyPressEvent(event)

    # --- submitting ---------------------------------------------------------------------
    def submit_warning(self) -> str:
        blank = [q.position + 1 for q in self.questions if q.chosen is None]
        flagged = [q.position + 1 for q in self.questions if q.flagged]
        lines = []
        if blank:
            lines.append(f"Not answered ({len(blank)}): {', '.join(map(str, blank))}.")
        if flagged:
            lines.append(f"Flagged ({len(flagged)}): {', '.join(map(str, flagged))}.")
        lines.append("Submit the exam now? Answers cannot be changed afterwards.")
        return "\n\n".join(lines)

    def ask_submit(self) -> None:
        self.dialog = QMessageBox(
            QMessageBox.Icon.Question,
            "Submit exam",
            self.submit_warning(),
            QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No,
            self,
        )
        self.dialog.button(QMessageBox.StandardButton.Yes).setText("Submit")
        self.dialog.button(QMessageBox.StandardButton.No).setText("Keep working")
        self.dialog.finished.connect(self._submit_answered)
        self.dialog.open()

    def _submit_answered(self, _code: int) -> None:
        dialog = self.dialog
        yes = dialog.button(QMessageBox.StandardButton.Yes) if dialog else None
        if dialog is not None and dialog.clickedButton() is yes and self.result is None:
            self.submit()

    def submit(self, auto: bool = False) -> exams.ExamResult | None:
        if self.result is not None:
            return self.result
        self.ticker.stop()
        if self.dialog is not None and self.dialog.isVisible():
            self.dialog.close()
        exams.save_remaining(self.col, self.attempt_id, self.remaining())
        self.result = exams.submit(self.col, self.attempt_id)
        self.results.show_result(self.result, auto)
        self.stack.setCurrentWidget(self.results)
        self.finished.emit(self.result)
        return self.result

    def closeEvent(self, event) -> None:  # noqa: N802 (Qt API)
        if self.result is None:
            self.ticker.stop()
            exams.save_remaining(self.col, self.attempt_id, self.remaining())
        super().closeEvent(event)


# --- results ---------------------------------------------------------------------------------


class ResultsPage(QWidget):
    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.headline = QLabel()
        self.headline.setWordWrap(True)
        font = self.headline.font()
        font.setPointSize(15)
        self.headline.setFont(font)
        self.domains = QTableWidget(0, 3)
        self.domains.setHorizontalHeaderLabels(["Domain", "Correct", "Score"])
        self.domains.horizontalHeader().setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        self.domains.verticalHeader().hide()
        self.domains.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.only_wrong = QCheckBox("Only questions I missed")
        self.only_wrong.toggled.connect(self._fill_review)
        self.review = CardView()
        tabs = QTabWidget()
        summary = QWidget()
        s_layout = QVBoxLayout(summary)
        s_layout.addWidget(self.domains)
        review = QWidget()
        r_layout = QVBoxLayout(review)
        r_layout.addWidget(self.only_wrong)
        r_layout.addWidget(self.review)
        tabs.addTab(summary, "By domain")
        tabs.addTab(review, "Review answers")
        self.tabs = tabs
        self.close_button = QPushButton("Close")
        self.close_button.clicked.connect(lambda: self.window().close())
        bottom = QHBoxLayout()
        bottom.addStretch(1)
        bottom.addWidget(self.close_button)
        layout = QVBoxLayout(self)
        layout.addWidget(self.headline)
        layout.addWidget(tabs, 1)
        layout.addLayout(bottom)
        self.result: exams.ExamResult | None = None

    def show_result(self, result: exams.ExamResult, auto: bool = False) -> None:
        self.result = result
        verdict = (
            '<span style="color:#1e8449">PASS</span>'
            if result.passed
            else '<span style="color:#c0392b">NOT YET</span>'
        )
        used = format_time(result.time_used_s)
        note = "Time ran out; the exam was submitted automatically.<br/>" if auto else ""
        missed = result.total - result.correct
        self.headline.setText(
            f"{note}<b>{result.percent:.0f}%</b> ({result.correct} of {result.total}) — "
            f"<b>{verdict}</b> (pass mark {result.pass_percent}%). Time used: {used}.<br/>"
            f"<small>{missed} missed question{'s' if missed != 1 else ''} went into your "
            "review queue.</small>"
        )
        self.domains.setRowCount(len(result.domains))
        for row, d in enumerate(result.domains):
            self.domains.setItem(row, 0, QTableWidgetItem(d.domain))
            self.domains.setItem(row, 1, QTableWidgetItem(f"{d.correct} / {d.total}"))
            item = QTableWidgetItem(f"{d.percent:.0f}%")
            if d.percent < result.pass_percent:
                item.setForeground(Qt.GlobalColor.darkRed)
            self.domains.setItem(row, 2, item)
        self.domains.resizeColumnsToContents()
        self.domains.horizontalHeader().setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        self._fill_review()

    def _fill_review(self) -> None:
        if self.result is None:
            return
        parts = []
        for q in self.result.questions:
            if self.only_wrong.isChecked() and q.is_correct:
                continue
            mark = (
                '<span style="color:#1e8449">✔ correct</span>'
                if q.is_correct
                else '<span style="color:#c0392b">✘ '
                + ("not answered" if q.chosen is None else "wrong")
                + "</span>"
            )
            items = []
            for i, option in enumerate(q.options, start=1):
                text = option
                if i == q.correct:
                    text = f"<b>{text}</b> ← correct"
                if i == q.chosen and i != q.correct:
                    text = f"<s>{text}</s> ← your answer"
                items.append(f"<li>{text}</li>")
            why = f"<p><i>Why:</i> {q.rationale}</p>" if q.rationale else ""
            parts.append(
                f'<div align="left"><p><b>{q.position + 1}.</b> {mark} '
                f"<small>({escape(q.domain)})</small></p><p>{q.text}</p>"
                f"<ol>{''.join(items)}</ol>{why}<hr/></div>"
            )
        self.review.setHtml("".join(parts) or "<p>Nothing to show.</p>")


# --- history ---------------------------------------------------------------------------------


class HistoryDialog(QDialog):
    """Exam scores over time, with the pass marks, as a line chart and a table."""

    def __init__(self, col: Collection, parent: QWidget | None = None):
        super().__init__(parent)
        self.setWindowTitle("Exam history")
        entries = exams.history(col)
        self.entries = entries
        chart = QChart()
        chart.setTitle("Mock exam scores")
        chart.setMargins(QMargins(4, 4, 4, 4))
        scores = QLineSeries()
        scores.setName("Score %")
        scores.setPointsVisible(True)
        marks = QLineSeries()
        marks.setName("Pass mark")
        for i, e in enumerate(entries, start=1):
            scores.append(i, e.percent)
            marks.append(i, e.pass_percent)
        if len(entries) == 1:  # a line needs two points
            marks.append(2, entries[0].pass_percent)
        chart.addSeries(scores)
        chart.addSeries(marks)
        x_axis = QValueAxis()
        x_axis.setRange(1, max(2, len(entries)))
        x_axis.setLabelFormat("%d")
        x_axis.setTickCount(min(max(2, len(entries)), 11))
        x_axis.setTitleText("Attempt")
        y_axis = QValueAxis()
        y_axis.setRange(0, 100)
        y_axis.setTitleText("%")
        chart.addAxis(x_axis, Qt.AlignmentFlag.AlignBottom)
        chart.addAxis(y_axis, Qt.AlignmentFlag.AlignLeft)
        for series in (scores, marks):
            series.attachAxis(x_axis)
            series.attachAxis(y_axis)
        self.chart_view = QChartView(chart)
        self.chart_view.setRenderHint(QPainter.RenderHint.Antialiasing)
        self.chart_view.setMinimumSize(560, 300)
        table = QTableWidget(len(entries), 4)
        table.setHorizontalHeaderLabels(["When", "Exam", "Score", "Result"])
        table.verticalHeader().hide()
        table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        for row, e in enumerate(entries):
            table.setItem(row, 0, QTableWidgetItem(e.when.strftime("%Y-%m-%d %H:%M")))
            table.setItem(row, 1, QTableWidgetItem(e.name))
            table.setItem(row, 2, QTableWidgetItem(f"{e.percent:.0f}% of {e.total}"))
            table.setItem(row, 3, QTableWidgetItem("pass" if e.passed else "not yet"))
        table.resizeColumnsToContents()
        table.horizontalHeader().setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        self.table = table
        empty = QLabel("No exams submitted yet." if not entries else "")
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(empty)
        layout.addWidget(self.chart_view, 2)
        layout.addWidget(table, 1)
        layout.addWidget(buttons)
        if not entries:
            empty.show()
        else:
            empty.hide()


def start_exam(col: Collection, profile: exams.Profile, seed: int | None = None) -> int:
    """Make an attempt for `profile` (a fresh random seed unless given)."""
    return exams.create_exam(col, profile, random.randrange(2**31) if seed is None else seed)
