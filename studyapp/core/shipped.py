"""The decks that come with the app, offered (all selected) on first start."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from studyapp.core.collection import Collection
from studyapp.core.importing import apply_plan, plan_import, read_deck_file
from studyapp.core.paths import shipped_decks_dir

OFFERED_KEY = "shipped_decks_offered"


@dataclass(frozen=True)
class ShippedDeck:
    path: Path
    name: str
    title: str
    notes: int


def shipped_deck_files() -> list[Path]:
    return sorted(shipped_decks_dir().glob("*.toml"))


def list_shipped() -> list[ShippedDeck]:
    out = []
    for path in shipped_deck_files():
        spec = read_deck_file(path)
        out.append(ShippedDeck(path, spec.name, spec.title or spec.name, len(spec.notes)))
    return out


def needs_first_start(col: Collection) -> bool:
    return not col.config_get(OFFERED_KEY, False)


def load_shipped(
    col: Collection,
    paths: list[Path] | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> int:
    """Import (or update) the chosen shipped decks in one transaction; returns notes added."""
    chosen = shipped_deck_files() if paths is None else paths
    added = 0
    with col.transaction():
        for i, path in enumerate(chosen):
            plan = apply_plan(col, plan_import(col, read_deck_file(path)))
            added += len(plan.new)
            if progress:
                progress(i + 1, len(chosen))
        col.config_set(OFFERED_KEY, True)
    return added
