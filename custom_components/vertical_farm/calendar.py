"""The farm calendar: phases, harvests, safety intervals, chores, care, pests, sowings.

Date-based things (phase changes, expected harvests, tank chores, care tasks)
are all-day events on their local date; a pre-harvest interval is a timed
event from the application to the first safe instant. The sowings are those
of the latest succession plan from the planner.

Nothing is worked out ahead of a request, and what is worked out is kept only
while it holds: a plant's projected events (its expected phase changes and
harvest, its care tasks, its safety intervals) are kept for as long as the
farm keeps that plant's view, which the farm replaces whenever anything the
plant depends on changes; recorded phase changes are read from the journal
once, as it grows. The entity's state needs only the next event, which is
kept until the farm reports a change or the event ends.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta, tzinfo
from operator import attrgetter

from homeassistant.components.calendar import CalendarEntity, CalendarEvent
from homeassistant.core import CALLBACK_TYPE, HomeAssistant, callback
from homeassistant.helpers.device_registry import DeviceInfo
from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback
from homeassistant.helpers.event import async_track_point_in_utc_time
from homeassistant.util import dt as dt_util

from .const import DOMAIN
from .engine import phases
from .engine.profiles import Phase
from .engine.tanks import MaintenanceKind
from .farm import Farm, FarmConfigEntry
from .presenters import PlantView
from .store import JournalRecord, RecordKind
from .todo import care_summary, plant_location

PARALLEL_UPDATES = 0

CHORE_SUMMARY: Mapping[MaintenanceKind, str] = {
    MaintenanceKind.CHANGE_WATER: "Change water: {tank}",
    MaintenanceKind.CLEAN_TANK: "Clean tank: {tank}",
    MaintenanceKind.CALIBRATE_PROBES: "Calibrate probes: {tank}",
}
ONE_DAY = timedelta(days=1)
SORT_KEY = attrgetter("sort_key")


@dataclass(frozen=True, kw_only=True, slots=True)
class FarmEvent:
    """One event of the farm, before it becomes a CalendarEvent.

    CalendarEvent validates itself when made, which is slow in bulk: only the
    events a request returns are turned into one.
    """

    day: date  # local date it starts on
    timed: tuple[datetime, datetime] | None = None  # None: an all-day event
    summary: str
    description: str | None = None
    uid: str
    # Day first; on a day, all-day events before timed ones by start. Worked
    # out once: finding the next event compares thousands of them.
    sort_key: tuple[date, float, str] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        """Work out the sort key."""
        at = -1.0 if self.timed is None else self.timed[0].timestamp()
        object.__setattr__(self, "sort_key", (self.day, at, self.summary))

    def ended(self, now: datetime, today: date) -> bool:
        """Whether the event is over at `now` (whose local date is `today`)."""
        if self.timed is None:
            return self.day < today
        # As instants: by the wall clock, 01:30 PST is before 01:40 PDT.
        return self.timed[1].timestamp() <= now.timestamp()

    def calendar_event(self) -> CalendarEvent:
        """The event as Home Assistant's calendar takes it."""
        start: date | datetime = self.day
        end: date | datetime = self.day + ONE_DAY
        if self.timed is not None:
            start, end = self.timed
        return CalendarEvent(
            start=start,
            end=end,
            summary=self.summary,
            description=self.description,
            uid=self.uid,
        )


@dataclass(frozen=True, kw_only=True, slots=True)
class _Window:
    """The span asked for: local days for all-day events, instants for timed ones."""

    start: datetime
    end: datetime
    first_day: date
    last_day: date

    @classmethod
    def of(cls, start: datetime, end: datetime, zone: tzinfo) -> _Window:
        """The window from `start` up to (not including) `end`."""
        local_end = end.astimezone(zone)
        last_day = local_end.date()
        if local_end.time() == time(0):
            # An all-day event starting exactly at the end is outside.
            last_day -= ONE_DAY
        return cls(
            start=start,
            end=end,
            first_day=start.astimezone(zone).date(),
            last_day=last_day,
        )

    def holds(self, event: FarmEvent) -> bool:
        """Whether the event overlaps the window."""
        if event.timed is None:
            return self.first_day <= event.day <= self.last_day
        start, end = event.timed
        # As instants: by the wall clock, 01:30 PDT is after 01:00 PST.
        return (
            end.timestamp() > self.start.timestamp()
            and start.timestamp() < self.end.timestamp()
        )


def _all_day(day: date, summary: str, description: str | None, uid: str) -> FarmEvent:
    return FarmEvent(day=day, summary=summary, description=description, uid=uid)


@dataclass(slots=True)
class _Outlook:
    """What was worked out for a plant, valid while the farm keeps `view`."""

    view: PlantView
    today: date
    location: str
    # The events that can be the plant's next one (its soonest care task from
    # today, its next expected phase change, its expected harvest, its safety
    # intervals), in start order: enough for the calendar's state, and cheap.
    soonest: tuple[FarmEvent, ...]
    events: tuple[FarmEvent, ...] | None = None  # all of them, when asked for


class FarmAgenda:
    """What the farm calendar shows, worked out on request."""

    def __init__(self, farm: Farm) -> None:
        """Start with nothing worked out."""
        self.farm = farm
        self._outlooks: dict[str, _Outlook] = {}
        self._phase_records: list[tuple[date, JournalRecord]] = []
        self._scanned = 0  # journal records already looked at

    def events(self, start: datetime, end: datetime) -> list[FarmEvent]:
        """Every event overlapping [start, end), in start order."""
        zone = self.farm.zone
        window = _Window.of(start, end, zone)
        today = dt_util.now(zone).date()
        self._forget_removed()
        found = [
            event
            for event in self._every_event(today, first_day=window.first_day)
            if window.holds(event)
        ]
        found.sort(key=SORT_KEY)
        return found

    def next_event(self, now: datetime) -> FarmEvent | None:
        """The event going on now or starting soonest (None when nothing is ahead)."""
        today = now.astimezone(self.farm.zone).date()
        self._forget_removed()
        candidates = [
            event
            for event in (
                *self._phase_changes(today),
                *self._tank_events(),
                *self._planned_sowings(),
            )
            if not event.ended(now, today)
        ]
        for plant_id in self.farm.config.plants:
            # In start order: the first one not over is the plant's next.
            for event in self._outlook(plant_id, today).soonest:
                if not event.ended(now, today):
                    candidates.append(event)
                    break
        return min(candidates, key=SORT_KEY, default=None)

    def _every_event(self, today: date, *, first_day: date) -> Iterator[FarmEvent]:
        yield from self._phase_changes(first_day)
        for plant_id in self.farm.config.plants:
            outlook = self._outlook(plant_id, today)
            if outlook.events is None:
                outlook.events = (
                    *self._expected_phase_changes(plant_id, outlook),
                    *self._care_events(plant_id, outlook),
                    *self._harvest_events(plant_id, outlook),
                )
            yield from outlook.events
        yield from self._tank_events()
        yield from self._planned_sowings()

    def prepare(self, plant_id: str) -> None:
        """Work out what is known of one plant today, ahead of `next_event`."""
        if plant_id in self.farm.config.plants:
            self._outlook(plant_id, dt_util.now(self.farm.zone).date())

    def _forget_removed(self) -> None:
        """Drop what was worked out for plants no longer on the farm."""
        plants = self.farm.config.plants
        if len(self._outlooks) > len(plants):
            for gone in self._outlooks.keys() - plants.keys():
                del self._outlooks[gone]

    # --- Recorded phase changes -------------------------------------------------

    def _phase_changes(self, first_day: date) -> Iterator[FarmEvent]:
        """Recorded phase changes and inspections on or after a day (read once)."""
        # The journal only grows: read what was added since the last request.
        journal = self.farm.store.journal
        zone = self.farm.zone
        for record in journal[self._scanned :]:
            if record["kind"] in (RecordKind.PHASE_CHANGED, RecordKind.INSPECTED):
                day = datetime.fromisoformat(record["at"]).astimezone(zone).date()
                self._phase_records.append((day, record))
        self._scanned = len(journal)
        plants = self.farm.config.plants
        for day, record in self._phase_records:
            plant = plants.get(record["subject"])
            if plant is None or day < first_day:
                continue  # a removed plant's name is gone with it
            data = record["data"]
            if record["kind"] == RecordKind.INSPECTED:
                problem = self.farm.library.pests.get(data["problem"])
                moved = (
                    f"{problem.name if problem else data['problem']} found "
                    f"({data['severity']})"
                )
            else:
                moved = str(data.get("to_phase") or "")
                if data.get("from_phase"):
                    moved = f"{data['from_phase']} → {moved}"
            yield _all_day(
                day,
                f"{plant.name}: {moved}",
                plant_location(self.farm, plant.id),
                record["id"],
            )

    # --- Plants -------------------------------------------------------------

    def _outlook(self, plant_id: str, today: date) -> _Outlook:
        """What is known of a plant, worked out again when its view changed."""
        view = self.farm.views.plant(plant_id)
        outlook = self._outlooks.get(plant_id)
        if outlook is not None and outlook.view is view and outlook.today == today:
            return outlook
        outlook = _Outlook(
            view=view,
            today=today,
            location=plant_location(self.farm, plant_id),
            soonest=(),
        )
        # Both are ordered by day: their first events from today are the soonest.
        care = next(
            self._care_events(plant_id, outlook, since=today),
            None,
        )
        soonest = [
            event
            for event in (
                next(self._expected_phase_changes(plant_id, outlook), None),
                care,
                *self._harvest_events(plant_id, outlook),
            )
            if event is not None
        ]
        soonest.sort(key=SORT_KEY)
        outlook.soonest = tuple(soonest)
        self._outlooks[plant_id] = outlook
        return outlook

    def _expected_phase_changes(
        self, plant_id: str, outlook: _Outlook
    ) -> Iterator[FarmEvent]:
        """The plant's coming phase changes, soonest first, one cycle ahead at most.

        The current phase ends as the phases engine expects (by GDD so far or
        by days); each later phase lasts its typical days. The move into
        harvest is left out: the expected harvest event stands for it.
        """
        farm = self.farm
        plant = farm.config.plants[plant_id]
        species = farm.species_of(plant)
        state = farm.views.phase_state(plant_id)
        if species is None or state is None or state.phase not in species.sequence:
            return
        current = state.phase
        on = phases.expected_phase_end(
            species,
            current,
            started_on=state.started_on,
            today=outlook.today,
            gdd_so_far=outlook.view.gdd,
        ).on
        for _ in species.sequence:
            following = phases.next_phase(species, current)
            if following is None:
                return
            if following is not Phase.HARVEST:
                yield _all_day(
                    on,
                    f"{plant.name}: {current} → {following} (expected)",
                    outlook.location,
                    f"{plant_id}_expected_{following}",
                )
            current = following
            on = phases.expected_phase_end(species, current, started_on=on, today=on).on

    def _care_events(
        self, plant_id: str, outlook: _Outlook, *, since: date = date.min
    ) -> Iterator[FarmEvent]:
        """Each care task of a plant due on or after a day, on its due date, soonest first.

        The view's care schedule is what CareBook.items lists, a plant at a time.
        """
        name = self.farm.config.plants[plant_id].name
        for task in outlook.view.care:
            if task.due < since:
                continue
            yield _all_day(
                task.due,
                care_summary(task.kind, name),
                outlook.location,
                f"{plant_id}_{task.kind}",
            )

    def _harvest_events(self, plant_id: str, outlook: _Outlook) -> Iterator[FarmEvent]:
        """The expected harvest and the pre-harvest intervals of a plant."""
        farm = self.farm
        plant = farm.config.plants[plant_id]
        view = outlook.view
        # In its harvest phase, the date is when harvest began (the journal has it).
        if view.expected_harvest is not None and view.phase is not Phase.HARVEST:
            yield _all_day(
                view.expected_harvest,
                f"Expected harvest: {plant.name}",
                outlook.location,
                f"{plant_id}_harvest",
            )
        for safety in view.harvest.treatments:
            treatment = safety.treatment
            applied = dt_util.as_local(treatment.applied)
            safe_at = dt_util.as_local(safety.safe_at)
            # By the wall clock, as Home Assistant's calendar checks an event:
            # one ending before its start there (in a repeated hour) is refused.
            if safe_at <= applied:
                continue  # no interval: nothing to wait for
            product = farm.library.products.get(treatment.product)
            name = product.name if product is not None else treatment.product
            ingredient = treatment.active_ingredient
            yield FarmEvent(
                day=applied.date(),
                timed=(applied, safe_at),
                summary=f"Pre-harvest interval: {name} on {plant.name}",
                description=f"Active ingredient: {ingredient}" if ingredient else None,
                uid=f"{plant_id}_treated_{applied.isoformat()}",
            )

    # --- Tanks --------------------------------------------------------------

    def _tank_events(self) -> Iterator[FarmEvent]:
        """The next due date of each tank chore."""
        zone = self.farm.zone
        for tank_id, tank in self.farm.config.tanks.items():
            for chore in self.farm.views.tank(tank_id).maintenance:
                # Never done means due now.
                due = chore.due_at or dt_util.now()
                yield _all_day(
                    due.astimezone(zone).date(),
                    CHORE_SUMMARY[chore.kind].format(tank=tank.name),
                    None,
                    f"{tank_id}_{chore.kind}",
                )

    # --- The latest succession plan ---------------------------------------------

    def _planned_sowings(self) -> Iterator[FarmEvent]:
        """The sowings of the latest plan from the planner, on their days."""
        plan = self.farm.entry.runtime_data.planner.plan
        if plan is None:
            return
        racks = self.farm.config.racks
        species = self.farm.library.species
        for index, sowing in enumerate(plan["sowings"]):
            crop = str(sowing["crop"])
            rack = racks.get(str(sowing["rack"]))
            where = f"{rack.name if rack else sowing['rack']}, shelf {sowing['shelf']}"
            yield _all_day(
                date.fromisoformat(str(sowing["sow_on"])),
                f"Sow {sowing['quantity']} {species[crop].name if crop in species else crop}",
                f"{where}; harvest from {sowing['harvest_on']}"
                if sowing.get("harvest_on")
                else where,
                f"plan_{plan['plan_id']}_{index}",
            )


def _calendar_events(events: Iterable[FarmEvent]) -> list[CalendarEvent]:
    return [event.calendar_event() for event in events]


async def async_setup_entry(
    hass: HomeAssistant,
    entry: FarmConfigEntry,
    async_add_entities: AddConfigEntryEntitiesCallback,
) -> None:
    """Add the farm's calendar, each plant's outlook worked out first in turns."""
    farm = entry.runtime_data.farm
    calendar = FarmCalendar(farm)
    await farm.async_prepare_each_plant(calendar.agenda.prepare)
    async_add_entities([calendar])


class FarmCalendar(CalendarEntity):
    """The calendar of a farm."""

    _attr_has_entity_name = True
    _attr_should_poll = False
    _attr_translation_key = "calendar"

    def __init__(self, farm: Farm) -> None:
        """Tie the calendar to the farm hub."""
        self.farm = farm
        self.agenda = FarmAgenda(farm)
        entry_id = farm.entry.entry_id
        self._attr_unique_id = f"{entry_id}_calendar"
        self._attr_device_info = DeviceInfo(identifiers={(DOMAIN, entry_id)})
        self._next: CalendarEvent | None = None
        self._next_known = False
        self._written: CalendarEvent | None = None
        self._unsub_end: CALLBACK_TYPE | None = None

    async def async_added_to_hass(self) -> None:
        """Follow the farm's changes."""
        self.async_on_remove(
            self.farm.async_listen(self.farm.entry.entry_id, self._async_farm_changed)
        )
        self.async_on_remove(self.farm.async_on_plant_refresh(self.agenda.prepare))
        self.async_on_remove(self._async_forget_end)

    @callback
    def _async_farm_changed(self) -> None:
        """Forget the next event; write the state if it is another one now."""
        self._next_known = False
        if self.event != self._written:
            self.async_write_ha_state()

    @callback
    def _async_write_ha_state(self) -> None:
        self._written = event = self.event
        super()._async_write_ha_state()
        self._async_forget_end()
        if event is None:
            return
        end = event.end_datetime_local
        now = dt_util.now()
        # Home Assistant sets no alarm for an end past by the wall clock: at
        # 01:40 PDT, 01:30 PST looks over. The calendar wakes itself then.
        if now >= end and now.timestamp() < end.timestamp():
            self._unsub_end = async_track_point_in_utc_time(
                self.hass, self._async_event_ended, dt_util.as_utc(end)
            )

    @callback
    def _async_event_ended(self, _now: datetime) -> None:
        self._unsub_end = None
        self.async_write_ha_state()

    @callback
    def _async_forget_end(self) -> None:
        if self._unsub_end is not None:
            self._unsub_end()
            self._unsub_end = None

    @property
    def event(self) -> CalendarEvent | None:
        """The next upcoming event (kept until the farm changes or it ends)."""
        now = dt_util.now()
        if self._next_known and (
            self._next is None
            or now.timestamp() < self._next.end_datetime_local.timestamp()
        ):
            return self._next
        found = self.agenda.next_event(now)
        self._next = None if found is None else found.calendar_event()
        self._next_known = True
        return self._next

    async def async_get_events(
        self, hass: HomeAssistant, start_date: datetime, end_date: datetime
    ) -> list[CalendarEvent]:
        """Events overlapping the window, worked out now."""
        found = self.agenda.events(start_date, end_date)
        # Each CalendarEvent validates itself: a farm's month can be thousands.
        return await hass.async_add_executor_job(_calendar_events, found)
