"""How much data each scale holds: targets the generator meets (exactly where it can)."""

from __future__ import annotations

from dataclasses import dataclass, replace


@dataclass(frozen=True)
class ScalePlan:
    """Row targets for one generated database; ``years`` of history ending today."""

    sites: int = 2
    years: int = 10
    beds: int = 24
    placements: int = 3_000
    key_work: int = 150_000
    group_sessions: int = 30_000
    attendances: int = 250_000
    staff: int = 80
    supervision: int = 6_000
    training_records: int = 4_000
    evidence: int = 2_000
    attachments: int = 200

    def times(self, factor: int) -> ScalePlan:
        """``factor`` times the sites and every volume, over the same years."""
        return replace(
            self,
            sites=self.sites * factor,
            placements=self.placements * factor,
            key_work=self.key_work * factor,
            group_sessions=self.group_sessions * factor,
            attendances=self.attendances * factor,
            staff=self.staff * factor,
            supervision=self.supervision * factor,
            training_records=self.training_records * factor,
            evidence=self.evidence * factor,
            attachments=self.attachments * factor,
        )


BUSY = ScalePlan()
SCALES: dict[str, ScalePlan] = {"busy": BUSY, "stress": BUSY.times(5)}
