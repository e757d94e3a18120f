"""Long work off the UI thread, with a progress dialog and Cancel.

A task is a plain function `work(col, progress, cancelled)` from the core. It runs on a worker
thread with its own connection to the collection (SQLite WAL lets the window keep reading),
and its result or error comes back to the UI thread through a signal.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

from PySide6.QtCore import QObject, Qt, QThread, Signal
from PySide6.QtWidgets import QProgressDialog, QWidget

from studyapp.core.collection import Collection

Work = Callable[[Collection, Callable[[int, int], None], Callable[[], bool]], Any]


class _Worker(QObject):
    progressed = Signal(int, int)
    finished = Signal(object, object)  # result, error

    def __init__(self, path: Path, clock: Any, work: Work):
        super().__init__()
        self._path, self._clock, self._work = path, clock, work
        self.cancel_event = threading.Event()

    def run(self) -> None:
        result, error = None, None
        try:
            with Collection(self._path, clock=self._clock) as col:
                result = self._work(col, self.progressed.emit, self.cancel_event.is_set)
        except Exception as exc:  # handed to the UI thread, which shows it
            error = exc
        self.finished.emit(result, error)


class BackgroundTask(QObject):
    """Run `work` in the background; `done(result, error)` fires on the UI thread."""

    done = Signal(object, object)

    def __init__(self, parent: QWidget, col: Collection, label: str, work: Work):
        super().__init__(parent)
        self._thread = QThread(self)
        self._worker = _Worker(col.path, col.clock, work)
        self._worker.moveToThread(self._thread)
        self.dialog = QProgressDialog(label, "Cancel", 0, 0, parent)
        self.dialog.setWindowModality(Qt.WindowModality.WindowModal)
        self.dialog.setMinimumDuration(300)
        self.dialog.canceled.connect(self._worker.cancel_event.set)
        self._worker.progressed.connect(self._on_progress)
        self._worker.finished.connect(self._on_finished)
        self._thread.started.connect(self._worker.run)

    def start(self) -> None:
        self._thread.start()

    def cancel(self) -> None:
        self._worker.cancel_event.set()

    def _on_progress(self, done: int, total: int) -> None:
        self.dialog.setMaximum(max(total, 1))
        self.dialog.setValue(min(done, max(total, 1)))

    def _on_finished(self, result: object, error: object) -> None:
        self._thread.quit()
        self._thread.wait()
        self.dialog.reset()
        self.dialog.close()
        self.done.emit(result, error)
