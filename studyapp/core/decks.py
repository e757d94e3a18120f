"""Decks: a tree named with "::", each with options inherited from its parent unless set."""

from __future__ import annotations

import json
from dataclasses import dataclass

from studyapp.core.collection import Collection
from studyapp.core.errors import UserError
from studyapp.core.options import DeckOptions, option_problems

SEP = "::"


@dataclass(frozen=True)
class Deck:
    id: int
    name: str
    parent_id: int | None

    @property
    def short_name(self) -> str:
        return self.name.rsplit(SEP, 1)[-1]

    @property
    def depth(self) -> int:
        return self.name.count(SEP)


def normalise_name(name: str) -> str:
    parts = [p.strip() for p in name.split(SEP)]
    if not name.strip() or any(not p for p in parts):
        raise UserError(f"Deck name {name!r} is empty or has an empty part between '::'.")
    return SEP.join(parts)


def all_decks(col: Collection) -> list[Deck]:
    rows = col.conn.execute("SELECT id, name, parent_id FROM decks ORDER BY name").fetchall()
    return [Deck(*row) for row in rows]


def find(col: Collection, name: str) -> Deck | None:
    row = col.conn.execute(
        "SELECT id, name, parent_id FROM decks WHERE name = ?", (normalise_name(name),)
    ).fetchone()
    return Deck(*row) if row else None


def get(col: Collection, deck_id: int) -> Deck:
    row = col.conn.execute(
        "SELECT id, name, parent_id FROM decks WHERE id = ?", (deck_id,)
    ).fetchone()
    if row is None:
        raise UserError(f"There is no deck with id {deck_id}.")
    return Deck(*row)


def by_name(col: Collection, name: str) -> Deck:
    deck = find(col, name)
    if deck is None:
        raise UserError(f"There is no deck named {name!r}. `studyapp deck list` shows the decks.")
    return deck


def get_or_create(col: Collection, name: str) -> int:
    """The id of the deck called `name`, creating it and any missing parents."""
    name = normalise_name(name)
    with col.transaction():
        parent_id = None
        parts = name.split(SEP)
        for i in range(1, len(parts) + 1):
            path = SEP.join(parts[:i])
            row = col.conn.execute("SELECT id FROM decks WHERE name = ?", (path,)).fetchone()
            if row:
                parent_id = row[0]
            else:
                parent_id = col.conn.execute(
                    "INSERT INTO decks(name, parent_id, created) VALUES (?, ?, ?)",
                    (path, parent_id, int(col.now().timestamp())),
                ).lastrowid
    return int(parent_id)  # type: ignore[arg-type]


def subtree_ids(col: Collection, deck_id: int) -> list[int]:
    """The deck and all its descendants."""
    prefix = get(col, deck_id).name + SEP
    # substr, not LIKE: LIKE ignores case, but deck names ("Math", "math") do not
    rows = col.conn.execute(
        "SELECT id FROM decks WHERE id = ? OR substr(name, 1, ?) = ? ORDER BY name",
        (deck_id, len(prefix), prefix),
    ).fetchall()
    return [r[0] for r in rows]


def ancestors(name: str) -> list[str]:
    parts = name.split(SEP)
    return [SEP.join(parts[:i]) for i in range(1, len(parts))]


def options_layers(col: Collection) -> dict[int, tuple[dict, dict]]:
    rows = col.conn.execute("SELECT id, file_options, options FROM decks").fetchall()
    return {r[0]: (json.loads(r[1]), json.loads(r[2])) for r in rows}


def effective_options(col: Collection, deck_id: int) -> DeckOptions:
    """Defaults, then each ancestor's file and own options, then the deck's own."""
    deck = get(col, deck_id)
    layers: list[dict] = []
    for name in [*ancestors(deck.name), deck.name]:
        row = col.conn.execute(
            "SELECT file_options, options FROM decks WHERE name = ?", (name,)
        ).fetchone()
        if row:
            layers += [json.loads(row[0]), json.loads(row[1])]
    return DeckOptions.from_layers(*layers)


def own_options(col: Collection, deck_id: int) -> dict[str, object]:
    row = col.conn.execute("SELECT options FROM decks WHERE id = ?", (deck_id,)).fetchone()
    return json.loads(row[0]) if row else {}


def set_options(col: Collection, deck_id: int, options: dict[str, object]) -> None:
    """Replace the student's own options for a deck (keys left out are inherited)."""
    problems = option_problems(options)
    if problems:
        raise UserError("; ".join(problems))
    with col.transaction():
        col.conn.execute(
            "UPDATE decks SET options = ? WHERE id = ?",
            (json.dumps(options, sort_keys=True), deck_id),
        )


def set_file_options(col: Collection, deck_id: int, options: dict[str, object]) -> None:
    with col.transaction():
        col.conn.execute(
            "UPDATE decks SET file_options = ? WHERE id = ?",
            (json.dumps(options, sort_keys=True), deck_id),
        )


def rename(col: Collection, deck_id: int, new_name: str) -> None:
    """Rename a deck and move its subdecks with it."""
    new_name = normalise_name(new_name)
    old = get(col, deck_id).name
    if new_name == old:
        return
    if find(col, new_name):
        raise UserError(f"A deck named {new_name!r} already exists.")
    if new_name.startswith(old + SEP):
        raise UserError("A deck cannot be moved inside itself.")
    with col.transaction():
        parent_name = SEP.join(new_name.split(SEP)[:-1])
        parent_id = get_or_create(col, parent_name) if parent_name else None
        for sub_id in subtree_ids(col, deck_id):
            sub_name = get(col, sub_id).name
            col.conn.execute(
                "UPDATE decks SET name = ? WHERE id = ?", (new_name + sub_name[len(old) :], sub_id)
            )
        col.conn.execute("UPDATE decks SET parent_id = ? WHERE id = ?", (parent_id, deck_id))


def card_count(col: Collection, deck_id: int) -> int:
    ids = subtree_ids(col, deck_id)
    marks = ",".join("?" * len(ids))
    return col.conn.execute(
        f"SELECT count(*) FROM cards WHERE deck_id IN ({marks})", ids
    ).fetchone()[0]


def delete(col: Collection, deck_id: int) -> int:
    """Delete a deck, its subdecks, and their cards (notes left without cards go too)."""
    ids = subtree_ids(col, deck_id)
    marks = ",".join("?" * len(ids))
    with col.transaction():
        removed = card_count(col, deck_id)
        note_ids = [
            r[0]
            for r in col.conn.execute(
                f"SELECT DISTINCT note_id FROM cards WHERE deck_id IN ({marks})", ids
            )
        ]
        col.conn.execute(f"DELETE FROM cards WHERE deck_id IN ({marks})", ids)
        col.conn.executemany(
            "DELETE FROM notes WHERE id = ? AND NOT EXISTS (SELECT 1 FROM cards WHERE note_id = ?)",
            [(n, n) for n in note_ids],
        )
        col.conn.execute(
            f"UPDATE sources SET root_deck_id = NULL WHERE root_deck_id IN ({marks})", ids
        )
        for sub_id in reversed(ids):  # children first: parent_id references
            col.conn.execute("DELETE FROM decks WHERE id = ?", (sub_id,))
    return removed
