"""The farm calendar: phase changes, harvests, safety intervals, chores and care."""

from datetime import date, datetime, timedelta
from typing import Any

from freezegun.api import FrozenDateTimeFactory
from homeassistant.core import HomeAssistant
from homeassistant.helpers import device_registry as dr, entity_registry as er
import pytest
from pytest_homeassistant_custom_component.common import (
    MockConfigEntry,
    async_fire_time_changed,
)

from custom_components.vertical_farm.const import DOMAIN
from custom_components.vertical_farm.engine.care import CareKind
from custom_components.vertical_farm.engine.profiles import Phase
from custom_components.vertical_farm.farm import Farm

from .conftest import (
    BASIL_DATA,
    FARM_DATA,
    MONSTERA_DATA,
    PLANT_ID,
    POT_ID,
    RACK_DATA,
    RACK_ID,
    TANK_DATA,
    TANK_ID,
    TODAY,
    seed_phases,
    set_up,
    subentry,
)

NOW = datetime.fromisoformat(TODAY)  # 2026-11-03 10:00 in US/Pacific
ZONE = NOW.tzinfo
DAY = NOW.date()
BASIL_PLANTED = date.fromisoformat(str(BASIL_DATA["planted"]))  # 2026-11-01
POT_PLANTED = date.fromisoformat(str(MONSTERA_DATA["planted"]))  # 2026-06-15
BASIL_AT = f"Rack one, shelf {BASIL_DATA['shelf']}"


def _at(day: date, hour: int) -> datetime:
    """A local instant (US/Pacific, standard time in the days these tests use)."""
    return datetime(day.year, day.month, day.day, hour, tzinfo=ZONE)


def _midnight(day: date) -> datetime:
    return _at(day, 0)


def _all_day(day: date, summary: str, description: str | None) -> dict[str, Any]:
    event: dict[str, Any] = {
        "start": day.isoformat(),
        "end": (day + timedelta(days=1)).isoformat(),
        "summary": summary,
    }
    if description is not None:
        event["description"] = description
    return event


def _entity_id(hass: HomeAssistant, entry: MockConfigEntry) -> str:
    entity_id = er.async_get(hass).async_get_entity_id(
        "calendar", DOMAIN, f"{entry.entry_id}_calendar"
    )
    assert entity_id is not None
    return entity_id


def _farm(entry: MockConfigEntry) -> Farm:
    farm: Farm = entry.runtime_data.farm
    return farm


async def _events(
    hass: HomeAssistant, entity_id: str, start: datetime, end: datetime
) -> list[dict[str, Any]]:
    response = await hass.services.async_call(
        "calendar",
        "get_events",
        {"start_date_time": start.isoformat(), "end_date_time": end.isoformat()},
        target={"entity_id": entity_id},
        blocking=True,
        return_response=True,
    )
    assert response is not None
    events: list[dict[str, Any]] = response[entity_id]["events"]  # type: ignore[index]
    return events


async def _reload(hass: HomeAssistant, entry: MockConfigEntry) -> None:
    """Reload the farm: records written straight to the store are read back."""
    assert await hass.config_entries.async_reload(entry.entry_id)
    await hass.async_block_till_done()


# What the coming weeks hold for the conftest farm, worked out by hand:
# - Basil (herb preset, on a recirculating tank, so no watering): pest check
#   every 7 days and feeding every 14 from planting.
BASIL_PEST = BASIL_PLANTED + timedelta(days=7)  # 2026-11-08
BASIL_FEED = BASIL_PLANTED + timedelta(days=14)  # 2026-11-15
# - Basil has been a seedling since planting. Its rack has a temperature sensor
#   but no readings yet (0 GDD of 182), so the phase end falls back to the
#   typical 14 days: 14 - 2 days done = 12 more days.
BASIL_VEGETATIVE = DAY + timedelta(days=14 - 2)  # 2026-11-15
# - Then 21 typical days of vegetative growth before harvest.
BASIL_HARVEST = BASIL_VEGETATIVE + timedelta(days=21)  # 2026-12-06
# - Tank A's chores count from when the farm first saw it (setup, today):
#   water change every 14 days, cleaning every 28, calibration every 30.
CHANGE_WATER = DAY + timedelta(days=14)  # 2026-11-17
CLEAN_TANK = DAY + timedelta(days=28)  # 2026-12-01
CALIBRATE = DAY + timedelta(days=30)  # 2026-12-03


async def test_calendar_entity_and_coming_weeks(
    hass: HomeAssistant, loaded_farm: MockConfigEntry
) -> None:
    """A farm-level calendar on the hub; the next weeks' events in order."""
    entity_id = _entity_id(hass, loaded_farm)
    entry = er.async_get(hass).async_get(entity_id)
    assert entry is not None
    assert entry.translation_key == "calendar"
    assert entry.has_entity_name
    assert entry.config_subentry_id is None
    device = dr.async_get(hass).async_get(entry.device_id or "")
    assert device is not None
    assert device.identifiers == {(DOMAIN, loaded_farm.entry_id)}

    events = await _events(hass, entity_id, _midnight(DAY), _midnight(date(2027, 1, 1)))
    assert events == [
        _all_day(BASIL_PEST, "Check Basil tray for pests", BASIL_AT),
        _all_day(
            BASIL_VEGETATIVE, "Basil tray: seedling → vegetative (expected)", BASIL_AT
        ),
        _all_day(BASIL_FEED, "Feed Basil tray", BASIL_AT),
        _all_day(CHANGE_WATER, "Change water: Tank A", None),
        _all_day(CLEAN_TANK, "Clean tank: Tank A", None),
        _all_day(CALIBRATE, "Calibrate probes: Tank A", None),
        _all_day(BASIL_HARVEST, "Expected harvest: Basil tray", BASIL_AT),
    ]

    # The state shows the next event: the pest check, not today.
    state = hass.states.get(entity_id)
    assert state is not None
    assert state.state == "off"
    assert state.attributes["message"] == "Check Basil tray for pests"
    assert state.attributes["all_day"] is True
    assert state.attributes["start_time"] == f"{BASIL_PEST} 00:00:00"
    assert state.attributes["end_time"] == f"{BASIL_PEST + timedelta(days=1)} 00:00:00"
    assert state.attributes["description"] == BASIL_AT


async def test_past_care_tasks(
    hass: HomeAssistant, loaded_farm: MockConfigEntry
) -> None:
    """Care tasks sit on the day they fell due, also when that is long past."""
    entity_id = _entity_id(hass, loaded_farm)
    # Monstera (tropical preset): water every 7 days, feed and check every 14,
    # never done since it was potted in June (not winter: no stretching).
    events = await _events(
        hass, entity_id, _midnight(date(2026, 6, 1)), _midnight(date(2026, 7, 1))
    )
    assert events == [
        _all_day(POT_PLANTED + timedelta(days=7), "Water Monstera", "Standalone pot"),
        _all_day(
            POT_PLANTED + timedelta(days=14),
            "Check Monstera for pests",
            "Standalone pot",
        ),
        _all_day(POT_PLANTED + timedelta(days=14), "Feed Monstera", "Standalone pot"),
    ]


async def test_phase_changes_and_safety_intervals(
    hass: HomeAssistant, loaded_farm: MockConfigEntry
) -> None:
    """Recorded phase changes and pre-harvest intervals in a past window."""
    farm = _farm(loaded_farm)
    store = farm.store
    yesterday = DAY - timedelta(days=1)  # 2026-11-02
    first = DAY - timedelta(days=2)  # 2026-11-01, the day the basil was sown
    # A library product (3-day interval), a product of the grower's own without an
    # active ingredient (1 day), one with no interval (nothing to show) and one
    # long over (outside every window below).
    await store.async_record(
        "treated",
        PLANT_ID,
        _at(first, 10),
        {
            "product": "azadirachtin",
            "active_ingredient": "Azadirachtin A",
            "interval_days": 3,
        },
    )
    await store.async_record(
        "treated",
        PLANT_ID,
        _at(first, 8),
        {"product": "Garlic spray", "active_ingredient": "", "interval_days": 1},
    )
    await store.async_record(
        "treated",
        PLANT_ID,
        _at(yesterday, 7),
        {"product": "neem_oil", "interval_days": 0},
    )
    await store.async_record(
        "treated",
        PLANT_ID,
        _at(date(2026, 11, 1), 6) - timedelta(days=40),
        {"product": "Sulfur dust", "interval_days": 3},
    )
    # The farm's first phase record of a plant has no phase before it; a plant
    # since removed keeps its records but has no name to show.
    await store.async_record(
        "phase_changed",
        POT_ID,
        _at(first, 12),
        {"from_phase": None, "to_phase": "vegetative", "how": "set"},
    )
    await store.async_record(
        "phase_changed",
        "01PLANTREMOVED000000000000",
        _at(first, 12),
        {"from_phase": "seedling", "to_phase": "vegetative", "how": "set"},
    )
    await _reload(hass, loaded_farm)
    farm = _farm(loaded_farm)
    await farm.phases.async_set(PLANT_ID, Phase.VEGETATIVE, at=_at(yesterday, 9))
    await hass.async_block_till_done()
    entity_id = _entity_id(hass, loaded_farm)

    garlic = {
        "start": _at(first, 8).isoformat(),
        "end": (_at(first, 8) + timedelta(days=1)).isoformat(),
        "summary": "Pre-harvest interval: Garlic spray on Basil tray",
    }
    azadirachtin = {
        "start": _at(first, 10).isoformat(),
        "end": (_at(first, 10) + timedelta(days=3)).isoformat(),
        "summary": "Pre-harvest interval: Azadirachtin concentrate on Basil tray",
        "description": "Active ingredient: Azadirachtin A",
    }
    moved = _all_day(yesterday, "Basil tray: seedling → vegetative", BASIL_AT)
    potted = _all_day(first, "Monstera: vegetative", "Standalone pot")

    # The two days before today: by start, all-day events first on a day.
    assert await _events(hass, entity_id, _midnight(first), _midnight(DAY)) == [
        potted,
        garlic,
        azadirachtin,
        moved,
    ]
    # A window ending at midnight leaves out that day's all-day events.
    assert await _events(hass, entity_id, _midnight(first), _midnight(yesterday)) == [
        potted,
        garlic,
        azadirachtin,
    ]
    # An hour of yesterday: the interval still running (it started first) and the
    # day's all-day event; the garlic interval was over by then.
    assert await _events(hass, entity_id, _at(yesterday, 12), _at(yesterday, 13)) == [
        azadirachtin,
        moved,
    ]

    # Going on now: the azadirachtin interval, until 2026-11-04 10:00.
    state = hass.states.get(entity_id)
    assert state is not None
    assert state.state == "on"
    assert state.attributes["message"] == azadirachtin["summary"]
    assert state.attributes["all_day"] is False
    assert state.attributes["end_time"] == "2026-11-04 10:00:00"


async def test_state_follows_the_farm(
    hass: HomeAssistant, freezer: FrozenDateTimeFactory, loaded_farm: MockConfigEntry
) -> None:
    """The next event is worked out again when the farm changes or it ends."""
    entity_id = _entity_id(hass, loaded_farm)
    farm = _farm(loaded_farm)
    state = hass.states.get(entity_id)
    assert state is not None
    assert state.attributes["message"] == "Check Basil tray for pests"

    # A change that leaves the next event as it is writes nothing.
    freezer.tick(timedelta(seconds=5))
    await farm.care.async_snooze(PLANT_ID, CareKind.REPOT, date(2027, 6, 1))
    await hass.async_block_till_done()
    unchanged = hass.states.get(entity_id)
    assert unchanged is not None
    assert unchanged.last_reported == state.last_reported

    # Moving the basil on today puts its phase change on today: the state is on.
    await farm.phases.async_set(PLANT_ID, Phase.VEGETATIVE)
    await hass.async_block_till_done()
    state = hass.states.get(entity_id)
    assert state is not None
    assert state.state == "on"
    assert state.attributes["message"] == "Basil tray: seedling → vegetative"

    # At midnight that event is over; the pest check is next again.
    freezer.move_to(_at(DAY + timedelta(days=1), 0) + timedelta(seconds=1))
    async_fire_time_changed(hass)
    await hass.async_block_till_done()
    state = hass.states.get(entity_id)
    assert state is not None
    assert state.state == "off"
    assert state.attributes["message"] == "Check Basil tray for pests"


async def test_an_interval_across_clocks_going_back_runs_to_its_end(
    hass: HomeAssistant, freezer: FrozenDateTimeFactory, farm_entry: MockConfigEntry
) -> None:
    """A day's interval across clocks going back ends at its wall time: 25 hours on."""
    # US/Pacific falls back at 02:00 PDT on 1 November 2026: 01:00-02:00 comes twice.
    freezer.move_to("2026-11-01T08:40:00+00:00")  # 01:40 PDT
    await set_up(hass, farm_entry)
    # Applied at 02:30 PDT on 31 October: a day on is 02:30 PST, 10:30 UTC.
    await _farm(farm_entry).store.async_record(
        "treated",
        PLANT_ID,
        datetime.fromisoformat("2026-10-31T09:30:00+00:00"),
        {"product": "Garlic spray", "active_ingredient": "", "interval_days": 1},
    )
    await _reload(hass, farm_entry)
    entity_id = _entity_id(hass, farm_entry)
    interval = "Pre-harvest interval: Garlic spray on Basil tray"

    state = hass.states.get(entity_id)
    assert state is not None
    assert state.attributes["message"] == interval
    assert state.attributes["end_time"] == "2026-11-01 02:30:00"

    # Still going on an hour after 24 hours had passed (01:30 PST).
    freezer.move_to("2026-11-01T10:29:59+00:00")
    async_fire_time_changed(hass)
    await hass.async_block_till_done()
    state = hass.states.get(entity_id)
    assert state is not None
    assert state.attributes["message"] == interval

    # Over at 02:30 PST: the calendar moves on.
    freezer.move_to("2026-11-01T10:30:01+00:00")
    async_fire_time_changed(hass)
    await hass.async_block_till_done()
    state = hass.states.get(entity_id)
    assert state is not None
    assert state.attributes["message"] != interval


async def test_intervals_in_a_window_of_the_repeated_hour(
    hass: HomeAssistant, loaded_farm: MockConfigEntry
) -> None:
    """A window in the repeated hour holds the intervals running in it, no others."""
    store = _farm(loaded_farm).store
    # A day from 01:30 and from 02:30 PDT on 31 October (08:30 and 09:30 UTC): over
    # at 01:30 PDT and, the clocks gone back meanwhile, at 02:30 PST.
    for at, product in (("08:30", "Garlic spray"), ("09:30", "Soap spray")):
        await store.async_record(
            "treated",
            PLANT_ID,
            datetime.fromisoformat(f"2026-10-31T{at}:00+00:00"),
            {"product": product, "active_ingredient": "", "interval_days": 1},
        )
    await _reload(hass, loaded_farm)
    entity_id = _entity_id(hass, loaded_farm)

    for start, end in (
        ("08:40", "08:50"),  # 01:40-01:50 PDT
        ("09:00", "09:10"),  # 01:00-01:10 PST
    ):
        events = await _events(
            hass,
            entity_id,
            datetime.fromisoformat(f"2026-11-01T{start}:00+00:00"),
            datetime.fromisoformat(f"2026-11-01T{end}:00+00:00"),
        )
        # Leaving out the day's all-day events.
        timed = [event["summary"] for event in events if "T" in event["start"]]
        assert timed == ["Pre-harvest interval: Soap spray on Basil tray"], (start, end)


@pytest.fixture
def mixed_farm(hass: HomeAssistant, hass_storage: dict[str, Any]) -> MockConfigEntry:
    """The conftest farm plus plants whose future the calendar cannot chart."""
    odd = {"rack": None, "shelf": None, "planted": "2026-10-01", "quantity": 1}
    entry = MockConfigEntry(
        domain=DOMAIN,
        title="Basement",
        unique_id="basement",
        data=FARM_DATA,
        subentries_data=[
            subentry(TANK_ID, "tank", TANK_DATA),
            subentry(RACK_ID, "rack", RACK_DATA),
            subentry(PLANT_ID, "plant", BASIL_DATA),
            subentry(POT_ID, "plant", MONSTERA_DATA),
            # An annual in its last phase: nothing follows, its harvest has begun.
            subentry(
                "01PLANTHARVEST000000000000",
                "plant",
                {**odd, "name": "Old basil", "species": "basil", "phase": "harvest"},
            ),
            # A phase its species does not go through.
            subentry(
                "01PLANTODD0000000000000000",
                "plant",
                {**odd, "name": "Odd basil", "species": "basil", "phase": "fruiting"},
            ),
            # A species the library does not know (no care preset either).
            subentry(
                "01PLANTMYSTERY000000000000",
                "plant",
                {
                    **odd,
                    "name": "Mystery",
                    "species": "moonflower",
                    "phase": "seedling",
                },
            ),
        ],
    )
    entry.add_to_hass(hass)
    # Like the conftest farm, it has run since its plants went in.
    seed_phases(
        hass_storage,
        entry.entry_id,
        {
            PLANT_ID: (BASIL_DATA["phase"], BASIL_DATA["planted"]),
            POT_ID: (MONSTERA_DATA["phase"], MONSTERA_DATA["planted"]),
            **{
                plant_id: (phase, odd["planted"])
                for plant_id, phase in (
                    ("01PLANTHARVEST000000000000", "harvest"),
                    ("01PLANTODD0000000000000000", "fruiting"),
                    ("01PLANTMYSTERY000000000000", "seedling"),
                )
            },
        },
    )
    return entry


async def test_expected_phase_changes(
    hass: HomeAssistant, mixed_farm: MockConfigEntry
) -> None:
    """Expected phase changes run one cycle ahead, only where the phases are known."""
    assert await hass.config_entries.async_setup(mixed_farm.entry_id)
    await hass.async_block_till_done()
    entity_id = _entity_id(hass, mixed_farm)

    # The Monstera (perennial, no sensor) has been vegetative since it was potted:
    # 240 days, then 90 dormant, then a new cycle: 30 as a seedling.
    dormant = POT_PLANTED + timedelta(days=240)  # 2027-02-10
    new_cycle = dormant + timedelta(days=90)  # 2027-05-11
    vegetative = new_cycle + timedelta(days=30)  # 2027-06-10
    pot = "Standalone pot"
    assert await _events(
        hass, entity_id, _midnight(date(2027, 2, 1)), _midnight(date(2027, 3, 1))
    ) == [_all_day(dormant, "Monstera: vegetative → dormancy (expected)", pot)]
    # From May on the chain still runs from today, but only its later steps show.
    assert await _events(
        hass, entity_id, _midnight(date(2027, 5, 1)), _midnight(date(2027, 7, 1))
    ) == [
        _all_day(new_cycle, "Monstera: dormancy → seedling (expected)", pot),
        _all_day(vegetative, "Monstera: seedling → vegetative (expected)", pot),
    ]
    # The other plants add nothing to the coming weeks: the same events as the
    # conftest farm alone (their care tasks all fell due before today).
    coming = await _events(hass, entity_id, _midnight(DAY), _midnight(date(2027, 1, 1)))
    assert [event["summary"] for event in coming] == [
        "Check Basil tray for pests",
        "Basil tray: seedling → vegetative (expected)",
        "Feed Basil tray",
        "Change water: Tank A",
        "Clean tank: Tank A",
        "Calibrate probes: Tank A",
        "Expected harvest: Basil tray",
    ]
    # Their overdue care tasks are on the calendar in October; a removed plant's
    # are gone with it.
    october = (_midnight(date(2026, 10, 1)), _midnight(date(2026, 11, 1)))
    summaries = [e["summary"] for e in await _events(hass, entity_id, *october)]
    assert "Water Old basil" in summaries
    hass.config_entries.async_remove_subentry(mixed_farm, "01PLANTHARVEST000000000000")
    await hass.async_block_till_done()
    summaries = [e["summary"] for e in await _events(hass, entity_id, *october)]
    assert "Water Old basil" not in summaries
    assert "Water Odd basil" in summaries


async def test_empty_farm(hass: HomeAssistant) -> None:
    """A farm with nothing in it has an empty calendar, off."""
    entry = MockConfigEntry(
        domain=DOMAIN, title="Attic", unique_id="attic", data=FARM_DATA
    )
    entry.add_to_hass(hass)
    assert await hass.config_entries.async_setup(entry.entry_id)
    await hass.async_block_till_done()
    entity_id = _entity_id(hass, entry)
    state = hass.states.get(entity_id)
    assert state is not None
    assert state.state == "off"
    assert "message" not in state.attributes
    assert (
        await _events(hass, entity_id, _midnight(DAY), _midnight(date(2027, 1, 1)))
        == []
    )
