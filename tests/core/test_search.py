"""The search syntax, element by element, against a small known collection."""

from __future__ import annotations

import re

import pytest
from hypothesis import given
from hypothesis import strategies as st

from studyapp.core import decks, notes, search, search_index
from studyapp.core.errors import UserError


@pytest.fixture
def known(col):
    """Five notes in three decks; returns {label: card id}."""
    chapters = decks.get_or_create(col, "ICD-10-CM::Chapters")
    resp = decks.get_or_create(col, "ICD-10-CM::Chapters::Respiratory")
    other = decks.get_or_create(col, "Terms")
    ids = notes.add_notes(
        col,
        [
            notes.NewNote(
                chapters, "basic", {"front": "Type 2 Diabetes", "back": "E11.9"}, ["endo"]
            ),
            notes.NewNote(resp, "typed", {"front": "Mild asthma", "answer": "J45.909"}, ["resp"]),
            notes.NewNote(
                resp, "typed", {"front": "Asthma, unspecified", "answer": "J45"}, ["resp", "core"]
            ),
            notes.NewNote(
                other, "basic", {"front": "NEC means", "back": "Not elsewhere classifiable"}
            ),
            notes.NewNote(other, "cloze", {"text": "Code {{c1::J44.1}} is COPD with exacerbation"}),
        ],
    )
    labels = ["diabetes", "asthma_mild", "asthma", "nec", "copd"]
    cards = {label: notes.card_ids(col, nid)[0] for label, nid in zip(labels, ids, strict=True)}
    return cards


def found(col, known, query):
    by_id = {v: k for k, v in known.items()}
    return {by_id[c] for c in search.search_cards(col, query)}


def test_empty_query_matches_everything(col, known):
    assert found(col, known, "") == set(known)
    assert search.count(col, "  ") == 5


def test_free_text_is_case_insensitive(col, known):
    assert found(col, known, "ASTHMA") == {"asthma_mild", "asthma"}
    assert found(col, known, "elsewhere") == {"nec"}
    assert found(col, known, '"type 2"') == {"diabetes"}
    assert found(col, known, "100%") == set()


def test_code_exact_and_dot_insensitive(col, known):
    assert found(col, known, "J45") == {"asthma"}
    assert found(col, known, "j45.909") == {"asthma_mild"}
    assert found(col, known, "J45909") == {"asthma_mild"}
    assert found(col, known, "E119") == {"diabetes"}
    assert found(col, known, "E11") == set()


def test_code_prefix(col, known):
    assert found(col, known, "J45*") == {"asthma", "asthma_mild"}
    assert found(col, known, "E11.*") == {"diabetes"}
    assert found(col, known, "J4*") == {"asthma", "asthma_mild", "copd"}


def test_deck_includes_subdecks(col, known):
    assert found(col, known, 'deck:"ICD-10-CM::Chapters"') == {"diabetes", "asthma", "asthma_mild"}
    assert found(col, known, "deck:ICD-10-CM::Chapters::Respiratory") == {"asthma", "asthma_mild"}
    assert found(col, known, "deck:terms") == {"nec", "copd"}
    assert found(col, known, "deck:ICD*") == {"diabetes", "asthma", "asthma_mild"}
    assert found(col, known, "deck:ICD-10") == set()  # not a prefix of a name without *


def test_tags(col, known):
    assert found(col, known, "tag:resp") == {"asthma", "asthma_mild"}
    assert found(col, known, "tag:core") == {"asthma"}
    assert found(col, known, "tag:re*") == {"asthma", "asthma_mild"}
    assert found(col, known, "tag:res") == set()


def test_states(col, known, clock):
    now = int(clock.now().timestamp())
    col.conn.execute("UPDATE cards SET state = 2, due = ? WHERE id = ?", (now - 60, known["nec"]))
    col.conn.execute(
        "UPDATE cards SET state = 2, due = ? WHERE id = ?", (now + 30 * 86400, known["copd"])
    )
    col.conn.execute("UPDATE cards SET state = 1, due = ? WHERE id = ?", (now, known["asthma"]))
    col.conn.execute("UPDATE cards SET suspended = 1 WHERE id = ?", (known["diabetes"],))
    assert found(col, known, "is:due") == {"nec", "asthma"}
    assert found(col, known, "is:new") == {"diabetes", "asthma_mild"}
    assert found(col, known, "is:review") == {"nec", "copd"}
    assert found(col, known, "is:learning") == {"asthma"}
    assert found(col, known, "is:suspended") == {"diabetes"}


def test_kind(col, known):
    assert found(col, known, "kind:typed") == {"asthma", "asthma_mild"}
    assert found(col, known, "kind:cloze") == {"copd"}


def test_negation_and_combinations(col, known):
    assert found(col, known, "-tag:resp") == {"diabetes", "nec", "copd"}
    assert found(col, known, "asthma -J45") == {"asthma_mild"}
    assert found(col, known, "deck:Terms kind:basic") == {"nec"}
    assert found(col, known, "J45 or E11.9") == {"asthma", "diabetes"}
    assert found(col, known, "(J45 or E11.9) -tag:endo") == {"asthma"}
    assert found(col, known, "kind:typed OR deck:terms -kind:cloze") == {
        "asthma",
        "asthma_mild",
        "nec",
    }


def test_order_and_limit(col, known):
    ids = search.search_cards(col, "", order="sort")
    assert ids[0] == known["asthma"]  # "Asthma, unspecified" sorts first
    assert len(search.search_cards(col, "", limit=2)) == 2


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("is:funny", "is:funny is not known"),
        ("kind:essay", "kind:essay is not known"),
        ("colour:red", "not a search field"),
        ("(J45", "not closed"),
        ("J45)", "no matching"),
        ('"open', "quote is not closed"),
        ("J45 or", "ends where a term"),
        ("deck:", "needs a value"),
    ],
)
def test_parse_errors_explain(col, known, query, message):
    with pytest.raises(UserError, match=message):
        search.search_cards(col, query)


# --- the search index -------------------------------------------------------------------------


def _note(col, deck, fields, kind="basic"):
    return notes.card_ids(col, notes.add_note(col, notes.NewNote(deck, kind, fields)))[0]


def test_free_text_ignores_markup_and_folds_any_case(col):
    deck = decks.get_or_create(col, "D")
    html = _note(col, deck, {"front": "Type <b>2</b>&nbsp;diabetes", "back": "I&amp;D done"})
    accents = _note(col, deck, {"front": "ÉCHOGRAPHIE", "back": "x"})
    assert search.search_cards(col, '"type 2 diabetes"') == [html]
    assert search.search_cards(col, "I&D") == [html]
    assert search.search_cards(col, "échographie") == [accents]
    # JSON keys and tags are not note text
    assert search.search_cards(col, "front") == []
    assert search.search_cards(col, "nbsp") == []


def test_glob_characters_in_free_text_are_literal(col):
    deck = decks.get_or_create(col, "D")
    star = _note(col, deck, {"front": "a*b [x] why?", "back": "-"})
    plain = _note(col, deck, {"front": "aXXb x why", "back": "-"})
    assert search.search_cards(col, '"a*b"') == [star]
    assert search.search_cards(col, '"[x]"') == [star]
    assert search.search_cards(col, "why?") == [star]
    assert search.search_cards(col, "why") == [star, plain]


def test_codes_are_found_in_every_field_and_list(col):
    deck = decks.get_or_create(col, "D")
    choice = _note(
        col,
        deck,
        {"question": "Which?", "options": ["K21.9", "K20.0", "K22.2"], "correct": 1},
        kind="choice",
    )
    multiline = _note(col, deck, {"front": "Codes", "back": "first line\nJ44.1 second"})
    assert search.search_cards(col, "K20.0") == [choice]
    assert search.search_cards(col, "K2*") == [choice]
    assert search.search_cards(col, "J441") == [multiline]
    assert search.search_cards(col, "J44") == []


def test_the_index_follows_edits_and_deletes(col):
    deck = decks.get_or_create(col, "D")
    card = _note(col, deck, {"front": "Gout", "back": "M10.9"})
    note_id = col.conn.execute("SELECT note_id FROM cards WHERE id = ?", (card,)).fetchone()[0]
    notes.update(col, note_id, {"front": "Pseudogout", "back": "M11.20"})
    assert search.search_cards(col, "M10.9") == []
    assert search.search_cards(col, "M11.2*") == [card]
    assert search.search_cards(col, "pseudo") == [card]
    notes.delete_notes(col, [note_id])
    assert col.conn.execute("SELECT count(*) FROM note_search").fetchone()[0] == 0


def test_check_rebuilds_a_damaged_index(col):
    from studyapp.core.check import check_database

    deck = decks.get_or_create(col, "D")
    kept = _note(col, deck, {"front": "Gout", "back": "M10.9"})
    lost = _note(col, deck, {"front": "Rickets", "back": "E55.0"})
    col.conn.execute("UPDATE note_search SET text = 'nothing', codes = ''")
    col.conn.execute(
        "DELETE FROM note_search WHERE note_id = (SELECT note_id FROM cards WHERE id = ?)",
        (lost,),
    )
    assert search.search_cards(col, "gout") == []
    report = check_database(col)
    assert any("search index" in line for line in report.found)
    assert report.ok
    assert search.search_cards(col, "gout") == [kept]
    assert search.search_cards(col, "E55.0") == [lost]
    assert check_database(col).clean


def test_order_created_is_card_creation_order_with_and_without_limit(col, known):
    ids = search.search_cards(col, "")
    assert ids == sorted(known.values())
    assert search.search_cards(col, "", limit=3) == ids[:3]


@given(st.text(alphabet=st.sampled_from("aZ09. -\n<>&;éK"), max_size=40))
def test_code_tokens_are_the_letter_digit_runs_that_hold_a_digit(text):
    folded = text.casefold()
    runs = re.findall(r"[a-z0-9]+", folded.replace(".", ""))
    expected = sorted({run.upper() for run in runs if any(ch.isdigit() for ch in run)})
    assert search_index.code_tokens(folded).split() == expected


def test_index_row_does_not_depend_on_field_order():
    a = search_index.index_row(1, {"front": "Gout <b>M10.9</b>", "back": "x &amp; y"})
    b = search_index.index_row(1, {"back": "x &amp; y", "front": "Gout <b>M10.9</b>"})
    assert a == b == (1, " M109 ", "x & y\ngout m10.9")
