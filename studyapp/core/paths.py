"""Where the collection lives: --data-dir, then $STUDYAPP_DATA_DIR, then the platform folder."""

from __future__ import annotations

import os
from importlib import resources
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


def _bundled(package: str, folder: str) -> Path:
    """A folder shipped inside the installed package, or the repository folder when the
    package runs from a source checkout without being installed."""
    try:
        return Path(str(resources.files(package)))
    except ModuleNotFoundError:
        return Path(__file__).resolve().parents[2] / folder


def shipped_decks_dir() -> Path:
    """The deck files that come with the app (decks/ in the repository)."""
    return _bundled("studyapp._decks", "decks")


def resources_dir() -> Path:
    """Stylesheets, card templates and the deck-format documents (resources/)."""
    return _bundled("studyapp._resources", "resources")
