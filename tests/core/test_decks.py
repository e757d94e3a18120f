"""Decks: the "::" tree, renaming and deleting subtrees, options inherited from parents,
and parent counts that include their children."""

from __future__ import annotations

import pytest

from studyapp.core import decks, notes, queue
from studyapp.core.errors import UserError
from studyapp.core.options import DEFAULTS, DeckOptions, option_problems
from tests.helpers import add_basic


def names(col) -> list[str]:
    return [d.name for d in decks.all_decks(col)]


# --- the tree -------------------------------------------------------------------------------


def test_get_or_create_makes_missing_parents(col):
    leaf = decks.get_or_create(col, "ICD-10-CM::Chapter 4::Diabetes")
    assert names(col) == ["ICD-10-CM", "ICD-10-CM::Chapter 4", "ICD-10-CM::Chapter 4::Diabetes"]
    top = decks.by_name(col, "ICD-10-CM")
    middle = decks.by_name(col, "ICD-10-CM::Chapter 4")
    assert top.parent_id is None
    assert middle.parent_id == top.id
    assert decks.get(col, leaf).parent_id == middle.id
    assert decks.get(col, leaf).short_name == "Diabetes"
    assert decks.get(col, leaf).depth == 2


def test_get_or_create_returns_the_existing_deck(col):
    first = decks.get_or_create(col, "A::B")
    assert decks.get_or_create(col, " A :: B ") == first
    assert len(decks.all_decks(col)) == 2


@pytest.mark.parametrize("bad", ["", "   ", "A::", "::A", "A::::B", "A:: ::B"])
def test_empty_name_parts_are_refused(col, bad):
    with pytest.raises(UserError, match="empty"):
        decks.get_or_create(col, bad)
    assert decks.all_decks(col) == []


def test_by_name_and_get_explain_missing_decks(col):
    with pytest.raises(UserError, match="no deck named 'Nope'"):
        decks.by_name(col, "Nope")
    with pytest.raises(UserError, match="no deck with id 42"):
        decks.get(col, 42)
    assert decks.find(col, "Nope") is None


def test_subtree_is_the_deck_and_its_descendants_only(col):
    a = decks.get_or_create(col, "A")
    ab = decks.get_or_create(col, "A::B")
    abc = decks.get_or_create(col, "A::B::C")
    decks.get_or_create(col, "AB")  # shares a prefix but is not a child
    decks.get_or_create(col, "B::A")
    assert sorted(decks.subtree_ids(col, a)) == sorted([a, ab, abc])
    assert sorted(decks.subtree_ids(col, ab)) == sorted([ab, abc])


def test_subtree_treats_like_wildcards_literally(col):
    under = decks.get_or_create(col, "A_B")
    decks.get_or_create(col, "AxB::Child")  # `_` would match x in a LIKE pattern
    pct = decks.get_or_create(col, "50%")
    decks.get_or_create(col, "50 and more::Child")
    assert decks.subtree_ids(col, under) == [under]
    assert decks.subtree_ids(col, pct) == [pct]


def test_subtree_is_case_sensitive_like_deck_names(col):
    upper = decks.get_or_create(col, "Math")
    lower_child = decks.get_or_create(col, "math::Sub")
    assert lower_child not in decks.subtree_ids(col, upper)
    add_basic(col, "math::Sub", 2)
    assert decks.card_count(col, upper) == 0
    decks.delete(col, upper)
    assert decks.find(col, "math::Sub") is not None
    assert col.conn.execute("SELECT count(*) FROM cards").fetchone()[0] == 2


def test_subtree_with_non_ascii_names(col):
    top = decks.get_or_create(col, "Café 🩺")
    child = decks.get_or_create(col, "Café 🩺::Sub")
    decks.get_or_create(col, "Café 🩹::Sub")
    decks.get_or_create(col, "CAFÉ 🩺::Sub")
    assert sorted(decks.subtree_ids(col, top)) == sorted([top, child])


def test_card_count_includes_subdecks(col):
    add_basic(col, "P", 2)
    add_basic(col, "P::C1", 3)
    add_basic(col, "P::C1::G", 1)
    add_basic(col, "Other", 4)
    assert decks.card_count(col, decks.by_name(col, "P").id) == 6
    assert decks.card_count(col, decks.by_name(col, "P::C1").id) == 4


def test_rename_moves_subdecks_and_keeps_cards(col):
    add_basic(col, "Old::Child::Leaf", 2)
    old = decks.by_name(col, "Old").id
    decks.rename(col, old, "New::Place")
    assert names(col) == ["New", "New::Place", "New::Place::Child", "New::Place::Child::Leaf"]
    moved = decks.by_name(col, "New::Place")
    assert moved.id == old
    assert moved.parent_id == decks.by_name(col, "New").id
    leaf = decks.by_name(col, "New::Place::Child::Leaf")
    assert decks.card_count(col, leaf.id) == 2
    assert decks.by_name(col, "New::Place::Child").parent_id == old


def test_rename_to_top_level_clears_parent(col):
    child = decks.get_or_create(col, "P::C")
    decks.rename(col, child, "C")
    assert decks.get(col, child).parent_id is None
    assert decks.get(col, child).name == "C"


def test_rename_refuses_existing_name_and_moving_inside_itself(col):
    a = decks.get_or_create(col, "A")
    decks.get_or_create(col, "B")
    with pytest.raises(UserError, match="already exists"):
        decks.rename(col, a, "B")
    with pytest.raises(UserError, match="inside itself"):
        decks.rename(col, a, "A::Inner")
    assert names(col) == ["A", "B"]


def test_delete_removes_subtree_cards_and_orphan_notes(col):
    kept_notes = add_basic(col, "Keep", 1)
    add_basic(col, "Gone", 1)
    add_basic(col, "Gone::Child", 2)
    gone = decks.by_name(col, "Gone").id
    assert decks.delete(col, gone) == 3
    assert names(col) == ["Keep"]
    assert [r[0] for r in col.conn.execute("SELECT id FROM notes")] == kept_notes
    assert col.conn.execute("SELECT count(*) FROM cards").fetchone()[0] == 1


def test_delete_keeps_notes_with_cards_elsewhere(col):
    a = decks.get_or_create(col, "A")
    b = decks.get_or_create(col, "B")
    nid = notes.add_note(col, notes.NewNote(a, "reversible", {"front": "f", "back": "b"}))
    first, second = notes.card_ids(col, nid)
    notes.move_cards(col, [second], b)
    decks.delete(col, a)
    assert notes.get(col, nid).id == nid
    assert notes.card_ids(col, nid) == [second]


# --- options --------------------------------------------------------------------------------


def test_defaults_when_nothing_is_set(col):
    deck = decks.get_or_create(col, "Plain")
    assert decks.effective_options(col, deck) == DeckOptions()
    assert DeckOptions().as_dict() == DEFAULTS


def test_options_are_inherited_from_parents_unless_set(col):
    top = decks.get_or_create(col, "Top")
    mid = decks.get_or_create(col, "Top::Mid")
    leaf = decks.get_or_create(col, "Top::Mid::Leaf")
    decks.set_options(col, top, {"new_per_day": 5, "desired_retention": 0.85})
    decks.set_options(col, mid, {"new_per_day": 8})
    decks.set_options(col, leaf, {"learning_steps": [2, 15, 60]})

    leaf_opts = decks.effective_options(col, leaf)
    assert leaf_opts.new_per_day == 8  # from the parent
    assert leaf_opts.desired_retention == 0.85  # from the grandparent
    assert leaf_opts.learning_steps == (2, 15, 60)  # its own
    assert leaf_opts.reviews_per_day == DEFAULTS["reviews_per_day"]
    assert decks.effective_options(col, top).new_per_day == 5
    assert decks.effective_options(col, top).learning_steps == (1, 10)


def test_own_options_beat_deck_file_suggestions(col):
    top = decks.get_or_create(col, "Top")
    child = decks.get_or_create(col, "Top::Child")
    decks.set_file_options(col, top, {"new_per_day": 30, "maximum_interval": 365})
    assert decks.effective_options(col, child).new_per_day == 30
    decks.set_options(col, top, {"new_per_day": 10})
    assert decks.effective_options(col, child).new_per_day == 10
    assert decks.effective_options(col, child).maximum_interval == 365


def test_clearing_own_option_goes_back_to_inherited(col):
    top = decks.get_or_create(col, "Top")
    child = decks.get_or_create(col, "Top::Child")
    decks.set_options(col, top, {"new_per_day": 3})
    decks.set_options(col, child, {"new_per_day": 50})
    assert decks.effective_options(col, child).new_per_day == 50
    decks.set_options(col, child, {})
    assert decks.own_options(col, child) == {}
    assert decks.effective_options(col, child).new_per_day == 3


def test_queue_uses_the_same_inherited_options(col):
    add_basic(col, "Top::Child", 1)
    top = decks.by_name(col, "Top").id
    child = decks.by_name(col, "Top::Child").id
    decks.set_options(col, top, {"learning_steps": [3], "new_per_day": 4})
    study = queue.StudyQueue(col, top)
    assert study.options[child] == decks.effective_options(col, child)
    assert study.options[child].learning_steps == (3,)


@pytest.mark.parametrize(
    ("options", "fragment"),
    [
        ({"new_per_day": -1}, "new_per_day"),
        ({"new_per_day": 2.5}, "whole number"),
        ({"new_per_day": True}, "whole number"),
        ({"reviews_per_day": "lots"}, "reviews_per_day"),
        ({"desired_retention": 0.5}, "0.70 to 0.99"),
        ({"learning_steps": [0]}, "learning_steps"),
        ({"learning_steps": "1 10"}, "learning_steps"),
        ({"relearning_steps": list(range(1, 13))}, "up to 10"),
        ({"maximum_interval": 0}, "maximum_interval"),
        ({"new_order": "shuffled"}, "random"),
        ({"colour": "red"}, "unknown option 'colour'"),
    ],
)
def test_bad_options_are_refused_with_a_reason(col, options, fragment):
    deck = decks.get_or_create(col, "D")
    decks.set_options(col, deck, {"new_per_day": 9})
    with pytest.raises(UserError, match=fragment):
        decks.set_options(col, deck, options)
    assert decks.own_options(col, deck) == {"new_per_day": 9}


def test_valid_options_have_no_problems():
    assert option_problems(DeckOptions().as_dict()) == []
    assert option_problems({"learning_steps": [0.5, 1440], "desired_retention": 0.99}) == []


def test_unknown_keys_in_stored_layers_are_ignored():
    opts = DeckOptions.from_layers({"new_per_day": 3, "future_setting": 1}, {"new_per_day": 4})
    assert opts.new_per_day == 4


# --- counts in the deck list -----------------------------------------------------------------


def test_parent_counts_include_children(col):
    add_basic(col, "P", 1)
    add_basic(col, "P::C1", 2)
    add_basic(col, "P::C1::G", 3)
    add_basic(col, "P::C2", 4)
    add_basic(col, "Q", 5)
    tree = queue.due_tree(col)
    assert [n.name for n in tree] == ["P", "Q"]
    p = tree[0]
    assert [c.short_name for c in p.children] == ["C1", "C2"]
    assert (p.new, p.children[0].new, p.children[0].children[0].new, p.children[1].new) == (
        10,
        5,
        3,
        4,
    )
    assert tree[1].new == 5
    assert queue.find_counts(tree, decks.by_name(col, "P::C1::G").id).new == 3
    assert queue.find_counts(tree, 9999) is None


def test_empty_decks_show_zero(col):
    decks.get_or_create(col, "Empty::Child")
    (node,) = queue.due_tree(col)
    assert (node.new, node.learning, node.review, node.total) == (0, 0, 0, 0)
    assert node.children[0].total == 0
