"""The Browse window: search as you type, edit notes with validation, undo, decks."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt

from studyapp.core import decks, notes
from studyapp.gui.browser import PAGE, BrowserWindow
from studyapp.gui.tools import add_tools_actions, open_browser
from tests.gui.conftest import add_study_notes


@pytest.fixture
def browser(window, col, qtbot) -> BrowserWindow:
    add_study_notes(col)
    chapters = decks.get_or_create(col, "ICD-10-CM::Chapters")
    notes.add_notes(
        col,
        [
            notes.NewNote(
                chapters, "typed", {"front": "Mild asthma", "answer": "J45.909"}, ["resp"]
            ),
            notes.NewNote(chapters, "typed", {"front": "Asthma", "answer": "J45"}, ["resp"]),
        ],
    )
    add_tools_actions(window)
    window.tools_actions[0].trigger()
    win = window.browser_window
    qtbot.addWidget(win)
    qtbot.waitExposed(win)
    return win


def fronts(browser: BrowserWindow) -> list[str]:
    model = browser.model
    return [model.index(r, 0).data() for r in range(model.rowCount())]


def search(browser: BrowserWindow, qtbot, text: str) -> list[str]:
    browser.search.setText(text)
    qtbot.waitUntil(lambda: not browser.timer.isActive(), timeout=2000)
    return fronts(browser)


def test_tools_menu_is_shown(window):
    add_tools_actions(window)
    assert window.tools_menu.menuAction().isVisible()
    texts = [a.text() for a in window.tools_menu.actions()]
    assert texts[:3] == ["&Browse cards…", "&Statistics…", "S&ettings…"]
    assert len(texts) == len(set(texts))  # adding twice does not duplicate
    assert window.tools_actions[0].shortcut().toString() == "Ctrl+B"


def test_search_syntax_in_the_browser(browser, qtbot, shoot):
    assert len(fronts(browser)) == 8
    assert search(browser, qtbot, "asthma") == ["Mild asthma", "Asthma"]
    assert search(browser, qtbot, "J45") == ["Asthma"]
    assert search(browser, qtbot, "J45*") == ["Mild asthma", "Asthma"]
    assert search(browser, qtbot, "e11.9") == ["Type 2 diabetes without complications"]
    assert search(browser, qtbot, 'deck:"ICD-10-CM"') == ["Mild asthma", "Asthma"]
    assert search(browser, qtbot, "tag:resp -J45") == ["Mild asthma"]
    assert search(browser, qtbot, "kind:cloze or kind:choice") == [
        "An Excludes1 note means…",
        "The placeholder {{c1::X}} fills empty positions.",
    ]
    assert len(search(browser, qtbot, "is:new")) == 8
    assert search(browser, qtbot, "is:due") == []
    assert search(browser, qtbot, "is:suspended") == []
    search(browser, qtbot, "is:nonsense")
    assert "is:nonsense is not known" in browser.message.text()
    assert browser.last_error
    search(browser, qtbot, "J45*")
    assert browser.model.index(0, 1).data() == "J45.909"
    assert browser.model.index(0, 2).data() == "ICD-10-CM::Chapters"
    assert browser.form.values()["front"] == "Mild asthma"
    shoot(browser, "browser")


def test_lazy_fetching_in_pages(window, col, qtbot):
    deck_id = decks.get_or_create(col, "Big")
    notes.add_notes(
        col, [notes.NewNote(deck_id, "basic", {"front": f"Q{i}", "back": "A"}) for i in range(1200)]
    )
    browser = open_browser(window)
    qtbot.addWidget(browser)
    assert len(browser.model.ids) == 1200
    assert browser.model.rowCount() == PAGE
    browser.table.scrollToBottom()
    qtbot.waitUntil(lambda: browser.model.rowCount() > PAGE)
    browser.select_card(browser.model.ids[-1])
    assert browser.model.rowCount() == 1200
    assert browser.model.index(1199, 0).data() == "Q1199"


def test_edit_changes_the_study_screen_and_undo_restores(browser, window, col, qtbot):
    assert search(browser, qtbot, '"Chapter 4"') == ["Chapter 4 range?"]
    note_id = browser.note_id
    browser.form.set_text("front", "Which codes make up chapter 4?")
    browser.form.set_text("back", "E00-E89 (edited)")
    assert browser.save_note()
    assert browser.model.index(0, 0).data() == "Which codes make up chapter 4?"
    deck_id = decks.by_name(col, "Practice::Mixed").id
    window.start_study(deck_id)  # the first new card is this note's
    study = window.study
    assert "Which codes make up chapter 4?" in study.view.toPlainText()
    qtbot.keyClick(study, Qt.Key.Key_Space)
    assert "E00-E89 (edited)" in study.view.toPlainText()
    window.show_decks()
    browser.activateWindow()
    qtbot.keyClick(browser.table, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    assert notes.get(col, note_id).fields == {
        "front": "Chapter 4 range?",
        "back": "E00-E89",
        "explanation": "Endocrine, nutritional and metabolic",
    }
    assert browser.form.values()["front"] == "Chapter 4 range?"
    window.start_study(deck_id)
    assert "Chapter 4 range?" in window.study.view.toPlainText()


def test_validation_error_is_shown_and_nothing_saved(browser, col, qtbot, shoot):
    search(browser, qtbot, "kind:choice")
    browser.form.set_text("options", "only one")
    browser.form.set_text("correct", "3")
    assert not browser.save_note()
    assert browser.form.errors.isVisible()
    assert "3 to 5" in browser.form.errors.text()
    assert "border" in browser.form.inputs["options"].styleSheet()
    note = notes.get(col, browser.note_id)
    assert len(note.fields["options"]) == 4
    assert not browser.editor.can_undo
    shoot(browser, "browser-validation-error")


def test_add_note(browser, col, qtbot):
    deck_id = decks.by_name(col, "ICD-10-CM::Chapters").id
    browser.select_deck(deck_id)
    dialog = browser.ask_add_note()
    dialog.kind.setCurrentText("typed")
    dialog.form.set_text("front", "Exercise-induced bronchospasm")
    dialog.form.set_text("answer", "J45.990")
    dialog.form.tags.setText("resp new")
    dialog.save()
    assert dialog.note_id is not None
    note = notes.get(col, dialog.note_id)
    assert note.kind == "typed" and note.fields["answer"] == "J45.990"
    assert note.tags == ["new", "resp"]
    assert search(browser, qtbot, "J45.990") == ["Exercise-induced bronchospasm"]
    browser.undo()
    assert search(browser, qtbot, "J45.990") == []


def test_add_note_shows_problems(browser, qtbot):
    dialog = browser.ask_add_note()
    dialog.kind.setCurrentText("cloze")
    dialog.form.set_text("text", "no deletion")
    dialog.save()
    assert dialog.note_id is None and dialog.isVisible()
    assert "deletion" in dialog.form.errors.text()
    dialog.reject()


def test_suspend_move_and_delete_with_undo(browser, col, qtbot, monkeypatch):
    search(browser, qtbot, "J45*")
    browser.table.selectAll()
    cards = browser.selected_cards()
    assert len(cards) == 2
    browser.toggle_suspend()
    assert search(browser, qtbot, "is:suspended") == ["Mild asthma", "Asthma"]
    browser.table.selectAll()
    assert browser.suspend_button.text() == "Unsuspend"
    target = decks.get_or_create(col, "Elsewhere")
    browser.refresh_decks()
    browser.move_to(target)
    assert search(browser, qtbot, "deck:Elsewhere") == ["Mild asthma", "Asthma"]
    asked: list[str] = []
    monkeypatch.setattr(browser, "confirm", lambda title, text: asked.append(text) or True)
    browser.select_row(0)
    browser.ask_delete_notes()
    assert "1 note with 1 card" in asked[0]
    assert search(browser, qtbot, "deck:Elsewhere") == ["Asthma"]
    browser.undo()
    browser.undo()
    assert search(browser, qtbot, "deck:Elsewhere") == []
    browser.undo()
    assert search(browser, qtbot, "is:suspended") == []


def test_deck_create_rename_delete_asks_and_counts(browser, col, qtbot, monkeypatch):
    answers = iter(["Own::New deck", "Own::Renamed"])
    monkeypatch.setattr(browser, "ask_text", lambda *a, **k: next(answers))
    browser.ask_create_deck()
    deck = decks.by_name(col, "Own::New deck")
    browser.select_deck(deck.id)
    browser.ask_rename_deck()
    assert decks.get(col, deck.id).name == "Own::Renamed"
    asked: list[str] = []
    monkeypatch.setattr(browser, "confirm", lambda title, text: asked.append(text) or False)
    practice = decks.by_name(col, "Practice")
    browser.select_deck(practice.id)
    browser.ask_delete_deck()
    assert "6 cards" in asked[0] and "Practice" in asked[0]
    assert decks.find(col, "Practice") is not None  # declined
    monkeypatch.setattr(browser, "confirm", lambda title, text: True)
    browser.ask_delete_deck()
    assert decks.find(col, "Practice") is None
    assert len(fronts(browser)) == 2
    browser.undo()
    assert decks.find(col, "Practice::Mixed") is not None
    assert len(search(browser, qtbot, "")) == 8


def test_browser_follows_changes_made_elsewhere(browser, window, col, qtbot):
    assert len(search(browser, qtbot, "is:new")) == 8
    deck_id = decks.by_name(col, "Practice::Mixed").id
    window.start_study(deck_id)
    qtbot.keyClick(window.study, Qt.Key.Key_Space)
    qtbot.keyClick(window.study, Qt.Key.Key_3)  # answered: collection_changed
    assert len(fronts(browser)) == 7
