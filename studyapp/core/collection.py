"""The collection façade: one open SQLite file, its clock, its transactions and its settings.

Domain operations live in their own modules (decks, notes, scheduling, queue, ...) as
functions that take a Collection; every front end goes through them.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path
from typing import Any, Protocol

from studyapp.core import storage
from studyapp.core.clock import SystemClock, day_start, next_day_start
from studyapp.core.errors import CollectionError

DEFAULT_ROLLOVER_HOUR = 4


def _is_write_failure(exc: sqlite3.OperationalError) -> bool:
    text = str(exc).lower()
    return "full" in text or "readonly" in text or "read-only" in text or "disk i/o" in text


def _write_failure_message(path: Path, exc: sqlite3.OperationalError) -> str:
    if "full" in str(exc).lower():
        return (
            f"Could not save to {path}: the disk is full. Nothing was changed; free some "
            "space and try again."
        )
    if "readonly" in str(exc).lower():
        return (
            f"Could not save to {path}: the collection is read-only (check the file's "
            "permissions and that its disk is not read-only). Nothing was changed."
        )
    return f"Could not save to {path}: {exc}. Nothing was changed."


class Clock(Protocol):
    def now(self) -> datetime: ...


class Collection:
    def __init__(self, path: str | Path, clock: Clock | None = None):
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self.conn: sqlite3.Connection = storage.connect(self.path)
        self._db: Any = None  # sqlite_utils view of conn, made on first use (see db)
        self.clock: Clock = clock or SystemClock()
        self._depth = 0
        self._config_cache: dict[str, Any] = {}

    @property
    def db(self) -> Any:
        """A sqlite_utils.Database over the same connection.

        Made on first use: importing sqlite_utils costs about 50 ms, a sixth of start-up."""
        if self._db is None or self._db.conn is not self.conn:
            import sqlite_utils

            self._db = sqlite_utils.Database(self.conn)
        return self._db

    @db.setter
    def db(self, value: Any) -> None:
        self._db = value

    # --- lifetime ---------------------------------------------------------------------------
    def close(self) -> None:
        if self.conn is not None:
            self.conn.close()
            self.conn = None  # type: ignore[assignment]

    def __enter__(self) -> Collection:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # --- transactions -----------------------------------------------------------------------
    @contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        """One user action = one transaction; nested calls join the outer one."""
        if self._depth:
            self._depth += 1
            try:
                yield self.conn
            finally:
                self._depth -= 1
            return
        try:
            self.conn.execute("BEGIN IMMEDIATE")
        except sqlite3.OperationalError as exc:
            raise CollectionError(
                f"The collection {self.path} is busy or read-only: {exc}."
            ) from exc
        self._depth = 1
        try:
            yield self.conn
        except BaseException as exc:
            self._depth = 0
            if self.conn.in_transaction:  # SQLite may already have rolled back (disk full)
                self.conn.execute("ROLLBACK")
            self._config_cache.clear()
            if isinstance(exc, sqlite3.OperationalError) and _is_write_failure(exc):
                raise CollectionError(_write_failure_message(self.path, exc)) from exc
            raise
        self._depth = 0
        try:
            self.conn.execute("COMMIT")
        except sqlite3.OperationalError as exc:
            if self.conn.in_transaction:
                self.conn.execute("ROLLBACK")
            self._config_cache.clear()
            raise CollectionError(_write_failure_message(self.path, exc)) from exc

    # --- settings stored in the collection --------------------------------------------------
    def config_get(self, key: str, default: Any = None) -> Any:
        if key not in self._config_cache:
            row = self.conn.execute("SELECT value FROM config WHERE key = ?", (key,)).fetchone()
            self._config_cache[key] = json.loads(row[0]) if row else default
        value = self._config_cache[key]
        return default if value is None else value

    def config_set(self, key: str, value: Any) -> None:
        with self.transaction():
            self.db["config"].upsert({"key": key, "value": json.dumps(value)}, pk="key")
        self._config_cache[key] = value

    # --- time -------------------------------------------------------------------------------
    @property
    def rollover_hour(self) -> int:
        return int(self.config_get("day_start_hour", DEFAULT_ROLLOVER_HOUR))

    def now(self) -> datetime:
        return self.clock.now()

    def today_start(self) -> datetime:
        return day_start(self.now(), self.rollover_hour)

    def today_end(self) -> datetime:
        return next_day_start(self.now(), self.rollover_hour)
