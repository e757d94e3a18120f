"""FSRS-6 scheduling through the `fsrs` package: answering, previews, and undo."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from functools import lru_cache

import fsrs
import orjson

from studyapp.core.collection import Collection
from studyapp.core.errors import UserError
from studyapp.core.options import DeckOptions

NEW, LEARNING, REVIEW, RELEARNING = 0, 1, 2, 3
AGAIN, HARD, GOOD, EASY = 1, 2, 3, 4
RATINGS = (AGAIN, HARD, GOOD, EASY)
RATING_NAMES = {AGAIN: "Again", HARD: "Hard", GOOD: "Good", EASY: "Easy"}

CARD_COLUMNS = (
    "id, note_id, deck_id, ord, state, step, stability, difficulty, due, last_review, reps,"
    " lapses, position, suspended, buried_until"
)
PARAMETERS_KEY = "fsrs_parameters"
# made once: building a Scheduler validates all 21 parameters, and this is read on every answer
DEFAULT_PARAMETERS: tuple[float, ...] = tuple(fsrs.Scheduler().parameters)
_FSRS_RATINGS = {rating: fsrs.Rating(rating) for rating in RATINGS}


@dataclass(frozen=True)
class CardState:
    id: int
    note_id: int
    deck_id: int
    ord: int
    state: int
    step: int | None
    stability: float | None
    difficulty: float | None
    due: int
    last_review: int | None
    reps: int
    lapses: int
    position: int
    suspended: int
    buried_until: int


@dataclass(frozen=True)
class Answer:
    revlog_id: int
    before: CardState
    after: CardState


def load_card(col: Collection, card_id: int) -> CardState:
    row = col.conn.execute(f"SELECT {CARD_COLUMNS} FROM cards WHERE id = ?", (card_id,)).fetchone()
    if row is None:
        raise UserError(f"There is no card with id {card_id}.")
    return CardState(*row)


def parameters(col: Collection) -> tuple[float, ...]:
    stored = col.config_get(PARAMETERS_KEY)
    return tuple(stored) if stored else DEFAULT_PARAMETERS


@lru_cache(maxsize=64)
def _scheduler(params: tuple[float, ...], opts: DeckOptions, fuzz: bool) -> fsrs.Scheduler:
    return fsrs.Scheduler(
        parameters=params,
        desired_retention=opts.desired_retention,
        learning_steps=tuple(timedelta(minutes=m) for m in opts.learning_steps),
        relearning_steps=tuple(timedelta(minutes=m) for m in opts.relearning_steps),
        maximum_interval=opts.maximum_interval,
        enable_fuzzing=fuzz,
    )


def scheduler_for(col: Collection, opts: DeckOptions, fuzz: bool | None = None) -> fsrs.Scheduler:
    """The scheduler for a deck's options; previews pass fuzz=False so labels are stable."""
    if fuzz is None:
        fuzz = bool(col.config_get("fuzz", True))
    return _scheduler(parameters(col), opts, fuzz)


def _utc(epoch: int | None) -> datetime | None:
    return None if epoch is None else datetime.fromtimestamp(epoch, UTC)


def to_fsrs(card: CardState, now: datetime) -> fsrs.Card:
    if card.state == NEW:
        return fsrs.Card(card_id=card.id, state=fsrs.State.Learning, step=0, due=now)
    return fsrs.Card(
        card_id=card.id,
        state=fsrs.State(card.state),
        step=card.step,
        stability=card.stability,
        difficulty=card.difficulty,
        due=_utc(card.due),
        last_review=_utc(card.last_review),
    )


def next_state(card: CardState, rating: int, now: datetime, scheduler: fsrs.Scheduler) -> CardState:
    """The card as it would be after `rating` at `now` (nothing is stored)."""
    now = now.astimezone(UTC)  # fsrs refuses any other time zone; the app's clock is local
    result, _ = scheduler.review_card(
        to_fsrs(card, now), _FSRS_RATINGS[rating], review_datetime=now
    )
    lapsed = card.state == REVIEW and rating == AGAIN
    # built directly, not with dataclasses.replace (which goes through fields() and getattr
    # for every field): this runs on every answer
    return CardState(
        card.id,
        card.note_id,
        card.deck_id,
        card.ord,
        int(result.state),
        result.step,
        result.stability,
        result.difficulty,
        int(result.due.timestamp()),
        int(now.timestamp()),
        card.reps + 1,
        card.lapses + int(lapsed),
        card.position,
        card.suspended,
        0,
    )


def preview_intervals(
    card: CardState, now: datetime, scheduler: fsrs.Scheduler
) -> dict[int, timedelta]:
    """For each rating, how long until the card would be due again: the due time that
    next_state would store (whole seconds) minus `now`.

    Only the due time is needed, so the fsrs card is made once and each rating asks fsrs
    directly (review_card copies the card it is given and leaves it as it was)."""
    utc_now = now.astimezone(UTC)
    fsrs_card = to_fsrs(card, utc_now)
    out: dict[int, timedelta] = {}
    for rating in RATINGS:
        result, _ = scheduler.review_card(fsrs_card, _FSRS_RATINGS[rating], review_datetime=utc_now)
        out[rating] = datetime.fromtimestamp(int(result.due.timestamp()), UTC) - now
    return out


def format_interval(delta: timedelta) -> str:
    """A short label such as "10m", "3h", "4d", "1.5mo", "2y"; a value that would round up to
    the next unit is shown in that unit (59.6 minutes is "1h", not "60m")."""
    seconds = max(0.0, delta.total_seconds())
    minutes = max(1, round(seconds / 60))
    if minutes < 60:
        return f"{minutes}m"
    hours = round(seconds / 3600)
    if hours < 24:
        return f"{hours}h"
    days = seconds / 86400
    if round(days) < 30:
        return f"{round(days)}d"
    if days < 365:
        return f"{days / 30:.1f}mo".replace(".0mo", "mo")
    return f"{days / 365:.1f}y".replace(".0y", "y")


def _write_card(col: Collection, card: CardState) -> None:
    col.conn.execute(
        "UPDATE cards SET state=?, step=?, stability=?, difficulty=?, due=?, last_review=?,"
        " reps=?, lapses=?, suspended=?, buried_until=? WHERE id=?",
        (
            card.state,
            card.step,
            card.stability,
            card.difficulty,
            card.due,
            card.last_review,
            card.reps,
            card.lapses,
            card.suspended,
            card.buried_until,
            card.id,
        ),
    )


def answer_card(
    col: Collection,
    card_id: int,
    rating: int,
    opts: DeckOptions,
    duration_ms: int = 0,
    origin: int = 0,
) -> Answer:
    """Record an answer: new card state plus a review-log row, in one transaction."""
    if rating not in RATINGS:
        raise UserError(f"Rating must be 1-4 (Again, Hard, Good, Easy), not {rating!r}.")
    now = col.now()
    with col.transaction():
        before = load_card(col, card_id)
        after = next_state(before, rating, now, scheduler_for(col, opts))
        revlog_id = col.conn.execute(
            "INSERT INTO revlog(card_id, time, rating, duration_ms, state_before, state_after,"
            " stability, difficulty, due_after, card_before, origin)"
            " VALUES (?,?,?,?,?,?,?,?,?,?,?)",
            (
                card_id,
                int(now.timestamp() * 1000),
                rating,
                max(0, int(duration_ms)),
                before.state,
                after.state,
                after.stability,
                after.difficulty,
                after.due,
                orjson.dumps(before).decode(),  # the card's fields, as asdict gives them
                origin,
            ),
        ).lastrowid
        _write_card(col, after)
    return Answer(int(revlog_id), before, after)  # type: ignore[arg-type]


def undo_answer(col: Collection, revlog_id: int) -> CardState:
    """Put the card back exactly as it was before the answer and drop its log row."""
    with col.transaction():
        row = col.conn.execute(
            "SELECT card_id, card_before FROM revlog WHERE id = ?", (revlog_id,)
        ).fetchone()
        if row is None:
            raise UserError("That answer is no longer in the review log; nothing to undo.")
        later = col.conn.execute(
            "SELECT 1 FROM revlog WHERE card_id = ? AND id > ?", (row[0], revlog_id)
        ).fetchone()
        if later:
            raise UserError("The card was answered again since; undo the later answer first.")
        before = CardState(**json.loads(row[1]))
        _write_card(col, before)
        col.conn.execute("DELETE FROM revlog WHERE id = ?", (revlog_id,))
    return before
