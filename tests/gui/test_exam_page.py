"""Practice menu: a short custom mock exam taken through the GUI, results, history, resume, and
a code-location drill (data loaded with run_task)."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QMessageBox

from studyapp.core import decks, drills, exams, notes
from studyapp.gui.practice import add_practice_actions


def add_exam_decks(col) -> None:
    for name, n in (("Cert::Anatomy", 4), ("Cert::Coding", 4), ("Cert::Compliance", 3)):
        deck_id = decks.get_or_create(col, name)
        notes.add_notes(
            col,
            [
                notes.NewNote(
                    deck_id,
                    "choice",
                    {
                        "question": f"In {name.split('::')[1]}, which statement {i} is true?",
                        "options": ["First option", "Second option", "Third option", "Fourth"],
                        "correct": 2,
                        "rationale": "The <b>second</b> option follows the guideline.",
                    },
                )
                for i in range(n)
            ],
        )


def menu_texts(window) -> list[str]:
    return [a.text() for a in window.menuBar().actions()]


def test_take_a_short_custom_exam(window, col, qtbot, shoot):
    add_exam_decks(col)
    practice = add_practice_actions(window)
    texts = menu_texts(window)
    assert "&Practice" in texts and texts.index("&Practice") < texts.index("&Help")
    assert not practice.resume_action.isVisible()

    practice.ask_exam()
    setup = practice.dialog
    qtbot.waitExposed(setup)
    setup.profile_box.setCurrentIndex(setup.profile_box.count() - 1)  # Custom
    setup.count.setValue(5)
    setup.minutes.setValue(10)
    assert "11 multiple-choice questions" in setup.available.text()
    shoot(setup, "exam-setup")
    profile = setup.profile()
    assert (profile.count, profile.minutes, profile.deck_names) == (5, 10, ("Cert",))
    setup.accept()

    win = practice.exam_window
    assert win is not None
    qtbot.addWidget(win)
    qtbot.waitExposed(win)
    assert len(win.questions) == 5
    assert {q.domain for q in win.questions} == {
        "Cert::Anatomy",
        "Cert::Coding",
        "Cert::Compliance",
    }
    # answer 1-3 by keyboard (2 is right), skip 4, flag 5
    qtbot.keyClick(win, Qt.Key.Key_2)
    qtbot.keyClick(win, Qt.Key.Key_Right)
    qtbot.keyClick(win, Qt.Key.Key_2)
    qtbot.keyClick(win, Qt.Key.Key_Right)
    qtbot.keyClick(win, Qt.Key.Key_3)
    win.go(4)
    qtbot.keyClick(win, Qt.Key.Key_F)
    assert exams.flagged(col, win.attempt_id) == [4]
    assert exams.unanswered(col, win.attempt_id) == [3, 4]
    win.go(2)
    shoot(win, "exam-question")
    assert practice.refresh() is None and practice.resume_action.isVisible()

    warning = win.submit_warning()
    assert "Not answered (2): 4, 5." in warning and "Flagged (1): 5." in warning
    win.ask_submit()
    box = win.dialog
    assert isinstance(box, QMessageBox)
    box.button(QMessageBox.StandardButton.Yes).click()
    qtbot.waitUntil(lambda: win.result is not None)
    result = win.result
    assert (result.correct, result.total, result.passed) == (2, 5, False)
    assert win.stack.currentWidget() is win.results
    assert "40%" in win.results.headline.text()
    assert win.results.domains.rowCount() == 3
    win.results.tabs.setCurrentIndex(0)
    shoot(win, "exam-results")
    win.results.tabs.setCurrentIndex(1)
    win.results.only_wrong.setChecked(True)
    assert "second" in win.results.review.toPlainText()
    shoot(win, "exam-review")
    assert not practice.resume_action.isVisible()
    origins = col.conn.execute("SELECT DISTINCT origin FROM revlog").fetchall()
    assert origins == [(1,)]

    practice.show_history()
    history = practice.dialog
    qtbot.waitExposed(history)
    assert history.table.rowCount() == 1
    shoot(history, "exam-history")
    history.close()


def test_closed_exam_resumes_with_time_left(window, col, qtbot, clock):
    add_exam_decks(col)
    practice = add_practice_actions(window)
    profile = exams.custom_profile(["Cert"], count=3, minutes=1)
    win = practice.start_exam(profile, seed=4)
    qtbot.addWidget(win)
    win.choose(1)
    win.remaining_at_start = 42  # as if the clock had run for a while
    win.close()
    attempt = exams.get_attempt(col, win.attempt_id)
    assert attempt.remaining_s <= 42

    again = practice.resume_exam()
    qtbot.addWidget(again)
    assert again is not win and again.attempt_id == win.attempt_id
    assert again.questions[0].chosen == 1
    assert again.remaining() <= 42
    # time runs out: the exam submits itself
    again.remaining_at_start = 0
    again._tick()
    assert again.result is not None and "automatically" in again.results.headline.text()


def test_code_location_drill(window, col, qtbot, shoot):
    practice = add_practice_actions(window)
    practice.ask_drill()
    qtbot.waitUntil(lambda: practice.dialog is not None, timeout=30000)
    setup = practice.dialog
    qtbot.waitExposed(setup)
    assert setup.focus_box.count() == 2 + 22
    shoot(setup, "drill-setup")
    setup.reject()

    data = drills.load_data()
    win = practice.open_drill(data, 4, "chapter", seed=1)
    qtbot.addWidget(win)
    qtbot.waitExposed(win)
    shoot(win, "drill-question")
    q = win.question
    qtbot.keyClick(win, Qt.Key.Key_1 + q.correct - 1)
    assert win.answered and win.right == 1
    shoot(win, "drill-answered")
    qtbot.keyClick(win, Qt.Key.Key_Return)
    assert not win.answered and win.question is not q

    typed = practice.open_drill(data, 2, "block", seed=2)
    qtbot.addWidget(typed)
    qtbot.waitExposed(typed)
    qtbot.keyClicks(typed.typed, "A00-A01")
    qtbot.keyClick(typed.typed, Qt.Key.Key_Return)
    assert typed.answered and typed.right == 0
    assert typed.question.expected in typed.feedback.text()
    shoot(typed, "drill-typed-wrong")
    assert sum(t for _, t in drills.accuracy_by_chapter(col).values()) == 2


def test_new_exam_offers_to_resume_or_discard(window, col, qtbot):
    add_exam_decks(col)
    practice = add_practice_actions(window)
    first = practice.start_exam(exams.custom_profile(["Cert"], count=2, minutes=5), seed=1)
    first.close()
    practice.ask_exam()
    box = practice.dialog
    assert isinstance(box, QMessageBox)
    box.button(QMessageBox.StandardButton.Yes).click()
    assert practice.exam_window.attempt_id == first.attempt_id
    practice.exam_window.close()

    practice.ask_exam()
    practice.dialog.button(QMessageBox.StandardButton.Discard).click()
    assert exams.resumable_attempt(col) is None
    qtbot.waitUntil(lambda: practice.dialog.__class__.__name__ == "ExamSetupDialog")
    practice.dialog.reject()
