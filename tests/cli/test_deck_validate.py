"""`studyapp deck validate FILE...`."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from studyapp.cli import main

ROOT = Path(__file__).resolve().parents[2]
EXAMPLE = ROOT / "resources" / "example-deck.toml"

GOOD = """\
format = 1

[deck]
id = "0c7b1f4e-6f1a-4c39-9a55-2d8e8f0f1d11"
name = "Test"
version = "1.0.0"

[[notes]]
id = "a"
kind = "reversible"
front = "C00-D49"
back = "Neoplasms"

[[notes]]
id = "b"
kind = "cloze"
text = "{{c1::X}} and {{c2::Y}}"
"""


def run(capsys, *args: str) -> tuple[int, str, str]:
    status = main(["deck", "validate", *args])
    out, err = capsys.readouterr()
    return status, out, err


def test_good_toml(tmp_path, capsys):
    path = tmp_path / "good.toml"
    path.write_text(GOOD, encoding="utf-8")
    assert run(capsys, str(path)) == (0, f"{path}: ok (2 notes, 4 cards)\n", "")


def test_good_spreadsheets(tmp_path, capsys):
    csv_path = tmp_path / "cards.csv"
    csv_path.write_text("front,back\na,b\n", encoding="utf-8")
    tsv_path = tmp_path / "cards.tsv"
    tsv_path.write_text("kind\tfront\tback\nreversible\ta\tb\nbasic\tc\td\n", encoding="utf-8")
    status, out, _ = run(capsys, str(csv_path), str(tsv_path))
    assert status == 0
    assert out.splitlines() == [
        f"{csv_path}: ok (1 note, 1 card)",
        f"{tsv_path}: ok (2 notes, 3 cards)",
    ]


def test_every_problem_on_its_own_line_and_status_1(tmp_path, capsys):
    good = tmp_path / "good.toml"
    good.write_text(GOOD, encoding="utf-8")
    bad = tmp_path / "bad.toml"
    bad.write_text(
        GOOD.replace('kind = "reversible"', 'kind = "flash"').replace(
            "{{c1::X}} and {{c2::Y}}", "x"
        ),
        encoding="utf-8",
    )
    status, out, err = run(capsys, str(bad), str(good))
    assert status == 1 and err == ""
    lines = out.splitlines()
    assert len(lines) == 3
    assert lines[0].startswith(f'{bad}:10 (note a): kind "flash" is not known')
    assert lines[1].startswith(f'{bad}:17 (note b): a cloze note\'s "text" has no deletion')
    assert lines[2] == f"{good}: ok (2 notes, 4 cards)"


def test_syntax_error_shows_line_and_column(tmp_path, capsys):
    bad = tmp_path / "bad.toml"
    bad.write_text("format = 1\n[deck]\nid = 00100\n", encoding="utf-8")
    status, out, _ = run(capsys, str(bad))
    assert status == 1 and out.startswith(f"{bad}:3:7: TOML syntax error")


def test_bad_csv_row(tmp_path, capsys):
    bad = tmp_path / "cards.csv"
    bad.write_text('front,back\n"multi\nline",ok\nno back,\n', encoding="utf-8")
    status, out, _ = run(capsys, str(bad))
    assert (status, out) == (1, f'{bad}:4: "back" is empty; a basic note needs text there.\n')


def test_missing_and_unknown_files(tmp_path, capsys):
    other = tmp_path / "deck.json"
    other.write_text("{}", encoding="utf-8")
    status, out, _ = run(capsys, str(tmp_path / "missing.toml"), str(other))
    assert status == 1
    missing, unknown = out.splitlines()
    assert "missing.toml: cannot read the file" in missing
    assert "unknown file type .json" in unknown


def test_example_deck_is_valid(capsys):
    status, out, _ = run(capsys, str(EXAMPLE))
    assert status == 0 and ": ok (5 notes, 7 cards)" in out


def test_deck_needs_a_subcommand(capsys):
    with pytest.raises(SystemExit) as info:
        main(["deck"])
    assert info.value.code == 2


def test_validate_needs_a_file(capsys):
    with pytest.raises(SystemExit) as info:
        main(["deck", "validate"])
    assert info.value.code == 2


def test_runs_as_a_module(tmp_path):
    path = tmp_path / "good.toml"
    path.write_text(GOOD, encoding="utf-8")
    result = subprocess.run(
        [sys.executable, "-m", "studyapp", "deck", "validate", str(path)],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=60,
    )
    assert (result.returncode, result.stdout) == (0, f"{path}: ok (2 notes, 4 cards)\n")
