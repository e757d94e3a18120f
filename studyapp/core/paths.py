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


def shipped_decks_dir() -> Path:
    """The deck files that come with the app (decks/ in the repository)."""
    return Path(str(resources.files("studyapp._decks")))


def resources_dir() -> Path:
    return Path(str(resources.files("studyapp._resources")))
