"""The review controller: what to show next, checking answers, grading, undo, and the summary.

Screens are passive: they ask the session for the current card and forward key presses and
clicks. The same controller drives tests and any headless front end.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

import orjson

from studyapp.core import scheduling
from studyapp.core.codes import Verdict, check_answer
from studyapp.core.collection import Collection
from studyapp.core.queue import StudyQueue
from studyapp.core.render import CardContent, render
from studyapp.core.scheduling import AGAIN, GOOD, RATINGS, Answer

QUESTION, ANSWER, WAITING, FINISHED = "question", "answer", "waiting", "finished"


@dataclass(frozen=True)
class ShownCard:
    card_id: int
    note_id: int
    deck_id: int
    content: CardContent
    interval_labels: dict[int, str]  # rating -> "10m", "4d", ...


@dataclass
class SessionSummary:
    cards: int = 0
    correct: int = 0  # answered Hard, Good or Easy
    seconds: float = 0.0

    @property
    def correct_percent(self) -> float:
        return 100.0 * self.correct / self.cards if self.cards else 0.0


@dataclass
class _UndoEntry:
    answer: Answer
    queue_snapshot: tuple
    summary: tuple[int, int, float]


@dataclass
class ReviewSession:
    col: Collection
    deck_id: int
    queue: StudyQueue = field(init=False)
    state: str = field(init=False, default=QUESTION)
    current: ShownCard | None = field(init=False, default=None)
    verdict: Verdict | None = field(init=False, default=None)  # typed cards, after checking
    chosen: int | None = field(init=False, default=None)  # choice cards, after choosing
    summary: SessionSummary = field(init=False, default_factory=SessionSummary)
    _shown_at: datetime | None = field(init=False, default=None)
    _undo: list[_UndoEntry] = field(init=False, default_factory=list)

    def __post_init__(self) -> None:
        self.queue = StudyQueue(self.col, self.deck_id)
        self._advance()

    # --- what the screen shows --------------------------------------------------------------
    def counts(self) -> tuple[int, int, int]:
        return self.queue.counts()

    def seconds_on_card(self) -> float:
        if self._shown_at is None:
            return 0.0
        return max(0.0, (self.col.now() - self._shown_at).total_seconds())

    def suggested_rating(self) -> int | None:
        if self.verdict is not None:
            return GOOD if self.verdict.correct else AGAIN
        if self.chosen is not None and self.current:
            return GOOD if self.chosen == self.current.content.correct else AGAIN
        return None

    # --- actions ----------------------------------------------------------------------------
    def reveal(self) -> None:
        if self.state == QUESTION:
            self.state = ANSWER

    def check_typed(self, text: str) -> Verdict:
        """Check a typed answer and reveal the back."""
        content = self._require_content()
        self.verdict = check_answer(text, content.expected, content.accepted)
        self.state = ANSWER
        return self.verdict

    def choose(self, option: int) -> bool:
        """Pick option `option` (1-based) of a choice card and reveal the back."""
        content = self._require_content()
        if not 1 <= option <= len(content.options):
            raise ValueError(f"option {option} is not between 1 and {len(content.options)}")
        self.chosen = option
        self.state = ANSWER
        return option == content.correct

    def answer(self, rating: int) -> None:
        """Grade the current card and move on."""
        if self.current is None or rating not in RATINGS:
            return
        card_id = self.current.card_id
        duration_ms = int(self.seconds_on_card() * 1000)
        snapshot = self.queue.snapshot()
        opts = self.queue.options[self.current.deck_id]
        result = scheduling.answer_card(self.col, card_id, rating, opts, duration_ms)
        self._undo.append(
            _UndoEntry(
                result, snapshot, (self.summary.cards, self.summary.correct, self.summary.seconds)
            )
        )
        self.summary.cards += 1
        self.summary.correct += int(rating != AGAIN)
        self.summary.seconds += duration_ms / 1000
        self.queue.answered(card_id, result.after.state, result.after.due)
        self._advance()

    def can_undo(self) -> bool:
        return bool(self._undo)

    def undo(self) -> bool:
        """Take back the last answer: the card, its log row, and the queue return as they were."""
        if not self._undo:
            return False
        entry = self._undo.pop()
        scheduling.undo_answer(self.col, entry.answer.revlog_id)
        self.queue.restore(entry.queue_snapshot)
        self.summary.cards, self.summary.correct, self.summary.seconds = entry.summary
        self._show(entry.answer.before.id)
        return True

    def refresh(self) -> None:
        """Look again for a due card (e.g. when waiting for learning cards)."""
        if self.state in (WAITING, FINISHED):
            self._advance()

    # --- internals --------------------------------------------------------------------------
    def _require_content(self) -> CardContent:
        if self.current is None:
            raise ValueError("no card is being shown")
        return self.current.content

    def _advance(self) -> None:
        card_id = self.queue.next_card(self.col.now())
        if card_id is None:
            self.current = None
            self.state = WAITING if self.queue.next_learning_due() else FINISHED
            return
        self._show(card_id)

    def _show(self, card_id: int) -> None:
        card = scheduling.load_card(self.col, card_id)
        kind, fields_json = self.col.conn.execute(
            "SELECT kind, fields FROM notes WHERE id = ?", (card.note_id,)
        ).fetchone()
        content = render(kind, card.ord, orjson.loads(fields_json))
        now = self.col.now()
        sched = scheduling.scheduler_for(self.col, self.queue.options[card.deck_id], fuzz=False)
        labels = {
            rating: scheduling.format_interval(delta)
            for rating, delta in scheduling.preview_intervals(card, now, sched).items()
        }
        self.current = ShownCard(card.id, card.note_id, card.deck_id, content, labels)
        self.state = QUESTION
        self.verdict = None
        self.chosen = None
        self._shown_at = now
