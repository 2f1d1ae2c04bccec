"""A plant's season on its rack: cold days, dormancy, vernalisation, GDD pace.

Reads the rack's closed days (daily temperature extremes the readings ledger
keeps, parsed once per rack and day) and hands them to `engine.seasons`.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from .engine import seasons
from .engine.phases import DayGDD
from .engine.profiles import Phase, Species
from .models import PlantConfig, RackConfig
from .readings import ReadingsLedger


class PlantSeasons:
    """The cold and warmth of each rack, as the plants on it feel them."""

    def __init__(self, ledger: ReadingsLedger) -> None:
        """Read the racks' closed days from the farm's readings ledger."""
        self._ledger = ledger

    def rack_days(self, rack: RackConfig | None) -> tuple[DayGDD, ...]:
        """A rack's closed days, oldest first (none without a temperature sensor)."""
        if rack is None or rack.temperature_sensor is None:
            return ()
        return self._ledger.closed_days(rack.id)

    def cold_spell(
        self,
        plant: PlantConfig,
        rack: RackConfig | None,
        species: Species | None,
        *,
        phase: Phase | None,
        phase_started: date | None,
        today: date,
    ) -> seasons.ColdSpell | None:
        """The plant's cold days; None without a species, phase or sensor.

        Vernalisation counts from the planting day, or from the start of a
        dormancy (the winter rest where the chilling happens).
        """
        days = self.rack_days(rack)
        if species is None or phase is None or not days:
            return None
        since = (
            phase_started
            if phase is Phase.DORMANCY and phase_started is not None
            else plant.planted
        )
        return seasons.cold_spell(species, phase, days, since=since, today=today)

    def daily_gdd(
        self, rack: RackConfig | None, species: Species | None
    ) -> float | None:
        """The GDD pace of the latest week on the plant's rack, for its species."""
        days = self.rack_days(rack)
        if species is None or not days:
            return None
        return seasons.recent_daily_gdd(days, species.base_temp_c)


def cold_attributes(cold: seasons.ColdSpell | None) -> dict[str, Any]:
    """What the `phase` sensor tells about the cold (empty without a sensor)."""
    if cold is None:
        return {}
    return {
        "cold_days": cold.cold_days,
        "cold_days_in_a_row": cold.cold_run_days,
        "vernalisation_days_needed": cold.vernalisation_days,
        "vernalised": cold.vernalised,
    }
