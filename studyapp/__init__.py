"""Coding Study Companion: spaced-repetition study for medical coding exams."""

__version__ = "0.1.0"
