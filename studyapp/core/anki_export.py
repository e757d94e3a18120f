"""Exporting notes to an Anki package (.apkg) with genanki.

Identity is kept stable across exports so that importing a newer export into Anki updates
what is already there instead of duplicating it:

* note types have fixed ids and names (the constants below);
* each Anki deck id is derived from the deck's name;
* each Anki note guid is derived from our note's stable guid (the notes.guid column);
* each Anki note's modification time is our note's `modified` time, so Anki's default
  "update if newer" import option picks up notes edited since the last import.

Cards keep their own deck (a reversible note's two cards may sit in different decks) and
their suspended flag; new cards keep the order in which we would introduce them.
"""

from __future__ import annotations

import hashlib
import itertools
import json
import os
import secrets
import sqlite3
import struct
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

import genanki
import orjson

from studyapp.core import decks, zipwrite
from studyapp.core.collection import Collection
from studyapp.core.errors import UserError
from studyapp.core.model import FieldValue
from studyapp.core.paths import resources_dir

CSS_FILE = "anki-cards.css"
NAME_PREFIX = "Coding Study — "

# Fixed note type ids: never change them, or re-exports create new note types in Anki.
BASIC_MODEL_ID = 1746965845
REVERSED_MODEL_ID = 2063485639
TYPED_MODEL_ID = 1705732731
CHOICE_MODEL_ID = 1197274316
CLOZE_MODEL_ID = 1252040451

# genanki's recommended id range for decks and note types.
_ID_LOW, _ID_HIGH = 1 << 30, 1 << 31

_PROGRESS_EVERY = 250

# Deflate level for the package. Level 1 compresses the collection about 4x faster than the
# default (6) for a file about 5% larger (10,000 notes: ~25 ms vs ~95 ms, 1.13 MB vs 1.08 MB).
_ZIP_LEVEL = 1


class ExportCancelled(UserError):
    def __init__(self) -> None:
        super().__init__("Export cancelled; no file was written.")


@dataclass(frozen=True)
class ExportResult:
    notes: int
    cards: int
    path: Path


def anki_deck_id(name: str) -> int:
    """A stable Anki deck id for one of our deck names (same name, same id, every export)."""
    digest = hashlib.sha256(("studyapp-deck:" + name).encode("utf-8")).digest()
    return _ID_LOW + int.from_bytes(digest[:8], "big") % (_ID_HIGH - _ID_LOW)


# genanki's base-91 alphabet, two digits at a time (91 ** 2 = 8281 pairs).
_BASE91 = "".join(genanki.util.BASE91_TABLE)
_PAIRS = [a + b for a in _BASE91 for b in _BASE91]
_FIRST_8_BYTES = struct.Struct(">Q").unpack_from  # big-endian, as genanki reads the digest
_FIRST_4_BYTES = struct.Struct(">I").unpack_from


def anki_guid(note_guid: str) -> str:
    """The Anki guid for one of our notes (derived from our stable note guid).

    Equal to genanki.guid_for("studyapp-note", note_guid) (a test checks it), computed two
    base-91 digits per step; this ran once per note and was a tenth of the export time.
    """
    digest = hashlib.sha256(f"studyapp-note__{note_guid}".encode()).digest()
    n = _FIRST_8_BYTES(digest)[0]  # < 91 ** 10: five pairs of digits
    n, e = divmod(n, 8281)
    n, d = divmod(n, 8281)
    n, c = divmod(n, 8281)
    a, b = divmod(n, 8281)
    # genanki writes no leading zero digits ("a"); the leading digit is never "a" otherwise
    return (_PAIRS[a] + _PAIRS[b] + _PAIRS[c] + _PAIRS[d] + _PAIRS[e]).lstrip("a")


# --- note types -----------------------------------------------------------------------------

_EXTRAS = (
    '{{#Explanation}}<div class="explanation"><b>Why:</b> {{Explanation}}</div>{{/Explanation}}'
    '{{#Source}}<div class="source"><b>Source:</b> {{Source}}</div>{{/Source}}'
)
_EXTRA_FIELDS = ["Explanation", "Source"]


def _front_to_back() -> dict[str, str]:
    """The front-to-back card of the basic and the reversible note types (a new dict each
    time: genanki writes each template's position into it)."""
    return {
        "name": "Card 1",
        "qfmt": "{{Front}}",
        "afmt": "{{FrontSide}}\n<hr id=answer>\n{{Back}}" + _EXTRAS,
    }


def _fields(*names: str) -> list[dict[str, str]]:
    return [{"name": n} for n in [*names, *_EXTRA_FIELDS]]


def build_models(css: str) -> dict[str, genanki.Model]:
    """One Anki note type per card kind, keyed by our kind name."""
    return {
        "basic": genanki.Model(
            BASIC_MODEL_ID,
            NAME_PREFIX + "Basic",
            fields=_fields("Front", "Back"),
            templates=[_front_to_back()],
            css=css,
        ),
        "reversible": genanki.Model(
            REVERSED_MODEL_ID,
            NAME_PREFIX + "Basic (and reversed card)",
            fields=_fields("Front", "Back"),
            templates=[
                _front_to_back(),
                {
                    "name": "Card 2",
                    "qfmt": "{{Back}}",
                    "afmt": "{{FrontSide}}\n<hr id=answer>\n{{Front}}" + _EXTRAS,
                },
            ],
            css=css,
        ),
        "typed": genanki.Model(
            TYPED_MODEL_ID,
            NAME_PREFIX + "Typed",
            fields=_fields("Front", "Answer", "Accepted"),
            templates=[
                {
                    "name": "Card 1",
                    "qfmt": "{{Front}}\n<br>\n{{type:Answer}}",
                    "afmt": "{{Front}}\n<hr id=answer>\n{{type:Answer}}"
                    '\n<div class="code">{{Answer}}</div>'
                    '{{#Accepted}}<div class="accepted">Also accepted: {{Accepted}}</div>'
                    "{{/Accepted}}" + _EXTRAS,
                }
            ],
            css=css,
        ),
        "choice": genanki.Model(
            CHOICE_MODEL_ID,
            NAME_PREFIX + "Choice",
            fields=_fields("Question", "Options", "Answer", "Rationale"),
            templates=[
                {
                    "name": "Card 1",
                    "qfmt": '<div class="question">{{Question}}</div>\n{{Options}}',
                    "afmt": "{{FrontSide}}\n<hr id=answer>\n"
                    '<div class="correct">{{Answer}}</div>'
                    '{{#Rationale}}<div class="rationale">{{Rationale}}</div>{{/Rationale}}'
                    + _EXTRAS,
                }
            ],
            css=css,
        ),
        "cloze": genanki.Model(
            CLOZE_MODEL_ID,
            NAME_PREFIX + "Cloze",
            model_type=genanki.Model.CLOZE,
            fields=_fields("Text", "Extra"),
            templates=[
                {
                    "name": "Cloze",
                    "qfmt": "{{cloze:Text}}",
                    "afmt": "{{cloze:Text}}"
                    '{{#Extra}}<div class="extra">{{Extra}}</div>{{/Extra}}' + _EXTRAS,
                }
            ],
            css=css,
        ),
    }


# Kinds whose Anki fields are our text fields as they are, in this order (then the extras).
_PLAIN_FIELDS = {
    "basic": ("front", "back", "explanation", "source"),
    "reversible": ("front", "back", "explanation", "source"),
    "cloze": ("text", "extra", "explanation", "source"),
}


def _text(value: object) -> str:
    return "" if value is None else str(value)


def anki_fields(kind: str, fields: dict[str, FieldValue]) -> list[str]:
    """Our note's fields (already sanitised HTML) as the Anki note type's field list."""
    plain = _PLAIN_FIELDS.get(kind)
    if plain is not None:
        return [_text(fields.get(key)) for key in plain]
    extras = [_text(fields.get("explanation")), _text(fields.get("source"))]
    if kind == "typed":
        accept = fields.get("accept") or []
        accepted = ", ".join(str(a) for a in accept) if isinstance(accept, list) else str(accept)
        return [_text(fields.get("front")), _text(fields.get("answer")), accepted, *extras]
    if kind == "choice":
        raw = fields.get("options") or []
        options = [str(o) for o in raw] if isinstance(raw, list) else [str(raw)]
        listing = "".join(f"<li>{o}</li>" for o in options)
        correct = int(fields.get("correct", 0) or 0)  # type: ignore[arg-type]
        answer = f"{correct}. {options[correct - 1]}" if 0 < correct <= len(options) else ""
        return [
            _text(fields.get("question")),
            f'<ol class="options">{listing}</ol>' if options else "",
            answer,
            _text(fields.get("rationale")),
            *extras,
        ]
    raise UserError(f"Cannot export notes of unknown kind {kind!r} to Anki.")


# --- genanki glue ---------------------------------------------------------------------------

# The package is built in an in-memory database that has the collection attached as "src".
# genanki writes the package structure (schema, collection row, deck and note type JSON);
# the notes and cards rows are then copied over by SQL, batch by batch, with the columns
# genanki's Note and Card would write (usn -1, card type 0, no scheduling). Ids are the
# export's millisecond timestamp plus our ids, card ids above every note id, as with
# genanki's timestamp counter. Copying in SQL keeps Python out of the per-row work except
# for three functions (guid, checksum, field list); building genanki.Note objects took
# most of the export time.
_COPY_NOTES = """
INSERT INTO main.notes
SELECT :base + n.id, anki_guid(n.guid), k.model_id, n.modified, -1, ' ' || trim(n.tags) || ' ',
       anki_fields(n.kind, n.fields), n.sort_field, anki_checksum(n.sort_field), 0, ''
FROM src.notes n LEFT JOIN temp.export_kinds k ON k.kind = n.kind
WHERE n.id IN (SELECT value FROM json_each(:ids))
"""
_COPY_CARDS = """
INSERT INTO main.cards
SELECT :card_base + c.id, :base + c.note_id, d.anki_id, c.ord, :mod, -1, 0,
       CASE WHEN c.suspended THEN -1 ELSE 0 END,
       min(c.position) OVER (PARTITION BY c.note_id),  -- a note's cards come in together
       0, 0, 0, 0, 0, 0, 0, 0, ''
FROM src.cards c JOIN temp.export_decks d ON d.our_id = c.deck_id
WHERE c.note_id IN (SELECT value FROM json_each(:ids))
"""


def _anki_fields_text(kind: str, fields_json: str) -> str:
    return "\x1f".join(anki_fields(kind, orjson.loads(fields_json)))


def _checksum(sort_text: str) -> int:
    """Anki's duplicate-check value: the first 8 hex digits of the SHA-1 of the sort field."""
    return _FIRST_4_BYTES(hashlib.sha1(sort_text.encode("utf-8")).digest())[0]


# --- export ---------------------------------------------------------------------------------


def _selected_deck_ids(col: Collection, deck_ids: list[int] | None) -> list[int] | None:
    if deck_ids is None:
        return None
    chosen: set[int] = set()
    for deck_id in deck_ids:
        chosen.update(decks.subtree_ids(col, deck_id))  # raises UserError for unknown ids
    return sorted(chosen)


def _read_css() -> str:
    try:
        return (resources_dir() / CSS_FILE).read_text(encoding="utf-8")
    except OSError:
        return ""


def _open_temp(path: Path) -> tuple[int, Path]:
    folder = path.parent
    if not folder.is_dir():
        what = "is not a folder" if folder.exists() else "does not exist"
        raise UserError(f"Cannot write {path}: the folder {folder} {what}.")
    if path.is_dir():
        raise UserError(f"Cannot write {path}: it is a folder. Choose a file name ending in .apkg.")
    # Not tempfile.mkstemp: its 0600 mode would stick to the finished file; this honours umask.
    tmp = folder / f".{path.name}.{secrets.token_hex(6)}.tmp"
    try:
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0), 0o666)
    except OSError as exc:
        raise UserError(f"Cannot write {path}: {exc.strerror or exc}.") from exc
    return fd, tmp


def export_apkg(
    col: Collection,
    deck_ids: list[int] | None,
    path: str | os.PathLike[str],
    progress: Callable[[int, int], None] | None = None,
    cancelled: Callable[[], bool] | None = None,
) -> ExportResult:
    """Write the chosen decks (each with its subdecks; None = everything) to an .apkg file.

    The file appears complete or not at all: it is written to a temporary file in the same
    folder and renamed. Raises UserError when there is nothing to export or the file cannot
    be written, ExportCancelled when `cancelled()` turns true. Reads the saved collection, so
    it is called outside a transaction.
    """
    if col.conn.in_transaction:
        raise RuntimeError("export_apkg reads the saved collection: call it outside a transaction")
    path = Path(path).expanduser()
    names = dict(col.conn.execute("SELECT id, name FROM decks").fetchall())
    selected = _selected_deck_ids(col, deck_ids)
    chosen = {deck_id: names[deck_id] for deck_id in (names if selected is None else selected)}
    export = _Export(col, chosen)
    if not export.note_ids:
        raise UserError("There is nothing to export: the chosen decks have no notes.")

    fd, tmp = _open_temp(path)
    try:
        with os.fdopen(fd, "wb") as out:
            cards = export.write(out, progress, cancelled)
            out.flush()
            os.fsync(out.fileno())
        try:
            os.replace(tmp, path)
        except OSError as exc:
            raise UserError(f"Cannot write {path}: {exc.strerror or exc}.") from exc
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    return ExportResult(notes=len(export.note_ids), cards=cards, path=path)


class _Export:
    """What goes into one package, read from the collection, and the writing of it."""

    def __init__(self, col: Collection, decks: dict[int, str]):
        self.col = col
        self.names = decks
        self.anki_ids = {deck_id: anki_deck_id(name) for deck_id, name in decks.items()}
        # two narrow queries: looking up each card's note costs three times as much
        in_decks = col.conn.execute(
            "SELECT DISTINCT note_id FROM cards WHERE deck_id IN (SELECT value FROM json_each(?))"
            " ORDER BY note_id",
            (json.dumps(list(decks)),),
        ).fetchall()
        removed = {row[0] for row in col.conn.execute("SELECT id FROM notes WHERE removed")}
        self.note_ids = [row[0] for row in in_decks if row[0] not in removed]

    def write(
        self,
        out: BinaryIO,
        progress: Callable[[int, int], None] | None,
        cancelled: Callable[[], bool] | None,
    ) -> int:
        """Write the package to `out`; returns the number of cards."""
        models = build_models(_read_css())
        timestamp = time.time()
        db = sqlite3.connect(":memory:")
        try:
            db.execute("PRAGMA main.journal_mode = OFF")  # a scratch database: no rollback
            cursor = db.cursor()
            genanki.Package([]).write_to_db(cursor, timestamp, itertools.count())  # the schema
            indexes = db.execute(
                "SELECT name, sql FROM main.sqlite_master"
                " WHERE type = 'index' AND tbl_name IN ('notes', 'cards') AND sql IS NOT NULL"
            ).fetchall()
            for name, _ in indexes:  # building them once at the end is cheaper than per row
                db.execute(f'DROP INDEX main."{name}"')
            self._copy_rows(db, models, timestamp, progress, cancelled)
            for _, sql in indexes:
                db.execute(sql)
            for deck in self._genanki_decks(db, models):  # deck and note type JSON
                deck.write_to_db(cursor, timestamp, itertools.count())
            db.commit()
            cards = db.execute("SELECT count(*) FROM main.cards").fetchone()[0]
            data = db.serialize()
        finally:
            db.close()
        zipwrite.write_zip(out, [("collection.anki2", data), ("media", b"{}")], _ZIP_LEVEL)
        return cards

    def _genanki_decks(
        self, db: sqlite3.Connection, models: dict[str, genanki.Model]
    ) -> list[genanki.Deck]:
        """The decks the copied cards are in, the first holding the note types used."""
        our_ids = {anki_id: deck_id for deck_id, anki_id in self.anki_ids.items()}
        anki_decks = [
            genanki.Deck(anki_id, self.names[our_ids[anki_id]])
            for (anki_id,) in db.execute("SELECT DISTINCT did FROM main.cards ORDER BY did")
        ]
        used = {mid for (mid,) in db.execute("SELECT DISTINCT mid FROM main.notes")}
        for model in models.values():
            if model.model_id in used:
                anki_decks[0].add_model(model)
        return anki_decks

    def _copy_rows(
        self,
        db: sqlite3.Connection,
        models: dict[str, genanki.Model],
        timestamp: float,
        progress: Callable[[int, int], None] | None,
        cancelled: Callable[[], bool] | None,
    ) -> None:
        # the file the collection's connection has open (its path as given may be relative)
        (_, _, collection_file) = self.col.conn.execute("PRAGMA database_list").fetchone()
        db.execute("ATTACH DATABASE ? AS src", (collection_file,))
        try:
            db.execute("CREATE TEMP TABLE export_decks(our_id INTEGER PRIMARY KEY, anki_id INT)")
            db.executemany("INSERT INTO temp.export_decks VALUES (?, ?)", self.anki_ids.items())
            db.execute("CREATE TEMP TABLE export_kinds(kind TEXT PRIMARY KEY, model_id INT)")
            db.executemany(
                "INSERT INTO temp.export_kinds VALUES (?, ?)",
                [(kind, model.model_id) for kind, model in models.items()],
            )
            db.create_function("anki_guid", 1, anki_guid, deterministic=True)
            db.create_function("anki_checksum", 1, _checksum, deterministic=True)
            db.create_function("anki_fields", 2, _anki_fields_text, deterministic=True)
            ids = self.note_ids
            base = int(timestamp * 1000)
            params = {"base": base, "card_base": base + ids[-1], "mod": int(timestamp)}
            total = len(ids)
            if progress:
                progress(0, total)
            for start in range(0, total, _PROGRESS_EVERY):
                params["ids"] = json.dumps(ids[start : start + _PROGRESS_EVERY])
                try:
                    db.execute(_COPY_NOTES, params)
                except sqlite3.DatabaseError:  # from anki_fields, or NULL from the kinds join
                    _check_kinds(db, params["ids"])
                    raise
                db.execute(_COPY_CARDS, params)
                if cancelled and cancelled():
                    raise ExportCancelled()
                if progress:
                    progress(min(start + _PROGRESS_EVERY, total), total)
            db.commit()
        finally:
            db.rollback()  # DETACH needs no open transaction
            db.execute("DETACH DATABASE src")


def _check_kinds(db: sqlite3.Connection, ids: str) -> None:
    unknown = db.execute(
        "SELECT kind FROM src.notes WHERE id IN (SELECT value FROM json_each(?))"
        " AND kind NOT IN (SELECT kind FROM temp.export_kinds)",
        (ids,),
    ).fetchone()
    if unknown:
        raise UserError(f"Cannot export notes of unknown kind {unknown[0]!r} to Anki.") from None
