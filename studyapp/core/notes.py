"""Notes and the cards generated from them."""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass, field

import orjson

from studyapp.core import search_index
from studyapp.core.collection import Collection
from studyapp.core.errors import UserError
from studyapp.core.model import KIND_FIELDS, FieldValue, card_ords
from studyapp.core.search_index import plain_text


@dataclass
class NewNote:
    deck_id: int
    kind: str
    fields: dict[str, FieldValue]
    tags: list[str] = field(default_factory=list)
    guid: str | None = None  # stable identity; a fresh one is made when None
    source_uuid: str | None = None
    source_note_id: str | None = None
    source_fields: dict[str, FieldValue] | None = None  # what the deck file said, if any


@dataclass(frozen=True)
class Note:
    id: int
    guid: str
    kind: str
    fields: dict[str, FieldValue]
    tags: list[str]
    source_uuid: str | None
    source_note_id: str | None
    source_fields: dict[str, FieldValue] | None
    removed: bool


def sort_text(kind: str, fields: dict[str, FieldValue]) -> str:
    first = KIND_FIELDS[kind][0][0]
    return plain_text(str(fields.get(first, "")))


def tags_text(tags: list[str]) -> str:
    return f" {' '.join(sorted(set(tags)))} " if tags else ""


def _fields_json(fields: dict[str, FieldValue]) -> str:
    """Fields as stored: JSON with sorted keys (orjson: several times faster than json)."""
    return orjson.dumps(fields, option=orjson.OPT_SORT_KEYS).decode()


def add_notes(col: Collection, new_notes: list[NewNote]) -> list[int]:
    """Insert notes and their cards in one transaction; returns the new note ids.

    Every note is checked before anything is written, and rows go in with one executemany
    per table; ids are given explicitly (the next free ones: the transaction holds the write
    lock, so nothing else can take them)."""
    now = int(col.now().timestamp())
    note_rows: list[tuple[object, ...]] = []
    card_rows: list[tuple[int, int, int, int]] = []
    with col.transaction():
        position = int(col.config_get("next_position", 1))
        first_id = col.conn.execute("SELECT coalesce(max(id), 0) + 1 FROM notes").fetchone()[0]
        for note_id, new in enumerate(new_notes, start=first_id):
            if new.kind not in KIND_FIELDS:
                raise UserError(f"Unknown card kind {new.kind!r}.")
            ords = card_ords(new.kind, new.fields)
            if not ords:
                raise UserError("This note would give no cards (a cloze needs {{c1::...}}).")
            note_rows.append(
                (
                    note_id,
                    new.guid or uuid.uuid4().hex,
                    new.source_uuid,
                    new.source_note_id,
                    new.kind,
                    _fields_json(new.fields),
                    _fields_json(new.source_fields) if new.source_fields else None,
                    tags_text(new.tags),
                    sort_text(new.kind, new.fields),
                    now,
                    now,
                )
            )
            card_rows.extend((note_id, new.deck_id, ord_, position) for ord_ in ords)
            position += 1
        col.conn.executemany(
            "INSERT INTO notes(id, guid, source_uuid, source_note_id, kind, fields, source_fields,"
            " tags, sort_field, created, modified) VALUES (?,?,?,?,?,?,?,?,?,?,?)",
            note_rows,
        )
        col.conn.executemany(
            "INSERT INTO cards(note_id, deck_id, ord, position) VALUES (?,?,?,?)", card_rows
        )
        ids = list(range(first_id, first_id + len(new_notes)))
        search_index.write(col.conn, zip(ids, [new.fields for new in new_notes], strict=True))
        col.config_set("next_position", position)
    return ids


def add_note(col: Collection, new: NewNote) -> int:
    return add_notes(col, [new])[0]


def get(col: Collection, note_id: int) -> Note:
    row = col.conn.execute(
        "SELECT id, guid, kind, fields, tags, source_uuid, source_note_id, source_fields, removed"
        " FROM notes WHERE id = ?",
        (note_id,),
    ).fetchone()
    if row is None:
        raise UserError(f"There is no note with id {note_id}.")
    return Note(
        id=row[0],
        guid=row[1],
        kind=row[2],
        fields=json.loads(row[3]),
        tags=row[4].split(),
        source_uuid=row[5],
        source_note_id=row[6],
        source_fields=json.loads(row[7]) if row[7] else None,
        removed=bool(row[8]),
    )


def update(
    col: Collection,
    note_id: int,
    fields: dict[str, FieldValue],
    tags: list[str] | None = None,
    source_fields: dict[str, FieldValue] | None = None,
) -> None:
    """Change a note's content; cards are added or removed when a cloze's deletions change.

    Scheduling of existing cards is kept. `source_fields` records the deck file's text
    (used by deck updates to tell the student's edits from the author's).
    """
    note = get(col, note_id)
    with col.transaction():
        col.conn.execute(
            "UPDATE notes SET fields = ?, sort_field = ?, modified = ? WHERE id = ?",
            (
                _fields_json(fields),
                sort_text(note.kind, fields),
                int(col.now().timestamp()),
                note_id,
            ),
        )
        if tags is not None:
            col.conn.execute("UPDATE notes SET tags = ? WHERE id = ?", (tags_text(tags), note_id))
        if source_fields is not None:
            col.conn.execute(
                "UPDATE notes SET source_fields = ? WHERE id = ?",
                (_fields_json(source_fields), note_id),
            )
        search_index.write(col.conn, [(note_id, fields)])
        _sync_cards(col, note_id, note.kind, fields)


def _sync_cards(col: Collection, note_id: int, kind: str, fields: dict[str, FieldValue]) -> None:
    wanted = set(card_ords(kind, fields))
    if not wanted:
        raise UserError("This note would give no cards (a cloze needs {{c1::...}}).")
    rows = col.conn.execute(
        "SELECT ord, deck_id FROM cards WHERE note_id = ?", (note_id,)
    ).fetchall()
    have = {r[0] for r in rows}
    deck_id = rows[0][1]
    for ord_ in have - wanted:
        col.conn.execute("DELETE FROM cards WHERE note_id = ? AND ord = ?", (note_id, ord_))
    position = int(col.config_get("next_position", 1))
    for ord_ in sorted(wanted - have):
        col.conn.execute(
            "INSERT INTO cards(note_id, deck_id, ord, position) VALUES (?,?,?,?)",
            (note_id, deck_id, ord_, position),
        )
    if wanted - have:
        col.config_set("next_position", position + 1)


def card_ids(col: Collection, note_id: int) -> list[int]:
    rows = col.conn.execute("SELECT id FROM cards WHERE note_id = ? ORDER BY ord", (note_id,))
    return [r[0] for r in rows]


def set_suspended(col: Collection, card_ids_: list[int], suspended: bool) -> None:
    with col.transaction():
        col.conn.executemany(
            "UPDATE cards SET suspended = ? WHERE id = ?", [(int(suspended), c) for c in card_ids_]
        )


def move_cards(col: Collection, card_ids_: list[int], deck_id: int) -> None:
    with col.transaction():
        col.conn.executemany(
            "UPDATE cards SET deck_id = ? WHERE id = ?", [(deck_id, c) for c in card_ids_]
        )


def delete_notes(col: Collection, note_ids: list[int]) -> None:
    with col.transaction():
        col.conn.executemany("DELETE FROM notes WHERE id = ?", [(n,) for n in note_ids])
