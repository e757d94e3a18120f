"""Deck files (TOML, see resources/deck-format.md): reading with every problem reported at
once, and a canonical writer whose output reads back to the same DeckSpec.

`parse_deck` raises nothing but InvalidFile for bad input. Field text is cleaned with
`clean_html` while reading; header texts (title, description, changelog...) are plain text.
"""

from __future__ import annotations

import contextlib
import math
import os
import re
import tempfile
from datetime import date
from pathlib import Path

import tomli

from studyapp.core.errors import InvalidFile, Problem
from studyapp.core.model import (
    COMMON_OPTIONAL_FIELDS,
    FORMAT_VERSION,
    KIND_FIELDS,
    ChangelogEntry,
    DeckSpec,
    NoteSpec,
)
from studyapp.core.notecheck import (
    MAX_FIELD_CHARS,
    MAX_FILE_BYTES,
    MAX_NOTES,
    check_deck_path,
    check_note,
    check_tags,
    decode_text,
    short,
    suggest,
    type_name,
)
from studyapp.core.options import DEFAULTS as OPTION_DEFAULTS
from studyapp.core.options import option_problems

__all__ = [
    "DECK_SUFFIXES",
    "TABLE_SUFFIXES",
    "dump_deck",
    "load_deck_file",
    "parse_deck",
    "validate_file",
    "write_deck_file",
]

DECK_SUFFIXES = (".toml",)
TABLE_SUFFIXES = (".csv", ".tsv", ".txt")

TOP_KEYS = ("format", "deck", "notes")
DECK_TEXT_KEYS = ("title", "author", "license", "description", "code_set", "code_set_year")
DECK_KEYS = ("id", "name", "version", *DECK_TEXT_KEYS, "sources", "tags", "changelog", "options")
CHANGELOG_KEYS = ("version", "date", "changes")
UUID_RE = re.compile(
    r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$"
)
VERSION_RE = re.compile(r"^[0-9]+(?:\.[0-9]+)*$")
DATE_RE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
LINE_WIDTH = 100


# --------------------------------------------------------------------------------------------
# Where things are in the text. The TOML parser gives no positions for values, so a light scan
# of the lines finds each table header and the first line of each key (skipping multi-line
# strings). Table headers are found at once (each note's line is part of what is read); the
# lines of a table's keys are only needed for messages, so they are scanned for the first time
# one of them is asked for, and only in that table's lines.

# (first line number, start, end): lines text[start:end] under one header, numbered from first.
_Region = tuple[int, int, int]


class _Table:
    __slots__ = ("text", "line", "regions", "_keys")

    def __init__(self, text: str, line: int) -> None:
        self.text = text
        self.line = line
        self.regions: list[_Region] = []  # in file order; a table can be declared twice
        self._keys: dict[str, int] | None = None

    @property
    def keys(self) -> dict[str, int]:
        """Each key's first line (a key given twice keeps the first)."""
        if self._keys is None:
            self._keys = {}
            for region in self.regions:
                _scan_region(self.text, region, self._keys)
        return self._keys


class _Layout:
    def __init__(self, text: str) -> None:
        self.text = text
        self.tables: dict[tuple[str, int], _Table] = {("", 0): _Table(text, 1)}
        self.counts: dict[str, int] = {}
        self._find_tables()

    def line(self, table: str, index: int = 0, key: str | None = None) -> int | None:
        found = self.tables.get((table, index))
        if found is None:
            return None
        if key is not None and key in found.keys:
            return found.keys[key]
        return found.line

    def _find_tables(self) -> None:
        """Find every header the way a line-by-line scan would, but look only at the lines
        that can be a header or can open or close a multi-line string: the others (nearly
        all) change nothing."""
        text = self.text
        current = self.tables[("", 0)]
        open_ml: str | None = None
        region_first, region_start = 1, 0
        number, line_start, seen = 1, 0, -1
        headers: dict[str, tuple[str, bool] | None] = {}  # line -> (name, [[array]]) or None
        for position in _candidate_positions(text):
            start = text.rfind("\n", 0, position) + 1
            if start == seen:
                continue  # a line already looked at
            seen = start
            number += text.count("\n", line_start, start)
            line_start = start
            end = text.find("\n", start)
            end = len(text) if end < 0 else end
            line = text[start:end]
            begin = 0
            if open_ml is None:
                if line not in headers:  # most header lines are the same few texts
                    header = _HEADER_RE.match(line)
                    headers[line] = (
                        (_HEADER_NAME_JUNK_RE.sub("", header.group(2)), header.group(1) == "[[")
                        if header
                        else None
                    )
                parsed = headers[line]
                if parsed:
                    if number > region_first:  # lines since the last header
                        current.regions.append((region_first, region_start, start - 1))
                    name, is_array = parsed
                    index = 0
                    if is_array:
                        index = self.counts.get(name, 0)
                        self.counts[name] = index + 1
                    current = self.tables.setdefault((name, index), _Table(text, number))
                    region_first, region_start = number + 1, end + 1
                    continue
                key = _KEY_RE.match(line)
                if key:
                    begin = key.end()
            open_ml, _ = _advance(line, begin, open_ml)
        if region_start <= len(text):
            current.regions.append((region_first, region_start, len(text)))


_HEADER_RE = re.compile(r"^\s*(\[\[?)([^\[\]#]*)\]\]?\s*(?:#.*)?$")
_HEADER_NAME_JUNK_RE = re.compile(r"[\s\"']")
_KEY_RE = re.compile(r"""^\s*([A-Za-z0-9_-]+|"(?:[^"\\]|\\.)*"|'[^']*')\s*[=.]""")


def _find_close(line: str, i: int, delim: str) -> int:
    """Index just after the closing `delim` from position i, or -1 if not on this line."""
    basic = delim[0] == '"'
    while True:
        # str.find, not a character loop: large deck files spend most of the scan here
        j = line.find(delim, i)
        if basic:
            backslash = line.find("\\", i)
            if backslash >= 0 and (j < 0 or backslash < j):
                i = backslash + 2  # skip the escaped character
                continue
        if j < 0:
            return -1
        end = j + len(delim)
        while len(delim) == 3 and end < len(line) and line[end] == delim[0] and end - j < 5:
            end += 1
        return end


_STRING_OR_COMMENT_RE = re.compile("[#\"']")
_HEADER_START_RE = re.compile(r"\n(?=[^\S\n]*\[)")


def _candidate_positions(text: str) -> list[int]:
    """Positions in every line that may be a header or may open or close a multi-line string
    (and 0, for the first line): the only lines whose look can change the layout."""
    found = [0, *(m.end() for m in _HEADER_START_RE.finditer(text))]
    for quotes in ('"""', "'''"):  # str.find: much faster than a regex over every quote
        at = text.find(quotes)
        while at >= 0:
            found.append(at)
            at = text.find(quotes, at + 3)
    return sorted(found)


def _advance(line: str, i: int, open_ml: str | None) -> tuple[str | None, bool]:
    """Scan a line's strings: (the multi-line string still open at its end, unclosed string)."""
    while i < len(line):
        if open_ml:
            end = _find_close(line, i, open_ml)
            if end < 0:
                return open_ml, False
            i, open_ml = end, None
            continue
        found = _STRING_OR_COMMENT_RE.search(line, i)  # other characters need no look
        if found is None:
            break
        i = found.start()
        ch = line[i]
        if ch == "#":
            break
        if line.startswith('"""', i) or line.startswith("'''", i):
            open_ml = line[i : i + 3]
            i += 3
        elif ch in "\"'":
            end = _find_close(line, i + 1, ch)
            if end < 0:
                return None, True
            i = end
        else:
            i += 1
    return open_ml, False


def _scan_region(
    text: str, region: _Region, keys: dict[str, int]
) -> tuple[tuple[int, str] | None, int | None]:
    """Record the keys in one header's lines; returns (the first key given twice, the line of
    the first string never closed). Such lines hold no header, and start outside strings."""
    first, start, end = region
    duplicate: tuple[int, str] | None = None
    unterminated: int | None = None
    open_ml: str | None = None
    ml_start = 0
    for number, line in enumerate(text[start:end].split("\n"), start=first):
        begin = 0
        if open_ml is None:
            key = _KEY_RE.match(line)
            if key:
                name = key.group(1).strip("\"'")
                if name in keys:
                    duplicate = duplicate or (number, name)
                else:
                    keys[name] = number
                begin = key.end()
        was_open = open_ml
        open_ml, unclosed = _advance(line, begin, open_ml)
        if unclosed and unterminated is None:
            unterminated = number
        if open_ml and not was_open:
            ml_start = number
    if open_ml and unterminated is None:
        unterminated = ml_start
    return duplicate, unterminated


def _first_problems(layout: _Layout) -> tuple[tuple[int, str] | None, int | None]:
    """(the first key given twice in one table, the line of the first string never closed)."""
    duplicate: tuple[int, str] | None = None
    unterminated: int | None = None
    keys: dict[int, dict[str, int]] = {}  # per table, filled in file order
    regions = sorted(
        (region, id(table)) for table in layout.tables.values() for region in table.regions
    )
    for region, table_id in regions:
        found, unclosed = _scan_region(layout.text, region, keys.setdefault(table_id, {}))
        duplicate = duplicate or found
        unterminated = unterminated or unclosed
    return duplicate, unterminated


# --------------------------------------------------------------------------------------------
# Reading


_SYNTAX_RE = re.compile(
    r"^(.*?)\s*\((?:at line (\d+), column (\d+)|at end of document)\)\s*$", re.DOTALL
)
_SYNTAX_HINTS = (
    (
        "Invalid value",
        'Text must be in double quotes (codes too: "00100", "E11.9"), lists in [ ],'
        " and true/false in lower case.",
    ),
    (
        "Expected newline or end of document",
        "Something follows a value on the same line: put each key = value on its own line,"
        ' check the quotes, and quote codes ("00100", not 00100).',
    ),
    (
        "Unterminated string",
        'A quoted text is not closed: add the closing quote (use triple quotes """ for text over'
        " several lines).",
    ),
    (
        "Illegal character",
        "A quoted text is not closed on this line, or holds a control character: close the"
        ' quote (use triple quotes """ for text over several lines).',
    ),
    ("Cannot overwrite a value", "A key is given twice in the same table: keep only one."),
    (
        "Cannot declare",
        "A table is declared twice: merge them, and start each note with [[notes]] (double brackets).",
    ),
    (
        "Unescaped '\\'",
        "Write a backslash as \\\\ inside double quotes, or use single quotes for literal text.",
    ),
    ("Invalid statement", "Each line must be key = value, a [table] header, or a # comment."),
    ("Invalid initial character for a key", "Keys are plain words such as front or back."),
)


def _syntax_problem(exc: tomli.TOMLDecodeError, text: str, filename: str) -> Problem:
    message = str(exc)
    match = _SYNTAX_RE.match(message)
    line = column = None
    if match:
        message = match.group(1)
        if match.group(2):
            line, column = int(match.group(2)), int(match.group(3))
    if line is None:
        duplicate_key, unterminated = _first_problems(_Layout(text))
        if message.startswith("Cannot overwrite") and duplicate_key:
            line, key = duplicate_key
            message += f' (key "{key}" is given twice)'
        elif message.startswith("Unterminated string") and unterminated:
            line = unterminated
    hint = next(
        (h for start, h in _SYNTAX_HINTS if message.startswith(start)),
        "Check the TOML syntax here.",
    )
    return Problem(filename, f"TOML syntax error: {message}. {hint}", line=line, column=column)


def parse_deck(data: bytes, filename: str) -> DeckSpec:
    """Read a deck file. Raises InvalidFile listing every problem; nothing else for bad input."""
    text = decode_text(data, filename)
    try:
        doc = tomli.loads(text)
    except tomli.TOMLDecodeError as exc:
        raise InvalidFile([_syntax_problem(exc, text, filename)]) from None
    except RecursionError:
        raise InvalidFile(
            [
                Problem(
                    filename,
                    "the file nests brackets too deeply to read; a deck file never needs more than two levels.",
                )
            ]
        ) from None
    except ValueError as exc:  # e.g. an integer with thousands of digits
        raise InvalidFile(
            [Problem(filename, f"a value cannot be read ({str(exc).split(';')[0]}).")]
        ) from None
    try:
        return _Reader(filename, _Layout(text)).read(doc)
    except RecursionError:
        raise InvalidFile(
            [Problem(filename, "the file nests lists or tables too deeply to read; simplify it.")]
        ) from None


class _Reader:
    def __init__(self, filename: str, layout: _Layout) -> None:
        self.filename = filename
        self.layout = layout
        self.problems: list[Problem] = []

    def add(self, message: str, line: int | None = None, note_id: str | None = None) -> None:
        self.problems.append(Problem(self.filename, message, line=line, note_id=note_id))

    def read(self, doc: dict[str, object]) -> DeckSpec:
        for key in doc:
            if key not in TOP_KEYS:
                self.add(
                    f'unknown key "{key}" at the top of the file.{suggest(key, TOP_KEYS)} The top'
                    " level holds only format = 1, the [deck] table and [[notes]] tables.",
                    self.layout.line("", 0, key)
                    if key in self.layout.tables[("", 0)].keys
                    else self.layout.line(key),
                )
        self._format(doc.get("format"))
        spec = self._deck(doc.get("deck"))
        notes = self._notes(doc.get("notes"))
        if self.problems or spec is None:
            raise InvalidFile(sorted(self.problems, key=lambda p: p.line or 0))
        spec.notes = notes
        return spec

    def _format(self, value: object) -> None:
        line = self.layout.line("", 0, "format")
        if value is None:
            self.add(f"the file has no format line; add format = {FORMAT_VERSION} at the top.", 1)
        elif isinstance(value, int) and not isinstance(value, bool) and value > FORMAT_VERSION:
            self.add(
                f"this file uses deck format {value}, but this version of the app reads format"
                f" {FORMAT_VERSION}. Update Coding Study Companion to open it.",
                line,
            )
        elif value != FORMAT_VERSION or isinstance(value, bool):
            self.add(
                f"format must be {FORMAT_VERSION} (a number, no quotes), not {short(value)}.", line
            )

    # -- [deck] ---------------------------------------------------------------------------

    def _deck(self, deck: object) -> DeckSpec | None:
        if deck is None:
            self.add(
                "the file has no [deck] table; add one with id, name and version"
                " (see example-deck.toml).",
                1,
            )
            return None
        if not isinstance(deck, dict):
            self.add(
                "deck must be a table: write [deck] on its own line, then its keys.",
                self.layout.line("", 0, "deck"),
            )
            return None

        def line(key: str | None = None) -> int | None:
            return self.layout.line("deck", 0, key)

        for key in deck:
            if key not in DECK_KEYS:
                self.add(
                    f'unknown key "{key}" in [deck].{suggest(key, DECK_KEYS)} Known keys: {", ".join(DECK_KEYS)}.',
                    line(key),
                )
        for key in ("id", "name", "version"):
            if key not in deck:
                example = {
                    "id": '"<a UUID, made once>"',
                    "name": '"ICD-10-CM::Chapters"',
                    "version": '"1.0.0"',
                }[key]
                self.add(f'[deck] has no "{key}"; add {key} = {example}.', line())
        deck_id = self._uuid(deck.get("id"), line("id")) if "id" in deck else None
        name = None
        if "name" in deck:
            name = check_deck_path(
                deck["name"], "the deck name", "name", lambda m, k: self.add(m, line(k))
            )
        version = (
            self._version(deck["version"], line("version"), "[deck] version")
            if "version" in deck
            else None
        )
        texts = {}
        for key in DECK_TEXT_KEYS:
            if key in deck:
                texts[key] = self._text(deck[key], key, line(key)) or ""
        sources = (
            self._text_list(deck["sources"], "sources", line("sources"))
            if "sources" in deck
            else []
        )
        tags = check_tags(deck.get("tags", []), "tags", lambda m, k: self.add(m, line(k))) or []
        changelog = self._changelog(deck.get("changelog", []))
        options = self._options(deck.get("options", {}))
        if deck_id is None or name is None or version is None:
            return None
        return DeckSpec(
            id=deck_id,
            name=name,
            version=version,
            sources=sources or [],
            tags=tags,
            changelog=changelog,
            options=options,
            **texts,
        )

    def _uuid(self, value: object, line: int | None) -> str | None:
        if not isinstance(value, str) or not UUID_RE.fullmatch(value):
            self.add(
                f"[deck] id {short(value)} is not a UUID such as"
                ' "0c7b1f4e-6f1a-4c39-9a55-2d8e8f0f1d11". Make one once (for example with'
                ' python -c "import uuid; print(uuid.uuid4())") and never change it.',
                line,
            )
            return None
        return value.lower()

    def _version(self, value: object, line: int | None, what: str) -> str | None:
        if not isinstance(value, str):
            self.add(
                f'{what} must be text in quotes such as "1.2.0", not {type_name(value)}.', line
            )
            return None
        if not VERSION_RE.fullmatch(value.strip()):
            self.add(f'{what} {short(value)} is not dotted numbers such as "1.2.0".', line)
            return None
        return value.strip()

    def _text(self, value: object, key: str, line: int | None) -> str | None:
        if not isinstance(value, str):
            self.add(f'"{key}" must be text in quotes, not {type_name(value)}.', line)
            return None
        if len(value) > MAX_FIELD_CHARS:
            self.add(f'"{key}" is longer than {MAX_FIELD_CHARS:,} characters; shorten it.', line)
            return None
        return value

    def _text_list(self, value: object, key: str, line: int | None) -> list[str] | None:
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            self.add(f'"{key}" must be a list of texts such as ["first", "second"].', line)
            return None
        if any(len(v) > MAX_FIELD_CHARS for v in value):
            self.add(
                f'an entry of "{key}" is longer than {MAX_FIELD_CHARS:,} characters; shorten it.',
                line,
            )
            return None
        return list(value)

    def _changelog(self, value: object) -> list[ChangelogEntry]:
        if not isinstance(value, list) or not all(isinstance(v, dict) for v in value):
            self.add(
                "the changelog must be [[deck.changelog]] tables, each with version, date and changes.",
                self.layout.line("deck", 0, "changelog"),
            )
            return []
        entries = []
        for index, raw in enumerate(value):

            def line(key: str | None = None, index: int = index) -> int | None:
                return self.layout.line("deck.changelog", index, key) or self.layout.line(
                    "deck", 0, "changelog"
                )

            for key in raw:
                if key not in CHANGELOG_KEYS:
                    self.add(
                        f'unknown key "{key}" in a changelog entry.{suggest(key, CHANGELOG_KEYS)} Known keys: version, date, changes.',
                        line(key),
                    )
            for key in ("version", "changes"):
                if key not in raw:
                    self.add(f'a changelog entry has no "{key}"; add it.', line())
            version = (
                self._version(raw["version"], line("version"), "changelog version")
                if "version" in raw
                else None
            )
            changes = (
                self._text(raw["changes"], "changes", line("changes")) if "changes" in raw else None
            )
            when = self._date(raw.get("date", ""), line("date"))
            if version is not None and changes is not None and when is not None:
                entries.append(ChangelogEntry(version=version, changes=changes, date=when))
        return entries

    def _date(self, value: object, line: int | None) -> str | None:
        if isinstance(value, date) and not hasattr(value, "hour"):
            return value.isoformat()
        if isinstance(value, str) and (value == "" or DATE_RE.fullmatch(value)):
            try:
                if value:
                    date.fromisoformat(value)
                return value
            except ValueError:
                pass
        self.add(f'changelog date {short(value)} is not a date such as "2026-11-26".', line)
        return None

    def _options(self, value: object) -> dict[str, object]:
        line = self.layout.line("deck.options") or self.layout.line("deck", 0, "options")
        if not isinstance(value, dict):
            self.add(
                "options must be a table: write [deck.options] on its own line, then its keys.",
                line,
            )
            return {}
        ok = True
        for key, option in value.items():
            for message in option_problems({key: option}):
                ok = False
                if len(message) > 300:
                    message = message[:297] + "..."
                self.add(
                    f"in [deck.options]: {message}.",
                    self.layout.line("deck.options", 0, key) or line,
                )
        return dict(value) if ok else {}

    # -- [[notes]] ------------------------------------------------------------------------

    def _notes(self, value: object) -> list[NoteSpec]:
        if value is None:
            self.add("the file has no notes; add at least one [[notes]] table.", None)
            return []
        if isinstance(value, dict):
            self.add(
                "notes must be written [[notes]] with double brackets, once before each note.",
                self.layout.line("notes"),
            )
            return []
        if not isinstance(value, list) or not all(isinstance(v, dict) for v in value):
            self.add(
                "notes must be [[notes]] tables, each holding one note's keys.",
                self.layout.line("", 0, "notes"),
            )
            return []
        if not value:
            self.add("the file has no notes; add at least one [[notes]] table.", None)
            return []
        if len(value) > MAX_NOTES:
            self.add(
                f"the file has {len(value):,} notes; the limit is {MAX_NOTES:,}. Split it into smaller decks."
            )
            return []
        positions_known = self.layout.counts.get("notes", 0) == len(value)
        notes: list[NoteSpec] = []
        first_line: dict[str, int | None] = {}
        for index, raw in enumerate(value):
            note_line = self.layout.line("notes", index) if positions_known else None
            raw_id = raw.get("id")
            shown_id = raw_id if isinstance(raw_id, str) and len(raw_id) <= 200 else None

            def report(
                message: str, key: str | None, index: int = index, shown_id: str | None = shown_id
            ) -> None:
                line = self.layout.line("notes", index, key) if positions_known else None
                self.add(message, line, shown_id)

            note = check_note(raw, report, line=note_line)
            if note is None:
                continue
            if note.id in first_line:
                earlier = first_line[note.id]
                where = f" (first at line {earlier})" if earlier else ""
                self.add(
                    f'note id "{note.id}" is used twice{where}; every note needs its own id.',
                    self.layout.line("notes", index, "id") if positions_known else None,
                    note.id,
                )
                continue
            first_line[note.id] = note_line
            notes.append(note)
        return notes


# --------------------------------------------------------------------------------------------
# Files


def load_deck_file(path: str | Path) -> DeckSpec:
    """Read a .toml deck file or a .csv/.tsv/.txt spreadsheet; InvalidFile on any problem."""
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix not in DECK_SUFFIXES + TABLE_SUFFIXES:
        raise InvalidFile(
            [
                Problem(
                    str(path),
                    f"unknown file type {suffix or '(none)'}; use a .toml deck file or a .csv/.tsv table.",
                )
            ]
        )
    try:
        size = path.stat().st_size
        if size > MAX_FILE_BYTES:
            raise InvalidFile(
                [
                    Problem(
                        str(path),
                        f"the file is {size / (1024 * 1024):.1f} MB; the limit is"
                        f" {MAX_FILE_BYTES // (1024 * 1024)} MB. Split it into smaller decks.",
                    )
                ]
            )
        data = path.read_bytes()
    except OSError as exc:
        raise InvalidFile(
            [Problem(str(path), f"cannot read the file: {exc.strerror or exc}.")]
        ) from None
    if suffix in DECK_SUFFIXES:
        return parse_deck(data, str(path))
    from studyapp.core.csvfile import parse_table

    return parse_table(data, str(path))


def validate_file(path: str | Path) -> list[Problem]:
    """Every problem with a deck file or spreadsheet; an empty list when it is fine."""
    try:
        load_deck_file(path)
    except InvalidFile as exc:
        return list(exc.problems)
    return []


def write_deck_file(spec: DeckSpec, path: str | Path) -> None:
    """Write the canonical file: a temporary file in the same folder, then an atomic rename."""
    path = Path(path)
    data = dump_deck(spec).encode("utf-8")
    handle, temp_name = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        os.fchmod(handle, 0o644)  # mkstemp makes 0600; a shared deck file should be readable
        with os.fdopen(handle, "wb") as out:
            out.write(data)
            out.flush()
            os.fsync(out.fileno())
        os.replace(temp_name, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temp_name)
        raise


# --------------------------------------------------------------------------------------------
# Writing


def _escape(ch: str) -> str:
    return {
        "\\": "\\\\",
        '"': '\\"',
        "\b": "\\b",
        "\t": "\\t",
        "\n": "\\n",
        "\f": "\\f",
        "\r": "\\r",
    }.get(ch) or f"\\u{ord(ch):04X}"


_NEEDS_ESCAPE_RE = re.compile(r'[\\"\x00-\x08\x0a-\x1f\x7f]')
_ML_ESCAPE_RE = re.compile(r'\\|"(?=")|"\Z|[\x00-\x08\x0b-\x1f\x7f]')


def _string(text: str) -> str:
    """A TOML string: basic on one line, or multi-line basic when it holds line breaks."""
    if "\n" in text:
        body = _ML_ESCAPE_RE.sub(lambda m: _escape(m.group(0)), text)
        return f'"""\n{body}"""'
    return '"' + _NEEDS_ESCAPE_RE.sub(lambda m: _escape(m.group(0)), text) + '"'


def _inline(value: object) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if math.isnan(value):
            return "nan"
        if math.isinf(value):
            return "inf" if value > 0 else "-inf"
        return repr(value)
    if isinstance(value, str):
        return '"' + _NEEDS_ESCAPE_RE.sub(lambda m: _escape(m.group(0)), value) + '"'
    if isinstance(value, list | tuple):
        return "[" + ", ".join(_inline(v) for v in value) + "]"
    if isinstance(value, dict):
        return "{" + ", ".join(f"{_key(k)} = {_inline(v)}" for k, v in value.items()) + "}"
    if isinstance(value, date):
        return value.isoformat()
    raise TypeError(f"cannot write {type(value).__name__} to a deck file")


def _key(name: str) -> str:
    return name if re.fullmatch(r"[A-Za-z0-9_-]+", name) else _inline(name)


def _assign(name: str, value: object) -> str:
    """One `key = value` (lines joined), lists spread over lines when they are long."""
    if isinstance(value, str):
        return f"{_key(name)} = {_string(value)}"
    if isinstance(value, list | tuple):
        one_line = f"{_key(name)} = {_inline(value)}"
        if len(one_line) <= LINE_WIDTH or len(value) < 2:
            return one_line
        items = "".join(f"    {_inline(v)},\n" for v in value)
        return f"{_key(name)} = [\n{items}]"
    return f"{_key(name)} = {_inline(value)}"


def _note_key_order(note: NoteSpec) -> list[str]:
    known = (
        [*KIND_FIELDS[note.kind][0], *KIND_FIELDS[note.kind][1], *COMMON_OPTIONAL_FIELDS]
        if note.kind in KIND_FIELDS
        else []
    )
    return [k for k in known if k in note.fields] + sorted(k for k in note.fields if k not in known)


def dump_deck(spec: DeckSpec) -> str:
    """The canonical text of a deck file: same spec, same text, key for key."""
    out = [f"format = {FORMAT_VERSION}", "", "[deck]"]
    out.append(_assign("id", spec.id))
    out.append(_assign("name", spec.name))
    out.append(_assign("version", spec.version))
    for key in DECK_TEXT_KEYS:
        if getattr(spec, key):
            out.append(_assign(key, getattr(spec, key)))
    if spec.sources:
        out.append(_assign("sources", spec.sources))
    if spec.tags:
        out.append(_assign("tags", spec.tags))
    for entry in spec.changelog:
        out += ["", "[[deck.changelog]]", _assign("version", entry.version)]
        if entry.date:
            out.append(_assign("date", entry.date))
        out.append(_assign("changes", entry.changes))
    if spec.options:
        out += ["", "[deck.options]"]
        known = [k for k in OPTION_DEFAULTS if k in spec.options]
        for key in known + sorted(k for k in spec.options if k not in OPTION_DEFAULTS):
            out.append(_assign(key, spec.options[key]))
    for note in spec.notes:
        out += ["", "[[notes]]", _assign("id", note.id), _assign("kind", note.kind)]
        if note.deck:
            out.append(_assign("deck", note.deck))
        if note.tags:
            out.append(_assign("tags", note.tags))
        for key in _note_key_order(note):
            out.append(_assign(key, note.fields[key]))
    return "\n".join(out) + "\n"
