"""Due counts for the deck tree and the queue of cards to study today.

A study day runs from the rollover hour to the next. Learning cards come back when due;
reviews due before the end of the day are shown; new cards are spread among reviews. Daily
limits apply per deck, and a parent's limit caps its children.
"""

from __future__ import annotations

import json
from bisect import insort
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from studyapp.core.collection import Collection
from studyapp.core.decks import SEP
from studyapp.core.options import DeckOptions
from studyapp.core.scheduling import LEARNING, NEW, RELEARNING, REVIEW

LEARN_AHEAD = timedelta(minutes=20)


@dataclass
class DeckCounts:
    deck_id: int
    name: str
    new: int = 0
    learning: int = 0
    review: int = 0
    children: list[DeckCounts] = field(default_factory=list)

    @property
    def short_name(self) -> str:
        return self.name.rsplit(SEP, 1)[-1]

    @property
    def total(self) -> int:
        return self.new + self.learning + self.review


@dataclass
class _DeckInfo:
    id: int
    name: str
    parent_id: int | None
    options: DeckOptions
    new_left: int  # today's new-card allowance still unused
    review_left: int


def _deck_infos(col: Collection) -> dict[int, _DeckInfo]:
    """Every deck with its effective options and what is left of today's limits."""
    rows = col.conn.execute(
        "SELECT id, name, parent_id, file_options, options FROM decks ORDER BY name"
    ).fetchall()
    layers_by_name = {r[1]: (json.loads(r[3]), json.loads(r[4])) for r in rows}
    done = _done_today(col)
    infos: dict[int, _DeckInfo] = {}
    for deck_id, name, parent_id, _, _ in rows:
        parts = name.split(SEP)
        layers: list[dict] = []
        for i in range(1, len(parts) + 1):
            layers.extend(layers_by_name.get(SEP.join(parts[:i]), ({}, {})))
        opts = DeckOptions.from_layers(*layers)
        new_done, review_done = done.get(deck_id, (0, 0))
        infos[deck_id] = _DeckInfo(
            deck_id,
            name,
            parent_id,
            opts,
            max(0, opts.new_per_day - new_done),
            max(0, opts.reviews_per_day - review_done),
        )
    # what a child did today also uses up its ancestors' limits
    for info in infos.values():
        new_done, review_done = done.get(info.id, (0, 0))
        parent = infos.get(info.parent_id) if info.parent_id else None
        while parent is not None:
            parent.new_left = max(0, parent.new_left - new_done)
            parent.review_left = max(0, parent.review_left - review_done)
            parent = infos.get(parent.parent_id) if parent.parent_id else None
    return infos


def _done_today(col: Collection) -> dict[int, tuple[int, int]]:
    """Per deck: new cards introduced and reviews answered since the day began."""
    start_ms = int(col.today_start().timestamp() * 1000)
    rows = col.conn.execute(
        "SELECT c.deck_id, count(DISTINCT CASE WHEN r.state_before = 0 THEN r.card_id END),"
        " count(DISTINCT CASE WHEN r.state_before = 2 THEN r.card_id END)"
        " FROM revlog r CROSS JOIN cards c ON c.id = r.card_id"  # today's rows first
        " WHERE r.time >= ? AND r.origin = 0 GROUP BY c.deck_id",
        (start_ms,),
    ).fetchall()
    return {r[0]: (r[1], r[2]) for r in rows}


def due_tree(col: Collection) -> list[DeckCounts]:
    """New / learning / review counts for every deck, parents including their children."""
    now = int(col.now().timestamp())
    day_end = int(col.today_end().timestamp())
    infos = _deck_infos(col)
    raw = {deck_id: _own_counts(col, info, now, day_end) for deck_id, info in infos.items()}
    nodes = {i: DeckCounts(i, info.name) for i, info in infos.items()}
    roots: list[DeckCounts] = []
    for deck_id, info in infos.items():  # sorted by name, so parents come first
        parent = nodes.get(info.parent_id) if info.parent_id else None
        (parent.children if parent else roots).append(nodes[deck_id])

    def fill(node: DeckCounts) -> None:
        for child in node.children:
            fill(child)
        new, learning, review = raw.get(node.deck_id, (0, 0, 0))
        info = infos[node.deck_id]
        node.new = min(info.new_left, new + sum(c.new for c in node.children))
        node.learning = learning + sum(c.learning for c in node.children)
        node.review = min(info.review_left, review + sum(c.review for c in node.children))

    for root in roots:
        fill(root)
    return roots


def _own_counts(col: Collection, info: _DeckInfo, now: int, day_end: int) -> tuple[int, int, int]:
    """(new, learning, review) cards in the deck itself; new and review stop counting at the
    deck's own limit, which gives the same tree (a deck's count never exceeds its limit) and
    lets each count read only a bounded range of the cards_queue index instead of every card."""
    sql = (
        "SELECT count(*) FROM (SELECT 1 FROM cards WHERE deck_id = :deck AND state = :state"
        " AND suspended = 0 AND buried_until <= :now{due} LIMIT :limit)"
    )
    args = {"deck": info.id, "now": now, "end": day_end}
    new = col.conn.execute(
        sql.format(due=""), {**args, "state": NEW, "limit": info.new_left}
    ).fetchone()[0]
    review = col.conn.execute(
        sql.format(due=" AND due < :end"), {**args, "state": REVIEW, "limit": info.review_left}
    ).fetchone()[0]
    learning = col.conn.execute(
        "SELECT count(*) FROM cards WHERE deck_id = ? AND state IN (?, ?) AND due < ?"
        " AND suspended = 0 AND buried_until <= ?",
        (info.id, LEARNING, RELEARNING, day_end, now),
    ).fetchone()[0]
    return new, learning, review


def find_counts(tree: list[DeckCounts], deck_id: int) -> DeckCounts | None:
    for node in tree:
        if node.deck_id == deck_id:
            return node
        found = find_counts(node.children, deck_id)
        if found:
            return found
    return None


class StudyQueue:
    """Today's cards for one deck and its subdecks, kept in memory during a session."""

    def __init__(self, col: Collection, deck_id: int):
        self.col = col
        self.deck_id = deck_id
        self.day_end = int(col.today_end().timestamp())
        infos = _deck_infos(col)
        self.options = {i: info.options for i, info in infos.items()}
        self._subtree = self._subtree_ids(infos, deck_id)
        self._note_of: dict[int, int] = {}
        self.learning: list[tuple[int, int]] = []  # (due, card id), sorted
        self.main: list[int] = []  # reviews with new cards spread among them
        self._kind: dict[int, int] = {}  # card id -> NEW or REVIEW for main-queue cards
        self._build(infos)

    @staticmethod
    def _subtree_ids(infos: dict[int, _DeckInfo], deck_id: int) -> list[int]:
        root = infos[deck_id].name
        return [
            i for i, info in infos.items() if info.name == root or info.name.startswith(root + SEP)
        ]

    def _build(self, infos: dict[int, _DeckInfo]) -> None:
        now = int(self.col.now().timestamp())
        marks = ",".join("?" * len(self._subtree))
        seen_notes = self._notes_answered_today()
        for card_id, note_id, due in self.col.conn.execute(
            f"SELECT id, note_id, due FROM cards WHERE deck_id IN ({marks}) AND suspended = 0"
            f" AND state IN ({LEARNING}, {RELEARNING}) AND due < ? AND buried_until <= ?"
            " ORDER BY due",
            [*self._subtree, self.day_end, now],
        ):
            self.learning.append((due, card_id))
            self._note_of[card_id] = note_id
            seen_notes.add(note_id)  # a card still learning keeps its siblings back today
        reviews = self._gather(infos, REVIEW, now, seen_notes)
        new = self._gather(infos, NEW, now, seen_notes)
        self.main = _spread(reviews, new)

    def _notes_answered_today(self) -> set[int]:
        start_ms = int(self.col.today_start().timestamp() * 1000)
        rows = self.col.conn.execute(
            # CROSS JOIN keeps today's few log rows (revlog_time) as the outer loop; the
            # planner otherwise may walk all cards probing revlog_card (35 ms at 100k cards)
            "SELECT DISTINCT c.note_id FROM revlog r CROSS JOIN cards c ON c.id = r.card_id"
            " WHERE r.time >= ?",
            (start_ms,),
        )
        return {r[0] for r in rows}

    def _gather(
        self, infos: dict[int, _DeckInfo], kind: int, now: int, seen_notes: set[int]
    ) -> list[int]:
        """Cards of one kind, deck by deck, within every deck's and ancestor's limit."""
        left = {
            i: (infos[i].new_left if kind == NEW else infos[i].review_left) for i in self._subtree
        }
        chains = {i: self._chain(infos, i) for i in self._subtree}
        taken: list[tuple[int, int]] = []  # (sort key, card id)
        for deck_id in self._subtree:
            room = min(left[d] for d in chains[deck_id])
            if room <= 0:
                continue
            for card_id, note_id, key in self._candidates(deck_id, kind, now, room * 2 + 10):
                if note_id in seen_notes:
                    continue  # a sibling was answered today or is already queued
                if min(left[d] for d in chains[deck_id]) <= 0:
                    break
                seen_notes.add(note_id)
                self._note_of[card_id] = note_id
                self._kind[card_id] = kind
                taken.append((key, card_id))
                for d in chains[deck_id]:
                    left[d] -= 1
        if kind == REVIEW:
            taken.sort()
        return [card_id for _, card_id in taken]

    def _chain(self, infos: dict[int, _DeckInfo], deck_id: int) -> list[int]:
        """The deck and its ancestors up to the deck being studied."""
        chain = [deck_id]
        while chain[-1] != self.deck_id:
            parent = infos[chain[-1]].parent_id
            if parent is None:
                break
            chain.append(parent)
        return chain

    def _candidates(self, deck_id: int, kind: int, now: int, limit: int):
        if kind == REVIEW:
            return self.col.conn.execute(
                "SELECT id, note_id, due FROM cards WHERE deck_id = ? AND suspended = 0"
                " AND state = 2 AND due < ? AND buried_until <= ? ORDER BY due LIMIT ?",
                (deck_id, self.day_end, now, limit),
            ).fetchall()
        order = "position"
        if self.options[deck_id].new_order == "random":
            order = "(id * 2654435761 + :seed) % 4294967296"  # a shuffle that is stable for the day
        return self.col.conn.execute(
            "SELECT id, note_id, position FROM cards WHERE deck_id = :deck AND state = 0"
            f" AND suspended = 0 AND buried_until <= :now ORDER BY {order} LIMIT :limit",
            {"deck": deck_id, "now": now, "limit": limit, "seed": self.day_end},
        ).fetchall()

    # --- during the session -----------------------------------------------------------------
    def next_card(self, now: datetime) -> int | None:
        """The card to show now, or None when nothing is due (learning may come back later)."""
        stamp = int(now.timestamp())
        if self.learning and self.learning[0][0] <= stamp:
            return self.learning[0][1]
        if self.main:
            return self.main[0]
        if self.learning and self.learning[0][0] <= stamp + LEARN_AHEAD.total_seconds():
            return self.learning[0][1]
        return None

    def next_learning_due(self) -> int | None:
        return self.learning[0][0] if self.learning else None

    def answered(self, card_id: int, state_after: int, due_after: int) -> None:
        """Take an answered card out; learning cards due later today come back."""
        self.main = [c for c in self.main if c != card_id] if card_id in self._kind else self.main
        self._kind.pop(card_id, None)
        self.learning = [entry for entry in self.learning if entry[1] != card_id]
        if state_after in (LEARNING, RELEARNING) and due_after < self.day_end:
            insort(self.learning, (due_after, card_id))

    def counts(self) -> tuple[int, int, int]:
        """(new, learning, review) still to do in this session."""
        new = sum(1 for c in self.main if self._kind[c] == NEW)
        return new, len(self.learning), len(self.main) - new

    def snapshot(self) -> tuple:
        return list(self.learning), list(self.main), dict(self._kind)

    def restore(self, snap: tuple) -> None:
        learning, main, kind = snap
        self.learning, self.main, self._kind = list(learning), list(main), dict(kind)


def _spread(reviews: list[int], new: list[int]) -> list[int]:
    """Reviews in order with new cards spread evenly among them."""
    if not new or not reviews:
        return reviews + new
    out: list[int] = []
    total = len(reviews) + len(new)
    every = total / len(new)
    new_iter, rev_iter = iter(new), iter(reviews)
    next_new_at = every / 2
    for i in range(total):
        if i >= next_new_at:
            card = next(new_iter, None)
            next_new_at += every
            if card is not None:
                out.append(card)
                continue
        card = next(rev_iter, None)
        if card is None:
            card = next(new_iter)
        out.append(card)
    return out
