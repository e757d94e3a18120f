"""Small builders for tests."""

from __future__ import annotations

from studyapp.core import decks, notes
from studyapp.core.collection import Collection


def add_basic(col: Collection, deck: str, count: int, kind: str = "basic") -> list[int]:
    deck_id = decks.get_or_create(col, deck)
    new = [
        notes.NewNote(deck_id, kind, {"front": f"Q{i} {deck}", "back": f"A{i}"})
        for i in range(count)
    ]
    return notes.add_notes(col, new)
