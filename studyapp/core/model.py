"""The in-memory shape of a deck file: what the parser produces and the writer consumes.

A deck file describes one root deck (possibly with subdecks) and its notes. Every card kind
has a fixed set of fields; `card_ords` says which cards a note gives.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

FieldValue = str | int | list[str]

FORMAT_VERSION = 1

# kind -> (required fields, optional fields). Field values are strings except where noted.
KIND_FIELDS: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    "basic": (("front", "back"), ()),
    "reversible": (("front", "back"), ()),
    "typed": (("front", "answer"), ("accept",)),  # accept: list of alternative answers
    "choice": (("question", "options", "correct"), ("rationale",)),  # options: list; correct: 1-based
    "cloze": (("text",), ("extra",)),
}
COMMON_OPTIONAL_FIELDS = ("explanation", "source")
LIST_FIELDS = frozenset({"accept", "options"})
INT_FIELDS = frozenset({"correct"})
KINDS = tuple(KIND_FIELDS)

CLOZE_RE = re.compile(r"\{\{c(\d+)::(.*?)(?:::(.*?))?\}\}", re.DOTALL)


def allowed_fields(kind: str) -> tuple[str, ...]:
    required, optional = KIND_FIELDS[kind]
    return required + optional + COMMON_OPTIONAL_FIELDS


def cloze_numbers(text: str) -> list[int]:
    """The distinct deletion numbers in a cloze text, ascending."""
    return sorted({int(m.group(1)) for m in CLOZE_RE.finditer(text)})


def card_ords(kind: str, fields: dict[str, FieldValue]) -> list[int]:
    """Which cards a note produces: ord 0/1 = forward/reverse; cloze ord = deletion number - 1."""
    if kind == "reversible":
        return [0, 1]
    if kind == "cloze":
        return [n - 1 for n in cloze_numbers(str(fields.get("text", "")))]
    return [0]


@dataclass
class NoteSpec:
    """One note as written in a deck file."""

    id: str
    kind: str
    fields: dict[str, FieldValue]
    tags: list[str] = field(default_factory=list)
    deck: str = ""  # subdeck path relative to the root deck, "::"-separated; "" = the root
    # Where the note starts in its file, for error messages; not part of the note's content,
    # so two notes that differ only here are equal.
    line: int | None = field(default=None, compare=False)


@dataclass
class ChangelogEntry:
    version: str
    changes: str
    date: str = ""


@dataclass
class DeckSpec:
    """A whole deck file."""

    id: str  # UUID chosen once by the author
    name: str  # root deck name in the collection, may itself contain "::"
    version: str  # dotted integers, e.g. "1.2.0"
    title: str = ""
    author: str = ""
    license: str = ""
    description: str = ""
    code_set: str = ""
    code_set_year: str = ""
    sources: list[str] = field(default_factory=list)
    tags: list[str] = field(default_factory=list)
    changelog: list[ChangelogEntry] = field(default_factory=list)
    options: dict[str, object] = field(default_factory=dict)  # deck options the author suggests
    notes: list[NoteSpec] = field(default_factory=list)
    format: int = FORMAT_VERSION
    is_spreadsheet: bool = False  # from CSV/TSV: no version number, never refused as older

    def deck_names(self) -> list[str]:
        """Full names of the root deck and every subdeck used by a note, parents first."""
        names = {self.name}
        for note in self.notes:
            if note.deck:
                parts = note.deck.split("::")
                for i in range(1, len(parts) + 1):
                    names.add("::".join([self.name, *parts[:i]]))
        return sorted(names, key=lambda n: (n.count("::"), n))

    def full_deck_name(self, note: NoteSpec) -> str:
        return f"{self.name}::{note.deck}" if note.deck else self.name


def version_key(version: str) -> tuple[int, ...]:
    """Compare versions such as "1.10.0" > "1.9.2". Raises ValueError on anything else."""
    parts = version.strip().split(".")
    if not parts or not all(p.isdigit() for p in parts):
        raise ValueError(f"version {version!r} is not dotted numbers such as 1.2.0")
    return tuple(int(p) for p in parts)
