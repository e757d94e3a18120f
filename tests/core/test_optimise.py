"""Personal FSRS parameters: items from the review log, the not-enough-data message, fitting
on a simulated log, applying only when better, and the `studyapp optimise` command."""

from __future__ import annotations

import argparse
import heapq
import json
import random
import time
from dataclasses import replace
from datetime import UTC, datetime, timedelta

import fsrs
import pytest

from studyapp.core import notes, optimise, scheduling
from studyapp.core.errors import UserError
from studyapp.core.optimise import MIN_ITEMS, Metrics, OptimiseCancelled
from tests.helpers import add_basic

# A student who forgets faster than FSRS's defaults assume.
TRUE_PARAMETERS = list(fsrs.scheduler.DEFAULT_PARAMETERS)
TRUE_PARAMETERS[0:4] = [0.08, 0.5, 0.9, 3.5]  # initial stability per first rating
TRUE_PARAMETERS[8] = 1.1  # stability grows less after a success
TRUE_PARAMETERS[11] = 2.2  # and a lapse costs more


def ts_ms(moment: datetime) -> int:
    return int(moment.timestamp() * 1000)


def card_ids(col, deck: str, count: int) -> list[int]:
    return [notes.card_ids(col, n)[0] for n in add_basic(col, deck, count)]


def insert_answer(col, card_id, moment, rating, state_before, last_review=None, origin=0):
    col.conn.execute(
        "INSERT INTO revlog(card_id, time, rating, duration_ms, state_before, state_after,"
        " due_after, card_before, origin) VALUES (?,?,?,?,?,?,?,?,?)",
        (
            card_id,
            ts_ms(moment),
            rating,
            5000,
            state_before,
            2,
            0,
            json.dumps({"last_review": last_review}),
            origin,
        ),
    )


def simulate(col, cards: int, days: int, per_day: int, seed: int = 7) -> int:
    """Study `cards` new cards (`per_day` a day) for `days` days before today with the app's
    default scheduler, recalling each card with the probability a model with
    TRUE_PARAMETERS gives. Writes the review log; returns the number of answers."""
    rng = random.Random(seed)
    app = fsrs.Scheduler(enable_fuzzing=False)
    truth = fsrs.Scheduler(parameters=TRUE_PARAMETERS, enable_fuzzing=False)
    end = col.today_start().astimezone(UTC)
    start = end - timedelta(days=days)
    ids = card_ids(col, "Sim", cards)
    state = {cid: (fsrs.Card(card_id=cid), fsrs.Card(card_id=cid)) for cid in ids}
    queue = [
        (start + timedelta(days=i // per_day, hours=9, minutes=i % per_day), cid)
        for i, cid in enumerate(ids)
    ]
    heapq.heapify(queue)
    rows = []
    while queue:
        moment, cid = heapq.heappop(queue)
        if moment >= end:
            continue
        app_card, true_card = state[cid]
        is_new = app_card.last_review is None
        if is_new:
            rating = rng.choices([1, 2, 3, 4], [0.25, 0.1, 0.55, 0.1])[0]
        elif rng.random() < truth.get_card_retrievability(true_card, moment):
            rating = rng.choices([2, 3, 4], [0.15, 0.75, 0.1])[0]
        else:
            rating = 1
        before = 0 if is_new else int(app_card.state)
        app_card, _ = app.review_card(app_card, fsrs.Rating(rating), moment)
        true_card, _ = truth.review_card(true_card, fsrs.Rating(rating), moment)
        state[cid] = (app_card, true_card)
        rows.append((cid, ts_ms(moment), rating, 4000, before, int(app_card.state), 0, "{}"))
        nxt = app_card.due
        if nxt - moment >= timedelta(days=1):  # reviews happen during the day, 09:00-19:00
            nxt = nxt.replace(hour=9, minute=0) + timedelta(minutes=rng.randrange(600))
        heapq.heappush(queue, (max(nxt, moment + timedelta(minutes=1)), cid))
    with col.transaction():
        col.conn.executemany(
            "INSERT INTO revlog(card_id, time, rating, duration_ms, state_before, state_after,"
            " due_after, card_before) VALUES (?,?,?,?,?,?,?,?)",
            rows,
        )
    return len(rows)


@pytest.fixture(scope="module")
def simulated(tmp_path_factory):
    """One simulated collection shared by the slower tests (optimise does not change it)."""
    from studyapp.core.clock import FixedClock
    from studyapp.core.collection import Collection

    path = tmp_path_factory.mktemp("sim") / "collection.sqlite"
    clock = FixedClock(datetime(2026, 3, 10, 12, 0, tzinfo=UTC))
    with Collection(path, clock=clock) as col:
        answers = simulate(col, cards=300, days=120, per_day=5)
        started = time.monotonic()
        result = optimise.optimise(col)
        seconds = time.monotonic() - started
    return path, clock, answers, result, seconds


@pytest.fixture
def sim_col(simulated):
    from studyapp.core.collection import Collection

    path, clock, *_ = simulated
    col = Collection(path, clock=clock)
    col.config_set(scheduling.PARAMETERS_KEY, None)  # each test starts from the defaults
    yield col
    col.close()


# --- items --------------------------------------------------------------------------------


def test_histories_use_study_days_and_start_at_the_last_new_answer(col):
    a, b, c = card_ids(col, "Items", 3)
    d0 = datetime(2026, 3, 1, 10, 0, tzinfo=UTC)
    insert_answer(col, a, d0, 3, 0)  # new
    insert_answer(col, a, d0 + timedelta(minutes=10), 3, 1)  # learning step, same day
    insert_answer(col, a, datetime(2026, 3, 2, 3, 59, tzinfo=UTC), 3, 2)  # still 03-01's day
    insert_answer(col, a, datetime(2026, 3, 2, 4, 0, tzinfo=UTC), 3, 2)  # 03-02 from 04:00
    insert_answer(col, a, datetime(2026, 3, 6, 9, 0, tzinfo=UTC), 1, 2)  # lapse after 4 days
    insert_answer(col, a, datetime(2026, 3, 6, 9, 10, tzinfo=UTC), 3, 3)  # relearning step
    insert_answer(col, a, datetime(2026, 3, 8, 9, 0, tzinfo=UTC), 4, 2)
    # b: reviewed, then reset and learned again: only the history after the reset counts
    insert_answer(col, b, datetime(2026, 2, 1, 9, 0, tzinfo=UTC), 3, 0)
    insert_answer(col, b, datetime(2026, 2, 5, 9, 0, tzinfo=UTC), 3, 2)
    insert_answer(col, b, datetime(2026, 3, 1, 9, 0, tzinfo=UTC), 2, 0)
    insert_answer(col, b, datetime(2026, 3, 3, 9, 0, tzinfo=UTC), 3, 2, origin=1)  # exam
    # c: no answer as a new card (history incomplete): skipped, like Anki
    insert_answer(col, c, datetime(2026, 3, 3, 9, 0, tzinfo=UTC), 3, 2)

    histories, reviews = optimise.review_histories(col)
    assert reviews == 12
    assert histories == [
        [(3, 0), (3, 0), (3, 0), (3, 1), (1, 4), (3, 0), (4, 2)],
        [(2, 0), (3, 2)],
    ]
    assert optimise.count_items(histories) == 4
    items = optimise.training_items(histories)
    assert len(items) == 4
    # each item is the history up to and including an answer on a later day
    assert [len(i.reviews) for i in items] == [4, 5, 7, 2]
    assert repr(items[1].reviews[-1]) == "FSRSReview { rating: 1, delta_t: 4 }"
    assert all(i.long_term_review_cnt() > 0 for i in items)


def test_rollover_hour_changes_delta_t(col):
    (a,) = card_ids(col, "Items", 1)
    insert_answer(col, a, datetime(2026, 3, 1, 23, 0, tzinfo=UTC), 3, 0)
    insert_answer(col, a, datetime(2026, 3, 2, 1, 0, tzinfo=UTC), 3, 1)
    assert optimise.review_histories(col)[0] == [[(3, 0), (3, 0)]]  # one study day at 04:00
    col.config_set("day_start_hour", 0)
    assert optimise.review_histories(col)[0] == [[(3, 0), (3, 1)]]  # midnight splits them


# --- not enough data ----------------------------------------------------------------------


def test_too_few_reviews_says_how_many_more(col):
    answers = simulate(col, cards=20, days=30, per_day=2)
    progress: list[tuple[int, int]] = []
    result = optimise.optimise(col, progress=lambda d, t: progress.append((d, t)))
    assert not result.enough_data
    assert result.reviews == answers
    assert 0 < result.items < MIN_ITEMS
    assert result.needed == MIN_ITEMS == 400
    assert result.more_needed == MIN_ITEMS - result.items
    assert f"{result.items} of your {answers} reviews" in result.message
    assert f"at least {MIN_ITEMS} are needed" in result.message
    assert f"you need {MIN_ITEMS - result.items} more" in result.message
    assert result.parameters is None and result.before is None and result.after is None
    assert progress[0] == (0, 4) and progress[-1] == (4, 4)
    with pytest.raises(UserError, match="more"):
        optimise.apply_parameters(col, result)
    assert col.config_get(scheduling.PARAMETERS_KEY) is None


def test_empty_log(col):
    result = optimise.optimise(col)
    assert not result.enough_data and result.reviews == 0 and result.items == 0
    assert "you need 400 more" in result.message


# --- optimising ---------------------------------------------------------------------------


def test_optimise_fits_the_simulated_student(simulated):
    _, _, answers, result, seconds = simulated
    assert answers > 2000
    assert result.enough_data and result.items >= MIN_ITEMS
    assert result.reviews == answers
    assert result.current == tuple(fsrs.scheduler.DEFAULT_PARAMETERS)
    assert result.parameters is not None and len(result.parameters) == 21
    fsrs.Scheduler(parameters=result.parameters)  # within the scheduler's bounds
    assert isinstance(result.before, Metrics) and isinstance(result.after, Metrics)
    assert 0 < result.after.log_loss < result.before.log_loss
    assert 0 < result.after.rmse_bins < result.before.rmse_bins < 1
    assert result.better
    # the student forgets new cards faster than the defaults assume, and the fit sees it
    assert result.parameters[2] < fsrs.scheduler.DEFAULT_PARAMETERS[2]
    assert seconds < 10, f"optimising took {seconds:.1f}s"


def test_apply_stores_better_parameters(sim_col, simulated):
    result = simulated[3]
    assert optimise.apply_parameters(sim_col, result) == result.parameters
    assert scheduling.parameters(sim_col) == result.parameters
    assert sim_col.config_get(scheduling.PARAMETERS_KEY) == list(result.parameters)
    # scheduling picks them up
    assert scheduling.scheduler_for(sim_col, _default_options()).parameters == result.parameters


def test_apply_refuses_parameters_that_are_not_better(sim_col, simulated):
    result = simulated[3]
    worse = replace(
        result,
        after=Metrics(result.before.log_loss + 0.1, result.before.rmse_bins + 0.05),
        better=False,
    )
    with pytest.raises(UserError, match="do not predict your reviews better"):
        optimise.apply_parameters(sim_col, worse)
    assert sim_col.config_get(scheduling.PARAMETERS_KEY) is None


def test_apply_refuses_a_stale_result(sim_col, simulated):
    result = simulated[3]
    other = list(fsrs.scheduler.DEFAULT_PARAMETERS)
    other[0] = 0.3
    sim_col.config_set(scheduling.PARAMETERS_KEY, other)
    with pytest.raises(UserError, match="changed since"):
        optimise.apply_parameters(sim_col, result)
    assert sim_col.config_get(scheduling.PARAMETERS_KEY) == other


def test_already_optimised_parameters_are_not_replaced(sim_col, simulated):
    sim_col.config_set(scheduling.PARAMETERS_KEY, list(simulated[3].parameters))
    again = optimise.optimise(sim_col)
    assert again.current == simulated[3].parameters
    # same items, same parameters (fsrs-rs may differ in the last digits)
    assert again.before.log_loss == pytest.approx(simulated[3].after.log_loss, rel=1e-5)
    assert again.before.rmse_bins == pytest.approx(simulated[3].after.rmse_bins, rel=1e-4)
    assert not again.better
    with pytest.raises(UserError):
        optimise.apply_parameters(sim_col, again)


def test_cancel(sim_col):
    calls = iter([False, False, True])
    with pytest.raises(OptimiseCancelled):
        optimise.optimise(sim_col, cancelled=lambda: next(calls))


# --- command line -------------------------------------------------------------------------


def _run_cli(argv: list[str], data_dir) -> int:
    from studyapp.commands import optimise as command

    parser = argparse.ArgumentParser(prog="studyapp")
    parser.add_argument("--data-dir")
    command.register(parser.add_subparsers(dest="command"))
    args = parser.parse_args(["--data-dir", str(data_dir), *argv])
    return args.func(args)


def test_cli_reports_and_applies(simulated, tmp_path, capsys, monkeypatch):
    import shutil

    from studyapp.core.collection import Collection

    path, clock, *_ = simulated
    shutil.copy(path, tmp_path / "collection.sqlite")
    with Collection(tmp_path / "collection.sqlite") as copy:
        copy.config_set(scheduling.PARAMETERS_KEY, None)
    # the command opens the collection with the system clock; pin it to the simulation's
    monkeypatch.setattr("studyapp.core.clock.SystemClock.now", lambda self: clock.now())

    assert _run_cli(["optimise"], tmp_path) == 0
    out = capsys.readouterr().out
    assert "log loss" in out and "RMSE" in out
    assert "current" in out and "optimised" in out
    assert "not applied" in out.lower() and "--apply" in out
    with Collection(tmp_path / "collection.sqlite") as check:
        assert check.config_get(scheduling.PARAMETERS_KEY) is None

    assert _run_cli(["optimise", "--apply"], tmp_path) == 0
    assert "Applied" in capsys.readouterr().out
    with Collection(tmp_path / "collection.sqlite") as check:
        assert check.config_get(scheduling.PARAMETERS_KEY) is not None


def test_cli_not_enough_data(tmp_path):
    with pytest.raises(UserError, match="more"):
        _run_cli(["optimise"], tmp_path)


def _default_options():
    from studyapp.core.options import DeckOptions

    return DeckOptions()
