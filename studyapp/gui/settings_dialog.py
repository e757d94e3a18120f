"""Settings: per-deck options (set or inherit each), day start, theme, card font size, and
"Optimise my schedule".

Deck options are stored with decks.set_options (only the keys set on that deck); the day
start hour in the collection; theme and font size in QSettings (they belong to this computer,
not to the collection). Optimising runs in the background and is applied only when confirmed.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QSettings, Qt
from PySide6.QtGui import QColor, QPalette
from PySide6.QtWidgets import (
    QApplication,
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QDoubleSpinBox,
    QFormLayout,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from studyapp.core import decks, optimise
from studyapp.core.editing import inherited_options
from studyapp.core.errors import UserError
from studyapp.core.optimise import OptimiseResult
from studyapp.gui.ask import confirm

if TYPE_CHECKING:
    from studyapp.gui.main_window import MainWindow

THEMES = ("system", "light", "dark")
THEME_KEY = "appearance/theme"
FONT_KEY = "appearance/card_font_size"
DEFAULT_FONT_SIZE = 18
OPTION_LABELS: tuple[tuple[str, str], ...] = (
    ("new_per_day", "New cards per day"),
    ("reviews_per_day", "Reviews per day"),
    ("desired_retention", "Desired retention"),
    ("learning_steps", "Learning steps (minutes)"),
    ("relearning_steps", "Relearning steps (minutes)"),
    ("maximum_interval", "Maximum interval (days)"),
    ("new_order", "New card order"),
)
ERROR_STYLE = "color: #c0392b;"


# --- appearance -----------------------------------------------------------------------------


def dark_palette() -> QPalette:
    palette = QPalette()
    base, window, text = QColor("#1e1f22"), QColor("#2b2d31"), QColor("#e8e8e8")
    palette.setColor(QPalette.ColorRole.Window, window)
    palette.setColor(QPalette.ColorRole.WindowText, text)
    palette.setColor(QPalette.ColorRole.Base, base)
    palette.setColor(QPalette.ColorRole.AlternateBase, window)
    palette.setColor(QPalette.ColorRole.Text, text)
    palette.setColor(QPalette.ColorRole.Button, window)
    palette.setColor(QPalette.ColorRole.ButtonText, text)
    palette.setColor(QPalette.ColorRole.ToolTipBase, base)
    palette.setColor(QPalette.ColorRole.ToolTipText, text)
    palette.setColor(QPalette.ColorRole.PlaceholderText, QColor("#8a8a8a"))
    palette.setColor(QPalette.ColorRole.Highlight, QColor("#2e86c1"))
    palette.setColor(QPalette.ColorRole.HighlightedText, QColor("#ffffff"))
    palette.setColor(QPalette.ColorRole.Link, QColor("#5dade2"))
    for role in (QPalette.ColorRole.Text, QPalette.ColorRole.ButtonText):
        palette.setColor(QPalette.ColorGroup.Disabled, role, QColor("#777777"))
    return palette


def light_palette() -> QPalette:
    palette = QPalette()
    palette.setColor(QPalette.ColorRole.Window, QColor("#efefef"))
    palette.setColor(QPalette.ColorRole.WindowText, QColor("#1b1b1b"))
    palette.setColor(QPalette.ColorRole.Base, QColor("#ffffff"))
    palette.setColor(QPalette.ColorRole.AlternateBase, QColor("#f5f5f5"))
    palette.setColor(QPalette.ColorRole.Text, QColor("#1b1b1b"))
    palette.setColor(QPalette.ColorRole.Button, QColor("#efefef"))
    palette.setColor(QPalette.ColorRole.ButtonText, QColor("#1b1b1b"))
    palette.setColor(QPalette.ColorRole.Highlight, QColor("#2e86c1"))
    palette.setColor(QPalette.ColorRole.HighlightedText, QColor("#ffffff"))
    return palette


_system_palette: QPalette | None = None


def apply_theme(theme: str) -> None:
    global _system_palette
    app = QApplication.instance()
    if not isinstance(app, QApplication):
        return
    if _system_palette is None:
        _system_palette = QPalette(app.palette())
    if theme == "dark":
        app.setPalette(dark_palette())
    elif theme == "light":
        app.setPalette(light_palette())
    else:
        app.setPalette(_system_palette)


def saved_theme() -> str:
    value = str(QSettings().value(THEME_KEY, "system"))
    return value if value in THEMES else "system"


def saved_font_size() -> int:
    try:
        return int(QSettings().value(FONT_KEY, DEFAULT_FONT_SIZE))  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return DEFAULT_FONT_SIZE


def apply_saved_preferences(window: MainWindow) -> None:
    """Theme and card font size from QSettings (called once at start-up)."""
    if saved_theme() != "system":
        apply_theme(saved_theme())
    window.study.font_size = saved_font_size()


# --- the dialog -----------------------------------------------------------------------------


def _steps_text(value: object) -> str:
    if isinstance(value, list | tuple):
        return " ".join(f"{v:g}" if isinstance(v, float) else str(v) for v in value)
    return str(value)


def _show_value(key: str, value: object) -> str:
    if key in ("learning_steps", "relearning_steps"):
        return _steps_text(value) or "none"
    if key == "desired_retention" and isinstance(value, int | float):
        return f"{value:.2f}"
    return str(value)


class SettingsDialog(QDialog):
    def __init__(self, main: MainWindow):
        super().__init__(main)
        self.setWindowTitle("Settings")
        self.main = main
        self.col = main.col
        self.optimise_result: OptimiseResult | None = None

        # per-deck options
        self.deck = QComboBox()
        for deck in decks.all_decks(self.col):
            self.deck.addItem(deck.name, deck.id)
        self.overrides: dict[str, QCheckBox] = {}
        self.editors: dict[str, QWidget] = {}
        self.inherited: dict[str, QLabel] = {}
        grid = QGridLayout()
        grid.addWidget(QLabel("<b>Option</b>"), 0, 0)
        grid.addWidget(QLabel("<b>Set for this deck</b>"), 0, 1, 1, 2)
        grid.addWidget(QLabel("<b>Otherwise (inherited)</b>"), 0, 3)
        for row, (key, label) in enumerate(OPTION_LABELS, start=1):
            check = QCheckBox()
            check.setToolTip("Tick to set this option on the deck; untick to inherit it.")
            editor = self._make_editor(key)
            inherited = QLabel()
            inherited.setStyleSheet("color: palette(placeholder-text);")
            check.toggled.connect(editor.setEnabled)
            grid.addWidget(QLabel(label), row, 0)
            grid.addWidget(check, row, 1)
            grid.addWidget(editor, row, 2)
            grid.addWidget(inherited, row, 3)
            self.overrides[key], self.editors[key], self.inherited[key] = check, editor, inherited
        grid.setColumnStretch(3, 1)
        self.deck_message = QLabel()
        self.deck_message.setWordWrap(True)
        save_deck = QPushButton("Save deck options")
        save_deck.clicked.connect(self.save_deck_options)
        deck_box = QGroupBox("Deck options")
        deck_layout = QVBoxLayout(deck_box)
        deck_row = QHBoxLayout()
        deck_row.addWidget(QLabel("Deck"))
        deck_row.addWidget(self.deck, 1)
        deck_layout.addLayout(deck_row)
        deck_layout.addLayout(grid)
        deck_bottom = QHBoxLayout()
        deck_bottom.addWidget(self.deck_message, 1)
        deck_bottom.addWidget(save_deck)
        deck_layout.addLayout(deck_bottom)
        if self.deck.count() == 0:
            deck_box.setEnabled(False)
            self.deck_message.setText("No decks yet: import a deck first.")
        self.deck.currentIndexChanged.connect(lambda _i: self.load_deck())

        # app-wide
        self.day_start = QSpinBox()
        self.day_start.setRange(0, 23)
        self.day_start.setSuffix(":00")
        self.day_start.setValue(self.col.rollover_hour)
        self.theme = QComboBox()
        self.theme.setMinimumWidth(140)
        for theme in THEMES:
            self.theme.addItem(theme.capitalize(), theme)
        self.theme.setCurrentIndex(THEMES.index(saved_theme()))
        self.font_size = QSpinBox()
        self.font_size.setRange(10, 40)
        self.font_size.setSuffix(" pt")
        self.font_size.setValue(main.study.font_size)
        app_box = QGroupBox("App")
        app_form = QFormLayout(app_box)
        app_form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.FieldsStayAtSizeHint)
        app_form.addRow("A new study day starts at", self.day_start)
        app_form.addRow("Theme", self.theme)
        app_form.addRow("Card text size", self.font_size)

        # optimiser
        self.optimise_button = QPushButton("Optimise my schedule")
        self.optimise_button.clicked.connect(self.run_optimise)
        self.optimise_text = QLabel(
            "Fits the scheduler to your own review history (needs a few hundred reviews)."
        )
        self.optimise_text.setWordWrap(True)
        self.optimise_text.setTextFormat(Qt.TextFormat.RichText)
        self.optimise_text.setAlignment(Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignLeft)
        self.apply_button = QPushButton("Use the new parameters…")
        self.apply_button.setEnabled(False)
        self.apply_button.clicked.connect(self.ask_apply_parameters)
        opt_box = QGroupBox("Scheduling")
        opt_layout = QVBoxLayout(opt_box)
        opt_layout.addWidget(self.optimise_text)
        opt_row = QHBoxLayout()
        opt_row.addWidget(self.optimise_button)
        opt_row.addWidget(self.apply_button)
        opt_row.addStretch(1)
        opt_layout.addLayout(opt_row)

        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok
            | QDialogButtonBox.StandardButton.Apply
            | QDialogButtonBox.StandardButton.Close
        )
        buttons.button(QDialogButtonBox.StandardButton.Ok).clicked.connect(self.ok)
        buttons.button(QDialogButtonBox.StandardButton.Apply).clicked.connect(self.apply_app)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(deck_box)
        layout.addWidget(app_box)
        layout.addWidget(opt_box)
        layout.addStretch(1)
        layout.addWidget(buttons)
        self.resize(760, 720)
        self.load_deck()

    # --- deck options -----------------------------------------------------------------------
    def _make_editor(self, key: str) -> QWidget:
        widget: QWidget
        if key in ("new_per_day", "reviews_per_day", "maximum_interval"):
            spin = QSpinBox()
            spin.setRange(
                *{"new_per_day": (0, 9999), "reviews_per_day": (0, 99999)}.get(key, (1, 36500))
            )
            widget = spin
        elif key == "desired_retention":
            double = QDoubleSpinBox()
            double.setRange(0.70, 0.99)
            double.setSingleStep(0.01)
            double.setDecimals(2)
            widget = double
        elif key == "new_order":
            combo = QComboBox()
            combo.addItem("In file order", "file")
            combo.addItem("Random", "random")
            widget = combo
        else:
            line = QLineEdit()
            line.setPlaceholderText("e.g. 1 10")
            widget = line
        widget.setMinimumWidth(140)
        return widget

    def _set_editor(self, key: str, value: object) -> None:
        widget = self.editors[key]
        if isinstance(widget, QDoubleSpinBox):
            widget.setValue(float(value))  # type: ignore[arg-type]
        elif isinstance(widget, QSpinBox):
            widget.setValue(int(value))  # type: ignore[call-overload]
        elif isinstance(widget, QComboBox):
            widget.setCurrentIndex(max(0, widget.findData(value)))
        elif isinstance(widget, QLineEdit):
            widget.setText(_steps_text(value))

    def _editor_value(self, key: str) -> Any:
        widget = self.editors[key]
        if isinstance(widget, QDoubleSpinBox):
            return round(widget.value(), 2)
        if isinstance(widget, QSpinBox):
            return widget.value()
        if isinstance(widget, QComboBox):
            return widget.currentData()
        assert isinstance(widget, QLineEdit)
        steps: list[float | int] = []
        for part in widget.text().replace(",", " ").split():
            try:
                number = float(part)
            except ValueError as exc:
                raise UserError(f"{part!r} is not a number of minutes.") from exc
            steps.append(int(number) if number.is_integer() else number)
        return steps

    def current_deck(self) -> int | None:
        data = self.deck.currentData()
        return None if data is None else int(data)

    def select_deck(self, deck_id: int) -> None:
        self.deck.setCurrentIndex(self.deck.findData(deck_id))

    def load_deck(self) -> None:
        deck_id = self.current_deck()
        if deck_id is None:
            return
        values, sources = inherited_options(self.col, deck_id)
        own = decks.own_options(self.col, deck_id)
        for key, _ in OPTION_LABELS:
            self.inherited[key].setText(f"{_show_value(key, values[key])}  ({sources[key]})")
            is_set = key in own
            self.overrides[key].setChecked(is_set)
            self.editors[key].setEnabled(is_set)
            self._set_editor(key, own[key] if is_set else values[key])
        self.deck_message.setText("")

    def set_option(self, key: str, value: object | None) -> None:
        """Set (or with None, clear) one option in the form; Save stores it."""
        if value is None:
            self.overrides[key].setChecked(False)
        else:
            self.overrides[key].setChecked(True)
            self._set_editor(key, value)

    def overridden(self) -> dict[str, object]:
        return {
            key: self._editor_value(key)
            for key, _ in OPTION_LABELS
            if self.overrides[key].isChecked()
        }

    def save_deck_options(self) -> bool:
        deck_id = self.current_deck()
        if deck_id is None:
            return True
        try:
            decks.set_options(self.col, deck_id, self.overridden())
        except UserError as exc:
            self.deck_message.setStyleSheet(ERROR_STYLE)
            self.deck_message.setText(str(exc))
            return False
        self.deck_message.setStyleSheet("")
        self.deck_message.setText("Saved.")
        self.main.collection_changed.emit()
        return True

    # --- app-wide ---------------------------------------------------------------------------
    def apply_app(self) -> None:
        if self.day_start.value() != self.col.rollover_hour:
            self.col.config_set("day_start_hour", self.day_start.value())
            self.main.collection_changed.emit()
        settings = QSettings()
        theme = str(self.theme.currentData())
        settings.setValue(THEME_KEY, theme)
        settings.setValue(FONT_KEY, self.font_size.value())
        apply_theme(theme)
        self.main.study.font_size = self.font_size.value()
        if self.main.study.session is not None:
            self.main.study.refresh()

    def ok(self) -> None:
        if self.save_deck_options():
            self.apply_app()
            self.accept()

    # --- optimiser --------------------------------------------------------------------------
    def run_optimise(self) -> None:
        self.optimise_button.setEnabled(False)
        self.apply_button.setEnabled(False)
        self.optimise_text.setText("Optimising…")

        def work(col, progress, cancelled):
            return optimise.optimise(col, progress, cancelled)

        def done(result: OptimiseResult | None, error: BaseException | None) -> None:
            self.optimise_button.setEnabled(True)
            if error is not None:
                self.optimise_text.setText(f'<span style="{ERROR_STYLE}">{error}</span>')
                return
            assert result is not None
            self.show_optimise_result(result)

        self.main.run_task("Optimising your schedule…", work, done)

    def show_optimise_result(self, result: OptimiseResult) -> None:
        self.optimise_result = result
        lines = [result.message]
        if result.before is not None and result.after is not None:
            lines.append(
                f"From {result.items:,} usable answers of {result.reviews:,} reviews,"
                f" in {result.seconds:.1f} s. Lower numbers are better:"
            )
            lines.append(
                "<table cellspacing=6><tr><th></th><th>Current</th><th>Optimised</th></tr>"
                f"<tr><td>Log loss</td><td>{result.before.log_loss:.4f}</td>"
                f"<td>{result.after.log_loss:.4f}</td></tr>"
                f"<tr><td>RMSE</td><td>{result.before.rmse_bins:.2%}</td>"
                f"<td>{result.after.rmse_bins:.2%}</td></tr></table>"
            )
        self.optimise_text.setText("<br>".join(lines))
        self.apply_button.setEnabled(result.better)

    def confirm(self, title: str, text: str) -> bool:
        return confirm(self, title, text)

    def ask_apply_parameters(self) -> bool:
        result = self.optimise_result
        if result is None:
            return False
        if not self.confirm(
            "Use the optimised parameters",
            "Schedule all future reviews with the optimised parameters? Cards already"
            " scheduled keep their due dates until you next answer them.",
        ):
            return False
        try:
            optimise.apply_parameters(self.col, result)
        except UserError as exc:
            self.optimise_text.setText(f'<span style="{ERROR_STYLE}">{exc}</span>')
            return False
        self.apply_button.setEnabled(False)
        self.optimise_text.setText(self.optimise_text.text() + "<br><b>Applied.</b>")
        self.main.collection_changed.emit()
        return True


def open_settings(window: MainWindow) -> SettingsDialog:
    dialog = SettingsDialog(window)
    window.settings_dialog = dialog  # type: ignore[attr-defined]
    selected = window._selected_deck() if hasattr(window, "_selected_deck") else None
    if selected is not None:
        dialog.select_deck(selected)
    dialog.open()
    return dialog
