"""Small questions to the user, shared by the windows."""

from __future__ import annotations

from PySide6.QtWidgets import QMessageBox, QWidget


def confirm(parent: QWidget, title: str, text: str) -> bool:
    """Yes / Cancel, with Cancel as the default; True for Yes."""
    answer = QMessageBox.question(
        parent,
        title,
        text,
        QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.Cancel,
        QMessageBox.StandardButton.Cancel,
    )
    return answer == QMessageBox.StandardButton.Yes


def reuse_or_create(owner: QWidget, attribute: str, kind: type, make) -> QWidget:
    """The live `kind` window stored on `owner.attribute`, or a new one from `make()`
    (a window closed with WA_DeleteOnClose leaves a dead wrapper behind); shown and raised."""
    existing = getattr(owner, attribute, None)
    if isinstance(existing, kind):
        try:
            existing.isVisible()
        except RuntimeError:  # its C++ side was deleted on close
            existing = None
    if not isinstance(existing, kind):
        existing = make()
        setattr(owner, attribute, existing)
    existing.show()
    existing.raise_()
    existing.activateWindow()
    return existing
