"""Exporting a deck (with its subdecks) back to a deck file."""

from __future__ import annotations

import json
import uuid
from pathlib import Path

from studyapp.core import decks
from studyapp.core.collection import Collection
from studyapp.core.errors import UserError
from studyapp.core.model import ChangelogEntry, DeckSpec, NoteSpec

# Exported decks that never came from a file get an id derived from their name, so exporting
# the same deck twice gives the same file identity.
EXPORT_NAMESPACE = uuid.UUID("6b1d8c4e-3f0a-4c55-8e7b-2a9f5d1c0e47")


def deck_to_spec(col: Collection, deck_id: int) -> DeckSpec:
    deck = decks.get(col, deck_id)
    source = col.conn.execute(
        "SELECT uuid, version, meta FROM sources WHERE root_deck_id = ?", (deck_id,)
    ).fetchone()
    if source:
        meta = json.loads(source[2])
        spec = DeckSpec(
            id=source[0],
            name=deck.name,
            version=source[1] if not meta.get("is_spreadsheet") else "1.0.0",
            title=meta.get("title", ""),
            author=meta.get("author", ""),
            license=meta.get("license", ""),
            description=meta.get("description", ""),
            code_set=meta.get("code_set", ""),
            code_set_year=meta.get("code_set_year", ""),
            sources=list(meta.get("sources", [])),
            tags=list(meta.get("tags", [])),
            changelog=[ChangelogEntry(**c) for c in meta.get("changelog", [])],
        )
        if spec.version == "0":
            spec.version = "1.0.0"
    else:
        spec = DeckSpec(
            id=str(uuid.uuid5(EXPORT_NAMESPACE, deck.name)),
            name=deck.name,
            version="1.0.0",
            title=deck.name,
        )
    spec.options = _options_for(col, deck_id)
    spec.notes = _notes_for(col, deck_id, spec)
    if not spec.notes:
        raise UserError(f"The deck {deck.name!r} has no notes; there is nothing to export.")
    return spec


def _options_for(col: Collection, deck_id: int) -> dict[str, object]:
    row = col.conn.execute(
        "SELECT file_options, options FROM decks WHERE id = ?", (deck_id,)
    ).fetchone()
    return {**json.loads(row[0]), **json.loads(row[1])}


def _notes_for(col: Collection, deck_id: int, spec: DeckSpec) -> list[NoteSpec]:
    ids = decks.subtree_ids(col, deck_id)
    marks = ",".join("?" * len(ids))
    rows = col.conn.execute(
        "SELECT n.id, n.guid, n.source_uuid, n.source_note_id, n.kind, n.fields, n.tags,"
        " d.name, min(c.position) AS pos FROM notes n JOIN cards c ON c.note_id = n.id"
        f" JOIN decks d ON d.id = c.deck_id WHERE c.deck_id IN ({marks}) AND n.removed = 0"
        " GROUP BY n.id ORDER BY pos, n.id",
        ids,
    ).fetchall()
    out = []
    # Deck tags apply to every note on import, so keep only those every exported note has.
    deck_tags = set(spec.tags)
    for row in rows:
        deck_tags &= set(row[6].split())
    spec.tags = sorted(deck_tags)
    for _, guid, source_uuid, source_note_id, kind, fields, tags, deck_name, _ in rows:
        note_id = source_note_id if source_uuid == spec.id and source_note_id else guid
        sub = deck_name[len(spec.name) + 2 :] if deck_name != spec.name else ""
        out.append(
            NoteSpec(
                id=note_id,
                kind=kind,
                fields=json.loads(fields),
                tags=sorted(set(tags.split()) - deck_tags),
                deck=sub,
            )
        )
    return out


def export_deck_file(col: Collection, deck_id: int, path: str | Path) -> DeckSpec:
    """Write a deck and its subdecks to a canonical deck file (temp file, then rename)."""
    from studyapp.core.deckfile import write_deck_file

    spec = deck_to_spec(col, deck_id)
    write_deck_file(spec, Path(path))
    return spec
