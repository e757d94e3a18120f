"""Deck options: defaults, validation, and inheritance from parent decks."""

from __future__ import annotations

from dataclasses import dataclass, fields

DEFAULTS: dict[str, object] = {
    "new_per_day": 20,
    "reviews_per_day": 200,
    "desired_retention": 0.90,
    "learning_steps": [1, 10],  # minutes
    "relearning_steps": [10],  # minutes
    "maximum_interval": 36500,  # days
    "new_order": "file",  # "file" or "random"
}


@dataclass(frozen=True)
class DeckOptions:
    new_per_day: int = 20
    reviews_per_day: int = 200
    desired_retention: float = 0.90
    learning_steps: tuple[float, ...] = (1, 10)
    relearning_steps: tuple[float, ...] = (10,)
    maximum_interval: int = 36500
    new_order: str = "file"

    @classmethod
    def from_layers(cls, *layers: dict[str, object]) -> DeckOptions:
        """Later layers override earlier ones; unknown keys are ignored."""
        merged: dict[str, object] = dict(DEFAULTS)
        for layer in layers:
            merged.update({k: v for k, v in layer.items() if k in DEFAULTS})
        merged["learning_steps"] = tuple(merged["learning_steps"])  # type: ignore[arg-type]
        merged["relearning_steps"] = tuple(merged["relearning_steps"])  # type: ignore[arg-type]
        return cls(**merged)  # type: ignore[arg-type]

    def as_dict(self) -> dict[str, object]:
        out = {f.name: getattr(self, f.name) for f in fields(self)}
        out["learning_steps"] = list(self.learning_steps)
        out["relearning_steps"] = list(self.relearning_steps)
        return out


def _is_number(value: object) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _steps_ok(value: object) -> bool:
    return (
        isinstance(value, list | tuple)
        and len(value) <= 10
        and all(_is_number(v) and 0 < v <= 60 * 24 * 30 for v in value)
    )


def option_problems(options: dict[str, object]) -> list[str]:
    """Plain-words problems with a dict of options; empty when all is well."""
    checks = {
        "new_per_day": (
            lambda v: isinstance(v, int) and not isinstance(v, bool) and 0 <= v <= 9999,
            "a whole number from 0 to 9999",
        ),
        "reviews_per_day": (
            lambda v: isinstance(v, int) and not isinstance(v, bool) and 0 <= v <= 99999,
            "a whole number from 0 to 99999",
        ),
        "desired_retention": (
            lambda v: _is_number(v) and 0.70 <= v <= 0.99,
            "a number from 0.70 to 0.99",
        ),
        "learning_steps": (_steps_ok, "a list of up to 10 step lengths in minutes"),
        "relearning_steps": (_steps_ok, "a list of up to 10 step lengths in minutes"),
        "maximum_interval": (
            lambda v: isinstance(v, int) and not isinstance(v, bool) and 1 <= v <= 36500,
            "a whole number of days from 1 to 36500",
        ),
        "new_order": (lambda v: v in ("file", "random"), '"file" or "random"'),
    }
    problems = []
    for key, value in options.items():
        if key not in checks:
            problems.append(f"unknown option {key!r}; known options: {', '.join(checks)}")
        elif not checks[key][0](value):
            problems.append(f"option {key!r} must be {checks[key][1]}, not {value!r}")
    return problems
