"""`studyapp deck import / export / list` and `--version`, run through the real entry point."""

from __future__ import annotations

import subprocess
import sys

from studyapp.cli import main

DECK = """format = 1
[deck]
id = "5b0c2f4e-1a2b-4c3d-8e9f-0a1b2c3d4e5f"
name = "Course"
version = "{version}"
title = "Course deck"
license = "CC BY 4.0"

[[notes]]
id = "a"
kind = "basic"
front = "NEC"
back = "{back}"

[[notes]]
id = "b"
kind = "typed"
front = "T2DM without complications"
answer = "E11.9"
"""


def write(tmp_path, version="1.0.0", back="Not elsewhere classifiable"):
    path = tmp_path / f"course-{version}.toml"
    path.write_text(DECK.format(version=version, back=back), encoding="utf-8")
    return path


def run(tmp_path, *args):
    return main(["--data-dir", str(tmp_path / "data"), *args])


def test_version_flag():
    out = subprocess.run(
        [sys.executable, "-m", "studyapp", "--version"], capture_output=True, text=True
    )
    assert out.returncode == 0 and out.stdout.startswith("studyapp ")


def test_import_dry_run_changes_nothing_then_import(tmp_path, capsys):
    path = write(tmp_path)
    assert run(tmp_path, "deck", "import", str(path), "--dry-run") == 0
    out = capsys.readouterr().out
    assert "new deck, version 1.0.0" in out and "new: 2" in out and "Dry run" in out
    assert run(tmp_path, "deck", "list") == 0
    assert "No decks yet" in capsys.readouterr().out
    assert run(tmp_path, "deck", "import", str(path)) == 0
    assert run(tmp_path, "deck", "list") == 0
    assert "Course" in capsys.readouterr().out


def test_update_preview_lists_changes_and_older_version_is_refused(tmp_path, capsys):
    run(tmp_path, "deck", "import", str(write(tmp_path)))
    capsys.readouterr()
    newer = write(tmp_path, "1.1.0", back="Not elsewhere classified")
    assert run(tmp_path, "deck", "import", str(newer), "--dry-run") == 0
    out = capsys.readouterr().out
    assert "update from 1.0.0 to 1.1.0" in out and "Changed: a" in out
    run(tmp_path, "deck", "import", str(newer))
    assert run(tmp_path, "deck", "import", str(write(tmp_path, "0.9.0"))) == 1
    assert "older than the installed 1.1.0" in capsys.readouterr().err


def test_import_with_errors_reports_lines_and_imports_nothing(tmp_path, capsys):
    bad = tmp_path / "bad.toml"
    bad.write_text(
        DECK.format(version="1.0.0", back="x").replace('kind = "typed"', 'kind = "essay"')
    )
    assert run(tmp_path, "deck", "import", str(bad)) == 1
    out = capsys.readouterr().out
    assert "bad.toml:" in out and "essay" in out and "Nothing was imported" in out
    run(tmp_path, "deck", "list")
    assert "No decks yet" in capsys.readouterr().out


def test_export_round_trip_is_canonical(tmp_path, capsys):
    run(tmp_path, "deck", "import", str(write(tmp_path)))
    first, second = tmp_path / "one.toml", tmp_path / "two.toml"
    assert run(tmp_path, "deck", "export", "Course", "-o", str(first)) == 0
    assert "Exported 2 notes" in capsys.readouterr().out
    main(["--data-dir", str(tmp_path / "other"), "deck", "import", str(first)])
    main(["--data-dir", str(tmp_path / "other"), "deck", "export", "Course", "-o", str(second)])
    assert first.read_text() == second.read_text()


def test_export_unknown_deck_is_a_clear_error(tmp_path, capsys):
    assert run(tmp_path, "deck", "export", "Nope", "-o", str(tmp_path / "x.toml")) == 1
    assert "no deck named 'Nope'" in capsys.readouterr().err
