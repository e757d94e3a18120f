"""FSRS scheduling: card state after each answer, the review log, interval labels, undo, and
agreement with the `fsrs` package run on its own."""

from __future__ import annotations

import json
from contextlib import contextmanager
from dataclasses import asdict
from datetime import UTC, datetime, timedelta, timezone

import fsrs
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from studyapp.core import decks, notes, scheduling
from studyapp.core.clock import FixedClock
from studyapp.core.collection import Collection
from studyapp.core.errors import UserError
from studyapp.core.options import DeckOptions
from studyapp.core.scheduling import (
    AGAIN,
    EASY,
    GOOD,
    HARD,
    LEARNING,
    NEW,
    RELEARNING,
    REVIEW,
)

START = datetime(2026, 3, 10, 12, 0, tzinfo=UTC)
DAY = 86400
PROPERTY_SETTINGS = settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)


def new_card(col, kind: str = "basic") -> int:
    deck_id = decks.get_or_create(col, "Sched")
    note_id = notes.add_note(col, notes.NewNote(deck_id, kind, {"front": "q", "back": "a"}))
    return notes.card_ids(col, note_id)[0]


def make_review(col, card_id: int, *, stability=10.0, difficulty=5.0, days_ago=10, due=None):
    now = int(col.now().timestamp())
    col.conn.execute(
        "UPDATE cards SET state = 2, step = NULL, stability = ?, difficulty = ?, due = ?,"
        " last_review = ?, reps = 3 WHERE id = ?",
        (stability, difficulty, now if due is None else due, now - days_ago * DAY, card_id),
    )


def card_row(col, card_id: int) -> tuple:
    return col.conn.execute("SELECT * FROM cards WHERE id = ?", (card_id,)).fetchone()


def revlog_count(col) -> int:
    return col.conn.execute("SELECT count(*) FROM revlog").fetchone()[0]


@contextmanager
def fresh_collection(tmp_path_factory, tz=UTC):
    """A collection of its own for one hypothesis example."""
    clock = FixedClock(START.astimezone(tz))
    col = Collection(tmp_path_factory.mktemp("prop") / "c.sqlite", clock)
    try:
        yield col, clock
    finally:
        col.close()


# --- answering ------------------------------------------------------------------------------


def test_new_card_answered_good_moves_to_the_next_learning_step(col, clock):
    card_id = new_card(col)
    now = int(clock.now().timestamp())
    answer = scheduling.answer_card(col, card_id, GOOD, DeckOptions(), duration_ms=4200)
    card = scheduling.load_card(col, card_id)
    assert card == answer.after
    assert answer.before.state == NEW
    assert (card.state, card.step) == (LEARNING, 1)
    assert card.due == now + 10 * 60
    assert card.last_review == now
    assert (card.reps, card.lapses) == (1, 0)
    assert card.stability > 0 and 1 <= card.difficulty <= 10


def test_each_answer_writes_one_review_log_row(col, clock):
    card_id = new_card(col)
    before = scheduling.load_card(col, card_id)
    answer = scheduling.answer_card(col, card_id, HARD, DeckOptions(), duration_ms=7250)
    rows = col.conn.execute(
        "SELECT id, card_id, time, rating, duration_ms, state_before, state_after, stability,"
        " difficulty, due_after, card_before, origin FROM revlog"
    ).fetchall()
    assert len(rows) == 1
    rid, cid, time_ms, rating, duration, s_before, s_after, stab, diff, due, snap, origin = rows[0]
    assert rid == answer.revlog_id and cid == card_id
    assert time_ms == int(clock.now().timestamp() * 1000)
    assert (rating, duration, s_before, s_after, origin) == (HARD, 7250, NEW, LEARNING, 0)
    assert (stab, diff, due) == (answer.after.stability, answer.after.difficulty, answer.after.due)
    assert json.loads(snap) == asdict(before)

    clock.advance(minutes=6)
    scheduling.answer_card(col, card_id, GOOD, DeckOptions(), duration_ms=-5, origin=1)
    second = col.conn.execute(
        "SELECT time, duration_ms, state_before, origin FROM revlog ORDER BY id DESC"
    ).fetchone()
    assert second == (int(clock.now().timestamp() * 1000), 0, LEARNING, 1)


def test_easy_on_a_new_card_graduates_it(col, clock):
    card_id = new_card(col)
    after = scheduling.answer_card(col, card_id, EASY, DeckOptions()).after
    assert (after.state, after.step) == (REVIEW, None)
    assert after.due - int(clock.now().timestamp()) >= DAY


def test_again_on_a_review_card_is_a_lapse(col, clock):
    card_id = new_card(col)
    make_review(col, card_id)
    after = scheduling.answer_card(col, card_id, AGAIN, DeckOptions()).after
    assert (after.state, after.step, after.lapses) == (RELEARNING, 0, 1)
    assert after.due == int(clock.now().timestamp()) + 10 * 60
    clock.advance(minutes=10)
    again = scheduling.answer_card(col, card_id, AGAIN, DeckOptions()).after
    assert again.lapses == 1  # failing while relearning is not another lapse
    clock.advance(minutes=10)
    back = scheduling.answer_card(col, card_id, GOOD, DeckOptions()).after
    assert back.state == REVIEW and back.reps == 6


def test_ratings_outside_1_to_4_are_refused(col):
    card_id = new_card(col)
    before = card_row(col, card_id)
    for bad in (0, 5, -1):
        with pytest.raises(UserError, match="Rating must be 1-4"):
            scheduling.answer_card(col, card_id, bad, DeckOptions())
    assert card_row(col, card_id) == before
    assert revlog_count(col) == 0


def test_missing_card_is_reported(col):
    with pytest.raises(UserError, match="no card with id 99"):
        scheduling.answer_card(col, 99, GOOD, DeckOptions())
    assert revlog_count(col) == 0


def test_answering_works_in_a_local_time_zone(tmp_path):
    """The app's clock gives local time; fsrs insists on UTC."""
    chicago = timezone(timedelta(hours=-6))
    clock = FixedClock(datetime(2026, 3, 10, 6, 0, tzinfo=chicago))
    with Collection(tmp_path / "tz.sqlite", clock) as col:
        card_id = new_card(col)
        answer = scheduling.answer_card(col, card_id, GOOD, DeckOptions())
        assert answer.after.due == int(clock.now().timestamp()) + 600
        make_review(col, card_id)
        labels = scheduling.preview_intervals(
            scheduling.load_card(col, card_id),
            clock.now(),
            scheduling.scheduler_for(col, DeckOptions(), fuzz=False),
        )
        assert labels[AGAIN] == timedelta(minutes=10)


# --- options and parameters -----------------------------------------------------------------


def preview(col, card_id, opts: DeckOptions | None = None):
    opts = opts or DeckOptions()
    card = scheduling.load_card(col, card_id)
    sched = scheduling.scheduler_for(col, opts, fuzz=False)
    return scheduling.preview_intervals(card, col.now(), sched)


def test_learning_steps_come_from_the_options(col):
    card_id = new_card(col)
    intervals = preview(col, card_id, DeckOptions(learning_steps=(2, 30)))
    assert intervals[AGAIN] == timedelta(minutes=2)
    assert intervals[HARD] == timedelta(minutes=16)
    assert intervals[GOOD] == timedelta(minutes=30)


def test_no_learning_steps_graduates_at_once(col, clock):
    card_id = new_card(col)
    after = scheduling.answer_card(col, card_id, AGAIN, DeckOptions(learning_steps=())).after
    assert after.state == REVIEW
    assert after.due - int(clock.now().timestamp()) >= DAY


def test_higher_retention_means_shorter_intervals(col):
    card_id = new_card(col)
    make_review(col, card_id, stability=30.0, days_ago=30)
    relaxed = preview(col, card_id, DeckOptions(desired_retention=0.80))[GOOD]
    strict = preview(col, card_id, DeckOptions(desired_retention=0.97))[GOOD]
    assert strict < relaxed


def test_maximum_interval_caps_every_answer(col):
    card_id = new_card(col)
    make_review(col, card_id, stability=400.0, days_ago=400)
    intervals = preview(col, card_id, DeckOptions(maximum_interval=7))
    assert intervals[EASY] <= timedelta(days=7)
    assert intervals[GOOD] <= timedelta(days=7)


def test_stored_fsrs_parameters_are_used(col):
    card_id = new_card(col)
    default_easy = preview(col, card_id)[EASY]
    params = list(fsrs.Scheduler().parameters)
    params[3] = 40.0  # initial stability after Easy, in days
    col.config_set(scheduling.PARAMETERS_KEY, params)
    assert scheduling.parameters(col) == tuple(params)
    assert preview(col, card_id)[EASY] > default_easy * 2


# --- interval labels ------------------------------------------------------------------------


def test_interval_labels_for_a_new_card(col):
    labels = {r: scheduling.format_interval(d) for r, d in preview(col, new_card(col)).items()}
    assert labels == {AGAIN: "1m", HARD: "6m", GOOD: "10m", EASY: "8d"}


def test_interval_labels_for_a_review_card(col):
    card_id = new_card(col)
    make_review(col, card_id, stability=10.0, days_ago=10)
    intervals = preview(col, card_id)
    labels = {r: scheduling.format_interval(d) for r, d in intervals.items()}
    assert labels[AGAIN] == "10m"
    assert labels == {AGAIN: "10m", HARD: "23d", GOOD: "1.1mo", EASY: "1.7mo"}
    assert intervals[AGAIN] < intervals[HARD] < intervals[GOOD] < intervals[EASY]


def test_previews_do_not_change_the_card(col):
    card_id = new_card(col)
    before = card_row(col, card_id)
    preview(col, card_id)
    assert card_row(col, card_id) == before
    assert revlog_count(col) == 0


@pytest.mark.parametrize(
    ("delta", "label"),
    [
        (timedelta(seconds=-5), "1m"),
        (timedelta(seconds=10), "1m"),
        (timedelta(minutes=1), "1m"),
        (timedelta(minutes=5, seconds=30), "6m"),
        (timedelta(minutes=45), "45m"),
        (timedelta(hours=1), "1h"),
        (timedelta(minutes=59, seconds=40), "1h"),
        (timedelta(hours=23, minutes=40), "1d"),
        (timedelta(days=29, hours=20), "1mo"),
        (timedelta(hours=5), "5h"),
        (timedelta(days=1), "1d"),
        (timedelta(days=12), "12d"),
        (timedelta(days=30), "1mo"),
        (timedelta(days=45), "1.5mo"),
        (timedelta(days=364), "12.1mo"),
        (timedelta(days=365), "1y"),
        (timedelta(days=365 * 2 + 183), "2.5y"),
    ],
)
def test_format_interval(delta, label):
    assert scheduling.format_interval(delta) == label


# --- undo -----------------------------------------------------------------------------------


def test_several_levels_of_undo_restore_exact_state(col, clock):
    card_id = new_card(col)
    other = new_card(col)
    history = []
    for rating, minutes in [(GOOD, 0), (AGAIN, 3), (GOOD, 2), (GOOD, 11), (EASY, 60)]:
        clock.advance(minutes=minutes)
        target = other if rating == AGAIN else card_id
        history.append((card_row(col, target), revlog_count(col)))
        answer = scheduling.answer_card(col, target, rating, DeckOptions())
        history[-1] = (*history[-1], target, answer.revlog_id)
    assert revlog_count(col) == 5
    for row, count, target, revlog_id in reversed(history):
        restored = scheduling.undo_answer(col, revlog_id)
        assert card_row(col, target) == row
        assert tuple(asdict(restored).values()) == row
        assert revlog_count(col) == count
        assert (
            col.conn.execute("SELECT count(*) FROM revlog WHERE id = ?", (revlog_id,)).fetchone()[0]
            == 0
        )
    assert scheduling.load_card(col, card_id).state == NEW


def test_undo_of_an_older_answer_is_refused(col, clock):
    card_id = new_card(col)
    first = scheduling.answer_card(col, card_id, GOOD, DeckOptions())
    clock.advance(minutes=10)
    scheduling.answer_card(col, card_id, GOOD, DeckOptions())
    row = card_row(col, card_id)
    with pytest.raises(UserError, match="undo the later answer first"):
        scheduling.undo_answer(col, first.revlog_id)
    assert card_row(col, card_id) == row
    assert revlog_count(col) == 2


def test_undo_twice_is_refused(col):
    card_id = new_card(col)
    answer = scheduling.answer_card(col, card_id, GOOD, DeckOptions())
    scheduling.undo_answer(col, answer.revlog_id)
    with pytest.raises(UserError, match="no longer in the review log"):
        scheduling.undo_answer(col, answer.revlog_id)


def test_undo_restores_buried_until(col):
    card_id = new_card(col)
    make_review(col, card_id)
    col.conn.execute("UPDATE cards SET buried_until = 5 WHERE id = ?", (card_id,))
    before = card_row(col, card_id)
    answer = scheduling.answer_card(col, card_id, HARD, DeckOptions())
    assert answer.after.buried_until == 0
    scheduling.undo_answer(col, answer.revlog_id)
    assert card_row(col, card_id) == before


# --- properties -----------------------------------------------------------------------------

ratings = st.sampled_from([AGAIN, HARD, GOOD, EASY])
waits = st.one_of(
    st.integers(0, 30 * 60),  # within a learning session
    st.integers(0, 3 * DAY),
    st.integers(0, 400 * DAY),
)
steps = st.lists(st.tuples(waits, ratings), min_size=1, max_size=8)
option_sets = st.sampled_from(
    [
        DeckOptions(),
        DeckOptions(learning_steps=(), relearning_steps=()),
        DeckOptions(learning_steps=(0.5, 5, 30, 1440), relearning_steps=(5, 20)),
        DeckOptions(desired_retention=0.97, maximum_interval=30),
        DeckOptions(desired_retention=0.70, learning_steps=(10,)),
    ]
)
zones = st.sampled_from(
    [UTC, timezone(timedelta(hours=-5)), timezone(timedelta(hours=9, minutes=30))]
)


@PROPERTY_SETTINGS
@given(steps=steps, opts=option_sets, tz=zones, fuzz=st.booleans())
def test_after_any_answer_the_card_is_due_in_the_future(tmp_path_factory, steps, opts, tz, fuzz):
    with fresh_collection(tmp_path_factory, tz) as (col, clock):
        col.config_set("fuzz", fuzz)
        card_id = new_card(col)
        for wait, rating in steps:
            clock.advance(seconds=wait)
            now = clock.now().timestamp()
            answer = scheduling.answer_card(col, card_id, rating, opts)
            assert answer.after.due > now
            assert answer.after.state != NEW
            assert scheduling.load_card(col, card_id) == answer.after


@PROPERTY_SETTINGS
@given(steps=steps, opts=option_sets)
def test_undo_restores_the_exact_previous_state(tmp_path_factory, steps, opts):
    with fresh_collection(tmp_path_factory) as (col, clock):
        card_id = new_card(col, kind="reversible")
        stack = []
        for wait, rating in steps:
            clock.advance(seconds=wait)
            before = (card_row(col, card_id), revlog_count(col))
            stack.append((before, scheduling.answer_card(col, card_id, rating, opts).revlog_id))
        while stack:
            (row, count), revlog_id = stack.pop()
            scheduling.undo_answer(col, revlog_id)
            assert card_row(col, card_id) == row
            assert revlog_count(col) == count


@PROPERTY_SETTINGS
@given(steps=steps, opts=option_sets, tz=zones)
def test_same_answers_give_the_same_states_as_fsrs_on_its_own(tmp_path_factory, steps, opts, tz):
    with fresh_collection(tmp_path_factory, tz) as (col, clock):
        col.config_set("fuzz", False)
        card_id = new_card(col)
        reference = fsrs.Scheduler(
            desired_retention=opts.desired_retention,
            learning_steps=[timedelta(minutes=m) for m in opts.learning_steps],
            relearning_steps=[timedelta(minutes=m) for m in opts.relearning_steps],
            maximum_interval=opts.maximum_interval,
            enable_fuzzing=False,
        )
        ref_card = fsrs.Card(card_id=1)
        lapses = 0
        for wait, rating in steps:
            clock.advance(seconds=wait)
            moment = clock.now().astimezone(UTC)
            lapses += int(ref_card.state == fsrs.State.Review and rating == AGAIN)
            ref_card, _ = reference.review_card(ref_card, fsrs.Rating(rating), moment)

            ours = scheduling.answer_card(col, card_id, rating, opts).after
            assert ours.state == int(ref_card.state)
            assert ours.step == ref_card.step
            assert ours.stability == ref_card.stability
            assert ours.difficulty == ref_card.difficulty
            assert ours.due == int(ref_card.due.timestamp())
            assert ours.last_review == int(moment.timestamp())
            assert ours.lapses == lapses


@PROPERTY_SETTINGS
@given(steps=steps, opts=option_sets, tz=zones)
def test_previews_match_the_answer_that_follows(tmp_path_factory, steps, opts, tz):
    """Each button's preview is exactly the due time the answer then stores, minus now."""
    with fresh_collection(tmp_path_factory, tz) as (col, clock):
        col.config_set("fuzz", False)
        card_id = new_card(col)
        sched = scheduling.scheduler_for(col, opts, fuzz=False)
        for wait, rating in steps:
            clock.advance(seconds=wait, microseconds=wait % 997)  # now need not be whole seconds
            now = clock.now()
            card = scheduling.load_card(col, card_id)
            previews = scheduling.preview_intervals(card, now, sched)
            assert previews == {
                r: datetime.fromtimestamp(scheduling.next_state(card, r, now, sched).due, UTC) - now
                for r in (AGAIN, HARD, GOOD, EASY)
            }
            after = scheduling.answer_card(col, card_id, rating, opts).after
            assert now + previews[rating] == datetime.fromtimestamp(after.due, UTC)


def test_the_review_log_snapshot_is_the_card_as_asdict_gives_it(col, clock):
    card_id = new_card(col)
    make_review(col, card_id)
    before = scheduling.load_card(col, card_id)
    answer = scheduling.answer_card(col, card_id, AGAIN, DeckOptions())
    snap = col.conn.execute(
        "SELECT card_before FROM revlog WHERE id = ?", (answer.revlog_id,)
    ).fetchone()[0]
    assert json.loads(snap) == asdict(before)
    assert list(json.loads(snap)) == list(asdict(before))  # same key order
