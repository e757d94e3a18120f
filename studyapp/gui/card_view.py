"""A rich-text card display that runs no scripts and loads nothing (no web engine)."""

from __future__ import annotations

from PySide6.QtCore import QUrl
from PySide6.QtWidgets import QTextBrowser, QWidget

from studyapp.core.paths import resources_dir

_CSS_CACHE: str | None = None


def card_css() -> str:
    global _CSS_CACHE
    if _CSS_CACHE is None:
        path = resources_dir() / "card.qss.css"
        _CSS_CACHE = path.read_text(encoding="utf-8") if path.exists() else ""
    return _CSS_CACHE


class CardView(QTextBrowser):
    """Shows card HTML. Links do nothing and no resource (image, file, URL) is ever loaded."""

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.setOpenLinks(False)
        self.setOpenExternalLinks(False)
        self.setReadOnly(True)
        self.document().setDefaultStyleSheet(card_css())

    def loadResource(self, kind: int, name: QUrl) -> object:  # noqa: N802 (Qt API)
        return None

    def show_html(self, html: str, font_size: int = 18) -> None:
        font = self.font()
        font.setPointSize(font_size)
        self.document().setDefaultFont(font)
        self.setHtml(f'<div class="card" align="center">{html}</div>')
