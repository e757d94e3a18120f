"""Checks shared by the deck-file and spreadsheet readers: one note, names, tags, limits.

Every check reports through a callback instead of raising, so a reader can collect every
problem in a file before giving up. Field text is cleaned with `clean_html` here, the one
place where outside text becomes a field.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Callable, Iterable, Mapping
from datetime import date, datetime, time

from studyapp.core.errors import InvalidFile, Problem
from studyapp.core.model import (
    COMMON_OPTIONAL_FIELDS,
    INT_FIELDS,
    KIND_FIELDS,
    KINDS,
    LIST_FIELDS,
    FieldValue,
    NoteSpec,
    allowed_fields,
    cloze_numbers,
)
from studyapp.core.sanitise import clean_html

MAX_FILE_BYTES = 20 * 1024 * 1024
MAX_NOTES = 50_000
MAX_FIELD_CHARS = 20_000
MAX_ID_CHARS = 200
MAX_TAG_CHARS = 100
MAX_NAME_CHARS = 500
MAX_CLOZE_NUMBER = 500
MIN_OPTIONS, MAX_OPTIONS = 3, 5

ID_RE = re.compile(r"^[A-Za-z0-9_.:-]+$")
NOTE_META_KEYS = ("id", "kind", "deck", "tags")
ALL_FIELD_NAMES = tuple(
    dict.fromkeys(
        [name for req, opt in KIND_FIELDS.values() for name in req + opt]
        + list(COMMON_OPTIONAL_FIELDS)
    )
)

# Worked out once, not for every note: each kind's fields, and every key its notes may have.
_ALLOWED = {kind: allowed_fields(kind) for kind in KIND_FIELDS}
_KNOWN_KEYS = {kind: frozenset((*NOTE_META_KEYS, *fields)) for kind, fields in _ALLOWED.items()}
_ANY_NOTE_KEY = frozenset((*NOTE_META_KEYS, *ALL_FIELD_NAMES))

# report(message, key): key names the offending key/column (None: the note as a whole).
Report = Callable[[str, str | None], None]


def decode_text(data: bytes, filename: str) -> str:
    """The file's text: UTF-8 with or without a byte-order mark; InvalidFile otherwise."""
    if len(data) > MAX_FILE_BYTES:
        raise InvalidFile(
            [
                Problem(
                    filename,
                    f"the file is {len(data) / (1024 * 1024):.1f} MB; the limit is"
                    f" {MAX_FILE_BYTES // (1024 * 1024)} MB. Split it into smaller decks.",
                )
            ]
        )
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise InvalidFile(
            [
                Problem(
                    filename,
                    "the file is saved as UTF-16 text; save it as UTF-8 instead"
                    ' (in Excel: "CSV UTF-8"; in a text editor: encoding UTF-8).',
                )
            ]
        )
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line_start = data.rfind(b"\n", 0, exc.start) + 1
        column = len(data[line_start : exc.start].decode("utf-8", "replace")) + 1
        raise InvalidFile(
            [
                Problem(
                    filename,
                    f"the file is not UTF-8 text: byte 0x{data[exc.start]:02X} cannot be read."
                    ' Save the file as UTF-8 (in Excel: "CSV UTF-8") and try again.',
                    line=data.count(b"\n", 0, exc.start) + 1,
                    column=column,
                )
            ]
        ) from None


def type_name(value: object) -> str:
    """A value's type in words a deck author knows."""
    if isinstance(value, bool):
        return "true/false"
    if isinstance(value, int):
        return "a whole number"
    if isinstance(value, float):
        return "a number"
    if isinstance(value, str):
        return "text"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "a table"
    if isinstance(value, datetime | date | time):
        return "a date or time"
    return type(value).__name__


def suggest(word: str, choices: Iterable[str]) -> str:
    """' Did you mean "x"?' or ''."""
    close = difflib.get_close_matches(word, list(choices), n=1, cutoff=0.7)
    return f' Did you mean "{close[0]}"?' if close else ""


def short(value: object, limit: int = 60) -> str:
    """A value quoted for a message, cut short so a huge value cannot flood the output."""
    text = repr(value) if not isinstance(value, str) else f'"{value}"'
    return text if len(text) <= limit else text[: limit - 3] + "..."


def is_int(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def normalise_deck_path(value: str) -> str | None:
    """`A :: B` -> `A::B`; None when a part is empty (e.g. `A::::B` or `A::`)."""
    if "::" not in value:  # one part: the commonest case, without building lists
        return value.strip() or None
    parts = [p.strip() for p in value.split("::")]
    if any(not p for p in parts):
        return None
    return "::".join(parts)


def check_deck_path(value: object, what: str, key: str, report: Report) -> str | None:
    """A deck name or subdeck path; `what` says which ("the deck name", "the subdeck")."""
    if not isinstance(value, str):
        report(f'{what} ("{key}") must be text in quotes, not {type_name(value)}.', key)
        return None
    if len(value) > MAX_NAME_CHARS:
        report(f"{what} is longer than {MAX_NAME_CHARS} characters; shorten it.", key)
        return None
    name = normalise_deck_path(value)
    if name is None:
        report(
            f'{what} {short(value)} has an empty part; write names such as "Chapters::Neoplasms",'
            ' with text on both sides of every "::".',
            key,
        )
    return name


def check_tags(value: object, key: str, report: Report) -> list[str] | None:
    if not isinstance(value, list):
        report(
            f'"{key}" must be a list of tags such as ["icd-10-cm", "chapter-2"], not {type_name(value)}.',
            key,
        )
        return None
    tags: list[str] = []
    ok = True
    for tag in value:
        if not isinstance(tag, str):
            report(
                f'every tag in "{key}" must be text in quotes; {short(tag)} is {type_name(tag)}.',
                key,
            )
            ok = False
        elif not tag or " " in tag or not tag.isprintable():  # other spaces are unprintable
            report(
                f"tag {short(tag)} is empty or contains a space; tags are single words, so join"
                ' words with "-" or "_" (e.g. "excludes-1").',
                key,
            )
            ok = False
        elif len(tag) > MAX_TAG_CHARS:
            report(f"tag {short(tag)} is longer than {MAX_TAG_CHARS} characters; shorten it.", key)
            ok = False
        else:
            tags.append(tag)
    return tags if ok else None


def check_note_id(value: object, report: Report) -> str | None:
    if value is None:
        report(
            'the note has no "id"; give it a short stable name unique in the file, such as'
            ' id = "e11-9". Never change it later: progress follows the id.',
            "id",
        )
        return None
    if not isinstance(value, str):
        report(f'"id" must be text in quotes, not {type_name(value)}; write id = "{value}".', "id")
        return None
    if not value or len(value) > MAX_ID_CHARS or not ID_RE.fullmatch(value):
        report(
            f"note id {short(value)} is not allowed; use 1 to {MAX_ID_CHARS} letters, digits and"
            " the characters - _ . : (no spaces).",
            "id",
        )
        return None
    return value


def _check_text(name: str, value: object, report: Report) -> str | None:
    if not isinstance(value, str):
        hint = f' (write {name} = "{value}")' if is_int(value) or isinstance(value, float) else ""
        report(f'"{name}" must be text in quotes, not {type_name(value)}{hint}.', name)
        return None
    if len(value) > MAX_FIELD_CHARS:
        report(
            f'"{name}" is {len(value):,} characters long; the limit for one field is'
            f" {MAX_FIELD_CHARS:,}. Shorten it or split the note.",
            name,
        )
        return None
    return clean_html(value)


def _check_list(name: str, value: object, report: Report) -> list[str] | None:
    if not isinstance(value, list):
        report(
            f'"{name}" must be a list of texts such as ["first", "second"], not {type_name(value)}.',
            name,
        )
        return None
    out: list[str] = []
    for i, item in enumerate(value, start=1):
        text = _check_text(f"{name}[{i}]", item, lambda m, _k: report(m, name))
        if text is None:
            return None
        out.append(text)
    return out


def _check_field(name: str, value: object, report: Report) -> FieldValue | None:
    if name in LIST_FIELDS:
        return _check_list(name, value, report)
    if name in INT_FIELDS:
        if not is_int(value):
            report(f'"{name}" must be a whole number such as 2, not {type_name(value)}.', name)
            return None
        return value  # type: ignore[return-value]
    return _check_text(name, value, report)


def _check_kind_rules(kind: str, fields: dict[str, FieldValue], report: Report) -> None:
    required, _ = KIND_FIELDS[kind]
    for name in required:
        value = fields.get(name)
        if isinstance(value, str) and not value.strip():
            report(f'"{name}" is empty; a {kind} note needs text there.', name)
    if kind == "choice":
        options = fields.get("options")
        if isinstance(options, list):
            if not MIN_OPTIONS <= len(options) <= MAX_OPTIONS:
                report(
                    f'a choice note needs {MIN_OPTIONS} to {MAX_OPTIONS} "options"; this one has'
                    f" {len(options)}.",
                    "options",
                )
            for i, option in enumerate(options, start=1):
                if not option.strip():
                    report(f"option {i} is empty; every option needs text.", "options")
            correct = fields.get("correct")
            if is_int(correct) and not 1 <= correct <= len(options):  # type: ignore[operator]
                report(
                    f'"correct" is {correct}, but it must be the number of the right option, from'
                    f" 1 to {len(options)}.",
                    "correct",
                )
    elif kind == "cloze":
        text = fields.get("text")
        if isinstance(text, str) and text.strip():
            numbers = cloze_numbers(text)
            if not numbers:
                report(
                    'a cloze note\'s "text" has no deletion; mark the hidden part as'
                    " {{c1::hidden text}} (or {{c1::hidden text::hint}}).",
                    "text",
                )
            elif numbers[0] < 1 or numbers[-1] > MAX_CLOZE_NUMBER:
                report(
                    f"cloze deletions are numbered c1 to c{MAX_CLOZE_NUMBER}; this text uses"
                    f" c{numbers[0] if numbers[0] < 1 else numbers[-1]}.",
                    "text",
                )


def check_note(
    raw: Mapping[str, object], report: Report, *, line: int | None = None
) -> NoteSpec | None:
    """One note from a file as a NoteSpec, or None after reporting what is wrong with it.

    `raw` holds the note's keys as read (id, kind, deck, tags and the fields), with values of
    the types a deck file gives: text, whole numbers and lists of text.
    """
    ok = True

    def bad(message: str, key: str | None) -> None:
        nonlocal ok
        ok = False
        report(message, key)

    note_id = check_note_id(raw.get("id"), bad)
    kind_value = raw.get("kind")
    kind: str | None = None
    if kind_value is None:
        bad(f'the note has no "kind"; add kind = "basic" (or one of: {", ".join(KINDS)}).', "kind")
    elif not isinstance(kind_value, str) or kind_value not in KIND_FIELDS:
        bad(
            f"kind {short(kind_value)} is not known; use one of: {', '.join(KINDS)}."
            + (suggest(kind_value, KINDS) if isinstance(kind_value, str) else ""),
            "kind",
        )
    else:
        kind = kind_value

    allowed = _ALLOWED[kind] if kind else ALL_FIELD_NAMES
    known = _KNOWN_KEYS[kind] if kind else _ANY_NOTE_KEY
    for key in raw:
        if key in known:
            continue
        if key in ALL_FIELD_NAMES:
            users = [k for k in KINDS if key in allowed_fields(k)]
            bad(
                f'"{key}" is not used by {kind} notes (it belongs to {", ".join(users)} notes);'
                f" remove it or change the kind. A {kind} note has: {', '.join(allowed_fields(kind))}.",  # type: ignore[arg-type]
                key,
            )
        else:
            bad(
                f'unknown key "{key}" in a note.{suggest(key, (*NOTE_META_KEYS, *allowed))}'
                f" A note has: {', '.join((*NOTE_META_KEYS, *allowed))}.",
                key,
            )

    fields: dict[str, FieldValue] = {}
    if kind:
        required, _ = KIND_FIELDS[kind]
        for name in required:
            if name not in raw:
                bad(f'a {kind} note needs "{name}"; add it.', None)
        for name in allowed:
            if name in raw:
                value = _check_field(name, raw[name], bad)
                if value is None:
                    ok = False
                else:
                    fields[name] = value
        _check_kind_rules(kind, fields, bad)

    deck = ""
    if "deck" in raw:
        deck = check_deck_path(raw["deck"], "the subdeck", "deck", bad) or ""
    tags: list[str] = []
    if "tags" in raw:
        tags = check_tags(raw["tags"], "tags", bad) or []

    if not ok or note_id is None or kind is None:
        return None
    return NoteSpec(id=note_id, kind=kind, fields=fields, tags=tags, deck=deck, line=line)
