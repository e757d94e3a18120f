"""Helpers shared by command modules."""

from __future__ import annotations

import argparse
from collections.abc import Iterator
from contextlib import contextmanager

from studyapp.core.collection import Collection


@contextmanager
def open_collection(args: argparse.Namespace, write: bool) -> Iterator[Collection]:
    """Open the collection named by `--data-dir` (or the default). With `write=True` the
    writer lock is held until the block ends, and the command is refused (CollectionError,
    a UserError) while the desktop app has the collection open."""
    from studyapp.core.lock import acquire_writer_lock
    from studyapp.core.paths import collection_path

    path = collection_path(getattr(args, "data_dir", None))
    lock = acquire_writer_lock(path) if write else None
    try:
        with Collection(path) as col:
            yield col
    finally:
        if lock is not None:
            lock.release()
