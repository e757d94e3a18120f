"""Importing deck files: read -> update plan (the preview) -> apply in one transaction.

Update policy (also in resources/deck-updates.md):
- notes new in the file are added;
- notes whose text changed get the new text and keep their review history and schedule;
  a field the student edited is kept (a conflict) unless the student takes the author's text;
- notes gone from the file are suspended and marked removed, never deleted;
- the student's own notes and own deck options are never touched;
- the same version again changes nothing; an older version is refused.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path

from studyapp.core import decks, notes
from studyapp.core.collection import Collection
from studyapp.core.errors import UserError
from studyapp.core.model import DeckSpec, FieldValue, NoteSpec, version_key

# Called with the collection before an update that removes notes (reliability makes a backup).
before_removing_notes: list[Callable[[Collection], None]] = []


class Cancelled(UserError):
    def __init__(self) -> None:
        super().__init__("Import cancelled; the collection is as it was.")


def read_deck_file(path: str | Path) -> DeckSpec:
    """Parse a .toml deck file or a .csv/.tsv spreadsheet; InvalidFile lists every problem."""
    from studyapp.core.deckfile import load_deck_file

    return load_deck_file(path)


@dataclass(frozen=True)
class Conflict:
    note_id: int
    source_note_id: str
    field: str
    yours: FieldValue
    theirs: FieldValue


@dataclass
class UpdatePlan:
    spec: DeckSpec
    installed_version: str | None
    new: list[NoteSpec] = field(default_factory=list)
    changed: list[tuple[int, NoteSpec]] = field(default_factory=list)
    removed: list[tuple[int, str]] = field(default_factory=list)  # (note id, source note id)
    restored: list[tuple[int, NoteSpec]] = field(default_factory=list)  # back after a removal
    unchanged: list[str] = field(default_factory=list)
    conflicts: list[Conflict] = field(default_factory=list)
    up_to_date: bool = False

    @property
    def has_changes(self) -> bool:
        return bool(self.new or self.changed or self.removed or self.restored)

    def changelog_since_installed(self) -> list[str]:
        if self.installed_version is None or self.spec.is_spreadsheet:
            return []
        since = version_key(self.installed_version)
        return [
            f"{e.version}: {e.changes}" for e in self.spec.changelog if _safe_key(e.version) > since
        ]

    def describe(self) -> str:
        """The preview as plain text (used by --dry-run and as a summary in dialogs)."""
        spec = self.spec
        head = f"{spec.title or spec.name} ({spec.name})"
        if self.installed_version is None:
            lines = [f"{head}: new deck, version {spec.version}."]
        elif self.up_to_date:
            lines = [f"{head}: version {spec.version} is already installed; nothing to change."]
        else:
            lines = [f"{head}: update from {self.installed_version} to {spec.version}."]
            lines += [f"  What changed in {c}" for c in self.changelog_since_installed()]
        lines.append(
            f"  new: {len(self.new)}, changed: {len(self.changed)}, removed: {len(self.removed)}"
            f", restored: {len(self.restored)}, unchanged: {len(self.unchanged)}"
            f", conflicts: {len(self.conflicts)}"
        )
        for title, items in (
            ("New", [n.id for n in self.new]),
            ("Changed", [n.id for _, n in self.changed]),
            ("Removed (will be suspended, history kept)", [s for _, s in self.removed]),
            ("Restored", [n.id for _, n in self.restored]),
        ):
            if items:
                lines.append(
                    f"  {title}: {', '.join(items[:50])}" + (" ..." if len(items) > 50 else "")
                )
        for c in self.conflicts:
            lines.append(
                f"  Conflict in note {c.source_note_id}, field {c.field}: you edited it; "
                "your text is kept unless you choose the author's."
            )
        return "\n".join(lines)


def _safe_key(version: str) -> tuple[int, ...]:
    try:
        return version_key(version)
    except ValueError:
        return ()


def source_record(spec: DeckSpec, note: NoteSpec) -> dict[str, FieldValue]:
    """What the deck file said about a note: its fields plus its deck and tags."""
    return _source_record(note, spec.full_deck_name(note), _note_tags(spec, note))


def _source_record(note: NoteSpec, deck_name: str, tags: list[str]) -> dict[str, FieldValue]:
    return {**note.fields, "@deck": deck_name, "@tags": tags}


def _note_tags(spec: DeckSpec, note: NoteSpec) -> list[str]:
    """The note's tags and the deck's, sorted, each once."""
    return sorted(set(spec.tags).union(note.tags))


def guid_for(spec: DeckSpec, note: NoteSpec) -> str:
    return f"{spec.id}:{note.id}"


def plan_import(col: Collection, spec: DeckSpec) -> UpdatePlan:
    """Compare a deck file with what the collection holds; changes nothing."""
    row = col.conn.execute("SELECT version FROM sources WHERE uuid = ?", (spec.id,)).fetchone()
    installed = row[0] if row else None
    plan = UpdatePlan(spec, installed)
    if installed is not None and not spec.is_spreadsheet:
        if version_key(spec.version) < _safe_key(installed):
            raise UserError(
                f"{spec.name}: version {spec.version} is older than the installed {installed}; "
                "nothing was imported. Ask the author for the current file."
            )
        if version_key(spec.version) == _safe_key(installed):
            plan.up_to_date = True
            plan.unchanged = [n.id for n in spec.notes]
            return plan
    existing = {
        r[0]: (r[1], json.loads(r[2]) if r[2] else {}, json.loads(r[3]), r[4], r[5])
        for r in col.conn.execute(
            "SELECT source_note_id, id, source_fields, fields, removed, kind FROM notes"
            " WHERE source_uuid = ?",
            (spec.id,),
        )
    }
    in_file = set()
    for note in spec.notes:
        in_file.add(note.id)
        if note.id not in existing:
            plan.new.append(note)
            continue
        note_id, old_source, current, removed, kind = existing[note.id]
        new_source = source_record(spec, note)
        if removed:
            plan.restored.append((note_id, note))
        elif new_source == old_source and kind == note.kind:
            plan.unchanged.append(note.id)
            continue
        else:
            plan.changed.append((note_id, note))
        for key, theirs in note.fields.items():
            yours = current.get(key)
            upstream_changed = old_source.get(key) != theirs
            student_edited = yours is not None and yours != old_source.get(key)
            if upstream_changed and student_edited and yours != theirs:
                plan.conflicts.append(Conflict(note_id, note.id, key, yours, theirs))
    for source_note_id, (note_id, _, _, removed, _) in existing.items():
        if source_note_id not in in_file and not removed:
            plan.removed.append((note_id, source_note_id))
    return plan


def apply_plan(
    col: Collection,
    plan: UpdatePlan,
    take_theirs: bool | set[tuple[int, str]] = False,
    progress: Callable[[int, int], None] | None = None,
    cancelled: Callable[[], bool] | None = None,
) -> UpdatePlan:
    """Carry out a plan in one transaction. `take_theirs` resolves conflicts for the author:
    True for all, or a set of (note id, field). Cancelling leaves the collection unchanged."""
    if plan.up_to_date:
        return plan
    if plan.removed:
        for hook in before_removing_notes:
            hook(col)
    spec = plan.spec
    total = len(plan.new) + len(plan.changed) + len(plan.restored) + len(plan.removed)
    done = 0

    def tick(step: int = 1) -> None:
        nonlocal done
        done += step
        if cancelled and cancelled():
            raise Cancelled()
        if progress:
            progress(done, total)

    deck_ids: dict[str, int] = {}

    def deck_id(name: str) -> int:
        if name not in deck_ids:
            deck_ids[name] = decks.get_or_create(col, name)
        return deck_ids[name]

    with col.transaction():
        root_id = deck_id(spec.name)
        _save_source(col, spec, root_id)
        if spec.options:
            decks.set_file_options(col, root_id, spec.options)
        conflicts = {(c.note_id, c.field) for c in plan.conflicts}
        for note_id, note in plan.changed + plan.restored:
            _update_note(col, spec, note_id, note, conflicts, take_theirs, deck_id)
            tick()
        batch: list[notes.NewNote] = []
        for note in plan.new:
            deck_name = spec.full_deck_name(note)
            tags = _note_tags(spec, note)
            batch.append(
                notes.NewNote(
                    deck_id=deck_id(deck_name),
                    kind=note.kind,
                    fields=note.fields,
                    tags=tags,
                    guid=guid_for(spec, note),
                    source_uuid=spec.id,
                    source_note_id=note.id,
                    source_fields=_source_record(note, deck_name, tags),
                )
            )
            if len(batch) == 500:
                _add_batch(col, batch)
                tick(len(batch))
                batch = []
        if batch:
            _add_batch(col, batch)
            tick(len(batch))
        for note_id, _ in plan.removed:
            col.conn.execute("UPDATE notes SET removed = 1 WHERE id = ?", (note_id,))
            col.conn.execute("UPDATE cards SET suspended = 1 WHERE note_id = ?", (note_id,))
            tick()
    return plan


def _add_batch(col: Collection, batch: list[notes.NewNote]) -> None:
    notes.add_notes(col, batch)


def _update_note(
    col: Collection,
    spec: DeckSpec,
    note_id: int,
    note: NoteSpec,
    conflicts: set[tuple[int, str]],
    take_theirs: bool | set[tuple[int, str]],
    deck_id: Callable[[str], int],
) -> None:
    current = notes.get(col, note_id)
    old_source = current.source_fields or {}
    fields: dict[str, FieldValue] = {}
    for key, theirs in note.fields.items():
        conflict = (note_id, key) in conflicts
        keep_yours = conflict and not (
            take_theirs is True or (isinstance(take_theirs, set) and (note_id, key) in take_theirs)
        )
        unchanged_upstream = old_source.get(key) == theirs and key in current.fields
        fields[key] = current.fields[key] if keep_yours or unchanged_upstream else theirs
    if current.kind != note.kind:
        col.conn.execute("UPDATE notes SET kind = ? WHERE id = ?", (note.kind, note_id))
    notes.update(
        col, note_id, fields, tags=_note_tags(spec, note), source_fields=source_record(spec, note)
    )
    col.conn.execute("UPDATE notes SET removed = 0 WHERE id = ?", (note_id,))
    if current.removed:
        col.conn.execute("UPDATE cards SET suspended = 0 WHERE note_id = ?", (note_id,))
    if old_source.get("@deck") != spec.full_deck_name(note):
        col.conn.execute(
            "UPDATE cards SET deck_id = ? WHERE note_id = ?",
            (deck_id(spec.full_deck_name(note)), note_id),
        )


def _save_source(col: Collection, spec: DeckSpec, root_id: int) -> None:
    # replace(notes=[]) first: asdict would otherwise deep-copy every note only to drop them
    meta = {
        k: v
        for k, v in asdict(replace(spec, notes=[])).items()
        if k not in ("notes", "options", "is_spreadsheet")
    }
    col.conn.execute(
        "INSERT INTO sources(uuid, root_deck_id, version, meta, is_spreadsheet, imported)"
        " VALUES (?,?,?,?,?,?) ON CONFLICT(uuid) DO UPDATE SET root_deck_id = excluded.root_deck_id,"
        " version = excluded.version, meta = excluded.meta, imported = excluded.imported",
        (
            spec.id,
            root_id,
            spec.version,
            json.dumps(meta),
            int(spec.is_spreadsheet),
            int(col.now().timestamp()),
        ),
    )


def import_file(col: Collection, path: str | Path, take_theirs: bool = False) -> UpdatePlan:
    """Read, plan and apply in one go (for the command line and first start)."""
    return apply_plan(col, plan_import(col, read_deck_file(path)), take_theirs=take_theirs)
