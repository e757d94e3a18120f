"""Spreadsheets as decks: .csv, .tsv or .txt with a header row, one note per row.

The header names the columns (any order, any case): `front,back` for basic notes, plus any of
id, kind, deck, tags, explanation, source and the other kinds' fields (answer, accept,
question, options, correct, rationale, text, extra). Lists (accept, options) are separated by
"|"; tags by spaces. A spreadsheet has no deck UUID or version: the UUID is derived from the
deck name and the version is "0", and `DeckSpec.is_spreadsheet` is set so the importer never
refuses it as older. Without an id column a note's id is derived from its front text (or
question, or cloze text), so importing the edited sheet again updates the same notes.
"""

from __future__ import annotations

import csv
import hashlib
import io
import re
import uuid
from pathlib import Path

from studyapp.core.errors import InvalidFile, Problem
from studyapp.core.model import KIND_FIELDS, KINDS, DeckSpec, NoteSpec
from studyapp.core.notecheck import (
    ALL_FIELD_NAMES,
    MAX_FIELD_CHARS,
    MAX_NOTES,
    NOTE_META_KEYS,
    check_deck_path,
    check_note,
    decode_text,
    short,
    suggest,
)

__all__ = ["COLUMNS", "SPREADSHEET_NAMESPACE", "derive_note_id", "parse_table", "sniff_delimiter"]

COLUMNS = (*NOTE_META_KEYS, *ALL_FIELD_NAMES)
LIST_SEPARATOR = "|"
DELIMITERS = (",", "\t", ";")
SPREADSHEET_VERSION = "0"
# Deck UUIDs of spreadsheets are uuid5(SPREADSHEET_NAMESPACE, deck name): stable across imports.
SPREADSHEET_NAMESPACE = uuid.UUID("9e0f4c2a-5d6b-4f1e-8a3c-7b2d1e0f9a84")
_SEP_LINE_RE = re.compile(r"^sep=(.)\r?$")
_INT_RE = re.compile(r"^\s*[0-9]{1,6}\s*$")


def sniff_delimiter(first_line: str) -> str:
    """The delimiter of a header line: the most frequent of comma, tab and semicolon."""
    counts = {d: first_line.count(d) for d in DELIMITERS}
    best = max(DELIMITERS, key=lambda d: counts[d])
    return best if counts[best] else ","


def derive_note_id(main_text: str) -> str:
    """A stable id for a row without one: "row-" and 12 hex digits of its text's SHA-1."""
    normalised = " ".join(main_text.split())
    return "row-" + hashlib.sha1(normalised.encode("utf-8")).hexdigest()[:12]


def _read_rows(
    text: str, delimiter: str, first_line: int, filename: str
) -> tuple[list[tuple[int, list[str]]], list[Problem]]:
    """(line where each record starts, cells); stops at the first unreadable record."""
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True)
    rows: list[tuple[int, list[str]]] = []
    done = 0
    try:
        for record in reader:
            rows.append((first_line + done, record))
            done = reader.line_num
            if len(rows) > MAX_NOTES + 1:
                return rows, [
                    Problem(
                        filename,
                        f"the file has more than {MAX_NOTES:,} rows; the limit is {MAX_NOTES:,} notes. Split it into smaller files.",
                    )
                ]
    except csv.Error as exc:
        line = first_line + done
        if "field larger than field limit" in str(exc):
            message = f"a value is longer than the limit of {MAX_FIELD_CHARS:,} characters for one field; shorten it."
        else:
            message = (
                f"this row cannot be read ({exc}). A value that holds the delimiter, a quote or a"
                " line break must be wrapped in double quotes, with each quote inside it written"
                ' twice ("").'
            )
        return rows, [Problem(filename, message, line=line)]
    return rows, []


def parse_table(data: bytes, filename: str, deck_name: str | None = None) -> DeckSpec:
    """Read a spreadsheet; InvalidFile lists every problem. The deck is named after the file
    (without its extension) unless `deck_name` is given."""
    text = decode_text(data, filename)
    first_line = 1
    delimiter = "\t" if Path(filename).suffix.lower() == ".tsv" else None
    head, _, rest = text.partition("\n")
    sep = _SEP_LINE_RE.match(head)
    if sep:  # Excel's "sep=;" hint line
        delimiter, text, first_line = sep.group(1), rest, 2
        head = text.partition("\n")[0]
    delimiter = delimiter or sniff_delimiter(head)
    rows, problems = _read_rows(text, delimiter, first_line, filename)
    if problems and len(rows) > MAX_NOTES + 1:
        raise InvalidFile(problems)
    rows = [(line, cells) for line, cells in rows if any(c.strip() for c in cells)]
    if not rows:
        raise InvalidFile(
            problems
            or [
                Problem(
                    filename,
                    "the file is empty; the first row must name the columns, for example front,back.",
                    line=1,
                )
            ]
        )
    table = _Table(filename, rows[0], problems)
    notes = table.notes(rows[1:])
    name = deck_name if deck_name is not None else Path(filename).stem
    root = check_deck_path(
        name,
        "the deck name (taken from the file name)" if deck_name is None else "the deck name",
        "name",
        lambda message, _key: table.problems.append(Problem(filename, message)),
    )
    if table.problems or root is None:
        raise InvalidFile(sorted(table.problems, key=lambda p: p.line or 0))
    return DeckSpec(
        id=str(uuid.uuid5(SPREADSHEET_NAMESPACE, root)),
        name=root,
        version=SPREADSHEET_VERSION,
        notes=notes,
        is_spreadsheet=True,
    )


class _Table:
    def __init__(
        self, filename: str, header: tuple[int, list[str]], problems: list[Problem]
    ) -> None:
        self.filename = filename
        self.problems = problems
        self.read_failed = bool(problems)  # the rows after an unreadable one are unknown
        self.header_line, cells = header
        self.columns = [c.strip().lower() for c in cells]
        # Rows are still checked when some columns are wrong (those columns are ignored), so a
        # first run shows every problem; only a row that names no known column stops here.
        self.usable = any(c in ALL_FIELD_NAMES for c in self.columns)
        if not self.usable:
            self.header_problem(
                "the first row must be a header naming the columns, for example front,back;"
                f" found {short(cells)}."
            )
            return
        seen: set[str] = set()
        for column in self.columns:
            if column in seen:
                self.header_problem(
                    f'the column "{column}" appears twice in the header row; keep one.'
                )
            elif column == "":
                self.header_problem(
                    "a column in the header row has no name; name it or delete the column."
                )
            elif column not in COLUMNS:
                self.header_problem(
                    f'unknown column "{column}" in the header row.{suggest(column, COLUMNS)} Known'
                    f" columns: {', '.join(COLUMNS)}."
                )
            seen.add(column)

    def header_problem(self, message: str) -> None:
        self.problems.append(Problem(self.filename, message, line=self.header_line))

    def notes(self, rows: list[tuple[int, list[str]]]) -> list[NoteSpec]:
        if not self.usable:
            return []
        if not rows and not self.read_failed:
            self.problems.append(
                Problem(
                    self.filename,
                    "the file has a header row but no notes below it.",
                    line=self.header_line,
                )
            )
            return []
        missing = self._missing_columns(rows)
        notes: list[NoteSpec] = []
        first_line: dict[str, int] = {}
        for line, cells in rows:
            note = self._row(line, cells, missing)
            if note is None:
                continue
            if note.id in first_line:
                what = (
                    "id"
                    if "id" in self.columns and note.id in (c.strip() for c in cells)
                    else "front text"
                )
                fix = (
                    "give each row its own id"
                    if what == "id"
                    else "add an id column to tell them apart, or make the texts differ"
                )
                self.problems.append(
                    Problem(
                        self.filename,
                        f"this row has the same {what} as the row at line {first_line[note.id]}; {fix}.",
                        line=line,
                        note_id=note.id,
                    )
                )
                continue
            first_line[note.id] = line
            notes.append(note)
        return notes

    def _missing_columns(self, rows: list[tuple[int, list[str]]]) -> set[str]:
        """Kinds whose required columns are missing (reported once, not on every row)."""
        used = {self._kind_of(cells) for _, cells in rows}
        missing = set()
        for kind in sorted(k for k in used if k in KIND_FIELDS):
            absent = [f for f in KIND_FIELDS[kind][0] if f not in self.columns]
            if absent:
                missing.add(kind)
                names = ", ".join(absent)
                self.problems.append(
                    Problem(
                        self.filename,
                        f"{kind} notes need the column{'s' if len(absent) > 1 else ''} {names}; add"
                        f" {'them' if len(absent) > 1 else 'it'} to the header row"
                        + (
                            " (rows without a kind column are basic notes)."
                            if "kind" not in self.columns
                            else "."
                        ),
                        line=self.header_line,
                    )
                )
        return missing

    def _kind_of(self, cells: list[str]) -> str:
        if "kind" not in self.columns:
            return "basic"
        index = self.columns.index("kind")
        value = cells[index].strip().lower() if index < len(cells) else ""
        return value or "basic"

    def _row(self, line: int, cells: list[str], missing: set[str]) -> NoteSpec | None:
        if len(cells) > len(self.columns):
            self.problems.append(
                Problem(
                    self.filename,
                    f"this row has {len(cells)} values but the header names {len(self.columns)}"
                    " columns. Wrap a value that contains the delimiter in double quotes.",
                    line=line,
                )
            )
            return None
        values: dict[str, str] = {}
        for i, column in enumerate(self.columns):
            if column in COLUMNS and column not in values:
                values[column] = cells[i] if i < len(cells) else ""
        kind = self._kind_of(cells)
        if kind in missing:
            return None
        raw: dict[str, object] = {"kind": kind}
        given_id = values.get("id", "").strip()
        required = KIND_FIELDS[kind][0] if kind in KIND_FIELDS else ()
        for column, value in values.items():
            if column not in ALL_FIELD_NAMES or (not value.strip() and column not in required):
                continue
            raw[column] = self._convert(column, value)
        if values.get("deck", "").strip():
            raw["deck"] = values["deck"]
        tags = values.get("tags", "").split()
        if tags:
            raw["tags"] = tags
        main = required[0] if required else "front"
        raw["id"] = given_id or derive_note_id(values.get(main, ""))
        note_id = given_id or None

        def report(message: str, _key: str | None) -> None:
            self.problems.append(Problem(self.filename, message, line=line, note_id=note_id))

        commas = [tag for tag in tags if "," in tag]
        for tag in commas:
            report(
                f"tags are separated by spaces, not commas: write {short(tag.replace(',', ' '))}.",
                "tags",
            )
        if kind not in KINDS:
            raw["kind"] = values.get("kind", "").strip()
        note = check_note(raw, report, line=line)
        return None if commas else note

    @staticmethod
    def _convert(column: str, value: str) -> object:
        if column == "accept":
            return [v.strip() for v in value.split(LIST_SEPARATOR) if v.strip()]
        if column == "options":
            return [v.strip() for v in value.split(LIST_SEPARATOR)]
        if column == "correct":
            return int(value) if _INT_RE.match(value) else value.strip()
        return value.strip()
