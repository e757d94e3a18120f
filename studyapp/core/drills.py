"""Code-location drills: where does an ICD-10-CM code live? Generated on the fly.

Three kinds of question, all from the CDC tabular list read through `simple-icd-10-cm`:

* "chapter": a billable code with its description; which chapter? (multiple choice)
* "block":   a billable code with its description; type its block's range (E08-E13). The
             innermost block is expected; an umbrella block that also holds it is accepted.
* "reverse": a block's title; which range is it? (multiple choice)

Questions lean toward a chosen chapter, or toward the chapters where the student's drill
accuracy is lowest. Results go to drill_results for statistics.

`simple_icd_10_cm` takes seconds to import, so the data is loaded lazily, once per process
(`load_data`), and the GUI does that on a worker thread.
"""

from __future__ import annotations

import random
import threading
from dataclasses import dataclass, field

from studyapp.core.codes import normalise
from studyapp.core.collection import Collection

KINDS = ("chapter", "block", "reverse")
KIND_NAMES = {
    "chapter": "Code → chapter (choice)",
    "block": "Code → block (type the range)",
    "reverse": "Block title → range (choice)",
}
FOCUS_SHARE = 0.7  # with a chosen chapter, this share of questions comes from it


@dataclass(frozen=True)
class DrillBlock:
    range: str
    title: str
    chapter: int
    categories: frozenset[str]


@dataclass(frozen=True)
class DrillChapter:
    number: int
    range: str
    title: str

    @property
    def label(self) -> str:
        return f"Chapter {self.number}: {self.title}"


@dataclass
class DrillData:
    chapters: list[DrillChapter]
    blocks: list[DrillBlock]
    codes_by_chapter: dict[int, list[str]]
    descriptions: dict[str, str]
    category_blocks: dict[str, list[DrillBlock]]  # innermost first

    def chapter(self, number: int) -> DrillChapter:
        return next(c for c in self.chapters if c.number == number)


@dataclass(frozen=True)
class DrillQuestion:
    kind: str
    chapter: int  # the chapter this question is about (for statistics)
    prompt: str  # plain text
    code: str = ""  # the code asked about ("" for reverse questions)
    options: list[str] = field(default_factory=list)  # choice questions
    correct: int = 0  # 1-based, choice questions
    expected: str = ""  # block questions: the innermost block's range
    accepted: tuple[str, ...] = ()  # block questions: every range that holds the code
    explanation: str = ""

    @property
    def is_choice(self) -> bool:
        return bool(self.options)

    @property
    def answer_text(self) -> str:
        return self.options[self.correct - 1] if self.options else self.expected


_data: DrillData | None = None
_lock = threading.Lock()


def data_loaded() -> bool:
    return _data is not None


def load_data() -> DrillData:
    """The chapters, blocks and billable codes, read once per process (takes seconds)."""
    global _data
    with _lock:
        if _data is None:
            _data = _build()
        return _data


def _build() -> DrillData:
    from studyapp.core.content import icd10cm

    cm = icd10cm._cm()
    chapters = icd10cm.load_chapters()
    blocks: list[DrillBlock] = []
    category_blocks: dict[str, list[DrillBlock]] = {}
    for chapter in chapters:
        cats = icd10cm._block_categories(cm, str(chapter.number))
        for block in chapter.blocks:
            drill_block = DrillBlock(
                block.range, block.title, chapter.number, frozenset(cats[block.range])
            )
            blocks.append(drill_block)
            for category in drill_block.categories:
                category_blocks.setdefault(category, []).append(drill_block)
    for holders in category_blocks.values():
        holders.sort(key=lambda b: len(b.categories))
    codes_by_chapter: dict[int, list[str]] = {}
    descriptions: dict[str, str] = {}
    for code in icd10cm.billable_codes():
        holders = category_blocks.get(code[:3])
        if not holders:
            continue
        codes_by_chapter.setdefault(holders[0].chapter, []).append(code)
        descriptions[code] = cm.get_description(code)
    return DrillData(
        [DrillChapter(c.number, c.range, c.title) for c in chapters],
        blocks,
        codes_by_chapter,
        descriptions,
        category_blocks,
    )


# --- choosing what to ask --------------------------------------------------------------------


def chapter_weights(
    data: DrillData, accuracy: dict[int, tuple[int, int]] | None = None
) -> dict[int, float]:
    """Weak chapters weigh more: 1 - (correct + 1) / (total + 2), plus a floor for variety."""
    accuracy = accuracy or {}
    weights = {}
    for chapter in data.chapters:
        correct, total = accuracy.get(chapter.number, (0, 0))
        weights[chapter.number] = 1.0 - (correct + 1) / (total + 2) + 0.1
    return weights


def pick_chapter(
    data: DrillData,
    rng: random.Random,
    focus: int | None = None,
    accuracy: dict[int, tuple[int, int]] | None = None,
) -> int:
    if focus is not None and rng.random() < FOCUS_SHARE:
        return focus
    if accuracy is not None:
        weights = chapter_weights(data, accuracy)
        numbers = list(weights)
        return rng.choices(numbers, weights=[weights[n] for n in numbers])[0]
    return rng.choice([c.number for c in data.chapters])


def make_question(data: DrillData, rng: random.Random, kind: str, chapter: int) -> DrillQuestion:
    if kind not in KINDS:
        raise ValueError(f"unknown drill kind {kind!r}")
    if kind == "reverse":
        return _reverse(data, rng, chapter)
    code = rng.choice(data.codes_by_chapter[chapter])
    description = data.descriptions[code]
    holders = data.category_blocks[code[:3]]
    inner = holders[0]
    where = f"{code} is in block {inner.range} ({inner.title})"
    ch = data.chapter(chapter)
    explanation = f"{where}, chapter {ch.number}: {ch.title} ({ch.range})."
    if kind == "chapter":
        others = [c for c in data.chapters if c.number != chapter]
        options = [ch, *rng.sample(others, 3)]
        rng.shuffle(options)
        return DrillQuestion(
            "chapter",
            chapter,
            f"{code} — {description}\nWhich chapter is this code in?",
            code=code,
            options=[o.label for o in options],
            correct=options.index(ch) + 1,
            explanation=explanation,
        )
    return DrillQuestion(
        "block",
        chapter,
        f"{code} — {description}\nType the range of the block it belongs to (like E08-E13).",
        code=code,
        expected=inner.range,
        accepted=tuple(b.range for b in holders),
        explanation=explanation,
    )


def _reverse(data: DrillData, rng: random.Random, chapter: int) -> DrillQuestion:
    blocks = [b for b in data.blocks if b.chapter == chapter]
    block = rng.choice(blocks)
    # a distractor must not have the same title or range (umbrellas repeat chapter titles)
    usable = [b for b in data.blocks if b.title != block.title and b.range != block.range]
    near = [b for b in usable if b.chapter == chapter]
    pool = near if len(near) >= 3 else usable
    distractors: list[DrillBlock] = []
    for candidate in rng.sample(pool, len(pool)):
        if candidate.range not in {d.range for d in distractors}:
            distractors.append(candidate)
        if len(distractors) == 3:
            break
    options = [block.range, *(d.range for d in distractors)]
    rng.shuffle(options)
    ch = data.chapter(chapter)
    return DrillQuestion(
        "reverse",
        chapter,
        f"“{block.title}”\nWhich range is this block?",
        options=options,
        correct=options.index(block.range) + 1,
        explanation=f"{block.range}: {block.title} — chapter {ch.number}: {ch.title}.",
    )


def generate(
    data: DrillData,
    rng: random.Random,
    kind: str,
    focus: int | None = None,
    accuracy: dict[int, tuple[int, int]] | None = None,
) -> DrillQuestion:
    """One question; `kind` "mixed" picks a kind at random."""
    if kind == "mixed":
        kind = rng.choice(KINDS)
    return make_question(data, rng, kind, pick_chapter(data, rng, focus, accuracy))


def check(question: DrillQuestion, given: int | str | None) -> bool:
    """Is `given` (a 1-based option, or a typed range) right?"""
    if given is None:
        return False
    if question.is_choice:
        try:
            return int(given) == question.correct
        except (TypeError, ValueError):
            return False
    typed = normalise(str(given))
    return any(_same_range(typed, normalise(r)) for r in question.accepted)


def _same_range(typed: str, expected: str) -> bool:
    if typed == expected:
        return True
    lo, _, hi = expected.partition("-")
    return not hi and typed == f"{lo}-{lo}"  # a one-category block typed as B10-B10


# --- results ---------------------------------------------------------------------------------


def record(col: Collection, question: DrillQuestion, correct: bool) -> None:
    with col.transaction():
        col.conn.execute(
            "INSERT INTO drill_results(time, chapter, kind, code, correct) VALUES (?,?,?,?,?)",
            (
                int(col.now().timestamp() * 1000),
                question.chapter,
                question.kind,
                question.code or question.answer_text,
                int(bool(correct)),
            ),
        )


def accuracy_by_chapter(col: Collection) -> dict[int, tuple[int, int]]:
    """{chapter: (correct, total)} over every drill answer."""
    rows = col.conn.execute(
        "SELECT chapter, sum(correct), count(*) FROM drill_results GROUP BY chapter"
    ).fetchall()
    return {r[0]: (int(r[1]), int(r[2])) for r in rows}


def weak_chapters(col: Collection, limit: int = 3, minimum: int = 3) -> list[int]:
    """The chapters with the lowest accuracy among those answered at least `minimum` times."""
    stats = [(c / t, ch) for ch, (c, t) in accuracy_by_chapter(col).items() if t >= minimum]
    return [ch for _, ch in sorted(stats)[:limit]]
