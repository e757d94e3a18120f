"""The generated ICD-10-CM decks against the CDC data in simple-icd-10-cm.

The shipped files in decks/ are read back and checked against the package directly (not through
the generator's own helpers), so a generator bug cannot hide behind itself.
"""

from __future__ import annotations

import re
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest

from studyapp.core.deckfile import dump_deck, parse_deck

REPO = Path(__file__).resolve().parents[2]
DECKS = REPO / "decks"
RANGES_PATH = DECKS / "icd10cm-chapters-blocks.toml"
LOCATIONS_PATH = DECKS / "icd10cm-code-locations.toml"

HEADING_RE = re.compile(r"^(.*?)\s*\(([^()]*)\)\s*$")


@pytest.fixture(scope="module")
def cm():
    from studyapp.core.content.icd10cm import _cm

    return _cm()  # the package itself, imported with its deprecation warnings silenced


@pytest.fixture(scope="module")
def ranges_deck():
    return parse_deck(RANGES_PATH.read_bytes(), RANGES_PATH.name)


@pytest.fixture(scope="module")
def locations_deck():
    return parse_deck(LOCATIONS_PATH.read_bytes(), LOCATIONS_PATH.name)


@pytest.fixture(scope="module")
def tabular(cm):
    """Chapters as {number: (range, title)}, and blocks as [(chapter, range, title)]."""
    chapters, blocks = {}, []
    for number in (c for c in cm.get_all_codes() if cm.is_chapter(c)):
        title, chapter_range = HEADING_RE.match(cm.get_description(number)).groups()
        chapters[int(number)] = (chapter_range, title.strip())
        for block in cm.get_children(number):
            title, block_range = HEADING_RE.match(
                cm.get_description(block, prioritize_blocks=True)
            ).groups()
            assert block_range == block
            blocks.append((int(number), block, title.strip()))
    return chapters, blocks


@pytest.fixture(scope="module")
def category_position(cm):
    cats = dict.fromkeys(c for c in cm.get_all_codes() if len(c) == 3 and cm.is_category(c))
    return {c: i for i, c in enumerate(cats)}


def range_holds(code_range: str, code: str, position: dict[str, int]) -> bool:
    """A range holds a code's category in text order (J40-J4A holds J45) or in the tabular
    list's order (C43-C44 holds C4A, which the list puts between C43 and C44)."""
    lo, _, hi = code_range.partition("-")
    hi = hi or lo
    cat = code[:3]
    in_text = lo <= cat <= hi
    in_list = lo in position and hi in position and position[lo] <= position[cat] <= position[hi]
    return in_text or in_list


# -- the chapters and blocks deck -------------------------------------------------------------


def test_ranges_deck_header(ranges_deck):
    assert ranges_deck.name == "ICD-10-CM::Chapters and blocks"
    assert ranges_deck.title == "ICD-10-CM code ranges (FY2026)"
    assert (ranges_deck.code_set, ranges_deck.code_set_year) == ("ICD-10-CM", "FY2026")
    assert ranges_deck.version == "1.0.0"
    assert ranges_deck.license.startswith("ICD-10-CM is a public-domain code set")
    assert any("simple-icd-10-cm" in s and "FY2026" in s for s in ranges_deck.sources)
    assert ranges_deck.changelog and ranges_deck.changelog[0].version == ranges_deck.version


def test_every_chapter_and_block_exact(ranges_deck, tabular):
    chapters, blocks = tabular
    assert len(chapters) == 22
    assert len(blocks) == 297
    notes = {n.id: n for n in ranges_deck.notes}
    assert len(notes) == len(ranges_deck.notes) == 22 + 297
    assert all(n.kind == "reversible" for n in ranges_deck.notes)

    for number, (chapter_range, title) in chapters.items():
        note = notes.pop(f"chapter-{number:02d}")
        assert (note.fields["front"], note.fields["back"]) == (chapter_range, title)
        assert note.deck == "Chapters"
        assert f"chapter-{number:02d}" in note.tags

    for number, block_range, title in blocks:
        note = notes.pop(f"block-{block_range}")  # ranges are unique, so no suffixes needed
        assert (note.fields["front"], note.fields["back"]) == (block_range, title)
        assert note.deck == f"Blocks::Chapter {number:02d}"
        assert f"chapter-{number:02d}" in note.tags
    assert notes == {}


def test_known_ranges(ranges_deck):
    """Spot checks that read like the printed tabular list."""
    fronts = {n.fields["front"]: n.fields["back"] for n in ranges_deck.notes}
    assert fronts["A00-B99"] == "Certain infectious and parasitic diseases"
    assert fronts["E08-E13"] == "Diabetes mellitus"
    assert fronts["C00-C96"] == "Malignant neoplasms"  # an umbrella block
    assert fronts["B10"] == "Other human herpesviruses"  # a one-category block
    assert fronts["O00-O9A"] == "Pregnancy, childbirth and the puerperium"
    umbrella = next(n for n in ranges_deck.notes if n.id == "block-C00-C96")
    assert "umbrella-block" in umbrella.tags
    assert "C7A" in umbrella.fields["explanation"]


# -- the code locations deck ------------------------------------------------------------------


def test_locations_deck_size_and_shape(locations_deck, tabular, cm):
    chapters, blocks = tabular
    kinds = Counter(n.kind for n in locations_deck.notes)
    assert 400 <= kinds["choice"] <= 500
    assert kinds["typed"] > 0
    assert len(locations_deck.notes) <= 600
    assert set(kinds) == {"choice", "typed"}
    assert len({n.id for n in locations_deck.notes}) == len(locations_deck.notes)

    codes = [n.id.removeprefix("chapter-of-") for n in locations_deck.notes if n.kind == "choice"]
    held_chapters = {int(cm.get_ancestors(c)[-1]) for c in codes}
    assert held_chapters == set(chapters)
    # Every block with categories of its own has at least one code.
    held_blocks = {cm.get_ancestors(c)[-2] for c in codes}
    own = {b for _, b, _ in blocks if cm.get_children(b, prioritize_blocks=True)}
    assert own <= held_blocks

    # Weighted toward daily work.
    cats = Counter(c[:3] for c in codes)
    assert sum(v for k, v in cats.items() if "E08" <= k <= "E13") >= 25
    assert {"I10", "I11", "I12", "I13", "I15", "I16", "I1A"} <= set(cats)
    assert cats["J44"] + cats["J45"] >= 20
    assert sum(v for k, v in cats.items() if k[0] == "O") >= 35
    assert sum(v for k, v in cats.items() if "C00" <= k <= "D49") >= 35
    seventh = [c for c in codes if c[0] in "ST" and len(c.replace(".", "")) == 7]
    assert len(seventh) >= 50
    assert {"A", "D", "S"} <= {c[-1] for c in seventh}


def test_every_choice_answer_is_the_chapter_holding_the_code(
    locations_deck, tabular, cm, category_position
):
    chapters, _ = tabular
    titles = {title for _, title in chapters.values()}
    umbrellas_checked = 0
    for note in (n for n in locations_deck.notes if n.kind == "choice"):
        code = note.id.removeprefix("chapter-of-")
        assert cm.is_valid_item(code) and cm.is_leaf(code), f"{code} is not billable"
        assert note.fields["question"] == f"Which chapter holds {code} {cm.get_description(code)}?"

        ancestors = cm.get_ancestors(code)
        chapter_range, chapter_title = chapters[int(ancestors[-1])]
        options = note.fields["options"]
        assert len(options) == 4 and len(set(options)) == 4
        assert set(options) <= titles
        assert options[note.fields["correct"] - 1] == chapter_title
        assert range_holds(chapter_range, code, category_position)

        match = re.match(
            rf"^{re.escape(code)} falls in block (\S+) .* of chapter (\d+) \(([^)]+)\)\.",
            note.fields["rationale"],
        )
        assert match, note.fields["rationale"]
        block_range, number, rationale_chapter_range = match.groups()
        assert block_range == ancestors[-2]
        assert (int(number), rationale_chapter_range) == (int(ancestors[-1]), chapter_range)
        assert range_holds(block_range, code, category_position)
        # Umbrella blocks named in the rationale hold the code too.
        for umbrella in re.findall(
            r"\b([A-Z]\d[0-9A-Z]-[A-Z]\d[0-9A-Z]) \(", note.fields["rationale"]
        ):
            assert range_holds(umbrella, code, category_position), (code, umbrella)
            umbrellas_checked += 1
    assert umbrellas_checked > 0


def test_every_typed_answer_is_the_block_holding_the_code(locations_deck, cm, category_position):
    typed = [n for n in locations_deck.notes if n.kind == "typed"]
    for note in typed:
        code = note.id.removeprefix("block-of-")
        assert code in note.fields["front"]
        block = note.fields["answer"]
        assert block == cm.get_ancestors(code)[-2]
        assert cm.is_block(block)
        assert range_holds(block, code, category_position)
        lo, _, hi = block.partition("-")
        assert note.fields["accept"] == ([f"{lo} to {hi}"] if hi else [])


def test_choice_answers_are_spread_over_positions(locations_deck):
    positions = Counter(n.fields["correct"] for n in locations_deck.notes if n.kind == "choice")
    assert set(positions) == {1, 2, 3, 4}
    assert min(positions.values()) > 0.15 * sum(positions.values())


# -- the generator ----------------------------------------------------------------------------


def test_generator_is_deterministic_and_matches_shipped_files(ranges_deck, locations_deck):
    from studyapp.core.content import icd10cm

    first = icd10cm.build_ranges_deck(), icd10cm.build_locations_deck()
    second = icd10cm.build_ranges_deck(), icd10cm.build_locations_deck()
    assert first == second
    assert first == (ranges_deck, locations_deck), "decks/ is stale: run `studyapp decks build`"
    assert dump_deck(first[0]) == RANGES_PATH.read_text(encoding="utf-8")
    assert dump_deck(first[1]) == LOCATIONS_PATH.read_text(encoding="utf-8")


def test_decks_build_command_writes_both_files(tmp_path, capsys):
    from studyapp.cli import main

    assert main(["decks", "build", "--out", str(tmp_path)]) == 0
    out = capsys.readouterr().out
    assert "icd10cm-chapters-blocks.toml: 319 notes" in out
    for path in (RANGES_PATH, LOCATIONS_PATH):
        assert (tmp_path / path.name).read_bytes() == path.read_bytes()


def test_default_out_dir_is_the_repository_decks_folder():
    from studyapp.commands.decks_build import default_out_dir

    assert default_out_dir() == DECKS


def test_cli_and_model_do_not_import_the_icd_package():
    code = (
        "import sys\n"
        "import studyapp.cli, studyapp.core.model, studyapp.core.content.icd10cm\n"
        "studyapp.cli.build_parser()\n"
        "print('simple_icd_10_cm' in sys.modules)\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, cwd=REPO, check=True
    )
    assert result.stdout.strip() == "False"
