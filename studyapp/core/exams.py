"""Mock exams: timed sets of multiple-choice questions drawn from the student's decks.

An exam is made from `choice` cards across the chosen decks, balanced by domain: each chosen
deck's direct child decks take turns (round-robin), so one huge deck does not crowd out the
others. Everything about an attempt lives in the collection (exam_attempts, exam_questions),
so an exam interrupted by a crash or a closed window resumes with its answers and the time
that was left (the front end saves the remaining time every few seconds).

On submit the exam is scored overall and per domain, and every wrong or unanswered question
goes into the spaced-repetition queue as a lapse (an Again answer with revlog origin 1).
"""

from __future__ import annotations

import json
import random
from dataclasses import asdict, dataclass, field
from datetime import datetime

from studyapp.core import decks, scheduling
from studyapp.core.collection import Collection
from studyapp.core.errors import UserError
from studyapp.core.render import render

IN_PROGRESS, SUBMITTED = "in_progress", "submitted"
EXAM_ORIGIN = 1  # revlog.origin for answers recorded by an exam


@dataclass(frozen=True)
class Profile:
    key: str  # "cpc", "cca" or "custom"
    name: str
    description: str
    count: int
    minutes: int
    pass_percent: int
    deck_names: tuple[str, ...] = ()  # empty: every deck

    def to_json(self) -> dict:
        return {**asdict(self), "deck_names": list(self.deck_names)}

    @classmethod
    def from_json(cls, data: dict) -> Profile:
        return cls(
            key=str(data.get("key", "custom")),
            name=str(data.get("name", "Custom exam")),
            description=str(data.get("description", "")),
            count=int(data.get("count", 0)),
            minutes=int(data.get("minutes", 0)),
            pass_percent=int(data.get("pass_percent", 70)),
            deck_names=tuple(data.get("deck_names", ()) or ()),
        )


CPC = Profile(
    "cpc",
    "CPC-style",
    "Modelled on the AAPC CPC exam: 100 multiple-choice questions in 4 hours; 70% to pass. "
    "Questions come from your decks, not from AAPC.",
    100,
    240,
    70,
)
CCA = Profile(
    "cca",
    "CCA-style",
    "Modelled loosely on the AHIMA CCA exam: 100 questions in 2 hours, practice pass mark 70%. "
    "The real CCA is scaled-scored (not a simple percentage) and sources disagree on its exact "
    "question count and time; treat this as practice, not a prediction.",
    100,
    120,
    70,
)
PROFILES = (CPC, CCA)


def custom_profile(
    deck_names: list[str] | tuple[str, ...] = (),
    count: int = 20,
    minutes: int = 30,
    pass_percent: int = 70,
) -> Profile:
    if count < 1:
        raise UserError("An exam needs at least one question.")
    if minutes < 1:
        raise UserError("An exam needs at least one minute.")
    if not 0 <= pass_percent <= 100:
        raise UserError("The pass mark is a percentage from 0 to 100.")
    return Profile(
        "custom",
        "Custom exam",
        f"{count} questions in {minutes} minutes; {pass_percent}% to pass.",
        count,
        minutes,
        pass_percent,
        tuple(deck_names),
    )


def with_decks(profile: Profile, deck_names: list[str] | tuple[str, ...]) -> Profile:
    """The same profile drawn from other decks."""
    data = profile.to_json()
    data["deck_names"] = list(deck_names)
    return Profile.from_json(data)


# --- making an exam --------------------------------------------------------------------------


def _domain(deck_name: str, roots: list[str]) -> str:
    """The chosen root's direct child that holds the deck (or the root itself)."""
    for root in sorted(roots, key=len, reverse=True):
        if deck_name == root:
            return root
        if deck_name.startswith(root + decks.SEP):
            rest = deck_name[len(root) + len(decks.SEP) :]
            return root + decks.SEP + rest.split(decks.SEP, 1)[0]
    return deck_name


def _candidates(col: Collection, profile: Profile) -> dict[str, list[tuple[int, int]]]:
    """Choice cards by domain: {domain: [(card id, deck id), ...]} in card-id order."""
    if profile.deck_names:
        roots = [decks.by_name(col, n).name for n in profile.deck_names]
    else:
        roots = [d.name for d in decks.all_decks(col) if d.parent_id is None]
    deck_ids: set[int] = set()
    for root in roots:
        deck_ids.update(decks.subtree_ids(col, decks.by_name(col, root).id))
    names = {d.id: d.name for d in decks.all_decks(col)}
    rows = col.conn.execute(
        "SELECT c.id, c.deck_id FROM cards c JOIN notes n ON n.id = c.note_id"
        " WHERE n.kind = 'choice' AND n.removed = 0 AND c.suspended = 0 ORDER BY c.id"
    ).fetchall()
    out: dict[str, list[tuple[int, int]]] = {}
    for card_id, deck_id in rows:
        if deck_id in deck_ids:
            out.setdefault(_domain(names[deck_id], roots), []).append((card_id, deck_id))
    return out


def draw(col: Collection, profile: Profile, seed: int) -> list[tuple[int, int, str]]:
    """The questions an exam would have: [(card id, deck id, domain)], deterministic per seed."""
    pools = _candidates(col, profile)
    if not pools:
        where = ", ".join(profile.deck_names) if profile.deck_names else "your collection"
        raise UserError(
            f"There are no multiple-choice cards in {where}. Import a deck with choice "
            "questions (the shipped decks have many) or choose other decks."
        )
    rng = random.Random(seed)
    queues = {}
    for domain in sorted(pools):
        cards = list(pools[domain])
        rng.shuffle(cards)
        queues[domain] = cards
    order = sorted(queues)
    rng.shuffle(order)  # which domain gets the odd extra question varies with the seed
    picked: list[tuple[int, int, str]] = []
    while len(picked) < profile.count and any(queues.values()):
        for domain in order:
            if queues[domain] and len(picked) < profile.count:
                card_id, deck_id = queues[domain].pop()
                picked.append((card_id, deck_id, domain))
    rng.shuffle(picked)
    return picked


def create_exam(col: Collection, profile: Profile, seed: int) -> int:
    """Start an attempt; returns its id. Fewer questions than asked when the decks run out."""
    picked = draw(col, profile, seed)
    limit = profile.minutes * 60
    with col.transaction():
        attempt = col.conn.execute(
            "INSERT INTO exam_attempts(profile, seed, started, time_limit_s, remaining_s, status)"
            " VALUES (?,?,?,?,?,?)",
            (
                json.dumps(profile.to_json()),
                int(seed),
                int(col.now().timestamp()),
                limit,
                limit,
                IN_PROGRESS,
            ),
        ).lastrowid
        col.conn.executemany(
            "INSERT INTO exam_questions(attempt_id, position, card_id, deck_id, domain)"
            " VALUES (?,?,?,?,?)",
            [(attempt, i, c, d, dom) for i, (c, d, dom) in enumerate(picked)],
        )
    return int(attempt)  # type: ignore[arg-type]


# --- taking an exam --------------------------------------------------------------------------


@dataclass(frozen=True)
class Attempt:
    id: int
    profile: Profile
    seed: int
    started: int
    time_limit_s: int
    remaining_s: int
    status: str
    score: float | None
    count: int


@dataclass(frozen=True)
class Question:
    position: int
    card_id: int | None
    deck_id: int | None
    domain: str
    text: str  # HTML
    options: list[str]
    correct: int  # 1-based
    rationale: str  # HTML ("" when the note has none)
    chosen: int | None
    flagged: bool

    @property
    def is_correct(self) -> bool:
        return self.chosen is not None and self.chosen == self.correct


def get_attempt(col: Collection, attempt_id: int) -> Attempt:
    row = col.conn.execute(
        "SELECT id, profile, seed, started, time_limit_s, remaining_s, status, score,"
        " (SELECT count(*) FROM exam_questions q WHERE q.attempt_id = a.id)"
        " FROM exam_attempts a WHERE id = ?",
        (attempt_id,),
    ).fetchone()
    if row is None:
        raise UserError(f"There is no exam attempt {attempt_id}.")
    profile = Profile.from_json(json.loads(row[1]))
    return Attempt(row[0], profile, *row[2:8], count=row[8])  # type: ignore[misc]


def _in_progress(col: Collection, attempt_id: int) -> Attempt:
    attempt = get_attempt(col, attempt_id)
    if attempt.status != IN_PROGRESS:
        raise UserError("This exam has been submitted; its answers can no longer change.")
    return attempt


def _check_position(attempt: Attempt, position: int) -> None:
    if not 0 <= position < attempt.count:
        raise UserError(f"The exam has no question {position + 1}.")


def questions(col: Collection, attempt_id: int) -> list[Question]:
    rows = col.conn.execute(
        "SELECT q.position, q.card_id, q.deck_id, q.domain, q.chosen, q.flagged,"
        " n.fields, c.ord FROM exam_questions q"
        " LEFT JOIN cards c ON c.id = q.card_id LEFT JOIN notes n ON n.id = c.note_id"
        " WHERE q.attempt_id = ? ORDER BY q.position",
        (attempt_id,),
    ).fetchall()
    out = []
    for position, card_id, deck_id, domain, chosen, flagged, fields_json, _ord in rows:
        if fields_json is None:  # the card was deleted since the exam was made
            text, options, correct, rationale = "(This card was deleted.)", [], 0, ""
        else:
            fields = json.loads(fields_json)
            content = render("choice", 0, fields)
            text = str(fields.get("question", ""))
            options, correct = content.options, content.correct
            rationale = str(fields.get("rationale", "")) or str(fields.get("explanation", ""))
        out.append(
            Question(
                position,
                card_id,
                deck_id,
                domain,
                text,
                options,
                correct,
                rationale,
                chosen,
                bool(flagged),
            )
        )
    return out


def answer(col: Collection, attempt_id: int, position: int, option: int | None) -> None:
    """Choose option `option` (1-based) for a question; None clears the answer."""
    attempt = _in_progress(col, attempt_id)
    _check_position(attempt, position)
    if option is not None and option < 1:
        raise UserError("Options are numbered from 1.")
    with col.transaction():
        col.conn.execute(
            "UPDATE exam_questions SET chosen = ? WHERE attempt_id = ? AND position = ?",
            (option, attempt_id, position),
        )


def flag(col: Collection, attempt_id: int, position: int, flagged: bool = True) -> None:
    attempt = _in_progress(col, attempt_id)
    _check_position(attempt, position)
    with col.transaction():
        col.conn.execute(
            "UPDATE exam_questions SET flagged = ? WHERE attempt_id = ? AND position = ?",
            (int(flagged), attempt_id, position),
        )


def save_remaining(col: Collection, attempt_id: int, seconds: float) -> None:
    """Remember the time left, so an interrupted exam resumes where the clock stood."""
    with col.transaction():
        col.conn.execute(
            "UPDATE exam_attempts SET remaining_s = ? WHERE id = ? AND status = ?",
            (max(0, int(seconds)), attempt_id, IN_PROGRESS),
        )


def unanswered(col: Collection, attempt_id: int) -> list[int]:
    rows = col.conn.execute(
        "SELECT position FROM exam_questions WHERE attempt_id = ? AND chosen IS NULL"
        " ORDER BY position",
        (attempt_id,),
    )
    return [r[0] for r in rows]


def flagged(col: Collection, attempt_id: int) -> list[int]:
    rows = col.conn.execute(
        "SELECT position FROM exam_questions WHERE attempt_id = ? AND flagged = 1"
        " ORDER BY position",
        (attempt_id,),
    )
    return [r[0] for r in rows]


def resumable_attempt(col: Collection) -> int | None:
    """The latest exam still in progress, if any."""
    row = col.conn.execute(
        "SELECT id FROM exam_attempts WHERE status = ? ORDER BY started DESC, id DESC LIMIT 1",
        (IN_PROGRESS,),
    ).fetchone()
    return row[0] if row else None


def abandon(col: Collection, attempt_id: int) -> None:
    """Throw an unfinished attempt away (nothing is scored or scheduled)."""
    _in_progress(col, attempt_id)
    with col.transaction():
        col.conn.execute("DELETE FROM exam_attempts WHERE id = ?", (attempt_id,))


# --- results ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class DomainResult:
    domain: str
    correct: int
    total: int

    @property
    def percent(self) -> float:
        return 100.0 * self.correct / self.total if self.total else 0.0


@dataclass(frozen=True)
class ExamResult:
    attempt_id: int
    profile: Profile
    correct: int
    total: int
    passed: bool
    time_used_s: int
    domains: list[DomainResult] = field(default_factory=list)
    questions: list[Question] = field(default_factory=list)

    @property
    def percent(self) -> float:
        return 100.0 * self.correct / self.total if self.total else 0.0

    @property
    def pass_percent(self) -> int:
        return self.profile.pass_percent


def _score(attempt: Attempt, qs: list[Question]) -> ExamResult:
    by_domain: dict[str, list[int]] = {}
    for q in qs:
        counts = by_domain.setdefault(q.domain, [0, 0])
        counts[0] += int(q.is_correct)
        counts[1] += 1
    correct = sum(int(q.is_correct) for q in qs)
    total = len(qs)
    percent = 100.0 * correct / total if total else 0.0
    return ExamResult(
        attempt.id,
        attempt.profile,
        correct,
        total,
        percent >= attempt.profile.pass_percent,
        max(0, attempt.time_limit_s - attempt.remaining_s),
        [DomainResult(d, c, t) for d, (c, t) in sorted(by_domain.items())],
        qs,
    )


def submit(col: Collection, attempt_id: int) -> ExamResult:
    """Score the exam, close it, and queue every missed question as a lapse."""
    attempt = _in_progress(col, attempt_id)
    qs = questions(col, attempt_id)
    result = _score(attempt, qs)
    with col.transaction():
        for q in qs:
            if not q.is_correct and q.card_id is not None and q.options:
                deck_id = scheduling.load_card(col, q.card_id).deck_id
                scheduling.answer_card(
                    col,
                    q.card_id,
                    scheduling.AGAIN,
                    decks.effective_options(col, deck_id),
                    origin=EXAM_ORIGIN,
                )
        col.conn.execute(
            "UPDATE exam_attempts SET status = ?, submitted = ?, score = ?, results = ?"
            " WHERE id = ?",
            (
                SUBMITTED,
                int(col.now().timestamp()),
                result.correct / result.total if result.total else 0.0,
                json.dumps(
                    {
                        "correct": result.correct,
                        "total": result.total,
                        "passed": result.passed,
                        "domains": [asdict(d) for d in result.domains],
                    }
                ),
                attempt_id,
            ),
        )
    return result


def result(col: Collection, attempt_id: int) -> ExamResult:
    """The result of a submitted exam, as it was scored."""
    attempt = get_attempt(col, attempt_id)
    if attempt.status != SUBMITTED:
        raise UserError("This exam has not been submitted yet.")
    return _score(attempt, questions(col, attempt_id))


@dataclass(frozen=True)
class HistoryEntry:
    attempt_id: int
    when: datetime
    name: str
    percent: float
    pass_percent: int
    passed: bool
    total: int


def history(col: Collection) -> list[HistoryEntry]:
    """Submitted exams, oldest first (for a score-trend chart)."""
    rows = col.conn.execute(
        "SELECT id, submitted, profile, score, results FROM exam_attempts"
        " WHERE status = ? ORDER BY submitted, id",
        (SUBMITTED,),
    ).fetchall()
    out = []
    for attempt_id, submitted, profile_json, score, results_json in rows:
        profile = Profile.from_json(json.loads(profile_json))
        results = json.loads(results_json or "{}")
        when = datetime.fromtimestamp(submitted or 0).astimezone(col.now().tzinfo)
        out.append(
            HistoryEntry(
                attempt_id,
                when,
                profile.name,
                100.0 * (score or 0.0),
                profile.pass_percent,
                bool(results.get("passed", False)),
                int(results.get("total", 0)),
            )
        )
    return out
