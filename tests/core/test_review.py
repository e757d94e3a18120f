"""The review controller: showing, revealing, checking typed and choice answers, grading,
waiting for learning cards, several levels of undo, and the session summary."""

from __future__ import annotations

import pytest

from studyapp.core import decks, notes, scheduling
from studyapp.core.review import ANSWER, FINISHED, QUESTION, WAITING, ReviewSession
from studyapp.core.scheduling import AGAIN, EASY, GOOD, HARD, LEARNING, NEW, REVIEW


def add(col, kind: str, fields: dict, deck: str = "Study") -> int:
    deck_id = decks.get_or_create(col, deck)
    return notes.add_note(col, notes.NewNote(deck_id, kind, fields))


def basics(col, count: int, deck: str = "Study") -> list[int]:
    return [add(col, "basic", {"front": f"Q{i}", "back": f"A{i}"}, deck) for i in range(count)]


def session(col, deck: str = "Study") -> ReviewSession:
    return ReviewSession(col, decks.by_name(col, deck).id)


def card_row(col, card_id: int) -> tuple:
    return col.conn.execute("SELECT * FROM cards WHERE id = ?", (card_id,)).fetchone()


def revlog_rows(col) -> list[tuple]:
    return col.conn.execute(
        "SELECT card_id, rating, duration_ms, state_before, state_after FROM revlog ORDER BY id"
    ).fetchall()


def test_empty_deck_is_finished_at_once(col):
    decks.get_or_create(col, "Study")
    s = session(col)
    assert s.state == FINISHED and s.current is None
    assert s.counts() == (0, 0, 0)
    s.answer(GOOD)  # nothing to grade: ignored
    assert revlog_rows(col) == []
    assert s.undo() is False and not s.can_undo()


def test_first_card_is_shown_as_a_question_with_interval_labels(col):
    (note_id,) = basics(col, 1)
    s = session(col)
    assert s.state == QUESTION
    assert s.current.note_id == note_id
    assert s.current.card_id == notes.card_ids(col, note_id)[0]
    assert s.current.content.question == "Q0"
    assert "A0" not in s.current.content.question and "A0" in s.current.content.answer
    assert s.current.interval_labels == {AGAIN: "1m", HARD: "6m", GOOD: "10m", EASY: "8d"}
    assert s.counts() == (1, 0, 0)
    s.reveal()
    assert s.state == ANSWER
    s.reveal()
    assert s.state == ANSWER


def test_labels_follow_the_deck_options(col):
    basics(col, 1)
    decks.set_options(col, decks.by_name(col, "Study").id, {"learning_steps": [5, 60]})
    labels = session(col).current.interval_labels
    assert (labels[AGAIN], labels[HARD], labels[GOOD]) == ("5m", "32m", "1h")


def test_answering_logs_time_rating_duration_and_states(col, clock):
    basics(col, 2)
    s = session(col)
    first = s.current.card_id
    clock.advance(seconds=7.25)
    assert s.seconds_on_card() == pytest.approx(7.25)
    s.answer(GOOD)
    assert revlog_rows(col) == [(first, GOOD, 7250, NEW, LEARNING)]
    time_ms = col.conn.execute("SELECT time FROM revlog").fetchone()[0]
    assert time_ms == int(clock.now().timestamp() * 1000)
    assert s.current.card_id != first and s.state == QUESTION
    assert s.summary.cards == 1 and s.summary.correct == 1
    assert s.summary.seconds == pytest.approx(7.25)


def test_a_learning_card_comes_back_until_it_graduates(col, clock):
    (note_id,) = basics(col, 1)
    (card_id,) = notes.card_ids(col, note_id)
    s = session(col)
    s.answer(GOOD)  # step 1: due in 10 minutes, within the learn-ahead
    assert s.state == QUESTION and s.current.card_id == card_id
    assert s.counts() == (0, 1, 0)
    clock.advance(minutes=10)
    s.answer(GOOD)
    assert s.state == FINISHED
    assert scheduling.load_card(col, card_id).state == REVIEW
    assert [r[3:] for r in revlog_rows(col)] == [(NEW, LEARNING), (LEARNING, REVIEW)]


def test_waits_for_a_learning_card_beyond_the_learn_ahead(col, clock):
    basics(col, 1)
    decks.set_options(col, decks.by_name(col, "Study").id, {"learning_steps": [30]})
    s = session(col)
    card_id = s.current.card_id
    s.answer(AGAIN)
    assert s.state == WAITING and s.current is None
    assert s.queue.next_learning_due() == int(clock.now().timestamp()) + 30 * 60
    clock.advance(minutes=9)
    s.refresh()
    assert s.state == WAITING
    clock.advance(minutes=1)  # 20 minutes before it is due
    s.refresh()
    assert s.state == QUESTION and s.current.card_id == card_id


def test_typed_card_checks_the_answer(col):
    add(col, "typed", {"front": "Type 2 diabetes", "answer": "E11.9", "accept": ["E11.90"]})
    s = session(col)
    assert s.suggested_rating() is None
    verdict = s.check_typed(" e119 ")
    assert verdict.correct and s.state == ANSWER
    assert s.suggested_rating() == GOOD
    verdict = s.check_typed("E11.90")
    assert verdict.correct
    verdict = s.check_typed("E11.65")
    assert not verdict.correct
    assert verdict.closeness == "Right category, but the wrong subcategory."
    assert s.suggested_rating() == AGAIN


def test_choice_card_checks_the_option(col):
    add(col, "choice", {"question": "Which?", "options": ["I10", "E11.9", "J45"], "correct": 2})
    s = session(col)
    assert s.current.content.options == ["I10", "E11.9", "J45"]
    assert s.choose(1) is False
    assert s.suggested_rating() == AGAIN and s.state == ANSWER
    assert s.choose(2) is True
    assert s.suggested_rating() == GOOD
    with pytest.raises(ValueError, match="between 1 and 3"):
        s.choose(4)
    with pytest.raises(ValueError):
        s.choose(0)


def test_checking_with_no_card_is_an_error(col):
    decks.get_or_create(col, "Study")
    s = session(col)
    with pytest.raises(ValueError, match="no card"):
        s.check_typed("x")


def test_next_card_forgets_the_last_verdict(col):
    add(col, "typed", {"front": "a", "answer": "E11.9"})
    add(col, "typed", {"front": "b", "answer": "I10"})
    s = session(col)
    s.check_typed("E11.9")
    s.answer(GOOD)
    assert s.verdict is None and s.chosen is None and s.state == QUESTION


def test_invalid_rating_is_ignored(col):
    basics(col, 1)
    s = session(col)
    shown = s.current
    s.answer(0)
    s.answer(5)
    assert revlog_rows(col) == [] and s.current == shown


def test_several_levels_of_undo(col, clock):
    basics(col, 3)
    s = session(col)
    history = []
    for rating in (GOOD, AGAIN, EASY):
        card_id = s.current.card_id
        history.append(
            (card_id, card_row(col, card_id), len(revlog_rows(col)), s.counts(), s.summary.cards)
        )
        clock.advance(seconds=3)
        s.answer(rating)
    assert len(revlog_rows(col)) == 3
    assert s.summary.cards == 3 and s.summary.correct == 2

    for card_id, row, log_count, queue_counts, summary_cards in reversed(history):
        assert s.undo() is True
        assert s.current.card_id == card_id
        assert s.state == QUESTION
        assert card_row(col, card_id) == row
        assert len(revlog_rows(col)) == log_count
        assert s.counts() == queue_counts
        assert s.summary.cards == summary_cards
    assert s.undo() is False
    assert s.summary.seconds == 0 and s.summary.correct == 0
    # after undoing everything the session goes on as if nothing had been answered
    assert [scheduling.load_card(col, h[0]).state for h in history] == [NEW, NEW, NEW]


def test_undo_after_the_session_finished(col):
    basics(col, 1)
    s = session(col)
    card_id = s.current.card_id
    s.answer(EASY)
    assert s.state == FINISHED
    assert s.undo()
    assert s.state == QUESTION and s.current.card_id == card_id
    s.answer(EASY)
    assert s.state == FINISHED
    assert len(revlog_rows(col)) == 1


def test_session_shows_only_one_sibling_a_day(col):
    add(col, "reversible", {"front": "E11.9", "back": "Type 2 diabetes"})
    s = session(col)
    assert s.counts() == (1, 0, 0)
    assert s.current.content.question == "E11.9"
    s.answer(EASY)
    assert s.state == FINISHED


def test_reviews_come_before_new_cards_in_a_session(col, clock):
    (new_note,) = basics(col, 1)
    (review_note,) = basics(col, 1)
    (review_card,) = notes.card_ids(col, review_note)
    now = int(clock.now().timestamp())
    col.conn.execute(
        "UPDATE cards SET state = 2, stability = 5, difficulty = 5, due = ?, last_review = ?"
        " WHERE id = ?",
        (now - 3600, now - 5 * 86400, review_card),
    )
    s = session(col)
    assert s.counts() == (1, 0, 1)
    assert s.current.card_id == review_card
    labels = s.current.interval_labels
    assert labels[AGAIN] == "10m" and labels[EASY].endswith(("d", "mo"))


def test_summary_percent(col, clock):
    basics(col, 4)
    s = session(col)
    for rating in (GOOD, AGAIN, HARD, EASY):
        clock.advance(seconds=2)
        s.answer(rating)
    assert s.summary.cards == 4
    assert s.summary.correct_percent == 75.0
    assert s.summary.seconds == pytest.approx(8.0)


def test_time_on_card_starts_when_it_is_shown(col, clock):
    basics(col, 2)
    s = session(col)
    clock.advance(seconds=30)
    s.answer(GOOD)
    assert s.seconds_on_card() == 0
    clock.advance(seconds=4)
    assert s.seconds_on_card() == pytest.approx(4)
