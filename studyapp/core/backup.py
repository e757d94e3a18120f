"""Backups of the collection file, made with SQLite's online backup API.

Backups live in a `backups` folder beside the collection, one SQLite file each, named
`backup-YYYYMMDD-HHMMSS-<reason>.sqlite` (UTC, from the collection's clock). A backup is
copied from a separate read-only connection, so it holds only committed data, and is written
to a temporary name first, so a half-written backup never looks like a real one.

Retention: the newest 10 backups are kept, plus the newest backup of each of the last 7 days.

Backups are made automatically before a schema migration, before a deck update that removes
notes, while studying (every 30 minutes at most), when the app closes, before a restore and
before `check` repairs anything. `install_hooks()` registers the first two.
"""

from __future__ import annotations

import os
import re
import sqlite3
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Protocol, TypeVar

from studyapp.core import storage
from studyapp.core.errors import CollectionError

if TYPE_CHECKING:
    from studyapp.core.collection import Collection

BACKUP_DIR = "backups"
KEEP_LAST = 10
KEEP_DAYS = 7
_NAME = re.compile(r"^backup-(\d{8}-\d{6})(?:-(\d+))?(?:-([a-z0-9-]+))?\.sqlite$")
_TIME_FORMAT = "%Y%m%d-%H%M%S"


class _HasTime(Protocol):
    @property
    def time(self) -> datetime: ...


T = TypeVar("T", bound=_HasTime)


@dataclass(frozen=True)
class BackupInfo:
    path: Path
    time: datetime  # UTC
    cards: int | None  # None: the file could not be read
    reviews: int | None

    @property
    def reason(self) -> str:
        match = _NAME.match(self.path.name)
        return (match.group(3) or "") if match else ""


def backup_folder(collection_path: str | os.PathLike[str]) -> Path:
    return Path(collection_path).parent / BACKUP_DIR


# --- retention ----------------------------------------------------------------------------
def backups_to_keep(backups: Sequence[T], now: datetime) -> list[T]:
    """The backups to keep, newest first: the newest KEEP_LAST, plus the newest one of each
    of the last KEEP_DAYS days (counted back from `now`, by UTC date)."""
    ordered = sorted(backups, key=lambda b: b.time, reverse=True)
    keep = ordered[:KEEP_LAST]
    today = now.astimezone(UTC).date()
    seen_days = set()
    for item in ordered:
        day = item.time.astimezone(UTC).date()
        if (today - day).days >= KEEP_DAYS or day in seen_days:
            continue
        seen_days.add(day)
        if item not in keep:
            keep.append(item)
    return sorted(keep, key=lambda b: b.time, reverse=True)


# --- copying ------------------------------------------------------------------------------
def _ro_connect(path: Path) -> sqlite3.Connection:
    return sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)


def copy_database(source: Path, dest: Path) -> None:
    """Copy a collection with the online backup API from a read-only connection (it sees only
    committed data), into a temporary file that is renamed to `dest` when complete."""
    dest.parent.mkdir(parents=True, exist_ok=True)
    tmp = dest.with_name(dest.name + ".partial")
    tmp.unlink(missing_ok=True)
    try:
        src = _ro_connect(source)
        try:
            out = sqlite3.connect(tmp)
            try:
                src.backup(out)
                # a single self-contained file: no -wal/-shm needed to read it later
                out.execute("PRAGMA journal_mode = DELETE")
            finally:
                out.close()
        finally:
            src.close()
        with open(tmp, "rb+") as fh:
            os.fsync(fh.fileno())
        os.replace(tmp, dest)
    except (sqlite3.Error, OSError) as exc:
        tmp.unlink(missing_ok=True)
        if isinstance(exc, sqlite3.OperationalError) and "full" in str(exc):
            raise CollectionError(
                f"Could not write a backup to {dest.parent}: the disk is full. Free some space "
                "and try again; your collection was not changed."
            ) from exc
        raise CollectionError(f"Could not back up {source} to {dest}: {exc}.") from exc


def _new_name(folder: Path, now: datetime, reason: str) -> Path:
    stamp = now.astimezone(UTC).strftime(_TIME_FORMAT)
    reason = re.sub(r"[^a-z0-9-]+", "-", reason.lower()).strip("-")
    suffix = f"-{reason}" if reason else ""
    candidate = folder / f"backup-{stamp}{suffix}.sqlite"
    n = 1
    while candidate.exists():
        candidate = folder / f"backup-{stamp}-{n}{suffix}.sqlite"
        n += 1
    return candidate


def backup_file(collection_path: Path, now: datetime, reason: str = "") -> Path:
    """Back up the collection file at `collection_path` (open or not) and apply retention."""
    collection_path = Path(collection_path)
    folder = backup_folder(collection_path)
    dest = _new_name(folder, now, reason)
    copy_database(collection_path, dest)
    prune(folder, now)
    return dest


def make_backup(col: Collection, reason: str = "") -> Path:
    """Back up the collection's committed state now; returns the new backup file."""
    return backup_file(col.path, col.now(), reason)


def maybe_backup(
    col: Collection, min_interval_minutes: float = 30, reason: str = "periodic"
) -> Path | None:
    """Back up unless the newest backup is less than `min_interval_minutes` old or the
    collection has not changed since it was made. Returns the new backup, if any."""
    now = col.now()
    folder = backup_folder(col.path)
    newest = _newest_time(folder)
    if newest is not None and now - newest < timedelta(minutes=min_interval_minutes):
        return None
    if not changed_since_last_backup(col):
        return None
    return make_backup(col, reason)


_FINGERPRINT = """SELECT (SELECT count(*) FROM notes), (SELECT max(modified) FROM notes),
    (SELECT count(*) FROM cards), (SELECT total(due) + total(reps) + total(suspended)
    FROM cards), (SELECT count(*) FROM revlog), (SELECT max(id) FROM revlog),
    (SELECT count(*) FROM decks)"""


def _fingerprint(conn: sqlite3.Connection) -> tuple:
    return tuple(conn.execute(_FINGERPRINT).fetchone())


def changed_since_last_backup(col: Collection) -> bool:
    """False when the newest backup holds the same notes, cards and reviews (a cheap
    fingerprint of counts and sums; settings changes alone do not count)."""
    infos = _backup_files(backup_folder(col.path))
    timed = [(t, _mtime(p), p) for p in infos if (t := _parse_time(p)) is not None]
    if not timed:
        return True
    newest = max(timed)[2]
    try:
        conn = _ro_connect(newest)
        try:
            theirs = _fingerprint(conn)
        finally:
            conn.close()
    except sqlite3.Error:
        return True
    return theirs != _fingerprint(col.conn)


def _parse_time(path: Path) -> datetime | None:
    match = _NAME.match(path.name)
    if not match:
        return None
    try:
        return datetime.strptime(match.group(1), _TIME_FORMAT).replace(tzinfo=UTC)
    except ValueError:
        return None


def _newest_time(folder: Path) -> datetime | None:
    times = [t for p in _backup_files(folder) if (t := _parse_time(p)) is not None]
    return max(times) if times else None


def _backup_files(folder: Path) -> list[Path]:
    if not folder.is_dir():
        return []
    return [p for p in folder.iterdir() if p.is_file() and _NAME.match(p.name)]


def prune(folder: Path, now: datetime) -> list[Path]:
    """Delete backups outside the retention rule; returns the deleted files."""

    @dataclass(frozen=True)
    class _Entry:
        path: Path
        time: datetime

    entries = [_Entry(p, t) for p in _backup_files(folder) if (t := _parse_time(p)) is not None]
    keep = {e.path for e in backups_to_keep(entries, now)}
    removed = []
    for entry in entries:
        if entry.path not in keep:
            entry.path.unlink(missing_ok=True)
            removed.append(entry.path)
    return removed


# --- listing ------------------------------------------------------------------------------
def _counts(path: Path) -> tuple[int | None, int | None]:
    try:
        conn = _ro_connect(path)
        try:
            cards = conn.execute("SELECT count(*) FROM cards").fetchone()[0]
            reviews = conn.execute("SELECT count(*) FROM revlog").fetchone()[0]
            return int(cards), int(reviews)
        finally:
            conn.close()
    except sqlite3.Error:
        return None, None


def list_backups(folder: str | os.PathLike[str]) -> list[BackupInfo]:
    """Every backup in `folder`, newest first, with its card and review counts."""
    infos = []
    for path in _backup_files(Path(folder)):
        time = _parse_time(path)
        if time is None:
            continue
        cards, reviews = _counts(path)
        infos.append(BackupInfo(path, time, cards, reviews))
    return sorted(infos, key=lambda b: (b.time, _mtime(b.path)), reverse=True)


def _mtime(path: Path) -> int:
    try:
        return path.stat().st_mtime_ns
    except OSError:
        return 0


# --- restoring ----------------------------------------------------------------------------
def _check_backup(path: Path) -> None:
    if not path.is_file():
        raise CollectionError(f"There is no backup file {path}.")
    with open(path, "rb") as fh:
        if fh.read(len(storage.SQLITE_HEADER)) != storage.SQLITE_HEADER:
            raise CollectionError(f"{path} is not a backup (not a SQLite database).")
    try:
        conn = _ro_connect(path)
        try:
            app_id = conn.execute("PRAGMA application_id").fetchone()[0]
            ok = conn.execute("PRAGMA quick_check").fetchone()[0]
        finally:
            conn.close()
    except sqlite3.Error as exc:
        raise CollectionError(f"{path} cannot be read as a backup: {exc}.") from exc
    if app_id != storage.APPLICATION_ID:
        raise CollectionError(f"{path} is a SQLite database but not a study collection backup.")
    if ok != "ok":
        raise CollectionError(f"{path} is damaged ({ok}); choose another backup.")


def restore_backup(
    collection_path: str | os.PathLike[str],
    backup_path: str | os.PathLike[str],
    now: datetime | None = None,
) -> Path | None:
    """Replace the collection with a backup. The collection must be closed (by this process
    and every other). The current state is backed up first; returns that backup (None when
    there was no collection). The swap is atomic: a crash leaves either the old or the new
    file in place."""
    collection_path = Path(collection_path)
    backup_path = Path(backup_path)
    _check_backup(backup_path)
    now = now or datetime.now(UTC)
    safety = None
    if collection_path.exists() and collection_path.stat().st_size > 0:
        safety = backup_file(collection_path, now, "before-restore")
    tmp = collection_path.with_name(collection_path.name + ".restoring")
    try:
        copy_database(backup_path, tmp)
        for suffix in ("-wal", "-shm"):
            Path(str(collection_path) + suffix).unlink(missing_ok=True)
        os.replace(tmp, collection_path)
    finally:
        tmp.unlink(missing_ok=True)
    _fsync_dir(collection_path.parent)
    return safety


def _fsync_dir(folder: Path) -> None:
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


# --- hooks --------------------------------------------------------------------------------
def _before_migration(path: Path, old_version: int) -> None:
    backup_file(Path(path), datetime.now(UTC), f"before-migration-v{old_version}")


def _before_removing_notes(col: Collection) -> None:
    make_backup(col, "before-update")


def install_hooks() -> None:
    """Back up before schema migrations and before deck updates that remove notes.
    Safe to call more than once."""
    from studyapp.core import importing

    if _before_migration not in storage.before_migration:
        storage.before_migration.append(_before_migration)
    if _before_removing_notes not in importing.before_removing_notes:
        importing.before_removing_notes.append(_before_removing_notes)


def uninstall_hooks() -> None:
    from studyapp.core import importing

    while _before_migration in storage.before_migration:
        storage.before_migration.remove(_before_migration)
    while _before_removing_notes in importing.before_removing_notes:
        importing.before_removing_notes.remove(_before_removing_notes)
