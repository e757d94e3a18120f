"""Generate the ICD-10-CM decks from the CDC FY2026 tabular list (via `simple-icd-10-cm`).

Two decks come out of here:

* "ICD-10-CM::Chapters and blocks": every chapter and every block (including the umbrella
  blocks such as C00-C96 that span later blocks) as a reversible range <-> title note.
* "ICD-10-CM::Where does this code live": a few hundred billable codes, weighted toward
  everyday coding (diabetes, hypertension, COPD and asthma, pregnancy, injuries with a 7th
  character, neoplasms) plus one code from every block, each as a "which chapter?" choice note;
  the everyday ones also get a typed "which block?" note.

Ranges and titles are the package's data, never retyped. Everything is deterministic: the
selection uses fixed rules and `random.Random` instances seeded with fixed strings, so building
twice gives identical decks (and identical files).

`simple_icd_10_cm` takes seconds to import, so it is imported only inside the functions here;
nothing else in the app imports this module at start-up.
"""

from __future__ import annotations

import random
import re
import warnings
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType

from studyapp.core.model import ChangelogEntry, DeckSpec, NoteSpec

RANGES_DECK_ID = "fa221221-3564-4201-ac93-2689c490d9da"
LOCATIONS_DECK_ID = "84b3586a-c976-4453-95f0-84a151a430e9"
RANGES_FILE = "icd10cm-chapters-blocks.toml"
LOCATIONS_FILE = "icd10cm-code-locations.toml"

DECK_VERSION = "1.0.0"
RELEASE_DATE = "2026-11-27"
AUTHOR = "Coding Study Companion contributors"
LICENSE = (
    "ICD-10-CM is a public-domain code set published by CDC/NCHS; deck structure by "
    "Coding Study Companion contributors, CC BY 4.0."
)
CODE_SET = "ICD-10-CM"
CODE_SET_YEAR = "FY2026"
PACKAGE = "simple-icd-10-cm"

SEED = "icd10cm-code-locations-fy2026"
TYPED_PER_BLOCK = 2  # typed "which block" notes per block, among the weighted codes

# Codes every coder meets weekly; always in the locations deck (each must be billable).
ANCHOR_CODES = (
    "E11.9", "E11.65", "E11.22", "E11.40", "E11.649", "E10.9", "E78.5", "E66.9",
    "I10", "I11.0", "I25.10", "I48.91", "I50.9",
    "J44.1", "J44.0", "J45.909", "J18.9",
    "N18.30", "N39.0",
    "O24.410", "O80", "O09.90",
    "Z34.00", "Z00.00", "Z23", "Z79.4", "Z68.41",
    "S72.001A", "S52.501A", "S06.0X0A", "T78.40XA", "W19.XXXA", "V43.52XA",
    "M54.50", "F32.A", "F41.1", "K21.9", "R07.9", "R51.9",
    "C50.911", "C34.90", "D64.9", "G47.33", "U07.1",
)  # fmt: skip


def _seventh_character(code: str) -> bool:
    return "S00" <= code[:3] <= "T88" and len(code.replace(".", "")) == 7


@dataclass(frozen=True)
class Group:
    """An area of daily work: `count` codes (None: all) drawn from the billable codes it matches."""

    name: str
    tags: tuple[str, ...]
    count: int | None
    matches: Callable[[str, str], bool]  # (code, description) -> in this group


GROUPS = (
    Group("diabetes", ("diabetes",), 30, lambda c, d: "E08" <= c[:3] <= "E13"),
    Group("hypertension", ("hypertension",), None, lambda c, d: "I10" <= c[:3] <= "I1A"),
    Group("copd-asthma", ("copd-asthma",), None, lambda c, d: c[:3] in ("J44", "J45")),
    Group("pregnancy", ("pregnancy",), 40, lambda c, d: c[0] == "O"),
    Group(
        "fractures",
        ("injury", "fracture", "7th-character"),
        35,
        lambda c, d: _seventh_character(c) and "fracture" in d.lower(),
    ),
    Group(
        "other-injuries",
        ("injury", "7th-character"),
        25,
        lambda c, d: _seventh_character(c) and "fracture" not in d.lower(),
    ),
    Group("neoplasms", ("neoplasm",), 40, lambda c, d: "C00" <= c[:3] <= "D49"),
)


@dataclass(frozen=True)
class Block:
    range: str
    title: str
    chapter: int
    umbrellas: tuple[str, ...] = ()  # ranges of the blocks that span this one, widest first
    spans: tuple[str, ...] = ()  # for an umbrella block: the blocks directly under it


@dataclass(frozen=True)
class Chapter:
    number: int
    range: str
    title: str
    blocks: tuple[Block, ...] = ()

    @property
    def tag(self) -> str:
        return f"chapter-{self.number:02d}"


# -- reading the package ----------------------------------------------------------------------


def _cm() -> ModuleType:
    with warnings.catch_warnings():
        # Its loader uses importlib.resources.read_text, deprecated since Python 3.11.
        warnings.simplefilter("ignore", DeprecationWarning)
        import simple_icd_10_cm

    return simple_icd_10_cm


def package_version() -> str:
    from importlib.metadata import version

    return version(PACKAGE)


def sources() -> list[str]:
    return [
        f"CDC/NCHS ICD-10-CM {CODE_SET_YEAR} Tabular List (April 1, 2026 release), read through "
        f"the {PACKAGE} {package_version()} Python package"
    ]


_TITLE_RE = re.compile(r"^(.*?)\s*\(([^()]*)\)\s*$", re.DOTALL)


def _split_description(desc: str) -> tuple[str, str]:
    """'Neoplasms (C00-D49)' -> ('Neoplasms', 'C00-D49'): the tabular list's heading form."""
    match = _TITLE_RE.match(desc)
    if not match:
        raise ValueError(f"ICD-10-CM heading without a range: {desc!r}")
    return match.group(1).strip(), match.group(2).strip()


def range_bounds(code_range: str) -> tuple[str, str]:
    """'A00-A09' -> ('A00', 'A09'); a one-category block 'B10' -> ('B10', 'B10')."""
    lo, _, hi = code_range.partition("-")
    return lo, hi or lo


def _block_categories(cm: ModuleType, chapter: str) -> dict[str, list[str]]:
    """The categories of each block of a chapter, in tabular order.

    A block with categories of its own has them as children in the package's tree. An umbrella
    block (C00-C96, T07-T88, ...) has none: it spans the categories from its first to its last
    in tabular order. Plain text order would not do: C4A comes before C44, C7A and C7B before
    C76, D3A before D37 and M1A before M10, and J4A comes after J44 although J40-J4A still
    holds J45 and J47 - range names are labels, the tree is the truth.
    """
    blocks = cm.get_children(chapter)
    own = {b: cm.get_children(b, prioritize_blocks=True) for b in blocks}
    order = [c for b in blocks for c in own[b]]
    position = {c: i for i, c in enumerate(order)}
    out = {}
    for block in blocks:
        if own[block]:
            out[block] = own[block]
        else:
            lo, hi = range_bounds(block)
            out[block] = order[position[lo] : position[hi] + 1]
    return out


def load_chapters() -> list[Chapter]:
    """The 22 chapters with their blocks, in tabular order, as the package has them."""
    cm = _cm()
    chapters = []
    for number in (c for c in cm.get_all_codes() if cm.is_chapter(c)):
        title, chapter_range = _split_description(cm.get_description(number))
        categories = {b: set(cats) for b, cats in _block_categories(cm, number).items()}

        def covers(outer: str, inner: str, categories: dict[str, set[str]] = categories) -> bool:
            return outer != inner and categories[inner] < categories[outer]

        blocks = []
        for block, cats in categories.items():
            # prioritize_blocks: a one-category block such as B10 shares its name with the
            # category; the block's own heading is wanted.
            block_title, block_range = _split_description(
                cm.get_description(block, prioritize_blocks=True)
            )
            if block_range != block or not cats:
                raise ValueError(f"block {block}: unexpected heading or no categories")
            outer = [r for r in categories if covers(r, block)]
            outer.sort(key=lambda r: -len(categories[r]))  # widest first
            inner = [r for r in categories if covers(block, r)]
            direct = [r for r in inner if not any(covers(o, r) for o in inner)]
            blocks.append(Block(block, block_title, int(number), tuple(outer), tuple(direct)))
        chapters.append(Chapter(int(number), chapter_range, title, tuple(blocks)))
    return chapters


def billable_codes() -> list[str]:
    """Every billable (leaf) code, sorted."""
    cm = _cm()
    return sorted(
        {
            c
            for c in cm.get_all_codes()
            if not cm.is_chapter(c) and cm.is_category_or_subcategory(c) and cm.is_leaf(c)
        }
    )


# -- shared helpers ---------------------------------------------------------------------------


def _text(value: str) -> str:
    """A field as the deck file stores it (HTML-escaped), so a written deck reads back equal."""
    from studyapp.core.sanitise import clean_html

    return clean_html(value.strip())


def _changelog() -> list[ChangelogEntry]:
    return [ChangelogEntry(DECK_VERSION, "First release.", RELEASE_DATE)]


# -- deck 1: chapters and blocks --------------------------------------------------------------


def _umbrellas(block: Block, blocks: dict[str, Block]) -> str:
    """'the umbrella block C00-C96 (Malignant neoplasms)', innermost first when several."""
    names = [f"{r} ({blocks[r].title})" for r in reversed(block.umbrellas)]
    return f"the umbrella block{'s' if len(names) > 1 else ''} {' and '.join(names)}"


def _block_explanation(block: Block, chapter: Chapter, blocks: dict[str, Block]) -> str:
    parts = [f"Chapter {chapter.number}: {chapter.title} ({chapter.range})."]
    if block.umbrellas:
        parts.append(f"Within {_umbrellas(block, blocks)}.")
    if block.spans:
        parts.append(f"Umbrella heading over the blocks {', '.join(block.spans)}.")
    if block.title == chapter.title:
        parts.append(f"Same title as chapter {chapter.number} ({chapter.range}).")
    return " ".join(parts)


def build_ranges_deck() -> DeckSpec:
    chapters = load_chapters()
    notes: list[NoteSpec] = []
    seen: set[str] = set()

    def note_id(prefix: str, code_range: str) -> str:
        base = f"{prefix}-{code_range}"
        candidate, n = base, 2
        while candidate in seen:  # the same range twice: number the later ones
            candidate, n = f"{base}-{n}", n + 1
        seen.add(candidate)
        return candidate

    for chapter in chapters:
        explanation = f"Chapter {chapter.number} of {len(chapters)}."
        shared = [b.range for b in chapter.blocks if b.title == chapter.title]
        if shared:
            explanation += f" The block {', '.join(shared)} has the same title."
        seen.add(chapter.tag)
        notes.append(
            NoteSpec(
                id=chapter.tag,
                kind="reversible",
                deck="Chapters",
                tags=[chapter.tag],
                fields={
                    "front": _text(chapter.range),
                    "back": _text(chapter.title),
                    "explanation": _text(explanation),
                },
            )
        )
    for chapter in chapters:
        by_range = {b.range: b for b in chapter.blocks}
        for block in chapter.blocks:
            tags = [chapter.tag] + (["umbrella-block"] if block.spans else [])
            notes.append(
                NoteSpec(
                    id=note_id("block", block.range),
                    kind="reversible",
                    deck=f"Blocks::Chapter {chapter.number:02d}",
                    tags=tags,
                    fields={
                        "front": _text(block.range),
                        "back": _text(block.title),
                        "explanation": _text(_block_explanation(block, chapter, by_range)),
                    },
                )
            )
    n_blocks = sum(len(c.blocks) for c in chapters)
    return DeckSpec(
        id=RANGES_DECK_ID,
        name="ICD-10-CM::Chapters and blocks",
        version=DECK_VERSION,
        title="ICD-10-CM code ranges (FY2026)",
        author=AUTHOR,
        license=LICENSE,
        description=(
            f"All {len(chapters)} chapters and {n_blocks} blocks of the ICD-10-CM FY2026 "
            "Tabular List, including umbrella blocks such as C00-C96 that span several later "
            "blocks. Each note works both ways: range to title and title to range. Ranges and "
            "titles are exactly as in the CDC data."
        ),
        code_set=CODE_SET,
        code_set_year=CODE_SET_YEAR,
        sources=sources(),
        tags=["icd-10-cm", "code-ranges"],
        changelog=_changelog(),
        notes=notes,
    )


# -- deck 2: where does this code live -----------------------------------------------------------


@dataclass
class _Pick:
    code: str
    tags: list[str]
    typed: bool = False


def _innermost_block(cm: ModuleType, code: str) -> str:
    """The block directly above a code in the tabular tree (ancestors end block, chapter)."""
    return cm.get_ancestors(code)[-2]


def select_location_codes() -> list[_Pick]:
    """The codes of the locations deck, sorted, with their topic tags.

    Anchors, then each weighted group (a seeded sample of its sorted codes), then one code from
    every block that has codes of its own and is not covered yet. The typed "which block" note is
    made for up to TYPED_PER_BLOCK anchor or group codes per block.
    """
    cm = _cm()
    codes = billable_codes()
    describe = cm.get_description
    picks: dict[str, _Pick] = {}

    def add(code: str, tag: str | None) -> None:
        pick = picks.setdefault(code, _Pick(code, []))
        if tag and tag not in pick.tags:
            pick.tags.append(tag)

    billable = set(codes)
    for code in ANCHOR_CODES:
        if code not in billable:
            raise ValueError(f"anchor code {code} is not a billable code in this release")
        add(code, "common-code")
    for group in GROUPS:
        pool = [c for c in codes if group.matches(c, describe(c))]
        if group.count is not None:
            pool = random.Random(f"{SEED}:{group.name}").sample(pool, min(group.count, len(pool)))
        for code in pool:
            for tag in group.tags:
                add(code, tag)

    # Typed block notes: up to TYPED_PER_BLOCK per block among the weighted codes, seeded order.
    weighted = sorted(picks)
    random.Random(f"{SEED}:typed").shuffle(weighted)
    typed_per_block: dict[str, int] = {}
    for code in weighted:
        block = _innermost_block(cm, code)
        if typed_per_block.get(block, 0) < TYPED_PER_BLOCK:
            typed_per_block[block] = typed_per_block.get(block, 0) + 1
            picks[code].typed = True

    # The spread: one code from every block not represented yet.
    by_block: dict[str, list[str]] = {}
    for code in codes:
        by_block.setdefault(_innermost_block(cm, code), []).append(code)
    covered = {_innermost_block(cm, c) for c in picks}
    for block in sorted(by_block):
        if block not in covered:
            add(random.Random(f"{SEED}:block:{block}").choice(by_block[block]), None)
    return [picks[c] for c in sorted(picks)]


def _chapter_options(chapters: list[Chapter], right: Chapter, code: str) -> tuple[list[str], int]:
    """The right chapter, a neighbouring chapter and two others, in a seeded order."""
    rng = random.Random(f"{SEED}:options:{code}")
    numbers = [c.number for c in chapters]
    neighbours = [n for n in (right.number - 1, right.number + 1) if n in numbers]
    near = rng.choice(neighbours)
    rest = [n for n in numbers if n not in (right.number, near)]
    chosen = [right.number, near, *rng.sample(rest, 2)]
    rng.shuffle(chosen)
    by_number = {c.number: c for c in chapters}
    return [_text(by_number[n].title) for n in chosen], chosen.index(right.number) + 1


def _location_sentence(code: str, block: Block, chapter: Chapter, blocks: dict[str, Block]) -> str:
    sentence = (
        f"{code} falls in block {block.range} {block.title} of chapter {chapter.number} "
        f"({chapter.range})."
    )
    if block.umbrellas:
        sentence += f" That block sits within {_umbrellas(block, blocks)}."
    return sentence


def build_locations_deck() -> DeckSpec:
    cm = _cm()
    chapters = load_chapters()
    chapter_of = {c.number: c for c in chapters}
    blocks = {b.range: b for c in chapters for b in c.blocks}
    notes: list[NoteSpec] = []
    for pick in select_location_codes():
        code = pick.code
        description = cm.get_description(code)
        ancestors = cm.get_ancestors(code)  # ..., category, block, chapter
        chapter, block = chapter_of[int(ancestors[-1])], blocks[ancestors[-2]]
        tags = [chapter.tag, *pick.tags]
        where = _text(_location_sentence(code, block, chapter, blocks))
        options, correct = _chapter_options(chapters, chapter, code)
        notes.append(
            NoteSpec(
                id=f"chapter-of-{code}",
                kind="choice",
                deck="Which chapter",
                tags=tags,
                fields={
                    "question": _text(f"Which chapter holds {code} {description}?"),
                    "options": options,
                    "correct": correct,
                    "rationale": where,
                },
            )
        )
        if pick.typed:
            lo, hi = range_bounds(block.range)
            accept = [f"{lo} to {hi}"] if lo != hi else []
            notes.append(
                NoteSpec(
                    id=f"block-of-{code}",
                    kind="typed",
                    deck="Which block",
                    tags=tags,
                    fields={
                        "front": _text(
                            f"Which block (code range) holds {code} {description}? "
                            "Give the narrowest block."
                        ),
                        "answer": _text(block.range),
                        "accept": [_text(a) for a in accept],
                        "explanation": where,
                    },
                )
            )
    n_choice = sum(n.kind == "choice" for n in notes)
    return DeckSpec(
        id=LOCATIONS_DECK_ID,
        name="ICD-10-CM::Where does this code live",
        version=DECK_VERSION,
        title="Where does this ICD-10-CM code live? (FY2026)",
        author=AUTHOR,
        license=LICENSE,
        description=(
            f"{n_choice} billable ICD-10-CM FY2026 codes: name the chapter that holds each one, "
            "and for the everyday ones the block as well. Weighted toward daily work (diabetes, "
            "hypertension, COPD and asthma, pregnancy, injuries with a 7th character, "
            "neoplasms), with at least one code from every block of every chapter. Codes and "
            "descriptions are exactly as in the CDC data."
        ),
        code_set=CODE_SET,
        code_set_year=CODE_SET_YEAR,
        sources=sources(),
        tags=["icd-10-cm", "code-locations"],
        changelog=_changelog(),
        options={"new_order": "random"},
        notes=notes,
    )


# -- writing ---------------------------------------------------------------------------------


def write_decks(out_dir: Path) -> list[Path]:
    """Build both decks and write them into `out_dir`; returns the paths written."""
    from studyapp.core.deckfile import write_deck_file

    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    written = []
    for spec, name in (
        (build_ranges_deck(), RANGES_FILE),
        (build_locations_deck(), LOCATIONS_FILE),
    ):
        path = out_dir / name
        write_deck_file(spec, path)
        written.append(path)
    return written
