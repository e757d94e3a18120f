"""Personal FSRS parameters, fitted to the student's own review log with `fsrs-rs-python`.

The review log becomes training items the way Anki and fsrs-rs build them: per card, the
answers from the card's (last) first answer as a new card onwards, each as (rating, delta_t)
where delta_t is the number of study days since the previous answer (0 for the first answer
and for answers on the same study day). Every answer after the first that comes on a later
study day than the one before it yields one item: the history up to and including it. The
model learns to predict whether that last answer was a pass (Hard, Good or Easy) from the
history before it; same-day answers (learning steps) stay in the histories as context but
are not targets themselves.

Study days use the collection clock and rollover hour: a day is the 24 hours from the
rollover, counted back from `col.today_start()`.

`optimise` fits new parameters and measures them against the current ones on the same
items (log loss and RMSE over bins: lower is better); `apply_parameters` stores them only
when they are better.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import NamedTuple

import fsrs
import fsrs_rs_python as fsrs_rs

from studyapp.core import scheduling
from studyapp.core.collection import Collection
from studyapp.core.errors import UserError

DAY_MS = 86_400_000
NEW = 0

# fsrs-rs trains nothing from fewer than 8 items (it returns the defaults) and only fits the
# four initial stabilities from fewer than 64. Anki asks for at least 400 items before it
# calls the result meaningful; we ask for the same.
MIN_ITEMS = 400

# New parameters count as better only when they lower RMSE(bins) by at least this much (0.01
# percentage points) without raising log loss by more than evaluation noise: fsrs-rs sums in
# parallel, so evaluating the same parameters twice can differ in the last digits.
MIN_RMSE_GAIN = 1e-4
LOG_LOSS_NOISE = 1e-6

_STEPS = 4  # progress steps: read the log, evaluate current, train, evaluate new

History = list[tuple[int, int]]  # [(rating 1-4, delta_t in study days), ...]


class OptimiseCancelled(UserError):
    def __init__(self) -> None:
        super().__init__("Optimisation cancelled; your parameters were not changed.")


class Metrics(NamedTuple):
    """How well parameters predict the review log (lower is better for both)."""

    log_loss: float  # mean binary cross-entropy of the predicted recall, in nats per item
    rmse_bins: float  # RMSE between predicted and actual recall over bins, 0-1 (x100 = %)


@dataclass(frozen=True)
class OptimiseResult:
    enough_data: bool
    message: str  # one or two sentences for people: the outcome, or what is missing
    reviews: int  # answers in the review log
    items: int  # of those, usable as training targets (a later day than the card's previous)
    needed: int  # usable answers required (MIN_ITEMS)
    current: tuple[float, ...]  # the parameters in use when the optimisation ran
    parameters: tuple[float, ...] | None = None  # the new parameters (None: not enough data)
    before: Metrics | None = None  # current parameters on the items
    after: Metrics | None = None  # new parameters on the same items
    better: bool = False  # lower RMSE (by MIN_RMSE_GAIN) and no higher log loss
    seconds: float = 0.0  # time the whole optimisation took

    @property
    def more_needed(self) -> int:
        return max(0, self.needed - self.items)


# --- the review log as FSRS items ----------------------------------------------------------


def review_histories(col: Collection) -> tuple[list[History], int]:
    """Each card's history for training, and the number of answers in the review log.

    A history starts at the card's last answer as a new card (state_before = 0), so anything
    before a reset is left out; cards with no such answer are skipped, like Anki does.
    """
    today_ms = int(col.today_start().timestamp()) * 1000
    rows = col.conn.execute(
        "SELECT card_id, time, rating, state_before FROM revlog ORDER BY card_id, time, id"
    )
    histories: list[History] = []
    total = 0
    card: list[tuple[int, int, int]] = []
    current_card = None
    for card_id, t, rating, state_before in rows:
        total += 1
        if card_id != current_card:
            _add_history(histories, card, today_ms)
            card, current_card = [], card_id
        card.append((t, rating, state_before))
    _add_history(histories, card, today_ms)
    return histories, total


def _add_history(histories: list[History], card: list[tuple[int, int, int]], today_ms: int):
    starts = [i for i, (_, _, state_before) in enumerate(card) if state_before == NEW]
    if not starts:
        return
    answers = card[starts[-1] :]
    history: History = []
    previous_day = None
    for t, rating, _ in answers:
        day = (t - today_ms) // DAY_MS  # study day relative to today (floor: negative = past)
        history.append((int(rating), 0 if previous_day is None else day - previous_day))
        previous_day = day
    histories.append(history)


def training_items(histories: Sequence[History]) -> list[fsrs_rs.FSRSItem]:
    """One item per answer that came on a later study day than the card's previous answer."""
    items = []
    for history in histories:
        reviews = [fsrs_rs.FSRSReview(rating, delta_t) for rating, delta_t in history]
        for i in range(1, len(history)):
            if history[i][1] > 0:
                items.append(fsrs_rs.FSRSItem(reviews[: i + 1]))
    return items


def count_items(histories: Sequence[History]) -> int:
    return sum(1 for h in histories for _, delta_t in h[1:] if delta_t > 0)


# --- optimising ---------------------------------------------------------------------------


def evaluate(parameters: Sequence[float], items: Sequence[fsrs_rs.FSRSItem]) -> Metrics:
    result = fsrs_rs.FSRS(list(parameters)).evaluate(list(items))
    return Metrics(float(result.log_loss), float(result.rmse_bins))


def _valid(parameters: Sequence[float]) -> tuple[float, ...]:
    """Parameters rounded to 4 decimals and kept inside the bounds the `fsrs` scheduler
    accepts (fsrs-rs clips to the same bounds in 32-bit floats, which can land a hair
    outside them)."""
    lows = fsrs.scheduler.LOWER_BOUNDS_PARAMETERS
    highs = fsrs.scheduler.UPPER_BOUNDS_PARAMETERS
    return tuple(
        min(high, max(low, round(float(p), 4)))
        for p, low, high in zip(parameters, lows, highs, strict=True)
    )


def optimise(
    col: Collection,
    progress: Callable[[int, int], None] | None = None,
    cancelled: Callable[[], bool] | None = None,
) -> OptimiseResult:
    """Fit FSRS parameters to the whole review log and compare them with the current ones.

    Nothing is stored; pass the result to `apply_parameters`. `progress(done, total)` is
    called between steps; OptimiseCancelled is raised when `cancelled()` turns true.
    """
    started = time.monotonic()

    def step(done: int) -> None:
        if cancelled and cancelled():
            raise OptimiseCancelled()
        if progress:
            progress(done, _STEPS)

    step(0)
    current = tuple(float(p) for p in scheduling.parameters(col))
    histories, reviews = review_histories(col)
    n_items = count_items(histories)
    if n_items < MIN_ITEMS:
        step(_STEPS)
        return OptimiseResult(
            enough_data=False,
            message=not_enough_message(reviews, n_items),
            reviews=reviews,
            items=n_items,
            needed=MIN_ITEMS,
            current=current,
            seconds=time.monotonic() - started,
        )
    items = training_items(histories)
    step(1)
    try:
        before = evaluate(current, items)
        step(2)
        fitted = fsrs_rs.FSRS(list(fsrs_rs.DEFAULT_PARAMETERS)).compute_parameters(items)
        new = _valid(fitted)
        step(3)
        after = evaluate(new, items)
    except (ValueError, RuntimeError, OverflowError) as exc:
        raise UserError(f"Optimising failed: {exc}. Your parameters were not changed.") from exc
    better = (
        after.rmse_bins <= before.rmse_bins - MIN_RMSE_GAIN
        and after.log_loss <= before.log_loss + LOG_LOSS_NOISE
    )
    step(_STEPS)
    if better:
        message = (
            "The optimised parameters predict your reviews better than the current ones "
            f"(RMSE {before.rmse_bins:.2%} -> {after.rmse_bins:.2%})."
        )
    else:
        message = (
            "Your current parameters predict your reviews as well as or better than the "
            "optimised ones; there is nothing to change."
        )
    return OptimiseResult(
        enough_data=True,
        message=message,
        reviews=reviews,
        items=n_items,
        needed=MIN_ITEMS,
        current=current,
        parameters=new,
        before=before,
        after=after,
        better=better,
        seconds=time.monotonic() - started,
    )


def not_enough_message(reviews: int, items: int) -> str:
    more = MIN_ITEMS - items
    return (
        f"Not enough review history to optimise yet: {items} of your {reviews} reviews can "
        f"be used and at least {MIN_ITEMS} are needed, so you need {more} more. Only a review "
        "on a later day than the card's previous review counts (learning steps on the same "
        "day do not). Keep studying and try again later."
    )


def apply_parameters(col: Collection, result: OptimiseResult) -> tuple[float, ...]:
    """Store the result's parameters for all future scheduling, only when they are better.

    Raises UserError (saying why) when there was not enough data, the new parameters are
    not better, or the parameters in use changed since the optimisation ran.
    """
    if not result.enough_data or result.parameters is None:
        raise UserError(result.message or not_enough_message(result.reviews, result.items))
    if not result.better:
        raise UserError(
            "The optimised parameters do not predict your reviews better than the current "
            "ones, so they were not applied."
        )
    in_use = tuple(float(p) for p in scheduling.parameters(col))
    if in_use != tuple(result.current):
        raise UserError(
            "Your parameters changed since this optimisation ran; optimise again first."
        )
    try:
        fsrs.Scheduler(parameters=result.parameters)
    except ValueError as exc:
        raise UserError(f"The optimised parameters are not usable: {exc}") from exc
    col.config_set(scheduling.PARAMETERS_KEY, list(result.parameters))
    return tuple(result.parameters)
