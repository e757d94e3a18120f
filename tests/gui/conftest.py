"""GUI fixtures: a main window on a temporary collection, QSettings in a temporary folder,
and a place for screenshots (STUDYAPP_SCREENSHOTS, or a temporary folder)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from PySide6.QtCore import QSettings

from studyapp.core import decks, notes


@pytest.fixture(scope="session")
def screenshot_dir(tmp_path_factory) -> Path:
    folder = os.environ.get("STUDYAPP_SCREENSHOTS")
    path = Path(folder) if folder else tmp_path_factory.mktemp("screenshots")
    path.mkdir(parents=True, exist_ok=True)
    return path


@pytest.fixture
def shoot(screenshot_dir):
    def save(widget, name: str) -> Path:
        target = screenshot_dir / f"{name}.png"
        assert widget.grab().save(str(target)), f"could not save {target}"
        return target

    return save


@pytest.fixture
def app_settings(tmp_path, qapp):
    qapp.setOrganizationName("CodingStudyCompanionTests")
    qapp.setApplicationName("studyapp-tests")
    QSettings.setDefaultFormat(QSettings.Format.IniFormat)
    QSettings.setPath(
        QSettings.Format.IniFormat, QSettings.Scope.UserScope, str(tmp_path / "qsettings")
    )
    from studyapp.gui.main_window import load_stylesheet

    qapp.setStyleSheet(load_stylesheet())  # screenshots show what the app shows
    yield


@pytest.fixture
def window(qtbot, col, app_settings):
    from studyapp.gui.main_window import MainWindow

    win = MainWindow(col)
    qtbot.addWidget(win)
    win.resize(1280, 800)
    win.show()
    qtbot.waitExposed(win)
    yield win
    if win.task is not None:
        win.task.cancel()
        qtbot.waitUntil(lambda: win.task is None, timeout=10000)


def add_study_notes(col) -> int:
    """A small deck with every card kind; returns the deck id."""
    deck_id = decks.get_or_create(col, "Practice::Mixed")
    notes.add_notes(
        col,
        [
            notes.NewNote(
                deck_id,
                "basic",
                {
                    "front": "Chapter 4 range?",
                    "back": "E00-E89",
                    "explanation": "Endocrine, nutritional and metabolic",
                },
            ),
            notes.NewNote(
                deck_id,
                "typed",
                {"front": "Type 2 diabetes without complications", "answer": "E11.9", "accept": []},
            ),
            notes.NewNote(
                deck_id,
                "choice",
                {
                    "question": "An Excludes1 note means…",
                    "options": [
                        "code also",
                        "never coded together",
                        "use additional code",
                        "code first",
                    ],
                    "correct": 2,
                    "rationale": "A pure exclusion.",
                },
            ),
            notes.NewNote(
                deck_id, "cloze", {"text": "The placeholder {{c1::X}} fills empty positions."}
            ),
            notes.NewNote(
                deck_id, "basic", {"front": "NEC means", "back": "Not elsewhere classifiable"}
            ),
            notes.NewNote(
                deck_id, "basic", {"front": "NOS means", "back": "Not otherwise specified"}
            ),
        ],
    )
    return deck_id
