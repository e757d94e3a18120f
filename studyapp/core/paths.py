"""Where the collection lives: --data-dir, then $STUDYAPP_DATA_DIR, then the platform folder."""

from __future__ import annotations

import os
from pathlib import Path

ENV_VAR = "STUDYAPP_DATA_DIR"
COLLECTION_FILE = "collection.sqlite"


def data_dir(override: str | os.PathLike[str] | None = None) -> Path:
    if override:
        return Path(override).expanduser()
    from_env = os.environ.get(ENV_VAR)
    if from_env:
        return Path(from_env).expanduser()
    import platformdirs

    return Path(platformdirs.user_data_dir("studyapp", appauthor=False))


def collection_path(override: str | os.PathLike[str] | None = None) -> Path:
    return data_dir(override) / COLLECTION_FILE


def _bundled(installed: str, folder: str) -> Path:
    """A folder shipped inside the installed package (studyapp/_decks, ...), or the
    repository's folder when running from a source checkout or an editable install."""
    package_dir = Path(__file__).resolve().parents[1]
    inside = package_dir / installed
    return inside if inside.is_dir() else package_dir.parent / folder


def shipped_decks_dir() -> Path:
    """The deck files that come with the app (decks/ in the repository)."""
    return _bundled("_decks", "decks")


def resources_dir() -> Path:
    """Stylesheets, card templates and the deck-format documents (resources/)."""
    return _bundled("_resources", "resources")
