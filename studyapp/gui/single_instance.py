"""One app window per collection: a second start asks the running one to come to the front.

The running app listens on a local socket (QLocalServer) named after a hash of the
collection path. A new start first tries to connect; if someone answers it sends "raise" and
exits, otherwise it starts listening itself.
"""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

from PySide6.QtCore import QObject, Qt, Signal
from PySide6.QtNetwork import QLocalServer, QLocalSocket
from PySide6.QtWidgets import QWidget

RAISE = b"raise\n"
CONNECT_TIMEOUT_MS = 500


def server_name(collection_path: str | os.PathLike[str]) -> str:
    key = str(Path(collection_path).expanduser().resolve())
    digest = hashlib.sha256(key.encode("utf-8")).hexdigest()[:16]
    return f"studyapp-{digest}"


def forward_to_running(collection_path: str | os.PathLike[str]) -> bool:
    """True when another instance has this collection open and was asked to show itself."""
    socket = QLocalSocket()
    socket.connectToServer(server_name(collection_path))
    if not socket.waitForConnected(CONNECT_TIMEOUT_MS):
        return False
    socket.write(RAISE)
    socket.flush()
    socket.waitForBytesWritten(CONNECT_TIMEOUT_MS)
    socket.disconnectFromServer()
    return True


class SingleInstance(QObject):
    """Listens for later starts; `raise_requested` fires (and the window is raised)."""

    raise_requested = Signal()

    def __init__(self, collection_path: str | os.PathLike[str], parent: QObject | None = None):
        super().__init__(parent)
        self.name = server_name(collection_path)
        self.window: QWidget | None = None
        self.server = QLocalServer(self)
        self._connections: list[QLocalSocket] = []
        self.server.newConnection.connect(self._on_connection)

    def listen(self, window: QWidget | None = None) -> bool:
        self.window = window
        if self.server.listen(self.name):
            return True
        # a socket left behind by a crashed instance: nobody answers on it, so take it over
        QLocalServer.removeServer(self.name)
        return self.server.listen(self.name)

    def close(self) -> None:
        for conn in self._connections:
            conn.readyRead.disconnect(self._read_all)
            conn.abort()
        self._connections.clear()
        self.server.close()

    def _on_connection(self) -> None:
        while self.server.hasPendingConnections():
            conn = self.server.nextPendingConnection()
            self._connections.append(conn)
            conn.readyRead.connect(self._read_all)
        self._read_all()

    def _read_all(self) -> None:
        for conn in list(self._connections):
            if conn.bytesAvailable():
                data = bytes(conn.readAll().data())
                if RAISE.strip() in data:
                    self.bring_to_front()
            if conn.state() == QLocalSocket.LocalSocketState.UnconnectedState:
                self._connections.remove(conn)

    def bring_to_front(self) -> None:
        window = self.window
        if window is not None:
            if window.isMinimized():
                window.showNormal()
            window.show()
            window.setWindowState(
                (window.windowState() & ~Qt.WindowState.WindowMinimized)
                | Qt.WindowState.WindowActive
            )
            window.raise_()
            window.activateWindow()
        self.raise_requested.emit()
