"""Deck updates keep progress: plans, conflicts, removals, versions, round trips."""

from __future__ import annotations

import copy

import pytest

from studyapp.core import decks, notes, scheduling
from studyapp.core.errors import UserError
from studyapp.core.exporting import deck_to_spec
from studyapp.core.importing import Cancelled, apply_plan, plan_import
from studyapp.core.model import ChangelogEntry, DeckSpec, NoteSpec
from studyapp.core.options import DeckOptions

DECK_ID = "3f2a9c1e-8b7d-4e6f-9a0b-1c2d3e4f5a6b"


def make_spec(version: str = "1.0.0", notes_: list[NoteSpec] | None = None) -> DeckSpec:
    return DeckSpec(
        id=DECK_ID,
        name="Course::Week 1",
        version=version,
        title="Week 1",
        tags=["course"],
        changelog=[ChangelogEntry(version, f"release {version}")],
        notes=notes_
        if notes_ is not None
        else [
            NoteSpec("n1", "basic", {"front": "E11.9", "back": "Type 2 diabetes"}),
            NoteSpec("n2", "reversible", {"front": "A00-B99", "back": "Infectious"}, deck="Ranges"),
            NoteSpec("n3", "cloze", {"text": "{{c1::X}} is the {{c2::placeholder}}"}),
        ],
    )


def note_by_source(col, source_note_id):
    row = col.conn.execute(
        "SELECT id FROM notes WHERE source_uuid = ? AND source_note_id = ?",
        (DECK_ID, source_note_id),
    ).fetchone()
    return notes.get(col, row[0])


def test_first_import_adds_decks_notes_and_cards(col):
    plan = plan_import(col, make_spec())
    assert plan.installed_version is None
    assert [n.id for n in plan.new] == ["n1", "n2", "n3"]
    apply_plan(col, plan)
    assert decks.find(col, "Course::Week 1::Ranges") is not None
    assert col.conn.execute("SELECT count(*) FROM notes").fetchone()[0] == 3
    # basic 1 + reversible 2 + cloze with two deletions 2
    assert col.conn.execute("SELECT count(*) FROM cards").fetchone()[0] == 5
    assert note_by_source(col, "n1").tags == ["course"]


def test_same_version_twice_changes_nothing(col):
    apply_plan(col, plan_import(col, make_spec()))
    before = col.conn.execute("SELECT * FROM notes ORDER BY id").fetchall()
    plan = plan_import(col, make_spec())
    assert plan.up_to_date and not plan.has_changes
    apply_plan(col, plan)
    assert col.conn.execute("SELECT * FROM notes ORDER BY id").fetchall() == before


def test_older_version_is_refused(col):
    apply_plan(col, plan_import(col, make_spec("2.0.0")))
    with pytest.raises(UserError, match="older than the installed 2.0.0"):
        plan_import(col, make_spec("1.9.9"))


def test_update_keeps_history_and_schedule_of_changed_notes(col):
    apply_plan(col, plan_import(col, make_spec()))
    n1 = note_by_source(col, "n1")
    card_id = notes.card_ids(col, n1.id)[0]
    scheduling.answer_card(col, card_id, scheduling.GOOD, DeckOptions())
    card_before = scheduling.load_card(col, card_id)

    spec = make_spec("1.1.0")
    spec.notes[0].fields["back"] = "Type 2 diabetes mellitus without complications"
    plan = plan_import(col, spec)
    assert [n.id for _, n in plan.changed] == ["n1"]
    assert plan.changelog_since_installed() == ["1.1.0: release 1.1.0"]
    apply_plan(col, plan)

    assert note_by_source(col, "n1").fields["back"].endswith("without complications")
    assert scheduling.load_card(col, card_id) == card_before
    assert (
        col.conn.execute("SELECT count(*) FROM revlog WHERE card_id = ?", (card_id,)).fetchone()[0]
        == 1
    )


def test_removed_notes_are_suspended_not_deleted(col):
    apply_plan(col, plan_import(col, make_spec()))
    spec = make_spec("1.1.0")
    spec.notes = spec.notes[:2]
    plan = plan_import(col, spec)
    assert [s for _, s in plan.removed] == ["n3"]
    apply_plan(col, plan)
    n3 = note_by_source(col, "n3")
    assert n3.removed
    suspended = col.conn.execute(
        "SELECT suspended FROM cards WHERE note_id = ?", (n3.id,)
    ).fetchall()
    assert suspended == [(1,), (1,)]
    # coming back in a later version restores it
    apply_plan(col, plan_import(col, make_spec("1.2.0")))
    assert not note_by_source(col, "n3").removed
    assert (
        col.conn.execute("SELECT sum(suspended) FROM cards WHERE note_id = ?", (n3.id,)).fetchone()[
            0
        ]
        == 0
    )


def test_students_own_notes_and_options_survive_updates(col):
    apply_plan(col, plan_import(col, make_spec()))
    root = decks.by_name(col, "Course::Week 1").id
    own = notes.add_note(col, notes.NewNote(root, "basic", {"front": "mine", "back": "mine"}))
    decks.set_options(col, root, {"new_per_day": 5})
    spec = make_spec("1.1.0")
    spec.options = {"new_per_day": 50}
    apply_plan(col, plan_import(col, spec))
    assert notes.get(col, own).fields["front"] == "mine"
    assert decks.effective_options(col, root).new_per_day == 5


def test_student_edit_is_protected_and_listed_as_conflict(col):
    apply_plan(col, plan_import(col, make_spec()))
    n1 = note_by_source(col, "n1")
    notes.update(col, n1.id, {**n1.fields, "back": "my own wording"})

    spec = make_spec("1.1.0")
    spec.notes[0].fields["back"] = "author's new wording"
    plan = plan_import(col, spec)
    assert [(c.field, c.yours, c.theirs) for c in plan.conflicts] == [
        ("back", "my own wording", "author's new wording")
    ]
    assert "Conflict in note n1, field back" in plan.describe()
    apply_plan(col, plan)
    assert note_by_source(col, "n1").fields["back"] == "my own wording"


def test_student_can_take_the_authors_text(col):
    apply_plan(col, plan_import(col, make_spec()))
    n1 = note_by_source(col, "n1")
    notes.update(col, n1.id, {**n1.fields, "back": "my own wording"})
    spec = make_spec("1.1.0")
    spec.notes[0].fields["back"] = "author's new wording"
    apply_plan(col, plan_import(col, spec), take_theirs={(n1.id, "back")})
    assert note_by_source(col, "n1").fields["back"] == "author's new wording"


def test_student_edit_kept_when_author_did_not_change_that_field(col):
    apply_plan(col, plan_import(col, make_spec()))
    n1 = note_by_source(col, "n1")
    notes.update(col, n1.id, {**n1.fields, "back": "my own wording"})
    spec = make_spec("1.1.0")
    spec.notes[0].fields["front"] = "E11.9 (updated)"
    plan = plan_import(col, spec)
    assert plan.conflicts == []
    apply_plan(col, plan)
    fields = note_by_source(col, "n1").fields
    assert fields == {"front": "E11.9 (updated)", "back": "my own wording"}


def test_cancelled_import_changes_nothing(col):
    spec = make_spec(
        notes_=[NoteSpec(f"n{i}", "basic", {"front": str(i), "back": "b"}) for i in range(1200)]
    )
    with pytest.raises(Cancelled):
        apply_plan(col, plan_import(col, spec), cancelled=lambda: True)
    assert col.conn.execute("SELECT count(*) FROM notes").fetchone()[0] == 0
    assert col.conn.execute("SELECT count(*) FROM sources").fetchone()[0] == 0
    assert col.conn.execute("SELECT count(*) FROM decks").fetchone()[0] == 0


def test_moved_note_follows_the_deck_file(col):
    apply_plan(col, plan_import(col, make_spec()))
    spec = make_spec("1.1.0")
    spec.notes[0].deck = "Moved"
    apply_plan(col, plan_import(col, spec))
    n1 = note_by_source(col, "n1")
    deck_id = col.conn.execute("SELECT deck_id FROM cards WHERE note_id = ?", (n1.id,)).fetchone()[
        0
    ]
    assert decks.get(col, deck_id).name == "Course::Week 1::Moved"


def test_export_then_import_gives_the_same_collection(col, tmp_path, clock):
    from studyapp.core.collection import Collection

    apply_plan(col, plan_import(col, make_spec()))
    root = decks.by_name(col, "Course::Week 1").id
    notes.add_note(
        col,
        notes.NewNote(
            root, "typed", {"front": "Code?", "answer": "E11.9", "accept": ["E119"]}, tags=["own"]
        ),
    )
    exported = deck_to_spec(col, root)
    other = Collection(tmp_path / "other.sqlite", clock=clock)
    try:
        apply_plan(other, plan_import(other, copy.deepcopy(exported)))

        def snapshot(c):
            return sorted(
                (r[0], r[1], r[2], r[3])
                for r in c.conn.execute(
                    "SELECT d.name, n.kind, n.fields, n.tags FROM notes n JOIN cards c ON c.note_id = n.id"
                    " JOIN decks d ON d.id = c.deck_id"
                )
            )

        assert snapshot(other) == snapshot(col)
        assert deck_to_spec(other, decks.by_name(other, "Course::Week 1").id) == exported
    finally:
        other.close()


def test_reimporting_a_changed_spreadsheet_updates_its_notes(col, tmp_path):
    from studyapp.core.importing import import_file

    sheet = tmp_path / "Week 2.csv"
    sheet.write_text("front,back\nNEC,Not elsewhere classifiable\nNOS,Not otherwise specified\n")
    import_file(col, sheet)
    nec = col.conn.execute("SELECT id FROM notes WHERE sort_field = 'NEC'").fetchone()[0]
    card_id = notes.card_ids(col, nec)[0]
    scheduling.answer_card(col, card_id, scheduling.GOOD, DeckOptions())
    sheet.write_text(
        "front,back\nNEC,Not elsewhere classified\nNOS,Not otherwise specified\nX,Placeholder\n"
    )
    plan = import_file(col, sheet)
    assert len(plan.changed) == 1 and len(plan.new) == 1 and not plan.removed
    assert notes.get(col, nec).fields["back"] == "Not elsewhere classified"
    assert (
        col.conn.execute("SELECT count(*) FROM revlog WHERE card_id = ?", (card_id,)).fetchone()[0]
        == 1
    )
    assert decks.find(col, "Week 2") is not None
    # the same spreadsheet again changes nothing
    again = import_file(col, sheet)
    assert not again.has_changes
