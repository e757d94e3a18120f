"""The Tools menu: Browse, Statistics and Settings.

`add_tools_actions(window)` is called once by MainWindow.__init__. The screens are imported
when first opened, so starting the app does not load QtCharts.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtGui import QAction, QKeySequence

if TYPE_CHECKING:
    from studyapp.gui.main_window import MainWindow


def open_browser(window: MainWindow):  # noqa: ANN201 (the window type is imported lazily)
    from studyapp.gui.browser import open_browser as show

    return show(window)


def open_statistics(window: MainWindow):  # noqa: ANN201
    from studyapp.gui.stats_page import open_statistics as show

    return show(window)


def open_settings(window: MainWindow):  # noqa: ANN201
    from studyapp.gui.settings_dialog import open_settings as show

    return show(window)


def add_tools_actions(window: MainWindow) -> list[QAction]:
    """Add Browse (Ctrl+B), Statistics and Settings to the Tools menu and show the menu;
    also applies the saved theme and card font size."""
    from studyapp.gui.settings_dialog import apply_saved_preferences

    apply_saved_preferences(window)
    if hasattr(window, "tools_actions"):  # the main window adds them already
        return window.tools_actions
    actions: list[QAction] = []
    for text, shortcut, slot in (
        ("&Browse cards…", "Ctrl+B", open_browser),
        ("&Statistics…", "Ctrl+Shift+S", open_statistics),
        ("S&ettings…", QKeySequence.StandardKey.Preferences, open_settings),
    ):
        action = QAction(text, window)
        action.setShortcut(QKeySequence(shortcut))
        action.triggered.connect(lambda _checked=False, show=slot: show(window))
        window.tools_menu.addAction(action)
        actions.append(action)
    window.tools_menu.menuAction().setVisible(True)
    window.tools_actions = actions  # type: ignore[attr-defined]
    return actions
