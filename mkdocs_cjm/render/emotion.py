"""Emotion scores as words, faces and CSS classes: never colour alone."""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from ..model import EMOTION_MAX, EMOTION_MIN

FACES = {1: "😞", 2: "🙁", 3: "😐", 4: "🙂", 5: "😄"}

# Fallback fills for standalone SVGs; pages override them through CSS classes
# so the dark palette gets its own shades.
FILLS = {1: "#f6c7c1", 2: "#fbdcc0", 3: "#ececec", 4: "#d3ecd6", 5: "#b5e0bd", None: "#ffffff"}


def emotion_word(score: int | None, labels: Mapping[str, str]) -> str:
    return labels[f"emotion_{score}"] if score is not None else labels["emotion_none"]


def emotion_class(score: int | None) -> str:
    return f"cjm-emotion-{score}" if score is not None else "cjm-emotion-none"


def average(scores: Iterable[int | None]) -> float | None:
    rated = [score for score in scores if score is not None]
    return round(sum(rated) / len(rated), 1) if rated else None


SCALE = range(EMOTION_MIN, EMOTION_MAX + 1)
