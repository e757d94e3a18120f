"""Export to Anki: the .apkg is imported by the real Anki library and checked there."""

from __future__ import annotations

import hashlib
import importlib.util
import json
import os
import sqlite3
import time
import zipfile

import genanki
import pytest
from anki.collection import Collection as AnkiCollection
from anki.collection import ImportAnkiPackageOptions, ImportAnkiPackageRequest
from hypothesis import example, given
from hypothesis import strategies as st

from studyapp import cli
from studyapp.core import decks, notes
from studyapp.core.anki_export import (
    BASIC_MODEL_ID,
    CHOICE_MODEL_ID,
    CLOZE_MODEL_ID,
    REVERSED_MODEL_ID,
    TYPED_MODEL_ID,
    ExportCancelled,
    anki_deck_id,
    anki_guid,
    export_apkg,
)
from studyapp.core.collection import Collection
from studyapp.core.errors import UserError
from tests.helpers import add_basic


@pytest.fixture
def anki(tmp_path):
    folder = tmp_path / "anki"
    folder.mkdir()
    collection = AnkiCollection(str(folder / "collection.anki2"))
    yield collection
    collection.close()


def import_apkg(anki_col: AnkiCollection, path) -> None:
    anki_col.import_anki_package(
        ImportAnkiPackageRequest(package_path=str(path), options=ImportAnkiPackageOptions())
    )


def anki_notes(anki_col: AnkiCollection) -> dict[str, object]:
    """Anki notes keyed by their first field."""
    out = {}
    for note_id in anki_col.find_notes(""):
        note = anki_col.get_note(note_id)
        out[note.fields[0]] = note
    return out


def fill(col) -> dict[str, int]:
    week1 = decks.get_or_create(col, "Course::Week 1")
    sub = decks.get_or_create(col, "Course::Week 1::Ranges")
    week2 = decks.get_or_create(col, "Course::Week 2")
    ids = notes.add_notes(
        col,
        [
            notes.NewNote(
                week1,
                "basic",
                {"front": "E11.9", "back": "Type 2 diabetes", "explanation": "No complications."},
                tags=["icd10", "endocrine"],
            ),
            notes.NewNote(sub, "reversible", {"front": "A00-B99", "back": "Infectious"}),
            notes.NewNote(
                week2,
                "typed",
                {
                    "front": "Code for asthma, unspecified",
                    "answer": "J45.909",
                    "accept": ["J45.90"],
                },
                tags=["respiratory"],
            ),
            notes.NewNote(
                week2,
                "choice",
                {
                    "question": "Which chapter covers neoplasms?",
                    "options": ["Chapter 1", "Chapter 2", "Chapter 3"],
                    "correct": 2,
                    "rationale": "C00-D49 is chapter 2.",
                    "source": "ICD-10-CM 2026",
                },
            ),
            notes.NewNote(
                week2,
                "cloze",
                {"text": "{{c1::Z}} codes are {{c2::factors}} ({{c3::Z00-Z99}})", "extra": "Ch 21"},
            ),
        ],
    )
    return {
        "basic": ids[0],
        "reversible": ids[1],
        "typed": ids[2],
        "choice": ids[3],
        "cloze": ids[4],
    }


def test_everything_imports_into_anki(col, anki, tmp_path):
    fill(col)
    path = tmp_path / "out.apkg"
    result = export_apkg(col, None, path)
    assert (result.notes, result.cards, result.path) == (5, 8, path)  # 1 + 2 + 1 + 1 + 3
    assert list(tmp_path.glob(".*.tmp")) == []

    import_apkg(anki, path)
    assert anki.note_count() == 5
    assert anki.card_count() == 8
    names = {d.name for d in anki.decks.all_names_and_ids()}
    assert {"Course", "Course::Week 1", "Course::Week 1::Ranges", "Course::Week 2"} <= names

    by_front = anki_notes(anki)
    basic = by_front["E11.9"]
    assert basic.note_type()["id"] == BASIC_MODEL_ID
    assert basic.note_type()["name"] == "Coding Study — Basic"
    assert basic["Back"] == "Type 2 diabetes"
    assert basic["Explanation"] == "No complications."
    assert sorted(basic.tags) == ["endocrine", "icd10"]
    assert [anki.decks.name(c.did) for c in basic.cards()] == ["Course::Week 1"]

    reversible = by_front["A00-B99"]
    assert reversible.note_type()["id"] == REVERSED_MODEL_ID
    assert reversible.note_type()["name"] == "Coding Study — Basic (and reversed card)"
    assert len(reversible.cards()) == 2
    assert {anki.decks.name(c.did) for c in reversible.cards()} == {"Course::Week 1::Ranges"}

    typed = by_front["Code for asthma, unspecified"]
    assert typed.note_type()["id"] == TYPED_MODEL_ID
    assert typed["Answer"] == "J45.909"
    assert typed["Accepted"] == "J45.90"
    assert typed.tags == ["respiratory"]
    template = typed.note_type()["tmpls"][0]
    assert "{{type:Answer}}" in template["qfmt"]
    assert "{{type:Answer}}" in template["afmt"]

    choice = by_front["Which chapter covers neoplasms?"]
    assert choice.note_type()["id"] == CHOICE_MODEL_ID
    assert "<li>Chapter 1</li><li>Chapter 2</li><li>Chapter 3</li>" in choice["Options"]
    assert choice["Answer"] == "2. Chapter 2"
    assert choice["Rationale"] == "C00-D49 is chapter 2."
    assert choice["Source"] == "ICD-10-CM 2026"
    card = choice.cards()[0]
    assert "Chapter 3" in card.question()
    assert "2. Chapter 2" in card.answer() and "C00-D49" in card.answer()

    cloze = by_front["{{c1::Z}} codes are {{c2::factors}} ({{c3::Z00-Z99}})"]
    assert cloze.note_type()["id"] == CLOZE_MODEL_ID
    assert cloze.note_type()["name"] == "Coding Study — Cloze"
    assert cloze["Extra"] == "Ch 21"
    assert sorted(c.ord for c in cloze.cards()) == [0, 1, 2]

    css = basic.note_type()["css"]
    assert ".nightMode" in css and ".cloze" in css


def test_reexport_updates_edited_notes_and_adds_new_ones(col, anki, clock, tmp_path):
    ids = fill(col)
    path = tmp_path / "out.apkg"
    export_apkg(col, None, path)
    import_apkg(anki, path)
    note_types_before = len(anki.models.all_names_and_ids())
    assert anki.note_count() == 5

    clock.advance(minutes=10)
    notes.update(
        col,
        ids["basic"],
        {"front": "E11.9", "back": "Type 2 diabetes mellitus without complications"},
    )
    deck_id = decks.by_name(col, "Course::Week 2").id
    notes.add_note(col, notes.NewNote(deck_id, "basic", {"front": "I10", "back": "Hypertension"}))
    export_apkg(col, None, path)
    import_apkg(anki, path)

    assert anki.note_count() == 6
    assert anki.card_count() == 9
    by_front = anki_notes(anki)
    assert by_front["E11.9"]["Back"] == "Type 2 diabetes mellitus without complications"
    assert by_front["I10"]["Back"] == "Hypertension"
    assert len(anki.models.all_names_and_ids()) == note_types_before  # no duplicate note types
    names = [d.name for d in anki.decks.all_names_and_ids()]
    assert len(names) == len(set(names)) and names.count("Course::Week 2") == 1


def test_ids_are_stable_between_exports(col, tmp_path):
    fill(col)
    first, second = tmp_path / "a.apkg", tmp_path / "b.apkg"
    export_apkg(col, None, first)
    export_apkg(col, None, second)

    def identity(path):
        with zipfile.ZipFile(path) as archive:
            (tmp_path / "x.anki2").write_bytes(archive.read("collection.anki2"))
        db = sqlite3.connect(tmp_path / "x.anki2")
        try:
            deck_json, model_json = db.execute("SELECT decks, models FROM col").fetchone()
            guids = sorted(r[0] for r in db.execute("SELECT guid FROM notes"))
        finally:
            db.close()
        deck_ids = {d["name"]: d["id"] for d in json.loads(deck_json).values()}
        return deck_ids, sorted(json.loads(model_json)), guids

    assert identity(first) == identity(second)
    deck_ids, model_ids, guids = identity(first)
    assert deck_ids["Course::Week 2"] == anki_deck_id("Course::Week 2")
    assert all(
        (1 << 30) <= anki_deck_id(name) < (1 << 31) for name in deck_ids if name != "Default"
    )
    assert len(guids) == 5


def test_a_deck_brings_its_subtree_only(col, anki, tmp_path):
    fill(col)
    week1 = decks.by_name(col, "Course::Week 1").id
    path = tmp_path / "week1.apkg"
    result = export_apkg(col, [week1], path)
    assert (result.notes, result.cards) == (2, 3)
    import_apkg(anki, path)
    assert set(anki_notes(anki)) == {"E11.9", "A00-B99"}
    names = {d.name for d in anki.decks.all_names_and_ids()}
    assert "Course::Week 2" not in names


def test_cards_keep_their_own_deck(col, anki, tmp_path):
    ids = fill(col)
    other = decks.get_or_create(col, "Elsewhere")
    notes.move_cards(col, [notes.card_ids(col, ids["reversible"])[1]], other)
    path = tmp_path / "out.apkg"
    export_apkg(col, None, path)
    import_apkg(anki, path)
    cards = anki_notes(anki)["A00-B99"].cards()
    assert {c.ord: anki.decks.name(c.did) for c in cards} == {
        0: "Course::Week 1::Ranges",
        1: "Elsewhere",
    }


def test_ten_thousand_notes(col, anki, tmp_path):
    deck_id = decks.get_or_create(col, "Big::Deck")
    notes.add_notes(
        col,
        [
            notes.NewNote(deck_id, "basic", {"front": f"Q{i}", "back": f"A{i}"}, tags=["bulk"])
            for i in range(10_000)
        ],
    )
    path = tmp_path / "big.apkg"
    seen: list[tuple[int, int]] = []
    start = time.perf_counter()
    result = export_apkg(col, None, path, progress=lambda done, total: seen.append((done, total)))
    elapsed = time.perf_counter() - start
    assert (result.notes, result.cards) == (10_000, 10_000)
    assert seen[0] == (0, 10_000) and seen[-1] == (10_000, 10_000)
    assert elapsed < 10, f"exporting 10,000 notes took {elapsed:.1f}s"
    import_apkg(anki, path)
    assert anki.note_count() == 10_000
    assert anki.card_count() == 10_000


def test_empty_selection_is_a_clear_error(col, tmp_path):
    empty = decks.get_or_create(col, "Empty")
    path = tmp_path / "out.apkg"
    with pytest.raises(UserError, match="nothing to export"):
        export_apkg(col, [empty], path)
    with pytest.raises(UserError, match="nothing to export"):
        export_apkg(col, None, path)
    assert list(tmp_path.glob("*.apkg")) == [] and list(tmp_path.glob(".*")) == []


def test_unknown_deck_id_is_a_user_error(col, tmp_path):
    add_basic(col, "Deck", 1)
    with pytest.raises(UserError):
        export_apkg(col, [987654], tmp_path / "out.apkg")


@pytest.mark.parametrize("where", ["missing_folder", "parent_is_file", "target_is_folder"])
def test_unwritable_path_leaves_nothing_behind(col, tmp_path, where):
    add_basic(col, "Deck", 3)
    if where == "missing_folder":
        path = tmp_path / "no such folder" / "out.apkg"
    elif where == "parent_is_file":
        (tmp_path / "plain.txt").write_text("not a folder")
        path = tmp_path / "plain.txt" / "out.apkg"
    else:
        (tmp_path / "out.apkg").mkdir()
        path = tmp_path / "out.apkg"
    before = set(tmp_path.rglob("*"))
    with pytest.raises(UserError, match="Cannot write"):
        export_apkg(col, None, path)
    assert set(tmp_path.rglob("*")) == before


def test_cancel_leaves_nothing_behind(col, tmp_path):
    add_basic(col, "Deck", 600)
    path = tmp_path / "out.apkg"
    calls = []

    def cancelled() -> bool:
        calls.append(1)
        return len(calls) > 1

    with pytest.raises(ExportCancelled):
        export_apkg(col, None, path, cancelled=cancelled)
    assert not path.exists()
    assert list(tmp_path.glob(".*.tmp")) == []


def test_failed_export_keeps_the_previous_file(col, tmp_path):
    add_basic(col, "Deck", 2)
    path = tmp_path / "out.apkg"
    path.write_bytes(b"previous export")
    with pytest.raises(ExportCancelled):
        export_apkg(col, None, path, cancelled=lambda: True)
    assert path.read_bytes() == b"previous export"


def test_written_file_gets_normal_permissions(col, tmp_path):
    add_basic(col, "Deck", 1)
    umask = os.umask(0o022)
    os.umask(umask)
    path = tmp_path / "out.apkg"
    export_apkg(col, None, path)
    assert path.stat().st_mode & 0o777 == 0o666 & ~umask


def package_db(path, tmp_path) -> sqlite3.Connection:
    with zipfile.ZipFile(path) as archive:
        (tmp_path / "package.anki2").write_bytes(archive.read("collection.anki2"))
    return sqlite3.connect(tmp_path / "package.anki2")


@given(st.text())
@example("")
@example("6f1c2a4e-0000-4000-8000-0000000be4c7:n1")
def test_anki_guid_is_genankis(guid):
    assert anki_guid(guid) == genanki.guid_for("studyapp-note", guid)


def test_rows_keep_suspension_position_tags_and_mtime(col, clock, tmp_path):
    ids = fill(col)
    reversible_cards = notes.card_ids(col, ids["reversible"])
    notes.set_suspended(col, reversible_cards[1:], True)
    positions = dict(col.conn.execute("SELECT note_id, MIN(position) FROM cards GROUP BY note_id"))
    modified = dict(col.conn.execute("SELECT id, modified FROM notes"))
    (cloze_sort,) = col.conn.execute(
        "SELECT sort_field FROM notes WHERE id = ?", (ids["cloze"],)
    ).fetchone()
    path = tmp_path / "out.apkg"
    export_apkg(col, None, path)

    db = package_db(path, tmp_path)
    try:
        rows = db.execute(
            "SELECT n.id, n.sfld, n.mod, n.tags, n.csum, c.id, c.ord, c.queue, c.due, c.type"
            " FROM notes n JOIN cards c ON c.nid = n.id ORDER BY c.id"
        ).fetchall()
        assert db.execute("PRAGMA integrity_check").fetchone() == ("ok",)
        indexes = {r[0] for r in db.execute("SELECT name FROM sqlite_master WHERE type='index'")}
    finally:
        db.close()
    assert {"ix_notes_usn", "ix_notes_csum", "ix_cards_nid", "ix_cards_sched"} <= indexes
    by_sort = {}
    for note_id, sfld, mod, tags, csum, card_id, ord_, queue, due, type_ in rows:
        by_sort.setdefault(sfld, []).append((ord_, queue, due))
        assert card_id > note_id and type_ == 0
        assert csum == int(hashlib.sha1(sfld.encode()).hexdigest()[:8], 16)
        if sfld == "E11.9":
            assert tags == " icd10 endocrine " or tags == " endocrine icd10 "
            assert mod == modified[ids["basic"]]
    first = positions[ids["reversible"]]
    assert by_sort["A00-B99"] == [(0, 0, first), (1, -1, first)]
    assert by_sort["E11.9"] == [(0, 0, positions[ids["basic"]])]
    assert [c[0] for c in by_sort[cloze_sort]] == [0, 1, 2]
    assert len(rows) == 8


def test_progress_counts_every_batch_of_notes(col, tmp_path):
    add_basic(col, "Deck", 600)
    seen: list[tuple[int, int]] = []
    export_apkg(col, None, tmp_path / "out.apkg", progress=lambda d, t: seen.append((d, t)))
    assert seen == [(0, 600), (250, 600), (500, 600), (600, 600)]


def test_cancel_while_writing_leaves_nothing_behind(col, tmp_path):
    add_basic(col, "Deck", 600)
    path = tmp_path / "out.apkg"
    path.write_bytes(b"previous export")
    seen: list[tuple[int, int]] = []

    def cancelled() -> bool:
        return bool(seen) and seen[-1][0] >= 250  # after the first batch is in the package

    with pytest.raises(ExportCancelled):
        export_apkg(col, None, path, progress=lambda d, t: seen.append((d, t)), cancelled=cancelled)
    assert seen == [(0, 600), (250, 600)]
    assert path.read_bytes() == b"previous export"
    assert list(tmp_path.glob(".*.tmp")) == []


# --- command line ---------------------------------------------------------------------------


@pytest.fixture
def importable_commands(monkeypatch):
    """Only command modules that exist (other commands may be built separately)."""
    assert "studyapp.commands.export" in cli.COMMAND_MODULES
    present = [m for m in cli.COMMAND_MODULES if importlib.util.find_spec(m) is not None]
    monkeypatch.setattr(cli, "COMMAND_MODULES", present)


def test_cli_exports_a_deck(col, tmp_path, capsys, importable_commands):
    fill(col)
    col.close()
    out = tmp_path / "course.apkg"
    data_dir = str(tmp_path)  # the `col` fixture's file is tmp_path/collection.sqlite
    code = cli.main(["--data-dir", data_dir, "export", "anki", "Course::Week 2", "-o", str(out)])
    assert code == 0
    assert capsys.readouterr().out.strip() == f"Exported 3 notes (5 cards) to {out}"
    assert out.exists()

    code = cli.main(["--data-dir", data_dir, "export", "anki", "--all", "-o", str(out)])
    assert code == 0
    assert "Exported 5 notes (8 cards)" in capsys.readouterr().out


def test_cli_errors(col, tmp_path, capsys, importable_commands):
    fill(col)
    col.close()
    out = tmp_path / "x.apkg"
    base = ["--data-dir", str(tmp_path), "export", "anki"]
    assert cli.main([*base, "No such deck", "-o", str(out)]) == 1
    assert "There is no deck named 'No such deck'" in capsys.readouterr().err
    assert cli.main([*base, "-o", str(out)]) == 1
    assert "--all" in capsys.readouterr().err
    assert cli.main([*base, "Course", "--all", "-o", str(out)]) == 1
    assert "not both" in capsys.readouterr().err
    assert not out.exists()


def test_cli_help_mentions_all(importable_commands, capsys):
    with pytest.raises(SystemExit):
        cli.main(["export", "anki", "--help"])
    assert "--all" in capsys.readouterr().out


def test_unknown_kind_is_a_user_error(col, tmp_path):
    ids = fill(col)
    col.conn.execute("UPDATE notes SET kind = 'diagram' WHERE id = ?", (ids["basic"],))
    path = tmp_path / "out.apkg"
    with pytest.raises(UserError, match="unknown kind 'diagram'"):
        export_apkg(col, None, path)
    assert not path.exists()
    assert list(tmp_path.glob(".*.tmp")) == []


def test_a_collection_opened_by_relative_path_exports_after_a_change_of_folder(
    tmp_path, monkeypatch
):
    (tmp_path / "data").mkdir()
    (tmp_path / "elsewhere").mkdir()
    monkeypatch.chdir(tmp_path)
    col = Collection("data/collection.sqlite")
    try:
        add_basic(col, "Deck", 3)
        monkeypatch.chdir(tmp_path / "elsewhere")  # the relative path now names nothing
        result = export_apkg(col, None, tmp_path / "out.apkg")
    finally:
        col.close()
    assert (result.notes, result.cards) == (3, 3)
    db = package_db(tmp_path / "out.apkg", tmp_path)
    try:
        assert db.execute("SELECT count(*) FROM notes").fetchone() == (3,)
    finally:
        db.close()
