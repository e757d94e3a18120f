"""Settings: per-deck options (set / inherit), day start, theme, font size, optimiser."""

from __future__ import annotations

from PySide6.QtCore import QSettings
from PySide6.QtGui import QPalette
from PySide6.QtWidgets import QApplication

from studyapp.core import decks, notes, optimise, scheduling
from studyapp.core.optimise import Metrics, OptimiseResult
from studyapp.gui.settings_dialog import FONT_KEY, THEME_KEY, apply_theme
from studyapp.gui.tools import add_tools_actions


def open_settings(window, qtbot):
    add_tools_actions(window)
    window.tools_actions[2].trigger()
    dialog = window.settings_dialog
    qtbot.waitExposed(dialog)
    return dialog


def make_decks(col):
    parent = decks.get_or_create(col, "Parent")
    child = decks.get_or_create(col, "Parent::Child")
    notes.add_notes(
        col,
        [notes.NewNote(child, "basic", {"front": f"Q{i}", "back": "A"}) for i in range(6)],
    )
    return parent, child


def test_deck_options_round_trip_and_inheritance(window, col, qtbot, shoot):
    parent, child = make_decks(col)
    decks.set_options(col, parent, {"reviews_per_day": 50})
    dialog = open_settings(window, qtbot)
    dialog.select_deck(child)
    assert "50  (Parent)" in dialog.inherited["reviews_per_day"].text()
    assert "20  (default)" in dialog.inherited["new_per_day"].text()
    assert not dialog.overrides["reviews_per_day"].isChecked()
    assert not dialog.editors["reviews_per_day"].isEnabled()
    dialog.set_option("new_per_day", 2)
    dialog.set_option("learning_steps", [1, 5, 15])
    dialog.set_option("desired_retention", 0.85)
    assert dialog.save_deck_options()
    assert decks.own_options(col, child) == {
        "new_per_day": 2,
        "learning_steps": [1, 5, 15],
        "desired_retention": 0.85,
    }
    dialog.select_deck(parent)
    assert decks.own_options(col, parent) == {"reviews_per_day": 50}
    dialog.select_deck(child)
    assert dialog.overrides["new_per_day"].isChecked()
    assert dialog.editors["learning_steps"].text() == "1 5 15"
    shoot(dialog, "settings")
    dialog.set_option("desired_retention", None)  # clear: inherit again
    assert dialog.save_deck_options()
    assert "desired_retention" not in decks.own_options(col, child)
    dialog.overrides["learning_steps"].setChecked(True)
    dialog.editors["learning_steps"].setText("1 abc")
    assert not dialog.save_deck_options()
    assert "not a number" in dialog.deck_message.text()
    dialog.reject()


def test_new_per_day_limits_the_study_session(window, col, qtbot):
    _, child = make_decks(col)
    dialog = open_settings(window, qtbot)
    dialog.select_deck(child)
    dialog.set_option("new_per_day", 2)
    dialog.ok()
    assert window.deck_list.model.item(0, 1).text() == "2"
    window.start_study(child)
    session = window.study.session
    seen = 0
    while session.state != "finished" and seen < 10:
        window.study.reveal()
        window.study.grade(4)  # Easy: graduates at once
        seen += 1
    assert seen == 2


def test_day_start_theme_and_font_size(window, col, qtbot):
    dialog = open_settings(window, qtbot)
    dialog.day_start.setValue(6)
    dialog.theme.setCurrentIndex(dialog.theme.findData("dark"))
    dialog.font_size.setValue(24)
    dialog.apply_app()
    assert col.rollover_hour == 6
    assert col.config_get("day_start_hour") == 6
    settings = QSettings()
    assert settings.value(THEME_KEY) == "dark"
    assert int(settings.value(FONT_KEY)) == 24
    assert window.study.font_size == 24
    palette = QApplication.instance().palette()
    assert palette.color(QPalette.ColorRole.Window).lightness() < 80
    dialog.reject()
    # a new window reads them back
    window.study.font_size = 18
    again = open_settings(window, qtbot)
    assert window.study.font_size == 24
    assert again.theme.currentData() == "dark" and again.font_size.value() == 24
    again.reject()
    apply_theme("system")


def test_optimise_without_enough_history(window, col, qtbot):
    dialog = open_settings(window, qtbot)
    dialog.run_optimise()
    qtbot.waitUntil(lambda: dialog.optimise_result is not None, timeout=20000)
    assert "Not enough review history" in dialog.optimise_text.text()
    assert not dialog.apply_button.isEnabled()
    dialog.reject()


def test_optimise_result_applied_only_when_confirmed(window, col, qtbot, monkeypatch, shoot):
    make_decks(col)
    dialog = open_settings(window, qtbot)
    current = tuple(float(p) for p in scheduling.parameters(col))
    new = (round(current[0] * 1.1, 4), *current[1:])
    result = OptimiseResult(
        enough_data=True,
        message="The optimised parameters predict your reviews better (RMSE 6.10% -> 4.20%).",
        reviews=1234,
        items=900,
        needed=optimise.MIN_ITEMS,
        current=current,
        parameters=new,
        before=Metrics(0.3521, 0.061),
        after=Metrics(0.3312, 0.042),
        better=True,
        seconds=2.5,
    )
    dialog.show_optimise_result(result)
    text = dialog.optimise_text.text()
    assert "0.3521" in text and "0.3312" in text and "6.10%" in text and "4.20%" in text
    assert dialog.apply_button.isEnabled()
    qtbot.wait(50)  # let the layout grow the label before the screenshot
    shoot(dialog, "settings-optimise-result")
    monkeypatch.setattr(dialog, "confirm", lambda title, text: False)
    assert not dialog.ask_apply_parameters()
    assert tuple(scheduling.parameters(col)) == current
    monkeypatch.setattr(dialog, "confirm", lambda title, text: True)
    assert dialog.ask_apply_parameters()
    assert tuple(scheduling.parameters(col)) == new
    dialog.reject()
