"""The engine must not depend on Qt: every front end (GUI, command line, tests) uses it."""

from __future__ import annotations

import pkgutil
import subprocess
import sys
import textwrap
from pathlib import Path

import studyapp.core

CORE_DIR = Path(studyapp.core.__file__).parent


def core_modules() -> list[str]:
    return sorted(
        info.name for info in pkgutil.walk_packages([str(CORE_DIR)], prefix="studyapp.core.")
    )


def test_core_has_the_expected_modules():
    modules = core_modules()
    for name in ("collection", "storage", "scheduling", "queue", "review", "codes", "render"):
        assert f"studyapp.core.{name}" in modules


def test_importing_every_core_module_does_not_load_qt():
    modules = core_modules()
    script = textwrap.dedent(
        f"""
        import importlib, sys
        for name in {modules!r}:
            importlib.import_module(name)
        loaded = sorted(m for m in sys.modules if m.startswith("studyapp.core."))
        qt = sorted(m for m in sys.modules if m.startswith("PySide6") or m.startswith("shiboken"))
        print(len(loaded))
        print(",".join(qt))
        """
    )
    result = subprocess.run(
        [sys.executable, "-c", script],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=CORE_DIR.parents[1],
    )
    assert result.returncode == 0, result.stderr
    count, qt = result.stdout.splitlines()[-2:]
    assert int(count) >= len(modules)
    assert qt == "", f"Qt was imported by the engine: {qt}"


def test_no_core_file_mentions_pyside6():
    offenders = []
    for path in CORE_DIR.rglob("*"):
        if not path.is_file() or "__pycache__" in path.parts:
            continue
        if b"pyside6" in path.read_bytes().lower():
            offenders.append(str(path.relative_to(CORE_DIR)))
    assert offenders == []
