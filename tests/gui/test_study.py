"""The study flow by keyboard: grading, typed and choice cards, undo, summary."""

from __future__ import annotations

from PySide6.QtCore import Qt

from studyapp.core import decks, notes
from studyapp.core.review import ANSWER, FINISHED, QUESTION
from tests.gui.conftest import add_study_notes


def revlog(col):
    return col.conn.execute("SELECT card_id, rating FROM revlog ORDER BY id").fetchall()


def test_deck_list_shows_counts_and_totals(window, col, shoot):
    add_study_notes(col)
    window.deck_list.refresh()
    model = window.deck_list.model
    parent = model.item(0, 0)
    assert parent.text() == "Practice"
    assert model.item(0, 1).text() == "6"  # parent includes its child's new cards
    assert parent.child(0, 0).text() == "Mixed"
    assert "6 new" in window.deck_list.totals.text()
    shoot(window, "deck-list")


def test_empty_collection_says_what_to_do(window):
    assert "No decks yet" in window.deck_list.message.text()


def test_study_five_cards_by_keyboard_only(window, col, qtbot, shoot):
    deck_id = decks.get_or_create(col, "Keyboard")
    notes.add_notes(
        col,
        [notes.NewNote(deck_id, "basic", {"front": f"Q{i}", "back": f"A{i}"}) for i in range(8)],
    )
    window.deck_list.refresh()
    window.deck_list.select_deck(deck_id)
    window.deck_list.tree.setFocus()
    qtbot.keyClick(window.deck_list.tree, Qt.Key.Key_Return)
    assert window.pages.currentWidget() is window.study
    study = window.study
    shoot(window, "study-question")
    for i in range(5):
        assert study.session.state == QUESTION
        qtbot.keyClick(study, Qt.Key.Key_Space)
        assert study.session.state == ANSWER
        if i == 0:
            assert "A0" in study.view.toPlainText()
            assert "Good" in study.grade_buttons[3].text() and "m" in study.grade_buttons[3].text()
            shoot(window, "study-answer")
        qtbot.keyClick(study, Qt.Key.Key_3)
    rows = revlog(col)
    assert len(rows) == 5 and all(rating == 3 for _, rating in rows)
    assert len({card for card, _ in rows}) == 5
    qtbot.keyClick(study, Qt.Key.Key_Escape)
    assert window.pages.currentWidget() is window.deck_list


def test_typed_card_wrong_then_right(window, col, qtbot, clock, shoot):
    deck_id = decks.get_or_create(col, "Typed")
    notes.add_note(
        col,
        notes.NewNote(
            deck_id, "typed", {"front": "T2DM without complications?", "answer": "E11.9"}
        ),
    )
    window.deck_list.refresh()
    window.start_study(deck_id)
    study = window.study
    assert study.typed.isVisible()
    qtbot.keyClicks(study.typed, "E11.8")
    qtbot.keyClick(study.typed, Qt.Key.Key_Return)
    assert study.session.state == ANSWER
    assert not study.session.verdict.correct
    assert study.session.suggested_rating() == 1
    assert "wrong subcategory" in study.feedback.text() or "Right category" in study.feedback.text()
    shoot(window, "study-typed-wrong")
    qtbot.keyClick(study, Qt.Key.Key_Return)  # takes the suggested grade: Again
    assert revlog(col)[-1][1] == 1
    clock.advance(minutes=2)
    study.session.refresh()
    study.refresh()
    assert study.session.state == QUESTION
    qtbot.keyClicks(study.typed, "e119")
    qtbot.keyClick(study.typed, Qt.Key.Key_Return)
    assert study.session.verdict.correct
    assert study.session.suggested_rating() == 3
    assert "Correct" in study.feedback.text()
    qtbot.keyClick(study, Qt.Key.Key_3)
    assert [r for _, r in revlog(col)] == [1, 3]


def test_choice_card_by_number_key_shows_rationale(window, col, qtbot, shoot):
    deck_id = decks.get_or_create(col, "Choice")
    notes.add_note(
        col,
        notes.NewNote(
            deck_id,
            "choice",
            {
                "question": "Excludes1 means",
                "options": ["code also", "never together", "code first"],
                "correct": 2,
                "rationale": "A pure exclusion note.",
            },
        ),
    )
    window.start_study(deck_id)
    study = window.study
    assert [b.text().split(".")[0] for b in study.choice_buttons if b.isVisible()] == [
        "1",
        "2",
        "3",
    ]
    qtbot.keyClick(study, Qt.Key.Key_3)
    assert study.session.chosen == 3 and study.session.suggested_rating() == 1
    assert "A pure exclusion note." in study.view.toPlainText()
    assert "answer is option 2" in study.feedback.text()
    shoot(window, "study-choice")
    qtbot.keyClick(study, Qt.Key.Key_1)
    assert revlog(col)[-1][1] == 1


def test_undo_restores_card_and_log(window, col, qtbot):
    add_study_notes(col)
    deck_id = decks.by_name(col, "Practice").id
    window.start_study(deck_id)
    study = window.study
    first = study.session.current.card_id
    before = col.conn.execute("SELECT * FROM cards WHERE id = ?", (first,)).fetchone()
    qtbot.keyClick(study, Qt.Key.Key_Space)
    qtbot.keyClick(study, Qt.Key.Key_4)
    assert len(revlog(col)) == 1
    window.undo_action.trigger()
    assert revlog(col) == []
    assert col.conn.execute("SELECT * FROM cards WHERE id = ?", (first,)).fetchone() == before
    assert study.session.current.card_id == first


def test_end_of_session_summary(window, col, qtbot, shoot):
    deck_id = decks.get_or_create(col, "Short")
    notes.add_note(col, notes.NewNote(deck_id, "basic", {"front": "Q", "back": "A"}))
    window.start_study(deck_id)
    qtbot.keyClick(window.study, Qt.Key.Key_Space)
    qtbot.keyClick(window.study, Qt.Key.Key_4)  # Easy: graduates, nothing left today
    assert window.study.session.state == FINISHED
    text = window.study.end_label.text()
    assert "Cards studied: <b>1</b>" in text and "Correct: <b>100%</b>" in text
    shoot(window, "study-end")


def test_card_view_loads_no_resources(window, col):
    view = window.study.view
    from PySide6.QtCore import QUrl

    assert view.loadResource(2, QUrl("file:///etc/passwd")) is None
    assert view.loadResource(2, QUrl("https://example.org/x.png")) is None
    assert not view.openExternalLinks() and not view.openLinks()
