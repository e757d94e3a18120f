"""One writer per collection: an exclusive advisory lock file beside the collection.

The desktop app holds the lock for as long as it runs; command-line commands that write take
it for the length of the command. The lock is `fcntl.flock` on `<collection>.lock`, so the
operating system drops it when the holder exits or crashes: there are no stale locks. Where
`fcntl` is missing (Windows) the lock is a no-op.
"""

from __future__ import annotations

import contextlib
import os
from pathlib import Path

from studyapp.core.errors import CollectionError

try:
    import fcntl
except ImportError:  # pragma: no cover - Windows
    fcntl = None  # type: ignore[assignment]


def lock_path(collection_path: str | os.PathLike[str]) -> Path:
    path = Path(collection_path)
    return path.with_name(path.name + ".lock")


class Lock:
    """A held writer lock; `release()` (or leaving a `with` block) gives it up."""

    def __init__(self, path: Path, fd: int | None):
        self.path = path
        self._fd = fd

    @property
    def held(self) -> bool:
        return self._fd is not None

    def release(self) -> None:
        if self._fd is not None:
            if fcntl is not None:
                fcntl.flock(self._fd, fcntl.LOCK_UN)
            os.close(self._fd)
            self._fd = None

    def __enter__(self) -> Lock:
        return self

    def __exit__(self, *exc: object) -> None:
        self.release()

    def __del__(self) -> None:
        self.release()


def acquire_writer_lock(collection_path: str | os.PathLike[str]) -> Lock:
    """Take the writer lock without waiting; CollectionError if someone else holds it."""
    path = lock_path(collection_path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
    if fcntl is None:  # pragma: no cover - Windows
        return Lock(path, fd)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError as exc:
        holder = ""
        with contextlib.suppress(OSError):
            holder = os.pread(fd, 32, 0).decode("ascii", "replace").strip()
        os.close(fd)
        who = f" (process {holder})" if holder.isdigit() else ""
        raise CollectionError(
            f"The app has this collection open{who}; close it first, then run the command "
            f"again. ({Path(collection_path)})"
        ) from exc
    os.ftruncate(fd, 0)
    os.pwrite(fd, f"{os.getpid()}\n".encode(), 0)
    return Lock(path, fd)


def is_locked(collection_path: str | os.PathLike[str]) -> bool:
    """True when another holder has the writer lock right now."""
    try:
        acquire_writer_lock(collection_path).release()
    except CollectionError:
        return True
    return False
