"""How much of a journey rests on research: counts of its steps' `evidence`."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from mkdocs_cjm.core.model import Evidence, Journey


@dataclass(frozen=True)
class EvidenceCount:
    observed: int = 0
    reported: int = 0
    assumed: int = 0
    unstated: int = 0

    @property
    def total(self) -> int:
        return self.observed + self.reported + self.assumed + self.unstated

    @property
    def evidenced(self) -> int:
        """Steps resting on evidence: observed or reported."""
        return self.observed + self.reported

    @property
    def weak(self) -> int:
        """Steps resting on no evidence: assumed, or with no `evidence` given."""
        return self.assumed + self.unstated

    @property
    def weak_share(self) -> float:
        return self.weak / self.total if self.total else 0.0

    @property
    def weak_percent(self) -> int:
        return round(100 * self.weak_share)


def count_evidence(journey: Journey) -> EvidenceCount:
    counts = dict.fromkeys(("observed", "reported", "assumed", "unstated"), 0)
    for step in journey.steps:
        counts[step.evidence.value if step.evidence else "unstated"] += 1
    return EvidenceCount(**counts)


def rank_by_weak_evidence(journeys: Iterable[Journey]) -> list[tuple[Journey, EvidenceCount]]:
    """Journeys with the largest share of assumed or unstated steps first."""
    counted = [(journey, count_evidence(journey)) for journey in journeys]
    return sorted(counted, key=lambda item: (-item[1].weak_share, -item[1].weak, item[0].id))


__all__ = ["Evidence", "EvidenceCount", "count_evidence", "rank_by_weak_evidence"]
