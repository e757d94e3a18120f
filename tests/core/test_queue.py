"""Today's queue and the deck-list counts: order, learn-ahead, the study day's rollover hour,
siblings, daily limits (a parent's capping its children), suspended and buried cards."""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta, timezone

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from studyapp.core import decks, notes, scheduling
from studyapp.core.clock import day_start, next_day_start
from studyapp.core.options import DeckOptions
from studyapp.core.queue import LEARN_AHEAD, StudyQueue, _spread, due_tree, find_counts
from studyapp.core.scheduling import GOOD, LEARNING, NEW, RELEARNING, REVIEW
from tests.helpers import add_basic

DAY = 86400


def ts(moment: datetime) -> int:
    return int(moment.timestamp())


def cards_in(col, deck: str) -> list[int]:
    deck_id = decks.by_name(col, deck).id
    return [
        r[0]
        for r in col.conn.execute("SELECT id FROM cards WHERE deck_id = ? ORDER BY id", (deck_id,))
    ]


def new_cards(col, deck: str, count: int) -> list[int]:
    add_basic(col, deck, count)
    return cards_in(col, deck)[-count:]


def set_review(col, card_id: int, due: int) -> None:
    col.conn.execute(
        "UPDATE cards SET state = 2, step = NULL, stability = 5, difficulty = 5, due = ?,"
        " last_review = ?, reps = 2 WHERE id = ?",
        (due, due - 5 * DAY, card_id),
    )


def set_learning(col, card_id: int, due: int, state: int = LEARNING) -> None:
    col.conn.execute(
        "UPDATE cards SET state = ?, step = 0, stability = 1, difficulty = 5, due = ?,"
        " last_review = ?, reps = 1 WHERE id = ?",
        (state, due, due - 60, card_id),
    )


def counts(col, deck: str) -> tuple[int, int, int]:
    node = find_counts(due_tree(col), decks.by_name(col, deck).id)
    assert node is not None
    return node.new, node.learning, node.review


def study(col, deck: str) -> StudyQueue:
    return StudyQueue(col, decks.by_name(col, deck).id)


def drain(q: StudyQueue, now: datetime) -> list[int]:
    """Show every card once, as if each was answered and went out of today's queue."""
    shown = []
    while (card_id := q.next_card(now)) is not None:
        shown.append(card_id)
        q.answered(card_id, REVIEW, ts(now) + 30 * DAY)
    return shown


def answer(col, card_id: int, rating: int = GOOD, origin: int = 0):
    return scheduling.answer_card(col, card_id, rating, DeckOptions(), origin=origin)


# --- order ----------------------------------------------------------------------------------


def test_learning_due_now_first_then_reviews_with_new_spread_among_them(col, clock):
    now = ts(clock.now())
    reviews = new_cards(col, "D", 4)
    for hours_ago, card_id in zip([1, 4, 3, 2], reviews, strict=True):
        set_review(col, card_id, now - hours_ago * 3600)
    new = new_cards(col, "D", 2)
    (learning,) = new_cards(col, "D", 1)
    set_learning(col, learning, now - 60)

    q = study(col, "D")
    assert q.counts() == (2, 1, 4)
    by_due = [reviews[1], reviews[2], reviews[3], reviews[0]]  # most overdue first
    assert drain(q, clock.now()) == [
        learning,
        by_due[0],
        by_due[1],
        new[0],
        by_due[2],
        by_due[3],
        new[1],
    ]
    assert q.counts() == (0, 0, 0)


def test_new_cards_come_in_file_order(col):
    cards = new_cards(col, "D", 6)
    col.conn.execute("UPDATE cards SET position = 100 - id")  # reverse the file order
    assert drain(study(col, "D"), col.now()) == list(reversed(cards))


def test_random_new_order_is_a_stable_shuffle(col):
    cards = new_cards(col, "D", 30)
    decks.set_options(col, decks.by_name(col, "D").id, {"new_order": "random", "new_per_day": 30})
    first = drain(study(col, "D"), col.now())
    assert sorted(first) == cards
    assert first != cards
    assert drain(study(col, "D"), col.now()) == first


def test_learning_cards_due_later_wait_for_their_time(col, clock):
    now = ts(clock.now())
    (review,) = new_cards(col, "D", 1)
    set_review(col, review, now - DAY)
    (later,) = new_cards(col, "D", 1)
    set_learning(col, later, now + 5 * 60)
    q = study(col, "D")
    # a learning card due in 5 minutes does not jump ahead of a review that is due now
    assert q.next_card(clock.now()) == review
    q.answered(review, REVIEW, now + 10 * DAY)
    # nothing else left: within the 20 minute learn-ahead it is shown early
    assert q.next_card(clock.now()) == later


def test_learn_ahead_is_twenty_minutes_when_nothing_else_is_left(col, clock):
    assert LEARN_AHEAD.total_seconds() == 20 * 60
    now = ts(clock.now())
    (card_id,) = new_cards(col, "D", 1)
    set_learning(col, card_id, now + 20 * 60 + 1)
    q = study(col, "D")
    assert q.counts() == (0, 1, 0)
    assert q.next_card(clock.now()) is None
    assert q.next_learning_due() == now + 20 * 60 + 1
    assert q.next_card(clock.now() + timedelta(seconds=1)) == card_id
    assert q.next_card(clock.now() + timedelta(minutes=30)) == card_id


def test_learning_cards_answered_again_come_back_in_order(col, clock):
    now = ts(clock.now())
    a, b = new_cards(col, "D", 2)
    set_learning(col, a, now - 120)
    set_learning(col, b, now - 60)
    q = study(col, "D")
    assert q.next_card(clock.now()) == a
    q.answered(a, LEARNING, now + 600)
    assert q.next_card(clock.now()) == b
    q.answered(b, RELEARNING, now + 300)
    assert q.learning == [(now + 300, b), (now + 600, a)]
    # graduating (or being due after the day ends) takes a card out of today's queue
    q.answered(b, LEARNING, ts(col.today_end()) + 1)
    assert q.learning == [(now + 600, a)]


# --- the study day --------------------------------------------------------------------------


def test_day_runs_from_the_rollover_hour(col, clock):
    assert col.rollover_hour == 4
    assert col.today_start() == datetime(2026, 3, 10, 4, tzinfo=UTC)
    assert col.today_end() == datetime(2026, 3, 11, 4, tzinfo=UTC)
    clock.set(datetime(2026, 3, 11, 3, 59, tzinfo=UTC))  # still "yesterday"
    assert col.today_start() == datetime(2026, 3, 10, 4, tzinfo=UTC)
    clock.set(datetime(2026, 3, 11, 4, 0, tzinfo=UTC))
    assert col.today_start() == datetime(2026, 3, 11, 4, tzinfo=UTC)
    col.config_set("day_start_hour", 0)
    assert col.today_end() == datetime(2026, 3, 12, 0, tzinfo=UTC)


def test_review_due_before_the_rollover_is_shown_today(col):
    (card_id,) = new_cards(col, "D", 1)
    set_review(col, card_id, ts(datetime(2026, 3, 11, 3, 0, tzinfo=UTC)))  # 03:00 tomorrow
    assert counts(col, "D") == (0, 0, 1)
    assert drain(study(col, "D"), col.now()) == [card_id]

    col.config_set("day_start_hour", 2)  # the day now ends at 02:00
    assert counts(col, "D") == (0, 0, 0)
    assert drain(study(col, "D"), col.now()) == []

    col.config_set("day_start_hour", 3)  # due exactly when the next day starts: tomorrow
    assert counts(col, "D") == (0, 0, 0)
    col.config_set("day_start_hour", 5)
    assert counts(col, "D") == (0, 0, 1)


def test_learning_due_before_the_rollover_counts_today(col):
    (card_id,) = new_cards(col, "D", 1)
    set_learning(col, card_id, ts(datetime(2026, 3, 11, 3, 30, tzinfo=UTC)))
    assert counts(col, "D") == (0, 1, 0)
    col.config_set("day_start_hour", 3)
    assert counts(col, "D") == (0, 0, 0)


def test_daily_limits_start_again_at_the_rollover(col, clock):
    cards = new_cards(col, "D", 5)
    decks.set_options(col, decks.by_name(col, "D").id, {"new_per_day": 2})
    for card_id in cards[:2]:
        answer(col, card_id)
    assert counts(col, "D")[0] == 0
    clock.set(datetime(2026, 3, 11, 3, 59, tzinfo=UTC))
    assert counts(col, "D")[0] == 0
    clock.set(datetime(2026, 3, 11, 4, 0, tzinfo=UTC))
    assert counts(col, "D")[0] == 2


# --- siblings -------------------------------------------------------------------------------


def reversible(col, deck: str = "D") -> tuple[int, int]:
    deck_id = decks.get_or_create(col, deck)
    note_id = notes.add_note(col, notes.NewNote(deck_id, "reversible", {"front": "f", "back": "b"}))
    first, second = notes.card_ids(col, note_id)
    return first, second


def test_new_siblings_are_not_both_shown_today(col, clock):
    first, second = reversible(col)
    (other,) = new_cards(col, "D", 1)
    assert drain(study(col, "D"), clock.now()) == [first, other]


def test_a_due_review_keeps_its_new_sibling_for_another_day(col, clock):
    first, second = reversible(col)
    set_review(col, second, ts(clock.now()) - 3600)
    assert drain(study(col, "D"), clock.now()) == [second]


def test_sibling_answered_today_keeps_the_other_card_back_until_tomorrow(col, clock):
    first, second = reversible(col)
    answer(col, first, scheduling.EASY)  # graduates: out of today's queue
    assert drain(study(col, "D"), clock.now()) == []
    clock.advance(hours=15)  # 03:00 tomorrow: still the same study day
    assert drain(study(col, "D"), clock.now()) == []
    clock.advance(hours=1)
    assert drain(study(col, "D"), clock.now()) == [second]


def test_learning_card_from_yesterday_keeps_its_sibling_back(col, clock):
    first, second = reversible(col)
    answer(col, first, scheduling.AGAIN)  # learning, due in a minute
    clock.advance(days=1)  # still in learning the next day
    q = study(col, "D")
    assert q.counts() == (0, 1, 0)
    assert drain(q, clock.now()) == [first]


def test_cloze_siblings_one_per_day(col, clock):
    deck_id = decks.get_or_create(col, "D")
    note_id = notes.add_note(
        col, notes.NewNote(deck_id, "cloze", {"text": "{{c1::a}} {{c2::b}} {{c3::c}}"})
    )
    assert drain(study(col, "D"), clock.now()) == notes.card_ids(col, note_id)[:1]


# --- daily limits ---------------------------------------------------------------------------


def test_new_and_review_limits_per_deck(col, clock):
    new_cards(col, "D", 5)
    for card_id in new_cards(col, "D", 4):
        set_review(col, card_id, ts(clock.now()) - 60)
    decks.set_options(col, decks.by_name(col, "D").id, {"new_per_day": 3, "reviews_per_day": 2})
    assert counts(col, "D") == (3, 0, 2)
    assert study(col, "D").counts() == (3, 0, 2)


def test_learning_cards_are_not_limited(col, clock):
    for card_id in new_cards(col, "D", 4):
        set_learning(col, card_id, ts(clock.now()) - 60)
    decks.set_options(col, decks.by_name(col, "D").id, {"new_per_day": 0, "reviews_per_day": 0})
    assert counts(col, "D") == (0, 4, 0)
    assert study(col, "D").counts() == (0, 4, 0)


def test_parent_limit_caps_its_children(col):
    new_cards(col, "P::C1", 3)
    new_cards(col, "P::C2", 5)
    decks.set_options(col, decks.by_name(col, "P").id, {"new_per_day": 4})
    decks.set_options(col, decks.by_name(col, "P::C1").id, {"new_per_day": 20})
    decks.set_options(col, decks.by_name(col, "P::C2").id, {"new_per_day": 20})
    assert counts(col, "P")[0] == 4
    assert counts(col, "P::C1")[0] == 3
    assert counts(col, "P::C2")[0] == 5
    q = study(col, "P")
    assert q.counts()[0] == 4
    # studying a child on its own: the child's own limit (as shown for the child)
    assert study(col, "P::C2").counts()[0] == counts(col, "P::C2")[0]


def test_child_limit_applies_inside_the_parent(col):
    c1 = new_cards(col, "P::C1", 5)
    c2 = new_cards(col, "P::C2", 3)
    decks.set_options(col, decks.by_name(col, "P::C1").id, {"new_per_day": 2})
    assert counts(col, "P::C1")[0] == 2
    assert counts(col, "P")[0] == 5  # 2 from C1 + 3 from C2
    shown = drain(study(col, "P"), col.now())
    assert sorted(shown) == sorted(c1[:2] + c2)


def test_parent_review_limit_caps_children(col, clock):
    for deck in ("P::C1", "P::C2"):
        for card_id in new_cards(col, deck, 3):
            set_review(col, card_id, ts(clock.now()) - 60)
    decks.set_options(col, decks.by_name(col, "P").id, {"reviews_per_day": 4})
    assert counts(col, "P") == (0, 0, 4)
    assert counts(col, "P::C1") == (0, 0, 3)
    assert study(col, "P").counts() == (0, 0, 4)


def test_answers_in_a_child_use_up_the_parent_limit(col):
    c1 = new_cards(col, "P::C1", 5)
    new_cards(col, "P::C2", 5)
    decks.set_options(col, decks.by_name(col, "P").id, {"new_per_day": 6})
    decks.set_options(col, decks.by_name(col, "P::C1").id, {"new_per_day": 3})
    for card_id in c1[:2]:
        answer(col, card_id)
    assert counts(col, "P::C1")[0] == 1
    assert counts(col, "P")[0] == 4
    assert study(col, "P").counts()[0] == 4


def test_undo_gives_the_allowance_back(col):
    cards = new_cards(col, "D", 3)
    decks.set_options(col, decks.by_name(col, "D").id, {"new_per_day": 1})
    result = answer(col, cards[0])
    assert counts(col, "D")[0] == 0
    scheduling.undo_answer(col, result.revlog_id)
    assert counts(col, "D")[0] == 1


def test_exam_answers_do_not_use_the_daily_limit(col):
    cards = new_cards(col, "D", 3)
    decks.set_options(col, decks.by_name(col, "D").id, {"new_per_day": 2})
    answer(col, cards[0], origin=1)
    assert counts(col, "D")[0] == 2


# --- suspended and buried -------------------------------------------------------------------


@pytest.mark.parametrize("state", [NEW, LEARNING, REVIEW, RELEARNING])
def test_suspended_and_buried_cards_are_left_out(col, clock, state):
    now = ts(clock.now())
    normal, suspended, buried, unburied = new_cards(col, "D", 4)
    for card_id in (normal, suspended, buried, unburied):
        if state in (LEARNING, RELEARNING):
            set_learning(col, card_id, now - 60, state)
        elif state == REVIEW:
            set_review(col, card_id, now - 60)
    notes.set_suspended(col, [suspended], True)
    col.conn.execute("UPDATE cards SET buried_until = ? WHERE id = ?", (now + 3600, buried))
    col.conn.execute("UPDATE cards SET buried_until = ? WHERE id = ?", (now, unburied))

    expected = {NEW: (2, 0, 0), LEARNING: (0, 2, 0), RELEARNING: (0, 2, 0), REVIEW: (0, 0, 2)}
    assert counts(col, "D") == expected[state]
    q = study(col, "D")
    assert q.counts() == expected[state]
    assert sorted(drain(q, clock.now())) == [normal, unburied]


# --- spreading new cards --------------------------------------------------------------------


@settings(max_examples=100, deadline=None)
@given(st.integers(0, 40), st.integers(0, 40))
def test_spread_keeps_both_orders_and_spaces_new_cards_evenly(n_reviews, n_new):
    reviews = list(range(n_reviews))
    new = list(range(1000, 1000 + n_new))
    out = _spread(reviews, new)
    assert sorted(out) == sorted(reviews + new)
    assert [c for c in out if c < 1000] == reviews
    assert [c for c in out if c >= 1000] == new
    total = len(out)
    seen_new = 0
    for k, card in enumerate(out, start=1):
        seen_new += card >= 1000
        assert abs(seen_new - k * n_new / total) < 1.5


def test_counts_match_between_deck_list_and_queue(col, clock):
    now = ts(clock.now())
    new_cards(col, "A::B", 7)
    for card_id in new_cards(col, "A", 3):
        set_review(col, card_id, now - 10)
    for card_id in new_cards(col, "A::B", 2):
        set_learning(col, card_id, now + 3600)
    decks.set_options(col, decks.by_name(col, "A::B").id, {"new_per_day": 5})
    for deck in ("A", "A::B"):
        assert counts(col, deck) == study(col, deck).counts()
    assert counts(col, "A") == (5, 2, 3)


@pytest.fixture
def new_york(monkeypatch):
    """The system time zone set to one with daylight saving (restored afterwards)."""
    if not hasattr(time, "tzset"):
        pytest.skip("time.tzset is not available on this platform")
    monkeypatch.setenv("TZ", "America/New_York")
    time.tzset()
    yield
    monkeypatch.undo()
    time.tzset()


def test_the_next_study_day_starts_at_the_rollover_hour_after_a_clock_change(new_york):
    # 2026-03-08: clocks in New York go from 02:00 EST (-5) to 03:00 EDT (-4)
    before_change = datetime(2026, 3, 7, 22, 0).astimezone()  # as SystemClock gives it: -5
    assert before_change.utcoffset() == timedelta(hours=-5)
    assert day_start(before_change, 4) == datetime(2026, 3, 7, 4, tzinfo=timezone(timedelta(hours=-5)))
    # the next day starts at 04:00 local, which is already summer time (08:00 UTC, not 09:00)
    assert next_day_start(before_change, 4) == datetime(2026, 3, 8, 8, tzinfo=UTC)
    # and back in November: 04:00 local on 2026-11-01 is winter time again, 09:00 UTC
    autumn = datetime(2026, 11, 1, 0, 30).astimezone()  # 00:30 EDT, before the change at 02:00
    assert day_start(autumn, 4) == datetime(2026, 10, 31, 8, tzinfo=UTC)
    assert next_day_start(autumn, 4) == datetime(2026, 11, 1, 9, tzinfo=UTC)


def test_a_clock_outside_the_system_zone_keeps_its_offset(new_york):
    plus_five = timezone(timedelta(hours=5))
    moment = datetime(2026, 3, 7, 22, 0, tzinfo=plus_five)
    assert next_day_start(moment, 4) == datetime(2026, 3, 8, 4, tzinfo=plus_five)
