"""Editing notes, cards and decks by hand, and undoing each edit exactly."""

from __future__ import annotations

import pytest

from studyapp.core import decks, notes
from studyapp.core.editing import Editor, NoteProblems, check_fields
from studyapp.core.errors import UserError


def dump(col):
    """Everything an edit can touch, for before/after comparisons."""
    return {
        table: col.conn.execute(f"SELECT * FROM {table} ORDER BY 1").fetchall()
        for table in ("decks", "notes", "note_search", "cards", "revlog")
    }


@pytest.fixture
def setup(col):
    deck_id = decks.get_or_create(col, "Mine::Sub")
    note_id = notes.add_note(
        col, notes.NewNote(deck_id, "basic", {"front": "Q", "back": "A"}, ["t1"])
    )
    card_id = notes.card_ids(col, note_id)[0]
    col.conn.execute(
        "INSERT INTO revlog(card_id, time, rating, duration_ms, state_before, state_after,"
        " due_after, card_before) VALUES (?, 1, 3, 1000, 0, 2, 0, '{}')",
        (card_id,),
    )
    return deck_id, note_id, card_id


def test_check_fields_cleans_and_reports(col):
    fields, tags = check_fields(
        "basic", {"front": "<b>Q</b><script>x()</script>", "back": "A", "explanation": ""}, "a b"
    )
    assert fields == {"front": "<b>Q</b>", "back": "A"}
    assert tags == ["a", "b"]
    with pytest.raises(NoteProblems) as info:
        check_fields("basic", {"front": "", "back": "A"})
    assert info.value.problems[0][0] == "front"
    with pytest.raises(NoteProblems, match="deletion"):
        check_fields("cloze", {"text": "no deletion here"})
    fields, _ = check_fields("choice", {"question": "Q?", "options": "a\nb\nc", "correct": "2"})
    assert fields["options"] == ["a", "b", "c"] and fields["correct"] == 2


def test_save_note_and_undo(col, setup):
    _, note_id, _ = setup
    editor = Editor(col)
    before = dump(col)
    editor.save_note(note_id, {"front": "New Q", "back": "A"}, ["t1", "t2"])
    note = notes.get(col, note_id)
    assert note.fields["front"] == "New Q" and note.tags == ["t1", "t2"]
    assert editor.undo_label == "Edit note"
    assert editor.undo() == "Edit note"
    assert dump(col) == before
    with pytest.raises(UserError, match="Nothing to undo"):
        editor.undo()


def test_invalid_edit_changes_nothing(col, setup):
    _, note_id, _ = setup
    editor = Editor(col)
    before = dump(col)
    with pytest.raises(NoteProblems):
        editor.save_note(note_id, {"front": "", "back": "A"})
    assert dump(col) == before and not editor.can_undo


def test_cloze_edit_that_removes_a_card_is_undone_with_its_history(col, setup):
    deck_id, _, _ = setup
    editor = Editor(col)
    nid = editor.add_note(deck_id, "cloze", {"text": "{{c1::a}} and {{c2::b}}"})
    c2 = notes.card_ids(col, nid)[1]
    col.conn.execute(
        "INSERT INTO revlog(card_id, time, rating, duration_ms, state_before, state_after,"
        " due_after, card_before) VALUES (?, 2, 3, 1000, 0, 2, 0, '{}')",
        (c2,),
    )
    before = dump(col)
    editor.save_note(nid, {"text": "{{c1::a}} and b"})
    assert len(notes.card_ids(col, nid)) == 1
    editor.undo()
    assert dump(col) == before


def test_add_note_and_undo(col, setup):
    deck_id, _, _ = setup
    editor = Editor(col)
    before = dump(col)
    nid = editor.add_note(deck_id, "typed", {"front": "Asthma", "answer": "J45.909"}, "resp")
    assert notes.get(col, nid).tags == ["resp"]
    assert len(notes.card_ids(col, nid)) == 1
    editor.undo()
    assert dump(col) == before


def test_suspend_move_delete_and_undo_in_order(col, setup):
    deck_id, note_id, card_id = setup
    other = decks.get_or_create(col, "Other")
    editor = Editor(col)
    start = dump(col)
    editor.set_suspended([card_id], True)
    assert col.conn.execute("SELECT suspended FROM cards WHERE id=?", (card_id,)).fetchone()[0]
    editor.move_cards([card_id], other)
    assert (
        col.conn.execute("SELECT deck_id FROM cards WHERE id=?", (card_id,)).fetchone()[0] == other
    )
    after_move = dump(col)
    assert editor.delete_notes([note_id]) == 1
    assert col.conn.execute("SELECT count(*) FROM revlog").fetchone()[0] == 0
    assert editor.undo() == "Delete note"
    assert dump(col) == after_move
    assert editor.undo() == "Move cards"
    assert editor.undo() == "Suspend"
    assert dump(col) == start


def test_decks_create_rename_delete_and_undo(col, setup):
    deck_id, _, _ = setup
    editor = Editor(col)
    start = dump(col)
    new_id = editor.create_deck("Fresh::Child")
    assert decks.get(col, new_id).name == "Fresh::Child"
    with pytest.raises(UserError, match="already exists"):
        editor.create_deck("Fresh::Child")
    parent = decks.by_name(col, "Mine").id
    editor.rename_deck(parent, "Renamed")
    assert decks.get(col, deck_id).name == "Renamed::Sub"
    assert editor.delete_deck(parent) == 1
    assert decks.find(col, "Renamed") is None
    assert col.conn.execute("SELECT count(*) FROM notes").fetchone()[0] == 0
    editor.undo()
    assert decks.get(col, deck_id).name == "Renamed::Sub"
    assert col.conn.execute("SELECT count(*) FROM revlog").fetchone()[0] == 1
    editor.undo()
    editor.undo()
    assert dump(col) == start
