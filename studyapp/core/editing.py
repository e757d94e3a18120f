"""Editing the collection by hand (the Browse window), with an undo stack.

Every edit goes through `Editor`, which snapshots the rows an edit can touch (decks, notes,
cards, review log, sources) before running it, so `undo` can put them back exactly. The stack
lives as long as the Editor (the Browse window keeps one while it is open).

Edited fields are checked and cleaned by the same rules as deck files (`notecheck`), so a note
typed in the app is held to the same standard as an imported one.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any, TypeVar

from studyapp.core import decks, notes, search_index
from studyapp.core.collection import Collection
from studyapp.core.errors import UserError
from studyapp.core.model import KIND_FIELDS, LIST_FIELDS, FieldValue, allowed_fields
from studyapp.core.notecheck import check_note

T = TypeVar("T")

# table -> key column; restored in this order (parents first), deleted in reverse.
_TABLES: tuple[tuple[str, str], ...] = (
    ("decks", "id"),
    ("sources", "uuid"),
    ("notes", "id"),
    ("cards", "id"),
    ("revlog", "id"),
)


class NoteProblems(UserError):
    """An edited note that cannot be saved; `problems` is a list of (field or None, message)."""

    def __init__(self, problems: list[tuple[str | None, str]]):
        self.problems = problems
        super().__init__("\n".join(message for _, message in problems))


def check_fields(
    kind: str, fields: dict[str, Any], tags: Iterable[str] | str = ()
) -> tuple[dict[str, FieldValue], list[str]]:
    """Cleaned fields and tags for a note typed by the student, or NoteProblems.

    Empty optional fields are dropped. List fields may be given as a list or as text with one
    item per line; tags as a list or as text separated by spaces.
    """
    if kind not in KIND_FIELDS:
        raise NoteProblems([("kind", f"Unknown card kind {kind!r}.")])
    raw: dict[str, object] = {"id": "edited", "kind": kind}
    required, _ = KIND_FIELDS[kind]
    for name in allowed_fields(kind):
        value = fields.get(name)
        if name in LIST_FIELDS and isinstance(value, str):
            value = [line.strip() for line in value.splitlines() if line.strip()]
        if name == "correct" and isinstance(value, str):
            value = int(value) if value.strip().isdigit() else value
        if value in (None, "", []) and name not in required:
            continue
        if value is None:
            value = [] if name in LIST_FIELDS else ""
        raw[name] = value
    tag_list = tags.split() if isinstance(tags, str) else list(tags)
    raw["tags"] = tag_list
    problems: list[tuple[str | None, str]] = []
    spec = check_note(raw, lambda message, key: problems.append((key, message)))
    if spec is None or problems:
        return _raise(problems or [(None, "The note is not valid.")])
    return spec.fields, spec.tags


def _raise(problems: list[tuple[str | None, str]]) -> Any:
    raise NoteProblems(problems)


@dataclass
class _Snapshot:
    label: str
    keys: dict[str, set[Any]]  # rows the edit may have touched, by table
    rows: dict[str, list[tuple[Any, ...]]]  # those rows as they were before
    columns: dict[str, list[str]] = field(default_factory=dict)
    config: dict[str, Any] = field(default_factory=dict)


class Editor:
    """Edits with undo. Each method is one transaction and one undo step."""

    def __init__(self, col: Collection):
        self.col = col
        self._undo: list[_Snapshot] = []

    # --- undo -------------------------------------------------------------------------------
    @property
    def can_undo(self) -> bool:
        return bool(self._undo)

    @property
    def undo_label(self) -> str | None:
        return self._undo[-1].label if self._undo else None

    def undo(self) -> str:
        """Undo the last edit; returns its label. UserError when there is nothing to undo."""
        if not self._undo:
            raise UserError("Nothing to undo.")
        snap = self._undo.pop()
        conn = self.col.conn
        with self.col.transaction():
            for table, key in reversed(_TABLES):
                keep = {row[0] for row in snap.rows.get(table, [])}
                gone = [k for k in snap.keys.get(table, set()) if k not in keep]
                if table == "decks":  # children first
                    gone = self._children_first(gone)
                conn.executemany(f"DELETE FROM {table} WHERE {key} = ?", [(k,) for k in gone])
            for table, key in _TABLES:
                rows = snap.rows.get(table, [])
                if table == "decks":
                    rows = self._restore_deck_names(rows)
                cols = snap.columns[table]
                sets = ", ".join(f"{c} = ?" for c in cols[1:])
                marks = ",".join("?" * len(cols))
                for row in rows:
                    exists = conn.execute(
                        f"SELECT 1 FROM {table} WHERE {key} = ?", (row[0],)
                    ).fetchone()
                    if exists:
                        conn.execute(
                            f"UPDATE {table} SET {sets} WHERE {key} = ?", (*row[1:], row[0])
                        )
                    else:
                        conn.execute(
                            f"INSERT INTO {table} ({', '.join(cols)}) VALUES ({marks})", row
                        )
            search_index.reindex(conn, snap.keys.get("notes", ()))
            for name, value in snap.config.items():
                self.col.config_set(name, value)
        return snap.label

    def _children_first(self, deck_ids: list[Any]) -> list[Any]:
        names = dict(self.col.conn.execute("SELECT id, name FROM decks").fetchall())
        return sorted(deck_ids, key=lambda i: -str(names.get(i, "")).count(decks.SEP))

    def _restore_deck_names(self, rows: list[tuple[Any, ...]]) -> list[tuple[Any, ...]]:
        """Deck rows parents first; names are first moved aside so a rename undo cannot clash."""
        conn = self.col.conn
        for row in rows:
            conn.execute("UPDATE decks SET name = ? WHERE id = ?", (f"\0undo{row[0]}", row[0]))
        return sorted(rows, key=lambda r: str(r[1]).count(decks.SEP))

    def _record(
        self, label: str, scope: Callable[[], dict[str, set[Any]]], change: Callable[[], T]
    ) -> T:
        """Run `change` in one transaction after snapshotting the rows in `scope()`."""
        with self.col.transaction():
            before = scope()
            snap = _Snapshot(
                label, before, {}, config={"next_position": self.col.config_get("next_position", 1)}
            )
            for table, key in _TABLES:
                cursor = self.col.conn.execute(f"SELECT * FROM {table} LIMIT 0")
                columns = [d[0] for d in cursor.description]
                # the key column first, so rows[0] is the key
                columns.remove(key)
                columns.insert(0, key)
                snap.columns[table] = columns
                snap.rows[table] = _select_in(
                    self.col.conn,
                    f"SELECT {', '.join(columns)} FROM {table} WHERE {key} IN {_KEYS}",
                    before.get(table, set()),
                )
            result = change()
            for table, keys in scope().items():
                snap.keys.setdefault(table, set()).update(keys)
        self._undo.append(snap)
        return result

    # --- scopes -----------------------------------------------------------------------------
    def _note_scope(self, note_ids: Iterable[int]) -> dict[str, set[Any]]:
        conn = self.col.conn
        note_set = set(note_ids)
        cards = {
            r[0]
            for r in _select_in(conn, f"SELECT id FROM cards WHERE note_id IN {_KEYS}", note_set)
        }
        revlog = {
            r[0] for r in _select_in(conn, f"SELECT id FROM revlog WHERE card_id IN {_KEYS}", cards)
        }
        return {"notes": note_set, "cards": cards, "revlog": revlog}

    def _deck_scope(self, deck_ids: Iterable[int] = ()) -> dict[str, set[Any]]:
        """Every deck (the table is small) and the notes and cards of `deck_ids`."""
        conn = self.col.conn
        note_ids = {
            r[0]
            for r in _select_in(
                conn, f"SELECT DISTINCT note_id FROM cards WHERE deck_id IN {_KEYS}", deck_ids
            )
        }
        scope = self._note_scope(note_ids)
        scope["decks"] = {r[0] for r in conn.execute("SELECT id FROM decks")}
        scope["sources"] = {r[0] for r in conn.execute("SELECT uuid FROM sources")}
        return scope

    def _card_scope(self, card_ids: Iterable[int]) -> dict[str, set[Any]]:
        return {"cards": set(card_ids)}

    # --- notes ------------------------------------------------------------------------------
    def save_note(
        self, note_id: int, fields: dict[str, Any], tags: Iterable[str] | str = ()
    ) -> None:
        """Check, clean and save a note's fields and tags (NoteProblems when invalid)."""
        note = notes.get(self.col, note_id)
        clean, clean_tags = check_fields(note.kind, fields, tags)
        self._record(
            "Edit note",
            lambda: self._note_scope([note_id]),
            lambda: notes.update(self.col, note_id, clean, clean_tags),
        )

    def add_note(
        self, deck_id: int, kind: str, fields: dict[str, Any], tags: Iterable[str] | str = ()
    ) -> int:
        """Check and add a new note of the student's own; returns its id."""
        decks.get(self.col, deck_id)
        clean, clean_tags = check_fields(kind, fields, tags)
        added: list[int] = []

        def change() -> int:
            note_id = notes.add_note(self.col, notes.NewNote(deck_id, kind, clean, clean_tags))
            added.append(note_id)
            return note_id

        return self._record("Add note", lambda: self._note_scope(added), change)

    def delete_notes(self, note_ids: list[int]) -> int:
        """Delete notes with their cards and review history; returns the number of cards."""
        scope = self._note_scope(note_ids)
        self._record(
            "Delete notes" if len(note_ids) > 1 else "Delete note",
            lambda: self._note_scope(note_ids),
            lambda: notes.delete_notes(self.col, note_ids),
        )
        return len(scope["cards"])

    # --- cards ------------------------------------------------------------------------------
    def set_suspended(self, card_ids: list[int], suspended: bool) -> None:
        self._record(
            "Suspend" if suspended else "Unsuspend",
            lambda: self._card_scope(card_ids),
            lambda: notes.set_suspended(self.col, card_ids, suspended),
        )

    def move_cards(self, card_ids: list[int], deck_id: int) -> None:
        decks.get(self.col, deck_id)
        self._record(
            "Move cards",
            lambda: self._card_scope(card_ids),
            lambda: notes.move_cards(self.col, card_ids, deck_id),
        )

    # --- decks ------------------------------------------------------------------------------
    def create_deck(self, name: str) -> int:
        name = decks.normalise_name(name)
        if decks.find(self.col, name):
            raise UserError(f"A deck named {name!r} already exists.")
        return self._record(
            "Create deck", self._deck_scope, lambda: decks.get_or_create(self.col, name)
        )

    def rename_deck(self, deck_id: int, new_name: str) -> None:
        self._record(
            "Rename deck", self._deck_scope, lambda: decks.rename(self.col, deck_id, new_name)
        )

    def delete_deck(self, deck_id: int) -> int:
        """Delete a deck, its subdecks and their cards; returns how many cards went."""
        ids = decks.subtree_ids(self.col, deck_id)
        return self._record(
            "Delete deck",
            lambda: self._deck_scope(ids),
            lambda: decks.delete(self.col, deck_id),
        )


def deck_delete_summary(col: Collection, deck_id: int) -> tuple[str, int]:
    """The deck's name and how many cards deleting it (with its subdecks) would remove."""
    return decks.get(col, deck_id).name, decks.card_count(col, deck_id)


def note_card_ids(col: Collection, note_id: int) -> list[int]:
    return notes.card_ids(col, note_id)


def field_text(value: FieldValue | None) -> str:
    """A field as editable text: lists one item per line."""
    if value is None:
        return ""
    if isinstance(value, list):
        return "\n".join(value)
    return str(value)


# An IN list given as one JSON array parameter: any number of keys, one statement.
_KEYS = "(SELECT value FROM json_each(?))"


def _select_in(conn: sqlite3.Connection, sql: str, keys: Iterable[Any]) -> list[tuple[Any, ...]]:
    """Rows of `sql`, whose `IN {_KEYS}` stands for `keys` (ints or strings)."""
    return conn.execute(sql, (json.dumps(list(keys)),)).fetchall()


def inherited_options(col: Collection, deck_id: int) -> tuple[dict[str, object], dict[str, str]]:
    """What a deck's options would be without its own settings, and where each comes from.

    Returns (values, sources): sources name the deck (or "deck file of X", or "default")
    that supplies each value. The student's own settings on the deck itself are left out.
    """
    from studyapp.core.options import DEFAULTS

    deck = decks.get(col, deck_id)
    layers = decks.options_layers(col)
    by_name = {d.name: d.id for d in decks.all_decks(col)}
    values: dict[str, object] = dict(DEFAULTS)
    sources = dict.fromkeys(DEFAULTS, "default")
    for name in [*decks.ancestors(deck.name), deck.name]:
        file_opts, own = layers.get(by_name.get(name, -1), ({}, {}))
        for key, value in file_opts.items():
            if key in DEFAULTS:
                values[key], sources[key] = value, f"deck file of {name}"
        if name != deck.name:
            for key, value in own.items():
                if key in DEFAULTS:
                    values[key], sources[key] = value, name
    return values, sources
