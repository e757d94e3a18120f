"""One writer: the lock file beside the collection."""

from __future__ import annotations

import subprocess
import sys
import textwrap

import pytest

from studyapp.core.errors import CollectionError
from studyapp.core.lock import acquire_writer_lock, is_locked, lock_path


def test_second_acquire_fails_with_a_clear_message(tmp_path):
    path = tmp_path / "collection.sqlite"
    first = acquire_writer_lock(path)
    assert lock_path(path).exists()
    assert is_locked(path)
    with pytest.raises(CollectionError, match="The app has this collection open.*close it first"):
        acquire_writer_lock(path)
    first.release()
    assert not is_locked(path)
    with acquire_writer_lock(path) as again:
        assert again.held
    assert not again.held


def test_lock_held_by_another_process_and_dropped_when_it_dies(tmp_path):
    path = tmp_path / "collection.sqlite"
    code = textwrap.dedent(
        f"""
        import sys, time
        from studyapp.core.lock import acquire_writer_lock
        lock = acquire_writer_lock({str(path)!r})
        print("held", flush=True)
        time.sleep(60)
        """
    )
    child = subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.PIPE, text=True)
    try:
        assert child.stdout.readline().strip() == "held"
        with pytest.raises(CollectionError, match=rf"process {child.pid}"):
            acquire_writer_lock(path)
    finally:
        child.kill()
        child.wait()
    acquire_writer_lock(path).release()  # a crashed holder leaves no stale lock


def test_locks_on_different_collections_are_independent(tmp_path):
    a = acquire_writer_lock(tmp_path / "a" / "collection.sqlite")
    b = acquire_writer_lock(tmp_path / "b" / "collection.sqlite")
    a.release()
    b.release()
