"""What the grower did: waterings, feedings, treatments and harvests, recorded.

Each call writes its journal records before it returns (an acknowledged
record survives a crash), tells each plant's activity entity, ticks off the
care tasks the work confirms and names the subjects whose views it changed.
The journal itself, its record kinds and its retention rule live in store.py.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from datetime import datetime, tzinfo

from homeassistant.core import HomeAssistant

from .care_book import CareBook
from .const import EVENT_HARVEST_BLOCKED
from .engine import care, tanks
from .engine.errors import FarmError
from .engine.safety import Treatment, safe_harvest
from .placement import Placement
from .readings import ReadingsLedger
from .store import (
    FarmStore,
    FedData,
    FeedingDetails,
    HarvestedData,
    NewRecord,
    RecordKind,
    TreatedData,
    WateredData,
    recorded_treatment,
)
from .topology import FarmConfig

# Feeding kinds (the `kind` of a `fed` record): fresh solution, water or
# nutrients added, a correction of EC or pH.
FULL_CHANGE = "full_change"
FEEDING_KINDS = (FULL_CHANGE, "top_up", "adjustment")


class GrowerRecords:
    """Records the grower's work on a farm's plants and tanks."""

    def __init__(
        self,
        hass: HomeAssistant,
        store: FarmStore,
        *,
        config: Callable[[], FarmConfig],
        ledger: ReadingsLedger,
        care_book: CareBook,
        placement: Placement,
        zone: Callable[[], tzinfo],
        activity: Callable[[str, RecordKind, Mapping[str, object]], None],
        changed: Callable[[Iterable[str]], None],
    ) -> None:
        """Record into `store`; tell `activity` and `changed` what happened."""
        self._hass = hass
        self._store = store
        self._config = config
        self._ledger = ledger
        self._care = care_book
        self._placement = placement
        self._zone = zone
        self._activity = activity
        self._changed = changed

    def treatments(
        self, plant_id: str, until: datetime | None = None
    ) -> tuple[Treatment, ...]:
        """Treatments applied since the plant's last final harvest (up to `until`)."""
        return self._store.treatments(plant_id, until, zone=self._zone())

    async def async_log_watering(
        self, plant_ids: Iterable[str], at: datetime, volume_l: float | None = None
    ) -> None:
        """Record a watering of plants; it also confirms their watering task."""
        plant_ids = list(plant_ids)
        data: WateredData = {} if volume_l is None else {"volume_l": volume_l}
        await self._store.async_record_many(
            (RecordKind.WATERED, plant_id, at, data) for plant_id in plant_ids
        )
        for plant_id in plant_ids:
            self._activity(plant_id, RecordKind.WATERED, data)
        await self._care.async_complete(
            plant_ids, care.CareKind.WATER, at.astimezone(self._zone()).date()
        )

    async def async_confirm_care(
        self, plant_ids: Iterable[str], kind: care.CareKind, at: datetime
    ) -> None:
        """Confirm a care task the grower did, wherever it was ticked off.

        A watering task done is a watering, recorded as one; other tasks are
        confirmed on the care book.
        """
        if kind is care.CareKind.WATER:
            await self.async_log_watering(plant_ids, at)
            return
        await self._care.async_complete(
            plant_ids, kind, at.astimezone(self._zone()).date()
        )

    async def async_log_water_change(self, tank_id: str, at: datetime) -> None:
        """Record a full change of a tank's solution (age and schedule restart).

        The tank is filled to its volume; the record says so, for the
        planner's water forecast.
        """
        volume_l = self._config().tanks[tank_id].volume_l
        await self.async_log_feeding(tank_id, FULL_CHANGE, at, {"volume_l": volume_l})

    async def async_log_feeding(
        self, tank_id: str, kind: str, at: datetime, data: FeedingDetails
    ) -> None:
        """Record a feeding of a tank (`full_change`, `top_up` or `adjustment`).

        A full change restarts the solution's age and the water-change
        schedule, unless one after it is known already (it was logged late);
        any feeding confirms the fertilize task of the plants it feeds,
        and the tank's next probe readings are judged by what it says.
        """
        fed: FedData = {"kind": kind, **data}
        await self._store.async_record(RecordKind.FED, tank_id, at, fed)
        stored = self._store.state(tank_id)
        # The pH moves with any feeding: its drift starts again from here,
        # unless every reading it is worked out from came after the feeding.
        history: list[list[float]] = stored.get("ph_history") or []
        if not history or at.timestamp() >= history[0][0]:
            stored.pop("ph_history", None)
            stored.pop("ph_drift", None)
        self._ledger.async_note_feeding(
            tank_id,
            at,
            fresh=kind == FULL_CHANGE,
            ec=data.get("ec"),
            ph=data.get("ph"),
        )
        config = self._config()
        filled_at = stored.get("filled_at")
        # A change logged late, for before the last one: the tank holds the newer.
        if kind == FULL_CHANGE and (
            filled_at is None or datetime.fromisoformat(filled_at) <= at
        ):
            self._ledger.async_restart_solution(tank_id, at)
            stored["filled_at"] = at.isoformat()
            stored.setdefault("maintenance", {})[tanks.MaintenanceKind.CHANGE_WATER] = (
                at.isoformat()
            )
            ph = data.get("ph", self._ledger.reading(config.tanks[tank_id].ph_sensor))
            if ph is not None:
                stored["ph_at_fill"] = ph
        plants = [plant.id for plant in config.plants_on_tank(tank_id)]
        for plant_id in plants:
            self._activity(plant_id, RecordKind.FED, {"tank": tank_id, "kind": kind})
        await self._care.async_complete(
            plants, care.CareKind.FERTILIZE, at.astimezone(self._zone()).date()
        )
        self._changed({tank_id})

    async def async_apply_treatment(
        self,
        plant_ids: Iterable[str],
        *,
        product: str,
        active_ingredient: str,
        interval_days: float,
        at: datetime,
    ) -> datetime:
        """Record a plant protection treatment; returns the instant harvest is safe."""
        plant_ids = list(plant_ids)
        data: TreatedData = {
            "product": product,
            "active_ingredient": active_ingredient,
            "interval_days": interval_days,
        }
        await self._store.async_record_many(
            (RecordKind.TREATED, plant_id, at, data) for plant_id in plant_ids
        )
        for plant_id in plant_ids:
            self._activity(plant_id, RecordKind.TREATED, data)
        config = self._config()
        touched: set[str] = set()
        for plant_id in plant_ids:
            touched |= config.dependents(plant_id)
        self._changed(touched)
        return recorded_treatment(at, data, self._zone()).safe_utc

    async def async_record_harvest(
        self, plant_id: str, at: datetime, data: HarvestedData
    ) -> None:
        """Record a harvest, refused while a pre-harvest interval runs.

        Only the treatments applied before the harvest count: one logged for
        a past time is not held up by a later spray.

        Raises:
            FarmError: `harvest_blocked` with the safe date and the products.
        """
        config = self._config()
        verdict = safe_harvest(self.treatments(plant_id, at), at)
        if not verdict.allowed:
            safe_date = verdict.safe_on.isoformat() if verdict.safe_on else ""
            self._hass.bus.async_fire(
                EVENT_HARVEST_BLOCKED, {"plant_id": plant_id, "safe_date": safe_date}
            )
            raise FarmError(
                "harvest_blocked",
                plant=config.plants[plant_id].name,
                safe_date=safe_date,
                products=", ".join(verdict.blocking_products),
            )
        records: list[NewRecord] = [(RecordKind.HARVESTED, plant_id, at, data)]
        # A final harvest clears the shelf: the crop enters its rotation history.
        if data.get("final") and (
            cleared := self._placement.new_clearing(plant_id, config.plants[plant_id])
        ):
            records.append((RecordKind.CLEARED, plant_id, at, cleared))
        await self._store.async_record_many(records)
        self._activity(plant_id, RecordKind.HARVESTED, data)
        self._changed(config.dependents(plant_id))

    async def async_set_target_ph(self, tank_id: str, value: float) -> None:
        """Set the pH a tank is held at."""
        self._store.state(tank_id)["target_ph"] = value
        await self._store.async_save_now()
        self._changed({tank_id})
