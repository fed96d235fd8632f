"""Emotion scores as words, faces and CSS classes: never colour alone."""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from mkdocs_cjm.core.model import EMOTION_MAX, EMOTION_MIN

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


# How far the mouth bends per score: a frown at 1, flat at 3, a broad smile at 5.
_MOUTH_BEND = {1: -3.2, 2: -1.6, 3: 0.0, 4: 1.8, 5: 3.4}

SCALE = range(EMOTION_MIN, EMOTION_MAX + 1)


def face_svg(score: int | None) -> str:
    """An emotion face drawn as inline SVG, so it looks the same without an emoji font.

    The mouth bends with the score (a frown at 1, a smile at 5); the fill comes
    from the emotion's CSS class. Decorative: the score and word are always
    written next to it.
    """
    if score is None:
        return ""
    bend = _MOUTH_BEND[score]
    mouth = f'<path d="M6 {13 - bend / 2:g}Q10 {13 + bend * 1.2:g} 14 {13 - bend / 2:g}"/>'
    eyes = '<circle cx="7.2" cy="8.2" r="1.2"/><circle cx="12.8" cy="8.2" r="1.2"/>'
    return (
        '<svg class="cjm-face-svg" viewBox="0 0 20 20" aria-hidden="true" focusable="false">'
        f'<circle class="cjm-face-disc" cx="10" cy="10" r="9"/>{eyes}{mouth}</svg>'
    )
