"""The search index: for each note, the plain text of its fields and the codes it mentions.

Searching the notes' JSON directly means matching HTML, JSON keys and escapes, and reading
every note's whole row. Instead, whenever a note's fields are written (notes.add_notes,
notes.update, editing's undo, the schema migration, the database check), its row in the
narrow note_search table is rewritten:

* text: the plain text of every field (tags removed, entities decoded), case-folded, so a
  free-text search is one GLOB over short strings;
* codes: the code-like tokens of that text (letters and digits containing a digit, dots
  dropped, upper case) between spaces, e.g. " 10 E119 J45909 ", so a code or code prefix is
  a GLOB for " J45*" or " E119 " over a few bytes per note.
"""

from __future__ import annotations

import json
import re
import sqlite3
from collections.abc import Iterable, Mapping
from html import unescape

_TAG_RE = re.compile(r"<[^>]+>")
# a run of letters and digits (case-folded text) that contains a digit; possessive, so a
# word without digits fails in one step
_CODE_TOKEN_RE = re.compile(r"(?<![a-z0-9])[a-z]*+[0-9][a-z0-9]*+")
_GLOB_SPECIAL_RE = re.compile(r"([*?\[])")

IndexRow = tuple[int, str, str]  # (note_id, codes, text)


def plain_text(html: str) -> str:
    if "<" in html:
        html = _TAG_RE.sub(" ", html)
    if "&" in html:
        html = unescape(html)
    return " ".join(html.split())


def fields_text(fields: Mapping[str, object]) -> str:
    """The plain text of every text and list field, one per line in field-name order
    (numbers are left out)."""
    parts: list[str] = []
    for _, value in sorted(fields.items()):
        if isinstance(value, list):
            parts.extend(plain_text(str(item)) for item in value)
        elif isinstance(value, str):
            parts.append(plain_text(value))
    return "\n".join(parts)


def code_tokens(folded: str) -> str:
    """The code-like tokens of case-folded text, upper case, dots dropped: " E119 J45909 "."""
    tokens = {token.upper() for token in _CODE_TOKEN_RE.findall(folded.replace(".", ""))}
    return f" {' '.join(sorted(tokens))} " if tokens else ""


def index_row(note_id: int, fields: Mapping[str, object]) -> IndexRow:
    folded = fields_text(fields).casefold()
    return note_id, code_tokens(folded), folded


def glob_escape(text: str) -> str:
    return _GLOB_SPECIAL_RE.sub(r"[\1]", text)


def write(conn: sqlite3.Connection, notes: Iterable[tuple[int, Mapping[str, object]]]) -> None:
    """(Re)index these (note id, fields) pairs; call inside the transaction that wrote them."""
    conn.executemany(
        "INSERT OR REPLACE INTO note_search(note_id, codes, text) VALUES (?, ?, ?)",
        [index_row(note_id, fields) for note_id, fields in notes],
    )


def _decoded(fields_json: str) -> Mapping[str, object]:
    """A note's stored fields; damaged JSON (reported by the check) indexes as empty."""
    try:
        fields = json.loads(fields_json)
    except (TypeError, ValueError):
        return {}
    return fields if isinstance(fields, dict) else {}


def _stored_notes(conn: sqlite3.Connection, note_ids: Iterable[int] | None):
    if note_ids is None:
        for note_id, fields in conn.execute("SELECT id, fields FROM notes"):
            yield note_id, _decoded(fields)
        return
    rows = conn.execute(
        "SELECT id, fields FROM notes WHERE id IN (SELECT value FROM json_each(?))",
        (json.dumps(list(note_ids)),),
    )
    for note_id, fields in rows:
        yield note_id, _decoded(fields)


def reindex(conn: sqlite3.Connection, note_ids: Iterable[int] | None = None) -> None:
    """Rebuild the rows of these notes (all notes when None) from their stored fields."""
    write(conn, _stored_notes(conn, note_ids))


def stale_note_ids(conn: sqlite3.Connection) -> list[int]:
    """Notes whose index row is missing or does not match their fields (for the check)."""
    stored = {row[0]: row for row in conn.execute("SELECT note_id, codes, text FROM note_search")}
    return [
        note_id
        for note_id, fields in _stored_notes(conn, None)
        if stored.get(note_id) != index_row(note_id, fields)
    ]


def orphan_rows(conn: sqlite3.Connection) -> list[int]:
    """Index rows whose note is gone (possible only if foreign keys were off)."""
    return [
        r[0]
        for r in conn.execute(
            "SELECT note_id FROM note_search WHERE note_id NOT IN (SELECT id FROM notes)"
        )
    ]
