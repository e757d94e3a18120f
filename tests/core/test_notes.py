"""Notes and their cards: which cards each kind gives, positions, edits that add or remove
cloze cards while keeping progress, tags, suspending, moving and deleting."""

from __future__ import annotations

import pytest

from studyapp.core import decks, notes, scheduling
from studyapp.core.errors import UserError
from studyapp.core.model import card_ords
from studyapp.core.options import DeckOptions


def cards_of(col, note_id):
    return col.conn.execute(
        "SELECT ord, deck_id, position, state FROM cards WHERE note_id = ? ORDER BY ord",
        (note_id,),
    ).fetchall()


@pytest.fixture
def deck(col) -> int:
    return decks.get_or_create(col, "Notes")


@pytest.mark.parametrize(
    ("kind", "fields", "ords"),
    [
        ("basic", {"front": "f", "back": "b"}, [0]),
        ("reversible", {"front": "f", "back": "b"}, [0, 1]),
        ("typed", {"front": "Type 2 diabetes", "answer": "E11.9"}, [0]),
        ("choice", {"question": "q", "options": ["a", "b"], "correct": 2}, [0]),
        ("cloze", {"text": "{{c1::E11}} is {{c3::diabetes}} ({{c1::again}})"}, [0, 2]),
    ],
)
def test_each_kind_gives_its_cards(col, deck, kind, fields, ords):
    note_id = notes.add_note(col, notes.NewNote(deck, kind, fields))
    assert [r[0] for r in cards_of(col, note_id)] == ords
    assert card_ords(kind, fields) == ords
    assert all(r[1] == deck and r[3] == scheduling.NEW for r in cards_of(col, note_id))


def test_positions_follow_the_order_notes_were_added(col, deck):
    first = notes.add_notes(
        col,
        [notes.NewNote(deck, "reversible", {"front": f"{i}", "back": "b"}) for i in range(3)],
    )
    later = notes.add_note(col, notes.NewNote(deck, "basic", {"front": "x", "back": "y"}))
    positions = [cards_of(col, n)[0][2] for n in [*first, later]]
    assert positions == sorted(positions) and len(set(positions)) == 4
    # both cards of one note share its position
    assert {r[2] for r in cards_of(col, first[0])} == {positions[0]}


def test_stored_note_round_trips(col, deck):
    new = notes.NewNote(
        deck,
        "typed",
        {"front": "<b>Type 2</b> diabetes &amp; CKD", "answer": "E11.22", "accept": ["E1122"]},
        tags=["icd", "endocrine", "icd"],
        guid="fixed-guid",
    )
    note = notes.get(col, notes.add_note(col, new))
    assert note.guid == "fixed-guid"
    assert note.fields["accept"] == ["E1122"]
    assert note.tags == ["endocrine", "icd"]
    assert note.removed is False and note.source_uuid is None
    sort, tags = col.conn.execute(
        "SELECT sort_field, tags FROM notes WHERE id = ?", (note.id,)
    ).fetchone()
    assert sort == "Type 2 diabetes & CKD"
    assert tags == " endocrine icd "  # spaces around for LIKE '% tag %'


def test_fresh_guids_are_unique(col, deck):
    ids = notes.add_notes(
        col, [notes.NewNote(deck, "basic", {"front": str(i), "back": ""}) for i in range(5)]
    )
    assert len({notes.get(col, i).guid for i in ids}) == 5


@pytest.mark.parametrize(
    ("kind", "fields", "message"),
    [
        ("flashy", {"front": "f"}, "Unknown card kind"),
        ("cloze", {"text": "no deletions here"}, "no cards"),
    ],
)
def test_bad_note_adds_nothing(col, deck, kind, fields, message):
    good = notes.NewNote(deck, "basic", {"front": "ok", "back": "ok"})
    with pytest.raises(UserError, match=message):
        notes.add_notes(col, [good, notes.NewNote(deck, kind, fields)])
    assert col.conn.execute("SELECT count(*) FROM notes").fetchone()[0] == 0
    assert col.conn.execute("SELECT count(*) FROM cards").fetchone()[0] == 0
    assert col.config_get("next_position") is None


def test_get_missing_note(col):
    with pytest.raises(UserError, match="no note with id 7"):
        notes.get(col, 7)


def test_update_changes_fields_tags_and_sort_text(col, deck, clock):
    note_id = notes.add_note(col, notes.NewNote(deck, "basic", {"front": "old", "back": "b"}))
    clock.advance(hours=1)
    notes.update(col, note_id, {"front": "<i>new</i> front", "back": "b2"}, tags=["t"])
    note = notes.get(col, note_id)
    assert note.fields == {"front": "<i>new</i> front", "back": "b2"}
    assert note.tags == ["t"]
    sort, created, modified = col.conn.execute(
        "SELECT sort_field, created, modified FROM notes WHERE id = ?", (note_id,)
    ).fetchone()
    assert sort == "new front"
    assert modified - created == 3600


def test_update_keeps_tags_when_not_given(col, deck):
    note_id = notes.add_note(
        col, notes.NewNote(deck, "basic", {"front": "f", "back": "b"}, tags=["keep"])
    )
    notes.update(col, note_id, {"front": "g", "back": "b"})
    assert notes.get(col, note_id).tags == ["keep"]


def test_update_records_source_fields(col, deck):
    note_id = notes.add_note(col, notes.NewNote(deck, "basic", {"front": "f", "back": "b"}))
    notes.update(col, note_id, {"front": "mine", "back": "b"}, source_fields={"front": "f"})
    assert notes.get(col, note_id).source_fields == {"front": "f"}


def test_cloze_edit_adds_and_removes_cards_keeping_progress(col, deck):
    note_id = notes.add_note(col, notes.NewNote(deck, "cloze", {"text": "{{c1::A}} and {{c2::B}}"}))
    c1, c2 = notes.card_ids(col, note_id)
    scheduling.answer_card(col, c1, scheduling.GOOD, DeckOptions())
    scheduling.answer_card(col, c2, scheduling.GOOD, DeckOptions())
    studied = scheduling.load_card(col, c1)

    notes.update(col, note_id, {"text": "{{c1::A}} and B and {{c3::C}}"})

    rows = cards_of(col, note_id)
    assert [r[0] for r in rows] == [0, 2]
    assert notes.card_ids(col, note_id)[0] == c1
    assert scheduling.load_card(col, c1) == studied  # progress kept
    assert rows[1][1] == deck and rows[1][3] == scheduling.NEW
    # the removed deletion's card went, and its review log with it; the new card is new
    assert col.conn.execute("SELECT count(*) FROM revlog").fetchone()[0] == 1
    assert scheduling.load_card(col, notes.card_ids(col, note_id)[1]).reps == 0


def test_cloze_edit_that_removes_every_deletion_is_refused(col, deck):
    note_id = notes.add_note(col, notes.NewNote(deck, "cloze", {"text": "{{c1::A}}"}))
    with pytest.raises(UserError, match="no cards"):
        notes.update(col, note_id, {"text": "nothing hidden"})
    assert notes.get(col, note_id).fields == {"text": "{{c1::A}}"}
    assert len(notes.card_ids(col, note_id)) == 1


def test_suspend_and_unsuspend(col, deck):
    note_id = notes.add_note(col, notes.NewNote(deck, "reversible", {"front": "f", "back": "b"}))
    first, second = notes.card_ids(col, note_id)
    notes.set_suspended(col, [second], True)
    assert scheduling.load_card(col, second).suspended == 1
    assert scheduling.load_card(col, first).suspended == 0
    notes.set_suspended(col, [second], False)
    assert scheduling.load_card(col, second).suspended == 0


def test_move_cards(col, deck):
    other = decks.get_or_create(col, "Other")
    note_id = notes.add_note(col, notes.NewNote(deck, "reversible", {"front": "f", "back": "b"}))
    first, second = notes.card_ids(col, note_id)
    notes.move_cards(col, [second], other)
    assert scheduling.load_card(col, second).deck_id == other
    assert scheduling.load_card(col, first).deck_id == deck


def test_delete_notes_removes_cards_and_review_log(col, deck):
    gone = notes.add_note(col, notes.NewNote(deck, "reversible", {"front": "f", "back": "b"}))
    kept = notes.add_note(col, notes.NewNote(deck, "basic", {"front": "k", "back": "k"}))
    for card_id in notes.card_ids(col, gone) + notes.card_ids(col, kept):
        scheduling.answer_card(col, card_id, scheduling.GOOD, DeckOptions())
    notes.delete_notes(col, [gone])
    assert col.conn.execute("SELECT count(*) FROM cards").fetchone()[0] == 1
    assert col.conn.execute("SELECT count(DISTINCT card_id) FROM revlog").fetchone()[0] == 1
    with pytest.raises(UserError):
        notes.get(col, gone)
    assert notes.get(col, kept).id == kept


def test_plain_text_strips_tags_and_entities():
    assert notes.plain_text("<p>E11.9&nbsp;<b>Type&nbsp;2</b></p>\n<br>DM") == "E11.9 Type 2 DM"


def test_add_notes_returns_the_id_of_each_note_in_order(col, deck):
    first = notes.add_notes(
        col, [notes.NewNote(deck, "basic", {"front": f"a{i}", "back": "b"}) for i in range(3)]
    )
    notes.delete_notes(col, [first[1]])
    later = notes.add_notes(
        col,
        [
            notes.NewNote(deck, "cloze", {"text": "{{c1::x}} {{c2::y}}"}, guid="g1"),
            notes.NewNote(deck, "basic", {"front": "c", "back": "d"}, guid="g2"),
        ],
    )
    assert len(set(first + later)) == 5
    assert [notes.get(col, n).guid for n in later] == ["g1", "g2"]
    assert [r[0] for r in cards_of(col, later[0])] == [0, 1]
    assert [notes.get(col, n).fields["front"] for n in (first[0], first[2])] == ["a0", "a2"]


def test_a_bad_note_in_a_batch_adds_none_of_it(col, deck):
    before = col.conn.execute("SELECT count(*) FROM notes").fetchone()[0]
    with pytest.raises(UserError):
        notes.add_notes(
            col,
            [
                notes.NewNote(deck, "basic", {"front": "ok", "back": "b"}),
                notes.NewNote(deck, "cloze", {"text": "no deletion"}),
            ],
        )
    assert col.conn.execute("SELECT count(*) FROM notes").fetchone()[0] == before
    assert col.conn.execute("SELECT count(*) FROM cards").fetchone()[0] == 0
