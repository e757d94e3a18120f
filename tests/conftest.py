"""Shared fixtures: every test gets its own collection in a temporary folder and a fixed clock."""

from __future__ import annotations

import os
from datetime import UTC, datetime

import pytest

# Qt tests must never need a display; set before anything imports Qt.
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from studyapp.core.clock import FixedClock  # noqa: E402
from studyapp.core.collection import Collection  # noqa: E402


@pytest.fixture(autouse=True)
def _isolated_data_dir(tmp_path, monkeypatch):
    """No test may touch the real user folder."""
    monkeypatch.setenv("STUDYAPP_DATA_DIR", str(tmp_path / "userdata"))


@pytest.fixture
def clock() -> FixedClock:
    return FixedClock(datetime(2026, 3, 10, 12, 0, tzinfo=UTC))


@pytest.fixture
def col(tmp_path, clock):
    collection = Collection(tmp_path / "collection.sqlite", clock=clock)
    yield collection
    collection.close()
